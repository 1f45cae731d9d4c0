/**
 * The problem register as a feeder of the assessment engine: a `DataValue.DataValueProvider` that
 * answers `issues.*` elements (`Stats.elements`) from the problem stats of a period, each value
 * carrying the ids of the problems behind it.
 *
 * A node ref asks for that node; a node path for every node on or under it, on the tree as of the
 * period's last day. Stats are computed once per distinct subtree the request names, so a request for
 * the 22 subdistricts and towns and one for the district both read the store twice. Elements this
 * provider does not offer, and nodes not on the tree that day, yield nothing.
 *
 * The provider is a reader for the engine the host wires it to, with no actor of its own: the
 * assessment service checks who may read the values it assembles.
 *
 * @since 0.1.0
 */
import { Actor, DataValue, Period } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import { NodeId } from "@sortgrid/grid/Node"
import { Effect, Either, Layer } from "effect"
import { statsUnder } from "./internal/stats.js"
import { ProblemRegisterConfig } from "./ProblemRegister.js"
import { ProblemStore } from "./ProblemStore.js"
import * as Stats from "./Stats.js"

const offered = new Set<string>(Stats.dataElements.map((element) => element.id))

/** The fewest paths whose subtrees hold every wanted path. */
const covering = (paths: ReadonlyArray<Actor.NodePath>): ReadonlyArray<Actor.NodePath> =>
  [...new Set(paths)]
    .sort()
    .filter((path, index, sorted) => !sorted.slice(0, index).some((earlier) => path.startsWith(earlier)))

/**
 * Builds the provider over the stores in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const grid = yield* GridStore
  const store = yield* ProblemStore
  const config = yield* ProblemRegisterConfig

  const values = (request: DataValue.ValuesRequest) =>
    Effect.gen(function* () {
      const elements = new Set<string>(request.elements.filter((element) => offered.has(element)))
      const period = Either.getOrUndefined(Period.parse(request.period))
      if (elements.size === 0 || period === undefined || request.nodes.length === 0) return []
      const asOf = Period.isoDateOfDay(Period.endDay(period))
      const paths = request.nodes.filter((node) => node.startsWith("/")).map((node) => Actor.NodePath.make(node))
      const refs = request.nodes.filter((node) => !node.startsWith("/")).map((node) => NodeId.make(node))
      const refPaths = refs.length === 0 ? [] : yield* grid.versions({ asOf, ids: refs })
      const wantedRefs = new Set<string>(refPaths.map((version) => version.nodeId))
      const roots = covering([...paths, ...refPaths.map((version) => version.path)])
      const out: Array<DataValue.DataValue> = []
      const seen = new Set<string>()
      for (const under of roots) {
        const stats = yield* statsUnder({ under, period, offsetMinutes: config.calendar.utcOffsetMinutes }).pipe(
          Effect.provideService(GridStore, grid),
          Effect.provideService(ProblemStore, store)
        )
        for (const value of Stats.toDataValues(stats)) {
          const node = stats.nodes.get(value.node)
          const asked = wantedRefs.has(value.node) || paths.some((path) => node?.path.startsWith(path) === true)
          const key = `${value.element}|${value.node}`
          if (asked && elements.has(value.element) && !seen.has(key)) {
            seen.add(key)
            out.push(value)
          }
        }
      }
      return out
    })

  return DataValue.DataValueProvider.of({ elements: Stats.dataElements, values })
})

/**
 * The provider as a layer, over the stores in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<DataValue.DataValueProvider, never, GridStore | ProblemStore> = Layer.effect(
  DataValue.DataValueProvider,
  make
)
