/**
 * The storage port for group sets and memberships, in the pattern of every port: writes load their
 * state in a few set-based queries, call `decide`, and write its plan in one transaction.
 *
 * @since 0.1.0
 */
import type { Actor, Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type { GroupId, GroupSet, Membership, MembershipPlan, MembershipState } from "./Group.js"
import type { NodeId } from "./Node.js"

/**
 * Group storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class GroupStore extends Context.Tag("@sortgrid/grid/GroupStore")<
  GroupStore,
  {
    /** Writes the sets `decide` returns, given the sets already defined. */
    readonly defineSets: <E>(
      decide: (defined: ReadonlyArray<GroupSet>) => Either.Either<ReadonlyArray<GroupSet>, E>
    ) => Effect.Effect<ReadonlyArray<GroupSet>, E | Errors.StorageError>
    /** Every set defined. */
    readonly sets: Effect.Effect<ReadonlyArray<GroupSet>, Errors.StorageError>
    /** Loads the sets and the open memberships of `nodeIds`, applies `decide`'s plan atomically. */
    readonly changeMemberships: <E>(
      nodeIds: ReadonlyArray<NodeId>,
      decide: (state: MembershipState) => Either.Either<MembershipPlan, E>
    ) => Effect.Effect<MembershipPlan, E | Errors.StorageError>
    /**
     * Memberships in force on a date: of some nodes, or of the nodes in force under a path, optionally
     * of one group.
     */
    readonly memberships: (query: {
      readonly asOf: Period.IsoDate
      readonly nodeIds?: ReadonlyArray<NodeId> | undefined
      readonly under?: Actor.NodePath | undefined
      readonly groupId?: GroupId | undefined
    }) => Effect.Effect<ReadonlyArray<Membership>, Errors.StorageError>
  }
>() {}
