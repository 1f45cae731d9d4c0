import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { join } from "node:path"
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
  it.scoped(
    "builds Tongzhou 2023 and simulates the half-year in ./sortgrid.db; a rerun changes nothing",
    () =>
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
        // The half-year: 200,000 wallets, duty, the five campaigns, the points economy, assessments, funds.
        expect(first.stdout).toContain("registered residents with a wallet: 200000")
        expect(first.stdout).toMatch(/│ 2023-03 │ 92 +│ 1 +│ 10 +│ 30 +│ 4 +│/)
        expect(first.stdout).toMatch(/outreach in the half-year: 540 events, \d{5} participants, \d{5} households/)
        expect(first.stdout).toContain("rural-2023 v2: problemsPerCompound 15→20, meetingStandard 10→15")
        expect(first.stdout).toContain("urban-2023 v2: collection 10→15, cityScore 15→10")
        // Scored under the version in force on the month's first day: v1 to March, v2 from April.
        expect(first.stdout).toMatch(
          /│ 110112001 │ '\d+:[\d.]+:\w+:v1' +│ '\d+:[\d.]+:\w+:v1' +│ '\d+:[\d.]+:\w+:v1' +│ '\d+:[\d.]+:\w+:v2'/
        )
        // Points earned every month; expiry starts in May (90-day lots from January).
        expect(first.stdout).toMatch(/│ 2023-04 │ \d+ +│ \d+ +│ \d+ +│ \d+ +│ \d+ +│ 0 +│/)
        expect(first.stdout).toMatch(/│ 2023-05 │ \d+ +│ \d+ +│ [1-9]\d* +│ \d+ +│ \d+ +│ [1-9]\d* +│/)
        expect(first.stdout).toMatch(/supervision-and-help teams sent/)
        expect(first.stdout).toMatch(/│ 110112105 │ '¥[\d,]+\.\d\d' +│ '¥[\d,]+\.\d\d' +│/)
        const html = yield* Effect.promise(() => readFile(join(cwd, "out", "report.html"), "utf8"))
        expect(html.match(/<svg /g)?.length).toBe(3)
        expect(yield* Effect.promise(() => readFile(join(cwd, "out", "report.md"), "utf8"))).toContain(
          "## The points economy"
        )
        expect(first.stdout).toMatch(/audit chain intact: \d+ entries/)
        expect(first.stdout).toMatch(/wall time \d+\.\d+ s, peak memory \d+ MiB/)
        const second = yield* run(cwd)
        expect(withoutTimings(second.stdout)).toBe(withoutTimings(first.stdout))
      }),
    600_000
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
