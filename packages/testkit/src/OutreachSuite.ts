/**
 * The outreach conformance suite: campaign events and monthly themes through the `OutreachEvents`
 * service over a store — idempotent batches, permissions, stats per node and period for the five
 * campaign kinds, and the audit trail. Every adapter of `OutreachStore` runs it:
 *
 * ```ts
 * OutreachSuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built, with the grid's, the audit log's
 * and the outreach ports over one database.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period, type Permission } from "@sortgrid/core"
import { Grid, Node } from "@sortgrid/grid"
import { OutreachEvents } from "@sortgrid/grid/OutreachEvents"
import { Effect, Either, Layer } from "effect"
import { admin, base, type Store } from "./Fixtures.js"
import * as Tongzhou from "./Tongzhou.js"

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "community-worker": ["grid.read", "outreach.record", "outreach.read"]
}

/**
 * The outreach service and the grid service over a store layer, with the audit log, the default
 * profile and the suite's grants.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Layer.mergeAll(OutreachEvents.Default, Grid.Grid.Default).pipe(Layer.provideMerge(base(store, grants)))

const path = (text: string) => Actor.NodePath.make(text)
const period = (id: string) => Either.getOrThrow(Period.parse(id))

/**
 * Tongzhou; under the first community of 中仓街道 a grid with a school and a plaza; and a
 * government root with a department that organises events.
 */
const setup = Effect.gen(function* () {
  const grid = yield* Grid.Grid
  yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
  const [first, second] = yield* grid.children(admin, Node.NodeId.make("110112001"), Tongzhou.openedOn)
  const opened = (id: string, kind: string, parentId: string | null) => ({
    id,
    kind,
    name: id,
    parentId,
    effectiveOn: "2023-01-01"
  })
  yield* grid.open(admin, [
    opened("out-g1", "grid", first!.nodeId),
    opened("out-school", "school", "out-g1"),
    opened("out-plaza", "plaza", "out-g1"),
    opened("gov", "government", null),
    opened("dept-uma", "department", "gov")
  ])
  return {
    community: first!.nodeId,
    communityPath: first!.path,
    grid: `${first!.path}out-g1/`,
    other: second!.nodeId,
    otherPath: second!.path
  }
})

