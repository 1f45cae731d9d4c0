/**
 * The scale-out store: PostgreSQL through a connection pool. Each store lives in one schema
 * (`public` unless configured), so one database can hold several districts, or several test runs,
 * side by side. The schema is created if absent and migrated when the layer starts.
 *
 * @since 0.1.0
 */
import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Errors } from "@sortgrid/core"
import { SqlStore } from "@sortgrid/store-sql"
import { Duration, Effect, Layer, Redacted } from "effect"
import Pg from "pg"

/**
 * Where the store lives.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostgresStoreConfig {
  /** A `postgres://` connection URL; it may hold a password, so it is kept `Redacted`. */
  readonly url: Redacted.Redacted<string>
  /** The schema holding sortgrid's tables: lower-case letters, digits and `_`. Default `public`. */
  readonly schema?: string | undefined
  /** Most connections in the pool. Default 10. */
  readonly maxConnections?: number | undefined
  /** How long to wait for a connection. Default 5 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * The URL without its password, fit for messages and logs.
 *
 * @since 0.1.0
 * @category diagnostics
 */
export const describeUrl = (url: Redacted.Redacted<string>): string => {
  try {
    const parsed = new URL(Redacted.value(url))
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "postgres://(unparseable url)"
  }
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/

const describe = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const inner = cause.cause
  if (inner instanceof AggregateError && inner.errors.length > 0)
    return String(inner.errors[0]?.message ?? inner.message)
  if (inner instanceof Error && inner.message !== "") return inner.message
  return cause.message
}

/**
 * A pooled `SqlClient` whose connections use the configured schema, migrated to the latest schema.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  config: PostgresStoreConfig
): Layer.Layer<SqlClient.SqlClient, Errors.StoreUnavailable | Errors.Invalid> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const store = describeUrl(config.url)
      const unavailable = (cause: unknown) => new Errors.StoreUnavailable({ store, reason: describe(cause) })
      const schema = config.schema ?? "public"
      if (!schemaPattern.test(schema)) {
        return yield* Errors.Invalid.one(
          "schema",
          "must be 1-63 lower-case letters, digits or '_', not starting with a digit"
        )
      }
      const connectTimeout = Duration.toMillis(Duration.decode(config.connectTimeout ?? "5 seconds"))
      const pool = Effect.acquireRelease(
        Effect.sync(
          () =>
            new Pg.Pool({
              connectionString: Redacted.value(config.url),
              max: config.maxConnections ?? 10,
              connectionTimeoutMillis: connectTimeout,
              options: `-c search_path=${schema}`,
              application_name: "sortgrid"
            })
        ),
        (pool) => Effect.promise(() => pool.end())
      )
      return Layer.scoped(
        SqlClient.SqlClient,
        Effect.gen(function* () {
          const sql = yield* PgClient.fromPool({ acquire: pool }).pipe(Effect.mapError(unavailable))
          // CREATE SCHEMA IF NOT EXISTS races with itself across sessions; serialise it per schema.
          const createSchema = sql.withTransaction(
            Effect.zipRight(
              sql`SELECT pg_advisory_xact_lock(hashtext(${`sortgrid.schema.${schema}`}))`,
              sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
            )
          )
          yield* createSchema.pipe(
            Effect.timeoutFail({ duration: connectTimeout, onTimeout: () => new Error("connection timed out") }),
            Effect.mapError(unavailable)
          )
          yield* SqlStore.migrate.pipe(
            Effect.provideService(SqlClient.SqlClient, sql),
            Effect.mapError((error) => new Errors.StoreUnavailable({ store, reason: error.reason }))
          )
          return sql
        })
      ).pipe(Layer.provide(Reactivity.layer))
    })
  )

/**
 * Every sortgrid port in a PostgreSQL schema, plus the `SqlClient` for tools that need it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: PostgresStoreConfig
): Layer.Layer<SqlStore.Ports | SqlClient.SqlClient, Errors.StoreUnavailable | Errors.Invalid> =>
  SqlStore.layer.pipe(Layer.provideMerge(layerClient(config)))
