/**
 * Migration 13: the points programme's services over the ledger.
 *
 * - `programme_counter`: one row per earning cap or de-duplication key — `used` points, `taken`
 *   flag, and `period_end` (indexed, for pruning). Earnings lock these rows before the accounts.
 * - `programme_lock_hold`: the lock holds not yet resolved, by ledger and time (the release run's
 *   index).
 * - `programme_merchant`, `programme_item` (stock as a column, never negative),
 *   `programme_reservation` (redemption holds by redemption, and open ones by item and deadline),
 *   `programme_stock_adjustment` (by client-chosen id).
 * - `programme_household`, `programme_membership` (by resident and start; by household).
 * - `programme_task`: certified tasks as JSON bodies, with their version for compare-and-set.
 *
 * Ids and keys compare as byte strings (the C collation on PostgreSQL), so SQL and JavaScript sort
 * them alike, which the lock order relies on.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the programme's tables and indexes.
 *
 * @since 0.1.0
 * @category migrations
 */
export const ledgerProgramme: Migration = {
  id: 13,
  name: "ledger_programme",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE programme_counter (
      key ${text} PRIMARY KEY,
      used ${bigint} NOT NULL CHECK (used >= 0),
      taken INTEGER NOT NULL,
      period_end ${bigint} NOT NULL
    )`
    yield* sql`CREATE INDEX programme_counter_by_period_end ON programme_counter (period_end)`
    yield* sql`CREATE TABLE programme_lock_hold (
      id ${text} PRIMARY KEY,
      ledger ${text} NOT NULL,
      at ${bigint} NOT NULL
    )`
    yield* sql`CREATE INDEX programme_lock_hold_by_time ON programme_lock_hold (ledger, at, id)`
    yield* sql`CREATE TABLE programme_merchant (
      id ${text} PRIMARY KEY,
      ledger ${text} NOT NULL,
      account_id ${text} NOT NULL,
      body TEXT NOT NULL
    )`
    yield* sql`CREATE TABLE programme_item (
      merchant_id ${text} NOT NULL,
      code ${text} NOT NULL,
      stock ${bigint} NOT NULL CHECK (stock >= 0),
      body TEXT NOT NULL,
      PRIMARY KEY (merchant_id, code)
    )`
    yield* sql`CREATE TABLE programme_reservation (
      hold_id ${text} PRIMARY KEY,
      redemption_id ${text} NOT NULL,
      merchant_id ${text} NOT NULL,
      item_code ${text} NOT NULL,
      quantity INTEGER NOT NULL,
      deadline ${bigint} NOT NULL,
      resolved INTEGER NOT NULL
    )`
    yield* sql`CREATE INDEX programme_reservation_by_redemption ON programme_reservation (redemption_id)`
    yield* sql`CREATE INDEX programme_reservation_open ON programme_reservation (merchant_id, item_code, deadline)
               WHERE resolved = 0`
    yield* sql`CREATE TABLE programme_stock_adjustment (
      id ${text} PRIMARY KEY,
      merchant_id ${text} NOT NULL,
      item_code ${text} NOT NULL,
      delta ${bigint} NOT NULL,
      at ${bigint} NOT NULL
    )`
    yield* sql`CREATE TABLE programme_household (
      reference ${text} PRIMARY KEY,
      ledger ${text} NOT NULL,
      wallet_account_id ${text} NOT NULL
    )`
    yield* sql`CREATE TABLE programme_membership (
      resident_reference ${text} NOT NULL,
      from_at ${bigint} NOT NULL,
      household_reference ${text} NOT NULL,
      until_at ${bigint} NULL,
      ended_by ${text} NULL,
      PRIMARY KEY (resident_reference, from_at)
    )`
    yield* sql`CREATE INDEX programme_membership_by_household ON programme_membership (household_reference)`
    yield* sql`CREATE TABLE programme_task (
      id ${text} PRIMARY KEY,
      version INTEGER NOT NULL,
      assignee_reference ${text} NOT NULL,
      body TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX programme_task_by_assignee ON programme_task (assignee_reference, id)`
  })
}
