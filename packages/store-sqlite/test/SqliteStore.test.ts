import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Conformance, TempDirectory } from "@sortgrid/testkit"
import { Effect, Layer } from "effect"
import { SqliteStore } from "../src/index.js"
import { runWorker, verifyFile } from "./processes.js"

const freshStore = Layer.unwrapScoped(
  Effect.map(TempDirectory.make(), (dir) => SqliteStore.layer({ filename: join(dir, "store.db") }))
)

Conformance.sql("sqlite", freshStore)

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
      const error = yield* Effect.flip(Layer.build(SqliteStore.layer({ filename })))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toBe(
        `cannot open store sqlite:${filename}: Cannot open database because the directory does not exist`
      )
    })
  )

  it.effect("an unwritable path fails with a typed error, not a defect", () =>
    Effect.gen(function* () {
      // /proc refuses new files even to root, so this holds however the tests are run.
      const error = yield* Effect.flip(Layer.build(SqliteStore.layer({ filename: "/proc/sortgrid.db" })))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toBe("cannot open store sqlite:/proc/sortgrid.db: unable to open database file")
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
      const error = yield* Effect.flip(Layer.build(SqliteStore.layerClient({ filename })))
      expect(error.message).toContain("migration 999 (from_the_future), which this version of sortgrid does not know")
    })
  )
})

describe("SqliteStore across processes", () => {
  it.scoped(
    "two processes appending to one file at once lose nothing",
    () =>
      Effect.gen(function* () {
        const filename = join(yield* TempDirectory.make(), "shared.db")
        const outputs = yield* Effect.all([runWorker([filename, "p1", "300"]), runWorker([filename, "p2", "300"])], {
          concurrency: 2
        })
        expect(outputs.map((output) => output.stderr)).toEqual(["", ""])
        expect(yield* verifyFile(filename)).toMatchObject({ _tag: "Intact", entries: 600 })
      }),
    120_000
  )
})
