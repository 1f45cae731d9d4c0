/**
 * The duty conformance suite: shift templates, duty projects, sign-ups and check-ins through the
 * `DutyRoster` service over a store — idempotency, a grid worker's scope, no-shows and presence on
 * a hand-computed week, and the audit trail. Every adapter of `DutyStore` runs it:
 *
 * ```ts
 * DutySuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built, with the grid's, the audit log's
 * and the duty roster's ports over one database (so one transaction covers them all).
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period, type Permission } from "@sortgrid/core"
import { Grid, Node } from "@sortgrid/grid"
import { DutyRoster } from "@sortgrid/grid/DutyRoster"
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
  "grid-worker": ["grid.read", "duty.checkin", "duty.read"],
  volunteer: ["duty.signup"]
}

/**
 * The duty roster and the grid service over a store layer, with the audit log, the default
 * profile and the suite's grants (check-in times in Beijing time, the default).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Layer.mergeAll(DutyRoster.Default, Grid.Grid.Default).pipe(Layer.provideMerge(base(store, grants)))

const date = (text: string) => Period.IsoDate.make(text)
const path = (text: string) => Actor.NodePath.make(text)
const period = (id: string) => Either.getOrThrow(Period.parse(id))
/** An instant from a Beijing wall-clock time. */
const beijing = (day: string, time: string) => Date.parse(`${day}T${time}+08:00`)

const person = (id: string, role: string, scope: ReadonlyArray<string>) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: scope.map(path) })

/**
 * Tongzhou, and under one community of 中仓街道 two grids: g1 holds compound k1 with bin stations b1
 * and b2, g2 holds compound k2 with b3. Returns the paths.
 */
const setup = Effect.gen(function* () {
  const grid = yield* Grid.Grid
  yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
  const [community] = yield* grid.children(admin, Node.NodeId.make("110112001"), date("2023-03-01"))
  const c = community!.nodeId
  const opened = (id: string, kind: string, parentId: string) => ({
    id,
    kind,
    name: id,
    parentId,
    effectiveOn: "2023-05-01"
  })
  yield* grid.open(admin, [
    opened("duty-g1", "grid", c),
    opened("duty-g2", "grid", c),
    opened("duty-k1", "compound", "duty-g1"),
    opened("duty-k2", "compound", "duty-g2"),
    opened("duty-b1", "bin-station", "duty-k1"),
    opened("duty-b2", "bin-station", "duty-k1"),
    opened("duty-b3", "bin-station", "duty-k2")
  ])
  const communityPath = community!.path
  return {
    community: communityPath,
    g1: `${communityPath}duty-g1/`,
    g2: `${communityPath}duty-g2/`,
    k1: `${communityPath}duty-g1/duty-k1/`
  }
})

const window = {
  morning: { windowStart: "07:00", windowEnd: "09:00" },
  evening: { windowStart: "18:30", windowEnd: "20:30" }
}
const weekdays = [1, 2, 3, 4, 5]

/** Morning and evening templates, Monday to Friday from June 2023, at b1 and b2. */
const templates = ["b1", "b2"].flatMap((station) =>
  (["morning", "evening"] as const).map((shift) => ({
    id: `${station}-${shift}`,
    nodeId: `duty-${station}`,
    name: shift === "morning" ? "早班" : "晚班",
    ...window[shift],
    weekdays,
    validFrom: "2023-06-01"
  }))
)

