/**
 * The problem register conformance suite: registering, the lifecycle with compare-and-set, bad input,
 * stats and the audit chain, through the `ProblemRegister` service over a store.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period, type Permission } from "@sortgrid/core"
import { Grid, Node } from "@sortgrid/grid"
import * as Lifecycle from "@sortgrid/issues/Lifecycle"
import type * as Problem from "@sortgrid/issues/Problem"
import { ProblemId } from "@sortgrid/issues/Problem"
import { ProblemRegister } from "@sortgrid/issues/ProblemRegister"
import { ProblemStore } from "@sortgrid/issues/ProblemStore"
import { Effect, Either, Layer, TestClock } from "effect"
import { admin, base, type Store, zhongcangAdmin } from "./Fixtures.js"
import * as Tongzhou from "./Tongzhou.js"

/**
 * The grants the suite runs under: rectifiers may move problems along but not register them.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "subdistrict-admin": ["grid.read", "grid.edit", "issues.register", "issues.transition", "issues.read"],
  rectifier: ["issues.transition", "issues.read"]
}

const rectifier = new Actor.Actor({
  id: Actor.ActorId.make("property-worker"),
  roles: [Actor.Role.make("rectifier")],
  scope: [Actor.NodePath.make("/110112/110112001/")]
})

const xinhuaAdmin = new Actor.Actor({
  id: Actor.ActorId.make("xinhua-admin"),
  roles: [Actor.Role.make("subdistrict-admin")],
  scope: [Actor.NodePath.make("/110112/110112002/")]
})

const instant = (text: string) => Date.parse(text)
const day = 86_400_000
const march: Period.Period = { _tag: "Month", year: 2023, month: 3 }
const april: Period.Period = { _tag: "Month", year: 2023, month: 4 }
const zhongcang = Actor.NodePath.make("/110112/110112001/")

/**
 * Registers the suite under `name`; the layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store | ProblemStore, E>): void => {
  const fresh = Layer.mergeAll(ProblemRegister.Default, Grid.Grid.Default).pipe(
    Layer.provideMerge(base(layer, grants)),
    // The same layer value: built once, so the register and the suite's reads share one store.
    Layer.provideMerge(layer)
  )
  const test = (
    title: string,
    body: () => Effect.Effect<void, unknown, ProblemRegister | ProblemStore | AuditLog.AuditLog | Store | Grid.Grid>
  ) => it.effect(title, () => Effect.provide(body(), fresh))

  /** Tongzhou on Monday 6 March 2023, 10:00 Beijing time, with a grid and a compound in 中仓街道. */
  const seeded = Effect.gen(function* () {
    yield* TestClock.setTime(instant("2023-03-06T02:00:00Z"))
    const grid = yield* Grid.Grid
    yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
    const [community] = yield* grid.children(admin, Node.NodeId.make("110112001"), Period.IsoDate.make("2023-01-01"))
    const g = `${community!.nodeId}-g1`
    yield* grid.open(admin, [
      { id: g, kind: "grid", name: "网格", parentId: community!.nodeId, effectiveOn: "2023-01-01" },
      { id: `${g}-c1`, kind: "compound", name: "小区", parentId: g, effectiveOn: "2023-01-01" }
    ])
    return { compound: `${g}-c1`, community: community!.nodeId }
  })

  const problem = (id: string, nodeId: string) => ({
    id,
    categoryCode: "bin-missing",
    nodeId,
    note: "厨余桶缺失",
    attributes: { stream: "kitchen" }
  })

  const transition = (actor: Actor.Actor, command: Record<string, unknown>) =>
    Effect.flatMap(ProblemRegister, (register) => register.transition(actor, command))

  /** Registered, assigned, rectified by the rectifier: version 3, awaiting re-inspection. */
  const rectified = (id: string, nodeId: string, unitId: string) =>
    Effect.gen(function* () {
      const register = yield* ProblemRegister
      yield* register.register(admin, problem(id, nodeId))
      yield* transition(admin, { _tag: "Assign", problemId: id, expectedVersion: 1, unitId })
      yield* transition(rectifier, { _tag: "Rectify", problemId: id, expectedVersion: 2, evidence: ["photo:1"] })
    })

  /** The chain is intact; the actions of its problem entries, in chain order (seeding audits the grid too). */
  const problemActions = Effect.gen(function* () {
    const log = yield* AuditLog.AuditLog
    expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact" })
    const entries = yield* log.read(admin, { limit: 10_000 })
    return entries.flatMap((entry) => (entry.action.startsWith("problem.") ? [entry.action] : []))
  })

  describe(`${name}: problem register conformance`, () => {
    test("registering puts a problem on a compound with its SLA deadline, once per id", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        const first = yield* register.register(zhongcangAdmin, problem("p-1", ids.compound))
        expect(first.outcome).toBe("registered")
        expect(first.problem).toMatchObject({ state: "registered", version: 1, registeredBy: "zhongcang-admin" })
        expect(first.problem.deadlineAt).toBeGreaterThan(first.problem.registeredAt)
        yield* TestClock.adjust("1 hour")
        const again = yield* register.register(zhongcangAdmin, problem("p-1", ids.compound))
        expect(again.outcome).toBe("replayed")
        expect(again.problem).toEqual(first.problem)
        const changed = yield* Effect.flip(
          register.register(zhongcangAdmin, { ...problem("p-1", ids.compound), note: "另一个问题" })
        )
        expect(changed._tag).toBe("Conflict")
        expect(first.problem.attributes).toEqual({ stream: "kitchen" })
        const otherStream = yield* Effect.flip(
          register.register(zhongcangAdmin, { ...problem("p-1", ids.compound), attributes: { stream: "other" } })
        )
        expect(otherStream._tag).toBe("Conflict")
        const [stored] = yield* Effect.flatMap(ProblemStore, (store) => store.get([first.problem.id]))
        expect(stored?.attributes).toEqual({ stream: "kitchen" })
        expect((yield* register.history(admin, first.problem.id)).map((event) => event.kind)).toEqual(["registered"])
        expect(yield* problemActions).toEqual(["problem.registered"])
      }))

    test("a problem is fixed only by a re-inspection passed by someone other than the rectifier", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        yield* rectified("p-1", ids.compound, ids.community)
        const own = yield* Effect.flip(
          transition(rectifier, { _tag: "Reinspect", problemId: "p-1", expectedVersion: 3, outcome: "pass" })
        )
        expect(own._tag).toBe("Forbidden")
        yield* transition(zhongcangAdmin, { _tag: "Reinspect", problemId: "p-1", expectedVersion: 3, outcome: "fail" })
        yield* transition(rectifier, { _tag: "Rectify", problemId: "p-1", expectedVersion: 4, evidence: ["photo:2"] })
        yield* TestClock.adjust("2 days")
        const closed = yield* transition(zhongcangAdmin, {
          _tag: "Reinspect",
          problemId: "p-1",
          expectedVersion: 5,
          outcome: "pass"
        })
        expect(closed.problem).toMatchObject({ state: "closed", version: 6, reopenCount: 1 })
        expect(closed.problem.closure?._tag).toBe("ClosedFixed")
        // What the store gives back is what was decided, field for field (a store writing a lossy
        // encoding fails here), and the stats facts agree with it.
        const store = yield* ProblemStore
        const [stored] = yield* store.get([ProblemId.make("p-1")])
        expect(stored).toEqual(closed.problem)
        expect(yield* store.facts({ during: { from: 0, to: Date.parse("2100-01-01") } })).toEqual([
          {
            id: "p-1",
            nodeId: ids.compound,
            registeredAt: closed.problem.registeredAt,
            deadlineAt: closed.problem.deadlineAt,
            closure: { _tag: "ClosedFixed", closedAt: closed.problem.closure?.closedAt }
          }
        ])
        // A store may answer a large set of nodes another way than a small one: both keep exactly those nodes.
        const many = Array.from({ length: 1_500 }, (_, i) => Node.NodeId.make(`elsewhere-${i}`))
        const window = { from: 0, to: Date.parse("2100-01-01") }
        for (const others of [many.slice(0, 5), many]) {
          expect(yield* store.facts({ nodeIds: others, during: window })).toEqual([])
          const withCompound = yield* store.facts({
            nodeIds: [...others, Node.NodeId.make(ids.compound)],
            during: window
          })
          expect(withCompound.map((fact) => fact.id)).toEqual(["p-1"])
        }
        const history = yield* register.history(admin, ProblemId.make("p-1"))
        expect(history.at(-1)).toEqual(closed.event)
        expect(history.map((event) => event.kind)).toEqual([
          "registered",
          "assigned",
          "rectified",
          "reinspectionFailed",
          "rectified",
          "reinspectionPassed"
        ])
        expect(yield* problemActions).toEqual(history.map((event) => `problem.${event.kind}`))
      }))

    test("a command decided on a stale version is a Conflict and writes nothing", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        yield* register.register(admin, problem("p-1", ids.compound))
        yield* transition(admin, { _tag: "Assign", problemId: "p-1", expectedVersion: 1, unitId: ids.community })
        const before = yield* problemActions
        const stale = yield* Effect.flip(
          transition(admin, { _tag: "CloseOther", problemId: "p-1", expectedVersion: 1, reason: "withdrawn" })
        )
        expect(stale._tag).toBe("Conflict")
        expect(stale.message).toContain("version conflict: expected 1, current 2")
        const store = yield* ProblemStore
        expect((yield* store.events(ProblemId.make("p-1"))).length).toBe(2)
        expect((yield* store.get([ProblemId.make("p-1")]))[0]?.version).toBe(2)
        expect(yield* problemActions).toEqual(before)
      }))

    test("the store itself refuses a batch naming a stale version or a missing problem, before deciding", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        yield* register.registerMany(admin, [problem("p-1", ids.compound), problem("p-2", ids.compound)])
        yield* transition(admin, { _tag: "Assign", problemId: "p-1", expectedVersion: 1, unitId: ids.community })
        const store = yield* ProblemStore
        let decided = 0
        const close = (id: string, version: number) =>
          new Lifecycle.CloseOther({ problemId: ProblemId.make(id), expectedVersion: version, reason: "withdrawn" })
        const decide = (current: ReadonlyArray<Problem.Problem>) => {
          decided++
          return Either.all(
            current.map((found, index) =>
              Lifecycle.transition(found, [close("p-2", 1), close("p-1", 1)][index]!, admin.id, 0)
            )
          )
        }
        const stale = yield* Effect.flip(
          store.change(
            [
              { problemId: ProblemId.make("p-2"), expectedVersion: 1 },
              { problemId: ProblemId.make("p-1"), expectedVersion: 1 }
            ],
            decide
          )
        )
        expect(stale.message).toBe("Problem p-1: version conflict: expected 1, current 2")
        const missing = yield* Effect.flip(
          store.change([{ problemId: ProblemId.make("p-9"), expectedVersion: 1 }], decide)
        )
        expect(missing._tag).toBe("NotFound")
        expect(decided).toBe(0)
        expect((yield* store.events(ProblemId.make("p-1"))).length).toBe(2)
        expect((yield* store.events(ProblemId.make("p-2"))).length).toBe(1)
      }))

    test("a batch of transitions is stored whole, or not at all when one is refused", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        yield* register.registerMany(admin, [problem("p-1", ids.compound), problem("p-2", ids.compound)])
        const assign = (id: string, version: number) => ({
          _tag: "Assign",
          problemId: id,
          expectedVersion: version,
          unitId: ids.community
        })
        const refused = yield* Effect.flip(
          register.transitionMany(admin, [assign("p-1", 1), { _tag: "Rectify", problemId: "p-2", expectedVersion: 1 }])
        )
        expect(refused._tag).toBe("Invalid")
        expect(refused.message).toContain("[1]")
        const repeated = yield* Effect.flip(register.transitionMany(admin, [assign("p-1", 1), assign("p-1", 1)]))
        expect(repeated.message).toBe("[1].problemId: names problem p-1 again (first at [0])")
        const store = yield* ProblemStore
        expect((yield* store.get([ProblemId.make("p-1"), ProblemId.make("p-2")])).map((p) => p.version)).toEqual([1, 1])
        const done = yield* register.transitionMany(admin, [assign("p-2", 1), assign("p-1", 1)])
        expect(done.map(({ problem }) => [problem.id, problem.state, problem.version])).toEqual([
          ["p-2", "assigned", 2],
          ["p-1", "assigned", 2]
        ])
        expect((yield* store.events(ProblemId.make("p-1"))).map((event) => event.kind)).toEqual([
          "registered",
          "assigned"
        ])
      }))

    test("the escalation run escalates overdue problems level by level, once each, within scope", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        const { problem: registered } = yield* register.register(admin, problem("p-1", ids.compound))
        yield* transition(admin, { _tag: "Assign", problemId: "p-1", expectedVersion: 1, unitId: "110112001" })
        const run = register.escalateOverdue(admin, { under: Actor.NodePath.make("/110112/") })
        // Escalation every 3 days overdue (the default configuration): level 1 at deadline + 3 days.
        yield* TestClock.setTime(registered.deadlineAt + 3 * day - 1)
        expect(yield* run).toEqual([])
        yield* TestClock.setTime(registered.deadlineAt + 3 * day)
        const first = yield* run
        expect(first.map(({ event }) => [event.kind, event.escalatedTo])).toEqual([["escalated", "110112"]])
        expect(yield* run).toEqual([])
        // The district is the root: there is no level above it.
        yield* TestClock.setTime(registered.deadlineAt + 30 * day)
        expect(yield* run).toEqual([])
        const refused = yield* Effect.flip(
          register.escalateOverdue(zhongcangAdmin, { under: Actor.NodePath.make("/110112/") })
        )
        expect(refused._tag).toBe("Forbidden")
        const history = yield* register.history(admin, ProblemId.make("p-1"))
        expect(history.map((event) => event.kind)).toEqual(["registered", "assigned", "escalated"])
      }))

    test("an inspection's finding is de-duplicated against an open problem on the same place and category", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        const inspection = (id: string) => ({
          ...problem(id, ids.compound),
          source: { _tag: "FromInspection", visitId: "visit-1", itemCode: "bins" }
        })
        const batch = yield* register.registerMany(admin, [problem("p-1", ids.compound), inspection("p-2")])
        expect(batch.map((result) => [result.outcome, result.problem.id])).toEqual([
          ["registered", "p-1"],
          ["deduplicated", "p-1"]
        ])
        yield* transition(admin, { _tag: "CloseOther", problemId: "p-1", expectedVersion: 1, reason: "withdrawn" })
        const after = yield* register.register(admin, inspection("p-3"))
        expect([after.outcome, after.problem.id]).toEqual(["registered", "p-3"])
        const store = yield* ProblemStore
        expect((yield* store.get([ProblemId.make("p-2")])).length).toBe(0)
        const open = yield* store.open({ nodeIds: [Node.NodeId.make(ids.compound)] })
        expect(open.map((found) => found.id)).toEqual(["p-3"])
        expect(yield* problemActions).toEqual(["problem.registered", "problem.closedOther", "problem.registered"])
      }))

    test("of two concurrent transitions on one problem exactly one succeeds", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        yield* register.register(admin, problem("p-1", ids.compound))
        const results = yield* Effect.all(
          [
            Effect.either(
              transition(admin, { _tag: "Assign", problemId: "p-1", expectedVersion: 1, unitId: ids.community })
            ),
            Effect.either(
              transition(zhongcangAdmin, {
                _tag: "CloseOther",
                problemId: "p-1",
                expectedVersion: 1,
                reason: "withdrawn"
              })
            )
          ],
          { concurrency: 2 }
        )
        expect(results.filter(Either.isRight).length).toBe(1)
        const [lost] = results.filter(Either.isLeft)
        expect(lost?.left._tag).toBe("Conflict")
        const store = yield* ProblemStore
        expect((yield* store.events(ProblemId.make("p-1"))).map((event) => event.version)).toEqual([1, 2])
        expect((yield* problemActions).length).toBe(2)
      }))

    test("list pages through the problems under a path by filter; find keeps what the actor may read", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        for (const [index, id] of ["p-1", "p-2", "p-3"].entries()) {
          yield* TestClock.adjust(60_000 * (index + 1))
          yield* register.register(admin, {
            ...problem(id, ids.compound),
            categoryCode: index === 1 ? "signage-missing" : "bin-missing",
            attributes: index === 1 ? { sign: "sorting_guide" } : { stream: "kitchen" }
          })
        }
        yield* transition(admin, { _tag: "CloseOther", problemId: "p-3", expectedVersion: 1, reason: "withdrawn" })
        const page = (query: Record<string, unknown>) =>
          Effect.map(register.list(admin, { under: "/110112/", ...query }), ({ next, problems }) => ({
            ids: problems.map((p) => p.id),
            next
          }))
        expect((yield* page({})).ids).toEqual(["p-1", "p-2", "p-3"])
        expect((yield* page({ states: ["registered"] })).ids).toEqual(["p-1", "p-2"])
        expect((yield* page({ categoryCodes: ["signage-missing"] })).ids).toEqual(["p-2"])
        const first = yield* page({ limit: 2 })
        expect(first.ids).toEqual(["p-1", "p-2"])
        expect((yield* page({ limit: 2, cursor: first.next })).ids).toEqual(["p-3"])
        expect((yield* page({ limit: 2, cursor: first.next })).next).toBeNull()
        expect((yield* page({ overdue: true })).ids).toEqual([])
        yield* TestClock.adjust(30 * day)
        expect((yield* page({ overdue: true })).ids).toEqual(["p-1", "p-2"])
        // The actor's whole scope when no path is named; a path outside it is refused.
        expect((yield* register.list(zhongcangAdmin, {})).problems.map((p) => p.id)).toEqual(["p-1", "p-2", "p-3"])
        expect((yield* register.list(xinhuaAdmin, {})).problems).toEqual([])
        expect((yield* Effect.flip(register.list(xinhuaAdmin, { under: "/110112/110112001/" })))._tag).toBe("Forbidden")
        const bad = yield* Effect.flip(page({ cursor: "nonsense" }))
        expect(bad.message).toBe("query.cursor: is not a cursor this register gave")
        const wanted = ["p-3", "p-9", "p-1"].map((id) => ProblemId.make(id))
        expect((yield* register.find(admin, wanted)).map((p) => p.id)).toEqual(["p-3", "p-1"])
        expect(yield* register.find(xinhuaAdmin, wanted)).toEqual([])
        // Several problems' events in one read, by problem then version; unknown ids have none.
        const store = yield* ProblemStore
        const events = yield* store.eventsOf(wanted)
        expect(events.map((event) => `${event.problemId}.v${event.version}`)).toEqual(["p-1.v1", "p-3.v1", "p-3.v2"])
        expect(events).toEqual([
          ...(yield* store.events(ProblemId.make("p-1"))),
          ...(yield* store.events(ProblemId.make("p-3")))
        ])
      }))

    test("bad input is refused naming the field, and nothing is written", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        const unknown = yield* Effect.flip(
          register.register(admin, { ...problem("p-1", ids.compound), categoryCode: "bin-on-fire" })
        )
        expect(unknown.message).toBe("categoryCode: bin-on-fire is not a category")
        const missing = yield* Effect.flip(
          register.register(admin, { ...problem("p-2", ids.compound), attributes: { count: "two" } })
        )
        expect(missing.message).toContain("attributes.count: must be a number")
        expect(missing.message).toContain("attributes.stream: is required")
        const nowhere = yield* Effect.flip(register.register(admin, problem("p-3", "no-such-node")))
        expect(nowhere.message).toBe("nodeId: node no-such-node does not exist on 2023-03-06")
        const outside = yield* Effect.flip(register.register(xinhuaAdmin, problem("p-4", ids.compound)))
        expect(outside._tag).toBe("Forbidden")
        const notAllowed = yield* Effect.flip(register.register(rectifier, problem("p-5", ids.compound)))
        expect(notAllowed._tag).toBe("Forbidden")
        const batch = yield* Effect.flip(
          register.registerMany(admin, [problem("p-6", ids.compound), { ...problem("p-7", ids.compound), id: "" }])
        )
        expect(batch.message).toContain("[1].id")
        const store = yield* ProblemStore
        const written = yield* store.get(
          ["p-1", "p-2", "p-3", "p-4", "p-5", "p-6", "p-7"].map((id) => ProblemId.make(id))
        )
        expect(written).toEqual([])
        expect(yield* problemActions).toEqual([])
      }))

    test("stats for a month count what was registered and closed in it", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const register = yield* ProblemRegister
        yield* rectified("p-1", ids.compound, ids.community)
        yield* register.register(admin, problem("p-2", ids.compound))
        yield* register.register(admin, problem("p-3", ids.compound))
        yield* TestClock.setTime(instant("2023-03-20T02:00:00Z"))
        yield* transition(zhongcangAdmin, { _tag: "Reinspect", problemId: "p-1", expectedVersion: 3, outcome: "pass" })
        yield* transition(admin, { _tag: "CloseOther", problemId: "p-2", expectedVersion: 1, reason: "withdrawn" })
        yield* TestClock.setTime(instant("2023-05-02T02:00:00Z"))
        const inMarch = yield* register.stats(zhongcangAdmin, { under: zhongcang, period: march })
        const compound = inMarch.nodes.get(ids.compound)
        expect(compound).toMatchObject({
          opened: 3,
          closedFixed: 1,
          closedOther: 1,
          openAtEnd: 1,
          compounds: 1,
          perCompound: { numerator: 1, denominator: 1, value: 1 }
        })
        expect(compound?.timeToClose.count).toBe(2)
        expect(inMarch.nodes.get("110112001")).toMatchObject({ opened: 3, closedFixed: 1, openAtEnd: 1 })
        const inApril = yield* register.stats(zhongcangAdmin, { under: zhongcang, period: april })
        expect(inApril.nodes.get(ids.compound)).toMatchObject({ opened: 0, openAtStart: 1, openAtEnd: 1 })
        const store = yield* ProblemStore
        const on = [Node.NodeId.make(ids.compound)]
        const during = (from: string, to: string) =>
          Effect.map(store.open({ nodeIds: on, during: { from: instant(from), to: instant(to) } }), (found) =>
            found.map((p) => p.id)
          )
        expect(yield* during("2023-04-01T00:00:00Z", "2023-04-30T00:00:00Z")).toEqual(["p-3"])
        expect(yield* during("2023-03-20T02:00:00Z", "2023-03-20T02:00:00Z")).toEqual(["p-3"])
        expect(yield* during("2023-03-20T01:59:59Z", "2023-03-20T02:00:00Z")).toEqual(["p-1", "p-2", "p-3"])
        expect(yield* during("2023-03-01T00:00:00Z", "2023-03-06T01:59:59Z")).toEqual([])
        const refused = yield* Effect.flip(register.stats(xinhuaAdmin, { under: zhongcang, period: march }))
        expect(refused._tag).toBe("Forbidden")
        expect((yield* problemActions).length).toBe(7)
      }))
  })
}
