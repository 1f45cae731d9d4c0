/**
 * The audit log's storage port. Adapters store and fetch; the append rule lives in
 * {@link Audit.planAppend} and reaches the adapter as a function, so every adapter applies the same
 * rule inside its own transaction:
 *
 * 1. begin a write transaction (or join the enclosing one);
 * 2. read the head and the stored entries with the batch's ids — one query each;
 * 3. call `decide` with them;
 * 4. on `Right`, insert `plan.append` as given (multi-row) and move the head to its last entry;
 *    on `Left`, write nothing and fail with it.
 *
 * @since 0.1.0
 */
import { Context, type Effect, type Either } from "effect"
import type * as Audit from "./Audit.js"
import type { StorageError } from "./Errors.js"

/**
 * The audit log's storage operations.
 *
 * @since 0.1.0
 * @category ports
 */
export class AuditStore extends Context.Tag("@sortgrid/core/AuditStore")<
  AuditStore,
  {
    /** Appends atomically what `decide` plans, given the head and the stored entries with `ids`. */
    readonly append: <E>(
      ids: ReadonlyArray<Audit.AuditEntryId>,
      decide: (state: Audit.AppendState) => Either.Either<Audit.AppendPlan, E>
    ) => Effect.Effect<ReadonlyArray<Audit.AuditEntry>, E | StorageError>
    /** The current head. */
    readonly head: Effect.Effect<Audit.AuditHead, StorageError>
    /** Up to `limit` entries from `fromPosition` on, in position order. */
    readonly read: (options: {
      readonly fromPosition: number
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<Audit.AuditEntry>, StorageError>
  }
>() {}
