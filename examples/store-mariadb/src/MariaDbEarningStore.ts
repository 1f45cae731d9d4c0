/**
 * The earning programme's port on MariaDB: `programme_counter` and `programme_lock_hold`, adapted
 * from `@sortgrid/store-sql`'s (which uses `ON CONFLICT`, `json_each` and `DELETE … RETURNING`).
 *
 * Caps under concurrency: `lockCounters` inserts the batch's missing counters in one
 * `INSERT … SELECT … FROM JSON_TABLE(…) ON DUPLICATE KEY UPDATE`, then reads them all with
 * `SELECT … ORDER BY \`key\` FOR UPDATE`. It runs inside the earning service's transaction, which
 * holds the database's writer lock (see `MariaDbStore`), so two claims never decide on one count;
 * `addToCounters` adds a batch's counts with one `UPDATE … JOIN JSON_TABLE(…)`.
 *
 * Earnings by place (`programme_earning`, migration 2): `recordEarnings` is a multi-row insert that
 * skips transfer ids already recorded (`ON DUPLICATE KEY UPDATE`); `activity` is one grouped
 * `SELECT`, each subtree a range of `at_path`, each node ref a `LOCATE` of its `/id/` segment.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Actor } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import { EarningStore } from "@sortgrid/ledger/EarningStore"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, Layer, Schema } from "effect"
import {
  affectedRows,
  anyOf,
  chunksOf,
  Int,
  jsonRows,
  makeInserter,
  maxParameters,
  readRows,
  toStorageError
} from "./internal/sql.js"

const CounterRows = Schema.Array(Schema.Struct({ key: Schema.String, used: Int, taken: Int }))
const HoldRows = Schema.Array(Schema.Struct({ id: Transfer.TransferId, ledger: Account.LedgerId, at: Int }))
const ActivityRows = Schema.Array(
  Schema.Struct({
    at_path: Actor.NodePath,
    code: Transfer.TransferCode,
    resident_reference: Schema.String,
    points: Int,
    claims: Int
  })
)

interface EarningRow {
  readonly transfer_id: string
  readonly ledger: string
  readonly code: string
  readonly at_path: string
  readonly resident_reference: string
  readonly household_reference: string | null
  readonly amount: number
  readonly occurred_at: number
}

/** The first string after every path that starts with `path` ('0' is the character after '/'). */
const pathEnd = (path: string): string => `${path.slice(0, -1)}0`

