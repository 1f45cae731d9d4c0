// The PostgreSQL server every test uses: 127.0.0.1:5432, database `test`, trust auth (override
// with SORTGRID_TEST_POSTGRES_URL). Each store gets its own schema, dropped when its scope closes.
import { Effect, Redacted } from "effect"
import Pg from "pg"

export const testUrl = Redacted.make(process.env.SORTGRID_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test")

const admin = <A>(f: (client: Pg.Client) => Promise<A>) =>
  Effect.promise(async () => {
    const client = new Pg.Client({ connectionString: Redacted.value(testUrl) })
    await client.connect()
    try {
      return await f(client)
    } finally {
      await client.end()
    }
  })

/** A unique schema name for one store, dropped (with everything in it) when the scope closes. */
export const testSchema = Effect.acquireRelease(
  Effect.sync(() => `sg_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`),
  (schema) => admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
)
