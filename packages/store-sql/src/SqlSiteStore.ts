/**
 * Site details over `SqlClient`: dated rows with the details as JSON, joined with the node versions
 * in force to answer "the sites under this path on this date" in one query.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Period } from "@sortgrid/core"
import { type Node, Site, SiteStore } from "@sortgrid/grid"
import { Effect, type Either, Layer, Schema } from "effect"
import { transaction } from "./internal/errors.js"
import { makeInserter } from "./internal/insert.js"
import { inChunks, pathEnd, readRows } from "./internal/query.js"
import { endOpenVersions } from "./internal/write.js"

const Row = Schema.Struct({
  node_id: Schema.String,
  valid_from: Schema.String,
  valid_to: Schema.String,
  details: Schema.parseJson(Schema.encodedSchema(Site.Details))
}).pipe(Schema.rename({ node_id: "nodeId", valid_from: "validFrom", valid_to: "validTo" }))

const decodeRows = Schema.decodeUnknown(Schema.Array(Schema.compose(Row, Site.SiteVersion)))

const toRow = (version: Site.SiteVersion) => ({
  node_id: version.nodeId,
  valid_from: version.validFrom,
  valid_to: version.validTo,
  details: JSON.stringify(Schema.encodeSync(Site.Details)(version.details))
})

/**
 * `SiteStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SiteStore.SiteStore, never, SqlClient.SqlClient> = Layer.effect(
  SiteStore.SiteStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insert = makeInserter<ReturnType<typeof toRow>>(sql, "grid_site", [
      "node_id",
      "valid_from",
      "valid_to",
      "details"
    ])

    const change = <E>(
      nodeIds: ReadonlyArray<Node.NodeId>,
      decide: (current: ReadonlyMap<string, Site.SiteVersion>) => Either.Either<Site.SitePlan, E>
    ) =>
      transaction(
        sql,
        "set sites"
      )(
        Effect.gen(function* () {
          const open = yield* inChunks(nodeIds, (chunk) =>
            sql`SELECT * FROM grid_site WHERE valid_to = ${Period.endOfTime} AND ${sql.in("node_id", chunk)}`.pipe(
              readRows("set sites", decodeRows)
            )
          )
          const plan = yield* decide(
            new Map<string, Site.SiteVersion>(open.map((version) => [version.nodeId, version]))
          )
          yield* endOpenVersions(sql, "grid_site")(plan.end)
          if (plan.start.length > 0) yield* insert(plan.start.map(toRow))
          return plan
        })
      )

    return SiteStore.SiteStore.of({
      change,
      sites: ({ asOf, under }) =>
        sql`SELECT s.* FROM grid_site s
            JOIN grid_node_version v ON v.node_id = s.node_id
             AND v.valid_from <= ${asOf} AND v.valid_to > ${asOf}
             AND v.path >= ${under} AND v.path < ${pathEnd(under)}
            WHERE s.valid_from <= ${asOf} AND s.valid_to > ${asOf}
            ORDER BY v.path`.pipe(readRows("sites", decodeRows))
    })
  })
)
