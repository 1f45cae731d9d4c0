/**
 * The points ledger service: creates accounts and transfers, runs timeouts and expiry, and answers
 * balances, statements and reconciliation — with a permission check on every call and every change
 * in the audit chain.
 *
 * Each write runs in one `Transactor` transaction: the store's load-decide-write (the rules are
 * `Account.create`, `Posting.decide` and `Lots.planExpiry`) and the batch's audit entry commit
 * together or not at all. The time is the service's `Clock`, never the client's.
 *
 * Permissions (no place in the tree: the ledger's accounts are not nodes):
 * - `ledger.accounts`: create accounts;
 * - `ledger.post`: create transfers;
 * - `ledger.expire`: run timeouts and expiry;
 * - `ledger.read`: balances, lookups, statements, lots;
 * - `ledger.reconcile`: recompute every balance and report drift.
 *
 * @since 0.1.0
 */
import { type Actor, Audit, AuditLog, Errors, Json, Permission, Transactor } from "@sortgrid/core"
import { Clock, Context, Effect, Either, Schema } from "effect"
import * as Account from "./Account.js"
import * as TransferInputFast from "./internal/transferInput.js"
import { type Cursor, LedgerStore } from "./LedgerStore.js"
import * as Lots from "./Lots.js"
import * as Posting from "./Posting.js"
import * as Replay from "./Replay.js"
import * as Transfer from "./Transfer.js"

/**
 * The permissions the ledger checks.
 *
 * @since 0.1.0
 * @category permissions
 */
export const permissions = {
  accounts: "ledger.accounts",
  post: "ledger.post",
  expire: "ledger.expire",
  read: "ledger.read",
  reconcile: "ledger.reconcile"
} as const

/**
 * The most transfers (or accounts) one call takes.
 *
 * @since 0.1.0
 * @category config
 */
export const batchMax = 8_000

/**
 * What the ledger is configured with: the lot policy of each ledger (by ledger id); a ledger with
 * none never expires points.
 *
 * @since 0.1.0
 * @category config
 */
export interface Config {
  readonly policies: ReadonlyMap<string, Lots.Policy>
}

/**
 * The configuration in force; no lot policies unless a host provides them
 * (`Layer.succeed(LedgerConfig, { policies })`).
 *
 * @since 0.1.0
 * @category config
 */
export class LedgerConfig extends Context.Reference<LedgerConfig>()("@sortgrid/ledger/LedgerConfig", {
  defaultValue: (): Config => ({ policies: new Map() })
}) {}

/**
 * An account's balances at an instant, with what it could spend then.
 *
 * @since 0.1.0
 * @category models
 */
export interface BalanceView extends Account.Balances {
  readonly accountId: Account.AccountId
  /** The instant the balances are for. */
  readonly at: number
  readonly available: number
}

/**
 * One line of a statement: a transfer seen from the account, with its readable reason.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatementLine {
  readonly transfer: Transfer.Transfer
  /** Whether the account is the transfer's debit or credit side. */
  readonly side: "debit" | "credit"
  /** `posted`, `pending` (a hold), `released` (a void). */
  readonly kind: "posted" | "pending" | "released"
  /** The transfer's reason in the statement's language. */
  readonly reason: string
  /** The opaque cursor of this line: pass it as `after` for the next page. */
  readonly cursor: string
}

/**
 * A page of a statement; `next` is the cursor of the page after it, `null` on the last page.
 *
 * @since 0.1.0
 * @category models
 */
export interface Statement {
  readonly lines: ReadonlyArray<StatementLine>
  readonly next: string | null
}

/**
 * What an expiry run did: the voids of timed-out holds and the expiry of lots.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExpiryRun {
  readonly voided: ReadonlyArray<Posting.TransferOutcome>
  readonly expired: ReadonlyArray<Posting.TransferOutcome>
}

/**
 * What a reconciliation found.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reconciliation {
  readonly accounts: number
  readonly transfers: number
  readonly drifts: ReadonlyArray<Replay.Drift>
}

/**
 * What writing can fail with; per-transfer refusals are results, not errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type WriteError = Errors.Invalid | Errors.Forbidden | Errors.StorageError

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const
const pageSize = 10_000
const runPage = 1_000

const decodeBatch = <A, I>(schema: Schema.Schema<A, I>, inputs: unknown) =>
  Effect.flatMap(
    Effect.mapError(Schema.decodeUnknown(Schema.Array(schema), decodeOptions)(inputs), (error) =>
      Errors.Invalid.fromParseError(error)
    ),
    (decoded) =>
      decoded.length > batchMax
        ? Effect.fail(Errors.Invalid.one([], `a batch takes at most ${batchMax} items, got ${decoded.length}`))
        : Effect.succeed(decoded)
  )

/** Decodes a batch of transfers: the fast path when every item takes it, else the schema. */
const decodeTransfers = (inputs: unknown) => {
  if (Array.isArray(inputs) && inputs.length <= batchMax) {
    const decoded: Array<Transfer.TransferInput> = []
    for (const input of inputs) {
      const fast = TransferInputFast.decode(input)
      if (fast === undefined) return decodeBatch(Transfer.TransferInput, inputs)
      decoded.push(fast)
    }
    return Effect.succeed<ReadonlyArray<Transfer.TransferInput>>(decoded)
  }
  return decodeBatch(Transfer.TransferInput, inputs)
}

