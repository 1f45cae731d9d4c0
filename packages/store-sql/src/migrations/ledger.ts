/**
 * Migration 12: the points ledger.
 *
 * - `ledger_account`: one row an account, its four balances as columns (the one UPDATE per batch
 *   sets them), flags as a bit set (1 `debitsMustNotExceedCredits`, 2 `creditsMustNotExceedDebits`).
 * - `ledger_transfer`: one row a transfer, never updated or deleted; flags as a bit set (1 `linked`,
 *   2 `pending`, 4 `postPending`, 8 `voidPending`). A unique partial index on `pending_id` is the
 *   database's own guard that a hold is resolved at most once; history by account and time reads
 *   one index per side (debit, credit); reconciling pages through `(at, id)`.
 * - `ledger_timed_hold`: the holds with a timeout not yet resolved, with their deadline: the
 *   timeout run reads this small table instead of every hold ever made.
 * - `ledger_lot`: one row a lot; `remaining` shrinks. Open lots (something remaining) are indexed
 *   by account (what a batch loads) and by ledger and expiry (what the expiry run looks for).
 *
 * Amounts, balances and instants are 64-bit integers (BIGINT on PostgreSQL, which returns them as
 * strings; INTEGER on SQLite). Ids compare as byte strings (the C collation on PostgreSQL), so SQL
 * and JavaScript agree on every order the port promises.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the ledger's tables and indexes.
 *
 * @since 0.1.0
 * @category migrations
 */
export const ledger: Migration = {
  id: 12,
  name: "ledger",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE ledger_account (
      id ${text} PRIMARY KEY,
      ledger ${text} NOT NULL,
      code TEXT NOT NULL,
      owner_reference TEXT NULL,
      flags INTEGER NOT NULL,
      closed INTEGER NOT NULL,
      debits_pending ${bigint} NOT NULL CHECK (debits_pending >= 0),
      debits_posted ${bigint} NOT NULL CHECK (debits_posted >= 0),
      credits_pending ${bigint} NOT NULL CHECK (credits_pending >= 0),
      credits_posted ${bigint} NOT NULL CHECK (credits_posted >= 0),
      at ${bigint} NOT NULL
    )`
    yield* sql`CREATE TABLE ledger_transfer (
      id ${text} PRIMARY KEY,
      debit_account_id ${text} NOT NULL,
      credit_account_id ${text} NOT NULL,
      amount ${bigint} NOT NULL CHECK (amount > 0),
      pending_id ${text} NULL,
      reverses_id ${text} NULL,
      ledger ${text} NOT NULL,
      code TEXT NOT NULL,
      source_reference TEXT NULL,
      flags INTEGER NOT NULL,
      timeout_seconds INTEGER NOT NULL,
      at ${bigint} NOT NULL,
      CHECK (debit_account_id <> credit_account_id)
    )`
    yield* sql`CREATE UNIQUE INDEX ledger_transfer_resolves_once ON ledger_transfer (pending_id)
               WHERE pending_id IS NOT NULL`
    yield* sql`CREATE INDEX ledger_transfer_reversals ON ledger_transfer (reverses_id) WHERE reverses_id IS NOT NULL`
    yield* sql`CREATE INDEX ledger_transfer_by_debit ON ledger_transfer (debit_account_id, at, id)`
    yield* sql`CREATE INDEX ledger_transfer_by_credit ON ledger_transfer (credit_account_id, at, id)`
    yield* sql`CREATE INDEX ledger_transfer_by_time ON ledger_transfer (at, id)`
    yield* sql`CREATE TABLE ledger_timed_hold (
      id ${text} PRIMARY KEY,
      ledger ${text} NOT NULL,
      deadline ${bigint} NOT NULL
    )`
    yield* sql`CREATE INDEX ledger_timed_hold_by_deadline ON ledger_timed_hold (ledger, deadline, id)`
    yield* sql`CREATE TABLE ledger_lot (
      id ${text} PRIMARY KEY,
      account_id ${text} NOT NULL,
      ledger ${text} NOT NULL,
      amount ${bigint} NOT NULL,
      remaining ${bigint} NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
      at ${bigint} NOT NULL,
      expires_at ${bigint} NULL
    )`
    yield* sql`CREATE INDEX ledger_lot_by_account ON ledger_lot (account_id)`
    yield* sql`CREATE INDEX ledger_lot_open_by_account ON ledger_lot (account_id) WHERE remaining > 0`
    yield* sql`CREATE INDEX ledger_lot_open_by_expiry ON ledger_lot (ledger, expires_at, account_id)
               WHERE remaining > 0 AND expires_at IS NOT NULL`
  })
}
