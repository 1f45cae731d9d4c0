/**
 * A synchronous book for testing the pure cores: stored accounts, transfers and lots in plain maps,
 * loaded the way `LedgerStore.post` loads them and changed the way it writes a plan.
 */
import * as Account from "../src/Account.js"
import type * as Lots from "../src/Lots.js"
import * as Posting from "../src/Posting.js"
import * as Transfer from "../src/Transfer.js"

export const ledger = Account.LedgerId.make("tongzhou")
export const otherLedger = Account.LedgerId.make("chaoyang")

export interface Book {
  readonly accounts: Map<string, Account.Account>
  readonly transfers: Map<string, Transfer.Transfer>
  readonly lots: Map<string, Map<string, Lots.Lot>>
}

export const account = (
  id: string,
  code: Account.AccountCode,
  options: { readonly ledger?: Account.LedgerId; readonly closed?: boolean; readonly flags?: Account.AccountFlags } = {}
): Account.Account =>
  Account.Account.make({
    id: Account.AccountId.make(id),
    ledger: options.ledger ?? ledger,
    code,
    ownerReference: null,
    flags: options.flags ?? Account.defaultFlags(code),
    closed: options.closed ?? false,
    ...Account.zeroBalances,
    timestamp: 0
  })

export const book = (accounts: ReadonlyArray<Account.Account>): Book => ({
  accounts: new Map(accounts.map((a) => [a.id, a])),
  transfers: new Map(),
  lots: new Map()
})

export const load = (current: Book, request: Posting.PostingRequest): Posting.PostingState => {
  const ids = new Set<string>([...request.transferIds, ...request.referencedIds])
  const transfers = new Map<string, Transfer.Transfer>()
  for (const id of ids) {
    const found = current.transfers.get(id)
    if (found !== undefined) transfers.set(id, found)
  }
  const resolutions = new Map<string, Transfer.Transfer>()
  const reversed = new Map<string, number>()
  const referenced = new Set<string>(request.referencedIds)
  for (const transfer of current.transfers.values()) {
    if (transfer.pendingId !== null && referenced.has(transfer.pendingId)) resolutions.set(transfer.pendingId, transfer)
    if (transfer.reversesId !== null && referenced.has(transfer.reversesId)) {
      reversed.set(transfer.reversesId, (reversed.get(transfer.reversesId) ?? 0) + transfer.amount)
    }
  }
  const accountIds = new Set<string>(request.accountIds)
  for (const id of referenced) {
    const transfer = current.transfers.get(id)
    if (transfer !== undefined) {
      accountIds.add(transfer.debitAccountId)
      accountIds.add(transfer.creditAccountId)
    }
  }
  const accounts = new Map<string, Account.Account>()
  const lots = new Map<string, ReadonlyArray<Lots.Lot>>()
  for (const id of accountIds) {
    const found = current.accounts.get(id)
    if (found === undefined) continue
    accounts.set(id, found)
    lots.set(
      id,
      [...(current.lots.get(id)?.values() ?? [])].filter((lot) => lot.remaining > 0)
    )
  }
  return { accounts, transfers, resolutions, reversed, lots }
}

export const write = (current: Book, plan: Posting.PostingPlan): void => {
  for (const transfer of plan.transfers) {
    if (current.transfers.has(transfer.id)) throw new Error(`transfer ${transfer.id} written twice`)
    current.transfers.set(transfer.id, transfer)
  }
  for (const account of plan.accounts) current.accounts.set(account.id, account)
  for (const lot of plan.lots) {
    const lots = current.lots.get(lot.accountId) ?? new Map<string, Lots.Lot>()
    lots.set(lot.id, lot)
    current.lots.set(lot.accountId, lots)
  }
}

/** Loads, decides and writes a batch, returning the plan. */
export const post = (
  current: Book,
  inputs: ReadonlyArray<Transfer.TransferInput>,
  timestamp: number,
  policyOf?: (ledger: Account.LedgerId) => Lots.Policy
): Posting.PostingPlan => {
  const plan = Posting.decide(load(current, Posting.request(inputs)), inputs, { timestamp, policyOf })
  write(current, plan)
  return plan
}

/** A transfer request from plain fields. */
export const input = (fields: {
  readonly id: string
  readonly debit?: string | null
  readonly credit?: string | null
  readonly amount?: number | null
  readonly pendingId?: string | null
  readonly reversesId?: string | null
  readonly ledger?: Account.LedgerId | null
  readonly code?: string | null
  readonly sourceReference?: string | null
  readonly linked?: boolean
  readonly pending?: boolean
  readonly postPending?: boolean
  readonly voidPending?: boolean
  readonly timeoutSeconds?: number
}): Transfer.TransferInput => {
  const resolves = fields.postPending === true || fields.voidPending === true
  const optional = <A>(value: A | null | undefined, fallback: A | null): A | null =>
    value === undefined ? fallback : value
  return Transfer.TransferInput.make({
    id: Transfer.TransferId.make(fields.id),
    debitAccountId: optional(fields.debit, null) === null ? null : Account.AccountId.make(fields.debit!),
    creditAccountId: optional(fields.credit, null) === null ? null : Account.AccountId.make(fields.credit!),
    amount: optional(fields.amount, resolves ? null : 1),
    pendingId: fields.pendingId == null ? null : Transfer.TransferId.make(fields.pendingId),
    reversesId: fields.reversesId == null ? null : Transfer.TransferId.make(fields.reversesId),
    ledger: optional(fields.ledger, resolves ? null : ledger),
    code: (() => {
      const code = optional(fields.code, resolves ? null : "correct-sorting")
      return code === null ? null : Transfer.TransferCode.make(code)
    })(),
    sourceReference: fields.sourceReference ?? null,
    flags: Transfer.TransferFlags.make({
      linked: fields.linked ?? false,
      pending: fields.pending ?? false,
      postPending: fields.postPending ?? false,
      voidPending: fields.voidPending ?? false
    }),
    timeoutSeconds: fields.timeoutSeconds ?? 0
  })
}

export const results = (plan: Posting.PostingPlan): ReadonlyArray<Posting.TransferResult> =>
  plan.outcomes.map((outcome) => outcome.result)

export const balances = (current: Book, id: string): Account.Balances => {
  const found = current.accounts.get(id)!
  return {
    debitsPending: found.debitsPending,
    debitsPosted: found.debitsPosted,
    creditsPending: found.creditsPending,
    creditsPosted: found.creditsPosted
  }
}
