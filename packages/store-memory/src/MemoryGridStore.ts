/**
 * The grid's port in memory: every version of every node, and the change records. Queries scan;
 * this store is for tests and small embedded trees.
 *
 * @since 0.1.0
 */
import { GridStore, Node, type Tree } from "@sortgrid/grid"
import { Context, Effect, type Either, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

/**
 * The stored state of the tree.
 *
 * @since 0.1.0
 * @category models
 */
export interface GridTable {
  /** Versions of each node, oldest first. */
  readonly versions: ReadonlyMap<string, ReadonlyArray<Node.NodeVersion>>
  readonly changes: ReadonlyMap<string, Tree.ChangeRecord>
}

/**
 * The tree's table in a memory store, for the other memory ports that join with it.
 *
 * @since 0.1.0
 * @category services
 */
export class GridTableRef extends Context.Tag("@sortgrid/store-memory/GridTableRef")<
  GridTableRef,
  Ref.Ref<GridTable>
>() {}

const matches = (query: GridStore.VersionQuery) => {
  const ids = query.ids === undefined ? undefined : new Set<string>(query.ids)
  const kinds = query.kinds === undefined ? undefined : new Set<string>(query.kinds)
  const codes = query.codes === undefined ? undefined : new Set<string>(query.codes)
  const depths = query.depths === undefined ? undefined : new Set<number>(query.depths)
  return (version: Node.NodeVersion) =>
    Node.holdsOn(version, query.asOf) &&
    (ids === undefined || ids.has(version.nodeId)) &&
    (query.under === undefined || version.path.startsWith(query.under)) &&
    (query.parentId === undefined || version.parentId === query.parentId) &&
    (kinds === undefined || kinds.has(version.kind)) &&
    (codes === undefined || (version.code !== null && codes.has(version.code))) &&
    (depths === undefined || depths.has(version.depth))
}

const byPath = (a: Node.NodeVersion, b: Node.NodeVersion) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

/**
 * `GridStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GridStore.GridStore | GridTableRef, never, MemoryDatabase> = Layer.effectContext(
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<GridTable>({ versions: new Map(), changes: new Map() })

    const change = <E>(
      request: { readonly scope: Tree.Scope; readonly changeId?: Node.ChangeId | undefined },
      decide: (state: Tree.TreeState) => Either.Either<Tree.TreePlan, E>
    ): Effect.Effect<Tree.TreePlan, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const latest = new Map<string, Node.NodeVersion>()
          for (const id of [...request.scope.ids, ...request.scope.subtreesOf]) {
            const version = current.versions.get(id)?.at(-1)
            if (version !== undefined) latest.set(id, version)
          }
          const roots = request.scope.subtreesOf.flatMap((id) => Option.toArray(Option.fromNullable(latest.get(id))))
          const descendants: Array<Node.NodeVersion> = []
          for (const history of current.versions.values()) {
            const version = history.at(-1)!
            if (Node.isOpen(version) && roots.some((root) => version.path.startsWith(root.path))) {
              descendants.push(version)
            }
          }
          const stored = Option.fromNullable(
            request.changeId === undefined ? undefined : current.changes.get(request.changeId)
          )
          const plan = yield* decide({ latest, descendants, stored })
          if (plan.end.length === 0 && plan.start.length === 0 && Option.isNone(plan.record)) return plan
          const versions = new Map(current.versions)
          for (const ended of plan.end) {
            const history = versions.get(ended.nodeId) ?? []
            versions.set(
              ended.nodeId,
              history.map((version) =>
                version.version === ended.version
                  ? new Node.NodeVersion({ ...version, validTo: ended.validTo })
                  : version
              )
            )
          }
          for (const started of plan.start)
            versions.set(started.nodeId, [...(versions.get(started.nodeId) ?? []), started])
          const changes = Option.match(plan.record, {
            onNone: () => current.changes,
            onSome: (record) => new Map(current.changes).set(record.changeId, record)
          })
          yield* Ref.set(table, { versions, changes })
          return plan
        })
      )

    const allVersions = (current: GridTable) => [...current.versions.values()].flat()

    const store = GridStore.GridStore.of({
      change,
      versions: (query) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) => allVersions(current).filter(matches(query)).sort(byPath))
        ),
      countByKind: ({ asOf, under }) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) => {
            const counts = new Map<Node.NodeVersion["kind"], number>()
            for (const version of allVersions(current).filter(matches({ asOf, under }))) {
              counts.set(version.kind, (counts.get(version.kind) ?? 0) + 1)
            }
            return [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => (a.kind < b.kind ? -1 : 1))
          })
        ),
      placements: (query) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) =>
            allVersions(current)
              .filter(matches(query))
              .map((version): readonly [string, string] => [version.nodeId, version.path])
          )
        ),
      history: (id) => db.transaction(Effect.map(Ref.get(table), (current) => current.versions.get(id) ?? [])),
      changes: (id) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) =>
            [...current.changes.values()]
              .filter((record) => record.nodes.includes(id))
              .sort((a, b) => (a.effectiveOn < b.effectiveOn ? -1 : a.effectiveOn > b.effectiveOn ? 1 : 0))
          )
        )
    })
    return Context.make(GridStore.GridStore, store).pipe(Context.add(GridTableRef, table))
  })
)
