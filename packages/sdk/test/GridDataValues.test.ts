import { describe, expect, it } from "@effect/vitest"
import { Assessments, type Evaluation } from "@sortgrid/assessment"
import { Actor } from "@sortgrid/core"
import { Effect } from "effect"
import { Client } from "../src/index.js"

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }
const districtAdmin = new Actor.Actor({
  id: Actor.ActorId.make(admin.id),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})

const opened = (id: string, kind: string, parentId: string | null) => ({
  id,
  kind,
  name: id,
  parentId,
  effectiveOn: "2023-01-01"
})

/** d1 → s1 → two communities, each with one bin station: c1 → g1 → k1 → b1, c2 → g2 → k2 → b2. */
const tree = [
  opened("d1", "district", null),
  opened("s1", "subdistrict", "d1"),
  ...[1, 2].flatMap((n) => [
    opened(`c${n}`, "community", "s1"),
    opened(`g${n}`, "grid", `c${n}`),
    opened(`k${n}`, "compound", `g${n}`),
    opened(`b${n}`, "bin-station", `k${n}`)
  ])
]

/** One indicator read straight from the grid's provider: presence as a percentage, 0–100 linear. */
const scheme = {
  id: "duty-presence-2023",
  version: 1,
  name: "Duty presence, 2023",
  group: "urban",
  effectiveFrom: "2023-01-01",
  totalWeight: 100,
  missingData: "zero",
  decimals: 2,
  elements: [{ id: "grid.duty.presence", name: "Duty presence", valueType: "ratio" }],
  indicators: [{ _tag: "Formula", id: "presence", name: "Duty presence (%)", formula: "100 * grid.duty.presence" }],
  items: [
    { indicator: "presence", rule: { _tag: "Linear", weight: 100, direction: "higherIsBetter", min: 0, max: 100 } }
  ],
  grades: [
    { label: "good", atLeast: 75 },
    { label: "pass", atLeast: 60 }
  ],
  gradeBelow: "fail"
}

const weekdays = ["2023-06-05", "2023-06-06", "2023-06-07", "2023-06-08", "2023-06-09"]

/** Every data-value source an explanation tree reaches. */
const sources = (node: Evaluation.Explanation): ReadonlyArray<Evaluation.Source> => [
  ...(node.source === null ? [] : [node.source]),
  ...node.children.flatMap(sources)
]

describe("Sortgrid.dataValues", () => {
  it.effect("the assessment service scores grid.duty.presence derived from check-ins on the SQLite store", () =>
    Effect.acquireUseRelease(
      Effect.promise(() => Client.open({ store: "sqlite::memory:" })),
      (client) =>
        Effect.promise(async () => {
          await client.grid.open(admin, tree)
          await client.duty.defineTemplates(
            admin,
            ["b1", "b2"].map((station) => ({
              id: `${station}-am`,
              nodeId: station,
              name: "早班",
              windowStart: "07:00",
              windowEnd: "09:00",
              weekdays: [1, 2, 3, 4, 5],
              validFrom: "2023-06-01"
            }))
          )
          for (const n of [1, 2]) {
            await client.duty.postProject(admin, {
              id: `p${n}`,
              title: `b${n} 桶前值守`,
              nodeId: `k${n}`,
              templateIds: [`b${n}-am`],
              firstDay: "2023-06-05",
              lastDay: "2023-06-09",
              capacity: 1
            })
          }
          await client.duty.signUp(admin, [
            { id: "su1", projectId: "p1", personId: "vol-1", firstDay: "2023-06-05", lastDay: "2023-06-09" },
            { id: "su2", projectId: "p2", personId: "vol-2", firstDay: "2023-06-05", lastDay: "2023-06-09" }
          ])
          // b1: four mornings of five (80%); b2: three of five (60%).
          const at = (day: string) => Date.parse(`${day}T07:10:00+08:00`)
          await client.duty.checkIn(admin, [
            ...weekdays.slice(0, 4).map((day) => ({ id: `b1-${day}`, personId: "vol-1", nodeId: "b1", at: at(day) })),
            ...weekdays
              .filter((_, i) => i % 2 === 0)
              .map((day) => ({ id: `b2-${day}`, personId: "vol-2", nodeId: "b2", at: at(day) }))
          ])
          await client.assessment.defineScheme(admin, scheme)
          const scored = await client.assessment.evaluate(admin, {
            schemeId: scheme.id,
            period: "2023-06",
            units: ["c1", "c2"]
          })
          const units = scored.result.result.units
          expect(units.map((unit) => [unit.unit, unit.total, unit.rank, unit.grade])).toEqual([
            ["c1", 80, 1, "good"],
            ["c2", 60, 2, "pass"]
          ])
          const c1 = units[0]!
          expect(c1.items.map((item) => [item.indicator, item.value, item.missing])).toEqual([["presence", 80, false]])
          expect(c1.inputs).toEqual([
            {
              element: "grid.duty.presence",
              period: "2023-06",
              value: 0.8,
              kind: "derived",
              source: "grid.duty",
              records: null
            }
          ])
          expect(sources(c1.explanation)).toEqual([
            {
              element: "grid.duty.presence",
              node: "c1",
              period: "2023-06",
              kind: "derived",
              source: "grid.duty",
              records: null
            }
          ])
          // Nothing entered: no stored value stands behind the score.
          expect(
            await client.run(
              Effect.flatMap(Assessments.Assessments, (service) =>
                service.values(districtAdmin, { nodes: ["c1", "c2"], period: "2023-06" })
              )
            )
          ).toEqual([])
        }),
      (client) => Effect.promise(() => client.close())
    )
  )
})