/** Audit ids derive from what a batch created, so a retried append finds the entry it stored. */
const auditDraft = (
  actor: Actor.Actor,
  action: string,
  subject: string,
  ids: ReadonlyArray<string>
): Audit.AuditDraft =>
  // Built from values already checked (the actor's id, decoded ids): not validated again, which
  // would walk every id of the batch once more.
  Audit.AuditDraft.make(
    {
      id: Audit.AuditEntryId.make(`ledger.${action}.${Json.digest(ids)}`),
      actor: actor.id,
      action,
      subject,
      payload: { ids: [...ids], count: ids.length }
    },
    { disableValidation: true }
  )

const encodeCursor = (cursor: Cursor): string => `${cursor.timestamp}:${cursor.id}`

const decodeCursor = (text: string): Either.Either<Cursor, Errors.Invalid> => {
  const colon = text.indexOf(":")
  const timestamp = Number(text.slice(0, colon))
  const id = Schema.decodeUnknownEither(Transfer.TransferId)(text.slice(colon + 1))
  return colon > 0 && Number.isSafeInteger(timestamp) && Either.isRight(id)
    ? Either.right({ timestamp, id: id.right })
    : Either.left(Errors.Invalid.one("after", "is not a cursor this ledger gave"))
}

/**
 * The points ledger.
 *
 * @since 0.1.0
 * @category services
 */
