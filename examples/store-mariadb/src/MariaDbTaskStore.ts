/**
 * The certified-task port on MariaDB: `programme_task`, one row per task with its version (for
 * compare-and-set) and its JSON body, adapted from `@sortgrid/store-sql`'s (which uses
 * `ON CONFLICT DO NOTHING RETURNING` and `UPDATE … RETURNING`). `load` with `lock` reads the row
 * `FOR UPDATE`; `save` inserts with `ON DUPLICATE KEY UPDATE id = id` or updates
 * `WHERE version = expected`, and reports whether a row was written from the rows affected.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as CertifiedTask from "@sortgrid/ledger/CertifiedTask"
import { TaskStore } from "@sortgrid/ledger/TaskStore"
import { Effect, Layer, Option, Schema } from "effect"
import { affectedRows, readRows, toStorageError } from "./internal/sql.js"

const Body = Schema.parseJson(CertifiedTask.CertifiedTask)
const BodyRows = Schema.Array(Schema.Struct({ body: Body }))

/**
 * `TaskStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<TaskStore, never, SqlClient.SqlClient> = Layer.effect(
  TaskStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const forUpdate = sql.literal("FOR UPDATE")
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
          // A taken id leaves the row as it is (0 rows affected); a stale version matches nothing.
          affectedRows(
            expected === null
              ? sql`INSERT INTO programme_task (id, version, assignee_reference, body)
                    VALUES (${task.id}, ${task.version}, ${task.assigneeReference}, ${body})
                    ON DUPLICATE KEY UPDATE id = id`
              : sql`UPDATE programme_task SET version = ${task.version}, body = ${body}
                    WHERE id = ${task.id} AND version = ${expected}`
          ).pipe(
            Effect.mapError(toStorageError("save task")),
            Effect.map((count) => count === 1)
          )
        )
    })
  })
)
