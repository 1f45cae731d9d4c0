/**
 * The geometry port over `SqlClient`. Geometry versions live in `grid_geometry` (migration 5): the
 * GeoJSON as text, keyed by (node, version), with the bounding box in four columns so a point
 * lookup is a box prefilter in SQL. Writes are serialised per database (SQLite's write lock; a
 * transaction-scoped advisory lock on PostgreSQL), load their state in two set-based queries, and
 * write with multi-row statements.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Period } from "@sortgrid/core"
import { Node } from "@sortgrid/grid"
import * as Geometry from "@sortgrid/grid/Geometry"
import { type GeometryQuery, GeometryStore } from "@sortgrid/grid/GeometryStore"
import { Effect, type Either, Layer, Schema } from "effect"
import { makeInserter } from "./internal/insert.js"
import { inChunks, readRows } from "./internal/query.js"
import { endOpenVersions, serialisedTransaction } from "./internal/write.js"

const GeometryRow = Schema.Struct({
  node_id: Node.NodeId,
  version: Schema.Int,
  change_id: Geometry.GeometryChangeId,
  digest: Schema.String,
  geometry: Schema.parseJson(Geometry.Geometry),
  min_lon: Schema.Number,
  min_lat: Schema.Number,
  max_lon: Schema.Number,
  max_lat: Schema.Number,
  valid_from: Period.IsoDate,
  valid_to: Period.IsoDate
})

/** Every field was checked by the row schema: build the version without checking again. */
const toVersion = (row: typeof GeometryRow.Type) =>
  new Geometry.GeometryVersion(
    {
      nodeId: row.node_id,
      version: row.version,
      changeId: row.change_id,
      digest: row.digest,
      geometry: row.geometry,
      bbox: [row.min_lon, row.min_lat, row.max_lon, row.max_lat],
      validFrom: row.valid_from,
      validTo: row.valid_to
    },
    { disableValidation: true }
  )

const decodeRows = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(GeometryRow))(rows), (decoded) => decoded.map(toVersion))

const toRow = (version: Geometry.GeometryVersion) => ({
  node_id: version.nodeId,
  version: version.version,
  change_id: version.changeId,
  digest: version.digest,
  geometry: JSON.stringify(version.geometry),
  min_lon: version.bbox[0],
  min_lat: version.bbox[1],
  max_lon: version.bbox[2],
  max_lat: version.bbox[3],
  valid_from: version.validFrom,
  valid_to: version.validTo
})

/**
 * `GeometryStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GeometryStore, never, SqlClient.SqlClient> = Layer.effect(
  GeometryStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insertVersions = makeInserter<ReturnType<typeof toRow>>(sql, "grid_geometry", [
      "node_id",
      "version",
      "change_id",
      "digest",
      "geometry",
      "min_lon",
      "min_lat",
      "max_lon",
      "max_lat",
      "valid_from",
      "valid_to"
    ])

    /** Versions selected once per chunk of the (distinct) ids. */
    const byIds = (
      operation: string,
      ids: ReadonlyArray<string>,
      select: (chunk: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>
    ) => inChunks([...new Set(ids)], (chunk) => select(chunk).pipe(readRows(operation, decodeRows)))

    const set = <E>(
      request: {
        readonly nodeIds: ReadonlyArray<Node.NodeId>
        readonly changeIds: ReadonlyArray<Geometry.GeometryChangeId>
      },
      decide: (stored: Geometry.StoredGeometries) => Either.Either<Geometry.GeometryPlan, E>
    ) =>
      serialisedTransaction(sql, { operation: "geometry set", lock: "geometry" })(
        Effect.gen(function* () {
          const latest = yield* byIds(
            "geometry set",
            request.nodeIds,
            (chunk) =>
              sql`SELECT g.* FROM grid_geometry g
                  WHERE ${sql.in("g.node_id", chunk)}
                    AND g.version = (SELECT MAX(h.version) FROM grid_geometry h WHERE h.node_id = g.node_id)`
          )
          const started = yield* byIds(
            "geometry set",
            request.changeIds,
            (chunk) => sql`SELECT * FROM grid_geometry WHERE ${sql.in("change_id", chunk)}`
          )
          const plan = yield* decide({
            latest: new Map(latest.map((version) => [version.nodeId as string, version])),
            byChange: new Map(started.map((version) => [version.changeId as string, version]))
          })
          // Ends go first: only a node's latest version is open, and the new ones must stay open.
          yield* endOpenVersions(sql, "grid_geometry")(plan.end)
          if (plan.start.length > 0) yield* insertVersions(plan.start.map(toRow))
          return plan
        })
      )

    const inForce = (query: GeometryQuery) => {
      const filters = [
        sql`valid_from <= ${query.asOf}`,
        sql`valid_to > ${query.asOf}`,
        ...(query.containing === undefined
          ? []
          : [
              sql`min_lon <= ${query.containing[0]}`,
              sql`max_lon >= ${query.containing[0]}`,
              sql`min_lat <= ${query.containing[1]}`,
              sql`max_lat >= ${query.containing[1]}`
            ])
      ]
      if (query.ids === undefined) {
        return sql`SELECT * FROM grid_geometry WHERE ${sql.and(filters)}`.pipe(readRows("geometry read", decodeRows))
      }
      return byIds(
        "geometry read",
        query.ids,
        (chunk) => sql`SELECT * FROM grid_geometry WHERE ${sql.and([...filters, sql.in("node_id", chunk)])}`
      )
    }

    return GeometryStore.of({ set, inForce })
  })
)