const event = (fields: {
  readonly id: string
  readonly kind: string
  readonly date: string
  readonly nodeId: string
  readonly participants: number
  readonly households: number
}) => ({ title: "垃圾分类宣传", organiserId: "dept-uma", ...fields })

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (title: string, body: Effect.Effect<void, unknown, Grid.Grid | OutreachEvents | AuditLog.AuditLog>) =>
    it.effect(title, () => Effect.provide(body, fresh))

  describe(`${name}: outreach conformance`, () => {
    test(
      "stats per node and period: the five kinds, participants and households, with the parts",
      Effect.gen(function* () {
        const at = yield* setup
        const outreach = yield* OutreachEvents
        yield* outreach.record(admin, [
          event({
            id: "e1",
            kind: "school",
            date: "2023-06-03",
            nodeId: "out-school",
            participants: 120,
            households: 80
          }),
          event({
            id: "e2",
            kind: "village",
            date: "2023-06-10",
            nodeId: at.community,
            participants: 40,
            households: 35
          }),
          event({
            id: "e3",
            kind: "enterprise",
            date: "2023-06-12",
            nodeId: "out-g1",
            participants: 25,
            households: 0
          }),
          event({
            id: "e4",
            kind: "community",
            date: "2023-06-17",
            nodeId: at.community,
            participants: 60,
            households: 50
          }),
          event({
            id: "e5",
            kind: "plaza",
            date: "2023-06-24",
            nodeId: "out-plaza",
            participants: 300,
            households: 120
          }),
          event({ id: "e6", kind: "plaza", date: "2023-06-24", nodeId: at.other, participants: 10, households: 5 }),
          event({
            id: "e7",
            kind: "school",
            date: "2023-07-01",
            nodeId: "out-school",
            participants: 99,
            households: 99
          }),
          event({
            id: "e8",
            kind: "community",
            date: "2023-05-20",
            nodeId: at.community,
            participants: 30,
            households: 30
          })
        ])
        const june = yield* outreach.stats(admin, { under: path(at.communityPath), period: period("2023-06") })
        expect([june.events, june.participants, june.households, june.period, june.asOf]).toEqual([
          5,
          545,
          285,
          "2023-06",
          "2023-06-30"
        ])
        expect(june.byKind).toEqual({
          school: { events: 1, participants: 120, households: 80 },
          village: { events: 1, participants: 40, households: 35 },
          enterprise: { events: 1, participants: 25, households: 0 },
          community: { events: 1, participants: 60, households: 50 },
          plaza: { events: 1, participants: 300, households: 120 }
        })
        expect(june.byNode.map((node) => [node.path, node.events, node.participants, node.households])).toEqual([
          [at.communityPath, 5, 545, 285],
          [at.grid, 3, 445, 200],
          [`${at.grid}out-plaza/`, 1, 300, 120],
          [`${at.grid}out-school/`, 1, 120, 80]
        ])
        const quarter = yield* outreach.stats(admin, { under: path(at.communityPath), period: period("2023-Q2") })
        expect([quarter.events, quarter.byKind.community.events]).toEqual([6, 2])
        const district = yield* outreach.stats(admin, { under: path("/110112/"), period: period("2023-06") })
        expect([district.events, district.byKind.plaza.events, district.byKind.plaza.participants]).toEqual([6, 2, 310])
        const subdistrict = district.byNode.find((node) => node.path === "/110112/110112001/")
        expect(subdistrict?.events).toBe(6)
        const july = yield* outreach.stats(admin, { under: path(at.grid), period: period("2023-07") })
        expect([july.events, july.byKind.school.households]).toEqual([1, 99])
        const empty = yield* outreach.stats(admin, { under: path(at.grid), period: period("2023-08") })
        expect([empty.events, empty.byNode]).toEqual([0, []])
      })
    )

    test(
      "a batch is idempotent: a retry changes nothing, a reused id is a Conflict, bad input names the field",
      Effect.gen(function* () {
        const at = yield* setup
        const outreach = yield* OutreachEvents
        const log = yield* AuditLog.AuditLog
        const batch = [
          event({
            id: "r1",
            kind: "school",
            date: "2023-06-03",
            nodeId: "out-school",
            participants: 10,
            households: 8
          }),
          event({ id: "r2", kind: "plaza", date: "2023-06-04", nodeId: "out-plaza", participants: 50, households: 20 })
        ]
        const first = yield* outreach.record(admin, batch)
        expect(first.map((e) => [e.id, e.notes])).toEqual([
          ["r1", null],
          ["r2", null]
        ])
        const entries = (yield* log.read(admin)).length
        expect(yield* outreach.record(admin, batch)).toEqual(first)
        expect((yield* log.read(admin)).length).toBe(entries)
        const reused = yield* Effect.flip(outreach.record(admin, [{ ...batch[0]!, participants: 11 }]))
        expect(reused).toMatchObject({ _tag: "Conflict", entity: "OutreachEvent", id: "r1" })
        const stats = yield* outreach.stats(admin, { under: path(at.grid), period: period("2023-06") })
        expect([stats.events, stats.participants]).toEqual([2, 60])
        const badKind = yield* Effect.flip(outreach.record(admin, [{ ...batch[0]!, id: "r3", kind: "market" }]))
        expect(badKind._tag).toBe("Invalid")
        expect(badKind.message).toContain("events[0].kind")
        const nowhere = yield* Effect.flip(outreach.record(admin, [{ ...batch[0]!, id: "r4", nodeId: "nowhere" }]))
        expect(nowhere.message).toBe("events[0].nodeId: there is no node nowhere on 2023-06-03")
        const early = yield* Effect.flip(outreach.record(admin, [{ ...batch[0]!, id: "r5", date: "2022-12-31" }]))
        expect(early.message).toBe("events[0].nodeId: there is no node out-school on 2022-12-31")
      })
    )

    test(
      "monthly themes: set on the district, shown in the stats below it; setting again replaces and is audited",
      Effect.gen(function* () {
        const at = yield* setup
        const outreach = yield* OutreachEvents
        const log = yield* AuditLog.AuditLog
        const first = yield* outreach.setTheme(admin, { nodeId: "110112", month: "2023-06", title: "垃圾分类进校园" })
        expect(first.previous).toBeNull()
        const same = yield* outreach.setTheme(admin, { nodeId: "110112", month: "2023-06", title: "垃圾分类进校园" })
        expect(same.previous).toBeNull()
        const replaced = yield* outreach.setTheme(admin, {
          nodeId: "110112",
          month: "2023-06",
          title: "垃圾分类进社区"
        })
        expect(replaced.previous?.title).toBe("垃圾分类进校园")
        yield* outreach.setTheme(admin, { nodeId: "110112", month: "2023-07", title: "七月主题" })
        const june = yield* outreach.stats(admin, { under: path(at.grid), period: period("2023-06") })
        expect(june.themes.map((t) => [t.nodeId, t.month, t.title])).toEqual([["110112", "2023-06", "垃圾分类进社区"]])
        const summer = yield* outreach.stats(admin, { under: path(at.grid), period: period("2023-Q3") })
        expect(summer.themes.map((t) => t.month)).toEqual(["2023-07"])
        const themeEntries = (yield* log.read(admin)).filter((entry) => entry.action === "outreach.themeSet")
        expect(themeEntries.map((entry) => entry.payload)).toEqual([
          { nodeId: "110112", month: "2023-06", title: "垃圾分类进校园", description: null, previous: null },
          {
            nodeId: "110112",
            month: "2023-06",
            title: "垃圾分类进社区",
            description: null,
            previous: { title: "垃圾分类进校园", description: null }
          },
          { nodeId: "110112", month: "2023-07", title: "七月主题", description: null, previous: null }
        ])
        const badMonth = yield* Effect.flip(
          outreach.setTheme(admin, { nodeId: "110112", month: "2023-13", title: "x" })
        )
        expect(badMonth.message).toContain("theme.month")
      })
    )

    test(
      "a community worker records and reads only in their community, and every event batch is audited",
      Effect.gen(function* () {
        const at = yield* setup
        const outreach = yield* OutreachEvents
        const worker = new Actor.Actor({
          id: Actor.ActorId.make("worker-c1"),
          roles: [Actor.Role.make("community-worker")],
          scope: [path(at.communityPath)]
        })
        yield* outreach.record(worker, [
          event({ id: "w1", kind: "community", date: "2023-06-03", nodeId: "out-g1", participants: 5, households: 5 })
        ])
        const outside = yield* Effect.flip(
          outreach.record(worker, [
            event({ id: "w2", kind: "community", date: "2023-06-03", nodeId: at.other, participants: 5, households: 5 })
          ])
        )
        expect(outside._tag).toBe("Forbidden")
        const wider = yield* Effect.flip(outreach.stats(worker, { under: path("/110112/"), period: period("2023-06") }))
        expect(wider._tag).toBe("Forbidden")
        const theme = yield* Effect.flip(
          outreach.setTheme(worker, { nodeId: at.community, month: "2023-06", title: "x" })
        )
        expect(theme._tag).toBe("Forbidden")
        const log = yield* AuditLog.AuditLog
        const entries = yield* log.read(admin)
        const recorded = entries.filter((entry) => entry.action === "outreach.eventsRecorded")
        expect(recorded.map((entry) => [entry.actor, entry.subject])).toEqual([["worker-c1", "event:w1"]])
        expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact", entries: entries.length })
      })
    )
  })
}
