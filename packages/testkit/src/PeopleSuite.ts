/**
 * The people conformance suite: people, dated assignments, the actors they make, permissions and
 * roster imports (CSV and XLSX), through the `People` service over a store, on the real Tongzhou
 * tree. Every adapter of `PeopleStore` runs it:
 *
 * ```ts
 * PeopleSuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built, with every port the grid service
 * needs besides.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period, type Permission } from "@sortgrid/core"
import { Grid, Profile } from "@sortgrid/grid"
import * as People from "@sortgrid/grid/People"
import { PersonId } from "@sortgrid/grid/Person"
import * as Spreadsheet from "@sortgrid/grid/Spreadsheet"
import { Effect, Layer } from "effect"
import { admin, base, type Store, zhongcangAdmin } from "./Fixtures.js"
import * as Synthetic from "./Synthetic.js"
import * as Tongzhou from "./Tongzhou.js"

const date = (text: string) => Period.IsoDate.make(text)
const path = (text: string) => Actor.NodePath.make(text)

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "subdistrict-admin": ["grid.read", "grid.edit", "people.read", "people.edit"],
  "grid-worker": ["grid.read"],
  volunteer: ["grid.read"]
}

/**
 * The grid and people services over a store layer, with the audit log, the default profile and the
 * suite's grants.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Layer.mergeAll(Grid.Grid.Default, People.People.Default).pipe(Layer.provideMerge(base(store, grants)))

/** 悟仙观社区 (110112001006) in 中仓街道, and 天桥湾社区 (110112002001) in 新华街道. */
const wuxianguan = "/110112/110112001/110112001006/"
const g1 = `${wuxianguan}zc-g1/`
const g2 = `${wuxianguan}zc-g2/`
const outside = "/110112/110112002/110112002001/xh-g1/"

/** Tongzhou, and three grids: two in 中仓 (with codes other than their ids) and one in 新华. */
const setup = Effect.gen(function* () {
  const grid = yield* Grid.Grid
  yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
  yield* grid.open(admin, [
    {
      id: "zc-g1",
      kind: "grid",
      name: "悟仙观一网格",
      code: "WXG-1",
      parentId: "110112001006",
      effectiveOn: "2023-01-01"
    },
    {
      id: "zc-g2",
      kind: "grid",
      name: "悟仙观二网格",
      code: "WXG-2",
      parentId: "110112001006",
      effectiveOn: "2023-01-01"
    },
    {
      id: "xh-g1",
      kind: "grid",
      name: "天桥湾一网格",
      code: "TQW-1",
      parentId: "110112002001",
      effectiveOn: "2023-01-01"
    }
  ])
})

const phone = "13800138000"

const rosterCsv = [
  "personId,name,phone,role,node,from,to",
  `p-zhang,张伟,${phone},grid-worker,zc-g1,2023-01-15,`,
  "p-wang,王芳,,volunteer,110112001006,2023-02-01,2023-12-31",
  `p-zhang,张伟,${phone},party-member,WXG-2,2023-03-01,`,
  "p-liu,刘洋,,janitor,zc-g1,2023-01-15,",
  "p-zhao,赵磊,,volunteer,999999,2023-01-15,",
  "p-sun,孙丽,,volunteer,zc-g1,2023-02-30,",
  "p-zhou,周杰,,volunteer,zc-g1,2023-05-01,2023-04-01",
  `p-zhang,张伟,${phone},grid-worker,zc-g1,2023-01-15,`,
  "p-wu,吴敏,1380013800x,volunteer,zc-g1,2023-01-15,",
  "p-wang,王小芳,,volunteer,zc-g1,2023-01-15,"
].join("\n")

