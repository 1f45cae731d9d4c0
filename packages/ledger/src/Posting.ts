/**
 * The posting rule: decides a whole batch of transfers in memory, over the state the batch touches,
 * and says what to write. Pure and synchronous; every adapter applies it inside one write
 * transaction (see `LedgerStore.post`), so the rules live here once.
 *
 * Transfers are decided in batch order, each on the state the ones before it left (a transfer may
 * spend what an earlier one in the batch credited, or post a hold created earlier in the batch).
 * A transfer either succeeds (`Ok`, or `Exists` for a retry) and takes effect, or fails with the
 * first result that applies, in the order of {@link TransferResult}, and changes nothing. A linked
 * chain (every transfer with `flags.linked` up to and including the first without) succeeds or
 * fails as one: when a member fails, it keeps its own result, every other member gets
 * `LinkedEventFailed`, and none takes effect.
 *
 * Idempotency: a transfer whose id is stored (or accepted earlier in the batch) with the same
 * content is `Exists` — no effect, and handled exactly like `Ok` (also inside a chain); with any
 * field different it fails with `ExistsWithDifferent…`. Fields a post or void left out are not
 * compared. A transfer that failed leaves no trace: retrying it decides it afresh.
 *
 * Invariants of the plan (property-tested): Σ debits = Σ credits for the posted and for the pending
 * balances; no flagged account beyond its limit; a hold resolved at most once; the reversals of a
 * transfer never sum above its amount; posted balances never shrink.
 *
 * @since 0.1.0
 */
import * as Account from "./Account.js"
import * as Lots from "./Lots.js"
import * as Transfer from "./Transfer.js"

/**
 * The result of one transfer. Failures, in order of precedence (the first that applies is given):
 *
 * 1. `LinkedEventFailed`: another transfer of its linked chain failed;
 * 2. `LinkedEventChainOpen`: it is the last of the batch and linked to nothing;
 * 3. `FlagsAreMutuallyExclusive`: more than one of `pending`, `postPending`, `voidPending`;
 * 4. `PendingIdRequired` (a post or void without `pendingId`), `PendingIdMustBeAbsent` (a
 *    `pendingId` on another kind), `PendingIdMustBeDifferent` (a transfer resolving itself);
 * 5. `TimeoutReservedForPendingTransfer`: a timeout on a transfer that is not a hold;
 * 6. `ReversalMustBeSinglePhase`, `ReversesIdMustBeDifferent`;
 * 7. `DebitAccountIdRequired`, `CreditAccountIdRequired`, `AmountRequired`, `LedgerRequired`,
 *    `CodeRequired` (only a post or void may leave these out);
 * 8. `AccountsMustBeDifferent`;
 * 9. `ExistsWithDifferentFlags`, `ExistsWithDifferentPendingId`, `ExistsWithDifferentTimeout`,
 *    `ExistsWithDifferentDebitAccountId`, `ExistsWithDifferentCreditAccountId`,
 *    `ExistsWithDifferentAmount`, `ExistsWithDifferentReversesId`, `ExistsWithDifferentLedger`,
 *    `ExistsWithDifferentCode`, `ExistsWithDifferentSourceReference`: the id is taken by a
 *    different transfer; then `Exists` (success: the same transfer is stored);
 * 10. for a post or void: `PendingTransferNotFound`, `PendingTransferNotPending` (it is not a hold),
 *    `PendingTransferHasDifferentDebitAccountId`, `PendingTransferHasDifferentCreditAccountId`,
 *    `PendingTransferHasDifferentLedger`, `PendingTransferHasDifferentCode`,
 *    `ExceedsPendingTransferAmount` (posting more than held), `PendingTransferHasDifferentAmount`
 *    (voiding other than all), `PendingTransferAlreadyPosted`, `PendingTransferAlreadyVoided`,
 *    `PendingTransferExpired` (timed out: voided by the timeout run, or due and not yet voided —
 *    a void of a due hold is still accepted, since it only releases it);
 * 11. `DebitAccountNotFound`, `CreditAccountNotFound`, `AccountsMustHaveTheSameLedger`,
 *    `TransferMustHaveTheSameLedgerAsAccounts`, `DebitAccountClosed`, `CreditAccountClosed` (a void
 *    is accepted on closed accounts);
 * 12. for a reversal: `ReversedTransferNotFound`, `ReversedTransferNotReversible` (a hold, a void,
 *    or itself a reversal), `ReversalMustSwapAccounts`, `ExceedsReversibleAmount`;
 * 13. `OverflowsDebits`, `OverflowsCredits` (a balance would pass `Number.MAX_SAFE_INTEGER`),
 *    `ExceedsCredits` (the debit account has `debitsMustNotExceedCredits` and
 *    `debitsPosted + debitsPending + amount > creditsPosted`), `ExceedsDebits` (the mirror).
 *
 * Successes: `Ok` (stored now) and `Exists` (stored before, same content).
 *
 * @since 0.1.0
 * @category results
 */
