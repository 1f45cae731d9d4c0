/**
 * Accounts of the points ledger. An account belongs to one `ledger` (one per points programme),
 * says what it is with a `code` (a resident's wallet, a merchant, the programme's budget…), and
 * carries four balances that only transfers change:
 *
 * | field            | grows by                                   | shrinks by                    |
 * |------------------|--------------------------------------------|-------------------------------|
 * | `debitsPending`  | a pending transfer debiting it              | the post or void resolving it |
 * | `debitsPosted`   | a single-phase or post-pending debit        | never                         |
 * | `creditsPending` | a pending transfer crediting it             | the post or void resolving it |
 * | `creditsPosted`  | a single-phase or post-pending credit       | never                         |
 *
 * Guarantees (kept by `Posting`, the only code that makes new balances):
 * - every balance is a non-negative safe integer, and posted balances never decrease;
 * - over all accounts of a ledger, Σ`debitsPosted` = Σ`creditsPosted` and Σ`debitsPending` =
 *   Σ`creditsPending`;
 * - with `debitsMustNotExceedCredits`, `debitsPosted + debitsPending ≤ creditsPosted` at all times,
 *   so {@link available} is never negative (a wallet cannot spend points it does not hold, even ones
 *   promised to it by a pending credit); `creditsMustNotExceedDebits` is the mirror rule;
 * - a closed account takes no new transfer except the void of a hold on it.
 *
 * The id, ledger, code, owner reference and flags never change after creation.
 *
 * @since 0.1.0
 */
import { Id, Trusted } from "@sortgrid/core"
import { Schema } from "effect"

/**
 * The id of an account, chosen by the client: it is the idempotency key of creating the account.
 *
 * @since 0.1.0
 * @category ids
 */
export const AccountId = Id.brand("AccountId")

/**
 * @since 0.1.0
 * @category ids
 */
export type AccountId = typeof AccountId.Type

/**
 * The id of a ledger: one points programme (a district's, a city's). Transfers move points only
 * between accounts of the same ledger.
 *
 * @since 0.1.0
 * @category ids
 */
export const LedgerId = Id.brand("LedgerId")

/**
 * @since 0.1.0
 * @category ids
 */
export type LedgerId = typeof LedgerId.Type

/**
 * What an account is for:
 * - `resident-wallet`, `household-wallet`: points residents earn and spend (they hold lots);
 * - `merchant`: points a merchant has taken in redemptions, until settled;
 * - `programme-budget`: the points the programme may still issue;
 * - `expired`: where expired points go (balances never collapse: expiry is a transfer);
 * - `redemption`: points taken out of circulation by a redemption settled in kind;
 * - `reserve`: the programme's source of points (funds allocations to budgets).
 *
 * @since 0.1.0
 * @category models
 */
export const AccountCode = Schema.Literal(
  "resident-wallet",
  "household-wallet",
  "merchant",
  "programme-budget",
  "expired",
  "redemption",
  "reserve"
)

/**
 * @since 0.1.0
 * @category models
 */
export type AccountCode = typeof AccountCode.Type

/**
 * Whether accounts of this code hold lots (every credit makes one; debits consume the oldest).
 *
 * @since 0.1.0
 * @category models
 */
export const isWallet = (code: AccountCode): boolean => code === "resident-wallet" || code === "household-wallet"

/**
 * An id, owner or reference kept from outside the ledger (a resident's or household's id in the
 * host's system, a merchant's id, a source document).
 *
 * @since 0.1.0
 * @category models
 */
export const Reference = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256))

/**
 * The rules an account's balances obey. At most one may be set.
 *
 * @since 0.1.0
 * @category models
 */
