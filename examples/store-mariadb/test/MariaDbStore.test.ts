import { SqlClient } from "@effect/sql"
import { MysqlClient } from "@effect/sql-mysql2"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema } from "effect"
import { MariaDbMigrations, MariaDbStore } from "../src/index.js"
import { server, storeIn, testDatabase } from "./server.js"

// The adapter's own tests. The conformance suites (about seven minutes against this server, most of
// it creating and dropping a database per test) run with the stress tests: Conformance.stress.test.ts.

describe("MariaDbStore", () => {
  it.scoped("an unreachable server fails with a typed error that hides the password", () =>
    Effect.gen(function* () {
      const url = Redacted.make("mysql://sortgrid:s3cret@127.0.0.1:1/test")
      const error = yield* Effect.flip(Layer.build(MariaDbStore.layer({ url })))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toBe(
        "cannot open store mysql://sortgrid:***@127.0.0.1:1/test: connect ECONNREFUSED 127.0.0.1:1"
      )
      expect(error.message).not.toContain("s3cret")
    })
  )

  it.scoped("a missing database fails with a typed error naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(storeIn("sortgrid_no_such_database")))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toContain("Unknown database 'sortgrid_no_such_database'")
    })
  )

  it.scoped("two stores starting at once on one database migrate it once", () =>
    Effect.gen(function* () {
      const database = yield* testDatabase
      const start = Layer.build(storeIn(database))
      yield* Effect.all([start, start, start], { concurrency: "unbounded" })
      const rows = yield* Effect.flatMap(
        SqlClient.SqlClient,
        (client) => client`SELECT id, COUNT(*) AS times FROM schema_migration GROUP BY id ORDER BY id`
      ).pipe(Effect.provide(storeIn(database)))
      expect(rows.map((row) => Number(row.id))).toEqual(MariaDbMigrations.all.map((migration) => migration.id))
      expect(rows.every((row) => Number(row.times) === 1)).toBe(true)
    })
  )

  it.scoped("concurrent migration runs apply each migration in exactly one of them", () =>
    Effect.gen(function* () {
      const database = yield* testDatabase
      const client = MysqlClient.layer({ ...server, username: server.user, database, maxConnections: 4 })
      const reports = yield* Effect.all(
        Array.from({ length: 4 }, () => MariaDbMigrations.run()),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(client))
      const applied = reports.flatMap((report) => report.applied.map((migration) => migration.id))
      expect(applied.sort((a, b) => a - b)).toEqual(MariaDbMigrations.all.map((migration) => migration.id))
      expect(reports.every((report) => report.latest === MariaDbMigrations.all.at(-1)?.id)).toBe(true)
    })
  )

  it.scoped("ids compare byte-wise: case, trailing spaces and accents are different keys", () =>
    Effect.gen(function* () {
      const database = yield* testDatabase
      const rows = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO grid_person (person_id, name) VALUES ('a', 'x'), ('A', 'x'), ('a ', 'x'), ('á', 'x')`
        return yield* sql`SELECT person_id FROM grid_person ORDER BY person_id`
      }).pipe(Effect.provide(storeIn(database)))
      const ids = Schema.decodeUnknownSync(Schema.Array(Schema.Struct({ person_id: Schema.String })))(rows)
      expect(ids.map((row) => row.person_id)).toEqual(["A", "a", "a ", "á"])
    })
  )
})