export type TransferResult =
  | "Ok"
  | "Exists"
  | "LinkedEventFailed"
  | "LinkedEventChainOpen"
  | "FlagsAreMutuallyExclusive"
  | "PendingIdRequired"
  | "PendingIdMustBeAbsent"
  | "PendingIdMustBeDifferent"
  | "TimeoutReservedForPendingTransfer"
  | "ReversalMustBeSinglePhase"
  | "ReversesIdMustBeDifferent"
  | "DebitAccountIdRequired"
  | "CreditAccountIdRequired"
  | "AmountRequired"
  | "LedgerRequired"
  | "CodeRequired"
  | "AccountsMustBeDifferent"
  | "ExistsWithDifferentFlags"
  | "ExistsWithDifferentPendingId"
  | "ExistsWithDifferentTimeout"
  | "ExistsWithDifferentDebitAccountId"
  | "ExistsWithDifferentCreditAccountId"
  | "ExistsWithDifferentAmount"
  | "ExistsWithDifferentReversesId"
  | "ExistsWithDifferentLedger"
  | "ExistsWithDifferentCode"
  | "ExistsWithDifferentSourceReference"
  | "PendingTransferNotFound"
  | "PendingTransferNotPending"
  | "PendingTransferHasDifferentDebitAccountId"
  | "PendingTransferHasDifferentCreditAccountId"
  | "PendingTransferHasDifferentLedger"
  | "PendingTransferHasDifferentCode"
  | "ExceedsPendingTransferAmount"
  | "PendingTransferHasDifferentAmount"
  | "PendingTransferAlreadyPosted"
  | "PendingTransferAlreadyVoided"
  | "PendingTransferExpired"
  | "DebitAccountNotFound"
  | "CreditAccountNotFound"
  | "AccountsMustHaveTheSameLedger"
  | "TransferMustHaveTheSameLedgerAsAccounts"
  | "DebitAccountClosed"
  | "CreditAccountClosed"
  | "ReversedTransferNotFound"
  | "ReversedTransferNotReversible"
  | "ReversalMustSwapAccounts"
  | "ExceedsReversibleAmount"
  | "OverflowsDebits"
  | "OverflowsCredits"
  | "ExceedsCredits"
  | "ExceedsDebits"

/**
 * Whether a result means the transfer is stored as asked (`Ok` or `Exists`).
 *
 * @since 0.1.0
 * @category results
 */
export const isSuccess = (result: TransferResult): boolean => result === "Ok" || result === "Exists"

/**
 * The outcome for one transfer: its result and, on success, the stored transfer (with the
 * ledger's timestamp and every inherited field).
 *
 * @since 0.1.0
 * @category results
 */
export interface TransferOutcome {
  readonly id: Transfer.TransferId
  readonly result: TransferResult
  readonly transfer: Transfer.Transfer | null
}

