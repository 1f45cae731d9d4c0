/**
 * Migration 15: earnings by place, for the ledger's data values.
 *
 * - `programme_earning`: one row per earning posted (by transfer id, so a retried claim writes
 *   nothing new) with where it happened (`at_path`, the claim's node path), the resident and
 *   household, the amount and when it occurred; indexed by ledger, path and time, so a subtree's
 *   earnings in a period are one range scan.
 *
 * Ids and paths compare as byte strings (the C collation on PostgreSQL), so a subtree is the range
 * from its path to the path's end, as in `grid_node_version`.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates `programme_earning` and its index.
 *
 * @since 0.1.0
 * @category migrations
 */
export const ledgerEarning: Migration = {
  id: 15,
  name: "ledger_earning",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE programme_earning (
      transfer_id ${text} PRIMARY KEY,
      ledger ${text} NOT NULL,
      code ${text} NOT NULL,
      at_path ${text} NOT NULL,
      resident_reference ${text} NOT NULL,
      household_reference ${text} NULL,
      amount ${bigint} NOT NULL CHECK (amount > 0),
      occurred_at ${bigint} NOT NULL
    )`
    yield* sql`CREATE INDEX programme_earning_by_place ON programme_earning (ledger, at_path, occurred_at)`
  })
}
