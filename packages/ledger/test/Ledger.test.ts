import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Permission } from "@sortgrid/core"
import { Effect, Either, Layer, ManagedRuntime, TestClock, TestContext } from "effect"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import { Ledger, LedgerConfig } from "../src/Ledger.js"
import { LedgerStore } from "../src/LedgerStore.js"
import * as Lots from "../src/Lots.js"
import type * as Posting from "../src/Posting.js"
import * as Transfer from "../src/Transfer.js"
import * as MemoryLedgerStore from "./MemoryLedgerStore.js"

const ledgerId = Account.LedgerId.make("tongzhou")
const day = 86_400_000
const t0 = Date.UTC(2023, 5, 1, 2)
const policy = Lots.Policy.make({ lifetimeDays: 30, expiredAccountId: Account.AccountId.make("expired") })

const actor = (id: string, role: string) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: [Actor.root] })
const admin = actor("admin", "programme-admin")
const cashier = actor("cashier", "cashier")
const viewer = actor("viewer", "viewer")

const grants: Permission.Grants = {
  "programme-admin": ["ledger.*", "audit.*"],
  cashier: ["ledger.post", "ledger.read"],
  viewer: ["ledger.read"]
}

const layer = Ledger.Default.pipe(
  Layer.provideMerge(AuditLog.AuditLog.Default),
  Layer.provideMerge(MemoryLedgerStore.layer),
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

const test = (title: string, body: Effect.Effect<void, unknown, Ledger | AuditLog.AuditLog | LedgerStore>) =>
  it.effect(title, () => Effect.provide(body, layer))

describe("Ledger", () => {
  test(
    "creates accounts with default flags, idempotently",
    Effect.gen(function* () {
      const ledger = yield* setUp
      const again = yield* ledger.createAccounts(admin, [accounts[2], { ...accounts[3], code: "merchant" }])
      expect(again.map((outcome) => outcome.result)).toEqual(["Exists", "ExistsWithDifferentCode"])
      const [w1] = yield* ledger.lookupAccounts(viewer, [Account.AccountId.make("w1")])
      expect(w1).toMatchObject({ ownerReference: "resident-1", timestamp: t0 })
      expect(w1?.flags.debitsMustNotExceedCredits).toBe(true)
    })
  )

  test(
    "refuses bad input with the field's path, and actors without the permission",
    Effect.gen(function* () {
      const ledger = yield* setUp
      const bad = yield* Effect.either(
        ledger.createTransfers(admin, [earn("e1", "w1", 5), { ...earn("e2", "w1", -1) }])
      )
      expect(Either.isLeft(bad) && bad.left._tag === "Invalid" && bad.left.issues[0]?.path).toEqual([1, "amount"])
      const extra = yield* Effect.either(ledger.createTransfers(admin, [{ ...earn("e1", "w1", 5), colour: "red" }]))
      expect(Either.isLeft(extra) && extra.left._tag).toBe("Invalid")
      const forbidden = yield* Effect.either(ledger.createTransfers(viewer, [earn("e1", "w1", 5)]))
      expect(Either.isLeft(forbidden) && forbidden.left._tag).toBe("Forbidden")
      const accountsForbidden = yield* Effect.either(ledger.createAccounts(cashier, [accounts[0]]))
      expect(Either.isLeft(accountsForbidden) && accountsForbidden.left._tag).toBe("Forbidden")
      expect((yield* ledger.lookupTransfers(admin, [Transfer.TransferId.make("e1")])).length).toBe(0)
    })
  )

  test(
    "creates transfers in one batch, one outcome each, with one audit entry per batch that wrote",
    Effect.gen(function* () {
      const ledger = yield* setUp
      const log = yield* AuditLog.AuditLog
      const before = (yield* log.read(admin)).length
      yield* TestClock.adjust(1000)
      const outcomes = yield* ledger.createTransfers(cashier, [
        earn("e1", "w1", 10),
        { id: "r1", debitAccountId: "w1", creditAccountId: "m1", amount: 11, ledger: "tongzhou", code: "redemption" }
      ])
      expect(outcomes.map((outcome) => outcome.result)).toEqual(["Ok", "ExceedsCredits"])
      expect(outcomes[0]?.transfer?.timestamp).toBe(t0 + 1000)
      const retry = yield* ledger.createTransfers(cashier, [earn("e1", "w1", 10)])
      expect(retry[0]).toEqual({ id: "e1", result: "Exists", transfer: outcomes[0]?.transfer })
      const entries = yield* log.read(admin)
      expect(entries.length).toBe(before + 1)
      expect(entries.at(-1)).toMatchObject({ action: "transfers.created", actor: "cashier", payload: { ids: ["e1"] } })
      expect((yield* log.verify(admin))._tag).toBe("Intact")
    })
  )

  test(
    "answers balances now and as of an instant, and statements page by page in either language",
    Effect.gen(function* () {
      const ledger = yield* setUp
      const w1 = Account.AccountId.make("w1")
      for (let n = 1; n <= 5; n++) {
        yield* TestClock.adjust(day)
        yield* ledger.createTransfers(cashier, [earn(`e${n}`, "w1", n)])
      }
      yield* ledger.createTransfers(cashier, [
        {
          id: "h",
          debitAccountId: "w1",
          creditAccountId: "m1",
          amount: 4,
          ledger: "tongzhou",
          code: "redemption",
          flags: { pending: true }
        }
      ])
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
      expect(second.lines.map((line) => [line.transfer.id, line.kind, line.reason])).toEqual([
        ["e5", "posted", "正确分类投放"],
        ["h", "pending", "积分兑换"]
      ])
      expect(second.next).toBeNull()
      const bad = yield* Effect.either(ledger.statement(viewer, { accountId: w1, after: "nonsense" }))
      expect(Either.isLeft(bad) && bad.left._tag).toBe("Invalid")
      const missing = yield* Effect.either(ledger.balance(viewer, Account.AccountId.make("nobody")))
      expect(Either.isLeft(missing) && missing.left._tag).toBe("NotFound")
    })
  )

  test(
    "voids timed-out holds and expires lots in one run, and a repeated run does nothing",
    Effect.gen(function* () {
      const ledger = yield* setUp
      yield* ledger.createTransfers(cashier, [
        earn("old", "w1", 10),
        {
          id: "h",
          debitAccountId: "w1",
          creditAccountId: "m1",
          amount: 6,
          ledger: "tongzhou",
          code: "redemption",
          flags: { pending: true },
          timeoutSeconds: 600
        }
      ])
      yield* TestClock.adjust(31 * day)
      const run = yield* ledger.expire(admin, ledgerId)
      expect(run.voided.map((outcome) => [outcome.id, outcome.result])).toEqual([["timeout.h", "Ok"]])
      expect(run.expired.map((outcome) => [outcome.transfer?.amount, outcome.result])).toEqual([[10, "Ok"]])
      const late = yield* ledger.createTransfers(cashier, [{ id: "p", pendingId: "h", flags: { postPending: true } }])
      expect(late[0]?.result).toBe("PendingTransferExpired")
      expect(yield* ledger.expire(admin, ledgerId)).toEqual({ voided: [], expired: [] })
      expect(yield* ledger.balance(viewer, Account.AccountId.make("expired"))).toMatchObject({ creditsPosted: 10 })
      expect((yield* ledger.reconcile(admin)).drifts).toEqual([])
    })
  )

  test(
    "reconciles: recomputes balances from transfers and reports an account that drifted",
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
          accounts: [Account.withBalances(w2!, { ...w2!, creditsPosted: 70 })],
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
    })
  )
})

