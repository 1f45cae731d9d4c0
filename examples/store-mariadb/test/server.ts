// The test server and a new, empty database per store: shared by the adapter's own tests and the
// conformance suites.
import { Reactivity } from "@effect/experimental"
import { MysqlClient } from "@effect/sql-mysql2"
import { Effect, Layer, type Scope } from "effect"
import { MariaDbStore } from "../src/index.js"

// The test server: 127.0.0.1:3306, root without a password (override with SORTGRID_TEST_MARIADB_*).
export const server = {
  host: process.env.SORTGRID_TEST_MARIADB_HOST ?? "127.0.0.1",
  port: Number(process.env.SORTGRID_TEST_MARIADB_PORT ?? 3306),
  user: process.env.SORTGRID_TEST_MARIADB_USER ?? "root"
}

/** Runs one statement on the server's `test` database through a short-lived client. */
const admin = (statement: string) =>
  Effect.scoped(
    Effect.flatMap(
      MysqlClient.make({
        host: server.host,
        port: server.port,
        username: server.user,
        database: "test",
        maxConnections: 1
      }),
      (sql) => sql.unsafe(statement)
    )
  ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

/** A new, empty database (`sortgrid_…`), dropped with everything in it when the scope closes. */
export const testDatabase: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.gen(function* () {
    const name = `sortgrid_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
    yield* admin(`CREATE DATABASE ${name}`)
    return name
  }),
  (name) => admin(`DROP DATABASE IF EXISTS ${name}`)
)

export const storeIn = (database: string) => MariaDbStore.layer({ ...server, database, maxConnections: 4 })

/** A new, empty store in a database of its own each time it is built. */
export const freshStore = Layer.unwrapScoped(Effect.map(testDatabase, storeIn))
