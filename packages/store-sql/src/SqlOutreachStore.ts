/**
 * The outreach port over `SqlClient` (tables of migration 8). Writes are serialised per database
 * (SQLite's write lock; a transaction-scoped advisory lock on PostgreSQL), load their state in two
 * queries, insert events with multi-row statements and upsert themes by (node, month). A list of
 * node ids travels as one parameter (a JSON array read by `json_each` on SQLite, a `text[]` on
 * PostgreSQL), so a district's stats are two queries however many nodes it has.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Period } from "@sortgrid/core"
import { Node } from "@sortgrid/grid"
import * as Outreach from "@sortgrid/grid/Outreach"
import * as OutreachStore from "@sortgrid/grid/OutreachStore"
import { Effect, type Either, Layer, Schema } from "effect"
import { makeInserter } from "./internal/insert.js"
import { anyOf, Int, readRows } from "./internal/query.js"
import { serialisedTransaction } from "./internal/write.js"

const EventRow = Schema.Struct({
  event_id: Outreach.OutreachEventId,
  kind: Outreach.CampaignKind,
  title: Schema.String,
  event_date: Period.IsoDate,
  node_id: Node.NodeId,
  organiser_id: Node.NodeId,
  participants: Int,
  households: Int,
  notes: Schema.NullOr(Schema.String)
})

const ThemeRow = Schema.Struct({
  node_id: Node.NodeId,
  month: Outreach.MonthId,
  title: Schema.String,
  description: Schema.NullOr(Schema.String)
})

// Every field was checked by the row schemas: build the records without checking again.

const decodeEvents = (found: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(EventRow))(found), (decoded) =>
    decoded.map(
      (row) =>
        new Outreach.OutreachEvent(
          {
            id: row.event_id,
            kind: row.kind,
            title: row.title,
            date: row.event_date,
            nodeId: row.node_id,
            organiserId: row.organiser_id,
            participants: row.participants,
            households: row.households,
            notes: row.notes
          },
          { disableValidation: true }
        )
    )
  )

const decodeThemes = (found: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(Schema.Array(ThemeRow))(found), (decoded) =>
    decoded.map(
      (row) =>
        new Outreach.MonthlyTheme(
          { nodeId: row.node_id, month: row.month, title: row.title, description: row.description },
          { disableValidation: true }
        )
    )
  )

/**
 * `OutreachStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<OutreachStore.OutreachStore, never, SqlClient.SqlClient> = Layer.effect(
  OutreachStore.OutreachStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insertEvents = makeInserter<{
      event_id: string
      kind: string
      title: string
      event_date: string
      node_id: string
      organiser_id: string
      participants: number
      households: number
      notes: string | null
    }>(sql, "outreach_event", [
      "event_id",
      "kind",
      "title",
      "event_date",
      "node_id",
      "organiser_id",
      "participants",
      "households",
      "notes"
    ])

    const isAnyOf = anyOf(sql)

    const change = <A, E>(
      scope: Outreach.OutreachScope,
      decide: (state: Outreach.OutreachState) => Either.Either<Outreach.OutreachPlan<A>, E>
    ) =>
      serialisedTransaction(sql, { operation: "outreach change", lock: "outreach" })(
        Effect.gen(function* () {
          const eventIds = scope.eventIds ?? []
          const themeKeys = scope.themes ?? []
          const plan = yield* decide({
            events:
              eventIds.length === 0
                ? []
                : yield* sql`SELECT * FROM outreach_event WHERE ${isAnyOf("event_id", eventIds)}`.pipe(
                    readRows("outreach change", decodeEvents)
                  ),
            themes:
              themeKeys.length === 0
                ? []
                : yield* sql`SELECT * FROM outreach_theme WHERE ${sql.or(
                    themeKeys.map((key) => sql`(node_id = ${key.nodeId} AND month = ${key.month})`)
                  )}`.pipe(readRows("outreach change", decodeThemes))
          })
          if (plan.writes.events.length > 0) {
            yield* insertEvents(
              plan.writes.events.map((event) => ({
                event_id: event.id,
                kind: event.kind,
                title: event.title,
                event_date: event.date,
                node_id: event.nodeId,
                organiser_id: event.organiserId,
                participants: event.participants,
                households: event.households,
                notes: event.notes
              }))
            )
          }
          if (plan.writes.themes.length > 0) {
            const themes = sql.insert(
              plan.writes.themes.map((theme) => ({
                node_id: theme.nodeId,
                month: theme.month,
                title: theme.title,
                description: theme.description
              }))
            )
            yield* sql.onDialectOrElse({
              mysql: () =>
                sql`INSERT INTO outreach_theme ${themes} ON DUPLICATE KEY UPDATE title = VALUES(title), description = VALUES(description)`,
              orElse: () => sql`INSERT INTO outreach_theme ${themes}
            ON CONFLICT (node_id, month) DO UPDATE SET title = excluded.title, description = excluded.description`
            })
          }
          return plan
        })
      )

    return OutreachStore.OutreachStore.of({
      change,
      events: ({ nodes, firstDay, lastDay }) =>
        nodes.length === 0
          ? Effect.succeed([])
          : sql`SELECT * FROM outreach_event
                WHERE ${isAnyOf("node_id", nodes)} AND event_date >= ${firstDay} AND event_date <= ${lastDay}
                ORDER BY event_date, event_id`.pipe(readRows("outreach events", decodeEvents)),
      themes: ({ nodes, months }) =>
        nodes.length === 0 || months.length === 0
          ? Effect.succeed([])
          : sql`SELECT * FROM outreach_theme
                WHERE ${isAnyOf("node_id", nodes)} AND ${isAnyOf("month", months)}
                ORDER BY month, node_id`.pipe(readRows("outreach themes", decodeThemes))
    })
  })
)
