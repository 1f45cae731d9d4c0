/**
 * The priority-residents register's port over `SqlClient`, for every dialect. It stores what the
 * service hands it — sealed values, pseudonyms, keyed digests — and never a plaintext or a key.
 * A registration is one write transaction, serialised per database (SQLite's write lock; a
 * transaction-scoped advisory lock on PostgreSQL, so two registrations of one person cannot pass
 * each other): load the records with the batch's ids and pseudonyms, apply the core rule, insert
 * the plan with multi-row statements. Reads select by id, or by node and date, in chunks under the
 * bind limit.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import type { Period } from "@sortgrid/core"
import type { NodeId } from "@sortgrid/grid/Node"
import * as PriorityResident from "@sortgrid/grid/PriorityResident"
import * as PriorityResidentStore from "@sortgrid/grid/PriorityResidentStore"
import { Effect, type Either, Layer, Schema } from "effect"
import { makeInserter } from "./internal/insert.js"
import { inChunks, readRows } from "./internal/query.js"
import { serialisedTransaction } from "./internal/write.js"

const Row = Schema.Struct({
  id: Schema.String,
  node_id: Schema.String,
  category: Schema.String,
  pseudonym: Schema.String,
  name_sealed: Schema.String,
  address_sealed: Schema.String,
  phone_sealed: Schema.NullOr(Schema.String),
  needs_sealed: Schema.NullOr(Schema.String),
  registered_on: Schema.String,
  digest: Schema.String
}).pipe(
  Schema.rename({
    node_id: "nodeId",
    name_sealed: "name",
    address_sealed: "address",
    phone_sealed: "phone",
    needs_sealed: "needs",
    registered_on: "registeredOn"
  })
)

const decodeRows = Schema.decodeUnknown(Schema.Array(Schema.compose(Row, PriorityResident.SealedResident)))

const toRow = (record: PriorityResident.SealedResident) => ({
  id: record.id,
  node_id: record.nodeId,
  category: record.category,
  pseudonym: record.pseudonym,
  name_sealed: record.name,
  address_sealed: record.address,
  phone_sealed: record.phone,
  needs_sealed: record.needs,
  registered_on: record.registeredOn,
  digest: record.digest
})

/**
 * `PriorityResidentStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<PriorityResidentStore.PriorityResidentStore, never, SqlClient.SqlClient> = Layer.effect(
  PriorityResidentStore.PriorityResidentStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insertRows = makeInserter<ReturnType<typeof toRow>>(sql, "priority_resident", [
      "id",
      "node_id",
      "category",
      "pseudonym",
      "name_sealed",
      "address_sealed",
      "phone_sealed",
      "needs_sealed",
      "registered_on",
      "digest"
    ])

    /** Records whose `column` is one of `values`, chunked under the bind limit. */
    const where = (operation: string, column: "id" | "pseudonym", values: ReadonlyArray<string>) =>
      inChunks([...new Set(values)], (chunk) =>
        sql`SELECT * FROM priority_resident WHERE ${sql.in(column, chunk)}`.pipe(readRows(operation, decodeRows))
      )

    const register = <E>(
      request: {
        readonly ids: ReadonlyArray<PriorityResident.PriorityResidentId>
        readonly pseudonyms: ReadonlyArray<PriorityResident.Pseudonym>
      },
      decide: (state: PriorityResident.RegisterState) => Either.Either<PriorityResident.RegisterPlan, E>
    ) =>
      serialisedTransaction(sql, { operation: "priority resident register", lock: "priorityResident" })(
        Effect.gen(function* () {
          const byId = yield* where("priority resident register", "id", request.ids)
          const byPseudonym = yield* where("priority resident register", "pseudonym", request.pseudonyms)
          const seen = new Set(byId.map((record) => record.id))
          const plan = yield* decide({
            stored: [...byId, ...byPseudonym.filter((record) => !seen.has(record.id))]
          })
          if (plan.insert.length > 0) yield* insertRows(plan.insert.map(toRow))
          return plan
        })
      )

    const list = (query: { readonly nodeIds: ReadonlyArray<NodeId>; readonly registeredBy: Period.IsoDate }) =>
      inChunks([...new Set(query.nodeIds)], (chunk) =>
        sql`SELECT * FROM priority_resident
            WHERE ${sql.in("node_id", chunk)} AND registered_on <= ${query.registeredBy}`.pipe(
          readRows("priority resident list", decodeRows)
        )
      )

    return PriorityResidentStore.PriorityResidentStore.of({
      register,
      get: (ids) => where("priority resident get", "id", ids),
      list
    })
  })
)
