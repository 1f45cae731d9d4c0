import { execFile } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Spreadsheet } from "@sortgrid/grid"
import type { Stats } from "@sortgrid/issues"
import { TempDirectory, Tongzhou } from "@sortgrid/testkit"
import { Effect } from "effect"
import { HealthReport } from "../src/index.js"
import { json, sortgrid } from "./harness.js"

const header = ["personId", "name", "phone", "role", "node", "from", "to"]

describe("sortgrid import roster and person actors", () => {
  it.scopedLive("imports an XLSX roster, lists rejected rows in valid-rows mode, and acts as a rostered person", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      const store = `sqlite:${join(dir, "sortgrid.db")}`
      const csv = join(dir, "tongzhou.csv")
      writeFileSync(csv, Tongzhou.csv)
      expect(
        (yield* sortgrid("import", "divisions", csv, "--store", store, "--effective-on", "2023-01-01")).exitCode
      ).toBe(0)

      const bytes = yield* Spreadsheet.writeXlsx({
        header,
        rows: [
          ["p-li", "李检查", "", "inspector", "110112001", "2023-01-01", ""],
          ["p-bad", "王", "", "astronaut", "110112001", "2023-01-01", ""]
        ]
      })
      const xlsx = join(dir, "roster.xlsx")
      writeFileSync(xlsx, bytes)

      const strict = yield* sortgrid("import", "roster", xlsx, "--store", store)
      expect(strict.exitCode).toBe(2)
      expect(strict.stderr).toMatch(/^Invalid: rows\[3\]\.role: must be one of /m)

      const lenient = yield* json("import", "roster", xlsx, "--store", store, "--mode", "valid-rows")
      expect(lenient.ran.exitCode, lenient.ran.stderr).toBe(0)
      expect(lenient.value).toMatchObject({ rows: 2, imported: [{ row: 2, personId: "p-li", role: "inspector" }] })
      expect(lenient.ran.stderr).toMatch(/^rejected: row 3, role: must be one of /m)

      const unknownFormat = yield* sortgrid("import", "roster", join(dir, "roster.txt"), "--store", store)
      expect(unknownFormat.stderr).toBe(
        `Invalid: format: cannot tell the format of ${join(dir, "roster.txt")}: give --format csv or xlsx`
      )

      // The person acts with the roles and scope of their assignments in force today.
      const inside = yield* json("issues", "list", "--store", store, "--as", "p-li", "--under", "/110112/110112001/")
      expect(inside.ran.exitCode, inside.ran.stderr).toBe(0)
      const outside = yield* sortgrid("issues", "list", "--store", store, "--as", "p-li", "--under", "/110112/")
      expect(outside.exitCode).toBe(3)
      expect(outside.stderr).toContain(
        "p-li may not issues.read: /110112/ is outside the actor's scope [/110112/110112001/]"
      )
    })
  )
})

const stats = (openAtEnd: number, overdueAtEnd: number): Stats.NodeStats => ({
  nodeId: "n",
  path: "/n/",
  opened: 3,
  closedFixed: 2,
  closedOther: 0,
  openAtStart: 1,
  openAtEnd,
  overdueAtEnd,
  timeToClose: {
    count: 2,
    sum: 4 * 86_400_000,
    min: 86_400_000,
    max: 3 * 86_400_000,
    median: 2 * 86_400_000,
    mean: 2 * 86_400_000
  },
  compounds: 4,
  compoundsWithOpen: 1,
  perCompound: { numerator: openAtEnd, denominator: 4, value: openAtEnd / 4 },
  perAffectedCompound: { numerator: openAtEnd, denominator: 1, value: openAtEnd },
  burnDown: [1, 2, 3, 2],
  records: { opened: [], closedFixed: [], closedOther: [], openAtEnd: [], overdueAtEnd: [] }
})

describe("HealthReport", () => {
  const input: HealthReport.HealthInput = {
    unit: { id: "110112001", name: "中仓街道", kind: "subdistrict", stats: stats(2, 1) },
    period: "2023-06",
    children: [
      { id: "c-a", name: "A|B", kind: "community", stats: stats(1, 0) },
      { id: "c-b", name: "<B>", kind: "community", stats: stats(2, 1) }
    ]
  }

  it("renders Markdown with the figures and the units below worst first", () => {
    const text = HealthReport.markdown(input)
    expect(text).toContain("| Open at the end | 2 |")
    expect(text).toContain("| Open problems per compound | 0.50 (2 / 4) |")
    expect(text).toContain("| Median time to close | 2.0 days |")
    expect(text).toContain("`▃▆█▆` from 1 to 2")
    expect(text.indexOf("&lt;B&gt; (c-b)")).toBeLessThan(text.indexOf("A\\|B (c-a)"))
  })

  it("renders HTML with escaped names and the burn-down as SVG", () => {
    const page = HealthReport.html(input)
    expect(page).toContain("&lt;B&gt; (c-b)")
    expect(page).not.toContain("<B>")
    expect(page).toContain('<polyline fill="none"')
  })
})

describe("the sortgrid executable", () => {
  const root = fileURLToPath(new URL("../../..", import.meta.url))
  const run = (args: ReadonlyArray<string>) =>
    Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
      execFile(
        join(root, "node_modules/.bin/tsx"),
        ["--conditions=sortgrid-source", join(root, "packages/cli/src/bin/main.ts"), ...args],
        { cwd: root },
        (error, stdout, stderr) =>
          resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }))
      )
    })

  it.scopedLive("runs from its shebang entry and exits with the command's code", () =>
    Effect.gen(function* () {
      const store = `sqlite:${join(yield* TempDirectory.make(), "bin.db")}`
      const [init, bad] = yield* Effect.all(
        [run(["init", "--store", store, "--json"]), run(["verify", "--store", "mysql://x"])],
        {
          concurrency: 2
        }
      )
      expect(init.code, init.stderr).toBe(0)
      expect(JSON.parse(init.stdout)).toMatchObject({ store, created: true })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/^Invalid: store: unknown scheme "mysql:"/)
    })
  )
})
