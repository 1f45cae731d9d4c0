/**
 * The grid-values conformance suite: the grid's `DataValue.DataValueProvider`
 * (`GridValues`) over a store — duty presence at bin stations and outreach events summed up the
 * tree, placed by the tree as of the period's last day. The tree, the duty roster, the check-ins
 * and the events are written through the `Grid`, `DutyRoster` and `OutreachEvents` services, then
 * read back through the provider. Every adapter of the grid's ports runs it:
 *
 * ```ts
 * GridValuesSuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built, with the grid's and the audit
 * log's ports over one database.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { DataValue, type Permission } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import { DutyRoster } from "@sortgrid/grid/DutyRoster"
import * as GridValues from "@sortgrid/grid/GridValues"
import { OutreachEvents } from "@sortgrid/grid/OutreachEvents"
import { Effect, Layer } from "effect"
import { admin, base, type Store } from "./Fixtures.js"

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = { "district-admin": ["*"] }

/**
 * The grid, duty and outreach services and the grid's data-value provider over a store layer, with
 * the audit log, the default profile and the suite's grants.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Layer.mergeAll(DutyRoster.Default, OutreachEvents.Default, Grid.Grid.Default, GridValues.layer).pipe(
    Layer.provideMerge(base(store, grants))
  )

/** An instant from a Beijing wall-clock time. */
const beijing = (day: string, time: string) => Date.parse(`${day}T${time}+08:00`)

const opened = (id: string, kind: string, parentId: string | null) => ({
  id,
  kind,
  name: id,
  parentId,
  effectiveOn: "2023-01-01"
})

/**
 * A district of its own (not Tongzhou: every figure below is counted by hand on this tree):
 *
 * ```
 * vd ─┬─ vs1 ─┬─ vc1 ── vg1 ── vk1 ─┬─ vb1
 *     │       │                     └─ vb2
 *     │       └─ vc2 ── vg2 ── vk2 ── vb3     (nothing happens at vb3)
 *     └─ vs2 ─── vc3 ── vg3 ── vk4 ── vb4     (vg3 moves under vc2 on 2023-06-20)
 * ```
 *
 * Duty: a weekday morning shift at vb1, vb2 and vb4. vol-1 holds vb1 for 5–9 June and checks in
 * on four mornings (4/5); vol-2 holds vb2 for 5–9 June and checks in on three (3/5); vol-4 holds
 * vb4 for 12–23 June and checks in on 12–15 June (4/5 of week 24) and on 19 and 21 June (2/5 of
 * week 25): 6/10 in June.
 *
 * Outreach in June: o1 at vb1 (3 June, 20 people, 15 households), o2 at vc1 (10 June, 40, 30),
 * o3 at vg3 (5 June, before the move, 25, 10), o4 at vc3 (12 June, 12, 8); o5 at vc1 in July and
 * o6 at vg1 in May fall outside June.
 */
