/**
 * Inspections over `SqlClient`: `inspection_campaign`, `checklist_template` and `inspection_visit`
 * (migration 10). Definitions are serialised per database like the problem register's writes, so
 * two definitions of one id cannot both be decided on an empty table; a visit is inserted with
 * `ON CONFLICT DO NOTHING` (on MySQL, a plain INSERT whose duplicate-key error is caught), and a
 * visit that finds its id taken is a `Conflict` the caller retries.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as Inspection from "@sortgrid/issues/Inspection"
import * as InspectionStore from "@sortgrid/issues/InspectionStore"
import { Effect, type Either, Layer, Schema } from "effect"
import { isDuplicateKey, toStorageError } from "./internal/errors.js"
import { makeInserter } from "./internal/insert.js"
import { anyOf, Int, readRows } from "./internal/query.js"
import { serialisedTransaction } from "./internal/write.js"

const bodies =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (rows: ReadonlyArray<unknown>) =>
    Effect.map(
      Schema.decodeUnknown(Schema.Array(Schema.Struct({ body: Schema.parseJson(schema) })))(rows),
      (decoded): ReadonlyArray<A> => decoded.map((row) => row.body)
    )

const decodeCampaigns = bodies(Inspection.Campaign)
const decodeTemplates = bodies(Inspection.ChecklistTemplate)
const decodeRecords = bodies(Inspection.VisitRecord)
const decodeLast = Schema.decodeUnknown(Schema.Array(Schema.Struct({ node_id: Schema.String, at: Int })))

const bodyRow =
  <A extends { readonly id: string }, I>(schema: Schema.Schema<A, I>) =>
  (definition: A) => ({
    id: definition.id,
    body: JSON.stringify(Schema.encodeSync(schema)(definition))
  })

/**
 * `InspectionStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<InspectionStore.InspectionStore, never, SqlClient.SqlClient> = Layer.effect(
  InspectionStore.InspectionStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const insertCampaigns = makeInserter<{ id: string; body: string }>(sql, "inspection_campaign", ["id", "body"])
    const insertTemplates = makeInserter<{ id: string; body: string }>(sql, "checklist_template", ["id", "body"])

    const definitions =
      (operation: string) =>
      (request: { readonly campaignIds: ReadonlyArray<string>; readonly templateIds: ReadonlyArray<string> }) =>
        Effect.all({
          campaigns:
            request.campaignIds.length === 0
              ? Effect.succeed([])
              : sql`SELECT body FROM inspection_campaign WHERE ${isAnyOf("id", request.campaignIds)} ORDER BY id`.pipe(
                  readRows(operation, decodeCampaigns)
                ),
          templates:
            request.templateIds.length === 0
              ? Effect.succeed([])
              : sql`SELECT body FROM checklist_template WHERE ${isAnyOf("id", request.templateIds)} ORDER BY id`.pipe(
                  readRows(operation, decodeTemplates)
                )
        })

    const define = <E>(
      request: {
        readonly campaignIds: ReadonlyArray<Inspection.CampaignId>
        readonly templateIds: ReadonlyArray<Inspection.TemplateId>
      },
      decide: (stored: InspectionStore.Definitions) => Either.Either<InspectionStore.Definitions, E>
    ) =>
      serialisedTransaction(sql, { operation: "define inspections", lock: "inspections" })(
        Effect.gen(function* () {
          const plan = yield* decide(yield* definitions("define inspections")(request))
          if (plan.campaigns.length > 0) yield* insertCampaigns(plan.campaigns.map(bodyRow(Inspection.Campaign)))
          if (plan.templates.length > 0) {
            yield* insertTemplates(plan.templates.map(bodyRow(Inspection.ChecklistTemplate)))
          }
          return plan
        })
      )

    const save = (record: Inspection.VisitRecord) =>
      Effect.flatMap(
        sql
          .onDialectOrElse({
            // MySQL has no DO NOTHING … RETURNING, and `ON DUPLICATE KEY UPDATE id = id` reports a row
            // affected either way under mysql2's default FOUND_ROWS: a plain INSERT whose duplicate-key
            // error (1062) means the id was taken, nothing inserted.
            mysql: (): Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError> =>
              sql`INSERT INTO inspection_visit (id, campaign_id, node_id, at, body)
                  VALUES (${record.visit.id}, ${record.visit.campaignId}, ${record.visit.nodeId}, ${record.visit.at},
                  ${JSON.stringify(Schema.encodeSync(Inspection.VisitRecord)(record))})`.pipe(
                Effect.as([{ id: record.visit.id }]),
                Effect.catchIf(isDuplicateKey, () => Effect.succeed([]))
              ),
            orElse: () => sql`INSERT INTO inspection_visit (id, campaign_id, node_id, at, body)
            VALUES (${record.visit.id}, ${record.visit.campaignId}, ${record.visit.nodeId}, ${record.visit.at},
              ${JSON.stringify(Schema.encodeSync(Inspection.VisitRecord)(record))})
            ON CONFLICT (id) DO NOTHING RETURNING id`
          })
          .pipe(Effect.mapError(toStorageError("save visit"))),
        (inserted) =>
          inserted.length === 1
            ? Effect.void
            : Effect.fail(
                new Errors.Conflict({ entity: "Visit", id: record.visit.id, reason: "was recorded concurrently" })
              )
      )

    const visits = ({ campaignId, during, nodeIds }: InspectionStore.VisitQuery) => {
      if (nodeIds !== undefined && nodeIds.length === 0) {
        return Effect.succeed<ReadonlyArray<Inspection.VisitRecord>>([])
      }
      const conditions = [
        ...(nodeIds === undefined ? [] : [isAnyOf("node_id", [...new Set<string>(nodeIds)])]),
        ...(campaignId === undefined ? [] : [sql`campaign_id = ${campaignId}`]),
        ...(during === undefined ? [] : [sql`at >= ${during.from}`, sql`at < ${during.to}`])
      ]
      return sql`SELECT body FROM inspection_visit WHERE ${sql.and(conditions)} ORDER BY at, id`.pipe(
        readRows("visits", decodeRecords)
      )
    }

    return InspectionStore.InspectionStore.of({
      define,
      definitions: definitions("inspection definitions"),
      visit: (visitId) =>
        sql`SELECT body FROM inspection_visit WHERE id = ${visitId}`.pipe(
          readRows("visit", decodeRecords),
          Effect.map((records) => records[0] ?? null)
        ),
      save,
      visits,
      lastVisits: (nodeIds) =>
        nodeIds.length === 0
          ? Effect.succeed(new Map())
          : sql`SELECT node_id, MAX(at) AS at FROM inspection_visit WHERE ${isAnyOf("node_id", [...new Set<string>(nodeIds)])}
                GROUP BY node_id`.pipe(
              readRows("last visits", decodeLast),
              Effect.map((rows) => new Map(rows.map((row) => [row.node_id, row.at])))
            )
    })
  })
)
