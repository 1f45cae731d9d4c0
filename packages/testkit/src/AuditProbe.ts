/**
 * A view of an adapter's stored audit rows that does not go through the adapter's port: the
 * conformance suite reads results back through it, and tampers with the rows to prove that
 * verification catches every kind of tampering. Each adapter supplies one; {@link layerSql} serves
 * any store that keeps the audit log in sortgrid's SQL tables.
 *
 * @since 0.1.0
 */

import { SqlClient } from "@effect/sql"
import type { Json } from "@sortgrid/core"
import { Context, Effect, Layer } from "effect"

/**
 * An audit entry as stored, field by field.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditRow {
  readonly position: number
  readonly id: string
  readonly at: number
  readonly actor: string
  readonly action: string
  readonly subject: string
  readonly payload: Json.Json
  readonly payloadDigest: string
  readonly previousHash: string
  readonly hash: string
}

/**
 * Direct access to stored audit rows and the head.
 *
 * @since 0.1.0
 * @category services
 */
export class AuditProbe extends Context.Tag("@sortgrid/testkit/AuditProbe")<
  AuditProbe,
  {
    /** Every stored row, in position order. */
    readonly rows: Effect.Effect<ReadonlyArray<AuditRow>>
    /** The stored head. */
    readonly head: Effect.Effect<{ readonly position: number; readonly hash: string }>
    /** Overwrites fields of the row at a position. */
    readonly update: (position: number, patch: Partial<Omit<AuditRow, "position">>) => Effect.Effect<void>
    /** Moves a row to a free position. */
    readonly move: (from: number, to: number) => Effect.Effect<void>
    /** Deletes the row at a position. */
    readonly remove: (position: number) => Effect.Effect<void>
    /** Inserts a row at a free position. */
    readonly insert: (row: AuditRow) => Effect.Effect<void>
    /** Overwrites the head. */
    readonly setHead: (head: { readonly position: number; readonly hash: string }) => Effect.Effect<void>
  }
>() {}

const columns: ReadonlyArray<readonly [keyof AuditRow, string]> = [
  ["position", "position"],
  ["id", "id"],
  ["at", "at"],
  ["actor", "actor"],
  ["action", "action"],
  ["subject", "subject"],
  ["payload", "payload"],
  ["payloadDigest", "payload_digest"],
  ["previousHash", "previous_hash"],
  ["hash", "hash"]
]

const toColumns = (row: Partial<AuditRow>): Record<string, unknown> =>
  Object.fromEntries(
    columns
      .filter(([field]) => row[field] !== undefined)
      .map(([field, column]) => [column, field === "payload" ? JSON.stringify(row.payload) : row[field]])
  )

/**
 * The probe for stores that keep the audit log in sortgrid's SQL tables (`audit_entry`,
 * `audit_head`), with plain SQL through the same `SqlClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql: Layer.Layer<AuditProbe, never, SqlClient.SqlClient> = Layer.effect(
  AuditProbe,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const run = <A>(effect: Effect.Effect<A, unknown>) => Effect.orDie(effect)
    return AuditProbe.of({
      rows: run(
        sql<Record<string, unknown>>`SELECT * FROM audit_entry ORDER BY position`.pipe(
          Effect.map((rows) =>
            rows.map(
              (row): AuditRow => ({
                position: Number(row.position),
                id: String(row.id),
                at: Number(row.at),
                actor: String(row.actor),
                action: String(row.action),
                subject: String(row.subject),
                payload: JSON.parse(String(row.payload)) as Json.Json,
                payloadDigest: String(row.payload_digest),
                previousHash: String(row.previous_hash),
                hash: String(row.hash)
              })
            )
          )
        )
      ),
      head: run(
        Effect.map(sql<{ position: unknown; hash: string }>`SELECT position, hash FROM audit_head`, ([row]) => ({
          position: Number(row!.position),
          hash: row!.hash
        }))
      ),
      update: (position, patch) =>
        run(sql`UPDATE audit_entry SET ${sql.update(toColumns(patch))} WHERE position = ${position}`),
      move: (from, to) => run(sql`UPDATE audit_entry SET position = ${to} WHERE position = ${from}`),
      remove: (position) => run(sql`DELETE FROM audit_entry WHERE position = ${position}`),
      insert: (row) => run(sql`INSERT INTO audit_entry ${sql.insert(toColumns(row))}`),
      setHead: (head) => run(sql`UPDATE audit_head SET position = ${head.position}, hash = ${head.hash}`)
    })
  })
)