const seed = Effect.gen(function* () {
  const grid = yield* Grid.Grid
  yield* grid.open(admin, [
    opened("vd", "district", null),
    opened("vs1", "subdistrict", "vd"),
    opened("vs2", "subdistrict", "vd"),
    opened("vc1", "community", "vs1"),
    opened("vc2", "community", "vs1"),
    opened("vc3", "community", "vs2"),
    opened("vg1", "grid", "vc1"),
    opened("vg2", "grid", "vc2"),
    opened("vg3", "grid", "vc3"),
    opened("vk1", "compound", "vg1"),
    opened("vk2", "compound", "vg2"),
    opened("vk4", "compound", "vg3"),
    opened("vb1", "bin-station", "vk1"),
    opened("vb2", "bin-station", "vk1"),
    opened("vb3", "bin-station", "vk2"),
    opened("vb4", "bin-station", "vk4")
  ])
  yield* grid.change(admin, {
    _tag: "MoveNode",
    changeId: "move-vg3",
    nodeId: "vg3",
    parentId: "vc2",
    effectiveOn: "2023-06-20"
  })

  const duty = yield* DutyRoster
  yield* duty.defineTemplates(
    admin,
    ["vb1", "vb2", "vb4"].map((station) => ({
      id: `${station}-am`,
      nodeId: station,
      name: "早班",
      windowStart: "07:00",
      windowEnd: "09:00",
      weekdays: [1, 2, 3, 4, 5],
      validFrom: "2023-06-01"
    }))
  )
  const project = (station: string, nodeId: string, firstDay: string, lastDay: string) => ({
    id: `p-${station}`,
    title: `${station} 桶前值守`,
    nodeId,
    templateIds: [`${station}-am`],
    firstDay,
    lastDay,
    capacity: 1
  })
  yield* duty.postProject(admin, project("vb1", "vk1", "2023-06-05", "2023-06-09"))
  yield* duty.postProject(admin, project("vb2", "vk1", "2023-06-05", "2023-06-09"))
  yield* duty.postProject(admin, project("vb4", "vk4", "2023-06-12", "2023-06-23"))
  yield* duty.signUp(admin, [
    { id: "su-1", projectId: "p-vb1", personId: "vol-1", firstDay: "2023-06-05", lastDay: "2023-06-09" },
    { id: "su-2", projectId: "p-vb2", personId: "vol-2", firstDay: "2023-06-05", lastDay: "2023-06-09" },
    { id: "su-4", projectId: "p-vb4", personId: "vol-4", firstDay: "2023-06-12", lastDay: "2023-06-23" }
  ])
  const seen = (personId: string, station: string, days: ReadonlyArray<string>) =>
    days.map((day) => ({ id: `ci-${station}-${day}`, personId, nodeId: station, at: beijing(day, "07:10:00") }))
  yield* duty.checkIn(admin, [
    ...seen("vol-1", "vb1", ["2023-06-05", "2023-06-06", "2023-06-07", "2023-06-08"]),
    ...seen("vol-2", "vb2", ["2023-06-05", "2023-06-07", "2023-06-09"]),
    ...seen("vol-4", "vb4", ["2023-06-12", "2023-06-13", "2023-06-14", "2023-06-15", "2023-06-19", "2023-06-21"])
  ])

  const outreach = yield* OutreachEvents
  const event = (id: string, date: string, nodeId: string, participants: number, households: number) => ({
    id,
    kind: "community",
    title: "垃圾分类宣传",
    organiserId: "vd",
    date,
    nodeId,
    participants,
    households
  })
  yield* outreach.record(admin, [
    event("o1", "2023-06-03", "vb1", 20, 15),
    event("o2", "2023-06-10", "vc1", 40, 30),
    event("o3", "2023-06-05", "vg3", 25, 10),
    event("o4", "2023-06-12", "vc3", 12, 8),
    event("o5", "2023-07-02", "vc1", 99, 99),
    event("o6", "2023-05-30", "vg1", 99, 99)
  ])
})

const all = GridValues.dataElements.map((element) => element.id)

/** Asks the provider, and lists what it answers as `node element value`, sorted. */
const ask = (nodes: ReadonlyArray<string>, period: string, elements: ReadonlyArray<string> = all) =>
  Effect.gen(function* () {
    const provider = yield* DataValue.DataValueProvider
    const values = yield* provider.values(
      new DataValue.ValuesRequest(
        {
          elements: elements.map((id) => DataValue.DataElementId.make(id, { disableValidation: true })),
          nodes: nodes.map((node) => DataValue.NodeRef.make(node, { disableValidation: true })),
          period: DataValue.PeriodId.make(period, { disableValidation: true })
        },
        { disableValidation: true }
      )
    )
    for (const value of values) expect(value.period).toBe(period)
    return { values, rows: values.map((value) => `${value.node} ${value.element} ${value.value}`).sort() }
  })

