/**
 * Load for the points ledger's stress tests, shared by the test processes and the worker processes
 * they start (so it imports no test runner): the storm's accounts and grants, the redemption
 * attempts and idempotent requests each process sends, the batches a crash-test writer posts, and
 * how a call's outcome is recorded — as result codes, typed errors, or defects (a raw driver error
 * or any other failure that is not one of sortgrid's typed errors).
 *
 * Every plan is a pure function of its parameters, so each process computes its own share and the
 * test can recompute what was sent.
 *
 * @since 0.1.0
 */
import { Actor, AuditLog, type AuditStore, Permission, type Transactor } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import { Ledger, LedgerConfig } from "@sortgrid/ledger/Ledger"
import type { LedgerStore } from "@sortgrid/ledger/LedgerStore"
import * as Lots from "@sortgrid/ledger/Lots"
import type * as Posting from "@sortgrid/ledger/Posting"
import { Cause, Effect, Exit, Layer, Option } from "effect"

/**
 * The ports the storm's services need from a store.
 *
 * @since 0.1.0
 * @category layers
 */
export type Store = LedgerStore | AuditStore.AuditStore | Transactor.Transactor

/**
 * The ledger the storm runs on.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const ledgerId = "storm"

/**
 * The grants: the operator runs the programme (it may also reconcile and read the audit chain),
 * cashiers post redemptions at the counter.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "programme-operator": ["ledger.*", "audit.*"],
  cashier: ["ledger.post", "ledger.read"]
}

const actor = (id: string, role: string) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: [Actor.root] })

/**
 * The programme operator (the same id and role as `LedgerSuite`'s, so its invariant check runs).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const operator: Actor.Actor = actor("operator", "programme-operator")

/**
 * The cashier who sends every redemption.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const cashier: Actor.Actor = actor("storm-cashier", "cashier")

/**
 * The lot policy of the storm's ledger: points live a year and expire to `expired`.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const policy: Lots.Policy = Lots.Policy.make({
  lifetimeDays: 365,
  expiredAccountId: Account.AccountId.make("expired")
})

/**
 * The ledger service, the audit log and the grants over a store, with the storm's lot policy.
 *
 * @since 0.1.0
 * @category layers
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Ledger.Default.pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provideMerge(store),
    Layer.provideMerge(Permission.layer(grants)),
    Layer.provideMerge(Layer.succeed(LedgerConfig, { policies: new Map([[Account.LedgerId.make(ledgerId), policy]]) }))
  )

/**
 * Runs a function of the ledger service (for callers that do not depend on `@sortgrid/ledger`).
 *
 * @since 0.1.0
 * @category running
 */
export const withLedger = <A, E, R>(f: (ledger: Ledger) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Ledger> =>
  Effect.flatMap(Ledger, f)

/**
 * Runs `attempts` with `concurrency` callers at once, each attempt as {@link redeem} runs it.
 *
 * @since 0.1.0
 * @category running
 */
export const redeemAll = (
  all: ReadonlyArray<Attempt>,
  concurrency: number
): Effect.Effect<ReadonlyArray<Call>, never, Ledger> =>
  withLedger((ledger) =>
    Effect.map(
      Effect.forEach(all, (attempt) => redeem(ledger, attempt), { concurrency }),
      (calls) => calls.flat()
    )
  )

/**
 * Sends the given copies of the idempotency storm's requests ({@link copyOf}), their batches
 * interleaved, with `concurrency` callers at once.
 *
 * @since 0.1.0
 * @category running
 */
export const sendCopies = (
  count: number,
  copies: ReadonlyArray<number>,
  concurrency: number
): Effect.Effect<ReadonlyArray<Call>, never, Ledger> =>
  withLedger((ledger) => {
    const all = requests(count)
    const lists = copies.map((copy) => copyOf(all, copy))
    const batches: Array<ReadonlyArray<{ readonly id: string } & Record<string, unknown>>> = []
    for (let i = 0; lists.some((list) => i < list.length); i++) {
      for (const list of lists) if (i < list.length) batches.push(list[i]!)
    }
    return Effect.forEach(batches, (batch) => send(ledger, cashier, batch), { concurrency })
  })

/**
 * The size of a storm: resident wallets, merchants, and the points each wallet starts with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape {
  readonly wallets: number
  readonly merchants: number
  readonly pointsPerWallet: number
}

/**
 * The storm's shape: 100 resident wallets of 1,000 points each, spent at 4 merchants.
 *
 * @since 0.1.0
 * @category models
 */
export const shape: Shape = { wallets: 100, merchants: 4, pointsPerWallet: 1_000 }

/**
 * The id of wallet `i`.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const walletId = (i: number): string => `w${String(i).padStart(4, "0")}`

const merchantId = (i: number): string => `m${i}`

/**
 * Creates the accounts (reserve, budget, expired, the wallets and merchants), funds the budget
 * and credits every wallet its starting points. Idempotent, as every ledger call is.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const setUp = (storm: Shape = shape) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    yield* ledger.createAccounts(operator, [
      { id: "reserve", ledger: ledgerId, code: "reserve" },
      { id: "budget", ledger: ledgerId, code: "programme-budget" },
      { id: "expired", ledger: ledgerId, code: "expired" },
      ...Array.from({ length: storm.merchants }, (_, i) => ({ id: merchantId(i), ledger: ledgerId, code: "merchant" })),
      ...Array.from({ length: storm.wallets }, (_, i) => ({
        id: walletId(i),
        ledger: ledgerId,
        code: "resident-wallet",
        ownerReference: `resident-${i}`
      }))
    ])
    yield* ledger.createTransfers(operator, [
      {
        id: "fund",
        debitAccountId: "reserve",
        creditAccountId: "budget",
        amount: 1_000_000_000,
        ledger: ledgerId,
        code: "fund-allocation"
      },
      ...Array.from({ length: storm.wallets }, (_, i) => ({
        id: `seed-${walletId(i)}`,
        debitAccountId: "budget",
        creditAccountId: walletId(i),
        amount: storm.pointsPerWallet,
        ledger: ledgerId,
        code: "correct-sorting"
      }))
    ])
  })

/** A small deterministic generator (mulberry32), so every process recomputes the same plan. */
const random = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * How a redemption goes: paid at once (`direct`); held at the counter and then handed over
 * (`hold-post`), handed over in part (`hold-partial`), cancelled (`hold-void`) or left open
 * (`hold-open`); or two wallets of one household paying together in a linked pair (`linked`).
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "direct" | "hold-post" | "hold-partial" | "hold-void" | "hold-open" | "linked"

/**
 * One redemption attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  readonly index: number
  readonly kind: Kind
  readonly walletId: string
  /** The second wallet of a linked pair. */
  readonly partnerId: string
  readonly merchantId: string
  readonly amount: number
}

