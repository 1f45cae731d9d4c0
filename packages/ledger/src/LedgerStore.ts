/**
 * The points ledger's storage port. Writes follow one pattern: inside a write transaction (or the
 * enclosing one), load exactly what the batch touches in a few set-based reads, call `decide`, and
 * write its plan set-based — multi-row inserts, one balance update per changed account — or nothing
 * if `decide` fails. Adapters store and fetch; every rule lives in `Posting`, `Lots` and `Account`.
 *
 * Double spending is prevented by the transaction, not by the rules: two batches touching one
 * account must not both decide on the same balances. SQLite gets this from `BEGIN IMMEDIATE` (one
 * writer at a time); PostgreSQL by locking the batch's account rows (`FOR UPDATE`, in id order so
 * that two batches never wait on each other in a cycle) before reading anything else; memory from
 * its single lock.
 *
 * Reads return what is stored, in the orders stated; ids not found are left out.
 *
 * @since 0.1.0
 */
import type { Errors } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type * as Account from "./Account.js"
import type * as Lots from "./Lots.js"
import type * as Posting from "./Posting.js"
import type * as Transfer from "./Transfer.js"

/**
 * A position in the order transfers are listed in: by `timestamp`, then by `id`. A page after a
 * cursor starts with the first transfer strictly after it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cursor {
  readonly timestamp: number
  readonly id: Transfer.TransferId
}

/**
 * Compares two transfers (or cursors) in listing order.
 *
 * @since 0.1.0
 * @category models
 */
export const compareCursor = (a: Cursor, b: Cursor): number =>
  a.timestamp !== b.timestamp ? a.timestamp - b.timestamp : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/**
 * A page of one account's transfers (those debiting or crediting it), in listing order.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryQuery {
  readonly accountId: Account.AccountId
  /** Start strictly after this position; from the first transfer when absent. */
  readonly after?: Cursor | undefined
  /** Only transfers with `timestamp <= until`; every one when absent. */
  readonly until?: number | undefined
  readonly limit: number
}

/**
 * Ledger storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class LedgerStore extends Context.Tag("@sortgrid/ledger/LedgerStore")<
  LedgerStore,
  {
    /**
     * Loads the stored accounts with `ids`, writes the new accounts of `decide`'s plan (insert),
     * returns the plan.
     */
    readonly createAccounts: <P extends Account.CreateAccountsPlan, E>(
      ids: ReadonlyArray<Account.AccountId>,
      decide: (stored: ReadonlyMap<string, Account.Account>) => Either.Either<P, E>
    ) => Effect.Effect<P, E | Errors.StorageError>
    /**
     * Loads the `Posting.PostingState` of the request (the referenced transfers' accounts included,
     * and the open lots of every loaded account), writes `decide`'s plan — insert `transfers`,
     * update the balances of `accounts`, upsert `lots` — atomically, returns the plan.
     */
    readonly post: <P extends Posting.PostingPlan, E>(
      request: Posting.PostingRequest,
      decide: (state: Posting.PostingState) => Either.Either<P, E>
    ) => Effect.Effect<P, E | Errors.StorageError>
    /** The accounts with these ids. */
    readonly accounts: (
      ids: ReadonlyArray<Account.AccountId>
    ) => Effect.Effect<ReadonlyArray<Account.Account>, Errors.StorageError>
    /** Up to `limit` accounts with ids above `after`, in id order: for reconciling. */
    readonly accountPage: (options: {
      readonly after?: Account.AccountId | undefined
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<Account.Account>, Errors.StorageError>
    /** The transfers with these ids. */
    readonly transfers: (
      ids: ReadonlyArray<Transfer.TransferId>
    ) => Effect.Effect<ReadonlyArray<Transfer.Transfer>, Errors.StorageError>
    /** A page of one account's transfers (see {@link HistoryQuery}). */
    readonly history: (query: HistoryQuery) => Effect.Effect<ReadonlyArray<Transfer.Transfer>, Errors.StorageError>
    /** Up to `limit` transfers of every account after `after`, in listing order: for reconciling. */
    readonly transferPage: (options: {
      readonly after?: Cursor | undefined
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<Transfer.Transfer>, Errors.StorageError>
    /** The lots of these accounts (spent ones too), in `Lots.order`. */
    readonly lots: (
      accountIds: ReadonlyArray<Account.AccountId>
    ) => Effect.Effect<ReadonlyArray<Lots.Lot>, Errors.StorageError>
    /**
     * The ids of up to `limit` accounts of a ledger holding a lot with something remaining that
     * expires at or before `at`, in id order (ids above `after` when given).
     */
    readonly expiringAccounts: (options: {
      readonly ledger: Account.LedgerId
      /** Only ids above this one: the next page. */
      readonly after?: Account.AccountId | undefined
      readonly at: number
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<Account.AccountId>, Errors.StorageError>
    /**
     * Up to `limit` holds of a ledger with a timeout, not yet posted or voided, whose deadline
     * (`timestamp + timeoutSeconds`) is at or before `at`, by deadline then id.
     */
    readonly dueHolds: (options: {
      readonly ledger: Account.LedgerId
      readonly at: number
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<Transfer.Transfer>, Errors.StorageError>
  }
>() {}
