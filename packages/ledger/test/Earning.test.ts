import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as Earning from "../src/Earning.js"
import * as Transfer from "../src/Transfer.js"

const day = 86_400_000
/** Thursday 1 June 2023, 10:00 in Beijing. */
const t0 = Date.UTC(2023, 5, 1, 2)
const options: Earning.Options = {
  ledger: Account.LedgerId.make("tongzhou"),
  budgetAccountId: Account.AccountId.make("budget"),
  utcOffsetMinutes: 480
}
const zhongcang = "/110112/110112001/"

const sorting = Earning.Rule.make({
  code: Transfer.codes.correctSorting,
  amount: 5,
  under: [Actor.NodePath.make(zhongcang)],
  caps: [Earning.Cap.make({ per: "resident", period: "Day", pointsMax: 12 })],
  dedupe: Earning.Dedupe.make({ per: "household", period: "Day", perSite: true })
})
const duty = Earning.Rule.make({
  code: Transfer.codes.dutyVolunteering,
  amount: 20,
  roles: [Actor.Role.make("volunteer")],
  caps: [Earning.Cap.make({ per: "resident", period: "Week", pointsMax: 50 })]
})
const rules = [sorting, duty]

const claim = (
  id: string,
  fields: Partial<{
    code: string
    resident: string
    household: string | null
    site: string | null
    at: string
    roles: ReadonlyArray<string>
    occurredAt: number
  }> = {}
) =>
  Earning.Claim.make({
    id: Transfer.TransferId.make(id),
    code: Transfer.TransferCode.make(fields.code ?? "correct-sorting"),
    residentReference: fields.resident ?? "resident-1",
    householdReference: fields.household === undefined ? "household-1" : fields.household,
    walletAccountId: Account.AccountId.make(`wallet-${fields.resident ?? "resident-1"}`),
    roles: (fields.roles ?? []).map((role) => Actor.Role.make(role)),
    at: Actor.NodePath.make(fields.at ?? `${zhongcang}c1/`),
    siteReference: fields.site === undefined ? "station-1" : fields.site,
    sourceReference: `inspection-${id}`,
    occurredAt: fields.occurredAt ?? t0
  })

const none: Earning.Usage = { used: new Map(), taken: new Set(), existing: new Map() }
const tags = (plan: Earning.EarningPlan) =>
  plan.decisions.map((decision) => (decision._tag === "Granted" ? decision.amount : decision._tag))

