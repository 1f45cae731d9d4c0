/**
 * The audit log's port on MariaDB: `audit_entry` and `audit_head`. Written here rather than reused
 * from `@sortgrid/store-sql` since its append binds the batch's ids through SQLite's `json_each`.
 *
 * An append is one write transaction (the client's, which first takes the database's writer lock;
 * see `MariaDbStore`): read the head `FOR UPDATE`, read the entries with the batch's ids in one
 * statement per 10,000 ids (one JSON parameter each, so one prepared statement text), let the core
 * rule decide, insert the new entries with multi-row statements under the bind limit, move the head.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Audit, AuditStore, Json } from "@sortgrid/core"
import { Effect, type Either, Layer, Schema } from "effect"
import { anyOf, chunksOf, Int, makeInserter, readRows, transaction } from "./internal/sql.js"

const Entry = Schema.compose(
  Schema.Struct({
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
  }).pipe(Schema.rename({ payload_digest: "payloadDigest", previous_hash: "previousHash" })),
  Audit.AuditEntry
)
const decodeEntries = Schema.decodeUnknown(Schema.Array(Entry))

const Head = Schema.compose(Schema.Struct({ position: Int, hash: Schema.String }), Audit.AuditHead)
const decodeHead = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Tuple(Head))(rows), ([head]) => head)

interface EntryRow {
  readonly position: number
  readonly id: string
  readonly at: number
  readonly actor: string
  readonly action: string
  readonly subject: string
  readonly payload: string
  readonly payload_digest: string
  readonly previous_hash: string
  readonly hash: string
}

const toRow = (entry: Audit.AuditEntry): EntryRow => ({
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

const idsPerSelect = 10_000

/**
 * `AuditStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AuditStore.AuditStore, never, SqlClient.SqlClient> = Layer.effect(
  AuditStore.AuditStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const insertEntries = makeInserter<EntryRow>(sql, "audit_entry", [
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

    const append = <E>(
      ids: ReadonlyArray<Audit.AuditEntryId>,
      decide: (state: Audit.AppendState) => Either.Either<Audit.AppendPlan, E>
    ) =>
      transaction(
        sql,
        "audit append"
      )(
        Effect.gen(function* () {
          const head = yield* sql`SELECT position, hash FROM audit_head WHERE id = 1 FOR UPDATE`.pipe(
            readRows("audit append", decodeHead)
          )
          const existing: Array<Audit.AuditEntry> = []
          for (const chunk of chunksOf([...new Set<string>(ids)], idsPerSelect)) {
            existing.push(
              ...(yield* sql`SELECT * FROM audit_entry WHERE ${isAnyOf("id", chunk)}`.pipe(
                readRows("audit append", decodeEntries)
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
          readRows("audit read", decodeEntries)
        )
    })
  })
)
