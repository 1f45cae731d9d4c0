/**
 * The authorization matrix: every endpoint × every role × {an object in the role's own scope, one in
 * another scope, one that does not exist}, against a table written out by hand from the default
 * policy. An object in another scope must get exactly the answer a missing one gets (status and
 * body, the object's id aside).
 *
 * The ledger's objects (accounts, merchants, programmes) and the assessment engine's reads are
 * programme-wide in the SDK: they have no place in the tree, so for them "another scope" is the same
 * kind of object belonging to the other subdistrict (a wallet of a resident there, its unit's health
 * check), answered as the own one is. Where the SDK reports a missing object as a result in the body
 * (a transfer to a missing account, a redemption at a missing merchant), "missing" is a 200 too.
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import { ProblemRegister } from "@sortgrid/issues"
import { Effect, TestClock } from "effect"
import {
  actors,
  asOf,
  ids,
  now,
  other,
  own,
  points,
  type Role,
  raw,
  roles,
  scheme,
  seed,
  seedAssessment,
  seedLedger,
  serverLayer,
  tokenOf
} from "./support.js"

type Variant = "own" | "other" | "missing"

interface Endpoint {
  readonly name: string
  /** The roles whose policy grants the endpoint's permission (all: a public endpoint). */
  readonly granted: ReadonlyArray<Role> | "all"
  /** Whether the endpoint names an object (otherwise all three variants send the same request). */
  readonly addressed: boolean
  /** `false` when the object has no place in the tree: "other" is then answered as "own" is. */
  readonly placed?: false
  /** When a missing object is reported in a 2xx body (a per-item result), not with a 404. */
  readonly missingOk?: true
  /** 2xx status on success. */
  readonly ok: number
  readonly request: (
    variant: Variant,
    role: Role
  ) => {
    readonly method: "GET" | "POST"
    readonly url: string
    readonly body?: unknown
    readonly form?: Record<string, string>
  }
}

const readers: ReadonlyArray<Role> = ["admin", "subdistrictAdmin", "inspector", "gridWorker", "auditor"]
const registrars: ReadonlyArray<Role> = ["admin", "subdistrictAdmin", "inspector"]
const transitioners: ReadonlyArray<Role> = ["admin", "subdistrictAdmin", "inspector", "gridWorker"]

const node = (variant: Variant) =>
  variant === "own" ? ids.compound1 : variant === "other" ? ids.compound2 : "110112009009-c9"
const path = (variant: Variant) => (variant === "own" ? own : variant === "other" ? other : "/110112/110112099/")
const problem = (variant: Variant, role: Role) => (variant === "missing" ? "p-missing" : `p-${variant}-${role}`)
const subdistrict = (variant: Variant) => (variant === "own" ? ids.s1 : variant === "other" ? ids.s2 : "110112099")
const wallet = (variant: Variant) =>
  variant === "own" ? points.walletOwn : variant === "other" ? points.walletOther : "w-missing"
const merchant = (variant: Variant) => (variant === "missing" ? "m-missing" : points.merchant)
const schemeOf = (variant: Variant) => (variant === "missing" ? "no-such-scheme" : scheme.id)

const ledgerReaders: ReadonlyArray<Role> = ["admin", "subdistrictAdmin", "auditor", "programmeOperator"]
const operators: ReadonlyArray<Role> = ["admin", "programmeOperator"]
const counters: ReadonlyArray<Role> = ["admin", "programmeOperator", "merchantCashier"]
const assessmentReaders: ReadonlyArray<Role> = ["admin", "subdistrictAdmin", "auditor"]
const approvers: ReadonlyArray<Role> = ["admin", "subdistrictAdmin"]

