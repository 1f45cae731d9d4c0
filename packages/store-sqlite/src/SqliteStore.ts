/**
 * The embedded default store: one SQLite file through better-sqlite3.
 *
 * - WAL journal with `synchronous = FULL`, so a committed transaction survives power loss (set on
 *   every open: SQLite reverts to NORMAL when it reopens a WAL file);
 * - a 64 MiB page cache per connection (SQLite's default is 2 MiB);
 * - write transactions begin with `BEGIN IMMEDIATE` and wait up to the busy timeout for the write
 *   lock, so two processes on one file queue instead of failing with `SQLITE_BUSY`;
 * - the schema is migrated when the layer starts.
 *
 * @since 0.1.0
 */
import { Reactivity } from "@effect/experimental"
import { SqlClient, Statement } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Errors } from "@sortgrid/core"
import { SqlStore } from "@sortgrid/store-sql"
import { Duration, Effect, Layer, Option, type Scope } from "effect"

/**
 * Where the store lives and how long a writer waits for another process's write lock.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteStoreConfig {
  /** Path of the database file (created if absent; its directory must exist), or `:memory:`. */
  readonly filename: string
  /** How long a write waits for the lock held by another connection. Default 5 seconds. */
  readonly busyTimeout?: Duration.DurationInput | undefined
}

/** The page cache, as SQLite takes it: a negative number of KiB. */
const cacheSizeKiB = -65_536

const unavailable = (config: SqliteStoreConfig, reason: string) =>
  new Errors.StoreUnavailable({ store: `sqlite:${config.filename}`, reason })

const describe = (cause: unknown): string =>
  cause instanceof Error
    ? cause.message +
      (cause.cause instanceof Error && cause.cause.message !== cause.message ? `: ${cause.cause.message}` : "")
    : String(cause)

/**
 * A `SqlClient` over one SQLite connection whose transactions begin with `BEGIN IMMEDIATE`, with
 * the pragmas set. Statements outside a transaction wait for any transaction in progress.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (
  config: SqliteStoreConfig
): Effect.Effect<SqlClient.SqlClient, Errors.StoreUnavailable, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    // better-sqlite3 throws when it cannot open or write the file; @effect/sql-sqlite-node lets that
    // escape as a defect, which we turn into a typed error that names the file.
    // Prepared statements stay cached (up to the client's 200) however the clock moves: the cache's
    // expiry is read from the fiber's Clock, and a simulated one jumping days per batch would make
    // every batch prepare its multi-row statements again.
    const connection = yield* SqliteClient.make({ filename: config.filename, prepareCacheTTL: Duration.infinity }).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(unavailable(config, describe(defect))))
    )
    const sql = yield* SqlClient.make({
      acquirer: connection.reserve,
      transactionAcquirer: connection.reserve,
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]],
      beginTransaction: "BEGIN IMMEDIATE"
    })
    const busyMillis = Duration.toMillis(Duration.decode(config.busyTimeout ?? "5 seconds"))
    yield* Effect.all([
      sql.unsafe(`PRAGMA busy_timeout = ${Math.round(busyMillis)}`),
      sql.unsafe("PRAGMA synchronous = FULL"),
      // 64 MiB of page cache (SQLite's default is 2 MiB): a batch touches pages all over the
      // transfer, lot and account b-trees, and re-reading them from the OS costs more than the memory.
      sql.unsafe(`PRAGMA cache_size = ${cacheSizeKiB}`),
      sql.unsafe("PRAGMA foreign_keys = ON")
    ]).pipe(Effect.mapError((error) => unavailable(config, describe(error))))
    return sql
  })

/**
 * The SQLite client alone, migrated to the latest schema.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (config: SqliteStoreConfig): Layer.Layer<SqlClient.SqlClient, Errors.StoreUnavailable> =>
  Layer.scoped(
    SqlClient.SqlClient,
    Effect.gen(function* () {
      const sql = yield* makeClient(config)
      yield* SqlStore.migrate.pipe(
        Effect.provideService(SqlClient.SqlClient, sql),
        Effect.mapError((error) => unavailable(config, error.reason))
      )
      return sql
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Every sortgrid port in a SQLite file, plus the `SqlClient` for tools that need it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: SqliteStoreConfig
): Layer.Layer<SqlStore.Ports | SqlClient.SqlClient, Errors.StoreUnavailable> =>
  SqlStore.layer.pipe(Layer.provideMerge(layerClient(config)))

/**
 * Reads the journal mode and synchronous level actually in force (for diagnostics and tests).
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const pragmas: Effect.Effect<
  { readonly journalMode: string; readonly synchronous: number; readonly busyTimeout: number },
  Errors.StorageError,
  SqlClient.SqlClient
> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const one = (pragma: string) =>
    Effect.map(sql.unsafe<Record<string, unknown>>(`PRAGMA ${pragma}`), (rows) =>
      Option.getOrElse(Option.fromNullable(rows[0] && Object.values(rows[0])[0]), () => null)
    )
  const [journalMode, synchronous, busyTimeout] = yield* Effect.all([
    one("journal_mode"),
    one("synchronous"),
    one("busy_timeout")
  ]).pipe(Effect.mapError((error) => new Errors.StorageError({ operation: "pragmas", reason: error.message })))
  return { journalMode: String(journalMode), synchronous: Number(synchronous), busyTimeout: Number(busyTimeout) }
})
