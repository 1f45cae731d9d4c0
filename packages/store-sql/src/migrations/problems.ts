/**
 * Migration 9: the problem register.
 *
 * - `problem`: one row a problem, its latest version. The whole entity is the JSON `body`; the other
 *   columns copy the fields queries filter and sort on, so the open problems on a (node, category)
 *   pair and the problems on the register during a period are indexed reads.
 * - `problem_event`: one row an accepted command, keyed by (problem, version), the event as JSON.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the problem and problem event tables.
 *
 * @since 0.1.0
 * @category migrations
 */
export const problems: Migration = {
  id: 9,
  name: "problems",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Ids compare and sort as byte strings: PostgreSQL needs the C collation for that.
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE problem (
      id ${text} PRIMARY KEY,
      category_code ${text} NOT NULL,
      node_id ${text} NOT NULL,
      state TEXT NOT NULL,
      deadline_at ${bigint} NOT NULL,
      registered_at ${bigint} NOT NULL,
      closed_at ${bigint} NULL,
      version INTEGER NOT NULL,
      body TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX problem_by_pair ON problem (node_id, category_code, state)`
    yield* sql`CREATE INDEX problem_by_registration ON problem (registered_at)`
    yield* sql`CREATE TABLE problem_event (
      problem_id ${text} NOT NULL,
      version INTEGER NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (problem_id, version)
    )`
  })
}
