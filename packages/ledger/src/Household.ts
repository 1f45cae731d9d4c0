/**
 * Household wallets: several residents earn into one account of code `household-wallet`, and a
 * resident who moves out takes a share of its points to their own wallet.
 *
 * **Membership** is dated: a resident belongs to a household from `from` until `until` (exclusive;
 * `null` while they live there), and to at most one household at a time. {@link earningWallet}
 * says where a resident's earnings go at an instant: the household's wallet while they are a
 * member, their own otherwise.
 *
 * **Moving out** ({@link planMoveOut}) closes the membership and moves the leaver's share, by the
 * household's {@link SharePolicy}:
 * - `EqualShare` (the default): an equal part of what the household can spend now, rounded down
 *   (the odd points stay with the household); the last member leaving takes everything;
 * - `Agreed`: the points the household agreed to, at most what it can spend now;
 * - `Nothing`: the points stay with the household.
 *
 * A share by contribution is not offered: a credit to the household wallet does not record which
 * member earned it. A host that tracks contributions computes the figure and passes it as `Agreed`.
 *
 * "What the household can spend now" is its available balance (held points excluded) after
 * expiring what is due: the move starts with the household's expiry transfers (`Lots.planExpiry`),
 * so a leaver never takes points that have already expired.
 *
 * **Lots**: the move debits the household wallet, which consumes its oldest lots first (as every
 * debit does); the planner follows the same order and cuts the share into one transfer per expiry
 * date of the lots it consumes, so each transfer moves points of a single expiry. The credit makes a
 * lot in the resident's wallet that keeps the points' expiry (`Lots.apply` carries the consumed lots'
 * expiry on wallet-to-wallet transfers), so a move never extends the points' life.
 *
 * Every transfer of a move is one linked chain (expiry first, then the move), coded
 * `household-move` (expiry: `expiry`), with source reference `move:<move id>` and the id
 * {@link moveTransferId}; the membership is closed only if the chain posts
 * ({@link membershipAfter}). A retried move finds its membership closed by its own id and is
 * answered `replayed`.
 *
 * @since 0.1.0
 */
import { Id } from "@sortgrid/core"
import { Either, Schema } from "effect"
import * as Account from "./Account.js"
import { derivedId } from "./internal/derivedId.js"
import * as Lots from "./Lots.js"
import type * as Posting from "./Posting.js"
import * as Transfer from "./Transfer.js"

/**
 * A household and its wallet.
 *
 * @since 0.1.0
 * @category models
 */
export class Household extends Schema.Class<Household>("@sortgrid/ledger/Household")({
  reference: Account.Reference,
  ledger: Account.LedgerId,
  walletAccountId: Account.AccountId
}) {}

/**
 * The id of a move-out, chosen by the client: its idempotency key.
 *
 * @since 0.1.0
 * @category ids
 */
export const MoveId = Id.brand("MoveId")

/**
 * @since 0.1.0
 * @category ids
 */
export type MoveId = typeof MoveId.Type

/**
 * A resident's membership of a household, over `[from, until)`.
 *
 * @since 0.1.0
 * @category models
 */
export class Membership extends Schema.Class<Membership>("@sortgrid/ledger/HouseholdMembership")({
  householdReference: Account.Reference,
  residentReference: Account.Reference,
  from: Account.EpochMillis,
  /** When it ended (exclusive); `null` while the resident lives there. */
  until: Schema.NullOr(Account.EpochMillis),
  /** The move-out that ended it, if one did. */
  endedBy: Schema.optionalWith(Schema.NullOr(MoveId), { default: () => null })
}) {}

/**
 * Whether a membership holds at an instant.
 *
 * @since 0.1.0
 * @category memberships
 */
export const isActive = (membership: Membership, at: number): boolean =>
  membership.from <= at && (membership.until === null || at < membership.until)

/**
 * The residents of a household at an instant, in reference order.
 *
 * @since 0.1.0
 * @category memberships
 */
export const membersAt = (
  memberships: Iterable<Membership>,
  householdReference: string,
  at: number
): ReadonlyArray<string> => {
  const members = new Set<string>()
  for (const membership of memberships) {
    if (membership.householdReference === householdReference && isActive(membership, at)) {
      members.add(membership.residentReference)
    }
  }
  return [...members].sort()
}

/**
 * The membership a resident holds at an instant, if any.
 *
 * @since 0.1.0
 * @category memberships
 */
export const membershipAt = (
  memberships: Iterable<Membership>,
  residentReference: string,
  at: number
): Membership | undefined => {
  for (const membership of memberships) {
    if (membership.residentReference === residentReference && isActive(membership, at)) return membership
  }
  return undefined
}

/**
 * Where a resident's earnings go at an instant: their household's wallet while they belong to a
 * household known here, their own wallet otherwise.
 *
 * @since 0.1.0
 * @category memberships
 */
export const earningWallet = (options: {
  readonly memberships: Iterable<Membership>
  readonly households: ReadonlyMap<string, Household>
  readonly residentReference: string
  readonly residentWalletAccountId: Account.AccountId
  readonly at: number
}): Account.AccountId => {
  const membership = membershipAt(options.memberships, options.residentReference, options.at)
  const household = membership === undefined ? undefined : options.households.get(membership.householdReference)
  return household?.walletAccountId ?? options.residentWalletAccountId
}

