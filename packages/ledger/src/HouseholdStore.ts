/**
 * The household service's storage port: households (each with its wallet) and dated memberships.
 *
 * **Serialising.** `lock` serialises household writers for the rest of the enclosing transaction
 * (PostgreSQL: a transaction-scoped advisory lock per schema; SQLite: the write transaction's
 * `BEGIN IMMEDIATE` already does; memory: the database's single lock). Joins and moves are rare
 * next to earnings, and a resident's memberships span households, so one lock is simpler and as
 * safe as row locks: no resident can join two households at once, and a move and a join of the
 * same household cannot interleave. Call it inside the write transaction and before
 * `LedgerStore.post`, which then locks accounts: the lock comes before any account, so there is no
 * cycle with other writers.
 *
 * @since 0.1.0
 */
import type { Errors } from "@sortgrid/core"
import { Context, type Effect } from "effect"
import type * as Household from "./Household.js"

/**
 * Household storage. Reads return what is stored; references not found are left out.
 *
 * @since 0.1.0
 * @category ports
 */
export class HouseholdStore extends Context.Tag("@sortgrid/ledger/HouseholdStore")<
  HouseholdStore,
  {
    /** Serialises household writers until the enclosing transaction ends. */
    readonly lock: Effect.Effect<void, Errors.StorageError>
    /** The households with these references. */
    readonly households: (
      references: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyArray<Household.Household>, Errors.StorageError>
    /** Inserts households. */
    readonly addHouseholds: (households: ReadonlyArray<Household.Household>) => Effect.Effect<void, Errors.StorageError>
    /** The memberships of these households and of these residents (each once), by `from`. */
    readonly memberships: (options: {
      readonly householdReferences: ReadonlyArray<string>
      readonly residentReferences: ReadonlyArray<string>
    }) => Effect.Effect<ReadonlyArray<Household.Membership>, Errors.StorageError>
    /** Inserts memberships, or replaces those with the same resident and `from`. */
    readonly putMemberships: (
      memberships: ReadonlyArray<Household.Membership>
    ) => Effect.Effect<void, Errors.StorageError>
  }
>() {}