// --- model-based test -------------------------------------------------------------------------------

const makeRuntime = () => ManagedRuntime.make(Layer.merge(layer, TestContext.TestContext))
type Runtime = ReturnType<typeof makeRuntime>

interface ModelLot {
  readonly id: string
  readonly timestamp: number
  readonly expiresAt: number
  remaining: number
}

interface Model {
  now: number
  serial: number
  readonly wallets: Map<
    string,
    { creditsPosted: number; debitsPosted: number; debitsPending: number; lots: Array<ModelLot> }
  >
  readonly holds: Array<{
    id: string
    wallet: string
    amount: number
    deadline: number | null
    status: "open" | "posted" | "voided" | "expired"
  }>
  readonly earnings: Array<{ id: string; wallet: string; amount: number; reversed: number }>
  /** Every request that succeeded, for retries. */
  readonly requests: Array<Record<string, unknown>>
}

const walletIds = ["w1", "w2", "w3"] as const

const expiryOf = (timestamp: number) => Lots.expiresAt(policy, timestamp)!

const fifo = (a: ModelLot, b: ModelLot) =>
  a.expiresAt - b.expiresAt || a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const available = (w: { creditsPosted: number; debitsPosted: number; debitsPending: number }) =>
  w.creditsPosted - w.debitsPosted - w.debitsPending

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

