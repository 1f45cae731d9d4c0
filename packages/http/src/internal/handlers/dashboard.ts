/**
 * The dashboard group's handlers: the register's stats for a period, cut down to a unit and its
 * children (`units`) or to the nodes of some kinds (`tiles`), joined with the tree as of the
 * period's last day. The stats call comes first, so that a path outside the caller's scope gets the
 * same 404 a missing path gets (as `issues.stats` answers).
 */
import { HttpApiBuilder } from "@effect/platform"
import type { Actor } from "@sortgrid/core"
import { Period } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import type { NodeVersion } from "@sortgrid/grid/Node"
import { ProblemRegister, type Stats } from "@sortgrid/issues"
import { Effect } from "effect"
import { Api } from "../../Api.js"
import { CurrentActor } from "../../Auth.js"
import type * as DashboardApi from "../../DashboardApi.js"
import * as Paging from "../../Paging.js"
import { call, existingPath, granted } from "../guard.js"

type Tile = typeof DashboardApi.Tile.Type
type UnitFigures = typeof DashboardApi.UnitFigures.Type

const byPath = (row: { readonly path: string }) => row.path

const tile = (node: NodeVersion, stats: Stats.NodeStats | undefined): Tile => ({
  nodeId: node.nodeId,
  path: node.path,
  name: node.name,
  kind: node.kind,
  openAtEnd: stats?.openAtEnd ?? 0,
  overdueAtEnd: stats?.overdueAtEnd ?? 0,
  compounds: stats?.compounds ?? 0,
  compoundsWithOpen: stats?.compoundsWithOpen ?? 0
})

const unitFigures = (
  node: NodeVersion,
  stats: Stats.NodeStats | undefined,
  groups: ReadonlyArray<string>,
  days: number
): UnitFigures => ({
  ...tile(node, stats),
  groups,
  openAtStart: stats?.openAtStart ?? 0,
  opened: stats?.opened ?? 0,
  closedFixed: stats?.closedFixed ?? 0,
  closedOther: stats?.closedOther ?? 0,
  medianTimeToClose: stats?.timeToClose.median ?? null,
  burnDown: stats?.burnDown ?? new Array<number>(days).fill(0),
  overdueIds: stats?.records.overdueAtEnd ?? []
})

export const layer = HttpApiBuilder.group(Api, "dashboard", (handlers) =>
  Effect.gen(function* () {
    const grid = yield* Grid.Grid
    const register = yield* ProblemRegister.ProblemRegister

    /** The register's stats under a path, after the checks every read here shares. */
    const statsUnder = (actor: Actor.Actor, under: Actor.NodePath, period: Period.Period) =>
      Effect.gen(function* () {
        yield* granted(actor, "issues.read")
        const stats = yield* call(register.stats(actor, { under, period }), { entity: "Node", id: under })
        const asOf = Period.isoDateOfDay(Period.endDay(period))
        const head = yield* existingPath(under, asOf)
        return { stats, asOf, head }
      })

    return handlers
      .handle("me", () =>
        Effect.map(CurrentActor, (actor) => ({
          id: actor.id,
          roles: [...actor.roles],
          scope: [...actor.scope]
        }))
      )
      .handle("units", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const { under, period } = urlParams
          const subject = { entity: "Node", id: under }
          const { stats, asOf, head } = yield* statsUnder(actor, under, period)
          const children = yield* call(
            head === undefined
              ? grid.subtree(actor, { under, asOf, depths: [0] })
              : grid.children(actor, head.nodeId, asOf),
            subject
          )
          const memberships = yield* call(grid.memberships(actor, { under, asOf }), subject)
          const groupsOf = new Map<string, Array<string>>()
          for (const m of memberships) groupsOf.set(m.nodeId, [...(groupsOf.get(m.nodeId) ?? []), m.groupId])
          const days = Period.endDay(period) - Period.startDay(period) + 1
          const figuresOf = (node: NodeVersion) =>
            unitFigures(node, stats.nodes.get(node.nodeId), groupsOf.get(node.nodeId) ?? [], days)
          return {
            period: Period.format(period),
            firstDay: Period.isoDateOfDay(Period.startDay(period)),
            lastDay: asOf,
            unit: head === undefined ? null : figuresOf(head),
            children: yield* Paging.paginate(children.map(figuresOf), byPath, urlParams)
          }
        })
      )
      .handle("tiles", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          const { under, period, kinds } = urlParams
          const { stats, asOf } = yield* statsUnder(actor, under, period)
          const nodes = yield* call(grid.subtree(actor, { under, asOf, kinds }), { entity: "Node", id: under })
          const tiles = nodes.map((node) => tile(node, stats.nodes.get(node.nodeId)))
          return yield* Paging.paginate(tiles, byPath, urlParams)
        })
      )
  })
)