export class AccountFlags extends Schema.Class<AccountFlags>("@sortgrid/ledger/AccountFlags")({
  /** Refuse a debit that would make `debitsPosted + debitsPending` exceed `creditsPosted`. */
  debitsMustNotExceedCredits: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Refuse a credit that would make `creditsPosted + creditsPending` exceed `debitsPosted`. */
  creditsMustNotExceedDebits: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/**
 * The flags an account of a code gets when the request names none: wallets, merchants and
 * budgets cannot be overdrawn; the reserve, expired and redemption accounts are unbounded.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultFlags = (code: AccountCode): AccountFlags =>
  AccountFlags.make({
    debitsMustNotExceedCredits: isWallet(code) || code === "merchant" || code === "programme-budget",
    creditsMustNotExceedDebits: false
  })

/**
 * A balance: a non-negative safe integer of points.
 *
 * @since 0.1.0
 * @category models
 */
export const Balance = Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))

/**
 * An instant, in milliseconds since the Unix epoch, as the ledger's `Clock` gave it.
 *
 * @since 0.1.0
 * @category models
 */
export const EpochMillis = Schema.Int.pipe(Schema.between(0, 8_640_000_000_000_000))

/**
 * An account, as stored.
 *
 * @since 0.1.0
 * @category models
 */
export class Account extends Schema.Class<Account>("@sortgrid/ledger/Account")({
  id: AccountId,
  ledger: LedgerId,
  code: AccountCode,
  ownerReference: Schema.NullOr(Reference),
  flags: AccountFlags,
  closed: Schema.Boolean,
  debitsPending: Balance,
  debitsPosted: Balance,
  creditsPending: Balance,
  creditsPosted: Balance,
  /** When the ledger created the account. */
  timestamp: EpochMillis
}) {}

/**
 * An account from fields that already satisfy {@link Account}'s schema — read back from the
 * ledger's own store, or made by the ledger's rules — without validating or copying them again.
 * Anything from outside must go through the schema (or `new Account(…)`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake = (fields: { readonly [K in keyof Account]: Account[K] }): Account =>
  Trusted.make(Account, fields)

/**
 * A request to create an account. Without `flags`, the account gets {@link defaultFlags} of its
 * code.
 *
 * @since 0.1.0
 * @category commands
 */
export class AccountInput extends Schema.Class<AccountInput>("@sortgrid/ledger/AccountInput")({
  id: AccountId,
  ledger: LedgerId,
  code: AccountCode,
  ownerReference: Schema.optionalWith(Schema.NullOr(Reference), { default: () => null }),
  flags: Schema.optional(AccountFlags)
}) {}

/**
 * The four balances of an account, without the rest.
 *
 * @since 0.1.0
 * @category models
 */
export interface Balances {
  readonly debitsPending: number
  readonly debitsPosted: number
  readonly creditsPending: number
  readonly creditsPosted: number
}

/**
 * Balances of nothing: all zero.
 *
 * @since 0.1.0
 * @category models
 */
export const zeroBalances: Balances = { debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0 }

/**
 * What the account can spend now: for a credit-normal account (`debitsMustNotExceedCredits`, and
 * every account without flags) `creditsPosted - debitsPosted - debitsPending`; for a debit-normal
 * one (`creditsMustNotExceedDebits`) the mirror. Pending credits are not spendable until posted.
 *
 * @since 0.1.0
 * @category balances
 */
export const available = (account: { readonly flags: AccountFlags } & Balances): number =>
  account.flags.creditsMustNotExceedDebits
    ? account.debitsPosted - account.creditsPosted - account.creditsPending
    : account.creditsPosted - account.debitsPosted - account.debitsPending

/**
 * The posted balance on the account's normal side: `creditsPosted - debitsPosted`, or the mirror
 * for a `creditsMustNotExceedDebits` account.
 *
 * @since 0.1.0
 * @category balances
 */
export const postedBalance = (account: { readonly flags: AccountFlags } & Balances): number =>
  account.flags.creditsMustNotExceedDebits
    ? account.debitsPosted - account.creditsPosted
    : account.creditsPosted - account.debitsPosted

/**
 * The result of creating one account, in order of precedence (the first that applies is given):
 *
 * 1. `FlagsAreMutuallyExclusive`: both balance rules are set;
 * 2. `ExistsWithDifferentFlags`, `ExistsWithDifferentLedger`, `ExistsWithDifferentCode`,
 *    `ExistsWithDifferentOwnerReference`: the id is taken by an account that differs there;
 * 3. `Exists`: the id is taken by the same account (a retry); handled exactly like `Ok`;
 * 4. `Ok`: created.
 *
 * @since 0.1.0
 * @category results
 */
