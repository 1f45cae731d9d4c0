/**
 * The points ledger conformance suite: the ledger's guarantees, checked through the `Ledger` service
 * over a store, with what the store holds read back through the port and recomputed independently.
 *
 * Invariants checked after every scenario ({@link invariants}):
 * - over each ledger, Σ`debitsPosted` = Σ`creditsPosted` and Σ`debitsPending` = Σ`creditsPending`;
 * - no account with `debitsMustNotExceedCredits` (or the mirror) is beyond its limit;
 * - the stored balances equal the balances replayed from the stored transfers, every wallet's lots
 *   add up to its posted balance, and the service's `reconcile` finds no drift;
 * - a hold is resolved by at most one stored transfer.
 *
 * Scenarios: creating accounts and transfers idempotently, bad input and permissions, balances and
 * statements, timeouts and expiry, reconciling a tampered balance, retries answering the first
 * result, the same id with changed content refused, linked chains failing as one, a large batch,
 * concurrent redemptions from one wallet, concurrent posts of one hold, and two batches racing on
 * one new id. Then {@link model}: a model-based test (fast-check commands: earn, redeem, hold,
 * post, void, reverse, wait, expire, retry, check) against a simple model of the wallets.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, type AuditStore, Permission, type Transactor } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import { Ledger, LedgerConfig } from "@sortgrid/ledger/Ledger"
import { type Cursor, compareCursor, LedgerStore } from "@sortgrid/ledger/LedgerStore"
import * as Lots from "@sortgrid/ledger/Lots"
import type * as Posting from "@sortgrid/ledger/Posting"
import * as Replay from "@sortgrid/ledger/Replay"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, Either, Layer, ManagedRuntime, TestClock, TestContext } from "effect"
import fc from "fast-check"

/**
 * The ports a ledger store provides.
 *
 * @since 0.1.0
 * @category layers
 */
export type Store = LedgerStore | AuditStore.AuditStore | Transactor.Transactor

/**
 * The grants the suite runs under: an operator runs the programme, a cashier posts redemptions,
 * a viewer reads.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "programme-operator": ["ledger.*", "audit.*"],
  cashier: ["ledger.post", "ledger.read"],
  viewer: ["ledger.read"]
}

const actor = (id: string, role: string) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: [Actor.root] })
const admin = actor("operator", "programme-operator")
const cashier = actor("cashier", "cashier")
const viewer = actor("viewer", "viewer")

const ledgerId = Account.LedgerId.make("tongzhou")
const day = 86_400_000
/** 1 June 2023, 10:00 Beijing time. */
const t0 = Date.UTC(2023, 5, 1, 2)
const policy = Lots.Policy.make({ lifetimeDays: 30, expiredAccountId: Account.AccountId.make("expired") })

/**
 * The service stack over a store: the ledger (with a 30-day lot policy on `tongzhou`), the audit
 * log, and the suite's grants.
 *
 * @since 0.1.0
 * @category layers
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Ledger.Default.pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provideMerge(store),
    Layer.provideMerge(Permission.layer(grants)),
    Layer.provideMerge(Layer.succeed(LedgerConfig, { policies: new Map([[ledgerId, policy]]) }))
  )

const accounts = [
  { id: "reserve", ledger: "tongzhou", code: "reserve" },
  { id: "budget", ledger: "tongzhou", code: "programme-budget" },
  { id: "w1", ledger: "tongzhou", code: "resident-wallet", ownerReference: "resident-1" },
  { id: "w2", ledger: "tongzhou", code: "resident-wallet", ownerReference: "resident-2" },
  { id: "w3", ledger: "tongzhou", code: "household-wallet", ownerReference: "household-1" },
  { id: "m1", ledger: "tongzhou", code: "merchant" },
  { id: "expired", ledger: "tongzhou", code: "expired" }
]

/** The accounts, and a million points from the reserve to the budget, at `t0`. */
const setUp = Effect.gen(function* () {
  yield* TestClock.setTime(t0)
  const ledger = yield* Ledger
  yield* ledger.createAccounts(admin, accounts)
  yield* ledger.createTransfers(admin, [
    {
      id: "fund",
      debitAccountId: "reserve",
      creditAccountId: "budget",
      amount: 1_000_000,
      ledger: "tongzhou",
      code: "fund-allocation"
    }
  ])
  return ledger
})

const earn = (id: string, wallet: string, amount: number) => ({
  id,
  debitAccountId: "budget",
  creditAccountId: wallet,
  amount,
  ledger: "tongzhou",
  code: "correct-sorting"
})

const redeem = (id: string, wallet: string, amount: number, flags: Record<string, boolean> = {}) => ({
  id,
  debitAccountId: wallet,
  creditAccountId: "m1",
  amount,
  ledger: "tongzhou",
  code: "redemption",
  flags
})

const results = (outcomes: ReadonlyArray<Posting.TransferOutcome>) => outcomes.map((outcome) => outcome.result)

const pageSize = 500

