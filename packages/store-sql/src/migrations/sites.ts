/**
 * Migration 4: site details. One row per details version, keyed by (node, start), the details as JSON.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates `grid_site`.
 *
 * @since 0.1.0
 * @category migrations
 */
export const sites: Migration = {
  id: 4,
  name: "sites",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    yield* sql`CREATE TABLE grid_site (
      node_id ${text} NOT NULL,
      valid_from ${text} NOT NULL,
      valid_to ${text} NOT NULL,
      details TEXT NOT NULL,
      PRIMARY KEY (node_id, valid_from)
    )`
  })
}