/**
 * What a batch is decided on. The store loads it in a few set-based reads:
 * - `transfers`: the stored transfers whose ids the batch uses, and those it references as
 *   `pendingId` or `reversesId`;
 * - `resolutions`: for each referenced hold, the stored post or void that resolved it;
 * - `reversed`: for each referenced transfer, the sum of the amounts of its stored reversals;
 * - `accounts`: the accounts the batch names and those of the referenced transfers;
 * - `lots`: the lots with something remaining of those accounts, by account id.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostingState extends Lots.LotState {
  readonly transfers: ReadonlyMap<string, Transfer.Transfer>
  readonly resolutions: ReadonlyMap<string, Transfer.Transfer>
  readonly reversed: ReadonlyMap<string, number>
}

/**
 * What a batch writes, and answers:
 * - `transfers`: the new transfers, in acceptance order (insert);
 * - `accounts`: every account whose balances changed, with its new balances (update);
 * - `lots`: every lot made or changed, in its final state (upsert);
 * - `outcomes`: one per input, in input order.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostingPlan {
  readonly transfers: ReadonlyArray<Transfer.Transfer>
  readonly accounts: ReadonlyArray<Account.Account>
  readonly lots: ReadonlyArray<Lots.Lot>
  readonly outcomes: ReadonlyArray<TransferOutcome>
}

/**
 * What a batch needs loaded (see {@link PostingState}): computed from the inputs alone.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostingRequest {
  readonly accountIds: ReadonlyArray<Account.AccountId>
  readonly transferIds: ReadonlyArray<Transfer.TransferId>
  readonly referencedIds: ReadonlyArray<Transfer.TransferId>
  /**
   * The accounts whose open lots the batch may consume: the debit accounts it names (besides
   * voids'), to which the store adds the debit accounts of the transfers it references. A wallet
   * only credited needs none of its lots loaded: its new lots are inserted, the old ones stay as
   * they are. When absent, the lots of every loaded account are loaded (as an expiry run needs).
   */
  readonly lotAccountIds?: ReadonlyArray<Account.AccountId> | undefined
}

/**
 * The ids a batch touches: the request to load its state with.
 *
 * @since 0.1.0
 * @category models
 */
export const request = (inputs: ReadonlyArray<Transfer.TransferInput>): PostingRequest => {
  const accountIds = new Set<Account.AccountId>()
  const transferIds = new Set<Transfer.TransferId>()
  const referencedIds = new Set<Transfer.TransferId>()
  const lotAccountIds = new Set<Account.AccountId>()
  for (const input of inputs) {
    transferIds.add(input.id)
    if (input.debitAccountId !== null) accountIds.add(input.debitAccountId)
    // A hold's debit account too: the hold may be posted later in the same batch.
    if (input.debitAccountId !== null && !input.flags.voidPending) lotAccountIds.add(input.debitAccountId)
    if (input.creditAccountId !== null) accountIds.add(input.creditAccountId)
    if (input.pendingId !== null) referencedIds.add(input.pendingId)
    if (input.reversesId !== null) referencedIds.add(input.reversesId)
  }
  return {
    accountIds: [...accountIds],
    transferIds: [...transferIds],
    referencedIds: [...referencedIds],
    lotAccountIds: [...lotAccountIds]
  }
}