const endpoints: ReadonlyArray<Endpoint> = [
  {
    name: "grid.node",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/grid/nodes/${node(v)}?asOf=${asOf}` })
  },
  {
    name: "grid.children",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/grid/nodes/${node(v)}/children?asOf=${asOf}` })
  },
  {
    name: "grid.subtree",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/grid/subtree?under=${path(v)}&asOf=${asOf}` })
  },
  {
    name: "grid.countByKind",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/grid/counts?under=${path(v)}&asOf=${asOf}` })
  },
  {
    name: "issues.register",
    granted: registrars,
    addressed: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/issues/problems",
      body: { id: `p-new-${v}-${r}`, categoryCode: "bin-missing", nodeId: node(v), attributes: { stream: "other" } }
    })
  },
  {
    name: "issues.transition",
    granted: transitioners,
    addressed: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/issues/transitions",
      body: { _tag: "Assign", problemId: problem(v, r), expectedVersion: 1, unitId: ids.community1 }
    })
  },
  {
    name: "issues.history",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v, r) => ({ method: "GET", url: `/issues/problems/${problem(v, r)}/history` })
  },
  {
    name: "issues.stats",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/issues/stats?under=${path(v)}&period=2023-03` })
  },
  {
    name: "issues.define",
    granted: ["admin", "subdistrictAdmin"],
    addressed: false,
    ok: 200,
    request: () => ({ method: "POST", url: "/issues/inspections/definitions", body: {} })
  },
  {
    name: "issues.recordVisit",
    granted: registrars,
    addressed: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/issues/inspections/visits",
      body: {
        id: `visit-${v}-${r}`,
        campaignId: "hardware-to-zero",
        templateId: "compound-hardware",
        nodeId: node(v),
        items: [
          { itemCode: "kitchen-bin", result: "pass" },
          { itemCode: "other-bin", result: "pass" },
          { itemCode: "signage", result: "pass" }
        ]
      }
    })
  },
  {
    name: "issues.reinspectionsDue",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/issues/inspections/due?under=${path(v)}&defaultDays=7` })
  },
  {
    name: "ledger.account",
    granted: ledgerReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/ledger/accounts/${wallet(v)}` })
  },
  {
    name: "ledger.createTransfers",
    granted: operators,
    addressed: true,
    placed: false,
    missingOk: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/ledger/transfers",
      body: {
        transfers: [
          {
            id: `matrix-${v}-${r}`,
            debitAccountId: points.budget,
            creditAccountId: wallet(v),
            amount: 1,
            ledger: points.ledger,
            code: "adjustment"
          }
        ]
      }
    })
  },
  {
    name: "ledger.balance",
    granted: ledgerReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/ledger/accounts/${wallet(v)}/balance?asOf=${now}` })
  },
  {
    name: "ledger.statement",
    granted: ledgerReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/ledger/accounts/${wallet(v)}/statement?limit=5` })
  },
  {
    name: "ledger.reconcile",
    granted: ["admin", "auditor", "programmeOperator"],
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/ledger/reconciliation" })
  },
  {
    name: "ledger.earn",
    granted: operators,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/ledger/points/earnings",
      body: {
        ledger: v === "missing" ? "no-such-ledger" : points.ledger,
        claims: [
          {
            id: `claim-${v}-${r}`,
            code: "correct-sorting",
            residentReference: `resident-${v}-${r}`,
            walletAccountId: wallet(v === "missing" ? "own" : v),
            at: v === "other" ? other : own,
            sourceReference: `checkin-${v}-${r}`,
            occurredAt: now
          }
        ]
      }
    })
  },
  {
    name: "ledger.redeem",
    granted: counters,
    addressed: true,
    placed: false,
    missingOk: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/ledger/points/redemptions",
      body: {
        id: `redemption-${v}-${r}`,
        merchantId: merchant(v),
        walletAccountId: wallet(v === "missing" ? "own" : v),
        lines: [{ itemCode: points.item, quantity: 1 }]
      }
    })
  },
  {
    name: "ledger.handOver",
    granted: counters,
    addressed: true,
    placed: false,
    missingOk: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/ledger/points/handovers",
      body: { redemptionId: `redemption-${v}-${r}` }
    })
  },
  {
    name: "ledger.cancel",
    granted: counters,
    addressed: true,
    placed: false,
    missingOk: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/ledger/points/cancellations",
      body: { redemptionId: `redemption-${v}-${r}` }
    })
  },
  {
    name: "ledger.settlement",
    granted: operators,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/ledger/points/settlement?merchantId=${merchant(v)}&period=2023-03` })
  },
  {
    name: "assessment.defineScheme",
    granted: ["admin"],
    addressed: false,
    ok: 200,
    request: () => ({ method: "POST", url: "/assessment/schemes", body: scheme })
  },
  {
    name: "assessment.schemeVersions",
    granted: assessmentReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/assessment/schemes/${schemeOf(v)}` })
  },
  {
    name: "assessment.schemeDiff",
    granted: assessmentReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/assessment/schemes/${schemeOf(v)}/diff?from=1&to=1` })
  },
  {
    name: "assessment.enterValues",
    granted: approvers,
    addressed: true,
    ok: 200,
    request: (v) => ({
      method: "POST",
      url: "/assessment/values",
      body: { values: [{ element: "outreach.events", node: subdistrict(v), period: "2023-02", value: 1 }] }
    })
  },
  {
    name: "assessment.evaluate",
    granted: ["admin"],
    addressed: true,
    ok: 200,
    request: (v) => ({
      method: "POST",
      url: "/assessment/evaluations",
      body: { schemeId: scheme.id, period: "2023-01", units: [subdistrict(v)] }
    })
  },
  {
    name: "assessment.results",
    granted: assessmentReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/assessment/results?schemeId=${schemeOf(v)}&period=2023-03` })
  },
  {
    name: "assessment.appeal",
    granted: ["admin"],
    addressed: true,
    ok: 200,
    request: (v, r) => ({
      method: "POST",
      url: "/assessment/appeals",
      body: {
        id: `appeal-${v}-${r}`,
        schemeId: scheme.id,
        period: "2023-03",
        unit: subdistrict(v),
        reason: "an event was not counted",
        corrections: [{ element: "outreach.events", node: subdistrict(v), period: "2023-03", value: 4 }]
      }
    })
  },
  {
    name: "assessment.approve",
    granted: approvers,
    addressed: true,
    ok: 200,
    request: (v) => ({
      method: "POST",
      url: "/assessment/approvals",
      body: { schemeId: scheme.id, period: "2023-03", units: [subdistrict(v)] }
    })
  },
  {
    name: "assessment.unapprove",
    granted: approvers,
    addressed: true,
    ok: 200,
    request: (v) => ({
      method: "POST",
      url: "/assessment/unapprovals",
      body: { schemeId: scheme.id, period: "2023-03", units: [subdistrict(v)], reason: "to check" }
    })
  },
  {
    name: "assessment.consequences",
    granted: assessmentReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({
      method: "POST",
      url: "/assessment/consequences",
      body: {
        schemeId: schemeOf(v),
        period: "2023-03",
        rules: [{ _tag: "BottomN", n: 1, action: "supervision-visit", description: "督导帮扶" }]
      }
    })
  },
  {
    name: "assessment.allocate",
    granted: ["admin"],
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({
      method: "POST",
      url: "/assessment/allocations",
      body: { schemeId: schemeOf(v), period: "2023-03", fund: 100, rule: { _tag: "Proportional", threshold: 0 } }
    })
  },
  {
    name: "assessment.health",
    granted: assessmentReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({
      method: "GET",
      url: `/assessment/health?schemeId=${scheme.id}&period=2023-03&unit=${subdistrict(v)}`
    })
  },
  {
    name: "assessment.healthMarkdown",
    granted: assessmentReaders,
    addressed: true,
    placed: false,
    ok: 200,
    request: (v) => ({
      method: "GET",
      url: `/assessment/health.md?schemeId=${scheme.id}&period=2023-03&unit=${subdistrict(v)}`
    })
  },
  {
    name: "audit.read",
    granted: ["admin", "auditor"],
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/audit/entries?limit=5" })
  },
  {
    name: "audit.verify",
    granted: ["admin", "auditor"],
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/audit/verification" })
  },
  {
    name: "dashboard.me",
    granted: "all",
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/dashboard/me" })
  },
  {
    name: "dashboard.units",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/dashboard/units?under=${path(v)}&period=2023-03` })
  },
  {
    name: "dashboard.tiles",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v) => ({ method: "GET", url: `/dashboard/tiles?under=${path(v)}&period=2023-03&kinds=grid` })
  },
  {
    name: "open311.services",
    granted: "all",
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/open311/v2/services.json" })
  },
  {
    name: "open311.service",
    granted: "all",
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/open311/v2/services/bin-missing.json" })
  },
  {
    name: "open311.postRequest",
    granted: registrars,
    addressed: true,
    ok: 201,
    request: (v) => ({
      method: "POST",
      url: "/open311/v2/requests.json",
      form: { service_code: "bin-missing", address_id: node(v), "attribute[stream]": "hazardous" }
    })
  },
  {
    name: "open311.requests",
    granted: readers,
    addressed: false,
    ok: 200,
    request: () => ({ method: "GET", url: "/open311/v2/requests.json" })
  },
  {
    name: "open311.request",
    granted: readers,
    addressed: true,
    ok: 200,
    request: (v, r) => ({ method: "GET", url: `/open311/v2/requests/${problem(v, r)}.json` })
  }
]

