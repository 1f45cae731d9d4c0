/**
 * Lots and expiry. Every posted credit to a wallet (a resident's or a household's) makes a lot: the
 * points it brought, what is left of them, and when they expire under the programme's policy.
 * Posted debits from a wallet consume lots oldest first — earliest expiry, then earliest credit —
 * except that a reversal first takes back the lot of the transfer it reverses. Points moving from
 * wallet to wallet (a household move) keep the earliest expiry of the lots they came from.
 *
 * Guarantees (kept by {@link apply}, called by `Posting` on every accepted batch):
 * - for every wallet, Σ lot `remaining` = `creditsPosted - debitsPosted` (as long as the wallet
 *   cannot be overdrawn, which its default flags ensure);
 * - `remaining` only ever shrinks, from `amount` towards 0;
 * - expiry is a transfer ({@link planExpiry}) from the wallet to the programme's `expired`
 *   account, never an edit of a balance, and it never expires points a hold has reserved: a wallet's
 *   available balance stays non-negative. What a hold reserved stays in its (expired) lot until the
 *   hold posts (and consumes it) or is released (and the next run expires it).
 *
 * @since 0.1.0
 */
import { Trusted } from "@sortgrid/core"
import { Schema } from "effect"
import * as Account from "./Account.js"
import * as Transfer from "./Transfer.js"

/**
 * A lot: the points one posted credit brought to a wallet. Its id is the crediting transfer's id.
 *
 * @since 0.1.0
 * @category models
 */
export class Lot extends Schema.Class<Lot>("@sortgrid/ledger/Lot")({
  id: Transfer.TransferId,
  accountId: Account.AccountId,
  ledger: Account.LedgerId,
  amount: Transfer.Amount,
  remaining: Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER)),
  /** When the credit was posted. */
  timestamp: Account.EpochMillis,
  /** The first instant at which what remains has expired; `null` when it never expires. */
  expiresAt: Schema.NullOr(Account.EpochMillis)
}) {}

/**
 * A lot from fields that already satisfy {@link Lot}'s schema — read back from the ledger's own
 * store, or made by {@link apply} — without validating or copying them again.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMakeLot = (fields: { readonly [K in keyof Lot]: Lot[K] }): Lot => Trusted.make(Lot, fields)

/**
 * A programme's lot policy.
 *
 * @since 0.1.0
 * @category models
 */
export class Policy extends Schema.Class<Policy>("@sortgrid/ledger/LotPolicy")({
  /**
   * Points credited on a local day expire at the end of the day `lifetimeDays` later (365: at the
   * end of the same date next year, give or take a leap day); `null`: never.
   */
  lifetimeDays: Schema.NullOr(Schema.Int.pipe(Schema.between(1, 36_500))),
  /** The programme's time zone, as minutes east of UTC (Beijing: 480). */
  utcOffsetMinutes: Schema.optionalWith(Schema.Int.pipe(Schema.between(-840, 840)), { default: () => 480 }),
  /** The account expired points go to; nothing expires without one. */
  expiredAccountId: Schema.NullOr(Account.AccountId)
}) {}

/**
 * The policy of a ledger that sets none: points never expire.
 *
 * @since 0.1.0
 * @category models
 */
export const neverExpires: Policy = Policy.make({ lifetimeDays: null, expiredAccountId: null })

const dayMillis = 86_400_000

/**
 * When points credited at `timestamp` expire under a policy.
 *
 * @since 0.1.0
 * @category policy
 */
export const expiresAt = (policy: Policy, timestamp: number): number | null => {
  if (policy.lifetimeDays === null) return null
  const offsetMillis = policy.utcOffsetMinutes * 60_000
  const localDay = Math.floor((timestamp + offsetMillis) / dayMillis)
  return (localDay + policy.lifetimeDays + 1) * dayMillis - offsetMillis
}

/**
 * The consumption order: earliest expiry first (never-expiring last), then earliest credit, then
 * id, so every adapter and every replay agrees.
 *
 * @since 0.1.0
 * @category ordering
 */
export const order = (a: Lot, b: Lot): number => {
  const ea = a.expiresAt ?? Number.POSITIVE_INFINITY
  const eb = b.expiresAt ?? Number.POSITIVE_INFINITY
  if (ea !== eb) return ea < eb ? -1 : 1
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The earlier of two expiries, `null` meaning never. */
const earliest = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b)

const withRemaining = (lot: Lot, remaining: number): Lot =>
  unsafeMakeLot({
    id: lot.id,
    accountId: lot.accountId,
    ledger: lot.ledger,
    amount: lot.amount,
    remaining,
    timestamp: lot.timestamp,
    expiresAt: lot.expiresAt
  })

/**
 * What {@link apply} works on: the accounts the batch touches and the open lots (those with
 * something remaining) of its wallets, by account id.
 *
 * @since 0.1.0
 * @category applying
 */
