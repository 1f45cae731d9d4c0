/**
 * `sortgrid init`: creates the store, or brings an existing one up to the latest schema, and prints
 * the migration report — every migration the store holds, and which of them this run applied.
 *
 * Opening a store migrates it (the SDK's store layers do, forward-only and once, under a lock), so
 * `init` is safe to run again: a store that is up to date reports nothing applied.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import { Sortgrid, StoreUrl } from "@sortgrid/sdk"
import { Clock, Effect, Either, Option, Schema } from "effect"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

/**
 * One migration the store holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface MigrationRow {
  readonly id: number
  readonly name: string
  /** Applied by this run (as opposed to an earlier one). */
  readonly appliedNow: boolean
}

/**
 * What `init` did.
 *
 * @since 0.1.0
 * @category models
 */
export interface InitReport {
  /** The store URL, without any password. */
  readonly store: string
  readonly kind: "sqlite" | "postgres" | "memory"
  /** A SQLite file that did not exist before. */
  readonly created: boolean
  readonly migrations: ReadonlyArray<MigrationRow>
  /** The latest migration id the store is at (0 for memory). */
  readonly latest: number
}

const Rows = Schema.Array(
  Schema.Struct({ id: Schema.Number, name: Schema.String, applied_at: Schema.Union(Schema.Number, Schema.String) })
)

/**
 * A store URL safe to print: a PostgreSQL password is replaced with `***`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const displayStore = (url: string): string => {
  if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) return url
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return url
  }
}

/** The migrations the store holds, read back after the store layer migrated it. */
const readMigrations = (startedAt: number) =>
  Effect.gen(function* () {
    const client = yield* Effect.serviceOption(SqlClient.SqlClient)
    if (Option.isNone(client)) return []
    const sql = client.value
    const rows = yield* sql`SELECT id, name, applied_at FROM schema_migration ORDER BY id`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Rows)),
      Effect.mapError((error) => new Errors.StorageError({ operation: "init", reason: error.message }))
    )
    return rows.map((row) => ({ id: row.id, name: row.name, appliedNow: Number(row.applied_at) >= startedAt }))
  })

/**
 * Opens (creating and migrating) the store a URL names and reports its migrations.
 *
 * @since 0.1.0
 * @category running
 */
export const initialise = (
  url: string
): Effect.Effect<InitReport, Errors.Invalid | Errors.StoreUnavailable | Errors.StorageError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const location = yield* Either.match(StoreUrl.parse(url), { onLeft: Effect.fail, onRight: Effect.succeed })
    const fs = yield* FileSystem.FileSystem
    const existed =
      location._tag === "Sqlite" && location.filename !== ":memory:"
        ? yield* Effect.orElseSucceed(fs.exists(location.filename), () => false)
        : true
    const startedAt = yield* Clock.currentTimeMillis
    const migrations = yield* Effect.provide(readMigrations(startedAt), Sortgrid.layerStore(url))
    const kind = location._tag === "Sqlite" ? "sqlite" : location._tag === "Postgres" ? "postgres" : "memory"
    return {
      store: displayStore(url),
      kind,
      created: location._tag === "Sqlite" && !existed,
      migrations,
      latest: migrations.at(-1)?.id ?? 0
    } as const
  })

/**
 * The report as lines for a person.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describe = (report: InitReport): ReadonlyArray<string> => {
  if (report.kind === "memory") {
    return [`${report.store} is an in-memory store, kept only while the process runs; nothing to migrate`]
  }
  const applied = report.migrations.filter((migration) => migration.appliedNow)
  return [
    `${report.store}: ${report.created ? "created" : "opened"}, schema at migration ${report.latest}`,
    applied.length === 0
      ? "up to date: no migration applied"
      : `applied ${applied.length} migration${applied.length === 1 ? "" : "s"}:`,
    ...report.migrations.map(
      (migration) =>
        `  ${String(migration.id).padStart(4, "0")} ${migration.name}${migration.appliedNow ? "  (applied now)" : ""}`
    )
  ]
}

/**
 * `sortgrid init`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("init", { ...Settings.globalOptions }, (config) =>
  Effect.gen(function* () {
    const settings = yield* Settings.resolve(config)
    const report = yield* initialise(settings.store)
    yield* Output.emit(settings, { json: report, human: () => describe(report) })
  })
).pipe(Command.withDescription("Create the store, or migrate it to the latest schema, and print the migration report"))
