/**
 * Outreach: the campaign events that carry sorting into schools, villages, enterprises,
 * communities and plazas, the district's theme for each month, and the pure rules that record them
 * and add them up per node and period.
 *
 * - An **event** happened on a date at a node (where), was organised by a unit (a node too: a
 *   department, a community, a school…), and reached some participants and households.
 * - A **monthly theme** is set per node (the district, usually) per month; setting it again
 *   replaces it, and the audit chain keeps what it was.
 * - **Stats** for a node and period count the events on or under the node by kind, with their
 *   participants and households, at the node and at every node between it and the events, so every
 *   total is the sum of the parts shown beside it.
 *
 * @since 0.1.0
 */
import { Actor, Errors, Id, Json, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import { NodeId, type NodeVersion, pathIds } from "./Node.js"

/**
 * An outreach event's id, chosen by the client.
 *
 * @since 0.1.0
 * @category ids
 */
export const OutreachEventId = Id.brand("OutreachEventId")

/**
 * @since 0.1.0
 * @category ids
 */
export type OutreachEventId = typeof OutreachEventId.Type

/**
 * The five kinds of campaign (domain.md, "Outreach").
 *
 * @since 0.1.0
 * @category models
 */
export const campaignKinds = ["school", "village", "enterprise", "community", "plaza"] as const

/**
 * A kind of campaign.
 *
 * @since 0.1.0
 * @category models
 */
export const CampaignKind = Schema.Literal(...campaignKinds)

/**
 * @since 0.1.0
 * @category models
 */
export type CampaignKind = typeof CampaignKind.Type

/**
 * A month's id, `YYYY-MM`.
 *
 * @since 0.1.0
 * @category models
 */
export const MonthId = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(?:0[1-9]|1[0-2])$/, { message: () => "must be a month, YYYY-MM" }),
  Schema.brand("MonthId")
)

/**
 * @since 0.1.0
 * @category models
 */
export type MonthId = typeof MonthId.Type

const Text = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))
const Count = Schema.Int.pipe(Schema.between(0, 10_000_000))

/**
 * An outreach event.
 *
 * @since 0.1.0
 * @category models
 */
export class OutreachEvent extends Schema.Class<OutreachEvent>("@sortgrid/grid/OutreachEvent")({
  id: OutreachEventId,
  kind: CampaignKind,
  title: Text(200),
  date: Period.IsoDate,
  /** Where it happened. */
  nodeId: NodeId,
  /** The unit that ran it: a department, a community, a school… */
  organiserId: NodeId,
  participants: Count,
  households: Count,
  notes: Schema.optionalWith(Schema.NullOr(Text(2000)), { default: () => null })
}) {}

/**
 * The theme of a month at a node (the district, usually).
 *
 * @since 0.1.0
 * @category models
 */
export class MonthlyTheme extends Schema.Class<MonthlyTheme>("@sortgrid/grid/MonthlyTheme")({
  nodeId: NodeId,
  month: MonthId,
  title: Text(200),
  description: Schema.optionalWith(Schema.NullOr(Text(2000)), { default: () => null })
}) {}

/**
 * The months of a period that overlap it (a week may straddle two).
 *
 * @since 0.1.0
 * @category models
 */
export const monthsOf = (period: Period.Period): ReadonlyArray<MonthId> => {
  const first = Period.containing("Month", Period.startDay(period))
  const last = Period.startDay(Period.containing("Month", Period.endDay(period)))
  const months: Array<MonthId> = []
  for (let month = first; Period.startDay(month) <= last; month = Period.next(month)) {
    months.push(MonthId.make(Period.format(month), { disableValidation: true }))
  }
  return months
}

// --- writing --------------------------------------------------------------------------------------

/**
 * What an outreach command needs loaded: events by id, and themes by node and month.
 *
 * @since 0.1.0
 * @category writing
 */
export interface OutreachScope {
  readonly eventIds?: ReadonlyArray<OutreachEventId> | undefined
  readonly themes?: ReadonlyArray<{ readonly nodeId: NodeId; readonly month: MonthId }> | undefined
}

/**
 * What the store found for an {@link OutreachScope}.
 *
 * @since 0.1.0
 * @category writing
 */
export interface OutreachState {
  readonly events: ReadonlyArray<OutreachEvent>
  readonly themes: ReadonlyArray<MonthlyTheme>
}

/**
 * What to write: events to insert (never updated), themes to insert or replace (by node and month).
 *
 * @since 0.1.0
 * @category writing
 */
export interface OutreachWrites {
  readonly events: ReadonlyArray<OutreachEvent>
  readonly themes: ReadonlyArray<MonthlyTheme>
}

/**
 * A decision: what to write, and what the command returns.
 *
 * @since 0.1.0
 * @category writing
 */
export interface OutreachPlan<A> {
  readonly writes: OutreachWrites
  readonly result: A
}

const eventContent = (event: OutreachEvent): string =>
  Json.canonical([
    event.kind,
    event.title,
    event.date,
    event.nodeId,
    event.organiserId,
    event.participants,
    event.households,
    event.notes
  ])

/**
 * Records events (places already checked). State: the stored events with the batch's ids. A stored
 * id with the same content is a retry and returns the stored event; with other content it is a
 * `Conflict`; an id twice in the batch is `Invalid`.
 *
 * @since 0.1.0
 * @category writing
 */
