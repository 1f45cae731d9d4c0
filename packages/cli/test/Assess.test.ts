import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@sortgrid/sdk"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect } from "effect"
import { json, sortgrid } from "./harness.js"

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }

/** Two subdistricts scored monthly on their outreach events (target 4). */
const scheme = {
  id: "urban-2023",
  version: 1,
  name: "Subdistricts, 2023",
  group: "urban",
  effectiveFrom: "2023-01-01",
  totalWeight: 100,
  missingData: "zero",
  elements: [{ id: "outreach.events", name: "Outreach events", valueType: "count" }],
  indicators: [{ _tag: "Formula", id: "outreach", name: "Outreach events", formula: "outreach.events" }],
  items: [{ indicator: "outreach", rule: { _tag: "Target", weight: 100, direction: "higherIsBetter", target: 4 } }],
  grades: [{ label: "good", atLeast: 75 }],
  gradeBelow: "weak"
}

/** A temp SQLite store with Tongzhou's two subdistricts, the scheme, and June's outreach events (2 and 4). */
const seeded = Effect.gen(function* () {
  const store = `sqlite:${join(yield* TempDirectory.make(), "assess.db")}`
  const client = yield* Effect.promise(() => Client.open({ store }))
  yield* Effect.promise(async () => {
    const on = "2023-01-01"
    await client.grid.open(admin, [
      { id: "110112", kind: "district", name: "通州区", effectiveOn: on },
      { id: "110112001", kind: "subdistrict", name: "中仓街道", parentId: "110112", effectiveOn: on },
      { id: "110112002", kind: "subdistrict", name: "新华街道", parentId: "110112", effectiveOn: on }
    ])
    await client.assessment.defineScheme(admin, scheme)
    await client.assessment.enterValues(admin, [
      { element: "outreach.events", node: "110112001", period: "2023-06", value: 2 },
      { element: "outreach.events", node: "110112002", period: "2023-06", value: 4 }
    ])
    await client.close()
  })
  return { store }
})

const units = ["--unit", "110112001", "--unit", "110112002"]

describe("sortgrid assess", () => {
  it.scopedLive("scores a period and prints the league table, best first; a second run stores nothing", () =>
    Effect.gen(function* () {
      const { store } = yield* seeded
      const first = yield* json(
        "assess",
        "run",
        "--store",
        store,
        "--scheme",
        "urban-2023",
        "--period",
        "2023-06",
        ...units
      )
      expect(first.ran.exitCode, first.ran.stderr).toBe(0)
      expect(first.value).toMatchObject({
        schemeId: "urban-2023",
        schemeVersion: 1,
        period: "2023-06",
        resultVersion: 1,
        outcome: "stored",
        rows: [
          { rank: 1, unit: "110112002", total: 100, grade: "good", status: "scored" },
          { rank: 2, unit: "110112001", total: 50, grade: "weak", status: "scored" }
        ]
      })
      const table = first.value as { rows: ReadonlyArray<{ items: ReadonlyArray<{ indicator: string }> }> }
      expect(table.rows[0]!.items.map((item) => item.indicator)).toEqual(["outreach"])

      const again = yield* sortgrid(
        "assess",
        "run",
        "--store",
        store,
        "--scheme",
        "urban-2023",
        "--period",
        "2023-06",
        ...units
      )
      expect(again.exitCode, again.stderr).toBe(0)
      expect(again.stdout.split("\n")).toEqual([
        "urban-2023 v1, 2023-06: result version 1 (unchanged)",
        "rank  unit       total  grade  status",
        "1     110112002  100    good   scored",
        "2     110112001  50     weak   scored",
        "2 units"
      ])

      // The health check: the problem figures, then the engine's own assessment section.
      const report = yield* sortgrid(
        "report",
        "health",
        "--store",
        store,
        "--unit",
        "110112001",
        "--period",
        "2023-06",
        "--scheme",
        "urban-2023"
      )
      expect(report.exitCode, report.stderr).toBe(0)
      const assessment = yield* json(
        "report",
        "health",
        "--store",
        store,
        "--unit",
        "110112001",
        "--period",
        "2023-06",
        "--scheme",
        "urban-2023"
      )
      expect(assessment.value).toMatchObject({ assessment: { unit: "110112001" } })
      expect(report.stdout.length).toBeGreaterThan(
        (yield* sortgrid("report", "health", "--store", store, "--unit", "110112001", "--period", "2023-06")).stdout
          .length
      )
    })
  )

  it.scopedLive("rejects bad input with a non-zero exit code", () =>
    Effect.gen(function* () {
      const { store } = yield* seeded
      const period = yield* json(
        "assess",
        "run",
        "--store",
        store,
        "--scheme",
        "urban-2023",
        "--period",
        "June",
        ...units
      )
      expect(period.ran.exitCode).toBe(2)
      expect(JSON.parse(period.ran.stderr)).toMatchObject({ error: { _tag: "Invalid" } })

      const unknown = yield* sortgrid(
        "assess",
        "run",
        "--store",
        store,
        "--scheme",
        "rural-2023",
        "--period",
        "2023-06"
      )
      expect(unknown.exitCode).toBe(4)
      expect(unknown.stderr).toMatch(/^NotFound: /)

      const noScheme = yield* sortgrid("assess", "run", "--store", store, "--period", "2023-06")
      expect(noScheme.exitCode).toBe(2)

      const forbidden = yield* sortgrid(
        "assess",
        "run",
        "--store",
        store,
        "--as",
        JSON.stringify({ id: "volunteer-1", roles: ["volunteer"], scope: ["/"] }),
        "--scheme",
        "urban-2023",
        "--period",
        "2023-06",
        ...units
      )
      expect(forbidden.exitCode).toBe(3)

      const group = yield* sortgrid("assess")
      expect(group.exitCode).toBe(2)
      expect(group.stderr).toBe("Usage: choose run (see sortgrid assess --help)")
    })
  )
})