/**
 * The storm's `count` attempts: wallets and merchants drawn at random, amounts from 1 to 40 points
 * (twice what the wallets hold in all, so wallets run dry and the limit is hit again and again).
 *
 * @since 0.1.0
 * @category plans
 */
export const attempts = (count: number, storm: Shape = shape): ReadonlyArray<Attempt> => {
  const next = random(20_230_601)
  const pick = (n: number) => Math.floor(next() * n)
  return Array.from({ length: count }, (_, index) => {
    const roll = next()
    const kind: Kind =
      roll < 0.35
        ? "direct"
        : roll < 0.65
          ? "hold-post"
          : roll < 0.75
            ? "hold-partial"
            : roll < 0.9
              ? "hold-void"
              : roll < 0.95
                ? "hold-open"
                : "linked"
    const wallet = pick(storm.wallets)
    return {
      index,
      kind,
      walletId: walletId(wallet),
      partnerId: walletId((wallet + 1 + pick(storm.wallets - 1)) % storm.wallets),
      merchantId: merchantId(pick(storm.merchants)),
      amount: 1 + pick(40)
    }
  })
}

/**
 * What one call came to: the results of its transfers, or the tag of the typed error it failed
 * with, or a defect (anything else: a raw driver error, a thrown exception).
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly ids: ReadonlyArray<string>
  readonly results: ReadonlyArray<Posting.TransferResult> | null
  readonly error: string | null
  readonly defect: string | null
}

/** Errors callers are promised: sortgrid's tagged errors. */
const typedTags: ReadonlySet<string> = new Set(["Invalid", "Forbidden", "NotFound", "Conflict", "StorageError"])

const tagOf = (error: unknown): string | null =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string" ? error._tag : null

/**
 * Sends one batch and records what came back; never fails.
 *
 * @since 0.1.0
 * @category running
 */
export const send = (
  ledger: Ledger,
  who: Actor.Actor,
  inputs: ReadonlyArray<{ readonly id: string } & Record<string, unknown>>
): Effect.Effect<Call> =>
  Effect.map(Effect.exit(ledger.createTransfers(who, inputs)), (exit): Call => {
    const ids = inputs.map((input) => input.id)
    if (Exit.isSuccess(exit)) {
      return { ids, results: exit.value.map((outcome) => outcome.result), error: null, defect: null }
    }
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const tag = tagOf(failure.value)
      return tag !== null && typedTags.has(tag)
        ? { ids, results: null, error: tag, defect: null }
        : { ids, results: null, error: null, defect: `untyped failure: ${String(failure.value)}` }
    }
    return { ids, results: null, error: null, defect: Cause.pretty(exit.cause).slice(0, 500) }
  })

const redemption = (id: string, from: string, to: string, amount: number, extra: Record<string, unknown> = {}) => ({
  id,
  debitAccountId: from,
  creditAccountId: to,
  amount,
  ledger: ledgerId,
  code: "redemption",
  sourceReference: `counter:${to}`,
  ...extra
})

/**
 * Runs one attempt as the counter would: one call for a direct redemption or a linked pair; a
 * hold, then (if it was accepted) the post or void as a second call. Ids are `r<index>…`.
 *
 * @since 0.1.0
 * @category running
 */
