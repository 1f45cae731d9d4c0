import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Actor, Period } from "@sortgrid/core"
import { Node } from "@sortgrid/grid"
import { Inspection, Inspections, Lifecycle, Problem, ProblemRegister } from "@sortgrid/issues"
import { InspectionSuite, TempDirectory } from "@sortgrid/testkit"
import { Effect, Schema, TestClock } from "effect"
import { asOf, clientAs, ids, own, raw, seed, serverLayer } from "./support.js"

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

describe("the API, driven by the client derived from its declaration", () => {
  it.effect("every endpoint over a memory store", () => Effect.provide(everyEndpoint, serverLayer("memory:")))

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
