/**
 * The grid as a feeder of the assessment engine: a `DataValue.DataValueProvider` that answers
 * `grid.*` elements ({@link dataElements}) — duty presence at bin stations (shifts expected,
 * shifts covered, the presence rate) and outreach (events, participants, households reached) — for
 * each node and period, every station or event on or under the node counting towards it, placed by
 * the tree as of the period's last day.
 *
 * A node ref asks for that node; a node path for every node on or under it. The request is read
 * set-based: one version query for the subtrees it names (under the path they share when there
 * are several), then one roster query for every station under them and one event query for every
 * node under them, whatever the number of nodes asked. Nodes with nothing to count (no station, no event) get no value, as the provider
 * interface asks; elements this provider does not offer, and nodes not on the tree that day, yield
 * nothing.
 *
 * The provider is a reader for the engine the host wires it to, with no actor of its own: the
 * assessment service checks who may read the values it assembles.
 *
 * @since 0.1.0
 */
import { Actor, DataValue, Period } from "@sortgrid/core"
import { Effect, Either, Layer } from "effect"
import * as Duty from "./Duty.js"
import { DutySettings } from "./DutyRoster.js"
import { DutyStore } from "./DutyStore.js"
import { GridStore } from "./GridStore.js"
import { NodeId, type NodeVersion, pathIds } from "./Node.js"
import type * as Outreach from "./Outreach.js"
import { OutreachStore } from "./OutreachStore.js"

const element = (id: string, name: string, description: string, unit: string) =>
  new DataValue.DataElement({ id: DataValue.DataElementId.make(id), name, description, unit })

/**
 * The elements the grid offers.
 *
 * @since 0.1.0
 * @category models
 */
export const elements = {
  dutyExpected: element(
    "grid.duty.expected",
    "Duty shifts expected",
    "Shifts the duty rosters of the bin stations on or under the node expected in the period.",
    "count"
  ),
  dutyCovered: element(
    "grid.duty.covered",
    "Duty shifts covered",
    "Expected shifts at the bin stations on or under the node that somebody checked in for.",
    "count"
  ),
  dutyPresence: element(
    "grid.duty.presence",
    "Duty presence",
    "Covered shifts over expected shifts at the bin stations on or under the node (none expected: no value).",
    "ratio"
  ),
  outreachEvents: element(
    "grid.outreach.events",
    "Outreach events",
    "Outreach campaign events held on or under the node in the period.",
    "count"
  ),
  outreachParticipants: element(
    "grid.outreach.participants",
    "Outreach participants",
    "People who took part in the outreach events held on or under the node in the period.",
    "count"
  ),
  outreachHouseholds: element(
    "grid.outreach.households",
    "Households reached by outreach",
    "Households reached by the outreach events held on or under the node in the period.",
    "count"
  )
} as const

/**
 * Every element the grid offers, in a fixed order.
 *
 * @since 0.1.0
 * @category models
 */
export const dataElements: ReadonlyArray<DataValue.DataElement> = Object.values(elements)

/**
 * How many record ids a value lists at most (its `records.total` says how many there are).
 *
 * @since 0.1.0
 * @category models
 */
export const recordCap = 50

const offered = new Set<string>(dataElements.map((entry) => entry.id))

/** The fewest paths whose subtrees hold every wanted path. */
const covering = (paths: ReadonlyArray<Actor.NodePath>): ReadonlyArray<Actor.NodePath> => {
  // Sorted, a path under another comes after it and after every path between them, all of which
  // are under it too: comparing with the last root kept is enough.
  const roots: Array<Actor.NodePath> = []
  for (const path of [...new Set(paths)].sort()) {
    const last = roots.at(-1)
    if (last === undefined || !path.startsWith(last)) roots.push(path)
  }
  return roots
}

/** The longest path every root is on or under (`/` when they share no node). */
const commonPath = (roots: ReadonlyArray<Actor.NodePath>): Actor.NodePath => {
  let common = pathIds(roots[0]!)
  for (const root of roots.slice(1)) {
    const ids = pathIds(root)
    let n = 0
    while (n < common.length && common[n] === ids[n]) n++
    common = common.slice(0, n)
  }
  return Actor.NodePath.make(common.length === 0 ? "/" : `/${common.join("/")}/`, { disableValidation: true })
}

/** An outreach tally of one node, with the events behind it. */
interface OutreachTally {
  events: number
  participants: number
  households: number
  readonly ids: Array<string>
}

/**
 * Adds each event (dated in the period, placed on or under a root) to its place and every node
 * above it up to the root. Pure; events are visited in id order so the listed ids are stable.
 */
const outreachByNode = (
  events: ReadonlyArray<Outreach.OutreachEvent>,
  pathOf: ReadonlyMap<string, Actor.NodePath>,
  firstDay: Period.IsoDate,
  lastDay: Period.IsoDate
): ReadonlyMap<string, OutreachTally> => {
  const tallies = new Map<string, OutreachTally>()
  const sorted = [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const event of sorted) {
    const path = pathOf.get(event.nodeId)
    if (path === undefined || event.date < firstDay || event.date > lastDay) continue
    const ids = pathIds(path)
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index] ?? ""
      let tally = tallies.get(id)
      if (tally === undefined) {
        tally = { events: 0, participants: 0, households: 0, ids: [] }
        tallies.set(id, tally)
      }
      tally.events += 1
      tally.participants += event.participants
      tally.households += event.households
      tally.ids.push(event.id)
    }
  }
  return tallies
}