const send = async (real: Runtime, request: Record<string, unknown>): Promise<Posting.TransferOutcome> => {
  const [outcome] = await real.runPromise(
    Effect.flatMap(Ledger, (ledger) => ledger.createTransfers(cashier, [request]))
  )
  return outcome!
}

const nextId = (model: Model, prefix: string) => `${prefix}${String(model.serial++).padStart(4, "0")}`

class EarnCommand implements fc.AsyncCommand<Model, Runtime> {
  constructor(
    readonly wallet: string,
    readonly amount: number
  ) {}
  check = () => true
  async run(model: Model, real: Runtime) {
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

class RedeemCommand implements fc.AsyncCommand<Model, Runtime> {
  constructor(
    readonly wallet: string,
    readonly amount: number,
    readonly hold: boolean,
    readonly timeoutSeconds: number
  ) {}
  check = () => true
  async run(model: Model, real: Runtime) {
    const id = nextId(model, this.hold ? "hold" : "redeem")
    const request = {
      id,
      debitAccountId: this.wallet,
      creditAccountId: "m1",
      amount: this.amount,
      ledger: "tongzhou",
      code: "redemption",
      ...(this.hold ? { flags: { pending: true }, timeoutSeconds: this.timeoutSeconds } : {})
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

class ResolveCommand implements fc.AsyncCommand<Model, Runtime> {
  constructor(
    readonly pick: number,
    readonly post: boolean,
    readonly amount: number | null
  ) {}
  check = (model: Readonly<Model>) => model.holds.length > 0
  async run(model: Model, real: Runtime) {
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

class ReverseCommand implements fc.AsyncCommand<Model, Runtime> {
  constructor(
    readonly pick: number,
    readonly amount: number
  ) {}
  check = (model: Readonly<Model>) => model.earnings.length > 0
  async run(model: Model, real: Runtime) {
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

class WaitCommand implements fc.AsyncCommand<Model, Runtime> {
  constructor(readonly millis: number) {}
  check = () => true
  async run(model: Model, real: Runtime) {
    await real.runPromise(TestClock.adjust(this.millis))
    model.now += this.millis
  }
  toString = () => `wait(${this.millis}ms)`
}

class ExpireCommand implements fc.AsyncCommand<Model, Runtime> {
  check = () => true
  async run(model: Model, real: Runtime) {
    const run = await real.runPromise(Effect.flatMap(Ledger, (ledger) => ledger.expire(admin, ledgerId)))
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

class RetryCommand implements fc.AsyncCommand<Model, Runtime> {
  constructor(
    readonly pick: number,
    readonly change: boolean
  ) {}
  check = (model: Readonly<Model>) => model.requests.length > 0
  async run(model: Model, real: Runtime) {
    const request = model.requests[this.pick % model.requests.length]!
    const changed = this.change ? { ...request, sourceReference: "changed" } : request
    expect((await send(real, changed)).result).toBe(this.change ? "ExistsWithDifferentSourceReference" : "Exists")
  }
  toString = () => `retry(#${this.pick}${this.change ? ", changed" : ""})`
}

class CheckCommand implements fc.AsyncCommand<Model, Runtime> {
  check = () => true
  async run(model: Model, real: Runtime) {
    for (const [id, w] of model.wallets) {
      const accountId = Account.AccountId.make(id)
      const [balance, lots] = await real.runPromise(
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
    const reconciliation = await real.runPromise(Effect.flatMap(Ledger, (ledger) => ledger.reconcile(admin)))
    expect(reconciliation.drifts).toEqual([])
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

describe("Ledger: model-based", () => {
  it("earn, redeem, hold, post, void, reverse, expire and retry agree with a simple model", {
    timeout: 120_000
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: "max" }), async (cmds) => {
        const real = makeRuntime()
        try {
          await real.runPromise(setUp)
          const model: Model = {
            now: t0,
            serial: 0,
            wallets: new Map(
              walletIds.map((id) => [id, { creditsPosted: 0, debitsPosted: 0, debitsPending: 0, lots: [] }])
            ),
            holds: [],
            earnings: [],
            requests: []
          }
          await fc.asyncModelRun(() => ({ model, real }), [...cmds, new CheckCommand()])
        } finally {
          await real.dispose()
        }
      }),
      // CI raises this (LEDGER_MODEL_RUNS=1000); 100 keeps the everyday run short.
      { numRuns: Number(process.env.LEDGER_MODEL_RUNS ?? 100) }
    )
  })
})
