/**
 * Throwaway PostgreSQL schemas for tests. Tests use the server at 127.0.0.1:5432, database `test`
 * (override with `SORTGRID_TEST_POSTGRES_URL`); each store gets a schema of its own, dropped with
 * everything in it when the scope closes, so concurrent runs never collide.
 *
 * @since 0.1.0
 */
import { Effect, Redacted, type Scope } from "effect"
import Pg from "pg"

/**
 * The test server's URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const testUrl: Redacted.Redacted<string> = Redacted.make(
  process.env.SORTGRID_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"
)

const dropSchema = (schema: string) =>
  Effect.promise(async () => {
    const client = new Pg.Client({ connectionString: Redacted.value(testUrl) })
    await client.connect()
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    } finally {
      await client.end()
    }
  })

/**
 * A unique schema name (`sg_test_…`), dropped when the scope closes. The store creates it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => `sg_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`),
  dropSchema
)
