/**
 * Where nodes lie on the ground: an optional GeoJSON geometry per node, effective-dated like the
 * nodes themselves, and the pure rules over it — validating geometries, planning changes, finding
 * the node that contains a point, exporting a subtree as a FeatureCollection.
 *
 * A node's geometry is a sequence of versions, each holding for `[validFrom, validTo)`; setting a
 * new geometry from a date ends the one in force. Territorial kinds (district … compound) take a
 * `Polygon` or `MultiPolygon`; sites (bin stations, schools, plazas…) take a `Point`. Positions are
 * `[longitude, latitude]` in WGS 84, as RFC 7946 has them; a shape that crosses the antimeridian
 * must be split into a `MultiPolygon` there, as RFC 7946 asks.
 *
 * Guarantees:
 * - at any date a node has at most one geometry version;
 * - changes apply in date order: none is effective before the latest one of the same node;
 * - a change id is used once: a retry with the same content returns the version it started, the
 *   same id with other content is a `Conflict`.
 *
 * `locate` answers with the deepest node (largest tree depth) whose polygon contains the point,
 * boundaries included. Among equally deep nodes — siblings that overlap, or a point on the edge two
 * siblings share — the one with the smaller area wins, then the smaller node id (code-unit order).
 * Points are not containers: a site never answers `locate`.
 *
 * @since 0.1.0
 */

import { type Actor, Errors, Id, Json, Period } from "@sortgrid/core"
import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon"
import { Either, Option, Schema } from "effect"
import Flatbush from "flatbush"
import type * as GeoJSON from "geojson"
import { NodeId, type NodeVersion, holdsOn as nodeHoldsOn } from "./Node.js"
import * as Profile from "./Profile.js"

// --- schemas ----------------------------------------------------------------------------------------

const Coordinate = Schema.Number.pipe(Schema.finite())

/**
 * A position, `[longitude, latitude]`: longitude in [-180, 180], latitude in [-90, 90].
 *
 * @since 0.1.0
 * @category schemas
 */
export const Position = Schema.Tuple(Coordinate, Coordinate).pipe(
  Schema.filter(
    ([longitude, latitude]) => {
      if (longitude < -180 || longitude > 180) return `longitude ${longitude} is not between -180 and 180`
      if (latitude < -90 || latitude > 90) return `latitude ${latitude} is not between -90 and 90`
      return true
    },
    { identifier: "Position", description: "[longitude, latitude] in WGS 84" }
  )
)

/**
 * @since 0.1.0
 * @category schemas
 */
export type Position = typeof Position.Type

/**
 * A closed ring: at least four positions, the last equal to the first.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LinearRing = Schema.Array(Position).pipe(
  Schema.filter(
    (ring) => {
      if (ring.length < 4) return `a ring needs at least 4 positions, found ${ring.length}`
      const first = ring[0]!
      const last = ring[ring.length - 1]!
      return (
        (first[0] === last[0] && first[1] === last[1]) ||
        "a ring must be closed: its last position must equal its first"
      )
    },
    { identifier: "LinearRing" }
  )
)

/**
 * A polygon: an exterior ring, then any holes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Polygon = Schema.Struct({
  type: Schema.Literal("Polygon"),
  coordinates: Schema.NonEmptyArray(LinearRing)
}).annotations({ identifier: "Polygon" })

/**
 * @since 0.1.0
 * @category schemas
 */
export type Polygon = typeof Polygon.Type

/**
 * Several polygons that together make one area (a town with an exclave).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MultiPolygon = Schema.Struct({
  type: Schema.Literal("MultiPolygon"),
  coordinates: Schema.NonEmptyArray(Schema.NonEmptyArray(LinearRing))
}).annotations({ identifier: "MultiPolygon" })

/**
 * @since 0.1.0
 * @category schemas
 */
export type MultiPolygon = typeof MultiPolygon.Type

/**
 * A site's location.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Point = Schema.Struct({
  type: Schema.Literal("Point"),
  coordinates: Position
}).annotations({ identifier: "Point" })

/**
 * @since 0.1.0
 * @category schemas
 */
export type Point = typeof Point.Type

/**
 * A node's geometry: an area for territorial kinds, a point for sites. A `bbox` member is not
 * accepted: the bounding box is computed ({@link boundingBox}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Geometry = Schema.Union(Polygon, MultiPolygon, Point).annotations({ identifier: "Geometry" })

/**
 * @since 0.1.0
 * @category schemas
 */
