/**
 * The storage port for people and assignments. Writes follow the pattern of every port: inside a
 * write transaction, load what the batch names (its people, its assignments by id, the assignments
 * of the people it assigns — one set-based query each), call `decide`, and write its plan with
 * multi-row statements: insert the people, insert the assignments, then end the stored assignments
 * the plan ends. Adapters decide nothing; the rules are in {@link Assignment}.
 *
 * @since 0.1.0
 */
import type { Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type { Assignment, AssignmentId, PeoplePlan, PeopleState } from "./Assignment.js"
import type { NodeId } from "./Node.js"
import type { Person, PersonId } from "./Person.js"

/**
 * What a write loads before deciding.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChangeRequest {
  /** People with these ids. */
  readonly people: ReadonlyArray<PersonId>
  /** Assignments with these ids. */
  readonly assignments: ReadonlyArray<AssignmentId>
  /** Every assignment of these people. */
  readonly assignmentsOf: ReadonlyArray<PersonId>
}

/**
 * Which assignments to read: every filter given narrows the result.
 *
 * @since 0.1.0
 * @category models
 */
export interface AssignmentQuery {
  /** Only assignments holding on this date (all dates when absent). */
  readonly asOf?: Period.IsoDate | undefined
  /** Only these assignments. */
  readonly ids?: ReadonlyArray<AssignmentId> | undefined
  /** Only assignments of these people. */
  readonly personIds?: ReadonlyArray<PersonId> | undefined
  /** Only assignments at these nodes. */
  readonly nodeIds?: ReadonlyArray<NodeId> | undefined
}

/**
 * The storage operations for people and assignments.
 *
 * @since 0.1.0
 * @category ports
 */
export class PeopleStore extends Context.Tag("@sortgrid/grid/PeopleStore")<
  PeopleStore,
  {
    /**
     * Loads the state `request` names, applies `decide`'s plan atomically and returns it. `decide`
     * may return more than a plan (results, a report): the adapter writes the plan's fields only.
     */
    readonly change: <P extends PeoplePlan, E>(
      request: ChangeRequest,
      decide: (state: PeopleState) => Either.Either<P, E>
    ) => Effect.Effect<P, E | Errors.StorageError>
    /** People with these ids (those that exist). */
    readonly people: (ids: ReadonlyArray<PersonId>) => Effect.Effect<ReadonlyArray<Person>, Errors.StorageError>
    /** Assignments matching the query, ordered by person, role, node and first day. */
    readonly assignments: (query: AssignmentQuery) => Effect.Effect<ReadonlyArray<Assignment>, Errors.StorageError>
  }
>() {}