/** Every stored account and transfer, read page by page through the port. */
const everything = Effect.gen(function* () {
  const store = yield* LedgerStore
  const accounts: Array<Account.Account> = []
  let afterAccount: Account.AccountId | undefined
  while (true) {
    const page = yield* store.accountPage({ after: afterAccount, limit: pageSize })
    accounts.push(...page)
    if (page.length < pageSize) break
    afterAccount = page.at(-1)!.id
  }
  const transfers: Array<Transfer.Transfer> = []
  let afterTransfer: Cursor | undefined
  while (true) {
    const page = yield* store.transferPage({ after: afterTransfer, limit: pageSize })
    transfers.push(...page)
    if (page.length < pageSize) break
    afterTransfer = page.at(-1)
  }
  return { accounts, transfers }
})

const balancesOf = (account: Account.Balances): Account.Balances => ({
  debitsPending: account.debitsPending,
  debitsPosted: account.debitsPosted,
  creditsPending: account.creditsPending,
  creditsPosted: account.creditsPosted
})

/**
 * Checks the ledger's invariants on what the store holds (see the module documentation), and
 * returns how many accounts and transfers it holds.
 *
 * @since 0.1.0
 * @category checks
 */
export const invariants: Effect.Effect<
  { readonly accounts: number; readonly transfers: number },
  unknown,
  LedgerStore | Ledger
> = Effect.gen(function* () {
  const store = yield* LedgerStore
  const { accounts, transfers } = yield* everything
  // Listed in order, each transfer once.
  for (let i = 1; i < transfers.length; i++) {
    expect(compareCursor(transfers[i - 1]!, transfers[i]!)).toBeLessThan(0)
  }
  const sums = new Map<
    string,
    { debitsPosted: number; creditsPosted: number; debitsPending: number; creditsPending: number }
  >()
  for (const account of accounts) {
    const sum = sums.get(account.ledger) ?? { debitsPosted: 0, creditsPosted: 0, debitsPending: 0, creditsPending: 0 }
    sum.debitsPosted += account.debitsPosted
    sum.creditsPosted += account.creditsPosted
    sum.debitsPending += account.debitsPending
    sum.creditsPending += account.creditsPending
    sums.set(account.ledger, sum)
    if (account.flags.debitsMustNotExceedCredits) {
      expect(account.debitsPosted + account.debitsPending, `${account.id} beyond its credits`).toBeLessThanOrEqual(
        account.creditsPosted
      )
    }
    if (account.flags.creditsMustNotExceedDebits) {
      expect(account.creditsPosted + account.creditsPending, `${account.id} beyond its debits`).toBeLessThanOrEqual(
        account.debitsPosted
      )
    }
  }
  for (const [ledger, sum] of sums) {
    expect(sum.debitsPosted, `posted sums of ${ledger}`).toBe(sum.creditsPosted)
    expect(sum.debitsPending, `pending sums of ${ledger}`).toBe(sum.creditsPending)
  }
  const resolvedBy = new Map<string, string>()
  for (const transfer of transfers) {
    if (transfer.pendingId === null) continue
    expect(resolvedBy.get(transfer.pendingId), `hold ${transfer.pendingId} resolved twice`).toBeUndefined()
    resolvedBy.set(transfer.pendingId, transfer.id)
  }
  const replay = Replay.start()
  for (const transfer of transfers) Replay.step(replay, transfer)
  for (const account of accounts) {
    expect(balancesOf(account), `balances of ${account.id}`).toEqual(Replay.balancesOf(replay, account.id))
  }
  const wallets = accounts.filter((account) => Account.isWallet(account.code))
  const remaining = new Map<string, number>()
  for (const lot of wallets.length === 0 ? [] : yield* store.lots(wallets.map((account) => account.id))) {
    remaining.set(lot.accountId, (remaining.get(lot.accountId) ?? 0) + lot.remaining)
  }
  for (const wallet of wallets) {
    expect(remaining.get(wallet.id) ?? 0, `lots of ${wallet.id}`).toBe(wallet.creditsPosted - wallet.debitsPosted)
  }
  const reconciliation = yield* Effect.flatMap(Ledger, (ledger) => ledger.reconcile(admin))
  expect(reconciliation).toEqual({ accounts: accounts.length, transfers: transfers.length, drifts: [] })
  return { accounts: accounts.length, transfers: transfers.length }
})