/**
 * Builds the provider over the stores in context (and the duty settings: which kinds of node are
 * bin stations).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const grid = yield* GridStore
  const dutyStore = yield* DutyStore
  const outreachStore = yield* OutreachStore
  const settings = yield* DutySettings
  const stationKinds = new Set<string>(settings.stationKinds)

  const values = (request: DataValue.ValuesRequest) =>
    Effect.gen(function* () {
      const wanted = new Set<string>(request.elements.filter((id) => offered.has(id)))
      const period = Either.getOrUndefined(Period.parse(request.period))
      if (wanted.size === 0 || period === undefined || request.nodes.length === 0) return []
      const { firstDay, lastDay } = Duty.datesOf(period)
      const asOf = lastDay
      const paths = request.nodes.filter((node) => node.startsWith("/")).map((node) => Actor.NodePath.make(node))
      const refs = request.nodes.filter((node) => !node.startsWith("/")).map((node) => NodeId.make(node))
      const refVersions = refs.length === 0 ? [] : yield* grid.versions({ asOf, ids: refs })
      const wantedRefs = new Set<string>(refVersions.map((version) => version.nodeId))
      const roots = covering([...paths, ...refVersions.map((version) => version.path)])
      if (roots.length === 0) return []
      // The subtrees asked about, as they stood on the period's last day, in one query.
      const rootSet = new Set<string>(roots)
      const underRoot = (node: NodeVersion) => {
        const ids = pathIds(node.path)
        for (let n = 1; n <= ids.length; n++) if (rootSet.has(`/${ids.slice(0, n).join("/")}/`)) return true
        return false
      }
      const nodes: ReadonlyArray<NodeVersion> =
        roots.length === 1
          ? yield* grid.versions({ asOf, under: roots[0] })
          : (yield* grid.versions({ asOf, under: commonPath(roots) })).filter(underRoot)
      const pathOf = new Map<string, Actor.NodePath>(nodes.map((node) => [node.nodeId, node.path]))
      const asked = (node: NodeVersion) =>
        wantedRefs.has(node.nodeId) || paths.some((path) => node.path.startsWith(path))

      const wantsDuty = [elements.dutyExpected, elements.dutyCovered, elements.dutyPresence].some((e) =>
        wanted.has(e.id)
      )
      const wantsOutreach = [elements.outreachEvents, elements.outreachParticipants, elements.outreachHouseholds].some(
        (e) => wanted.has(e.id)
      )

      // Duty: one roster read for every station under every root.
      const stations = nodes.filter((node) => stationKinds.has(node.kind))
      const presence = new Map<string, Duty.Presence>()
      if (wantsDuty && stations.length > 0) {
        const roster = yield* dutyStore.roster({ stations: stations.map((s) => s.nodeId), firstDay, lastDay })
        const attendance = Duty.attendanceOf(roster, period)
        const report = Duty.presence({ under: Actor.root, period, asOf, stations, attendance })
        for (const part of report.byNode) presence.set(part.nodeId, part)
      }

      // Outreach: one event read for every node under every root.
      const outreach =
        wantsOutreach && nodes.length > 0
          ? outreachByNode(
              yield* outreachStore.events({ nodes: nodes.map((node) => node.nodeId), firstDay, lastDay }),
              pathOf,
              firstDay,
              lastDay
            )
          : new Map<string, OutreachTally>()

      const periodId = DataValue.PeriodId.make(request.period, { disableValidation: true })
      const dutyProvenance = new DataValue.Provenance({ kind: "derived", source: "grid.duty", records: null })
      const out: Array<DataValue.DataValue> = []
      const push = (id: DataValue.DataElementId, node: string, value: number, provenance: DataValue.Provenance) => {
        if (!wanted.has(id)) return
        out.push(
          new DataValue.DataValue(
            { element: id, node: DataValue.NodeRef.make(node), period: periodId, value, provenance },
            { disableValidation: true }
          )
        )
      }
      const sorted = [...nodes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      for (const node of sorted) {
        if (!asked(node)) continue
        const duty = presence.get(node.nodeId)
        if (duty !== undefined && duty.expected > 0) {
          push(elements.dutyExpected.id, node.nodeId, duty.expected, dutyProvenance)
          push(elements.dutyCovered.id, node.nodeId, duty.covered, dutyProvenance)
          if (duty.rate !== null) push(elements.dutyPresence.id, node.nodeId, duty.rate, dutyProvenance)
        }
        const tally = outreach.get(node.nodeId)
        if (tally !== undefined) {
          const provenance = new DataValue.Provenance({
            kind: "derived",
            source: "grid.outreach",
            records: new DataValue.Records({
              entity: "OutreachEvent",
              ids: tally.ids.slice(0, recordCap),
              total: tally.ids.length
            })
          })
          push(elements.outreachEvents.id, node.nodeId, tally.events, provenance)
          push(elements.outreachParticipants.id, node.nodeId, tally.participants, provenance)
          push(elements.outreachHouseholds.id, node.nodeId, tally.households, provenance)
        }
      }
      return out
    })

  return DataValue.DataValueProvider.of({ elements: dataElements, values })
})

/**
 * The provider as a layer, over the stores in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<DataValue.DataValueProvider, never, GridStore | DutyStore | OutreachStore> =
  Layer.effect(DataValue.DataValueProvider, make)
