/**
 * Migration 14: the assessment engine.
 *
 * - `assessment_scheme`: one row a scheme version, never updated; the document as JSON.
 * - `assessment_value`: one row an entered or imported data value, keyed by (element, node,
 *   period); a later entry replaces the row. Indexed by node and period (what scoring reads).
 * - `assessment_result`: one row a result version of a scheme for a period, never updated; the
 *   stored result (with its diff) as JSON, its hash and group as columns. Indexed by group and
 *   period (trends).
 * - `assessment_approval`: one row a unit of a scheme for a period: its approval state now.
 * - `assessment_appeal`: one row an appeal decided.
 *
 * Ids, periods and paths compare as byte strings (the C collation on PostgreSQL), so SQL and
 * JavaScript agree on every order the port promises. Instants are 64-bit integers.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the assessment engine's tables and indexes.
 *
 * @since 0.1.0
 * @category migrations
 */
export const assessment: Migration = {
  id: 14,
  name: "assessment",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    yield* sql`CREATE TABLE assessment_scheme (
      scheme_id ${text} NOT NULL,
      version INTEGER NOT NULL,
      group_id ${text} NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (scheme_id, version)
    )`
    yield* sql`CREATE TABLE assessment_value (
      element ${text} NOT NULL,
      node ${text} NOT NULL,
      period ${text} NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (element, node, period)
    )`
    yield* sql`CREATE INDEX assessment_value_by_node ON assessment_value (node, period)`
    yield* sql`CREATE TABLE assessment_result (
      scheme_id ${text} NOT NULL,
      period ${text} NOT NULL,
      version INTEGER NOT NULL,
      group_id ${text} NOT NULL,
      hash TEXT NOT NULL,
      at ${bigint} NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (scheme_id, period, version)
    )`
    yield* sql`CREATE INDEX assessment_result_by_group ON assessment_result (group_id, period)`
    yield* sql`CREATE TABLE assessment_approval (
      period ${text} NOT NULL,
      scheme_id ${text} NOT NULL,
      unit ${text} NOT NULL,
      path ${text} NOT NULL,
      state TEXT NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (period, scheme_id, unit)
    )`
    yield* sql`CREATE INDEX assessment_approval_by_unit ON assessment_approval (unit)`
    yield* sql`CREATE TABLE assessment_appeal (
      id ${text} PRIMARY KEY,
      scheme_id ${text} NOT NULL,
      period ${text} NOT NULL,
      body TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX assessment_appeal_by_result ON assessment_appeal (scheme_id, period)`
  })
}
