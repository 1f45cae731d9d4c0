/**
 * Balances recomputed from transfers alone: what an account's balances were at an instant, and
 * whether the stored balances (and lots) agree with the transfers (reconciling).
 *
 * A replay folds transfers in any order: a hold adds to the pending balances, its post or void
 * takes the whole hold back out (and a post adds what it posted). A resolution met before its hold
 * (possible when both carry the same millisecond) is kept until the hold arrives, so memory holds
 * only the holds still open, not every transfer.
 *
 * @since 0.1.0
 */
import * as Account from "./Account.js"
import type * as Lots from "./Lots.js"
import type * as Transfer from "./Transfer.js"

/**
 * An account's four balances as a replay accumulates them.
 *
 * @since 0.1.0
 * @category replaying
 */
export interface Mutable {
  debitsPending: number
  debitsPosted: number
  creditsPending: number
  creditsPosted: number
}

/**
 * A hold the replay has seen and not yet seen resolved.
 *
 * @since 0.1.0
 * @category replaying
 */
export interface Hold {
  readonly amount: number
  readonly debitAccountId: string
  readonly creditAccountId: string
}

/**
 * A replay in progress: feed it transfers with {@link step}, read it with {@link balancesOf}.
 *
 * @since 0.1.0
 * @category replaying
 */
export interface Replay {
  readonly balances: Map<string, Mutable>
  /** Holds seen and not yet resolved, by id. */
  readonly open: Map<string, Hold>
  /** Resolutions seen before their hold, by the hold's id. */
  readonly early: Map<string, Transfer.Transfer>
  /** Only these accounts are tracked; every account when `null`. */
  readonly only: ReadonlySet<string> | null
}

/**
 * Starts a replay, of every account or of some.
 *
 * @since 0.1.0
 * @category replaying
 */
export const start = (only: Iterable<string> | null = null): Replay => ({
  balances: new Map(),
  open: new Map(),
  early: new Map(),
  only: only === null ? null : new Set(only)
})

const add = (replay: Replay, accountId: string, side: keyof Mutable, amount: number): void => {
  if (replay.only !== null && !replay.only.has(accountId)) return
  let balances = replay.balances.get(accountId)
  if (balances === undefined) {
    balances = { ...Account.zeroBalances }
    replay.balances.set(accountId, balances)
  }
  balances[side] += amount
}

const release = (replay: Replay, hold: Hold): void => {
  add(replay, hold.debitAccountId, "debitsPending", -hold.amount)
  add(replay, hold.creditAccountId, "creditsPending", -hold.amount)
}

/**
 * Folds one transfer into the replay.
 *
 * @since 0.1.0
 * @category replaying
 */
export const step = (replay: Replay, transfer: Transfer.Transfer): void => {
  const { flags } = transfer
  if (flags.pending) {
    add(replay, transfer.debitAccountId, "debitsPending", transfer.amount)
    add(replay, transfer.creditAccountId, "creditsPending", transfer.amount)
    const hold = {
      amount: transfer.amount,
      debitAccountId: transfer.debitAccountId,
      creditAccountId: transfer.creditAccountId
    }
    if (replay.early.delete(transfer.id)) release(replay, hold)
    else replay.open.set(transfer.id, hold)
    return
  }
  if (flags.postPending || flags.voidPending) {
    const hold = transfer.pendingId === null ? undefined : replay.open.get(transfer.pendingId)
    if (hold !== undefined) {
      release(replay, hold)
      replay.open.delete(transfer.pendingId!)
    } else if (transfer.pendingId !== null) {
      replay.early.set(transfer.pendingId, transfer)
    }
    if (flags.voidPending) return
  }
  add(replay, transfer.debitAccountId, "debitsPosted", transfer.amount)
  add(replay, transfer.creditAccountId, "creditsPosted", transfer.amount)
}

/**
 * The balances the replay has computed for an account (zero when it saw none of its transfers).
 *
 * @since 0.1.0
 * @category replaying
 */
export const balancesOf = (replay: Replay, accountId: string): Account.Balances =>
  replay.balances.get(accountId) ?? Account.zeroBalances

/**
 * One account whose stored state disagrees with its transfers: its stored and recomputed
 * balances, and for a wallet the sum of its lots' remainders against its posted balance.
 *
 * @since 0.1.0
 * @category reconciling
 */
export interface Drift {
  readonly accountId: Account.AccountId
  readonly stored: Account.Balances
  readonly recomputed: Account.Balances
  /** For a wallet: Σ lot `remaining`, which should equal `creditsPosted - debitsPosted`. */
  readonly lotsRemaining: number | null
}

const sameBalances = (a: Account.Balances, b: Account.Balances): boolean =>
  a.debitsPending === b.debitsPending &&
  a.debitsPosted === b.debitsPosted &&
  a.creditsPending === b.creditsPending &&
  a.creditsPosted === b.creditsPosted

/**
 * Compares stored accounts with a finished replay (and, for wallets, with their lots): the
 * accounts that drifted.
 *
 * @since 0.1.0
 * @category reconciling
 */
export const drift = (
  replay: Replay,
  accounts: ReadonlyArray<Account.Account>,
  lotsOf: (accountId: string) => ReadonlyArray<Lots.Lot>
): ReadonlyArray<Drift> => {
  const drifts: Array<Drift> = []
  for (const account of accounts) {
    const recomputed = { ...balancesOf(replay, account.id) }
    const stored: Account.Balances = {
      debitsPending: account.debitsPending,
      debitsPosted: account.debitsPosted,
      creditsPending: account.creditsPending,
      creditsPosted: account.creditsPosted
    }
    const lotsRemaining = Account.isWallet(account.code)
      ? lotsOf(account.id).reduce((sum, lot) => sum + lot.remaining, 0)
      : null
    const lotsAgree = lotsRemaining === null || lotsRemaining === account.creditsPosted - account.debitsPosted
    if (!sameBalances(stored, recomputed) || !lotsAgree) {
      drifts.push({ accountId: account.id, stored, recomputed, lotsRemaining })
    }
  }
  return drifts
}