export const planEvents = (
  state: Pick<OutreachState, "events">,
  events: ReadonlyArray<OutreachEvent>
): Either.Either<OutreachPlan<ReadonlyArray<OutreachEvent>>, Errors.Invalid | Errors.Conflict> => {
  const stored = new Map(state.events.map((event) => [event.id as string, event]))
  const seen = new Set<string>()
  const fresh: Array<OutreachEvent> = []
  for (const [index, event] of events.entries()) {
    if (seen.has(event.id)) {
      return Either.left(Errors.Invalid.one(["events", index, "id"], `${event.id} appears twice in the batch`))
    }
    seen.add(event.id)
    const found = stored.get(event.id)
    if (found === undefined) fresh.push(event)
    else if (eventContent(found) !== eventContent(event)) {
      return Either.left(
        new Errors.Conflict({
          entity: "OutreachEvent",
          id: event.id,
          reason: "the id was already used with different content"
        })
      )
    }
  }
  return Either.right({
    writes: { events: fresh, themes: [] },
    result: events.map((event) => stored.get(event.id) ?? event)
  })
}

/**
 * Sets a month's theme. State: the theme stored for the node and month, if any. The same theme
 * again writes nothing; another one replaces it, and the plan says what it replaced.
 *
 * @since 0.1.0
 * @category writing
 */
export const planTheme = (
  state: Pick<OutreachState, "themes">,
  theme: MonthlyTheme
): OutreachPlan<{ readonly theme: MonthlyTheme; readonly previous: MonthlyTheme | null }> => {
  const previous = state.themes.find((t) => t.nodeId === theme.nodeId && t.month === theme.month) ?? null
  const unchanged = previous !== null && previous.title === theme.title && previous.description === theme.description
  return {
    writes: { events: [], themes: unchanged ? [] : [theme] },
    result: { theme, previous: unchanged ? null : previous }
  }
}

// --- stats ----------------------------------------------------------------------------------------

/**
 * Events, participants and households.
 *
 * @since 0.1.0
 * @category stats
 */
export interface Tally {
  readonly events: number
  readonly participants: number
  readonly households: number
}

/**
 * A tally, and the same split by campaign kind (every kind present, zeros included): the kinds add
 * up to the tally.
 *
 * @since 0.1.0
 * @category stats
 */
export interface KindTally extends Tally {
  readonly byKind: { readonly [K in CampaignKind]: Tally }
}

/**
 * The outreach of one node: every event on or under it.
 *
 * @since 0.1.0
 * @category stats
 */
export interface NodeOutreach extends KindTally {
  readonly nodeId: NodeId
  readonly path: Actor.NodePath
}

/**
 * Outreach for a node and period: the total, the themes of the period's months (set on the node,
 * above it or under it), and every node from `under` down to each event's place, ordered by path.
 *
 * @since 0.1.0
 * @category stats
 */
export interface OutreachStats extends KindTally {
  readonly under: Actor.NodePath
  /** The period's id (`2023-06`). */
  readonly period: string
  /** The date whose tree placed the events. */
  readonly asOf: Period.IsoDate
  readonly themes: ReadonlyArray<MonthlyTheme>
  readonly byNode: ReadonlyArray<NodeOutreach>
}

type MutableTally = { events: number; participants: number; households: number }

const emptyKinds = (): { [K in CampaignKind]: MutableTally } => ({
  school: { events: 0, participants: 0, households: 0 },
  village: { events: 0, participants: 0, households: 0 },
  enterprise: { events: 0, participants: 0, households: 0 },
  community: { events: 0, participants: 0, households: 0 },
  plaza: { events: 0, participants: 0, households: 0 }
})

const newTally = () => ({ events: 0, participants: 0, households: 0, byKind: emptyKinds() })

const addEvent = (tally: ReturnType<typeof newTally>, event: OutreachEvent) => {
  for (const part of [tally, tally.byKind[event.kind]]) {
    part.events += 1
    part.participants += event.participants
    part.households += event.households
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Adds up the events of a period on or under a node. `places` are the versions (as of `asOf`) of
 * the events' nodes; events dated outside the period or placed outside `under` are left out.
 *
 * @since 0.1.0
 * @category stats
 */
export const stats = (options: {
  readonly under: Actor.NodePath
  readonly period: Period.Period
  readonly asOf: Period.IsoDate
  readonly events: ReadonlyArray<OutreachEvent>
  readonly places: ReadonlyArray<Pick<NodeVersion, "nodeId" | "path">>
  readonly themes: ReadonlyArray<MonthlyTheme>
}): OutreachStats => {
  const { under } = options
  const first = Period.isoDateOfDay(Period.startDay(options.period))
  const last = Period.isoDateOfDay(Period.endDay(options.period))
  const pathOf = new Map(options.places.map((place) => [place.nodeId as string, place.path]))
  const firstIndex = Math.max(0, pathIds(under).length - 1)
  const total = newTally()
  const parts = new Map<string, { path: Actor.NodePath; tally: ReturnType<typeof newTally> }>()
  for (const event of options.events) {
    const path = pathOf.get(event.nodeId)
    if (path === undefined || !path.startsWith(under) || event.date < first || event.date > last) continue
    addEvent(total, event)
    // The event counts at its place and at every node between it and `under`.
    const ids = pathIds(path)
    for (let index = firstIndex; index < ids.length; index++) {
      const id = ids[index]!
      const part = parts.get(id) ?? {
        path: Actor.NodePath.make(`/${ids.slice(0, index + 1).join("/")}/`, { disableValidation: true }),
        tally: newTally()
      }
      addEvent(part.tally, event)
      parts.set(id, part)
    }
  }
  return {
    under,
    period: Period.format(options.period),
    asOf: options.asOf,
    ...total,
    themes: [...options.themes].sort((a, b) => compare(a.month, b.month) || compare(a.nodeId, b.nodeId)),
    byNode: [...parts]
      .map(([id, part]) => ({ nodeId: NodeId.make(id, { disableValidation: true }), path: part.path, ...part.tally }))
      .sort((a, b) => compare(a.path, b.path))
  }
}
