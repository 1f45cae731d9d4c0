import { execFile } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { AuditLog, Permission } from "@sortgrid/core"
import { AuditLogSuite, AuditProbe, TempDirectory } from "@sortgrid/testkit"
import { Effect, Exit, Layer } from "effect"
import { SqliteStore } from "../src/index.js"

const freshStore = Layer.unwrapScoped(
  Effect.map(TempDirectory.make(), (dir) => SqliteStore.layer({ filename: join(dir, "store.db") }))
)

AuditLogSuite.suite("sqlite", AuditProbe.layerSql.pipe(Layer.provideMerge(freshStore)))

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe("SqliteStore", () => {
  it.scoped("opens with WAL, synchronous=FULL and a busy timeout, on first open and on reopen", () =>
    Effect.gen(function* () {
      const filename = join(yield* TempDirectory.make(), "store.db")
      for (let open = 0; open < 2; open++) {
        const pragmas = yield* Effect.provide(SqliteStore.pragmas, SqliteStore.layerClient({ filename }))
        expect(pragmas).toEqual({ journalMode: "wal", synchronous: 2, busyTimeout: 5000 })
      }
    })
  )

  it.scoped("a missing directory fails with a typed error naming the file", () =>
    Effect.gen(function* () {
      const filename = join(yield* TempDirectory.make(), "no-such-dir", "store.db")
      const error = failureOf(yield* Effect.exit(Layer.build(SqliteStore.layer({ filename }))))
      expect(error?._tag).toBe("StoreUnavailable")
      expect(error?.message).toBe(
        `cannot open store sqlite:${filename}: Cannot open database because the directory does not exist`
      )
    })
  )

  it.effect("an unwritable path fails with a typed error, not a defect", () =>
    Effect.gen(function* () {
      // /proc refuses new files even to root, so this holds however the tests are run.
      const error = failureOf(yield* Effect.exit(Layer.build(SqliteStore.layer({ filename: "/proc/sortgrid.db" }))))
      expect(error?._tag).toBe("StoreUnavailable")
      expect(error?.message).toBe("cannot open store sqlite:/proc/sortgrid.db: unable to open database file")
    }).pipe(Effect.scoped)
  )

  it.scoped("refuses a database migrated by a newer sortgrid", () =>
    Effect.gen(function* () {
      const filename = join(yield* TempDirectory.make(), "store.db")
      yield* Effect.provide(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql`INSERT INTO schema_migration VALUES (999, 'from_the_future', 0)`
        ),
        SqliteStore.layerClient({ filename })
      )
      const error = failureOf(yield* Effect.exit(Layer.build(SqliteStore.layerClient({ filename }))))
      expect(error?.message).toContain("migration 999 (from_the_future), which this version of sortgrid does not know")
    })
  )
})

const run = promisify(execFile)
const here = fileURLToPath(new URL(".", import.meta.url))

describe("SqliteStore across processes", () => {
  it.scoped(
    "two processes appending to one file at once lose nothing",
    () =>
      Effect.gen(function* () {
        const filename = join(yield* TempDirectory.make(), "shared.db")
        const writer = (name: string) =>
          Effect.promise(() =>
            run(
              process.execPath,
              [
                "--import",
                "tsx",
                "--conditions=sortgrid-source",
                join(here, "append-worker.ts"),
                filename,
                name,
                "300"
              ],
              { cwd: join(here, "..") }
            )
          )
        const outputs = yield* Effect.all([writer("p1"), writer("p2")], { concurrency: 2 })
        expect(outputs.map((output) => output.stderr)).toEqual(["", ""])
        const result = yield* Effect.gen(function* () {
          const log = yield* AuditLog.AuditLog
          return yield* log.verify(AuditLogSuite.auditor)
        }).pipe(
          Effect.provide(
            AuditLog.AuditLog.Default.pipe(
              Layer.provide(SqliteStore.layer({ filename })),
              Layer.provide(Permission.layer({ auditor: ["*"] }))
            )
          )
        )
        expect(result).toMatchObject({ _tag: "Intact", entries: 600 })
      }),
    120_000
  )
})