export type Geometry = typeof Geometry.Type

/**
 * A bounding box in GeoJSON order: `[west, south, east, north]`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BoundingBox = Schema.Tuple(Coordinate, Coordinate, Coordinate, Coordinate)

/**
 * @since 0.1.0
 * @category schemas
 */
export type BoundingBox = typeof BoundingBox.Type

/**
 * What `locate` takes: a position, or a GeoJSON `Point`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LocatePoint: Schema.Schema<
  Position,
  Position | { readonly type: "Point"; readonly coordinates: Position }
> = Schema.Union(
  Position,
  Schema.transform(Point, Schema.typeSchema(Position), {
    strict: true,
    decode: (point) => point.coordinates,
    encode: (coordinates) => ({ type: "Point" as const, coordinates })
  })
)

// --- model ------------------------------------------------------------------------------------------

/**
 * The id of a geometry change, chosen by the client: its idempotency key.
 *
 * @since 0.1.0
 * @category ids
 */
export const GeometryChangeId = Id.brand("GeometryChangeId")

/**
 * @since 0.1.0
 * @category ids
 */
export type GeometryChangeId = typeof GeometryChangeId.Type

/**
 * One version of a node's geometry, with the change that started it.
 *
 * @since 0.1.0
 * @category models
 */
export class GeometryVersion extends Schema.Class<GeometryVersion>("@sortgrid/grid/GeometryVersion")({
  nodeId: NodeId,
  version: Schema.Int.pipe(Schema.positive()),
  changeId: GeometryChangeId,
  /** The digest of the change's content, to tell a retry from a reused id. */
  digest: Schema.String,
  geometry: Geometry,
  bbox: BoundingBox,
  validFrom: Period.IsoDate,
  /** The first date the version no longer holds; {@link Period.endOfTime} while it is in force. */
  validTo: Period.IsoDate
}) {}

/**
 * Whether a geometry version holds on a date.
 *
 * @since 0.1.0
 * @category models
 */
export const holdsOn = (version: GeometryVersion, date: Period.IsoDate): boolean =>
  version.validFrom <= date && date < version.validTo

/**
 * Set a node's geometry from a date, ending the one in force.
 *
 * @since 0.1.0
 * @category commands
 */
export class SetGeometry extends Schema.Class<SetGeometry>("@sortgrid/grid/SetGeometry")({
  changeId: GeometryChangeId,
  nodeId: NodeId,
  geometry: Geometry,
  effectiveOn: Period.IsoDate
}) {}

/**
 * The digest of a command's content: equal commands, equal digests.
 *
 * @since 0.1.0
 * @category commands
 */
export const digestOf = (command: SetGeometry): string =>
  Json.digest({
    changeId: command.changeId,
    nodeId: command.nodeId,
    geometry: command.geometry,
    effectiveOn: command.effectiveOn
  })

// --- measures ---------------------------------------------------------------------------------------

const positionsOf = (geometry: Geometry): ReadonlyArray<Position> => {
  switch (geometry.type) {
    case "Point":
      return [geometry.coordinates]
    case "Polygon":
      return geometry.coordinates.flat()
    case "MultiPolygon":
      return geometry.coordinates.flat(2)
  }
}

/**
 * The smallest box holding every position of a geometry.
 *
 * @since 0.1.0
 * @category measures
 */
export const boundingBox = (geometry: Geometry): BoundingBox => {
  let west = Number.POSITIVE_INFINITY
  let south = Number.POSITIVE_INFINITY
  let east = Number.NEGATIVE_INFINITY
  let north = Number.NEGATIVE_INFINITY
  for (const [longitude, latitude] of positionsOf(geometry)) {
    west = Math.min(west, longitude)
    south = Math.min(south, latitude)
    east = Math.max(east, longitude)
    north = Math.max(north, latitude)
  }
  return [west, south, east, north]
}

const ringArea = (ring: ReadonlyArray<Position>): number => {
  let twice = 0
  for (let i = 1; i < ring.length; i++) {
    const [x0, y0] = ring[i - 1]!
    const [x1, y1] = ring[i]!
    twice += x0 * y1 - x1 * y0
  }
  return Math.abs(twice) / 2
}

