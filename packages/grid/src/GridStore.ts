/**
 * The grid's storage port. Writes follow the one pattern of every port: inside a write
 * transaction, load what the command touches (the latest versions of the named nodes, the open
 * subtrees it reshapes, the stored change with its id — a few set-based queries), call `decide`, and
 * write its plan with multi-row statements. Reads select versions by date with set-based queries on
 * the materialised path, never walking the tree node by node.
 *
 * @since 0.1.0
 */
import type { Actor, Errors, Period } from "@sortgrid/core"
import { Context, Effect, type Either } from "effect"
import type { ChangeId, NodeId, NodeVersion } from "./Node.js"
import type { NodeKind } from "./Profile.js"
import type { Placement } from "./Rollup.js"
import type { ChangeRecord, Scope, TreePlan, TreeState } from "./Tree.js"

/**
 * Which versions to read: those in force on `asOf`, narrowed by any of the filters given.
 *
 * @since 0.1.0
 * @category models
 */
export interface VersionQuery {
  readonly asOf: Period.IsoDate
  /** Only these nodes. */
  readonly ids?: ReadonlyArray<NodeId> | undefined
  /** Only nodes on this path or under it. */
  readonly under?: Actor.NodePath | undefined
  /** Only children of this node. */
  readonly parentId?: NodeId | undefined
  /** Only these kinds. */
  readonly kinds?: ReadonlyArray<NodeKind> | undefined
  /** Only nodes with these official codes. */
  readonly codes?: ReadonlyArray<string> | undefined
  /** Only nodes at these depths (the root is 0): a level of the tree. */
  readonly depths?: ReadonlyArray<number> | undefined
}

/**
 * The grid's storage operations.
 *
 * @since 0.1.0
 * @category ports
 */
export class GridStore extends Context.Tag("@sortgrid/grid/GridStore")<
  GridStore,
  {
    /** Loads the state for `scope` (and `changeId`, if any), applies `decide`'s plan atomically, returns it. */
    readonly change: <E>(
      request: { readonly scope: Scope; readonly changeId?: ChangeId | undefined },
      decide: (state: TreeState) => Either.Either<TreePlan, E>
    ) => Effect.Effect<TreePlan, E | Errors.StorageError>
    /** Versions in force on a date, ordered by path. */
    readonly versions: (query: VersionQuery) => Effect.Effect<ReadonlyArray<NodeVersion>, Errors.StorageError>
    /** How many nodes of each kind are in force on a date on or under a path. */
    readonly countByKind: (query: {
      readonly asOf: Period.IsoDate
      readonly under: Actor.NodePath
    }) => Effect.Effect<ReadonlyArray<{ readonly kind: NodeKind; readonly count: number }>, Errors.StorageError>
    /**
     * The id and path of every node in force on a date on or under a path, or with one of the ids
     * (both filters apply when both are given; neither means the whole tree): the light read that
     * roll-ups over whole trees and scope checks over large batches need.
     */
    readonly placements: (
      query: Pick<VersionQuery, "asOf" | "under" | "ids">
    ) => Effect.Effect<ReadonlyArray<Placement>, Errors.StorageError>
    /** Every version of a node, oldest first. */
    readonly history: (id: NodeId) => Effect.Effect<ReadonlyArray<NodeVersion>, Errors.StorageError>
    /** The changes that touched a node (as any of the ids in their payload), oldest first. */
    readonly changes: (id: NodeId) => Effect.Effect<ReadonlyArray<ChangeRecord>, Errors.StorageError>
  }
>() {}

/**
 * The versions in force of nodes on given dates — one query per distinct date — keyed by
 * `date|nodeId`. Services use it to check that the nodes a batch names stand on its dates, and where.
 *
 * @since 0.1.0
 * @category queries
 */
export const versionsOn = (
  wanted: Iterable<{ readonly nodeId: NodeId; readonly date: Period.IsoDate }>
): Effect.Effect<ReadonlyMap<string, NodeVersion>, Errors.StorageError, GridStore> =>
  Effect.flatMap(GridStore, (store) => {
    const byDate = new Map<Period.IsoDate, Set<NodeId>>()
    for (const { nodeId, date } of wanted) byDate.set(date, (byDate.get(date) ?? new Set()).add(nodeId))
    return Effect.map(
      Effect.forEach(byDate, ([asOf, ids]) =>
        Effect.map(store.versions({ asOf, ids: [...ids] }), (found) =>
          found.map((version) => [`${asOf}|${version.nodeId}`, version] as const)
        )
      ),
      (found) => new Map(found.flat())
    )
  })
