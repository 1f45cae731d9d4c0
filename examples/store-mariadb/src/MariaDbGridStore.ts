/**
 * The grid's port on MariaDB, adapted from `@sortgrid/store-sql`'s (whose id lists use SQLite's
 * `json_each`). Node versions live in one table keyed by (node, version), with the materialised
 * path indexed in a binary collation: a subtree is one range scan (`path >= '/a/b/' AND
 * path < '/a/b0'`, `0` being the character after `/`), filtered to the versions in force on the
 * date. Writes run in the client's transactions, which begin by locking the database's writer row (see `MariaDbStore`), so writers take turns as on SQLite. Writes load their state in a few set-based queries and write with multi-row statements.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { type Actor, Errors, Json, Period } from "@sortgrid/core"
import { GridStore, Node, type Profile, type Tree } from "@sortgrid/grid"
import { Effect, type Either, Layer, Option, Schema } from "effect"
import {
  anyOf,
  endOpenVersions,
  Int,
  inChunks,
  makeInserter,
  pathEnd,
  readRows,
  serialisedTransaction,
  toStorageError
} from "./internal/sql.js"

const VersionRow = Schema.Struct({
  node_id: Schema.String,
  version: Int,
  kind: Schema.String,
  code: Schema.NullOr(Schema.String),
  name: Schema.String,
  name_en: Schema.NullOr(Schema.String),
  parent_id: Schema.NullOr(Schema.String),
  path: Schema.String,
  depth: Int,
  valid_from: Schema.String,
  valid_to: Schema.String
}).pipe(
  Schema.rename({
    node_id: "nodeId",
    name_en: "nameEn",
    parent_id: "parentId",
    valid_from: "validFrom",
    valid_to: "validTo"
  })
)

const decodeVersions = Schema.decodeUnknown(Schema.Array(Schema.compose(VersionRow, Node.NodeVersion)))

const ChangeRow = Schema.Struct({
  change_id: Schema.String,
  kind: Schema.Literal("MoveNode", "RenameNode", "CloseNode", "MergeNodes", "SplitNode"),
  effective_on: Period.IsoDate,
  digest: Schema.String,
  payload: Schema.parseJson(Json.Json),
  nodes: Schema.parseJson(Schema.Array(Node.NodeId))
})

const decodeChanges = Schema.decodeUnknown(Schema.Array(ChangeRow))

const toRecord = (row: typeof ChangeRow.Type): Tree.ChangeRecord => ({
  changeId: Node.ChangeId.make(row.change_id),
  kind: row.kind,
  effectiveOn: row.effective_on,
  digest: row.digest,
  payload: row.payload,
  nodes: row.nodes
})

const toRow = (version: Node.NodeVersion) => ({
  node_id: version.nodeId,
  version: version.version,
  kind: version.kind,
  code: version.code,
  name: version.name,
  name_en: version.nameEn,
  parent_id: version.parentId,
  path: version.path,
  depth: version.depth,
  valid_from: version.validFrom,
  valid_to: version.validTo
})

/**
 * `GridStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GridStore.GridStore, never, SqlClient.SqlClient> = Layer.effect(
  GridStore.GridStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const insertVersions = makeInserter<ReturnType<typeof toRow>>(sql, "grid_node_version", [
      "node_id",
      "version",
      "kind",
      "code",
      "name",
      "name_en",
      "parent_id",
      "path",
      "depth",
      "valid_from",
      "valid_to"
    ])
    const insertChangeNodes = makeInserter<{ node_id: string; change_id: string }>(sql, "grid_change_node", [
      "node_id",
      "change_id"
    ])

    const latestOf = (ids: ReadonlyArray<string>) =>
      inChunks([...new Set(ids)], (chunk) =>
        sql`SELECT v.* FROM grid_node_version v
              WHERE ${sql.in("v.node_id", chunk)}
                AND v.version = (SELECT MAX(w.version) FROM grid_node_version w WHERE w.node_id = v.node_id)`.pipe(
          readRows("grid change", decodeVersions)
        )
      )

    const openUnder = (path: string) =>
      sql`SELECT * FROM grid_node_version
          WHERE path >= ${path} AND path < ${pathEnd(path)} AND valid_to = ${Period.endOfTime}`.pipe(
        readRows("grid change", decodeVersions)
      )

    const change = <E>(
      request: { readonly scope: Tree.Scope; readonly changeId?: Node.ChangeId | undefined },
      decide: (state: Tree.TreeState) => Either.Either<Tree.TreePlan, E>
    ) =>
      serialisedTransaction(sql, { operation: "grid change", lock: "grid" })(
        Effect.gen(function* () {
          const loaded = yield* latestOf([...request.scope.ids, ...request.scope.subtreesOf])
          const latest = new Map(loaded.map((version) => [version.nodeId as string, version]))
          const descendants: Array<Node.NodeVersion> = []
          for (const id of request.scope.subtreesOf) {
            const root = latest.get(id)
            if (root === undefined) continue
            descendants.push(...(yield* openUnder(root.path)))
          }
          const stored =
            request.changeId === undefined
              ? Option.none()
              : Option.map(
                  Option.fromNullable(
                    (yield* sql`SELECT * FROM grid_change WHERE change_id = ${request.changeId}`.pipe(
                      readRows("grid change", decodeChanges)
                    ))[0]
                  ),
                  toRecord
                )
          const plan = yield* decide({ latest, descendants, stored })

          yield* endOpenVersions(sql, "grid_node_version")(plan.end)
          if (plan.start.length > 0) yield* insertVersions(plan.start.map(toRow))
          if (Option.isSome(plan.record)) {
            const record = plan.record.value
            yield* sql`INSERT INTO grid_change ${sql.insert({
              change_id: record.changeId,
              kind: record.kind,
              effective_on: record.effectiveOn,
              digest: record.digest,
              payload: JSON.stringify(record.payload),
              nodes: JSON.stringify(record.nodes)
            })}`
            yield* insertChangeNodes(record.nodes.map((node_id) => ({ node_id, change_id: record.changeId })))
          }
          return plan
        })
      )

    const versions = (query: GridStore.VersionQuery) => {
      const filters = [
        sql`valid_from <= ${query.asOf}`,
        sql`valid_to > ${query.asOf}`,
        ...(query.under === undefined ? [] : [sql`path >= ${query.under}`, sql`path < ${pathEnd(query.under)}`]),
        ...(query.parentId === undefined ? [] : [sql`parent_id = ${query.parentId}`]),
        ...(query.kinds === undefined ? [] : [sql.in("kind", query.kinds)]),
        ...(query.codes === undefined ? [] : [sql.in("code", query.codes)]),
        ...(query.depths === undefined ? [] : [sql.in("depth", query.depths)])
      ]
      const select = (extra: ReadonlyArray<ReturnType<typeof sql.in>>) =>
        sql`SELECT * FROM grid_node_version WHERE ${sql.and([...filters, ...extra])} ORDER BY path`.pipe(
          readRows("grid versions", decodeVersions)
        )
      if (query.ids === undefined) return select([])
      if (query.ids.length === 0) return Effect.succeed([])
      return Effect.map(
        inChunks(query.ids, (chunk) => select([sql.in("node_id", chunk)])),
        (found) => found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      )
    }

    const countByKind = (query: { readonly asOf: Period.IsoDate; readonly under: Actor.NodePath }) =>
      sql`SELECT kind, COUNT(*) AS count FROM grid_node_version
          WHERE path >= ${query.under} AND path < ${pathEnd(query.under)}
            AND valid_from <= ${query.asOf} AND valid_to > ${query.asOf}
          GROUP BY kind ORDER BY kind`.pipe(
        readRows("grid count", Schema.decodeUnknown(Schema.Array(Schema.Struct({ kind: Schema.String, count: Int })))),
        Effect.map((rows) => rows.map((row) => ({ kind: row.kind as Profile.NodeKind, count: row.count })))
      )

    const placements = (query: Pick<GridStore.VersionQuery, "asOf" | "under" | "ids">) => {
      if (query.ids !== undefined && query.ids.length === 0) return Effect.succeed([])
      const filters = [
        sql`valid_from <= ${query.asOf}`,
        sql`valid_to > ${query.asOf}`,
        ...(query.under === undefined ? [] : [sql`path >= ${query.under}`, sql`path < ${pathEnd(query.under)}`]),
        ...(query.ids === undefined ? [] : [isAnyOf("node_id", query.ids)])
      ]
      return sql`SELECT node_id, path FROM grid_node_version WHERE ${sql.and(filters)}`.values.pipe(
        Effect.mapError(toStorageError("grid placements")),
        Effect.flatMap((rows) => {
          // Hundreds of thousands of rows: checked with a plain loop rather than a schema per row.
          const out: Array<readonly [string, string]> = new Array(rows.length)
          for (let i = 0; i < rows.length; i++) {
            const [nodeId, path] = rows[i]!
            if (typeof nodeId !== "string" || typeof path !== "string") {
              return Effect.fail(
                new Errors.StorageError({ operation: "grid placements", reason: `stored data is malformed: row ${i}` })
              )
            }
            out[i] = [nodeId, path]
          }
          return Effect.succeed(out)
        })
      )
    }

    return GridStore.GridStore.of({
      change,
      versions,
      countByKind,
      placements,
      history: (id) =>
        sql`SELECT * FROM grid_node_version WHERE node_id = ${id} ORDER BY version`.pipe(
          readRows("grid history", decodeVersions)
        ),
      changes: (id) =>
        sql`SELECT c.* FROM grid_change c JOIN grid_change_node n ON n.change_id = c.change_id
            WHERE n.node_id = ${id} ORDER BY c.effective_on, c.change_id`.pipe(
          readRows("grid changes", decodeChanges),
          Effect.map((rows) => rows.map(toRecord))
        )
    })
  })
)
