import type { SqlClient, SqlError } from "@effect/sql"
import { type Errors, Period } from "@sortgrid/core"
import { Effect } from "effect"
import { chunksOf, transaction } from "./errors.js"
import { idsPerQuery } from "./query.js"

/**
 * A write transaction (see `transaction`) that first serialises writers of one kind per database:
 * PostgreSQL takes a transaction-scoped advisory lock named for `lock` and the schema; SQLite's
 * `BEGIN IMMEDIATE` already holds the database's write lock.
 */
export const serialisedTransaction =
  (sql: SqlClient.SqlClient, options: { readonly operation: string; readonly lock: string }) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, SqlError.SqlError> | Errors.StorageError, R> =>
    transaction(
      sql,
      options.operation
    )(
      Effect.zipRight(
        sql.onDialectOrElse({
          pg: (): Effect.Effect<void, SqlError.SqlError> =>
            Effect.asVoid(
              sql`SELECT pg_advisory_xact_lock(hashtext(${`sortgrid.${options.lock}.`}::text || current_schema()))`
            ),
          orElse: (): Effect.Effect<void, SqlError.SqlError> => Effect.void
        }),
        effect
      )
    )

/**
 * Ends the open version (valid to the end of time) of each node in `table` on its date: one UPDATE
 * per date and chunk of ids. Run it before inserting the versions that follow, which are open too.
 */
export const endOpenVersions =
  (sql: SqlClient.SqlClient, table: string) =>
  (
    ends: ReadonlyArray<{ readonly nodeId: string; readonly validTo: string }>
  ): Effect.Effect<void, SqlError.SqlError> => {
    const byDate = new Map<string, Array<string>>()
    for (const { nodeId, validTo } of ends) {
      const ids = byDate.get(validTo)
      if (ids === undefined) byDate.set(validTo, [nodeId])
      else ids.push(nodeId)
    }
    return Effect.forEach(
      byDate,
      ([validTo, ids]) =>
        Effect.forEach(
          chunksOf(ids, idsPerQuery),
          (chunk) =>
            sql`UPDATE ${sql(table)} SET valid_to = ${validTo}
                WHERE valid_to = ${Period.endOfTime} AND ${sql.in("node_id", chunk)}`,
          { discard: true }
        ),
      { discard: true }
    )
  }
