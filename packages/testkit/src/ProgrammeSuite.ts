/**
 * The points programme conformance suite: earnings, redemptions, households and certified tasks,
 * through their services over a store, with the ledger's invariants checked after each scenario
 * (`LedgerSuite.invariants`) and stock and settlement recomputed from what the store holds.
 *
 * Scenarios: 50 concurrent claims against a daily cap of 3 grant exactly 3 (and a retry answers as
 * first granted); one sorting reward per household per bin station per day, under concurrency; the
 * lock period and its release run; concurrent redemptions of the last units never take stock below
 * zero, hand-over and cancel keep points and stock in agreement, a timed-out basket takes nothing,
 * and the settlement report matches the merchant's balance; a move-out expires what is due, moves
 * an equal share with its expiry, and conserves points; a certified task is credited exactly once
 * under concurrent certifications; permissions are checked.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Permission } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import * as CertifiedTask from "@sortgrid/ledger/CertifiedTask"
import * as Earning from "@sortgrid/ledger/Earning"
import type { EarningStore } from "@sortgrid/ledger/EarningStore"
import { EarningConfig, Earnings, Programme } from "@sortgrid/ledger/Earnings"
import type { HouseholdStore } from "@sortgrid/ledger/HouseholdStore"
import { Households } from "@sortgrid/ledger/Households"
import { Ledger, LedgerConfig } from "@sortgrid/ledger/Ledger"
import * as Lock from "@sortgrid/ledger/Lock"
import * as Lots from "@sortgrid/ledger/Lots"
import * as Redemption from "@sortgrid/ledger/Redemption"
import type { RedemptionStore } from "@sortgrid/ledger/RedemptionStore"
import { Redemptions } from "@sortgrid/ledger/Redemptions"
import type { TaskStore } from "@sortgrid/ledger/TaskStore"
import { Tasks } from "@sortgrid/ledger/Tasks"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, Either, Layer, TestClock } from "effect"
import * as LedgerSuite from "./LedgerSuite.js"

/**
 * The ports a programme store provides: the ledger's and the programme services'.
 *
 * @since 0.1.0
 * @category layers
 */
export type Store = LedgerSuite.Store | EarningStore | RedemptionStore | HouseholdStore | TaskStore

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "programme-operator": ["ledger.*", "audit.*"],
  "merchant-cashier": ["ledger.redeem"],
  "school-teacher": ["ledger.tasks.assign", "ledger.tasks.certify"],
  "property-manager": ["ledger.tasks.certify"],
  parent: ["ledger.tasks.complete"]
}

const actor = (id: string, role: string) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: [Actor.root] })
const operator = actor("operator", "programme-operator")
const cashier = actor("cashier", "merchant-cashier")
const teacher = actor("teacher", "school-teacher")
const parent = actor("parent", "parent")

const ledgerId = Account.LedgerId.make("tongzhou")
const day = 86_400_000
/** 1 June 2023, 10:00 Beijing time. */
const t0 = Date.UTC(2023, 5, 1, 2)
const lotPolicy = Lots.Policy.make({ lifetimeDays: 30, expiredAccountId: Account.AccountId.make("expired") })

const programme = Programme.make({
  ledger: ledgerId,
  budgetAccountId: Account.AccountId.make("budget"),
  rules: [
    Earning.Rule.make({
      code: Transfer.codes.dutyVolunteering,
      amount: 1,
      caps: [Earning.Cap.make({ per: "resident", period: "Day", pointsMax: 3 })]
    }),
    Earning.Rule.make({
      code: Transfer.codes.correctSorting,
      amount: 2,
      dedupe: Earning.Dedupe.make({ per: "household", period: "Day", perSite: true })
    }),
    Earning.Rule.make({ code: Transfer.codes.event, amount: 5 })
  ],
  lock: Lock.Policy.make({ lockDays: 2, codes: [Transfer.codes.event] })
})

