/**
 * The inspections conformance suite: definitions, visits that register and re-inspect problems,
 * replays, bad input and re-inspection scheduling, through the `Inspections` service over a store.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period } from "@sortgrid/core"
import { Grid, Node } from "@sortgrid/grid"
import * as Inspection from "@sortgrid/issues/Inspection"
import { InspectionStore } from "@sortgrid/issues/InspectionStore"
import { Inspections } from "@sortgrid/issues/Inspections"
import { ProblemId, VisitId } from "@sortgrid/issues/Problem"
import { ProblemRegister } from "@sortgrid/issues/ProblemRegister"
import { ProblemStore } from "@sortgrid/issues/ProblemStore"
import { Effect, Layer, Schema, TestClock } from "effect"
import { admin, base, type Store } from "./Fixtures.js"
import { grants } from "./ProblemSuite.js"
import * as Tongzhou from "./Tongzhou.js"

const inspector = new Actor.Actor({
  id: Actor.ActorId.make("inspector-li"),
  roles: [Actor.Role.make("inspector")],
  scope: [Actor.NodePath.make("/110112/110112001/")]
})

const otherInspector = new Actor.Actor({
  id: Actor.ActorId.make("inspector-wang"),
  roles: [Actor.Role.make("inspector")],
  scope: [Actor.NodePath.make("/110112/")]
})

const suiteGrants = {
  ...grants,
  inspector: ["issues.inspect", "issues.register", "issues.transition", "issues.read"]
}

const day = 86_400_000

/**
 * The "hardware to zero" campaign for the first half of 2023, and a compound checklist of three
 * items over two categories.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const definitions = {
  campaigns: [
    {
      id: "hardware-to-zero",
      name: "硬件清零",
      nameEn: "Hardware to zero",
      from: "2023-01-01",
      to: "2023-06-30",
      categories: ["bin-missing", "signage-missing", "station-dirty"]
    }
  ],
  templates: [
    {
      id: "compound-hardware",
      name: "小区硬件检查",
      siteKind: "compound",
      items: [
        { code: "kitchen-bin", text: "厨余垃圾桶齐全", categoryCode: "bin-missing" },
        { code: "other-bin", text: "其他垃圾桶齐全", categoryCode: "bin-missing" },
        { code: "signage", text: "分类指引牌齐全", categoryCode: "signage-missing" }
      ]
    }
  ]
}

/**
 * Registers the suite under `name`; the layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store | ProblemStore | InspectionStore, E>): void => {
  const fresh = Inspections.Default.pipe(
    Layer.provideMerge(ProblemRegister.Default),
    Layer.provideMerge(Grid.Grid.Default),
    Layer.provideMerge(base(layer, suiteGrants)),
    Layer.provideMerge(layer)
  )
  const test = (
    title: string,
    body: () => Effect.Effect<
      void,
      unknown,
      Inspections | ProblemRegister | ProblemStore | InspectionStore | AuditLog.AuditLog | Grid.Grid
    >
  ) => it.effect(title, () => Effect.provide(body(), fresh))

  /** Tongzhou on Monday 6 March 2023, 10:00 Beijing time, two compounds in 中仓街道, the definitions. */
  const seeded = Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2023-03-06T02:00:00Z"))
    const grid = yield* Grid.Grid
    yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
    const [community] = yield* grid.children(admin, Node.NodeId.make("110112001"), Period.IsoDate.make("2023-01-01"))
    const g = `${community!.nodeId}-g1`
    yield* grid.open(admin, [
      { id: g, kind: "grid", name: "网格", parentId: community!.nodeId, effectiveOn: "2023-01-01" },
      { id: `${g}-c1`, kind: "compound", name: "物业小区", parentId: g, effectiveOn: "2023-01-01" },
      { id: `${g}-c2`, kind: "compound", name: "老旧小区", parentId: g, effectiveOn: "2023-01-01" }
    ])
    yield* (yield* Inspections).define(admin, definitions)
    return { managed: `${g}-c1`, unmanaged: `${g}-c2`, grid: g, community: community!.nodeId }
  })

  const attributesOf = (categoryCode: string) =>
    categoryCode === "signage-missing" ? { sign: "sorting_guide" } : { stream: "kitchen" }

  const answers = (failing: Record<string, ReadonlyArray<string>>) =>
    definitions.templates[0]!.items.map((item) => {
      const evidence = failing[item.code]
      return evidence === undefined
        ? { itemCode: item.code, result: "pass" }
        : { itemCode: item.code, result: "fail", evidence, attributes: attributesOf(item.categoryCode) }
    })

  const visit = (id: string, nodeId: string, failing: Record<string, ReadonlyArray<string>> = {}) => ({
    id,
    campaignId: "hardware-to-zero",
    templateId: "compound-hardware",
    nodeId,
    items: answers(failing)
  })

  describe(`${name}: inspections conformance`, () => {
    test("definitions are written once: the same again changes nothing, other content is a Conflict", () =>
      Effect.gen(function* () {
        yield* seeded
        const inspections = yield* Inspections
        expect((yield* inspections.define(admin, definitions)).campaigns.map((c) => c.id)).toEqual(["hardware-to-zero"])
        const changed = yield* Effect.flip(
          inspections.define(admin, { campaigns: [{ ...definitions.campaigns[0]!, to: "2023-12-31" }] })
        )
        expect(changed.message).toBe("Campaign hardware-to-zero: is defined already with other content")
        const unknown = yield* Effect.flip(
          inspections.define(admin, {
            templates: [
              {
                ...definitions.templates[0]!,
                id: "t2",
                items: [{ code: "x", text: "?", categoryCode: "no-such" }]
              }
            ]
          })
        )
        expect(unknown.message).toBe("templates[0].items[0].categoryCode: no-such is not a category")
        const forbidden = yield* Effect.flip(inspections.define(inspector, definitions))
        expect(forbidden._tag).toBe("Forbidden")
        const store = yield* InspectionStore
        const stored = yield* store.definitions({
          campaignIds: [Inspection.CampaignId.make("hardware-to-zero")],
          templateIds: [Inspection.TemplateId.make("compound-hardware"), Inspection.TemplateId.make("t2")]
        })
        expect([stored.campaigns[0]?.to, stored.templates.map((t) => t.id)]).toEqual([
          "2023-06-30",
          ["compound-hardware"]
        ])
      }))

    test("a visit registers one problem per failing category, de-duplicated, and a retry replays it", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const inspections = yield* Inspections
        const failing = { "kitchen-bin": ["photo:k"], "other-bin": ["photo:o"] }
        const first = yield* inspections.recordVisit(inspector, visit("v1", ids.managed, failing))
        expect(first.outcome).toBe("recorded")
        expect(first.record.registered).toEqual(["v1:kitchen-bin"])
        expect(first.record.covered).toEqual([
          { itemCode: "other-bin", categoryCode: "bin-missing", problemId: "v1:kitchen-bin", by: "same-visit" }
        ])
        expect([first.record.visit.inspector, first.record.visit.at]).toEqual([
          "inspector-li",
          Date.parse("2023-03-06T02:00:00Z")
        ])
        const problems = yield* ProblemStore
        const [problem] = yield* problems.get([ProblemId.make("v1:kitchen-bin")])
        expect([problem?.source, problem?.evidence, problem?.attributes]).toEqual([
          { _tag: "FromInspection", visitId: "v1", itemCode: "kitchen-bin" },
          ["photo:k", "photo:o"],
          { stream: "kitchen" }
        ])
        yield* TestClock.adjust(60_000)
        const again = yield* inspections.recordVisit(inspector, visit("v1", ids.managed, failing))
        expect(again).toEqual({ record: first.record, outcome: "replayed" })
        const changed = yield* Effect.flip(inspections.recordVisit(inspector, visit("v1", ids.managed)))
        expect(changed._tag).toBe("Conflict")
        const second = yield* inspections.recordVisit(
          otherInspector,
          visit("v2", ids.managed, { "kitchen-bin": ["p"] })
        )
        expect([second.record.registered, second.record.covered.map((c) => [c.problemId, c.by])]).toEqual([
          [],
          [["v1:kitchen-bin", "open-problem"]]
        ])
        expect((yield* problems.open({})).map((p) => p.id)).toEqual(["v1:kitchen-bin"])
      }))

    test("bad visits are refused naming the field, and nothing is written", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const inspections = yield* Inspections
        const refusal = (input: unknown, actor = inspector) =>
          Effect.map(Effect.flip(inspections.recordVisit(actor, input)), (error) => error.message)
        expect(yield* refusal({ ...visit("v1", ids.managed), campaignId: "morning-duty" })).toBe(
          "visit.campaignId: no campaign morning-duty"
        )
        expect(yield* refusal(visit("v1", ids.grid))).toBe(
          `visit.nodeId: node ${ids.grid} is a grid, template compound-hardware is for a compound`
        )
        expect(yield* refusal(visit("v1", ids.managed, { signage: [] }))).toBe(
          "visit.items[2].evidence: item signage requires evidence when it fails"
        )
        const noStream = visit("v1", ids.managed, { "kitchen-bin": ["photo:k"] })
        expect(
          yield* refusal({
            ...noStream,
            items: noStream.items.map((item) => (item.itemCode === "kitchen-bin" ? { ...item, attributes: {} } : item))
          })
        ).toMatch(/^visit\.items\[0\]\.attributes\.stream: /)
        expect(yield* refusal({ ...visit("v1", ids.managed), inspector: "someone-else" })).toMatch(
          /^visit\.inspector: /
        )
        const outside = yield* Effect.flip(
          inspections.recordVisit(
            new Actor.Actor({ ...inspector, scope: [Actor.NodePath.make("/110112/110112002/")] }),
            visit("v1", ids.managed)
          )
        )
        expect(outside._tag).toBe("Forbidden")
        yield* TestClock.setTime(Date.parse("2023-07-03T02:00:00Z"))
        expect(yield* refusal(visit("v1", ids.managed))).toBe(
          "visit.at: falls on 2023-07-03, outside campaign hardware-to-zero (2023-01-01 to 2023-06-30)"
        )
        expect(yield* (yield* InspectionStore).visit(VisitId.make("v1"))).toBeNull()
        expect(yield* (yield* ProblemStore).open({})).toEqual([])
      }))

    test("a later visit re-inspects rectified problems: pass closes, fail reopens, the rectifier cannot close", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const inspections = yield* Inspections
        const register = yield* ProblemRegister
        yield* inspections.recordVisit(inspector, visit("v1", ids.managed, { "kitchen-bin": ["k"], signage: ["s"] }))
        const rectify = (problemId: string, actor: Actor.Actor) =>
          Effect.gen(function* () {
            yield* register.transition(admin, {
              _tag: "Assign",
              problemId,
              expectedVersion: 1,
              unitId: ids.community
            })
            yield* register.transition(actor, { _tag: "Rectify", problemId, expectedVersion: 2, evidence: ["fixed"] })
          })
        yield* rectify("v1:kitchen-bin", admin)
        yield* rectify("v1:signage", inspector)
        yield* TestClock.adjust(3 * day)
        // The signage is back but the kitchen bin is missing again; the inspector fixed the signage.
        const second = yield* inspections.recordVisit(inspector, visit("v2", ids.managed, { "kitchen-bin": ["k2"] }))
        expect(second.record.reinspected).toEqual([{ problemId: "v1:kitchen-bin", outcome: "fail" }])
        expect(second.record.rectifiedByInspector).toEqual(["v1:signage"])
        expect(second.record.covered.map((c) => c.problemId)).toEqual(["v1:kitchen-bin"])
        const third = yield* inspections.recordVisit(otherInspector, visit("v3", ids.managed))
        expect(third.record.reinspected).toEqual([{ problemId: "v1:signage", outcome: "pass" }])
        const problems = yield* ProblemStore
        const stored = yield* problems.get([ProblemId.make("v1:kitchen-bin"), ProblemId.make("v1:signage")])
        expect(stored.map((p) => [p.id, p.state, p.reopenCount]).sort()).toEqual([
          ["v1:kitchen-bin", "rectifying", 1],
          ["v1:signage", "closed", 0]
        ])
        const log = yield* AuditLog.AuditLog
        expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact" })
        const entries = yield* log.read(admin, { limit: 10_000 })
        expect(entries.filter((entry) => entry.action === "inspection.visit.recorded").length).toBe(3)
      }))

    test("re-inspections fall due by the compound's group: property-managed every 3 days, others every 7", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const grid = yield* Grid.Grid
        yield* grid.defineGroupSets(admin, [
          {
            id: "management",
            name: "物业管理",
            exclusive: true,
            groups: [
              { id: "property-managed", name: "有物业" },
              { id: "self-managed", name: "无物业" }
            ]
          }
        ])
        yield* grid.changeMemberships(admin, [
          { _tag: "Assign", nodeId: ids.managed, groupId: "property-managed", effectiveOn: "2023-01-01" },
          { _tag: "Assign", nodeId: ids.unmanaged, groupId: "self-managed", effectiveOn: "2023-01-01" }
        ])
        const inspections = yield* Inspections
        yield* inspections.recordVisit(inspector, visit("v1", ids.managed, { signage: ["s"] }))
        yield* inspections.recordVisit(inspector, visit("v2", ids.unmanaged, { signage: ["s"] }))
        const frequency = { defaultDays: 7, byGroup: [{ groupId: "property-managed", days: 3 }] }
        const due = () =>
          Effect.map(
            inspections.reinspectionsDue(admin, {
              under: Actor.NodePath.make("/110112/"),
              frequency: Schema.decodeUnknownSync(Inspection.ReinspectionFrequency)(frequency)
            }),
            (list) => list.map(({ problem }) => problem.id)
          )
        yield* TestClock.adjust(3 * day - 1)
        expect(yield* due()).toEqual([])
        yield* TestClock.adjust(1)
        expect(yield* due()).toEqual(["v1:signage"])
        // A visit resets the clock of its compound's problems.
        yield* inspections.recordVisit(otherInspector, visit("v3", ids.managed, { signage: ["s"] }))
        yield* TestClock.adjust(3 * day - 1)
        expect(yield* due()).toEqual([])
        yield* TestClock.adjust(1)
        expect(yield* due()).toEqual(["v1:signage"])
        yield* TestClock.adjust(day)
        expect(yield* due()).toEqual(["v1:signage", "v2:signage"])
      }))
  })
}
