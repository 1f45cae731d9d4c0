/**
 * A vendor's sortgrid store for MariaDB (and MySQL) over `@effect/sql-mysql2`: every port, in one
 * database, migrated when the layer starts.
 *
 * Every port but the ledger's and the earning rules' comes from `@sortgrid/store-sql`, whose `mysql`
 * branches speak MariaDB; those two are this package's own layers (see the README for why). Writers are serialised per database: the
 * client given to every port begins each transaction by locking one row (`sortgrid_writer`,
 * `SELECT … FOR UPDATE`), held until COMMIT or ROLLBACK — MariaDB's equivalent of SQLite's
 * `BEGIN IMMEDIATE`. Nested transactions (the `Transactor` joined by a port) are savepoints on the
 * same connection and take no second lock.
 *
 * @since 0.1.0
 */
import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { MysqlClient } from "@effect/sql-mysql2"
import { Errors } from "@sortgrid/core"
import {
  SqlAssessmentStore,
  SqlAuditStore,
  SqlDutyStore,
  SqlGeometryStore,
  SqlGridStore,
  SqlGroupStore,
  SqlHouseholdStore,
  SqlInspectionStore,
  SqlOutreachStore,
  SqlPeopleStore,
  SqlPriorityResidentStore,
  SqlProblemStore,
  SqlRedemptionStore,
  SqlSiteStore,
  type SqlStore,
  SqlTaskStore,
  SqlTransactor
} from "@sortgrid/store-sql"
import { Duration, Effect, Layer, Redacted } from "effect"
import * as MariaDbEarningStore from "./MariaDbEarningStore.js"
import * as MariaDbLedgerStore from "./MariaDbLedgerStore.js"
import * as MariaDbMigrations from "./MariaDbMigrations.js"

/**
 * Where the store lives: a `mysql://` URL, or its parts.
 *
 * @since 0.1.0
 * @category models
 */
export interface MariaDbStoreConfig {
  /** `mysql://user:password@host:port/database`; it may hold a password, so it is `Redacted`. */
  readonly url?: Redacted.Redacted<string> | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Default 3306. */
  readonly port?: number | undefined
  /** Default `root`. */
  readonly user?: string | undefined
  readonly password?: Redacted.Redacted<string> | undefined
  /** The database holding sortgrid's tables; it must exist. */
  readonly database?: string | undefined
  /** Most connections in the pool. Default 10. */
  readonly maxConnections?: number | undefined
  /** How long to wait for a connection. Default 5 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

interface Resolved {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: Redacted.Redacted<string> | undefined
  readonly database: string | undefined
}

const resolve = (config: MariaDbStoreConfig): Resolved | string => {
  if (config.url === undefined) {
    return {
      host: config.host ?? "127.0.0.1",
      port: config.port ?? 3306,
      user: config.user ?? "root",
      password: config.password,
      database: config.database
    }
  }
  try {
    const parsed = new URL(Redacted.value(config.url))
    if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") return `unsupported protocol ${parsed.protocol}`
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
    return {
      host: parsed.hostname === "" ? "127.0.0.1" : parsed.hostname,
      port: parsed.port === "" ? 3306 : Number(parsed.port),
      user: parsed.username === "" ? (config.user ?? "root") : decodeURIComponent(parsed.username),
      password: parsed.password === "" ? config.password : Redacted.make(decodeURIComponent(parsed.password)),
      database: database === "" ? config.database : database
    }
  } catch {
    return "the url cannot be parsed"
  }
}

/**
 * The store's address without its password, fit for messages and logs.
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const describeStore = (config: MariaDbStoreConfig): string => {
  const resolved = resolve(config)
  if (typeof resolved === "string") return "mysql://(unparseable url)"
  const secret = resolved.password === undefined ? "" : ":***"
  return `mysql://${resolved.user}${secret}@${resolved.host}:${resolved.port}/${resolved.database ?? ""}`
}

const describe = (cause: unknown): string => {
  if (cause instanceof Error) {
    const inner = (cause as { readonly cause?: unknown }).cause
    if (inner instanceof AggregateError && inner.errors.length > 0)
      return String(inner.errors[0]?.message ?? inner.message)
    if (inner instanceof Error && inner.message !== "") return inner.message
    return cause.message
  }
  if (typeof cause === "object" && cause !== null && "reason" in cause) return String(cause.reason)
  return String(cause)
}

/** Every write transaction's first statement: the writer row, held until it ends. */
const beginTransaction = "START TRANSACTION; SELECT id FROM sortgrid_writer WHERE id = 1 FOR UPDATE"

/**
 * A pooled `SqlClient` on the configured database, migrated to the latest schema, whose write
 * transactions are serialised per database.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (config: MariaDbStoreConfig): Layer.Layer<SqlClient.SqlClient, Errors.StoreUnavailable> =>
  Layer.scoped(
    SqlClient.SqlClient,
    Effect.gen(function* () {
      const store = describeStore(config)
      const unavailable = (cause: unknown) => new Errors.StoreUnavailable({ store, reason: describe(cause) })
      const resolved = resolve(config)
      if (typeof resolved === "string") return yield* unavailable(resolved)
      if (resolved.database === undefined) return yield* unavailable("no database given")
      const maxConnections = Math.max(1, config.maxConnections ?? 10)
      const connectTimeout = Duration.toMillis(Duration.decode(config.connectTimeout ?? "5 seconds"))
      const mysql = yield* MysqlClient.make({
        host: resolved.host,
        port: resolved.port,
        username: resolved.user,
        password: resolved.password,
        database: resolved.database,
        maxConnections,
        poolConfig: { connectTimeout }
      }).pipe(Effect.mapError(unavailable))
      yield* MariaDbMigrations.run(MariaDbMigrations.all, { tablesAtOnce: Math.min(4, maxConnections - 1) }).pipe(
        Effect.provideService(SqlClient.SqlClient, mysql),
        Effect.mapError(unavailable)
      )
      return yield* SqlClient.make({
        acquirer: mysql.reserve,
        transactionAcquirer: mysql.reserve,
        compiler: MysqlClient.makeCompiler(),
        spanAttributes: [["db.system.name", "mariadb"]],
        beginTransaction
      })
    })
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * Every port over a client built by {@link layerClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const ports: Layer.Layer<SqlStore.Ports, never, SqlClient.SqlClient> = Layer.mergeAll(
  SqlAuditStore.layer,
  SqlTransactor.layer,
  SqlGroupStore.layer,
  SqlSiteStore.layer,
  SqlGeometryStore.layer,
  SqlPriorityResidentStore.layer,
  SqlPeopleStore.layer,
  SqlGridStore.layer,
  SqlDutyStore.layer,
  SqlOutreachStore.layer,
  SqlProblemStore.layer,
  SqlInspectionStore.layer,
  MariaDbLedgerStore.layer,
  MariaDbEarningStore.layer,
  SqlRedemptionStore.layer,
  SqlHouseholdStore.layer,
  SqlTaskStore.layer,
  SqlAssessmentStore.layer
)

/**
 * Every sortgrid port in a MariaDB database, plus the `SqlClient` for tools that need it. Fails with
 * `StoreUnavailable` (password hidden) when the server cannot be reached or the database migrated.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: MariaDbStoreConfig
): Layer.Layer<SqlStore.Ports | SqlClient.SqlClient, Errors.StoreUnavailable> =>
  ports.pipe(Layer.provideMerge(layerClient(config)))