/**
 * Registers the suite under `name`, with the model-based test at `LEDGER_MODEL_RUNS` runs (50
 * unless set). The layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (
    title: string,
    body: () => Effect.Effect<void, unknown, Ledger | AuditLog.AuditLog | LedgerStore>,
    timeout?: number
  ) => it.effect(title, () => Effect.provide(body(), fresh), timeout)

  describe(`${name}: ledger conformance`, () => {
    test("creates accounts with default flags, idempotently", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const again = yield* ledger.createAccounts(admin, [accounts[2], { ...accounts[3], code: "merchant" }])
        expect(again.map((outcome) => outcome.result)).toEqual(["Exists", "ExistsWithDifferentCode"])
        const [w1] = yield* ledger.lookupAccounts(viewer, [Account.AccountId.make("w1")])
        expect(w1).toMatchObject({ ownerReference: "resident-1", timestamp: t0, closed: false })
        expect(w1?.flags).toMatchObject({ debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false })
        const [reserve] = yield* (yield* LedgerStore).accounts([Account.AccountId.make("reserve")])
        expect(reserve?.flags).toMatchObject({ debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false })
        expect(reserve).toMatchObject({ debitsPosted: 1_000_000, creditsPosted: 0 })
        yield* invariants
      }))

    test("refuses bad input with the field's path, and actors without the permission", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const bad = yield* Effect.either(ledger.createTransfers(admin, [earn("e1", "w1", 5), earn("e2", "w1", -1)]))
        expect(Either.isLeft(bad) && bad.left._tag === "Invalid" && bad.left.issues[0]?.path).toEqual([1, "amount"])
        const extra = yield* Effect.either(ledger.createTransfers(admin, [{ ...earn("e1", "w1", 5), colour: "red" }]))
        expect(Either.isLeft(extra) && extra.left._tag).toBe("Invalid")
        const forbidden = yield* Effect.either(ledger.createTransfers(viewer, [earn("e1", "w1", 5)]))
        expect(Either.isLeft(forbidden) && forbidden.left._tag).toBe("Forbidden")
        const accountsForbidden = yield* Effect.either(ledger.createAccounts(cashier, [accounts[0]]))
        expect(Either.isLeft(accountsForbidden) && accountsForbidden.left._tag).toBe("Forbidden")
        expect(yield* (yield* LedgerStore).transfers([Transfer.TransferId.make("e1")])).toEqual([])
        yield* invariants
      }))

    test("creates transfers in one batch, one outcome each, with one audit entry per batch that wrote", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const log = yield* AuditLog.AuditLog
        const before = (yield* log.read(admin)).length
        yield* TestClock.adjust(1000)
        const outcomes = yield* ledger.createTransfers(cashier, [earn("e1", "w1", 10), redeem("r1", "w1", 11)])
        expect(results(outcomes)).toEqual(["Ok", "ExceedsCredits"])
        expect(outcomes[0]?.transfer?.timestamp).toBe(t0 + 1000)
        const refused = yield* ledger.createTransfers(cashier, [redeem("r1", "w1", 11)])
        expect(results(refused)).toEqual(["ExceedsCredits"])
        const entries = yield* log.read(admin)
        expect(entries.length).toBe(before + 1)
        expect(entries.at(-1)).toMatchObject({
          action: "transfers.created",
          actor: "cashier",
          payload: { ids: ["e1"] }
        })
        expect((yield* log.verify(admin))._tag).toBe("Intact")
        yield* invariants
      }))

    test("answers balances now and as of an instant, and statements page by page in either language", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const w1 = Account.AccountId.make("w1")
        for (let n = 1; n <= 5; n++) {
          yield* TestClock.adjust(day)
          yield* ledger.createTransfers(cashier, [earn(`e${n}`, "w1", n)])
        }
        yield* ledger.createTransfers(cashier, [redeem("h", "w1", 4, { pending: true })])
        const now = yield* ledger.balance(viewer, w1)
        expect(now).toMatchObject({ creditsPosted: 15, debitsPending: 4, available: 11 })
        const then = yield* ledger.balance(viewer, w1, { asOf: t0 + 3 * day })
        expect(then).toMatchObject({ creditsPosted: 6, debitsPending: 0, available: 6 })
        const first = yield* ledger.statement(viewer, { accountId: w1, limit: 4, language: "en" })
        expect(first.lines.map((line) => [line.transfer.id, line.side, line.reason])).toEqual([
          ["e1", "credit", "Correct sorting"],
          ["e2", "credit", "Correct sorting"],
          ["e3", "credit", "Correct sorting"],
          ["e4", "credit", "Correct sorting"]
        ])
        const second = yield* ledger.statement(viewer, { accountId: w1, limit: 4, after: first.next!, language: "zh" })
        expect(second.lines.map((line) => [line.transfer.id, line.side, line.kind, line.reason])).toEqual([
          ["e5", "credit", "posted", "正确分类投放"],
          ["h", "debit", "pending", "积分兑换"]
        ])
        expect(second.next).toBeNull()
        const bad = yield* Effect.either(ledger.statement(viewer, { accountId: w1, after: "nonsense" }))
        expect(Either.isLeft(bad) && bad.left._tag).toBe("Invalid")
        const missing = yield* Effect.either(ledger.balance(viewer, Account.AccountId.make("nobody")))
        expect(Either.isLeft(missing) && missing.left._tag).toBe("NotFound")
        yield* invariants
      }))

    test("pages history through transfers made in the same millisecond, in id order, without gaps", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const ids = ["e07", "e03", "e11", "e01", "e05", "e09", "e02"]
        yield* ledger.createTransfers(
          cashier,
          ids.map((id) => earn(id, "w2", 1))
        )
        yield* ledger.createTransfers(cashier, [redeem("r1", "w2", 2)])
        const seen: Array<string> = []
        let after: string | undefined
        for (let page = 0; page < 10; page++) {
          const statement = yield* ledger.statement(viewer, {
            accountId: Account.AccountId.make("w2"),
            limit: 3,
            after
          })
          seen.push(...statement.lines.map((line) => line.transfer.id))
          if (statement.next === null) break
          after = statement.next
        }
        expect(seen).toEqual([...[...ids].sort(), "r1"])
        const store = yield* LedgerStore
        const until = yield* store.history({ accountId: Account.AccountId.make("w2"), until: t0 - 1, limit: 10 })
        expect(until).toEqual([])
      }))

    test("voids timed-out holds and expires lots in one run, and a repeated run does nothing", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        yield* ledger.createTransfers(cashier, [
          earn("old", "w1", 10),
          { ...redeem("h", "w1", 6, { pending: true }), timeoutSeconds: 600 },
          // A hold without a timeout is never voided by the run.
          { ...redeem("h2", "w2", 1, { pending: true }), debitAccountId: "budget" }
        ])
        yield* TestClock.adjust(31 * day)
        const run = yield* ledger.expire(admin, ledgerId)
        expect(run.voided.map((outcome) => [outcome.id, outcome.result])).toEqual([["timeout.h", "Ok"]])
        expect(run.expired.map((outcome) => [outcome.transfer?.amount, outcome.result])).toEqual([[10, "Ok"]])
        const late = yield* ledger.createTransfers(cashier, [{ id: "p", pendingId: "h", flags: { postPending: true } }])
        expect(late[0]?.result).toBe("PendingTransferExpired")
        expect(yield* ledger.expire(admin, ledgerId)).toEqual({ voided: [], expired: [] })
        expect(yield* ledger.balance(viewer, Account.AccountId.make("expired"))).toMatchObject({ creditsPosted: 10 })
        const lots = yield* ledger.lots(viewer, Account.AccountId.make("w1"))
        expect(lots.map((lot) => [lot.id, lot.remaining, lot.expiresAt])).toEqual([
          ["old", 0, Lots.expiresAt(policy, t0)]
        ])
        yield* invariants
      }))

    test("reconciles: recomputes balances from transfers and reports an account that drifted", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        yield* ledger.createTransfers(cashier, [earn("e1", "w1", 10), earn("e2", "w2", 7)])
        const clean = yield* ledger.reconcile(admin)
        expect(clean).toMatchObject({ accounts: accounts.length, transfers: 3, drifts: [] })
        // Tamper with a stored balance behind the ledger's back.
        const store = yield* LedgerStore
        const [w2] = yield* store.accounts([Account.AccountId.make("w2")])
        yield* store.post({ accountIds: [], transferIds: [], referencedIds: [] }, () =>
          Either.right({
            transfers: [],
            accounts: [Account.withBalances(w2!, { ...balancesOf(w2!), creditsPosted: 70 })],
            lots: [],
            outcomes: []
          })
        )
        const drifted = yield* ledger.reconcile(admin)
        expect(drifted.drifts).toEqual([
          {
            accountId: "w2",
            stored: { debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 70 },
            recomputed: { debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 7 },
            lotsRemaining: 7
          }
        ])
        const forbidden = yield* Effect.either(ledger.reconcile(cashier))
        expect(Either.isLeft(forbidden) && forbidden.left._tag).toBe("Forbidden")
      }))

    test("a retried batch answers the first result, however much later, and writes nothing", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const batch = [
          earn("e1", "w1", 30),
          redeem("r1", "w1", 5),
          redeem("h1", "w1", 8, { pending: true }),
          { id: "p1", pendingId: "h1", flags: { postPending: true }, amount: 3 },
          {
            id: "x1",
            debitAccountId: "w1",
            creditAccountId: "budget",
            amount: 2,
            ledger: "tongzhou",
            code: "reversal",
            reversesId: "e1"
          }
        ]
        const first = yield* ledger.createTransfers(cashier, batch)
        expect(results(first)).toEqual(["Ok", "Ok", "Ok", "Ok", "Ok"])
        const counted = yield* invariants
        yield* TestClock.adjust(7 * day)
        const again = yield* ledger.createTransfers(cashier, batch)
        expect(results(again)).toEqual(["Exists", "Exists", "Exists", "Exists", "Exists"])
        expect(again.map((outcome) => outcome.transfer)).toEqual(first.map((outcome) => outcome.transfer))
        // A post may leave out what it inherits; its retry with them spelt out is the same transfer.
        const spelt = yield* ledger.createTransfers(cashier, [
          { ...batch[3], debitAccountId: "w1", creditAccountId: "m1", ledger: "tongzhou", code: "redemption" }
        ])
        expect(results(spelt)).toEqual(["Exists"])
        expect(yield* invariants).toEqual(counted)
        const stored = yield* (yield* LedgerStore).transfers(batch.map((input) => Transfer.TransferId.make(input.id)))
        const byId = (a: Transfer.Transfer | null, b: Transfer.Transfer | null) =>
          (a?.id ?? "") < (b?.id ?? "") ? -1 : 1
        expect([...stored].sort(byId)).toEqual(first.map((outcome) => outcome.transfer).sort(byId))
      }))

    test("the same id with changed content is refused, naming what differs, and the stored transfer stays", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const [first] = yield* ledger.createTransfers(cashier, [
          { ...earn("e1", "w1", 10), sourceReference: "check-in:1" }
        ])
        const original = { ...earn("e1", "w1", 10), sourceReference: "check-in:1" }
        const changed = yield* ledger.createTransfers(cashier, [
          { ...original, amount: 11 },
          { ...original, creditAccountId: "w2" },
          { ...original, debitAccountId: "reserve" },
          { ...original, code: "event" },
          { ...original, sourceReference: "check-in:2" },
          { ...original, flags: { pending: true } },
          { ...original, reversesId: "fund" }
        ])
        expect(results(changed)).toEqual([
          "ExistsWithDifferentAmount",
          "ExistsWithDifferentCreditAccountId",
          "ExistsWithDifferentDebitAccountId",
          "ExistsWithDifferentCode",
          "ExistsWithDifferentSourceReference",
          "ExistsWithDifferentFlags",
          "ExistsWithDifferentReversesId"
        ])
        expect(yield* (yield* LedgerStore).transfers([Transfer.TransferId.make("e1")])).toEqual([first?.transfer])
        const again = yield* ledger.createAccounts(admin, [{ ...accounts[2], ownerReference: "resident-9" }])
        expect(again.map((outcome) => outcome.result)).toEqual(["ExistsWithDifferentOwnerReference"])
        expect((yield* ledger.balance(viewer, Account.AccountId.make("w1"))).creditsPosted).toBe(10)
        yield* invariants
      }))

    test("a pending transfer resolves at most once, in one batch or across batches", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        yield* ledger.createTransfers(cashier, [earn("e1", "w1", 50)])
        const inOne = yield* ledger.createTransfers(cashier, [
          redeem("h1", "w1", 10, { pending: true }),
          { id: "p1", pendingId: "h1", flags: { postPending: true } },
          { id: "v1", pendingId: "h1", flags: { voidPending: true } },
          { id: "p1b", pendingId: "h1", flags: { postPending: true } }
        ])
        expect(results(inOne)).toEqual(["Ok", "Ok", "PendingTransferAlreadyPosted", "PendingTransferAlreadyPosted"])
        yield* ledger.createTransfers(cashier, [redeem("h2", "w1", 10, { pending: true })])
        expect(
          results(yield* ledger.createTransfers(cashier, [{ id: "v2", pendingId: "h2", flags: { voidPending: true } }]))
        ).toEqual(["Ok"])
        const late = yield* ledger.createTransfers(cashier, [
          { id: "p2", pendingId: "h2", flags: { postPending: true } },
          { id: "v2b", pendingId: "h2", flags: { voidPending: true } }
        ])
        expect(results(late)).toEqual(["PendingTransferAlreadyVoided", "PendingTransferAlreadyVoided"])
        expect(yield* ledger.balance(viewer, Account.AccountId.make("w1"))).toMatchObject({
          creditsPosted: 50,
          debitsPosted: 10,
          debitsPending: 0,
          available: 40
        })
        yield* invariants
      }))

    test("a linked chain succeeds or fails as one", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const failed = yield* ledger.createTransfers(cashier, [
          { ...earn("e1", "w1", 10), flags: { linked: true } },
          { ...redeem("r1", "w1", 11), flags: { linked: true } },
          earn("e2", "w2", 5),
          earn("e3", "w2", 6)
        ])
        expect(results(failed)).toEqual(["LinkedEventFailed", "ExceedsCredits", "LinkedEventFailed", "Ok"])
        const store = yield* LedgerStore
        expect(yield* store.transfers(["e1", "r1", "e2"].map((id) => Transfer.TransferId.make(id)))).toEqual([])
        expect((yield* ledger.balance(viewer, Account.AccountId.make("w1"))).creditsPosted).toBe(0)
        const passed = yield* ledger.createTransfers(cashier, [
          { ...earn("e1", "w1", 10), flags: { linked: true } },
          redeem("r1", "w1", 10)
        ])
        expect(results(passed)).toEqual(["Ok", "Ok"])
        const open = yield* ledger.createTransfers(cashier, [{ ...earn("e4", "w1", 1), flags: { linked: true } }])
        expect(results(open)).toEqual(["LinkedEventChainOpen"])
        yield* invariants
      }))

    test(
      "posts a batch of 6,000 transfers over 1,000 wallets in one call, then spends from them",
      () =>
        Effect.gen(function* () {
          const ledger = yield* setUp
          const wallets = Array.from({ length: 1_000 }, (_, i) => `bulk-${String(i).padStart(4, "0")}`)
          const created = yield* ledger.createAccounts(
            admin,
            wallets.map((id) => ({ id, ledger: "tongzhou", code: "resident-wallet" }))
          )
          expect(created.every((outcome) => outcome.result === "Ok")).toBe(true)
          const earnings = Array.from({ length: 6_000 }, (_, i) =>
            earn(`bulk-e${i}`, wallets[i % wallets.length]!, 1 + (i % 7))
          )
          const outcomes = yield* ledger.createTransfers(admin, earnings)
          expect(outcomes.filter((outcome) => outcome.result !== "Ok")).toEqual([])
          yield* TestClock.adjust(1000)
          const spends = wallets.map((wallet, i) => redeem(`bulk-r${i}`, wallet, 5))
          const spent = yield* ledger.createTransfers(cashier, spends)
          expect(spent.filter((outcome) => outcome.result !== "Ok")).toEqual([])
          const counted = yield* invariants
          expect(counted).toEqual({ accounts: accounts.length + wallets.length, transfers: 1 + 6_000 + 1_000 })
          const [first] = yield* ledger.lots(viewer, Account.AccountId.make(wallets[0]!))
          expect(first).toMatchObject({ id: "bulk-e0", amount: 1, remaining: 0 })
        }),
      120_000
    )

    test("concurrent redemptions from one wallet never overdraw it", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        yield* ledger.createTransfers(cashier, [earn("e1", "w1", 100)])
        const attempts = Array.from({ length: 24 }, (_, i) =>
          ledger.createTransfers(cashier, [redeem(`r${i}`, "w1", 10, i % 3 === 0 ? { pending: true } : {})])
        )
        const outcomes = (yield* Effect.all(attempts, { concurrency: "unbounded" })).flat()
        expect(outcomes.filter((outcome) => outcome.result === "Ok").length).toBe(10)
        expect(outcomes.filter((outcome) => outcome.result !== "Ok").map((outcome) => outcome.result)).toEqual(
          Array.from({ length: 14 }, () => "ExceedsCredits")
        )
        expect((yield* ledger.balance(viewer, Account.AccountId.make("w1"))).available).toBe(0)
        yield* invariants
      }))

    test("concurrent posts and voids of one hold: exactly one resolves it", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        yield* ledger.createTransfers(cashier, [earn("e1", "w1", 100), redeem("h", "w1", 60, { pending: true })])
        const attempts = Array.from({ length: 12 }, (_, i) =>
          ledger.createTransfers(cashier, [
            { id: `x${i}`, pendingId: "h", flags: i % 2 === 0 ? { postPending: true } : { voidPending: true } }
          ])
        )
        const outcomes = (yield* Effect.all(attempts, { concurrency: "unbounded" })).flat()
        expect(outcomes.filter((outcome) => outcome.result === "Ok").length).toBe(1)
        expect(
          outcomes.every((outcome) =>
            ["Ok", "PendingTransferAlreadyPosted", "PendingTransferAlreadyVoided"].includes(outcome.result)
          )
        ).toBe(true)
        yield* invariants
      }))

    test("the same new id sent concurrently, with the same or other content, is stored once", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        yield* ledger.createTransfers(admin, [
          {
            id: "fund-w3",
            debitAccountId: "reserve",
            creditAccountId: "w3",
            amount: 50,
            ledger: "tongzhou",
            code: "fund-allocation"
          }
        ])
        // Same content five times; then one id on disjoint accounts, so no account lock orders them.
        const same = yield* Effect.all(
          Array.from({ length: 5 }, () => ledger.createTransfers(cashier, [earn("dup", "w1", 3)])),
          { concurrency: "unbounded" }
        )
        expect(
          same
            .flat()
            .map((outcome) => outcome.result)
            .sort()
        ).toEqual(["Exists", "Exists", "Exists", "Exists", "Ok"])
        const raced = yield* Effect.all(
          [
            ledger.createTransfers(cashier, [earn("race", "w2", 4)]),
            ledger.createTransfers(cashier, [redeem("race", "w3", 4)])
          ],
          { concurrency: "unbounded" }
        )
        const raceResults = raced.flat().map((outcome) => outcome.result)
        expect(raceResults.filter((result) => result === "Ok").length).toBe(1)
        expect(raceResults.filter((result) => result.startsWith("ExistsWithDifferent")).length).toBe(1)
        const accountRace = yield* Effect.all(
          [
            ledger.createAccounts(admin, [{ id: "w9", ledger: "tongzhou", code: "resident-wallet" }]),
            ledger.createAccounts(admin, [{ id: "w9", ledger: "tongzhou", code: "merchant" }])
          ],
          { concurrency: "unbounded" }
        )
        expect(
          accountRace
            .flat()
            .map((outcome) => outcome.result)
            .sort()
        ).toEqual(["ExistsWithDifferentCode", "Ok"].sort())
        yield* invariants
      }))
  })

  model(name, layer, { runs: Number(process.env.LEDGER_MODEL_RUNS ?? 50) })
}

// --- model-based test ----------------------------------------------------------------------------------

interface ModelLot {
  readonly id: string
  readonly timestamp: number
  readonly expiresAt: number
  remaining: number
}

interface ModelWallet {
  creditsPosted: number
  debitsPosted: number
  debitsPending: number
  readonly lots: Array<ModelLot>
}

interface Model {
  now: number
  serial: number
  readonly wallets: Map<string, ModelWallet>
  readonly holds: Array<{
    readonly id: string
    readonly wallet: string
    readonly amount: number
    readonly deadline: number | null
    status: "open" | "posted" | "voided" | "expired"
  }>
  readonly earnings: Array<{ readonly id: string; readonly wallet: string; readonly amount: number; reversed: number }>
  /** Every request that succeeded, for retries. */
  readonly requests: Array<Record<string, unknown>>
}

