/**
 * sortgrid's SQL schema, as numbered migrations. Append new ones; never edit an applied one.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Audit } from "@sortgrid/core"
import { Effect } from "effect"
import type { Migration } from "./Migrator.js"
import { assessment } from "./migrations/assessment.js"
import { dutyAndOutreach } from "./migrations/dutyAndOutreach.js"
import { geometry } from "./migrations/geometry.js"
import { inspections } from "./migrations/inspections.js"
import { ledger } from "./migrations/ledger.js"
import { ledgerEarning } from "./migrations/ledgerEarning.js"
import { ledgerProgramme } from "./migrations/ledgerProgramme.js"
import { people } from "./migrations/people.js"
import { priorityResidents } from "./migrations/priorityResidents.js"
import { problemClosureKind } from "./migrations/problemClosureKind.js"
import { problems } from "./migrations/problems.js"
import { sites } from "./migrations/sites.js"

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

const grid: Migration = {
  id: 2,
  name: "grid",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Paths and dates compare as byte strings: PostgreSQL needs the C collation for that.
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    yield* sql`CREATE TABLE grid_node_version (
      node_id ${text} NOT NULL,
      version INTEGER NOT NULL,
      kind TEXT NOT NULL,
      code ${text},
      name TEXT NOT NULL,
      name_en TEXT,
      parent_id ${text},
      path ${text} NOT NULL,
      depth INTEGER NOT NULL,
      valid_from ${text} NOT NULL,
      valid_to ${text} NOT NULL,
      PRIMARY KEY (node_id, version)
    )`
    yield* sql`CREATE INDEX grid_node_version_by_path ON grid_node_version (path)`
    yield* sql`CREATE INDEX grid_node_version_by_parent ON grid_node_version (parent_id)`
    yield* sql`CREATE INDEX grid_node_version_by_code ON grid_node_version (code)`
    yield* sql`CREATE TABLE grid_change (
      change_id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      effective_on ${text} NOT NULL,
      digest TEXT NOT NULL,
      payload TEXT NOT NULL,
      nodes TEXT NOT NULL
    )`
    yield* sql`CREATE TABLE grid_change_node (
      node_id TEXT NOT NULL,
      change_id TEXT NOT NULL,
      PRIMARY KEY (node_id, change_id)
    )`
  })
}

const groups: Migration = {
  id: 3,
  name: "groups",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    yield* sql`CREATE TABLE grid_group_set (
      id TEXT PRIMARY KEY,
      definition TEXT NOT NULL
    )`
    yield* sql`CREATE TABLE grid_membership (
      node_id ${text} NOT NULL,
      set_id TEXT NOT NULL,
      group_id TEXT NOT NULL,
      valid_from ${text} NOT NULL,
      valid_to ${text} NOT NULL,
      PRIMARY KEY (node_id, group_id, valid_from)
    )`
    yield* sql`CREATE INDEX grid_membership_by_group ON grid_membership (group_id, valid_from)`
  })
}

/**
 * Every migration, in order.
 *
 * @since 0.1.0
 * @category migrations
 */
export const all: ReadonlyArray<Migration> = [
  auditLog,
  grid,
  groups,
  sites,
  geometry,
  priorityResidents,
  people,
  dutyAndOutreach,
  problems,
  inspections,
  problemClosureKind,
  ledger,
  ledgerProgramme,
  assessment,
  ledgerEarning
]