export interface LotState {
  readonly accounts: ReadonlyMap<string, Account.Account>
  readonly lots: ReadonlyMap<string, ReadonlyArray<Lot>>
}

/**
 * The lots a batch of accepted transfers (in acceptance order) makes and changes, each lot once in
 * its final state. Holds and voids change no lot: only posted movements do.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (
  state: LotState,
  transfers: ReadonlyArray<Transfer.Transfer>,
  policyOf: (ledger: Account.LedgerId) => Policy
): ReadonlyArray<Lot> => {
  const working = new Map<string, Array<Lot>>()
  const changed = new Map<string, Lot>()
  const lotsOf = (accountId: string): Array<Lot> => {
    let lots = working.get(accountId)
    if (lots === undefined) {
      lots = [...(state.lots.get(accountId) ?? [])].filter((lot) => lot.remaining > 0).sort(order)
      working.set(accountId, lots)
    }
    return lots
  }
  const isWallet = (accountId: string): boolean => {
    const account = state.accounts.get(accountId)
    return account !== undefined && Account.isWallet(account.code)
  }
  for (const transfer of transfers) {
    if (!Transfer.movesPosted(transfer)) continue
    /** The earliest expiry of the lots the debit consumed; `undefined` when it consumed none. */
    let carried: number | null | undefined
    if (isWallet(transfer.debitAccountId)) {
      const lots = lotsOf(transfer.debitAccountId)
      let left = transfer.amount
      const take = (index: number) => {
        const lot = lots[index]!
        const taken = Math.min(lot.remaining, left)
        left -= taken
        if (taken > 0) carried = carried === undefined ? lot.expiresAt : earliest(carried, lot.expiresAt)
        const next = withRemaining(lot, lot.remaining - taken)
        changed.set(next.id, next)
        if (next.remaining === 0) lots.splice(index, 1)
        else lots[index] = next
      }
      if (transfer.reversesId !== null) {
        const own = lots.findIndex((lot) => lot.id === transfer.reversesId)
        if (own >= 0) take(own)
      }
      while (left > 0 && lots.length > 0) take(0)
    }
    if (isWallet(transfer.creditAccountId)) {
      // Points moving from wallet to wallet (a household move) keep the expiry of the lots they
      // came from (the earliest, if several), so a move never extends their life.
      const fresh = expiresAt(policyOf(transfer.ledger), transfer.timestamp)
      const lot = unsafeMakeLot({
        id: transfer.id,
        accountId: transfer.creditAccountId,
        ledger: transfer.ledger,
        amount: transfer.amount,
        remaining: transfer.amount,
        timestamp: transfer.timestamp,
        expiresAt: carried === undefined ? fresh : earliest(carried, fresh)
      })
      const lots = lotsOf(transfer.creditAccountId)
      const at = lots.findIndex((other) => order(lot, other) < 0)
      lots.splice(at < 0 ? lots.length : at, 0, lot)
      changed.set(lot.id, lot)
    }
  }
  return [...changed.values()]
}

/**
 * The expiry transfers due at `now` for the wallets in `state`: for each wallet, its lots that have
 * expired (`expiresAt <= now`) with something remaining, in consumption order, each expiring what
 * remains of it — but never more, in all, than the wallet can spend now, so points reserved by a
 * hold are kept. Wallets of a ledger whose policy names no `expired` account are skipped.
 *
 * Each transfer is single-phase, from the wallet to the expired account, coded `expiry`, with
 * source reference `lot:<lot id>` and the id {@link Transfer.expiryId}. Plan it on the state loaded
 * inside the posting transaction, so it sees the lots as they are.
 *
 * @since 0.1.0
 * @category expiry
 */
export const planExpiry = (
  state: LotState,
  now: number,
  policyOf: (ledger: Account.LedgerId) => Policy
): ReadonlyArray<Transfer.TransferInput> => {
  const inputs: Array<Transfer.TransferInput> = []
  for (const [accountId, lots] of state.lots) {
    const account = state.accounts.get(accountId)
    if (account === undefined || !Account.isWallet(account.code) || account.closed) continue
    const expiredAccountId = policyOf(account.ledger).expiredAccountId
    if (expiredAccountId === null) continue
    let budget = Math.max(0, Account.available(account))
    for (const lot of [...lots].sort(order)) {
      if (budget === 0) break
      if (lot.remaining === 0 || lot.expiresAt === null || lot.expiresAt > now) continue
      const amount = Math.min(lot.remaining, budget)
      budget -= amount
      inputs.push(
        Transfer.TransferInput.make(
          {
            id: Transfer.expiryId(lot.id, lot.remaining),
            debitAccountId: account.id,
            creditAccountId: expiredAccountId,
            amount,
            ledger: account.ledger,
            code: Transfer.codes.expiry,
            sourceReference: `lot:${lot.id}`
          },
          { disableValidation: true }
        )
      )
    }
  }
  return inputs
}
