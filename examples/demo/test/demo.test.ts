import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect } from "effect"

const main = fileURLToPath(new URL("../main.ts", import.meta.url))
// The demo runs in a temporary directory, where `--import tsx` would not resolve: name the loader's file.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const run = (cwd: string, args: ReadonlyArray<string> = []) =>
  Effect.promise(() =>
    promisify(execFile)(process.execPath, ["--import", tsx, "--conditions=sortgrid-source", main, ...args], {
      cwd
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error
    )
  )

const withoutTimings = (output: string) => output.replace(/wall time .*/, "")

describe("pnpm demo", () => {
  it.scoped("builds Tongzhou 2023 and walks the hardware campaign in ./sortgrid.db; a rerun changes nothing", () =>
    Effect.gen(function* () {
      const cwd = yield* TempDirectory.make()
      const first = yield* run(cwd)
      expect(first.code).toBe(0)
      expect(first.stdout).toContain("subdistricts and towns: 11 urban, 11 rural")
      expect(first.stdout).toMatch(/│ grid\s+│ 2600\s+│/)
      expect(first.stdout).toMatch(/│ grid-worker\s+│ 7300\s+│/)
      // The campaign: 4,104 problems in January (5.8 per compound), 1,025 left at 394 compounds in June.
      expect(first.stdout).toMatch(/│ 2023-01 │ 4104 +│ 0 +│ 4104 +│ \d+ +│ '5\.80' +│/)
      expect(first.stdout).toMatch(/│ 2023-06 │ 0 +│ \d+ +│ 1025 +│ 1025 +│ '1\.45' +│ '2\.60' +│/)
      expect(first.stdout).toMatch(/audit chain intact: \d+ entries/)
      expect(first.stdout).toMatch(/wall time \d+\.\d+ s, peak memory \d+ MiB/)
      const second = yield* run(cwd)
      expect(withoutTimings(second.stdout)).toBe(withoutTimings(first.stdout))
    })
  )

  it.scoped("a bad store URL ends with a clear message and a non-zero exit, no stack trace", () =>
    Effect.gen(function* () {
      const result = yield* run(yield* TempDirectory.make(), ["--store", "mysql://localhost/db"])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('Invalid: store: unknown scheme "mysql:"')
      expect(result.stderr).not.toMatch(/\n\s+at /)
    })
  )
})
