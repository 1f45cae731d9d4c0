/**
 * Migration 8: bin-side duty and outreach.
 *
 * - `duty_shift_template`, `duty_project`, `duty_sign_up`, `duty_check_in`: written once, never
 *   updated. `duty_project_template` lists each project's templates with their station, so the
 *   projects (and sign-ups) staffing a set of stations are one indexed query.
 * - A check-in row carries its local date and the template it was recorded against, so the shifts
 *   covered at a district's stations over a month are one `SELECT DISTINCT`.
 * - `outreach_event` by place and date; `outreach_theme` keyed by (node, month).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Creates the duty and outreach tables.
 *
 * @since 0.1.0
 * @category migrations
 */
export const dutyAndOutreach: Migration = {
  id: 8,
  name: "duty_and_outreach",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Ids and dates compare as byte strings: PostgreSQL needs the C collation for that.
    const text = sql.onDialectOrElse({ pg: () => sql.literal('TEXT COLLATE "C"'), orElse: () => sql.literal("TEXT") })
    const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
    const real = sql.onDialectOrElse({ pg: () => sql.literal("DOUBLE PRECISION"), orElse: () => sql.literal("REAL") })
    yield* sql`CREATE TABLE duty_shift_template (
      template_id ${text} PRIMARY KEY,
      station_id ${text} NOT NULL,
      name TEXT NOT NULL,
      window_start ${text} NOT NULL,
      window_end ${text} NOT NULL,
      weekdays TEXT NOT NULL,
      valid_from ${text} NOT NULL,
      valid_to ${text} NOT NULL
    )`
    yield* sql`CREATE INDEX duty_shift_template_by_station ON duty_shift_template (station_id)`
    yield* sql`CREATE TABLE duty_project (
      project_id ${text} PRIMARY KEY,
      title TEXT NOT NULL,
      node_id ${text} NOT NULL,
      template_ids TEXT NOT NULL,
      first_day ${text} NOT NULL,
      last_day ${text} NOT NULL,
      capacity INTEGER NOT NULL
    )`
    yield* sql`CREATE TABLE duty_project_template (
      project_id ${text} NOT NULL,
      template_id ${text} NOT NULL,
      station_id ${text} NOT NULL,
      PRIMARY KEY (project_id, template_id)
    )`
    yield* sql`CREATE INDEX duty_project_template_by_station ON duty_project_template (station_id)`
    yield* sql`CREATE TABLE duty_sign_up (
      sign_up_id ${text} PRIMARY KEY,
      project_id ${text} NOT NULL,
      person_id ${text} NOT NULL,
      first_day ${text} NOT NULL,
      last_day ${text} NOT NULL
    )`
    yield* sql`CREATE INDEX duty_sign_up_by_project ON duty_sign_up (project_id)`
    yield* sql`CREATE TABLE duty_check_in (
      check_in_id ${text} PRIMARY KEY,
      person_id ${text} NOT NULL,
      station_id ${text} NOT NULL,
      at ${bigint} NOT NULL,
      local_date ${text} NOT NULL,
      template_id ${text},
      lon ${real},
      lat ${real},
      evidence TEXT
    )`
    yield* sql`CREATE INDEX duty_check_in_by_station_date ON duty_check_in (station_id, local_date)`
    yield* sql`CREATE TABLE outreach_event (
      event_id ${text} PRIMARY KEY,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      event_date ${text} NOT NULL,
      node_id ${text} NOT NULL,
      organiser_id ${text} NOT NULL,
      participants INTEGER NOT NULL,
      households INTEGER NOT NULL,
      notes TEXT
    )`
    yield* sql`CREATE INDEX outreach_event_by_node_date ON outreach_event (node_id, event_date)`
    yield* sql`CREATE TABLE outreach_theme (
      node_id ${text} NOT NULL,
      month ${text} NOT NULL,
      title TEXT NOT NULL,
      description TEXT,
      PRIMARY KEY (node_id, month)
    )`
  })
}