interface Real {
  readonly run: <A>(effect: Effect.Effect<A, unknown, Ledger | LedgerStore>) => Promise<A>
}

const walletIds = ["w1", "w2", "w3"] as const

const expiryOf = (timestamp: number) => Lots.expiresAt(policy, timestamp)!

const fifo = (a: ModelLot, b: ModelLot) =>
  a.expiresAt - b.expiresAt || a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const available = (w: ModelWallet) => w.creditsPosted - w.debitsPosted - w.debitsPending

const consume = (lots: Array<ModelLot>, amount: number, own?: string) => {
  let left = amount
  const ownLot = lots.find((lot) => lot.id === own && lot.remaining > 0)
  if (ownLot !== undefined) {
    const taken = Math.min(ownLot.remaining, left)
    ownLot.remaining -= taken
    left -= taken
  }
  for (const lot of [...lots].sort(fifo)) {
    if (left === 0) break
    const taken = Math.min(lot.remaining, left)
    lot.remaining -= taken
    left -= taken
  }
}

const send = async (real: Real, request: Record<string, unknown>): Promise<Posting.TransferOutcome> => {
  const [outcome] = await real.run(Effect.flatMap(Ledger, (ledger) => ledger.createTransfers(cashier, [request])))
  return outcome!
}

const nextId = (model: Model, prefix: string) => `${prefix}${String(model.serial++).padStart(4, "0")}`

class EarnCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly wallet: string,
    readonly amount: number
  ) {}
  check = () => true
  async run(model: Model, real: Real) {
    const id = nextId(model, "earn")
    const request = earn(id, this.wallet, this.amount)
    expect((await send(real, request)).result).toBe("Ok")
    const w = model.wallets.get(this.wallet)!
    w.creditsPosted += this.amount
    w.lots.push({ id, timestamp: model.now, expiresAt: expiryOf(model.now), remaining: this.amount })
    model.earnings.push({ id, wallet: this.wallet, amount: this.amount, reversed: 0 })
    model.requests.push(request)
  }
  toString = () => `earn(${this.wallet}, ${this.amount})`
}

class RedeemCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly wallet: string,
    readonly amount: number,
    readonly hold: boolean,
    readonly timeoutSeconds: number
  ) {}
  check = () => true
  async run(model: Model, real: Real) {
    const id = nextId(model, this.hold ? "hold" : "redeem")
    const request = {
      ...redeem(id, this.wallet, this.amount, this.hold ? { pending: true } : {}),
      ...(this.hold ? { timeoutSeconds: this.timeoutSeconds } : {})
    }
    const w = model.wallets.get(this.wallet)!
    const ok = available(w) >= this.amount
    expect((await send(real, request)).result).toBe(ok ? "Ok" : "ExceedsCredits")
    if (!ok) return
    model.requests.push(request)
    if (this.hold) {
      w.debitsPending += this.amount
      const deadline = this.timeoutSeconds > 0 ? model.now + this.timeoutSeconds * 1000 : null
      model.holds.push({ id, wallet: this.wallet, amount: this.amount, deadline, status: "open" })
    } else {
      w.debitsPosted += this.amount
      consume(w.lots, this.amount)
    }
  }
  toString = () =>
    `${this.hold ? "hold" : "redeem"}(${this.wallet}, ${this.amount}${this.hold ? `, ${this.timeoutSeconds}s` : ""})`
}

class ResolveCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly post: boolean,
    readonly amount: number | null
  ) {}
  check = (model: Readonly<Model>) => model.holds.length > 0
  async run(model: Model, real: Real) {
    const hold = model.holds[this.pick % model.holds.length]!
    const amount = this.amount === null ? null : Math.min(this.amount, hold.amount)
    const request = {
      id: nextId(model, this.post ? "post" : "void"),
      pendingId: hold.id,
      flags: this.post ? { postPending: true } : { voidPending: true },
      ...(this.post && amount !== null ? { amount } : {})
    }
    const due = hold.deadline !== null && hold.deadline <= model.now
    const expected =
      hold.status === "posted"
        ? "PendingTransferAlreadyPosted"
        : hold.status === "voided"
          ? "PendingTransferAlreadyVoided"
          : hold.status === "expired" || (this.post && due)
            ? "PendingTransferExpired"
            : "Ok"
    expect((await send(real, request)).result).toBe(expected)
    if (expected !== "Ok") return
    model.requests.push(request)
    const w = model.wallets.get(hold.wallet)!
    w.debitsPending -= hold.amount
    hold.status = this.post ? "posted" : "voided"
    if (this.post) {
      const posted = amount ?? hold.amount
      w.debitsPosted += posted
      consume(w.lots, posted)
    }
  }
  toString = () => `${this.post ? "post" : "void"}(#${this.pick}${this.amount === null ? "" : `, ${this.amount}`})`
}

class ReverseCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly amount: number
  ) {}
  check = (model: Readonly<Model>) => model.earnings.length > 0
  async run(model: Model, real: Real) {
    const original = model.earnings[this.pick % model.earnings.length]!
    const request = {
      id: nextId(model, "reverse"),
      debitAccountId: original.wallet,
      creditAccountId: "budget",
      amount: this.amount,
      ledger: "tongzhou",
      code: "reversal",
      reversesId: original.id
    }
    const w = model.wallets.get(original.wallet)!
    const expected =
      original.reversed + this.amount > original.amount
        ? "ExceedsReversibleAmount"
        : available(w) < this.amount
          ? "ExceedsCredits"
          : "Ok"
    expect((await send(real, request)).result).toBe(expected)
    if (expected !== "Ok") return
    model.requests.push(request)
    original.reversed += this.amount
    w.debitsPosted += this.amount
    consume(w.lots, this.amount, original.id)
  }
  toString = () => `reverse(#${this.pick}, ${this.amount})`
}

class WaitCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly millis: number) {}
  check = () => true
  async run(model: Model, real: Real) {
    await real.run(TestClock.adjust(this.millis))
    model.now += this.millis
  }
  toString = () => `wait(${this.millis}ms)`
}

class ExpireCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(model: Model, real: Real) {
    const run = await real.run(Effect.flatMap(Ledger, (ledger) => ledger.expire(admin, ledgerId)))
    const due = model.holds.filter(
      (hold) => hold.status === "open" && hold.deadline !== null && hold.deadline <= model.now
    )
    expect(run.voided.map((outcome) => [outcome.id, outcome.result]).sort()).toEqual(
      due.map((hold) => [`timeout.${hold.id}`, "Ok"]).sort()
    )
    for (const hold of due) {
      hold.status = "expired"
      model.wallets.get(hold.wallet)!.debitsPending -= hold.amount
    }
    let expiredTotal = 0
    for (const w of model.wallets.values()) {
      let budget = available(w)
      for (const lot of [...w.lots].sort(fifo)) {
        if (lot.expiresAt > model.now || lot.remaining === 0 || budget === 0) continue
        const amount = Math.min(lot.remaining, budget)
        budget -= amount
        expiredTotal += amount
        w.debitsPosted += amount
        consume(w.lots, amount)
      }
    }
    expect(run.expired.every((outcome) => outcome.result === "Ok")).toBe(true)
    expect(run.expired.reduce((sum, outcome) => sum + (outcome.transfer?.amount ?? 0), 0)).toBe(expiredTotal)
  }
  toString = () => "expire"
}

class RetryCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly change: boolean
  ) {}
  check = (model: Readonly<Model>) => model.requests.length > 0
  async run(model: Model, real: Real) {
    const request = model.requests[this.pick % model.requests.length]!
    const changed = this.change ? { ...request, sourceReference: "changed" } : request
    expect((await send(real, changed)).result).toBe(this.change ? "ExistsWithDifferentSourceReference" : "Exists")
  }
  toString = () => `retry(#${this.pick}${this.change ? ", changed" : ""})`
}

class CheckCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(model: Model, real: Real) {
    for (const [id, w] of model.wallets) {
      const accountId = Account.AccountId.make(id)
      const [balance, lots] = await real.run(
        Effect.flatMap(Ledger, (ledger) =>
          Effect.all([ledger.balance(viewer, accountId), ledger.lots(viewer, accountId)])
        )
      )
      expect(balance).toMatchObject({
        creditsPosted: w.creditsPosted,
        debitsPosted: w.debitsPosted,
        debitsPending: w.debitsPending
      })
      expect(Object.fromEntries(lots.map((lot) => [lot.id, lot.remaining]))).toEqual(
        Object.fromEntries(w.lots.map((lot) => [lot.id, lot.remaining]))
      )
    }
    await real.run(invariants)
  }
  toString = () => "check"
}

const commands = [
  fc.tuple(fc.constantFrom(...walletIds), fc.integer({ min: 1, max: 50 })).map(([w, a]) => new EarnCommand(w, a)),
  fc
    .tuple(fc.constantFrom(...walletIds), fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.constantFrom(0, 60, 3600))
    .map(([w, a, hold, timeout]) => new RedeemCommand(w, a, hold, timeout)),
  fc
    .tuple(fc.nat(), fc.boolean(), fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }))
    .map(([pick, post, amount]) => new ResolveCommand(pick, post, amount)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 30 })).map(([pick, amount]) => new ReverseCommand(pick, amount)),
  fc.constantFrom(30_000, 3_600_000, 5 * day, 20 * day).map((millis) => new WaitCommand(millis)),
  fc.constant(new ExpireCommand()),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, change]) => new RetryCommand(pick, change)),
  fc.constant(new CheckCommand())
]

/**
 * Registers the model-based test under `name`: `runs` runs of up to `maxCommands` (default 60)
 * commands, each on a new store built from `layer`.
 *
 * @since 0.1.0
 * @category suites
 */
export const model = <E>(
  name: string,
  layer: Layer.Layer<Store, E>,
  options: { readonly runs: number; readonly maxCommands?: number | undefined }
): void => {
  const stack = Layer.merge(services(layer), TestContext.TestContext)
  describe(`${name}: ledger model`, () => {
    it(`earn, redeem, hold, post, void, reverse, expire and retry agree with a simple model (${options.runs} runs)`, {
      timeout: Math.max(120_000, options.runs * 3_000)
    }, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commands, { maxCommands: options.maxCommands ?? 60, size: "max" }),
          async (cmds) => {
            const runtime = ManagedRuntime.make(stack)
            const real: Real = { run: (effect) => runtime.runPromise(effect) }
            try {
              await real.run(setUp)
              const state: Model = {
                now: t0,
                serial: 0,
                wallets: new Map(
                  walletIds.map((id) => [id, { creditsPosted: 0, debitsPosted: 0, debitsPending: 0, lots: [] }])
                ),
                holds: [],
                earnings: [],
                requests: []
              }
              await fc.asyncModelRun(() => ({ model: state, real }), [...cmds, new CheckCommand()])
            } finally {
              await runtime.dispose()
            }
          }
        ),
        { numRuns: options.runs }
      )
    })
  })
}
