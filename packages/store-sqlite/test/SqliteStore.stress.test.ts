import { spawn } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect } from "effect"
import { packageDir, runWorker, verifyFile, workerArgs } from "./processes.js"

describe("SqliteStore under stress", () => {
  it.scoped(
    "four processes with mixed batch sizes lose nothing",
    () =>
      Effect.gen(function* () {
        const filename = join(yield* TempDirectory.make(), "storm.db")
        const workers = [
          ["p1", "1500", "1"],
          ["p2", "1500", "7"],
          ["p3", "1500", "50"],
          ["p4", "1500", "3"]
        ].map((args) => runWorker([filename, ...args]))
        yield* Effect.all(workers, { concurrency: "unbounded" })
        expect(yield* verifyFile(filename)).toMatchObject({ _tag: "Intact", entries: 6000 })
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
                  cwd: packageDir,
                  stdio: ["ignore", "pipe", "ignore"]
                })
                // Killed a while after its first batch returned (not after a fixed time from the
                // start, which a loaded machine can outrun before the worker has written anything).
                child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), 100 + round * 150))
                child.on("exit", () => resolve())
              })
          )
          const result = yield* verifyFile(filename)
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
