/**
 * `pnpm demo` end to end: the first run builds Tongzhou 2023 and simulates the half-year in a
 * temporary directory; a second run there must print the same; and headless Chromium opens the HTML
 * report the first run wrote and must find its SVG charts drawn, with no console error.
 *
 * The browser test needs Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`).
 * Without it the test fails under CI and is skipped elsewhere, saying so.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect } from "effect"
import { chromium } from "playwright-core"

const main = fileURLToPath(new URL("../main.ts", import.meta.url))
// The demo runs in a temporary directory, where `--import tsx` would not resolve: name the loader's file.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const runIn = (cwd: string, args: ReadonlyArray<string> = []) =>
  promisify(execFile)(process.execPath, ["--import", tsx, "--conditions=sortgrid-source", main, ...args], {
    cwd
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error
  )
const run = (cwd: string, args: ReadonlyArray<string> = []) => Effect.promise(() => runIn(cwd, args))

const withoutTimings = (output: string) => output.replace(/wall time .*/, "")

// The first run is shared: the figures test checks what it printed, the browser test opens what it wrote.
const directory = mkdtempSync(join(tmpdir(), "sortgrid-demo-"))
let firstRun: ReturnType<typeof runIn> | undefined
const first = () => {
  firstRun ??= runIn(directory)
  return firstRun
}
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const chromiumPath = "/usr/bin/chromium"
const missing = !existsSync(chromiumPath)
if (missing && process.env.CI === undefined) {
  console.warn(
    `SKIPPED the demo report's browser test: no Chromium at ${chromiumPath}. Install it with: apt-get install -y chromium`
  )
}

describe("pnpm demo", () => {
  it.effect(
    "builds Tongzhou 2023 and simulates the half-year in ./sortgrid.db; a rerun changes nothing",
    () =>
      Effect.gen(function* () {
        const cwd = directory
        const firstOutput = yield* Effect.promise(first)
        expect(firstOutput.code).toBe(0)
        const stdout = firstOutput.stdout
        expect(stdout).toContain("subdistricts and towns: 11 urban, 11 rural")
        expect(stdout).toMatch(/│ grid\s+│ 2600\s+│/)
        expect(stdout).toMatch(/│ grid-worker\s+│ 7300\s+│/)
        // The campaign: 4,104 problems in January (5.8 per compound), 1,025 left at 394 compounds in June.
        expect(stdout).toMatch(/│ 2023-01 │ 4104 +│ 0 +│ 4104 +│ \d+ +│ '5\.80' +│/)
        expect(stdout).toMatch(/│ 2023-06 │ 0 +│ \d+ +│ 1025 +│ 1025 +│ '1\.45' +│ '2\.60' +│/)
        // The half-year: 200,000 wallets, duty, the five campaigns, the points economy, assessments, funds.
        expect(stdout).toContain("registered residents with a wallet: 200000")
        expect(stdout).toMatch(/│ 2023-03 │ 92 +│ 1 +│ 10 +│ 30 +│ 4 +│/)
        expect(stdout).toMatch(/outreach in the half-year: 540 events, \d{5} participants, \d{5} households/)
        expect(stdout).toContain("rural-2023 v2: problemsPerCompound 15→20, meetingStandard 10→15")
        expect(stdout).toContain("urban-2023 v2: collection 10→15, cityScore 15→10")
        // Scored under the version in force on the month's first day: v1 to March, v2 from April.
        expect(stdout).toMatch(
          /│ 110112001 │ '\d+:[\d.]+:\w+:v1' +│ '\d+:[\d.]+:\w+:v1' +│ '\d+:[\d.]+:\w+:v1' +│ '\d+:[\d.]+:\w+:v2'/
        )
        // Points earned every month; expiry starts in May (90-day lots from January).
        expect(stdout).toMatch(/│ 2023-04 │ \d+ +│ \d+ +│ \d+ +│ \d+ +│ \d+ +│ 0 +│/)
        expect(stdout).toMatch(/│ 2023-05 │ \d+ +│ \d+ +│ [1-9]\d* +│ \d+ +│ \d+ +│ [1-9]\d* +│/)
        expect(stdout).toMatch(/supervision-and-help teams sent/)
        expect(stdout).toMatch(/│ 110112105 │ '¥[\d,]+\.\d\d' +│ '¥[\d,]+\.\d\d' +│/)
        const html = yield* Effect.promise(() => readFile(join(cwd, "out", "report.html"), "utf8"))
        expect(html.match(/<svg /g)?.length).toBe(3)
        expect(yield* Effect.promise(() => readFile(join(cwd, "out", "report.md"), "utf8"))).toContain(
          "## The points economy"
        )
        expect(stdout).toMatch(/audit chain intact: \d+ entries/)
        expect(stdout).toMatch(/wall time \d+\.\d+ s, peak memory \d+ MiB/)
        const second = yield* run(cwd)
        expect(withoutTimings(second.stdout)).toBe(withoutTimings(stdout))
      }),
    600_000
  )

  it.skipIf(missing && process.env.CI === undefined)(
    "the HTML report opens in headless Chromium and draws its three SVG charts, with no console error",
    async () => {
      if (missing) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium`)
      const { code } = await first()
      expect(code).toBe(0)
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run"
        ]
      })
      try {
        const page = await browser.newPage()
        const errors: Array<string> = []
        const fetched: Array<string> = []
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(message.text())
        })
        page.on("pageerror", (error) => errors.push(error.message))
        page.on("request", (request) => {
          if (!request.url().startsWith("file:")) fetched.push(request.url())
        })
        const report = pathToFileURL(join(directory, "out", "report.html")).href
        const response = await page.goto(report, { waitUntil: "load" })
        expect(response?.ok() ?? true).toBe(true)
        expect(await page.title()).toBe("Tongzhou District, January–June 2023")
        const charts = page.locator("svg[role=img]")
        expect(await charts.evaluateAll((svgs) => svgs.map((svg) => svg.getAttribute("aria-label")))).toEqual([
          "Hardware problems open at month end",
          "Bin-side duty presence (%)",
          "Points earned, redeemed and expired"
        ])
        // Drawn, not just present: each chart is laid out with a size and has bars of positive height.
        const drawn = await charts.evaluateAll((svgs) =>
          svgs.map((svg) => {
            const box = svg.getBoundingClientRect()
            const bars = Array.from(svg.querySelectorAll("rect > title"), (title) => title.parentElement!)
            return {
              width: box.width,
              height: box.height,
              bars: bars.filter((bar) => bar.getBoundingClientRect().height > 0).length
            }
          })
        )
        for (const chart of drawn) {
          expect(chart.width).toBeGreaterThan(100)
          expect(chart.height).toBeGreaterThan(100)
          expect(chart.bars).toBeGreaterThanOrEqual(6)
        }
        expect(errors).toEqual([])
        expect(fetched).toEqual([])
      } finally {
        await browser.close()
      }
    },
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