const polygonArea = (rings: ReadonlyArray<ReadonlyArray<Position>>): number =>
  rings.reduce((total, ring, i) => (i === 0 ? total + ringArea(ring) : total - ringArea(ring)), 0)

/**
 * A geometry's planar area in square degrees (holes subtracted; 0 for a point). Only for ranking
 * nested or overlapping shapes against each other, never as a surface measure.
 *
 * @since 0.1.0
 * @category measures
 */
export const area = (geometry: Geometry): number => {
  switch (geometry.type) {
    case "Point":
      return 0
    case "Polygon":
      return polygonArea(geometry.coordinates)
    case "MultiPolygon":
      return geometry.coordinates.reduce((total, polygon) => total + polygonArea(polygon), 0)
  }
}

const copyRing = (ring: ReadonlyArray<Position>): Array<GeoJSON.Position> => ring.map(([x, y]) => [x, y])

/**
 * A geometry as a plain `@types/geojson` value (a copy: changing it changes nothing stored).
 *
 * @since 0.1.0
 * @category conversions
 */
export const toGeoJson = (geometry: Geometry): GeoJSON.Polygon | GeoJSON.MultiPolygon | GeoJSON.Point => {
  switch (geometry.type) {
    case "Point":
      return { type: "Point", coordinates: [geometry.coordinates[0], geometry.coordinates[1]] }
    case "Polygon":
      return { type: "Polygon", coordinates: geometry.coordinates.map(copyRing) }
    case "MultiPolygon":
      return { type: "MultiPolygon", coordinates: geometry.coordinates.map((polygon) => polygon.map(copyRing)) }
  }
}

/**
 * Whether an area contains a position, boundary included. A point contains nothing.
 *
 * @since 0.1.0
 * @category measures
 */
export const contains = (geometry: Geometry, position: Position): boolean => {
  const shape = toGeoJson(geometry)
  return shape.type !== "Point" && booleanPointInPolygon([position[0], position[1]], shape)
}

// --- joining nodes and geometries ---------------------------------------------------------------

/**
 * A node with the geometry it has on a date.
 *
 * @since 0.1.0
 * @category locating
 */
export interface NodeGeometry {
  readonly node: NodeVersion
  readonly geometry: GeometryVersion
}

/**
 * Pairs the node versions and geometry versions that both hold on `asOf`, ordered by path. Either
 * list may hold other dates' versions; they are left out.
 *
 * @since 0.1.0
 * @category locating
 */
export const join = (options: {
  readonly asOf: Period.IsoDate
  readonly nodes: ReadonlyArray<NodeVersion>
  readonly geometries: ReadonlyArray<GeometryVersion>
}): ReadonlyArray<NodeGeometry> => {
  const byNode = new Map<string, GeometryVersion>()
  for (const geometry of options.geometries) {
    if (holdsOn(geometry, options.asOf)) byNode.set(geometry.nodeId, geometry)
  }
  const joined: Array<NodeGeometry> = []
  for (const node of options.nodes) {
    const geometry = byNode.get(node.nodeId)
    if (geometry !== undefined && nodeHoldsOn(node, options.asOf)) joined.push({ node, geometry })
  }
  return joined.sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0))
}

// --- the spatial index ------------------------------------------------------------------------------

/**
 * An indexed area: the node geometry, its area (for ties) and its shape as turf reads it.
 *
 * @since 0.1.0
 * @category locating
 */
export interface IndexedArea extends NodeGeometry {
  readonly area: number
  readonly shape: GeoJSON.Polygon | GeoJSON.MultiPolygon
}

/**
 * A static R-tree (flatbush) over the bounding boxes of the areas among a set of node geometries.
 * Build it once with {@link makeIndex}, then {@link locate} as many points as needed.
 *
 * @since 0.1.0
 * @category locating
 */
export interface SpatialIndex {
  /** The areas, in the tree's item order; points are left out, as they contain nothing. */
  readonly items: ReadonlyArray<IndexedArea>
  /** Absent when there is nothing to index (flatbush refuses an empty tree). */
  readonly tree: Flatbush | undefined
}

/**
 * Indexes the areas among node geometries (as {@link join} returns them).
 *
 * @since 0.1.0
 * @category locating
 */
