/**
 * The outreach storage port. Events are written once and never updated; a month's theme is
 * replaced by the next one set for the same node and month. A write is: inside a write transaction
 * serialised with every other outreach write, load what the scope names, call `decide`, write its
 * plan with multi-row statements. Reads take the nodes they cover as a list of ids, so a district's
 * month is a couple of queries however many nodes it has.
 *
 * @since 0.1.0
 */
import type { Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type { NodeId } from "./Node.js"
import type * as Outreach from "./Outreach.js"

/**
 * The outreach storage operations.
 *
 * @since 0.1.0
 * @category ports
 */
export class OutreachStore extends Context.Tag("@sortgrid/grid/OutreachStore")<
  OutreachStore,
  {
    /** Loads the state for `scope`, applies `decide`'s writes atomically, and returns its plan. */
    readonly change: <A, E>(
      scope: Outreach.OutreachScope,
      decide: (state: Outreach.OutreachState) => Either.Either<Outreach.OutreachPlan<A>, E>
    ) => Effect.Effect<Outreach.OutreachPlan<A>, E | Errors.StorageError>
    /** Events at these nodes dated from `firstDay` to `lastDay` (both included). */
    readonly events: (query: {
      readonly nodes: ReadonlyArray<NodeId>
      readonly firstDay: Period.IsoDate
      readonly lastDay: Period.IsoDate
    }) => Effect.Effect<ReadonlyArray<Outreach.OutreachEvent>, Errors.StorageError>
    /** Themes set at these nodes for these months. */
    readonly themes: (query: {
      readonly nodes: ReadonlyArray<NodeId>
      readonly months: ReadonlyArray<Outreach.MonthId>
    }) => Effect.Effect<ReadonlyArray<Outreach.MonthlyTheme>, Errors.StorageError>
  }
>() {}