/**
 * Options of {@link decide}: the ledger's time for the batch, and the lot policy of each ledger.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecideOptions {
  readonly timestamp: number
  readonly policyOf?: ((ledger: Account.LedgerId) => Lots.Policy) | undefined
}

type Failure = Exclude<TransferResult, "Ok" | "Exists">

interface Working {
  debitsPending: number
  debitsPosted: number
  creditsPending: number
  creditsPosted: number
}

const isPhase = (flags: Transfer.TransferFlags): number =>
  (flags.pending ? 1 : 0) + (flags.postPending ? 1 : 0) + (flags.voidPending ? 1 : 0)

const sameFlags = (a: Transfer.TransferFlags, b: Transfer.TransferFlags): boolean =>
  a.linked === b.linked && a.pending === b.pending && a.postPending === b.postPending && a.voidPending === b.voidPending

/** Input checks that need no state: rules 3 to 8. */
const validate = (input: Transfer.TransferInput): Failure | null => {
  const { flags } = input
  const phases = isPhase(flags)
  if (phases > 1) return "FlagsAreMutuallyExclusive"
  const resolves = flags.postPending || flags.voidPending
  if (resolves && input.pendingId === null) return "PendingIdRequired"
  if (!resolves && input.pendingId !== null) return "PendingIdMustBeAbsent"
  if (input.pendingId !== null && input.pendingId === input.id) return "PendingIdMustBeDifferent"
  if (!flags.pending && input.timeoutSeconds > 0) return "TimeoutReservedForPendingTransfer"
  if (input.reversesId !== null && phases > 0) return "ReversalMustBeSinglePhase"
  if (input.reversesId !== null && input.reversesId === input.id) return "ReversesIdMustBeDifferent"
  if (!resolves) {
    if (input.debitAccountId === null) return "DebitAccountIdRequired"
    if (input.creditAccountId === null) return "CreditAccountIdRequired"
    if (input.amount === null) return "AmountRequired"
    if (input.ledger === null) return "LedgerRequired"
    if (input.code === null) return "CodeRequired"
  }
  if (input.debitAccountId !== null && input.debitAccountId === input.creditAccountId) {
    return "AccountsMustBeDifferent"
  }
  return null
}

/** Rule 9: the request against the transfer stored under its id. Left-out fields are not compared. */
const compare = (input: Transfer.TransferInput, stored: Transfer.Transfer): Failure | "Exists" => {
  if (!sameFlags(input.flags, stored.flags)) return "ExistsWithDifferentFlags"
  if (input.pendingId !== stored.pendingId) return "ExistsWithDifferentPendingId"
  if (input.timeoutSeconds !== stored.timeoutSeconds) return "ExistsWithDifferentTimeout"
  if (input.debitAccountId !== null && input.debitAccountId !== stored.debitAccountId) {
    return "ExistsWithDifferentDebitAccountId"
  }
  if (input.creditAccountId !== null && input.creditAccountId !== stored.creditAccountId) {
    return "ExistsWithDifferentCreditAccountId"
  }
  if (input.amount !== null && input.amount !== stored.amount) return "ExistsWithDifferentAmount"
  if (input.reversesId !== stored.reversesId) return "ExistsWithDifferentReversesId"
  if (input.ledger !== null && input.ledger !== stored.ledger) return "ExistsWithDifferentLedger"
  if (input.code !== null && input.code !== stored.code) return "ExistsWithDifferentCode"
  if (input.sourceReference !== stored.sourceReference) return "ExistsWithDifferentSourceReference"
  return "Exists"
}

/**
 * Decides a batch. See the module documentation for the rules and {@link TransferResult} for the
 * results and their precedence.
 *
 * @since 0.1.0
 * @category decisions
 */
