/**
 * The earning programme's port over `SqlClient`: `programme_counter` and `programme_lock_hold`
 * (migration 13), and `programme_earning` (migration 15).
 *
 * Caps under concurrency: `lockCounters` first inserts the batch's missing counter rows (`ON
 * CONFLICT DO NOTHING`, in key order), then locks every one of them with `SELECT … ORDER BY key
 * FOR UPDATE` (PostgreSQL). An insert that meets a row another open transaction inserted waits for
 * that transaction, then does nothing, so the SELECT after it sees every row committed; and since
 * both statements take keys in one global order, two batches never wait on each other in a cycle.
 * The earning service calls it before `LedgerStore.post`, which locks accounts afterwards: lock
 * order is counters, then accounts. On SQLite the write transaction's `BEGIN IMMEDIATE` already
 * makes writers take turns.
 *
 * Earnings by place: `recordEarnings` inserts rows by transfer id (`ON CONFLICT DO NOTHING`, so a
 * retried claim writes nothing new), in chunks under either dialect's bind limit; `activity` is one
 * grouped `SELECT` — each subtree a range of `at_path` on the `(ledger, at_path, occurred_at)`
 * index, each node ref a search for its `/id/` segment in the path.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Actor } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import { EarningStore } from "@sortgrid/ledger/EarningStore"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, Layer, Schema } from "effect"
import { chunksOf, toStorageError } from "./internal/errors.js"
import { anyOf, Int, pathEnd, readRows } from "./internal/query.js"

const CounterRows = Schema.Array(Schema.Struct({ key: Schema.String, used: Int, taken: Int }))
const HoldRows = Schema.Array(Schema.Struct({ id: Transfer.TransferId, ledger: Account.LedgerId, at: Int }))
const KeyRows = Schema.Array(Schema.Struct({ key: Schema.String }))
const ActivityRows = Schema.Array(
  Schema.Struct({
    at_path: Actor.NodePath,
    code: Transfer.TransferCode,
    resident_reference: Schema.String,
    points: Int,
    claims: Int
  })
)

/** Earnings one insert writes: 8 parameters each, well under SQLite's and PostgreSQL's limits. */
const earningsPerInsert = 1_000

/**
 * `EarningStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EarningStore, never, SqlClient.SqlClient> = Layer.effect(
  EarningStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

    const lockCounters = (keys: ReadonlyArray<{ readonly key: string; readonly periodEnd: number }>) =>
      Effect.gen(function* () {
        if (keys.length === 0) return { used: new Map<string, number>(), taken: new Set<string>() }
        const sorted = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        const names = sorted.map((k) => k.key)
        yield* (
          isPg
            ? sql`INSERT INTO programme_counter (key, used, taken, period_end)
                  SELECT d.key, 0, 0, d.period_end
                  FROM unnest(${names}::text[], ${sorted.map((k) => k.periodEnd)}::bigint[]) AS d(key, period_end)
                  ORDER BY d.key
                  ON CONFLICT (key) DO NOTHING`
            : sql`INSERT INTO programme_counter (key, used, taken, period_end)
                  SELECT json_extract(value, '$[0]'), 0, 0, json_extract(value, '$[1]')
                  FROM json_each(${JSON.stringify(sorted.map((k) => [k.key, k.periodEnd]))}) WHERE true
                  ON CONFLICT (key) DO NOTHING`
        ).pipe(Effect.mapError(toStorageError("lock counters")))
        const rows = yield* sql`SELECT key, used, taken FROM programme_counter WHERE ${isAnyOf("key", names)}
                   ORDER BY key ${sql.literal(isPg ? "FOR UPDATE" : "")}`.pipe(
          readRows("lock counters", Schema.decodeUnknown(CounterRows))
        )
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
      return (
        isPg
          ? sql`UPDATE programme_counter AS c SET used = c.used + d.used, taken = GREATEST(c.taken, d.taken)
                FROM unnest(${keys}::text[], ${used}::bigint[], ${taken}::int[]) AS d(key, used, taken)
                WHERE c.key = d.key`
          : sql`WITH d AS (SELECT json_extract(value, '$[0]') AS key, json_extract(value, '$[1]') AS used,
                  json_extract(value, '$[2]') AS taken
                  FROM json_each(${JSON.stringify(keys.map((key, i) => [key, used[i], taken[i]]))}))
                UPDATE programme_counter SET used = programme_counter.used + d.used,
                  taken = max(programme_counter.taken, d.taken)
                FROM d WHERE programme_counter.key = d.key`
      ).pipe(Effect.asVoid, Effect.mapError(toStorageError("count earnings")))
    }

    return EarningStore.of({
      lockCounters,
      addToCounters,
      pruneCounters: (before) =>
        sql`DELETE FROM programme_counter WHERE period_end <= ${before} RETURNING key`.pipe(
          readRows("prune counters", Schema.decodeUnknown(KeyRows)),
          Effect.map((rows) => rows.length)
        ),
      trackLockHolds: (holds) =>
        holds.length === 0
          ? Effect.void
          : sql`INSERT INTO programme_lock_hold ${sql.insert(
              holds.map((hold) => ({ id: hold.id, ledger: hold.ledger, at: hold.timestamp }))
            )} ON CONFLICT (id) DO NOTHING`.pipe(Effect.asVoid, Effect.mapError(toStorageError("track lock holds"))),
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
        Effect.forEach(
          chunksOf(records, earningsPerInsert),
          (chunk) =>
            sql`INSERT INTO programme_earning ${sql.insert(
              chunk.map((record) => ({
                transfer_id: record.transferId,
                ledger: record.ledger,
                code: record.code,
                at_path: record.at,
                resident_reference: record.residentReference,
                household_reference: record.householdReference,
                amount: record.amount,
                occurred_at: record.occurredAt
              }))
            )} ON CONFLICT (transfer_id) DO NOTHING`,
          { discard: true }
        ).pipe(Effect.mapError(toStorageError("record earnings"))),
      activity: ({ from, ledger, nodes, under, until }) => {
        if (under.length === 0 && nodes.length === 0) return Effect.succeed([])
        const places = [
          ...under.map((path) => sql`(at_path >= ${path} AND at_path < ${pathEnd(path)})`),
          ...nodes.map((node) =>
            isPg ? sql`strpos(at_path, ${`/${node}/`}) > 0` : sql`instr(at_path, ${`/${node}/`}) > 0`
          )
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