describe("Earning.decide", () => {
  it("grants the rule's points as a transfer from the budget to the wallet", () => {
    const plan = Earning.decide(rules, [claim("c1")], none, options)
    expect(tags(plan)).toEqual([5])
    expect(plan.transfers[0]).toMatchObject({
      id: "c1",
      debitAccountId: "budget",
      creditAccountId: "wallet-resident-1",
      amount: 5,
      code: "correct-sorting",
      sourceReference: "inspection-c1"
    })
  })

  it("checks eligibility by rule, role, place, household and site, in that order", () => {
    const plan = Earning.decide(
      rules,
      [
        claim("a", { code: "event" }),
        claim("b", { code: "duty-volunteering" }),
        claim("c", { at: "/110112/110112002/" }),
        claim("d", { household: null }),
        claim("e", { site: null }),
        claim("f", { code: "duty-volunteering", roles: ["volunteer"], household: null, site: null })
      ],
      none,
      options
    )
    expect(tags(plan)).toEqual([
      "RuleNotFound",
      "RoleNotEligible",
      "PlaceNotEligible",
      "HouseholdRequired",
      "SiteRequired",
      20
    ])
  })

  it("gives one sorting reward per household per bin station per local day", () => {
    const plan = Earning.decide(
      rules,
      [
        claim("a"),
        claim("b", { resident: "resident-2" }),
        claim("c", { site: "station-2" }),
        claim("d", { household: "household-2", resident: "resident-3" }),
        // 23:59 in Beijing is the same day; 00:01 the next.
        claim("e", { occurredAt: Date.UTC(2023, 5, 1, 15, 59) }),
        claim("f", { occurredAt: Date.UTC(2023, 5, 1, 16, 1) })
      ],
      none,
      options
    )
    expect(tags(plan)).toEqual([5, "Duplicate", 5, 5, "Duplicate", 5])
  })

  it("caps per resident and period: the last claim under the cap gets what is left", () => {
    const plan = Earning.decide(
      rules,
      [claim("a"), claim("b", { site: "s2" }), claim("c", { site: "s3" }), claim("d", { site: "s4" })],
      none,
      options
    )
    expect(tags(plan)).toEqual([5, 5, 2, "CapReached"])
    expect(plan.decisions[2]).toEqual({ _tag: "Granted", amount: 2, capped: true })
    const key = Earning.keys(sorting, claim("a"), options).caps[0]!
    expect(key).toBe("correct-sorting|resident:resident-1|2023-06-01")
    expect(plan.used.get(key)).toBe(12)
    // The weekly cap counts the ISO week.
    expect(Earning.keys(duty, claim("x", { occurredAt: t0 + 3 * day }), options).caps[0]).toBe(
      "duty-volunteering|resident:resident-1|2023-W22"
    )
  })

  it("decides on stored counters, and answers a retried claim with its stored transfer", () => {
    const key = Earning.keys(sorting, claim("a"), options)
    const stored = Transfer.Transfer.make({
      id: Transfer.TransferId.make("a"),
      debitAccountId: options.budgetAccountId,
      creditAccountId: Account.AccountId.make("wallet-resident-1"),
      amount: 5,
      pendingId: null,
      reversesId: null,
      ledger: options.ledger,
      code: Transfer.codes.correctSorting,
      sourceReference: "inspection-a",
      flags: Transfer.noFlags,
      timeoutSeconds: 0,
      timestamp: t0
    })
    const usage: Earning.Usage = {
      used: new Map([[key.caps[0]!, 10]]),
      taken: new Set([key.dedupe!]),
      existing: new Map([["a", stored]])
    }
    const plan = Earning.decide(rules, [claim("a"), claim("b"), claim("c", { site: "s2" })], usage, options)
    expect(tags(plan)).toEqual([5, "Duplicate", 2])
    expect(plan.transfers[0]).toMatchObject({ id: "a", amount: 5 })
  })

  it("never grants past a cap nor twice under one key, whatever the claims", () => {
    const claims = fc.array(
      fc.record({
        resident: fc.constantFrom("r1", "r2"),
        household: fc.constantFrom("h1", "h2"),
        site: fc.constantFrom("s1", "s2", "s3"),
        hours: fc.integer({ min: 0, max: 24 * 20 }),
        code: fc.constantFrom("correct-sorting", "duty-volunteering")
      }),
      { maxLength: 60 }
    )
    fc.assert(
      fc.property(claims, (drawn) => {
        const batch = drawn.map((c, i) =>
          claim(`c${i}`, {
            code: c.code,
            resident: c.resident,
            household: c.household,
            site: c.site,
            roles: ["volunteer"],
            occurredAt: t0 + c.hours * 3_600_000
          })
        )
        const plan = Earning.decide(rules, batch, none, options)
        const perCap = new Map<string, number>()
        const keysSeen = new Set<string>()
        plan.decisions.forEach((decision, i) => {
          if (decision._tag !== "Granted") return
          const rule = rules.find((r) => r.code === batch[i]!.code)!
          const k = Earning.keys(rule, batch[i]!, options)
          k.caps.forEach((key, j) => {
            perCap.set(key!, (perCap.get(key!) ?? 0) + decision.amount)
            expect(perCap.get(key!)).toBeLessThanOrEqual(rule.caps[j]!.pointsMax)
          })
          if (k.dedupe !== null) {
            expect(keysSeen.has(k.dedupe)).toBe(false)
            keysSeen.add(k.dedupe)
          }
        })
        // Each rule here has one cap: the counters grow by exactly what was granted.
        const granted = plan.transfers.reduce((sum, transfer) => sum + transfer.amount!, 0)
        expect([...plan.used.values()].reduce((sum, n) => sum + n, 0)).toBe(granted)
      }),
      { numRuns: 300 }
    )
  })
})
