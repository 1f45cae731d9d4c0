/**
 * The problem register's storage port. Writes follow the pattern of every port: inside a write
 * transaction, load what the command touches in a few set-based queries, call `decide`, and write
 * its plan with multi-row statements.
 *
 * - `register` loads the stored problems with the batch's ids (for idempotent replays) and the open
 *   problems on the (node, category) pairs the batch names (for de-duplication), then writes the new
 *   problems and their events.
 * - `change` is compare-and-set over a batch: it loads the named problems in one query, refuses,
 *   with the `Conflict` `Lifecycle.transition` gives, a batch naming a version other than the stored
 *   one, and writes every next version and event or none. Of two transitions decided on the same
 *   version exactly one is stored.
 *
 * Adapters store and fetch; every rule lives in `Lifecycle`.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import type { NodeId } from "@sortgrid/grid/Node"
import { Context, type Effect, type Either } from "effect"
import type { CategoryCode } from "./Category.js"
import type { ProblemEvent, Transition } from "./Lifecycle.js"
import type { Problem, ProblemId, State } from "./Problem.js"
import type { ProblemFacts } from "./Stats.js"

/**
 * A place and a category: the key open problems are de-duplicated on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pair {
  readonly nodeId: NodeId
  readonly categoryCode: CategoryCode
}

/**
 * The key of a {@link Pair} in {@link RegisterState.open}.
 *
 * @since 0.1.0
 * @category models
 */
export const pairKey = (pair: Pair): string => `${pair.nodeId}|${pair.categoryCode}`

/**
 * What a registration batch is decided on.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegisterState {
  /** The stored problems with the batch's ids, by id. */
  readonly stored: ReadonlyMap<string, Problem>
  /** The open problems on each pair the batch names, by {@link pairKey}, oldest registration first. */
  readonly open: ReadonlyMap<string, ReadonlyArray<Problem>>
}

/**
 * What a registration writes: new problems (each at version 1) and their events. A plan may carry
 * more (the service's answer to each input); the store writes these two fields only.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegisterPlan {
  readonly problems: ReadonlyArray<Problem>
  readonly events: ReadonlyArray<ProblemEvent>
}

/**
 * Which problems {@link ProblemStore} `open` returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenQuery {
  /** Only problems on these nodes; every node when absent. */
  readonly nodeIds?: ReadonlyArray<NodeId> | undefined
  /**
   * Problems on the register at some instant of `[from, to]` (registered at or before `to`, not
   * closed at or before `from`); the problems open now when absent.
   */
  readonly during?: { readonly from: number; readonly to: number } | undefined
}

/**
 * Which problems {@link ProblemStore} `list` returns: every filter given applies; a page of them in
 * registration order, after a position (exclusive) when given.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListQuery {
  /** Only problems on these nodes; every node when absent. */
  readonly nodeIds?: ReadonlyArray<NodeId> | undefined
  /** Only problems in these states; every state when absent. */
  readonly states?: ReadonlyArray<State> | undefined
  readonly categoryCodes?: ReadonlyArray<CategoryCode> | undefined
  /** Only problems registered in `[from, to]`. */
  readonly registered?: { readonly from: number; readonly to: number } | undefined
  /** Only open problems whose deadline is at or before this instant: overdue then. */
  readonly deadlineBy?: number | undefined
  /** The position after which the page starts: the last problem of the previous page. */
  readonly after?: { readonly registeredAt: number; readonly id: ProblemId } | undefined
  /** At most this many; all when absent. */
  readonly limit?: number | undefined
}

/**
 * One problem a {@link ProblemStore} `change` batch writes, and the version its command was decided on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Expected {
  readonly problemId: ProblemId
  readonly expectedVersion: number
}

/**
 * The `Conflict` a compare-and-set refuses a write with: the same one `Lifecycle.transition` gives.
 *
 * @since 0.1.0
 * @category errors
 */
export const versionConflict = (problemId: ProblemId, expected: number, current: number): Errors.Conflict =>
  new Errors.Conflict({
    entity: "Problem",
    id: problemId,
    reason: `version conflict: expected ${expected}, current ${current}`
  })

/**
 * Problem storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class ProblemStore extends Context.Tag("@sortgrid/issues/ProblemStore")<
  ProblemStore,
  {
    /** Loads the state for the ids and pairs, writes `decide`'s plan atomically, returns the plan. */
    readonly register: <P extends RegisterPlan, E>(
      request: { readonly ids: ReadonlyArray<ProblemId>; readonly pairs: ReadonlyArray<Pair> },
      decide: (state: RegisterState) => Either.Either<P, E>
    ) => Effect.Effect<P, E | Errors.StorageError>
    /**
     * Loads the problems (distinct ids), refuses the batch (`Conflict`) when one's version is not its
     * `expectedVersion` and (`NotFound`) when one does not exist, then calls `decide` with the stored
     * problems in the batch's order and writes its transitions — one next version and event per
     * problem — atomically. Returns the transitions.
     */
    readonly change: <E>(
      expected: ReadonlyArray<Expected>,
      decide: (current: ReadonlyArray<Problem>) => Either.Either<ReadonlyArray<Transition>, E>
    ) => Effect.Effect<ReadonlyArray<Transition>, E | Errors.NotFound | Errors.Conflict | Errors.StorageError>
    /** The latest versions of the problems with these ids (those that exist), in no set order. */
    readonly get: (ids: ReadonlyArray<ProblemId>) => Effect.Effect<ReadonlyArray<Problem>, Errors.StorageError>
    /** A problem's events, oldest (version 1) first; empty when it does not exist. */
    readonly events: (problemId: ProblemId) => Effect.Effect<ReadonlyArray<ProblemEvent>, Errors.StorageError>
    /** The events of several problems in one read, by problem id then version. */
    readonly eventsOf: (
      problemIds: ReadonlyArray<ProblemId>
    ) => Effect.Effect<ReadonlyArray<ProblemEvent>, Errors.StorageError>
    /** Problems matching a {@link ListQuery}, by registration time then id. */
    readonly list: (query: ListQuery) => Effect.Effect<ReadonlyArray<Problem>, Errors.StorageError>
    /** Problems on the register (see {@link OpenQuery}), by registration time then id. */
    readonly open: (query: OpenQuery) => Effect.Effect<ReadonlyArray<Problem>, Errors.StorageError>
    /**
     * What stats read of the same problems as `open`, without the rest of each problem: a store
     * answers from columns, not by decoding whole problems.
     */
    readonly facts: (query: OpenQuery) => Effect.Effect<ReadonlyArray<ProblemFacts>, Errors.StorageError>
  }
>() {}