/**
 * The programme's services over a store: earnings, redemptions, households and tasks, with the
 * ledger, the audit log, a 30-day lot policy and the suite's grants.
 *
 * @since 0.1.0
 * @category layers
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Layer.mergeAll(Earnings.Default, Redemptions.Default, Households.Default, Tasks.Default, Ledger.Default).pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provideMerge(store),
    Layer.provideMerge(Permission.layer(grants)),
    Layer.provideMerge(Layer.succeed(LedgerConfig, { policies: new Map([[ledgerId, lotPolicy]]) })),
    Layer.provideMerge(Layer.succeed(EarningConfig, { programmes: new Map([[ledgerId, programme]]) }))
  )

const accounts = [
  { id: "reserve", ledger: "tongzhou", code: "reserve" },
  { id: "budget", ledger: "tongzhou", code: "programme-budget" },
  { id: "expired", ledger: "tongzhou", code: "expired" },
  { id: "m1", ledger: "tongzhou", code: "merchant" },
  { id: "h1-wallet", ledger: "tongzhou", code: "household-wallet", ownerReference: "h1" },
  ...Array.from({ length: 10 }, (_, i) => ({
    id: `w${i}`,
    ledger: "tongzhou",
    code: "resident-wallet",
    ownerReference: `r${i}`
  }))
]

const setUp = Effect.gen(function* () {
  yield* TestClock.setTime(t0)
  const ledger = yield* Ledger
  yield* ledger.createAccounts(operator, accounts)
  yield* ledger.createTransfers(operator, [
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

const claim = (id: string, code: string, options: { readonly resident?: number; readonly site?: string } = {}) => ({
  id,
  code,
  residentReference: `r${options.resident ?? 0}`,
  householdReference: "h1",
  walletAccountId: `w${options.resident ?? 0}`,
  at: "/110112/",
  siteReference: options.site ?? "s1",
  sourceReference: `checkin:${id}`,
  occurredAt: t0
})

const grantedOk = (outcomes: ReadonlyArray<{ readonly outcome: { readonly result: string } | null }>) =>
  outcomes.filter((o) => o.outcome?.result === "Ok").length

const fund = (wallet: string, amount: number) =>
  Effect.flatMap(Ledger, (ledger) =>
    ledger.createTransfers(operator, [
      {
        id: `fund-${wallet}`,
        debitAccountId: "budget",
        creditAccountId: wallet,
        amount,
        ledger: "tongzhou",
        code: "adjustment"
      }
    ])
  )

/**
 * Registers the suite under `name`. The layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  type Services = Layer.Layer.Success<typeof fresh>
  const test = (title: string, body: () => Effect.Effect<void, unknown, Services>, timeout?: number) =>
    it.effect(title, () => Effect.provide(body(), fresh), timeout ?? 60_000)

  describe(`${name}: ledger programme conformance`, () => {
    test("50 concurrent claims against a daily cap of 3 grant exactly 3; a retry answers as first granted", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const earnings = yield* Earnings
        const attempts = Array.from({ length: 50 }, (_, i) =>
          earnings.earn(operator, { ledger: "tongzhou", claims: [claim(`duty-${i}`, "duty-volunteering")] })
        )
        const outcomes = (yield* Effect.all(attempts, { concurrency: "unbounded" })).flat()
        expect(grantedOk(outcomes)).toBe(3)
        expect(outcomes.filter((o) => o.decision._tag === "CapReached").length).toBe(47)
        expect((yield* ledger.balance(operator, Account.AccountId.make("w0"))).creditsPosted).toBe(3)
        const granted = outcomes.find((o) => o.outcome?.result === "Ok")!
        const [retry] = yield* earnings.earn(operator, {
          ledger: "tongzhou",
          claims: [claim(granted.claimId, "duty-volunteering")]
        })
        expect(retry).toMatchObject({ decision: { _tag: "Granted", amount: 1 }, outcome: { result: "Exists" } })
        // The next day has a cap of its own.
        const [tomorrow] = yield* earnings.earn(operator, {
          ledger: "tongzhou",
          claims: [{ ...claim("duty-next", "duty-volunteering"), occurredAt: t0 + day }]
        })
        expect(tomorrow?.outcome?.result).toBe("Ok")
        yield* LedgerSuite.invariants
      }))

    test("one sorting reward per household per bin station per day, under concurrency", () =>
      Effect.gen(function* () {
        yield* setUp
        const earnings = yield* Earnings
        const attempts = Array.from({ length: 12 }, (_, i) =>
          earnings.earn(operator, {
            ledger: "tongzhou",
            claims: [claim(`sort-${i}`, "correct-sorting", { resident: i % 3 })]
          })
        )
        const outcomes = (yield* Effect.all(attempts, { concurrency: "unbounded" })).flat()
        expect(grantedOk(outcomes)).toBe(1)
        expect(outcomes.filter((o) => o.decision._tag === "Duplicate").length).toBe(11)
        const more = yield* earnings.earn(operator, {
          ledger: "tongzhou",
          claims: [
            claim("sort-s2", "correct-sorting", { site: "s2" }),
            claim("sort-s2-again", "correct-sorting", { resident: 1, site: "s2" }),
            { ...claim("sort-tomorrow", "correct-sorting"), occurredAt: t0 + day },
            { ...claim("no-household", "correct-sorting"), householdReference: null },
            claim("unknown-rule", "swap-market")
          ]
        })
        expect(more.map((o) => o.decision._tag)).toEqual([
          "Granted",
          "Duplicate",
          "Granted",
          "HouseholdRequired",
          "RuleNotFound"
        ])
        yield* LedgerSuite.invariants
      }))

    test("points earned under the lock period stay pending until the release run", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const earnings = yield* Earnings
        const [earned] = yield* earnings.earn(operator, { ledger: "tongzhou", claims: [claim("event-1", "event")] })
        expect(earned?.outcome?.transfer?.flags.pending).toBe(true)
        const w0 = Account.AccountId.make("w0")
        expect(yield* ledger.balance(operator, w0)).toMatchObject({ creditsPending: 5, available: 0 })
        expect((yield* earnings.releaseLocks(operator, ledgerId)).released).toEqual([])
        yield* TestClock.adjust(3 * day)
        const run = yield* earnings.releaseLocks(operator, ledgerId)
        expect(run.released.map((o) => [o.id, o.result])).toEqual([[Lock.releaseId(earned!.claimId), "Ok"]])
        expect(yield* ledger.balance(operator, w0)).toMatchObject({ creditsPosted: 5, available: 5 })
        expect((yield* earnings.releaseLocks(operator, ledgerId)).released).toEqual([])
        yield* LedgerSuite.invariants
      }))

    test("concurrent redemptions of the last units never take stock below zero; points and stock agree", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const redemptions = yield* Redemptions
        yield* redemptions.defineMerchants(operator, [
          {
            id: "shop",
            ledger: "tongzhou",
            accountId: "m1",
            kind: "merchant",
            name: { zh: "小卖部", en: "Corner shop" }
          }
        ])
        yield* redemptions.defineItems(operator, [
          { merchantId: "shop", code: "soap", name: { zh: "肥皂", en: "Soap" }, pointCost: 5, stock: 3 },
          { merchantId: "shop", code: "bag", name: { zh: "垃圾袋", en: "Bin bags" }, pointCost: 2, stock: 10 }
        ])
        for (let i = 0; i < 10; i++) yield* fund(`w${i}`, 20)
        const attempts = Array.from({ length: 10 }, (_, i) =>
          redemptions.redeem(cashier, {
            id: `red-${i}`,
            merchantId: "shop",
            walletAccountId: `w${i}`,
            lines: [{ itemCode: "soap", quantity: 1 }]
          })
        )
        const results = yield* Effect.all(attempts, { concurrency: "unbounded" })
        const held = results.filter((r) => r.result === "Ok")
        expect(held.length).toBe(3)
        expect(results.filter((r) => r.result === "ExceedsStock").length).toBe(7)
        // A basket the wallet cannot pay is refused whole: nothing reserved.
        const poor = yield* redemptions.redeem(cashier, {
          id: "red-poor",
          merchantId: "shop",
          walletAccountId: held[0]!.outcomes[0]!.transfer!.debitAccountId,
          lines: [{ itemCode: "bag", quantity: 9 }]
        })
        expect(poor.result).toBe("ExceedsCredits")
        const [first, second, third] = held.map((r) => r.redemptionId)
        const handed = yield* redemptions.handOver(cashier, { redemptionId: first })
        expect(handed.result).toBe("Ok")
        expect((yield* redemptions.handOver(cashier, { redemptionId: first })).result).toBe("Exists")
        expect((yield* redemptions.cancel(cashier, { redemptionId: second })).result).toBe("Ok")
        expect((yield* redemptions.cancel(cashier, { redemptionId: first })).result).toBe("RedemptionAlreadyHandedOver")
        // The cancelled unit is free again; the third is still held.
        const again = yield* redemptions.redeem(cashier, {
          id: "red-again",
          merchantId: "shop",
          walletAccountId: "w9",
          lines: [
            { itemCode: "soap", quantity: 1 },
            { itemCode: "bag", quantity: 2 }
          ]
        })
        expect(again.result).toBe("Ok")
        expect(
          (yield* redemptions.redeem(cashier, {
            id: "red-none-left",
            merchantId: "shop",
            walletAccountId: "w8",
            lines: [{ itemCode: "soap", quantity: 1 }]
          })).result
        ).toBe("ExceedsStock")
        expect(
          (yield* redemptions.handOver(cashier, {
            redemptionId: "red-again",
            lines: [
              { itemCode: "soap", quantity: 1 },
              { itemCode: "bag", quantity: 1 }
            ]
          })).result
        ).toBe("Ok")
        // A basket not handed over in time takes nothing: the hold times out.
        yield* TestClock.adjust(1_000_000)
        expect((yield* redemptions.handOver(cashier, { redemptionId: third })).result).toBe("RedemptionExpired")
        const run = yield* ledger.expire(operator, ledgerId)
        expect(run.voided.map((o) => o.result)).toEqual(["Ok"])
        expect((yield* redemptions.cancel(cashier, { redemptionId: third })).result).toBe("Exists")

        const catalogue = yield* redemptions.catalogue(operator, Redemption.MerchantId.make("shop"))
        const stock = new Map<string, number>(catalogue.items.map((item) => [item.code, item.stock]))
        expect(Object.fromEntries(stock)).toEqual({ bag: 9, soap: 1 })
        const report = yield* redemptions.settlement(operator, { merchantId: "shop", period: "2023-06" })
        expect(report.unmatched).toBe(0)
        expect(report.lines.map((line) => [line.itemCode, line.handedOver, line.points])).toEqual([
          ["bag", 1, 2],
          ["soap", 2, 10]
        ])
        expect(report.totals).toMatchObject({ voids: 1, voidedPoints: 5, timeouts: 1, timedOutPoints: 5 })
        expect(3 - (stock.get("soap") ?? 0)).toBe(report.lines.find((line) => line.itemCode === "soap")!.handedOver)
        const merchant = yield* ledger.balance(operator, Account.AccountId.make("m1"))
        expect(merchant).toMatchObject({ creditsPosted: report.totals.points, creditsPending: 0 })
        // Stock can be adjusted once per id, never below what is reserved.
        const restocked = yield* redemptions.adjustStock(operator, {
          id: "restock-1",
          merchantId: "shop",
          itemCode: "soap",
          delta: 4
        })
        expect(restocked.stock).toBe(5)
        expect(
          (yield* redemptions.adjustStock(operator, {
            id: "restock-1",
            merchantId: "shop",
            itemCode: "soap",
            delta: 4
          })).stock
        ).toBe(5)
        const conflict = yield* Effect.either(
          redemptions.adjustStock(operator, { id: "restock-1", merchantId: "shop", itemCode: "soap", delta: 5 })
        )
        expect(Either.isLeft(conflict) && conflict.left._tag).toBe("Conflict")
        const below = yield* Effect.either(
          redemptions.adjustStock(operator, { id: "write-off", merchantId: "shop", itemCode: "soap", delta: -6 })
        )
        expect(Either.isLeft(below) && below.left._tag).toBe("Invalid")
        yield* LedgerSuite.invariants
      }))

    test("batches of redemptions, hand-overs and cancellations answer as the same steps one at a time", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const redemptions = yield* Redemptions
        const auditLog = yield* AuditLog.AuditLog
        yield* ledger.createAccounts(operator, [{ id: "m2", ledger: "tongzhou", code: "merchant" }])
        // Two copies of one world: shop "one" served one step at a time (wallets w0–w4), shop "many"
        // in batches (wallets w5–w9).
        const worlds = [
          { shop: "one", account: "m1", wallet: (i: number) => `w${i}` },
          { shop: "many", account: "m2", wallet: (i: number) => `w${i + 5}` }
        ] as const
        yield* redemptions.defineMerchants(
          operator,
          worlds.map((w) => ({
            id: w.shop,
            ledger: "tongzhou",
            accountId: w.account,
            kind: "merchant",
            name: { zh: "小卖部", en: "Corner shop" }
          }))
        )
        yield* redemptions.defineItems(
          operator,
          worlds.flatMap((w) => [
            { merchantId: w.shop, code: "soap", name: { zh: "肥皂", en: "Soap" }, pointCost: 5, stock: 3 },
            { merchantId: w.shop, code: "bag", name: { zh: "垃圾袋", en: "Bin bags" }, pointCost: 2, stock: 10 }
          ])
        )
        for (const w of worlds) {
          for (const [i, points] of [20, 20, 3, 20, 20].entries()) yield* fund(w.wallet(i), points)
        }
        const baskets = (w: (typeof worlds)[number]) => {
          const basket = (id: string, wallet: number, lines: ReadonlyArray<readonly [string, number]>) => ({
            id: `${w.shop}-${id}`,
            merchantId: w.shop,
            walletAccountId: w.wallet(wallet),
            lines: lines.map(([itemCode, quantity]) => ({ itemCode, quantity }))
          })
          return [
            basket("r1", 0, [["soap", 2]]),
            basket("r2", 1, [["soap", 2]]), // ExceedsStock: r1 reserves 2 of 3
            basket("r3", 2, [["bag", 2]]), // ExceedsCredits: 4 points, the wallet has 3
            basket("r4", 1, [["soap", 1]]),
            basket("r1", 0, [["soap", 2]]), // a retry: Exists
            basket("r5", 3, [
              ["bag", 1],
              ["bag", 1]
            ]), // LinesMustHaveDistinctItems
            basket("r6", 0, [["bag", 5]]), // 10 points: what r1 left in the wallet
            basket("r7", 0, [["bag", 1]]) // ExceedsCredits
          ]
        }
        const handOvers = (w: (typeof worlds)[number]) => [
          { redemptionId: `${w.shop}-r1` },
          { redemptionId: `${w.shop}-r6`, lines: [{ itemCode: "bag", quantity: 3 }] },
          { redemptionId: `${w.shop}-r1` }, // a retry: Exists
          { redemptionId: `${w.shop}-r9` } // RedemptionNotFound
        ]
        const cancels = (w: (typeof worlds)[number]) => [`${w.shop}-r4`, `${w.shop}-r1`, `${w.shop}-r4`]
        const [one, many] = worlds
        const tags = (results: ReadonlyArray<{ readonly result: string }>) => results.map((r) => r.result)

        const singles = {
          redeemed: yield* Effect.forEach(baskets(one), (basket) => redemptions.redeem(cashier, basket)),
          handed: yield* Effect.forEach(handOvers(one), (handOver) => redemptions.handOver(cashier, handOver)),
          cancelled: yield* Effect.forEach(cancels(one), (redemptionId) =>
            redemptions.cancel(cashier, { redemptionId })
          )
        }
        // Bad input anywhere in a batch fails it whole, naming the step and the field: nothing written.
        const bad = yield* Effect.either(
          redemptions.redeemMany(cashier, [
            baskets(many)[0],
            { ...baskets(many)[3]!, lines: [{ itemCode: "soap", quantity: 0 }] }
          ])
        )
        expect(Either.isLeft(bad) && bad.left._tag).toBe("Invalid")
        expect(Either.isLeft(bad) && bad.left._tag === "Invalid" && bad.left.issues[0]!.path).toEqual([
          1,
          "lines",
          0,
          "quantity"
        ])
        expect(tags(yield* redemptions.handOverMany(cashier, [{ redemptionId: `${many.shop}-r1` }]))).toEqual([
          "RedemptionNotFound"
        ])
        const forbidden = yield* Effect.either(redemptions.redeemMany(teacher, baskets(many)))
        expect(Either.isLeft(forbidden) && forbidden.left._tag).toBe("Forbidden")

        const batches = {
          redeemed: yield* redemptions.redeemMany(cashier, baskets(many)),
          handed: yield* redemptions.handOverMany(cashier, handOvers(many)),
          cancelled: yield* redemptions.cancelMany(
            cashier,
            cancels(many).map((redemptionId) => ({ redemptionId }))
          )
        }
        expect(tags(batches.redeemed)).toEqual([
          "Ok",
          "ExceedsStock",
          "ExceedsCredits",
          "Ok",
          "Exists",
          "LinesMustHaveDistinctItems",
          "Ok",
          "ExceedsCredits"
        ])
        expect(tags(batches.handed)).toEqual(["Ok", "Ok", "Exists", "RedemptionNotFound"])
        expect(tags(batches.cancelled)).toEqual(["Ok", "RedemptionAlreadyHandedOver", "Exists"])
        for (const step of ["redeemed", "handed", "cancelled"] as const) {
          expect(tags(batches[step])).toEqual(tags(singles[step]))
          expect(batches[step].map((r) => r.itemCode)).toEqual(singles[step].map((r) => r.itemCode))
          expect(batches[step].map((r) => r.outcomes.map((o) => o.result))).toEqual(
            singles[step].map((r) => r.outcomes.map((o) => o.result))
          )
        }
        // The same stock, balances and settlement in both worlds.
        const stateOf = (w: (typeof worlds)[number]) =>
          Effect.gen(function* () {
            const catalogue = yield* redemptions.catalogue(operator, Redemption.MerchantId.make(w.shop))
            const wallets = yield* Effect.forEach([0, 1, 2, 3, 4], (i) =>
              ledger.balance(operator, Account.AccountId.make(w.wallet(i)))
            )
            const merchant = yield* ledger.balance(operator, Account.AccountId.make(w.account))
            const report = yield* redemptions.settlement(operator, { merchantId: w.shop, period: "2023-06" })
            return {
              stock: catalogue.items.map((item) => [item.code, item.stock]),
              wallets: wallets.map((b) => [b.debitsPosted, b.debitsPending, b.available]),
              merchant: [merchant.creditsPosted, merchant.creditsPending],
              lines: report.lines.map((line) => [line.itemCode, line.handedOver, line.points]),
              totals: report.totals
            }
          })
        const batched = yield* stateOf(many)
        expect(batched).toEqual(yield* stateOf(one))
        expect(batched.stock).toEqual([
          ["bag", 7],
          ["soap", 1]
        ])
        // A retried batch changes nothing: every step answers as a retry, nothing is appended.
        const entriesOf = Effect.map(auditLog.verify(operator), (v) => (v._tag === "Intact" ? v.entries : -1))
        const entries = yield* entriesOf
        const accepted = baskets(many).filter((_, i) => batches.redeemed[i]!.result === "Ok")
        expect(tags(yield* redemptions.redeemMany(cashier, accepted))).toEqual(["Exists", "Exists", "Exists"])
        expect(tags(yield* redemptions.handOverMany(cashier, handOvers(many)))).toEqual([
          "Exists",
          "Exists",
          "Exists",
          "RedemptionNotFound"
        ])
        expect(yield* entriesOf).toBe(entries)
        expect(yield* stateOf(many)).toEqual(batched)
        yield* LedgerSuite.invariants
      }))

    test("a move-out expires what is due, moves an equal share keeping its expiry, and conserves points", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const households = yield* Households
        yield* households.createHouseholds(operator, [
          { reference: "h1", ledger: "tongzhou", walletAccountId: "h1-wallet" }
        ])
        expect(
          yield* households.createHouseholds(operator, [
            { reference: "h1", ledger: "tongzhou", walletAccountId: "h1-wallet" }
          ])
        ).toHaveLength(1)
        yield* households.join(operator, { householdReference: "h1", residentReference: "r1" })
        yield* households.join(operator, { householdReference: "h1", residentReference: "r2" })
        const rejoin = yield* households.join(operator, { householdReference: "h1", residentReference: "r2" })
        expect(rejoin.from).toBe(t0)
        yield* ledger.createTransfers(operator, [
          {
            id: "old",
            debitAccountId: "budget",
            creditAccountId: "h1-wallet",
            amount: 10,
            ledger: "tongzhou",
            code: "correct-sorting"
          }
        ])
        yield* TestClock.adjust(10 * day)
        yield* ledger.createTransfers(operator, [
          {
            id: "new",
            debitAccountId: "budget",
            creditAccountId: "h1-wallet",
            amount: 11,
            ledger: "tongzhou",
            code: "correct-sorting"
          }
        ])
        yield* TestClock.adjust(25 * day)
        const before = yield* ledger.reconcile(operator)
        const moved = yield* households.moveOut(operator, {
          id: "move-1",
          householdReference: "h1",
          residentReference: "r1",
          toAccountId: "w1"
        })
        expect(moved).toMatchObject({ result: "Ok", expired: 10, share: 5 })
        expect(moved.membership?.endedBy).toBe("move-1")
        const retried = yield* households.moveOut(operator, {
          id: "move-1",
          householdReference: "h1",
          residentReference: "r1",
          toAccountId: "w1"
        })
        expect(retried.result).toBe("Exists")
        const lots = yield* ledger.lots(operator, Account.AccountId.make("w1"))
        expect(lots.map((lot) => [lot.remaining, lot.expiresAt])).toEqual([
          [5, Lots.expiresAt(lotPolicy, t0 + 10 * day)]
        ])
        const balanceOf = (id: string) => Effect.map(ledger.balance(operator, Account.AccountId.make(id)), (b) => b)
        expect((yield* balanceOf("h1-wallet")).available).toBe(6)
        expect((yield* balanceOf("w1")).available).toBe(5)
        expect((yield* balanceOf("expired")).creditsPosted).toBe(10)
        const members = yield* households.household(operator, "h1")
        expect(members.members.map((m) => m.residentReference)).toEqual(["r2"])
        const notMember = yield* households.moveOut(operator, {
          id: "move-2",
          householdReference: "h1",
          residentReference: "r1",
          toAccountId: "w1"
        })
        expect(notMember.result).toBe("ResidentNotMember")
        const elsewhere = yield* Effect.either(
          households
            .join(operator, { householdReference: "h1", residentReference: "r2" })
            .pipe(
              Effect.zipRight(
                households.createHouseholds(operator, [{ reference: "h2", ledger: "tongzhou", walletAccountId: "w3" }])
              )
            )
        )
        expect(Either.isLeft(elsewhere) && elsewhere.left._tag).toBe("Invalid")
        expect(before.drifts).toEqual([])
        yield* LedgerSuite.invariants
      }))

    test("a certified task is credited exactly once, even with concurrent certifications", () =>
      Effect.gen(function* () {
        const ledger = yield* setUp
        const tasks = yield* Tasks
        const assign = {
          id: "task-1",
          ledger: "tongzhou",
          points: 8,
          budgetAccountId: "budget",
          walletAccountId: "w4",
          assigneeReference: "student-4"
        }
        const assigned = yield* tasks.assign(teacher, assign)
        expect(assigned.task).toMatchObject({ status: "assigned", version: 1 })
        expect((yield* tasks.assign(teacher, assign)).replayed).toBe(true)
        const changed = yield* Effect.either(tasks.assign(teacher, { ...assign, points: 9 }))
        expect(Either.isLeft(changed) && changed.left._tag).toBe("Conflict")
        const early = yield* Effect.either(tasks.certify(teacher, { taskId: "task-1" }))
        expect(Either.isLeft(early) && early.left._tag).toBe("Invalid")
        yield* tasks.complete(parent, { taskId: "task-1" })
        const stale = yield* Effect.either(tasks.complete(parent, { taskId: "task-1", expectedVersion: 1 }))
        expect(Either.isLeft(stale) && stale.left._tag).toBe("Conflict")
        const selfCertify = yield* Effect.either(
          tasks.certify(actor("parent", "property-manager"), { taskId: "task-1" })
        )
        expect(Either.isLeft(selfCertify) && selfCertify.left._tag).toBe("Forbidden")
        const certifiers = Array.from({ length: 8 }, (_, i) =>
          tasks.certify(actor(`certifier-${i}`, i % 2 === 0 ? "school-teacher" : "property-manager"), {
            taskId: "task-1"
          })
        )
        const results = yield* Effect.all(certifiers, { concurrency: "unbounded" })
        expect(results.every((r) => r.task.status === "credited")).toBe(true)
        expect(results.filter((r) => !r.replayed).length).toBe(1)
        expect(results.filter((r) => r.credit?.result === "Ok").length).toBe(1)
        const credits = yield* ledger.lookupTransfers(operator, [
          CertifiedTask.creditId(CertifiedTask.TaskId.make("task-1"))
        ])
        expect(credits.map((t) => t.amount)).toEqual([8])
        expect((yield* ledger.balance(operator, Account.AccountId.make("w4"))).creditsPosted).toBe(8)
        expect((yield* tasks.task(operator, CertifiedTask.TaskId.make("task-1"))).status).toBe("credited")
        expect((yield* tasks.tasksOf(operator, "student-4")).map((t) => t.id)).toEqual(["task-1"])
        yield* LedgerSuite.invariants
      }))

    test("checks permissions and writes nothing when refused", () =>
      Effect.gen(function* () {
        yield* setUp
        const earnings = yield* Earnings
        const redemptions = yield* Redemptions
        const log = yield* AuditLog.AuditLog
        const before = (yield* log.read(operator)).length
        const earn = yield* Effect.either(earnings.earn(cashier, { ledger: "tongzhou", claims: [claim("c", "event")] }))
        expect(Either.isLeft(earn) && earn.left._tag).toBe("Forbidden")
        const define = yield* Effect.either(redemptions.defineItems(cashier, []))
        expect(Either.isLeft(define) && define.left._tag).toBe("Forbidden")
        const assign = yield* Effect.either(
          (yield* Tasks).assign(parent, {
            id: "t",
            ledger: "tongzhou",
            points: 1,
            budgetAccountId: "budget",
            walletAccountId: "w1",
            assigneeReference: "s"
          })
        )
        expect(Either.isLeft(assign) && assign.left._tag).toBe("Forbidden")
        const bad = yield* Effect.either(
          earnings.earn(operator, { ledger: "tongzhou", claims: [{ ...claim("c", "event"), occurredAt: -1 }] })
        )
        expect(Either.isLeft(bad) && bad.left._tag === "Invalid" && bad.left.issues[0]?.path).toEqual([
          "claims",
          0,
          "occurredAt"
        ])
        const unknown = yield* Effect.either(earnings.earn(operator, { ledger: "elsewhere", claims: [] }))
        expect(Either.isLeft(unknown) && unknown.left._tag).toBe("NotFound")
        expect((yield* log.read(operator)).length).toBe(before)
        expect((yield* log.verify(operator))._tag).toBe("Intact")
      }))
  })
}
