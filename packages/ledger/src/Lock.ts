/**
 * The lock period: newly earned points stay pending for a number of days before they can be spent,
 * so a mistaken or fraudulent award can still be withdrawn without taking back points already
 * spent at a merchant.
 *
 * Design: while a lock policy is in force, `Earning.decide` credits earnings as **holds with no
 * timeout** (budget → wallet, `pending`, `timeoutSeconds: 0`). A pending credit is not spendable
 * (`Account.available` counts only posted credits) and makes no lot, yet it is already reserved
 * from the budget, so the budget cannot promise the same points twice. A periodic **release run**
 * asks the store for the lock holds whose lock has ended and posts them with {@link planRelease};
 * withdrawing an award during its lock is a void of its hold.
 *
 * When a lock ends: at the end of the local day `lockDays` after the day the points were earned
 * (the same calendar rule as `Lots.expiresAt`), so points are always locked for at least
 * `lockDays` full days and a daily run releases a whole day's earnings together.
 *
 * Lots: the lot is made when the hold posts, so the points' lifetime under the lot policy counts
 * from their release, not from the earning.
 *
 * Guarantees (property-tested): a hold is released only once its lock has ended, never twice in
 * one plan, and by a post whose id derives from the hold's ({@link releaseId}), so a repeated or
 * concurrent run asks for the same transfer and posting answers `Exists` or refuses it.
 *
 * @since 0.1.0
 */
import { Period } from "@sortgrid/core"
import { Schema } from "effect"
import { derivedId } from "./internal/derivedId.js"
import * as Transfer from "./Transfer.js"

/**
 * A programme's lock policy.
 *
 * @since 0.1.0
 * @category models
 */
export class Policy extends Schema.Class<Policy>("@sortgrid/ledger/LockPolicy")({
  /** Points earned on a local day are released at the end of the day `lockDays` later. */
  lockDays: Schema.Int.pipe(Schema.between(1, 365)),
  /** The programme's time zone, as minutes east of UTC (Beijing: 480). */
  utcOffsetMinutes: Schema.optionalWith(Schema.Int.pipe(Schema.between(-840, 840)), { default: () => 480 }),
  /** The earning codes whose points are locked; every code when empty. */
  codes: Schema.optionalWith(Schema.Array(Transfer.TransferCode), { default: () => [] })
}) {}

const dayMillis = 86_400_000

/**
 * Whether the policy locks points earned under a code.
 *
 * @since 0.1.0
 * @category policy
 */
export const locks = (policy: Policy, code: Transfer.TransferCode): boolean =>
  policy.codes.length === 0 || policy.codes.includes(code)

/**
 * When points held at `timestamp` are released: the end of the local day `lockDays` later.
 *
 * @since 0.1.0
 * @category policy
 */
export const releasesAt = (policy: Policy, timestamp: number): number =>
  (Period.dayOfInstant(timestamp, policy.utcOffsetMinutes) + policy.lockDays + 1) * dayMillis -
  policy.utcOffsetMinutes * 60_000

/**
 * The first instant whose holds are still locked at `now`: a hold created strictly before it is
 * due. The store's query for a release run selects holds with `timestamp < cutoff`.
 *
 * @since 0.1.0
 * @category policy
 */
export const cutoff = (policy: Policy, now: number): number =>
  (Period.dayOfInstant(now, policy.utcOffsetMinutes) - policy.lockDays) * dayMillis - policy.utcOffsetMinutes * 60_000

/**
 * Whether a transfer is a lock hold of the policy: a hold without timeout under a locked code.
 * Holds with a timeout (a redemption at the counter) are never lock holds.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLockHold = (policy: Policy, transfer: Transfer.Transfer): boolean =>
  transfer.flags.pending && transfer.timeoutSeconds === 0 && locks(policy, transfer.code)

/**
 * The id of the post that releases a lock hold, derived from the hold's id.
 *
 * @since 0.1.0
 * @category ids
 */
export const releaseId = (holdId: Transfer.TransferId): Transfer.TransferId => derivedId("release", [holdId])

/**
 * The posts that release the lock holds due at `now`: one full post per due lock hold, in the
 * order given, each hold once. `holds` are the unresolved holds the store found (a hold resolved
 * meanwhile is refused by posting, never posted twice); others, and those still locked, are
 * skipped.
 *
 * @since 0.1.0
 * @category decisions
 */
export const planRelease = (
  holds: ReadonlyArray<Transfer.Transfer>,
  now: number,
  policy: Policy
): ReadonlyArray<Transfer.TransferInput> => {
  const seen = new Set<string>()
  const inputs: Array<Transfer.TransferInput> = []
  for (const hold of holds) {
    if (seen.has(hold.id) || !isLockHold(policy, hold) || releasesAt(policy, hold.timestamp) > now) continue
    seen.add(hold.id)
    inputs.push(
      Transfer.TransferInput.make(
        {
          id: releaseId(hold.id),
          pendingId: hold.id,
          flags: Transfer.TransferFlags.make({ postPending: true })
        },
        { disableValidation: true }
      )
    )
  }
  return inputs
}