export const buildIndex = (entries: ReadonlyArray<NodeGeometry>): SpatialIndex => {
  const items: Array<IndexedArea> = []
  for (const entry of entries) {
    const shape = toGeoJson(entry.geometry.geometry)
    if (shape.type === "Point") continue
    items.push({ ...entry, area: area(entry.geometry.geometry), shape })
  }
  if (items.length === 0) return { items, tree: undefined }
  const tree = new Flatbush(items.length)
  for (const entry of items) {
    const [west, south, east, north] = entry.geometry.bbox
    tree.add(west, south, east, north)
  }
  tree.finish()
  return { items, tree }
}

/**
 * Indexes the nodes' geometries in force on a date: {@link join}, then {@link buildIndex}.
 *
 * @since 0.1.0
 * @category locating
 */
export const makeIndex = (options: {
  readonly asOf: Period.IsoDate
  readonly nodes: ReadonlyArray<NodeVersion>
  readonly geometries: ReadonlyArray<GeometryVersion>
}): SpatialIndex => buildIndex(join(options))

/** Deeper first; then smaller; then the smaller id, so the answer never depends on load order. */
const better = (a: IndexedArea, b: IndexedArea): boolean =>
  a.node.depth !== b.node.depth
    ? a.node.depth > b.node.depth
    : a.area !== b.area
      ? a.area < b.area
      : a.node.nodeId < b.node.nodeId

/**
 * The deepest indexed node whose area contains the position (see the module's rule for ties), or
 * none.
 *
 * @since 0.1.0
 * @category locating
 */
export const locate = (index: SpatialIndex, position: Position): Option.Option<NodeGeometry> => {
  if (index.tree === undefined) return Option.none()
  const [x, y] = position
  let best: IndexedArea | undefined
  for (const i of index.tree.search(x, y, x, y)) {
    const candidate = index.items[i]!
    if (best !== undefined && !better(candidate, best)) continue
    if (booleanPointInPolygon([x, y], candidate.shape)) best = candidate
  }
  return best === undefined ? Option.none() : Option.some({ node: best.node, geometry: best.geometry })
}

// --- export -------------------------------------------------------------------------------------

/**
 * The properties of an exported feature.
 *
 * @since 0.1.0
 * @category exporting
 */
export type NodeProperties = {
  readonly id: NodeId
  readonly kind: Profile.NodeKind
  readonly name: string
  readonly code: string | null
  readonly depth: number
  readonly parentId: NodeId | null
}

/**
 * A FeatureCollection of node geometries: one feature per node, `id` the node id, in the order
 * given (by path, from {@link join}).
 *
 * @since 0.1.0
 * @category exporting
 */
export const toFeatureCollection = (
  entries: ReadonlyArray<NodeGeometry>
): GeoJSON.FeatureCollection<GeoJSON.Polygon | GeoJSON.MultiPolygon | GeoJSON.Point, NodeProperties> => ({
  type: "FeatureCollection",
  features: entries.map(({ node, geometry }) => ({
    type: "Feature",
    id: node.nodeId,
    bbox: [...geometry.bbox],
    geometry: toGeoJson(geometry.geometry),
    properties: {
      id: node.nodeId,
      kind: node.kind,
      name: node.name,
      code: node.code,
      depth: node.depth,
      parentId: node.parentId
    }
  }))
})

// --- planning changes -------------------------------------------------------------------------------

/**
 * What is stored about the nodes and change ids a batch names: each node's latest geometry
 * version, and the versions already started by the batch's change ids.
 *
 * @since 0.1.0
 * @category planning
 */
export interface StoredGeometries {
  readonly latest: ReadonlyMap<string, GeometryVersion>
  readonly byChange: ReadonlyMap<string, GeometryVersion>
}

/**
 * What to write: versions to end (by node and version number, ending on `validTo`), versions to
 * start; `results` holds, per command in order, the version it started (or started before, for a
 * retry); `paths` the places of the nodes whose geometry changes, for the permission check.
 *
 * @since 0.1.0
 * @category planning
 */
export interface GeometryPlan {
  readonly end: ReadonlyArray<{ readonly nodeId: NodeId; readonly version: number; readonly validTo: Period.IsoDate }>
  readonly start: ReadonlyArray<GeometryVersion>
  readonly results: ReadonlyArray<GeometryVersion>
  readonly paths: ReadonlyArray<Actor.NodePath>
}

