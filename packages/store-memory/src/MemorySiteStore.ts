/**
 * Site details in memory.
 *
 * @since 0.1.0
 */
import { Period } from "@sortgrid/core"
import { Node, Site, SiteStore } from "@sortgrid/grid"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"
import { GridTableRef } from "./MemoryGridStore.js"

/**
 * `SiteStore` over a `MemoryDatabase` (and the grid table, to find sites under a path).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SiteStore.SiteStore, never, MemoryDatabase | GridTableRef> = Layer.effect(
  SiteStore.SiteStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const grid = yield* GridTableRef
    const table = yield* db.table<ReadonlyArray<Site.SiteVersion>>([])

    const change = <E>(
      nodeIds: ReadonlyArray<Node.NodeId>,
      decide: (current: ReadonlyMap<string, Site.SiteVersion>) => Either.Either<Site.SitePlan, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const rows = yield* Ref.get(table)
          const named = new Set<string>(nodeIds)
          const current = new Map(
            rows
              .filter((row) => named.has(row.nodeId) && row.validTo === Period.endOfTime)
              .map((row) => [row.nodeId as string, row])
          )
          const plan = yield* decide(current)
          const ended = new Map(plan.end.map((end) => [end.nodeId as string, end.validTo]))
          yield* Ref.set(table, [
            ...rows.map((row) => {
              const validTo = row.validTo === Period.endOfTime ? ended.get(row.nodeId) : undefined
              return validTo === undefined ? row : new Site.SiteVersion({ ...row, validTo })
            }),
            ...plan.start
          ])
          return plan
        })
      )

    return SiteStore.SiteStore.of({
      change,
      sites: ({ asOf, under }) =>
        db.transaction(
          Effect.gen(function* () {
            const paths = new Map<string, string>()
            for (const history of (yield* Ref.get(grid)).versions.values()) {
              for (const version of history) {
                if (Node.holdsOn(version, asOf) && version.path.startsWith(under))
                  paths.set(version.nodeId, version.path)
              }
            }
            return (yield* Ref.get(table))
              .filter((row) => row.validFrom <= asOf && asOf < row.validTo && paths.has(row.nodeId))
              .sort((a, b) => (paths.get(a.nodeId)! < paths.get(b.nodeId)! ? -1 : 1))
          })
        )
    })
  })
)
