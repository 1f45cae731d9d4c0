/**
 * The storage port for node geometries. Writes follow the one pattern of every port: inside a write
 * transaction, load what the batch touches (the latest geometry of each named node and the versions
 * already started by its change ids — a few set-based queries), call `decide`, and write its plan
 * with multi-row statements.
 *
 * Geometries are stored by node id alone, without the node's path, kind or depth: a move, merge or
 * split re-roots whole subtrees by writing new node versions, and a path copied here would go stale
 * on every one of them. The `Geography` service joins geometries with the node versions of the date
 * it asks about, read through `GridStore` — so a geometry follows its node wherever the tree puts it.
 *
 * @since 0.1.0
 */
import type { Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type { GeometryChangeId, GeometryPlan, GeometryVersion, Position, StoredGeometries } from "./Geometry.js"
import type { NodeId } from "./Node.js"

/**
 * Which geometry versions to read: those in force on `asOf`, narrowed by any filter given.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeometryQuery {
  readonly asOf: Period.IsoDate
  /** Only the geometries of these nodes. */
  readonly ids?: ReadonlyArray<NodeId> | undefined
  /**
   * Only geometries whose bounding box holds this position, edges included: a prefilter, which the
   * exact test of `Geometry.locate` follows.
   */
  readonly containing?: Position | undefined
}

/**
 * The geometry storage operations.
 *
 * @since 0.1.0
 * @category ports
 */
export class GeometryStore extends Context.Tag("@sortgrid/grid/GeometryStore")<
  GeometryStore,
  {
    /**
     * Loads the latest versions of `nodeIds` and the versions started by `changeIds`, applies
     * `decide`'s plan atomically (ends first, then starts), and returns it.
     */
    readonly set: <E>(
      request: { readonly nodeIds: ReadonlyArray<NodeId>; readonly changeIds: ReadonlyArray<GeometryChangeId> },
      decide: (stored: StoredGeometries) => Either.Either<GeometryPlan, E>
    ) => Effect.Effect<GeometryPlan, E | Errors.StorageError>
    /** Geometry versions in force on a date, in no particular order. */
    readonly inForce: (query: GeometryQuery) => Effect.Effect<ReadonlyArray<GeometryVersion>, Errors.StorageError>
  }
>() {}
