/**
 * The geometry port in memory: every version of every node's geometry, and an index from change id
 * to the version it started. Queries scan; this store is for tests and small embedded trees.
 *
 * @since 0.1.0
 */
import type { Period } from "@sortgrid/core"
import * as Geometry from "@sortgrid/grid/Geometry"
import { type GeometryQuery, GeometryStore } from "@sortgrid/grid/GeometryStore"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface GeometryTable {
  /** Versions of each node's geometry, oldest first. */
  readonly versions: ReadonlyMap<string, ReadonlyArray<Geometry.GeometryVersion>>
  /** Change id → the node and version it started. */
  readonly byChange: ReadonlyMap<string, { readonly nodeId: string; readonly version: number }>
}

const matches = (query: GeometryQuery) => {
  const ids = query.ids === undefined ? undefined : new Set<string>(query.ids)
  return (version: Geometry.GeometryVersion) => {
    if (!Geometry.holdsOn(version, query.asOf)) return false
    if (ids !== undefined && !ids.has(version.nodeId)) return false
    if (query.containing === undefined) return true
    const [x, y] = query.containing
    const [west, south, east, north] = version.bbox
    return west <= x && x <= east && south <= y && y <= north
  }
}

const ended = (version: Geometry.GeometryVersion, validTo: Period.IsoDate) =>
  new Geometry.GeometryVersion({ ...version, validTo }, { disableValidation: true })

/**
 * `GeometryStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GeometryStore, never, MemoryDatabase> = Layer.effect(
  GeometryStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<GeometryTable>({ versions: new Map(), byChange: new Map() })

    const set = <E>(
      request: {
        readonly nodeIds: ReadonlyArray<string>
        readonly changeIds: ReadonlyArray<string>
      },
      decide: (stored: Geometry.StoredGeometries) => Either.Either<Geometry.GeometryPlan, E>
    ): Effect.Effect<Geometry.GeometryPlan, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const latest = new Map<string, Geometry.GeometryVersion>()
          for (const id of request.nodeIds) {
            const version = current.versions.get(id)?.at(-1)
            if (version !== undefined) latest.set(id, version)
          }
          const byChange = new Map<string, Geometry.GeometryVersion>()
          for (const changeId of request.changeIds) {
            const started = current.byChange.get(changeId)
            const version =
              started === undefined
                ? undefined
                : current.versions.get(started.nodeId)?.find((v) => v.version === started.version)
            if (version !== undefined) byChange.set(changeId, version)
          }
          const plan = yield* decide({ latest, byChange })
          if (plan.end.length === 0 && plan.start.length === 0) return plan
          const versions = new Map(current.versions)
          for (const end of plan.end) {
            const history = versions.get(end.nodeId) ?? []
            versions.set(
              end.nodeId,
              history.map((version) => (version.version === end.version ? ended(version, end.validTo) : version))
            )
          }
          const changes = new Map(current.byChange)
          for (const started of plan.start) {
            versions.set(started.nodeId, [...(versions.get(started.nodeId) ?? []), started])
            changes.set(started.changeId, { nodeId: started.nodeId, version: started.version })
          }
          yield* Ref.set(table, { versions, byChange: changes })
          return plan
        })
      )

    return GeometryStore.of({
      set,
      inForce: (query) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) => [...current.versions.values()].flat().filter(matches(query)))
        )
    })
  })
)