export class Ledger extends Effect.Service<Ledger>()("@sortgrid/ledger/Ledger", {
  effect: Effect.gen(function* () {
    const store = yield* LedgerStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const config = yield* LedgerConfig
    const policyOf = (ledger: Account.LedgerId): Lots.Policy => config.policies.get(ledger) ?? Lots.neverExpires

    const allowed = (actor: Actor.Actor, permission: string) => Permission.decide(grants, actor, { permission })

    /** Posts decided inputs (or inputs planned on the loaded state) with the batch's audit entry. */
    const postBatch = (
      actor: Actor.Actor,
      request: Posting.PostingRequest,
      plan: (state: Posting.PostingState, timestamp: number) => Posting.PostingPlan
    ): Effect.Effect<ReadonlyArray<Posting.TransferOutcome>, Errors.StorageError> =>
      Effect.gen(function* () {
        const timestamp = yield* Clock.currentTimeMillis
        return yield* transactor
          .withTransaction(
            Effect.gen(function* () {
              const decided = yield* store.post(request, (state) => Either.right(plan(state, timestamp)))
              if (decided.transfers.length > 0) {
                const ids = decided.transfers.map((transfer) => transfer.id)
                yield* audit.append([auditDraft(actor, "transfers.created", decided.transfers[0]!.ledger, ids)])
              }
              return decided.outcomes
            })
          )
          .pipe(
            // The audit id derives from the batch's content, so a conflict there is a storage fault.
            Effect.catchTag("Conflict", (error) =>
              Effect.fail(new Errors.StorageError({ operation: "audit", reason: error.message }))
            )
          )
      })

    /**
     * Creates accounts (`[{ id, ledger, code, ownerReference?, flags? }]`): one outcome per request,
     * in order. Errors name `[index].field`.
     */
    const createAccounts = (
      actor: Actor.Actor,
      inputs: unknown
    ): Effect.Effect<ReadonlyArray<Account.CreateAccountOutcome>, WriteError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.accounts)
        const decoded = yield* decodeBatch(Account.AccountInput, inputs)
        if (decoded.length === 0) return []
        const timestamp = yield* Clock.currentTimeMillis
        return yield* transactor
          .withTransaction(
            Effect.gen(function* () {
              const plan = yield* store.createAccounts([...new Set(decoded.map((input) => input.id))], (stored) =>
                Either.right(Account.create(stored, decoded, timestamp))
              )
              if (plan.accounts.length > 0) {
                const ids = plan.accounts.map((account) => account.id)
                yield* audit.append([auditDraft(actor, "accounts.created", plan.accounts[0]!.ledger, ids)])
              }
              return plan.outcomes
            })
          )
          .pipe(
            Effect.catchTag("Conflict", (error) =>
              Effect.fail(new Errors.StorageError({ operation: "audit", reason: error.message }))
            )
          )
      })

    /**
     * Creates a batch of transfers (see `Transfer.TransferInput`) in one transaction: one outcome per
     * transfer, in order (see `Posting.TransferResult`). Malformed input fails the whole call with
     * `Invalid` naming `[index].field`; a refused transfer is an outcome, not an error.
     */
    const createTransfers = (
      actor: Actor.Actor,
      inputs: unknown
    ): Effect.Effect<ReadonlyArray<Posting.TransferOutcome>, WriteError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.post)
        const decoded = yield* decodeTransfers(inputs)
        if (decoded.length === 0) return []
        return yield* postBatch(actor, Posting.request(decoded), (state, timestamp) =>
          Posting.decide(state, decoded, { timestamp, policyOf })
        )
      })

    /**
     * Voids the ledger's timed-out holds, then expires the lots due, a page at a time until none
     * is left. Safe to run as often as wanted: a repeated run finds its own transfers.
     */
    const expire = (
      actor: Actor.Actor,
      ledger: Account.LedgerId
    ): Effect.Effect<ExpiryRun, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.expire)
        const now = yield* Clock.currentTimeMillis
        const voided: Array<Posting.TransferOutcome> = []
        while (true) {
          const holds = yield* store.dueHolds({ ledger, at: now, limit: runPage })
          if (holds.length === 0) break
          const inputs = holds.map((hold) =>
            Transfer.TransferInput.make({
              id: Transfer.timeoutVoidId(hold.id),
              pendingId: hold.id,
              flags: Transfer.TransferFlags.make({ voidPending: true })
            })
          )
          const outcomes = yield* postBatch(actor, Posting.request(inputs), (state, timestamp) =>
            Posting.decide(state, inputs, { timestamp, policyOf })
          )
          voided.push(...outcomes)
          // Holds a void cannot release would come back on every page: stop rather than spin.
          if (holds.length < runPage || !outcomes.some((outcome) => outcome.result === "Ok")) break
        }
        const expired: Array<Posting.TransferOutcome> = []
        const expiredAccountId = policyOf(ledger).expiredAccountId
        if (expiredAccountId !== null) {
          let after: Account.AccountId | undefined
          while (true) {
            const accountIds = yield* store.expiringAccounts({ ledger, at: now, after, limit: runPage })
            if (accountIds.length === 0) break
            // Expiry is planned on the state loaded inside the transaction, so it sees the lots as
            // they are; its ids are new by construction (a lot's remainder only shrinks).
            const outcomes = yield* postBatch(
              actor,
              { accountIds: [...accountIds, expiredAccountId], transferIds: [], referencedIds: [] },
              (state, timestamp) =>
                Posting.decide(state, Lots.planExpiry(state, now, policyOf), { timestamp, policyOf })
            )
            expired.push(...outcomes)
            if (accountIds.length < runPage) break
            after = accountIds.at(-1)
          }
        }
        return { voided, expired }
      })

    /** The accounts with these ids (those that exist), in the order asked. */
    const lookupAccounts = (
      actor: Actor.Actor,
      ids: ReadonlyArray<Account.AccountId>
    ): Effect.Effect<ReadonlyArray<Account.Account>, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const found = new Map((yield* store.accounts(ids)).map((account) => [account.id, account]))
        return ids.flatMap((id) => {
          const account = found.get(id)
          return account === undefined ? [] : [account]
        })
      })

    /** The transfers with these ids (those that exist), in the order asked. */
    const lookupTransfers = (
      actor: Actor.Actor,
      ids: ReadonlyArray<Transfer.TransferId>
    ): Effect.Effect<ReadonlyArray<Transfer.Transfer>, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const found = new Map((yield* store.transfers(ids)).map((transfer) => [transfer.id, transfer]))
        return ids.flatMap((id) => {
          const transfer = found.get(id)
          return transfer === undefined ? [] : [transfer]
        })
      })

    /**
     * An account's balances now (as stored) or as of an instant (recomputed from its transfers up to
     * and including that millisecond).
     */
    const balance = (
      actor: Actor.Actor,
      accountId: Account.AccountId,
      options: { readonly asOf?: number | undefined } = {}
    ): Effect.Effect<BalanceView, Errors.Forbidden | Errors.NotFound | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const [account] = yield* store.accounts([accountId])
        if (account === undefined) return yield* Effect.fail(new Errors.NotFound({ entity: "Account", id: accountId }))
        const now = yield* Clock.currentTimeMillis
        let balances: Account.Balances = account
        if (options.asOf !== undefined) {
          const replay = Replay.start([accountId])
          let after: Cursor | undefined
          while (true) {
            const page = yield* store.history({ accountId, after, until: options.asOf, limit: pageSize })
            for (const transfer of page) Replay.step(replay, transfer)
            const last = page.at(-1)
            if (last === undefined || page.length < pageSize) break
            after = last
          }
          balances = Replay.balancesOf(replay, accountId)
        }
        const view = {
          debitsPending: balances.debitsPending,
          debitsPosted: balances.debitsPosted,
          creditsPending: balances.creditsPending,
          creditsPosted: balances.creditsPosted
        }
        return {
          accountId,
          at: options.asOf ?? now,
          ...view,
          available: Account.available({ flags: account.flags, ...view })
        }
      })

    /** A page of an account's statement, oldest first, with reasons in Chinese or English. */
    const statement = (
      actor: Actor.Actor,
      query: {
        readonly accountId: Account.AccountId
        readonly after?: string | undefined
        readonly limit?: number | undefined
        readonly language?: "zh" | "en" | undefined
      }
    ): Effect.Effect<Statement, Errors.Forbidden | Errors.Invalid | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const limit = query.limit ?? 100
        if (!Number.isInteger(limit) || limit < 1 || limit > pageSize) {
          return yield* Errors.Invalid.one("limit", `must be an integer from 1 to ${pageSize}`)
        }
        const after = query.after === undefined ? undefined : yield* decodeCursor(query.after)
        const page = yield* store.history({ accountId: query.accountId, after, limit })
        const language = query.language ?? "zh"
        const lines = page.map(
          (transfer): StatementLine => ({
            transfer,
            side: transfer.debitAccountId === query.accountId ? "debit" : "credit",
            kind: transfer.flags.pending ? "pending" : transfer.flags.voidPending ? "released" : "posted",
            reason: Transfer.describe(transfer.code, language),
            cursor: encodeCursor(transfer)
          })
        )
        const last = lines.at(-1)
        return { lines, next: last !== undefined && lines.length === limit ? last.cursor : null }
      })

    /** The lots of an account (spent ones too), in consumption order. */
    const lots = (
      actor: Actor.Actor,
      accountId: Account.AccountId
    ): Effect.Effect<ReadonlyArray<Lots.Lot>, Errors.Forbidden | Errors.StorageError> =>
      Effect.zipRight(allowed(actor, permissions.read), store.lots([accountId]))

    /**
     * Recomputes every balance from the transfers, and every wallet's lots against its balance, and
     * reports the accounts that drifted. Reads page by page; memory grows with the accounts and the
     * holds still open, not with the transfers.
     */
    const reconcile = (actor: Actor.Actor): Effect.Effect<Reconciliation, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.reconcile)
        const replay = Replay.start()
        let transfers = 0
        let afterTransfer: Cursor | undefined
        while (true) {
          const page = yield* store.transferPage({ after: afterTransfer, limit: pageSize })
          for (const transfer of page) Replay.step(replay, transfer)
          transfers += page.length
          const last = page.at(-1)
          if (last === undefined || page.length < pageSize) break
          afterTransfer = last
        }
        const drifts: Array<Replay.Drift> = []
        let accounts = 0
        let afterAccount: Account.AccountId | undefined
        while (true) {
          const page = yield* store.accountPage({ after: afterAccount, limit: pageSize })
          const wallets = page.filter((account) => Account.isWallet(account.code)).map((account) => account.id)
          const lotsByAccount = new Map<string, Array<Lots.Lot>>()
          for (const lot of wallets.length === 0 ? [] : yield* store.lots(wallets)) {
            const list = lotsByAccount.get(lot.accountId)
            if (list === undefined) lotsByAccount.set(lot.accountId, [lot])
            else list.push(lot)
          }
          drifts.push(...Replay.drift(replay, page, (id) => lotsByAccount.get(id) ?? []))
          accounts += page.length
          const last = page.at(-1)
          if (last === undefined || page.length < pageSize) break
          afterAccount = last.id
        }
        return { accounts, transfers, drifts }
      })

    return {
      createAccounts,
      createTransfers,
      expire,
      lookupAccounts,
      lookupTransfers,
      balance,
      statement,
      lots,
      reconcile
    } as const
  })
}) {}
