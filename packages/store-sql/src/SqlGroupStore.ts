/**
 * Group sets and memberships over `SqlClient`. A set is stored whole as JSON (it is reference data,
 * read together); memberships are dated rows keyed by (node, group, start), and queries by path join
 * with the node versions in force on the date.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Period } from "@sortgrid/core"
import { Group, GroupStore, type Node } from "@sortgrid/grid"
import { Effect, type Either, Layer, Schema } from "effect"
import { chunksOf, transaction } from "./internal/errors.js"
import { makeInserter } from "./internal/insert.js"
import { inChunks, pathEnd, readRows } from "./internal/query.js"

const decodeSets = Schema.decodeUnknown(Schema.Array(Schema.Struct({ definition: Schema.parseJson(Group.GroupSet) })))

const MembershipRow = Schema.Struct({
  node_id: Schema.String,
  set_id: Schema.String,
  group_id: Schema.String,
  valid_from: Schema.String,
  valid_to: Schema.String
}).pipe(
  Schema.rename({
    node_id: "nodeId",
    set_id: "setId",
    group_id: "groupId",
    valid_from: "validFrom",
    valid_to: "validTo"
  })
)

const decodeMemberships = Schema.decodeUnknown(Schema.Array(Schema.compose(MembershipRow, Group.Membership)))

const toRow = (membership: Group.Membership) => ({
  node_id: membership.nodeId,
  set_id: membership.setId,
  group_id: membership.groupId,
  valid_from: membership.validFrom,
  valid_to: membership.validTo
})

/**
 * `GroupStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GroupStore.GroupStore, never, SqlClient.SqlClient> = Layer.effect(
  GroupStore.GroupStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insertMemberships = makeInserter<ReturnType<typeof toRow>>(sql, "grid_membership", [
      "node_id",
      "set_id",
      "group_id",
      "valid_from",
      "valid_to"
    ])

    const sets = sql`SELECT definition FROM grid_group_set ORDER BY id`.pipe(
      readRows("group sets", decodeSets),
      Effect.map((rows) => rows.map((row) => row.definition))
    )

    const defineSets = <E>(
      decide: (defined: ReadonlyArray<Group.GroupSet>) => Either.Either<ReadonlyArray<Group.GroupSet>, E>
    ) =>
      transaction(
        sql,
        "define group sets"
      )(
        Effect.gen(function* () {
          const fresh = yield* decide(yield* sets)
          if (fresh.length > 0) {
            yield* sql`INSERT INTO grid_group_set ${sql.insert(
              fresh.map((set) => ({ id: set.id, definition: JSON.stringify(Schema.encodeSync(Group.GroupSet)(set)) }))
            )}`
          }
          return fresh
        })
      )

    const changeMemberships = <E>(
      nodeIds: ReadonlyArray<Node.NodeId>,
      decide: (state: Group.MembershipState) => Either.Either<Group.MembershipPlan, E>
    ) =>
      transaction(
        sql,
        "change memberships"
      )(
        Effect.gen(function* () {
          const defined = yield* sets
          const open = yield* inChunks(nodeIds, (chunk) =>
            sql`SELECT * FROM grid_membership WHERE valid_to = ${Period.endOfTime} AND ${sql.in("node_id", chunk)}`.pipe(
              readRows("change memberships", decodeMemberships)
            )
          )
          const plan = yield* decide({ sets: defined, open })
          // Every membership a plan ends is open, and a node has one open membership per group.
          const byDate = new Map<string, Array<Group.Membership>>()
          for (const { membership, validTo } of plan.end)
            byDate.set(validTo, [...(byDate.get(validTo) ?? []), membership])
          for (const [validTo, ended] of byDate) {
            for (const chunk of chunksOf(ended, 2_000)) {
              yield* sql`UPDATE grid_membership SET valid_to = ${validTo}
                         WHERE valid_to = ${Period.endOfTime}
                           AND ${sql.or(chunk.map((m) => sql`(node_id = ${m.nodeId} AND group_id = ${m.groupId})`))}`
            }
          }
          if (plan.start.length > 0) yield* insertMemberships(plan.start.map(toRow))
          return plan
        })
      )

    return GroupStore.GroupStore.of({
      defineSets,
      sets,
      changeMemberships,
      memberships: (query) => {
        const filters = [
          sql`m.valid_from <= ${query.asOf}`,
          sql`m.valid_to > ${query.asOf}`,
          ...(query.groupId === undefined ? [] : [sql`m.group_id = ${query.groupId}`])
        ]
        const select = (extra: ReadonlyArray<ReturnType<typeof sql.in>>) => {
          const statement =
            query.under === undefined
              ? sql`SELECT m.* FROM grid_membership m WHERE ${sql.and([...filters, ...extra])} ORDER BY m.node_id, m.group_id`
              : sql`SELECT m.* FROM grid_membership m
                    JOIN grid_node_version v ON v.node_id = m.node_id
                     AND v.valid_from <= ${query.asOf} AND v.valid_to > ${query.asOf}
                     AND v.path >= ${query.under} AND v.path < ${pathEnd(query.under)}
                    WHERE ${sql.and([...filters, ...extra])} ORDER BY m.node_id, m.group_id`
          return statement.pipe(readRows("memberships", decodeMemberships))
        }
        if (query.nodeIds === undefined) return select([])
        return inChunks(query.nodeIds, (chunk) => select([sql.in("m.node_id", chunk)]))
      }
    })
  })
)
