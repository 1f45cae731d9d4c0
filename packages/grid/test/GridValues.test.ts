import { assert, describe, it } from "@effect/vitest"
import { DataValue, Period } from "@sortgrid/core"
import { Effect, Either, Layer, Schema } from "effect"
import * as Duty from "../src/Duty.js"
import { DutyStore } from "../src/DutyStore.js"
import { GridStore } from "../src/GridStore.js"
import * as GridValues from "../src/GridValues.js"
import { NodeVersion } from "../src/Node.js"
import * as Outreach from "../src/Outreach.js"
import { OutreachStore } from "../src/OutreachStore.js"

// The provider reads the ports set-based; these fakes answer each read from fixed data, the way
// a store filters, and count the reads so the tests can hold the provider to one read per batch.
// (The same provider over the memory and SQLite stores is for a testkit suite: see the report.)

const node = (nodeId: string, kind: string, path: string) =>
  Schema.decodeUnknownSync(NodeVersion)({
    nodeId,
    version: 1,
    kind,
    code: null,
    name: nodeId,
    nameEn: null,
    parentId:
      path
        .split("/")
        .filter((part) => part !== "")
        .at(-2) ?? null,
    path,
    depth: path.split("/").filter((part) => part !== "").length - 1,
    validFrom: "2023-01-01",
    validTo: Period.endOfTime
  })

const tree = [
  node("d", "district", "/d/"),
  node("g1", "community", "/d/g1/"),
  node("s1", "bin-station", "/d/g1/s1/"),
  node("school", "school", "/d/g1/school/"),
  node("g2", "community", "/d/g2/"),
  node("s2", "bin-station", "/d/g2/s2/")
]

const event = (fields: Record<string, unknown>) =>
  Schema.decodeUnknownSync(Outreach.OutreachEvent)({ title: "垃圾分类宣传", organiserId: "d", ...fields })

const events = [
  event({ id: "e1", kind: "school", date: "2023-06-03", nodeId: "school", participants: 120, households: 80 }),
  event({ id: "e2", kind: "community", date: "2023-06-20", nodeId: "g2", participants: 40, households: 35 }),
  // July: outside the period asked about.
  event({ id: "e3", kind: "school", date: "2023-07-01", nodeId: "school", participants: 99, households: 99 })
]

// One bin station (s1) with a weekday morning shift; u1 signed up Monday 5 – Friday 9 June and
// checked in on four mornings of the five: presence 4/5 at s1 and everything above it.
const morning = Schema.decodeUnknownSync(Duty.ShiftTemplate)({
  id: "s1-am",
  nodeId: "s1",
  name: "早班",
  windowStart: "07:00",
  windowEnd: "09:00",
  weekdays: [1, 2, 3, 4, 5],
  validFrom: "2023-06-01"
})
const roster: Duty.Roster = {
  templates: [morning],
  projects: [
    Schema.decodeUnknownSync(Duty.DutyProject)({
      id: "p1",
      title: "s1",
      nodeId: "g1",
      templateIds: ["s1-am"],
      firstDay: "2023-06-05",
      lastDay: "2023-06-11",
      capacity: 1
    })
  ],
  signUps: [
    Schema.decodeUnknownSync(Duty.SignUp)({
      id: "a",
      projectId: "p1",
      personId: "u1",
      firstDay: "2023-06-05",
      lastDay: "2023-06-11"
    })
  ],
  covered: Either.getOrThrow(
    Duty.planCheckIns(
      { templates: [morning], checkIns: [] },
      ["2023-06-05", "2023-06-06", "2023-06-08", "2023-06-09"].map((date, i) =>
        Schema.decodeUnknownSync(Duty.CheckIn)({
          id: `c${i}`,
          personId: "u1",
          nodeId: "s1",
          at: Date.parse(`${date}T07:10:00+08:00`)
        })
      ),
      480
    )
  ).result.flatMap((record) =>
    record.templateId === null ? [] : [{ personId: record.personId, templateId: record.templateId, date: record.date }]
  )
}

interface Reads {
  versions: number
  roster: number
  events: number
}

const unused = () => Effect.die("not read by the provider")

const stores = (reads: Reads) =>
  Layer.mergeAll(
    Layer.succeed(
      GridStore,
      GridStore.of({
        change: unused,
        versions: (query) =>
          Effect.sync(() => {
            reads.versions += 1
            return tree.filter(
              (version) =>
                (query.ids === undefined || query.ids.includes(version.nodeId)) &&
                (query.under === undefined || version.path.startsWith(query.under)) &&
                (query.kinds === undefined || query.kinds.includes(version.kind))
            )
          }),
        countByKind: unused,
        placements: unused,
        history: unused,
        changes: unused
      })
    ),
    Layer.succeed(
      DutyStore,
      DutyStore.of({
        change: unused,
        templates: unused,
        projects: unused,
        roster: (query) =>
          Effect.sync(() => {
            reads.roster += 1
            const templates = roster.templates.filter((t) => query.stations.includes(t.nodeId))
            return { ...roster, templates }
          })
      })
    ),
    Layer.succeed(
      OutreachStore,
      OutreachStore.of({
        change: unused,
        events: (query) =>
          Effect.sync(() => {
            reads.events += 1
            return events.filter(
              (e) => query.nodes.includes(e.nodeId) && e.date >= query.firstDay && e.date <= query.lastDay
            )
          }),
        themes: unused
      })
    )
  )

