/**
 * The audit log's port over `SqlClient`, for every dialect. An append is one write transaction:
 * read the head (locked `FOR UPDATE` on PostgreSQL and MySQL; SQLite's `BEGIN IMMEDIATE` already holds the
 * write lock), read the entries with the batch's ids in one query, apply the core rule, insert the
 * new entries with multi-row statements, move the head.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Audit, AuditStore, Json } from "@sortgrid/core"
import { Effect, type Either, Layer, Schema } from "effect"
import { chunksOf, transaction } from "./internal/errors.js"
import { makeInserter } from "./internal/insert.js"
import { anyOf, Int, readRows } from "./internal/query.js"

const Row = Schema.Struct({
  position: Int,
  id: Schema.String,
  at: Int,
  actor: Schema.String,
  action: Schema.String,
  subject: Schema.String,
  payload: Schema.parseJson(Json.Json),
  payload_digest: Schema.String,
  previous_hash: Schema.String,
  hash: Schema.String
}).pipe(Schema.rename({ payload_digest: "payloadDigest", previous_hash: "previousHash" }))

const decodeRows = Schema.decodeUnknown(Schema.Array(Schema.compose(Row, Audit.AuditEntry)))
const decodeHead = (rows: ReadonlyArray<unknown>) =>
  Effect.map(
    Schema.decodeUnknown(
      Schema.Tuple(Schema.compose(Schema.Struct({ position: Int, hash: Schema.String }), Audit.AuditHead))
    )(rows),
    ([head]) => head
  )

const toRow = (entry: Audit.AuditEntry) => ({
  position: entry.position,
  id: entry.id,
  at: entry.at,
  actor: entry.actor,
  action: entry.action,
  subject: entry.subject,
  payload: JSON.stringify(entry.payload),
  payload_digest: entry.payloadDigest,
  previous_hash: entry.previousHash,
  hash: entry.hash
})

/**
 * `AuditStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AuditStore.AuditStore, never, SqlClient.SqlClient> = Layer.effect(
  AuditStore.AuditStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const idsPerSelect = 10_000
    const insertEntries = makeInserter<ReturnType<typeof toRow>>(sql, "audit_entry", [
      "position",
      "id",
      "at",
      "actor",
      "action",
      "subject",
      "payload",
      "payload_digest",
      "previous_hash",
      "hash"
    ])

    const readHead = (operation: string) =>
      sql
        .onDialectOrElse({
          pg: () => sql`SELECT position, hash FROM audit_head WHERE id = 1 FOR UPDATE`,
          mysql: () => sql`SELECT position, hash FROM audit_head WHERE id = 1 FOR UPDATE`,
          orElse: () => sql`SELECT position, hash FROM audit_head WHERE id = 1`
        })
        .pipe(readRows(operation, decodeHead))

    const append = <E>(
      ids: ReadonlyArray<Audit.AuditEntryId>,
      decide: (state: Audit.AppendState) => Either.Either<Audit.AppendPlan, E>
    ) =>
      transaction(
        sql,
        "audit append"
      )(
        Effect.gen(function* () {
          const head = yield* readHead("audit append")
          const existing: Array<Audit.AuditEntry> = []
          // The ids travel as one parameter (`isAnyOf`): one statement text whatever the batch's size,
          // prepared once instead of once per distinct count of placeholders.
          for (const chunk of chunksOf([...new Set(ids)], idsPerSelect)) {
            existing.push(
              ...(yield* sql`SELECT * FROM audit_entry WHERE ${isAnyOf("id", chunk)}`.pipe(
                readRows("audit append", decodeRows)
              ))
            )
          }
          const plan = yield* decide({ head, existing })
          const last = plan.append.at(-1)
          if (last !== undefined) {
            yield* insertEntries(plan.append.map(toRow))
            yield* sql`UPDATE audit_head SET position = ${last.position}, hash = ${last.hash} WHERE id = 1`
          }
          return plan.entries
        })
      )

    return AuditStore.AuditStore.of({
      append,
      head: sql`SELECT position, hash FROM audit_head WHERE id = 1`.pipe(readRows("audit head", decodeHead)),
      read: ({ fromPosition, limit }) =>
        sql`SELECT * FROM audit_entry WHERE position >= ${fromPosition} ORDER BY position LIMIT ${limit}`.pipe(
          readRows("audit read", decodeRows)
        )
    })
  })
)
