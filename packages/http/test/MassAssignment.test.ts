/**
 * Mass assignment: every write, sent with a field the caller must not set (who did it, when, the
 * version, the state, a role or scope, a balance or flags), is refused with a 400 or 422 naming the
 * field, and nothing of it is stored.
 */
import { describe, expect, it } from "@effect/vitest"
import { Assessments } from "@sortgrid/assessment"
import { Actor } from "@sortgrid/core"
import { Inspections, Problem, ProblemRegister, ProblemStore } from "@sortgrid/issues"
import { Account, Ledger, Redemptions } from "@sortgrid/ledger"
import { Effect } from "effect"
import {
  ids,
  now,
  own,
  points,
  raw,
  scheme,
  scoredPeriod,
  seed,
  seedAssessment,
  seedLedger,
  serverLayer,
  tokenOf
} from "./support.js"

const forbidden: Readonly<Record<string, unknown>> = {
  role: "district-admin",
  roles: ["district-admin"],
  scope: ["/"],
  createdBy: "someone-else",
  registeredBy: "someone-else",
  inspector: "someone-else",
  actor: "someone-else",
  version: 99,
  state: "closed",
  balance: 1_000_000,
  debitsPosted: 0,
  creditsPosted: 1_000_000,
  available: 1_000_000,
  flags: { debitsMustNotExceedCredits: false },
  deadlineAt: 0,
  timestamp: 0,
  by: "someone-else",
  at: 0
}

/**
 * A claim's own `at` (where it happened) and `roles` (the resident's, which rules may require) are
 * the claim's facts, set by the programme operator: those two go on the earning request instead.
 */
const claimFields: ReadonlySet<string> = new Set(["at", "roles"])

interface Write {
  readonly name: string
  readonly url: string
  readonly body: (field: string, value: unknown, n: number) => Record<string, unknown>
  readonly form?: boolean
}

const writes: ReadonlyArray<Write> = [
  {
    name: "issues.register",
    url: "/issues/problems",
    body: (field, value, n) => ({
      id: `p-mass-${n}`,
      categoryCode: "bin-missing",
      nodeId: ids.compound1,
      attributes: { stream: "other" },
      [field]: value
    })
  },
  {
    name: "issues.transition",
    url: "/issues/transitions",
    body: (field, value) => ({
      _tag: "Assign",
      problemId: ids.problem1,
      expectedVersion: 1,
      unitId: ids.community1,
      [field]: value
    })
  },
  {
    name: "issues.define",
    url: "/issues/inspections/definitions",
    body: (field, value, n) => ({
      campaigns: [
        {
          id: `campaign-mass-${n}`,
          name: "抽查",
          from: "2023-01-01",
          to: "2023-12-31",
          categories: ["bin-missing"],
          [field]: value
        }
      ]
    })
  },
  {
    name: "issues.recordVisit",
    url: "/issues/inspections/visits",
    body: (field, value, n) => ({
      id: `visit-mass-${n}`,
      campaignId: "hardware-to-zero",
      templateId: "compound-hardware",
      nodeId: ids.compound1,
      items: [
        { itemCode: "kitchen-bin", result: "pass" },
        { itemCode: "other-bin", result: "pass" },
        { itemCode: "signage", result: "pass" }
      ],
      [field]: value
    })
  },
  {
    name: "ledger.createTransfers",
    url: "/ledger/transfers",
    body: (field, value, n) => ({
      transfers: [
        {
          id: `mass-${n}`,
          debitAccountId: points.budget,
          creditAccountId: points.walletOwn,
          amount: 1,
          ledger: points.ledger,
          code: "adjustment",
          [field]: value
        }
      ]
    })
  },
  {
    name: "ledger.earn",
    url: "/ledger/points/earnings",
    body: (field, value, n) => ({
      ledger: points.ledger,
      claims: [
        {
          id: `mass-claim-${n}`,
          code: "correct-sorting",
          residentReference: `resident-${n}`,
          walletAccountId: points.walletOwn,
          at: own,
          sourceReference: `checkin-${n}`,
          occurredAt: now,
          ...(claimFields.has(field) ? {} : { [field]: value })
        }
      ],
      ...(claimFields.has(field) ? { [field]: value } : {})
    })
  },
  {
    name: "ledger.redeem",
    url: "/ledger/points/redemptions",
    body: (field, value, n) => ({
      id: `mass-redemption-${n}`,
      merchantId: points.merchant,
      walletAccountId: points.walletOwn,
      lines: [{ itemCode: points.item, quantity: 1 }],
      [field]: value
    })
  },
  {
    name: "ledger.handOver",
    url: "/ledger/points/handovers",
    body: (field, value) => ({ redemptionId: "held", [field]: value })
  },
  {
    name: "ledger.cancel",
    url: "/ledger/points/cancellations",
    body: (field, value) => ({ redemptionId: "held", [field]: value })
  },
  {
    name: "assessment.defineScheme",
    url: "/assessment/schemes",
    body: (field, value) => ({ ...scheme, version: 2, [field]: value })
  },
  {
    name: "assessment.enterValues",
    url: "/assessment/values",
    body: (field, value) => ({
      values: [{ element: "outreach.events", node: ids.s1, period: "2023-02", value: 9, [field]: value }]
    })
  },
  {
    name: "assessment.evaluate",
    url: "/assessment/evaluations",
    body: (field, value) => ({ schemeId: scheme.id, period: "2023-02", units: [ids.s1], [field]: value })
  },
  {
    name: "assessment.approve",
    url: "/assessment/approvals",
    body: (field, value) => ({ schemeId: scheme.id, period: scoredPeriod, units: [ids.s1], [field]: value })
  },
  {
    name: "assessment.unapprove",
    url: "/assessment/unapprovals",
    body: (field, value) => ({ schemeId: scheme.id, period: scoredPeriod, units: [ids.s1], [field]: value })
  },
  {
    name: "assessment.appeal",
    url: "/assessment/appeals",
    body: (field, value, n) => ({
      id: `mass-appeal-${n}`,
      schemeId: scheme.id,
      period: scoredPeriod,
      unit: ids.s1,
      reason: "an event was not counted",
      corrections: [{ element: "outreach.events", node: ids.s1, period: scoredPeriod, value: 9 }],
      [field]: value
    })
  },
  {
    name: "assessment.consequences",
    url: "/assessment/consequences",
    body: (field, value) => ({
      schemeId: scheme.id,
      period: scoredPeriod,
      rules: [{ _tag: "BottomN", n: 1, action: "supervision-visit", description: "督导帮扶" }],
      [field]: value
    })
  },
  {
    name: "assessment.allocate",
    url: "/assessment/allocations",
    body: (field, value) => ({
      schemeId: scheme.id,
      period: scoredPeriod,
      fund: 100,
      rule: { _tag: "Proportional", threshold: 0 },
      [field]: value
    })
  },
  {
    name: "open311.postRequest",
    url: "/open311/v2/requests.json",
    form: true,
    body: (field, value) => ({
      service_code: "bin-missing",
      address_id: ids.compound1,
      "attribute[stream]": "other",
      [field]: typeof value === "string" ? value : JSON.stringify(value)
    })
  }
]