/** One project per station, for the week of 5 June (Monday) to 11 June, one volunteer each. */
const projects = ["b1", "b2"].map((station) => ({
  id: `week23-${station}`,
  title: `${station} 桶前值守`,
  nodeId: "duty-k1",
  templateIds: [`${station}-morning`, `${station}-evening`],
  firstDay: "2023-06-05",
  lastDay: "2023-06-11",
  capacity: 1
}))

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (title: string, body: Effect.Effect<void, unknown, Grid.Grid | DutyRoster | AuditLog.AuditLog>) =>
    it.effect(title, () => Effect.provide(body, fresh))

  describe(`${name}: duty conformance`, () => {
    test(
      "templates, projects and sign-ups: retries replay, reused ids conflict, the rules refuse with reasons",
      Effect.gen(function* () {
        yield* setup
        const duty = yield* DutyRoster
        const log = yield* AuditLog.AuditLog
        const defined = yield* duty.defineTemplates(admin, templates)
        expect(defined.map((t) => [t.id, t.windowStart, t.validTo])).toEqual([
          ["b1-morning", "07:00", "9999-12-31"],
          ["b1-evening", "18:30", "9999-12-31"],
          ["b2-morning", "07:00", "9999-12-31"],
          ["b2-evening", "18:30", "9999-12-31"]
        ])
        const entries = (yield* log.read(admin)).length
        expect((yield* duty.defineTemplates(admin, templates)).map((t) => t.id)).toEqual(defined.map((t) => t.id))
        expect((yield* log.read(admin)).length).toBe(entries)
        const reused = yield* Effect.flip(duty.defineTemplates(admin, [{ ...templates[0]!, windowEnd: "09:30" }]))
        expect(reused._tag).toBe("Conflict")
        const overlapping = yield* Effect.flip(
          duty.defineTemplates(admin, [{ ...templates[0]!, id: "b1-late", windowStart: "09:10", windowEnd: "10:00" }])
        )
        expect(overlapping.message).toMatch(/^templates\[0\]\.windowStart: counting from 15 minutes before it opens/)
        const notStation = yield* Effect.flip(
          duty.defineTemplates(admin, [{ ...templates[0]!, id: "k1-morning", nodeId: "duty-k1" }])
        )
        expect(notStation.message).toBe("templates[0].nodeId: duty-k1 is a compound, not a bin-station")
        const bad = yield* Effect.flip(duty.defineTemplates(admin, [{ ...templates[0]!, windowStart: "7:00" }]))
        expect(bad._tag).toBe("Invalid")
        expect(bad.message).toContain("templates[0].windowStart")

        const posted = yield* duty.postProject(admin, projects[0])
        expect(posted.templateIds).toEqual(["b1-morning", "b1-evening"])
        expect(yield* duty.postProject(admin, projects[0])).toEqual(posted)
        const reusedProject = yield* Effect.flip(duty.postProject(admin, { ...projects[0]!, capacity: 3 }))
        expect(reusedProject._tag).toBe("Conflict")
        yield* duty.defineTemplates(admin, [
          { id: "b3-morning", nodeId: "duty-b3", name: "早班", ...window.morning, validFrom: "2023-06-01" }
        ])
        const elsewhere = yield* Effect.flip(
          duty.postProject(admin, { ...projects[0]!, id: "wrong-place", templateIds: ["b3-morning"] })
        )
        expect(elsewhere.message).toBe(
          "project.templateIds[0]: template b3-morning is at station duty-b3, which is not on or under duty-k1"
        )

        const volunteer = person("vol-1", "volunteer", ["/110112/"])
        const [own] = yield* duty.signUp(volunteer, [
          { id: "su-1", projectId: posted.id, personId: "vol-1", firstDay: "2023-06-05", lastDay: "2023-06-11" }
        ])
        expect(own?.personId).toBe("vol-1")
        const forOther = yield* Effect.flip(
          duty.signUp(volunteer, [
            { id: "su-2", projectId: posted.id, personId: "vol-2", firstDay: "2023-06-05", lastDay: "2023-06-06" }
          ])
        )
        expect(forOther._tag).toBe("Forbidden")
        const full = yield* Effect.flip(
          duty.signUp(admin, [
            { id: "su-3", projectId: posted.id, personId: "vol-3", firstDay: "2023-06-10", lastDay: "2023-06-11" }
          ])
        )
        expect(full).toMatchObject({ _tag: "Conflict", reason: "the project is full on 2023-06-10 (capacity 1)" })
        const noProject = yield* Effect.flip(
          duty.signUp(admin, [
            { id: "su-4", projectId: "nope", personId: "vol-3", firstDay: "2023-06-10", lastDay: "2023-06-11" }
          ])
        )
        expect(noProject.message).toBe("signUps[0].projectId: there is no duty project nope")
      })
    )

    test(
      "check-ins: recorded against their shift; the same id and content replays, other content is a Conflict",
      Effect.gen(function* () {
        yield* setup
        const duty = yield* DutyRoster
        const log = yield* AuditLog.AuditLog
        yield* duty.defineTemplates(admin, templates)
        const first = {
          id: "ci-1",
          personId: "vol-1",
          nodeId: "duty-b1",
          at: beijing("2023-06-05", "06:50:00"),
          location: { lon: 116.65, lat: 39.9 },
          evidence: "photos/ci-1.jpg"
        }
        const [recorded] = yield* duty.checkIn(admin, [first])
        expect(recorded).toMatchObject({
          id: "ci-1",
          date: "2023-06-05",
          templateId: "b1-morning",
          location: { lon: 116.65, lat: 39.9 },
          evidence: "photos/ci-1.jpg"
        })
        const entries = (yield* log.read(admin)).length
        const [again] = yield* duty.checkIn(admin, [first])
        expect(again).toEqual(recorded)
        expect((yield* log.read(admin)).length).toBe(entries)
        const conflict = yield* Effect.flip(duty.checkIn(admin, [{ ...first, at: first.at + 60_000 }]))
        expect(conflict).toMatchObject({ _tag: "Conflict", entity: "CheckIn", id: "ci-1" })
        const [outside] = yield* duty.checkIn(admin, [
          { id: "ci-2", personId: "vol-1", nodeId: "duty-b1", at: beijing("2023-06-05", "12:00:00") }
        ])
        expect([outside?.templateId, outside?.location, outside?.evidence]).toEqual([null, null, null])
        const unknown = yield* Effect.flip(duty.checkIn(admin, [{ ...first, id: "ci-3", nodeId: "nowhere" }]))
        expect(unknown.message).toBe("checkIns[0].nodeId: there is no node nowhere on 2023-06-05")
        const extra = yield* Effect.flip(duty.checkIn(admin, [{ ...first, id: "ci-4", by: "someone" }]))
        expect(extra._tag).toBe("Invalid")
      })
    )

    test(
      "a grid worker records check-ins only in their own grid",
      Effect.gen(function* () {
        const paths = yield* setup
        const duty = yield* DutyRoster
        const log = yield* AuditLog.AuditLog
        yield* duty.defineTemplates(admin, templates)
        const worker = person("worker-g1", "grid-worker", [paths.g1])
        const at = beijing("2023-06-05", "07:10:00")
        const [inside] = yield* duty.checkIn(worker, [{ id: "w-1", personId: "vol-1", nodeId: "duty-b1", at }])
        expect(inside?.templateId).toBe("b1-morning")
        const entries = (yield* log.read(admin)).length
        const elsewhere = yield* Effect.flip(
          duty.checkIn(worker, [{ id: "w-2", personId: "vol-2", nodeId: "duty-b3", at }])
        )
        expect(elsewhere._tag).toBe("Forbidden")
        const mixed = yield* Effect.flip(
          duty.checkIn(worker, [
            { id: "w-3", personId: "vol-1", nodeId: "duty-b2", at },
            { id: "w-4", personId: "vol-2", nodeId: "duty-b3", at }
          ])
        )
        expect(mixed._tag).toBe("Forbidden")
        expect((yield* log.read(admin)).length).toBe(entries)
        const otherWorker = person("worker-g2", "grid-worker", [paths.g2])
        const [b3] = yield* duty.checkIn(otherWorker, [{ id: "w-2", personId: "vol-2", nodeId: "duty-b3", at }])
        expect(b3?.nodeId).toBe("duty-b3")
        expect((yield* duty.presence(worker, { under: path(paths.g1), period: period("2023-06") })).stations).toBe(2)
        const wider = yield* Effect.flip(
          duty.presence(worker, { under: path(paths.community), period: period("2023-06") })
        )
        expect(wider._tag).toBe("Forbidden")
      })
    )

    test(
      "no-shows and presence: 2 stations × 2 shifts × 5 days, some check-ins missing, some outside the window",
      Effect.gen(function* () {
        const paths = yield* setup
        const duty = yield* DutyRoster
        yield* duty.defineTemplates(admin, templates)
        for (const project of projects) yield* duty.postProject(admin, project)
        yield* duty.signUp(admin, [
          { id: "su-b1", projectId: "week23-b1", personId: "vol-1", firstDay: "2023-06-05", lastDay: "2023-06-11" },
          { id: "su-b2", projectId: "week23-b2", personId: "vol-2", firstDay: "2023-06-05", lastDay: "2023-06-11" }
        ])
        const days = ["2023-06-05", "2023-06-06", "2023-06-07", "2023-06-08", "2023-06-09"]
        let n = 0
        const seen = (personId: string, station: string, day: string, time: string) => ({
          id: `hand-${n++}`,
          personId,
          nodeId: `duty-${station}`,
          at: beijing(day, time)
        })
        yield* duty.checkIn(admin, [
          // vol-1 at b1: Tuesday evening missing; Wednesday morning at 09:05, after the window.
          ...days.filter((d) => d !== "2023-06-07").map((d) => seen("vol-1", "b1", d, "07:10:00")),
          seen("vol-1", "b1", "2023-06-07", "09:05:00"),
          ...days.filter((d) => d !== "2023-06-06").map((d) => seen("vol-1", "b1", d, "18:40:00")),
          // vol-2 at b2: every morning (Monday at 06:50, inside the 15 minutes); evenings Monday and
          // Tuesday only, and Wednesday at 18:10, before the 15 minutes start.
          ...days.map((d, i) => seen("vol-2", "b2", d, i === 0 ? "06:50:00" : "07:05:00")),
          seen("vol-2", "b2", "2023-06-05", "19:00:00"),
          seen("vol-2", "b2", "2023-06-06", "20:29:00"),
          seen("vol-2", "b2", "2023-06-07", "18:10:00"),
          // vol-1 standing in at b2 covers nobody's shift: vol-1 did not sign up there.
          seen("vol-1", "b2", "2023-06-08", "19:00:00")
        ])
        const june = yield* duty.presence(admin, { under: path(paths.community), period: period("2023-06") })
        expect([june.expected, june.covered, june.rate, june.stations, june.asOf]).toEqual([
          20,
          15,
          0.75,
          3,
          "2023-06-30"
        ])
        const rows = (p: string) => june.byNode.find((node) => node.path === p)
        expect([rows(paths.community)?.covered, rows(paths.community)?.expected]).toEqual([15, 20])
        expect([rows(paths.g1)?.covered, rows(paths.g1)?.expected]).toEqual([15, 20])
        expect([rows(paths.g2)?.expected, rows(paths.g2)?.rate]).toEqual([0, null])
        expect(
          june.byNode
            .filter((node) => node.nodeId.startsWith("duty-b"))
            .map((node) => [node.nodeId, node.covered, node.expected])
        ).toEqual([
          ["duty-b1", 8, 10],
          ["duty-b2", 7, 10],
          ["duty-b3", 0, 0]
        ])
        const week = yield* duty.noShows(admin, { under: path(paths.g1), period: period("2023-W23") })
        expect([week.expected, week.covered, week.rate, week.period]).toEqual([20, 15, 0.75, "2023-W23"])
        expect(week.noShows.map((s) => `${s.date} ${s.nodeId} ${s.windowStart}-${s.windowEnd} ${s.personId}`)).toEqual([
          "2023-06-06 duty-b1 18:30-20:30 vol-1",
          "2023-06-07 duty-b1 07:00-09:00 vol-1",
          "2023-06-07 duty-b2 18:30-20:30 vol-2",
          "2023-06-08 duty-b2 18:30-20:30 vol-2",
          "2023-06-09 duty-b2 18:30-20:30 vol-2"
        ])
        const tuesday = yield* duty.presence(admin, { under: path(paths.k1), period: period("2023-06-06") })
        expect([tuesday.expected, tuesday.covered]).toEqual([4, 3])
        const quarter = yield* duty.presence(admin, { under: path("/110112/"), period: period("2023-Q2") })
        expect([quarter.expected, quarter.covered]).toEqual([20, 15])
        const may = yield* duty.presence(admin, { under: path(paths.community), period: period("2023-05") })
        expect([may.expected, may.covered, may.rate]).toEqual([0, 0, null])
      })
    )

    test(
      "every duty change is in the audit chain, and the chain verifies",
      Effect.gen(function* () {
        yield* setup
        const duty = yield* DutyRoster
        yield* duty.defineTemplates(admin, templates)
        yield* duty.postProject(admin, projects[0])
        yield* duty.signUp(admin, [
          { id: "su-a", projectId: "week23-b1", personId: "vol-1", firstDay: "2023-06-05", lastDay: "2023-06-11" }
        ])
        yield* duty.checkIn(admin, [
          { id: "ci-a", personId: "vol-1", nodeId: "duty-b1", at: beijing("2023-06-05", "07:00:00") }
        ])
        const log = yield* AuditLog.AuditLog
        const entries = yield* log.read(admin)
        const dutyEntries = entries.filter((entry) => entry.action.startsWith("duty."))
        expect(dutyEntries.map((entry) => [entry.action, entry.subject, entry.actor])).toEqual([
          ["duty.templatesDefined", "templates:4", admin.id],
          ["duty.projectPosted", "project:week23-b1", admin.id],
          ["duty.signedUp", "signUps:su-a", admin.id],
          ["duty.checkedIn", "checkIns:ci-a", admin.id]
        ])
        expect(dutyEntries[0]!.payload).toMatchObject({ count: 4, ids: templates.map((t) => t.id) })
        expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact", entries: entries.length })
      })
    )
  })
}
