/**
 * sortgrid's SQL schema, as numbered migrations. Append new ones; never edit an applied one.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Audit } from "@sortgrid/core"
import { Effect } from "effect"
import type { Migration } from "./Migrator.js"

const auditLog: Migration = {
  id: 1,
  name: "audit_log",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Positions and times are 64-bit; SQLite's INTEGER PRIMARY KEY is the rowid, PostgreSQL needs BIGINT.
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE audit_entry (
      position ${bigint} PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      at ${bigint} NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT NOT NULL,
      payload TEXT NOT NULL,
      payload_digest TEXT NOT NULL,
      previous_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`
    yield* sql`CREATE TABLE audit_head (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      position ${bigint} NOT NULL,
      hash TEXT NOT NULL
    )`
    yield* sql`INSERT INTO audit_head (id, position, hash) VALUES (1, 0, ${Audit.genesisHash})`
  })
}

/**
 * Every migration, in order.
 *
 * @since 0.1.0
 * @category migrations
 */
export const all: ReadonlyArray<Migration> = [auditLog]
