/**
 * The earning programme's storage port: the counters that make caps and de-duplication keys hold
 * under concurrency, and the index of lock holds the release run reads.
 *
 * **Counters.** One row per counter key (`Earning.keys`): `used`, the points granted under a cap
 * key, and `taken`, whether a de-duplication key is spent (a cap key and a key without site may be
 * the same string: they share the row, each in its own column). Each row carries the end of the
 * period it counts, so rows of past periods can be pruned.
 *
 * **Lock order.** `lockCounters` must be called inside the earning's write transaction and before
 * `LedgerStore.post`: it locks the batch's counter rows (PostgreSQL: inserts the missing keys with
 * `ON CONFLICT DO NOTHING`, both in key order, then `SELECT … ORDER BY key FOR UPDATE`), and
 * `LedgerStore.post` then locks the accounts in id order. Every writer takes counters before
 * accounts and each kind in sorted order, so two writers never wait on each other in a cycle; two
 * batches touching one counter are serialised, so neither decides on counts the other is changing.
 * On SQLite the write transaction's `BEGIN IMMEDIATE` already serialises writers; in memory, the
 * database's single lock.
 *
 * **Earnings by place.** Each earning posting accepted is recorded with where it happened (the
 * claim's `at`), who earned it and when (`recordEarnings`, in the earning's transaction; a transfer
 * id already recorded is left as it is, so a retried claim records nothing new). `activity` reads
 * them back set-based for the ledger's data values (`LedgerValues`): one query per ledger and period,
 * grouped by place, code and resident.
 *
 * **Lock holds.** Earnings credited during a lock period are holds without timeout (`Lock`). The
 * port keeps an index of them (id, ledger, when held), so the release run reads the due ones
 * without scanning every transfer; entries are forgotten once the hold is resolved.
 *
 * @since 0.1.0
 */
import type { Actor, Errors } from "@sortgrid/core"
import { Context, type Effect } from "effect"
import type * as Account from "./Account.js"
import type * as Transfer from "./Transfer.js"

/**
 * A counter to lock: its key and the first instant after the period it counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface CounterKey {
  readonly key: string
  readonly periodEnd: number
}

/**
 * What the locked counters hold: points used per key (keys never charged are absent or 0) and the
 * de-duplication keys taken.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly used: ReadonlyMap<string, number>
  readonly taken: ReadonlySet<string>
}

/**
 * A lock hold as indexed: the hold's id, its ledger and when it was made.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockHold {
  readonly id: Transfer.TransferId
  readonly ledger: Account.LedgerId
  readonly timestamp: number
}

/**
 * One earning as recorded: the transfer that paid it, where it happened (the claim's `at`, as the
 * claim stated it), who earned it, how much and when.
 *
 * @since 0.1.0
 * @category models
 */
export interface EarningRecord {
  readonly transferId: Transfer.TransferId
  readonly ledger: Account.LedgerId
  readonly code: Transfer.TransferCode
  readonly at: Actor.NodePath
  readonly residentReference: string
  readonly householdReference: string | null
  readonly amount: number
  readonly occurredAt: number
}

/**
 * Which earnings {@link EarningStore} `activity` reads: a ledger's, that occurred in
 * `[from, until)`, recorded on or under one of the `under` paths or at a path through one of the
 * `nodes` (a node id as a segment of the recorded path). Nothing when both lists are empty.
 *
 * @since 0.1.0
 * @category models
 */
export interface ActivityQuery {
  readonly ledger: Account.LedgerId
  readonly under: ReadonlyArray<Actor.NodePath>
  readonly nodes: ReadonlyArray<string>
  readonly from: number
  readonly until: number
}

/**
 * Earnings read back, grouped by place, code and resident: the points and how many earnings.
 * Grouped by resident so a reader can count distinct residents up the tree.
 *
 * @since 0.1.0
 * @category models
 */
export interface ActivityRow {
  readonly at: Actor.NodePath
  readonly code: Transfer.TransferCode
  readonly residentReference: string
  readonly points: number
  readonly claims: number
}

/**
 * Earning storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class EarningStore extends Context.Tag("@sortgrid/ledger/EarningStore")<
  EarningStore,
  {
    /**
     * Creates the missing counters (at zero) and locks every one of them until the enclosing
     * transaction ends; returns what they hold. Call it inside the transaction, before posting.
     */
    readonly lockCounters: (keys: ReadonlyArray<CounterKey>) => Effect.Effect<Counters, Errors.StorageError>
    /** Adds to the (locked) counters: `used` points per key, and marks `taken` keys. */
    readonly addToCounters: (counted: Counters) => Effect.Effect<void, Errors.StorageError>
    /** Deletes the counters whose period ended at or before `before`; returns how many. */
    readonly pruneCounters: (before: number) => Effect.Effect<number, Errors.StorageError>
    /** Indexes lock holds (an id already indexed is left as it is). */
    readonly trackLockHolds: (holds: ReadonlyArray<LockHold>) => Effect.Effect<void, Errors.StorageError>
    /** Up to `limit` indexed lock holds of a ledger made before `before`, by time then id. */
    readonly lockHolds: (options: {
      readonly ledger: Account.LedgerId
      readonly before: number
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<LockHold>, Errors.StorageError>
    /** Drops holds from the index (once resolved). */
    readonly forgetLockHolds: (ids: ReadonlyArray<Transfer.TransferId>) => Effect.Effect<void, Errors.StorageError>
    /** Records earnings by place; a transfer id already recorded is left as it is. */
    readonly recordEarnings: (records: ReadonlyArray<EarningRecord>) => Effect.Effect<void, Errors.StorageError>
    /** The earnings a query selects, grouped by place, code and resident, in that order. */
    readonly activity: (query: ActivityQuery) => Effect.Effect<ReadonlyArray<ActivityRow>, Errors.StorageError>
  }
>() {}
