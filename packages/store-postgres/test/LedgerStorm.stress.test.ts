// The points ledger on PostgreSQL under concurrent load, through a pool of 16 connections:
// - redemption storm: 10,000 redemption attempts (direct, held then posted, posted in part, voided,
//   left open, linked pairs) against 100 wallets, 16 at once;
// - idempotency storm: 2,000 requests each sent 5 times, in different batches, 16 batches at once.
// What is stored is judged by raw SQL on the schema and by LedgerSuite's invariants.
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { LedgerSuite, PostgresSchema } from "@sortgrid/testkit"
import * as LedgerStorm from "@sortgrid/testkit/LedgerStorm"
import { Effect, Layer } from "effect"
import { PostgresStore } from "../src/index.js"

const connections = 16

/** The storm's services and the raw client over a new schema, with a pool of 16 connections. */
const fresh = Layer.unwrapScoped(
  Effect.map(PostgresSchema.make, (schema) => {
    const store = PostgresStore.layer({
      url: PostgresSchema.testUrl,
      schema,
      maxConnections: connections,
      connectTimeout: "60 seconds"
    })
    // The same layer value twice: built once, so the checks read through the services' pool.
    return Layer.merge(LedgerStorm.services(store), store)
  })
)

const resultCounts = (calls: ReadonlyArray<LedgerStorm.Call>) => {
  const counts: Record<string, number> = {}
  for (const call of calls) {
    for (const result of call.results ?? [`error:${call.error ?? "defect"}`]) counts[result] = (counts[result] ?? 0) + 1
  }
  return counts
}

const okIds = (calls: ReadonlyArray<LedgerStorm.Call>) =>
  calls.flatMap((call) => call.ids.filter((_, i) => call.results?.[i] === "Ok"))

/** Flagged accounts beyond their limit, read from the schema. */
const overdrawn = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ readonly n: string }>`SELECT count(*) AS n FROM ledger_account
    WHERE ((flags & 1) = 1 AND debits_posted + debits_pending > credits_posted)
    OR ((flags & 2) = 2 AND credits_posted + credits_pending > debits_posted)`
).pipe(Effect.map((rows) => Number(rows[0]?.n)))

const storedIds = (prefix: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<{ readonly id: string }>`SELECT id FROM ledger_transfer WHERE id LIKE ${`${prefix}%`} ORDER BY id`
  ).pipe(Effect.map((rows) => rows.map((row) => row.id)))

describe("the points ledger on PostgreSQL under stress", () => {
  it.live(
    "redemption storm: 10,000 attempts against 100 wallets over 16 connections leave no wallet overdrawn",
    () =>
      Effect.gen(function* () {
        yield* LedgerStorm.setUp()
        const calls = yield* LedgerStorm.redeemAll(LedgerStorm.attempts(10_000), connections)
        const counts = resultCounts(calls)
        console.info(`redemption storm on postgres: ${calls.length} calls, ${JSON.stringify(counts)}`)
        // Every failure is a result code or a typed error: no driver error reached a caller.
        expect(calls.filter((call) => call.defect !== null)).toEqual([])
        expect(calls.filter((call) => call.error !== null)).toEqual([])
        expect(counts.ExceedsCredits ?? 0).toBeGreaterThan(1_000)
        expect(counts.Ok ?? 0).toBeGreaterThan(1_000)
        expect(yield* overdrawn).toBe(0)
        const stored = yield* storedIds("r")
        expect(stored).toEqual(okIds(calls).sort())
        const totals = yield* LedgerSuite.invariants
        expect(totals.transfers).toBe(stored.length + 101)
      }).pipe(Effect.provide(fresh)),
    600_000
  )

  it.live(
    "idempotency storm: 2,000 requests each sent 5 times over 16 connections are stored exactly once",
    () =>
      Effect.gen(function* () {
        yield* LedgerStorm.setUp()
        const calls = yield* LedgerStorm.sendCopies(2_000, [0, 1, 2, 3, 4], connections)
        const counts = resultCounts(calls)
        console.info(`idempotency storm on postgres: ${calls.length} calls, ${JSON.stringify(counts)}`)
        expect(calls.filter((call) => call.defect !== null || call.error !== null)).toEqual([])
        expect(counts).toEqual({ Ok: 2_000, Exists: 8_000 })
        expect(new Set(okIds(calls)).size).toBe(2_000)
        expect((yield* storedIds("q")).length).toBe(2_000)
        expect(yield* overdrawn).toBe(0)
        const totals = yield* LedgerSuite.invariants
        expect(totals.transfers).toBe(2_000 + 101)
      }).pipe(Effect.provide(fresh)),
    600_000
  )
})
