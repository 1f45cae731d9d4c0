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
 * - `ledger_lot`: one row a lot; `remaining` shrinks. Keyed by account, then id (a lot's id is its
 *   crediting transfer's, unique by itself), so an account's lots sit together — what a batch loads
 *   is one range — and a new lot writes one b-tree on SQLite; open lots are also indexed by ledger
 *   and expiry (what the expiry run looks for).
 * - On SQLite, `ledger_transfer` and `ledger_lot` are `WITHOUT ROWID` tables: each is one b-tree
 *   keyed by its primary key, rather than a rowid table plus the key's index.
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
    // SQLite stores a table keyed by its primary key in one b-tree instead of a rowid table plus a
    // unique index: one b-tree fewer to write per row. PostgreSQL has no such option (nor need).
    const withoutRowid = sql.onDialectOrElse({ pg: () => sql.literal(""), orElse: () => sql.literal("WITHOUT ROWID") })
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
    ) ${withoutRowid}`
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
      account_id ${text} NOT NULL,
      id ${text} NOT NULL,
      ledger ${text} NOT NULL,
      amount ${bigint} NOT NULL,
      remaining ${bigint} NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
      at ${bigint} NOT NULL,
      expires_at ${bigint} NULL,
      PRIMARY KEY (account_id, id)
    ) ${withoutRowid}`
    yield* sql`CREATE INDEX ledger_lot_open_by_expiry ON ledger_lot (ledger, expires_at, account_id)
               WHERE remaining > 0 AND expires_at IS NOT NULL`
  })
}
