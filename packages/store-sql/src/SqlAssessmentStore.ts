/**
 * The assessment store over `SqlClient`: the tables of migration 14. Each row holds its entity as
 * JSON, with the fields queries need copied into columns. Writes are serialised per database
 * (SQLite's write lock, a transaction-scoped advisory lock on PostgreSQL), so the latest result
 * version a new one is numbered after and the approvals a decision reads cannot change under it.
 * Result and scheme rows are only ever inserted; the primary key refuses a second row with the
 * same version, so a write outside the lock could not overwrite one either.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import {
  Appeal,
  AssessmentStore,
  StoredResult,
  StoredScheme,
  StoredValue,
  UnitApproval,
  type ValueKey
} from "@sortgrid/assessment/AssessmentStore"
import { Effect, Layer, Option, Schema } from "effect"
import { chunksOf, maxParameters } from "./internal/errors.js"
import { anyOf, readRows } from "./internal/query.js"
import { serialisedTransaction } from "./internal/write.js"

const bodies =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (rows: ReadonlyArray<unknown>) =>
    Effect.map(
      Schema.decodeUnknown(Schema.Array(Schema.Struct({ body: Schema.parseJson(schema) })))(rows),
      (decoded): ReadonlyArray<A> => decoded.map((row) => row.body)
    )

const decodeSchemes = bodies(StoredScheme)
const decodeValues = bodies(StoredValue)
const decodeResults = bodies(StoredResult)
const decodeApprovals = bodies(UnitApproval)
const decodeAppeals = bodies(Appeal)

const lock = "assessment"

// Every field of these entities is JSON as it stands (no transformation in their schemas): their
// JSON text is their encoded form (the conformance suite checks the round trip).
const valueRow = (row: StoredValue) => ({
  element: row.value.element,
  node: row.value.node,
  period: row.value.period,
  body: JSON.stringify(row)
})

const approvalRow = (row: UnitApproval) => ({
  period: row.period,
  scheme_id: row.schemeId,
  unit: row.unit,
  path: row.path,
  state: row.state,
  body: JSON.stringify(row)
})

/**
 * `AssessmentStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AssessmentStore, never, SqlClient.SqlClient> = Layer.effect(
  AssessmentStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const limit = maxParameters(sql)

    /** Multi-row upserts in chunks under the bind limit. */
    const upsert = <Row extends Record<string, unknown>>(
      table: string,
      keys: ReadonlyArray<string>,
      rows: ReadonlyArray<Row>
    ) => {
      const first = rows[0]
      if (first === undefined) return Effect.void
      const size = Math.max(1, Math.floor(limit / Object.keys(first).length) - 1)
      return Effect.forEach(
        chunksOf(rows, size),
        (chunk) =>
          sql.onDialectOrElse({
            mysql: () =>
              sql`INSERT INTO ${sql(table)} ${sql.insert(chunk)} ON DUPLICATE KEY UPDATE ${sql.literal(
                Object.keys(first)
                  .filter((column) => !keys.includes(column))
                  .map((column) => `\`${column}\` = VALUES(\`${column}\`)`)
                  .join(", ")
              )}`,
            orElse: () =>
              sql`INSERT INTO ${sql(table)} ${sql.insert(chunk)} ON CONFLICT (${sql.literal(keys.join(", "))})
              DO UPDATE SET ${sql.literal(
                Object.keys(first)
                  .filter((column) => !keys.includes(column))
                  .map((column) => `${column} = excluded.${column}`)
                  .join(", ")
              )}`
          }),
        { discard: true }
      )
    }

    /** Stored values with these keys: one statement per chunk of nodes, filtered to the exact keys. */
    const valuesWithKeys = (operation: string, keys: ReadonlyArray<ValueKey>) => {
      if (keys.length === 0) return Effect.succeed<ReadonlyArray<StoredValue>>([])
      const wanted = new Set(keys.map((key) => `${key.element}|${key.node}|${key.period}`))
      const nodes = [...new Set(keys.map((key) => key.node as string))]
      const periods = [...new Set(keys.map((key) => key.period as string))]
      return sql`SELECT body FROM assessment_value WHERE ${isAnyOf("node", nodes)} AND ${isAnyOf("period", periods)}
                 ORDER BY element, node, period`.pipe(
        readRows(operation, decodeValues),
        Effect.map((rows) =>
          rows.filter((row) => wanted.has(`${row.value.element}|${row.value.node}|${row.value.period}`))
        )
      )
    }

    const approvalsOf = (operation: string, period: string) =>
      sql`SELECT body FROM assessment_approval WHERE period = ${period} ORDER BY scheme_id, unit`.pipe(
        readRows(operation, decodeApprovals)
      )

    return AssessmentStore.of({
      defineScheme: (id, decide) =>
        serialisedTransaction(sql, { operation: "define scheme", lock })(
          Effect.gen(function* () {
            const versions =
              yield* sql`SELECT body FROM assessment_scheme WHERE scheme_id = ${id} ORDER BY version`.pipe(
                readRows("define scheme", decodeSchemes)
              )
            const stored = yield* decide(versions)
            if (stored !== null) {
              yield* sql`INSERT INTO assessment_scheme ${sql.insert({
                scheme_id: stored.scheme.id,
                version: stored.scheme.version,
                group_id: stored.scheme.group,
                body: JSON.stringify(stored)
              })}`
            }
            return stored
          })
        ),
      schemes: ({ group, id }) => {
        const conditions = [
          ...(id === undefined ? [] : [sql`scheme_id = ${id}`]),
          ...(group === undefined ? [] : [sql`group_id = ${group}`])
        ]
        return sql`SELECT body FROM assessment_scheme WHERE ${sql.and(conditions)} ORDER BY scheme_id, version`.pipe(
          readRows("schemes", decodeSchemes)
        )
      },
      putValues: (request, decide) =>
        serialisedTransaction(sql, { operation: "put values", lock })(
          Effect.gen(function* () {
            const stored = yield* valuesWithKeys("put values", request.keys)
            const approvals =
              request.units.length === 0
                ? []
                : yield* sql`SELECT body FROM assessment_approval WHERE ${isAnyOf("unit", [...new Set<string>(request.units)])}
                             ORDER BY period, scheme_id, unit`.pipe(readRows("put values", decodeApprovals))
            const written = yield* decide({ stored, approvals })
            yield* upsert("assessment_value", ["element", "node", "period"], written.map(valueRow))
            return written
          })
        ),
      values: ({ elements, nodes, periods }) => {
        if (nodes.length === 0 || periods.length === 0) return Effect.succeed<ReadonlyArray<StoredValue>>([])
        const conditions = [
          isAnyOf("node", [...new Set<string>(nodes)]),
          isAnyOf("period", [...new Set<string>(periods)]),
          ...(elements === undefined ? [] : [isAnyOf("element", [...new Set<string>(elements)])])
        ]
        return sql`SELECT body FROM assessment_value WHERE ${sql.and(conditions)} ORDER BY element, node, period`.pipe(
          readRows("values", decodeValues)
        )
      },
      saveResult: (request, decide) =>
        serialisedTransaction(sql, { operation: "save result", lock })(
          Effect.gen(function* () {
            const [latest] = yield* sql`SELECT body FROM assessment_result
                WHERE scheme_id = ${request.schemeId} AND period = ${request.period}
                ORDER BY version DESC LIMIT 1`.pipe(readRows("save result", decodeResults))
            const approvals = yield* approvalsOf("save result", request.period)
            const [appeal] =
              request.appealId === undefined
                ? []
                : yield* sql`SELECT body FROM assessment_appeal WHERE id = ${request.appealId}`.pipe(
                    readRows("save result", decodeAppeals)
                  )
            const plan = yield* decide({
              latest: Option.fromNullable(latest),
              approvals,
              appeal: Option.fromNullable(appeal)
            })
            if (plan.result !== null) {
              yield* sql`INSERT INTO assessment_result ${sql.insert({
                scheme_id: plan.result.schemeId,
                period: plan.result.period,
                version: plan.result.version,
                group_id: plan.result.group,
                hash: plan.result.hash,
                at: plan.result.at,
                body: JSON.stringify(plan.result)
              })}`
            }
            yield* upsert("assessment_approval", ["period", "scheme_id", "unit"], plan.approvals.map(approvalRow))
            yield* upsert("assessment_value", ["element", "node", "period"], plan.values.map(valueRow))
            if (plan.appeal !== null) {
              yield* sql`INSERT INTO assessment_appeal ${sql.insert({
                id: plan.appeal.id,
                scheme_id: plan.appeal.schemeId,
                period: plan.appeal.period,
                body: JSON.stringify(plan.appeal)
              })}`
            }
            return plan
          })
        ),
      results: ({ period, schemeId }) =>
        sql`SELECT body FROM assessment_result WHERE scheme_id = ${schemeId} AND period = ${period}
            ORDER BY version`.pipe(readRows("results", decodeResults)),
      latestResults: ({ group, periods }) =>
        periods.length === 0
          ? Effect.succeed<ReadonlyArray<StoredResult>>([])
          : sql`SELECT r.body FROM assessment_result r
                JOIN (SELECT scheme_id, period, MAX(version) AS version FROM assessment_result
                      WHERE group_id = ${group} AND ${isAnyOf("period", [...new Set<string>(periods)])}
                      GROUP BY scheme_id, period) m
                  ON r.scheme_id = m.scheme_id AND r.period = m.period AND r.version = m.version
                ORDER BY r.period, r.scheme_id`.pipe(readRows("latest results", decodeResults)),
      approvals: ({ period }) => approvalsOf("approvals", period),
      changeApprovals: (period, decide) =>
        serialisedTransaction(sql, { operation: "change approvals", lock })(
          Effect.gen(function* () {
            const written = yield* decide(yield* approvalsOf("change approvals", period))
            yield* upsert("assessment_approval", ["period", "scheme_id", "unit"], written.map(approvalRow))
            return written
          })
        ),
      appeals: ({ period, schemeId }) =>
        sql`SELECT body FROM assessment_appeal WHERE scheme_id = ${schemeId} AND period = ${period} ORDER BY id`.pipe(
          readRows("appeals", decodeAppeals)
        )
    })
  })
)