/**
 * Why a household step was refused. See each decision for the order of precedence.
 *
 * @since 0.1.0
 * @category results
 */
export type RefusalCode =
  | "AlreadyMember"
  | "MemberOfAnotherHousehold"
  | "HouseholdNotFound"
  | "ResidentNotMember"
  | "HouseholdWalletNotFound"
  | "ReceivingAccountNotFound"
  | "ReceivingAccountMustBeResidentWallet"
  | "ReceivingAccountClosed"
  | "AccountsMustHaveTheSameLedger"

/**
 * Starts a membership at `at`. Refused with `AlreadyMember` when the resident already belongs to
 * this household then or later, `MemberOfAnotherHousehold` when to another: memberships of one
 * resident never overlap.
 *
 * @since 0.1.0
 * @category decisions
 */
export const join = (
  memberships: Iterable<Membership>,
  request: { readonly householdReference: string; readonly residentReference: string; readonly at: number }
): Either.Either<Membership, RefusalCode> => {
  for (const membership of memberships) {
    if (membership.residentReference !== request.residentReference) continue
    if (membership.until !== null && membership.until <= request.at) continue
    return Either.left(
      membership.householdReference === request.householdReference ? "AlreadyMember" : "MemberOfAnotherHousehold"
    )
  }
  return Either.right(
    Membership.make({
      householdReference: request.householdReference,
      residentReference: request.residentReference,
      from: request.at,
      until: null
    })
  )
}

/**
 * How a leaver's share of the household's points is decided (see the module documentation).
 *
 * @since 0.1.0
 * @category models
 */
export const SharePolicy = Schema.Union(
  Schema.TaggedStruct("EqualShare", {}),
  Schema.TaggedStruct("Agreed", { points: Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER)) }),
  Schema.TaggedStruct("Nothing", {})
)

/**
 * @since 0.1.0
 * @category models
 */
export type SharePolicy = typeof SharePolicy.Type

/**
 * A resident moves out of a household, taking their share to `toAccountId` (their own wallet).
 *
 * @since 0.1.0
 * @category commands
 */
export class MoveOut extends Schema.Class<MoveOut>("@sortgrid/ledger/MoveOut")({
  id: MoveId,
  householdReference: Account.Reference,
  residentReference: Account.Reference,
  toAccountId: Account.AccountId,
  policy: Schema.optionalWith(SharePolicy, { default: () => ({ _tag: "EqualShare" as const }) })
}) {}

/**
 * The leaver's share of what the household can spend, among `members` (the leaver included).
 *
 * @since 0.1.0
 * @category decisions
 */
export const share = (policy: SharePolicy, spendable: number, members: number): number => {
  const points = Math.max(0, spendable)
  switch (policy._tag) {
    case "EqualShare":
      return members <= 1 ? points : Math.floor(points / members)
    case "Agreed":
      return Math.min(policy.points, points)
    case "Nothing":
      return 0
  }
}

/**
 * The id of the `index`-th transfer of a move's chain.
 *
 * @since 0.1.0
 * @category ids
 */
export const moveTransferId = (moveId: MoveId, index: number): Transfer.TransferId => derivedId("move", [moveId, index])

/**
 * What {@link planMoveOut} decides on, loaded in the posting transaction: the accounts (the
 * household wallet and the receiving wallet) and the household wallet's open lots (`Lots.LotState`),
 * the household, and the memberships of the household and of the leaver.
 *
 * @since 0.1.0
 * @category models
 */
export interface MoveState extends Lots.LotState {
  readonly household: Household | undefined
  readonly memberships: ReadonlyArray<Membership>
}

/**
 * One transfer of the move proper: the points it moves and the expiry of the lots it consumes,
 * which the lot it makes should carry.
 *
 * @since 0.1.0
 * @category models
 */
export interface Movement {
  readonly transferId: Transfer.TransferId
  readonly amount: number
  readonly expiresAt: number | null
}

/**
 * A planned move-out: the chain to post (expiry, then movements), the share it moves, what expiry
 * takes first, and the membership as it ends. `replayed`: the move is done already (nothing to
 * post).
 *
 * @since 0.1.0
 * @category models
 */
export interface MovePlan {
  readonly replayed: boolean
  readonly share: number
  readonly expired: number
  readonly transfers: ReadonlyArray<Transfer.TransferInput>
  readonly movements: ReadonlyArray<Movement>
  readonly membership: Membership
}

/**
 * Plans a move-out at `now` (see the module documentation). Refusals, in order of precedence:
 *
 * 1. the leaver's membership was ended by this move: `replayed`;
 * 2. `HouseholdNotFound`, `ResidentNotMember` (not a member at `now`);
 * 3. `HouseholdWalletNotFound` (missing, or not a household wallet), `ReceivingAccountNotFound`,
 *    `ReceivingAccountMustBeResidentWallet`, `ReceivingAccountClosed`,
 *    `AccountsMustHaveTheSameLedger`.
 *
 * A share of 0 plans no transfer and only ends the membership.
 *
 * @since 0.1.0
 * @category decisions
 */