export const redeem = (ledger: Ledger, attempt: Attempt): Effect.Effect<ReadonlyArray<Call>> =>
  Effect.gen(function* () {
    const id = `r${String(attempt.index).padStart(5, "0")}`
    const { walletId: wallet, merchantId: merchant, amount } = attempt
    switch (attempt.kind) {
      case "direct":
        return [yield* send(ledger, cashier, [redemption(id, wallet, merchant, amount)])]
      case "linked":
        return [
          yield* send(ledger, cashier, [
            redemption(`${id}-a`, wallet, merchant, amount, { flags: { linked: true } }),
            redemption(`${id}-b`, attempt.partnerId, merchant, Math.max(1, amount >> 1))
          ])
        ]
      default: {
        const hold = yield* send(ledger, cashier, [
          redemption(`${id}-hold`, wallet, merchant, amount, { flags: { pending: true }, timeoutSeconds: 3_600 })
        ])
        if (hold.results?.[0] !== "Ok" || attempt.kind === "hold-open") return [hold]
        const resolve =
          attempt.kind === "hold-void"
            ? { id: `${id}-void`, pendingId: `${id}-hold`, flags: { voidPending: true } }
            : {
                id: `${id}-post`,
                pendingId: `${id}-hold`,
                flags: { postPending: true },
                ...(attempt.kind === "hold-partial" ? { amount: Math.max(1, amount - 7) } : {})
              }
        return [hold, yield* send(ledger, cashier, [resolve])]
      }
    }
  })

/**
 * The idempotency storm's `count` requests: earnings from the budget to the wallets, one in five
 * a hold (points locked until confirmed). All are accepted, so each id must be stored exactly once.
 *
 * @since 0.1.0
 * @category plans
 */
export const requests = (
  count: number,
  storm: Shape = shape
): ReadonlyArray<{ readonly id: string } & Record<string, unknown>> =>
  Array.from({ length: count }, (_, i) => ({
    id: `q${String(i).padStart(5, "0")}`,
    debitAccountId: "budget",
    creditAccountId: walletId((i * 37) % storm.wallets),
    amount: 1 + (i % 25),
    ledger: ledgerId,
    code: "correct-sorting",
    sourceReference: `inspection:${i}`,
    ...(i % 5 === 0 ? { flags: { pending: true } } : {})
  }))

/**
 * Copy `copy` of the requests: shuffled by its own seed and cut into batches of `copy + 1`, so the
 * five copies of a request arrive in different company, order and batch sizes.
 *
 * @since 0.1.0
 * @category plans
 */
export const copyOf = <A>(all: ReadonlyArray<A>, copy: number): ReadonlyArray<ReadonlyArray<A>> => {
  const next = random(7_919 * (copy + 1))
  const shuffled = [...all]
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const swap = shuffled[i]!
    shuffled[i] = shuffled[j]!
    shuffled[j] = swap
  }
  const size = copy + 1
  const batches: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < shuffled.length; i += size) batches.push(shuffled.slice(i, i + size))
  return batches
}

/**
 * How many transfers each crash-test batch stores: every one is accepted, so a batch is either
 * all there or not there at all.
 *
 * @since 0.1.0
 * @category plans
 */
export const crashBatchTransfers = 40

/**
 * Crash-test batch `batch` of writer `writer`: 10 wallets each earn 20 points, then spend 5 at
 * once, hold 4 and have 3 of it posted in the same batch — 40 transfers, all accepted (they write
 * transfers, balances, lots and the timed-hold index), with source reference `<writer>/<batch>`.
 *
 * @since 0.1.0
 * @category plans
 */
export const crashBatch = (
  writer: string,
  batch: number,
  storm: Shape = shape
): ReadonlyArray<{ readonly id: string } & Record<string, unknown>> => {
  const tag = `${writer}/${batch}`
  const base = `${writer}-${String(batch).padStart(6, "0")}`
  const inputs: Array<{ readonly id: string } & Record<string, unknown>> = []
  for (let k = 0; k < 10; k++) {
    const wallet = walletId((batch * 10 + k) % storm.wallets)
    const common = { ledger: ledgerId, sourceReference: tag }
    inputs.push(
      {
        id: `${base}-${k}-earn`,
        debitAccountId: "budget",
        creditAccountId: wallet,
        amount: 20,
        code: "correct-sorting",
        ...common
      },
      {
        id: `${base}-${k}-spend`,
        debitAccountId: wallet,
        creditAccountId: "m0",
        amount: 5,
        code: "redemption",
        ...common
      },
      {
        id: `${base}-${k}-hold`,
        debitAccountId: wallet,
        creditAccountId: "m1",
        amount: 4,
        code: "redemption",
        flags: { pending: true },
        ...common
      },
      {
        id: `${base}-${k}-post`,
        pendingId: `${base}-${k}-hold`,
        amount: 3,
        flags: { postPending: true },
        sourceReference: tag
      }
    )
  }
  return inputs
}