/**
 * Why a plan is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export type Refusal = Errors.Invalid | Errors.Conflict

const kindError = (profile: Profile.Profile, node: NodeVersion, geometry: Geometry): string | undefined => {
  const territorial = Profile.definition(profile, node.kind)?.territorial ?? false
  if (territorial && geometry.type === "Point") {
    return `a ${node.kind} covers ground: its geometry must be a Polygon or MultiPolygon`
  }
  if (!territorial && geometry.type !== "Point") return `a ${node.kind} is a site: its geometry must be a Point`
  return undefined
}

/**
 * Plans a batch of geometry changes, in order, all or nothing. Each node must be in force on the
 * change's date, and the geometry's type must fit its kind; a change effective before the node's
 * latest geometry is a `Conflict`. A change id already stored with the same content is a retry and
 * plans nothing; with other content it is a `Conflict`.
 *
 * @since 0.1.0
 * @category planning
 */
export const planSet = (
  profile: Profile.Profile,
  state: { readonly nodes: ReadonlyArray<NodeVersion>; readonly stored: StoredGeometries },
  commands: ReadonlyArray<SetGeometry>
): Either.Either<GeometryPlan, Refusal> => {
  const seen = new Set<string>()
  for (const [index, command] of commands.entries()) {
    if (seen.has(command.changeId)) {
      return Either.left(
        Errors.Invalid.one(["geometries", index, "changeId"], `${command.changeId} appears twice in the batch`)
      )
    }
    seen.add(command.changeId)
  }
  const versionsOf = new Map<string, Array<NodeVersion>>()
  for (const version of state.nodes) {
    const versions = versionsOf.get(version.nodeId)
    if (versions === undefined) versionsOf.set(version.nodeId, [version])
    else versions.push(version)
  }
  const latest = new Map(state.stored.latest)
  const started = new Map<string, GeometryVersion>()
  const end: Array<GeometryPlan["end"][number]> = []
  const paths: Array<Actor.NodePath> = []
  const results: Array<GeometryVersion> = []
  const key = (nodeId: string, version: number) => `${nodeId}#${version}`

  for (const [index, command] of commands.entries()) {
    const digest = digestOf(command)
    const stored = state.stored.byChange.get(command.changeId)
    if (stored !== undefined) {
      if (stored.digest !== digest) {
        return Either.left(
          new Errors.Conflict({
            entity: "GeometryChange",
            id: command.changeId,
            reason: "the id was already used with different content"
          })
        )
      }
      results.push(stored)
      continue
    }
    const on = command.effectiveOn
    const node = versionsOf.get(command.nodeId)?.find((version) => nodeHoldsOn(version, on))
    if (node === undefined) {
      return Either.left(
        Errors.Invalid.one(["geometries", index, "nodeId"], `node ${command.nodeId} is not in force on ${on}`)
      )
    }
    const misfit = kindError(profile, node, command.geometry)
    if (misfit !== undefined) return Either.left(Errors.Invalid.one(["geometries", index, "geometry", "type"], misfit))
    const previous = latest.get(command.nodeId)
    if (previous !== undefined) {
      if (previous.validFrom > on) {
        return Either.left(
          new Errors.Conflict({
            entity: "Geometry",
            id: command.nodeId,
            reason: `it has a geometry effective ${previous.validFrom}, after ${on}: changes apply in date order`
          })
        )
      }
      const ended = new GeometryVersion({ ...previous, validTo: on }, { disableValidation: true })
      if (started.has(key(previous.nodeId, previous.version))) started.set(key(ended.nodeId, ended.version), ended)
      else end.push({ nodeId: previous.nodeId, version: previous.version, validTo: on })
    }
    const version = new GeometryVersion(
      {
        nodeId: command.nodeId,
        version: (previous?.version ?? 0) + 1,
        changeId: command.changeId,
        digest,
        geometry: command.geometry,
        bbox: boundingBox(command.geometry),
        validFrom: on,
        validTo: Period.endOfTime
      },
      { disableValidation: true }
    )
    latest.set(version.nodeId, version)
    started.set(key(version.nodeId, version.version), version)
    paths.push(node.path)
    results.push(version)
  }
  return Either.right({
    end,
    start: [...started.values()],
    // A version started here and ended later in the batch is reported as it will be stored.
    results: results.map((result) => started.get(key(result.nodeId, result.version)) ?? result),
    paths
  })
}
