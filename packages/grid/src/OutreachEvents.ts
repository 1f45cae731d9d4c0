/**
 * The outreach service: record campaign events (in batches, idempotently), set each month's theme,
 * and add events up per node and period — each write checked, decided by {@link Outreach}, stored
 * and audited in one transaction.
 *
 * Permissions, each at a node path as the tree stood on the relevant date:
 * - `outreach.record` at the place of every event, on its date;
 * - `outreach.manage` at the node whose monthly theme is set, on the month's first day;
 * - `outreach.read` at the node stats cover.
 *
 * @since 0.1.0
 */
import { type Actor, Audit, AuditLog, Errors, Id, Json, Period, Permission, Transactor } from "@sortgrid/core"
import { Effect, Either, Schema } from "effect"
import { GridStore, versionsOn } from "./GridStore.js"
import { type NodeId, pathIds } from "./Node.js"
import * as Outreach from "./Outreach.js"
import { OutreachStore } from "./OutreachStore.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, [field])
  )

/**
 * What a write may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EditError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.StorageError

/**
 * What a query may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = Errors.Forbidden | Errors.StorageError

/**
 * What stats cover: the events on or under a node, dated in a period, placed by the tree as it
 * stood on `asOf` (the period's last day unless given).
 *
 * @since 0.1.0
 * @category models
 */
export interface StatsQuery {
  readonly under: Actor.NodePath
  readonly period: Period.Period
  readonly asOf?: Period.IsoDate | undefined
}

/**
 * Outreach events and monthly themes.
 *
 * @since 0.1.0
 * @category services
 */
export class OutreachEvents extends Effect.Service<OutreachEvents>()("@sortgrid/grid/OutreachEvents", {
  effect: Effect.gen(function* () {
    const store = yield* OutreachStore
    const grid = yield* GridStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy

    const allowed = (actor: Actor.Actor, permission: string, paths?: Iterable<Actor.NodePath | undefined>) =>
      Permission.decideAll(grants, actor, permission, paths)

    const nodesOn = (wanted: ReadonlyArray<{ readonly nodeId: NodeId; readonly date: Period.IsoDate }>) =>
      Effect.provideService(versionsOn(wanted), GridStore, grid)

    /**
     * Records events, all-or-nothing. Their places and organisers must be nodes in force on their
     * dates. A retried event returns as stored; the same id with other content is a `Conflict`.
     */
    const record = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Outreach.OutreachEvent>, EditError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "outreach.record")
        const events = yield* decode(Schema.Array(Outreach.OutreachEvent), input, "events")
        if (events.length === 0) return []
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const found = yield* nodesOn(
              events.flatMap((e) => [
                { nodeId: e.nodeId, date: e.date },
                { nodeId: e.organiserId, date: e.date }
              ])
            )
            yield* allowed(
              actor,
              "outreach.record",
              events.map((e) => found.get(`${e.date}|${e.nodeId}`)?.path).filter((path) => path !== undefined)
            )
            for (const [index, event] of events.entries()) {
              for (const field of ["nodeId", "organiserId"] as const) {
                if (!found.has(`${event.date}|${event[field]}`)) {
                  return yield* Errors.Invalid.one(
                    ["events", index, field],
                    `there is no node ${event[field]} on ${event.date}`
                  )
                }
              }
            }
            const plan = yield* store.change({ eventIds: events.map((e) => e.id) }, (state) =>
              Outreach.planEvents(state, events)
            )
            const ids = plan.writes.events.map((e) => e.id)
            if (ids.length > 0) {
              yield* audit.append([
                Audit.AuditDraft.make({
                  id: Audit.AuditEntryId.make(`outreach.events.${Json.digest(ids)}`),
                  actor: actor.id,
                  action: "outreach.eventsRecorded",
                  subject: ids.length === 1 ? `event:${ids[0]}` : `events:${ids.length}`,
                  payload: { count: ids.length, ids: ids.length <= 100 ? ids : [ids[0]!, ids.at(-1)!] }
                })
              ])
            }
            return plan.result
          })
        )
      })

    /** Sets (or replaces) the theme of a month at a node; the audit entry keeps the theme it replaced. */
    const setTheme = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      { readonly theme: Outreach.MonthlyTheme; readonly previous: Outreach.MonthlyTheme | null },
      EditError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, "outreach.manage")
        const theme = yield* decode(Outreach.MonthlyTheme, input, "theme")
        const monthStart = Period.IsoDate.make(`${theme.month}-01`, { disableValidation: true })
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const [node] = yield* grid.versions({ asOf: monthStart, ids: [theme.nodeId] })
            if (node === undefined) {
              return yield* Errors.Invalid.one(["theme", "nodeId"], `there is no node ${theme.nodeId} on ${monthStart}`)
            }
            yield* allowed(actor, "outreach.manage", [node.path])
            const plan = yield* store.change({ themes: [theme] }, (state) =>
              Either.right(Outreach.planTheme(state, theme))
            )
            if (plan.writes.themes.length > 0) {
              // Setting a theme may repeat an earlier one (A, B, A): a fresh id keeps every setting in the chain.
              const id = yield* Id.ulid
              yield* audit.append([
                Audit.AuditDraft.make({
                  id: Audit.AuditEntryId.make(`outreach.theme.${id}`),
                  actor: actor.id,
                  action: "outreach.themeSet",
                  subject: `theme:${theme.nodeId}:${theme.month}`,
                  payload: {
                    nodeId: theme.nodeId,
                    month: theme.month,
                    title: theme.title,
                    description: theme.description,
                    previous:
                      plan.result.previous === null
                        ? null
                        : { title: plan.result.previous.title, description: plan.result.previous.description }
                  }
                })
              ])
            }
            return plan.result
          })
        )
      })

    /** Events by kind, participants and households on or under a node in a period, with the parts. */
    const stats = (actor: Actor.Actor, query: StatsQuery): Effect.Effect<Outreach.OutreachStats, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "outreach.read", [query.under])
        const firstDay = Period.isoDateOfDay(Period.startDay(query.period))
        const lastDay = Period.isoDateOfDay(Period.endDay(query.period))
        const asOf = query.asOf ?? lastDay
        const places = yield* grid.versions({ asOf, under: query.under })
        const ids = places.map((place) => place.nodeId)
        const events = ids.length === 0 ? [] : yield* store.events({ nodes: ids, firstDay, lastDay })
        const themes = yield* store.themes({
          nodes: [...new Set([...pathIds(query.under), ...ids])],
          months: Outreach.monthsOf(query.period)
        })
        return Outreach.stats({ under: query.under, period: query.period, asOf, events, places, themes })
      })

    return { record, setTheme, stats } as const
  })
}) {}
