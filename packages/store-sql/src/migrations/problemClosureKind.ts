/**
 * Migration 11: how a closed problem was closed, as a column, so stats read it without the body.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Migration } from "../Migrator.js"

/**
 * Adds `problem.closure_kind` (`ClosedFixed`, `ClosedOther`, or NULL while open) and fills it from
 * the stored bodies.
 *
 * @since 0.1.0
 * @category migrations
 */
export const problemClosureKind: Migration = {
  id: 11,
  name: "problem_closure_kind",
  up: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE problem ADD COLUMN closure_kind TEXT NULL`
    yield* sql.onDialectOrElse({
      pg: () => sql`UPDATE problem SET closure_kind = body::jsonb -> 'closure' ->> '_tag' WHERE closed_at IS NOT NULL`,
      orElse: () =>
        sql`UPDATE problem SET closure_kind = json_extract(body, '$.closure._tag') WHERE closed_at IS NOT NULL`
    })
  })
}