export type CreateAccountResult =
  | "Ok"
  | "Exists"
  | "FlagsAreMutuallyExclusive"
  | "ExistsWithDifferentFlags"
  | "ExistsWithDifferentLedger"
  | "ExistsWithDifferentCode"
  | "ExistsWithDifferentOwnerReference"

/**
 * Whether a result means the account is stored as asked (`Ok` or `Exists`).
 *
 * @since 0.1.0
 * @category results
 */
export const isCreated = (result: CreateAccountResult): boolean => result === "Ok" || result === "Exists"

/**
 * The outcome for one request: the result and, when created or replayed, the stored account.
 *
 * @since 0.1.0
 * @category results
 */
export interface CreateAccountOutcome {
  readonly id: AccountId
  readonly result: CreateAccountResult
  readonly account: Account | null
}

/**
 * What creating a batch of accounts writes (`accounts`, new ones only) and answers (`outcomes`, one
 * per request, in request order).
 *
 * @since 0.1.0
 * @category results
 */
export interface CreateAccountsPlan {
  readonly accounts: ReadonlyArray<Account>
  readonly outcomes: ReadonlyArray<CreateAccountOutcome>
}

const sameFlags = (a: AccountFlags, b: AccountFlags): boolean =>
  a.debitsMustNotExceedCredits === b.debitsMustNotExceedCredits &&
  a.creditsMustNotExceedDebits === b.creditsMustNotExceedDebits

const decideOne = (input: AccountInput, stored: Account | undefined): CreateAccountResult => {
  const flags = input.flags ?? defaultFlags(input.code)
  if (flags.debitsMustNotExceedCredits && flags.creditsMustNotExceedDebits) return "FlagsAreMutuallyExclusive"
  if (stored === undefined) return "Ok"
  if (!sameFlags(flags, stored.flags)) return "ExistsWithDifferentFlags"
  if (input.ledger !== stored.ledger) return "ExistsWithDifferentLedger"
  if (input.code !== stored.code) return "ExistsWithDifferentCode"
  if (input.ownerReference !== stored.ownerReference) return "ExistsWithDifferentOwnerReference"
  return "Exists"
}

/**
 * The creation rule for a batch, over the stored accounts with the batch's ids. A repeated id in
 * the batch is compared with its first occurrence, exactly as with a stored account.
 *
 * @since 0.1.0
 * @category decisions
 */
export const create = (
  stored: ReadonlyMap<string, Account>,
  inputs: ReadonlyArray<AccountInput>,
  timestamp: number
): CreateAccountsPlan => {
  const known = new Map(stored)
  const accounts: Array<Account> = []
  const outcomes: Array<CreateAccountOutcome> = []
  for (const input of inputs) {
    const existing = known.get(input.id)
    const result = decideOne(input, existing)
    if (result === "Ok") {
      const account = new Account(
        {
          id: input.id,
          ledger: input.ledger,
          code: input.code,
          ownerReference: input.ownerReference,
          flags: input.flags ?? defaultFlags(input.code),
          closed: false,
          ...zeroBalances,
          timestamp
        },
        { disableValidation: true }
      )
      known.set(account.id, account)
      accounts.push(account)
      outcomes.push({ id: input.id, result, account })
    } else {
      outcomes.push({ id: input.id, result, account: result === "Exists" ? (existing ?? null) : null })
    }
  }
  return { accounts, outcomes }
}

/**
 * An account with new balances (the rest unchanged).
 *
 * @since 0.1.0
 * @category constructors
 */
export const withBalances = (account: Account, balances: Balances): Account =>
  unsafeMake({
    id: account.id,
    ledger: account.ledger,
    code: account.code,
    ownerReference: account.ownerReference,
    flags: account.flags,
    closed: account.closed,
    debitsPending: balances.debitsPending,
    debitsPosted: balances.debitsPosted,
    creditsPending: balances.creditsPending,
    creditsPosted: balances.creditsPosted,
    timestamp: account.timestamp
  })