/** Whether a role's scope covers the other subdistrict (the district-wide roles do). */
const seesOther = (role: Role) => actors[role].scope.includes("/")

/** The expected status of one cell. */
const expected = (endpoint: Endpoint, role: Role, variant: Variant): number => {
  const granted = endpoint.granted === "all" || endpoint.granted.includes(role)
  if (!granted) return 403
  if (!endpoint.addressed) return endpoint.ok
  if (variant === "missing") return endpoint.missingOk === true ? endpoint.ok : 404
  if (variant === "other" && endpoint.placed !== false && !seesOther(role)) return 404
  return endpoint.ok
}

/** One problem per role in each subdistrict, for the transition, history and request cells. */
const seedProblems = Effect.gen(function* () {
  const register = yield* ProblemRegister.ProblemRegister
  const admin = Actor.system("seed")
  const sign = { sign: "sorting_guide" }
  yield* register.registerMany(
    admin,
    roles.flatMap((role) => [
      { id: problem("own", role), categoryCode: "signage-missing", nodeId: ids.compound1, attributes: sign },
      { id: problem("other", role), categoryCode: "signage-missing", nodeId: ids.compound2, attributes: sign }
    ])
  )
})

describe("authorization matrix", () => {
  it.effect("every endpoint × role × {own, other scope, missing}: 0 mismatches, other scope answered as missing", () =>
    Effect.gen(function* () {
      yield* seed
      yield* seedProblems
      yield* seedLedger
      yield* seedAssessment
      const mismatches: Array<string> = []
      const leaks: Array<string> = []
      let cells = 0
      let key = 0
      for (const endpoint of endpoints) {
        for (const role of roles) {
          const answers = new Map<Variant, { status: number; text: string }>()
          for (const variant of ["own", "other", "missing"] as const) {
            // Each request a millisecond after the last, as on a real server: the assessment
            // service's audit id for entered values is derived from the keys and the millisecond,
            // so two actors entering the same key in one millisecond collide (a 409, reported).
            yield* TestClock.adjust(1)
            const request = endpoint.request(variant, role)
            const answer = yield* raw({
              ...request,
              token: tokenOf(role),
              headers: request.method === "POST" ? { "idempotency-key": `matrix-${key++}` } : undefined
            })
            cells++
            answers.set(variant, answer)
            const want = expected(endpoint, role, variant)
            if (answer.status !== want) {
              mismatches.push(
                `${endpoint.name} ${role} ${variant}: ${answer.status} (want ${want}) ${answer.text.slice(0, 160)}`
              )
            }
          }
          const otherAnswer = answers.get("other")!
          const missingAnswer = answers.get("missing")!
          if (endpoint.addressed && endpoint.placed !== false && !seesOther(role)) {
            // The id each request named is the only difference allowed.
            const anonymise = (text: string, variant: Variant) =>
              text
                .replaceAll(node(variant), "<id>")
                .replaceAll(path(variant), "<id>")
                .replaceAll(problem(variant, role), "<id>")
                .replaceAll(subdistrict(variant), "<id>")
            if (
              otherAnswer.status !== missingAnswer.status ||
              anonymise(otherAnswer.text, "other") !== anonymise(missingAnswer.text, "missing")
            ) {
              leaks.push(`${endpoint.name} ${role}: other ${otherAnswer.text} ≠ missing ${missingAnswer.text}`)
            }
          }
        }
      }
      expect(cells).toBe(endpoints.length * roles.length * 3)
      expect(mismatches).toEqual([])
      expect(leaks).toEqual([])
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("lists show only what lies in the caller's scope; no token is a 401", () =>
    Effect.gen(function* () {
      yield* seed
      const listed = yield* raw({ method: "GET", url: "/open311/v2/requests.json", token: tokenOf("gridWorker") })
      const requestIds = (listed.json() as ReadonlyArray<{ service_request_id: string }>).map(
        (r) => r.service_request_id
      )
      expect(requestIds).toEqual([ids.problem1])
      const anonymous = yield* raw({ method: "GET", url: `/grid/nodes/${ids.s1}?asOf=${asOf}` })
      expect(anonymous.status).toBe(401)
      expect(anonymous.json()).toMatchObject({ _tag: "Unauthorized" })
      const unknown = yield* raw({ method: "GET", url: `/grid/nodes/${ids.s1}?asOf=${asOf}`, token: "nope-nope-nope" })
      expect(unknown.status).toBe(401)
    }).pipe(Effect.provide(serverLayer("memory:")))
  )
})
