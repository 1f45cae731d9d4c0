/**
 * Migration 6: the priority-residents register. One row per record: the node, the category, the
 * pseudonym (indexed, to find a person already registered), the sealed fields as text
 * (`*_sealed`, never plaintext), the registration date and the keyed content digest. Listings
 * select by node and date, so (node, date) is indexed.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates `priority_resident`.
 *
 * @since 0.1.0
 * @category migrations
 */
export const priorityResidents: Migration = {
  id: 6,
  name: "priority_residents",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Dates compare as byte strings: PostgreSQL needs the C collation for that.
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    yield* sql`CREATE TABLE priority_resident (
      id TEXT PRIMARY KEY,
      node_id ${text} NOT NULL,
      category TEXT NOT NULL,
      pseudonym TEXT NOT NULL,
      name_sealed TEXT NOT NULL,
      address_sealed TEXT NOT NULL,
      phone_sealed TEXT,
      needs_sealed TEXT,
      registered_on ${text} NOT NULL,
      digest TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX priority_resident_by_node ON priority_resident (node_id, registered_on)`
    yield* sql`CREATE INDEX priority_resident_by_pseudonym ON priority_resident (pseudonym)`
  })
}