/** The six figures of a node, as the provider lists them (`null`: none of that kind). */
const figures = (
  node: string,
  duty: readonly [expected: number, covered: number, presence: number] | null,
  outreach: readonly [events: number, participants: number, households: number] | null
) => [
  ...(duty === null
    ? []
    : [
        `${node} grid.duty.covered ${duty[1]}`,
        `${node} grid.duty.expected ${duty[0]}`,
        `${node} grid.duty.presence ${duty[2]}`
      ]),
  ...(outreach === null
    ? []
    : [
        `${node} grid.outreach.events ${outreach[0]}`,
        `${node} grid.outreach.households ${outreach[2]}`,
        `${node} grid.outreach.participants ${outreach[1]}`
      ])
]

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (
    title: string,
    body: Effect.Effect<void, unknown, Grid.Grid | DutyRoster | OutreachEvents | DataValue.DataValueProvider>
  ) => it.effect(title, () => Effect.provide(body, fresh))

  describe(`${name}: grid values conformance`, () => {
    test(
      "June: presence and outreach at each station, community and subdistrict, summed up the tree",
      Effect.gen(function* () {
        yield* seed
        const nodes = ["vd", "vs1", "vs2", "vc1", "vc2", "vc3", "vg1", "vg2", "vg3", "vk1", "vk2", "vk4"]
        const { rows, values } = yield* ask([...nodes, "vb1", "vb2", "vb3", "vb4"], "2023-06")
        expect(rows).toEqual(
          [
            // vb1 4/5 and vb2 3/5 under vc1; vb4 6/10 under vc2 since vg3 moved there; vb3 nothing.
            figures("vb1", [5, 4, 0.8], [1, 20, 15]),
            figures("vb2", [5, 3, 0.6], null),
            figures("vk1", [10, 7, 0.7], [1, 20, 15]),
            figures("vg1", [10, 7, 0.7], [1, 20, 15]),
            figures("vc1", [10, 7, 0.7], [2, 60, 45]),
            figures("vb4", [10, 6, 0.6], null),
            figures("vk4", [10, 6, 0.6], null),
            figures("vg3", [10, 6, 0.6], [1, 25, 10]),
            figures("vc2", [10, 6, 0.6], [1, 25, 10]),
            figures("vs1", [20, 13, 0.65], [3, 85, 55]),
            figures("vc3", null, [1, 12, 8]),
            figures("vs2", null, [1, 12, 8]),
            figures("vd", [20, 13, 0.65], [4, 97, 63])
          ]
            .flat()
            .sort()
        )
        // Nothing to count at vb3, vk2 or vg2: no value at all, not a zero.
        expect(values.filter((value) => ["vb3", "vk2", "vg2"].includes(value.node))).toEqual([])
        const provenanceOf = (node: string, element: string) =>
          values.find((value) => value.node === node && value.element === element)?.provenance
        expect(provenanceOf("vs1", "grid.duty.presence")).toMatchObject({
          kind: "derived",
          source: "grid.duty",
          records: null
        })
        expect(provenanceOf("vc1", "grid.outreach.events")).toMatchObject({
          kind: "derived",
          source: "grid.outreach",
          records: { entity: "OutreachEvent", ids: ["o1", "o2"], total: 2 }
        })
        expect(provenanceOf("vd", "grid.outreach.households")?.records?.ids).toEqual(["o1", "o2", "o3", "o4"])
      })
    )

    test(
      "a node moved mid-period counts where the tree had it on the period's last day",
      Effect.gen(function* () {
        yield* seed
        const places = ["vs1", "vs2", "vc2", "vc3"]
        // Week 24 (12–18 June) ends before vg3 moves: its station and event count under vc3 and vs2.
        const week24 = yield* ask(places, "2023-W24")
        expect(week24.rows).toEqual(
          [figures("vc3", [5, 4, 0.8], [1, 12, 8]), figures("vs2", [5, 4, 0.8], [1, 12, 8])].flat().sort()
        )
        // Week 23 (5–11 June): o3 at vg3, still under vc3; vb1 and vb2 under vs1.
        const week23 = yield* ask(places, "2023-W23")
        expect(week23.rows).toEqual(
          [
            figures("vs1", [10, 7, 0.7], [1, 40, 30]),
            figures("vc3", null, [1, 25, 10]),
            figures("vs2", null, [1, 25, 10])
          ]
            .flat()
            .sort()
        )
        // June ends after the move: the same shifts and o3 count under vc2 and vs1, none under vc3.
        const june = yield* ask(places, "2023-06")
        expect(june.rows).toEqual(
          [
            figures("vc2", [10, 6, 0.6], [1, 25, 10]),
            figures("vs1", [20, 13, 0.65], [3, 85, 55]),
            figures("vc3", null, [1, 12, 8]),
            figures("vs2", null, [1, 12, 8])
          ]
            .flat()
            .sort()
        )
        // A quarter adds May's o6 and nothing of July: placed as of 30 June, like the month.
        const quarter = yield* ask(["vs1"], "2023-Q2", ["grid.outreach.events", "grid.duty.covered"])
        expect(quarter.rows).toEqual(["vs1 grid.duty.covered 13", "vs1 grid.outreach.events 4"])
      })
    )

    test(
      "a path asks for every node on or under it; elements, nodes and periods the grid does not know yield nothing",
      Effect.gen(function* () {
        yield* seed
        const underVc2 = yield* ask(["/vd/vs1/vc2/"], "2023-06", ["grid.duty.presence", "grid.outreach.events"])
        expect(underVc2.rows).toEqual([
          "vb4 grid.duty.presence 0.6",
          "vc2 grid.duty.presence 0.6",
          "vc2 grid.outreach.events 1",
          "vg3 grid.duty.presence 0.6",
          "vg3 grid.outreach.events 1",
          "vk4 grid.duty.presence 0.6"
        ])
        // A path and a ref inside it name vc1 once; the July event counts only in July.
        const july = yield* ask(["/vd/vs1/vc1/", "vc1"], "2023-07", ["grid.outreach.participants"])
        expect(july.rows).toEqual(["vc1 grid.outreach.participants 99"])
        expect((yield* ask(["vd"], "2023-06", ["issues.openAtEnd"])).rows).toEqual([])
        expect((yield* ask(["nowhere", "/nowhere/"], "2023-06")).rows).toEqual([])
        expect((yield* ask(["vd"], "2022-12")).rows).toEqual([])
        expect((yield* ask(["vd"], "not-a-period")).rows).toEqual([])
        expect((yield* ask([], "2023-06")).rows).toEqual([])
      })
    )
  })
}
