import { execFile, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { AuditLog, Permission } from "@sortgrid/core"
import { AuditLogSuite, TempDirectory } from "@sortgrid/testkit"
import { Effect, Layer } from "effect"
import { SqliteStore } from "../src/index.js"

const here = fileURLToPath(new URL(".", import.meta.url))
const workerArgs = (args: ReadonlyArray<string>) => [
  "--import",
  "tsx",
  "--conditions=sortgrid-source",
  join(here, "append-worker.ts"),
  ...args
]

const verify = (filename: string) =>
  Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(AuditLogSuite.auditor)).pipe(
    Effect.provide(
      AuditLog.AuditLog.Default.pipe(
        Layer.provide(SqliteStore.layer({ filename })),
        Layer.provide(Permission.layer({ auditor: ["*"] }))
      )
    )
  )

describe("SqliteStore under stress", () => {
  it.scoped(
    "four processes with mixed batch sizes lose nothing",
    () =>
      Effect.gen(function* () {
        const filename = join(yield* TempDirectory.make(), "storm.db")
        const run = promisify(execFile)
        const workers = [
          ["p1", "1500", "1"],
          ["p2", "1500", "7"],
          ["p3", "1500", "50"],
          ["p4", "1500", "3"]
        ].map((args) =>
          Effect.promise(() => run(process.execPath, workerArgs([filename, ...args]), { cwd: join(here, "..") }))
        )
        yield* Effect.all(workers, { concurrency: "unbounded" })
        expect(yield* verify(filename)).toMatchObject({ _tag: "Intact", entries: 6000 })
      }),
    600_000
  )

  it.scoped(
    "a writer killed mid-run, again and again, never leaves a half-written batch",
    () =>
      Effect.gen(function* () {
        const filename = join(yield* TempDirectory.make(), "crash.db")
        let previous = 0
        for (let round = 0; round < 6; round++) {
          yield* Effect.promise(
            () =>
              new Promise<void>((resolve) => {
                const child = spawn(process.execPath, workerArgs([filename, `r${round}`, "1000000", "25"]), {
                  cwd: join(here, ".."),
                  stdio: "ignore"
                })
                setTimeout(() => child.kill("SIGKILL"), 1500 + round * 250)
                child.on("exit", () => resolve())
              })
          )
          const result = yield* verify(filename)
          expect(result._tag).toBe("Intact")
          const entries = result._tag === "Intact" ? result.entries : 0
          // Whole batches only: every round adds a multiple of the batch size.
          expect((entries - previous) % 25).toBe(0)
          previous = entries
        }
        expect(previous).toBeGreaterThan(0)
      }),
    600_000
  )
})
