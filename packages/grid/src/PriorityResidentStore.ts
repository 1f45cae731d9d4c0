/**
 * The priority-residents register's storage port. Adapters store and fetch sealed records; they
 * never see a plaintext value or a key, and never decide. Registration follows the pattern of
 * every port: inside a write transaction, load the stored records with the batch's ids or
 * pseudonyms (a few set-based queries), call `decide` ({@link PriorityResident.planRegister}), and
 * insert its plan with multi-row statements.
 *
 * Records name their node, not its path: the tree moves nodes, and scope must follow the tree of
 * the day, so the service reads paths from the grid's own port.
 *
 * @since 0.1.0
 */
import type { Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type { NodeId } from "./Node.js"
import type { PriorityResidentId, Pseudonym, RegisterPlan, RegisterState, SealedResident } from "./PriorityResident.js"

/**
 * The register's storage operations.
 *
 * @since 0.1.0
 * @category ports
 */
export class PriorityResidentStore extends Context.Tag("@sortgrid/grid/PriorityResidentStore")<
  PriorityResidentStore,
  {
    /**
     * Loads the records with any of `ids` or `pseudonyms`, applies `decide`'s plan atomically (a
     * write transaction, joining an enclosing one), and returns it.
     */
    readonly register: <E>(
      request: { readonly ids: ReadonlyArray<PriorityResidentId>; readonly pseudonyms: ReadonlyArray<Pseudonym> },
      decide: (state: RegisterState) => Either.Either<RegisterPlan, E>
    ) => Effect.Effect<RegisterPlan, E | Errors.StorageError>
    /** The records with these ids (absent ids are left out), in no particular order. */
    readonly get: (
      ids: ReadonlyArray<PriorityResidentId>
    ) => Effect.Effect<ReadonlyArray<SealedResident>, Errors.StorageError>
    /** The records at these nodes registered on or before a date, in no particular order. */
    readonly list: (query: {
      readonly nodeIds: ReadonlyArray<NodeId>
      readonly registeredBy: Period.IsoDate
    }) => Effect.Effect<ReadonlyArray<SealedResident>, Errors.StorageError>
  }
>() {}
