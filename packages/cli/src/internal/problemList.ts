// The problem register has no list call yet (ProblemRegister offers register, transition, history
// and stats). Until it does, `issues list` reads through the ports with the very check the register's
// own reads make — `issues.read` at the path asked about, as `ProblemRegister.stats` does — and
// decides nothing else. When `ProblemRegister.list` exists, this module is replaced by a call to it.
import { type Actor, type Period, Permission } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid"
import { Problem, ProblemStore } from "@sortgrid/issues"
import { Clock, Effect } from "effect"

export interface ListQuery {
  readonly under: Actor.NodePath
  /** The day the subtree is read on. */
  readonly asOf: Period.IsoDate
  /** Only these states; all when empty. */
  readonly states: ReadonlyArray<Problem.State>
  readonly categoryCode: string | undefined
  readonly overdueOnly: boolean
}

/** The problems on nodes on or under a path, by registration time then id. */
export const list = (actor: Actor.Actor, query: ListQuery) =>
  Effect.gen(function* () {
    const grants = yield* Permission.Policy
    yield* Permission.decide(grants, actor, { permission: "issues.read", at: query.under })
    const grid = yield* GridStore.GridStore
    const store = yield* ProblemStore.ProblemStore
    const now = yield* Clock.currentTimeMillis
    const nodeIds = (yield* grid.versions({ asOf: query.asOf, under: query.under })).map((node) => node.nodeId)
    if (nodeIds.length === 0) return []
    // Without `during` the store answers the open problems only; closed ones need the whole span.
    const wantsClosed = query.states.length === 0 || query.states.includes("closed")
    const found = yield* store.open({ nodeIds, during: wantsClosed ? { from: 0, to: now } : undefined })
    return found.filter(
      (problem) =>
        (query.states.length === 0 || query.states.includes(problem.state)) &&
        (query.categoryCode === undefined || problem.categoryCode === query.categoryCode) &&
        (!query.overdueOnly || Problem.isOverdue(problem, now))
    )
  })
