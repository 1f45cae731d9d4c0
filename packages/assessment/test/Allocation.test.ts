import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Allocation from "../src/Allocation.js"
import { checkSplit, splitCase } from "./Allocation.properties.js"

const entry = (unit: string, total: number, rank: number, grade = "good"): Allocation.Entry => ({
  unit,
  status: "scored",
  total,
  rank,
  grade
})
const fenOf = (input: Allocation.Input) =>
  Either.match(Allocation.split(input), {
    onLeft: (error) => expect.fail(error.message),
    onRight: (split) => ({
      parts: Object.fromEntries(split.parts.map((part) => [part.unit, part.fen])),
      withheld: split.withheld
    })
  })

describe("Allocation.split", () => {
  const units = [
    entry("a", 90, 1, "excellent"),
    entry("b", 80, 2),
    entry("c", 70, 3, "pass"),
    entry("d", 50, 4, "fail")
  ]

  it("splits in proportion to points above a threshold, largest remainders taking the odd fen", () => {
    // shares 30, 20, 10: 100 fen → 50, 33.33, 16.67 → 50, 33, 17.
    expect(fenOf({ fund: 100, rule: Allocation.Proportional.make({ threshold: 60 }), units })).toStrictEqual({
      parts: { a: 50, b: 33, c: 17, d: 0 },
      withheld: 0
    })
  })

  it("splits by rank tier and by grade", () => {
    const tiered = Allocation.Tiered.make({
      tiers: [Allocation.Tier.make({ upToRank: 1, shares: 3 }), Allocation.Tier.make({ upToRank: 3, shares: 1 })]
    })
    expect(fenOf({ fund: 1000, rule: tiered, units }).parts).toStrictEqual({ a: 600, b: 200, c: 200, d: 0 })
    const perGrade = Allocation.PerGrade.make({ shares: { excellent: 2, good: 1 } })
    expect(fenOf({ fund: 999, rule: perGrade, units }).parts).toStrictEqual({ a: 666, b: 333, c: 0, d: 0 })
  })

  it("keeps parts within caps and floors, withholding what nobody may take", () => {
    const rule = Allocation.Proportional.make({ threshold: 60 })
    expect(fenOf({ fund: 100, rule, units, capFen: 40 }).parts).toStrictEqual({ a: 40, b: 40, c: 20, d: 0 })
    expect(fenOf({ fund: 100, rule, units, floorFen: 25 }).parts).toStrictEqual({ a: 45, b: 30, c: 25, d: 0 })
    expect(fenOf({ fund: 100, rule, units, capFen: 30 })).toStrictEqual({
      parts: { a: 30, b: 30, c: 30, d: 0 },
      withheld: 10
    })
    const refused = Allocation.split({ fund: 100, rule, units, floorFen: 40 })
    expect(Either.isLeft(refused) && refused.left.message).toBe(
      "floorFen: a floor of 40 fen for 3 units exceeds the fund of 100"
    )
  })

  it("deducts penalties and shares what was taken among the others", () => {
    // a's ideal 50 less 20 = 30; the 20 go to b and c as 2:1.
    const penalties = [Allocation.Penalty.make({ unit: "a", fen: 20 })]
    expect(
      fenOf({ fund: 100, rule: Allocation.Proportional.make({ threshold: 60 }), units, penalties }).parts
    ).toStrictEqual({
      a: 30,
      b: 47,
      c: 23,
      d: 0
    })
  })

  it("gives vetoed and incomplete units nothing, whatever their totals", () => {
    const others: ReadonlyArray<Allocation.Entry> = [
      { ...entry("v", 99, 5), status: "vetoed" },
      { unit: "x", status: "incomplete", total: null, rank: null, grade: null },
      entry("a", 70, 1)
    ]
    expect(
      fenOf({ fund: 10, rule: Allocation.Proportional.make({ threshold: 0 }), units: others }).parts
    ).toStrictEqual({
      a: 10,
      v: 0,
      x: 0
    })
  })

  // About 10 s on the 2-core CI machine: under the 20 s beyond which it would move to a stress test.
  it("property: 100,000 random (fund, scores) cases — parts add up to the fund, each within one fen of its ideal, none negative", () => {
    fc.assert(fc.property(splitCase, checkSplit), { numRuns: 100_000 })
  })
})
