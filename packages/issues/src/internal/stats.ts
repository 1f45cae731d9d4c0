import { type Actor, type Errors, Period } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
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
    const versions = yield* grid.versions({ asOf: Period.isoDateOfDay(lastDay), under: query.under })
    const placements: ReadonlyArray<Placement> = versions.map((version) => [version.nodeId, version.path])
    const offsetMillis = query.offsetMinutes * 60_000
    const problems = yield* store.open({
      nodeIds: versions.map((version) => version.nodeId),
      during: {
        from: Period.startDay(query.period) * dayMillis - offsetMillis - 1,
        to: (lastDay + 1) * dayMillis - offsetMillis - 1
      }
    })
    return Stats.compute({
      problems,
      placements,
      kinds: new Map(versions.map((version) => [version.nodeId, version.kind])),
      compoundKind: "compound",
      period: query.period,
      offsetMinutes: query.offsetMinutes
    })
  })
