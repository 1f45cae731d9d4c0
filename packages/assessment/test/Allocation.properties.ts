import { expect } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Allocation from "../src/Allocation.js"

const entry = fc.record({
  status: fc.constantFrom<Allocation.Entry["status"]>("scored", "scored", "scored", "vetoed", "incomplete"),
  total: fc.double({ min: 0, max: 100, noNaN: true }),
  grade: fc.constantFrom("excellent", "good", "pass", "fail")
})

const tier = fc.record({ upToRank: fc.integer({ min: 1, max: 40 }), shares: fc.integer({ min: 0, max: 10 }) })

const rule: fc.Arbitrary<Allocation.Rule> = fc.oneof(
  fc.integer({ min: 0, max: 90 }).map((threshold) => Allocation.Proportional.make({ threshold })),
  fc
    .tuple(tier, fc.array(tier, { maxLength: 3 }))
    .map(([first, rest]) =>
      Allocation.Tiered.make({ tiers: [Allocation.Tier.make(first), ...rest.map((t) => Allocation.Tier.make(t))] })
    ),
  fc
    .record({ excellent: fc.nat(5), good: fc.nat(5), pass: fc.nat(5) })
    .map((shares) => Allocation.PerGrade.make({ shares }))
)

/** A random split: fund, units with results, a rule, maybe a cap, a floor and penalties. */
export const splitCase = fc
  .record({
    fund: fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 1_000_000_000 })),
    entries: fc.array(entry, { minLength: 0, maxLength: 30 }),
    rule,
    cap: fc.option(fc.integer({ min: 0, max: 200_000_000 }), { nil: null }),
    floor: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
    penalties: fc.array(fc.record({ index: fc.nat(29), fen: fc.integer({ min: 0, max: 50_000_000 }) }), {
      maxLength: 4
    })
  })
  .map(({ fund, entries, rule, cap, floor, penalties }) => {
    const totals = entries.map((e) => e.total)
    const units = entries.map((e, i): Allocation.Entry => {
      const rank = 1 + totals.filter((other) => other > e.total).length
      return { unit: `u${String(i).padStart(2, "0")}`, status: e.status, total: e.total, rank, grade: e.grade }
    })
    return {
      fund,
      rule,
      units,
      capFen: cap,
      floorFen: cap !== null && floor !== null && floor > cap ? cap : floor,
      penalties: penalties
        .filter((penalty) => penalty.index < units.length)
        .map((penalty) =>
          Allocation.Penalty.make({ unit: `u${String(penalty.index).padStart(2, "0")}`, fen: penalty.fen })
        )
    }
  })

/** The guarantees of every split: exact sum, each part within one fen of its ideal, none negative, caps kept. */
export const checkSplit = (input: Allocation.Input): void => {
  const result = Allocation.split(input)
  if (Either.isLeft(result)) {
    // The only refusal a well-formed input can meet: a floor the fund cannot pay.
    expect(result.left.issues[0]?.path).toStrictEqual(["floorFen"])
    return
  }
  const split = result.right
  const paid = split.parts.reduce((sum, part) => sum + part.fen, 0)
  if (paid + split.withheld !== input.fund) expect.fail(`parts ${paid} + withheld ${split.withheld} ≠ ${input.fund}`)
  const idealSum = split.parts.reduce((sum, part) => sum + part.ideal, 0) + split.idealWithheld
  if (Math.abs(idealSum - input.fund) > 1e-6 * Math.max(1, input.fund)) expect.fail(`ideals add up to ${idealSum}`)
  for (const part of [
    ...split.parts,
    { unit: "withheld", fen: split.withheld, ideal: split.idealWithheld, shares: 1 }
  ]) {
    if (!Number.isInteger(part.fen) || part.fen < 0) expect.fail(`${part.unit}: ${part.fen} fen`)
    if (Math.abs(part.fen - part.ideal) >= 1 + 1e-6)
      expect.fail(`${part.unit}: ${part.fen} fen for ideal ${part.ideal}`)
    if (input.capFen != null && part.unit !== "withheld" && part.fen > input.capFen)
      expect.fail(`${part.unit} over the cap`)
    if (part.shares === 0 && part.fen !== 0) expect.fail(`${part.unit} has no shares but ${part.fen} fen`)
  }
}