const ask = (elements: ReadonlyArray<string>, nodes: ReadonlyArray<string>, period: string) =>
  Effect.gen(function* () {
    const reads: Reads = { versions: 0, roster: 0, events: 0 }
    const provider = yield* Effect.provide(GridValues.make, stores(reads))
    const values = yield* provider.values(
      Schema.decodeUnknownSync(DataValue.ValuesRequest)({ elements, nodes, period })
    )
    return { reads, values, byKey: new Map(values.map((v) => [`${v.element} ${v.node}`, v])) }
  })

const all = GridValues.dataElements.map((element) => element.id)

describe("GridValues", () => {
  it.effect("a path: duty presence and outreach for every node on or under it, in one read of each kind", () =>
    Effect.gen(function* () {
      const { reads, values, byKey } = yield* ask(all, ["/d/"], "2023-06")
      assert.deepStrictEqual(reads, { versions: 1, roster: 1, events: 1 })
      const figure = (element: string, nodeId: string) => byKey.get(`${element} ${nodeId}`)?.value
      for (const nodeId of ["d", "g1", "s1"]) {
        assert.deepStrictEqual(
          [
            figure("grid.duty.expected", nodeId),
            figure("grid.duty.covered", nodeId),
            figure("grid.duty.presence", nodeId)
          ],
          [5, 4, 0.8]
        )
      }
      // s2 expects no shift: nothing to say, so no value (never a guessed zero).
      assert.isUndefined(figure("grid.duty.presence", "s2"))
      assert.isUndefined(figure("grid.duty.expected", "g2"))
      assert.deepStrictEqual(
        ["d", "g1", "school", "g2", "s1"].map((nodeId) => [
          figure("grid.outreach.events", nodeId),
          figure("grid.outreach.participants", nodeId),
          figure("grid.outreach.households", nodeId)
        ]),
        [
          [2, 160, 115],
          [1, 120, 80],
          [1, 120, 80],
          [1, 40, 35],
          [undefined, undefined, undefined]
        ]
      )
      const district = byKey.get("grid.outreach.events d")
      assert.deepStrictEqual(district?.provenance.records?.ids, ["e1", "e2"])
      assert.strictEqual(district?.provenance.kind, "derived")
      assert.strictEqual(byKey.get("grid.duty.presence s1")?.provenance.source, "grid.duty")
      assert.isTrue(values.every((value) => value.period === "2023-06"))
      // Every value decodes as a data value: the engine's input contract.
      for (const value of values) {
        assert.isTrue(Either.isRight(DataValue.decodeValue(Schema.encodeSync(DataValue.DataValue)(value))))
      }
    })
  )

  it.effect("node refs: only those nodes, their subtrees read at once, the roster not at all for outreach only", () =>
    Effect.gen(function* () {
      const { reads, values } = yield* ask(["grid.outreach.events", "other.element"], ["g1", "g2", "nope"], "2023-06")
      // One read for the refs, one for both subtrees (under the path they share), one for the events of both.
      assert.deepStrictEqual(reads, { versions: 2, roster: 0, events: 1 })
      assert.deepStrictEqual(
        values.map((v) => [v.element, v.node, v.value]),
        [
          ["grid.outreach.events", "g1", 1],
          ["grid.outreach.events", "g2", 1]
        ]
      )
    })
  )

  it.effect("a period without activity, elements not offered and no nodes: no values", () =>
    Effect.gen(function* () {
      const july = yield* ask(["grid.duty.presence"], ["/d/"], "2023-07")
      assert.deepStrictEqual(july.values, [])
      const other = yield* ask(["issues.opened"], ["/d/"], "2023-06")
      assert.deepStrictEqual([other.values, other.reads], [[], { versions: 0, roster: 0, events: 0 }])
      const nobody = yield* ask(all, [], "2023-06")
      assert.deepStrictEqual(nobody.values, [])
    })
  )

  it.effect("a quarter counts the events of its three months", () =>
    Effect.gen(function* () {
      const { values } = yield* ask(["grid.outreach.participants"], ["d"], "2023-Q3")
      assert.deepStrictEqual(
        values.map((v) => [v.node, v.value]),
        [["d", 99]]
      )
    })
  )
})
