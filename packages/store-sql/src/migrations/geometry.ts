/**
 * Migration 5: node geometries. One row per geometry version, keyed by (node, version), with the
 * GeoJSON as text and its bounding box in four columns, so a point lookup is prefiltered by box in
 * SQL before the exact test runs in memory. No spatial extension is assumed (neither SpatiaLite nor
 * PostGIS): the box columns work on plain SQLite and PostgreSQL alike.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates `grid_geometry`.
 *
 * @since 0.1.0
 * @category migrations
 */
export const geometry: Migration = {
  id: 5,
  name: "geometry",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Dates compare as byte strings: PostgreSQL needs the C collation for that.
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const real = sql.onDialectOrElse({ pg: () => sql.literal("DOUBLE PRECISION"), orElse: () => sql.literal("REAL") })
    yield* sql`CREATE TABLE grid_geometry (
      node_id ${text} NOT NULL,
      version INTEGER NOT NULL,
      change_id ${text} NOT NULL UNIQUE,
      digest TEXT NOT NULL,
      geometry TEXT NOT NULL,
      min_lon ${real} NOT NULL,
      min_lat ${real} NOT NULL,
      max_lon ${real} NOT NULL,
      max_lat ${real} NOT NULL,
      valid_from ${text} NOT NULL,
      valid_to ${text} NOT NULL,
      PRIMARY KEY (node_id, version)
    )`
    // Leading on min_lon narrows a point lookup to a longitude band; the other bounds are checked
    // from the index without reading the rows.
    yield* sql`CREATE INDEX grid_geometry_by_box ON grid_geometry (min_lon, max_lon, min_lat, max_lat)`
  })
}