export const decide = (
  state: PostingState,
  inputs: ReadonlyArray<Transfer.TransferInput>,
  options: DecideOptions
): PostingPlan => {
  const { timestamp } = options
  const balances = new Map<string, Working>()
  const created = new Map<string, Transfer.Transfer>()
  const resolved = new Map<string, Transfer.Transfer>()
  const reversed = new Map<string, number>()
  /** Undo steps of the open chain, newest last; empty outside a chain. */
  let undo: Array<() => void> = []
  let chainStart = -1
  const outcomes: Array<TransferOutcome> = []

  const working = (account: Account.Account): Working => {
    let found = balances.get(account.id)
    if (found === undefined) {
      found = {
        debitsPending: account.debitsPending,
        debitsPosted: account.debitsPosted,
        creditsPending: account.creditsPending,
        creditsPosted: account.creditsPosted
      }
      balances.set(account.id, found)
    }
    return found
  }
  const storedTransfer = (id: string): Transfer.Transfer | undefined => created.get(id) ?? state.transfers.get(id)
  const resolutionOf = (id: string): Transfer.Transfer | undefined => resolved.get(id) ?? state.resolutions.get(id)
  const reversedOf = (id: string): number => reversed.get(id) ?? state.reversed.get(id) ?? 0

  /** Decides one transfer on the working state; on success applies it and returns the transfer. */
  const one = (input: Transfer.TransferInput): Failure | Transfer.Transfer | "Exists" => {
    const invalid = validate(input)
    if (invalid !== null) return invalid
    const existing = storedTransfer(input.id)
    if (existing !== undefined) {
      return compare(input, existing)
    }
    const { flags } = input
    const resolves = flags.postPending || flags.voidPending
    let debitAccountId = input.debitAccountId
    let creditAccountId = input.creditAccountId
    let ledger = input.ledger
    let code = input.code
    let amount = input.amount
    let pending: Transfer.Transfer | undefined
    if (resolves) {
      pending = storedTransfer(input.pendingId!)
      if (pending === undefined) return "PendingTransferNotFound"
      if (!pending.flags.pending) return "PendingTransferNotPending"
      if (debitAccountId !== null && debitAccountId !== pending.debitAccountId) {
        return "PendingTransferHasDifferentDebitAccountId"
      }
      if (creditAccountId !== null && creditAccountId !== pending.creditAccountId) {
        return "PendingTransferHasDifferentCreditAccountId"
      }
      if (ledger !== null && ledger !== pending.ledger) return "PendingTransferHasDifferentLedger"
      if (code !== null && code !== pending.code) return "PendingTransferHasDifferentCode"
      if (flags.postPending && amount !== null && amount > pending.amount) return "ExceedsPendingTransferAmount"
      if (flags.voidPending && amount !== null && amount !== pending.amount) return "PendingTransferHasDifferentAmount"
      const resolution = resolutionOf(pending.id)
      const due = Transfer.deadline(pending)
      if (resolution !== undefined) {
        if (resolution.id === Transfer.timeoutVoidId(pending.id)) return "PendingTransferExpired"
        return resolution.flags.postPending ? "PendingTransferAlreadyPosted" : "PendingTransferAlreadyVoided"
      }
      if (flags.postPending && due !== null && due <= timestamp) return "PendingTransferExpired"
      debitAccountId = pending.debitAccountId
      creditAccountId = pending.creditAccountId
      ledger = pending.ledger
      code = pending.code
      amount = flags.voidPending ? pending.amount : (amount ?? pending.amount)
    }
    const debit = state.accounts.get(debitAccountId!)
    if (debit === undefined) return "DebitAccountNotFound"
    const credit = state.accounts.get(creditAccountId!)
    if (credit === undefined) return "CreditAccountNotFound"
    if (debit.ledger !== credit.ledger) return "AccountsMustHaveTheSameLedger"
    if (ledger !== debit.ledger) return "TransferMustHaveTheSameLedgerAsAccounts"
    if (!flags.voidPending && debit.closed) return "DebitAccountClosed"
    if (!flags.voidPending && credit.closed) return "CreditAccountClosed"
    const value = amount!
    if (input.reversesId !== null) {
      const original = storedTransfer(input.reversesId)
      if (original === undefined) return "ReversedTransferNotFound"
      if (!Transfer.movesPosted(original) || original.reversesId !== null) return "ReversedTransferNotReversible"
      if (original.debitAccountId !== creditAccountId || original.creditAccountId !== debitAccountId) {
        return "ReversalMustSwapAccounts"
      }
      if (reversedOf(original.id) + value > original.amount) return "ExceedsReversibleAmount"
    }

    const d = working(debit)
    const c = working(credit)
    const next = {
      debit: { ...d },
      credit: { ...c }
    }
    if (flags.pending) {
      next.debit.debitsPending += value
      next.credit.creditsPending += value
    } else if (resolves) {
      next.debit.debitsPending -= pending!.amount
      next.credit.creditsPending -= pending!.amount
      if (flags.postPending) {
        next.debit.debitsPosted += value
        next.credit.creditsPosted += value
      }
    } else {
      next.debit.debitsPosted += value
      next.credit.creditsPosted += value
    }
    const max = Number.MAX_SAFE_INTEGER
    if (next.debit.debitsPending + next.debit.debitsPosted > max) return "OverflowsDebits"
    if (next.credit.creditsPending + next.credit.creditsPosted > max) return "OverflowsCredits"
    // Posts and voids only release: a limit the hold respected, they respect too.
    if (!resolves) {
      if (
        debit.flags.debitsMustNotExceedCredits &&
        next.debit.debitsPending + next.debit.debitsPosted > next.debit.creditsPosted
      ) {
        return "ExceedsCredits"
      }
      if (
        credit.flags.creditsMustNotExceedDebits &&
        next.credit.creditsPending + next.credit.creditsPosted > next.credit.debitsPosted
      ) {
        return "ExceedsDebits"
      }
    }

    const transfer = Transfer.unsafeMake({
      id: input.id,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amount: value,
      pendingId: input.pendingId,
      reversesId: input.reversesId,
      ledger: debit.ledger,
      code: code!,
      sourceReference: input.sourceReference,
      flags,
      timeoutSeconds: input.timeoutSeconds,
      timestamp
    })
    const before = { debit: { ...d }, credit: { ...c } }
    Object.assign(d, next.debit)
    Object.assign(c, next.credit)
    created.set(transfer.id, transfer)
    if (resolves) resolved.set(pending!.id, transfer)
    const reversesId = input.reversesId
    const reversedBefore = reversesId === null ? 0 : reversedOf(reversesId)
    if (reversesId !== null) reversed.set(reversesId, reversedBefore + value)
    if (chainStart >= 0) {
      undo.push(() => {
        Object.assign(d, before.debit)
        Object.assign(c, before.credit)
        created.delete(transfer.id)
        if (resolves) resolved.delete(pending!.id)
        if (reversesId !== null) reversed.set(reversesId, reversedBefore)
      })
    }
    return transfer
  }

  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!
    if (chainStart < 0 && input.flags.linked) chainStart = index
    const decided: Failure | Transfer.Transfer | "Exists" =
      input.flags.linked && index === inputs.length - 1 ? "LinkedEventChainOpen" : one(input)
    if (typeof decided === "string" && decided !== "Exists") {
      outcomes.push({ id: input.id, result: decided, transfer: null })
      if (chainStart >= 0) {
        // The chain fails as one: undo its members, newest first, and fail the rest of it.
        for (const step of undo.reverse()) step()
        undo = []
        for (let member = chainStart; member < index; member++) {
          outcomes[member] = { id: inputs[member]!.id, result: "LinkedEventFailed", transfer: null }
        }
        let last = index
        while (inputs[last]!.flags.linked && last + 1 < inputs.length) {
          last += 1
          outcomes.push({ id: inputs[last]!.id, result: "LinkedEventFailed", transfer: null })
        }
        // A chain left open by the end of the batch marks its last member as the cause.
        if (last === inputs.length - 1 && inputs[last]!.flags.linked && last !== index) {
          outcomes[last] = { id: inputs[last]!.id, result: "LinkedEventChainOpen", transfer: null }
        }
        index = last
        chainStart = -1
      }
      continue
    }
    const transfer = decided === "Exists" ? storedTransfer(input.id)! : decided
    outcomes.push({ id: input.id, result: decided === "Exists" ? "Exists" : "Ok", transfer })
    if (chainStart >= 0 && !input.flags.linked) {
      undo = []
      chainStart = -1
    }
  }

  const transfers = [...created.values()]
  const accounts: Array<Account.Account> = []
  for (const [id, next] of balances) {
    const account = state.accounts.get(id)!
    if (
      next.debitsPending !== account.debitsPending ||
      next.debitsPosted !== account.debitsPosted ||
      next.creditsPending !== account.creditsPending ||
      next.creditsPosted !== account.creditsPosted
    ) {
      accounts.push(Account.withBalances(account, next))
    }
  }
  const lots = Lots.apply(state, transfers, options.policyOf ?? (() => Lots.neverExpires))
  return { transfers, accounts, lots, outcomes }
}
