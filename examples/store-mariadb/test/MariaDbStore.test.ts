import { SqlClient } from "@effect/sql"
import { MysqlClient } from "@effect/sql-mysql2"
import { describe, expect, it } from "@effect/vitest"
import * as Inspection from "@sortgrid/issues/Inspection"
import { InspectionStore } from "@sortgrid/issues/InspectionStore"
import { VisitId } from "@sortgrid/issues/Problem"
import * as CertifiedTask from "@sortgrid/ledger/CertifiedTask"
import { TaskStore } from "@sortgrid/ledger/TaskStore"
import { Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { MariaDbMigrations, MariaDbStore } from "../src/index.js"
import { server, storeIn, testDatabase } from "./server.js"

// The adapter's own tests. The conformance suites (1½ to 7 minutes against this server, most of
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

  // mysql2 connects with FOUND_ROWS, so "rows affected" cannot tell an insert from a taken key: the
  // store must still refuse a second visit with the same id and keep the first.
  it.scoped("a visit whose id is taken is a Conflict, and the stored visit stays as it was", () =>
    Effect.gen(function* () {
      const database = yield* testDatabase
      const record = (inspector: string) =>
        Schema.decodeUnknownSync(Inspection.VisitRecord)({
          visit: {
            id: "v1",
            campaignId: "hardware-to-zero",
            templateId: "compound-hardware",
            nodeId: "n1",
            inspector,
            at: 1_672_560_000_000,
            items: []
          },
          registered: [],
          covered: [],
          reinspected: [],
          rectifiedByInspector: []
        })
      const [second, stored] = yield* Effect.gen(function* () {
        const visits = yield* InspectionStore
        yield* visits.save(record("inspector-a"))
        const second = yield* Effect.either(visits.save(record("inspector-b")))
        return [second, yield* visits.visit(VisitId.make("v1"))] as const
      }).pipe(Effect.provide(storeIn(database)))
      expect(Either.isLeft(second) ? second.left._tag : "saved").toBe("Conflict")
      expect(stored?.visit.inspector).toBe("inspector-a")
    })
  )

  it.scoped("a task saves once under its id, and an update names the version it replaces", () =>
    Effect.gen(function* () {
      const database = yield* testDatabase
      const task = (version: number, points: number) =>
        Schema.decodeUnknownSync(CertifiedTask.CertifiedTask)({
          id: "task-1",
          version,
          ledger: "district",
          code: "school-task",
          points,
          budgetAccountId: "budget",
          walletAccountId: "wallet",
          assigneeReference: "student-1",
          status: "assigned",
          assignedBy: "teacher-1",
          assignedAt: 1_672_560_000_000,
          doneBy: null,
          doneAt: null,
          certifiedBy: null,
          certifiedAt: null,
          creditedAt: null,
          cancelledAt: null,
          rejections: 0,
          rejectionReason: null
        })
      const [written, stored] = yield* Effect.gen(function* () {
        const tasks = yield* TaskStore
        const written = [
          yield* tasks.save(task(1, 5), null),
          yield* tasks.save(task(1, 9), null),
          yield* tasks.save(task(2, 5), 1),
          yield* tasks.save(task(3, 7), 1)
        ]
        return [written, yield* tasks.load(CertifiedTask.TaskId.make("task-1"), { lock: false })] as const
      }).pipe(Effect.provide(storeIn(database)))
      expect(written).toEqual([true, false, true, false])
      expect(Option.map(stored, (saved) => [saved.version, saved.points])).toEqual(Option.some([2, 5]))
    })
  )
})
