import { describe, expect, it } from "@effect/vitest"
import { DataValue, Id } from "@sortgrid/core"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Allocation from "../src/Allocation.js"
import type * as Assessments from "../src/Assessments.js"
import * as Payout from "../src/Payout.js"
import { SchemeId } from "../src/Scheme.js"

const payoutOf = (split: Allocation.Split, schemeId = "urban-2023", resultVersion = 1): Assessments.Payout => ({
  schemeId: SchemeId.make(schemeId),
  period: DataValue.PeriodId.make("2023-Q1"),
  resultVersion,
  split
})

const splitOf = (totals: ReadonlyArray<number>, fund: number) =>
  Either.getOrThrow(
    Allocation.split({
      fund,
      rule: new Allocation.Proportional({ threshold: 60 }),
      units: totals.map((total, k) => ({
        unit: `t${String(k).padStart(2, "0")}`,
        status: "scored" as const,
        total,
        rank: k + 1,
        grade: "pass"
      }))
    })
  )

const accounts: Payout.Accounts = {
  ledger: "points",
  fundAccountId: "reward-fund",
  accountOf: (unit) => `unit-${unit}`
}

describe("Payout.transfers", () => {
  it("one transfer per unit with a part, fund to unit, adding up to the fund less what was withheld", () => {
    const split = splitOf([90, 75, 60, 40], 1_000_001)
    const transfers = Either.getOrThrow(Payout.transfers(payoutOf(split), accounts))
    // t02 (60) and t03 (40) are at or below the threshold: no part, no transfer.
    expect(transfers.map((t) => [t.id, t.creditAccountId, t.amount])).toEqual([
      ["payout:urban-2023:2023-Q1:v1:t00", "unit-t00", split.parts[0]?.fen],
      ["payout:urban-2023:2023-Q1:v1:t01", "unit-t01", split.parts[1]?.fen]
    ])
    expect(transfers.reduce((sum, t) => sum + t.amount, 0)).toBe(split.fund - split.withheld)
    expect(new Set(transfers.map((t) => [t.debitAccountId, t.code, t.ledger, t.sourceReference].join(" ")))).toEqual(
      new Set(["reward-fund fund-allocation points assessment:urban-2023:2023-Q1:v1"])
    )
  })

  it("another result version pays with other ids; the same payout again gives the same ids", () => {
    const split = splitOf([90, 75], 500)
    const first = Either.getOrThrow(Payout.transfers(payoutOf(split), accounts)).map((t) => t.id)
    const again = Either.getOrThrow(Payout.transfers(payoutOf(split), accounts)).map((t) => t.id)
    const appealed = Either.getOrThrow(Payout.transfers(payoutOf(split, "urban-2023", 2), accounts)).map((t) => t.id)
    expect(again).toEqual(first)
    expect(appealed.filter((id) => first.includes(id))).toEqual([])
  })

  it("lists every unit without an account, and a bad ledger, fund account or code", () => {
    const split = splitOf([90, 75, 70], 900)
    const result = Payout.transfers(payoutOf(split), {
      ledger: "bad ledger",
      fundAccountId: "",
      code: "Fund Allocation",
      accountOf: (unit) => (unit === "t01" ? "unit-t01" : unit === "t02" ? "not an id" : undefined)
    })
    expect(Either.isLeft(result) && result.left.issues.map((issue) => issue.path.join("."))).toEqual([
      "ledger",
      "fundAccountId",
      "code",
      "split.parts.0.unit",
      "split.parts.2.unit"
    ])
  })

  it("property: ids are valid, distinct and deterministic for any unit ids; amounts positive and summing to the paid fund", () => {
    const isId = Schema.is(Id.IdString)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/), { minLength: 1, maxLength: 8 }),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,127}$/),
        fc.integer({ min: 0, max: 10_000_000 }),
        (units, schemeId, fund) => {
          const split = Either.getOrThrow(
            Allocation.split({
              fund,
              rule: new Allocation.Proportional({ threshold: 0 }),
              units: units.map((unit, k) => ({ unit, status: "scored", total: k + 1, rank: k + 1, grade: "pass" }))
            })
          )
          const payout = payoutOf(split, schemeId)
          const transfers = Either.getOrThrow(Payout.transfers(payout, { ...accounts, accountOf: () => "wallet" }))
          const ids = transfers.map((t) => t.id)
          expect(ids.every(isId)).toBe(true)
          expect(new Set(ids).size).toBe(ids.length)
          expect(Either.getOrThrow(Payout.transfers(payout, { ...accounts, accountOf: () => "wallet" }))).toEqual(
            transfers
          )
          expect(transfers.every((t) => Number.isInteger(t.amount) && t.amount > 0)).toBe(true)
          expect(transfers.reduce((sum, t) => sum + t.amount, 0)).toBe(split.fund - split.withheld)
        }
      ),
      { numRuns: 300 }
    )
  })
})
