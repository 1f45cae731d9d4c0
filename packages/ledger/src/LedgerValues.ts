/**
 * The points ledger as a feeder of the assessment engine: a `DataValue.DataValueProvider` that
 * answers `ledger.*` elements ({@link dataElements}) — points earned, earnings granted and distinct
 * residents earning — for each node and period, from the earnings the earning service recorded
 * with their place (`EarningStore.recordEarnings`).
 *
 * Places are as the claims recorded them: an earning at `/d1/s1/c1/` counts towards `c1`, `s1` and
 * `d1`, whatever the tree looks like today (the ledger keeps no tree of its own). A node path asks
 * for every node on or under it; a node ref asks for that node, wherever earnings recorded it.
 * Periods are each programme's local calendar (`Earnings.Programme.utcOffsetMinutes`); a value
 * sums the ledgers of every programme configured (`Earnings.EarningConfig`), and counts a resident
 * earning in several places once on each node above them.
 *
 * Set-based: one `EarningStore.activity` read per programme per request, whatever the number of
 * nodes; the roll-up up the tree is done here, in memory. Nodes with no earning get no value;
 * elements this provider does not offer yield nothing.
 *
 * The provider is a reader for the engine the host wires it to, with no actor of its own: the
 * assessment service checks who may read the values it assembles.
 *
 * @since 0.1.0
 */
import { Actor, DataValue, Period } from "@sortgrid/core"
import { Effect, Either, Layer } from "effect"
import { type ActivityRow, EarningStore } from "./EarningStore.js"
import { EarningConfig } from "./Earnings.js"

const element = (id: string, name: string, description: string, unit: string) =>
  new DataValue.DataElement({ id: DataValue.DataElementId.make(id), name, description, unit })

/**
 * The elements the ledger offers.
 *
 * @since 0.1.0
 * @category models
 */
export const elements = {
  pointsEarned: element(
    "ledger.points.earned",
    "Points earned",
    "Points residents earned on or under the node in the period (earnings posted, by the place each claim recorded).",
    "points"
  ),
  earnings: element(
    "ledger.earnings.count",
    "Earnings granted",
    "Earning claims granted and posted on or under the node in the period (a retried claim counts once).",
    "count"
  ),
  residentsEarning: element(
    "ledger.residents.earning",
    "Residents earning",
    "Distinct residents who earned points on or under the node in the period.",
    "count"
  )
} as const

/**
 * Every element the ledger offers, in a fixed order.
 *
 * @since 0.1.0
 * @category models
 */
export const dataElements: ReadonlyArray<DataValue.DataElement> = Object.values(elements)

/**
 * The provenance source the ledger's values name.
 *
 * @since 0.1.0
 * @category models
 */
export const source = "ledger.earning"

const offered = new Set<string>(dataElements.map((entry) => entry.id))
const dayMillis = 86_400_000

/** The fewest paths whose subtrees hold every wanted path. */
const covering = (paths: ReadonlyArray<Actor.NodePath>): ReadonlyArray<Actor.NodePath> => {
  const roots: Array<Actor.NodePath> = []
  for (const path of [...new Set(paths)].sort()) {
    const last = roots.at(-1)
    if (last === undefined || !path.startsWith(last)) roots.push(path)
  }
  return roots
}

/** A node's tally: points, earnings, the residents behind them, and the first path it was seen at. */
interface Tally {
  path: string
  points: number
  claims: number
  readonly residents: Set<string>
}

/**
 * Rolls activity rows up the recorded paths: each row counts on every node of its path that the
 * request asks for (a ref among `refs`, or a node whose recorded path lies on or under one of
 * `paths`). Pure.
 *
 * @since 0.1.0
 * @category aggregation
 */
export const rollUp = (
  rows: ReadonlyArray<ActivityRow>,
  asked: { readonly paths: ReadonlyArray<string>; readonly refs: ReadonlySet<string> }
): ReadonlyMap<
  string,
  { readonly path: string; readonly points: number; readonly claims: number; readonly residents: number }
> => {
  const tallies = new Map<string, Tally>()
  for (const row of rows) {
    const ids = row.at.split("/").filter((id) => id.length > 0)
    let path = "/"
    for (const id of ids) {
      path = `${path}${id}/`
      if (!asked.refs.has(id) && !asked.paths.some((root) => path.startsWith(root))) continue
      let tally = tallies.get(id)
      if (tally === undefined) {
        tally = { path, points: 0, claims: 0, residents: new Set() }
        tallies.set(id, tally)
      } else if (path < tally.path) {
        tally.path = path
      }
      tally.points += row.points
      tally.claims += row.claims
      tally.residents.add(row.residentReference)
    }
  }
  return new Map(
    [...tallies].map(([id, tally]) => [
      id,
      { path: tally.path, points: tally.points, claims: tally.claims, residents: tally.residents.size }
    ])
  )
}

/**
 * Builds the provider over the earning store and the programmes in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const store = yield* EarningStore
  const config = yield* EarningConfig
  const programmes = [...config.programmes.values()].sort((a, b) =>
    a.ledger < b.ledger ? -1 : a.ledger > b.ledger ? 1 : 0
  )

  const values = (request: DataValue.ValuesRequest) =>
    Effect.gen(function* () {
      const wanted = new Set<string>(request.elements.filter((id) => offered.has(id)))
      const period = Either.getOrUndefined(Period.parse(request.period))
      if (wanted.size === 0 || period === undefined || request.nodes.length === 0 || programmes.length === 0) {
        return []
      }
      const paths = covering(
        request.nodes.filter((node) => node.startsWith("/")).map((node) => Actor.NodePath.make(node))
      )
      const refs = [...new Set(request.nodes.filter((node) => !node.startsWith("/")))].sort()
      const firstDay = Period.startDay(period)
      const afterLastDay = Period.endDay(period) + 1
      const rows = yield* Effect.forEach(programmes, (programme) => {
        const offset = programme.utcOffsetMinutes * 60_000
        return store.activity({
          ledger: programme.ledger,
          under: paths,
          nodes: refs,
          from: firstDay * dayMillis - offset,
          until: afterLastDay * dayMillis - offset
        })
      })
      const tallies = rollUp(rows.flat(), { paths, refs: new Set(refs) })

      const periodId = DataValue.PeriodId.make(request.period, { disableValidation: true })
      const provenance = new DataValue.Provenance({ kind: "derived", source, records: null })
      const out: Array<DataValue.DataValue> = []
      const push = (id: DataValue.DataElementId, node: string, value: number) => {
        if (!wanted.has(id)) return
        out.push(
          new DataValue.DataValue(
            { element: id, node: DataValue.NodeRef.make(node), period: periodId, value, provenance },
            { disableValidation: true }
          )
        )
      }
      const sorted = [...tallies].sort(([a, x], [b, y]) =>
        x.path < y.path ? -1 : x.path > y.path ? 1 : a < b ? -1 : a > b ? 1 : 0
      )
      for (const [node, tally] of sorted) {
        push(elements.pointsEarned.id, node, tally.points)
        push(elements.earnings.id, node, tally.claims)
        push(elements.residentsEarning.id, node, tally.residents)
      }
      return out
    })

  return DataValue.DataValueProvider.of({ elements: dataElements, values })
})

/**
 * The provider as a layer, over the earning store in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<DataValue.DataValueProvider, never, EarningStore> = Layer.effect(
  DataValue.DataValueProvider,
  make
)
