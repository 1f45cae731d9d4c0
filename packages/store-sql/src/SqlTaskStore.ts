/**
 * The certified-task port over `SqlClient`: `programme_task` (migration 13), one row per task with
 * its version (for compare-and-set) and its JSON body. `load` with `lock` takes the row with
 * `FOR UPDATE` on PostgreSQL and MySQL (SQLite's `BEGIN IMMEDIATE` already serialises writers);
 * `save` inserts with `ON CONFLICT DO NOTHING` (on MySQL, a plain INSERT whose duplicate-key error
 * is caught) or updates `WHERE version = expected`, and reports whether a row was written.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as CertifiedTask from "@sortgrid/ledger/CertifiedTask"
import { TaskStore } from "@sortgrid/ledger/TaskStore"
import { Effect, Layer, Option, Schema } from "effect"
import { isDuplicateKey } from "./internal/errors.js"
import { readRows } from "./internal/query.js"

const Body = Schema.parseJson(CertifiedTask.CertifiedTask)
const BodyRows = Schema.Array(Schema.Struct({ body: Body }))
const IdRows = Schema.Array(Schema.Struct({ id: Schema.String }))

/** The rows a MySQL write matched (mysql2 connects with FOUND_ROWS), from its result header. */
const affectedRows = (result: unknown): number =>
  typeof result === "object" && result !== null && "affectedRows" in result ? Number(result.affectedRows) : 0

/**
 * `TaskStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<TaskStore, never, SqlClient.SqlClient> = Layer.effect(
  TaskStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const forUpdate = sql.literal(
      sql.onDialectOrElse({ pg: () => "FOR UPDATE", mysql: () => "FOR UPDATE", orElse: () => "" })
    )
    // MySQL has no RETURNING: the same rows (the task's id, or none) from the INSERT's duplicate-key
    // error and the UPDATE's rows matched.
    const saveMysql = (
      task: CertifiedTask.CertifiedTask,
      expected: number | null,
      body: string
    ): Effect.Effect<ReadonlyArray<{ readonly id: string }>, SqlError.SqlError> =>
      expected === null
        ? sql`INSERT INTO programme_task (id, version, assignee_reference, body)
              VALUES (${task.id}, ${task.version}, ${task.assigneeReference}, ${body})`.pipe(
            Effect.as([{ id: task.id }]),
            Effect.catchIf(isDuplicateKey, () => Effect.succeed([]))
          )
        : sql`UPDATE programme_task SET version = ${task.version}, body = ${body}
              WHERE id = ${task.id} AND version = ${expected}`.raw.pipe(
            Effect.map((result) => (affectedRows(result) === 1 ? [{ id: task.id }] : []))
          )
    const encode = (task: CertifiedTask.CertifiedTask) =>
      Effect.mapError(
        Schema.encode(Body)(task),
        (error) => new Errors.StorageError({ operation: "save task", reason: error.message })
      )
    return TaskStore.of({
      load: (id, { lock }) =>
        sql`SELECT body FROM programme_task WHERE id = ${id} ${lock ? forUpdate : sql.literal("")}`.pipe(
          readRows("load task", Schema.decodeUnknown(BodyRows)),
          Effect.map((rows) => Option.fromNullable(rows[0]?.body))
        ),
      byAssignee: (assigneeReference) =>
        sql`SELECT body FROM programme_task WHERE assignee_reference = ${assigneeReference} ORDER BY id`.pipe(
          readRows("tasks of assignee", Schema.decodeUnknown(BodyRows)),
          Effect.map((rows) => rows.map((row) => row.body))
        ),
      save: (task, expected) =>
        Effect.flatMap(encode(task), (body) =>
          (sql.onDialectOrElse({ mysql: () => true, orElse: () => false })
            ? saveMysql(task, expected, body)
            : expected === null
              ? sql`INSERT INTO programme_task (id, version, assignee_reference, body)
                  VALUES (${task.id}, ${task.version}, ${task.assigneeReference}, ${body})
                  ON CONFLICT (id) DO NOTHING RETURNING id`
              : sql`UPDATE programme_task SET version = ${task.version}, body = ${body}
                  WHERE id = ${task.id} AND version = ${expected} RETURNING id`
          ).pipe(
            readRows("save task", Schema.decodeUnknown(IdRows)),
            Effect.map((rows) => rows.length === 1)
          )
        )
    })
  })
)
