/**
 * Migration 10: inspections.
 *
 * - `inspection_campaign`, `checklist_template`: one row a definition, the entity as JSON `body`.
 *   Definitions are written once per id and never updated.
 * - `inspection_visit`: one row a recorded visit, its record (the visit and what it did) as JSON,
 *   with the node, campaign and time copied into columns for the queries that list visits and find
 *   each node's last visit.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the campaign, template and visit tables.
 *
 * @since 0.1.0
 * @category migrations
 */
export const inspections: Migration = {
  id: 10,
  name: "inspections",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE inspection_campaign (id ${text} PRIMARY KEY, body TEXT NOT NULL)`
    yield* sql`CREATE TABLE checklist_template (id ${text} PRIMARY KEY, body TEXT NOT NULL)`
    yield* sql`CREATE TABLE inspection_visit (
      id ${text} PRIMARY KEY,
      campaign_id ${text} NOT NULL,
      node_id ${text} NOT NULL,
      at ${bigint} NOT NULL,
      body TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX inspection_visit_by_node ON inspection_visit (node_id, at)`
    yield* sql`CREATE INDEX inspection_visit_by_time ON inspection_visit (at)`
  })
}