const rosterIssues = [
  "rows[5].role: must be one of grid-worker, party-member, volunteer, building-leader, alley-steward, welfare-post-worker, property-staff, inspector, department-official, subdistrict-admin, district-admin",
  "rows[6].node: no node with id or code 999999 stands on 2023-01-15",
  "rows[7].from: day 30 is not between 01 and 28 in 2023-02",
  "rows[8].to: must be after from (2023-05-01)",
  "rows[9].from: repeats row 2",
  "rows[10].phone: must be a phone number: digits, with an optional leading + and spaces or dashes between",
  "rows[11].name: differs from row 3 for person p-wang"
]

const xlsxHeader = ["personId", "name", "phone", "role", "node", "from", "to"]
const day = (text: string) => new Date(`${text}T00:00:00Z`)

const xlsxRows: ReadonlyArray<ReadonlyArray<Spreadsheet.CellValue>> = [
  ["p-li", "李雷", "13900139000", "grid-worker", "zc-g1", day("2023-01-15"), null],
  ["p-han", "韩梅梅", null, "volunteer", "110112001006", "2023-02-01", day("2023-12-31")],
  ["p-wang5", "王五", null, "volunteer", "zc-g1", new Date("2023-03-01T08:30:00Z"), null],
  ["p-zhao6", "赵六", null, "volunteer", "zc-g1", 45000, null],
  ["p-qian7", "钱七", null, "cleaner", "zc-g1", day("2023-01-15"), null]
]

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (title: string, body: Effect.Effect<void, unknown, Grid.Grid | People.People | AuditLog.AuditLog>) =>
    it.effect(title, () => Effect.provide(Effect.zipRight(setup, body), fresh))

  describe(`${name}: people conformance`, () => {
    test(
      "registers people; a retry returns the stored person, a reused id with other details is a Conflict, and a phone number never prints",
      Effect.gen(function* () {
        const people = yield* People.People
        const batch = [
          { id: "p-wang", name: "王芳", phone },
          { id: "p-li", name: "李强" }
        ]
        const first = yield* people.registerPeople(admin, batch)
        expect(first.map((person) => [person.id, person.name, person.phone === null])).toEqual([
          ["p-wang", "王芳", false],
          ["p-li", "李强", true]
        ])
        expect(`${String(first[0])} ${JSON.stringify(first)}`).not.toContain(phone)
        const retry = yield* people.registerPeople(admin, batch)
        expect(retry.map((person) => person.id)).toEqual(["p-wang", "p-li"])
        const reused = yield* Effect.flip(
          people.registerPeople(admin, [{ id: "p-wang", name: "王芳", phone: "13900139000" }])
        )
        expect(reused._tag).toBe("Conflict")
        expect(reused.message).toBe("Person p-wang: a person with this id is registered with other details")
        const malformed = yield* Effect.flip(
          people.registerPeople(admin, [{ id: "p-x", name: "x", phone: "1380013800x" }])
        )
        expect(malformed.message).toBe(
          "people[0].phone: must be a phone number: digits, with an optional leading + and spaces or dashes between"
        )
        const log = yield* AuditLog.AuditLog
        const entries = (yield* log.read(admin)).filter((entry) => entry.action.startsWith("people."))
        expect(entries.map((entry) => [entry.action, entry.payload])).toEqual([
          ["people.registered", { source: "register", count: 2, people: ["p-wang", "p-li"] }]
        ])
      })
    )

    test(
      "the seeded workforce registers and places through the service: grid workers get their grid as scope",
      Effect.gen(function* () {
        const grid = yield* Grid.Grid
        const people = yield* People.People
        const communities = (yield* grid.subtree(admin, {
          under: path("/110112/110112001/"),
          asOf: date("2023-01-01"),
          kinds: [Profile.NodeKind.make("community"), Profile.NodeKind.make("village")]
        })).map((version) => ({
          id: version.nodeId,
          kind: version.kind as "community" | "village",
          setting: "urban" as const
        }))
        const nodes = Synthetic.district({ seed: 7, communities, effectiveOn: "2023-01-01" })
        yield* grid.open(admin, nodes)
        const grids = nodes.filter((node) => node.kind === "grid").map((node) => node.id)
        const workers = Synthetic.workforce({
          seed: 7,
          grids,
          communities: communities.map((c) => c.id),
          effectiveOn: "2023-01-01"
        }).slice(0, 400)
        yield* people.registerPeople(
          admin,
          workers.map((w) => w.person)
        )
        yield* people.assign(
          admin,
          workers.map((w) => w.assignment)
        )
        const first = workers[0]!
        const actor = yield* people.actorFor(PersonId.make(first.person.id), date("2023-03-01"))
        expect(actor.roles).toEqual(["grid-worker"])
        expect(actor.scope).toEqual([
          `/110112/110112001/${first.assignment.nodeId.replace(/-g\d+$/, "")}/${first.assignment.nodeId}/`
        ])
      })
    )

    test(
      "an assignment is dated: the actor as of a date before, within and after it",
      Effect.gen(function* () {
        const people = yield* People.People
        yield* people.registerPeople(admin, [{ id: "p-zhang", name: "张伟" }])
        yield* people.assign(admin, [
          { id: "a-1", personId: "p-zhang", role: "grid-worker", nodeId: "zc-g1", validFrom: "2023-03-01" }
        ])
        const ended = yield* people.endAssignments(admin, [{ assignmentId: "a-1", effectiveOn: "2023-07-01" }])
        expect(ended.map((a) => [a.validFrom, a.validTo])).toEqual([["2023-03-01", "2023-07-01"]])
        const actorOn = (asOf: string) => people.actorFor(personId("p-zhang"), date(asOf))
        const before = yield* actorOn("2023-02-28")
        expect([before.id, before.roles, before.scope]).toEqual(["p-zhang", [], []])
        for (const within of ["2023-03-01", "2023-06-30"]) {
          const actor = yield* actorOn(within)
          expect([actor.roles, actor.scope]).toEqual([["grid-worker"], [g1]])
        }
        const after = yield* actorOn("2023-07-01")
        expect([after.roles, after.scope]).toEqual([[], []])
        for (const [asOf, held] of [
          ["2023-02-28", []],
          ["2023-03-01", ["a-1"]],
          ["2023-07-01", []]
        ] as const) {
          const found = yield* people.assignments(admin, { personId: "p-zhang", asOf })
          expect(found.map((a) => a.id)).toEqual(held)
        }
        const again = yield* people.endAssignments(admin, [{ assignmentId: "a-1", effectiveOn: "2023-07-01" }])
        expect(again[0]?.validTo).toBe("2023-07-01")
        const moved = yield* Effect.flip(
          people.endAssignments(admin, [{ assignmentId: "a-1", effectiveOn: "2023-06-01" }])
        )
        expect(moved._tag).toBe("Conflict")
        expect(moved.message).toContain("already ends on 2023-07-01")
        const missing = yield* Effect.flip(
          people.endAssignments(admin, [{ assignmentId: "a-none", effectiveOn: "2023-06-01" }])
        )
        expect(missing._tag).toBe("NotFound")
        const log = yield* AuditLog.AuditLog
        const actions = (yield* log.read(admin)).map((entry) => entry.action)
        expect(actions.filter((action) => action.startsWith("people."))).toEqual([
          "people.registered",
          "people.assigned",
          "people.assignmentsEnded"
        ])
      })
    )

    test(
      "actorFor gives a grid worker their grid's path as scope, and that actor passes only the checks inside it",
      Effect.gen(function* () {
        const people = yield* People.People
        yield* people.registerPeople(admin, [{ id: "p-zhang", name: "张伟" }])
        yield* people.assign(admin, [
          { id: "a-1", personId: "p-zhang", role: "grid-worker", nodeId: "zc-g1", validFrom: "2023-01-01" },
          { id: "a-2", personId: "p-zhang", role: "volunteer", nodeId: "xh-g1", validFrom: "2023-02-01" }
        ])
        const january = yield* people.actorFor(personId("p-zhang"), date("2023-01-15"))
        expect([january.roles, january.scope]).toEqual([["grid-worker"], [g1]])
        const grid = yield* Grid.Grid
        const own = yield* grid.subtree(january, { under: path(g1), asOf: date("2023-01-15") })
        expect(own.map((version) => version.nodeId)).toEqual(["zc-g1"])
        const community = yield* Effect.flip(
          grid.subtree(january, { under: path(wuxianguan), asOf: date("2023-01-15") })
        )
        expect(community._tag).toBe("Forbidden")
        const march = yield* people.actorFor(personId("p-zhang"), date("2023-03-01"))
        expect([march.roles, march.scope]).toEqual([
          ["grid-worker", "volunteer"],
          [g1, outside]
        ])
        const nobody = yield* Effect.flip(people.actorFor(personId("p-nobody"), date("2023-03-01")))
        expect(nobody._tag).toBe("NotFound")
      })
    )

    test(
      "assignment rules: a registered person, a node standing on the first day, no overlap for the same person, role and node, an end after the start; a retry replays",
      Effect.gen(function* () {
        const people = yield* People.People
        yield* people.registerPeople(admin, [{ id: "p-zhang", name: "张伟" }])
        const assignment = (fields: Record<string, string>) => ({
          id: "a-1",
          personId: "p-zhang",
          role: "grid-worker",
          nodeId: "zc-g1",
          validFrom: "2023-03-01",
          ...fields
        })
        const failure = (fields: Record<string, string>) =>
          Effect.map(Effect.flip(people.assign(admin, [assignment(fields)])), (error) => error.message)
        expect(yield* failure({ personId: "p-nobody" })).toBe("assignments[0].personId: p-nobody is not registered")
        expect(yield* failure({ nodeId: "no-such-node" })).toBe(
          "assignments[0].nodeId: node no-such-node does not stand on 2023-03-01"
        )
        expect(yield* failure({ validFrom: "2022-12-01" })).toBe(
          "assignments[0].nodeId: node zc-g1 does not stand on 2022-12-01"
        )
        expect(yield* failure({ validTo: "2023-03-01" })).toBe(
          "assignments[0].validTo: must be after validFrom (2023-03-01)"
        )
        expect(yield* failure({ role: "janitor" })).toContain("assignments[0].role: must be one of grid-worker")
        const [first] = yield* people.assign(admin, [assignment({})])
        const [retry] = yield* people.assign(admin, [assignment({})])
        expect(retry).toEqual(first)
        const reused = yield* Effect.flip(people.assign(admin, [assignment({ nodeId: "zc-g2" })]))
        expect(reused.message).toBe("Assignment a-1: the id was already used with different content")
        const overlap = yield* Effect.flip(people.assign(admin, [assignment({ id: "a-2", validFrom: "2023-05-01" })]))
        expect(overlap.message).toBe(
          "Assignment a-2: it overlaps assignment a-1 (from 2023-03-01, open-ended) of p-zhang as grid-worker at zc-g1"
        )
        const before = yield* people.assign(admin, [
          assignment({ id: "a-3", validFrom: "2023-01-01", validTo: "2023-03-01" }),
          assignment({ id: "a-4", role: "volunteer", validFrom: "2023-05-01" })
        ])
        expect(before.map((a) => a.id)).toEqual(["a-3", "a-4"])
        const early = yield* Effect.flip(
          people.endAssignments(admin, [{ assignmentId: "a-4", effectiveOn: "2023-05-01" }])
        )
        expect(early.message).toBe("ends[0].effectiveOn: must be after the assignment starts (2023-05-01)")
        const held = yield* people.assignments(admin, { personId: "p-zhang", asOf: "2023-06-01" })
        expect(held.map((a) => [a.id, a.role])).toEqual([
          ["a-1", "grid-worker"],
          ["a-4", "volunteer"]
        ])
        const log = yield* AuditLog.AuditLog
        expect((yield* log.read(admin)).filter((entry) => entry.action === "people.assigned").length).toBe(2)
      })
    )

    test(
      "a subdistrict admin assigns, ends and reads assignments only inside their subdistrict",
      Effect.gen(function* () {
        const people = yield* People.People
        yield* people.registerPeople(zhongcangAdmin, [{ id: "p-zhang", name: "张伟" }])
        yield* people.assign(zhongcangAdmin, [
          { id: "a-in", personId: "p-zhang", role: "grid-worker", nodeId: "zc-g1", validFrom: "2023-01-01" }
        ])
        const outsideAssign = yield* Effect.flip(
          people.assign(zhongcangAdmin, [
            { id: "a-in-2", personId: "p-zhang", role: "volunteer", nodeId: "zc-g2", validFrom: "2023-01-01" },
            { id: "a-out", personId: "p-zhang", role: "volunteer", nodeId: "xh-g1", validFrom: "2023-01-01" }
          ])
        )
        expect(outsideAssign._tag).toBe("Forbidden")
        expect(yield* people.assignments(admin, { under: "/", asOf: "2023-02-01" })).toHaveLength(1)
        yield* people.assign(admin, [
          { id: "a-out", personId: "p-zhang", role: "volunteer", nodeId: "xh-g1", validFrom: "2023-01-01" }
        ])
        const endOutside = yield* Effect.flip(
          people.endAssignments(zhongcangAdmin, [{ assignmentId: "a-out", effectiveOn: "2023-06-01" }])
        )
        expect(endOutside._tag).toBe("Forbidden")
        const mine = yield* people.assignments(zhongcangAdmin, { personId: "p-zhang", asOf: "2023-02-01" })
        expect(mine.map((a) => a.id)).toEqual(["a-in"])
        const everything = yield* people.assignments(admin, { personId: "p-zhang", asOf: "2023-02-01" })
        expect(everything.map((a) => a.id)).toEqual(["a-in", "a-out"])
        const underOwn = yield* people.assignments(zhongcangAdmin, { under: "/110112/110112001/", asOf: "2023-02-01" })
        expect(underOwn.map((a) => a.id)).toEqual(["a-in"])
        const district = yield* Effect.flip(
          people.assignments(zhongcangAdmin, { under: "/110112/", asOf: "2023-02-01" })
        )
        expect(district._tag).toBe("Forbidden")
        const node = yield* Effect.flip(people.assignments(zhongcangAdmin, { nodeId: "xh-g1", asOf: "2023-02-01" }))
        expect(node._tag).toBe("Forbidden")
        const worker = yield* people.actorFor(personId("p-zhang"), date("2023-02-01"))
        const denied = yield* Effect.flip(people.registerPeople(worker, [{ id: "p-new", name: "新人" }]))
        expect(denied._tag).toBe("Forbidden")
        const roster =
          "personId,name,role,node,from\np-a,甲,volunteer,zc-g2,2023-02-01\np-b,乙,volunteer,xh-g1,2023-02-01"
        const report = yield* people.importRoster(zhongcangAdmin, {
          format: "csv",
          content: roster,
          mode: "valid-rows"
        })
        expect(report.imported.map((entry) => entry.row)).toEqual([2])
        expect(report.rejected.map((issue) => [issue.row, issue.column])).toEqual([[3, "node"]])
      })
    )

    test(
      "imports a CSV roster row by row: node ids or division codes, each bad row reported by row, column and reason; a re-import changes nothing",
      Effect.gen(function* () {
        const people = yield* People.People
        const report = yield* people.importRoster(admin, { format: "csv", content: rosterCsv, mode: "valid-rows" })
        expect(report.rows).toBe(10)
        expect(report.imported.map((entry) => [entry.row, entry.assignment.role, entry.assignment.nodeId])).toEqual([
          [2, "grid-worker", "zc-g1"],
          [3, "volunteer", "110112001006"],
          [4, "party-member", "zc-g2"]
        ])
        expect(report.rejected.map((issue) => `rows[${issue.row}].${issue.column}: ${issue.reason}`)).toEqual(
          rosterIssues
        )
        expect(JSON.stringify(report)).not.toContain(phone)
        expect(JSON.stringify(report)).not.toContain("1380013800x")
        const zhang = yield* people.actorFor(personId("p-zhang"), date("2023-03-15"))
        expect([zhang.roles, zhang.scope]).toEqual([
          ["grid-worker", "party-member"],
          [g1, g2]
        ])
        const wang = yield* people.assignments(admin, { nodeId: "110112001006", asOf: "2023-06-01" })
        expect(wang.map((a) => [a.personId, a.validTo])).toEqual([["p-wang", "2023-12-31"]])
        const log = yield* AuditLog.AuditLog
        const count = (yield* log.read(admin)).length
        const again = yield* people.importRoster(admin, { format: "csv", content: rosterCsv, mode: "valid-rows" })
        expect(again.imported.map((entry) => entry.assignment.id)).toEqual(report.imported.map((e) => e.assignment.id))
        expect((yield* log.read(admin)).length).toBe(count)
        const changedEnd = rosterCsv.replace("2023-02-01,2023-12-31", "2023-02-01,2023-11-30")
        const conflicting = yield* people.importRoster(admin, {
          format: "csv",
          content: changedEnd,
          mode: "valid-rows"
        })
        expect(
          conflicting.rejected.filter((issue) => issue.row === 3).map((issue) => [issue.column, issue.reason])
        ).toEqual([["to", "this assignment was imported before with another end date: end it instead"]])
        const renamed = "personId,name,role,node,from\np-zhang,张卫,volunteer,zc-g2,2023-02-01"
        const clash = yield* people.importRoster(admin, { format: "csv", content: renamed, mode: "valid-rows" })
        expect(clash.rejected.map((issue) => [issue.row, issue.column, issue.reason])).toEqual([
          [2, "name", "differs from the name registered for person p-zhang"]
        ])
      })
    )

    test(
      "an all-or-nothing CSV roster with a bad row fails with every row issue, and writes nothing",
      Effect.gen(function* () {
        const people = yield* People.People
        const log = yield* AuditLog.AuditLog
        const before = (yield* log.read(admin)).length
        const rejected = yield* Effect.flip(
          people.importRoster(admin, { format: "csv", content: rosterCsv, mode: "all-or-nothing" })
        )
        expect(rejected._tag).toBe("Invalid")
        expect(rejected.message).toBe(rosterIssues.join("; "))
        expect(rejected.message).not.toContain(phone)
        expect(yield* people.assignments(admin, { under: "/", asOf: "2023-06-01" })).toEqual([])
        expect((yield* Effect.flip(people.actorFor(personId("p-zhang"), date("2023-06-01"))))._tag).toBe("NotFound")
        expect((yield* log.read(admin)).length).toBe(before)
        const good = rosterCsv.split("\n").slice(0, 4).join("\n")
        const report = yield* people.importRoster(admin, { format: "csv", content: good, mode: "all-or-nothing" })
        expect([report.rows, report.imported.length, report.rejected]).toEqual([3, 3, []])
        const broken = yield* Effect.flip(
          people.importRoster(admin, { format: "csv", content: 'personId,name\n"p-1,x', mode: "valid-rows" })
        )
        expect(broken._tag).toBe("Invalid")
      })
    )

    test(
      "imports an XLSX roster: date cells read as dates, a bad date cell and an unknown role reported by row and column, in both modes",
      Effect.gen(function* () {
        const people = yield* People.People
        const content = yield* Spreadsheet.writeXlsx({ header: xlsxHeader, rows: xlsxRows })
        const rejected = yield* Effect.flip(
          people.importRoster(admin, { format: "xlsx", content, mode: "all-or-nothing" })
        )
        expect(rejected.message).toBe(
          [
            "rows[4].from: expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www, YYYY-Qn or YYYY-Hn",
            "rows[5].from: expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www, YYYY-Qn or YYYY-Hn",
            "rows[6].role: must be one of grid-worker, party-member, volunteer, building-leader, alley-steward, welfare-post-worker, property-staff, inspector, department-official, subdistrict-admin, district-admin"
          ].join("; ")
        )
        expect(yield* people.assignments(admin, { under: "/", asOf: "2023-06-01" })).toEqual([])
        const report = yield* people.importRoster(admin, { format: "xlsx", content, mode: "valid-rows" })
        expect(report.rows).toBe(5)
        expect(report.imported.map((e) => [e.row, e.assignment.validFrom, e.assignment.validTo])).toEqual([
          [2, "2023-01-15", Period.endOfTime],
          [3, "2023-02-01", "2023-12-31"]
        ])
        expect(report.rejected.map((issue) => [issue.row, issue.column])).toEqual([
          [4, "from"],
          [5, "from"],
          [6, "role"]
        ])
        const li = yield* people.actorFor(personId("p-li"), date("2023-02-01"))
        expect([li.roles, li.scope]).toEqual([["grid-worker"], [g1]])
      })
    )

    test(
      "an XLSX file missing a column, or not XLSX at all, is rejected whole and writes nothing",
      Effect.gen(function* () {
        const people = yield* People.People
        const noRole = yield* Spreadsheet.writeXlsx({
          header: xlsxHeader.filter((column) => column !== "role"),
          rows: xlsxRows.map((row) => row.filter((_, index) => index !== 3))
        })
        const missing = yield* Effect.flip(
          people.importRoster(admin, { format: "xlsx", content: noRole, mode: "valid-rows" })
        )
        expect(missing.message).toBe('rows[1].role: the header has no column "role"')
        const notXlsx = new TextEncoder().encode(rosterCsv)
        const garbage = yield* Effect.flip(
          people.importRoster(admin, { format: "xlsx", content: notXlsx, mode: "valid-rows" })
        )
        expect(garbage._tag).toBe("Invalid")
        expect(garbage.message).toMatch(/^rows\[0\]: the file is not an XLSX workbook/)
        const text = yield* Effect.flip(
          people.importRoster(admin, { format: "xlsx", content: "a,b", mode: "valid-rows" })
        )
        expect(text.message).toBe("content: an XLSX file must be given as bytes (a Uint8Array), not text")
        expect(yield* people.assignments(admin, { under: "/", asOf: "2023-06-01" })).toEqual([])
      })
    )

    test(
      "every change is in the audit chain, by id and without phone numbers, and the chain verifies",
      Effect.gen(function* () {
        const people = yield* People.People
        yield* people.importRoster(admin, { format: "csv", content: rosterCsv, mode: "valid-rows" })
        const [first] = yield* people.assignments(admin, { personId: "p-zhang", asOf: "2023-03-15" })
        yield* people.endAssignments(admin, [{ assignmentId: first!.id, effectiveOn: "2023-09-01" }])
        const log = yield* AuditLog.AuditLog
        const all = yield* log.read(admin)
        const entries = all.filter((entry) => entry.action.startsWith("people."))
        expect(entries.map((entry) => [entry.action, entry.actor])).toEqual([
          ["people.registered", "district-admin"],
          ["people.assigned", "district-admin"],
          ["people.assignmentsEnded", "district-admin"]
        ])
        expect(entries[0]!.payload).toEqual({ source: "roster", count: 2, people: ["p-zhang", "p-wang"] })
        expect(JSON.stringify(entries)).not.toContain(phone)
        expect(JSON.stringify(entries)).not.toContain("张伟")
        expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact", entries: all.length })
      })
    )
  })
}

const personId = (id: string) => PersonId.make(id)
