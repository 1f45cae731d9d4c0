import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Scheme } from "@sortgrid/assessment"
import { Actor, DataValue, Period } from "@sortgrid/core"
import { Node } from "@sortgrid/grid"
import { Inspection, Inspections, Lifecycle, Problem, ProblemRegister } from "@sortgrid/issues"
import { Account, Redemption } from "@sortgrid/ledger"
import { InspectionSuite, TempDirectory } from "@sortgrid/testkit"
import { Effect, Schema, TestClock } from "effect"
import { AssessmentApi, LedgerApi } from "../src/index.js"
import {
  asOf,
  clientAs,
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

const day = 86_400_000

/** Drives every endpoint of the API through the client derived from its declaration. */
const everyEndpoint = Effect.gen(function* () {
  yield* seed
  const admin = yield* clientAs("admin")
  const inspector = yield* clientAs("inspector")
  const auditor = yield* clientAs("auditor")
  const date = Period.IsoDate.make(asOf)
  const key = (name: string) => ({ "idempotency-key": `test-${name}` })

  // grid
  const node = yield* admin.grid.node({ path: { nodeId: Node.NodeId.make(ids.s1) }, urlParams: { asOf: date } })
  expect(node).toMatchObject({ nodeId: ids.s1, name: "中仓街道", path: own, kind: "subdistrict" })
  const children = yield* admin.grid.children({
    path: { nodeId: Node.NodeId.make(ids.district) },
    urlParams: { asOf: date, limit: 1 }
  })
  expect(children.items.map((n) => n.nodeId)).toEqual([ids.s1])
  const rest = yield* admin.grid.children({
    path: { nodeId: Node.NodeId.make(ids.district) },
    urlParams: { asOf: date, limit: 1, cursor: children.nextCursor! }
  })
  expect(rest.items.map((n) => n.nodeId)).toEqual([ids.s2])
  expect(rest.nextCursor).toBeNull()
  const subtree = yield* admin.grid.subtree({
    urlParams: { under: Actor.NodePath.make(own), asOf: date, kinds: [Node.NodeVersion.fields.kind.make("compound")] }
  })
  expect(subtree.items.map((n) => n.nodeId)).toEqual([ids.compound1])
  const counts = yield* admin.grid.countByKind({ urlParams: { under: Actor.NodePath.make("/110112/"), asOf: date } })
  expect(Object.fromEntries(counts.map((c) => [c.kind, c.count]))).toMatchObject({ compound: 2, subdistrict: 2 })

  // issues: register, transition, history, stats
  const registered = yield* inspector.issues.register({
    headers: key("register"),
    payload: new ProblemRegister.RegisterInput({
      id: Problem.ProblemId.make("p-api-1"),
      categoryCode: Problem.Problem.fields.categoryCode.make("signage-missing"),
      nodeId: Node.NodeId.make(ids.compound1),
      attributes: { sign: "sorting_guide" }
    })
  })
  expect(registered.outcome).toBe("registered")
  expect(registered.problem).toMatchObject({
    id: "p-api-1",
    registeredBy: "inspector-li",
    state: "registered",
    version: 1
  })
  const assigned = yield* inspector.issues.transition({
    headers: key("assign"),
    payload: new Lifecycle.Assign({
      problemId: Problem.ProblemId.make("p-api-1"),
      expectedVersion: 1,
      unitId: Node.NodeId.make(ids.community1)
    })
  })
  expect(assigned.problem).toMatchObject({ state: "assigned", version: 2 })
  expect(assigned.event.kind).toBe("assigned")
  const history = yield* inspector.issues.history({ path: { problemId: Problem.ProblemId.make("p-api-1") } })
  expect(history.map((e) => e.kind)).toEqual(["registered", "assigned"])
  const stats = yield* admin.issues.stats({
    urlParams: { under: Actor.NodePath.make(own), period: Period.PeriodFromString.pipe(Schema.decodeSync)("2023-03") }
  })
  expect(stats.period).toBe("2023-03")
  const s1 = stats.nodes.items.find((n) => n.nodeId === ids.s1)
  expect(s1).toMatchObject({ opened: 2, openAtEnd: 2, compounds: 1 })

  // dashboard: who am I, a unit and the units below it, tiles for a map
  const me = yield* inspector.dashboard.me()
  expect(me).toEqual({ id: "inspector-li", roles: ["inspector"], scope: [own] })
  const march = Period.PeriodFromString.pipe(Schema.decodeSync)("2023-03")
  const units = yield* admin.dashboard.units({
    urlParams: { under: Actor.NodePath.make("/110112/"), period: march, limit: 1 }
  })
  expect(units).toMatchObject({ period: "2023-03", firstDay: "2023-03-01", lastDay: "2023-03-31" })
  expect(units.unit).toMatchObject({ nodeId: ids.district, opened: 3, openAtEnd: 3, compounds: 2 })
  expect(units.unit?.burnDown).toHaveLength(31)
  expect(units.children.items.map((u) => [u.nodeId, u.opened])).toEqual([[ids.s1, 2]])
  const moreUnits = yield* admin.dashboard.units({
    urlParams: { under: Actor.NodePath.make("/110112/"), period: march, cursor: units.children.nextCursor! }
  })
  expect(moreUnits.children.items.map((u) => [u.nodeId, u.opened])).toEqual([[ids.s2, 1]])
  const tiles = yield* admin.dashboard.tiles({
    urlParams: {
      under: Actor.NodePath.make(own),
      period: march,
      kinds: ["grid", "compound"].map((kind) => Node.NodeVersion.fields.kind.make(kind))
    }
  })
  expect(tiles.items.map((t) => [t.nodeId, t.openAtEnd])).toEqual([
    [ids.grid1, 2],
    [ids.compound1, 2]
  ])

  // inspections: define (replayed), record a visit, re-inspections due
  const defined = yield* admin.issues.define({
    headers: key("define"),
    payload: Schema.decodeUnknownSync(Inspections.DefineInput)(InspectionSuite.definitions)
  })
  expect(defined.campaigns.map((c) => c.id)).toEqual(["hardware-to-zero"])
  const visit = yield* inspector.issues.recordVisit({
    headers: key("visit"),
    payload: Schema.decodeUnknownSync(Inspections.VisitInput)({
      id: "visit-api-1",
      campaignId: "hardware-to-zero",
      templateId: "compound-hardware",
      nodeId: ids.compound1,
      items: [
        { itemCode: "kitchen-bin", result: "pass" },
        {
          itemCode: "other-bin",
          result: "fail",
          evidence: ["https://img.example/1.jpg"],
          attributes: { stream: "other" }
        },
        { itemCode: "signage", result: "pass" }
      ]
    })
  })
  expect(visit.outcome).toBe("recorded")
  expect(visit.record.visit.inspector).toBe("inspector-li")
  yield* TestClock.adjust(30 * day)
  const due = yield* inspector.issues.reinspectionsDue({
    urlParams: { under: Actor.NodePath.make(own), defaultDays: 14 }
  })
  expect(due.items.length).toBeGreaterThan(0)
  expect(due.items.every((d) => d.problem.nodeId === ids.compound1)).toBe(true)

  // audit
  const entries = yield* auditor.audit.read({ urlParams: { limit: 2 } })
  expect(entries.items.map((e) => e.position)).toEqual([1, 2])
  const next = yield* auditor.audit.read({ urlParams: { limit: 2, cursor: entries.nextCursor! } })
  expect(next.items[0]?.position).toBe(3)
  const verification = yield* auditor.audit.verify()
  expect(verification._tag).toBe("Intact")

  // open311
  const services = yield* admin.open311.services({ urlParams: { locale: "en" } })
  expect(services.find((s) => s.service_code === "bin-missing")?.service_name).toBe("Bin missing")
  const definition = yield* admin.open311.service({ path: { service_code: "bin-missing" }, urlParams: {} })
  expect(definition.attributes.map((a) => a.code)).toContain("stream")
  const [created] = yield* inspector.open311.postRequest({
    headers: {},
    payload: { service_code: "signage-missing", address_id: ids.compound1, "attribute[sign]": "sorting_guide" }
  })
  expect(created?.service_request_id).toMatch(/^[0-9A-Z]{26}$/)
  const listed = yield* inspector.open311.requests({ urlParams: { service_code: "signage-missing" } })
  expect(listed.map((r) => r.service_request_id)).toContain(created!.service_request_id)
  const [one] = yield* inspector.open311.request({
    path: { service_request_id: created!.service_request_id },
    urlParams: { extensions: "true" }
  })
  expect(one).toMatchObject({ status: "open", service_code: "signage-missing", address_id: ids.compound1 })
  expect(one?.updates?.map((u) => u.status_notes)).toEqual(["已登记"])
  return Inspection.CampaignId.make("done")
})

/** Drives every endpoint of the ledger and assessment groups through the derived client. */
const ledgerAndAssessment = Effect.gen(function* () {
  yield* seed
  yield* seedLedger
  yield* seedAssessment
  const admin = yield* clientAs("admin")
  const operator = yield* clientAs("programmeOperator")
  const cashier = yield* clientAs("merchantCashier")
  const auditor = yield* clientAs("auditor")
  const key = (name: string) => ({ "idempotency-key": `ledger-assessment-${name}` })
  const accountId = (id: string) => ({ accountId: Account.AccountId.make(id) })

  // ledger: an account, a batch of transfers with per-transfer results, balances now and as of
  const wallet = yield* operator.ledger.account({ path: accountId(points.walletOwn) })
  expect(wallet).toMatchObject({ id: points.walletOwn, code: "resident-wallet", creditsPosted: 100 })
  const batch = yield* operator.ledger.createTransfers({
    headers: key("transfers"),
    payload: Schema.decodeUnknownSync(LedgerApi.TransfersBody)({
      transfers: [
        {
          id: "t-1",
          debitAccountId: points.budget,
          creditAccountId: points.walletOwn,
          amount: 5,
          ledger: points.ledger,
          code: "adjustment"
        },
        {
          id: "t-2",
          debitAccountId: points.walletOther,
          creditAccountId: points.walletOwn,
          amount: 1_000,
          ledger: points.ledger,
          code: "adjustment"
        },
        {
          id: "t-3",
          debitAccountId: points.budget,
          creditAccountId: "w-nobody",
          amount: 1,
          ledger: points.ledger,
          code: "adjustment"
        }
      ]
    })
  })
  expect(batch.outcomes.map((o) => [o.id, o.result])).toEqual([
    ["t-1", "Ok"],
    ["t-2", "ExceedsCredits"],
    ["t-3", "CreditAccountNotFound"]
  ])
  expect(batch.outcomes[0]?.transfer?.timestamp).toBe(now)
  const balance = yield* operator.ledger.balance({ path: accountId(points.walletOwn), urlParams: {} })
  expect(balance).toMatchObject({ creditsPosted: 105, debitsPosted: 0, available: 105, at: now })
  yield* TestClock.adjust(60_000)
  const before = yield* operator.ledger.balance({ path: accountId(points.walletOwn), urlParams: { asOf: now - 1 } })
  expect(before).toMatchObject({ creditsPosted: 0, available: 0, at: now - 1 })
  const iso = yield* raw({
    method: "GET",
    url: `/ledger/accounts/${points.walletOwn}/balance?asOf=2023-03-06T10:00:00%2B08:00`,
    token: tokenOf("auditor")
  })
  expect(iso.json()).toMatchObject({ creditsPosted: 105, at: now })

  // points: earn (the cap cuts the sixth claim), redeem, hand over, cancel, settlement
  const claim = (n: number) => ({
    id: `claim-${n}`,
    code: "correct-sorting",
    residentReference: "resident-1",
    walletAccountId: points.walletOwn,
    at: own,
    sourceReference: `checkin-${n}`,
    occurredAt: now
  })
  const earned = yield* operator.ledger.earn({
    headers: key("earn"),
    payload: Schema.decodeUnknownSync(LedgerApi.EarnBody)({
      ledger: points.ledger,
      claims: [1, 2, 3, 4, 5, 6].map(claim)
    })
  })
  expect(earned.outcomes.map((o) => o.decision._tag)).toEqual([
    "Granted",
    "Granted",
    "Granted",
    "Granted",
    "Granted",
    "CapReached"
  ])
  expect(earned.outcomes[0]?.outcome?.result).toBe("Ok")
  const redeem = (id: string) =>
    cashier.ledger.redeem({
      headers: key(`redeem-${id}`),
      payload: Schema.decodeUnknownSync(LedgerApi.RedeemBody)({
        id,
        merchantId: points.merchant,
        walletAccountId: points.walletOwn,
        lines: [{ itemCode: points.item, quantity: 2 }]
      })
    })
  expect((yield* redeem("r-1")).result).toBe("Ok")
  const handed = yield* cashier.ledger.handOver({
    headers: key("handover"),
    payload: Schema.decodeUnknownSync(LedgerApi.HandOverBody)({ redemptionId: "r-1" })
  })
  expect(handed.result).toBe("Ok")
  expect((yield* redeem("r-2")).result).toBe("Ok")
  const cancelled = yield* cashier.ledger.cancel({
    headers: key("cancel"),
    payload: Schema.decodeUnknownSync(LedgerApi.CancelBody)({ redemptionId: "r-2" })
  })
  expect(cancelled.result).toBe("Ok")
  const settlement = yield* operator.ledger.settlement({
    urlParams: {
      merchantId: Redemption.MerchantId.make(points.merchant),
      period: Period.PeriodFromString.pipe(Schema.decodeSync)("2023-03")
    }
  })
  expect(settlement.totals).toMatchObject({ handedOver: 2, points: 20, voids: 1, voidedPoints: 20 })
  expect(settlement.lines.map((l) => l.itemCode)).toEqual([points.item])

  // the statement, two lines a page, and reconciliation
  const first = yield* auditor.ledger.statement({
    path: accountId(points.walletOwn),
    urlParams: { limit: 2, language: "en" }
  })
  expect(first.items.map((l) => [l.transfer.id, l.side, l.reason])).toEqual([
    ["seed-own", "credit", "Manual adjustment"],
    ["t-1", "credit", "Manual adjustment"]
  ])
  const lines = [...first.items]
  let cursor = first.nextCursor
  while (cursor !== null) {
    const page = yield* auditor.ledger.statement({ path: accountId(points.walletOwn), urlParams: { limit: 2, cursor } })
    lines.push(...page.items)
    cursor = page.nextCursor
  }
  expect(lines.map((l) => l.transfer.id)).toContain("claim-5")
  expect(lines.some((l) => l.kind === "released" && l.side === "debit")).toBe(true)
  expect(new Set(lines.map((l) => l.transfer.id)).size).toBe(lines.length)
  const reconciliation = yield* auditor.ledger.reconcile()
  expect(reconciliation).toMatchObject({ accounts: 5, drifts: [] })

  // assessment: schemes (define v2, list, diff), values, evaluate, results with explanation
  const v2 = yield* admin.assessment.defineScheme({
    headers: key("scheme-v2"),
    payload: Schema.decodeUnknownSync(AssessmentApi.SchemeBody)({
      ...scheme,
      version: 2,
      effectiveFrom: "2023-04-01",
      grades: [{ label: "good", atLeast: 50 }]
    })
  })
  expect(v2.outcome).toBe("defined")
  expect(v2.changes.map((c) => c.path.join("."))).toContain("effectiveFrom")
  const schemeId = Scheme.SchemeId.make(scheme.id)
  const versions = yield* auditor.assessment.schemeVersions({ path: { schemeId } })
  expect(versions.map((v) => v.scheme.version)).toEqual([1, 2])
  const diff = yield* auditor.assessment.schemeDiff({ path: { schemeId }, urlParams: { from: 1, to: 2 } })
  expect(diff).toEqual(v2.changes)
  const april = DataValue.PeriodId.make("2023-04")
  const entered = yield* admin.assessment.enterValues({
    headers: key("values"),
    payload: Schema.decodeUnknownSync(AssessmentApi.ValuesBody)({
      values: [
        { element: "outreach.events", node: ids.s1, period: april, value: 2 },
        { element: "outreach.events", node: ids.s2, period: april, value: 5 }
      ]
    })
  })
  expect(entered.values.map((v) => [v.value.node, v.by])).toEqual([
    [ids.s1, "admin"],
    [ids.s2, "admin"]
  ])
  const scored = yield* admin.assessment.evaluate({
    headers: key("evaluate"),
    payload: Schema.decodeUnknownSync(AssessmentApi.EvaluateBody)({ schemeId, period: april, units: [ids.s1, ids.s2] })
  })
  expect(scored.outcome).toBe("stored")
  expect(scored.result.schemeVersion).toBe(2)
  expect(scored.result.result.units.map((u) => [u.unit, u.total, u.grade])).toEqual([
    [ids.s2, 100, "good"],
    [ids.s1, 50, "good"]
  ])
  const results = yield* auditor.assessment.results({
    urlParams: { schemeId, period: DataValue.PeriodId.make(scoredPeriod) }
  })
  expect(results.items.map((r) => r.version)).toEqual([1])
  const s1March = results.items[0]?.result.units.find((u) => u.unit === ids.s1)
  expect(s1March).toMatchObject({ total: 75, rank: 2, grade: "good" })
  expect(s1March?.explanation.children.length).toBeGreaterThan(0)

  // approval (bottom-up), unapproval, an appeal, consequences, the fund split
  const march = DataValue.PeriodId.make(scoredPeriod)
  const approved = yield* admin.assessment.approve({
    headers: key("approve"),
    payload: Schema.decodeUnknownSync(AssessmentApi.ApprovalBody)({ schemeId, period: march, units: [ids.s1, ids.s2] })
  })
  expect(approved.approvals.map((a) => [a.unit, a.state])).toEqual([
    [ids.s1, "approved"],
    [ids.s2, "approved"]
  ])
  const unapproved = yield* admin.assessment.unapprove({
    headers: key("unapprove"),
    payload: Schema.decodeUnknownSync(AssessmentApi.ApprovalBody)({
      schemeId,
      period: march,
      units: [ids.s2],
      reason: "data to check"
    })
  })
  expect(unapproved.approvals.map((a) => [a.unit, a.state])).toEqual([[ids.s2, "pending"]])
  const appealed = yield* admin.assessment.appeal({
    headers: key("appeal"),
    payload: Schema.decodeUnknownSync(AssessmentApi.AppealBody)({
      id: "appeal-1",
      schemeId,
      period: march,
      unit: ids.s1,
      reason: "one event was not counted",
      corrections: [{ element: "outreach.events", node: ids.s1, period: march, value: 4 }]
    })
  })
  expect(appealed).toMatchObject({ outcome: "stored", result: { version: 2, reason: "appeal", appealId: "appeal-1" } })
  expect(appealed.result.diff?.units.map((u) => [u.unit, u.totalBefore, u.totalAfter])).toEqual([[ids.s1, 75, 100]])
  const actions = yield* auditor.assessment.consequences({
    headers: key("consequences"),
    payload: Schema.decodeUnknownSync(AssessmentApi.ConsequencesBody)({
      schemeId,
      period: april,
      rules: [{ _tag: "BottomN", n: 1, action: "supervision-visit", description: "督导帮扶" }]
    })
  })
  expect(actions.map((a) => [a.unit, a.action])).toEqual([[ids.s1, "supervision-visit"]])
  const payout = yield* admin.assessment.allocate({
    headers: key("allocate"),
    payload: Schema.decodeUnknownSync(AssessmentApi.AllocateBody)({
      schemeId,
      period: april,
      fund: 1_000_001,
      rule: { _tag: "Proportional", threshold: 0 }
    })
  })
  expect(payout.resultVersion).toBe(1)
  expect(payout.split.parts.reduce((sum, p) => sum + p.fen, 0) + payout.split.withheld).toBe(1_000_001)

  // the health check, as JSON and as Markdown
  const query = { schemeId, period: april, unit: DataValue.NodeRef.make(ids.s1) }
  const health = yield* auditor.assessment.health({ urlParams: query })
  expect(health.check).toMatchObject({ unit: ids.s1, rank: 2, of: 2 })
  expect(health.check.trend.map((t) => t.period)).toContain("2023-03")
  const markdown = yield* auditor.assessment.healthMarkdown({ urlParams: query })
  expect(markdown).toBe(health.markdown)
  const served = yield* raw({
    method: "GET",
    url: `/assessment/health.md?schemeId=${scheme.id}&period=2023-04&unit=${ids.s1}`,
    token: tokenOf("auditor")
  })
  expect(served.headers["content-type"]).toMatch(/^text\/markdown/)
  expect(served.text).toBe(health.markdown)
  return Inspection.CampaignId.make("done")
})

describe("the API, driven by the client derived from its declaration", () => {
  it.effect("every endpoint over a memory store", () => Effect.provide(everyEndpoint, serverLayer("memory:")))

  it.effect("every ledger and assessment endpoint over a memory store", () =>
    Effect.provide(ledgerAndAssessment, serverLayer("memory:"))
  )

  it.scoped("every ledger and assessment endpoint over SQLite", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      yield* Effect.provide(ledgerAndAssessment, serverLayer(`sqlite:${join(dir, "ledger.db")}`))
    })
  )

  it.scoped("every endpoint over SQLite", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      yield* Effect.provide(everyEndpoint, serverLayer(`sqlite:${join(dir, "http.db")}`))
    })
  )

  it.effect("serves the OpenAPI document and the docs page, without a CDN", () =>
    Effect.gen(function* () {
      const spec = yield* raw({ method: "GET", url: "/openapi.json" })
      expect(spec.status).toBe(200)
      expect(spec.json()).toMatchObject({ openapi: "3.1.0", info: { title: "sortgrid" } })
      const docs = yield* raw({ method: "GET", url: "/docs" })
      expect(docs.status).toBe(200)
      expect(docs.text.includes("<script>")).toBe(true)
      // The viewer is bundled inline: no script is loaded from elsewhere.
      expect(/<script[^>]*\ssrc=/.test(docs.text)).toBe(false)
    }).pipe(Effect.provide(serverLayer("memory:")))
  )
})
