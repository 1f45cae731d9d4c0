/**
 * Migration 7: people and their assignments.
 *
 * - `grid_person`: one row a person; the phone number is held as given (it is personal data in
 *   memory, where it is `Redacted`, and never leaves the store in an audit entry).
 * - `grid_assignment`: one row an assignment, with the digest of the command that made it (for
 *   idempotent retries). Indexed by person (overlap checks and a person's actor) and by node and
 *   first day (who holds what at a node).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the people and assignment tables.
 *
 * @since 0.1.0
 * @category migrations
 */
export const people: Migration = {
  id: 7,
  name: "people",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Ids, roles and dates compare and sort as byte strings: PostgreSQL needs the C collation for that.
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    yield* sql`CREATE TABLE grid_person (
      person_id ${text} PRIMARY KEY,
      name TEXT NOT NULL,
      phone TEXT
    )`
    yield* sql`CREATE TABLE grid_assignment (
      assignment_id ${text} PRIMARY KEY,
      person_id ${text} NOT NULL,
      role ${text} NOT NULL,
      node_id ${text} NOT NULL,
      valid_from ${text} NOT NULL,
      valid_to ${text} NOT NULL,
      digest TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX grid_assignment_by_person ON grid_assignment (person_id, valid_from)`
    yield* sql`CREATE INDEX grid_assignment_by_node ON grid_assignment (node_id, valid_from)`
  })
}
