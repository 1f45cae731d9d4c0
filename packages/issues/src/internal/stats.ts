import { type Actor, type Errors, Period } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import { NodeId } from "@sortgrid/grid/Node"
import { NodeKind } from "@sortgrid/grid/Profile"
import type { Placement } from "@sortgrid/grid/Rollup"
import { Effect } from "effect"
import { ProblemStore } from "../ProblemStore.js"
import * as Stats from "../Stats.js"

const dayMillis = 86_400_000

/**
 * The stats of every node on or under a path for a period, on the tree as of the period's last day:
 * two reads (the subtree, the problems on the register during the period), then `Stats.compute`.
 * `offsetMinutes` places the period's days in the jurisdiction's time zone.
 */
export const statsUnder = (query: {
  readonly under: Actor.NodePath
  readonly period: Period.Period
  readonly offsetMinutes: number
}): Effect.Effect<Stats.Stats, Errors.StorageError, GridStore | ProblemStore> =>
  Effect.gen(function* () {
    const grid = yield* GridStore
    const store = yield* ProblemStore
    const lastDay = Period.endDay(query.period)
    const asOf = Period.isoDateOfDay(lastDay)
    // Ids and paths as plain rows, and whole versions of the compounds only: decoding every node's
    // version costs more than the stats themselves on a district-sized tree.
    const placements: ReadonlyArray<Placement> = yield* grid.placements({ asOf, under: query.under })
    const compounds = yield* grid.versions({ asOf, under: query.under, kinds: [NodeKind.make("compound")] })
    const offsetMillis = query.offsetMinutes * 60_000
    const problems = yield* store.facts({
      nodeIds: placements.map(([nodeId]) => NodeId.make(nodeId)),
      during: {
        from: Period.startDay(query.period) * dayMillis - offsetMillis - 1,
        to: (lastDay + 1) * dayMillis - offsetMillis - 1
      }
    })
    return Stats.compute({
      problems,
      placements,
      kinds: new Map(compounds.map((version) => [version.nodeId, version.kind])),
      compoundKind: "compound",
      period: query.period,
      offsetMinutes: query.offsetMinutes
    })
  })
