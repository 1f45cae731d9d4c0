/**
 * The duty roster's storage port. Duty records (templates, projects, sign-ups, check-ins) are
 * written once and never updated, so a write is: inside a write transaction serialised with every
 * other duty write, load what the scope names (a few set-based queries), call `decide`, insert its
 * writes with multi-row statements. The rules live in {@link Duty}; adapters store and fetch.
 *
 * Reads take the bin stations a query covers as a list of ids, so that a district's month is a
 * handful of queries however many stations it has.
 *
 * @since 0.1.0
 */
import type { Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type * as Duty from "./Duty.js"
import type { NodeId } from "./Node.js"

/**
 * The duty roster's storage operations.
 *
 * @since 0.1.0
 * @category ports
 */
export class DutyStore extends Context.Tag("@sortgrid/grid/DutyStore")<
  DutyStore,
  {
    /** Loads the state for `scope`, inserts `decide`'s writes atomically, and returns its plan. */
    readonly change: <A, E>(
      scope: Duty.DutyScope,
      decide: (state: Duty.DutyState) => Either.Either<Duty.DutyPlan<A>, E>
    ) => Effect.Effect<Duty.DutyPlan<A>, E | Errors.StorageError>
    /** Templates with these ids, and every template at these stations (either list may be absent). */
    readonly templates: (query: {
      readonly ids?: ReadonlyArray<Duty.ShiftTemplateId> | undefined
      readonly stations?: ReadonlyArray<NodeId> | undefined
    }) => Effect.Effect<ReadonlyArray<Duty.ShiftTemplate>, Errors.StorageError>
    /** Projects with these ids. */
    readonly projects: (
      ids: ReadonlyArray<Duty.DutyProjectId>
    ) => Effect.Effect<ReadonlyArray<Duty.DutyProject>, Errors.StorageError>
    /**
     * What attendance needs for these stations and dates (both included): the templates at the
     * stations in force on some of the dates, the projects staffing those templates and overlapping
     * the dates, those projects' sign-ups overlapping the dates, and the distinct
     * (person, template, date) of check-ins recorded against a shift at the stations on the dates.
     */
    readonly roster: (query: {
      readonly stations: ReadonlyArray<NodeId>
      readonly firstDay: Period.IsoDate
      readonly lastDay: Period.IsoDate
    }) => Effect.Effect<Duty.Roster, Errors.StorageError>
  }
>() {}