export const planMoveOut = (
  state: MoveState,
  request: MoveOut,
  options: { readonly now: number; readonly policyOf: (ledger: Account.LedgerId) => Lots.Policy }
): Either.Either<MovePlan, RefusalCode> => {
  const { now } = options
  const ended = state.memberships.find(
    (membership) => membership.residentReference === request.residentReference && membership.endedBy === request.id
  )
  if (ended !== undefined) {
    return Either.right({ replayed: true, share: 0, expired: 0, transfers: [], movements: [], membership: ended })
  }
  const household = state.household
  if (household === undefined || household.reference !== request.householdReference) {
    return Either.left("HouseholdNotFound")
  }
  const membership = state.memberships.find(
    (m) =>
      m.householdReference === household.reference &&
      m.residentReference === request.residentReference &&
      isActive(m, now)
  )
  if (membership === undefined) return Either.left("ResidentNotMember")
  const wallet = state.accounts.get(household.walletAccountId)
  if (wallet === undefined || wallet.code !== "household-wallet") return Either.left("HouseholdWalletNotFound")
  const receiving = state.accounts.get(request.toAccountId)
  if (receiving === undefined) return Either.left("ReceivingAccountNotFound")
  if (receiving.code !== "resident-wallet") return Either.left("ReceivingAccountMustBeResidentWallet")
  if (receiving.closed) return Either.left("ReceivingAccountClosed")
  if (receiving.ledger !== wallet.ledger) return Either.left("AccountsMustHaveTheSameLedger")

  const lots = [...(state.lots.get(wallet.id) ?? [])].filter((lot) => lot.remaining > 0).sort(Lots.order)
  const expiry = Lots.planExpiry(
    { accounts: new Map([[wallet.id, wallet]]), lots: new Map([[wallet.id, lots]]) },
    now,
    options.policyOf
  )
  const expired = expiry.reduce((sum, input) => sum + (input.amount ?? 0), 0)
  const members = membersAt(state.memberships, household.reference, now).length
  const moving = wallet.closed ? 0 : share(request.policy, Account.available(wallet) - expired, members)

  // Follow the wallet's consumption order: expiry takes the oldest units, the move the next ones,
  // cut wherever the expiry date changes.
  const movements: Array<{ amount: number; expiresAt: number | null }> = []
  let skip = expired
  let left = moving
  for (const lot of lots) {
    if (left === 0) break
    const skipped = Math.min(skip, lot.remaining)
    skip -= skipped
    const taken = Math.min(left, lot.remaining - skipped)
    if (taken === 0) continue
    left -= taken
    const last = movements.at(-1)
    if (last !== undefined && last.expiresAt === lot.expiresAt) last.amount += taken
    else movements.push({ amount: taken, expiresAt: lot.expiresAt })
  }
  const sourceReference = `move:${request.id}`
  const planned: ReadonlyArray<Movement> = movements.map((movement, index) => ({
    transferId: moveTransferId(request.id, index),
    amount: movement.amount,
    expiresAt: movement.expiresAt
  }))
  const inputs = [
    ...expiry.map((input) => ({
      id: input.id,
      debitAccountId: input.debitAccountId,
      creditAccountId: input.creditAccountId,
      amount: input.amount,
      code: input.code,
      sourceReference: input.sourceReference
    })),
    ...planned.map((movement) => ({
      id: movement.transferId,
      debitAccountId: wallet.id,
      creditAccountId: receiving.id,
      amount: movement.amount,
      code: Transfer.codes.householdMove,
      sourceReference
    }))
  ]
  // Without a movement there is nothing for the expiry to make room for: leave it to the expiry run.
  const transfers =
    planned.length === 0
      ? []
      : inputs.map((input, index) =>
          Transfer.TransferInput.make(
            {
              ...input,
              ledger: wallet.ledger,
              flags: Transfer.TransferFlags.make({ linked: index < inputs.length - 1 })
            },
            { disableValidation: true }
          )
        )
  return Either.right({
    replayed: false,
    share: moving - left,
    expired: planned.length === 0 ? 0 : expired,
    transfers,
    movements: planned,
    membership: Membership.make({ ...membership, until: now, endedBy: request.id })
  })
}

/**
 * The membership to store after posting decided a move's chain: the ended membership when every
 * transfer of the chain was accepted (or there was none), `null` when the chain was refused (then
 * nothing changes and the move may be tried again). A replayed move stores nothing new.
 *
 * @since 0.1.0
 * @category decisions
 */
export const membershipAfter = (
  plan: MovePlan,
  outcomes: ReadonlyArray<Posting.TransferOutcome>
): Membership | null => {
  if (plan.replayed) return null
  const results = new Map(outcomes.map((outcome) => [outcome.id, outcome.result]))
  return plan.transfers.every((transfer) => {
    const result = results.get(transfer.id)
    return result === "Ok" || result === "Exists"
  })
    ? plan.membership
    : null
}
