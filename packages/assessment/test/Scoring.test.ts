import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { DataElementId } from "@sortgrid/core/DataValue"
import { Either } from "effect"
import fc from "fast-check"
import * as DataElement from "../src/DataElement.js"
import * as Scoring from "../src/Scoring.js"

const band = (threshold: number, fraction: number, label: string) => Scoring.Band.make({ threshold, fraction, label })

describe("Scoring.score", () => {
  it("linear, in both directions, clamped", () => {
    const higher = Scoring.Linear.make({ weight: 10, direction: "higherIsBetter", min: 50, max: 100 })
    const lower = Scoring.Linear.make({ weight: 10, direction: "lowerIsBetter", min: 0, max: 5 })
    expect([40, 75, 120].map((v) => Scoring.score(higher, v, []).fraction)).toStrictEqual([0, 0.5, 1])
    expect([0, 1, 9].map((v) => Scoring.score(lower, v, []).fraction)).toStrictEqual([1, 0.8, 0])
  })

  it("bands pick the best band reached, with labels and colours", () => {
    const higher = Scoring.Bands.make({
      weight: 10,
      direction: "higherIsBetter",
      bands: [band(75, 0.6, "amber"), band(90, 1, "green")],
      otherwise: Scoring.Otherwise.make({ fraction: 0, label: "red", colour: "#c00" })
    })
    expect([95, 90, 80, 10].map((v) => Scoring.score(higher, v, []).band)).toStrictEqual([
      "green",
      "green",
      "amber",
      "red"
    ])
    expect(Scoring.score(higher, 10, []).colour).toBe("#c00")
    const lower = Scoring.Bands.make({
      weight: 10,
      direction: "lowerIsBetter",
      bands: [band(1, 1, "green"), band(3, 0.5, "amber")],
      otherwise: Scoring.Otherwise.make({ fraction: 0, label: "red" })
    })
    expect([0.5, 2, 3, 4].map((v) => Scoring.score(lower, v, []).fraction)).toStrictEqual([1, 0.5, 0.5, 0])
  })

  it("target attainment, rank, deductions, bonuses and vetoes", () => {
    expect(
      Scoring.score(Scoring.Target.make({ weight: 1, direction: "higherIsBetter", target: 4 }), 3, []).fraction
    ).toBe(0.75)
    expect(
      Scoring.score(Scoring.Target.make({ weight: 1, direction: "lowerIsBetter", target: 2 }), 4, []).fraction
    ).toBe(0.5)
    const rank = Scoring.Rank.make({ weight: 1, direction: "higherIsBetter" })
    expect([9, 5, 5, 1].map((v) => Scoring.score(rank, v, [9, 5, 5, 1]).fraction)).toStrictEqual([1, 2 / 3, 2 / 3, 0])
    expect(Scoring.score(rank, 3, [3]).fraction).toBe(1)
    const deduction = Scoring.Deduction.make({ pointsPerOccurrence: 2, cap: 5 })
    expect([0, 2, 10].map((v) => Scoring.score(deduction, v, []).points)).toStrictEqual([0, -4, -5])
    expect(Scoring.score(Scoring.Bonus.make({ pointsPerOccurrence: 1, cap: 3 }), 2, []).points).toBe(2)
    const veto = Scoring.Veto.make({ direction: "lowerIsBetter", threshold: 0 })
    expect([0, 1].map((v) => Scoring.score(veto, v, []).vetoed)).toStrictEqual([false, true])
  })

  it("property: every weighted rule's fraction lies in [0, 1] and better values never score less", () => {
    const rule = fc.oneof(
      fc
        .tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: 1, max: 100 }))
        .map(([min, span]) => Scoring.Linear.make({ weight: 1, direction: "higherIsBetter", min, max: min + span })),
      fc
        .integer({ min: 1, max: 100 })
        .map((target) => Scoring.Target.make({ weight: 1, direction: "higherIsBetter", target }))
    )
    fc.assert(
      fc.property(
        rule,
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        (r, v, up) => {
          const a = Scoring.score(r, v, []).fraction ?? -1
          const b = Scoring.score(r, v + up, []).fraction ?? -1
          expect(a >= 0 && a <= 1 && b >= a).toBe(true)
        }
      )
    )
  })
})

describe("DataElement", () => {
  const spec = (valueType: DataElement.ValueType, range: DataElement.Range | null = null) =>
    DataElement.ElementSpec.make({ id: DataElementId.make("x"), name: "X", valueType, range })

  it("checks values against type and range", () => {
    const reason = (s: DataElement.ElementSpec, v: number) =>
      Either.match(DataElement.checkValue(s, v), { onLeft: (e) => e.message, onRight: () => "ok" })
    expect(reason(spec("count"), 3)).toBe("ok")
    expect(reason(spec("count"), -1)).toBe("value: x: must be a whole number >= 0")
    expect(reason(spec("ratio"), 1.2)).toBe("value: x: must be a ratio between 0 and 1")
    expect(reason(spec("boolean"), 0.5)).toBe("value: x: must be 0 (no) or 1 (yes)")
    expect(reason(spec("number", DataElement.Range.make({ min: 1, max: 10 })), 11)).toBe("value: x: must be at most 10")
    expect(DataElement.neverZero(spec("count", DataElement.Range.make({ min: 1, max: null })))).toBe(true)
    expect(DataElement.neverZero(spec("count"))).toBe(false)
  })

  it("aggregates over time per node, then up the tree", () => {
    const month = (id: string) => Either.getOrElse(Period.parse(id), () => expect.fail(id))
    const observations: ReadonlyArray<DataElement.Observation> = [
      { node: "c1", unit: "s1", period: month("2023-05"), value: 4 },
      { node: "c1", unit: "s1", period: month("2023-04"), value: 2 },
      { node: "c2", unit: "s1", period: month("2023-04"), value: 6 },
      { node: "c3", unit: "s2", period: month("2023-06"), value: 1 }
    ]
    const run = (tree: DataElement.TreeAggregation, time: DataElement.TimeAggregation) =>
      DataElement.aggregate({ tree, time, observations })
    expect(run("sum", "sum")).toBe(13)
    expect(run("sum", "last")).toBe(11)
    expect(run("sum", "average")).toBe(10)
    expect(run("average", "sum")).toBe(13 / 3)
    expect(run("averageOfUnits", "sum")).toBe(6.5)
    expect(run("last", "sum")).toBe(11)
    expect([run("min", "sum"), run("max", "sum"), run("count", "sum")]).toStrictEqual([1, 6, 3])
    expect(DataElement.aggregate({ tree: "sum", time: "sum", observations: [] })).toBeUndefined()
  })
})