describe("mass assignment", () => {
  it.effect("every write refuses every forbidden field, naming it, and stores nothing", () =>
    Effect.gen(function* () {
      yield* seed
      yield* seedLedger
      yield* seedAssessment
      const checker = Actor.system("check")
      const ledger = yield* Ledger.Ledger
      const assessments = yield* Assessments.Assessments
      // A redemption held at the counter, for the hand-over and cancellation writes.
      yield* (yield* Redemptions.Redemptions).redeem(checker, {
        id: "held",
        merchantId: points.merchant,
        walletAccountId: points.walletOwn,
        lines: [{ itemCode: points.item, quantity: 1 }]
      })
      const ledgerBefore = yield* ledger.reconcile(checker)
      const walletBefore = yield* ledger.balance(checker, Account.AccountId.make(points.walletOwn))
      const store = yield* ProblemStore.ProblemStore
      const register = yield* ProblemRegister.ProblemRegister
      const inspections = yield* Inspections.Inspections
      const before = (yield* store.open({})).length
      const failures: Array<string> = []
      let n = 0
      for (const write of writes) {
        for (const [field, value] of Object.entries(forbidden)) {
          n++
          const body = write.body(field, value, n)
          const answer = yield* raw({
            method: "POST",
            url: write.url,
            token: tokenOf("admin"),
            headers: { "idempotency-key": `mass-${n}` },
            ...(write.form === true ? { form: body as Record<string, string> } : { body })
          })
          const named = answer.text.includes(`"${field}"`)
          if ((answer.status !== 400 && answer.status !== 422) || !named) {
            failures.push(`${write.name} + ${field}: ${answer.status} ${answer.text.slice(0, 200)}`)
          }
        }
      }
      expect(failures).toEqual([])
      // Nothing was written: no new problem, the transition's problem unchanged, no campaign, no visit.
      expect((yield* store.open({})).length).toBe(before)
      const [problem] = yield* store.get([Problem.ProblemId.make(ids.problem1)])
      expect(problem).toMatchObject({ version: 1, state: "registered", registeredBy: "seed-admin" })
      const history = yield* register.history(Actor.system("check"), Problem.ProblemId.make(ids.problem1))
      expect(history).toHaveLength(1)
      const visits = yield* inspections.visits(Actor.system("check"), { under: Actor.root })
      expect(visits).toEqual([])
      // No transfer, no balance moved; one scheme version, one result version, nothing approved,
      // no value entered for February.
      const ledgerAfter = yield* ledger.reconcile(checker)
      expect(ledgerAfter).toEqual({ ...ledgerBefore, drifts: [] })
      expect(yield* ledger.balance(checker, Account.AccountId.make(points.walletOwn))).toEqual(walletBefore)
      expect((yield* assessments.schemeVersions(checker, scheme.id)).map((v) => v.scheme.version)).toEqual([1])
      const results = yield* assessments.results(checker, { schemeId: scheme.id, period: scoredPeriod })
      expect(results.map((r) => r.version)).toEqual([1])
      expect(yield* assessments.results(checker, { schemeId: scheme.id, period: "2023-02" })).toEqual([])
      expect((yield* assessments.approvals(checker, scoredPeriod)).map((a) => a.state)).toEqual(["pending", "pending"])
      expect(yield* assessments.values(checker, { nodes: [ids.s1], period: "2023-02" })).toEqual([])
      expect(yield* assessments.appeals(checker, { schemeId: scheme.id, period: scoredPeriod })).toEqual([])
    }).pipe(Effect.provide(serverLayer("memory:")))
  )
})
