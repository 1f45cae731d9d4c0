/**
 * Versioned, forward-only schema migrations, run when a store layer starts.
 *
 * Every migration has a number and a name and is applied once, in order, inside one write
 * transaction that first takes the store's migration lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL:
 * a transaction-scoped advisory lock per schema), so two processes starting on one database at once
 * apply each migration exactly once. A database that holds a migration this code does not know — a
 * newer sortgrid migrated it — is refused rather than used.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import type { Errors } from "@sortgrid/core"
import { Clock, Effect, Schema } from "effect"
import { serialisedTransaction } from "./internal/write.js"

/**
 * One migration. `up` receives the client and branches on the dialect where the SQL differs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Migration {
  readonly id: number
  readonly name: string
  readonly up: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient>
}

/**
 * The database cannot be migrated by this code: it was migrated further, or differently.
 *
 * @since 0.1.0
 * @category errors
 */
export class MigrationError extends Schema.TaggedError<MigrationError>()("MigrationError", {
  reason: Schema.String
}) {}

/**
 * What a run did: the migrations it applied (empty when the database was up to date).
 *
 * @since 0.1.0
 * @category models
 */
export interface MigrationReport {
  readonly applied: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly latest: number
}

const Applied = Schema.Array(Schema.Struct({ id: Schema.Number, name: Schema.String }))

/**
 * Applies every migration newer than the database, in one transaction.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  migrations: ReadonlyArray<Migration>
): Effect.Effect<MigrationReport, MigrationError | Errors.StorageError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ordered = [...migrations].sort((a, b) => a.id - b.id)
    const known = new Map(ordered.map((m) => [m.id, m.name]))
    return yield* serialisedTransaction(sql, { operation: "migrate", lock: "migrate" })(
      Effect.gen(function* () {
        yield* sql`CREATE TABLE IF NOT EXISTS schema_migration (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at BIGINT NOT NULL
        )`
        const applied = yield* Effect.orDie(
          Effect.flatMap(sql`SELECT id, name FROM schema_migration ORDER BY id`, Schema.decodeUnknown(Applied))
        )
        for (const row of applied) {
          const name = known.get(row.id)
          if (name === undefined) {
            return yield* new MigrationError({
              reason: `the database has migration ${row.id} (${row.name}), which this version of sortgrid does not know: it was migrated by a newer version`
            })
          }
          if (name !== row.name) {
            return yield* new MigrationError({
              reason: `migration ${row.id} is "${row.name}" in the database but "${name}" here`
            })
          }
        }
        const latest = applied.at(-1)?.id ?? 0
        const pending = ordered.filter((m) => m.id > latest)
        const now = yield* Clock.currentTimeMillis
        for (const migration of pending) {
          yield* migration.up
          yield* sql`INSERT INTO schema_migration ${sql.insert({ id: migration.id, name: migration.name, applied_at: now })}`
        }
        return {
          applied: pending.map(({ id, name }) => ({ id, name })),
          latest: pending.at(-1)?.id ?? latest
        }
      })
    )
  })