/**
 * `EarningStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EarningStore, never, SqlClient.SqlClient> = Layer.effect(
  EarningStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const insertEarnings = makeInserter<EarningRow>(
      sql,
      "programme_earning",
      [
        "transfer_id",
        "ledger",
        "code",
        "at_path",
        "resident_reference",
        "household_reference",
        "amount",
        "occurred_at"
      ],
      { suffix: "ON DUPLICATE KEY UPDATE transfer_id = transfer_id" }
    )

    const lockCounters = (keys: ReadonlyArray<{ readonly key: string; readonly periodEnd: number }>) =>
      Effect.gen(function* () {
        if (keys.length === 0) return { used: new Map<string, number>(), taken: new Set<string>() }
        const sorted = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        const names = sorted.map((k) => k.key)
        // Create the missing counters, then read them all; the writer lock the transaction holds
        // keeps two claims from deciding on one count.
        yield* sql`INSERT INTO programme_counter (\`key\`, used, taken, period_end)
                   SELECT d.k, 0, 0, d.period_end
                   FROM ${jsonRows(
                     sql,
                     sorted.map((k) => [k.key, k.periodEnd]),
                     [
                       ["k", "VARCHAR(255)"],
                       ["period_end", "BIGINT"]
                     ]
                   )} AS d
                   ON DUPLICATE KEY UPDATE used = used`.pipe(Effect.mapError(toStorageError("lock counters")))
        const rows = yield* sql`SELECT \`key\`, used, taken FROM programme_counter WHERE ${isAnyOf("key", names)}
                   ORDER BY \`key\` FOR UPDATE`.pipe(readRows("lock counters", Schema.decodeUnknown(CounterRows)))
        const used = new Map<string, number>()
        const taken = new Set<string>()
        for (const row of rows) {
          if (row.used > 0) used.set(row.key, row.used)
          if (row.taken !== 0) taken.add(row.key)
        }
        return { used, taken }
      })

    const addToCounters = (counted: {
      readonly used: ReadonlyMap<string, number>
      readonly taken: ReadonlySet<string>
    }) => {
      const keys = [...new Set([...counted.used.keys(), ...counted.taken])].sort()
      if (keys.length === 0) return Effect.void
      const used = keys.map((key) => counted.used.get(key) ?? 0)
      const taken = keys.map((key) => (counted.taken.has(key) ? 1 : 0))
      return sql`UPDATE programme_counter AS c
                 JOIN ${jsonRows(
                   sql,
                   keys.map((key, i) => [key, used[i], taken[i]]),
                   [
                     ["k", "VARCHAR(255)"],
                     ["used", "BIGINT"],
                     ["taken", "INT"]
                   ]
                 )} AS d ON c.\`key\` = d.k
                 SET c.used = c.used + d.used, c.taken = GREATEST(c.taken, d.taken)`.pipe(
        Effect.asVoid,
        Effect.mapError(toStorageError("count earnings"))
      )
    }

    return EarningStore.of({
      lockCounters,
      addToCounters,
      pruneCounters: (before) =>
        affectedRows(sql`DELETE FROM programme_counter WHERE period_end <= ${before}`).pipe(
          Effect.mapError(toStorageError("prune counters"))
        ),
      trackLockHolds: (holds) =>
        holds.length === 0
          ? Effect.void
          : Effect.forEach(
              chunksOf(holds, Math.floor(maxParameters() / 3)),
              (chunk) =>
                sql`INSERT INTO programme_lock_hold ${sql.insert(
                  chunk.map((hold) => ({ id: hold.id, ledger: hold.ledger, at: hold.timestamp }))
                )} ON DUPLICATE KEY UPDATE id = id`,
              { discard: true }
            ).pipe(Effect.mapError(toStorageError("track lock holds"))),
      lockHolds: ({ before, ledger, limit }) =>
        sql`SELECT id, ledger, at FROM programme_lock_hold WHERE ledger = ${ledger} AND at < ${before}
            ORDER BY at, id LIMIT ${limit}`.pipe(
          readRows("lock holds", Schema.decodeUnknown(HoldRows)),
          Effect.map((rows) => rows.map((row) => ({ id: row.id, ledger: row.ledger, timestamp: row.at })))
        ),
      forgetLockHolds: (ids) =>
        ids.length === 0
          ? Effect.void
          : sql`DELETE FROM programme_lock_hold WHERE ${isAnyOf("id", ids)}`.pipe(
              Effect.asVoid,
              Effect.mapError(toStorageError("forget lock holds"))
            ),
      recordEarnings: (records) =>
        records.length === 0
          ? Effect.void
          : insertEarnings(
              records.map((record) => ({
                transfer_id: record.transferId,
                ledger: record.ledger,
                code: record.code,
                at_path: record.at,
                resident_reference: record.residentReference,
                household_reference: record.householdReference,
                amount: record.amount,
                occurred_at: record.occurredAt
              }))
            ).pipe(Effect.mapError(toStorageError("record earnings"))),
      activity: ({ from, ledger, nodes, under, until }) => {
        if (under.length === 0 && nodes.length === 0) return Effect.succeed([])
        const places = [
          ...under.map((path) => sql`(at_path >= ${path} AND at_path < ${pathEnd(path)})`),
          ...nodes.map((node) => sql`LOCATE(${`/${node}/`}, at_path) > 0`)
        ]
        return sql`SELECT at_path, code, resident_reference, SUM(amount) AS points, COUNT(*) AS claims
                   FROM programme_earning
                   WHERE ledger = ${ledger} AND occurred_at >= ${from} AND occurred_at < ${until}
                     AND ${sql.or(places)}
                   GROUP BY at_path, code, resident_reference
                   ORDER BY at_path, code, resident_reference`.pipe(
          readRows("earning activity", Schema.decodeUnknown(ActivityRows)),
          Effect.map((rows) =>
            rows.map((row) => ({
              at: row.at_path,
              code: row.code,
              residentReference: row.resident_reference,
              points: row.points,
              claims: row.claims
            }))
          )
        )
      }
    })
  })
)
