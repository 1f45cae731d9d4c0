import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { Either } from "effect"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as Posting from "../src/Posting.js"
import * as Redemption from "../src/Redemption.js"
import * as Transfer from "../src/Transfer.js"
import { account, type Book, book, input, ledger, load, post, results, write } from "./Book.js"

/** 2023-06-01 10:00 in Beijing. */
const t0 = Date.UTC(2023, 5, 1, 2)
const second = 1000
const merchantId = Redemption.MerchantId.make("shop-1")
const merchant = Redemption.Merchant.make({
  id: merchantId,
  ledger,
  accountId: Account.AccountId.make("m1"),
  kind: "merchant",
  name: Redemption.Name.make({ zh: "便民超市", en: "Corner shop" })
})
const code = (text: string) => Redemption.ItemCode.make(text)
const item = (text: string, pointCost: number, stock: number) =>
  Redemption.Item.make({
    merchantId,
    code: code(text),
    name: Redemption.Name.make({ zh: `商品${text}`, en: `Item ${text}` }),
    pointCost,
    stock
  })
const catalogue = () =>
  new Map<string, Redemption.Item>([
    ["soap", item("soap", 10, 5)],
    ["bags", item("bags", 3, 2)],
    ["rice", item("rice", 50, 1)]
  ])

interface World {
  readonly book: Book
  readonly items: Map<string, Redemption.Item>
}

const world = (): World => {
  const current = book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("w1", "resident-wallet"),
    account("w2", "resident-wallet"),
    account("w3", "resident-wallet"),
    account("m1", "merchant")
  ])
  post(
    current,
    [
      input({ id: "fund", debit: "reserve", credit: "budget", amount: 10_000, code: "fund-allocation" }),
      input({ id: "e1", debit: "budget", credit: "w1", amount: 200 }),
      input({ id: "e2", debit: "budget", credit: "w2", amount: 60 }),
      input({ id: "e3", debit: "budget", credit: "w3", amount: 15 })
    ],
    t0
  )
  return { book: current, items: catalogue() }
}

const resolutions = (current: Book): Map<string, Transfer.Transfer> => {
  const found = new Map<string, Transfer.Transfer>()
  for (const transfer of current.transfers.values()) {
    if (transfer.pendingId !== null) found.set(transfer.pendingId, transfer)
  }
  return found
}

const openHolds = (current: Book): ReadonlyArray<Transfer.Transfer> => {
  const resolved = resolutions(current)
  return [...current.transfers.values()].filter((t) => Redemption.isHold(t) && !resolved.has(t.id))
}

/** Submits a plan's transfers through the posting core and writes the stock that follows. */
const submit = (w: World, plan: Redemption.Plan, now: number): Posting.PostingPlan => {
  const posted = post(w.book, plan.transfers, now)
  for (const next of Redemption.stockAfter(plan, posted.outcomes)) w.items.set(next.code, next)
  return posted
}

const redeem = (w: World, request: Redemption.Redeem, now: number) => {
  const stored = new Map<string, Transfer.Transfer>()
  for (const line of request.lines) {
    const found = w.book.transfers.get(Redemption.holdId(request.id, line.itemCode))
    if (found !== undefined) stored.set(found.id, found)
  }
  return Redemption.redeem({ merchant, items: w.items, openHolds: openHolds(w.book), stored }, request, now)
}

const resolveState = (w: World): Redemption.ResolveState => ({
  holds: [...w.book.transfers.values()].filter(Redemption.isHold),
  resolutions: resolutions(w.book),
  items: w.items
})

const basket = (id: string, wallet: string, lines: ReadonlyArray<readonly [string, number]>, timeoutSeconds = 900) =>
  Redemption.Redeem.make({
    id: Redemption.RedemptionId.make(id),
    merchantId,
    walletAccountId: Account.AccountId.make(wallet),
    lines: lines.map(([itemCode, quantity]) => Redemption.Line.make({ itemCode: code(itemCode), quantity })),
    timeoutSeconds
  })

const rid = (id: string) => Redemption.RedemptionId.make(id)

const ok = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) expect.fail(`refused: ${JSON.stringify(either.left)}`)
  return (either as Either.Right<E, A>).right
}

const refusal = <A>(either: Either.Either<A, Redemption.Refusal>) =>
  Either.isLeft(either) ? either.left._tag : "accepted"

/** The timeout run, as `Ledger.expire` does it: voids every due hold with the derived id. */
const timeoutRun = (w: World, now: number) => {
  const due = openHolds(w.book).filter((hold) => {
    const deadline = Transfer.deadline(hold)
    return deadline !== null && deadline <= now
  })
  const inputs = due.map((hold) =>
    Transfer.TransferInput.make({
      id: Transfer.timeoutVoidId(hold.id),
      pendingId: hold.id,
      flags: Transfer.TransferFlags.make({ voidPending: true })
    })
  )
  if (inputs.length > 0) post(w.book, inputs, now)
}

const report = (w: World, from = 0, to = Number.MAX_SAFE_INTEGER) =>
  Redemption.settlement({ accountId: merchant.accountId, transfers: w.book.transfers.values(), from, to })

describe("Redemption", () => {
  it("reads back the source references it writes, and nothing else", () => {
    const ref = Redemption.reference(Redemption.MerchantId.make("district:shop.1"), code("soap"), 3)
    expect(ref).toBe("redemption:district:shop.1:soap:3")
    expect(Redemption.parseReference(ref)).toEqual({ merchantId: "district:shop.1", itemCode: "soap", quantity: 3 })
    for (const other of [null, "inspection-1", "redemption:soap:3", "redemption:shop:so.ap:3", "redemption:s:soap:x"]) {
      expect(Redemption.parseReference(other)).toBeNull()
    }
  })

  it("holds a basket at the counter as linked holds, reserving stock", () => {
    const w = world()
    const plan = ok(
      redeem(
        w,
        basket("r1", "w1", [
          ["soap", 2],
          ["bags", 1]
        ]),
        t0
      )
    )
    expect(plan.replayed).toBe(false)
    expect(plan.transfers.map((t) => [t.id, t.amount, t.flags.pending, t.flags.linked, t.sourceReference])).toEqual([
      ["redemption.r1.soap", 20, true, true, "redemption:shop-1:soap:2"],
      ["redemption.r1.bags", 3, true, false, "redemption:shop-1:bags:1"]
    ])
    expect(results(submit(w, plan, t0))).toEqual(["Ok", "Ok"])
    expect(Account.available(w.book.accounts.get("w1")!)).toBe(177)
    expect(w.book.accounts.get("m1")!.creditsPending).toBe(23)
    // Stock is on the shelf still; 2 of 5 soaps and 1 of 2 bags are reserved.
    expect(w.items.get("soap")!.stock).toBe(5)
    expect(Redemption.reservedUnits(openHolds(w.book), merchantId, t0)).toEqual(
      new Map([
        ["soap", 2],
        ["bags", 1]
      ])
    )
    expect(refusal(redeem(w, basket("r2", "w2", [["bags", 2]]), t0))).toBe("ExceedsStock")
    expect(ok(redeem(w, basket("r2", "w2", [["bags", 1]]), t0)).transfers).toHaveLength(1)
  })

  it("refuses in order of precedence", () => {
    const w = world()
    submit(w, ok(redeem(w, basket("r1", "w1", [["soap", 1]]), t0)), t0)
    expect(
      refusal(
        redeem(
          w,
          basket("r1", "w1", [
            ["soap", 1],
            ["bags", 1]
          ]),
          t0
        )
      )
    ).toBe("RedemptionExistsWithDifferentLines")
    const state = { merchant, items: w.items, openHolds: [], stored: new Map() }
    expect(refusal(Redemption.redeem({ ...state, merchant: undefined }, basket("x", "w1", [["soap", 1]]), t0))).toBe(
      "MerchantNotFound"
    )
    const closed = Redemption.Merchant.make({ ...merchant, closed: true })
    expect(refusal(Redemption.redeem({ ...state, merchant: closed }, basket("x", "w1", [["soap", 1]]), t0))).toBe(
      "MerchantClosed"
    )
    expect(
      refusal(
        redeem(
          w,
          basket("x", "w1", [
            ["soap", 1],
            ["soap", 2]
          ]),
          t0
        )
      )
    ).toBe("LinesMustHaveDistinctItems")
    expect(
      refusal(
        redeem(
          w,
          basket("x", "w1", [
            ["soap", 1],
            ["tea", 1]
          ]),
          t0
        )
      )
    ).toBe("ItemNotFound")
    w.items.set("rice", Redemption.Item.make({ ...w.items.get("rice")!, offered: false }))
    expect(refusal(redeem(w, basket("x", "w1", [["rice", 1]]), t0))).toBe("ItemNotOffered")
    expect(refusal(redeem(w, basket("x", "w1", [["soap", 5]]), t0))).toBe("ExceedsStock")
    expect(refusal(redeem(w, basket("x", "w1", [["soap", 4]]), t0))).toBe("accepted")
  })

  it("leaves the wallet check to posting: a basket the wallet cannot pay reserves nothing", () => {
    const w = world()
    const plan = ok(
      redeem(
        w,
        basket("r1", "w3", [
          ["bags", 1],
          ["rice", 1]
        ]),
        t0
      )
    )
    expect(results(submit(w, plan, t0))).toEqual(["LinkedEventFailed", "ExceedsCredits"])
    expect(openHolds(w.book)).toEqual([])
  })

  it("hands over, fully or partly, taking the items out of stock once", () => {
    const w = world()
    submit(
      w,
      ok(
        redeem(
          w,
          basket("r1", "w1", [
            ["soap", 3],
            ["bags", 2],
            ["rice", 1]
          ]),
          t0
        )
      ),
      t0
    )
    const request = Redemption.HandOver.make({
      redemptionId: rid("r1"),
      lines: [
        Redemption.HandedLine.make({ itemCode: code("soap"), quantity: 2 }),
        Redemption.HandedLine.make({ itemCode: code("rice"), quantity: 1 })
      ]
    })
    const plan = ok(Redemption.handOver(resolveState(w), request, t0 + 60 * second))
    expect(
      plan.transfers.map((t) => [t.id, t.amount, t.flags.postPending, t.flags.voidPending, t.flags.linked])
    ).toEqual([
      ["cancel.redemption.r1.bags", null, false, true, true],
      ["handover.redemption.r1.rice", 50, true, false, true],
      ["handover.redemption.r1.soap", 20, true, false, false]
    ])
    expect(results(submit(w, plan, t0 + 60 * second))).toEqual(["Ok", "Ok", "Ok"])
    expect([...w.items.values()].map((i) => [i.code, i.stock])).toEqual([
      ["soap", 3],
      ["bags", 2],
      ["rice", 0]
    ])
    expect(w.book.accounts.get("w1")).toMatchObject({ debitsPosted: 70, debitsPending: 0 })
    // A retry asks for the same transfers, which posting answers Exists, and takes no stock.
    const again = ok(Redemption.handOver(resolveState(w), request, t0 + 61 * second))
    expect(again.replayed).toBe(true)
    expect(results(submit(w, again, t0 + 61 * second))).toEqual(["Exists", "Exists", "Exists"])
    expect(w.items.get("soap")!.stock).toBe(3)
    // Anything else on a handed-over redemption is refused.
    expect(
      refusal(Redemption.handOver(resolveState(w), Redemption.HandOver.make({ redemptionId: rid("r1") }), t0))
    ).toBe("RedemptionAlreadyHandedOver")
    expect(refusal(Redemption.cancel(resolveState(w), rid("r1"), t0))).toBe("RedemptionAlreadyHandedOver")
  })

  it("refuses hand-overs that do not fit the holds", () => {
    const w = world()
    submit(w, ok(redeem(w, basket("r1", "w1", [["soap", 2]]), t0)), t0)
    const handed = (lines: ReadonlyArray<readonly [string, number]>) =>
      Redemption.HandOver.make({
        redemptionId: rid("r1"),
        lines: lines.map(([itemCode, quantity]) => Redemption.HandedLine.make({ itemCode: code(itemCode), quantity }))
      })
    const state = resolveState(w)
    expect(refusal(Redemption.handOver(state, Redemption.HandOver.make({ redemptionId: rid("nope") }), t0))).toBe(
      "RedemptionNotFound"
    )
    expect(refusal(Redemption.handOver(state, handed([["bags", 1]]), t0))).toBe("LineNotHeld")
    expect(refusal(Redemption.handOver(state, handed([["soap", 3]]), t0))).toBe("ExceedsHeldQuantity")
    expect(refusal(Redemption.handOver(state, handed([["soap", 0]]), t0))).toBe("NothingHandedOver")
    expect(refusal(Redemption.handOver(state, handed([]), t0 + 900 * second))).toBe("RedemptionExpired")
  })

  it("cancels, and a timeout releases the stock at the deadline, before any run", () => {
    const w = world()
    submit(w, ok(redeem(w, basket("r1", "w1", [["rice", 1]], 60), t0)), t0)
    expect(refusal(redeem(w, basket("r2", "w2", [["rice", 1]]), t0 + 59 * second))).toBe("ExceedsStock")
    // The deadline has passed: the unit is free again, though the hold is not voided yet.
    const plan = ok(redeem(w, basket("r2", "w2", [["rice", 1]]), t0 + 60 * second))
    expect(results(submit(w, plan, t0 + 60 * second))).toEqual(["Ok"])
    // The first hold can no longer be handed over; cancelling it writes the timeout's void.
    expect(
      refusal(
        Redemption.handOver(resolveState(w), Redemption.HandOver.make({ redemptionId: rid("r1") }), t0 + 61 * second)
      )
    ).toBe("RedemptionExpired")
    const cancelled = ok(Redemption.cancel(resolveState(w), rid("r1"), t0 + 61 * second))
    expect(cancelled.transfers.map((t) => t.id)).toEqual([
      Transfer.timeoutVoidId(Redemption.holdId(rid("r1"), code("rice")))
    ])
    submit(w, cancelled, t0 + 61 * second)
    const r2 = ok(Redemption.cancel(resolveState(w), rid("r2"), t0 + 62 * second))
    expect(r2.transfers.map((t) => t.id)).toEqual(["cancel.redemption.r2.rice"])
    submit(w, r2, t0 + 62 * second)
    expect(ok(Redemption.cancel(resolveState(w), rid("r2"), t0 + 63 * second)).replayed).toBe(true)
    expect(report(w).lines).toEqual([
      expect.objectContaining({ itemCode: "rice", voids: 1, voidedPoints: 50, timeouts: 1, timedOutPoints: 50 })
    ])
    expect(w.items.get("rice")!.stock).toBe(1)
    expect(w.book.accounts.get("w1")).toMatchObject({ debitsPosted: 0, debitsPending: 0 })
  })

  it("decides on a caller's tally of reserved units as on the open holds it is counted from", () => {
    const w = world()
    submit(w, ok(redeem(w, basket("r1", "w1", [["soap", 3]]), t0)), t0)
    submit(w, ok(redeem(w, basket("r2", "w2", [["bags", 1]]), t0)), t0)
    const holds = openHolds(w.book)
    const tally = Redemption.reservedUnits(holds, merchantId, t0)
    expect(Object.fromEntries(tally)).toEqual({ soap: 3, bags: 1 })
    for (const request of [
      basket("r3", "w1", [["soap", 2]]),
      basket("r4", "w1", [["soap", 3]]),
      basket("r5", "w3", [["bags", 1]]),
      basket("r6", "w3", [["bags", 2]])
    ]) {
      const state = { merchant, items: w.items, stored: new Map<string, Transfer.Transfer>() }
      expect(Redemption.redeem({ ...state, openHolds: [], reserved: tally }, request, t0)).toEqual(
        Redemption.redeem({ ...state, openHolds: holds }, request, t0)
      )
    }
    // The tally, when given, is what counts: the holds are not read again.
    const state = { merchant, items: w.items, openHolds: holds, stored: new Map<string, Transfer.Transfer>() }
    expect(refusal(Redemption.redeem({ ...state, reserved: new Map() }, basket("r7", "w1", [["soap", 3]]), t0))).toBe(
      "accepted"
    )
    expect(refusal(Redemption.redeem(state, basket("r7", "w1", [["soap", 3]]), t0))).toBe("ExceedsStock")
  })

  it("never lets stock fall below what open holds reserve", () => {
    const w = world()
    submit(w, ok(redeem(w, basket("r1", "w1", [["soap", 4]]), t0)), t0)
    const reserved = Redemption.reservedUnits(openHolds(w.book), merchantId, t0).get("soap") ?? 0
    expect(refusal(Redemption.adjustStock(w.items.get("soap")!, -2, reserved))).toBe("StockBelowReserved")
    expect(ok(Redemption.adjustStock(w.items.get("soap")!, -1, reserved)).stock).toBe(4)
    expect(ok(Redemption.adjustStock(w.items.get("soap")!, 10, reserved)).stock).toBe(15)
  })

  it("reports a merchant's period from transfers: hand-overs, voids, timeouts and refunds", () => {
    const w = world()
    const june2 = Date.UTC(2023, 5, 2, 2)
    submit(
      w,
      ok(
        redeem(
          w,
          basket("r1", "w1", [
            ["soap", 2],
            ["bags", 1]
          ]),
          t0
        )
      ),
      t0
    )
    submit(w, ok(Redemption.handOver(resolveState(w), Redemption.HandOver.make({ redemptionId: rid("r1") }), t0)), t0)
    // Held on the 1st, handed over on the 2nd: it counts on the 2nd.
    submit(w, ok(redeem(w, basket("r2", "w2", [["soap", 1]], 86_400), t0 + 3_600 * second)), t0 + 3_600 * second)
    submit(
      w,
      ok(Redemption.handOver(resolveState(w), Redemption.HandOver.make({ redemptionId: rid("r2") }), june2)),
      june2
    )
    submit(w, ok(redeem(w, basket("r3", "w2", [["bags", 1]], 60), june2)), june2)
    timeoutRun(w, june2 + 60 * second)
    post(
      w.book,
      [
        input({
          id: "refund",
          debit: "m1",
          credit: "w1",
          amount: 10,
          code: "reversal",
          reversesId: "handover.redemption.r1.soap"
        })
      ],
      june2
    )
    const day1 = Redemption.periodBounds(Period.containing("Day", Period.dayOfInstant(t0, 480)), 480)
    expect(day1).toEqual({ from: Date.UTC(2023, 4, 31, 16), to: Date.UTC(2023, 5, 1, 16) })
    const first = report(w, day1.from, day1.to)
    expect(first.lines.map((l) => [l.itemCode, l.handedOver, l.points])).toEqual([
      ["bags", 1, 3],
      ["soap", 2, 20]
    ])
    const second2 = report(w, day1.to, day1.to + 86_400_000)
    expect(second2.lines).toEqual([
      {
        itemCode: "bags",
        handedOver: 0,
        points: 0,
        voids: 0,
        voidedPoints: 0,
        timeouts: 1,
        timedOutPoints: 3,
        refundedPoints: 0
      },
      {
        itemCode: "soap",
        handedOver: 1,
        points: 10,
        voids: 0,
        voidedPoints: 0,
        timeouts: 0,
        timedOutPoints: 0,
        refundedPoints: 10
      }
    ])
    expect(second2.unmatched).toBe(0)
    // Without the holds, resolutions cannot be attributed: they are counted as unmatched.
    const partial = Redemption.settlement({
      accountId: merchant.accountId,
      transfers: [...w.book.transfers.values()].filter((t) => !t.flags.pending),
      from: day1.to,
      to: day1.to + 86_400_000
    })
    // r2's hand-over, r3's timeout, and the refund of a hand-over whose hold is missing.
    expect(partial.unmatched).toBe(3)
  })

  it("keeps stock non-negative and stock, points and the report in agreement, whatever happens at the counter", () => {
    const items = ["soap", "bags", "rice"] as const
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("redeem" as const),
        id: fc.integer({ min: 0, max: 7 }),
        wallet: fc.constantFrom("w1", "w2", "w3"),
        lines: fc.uniqueArray(fc.tuple(fc.constantFrom(...items), fc.integer({ min: 1, max: 3 })), {
          minLength: 1,
          maxLength: 3,
          selector: ([itemCode]) => itemCode
        }),
        timeout: fc.constantFrom(30, 300)
      }),
      fc.record({
        kind: fc.constant("handOver" as const),
        id: fc.integer({ min: 0, max: 7 }),
        partial: fc.option(
          fc.array(fc.tuple(fc.constantFrom(...items), fc.integer({ min: 0, max: 3 })), { maxLength: 3 })
        )
      }),
      fc.record({ kind: fc.constant("cancel" as const), id: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ kind: fc.constant("timeouts" as const) }),
      fc.record({
        kind: fc.constant("restock" as const),
        itemCode: fc.constantFrom(...items),
        delta: fc.integer({ min: -3, max: 3 })
      })
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const w = world()
        const received = new Map([...w.items.values()].map((i) => [i.code as string, i.stock]))
        let now = t0
        for (const step of ops) {
          switch (step.kind) {
            case "redeem": {
              const decided = redeem(w, basket(`r${step.id}`, step.wallet, step.lines, step.timeout), now)
              if (Either.isRight(decided)) submit(w, decided.right, now)
              break
            }
            case "handOver": {
              const lines =
                step.partial === null
                  ? null
                  : step.partial.map(([itemCode, quantity]) =>
                      Redemption.HandedLine.make({ itemCode: code(itemCode), quantity })
                    )
              const decided = Redemption.handOver(
                resolveState(w),
                Redemption.HandOver.make({ redemptionId: rid(`r${step.id}`), lines }),
                now
              )
              if (Either.isRight(decided)) submit(w, decided.right, now)
              break
            }
            case "cancel": {
              const decided = Redemption.cancel(resolveState(w), rid(`r${step.id}`), now)
              if (Either.isRight(decided)) submit(w, decided.right, now)
              break
            }
            case "wait":
              now += step.seconds * second
              break
            case "timeouts":
              timeoutRun(w, now)
              break
            case "restock": {
              const current = w.items.get(step.itemCode)!
              const reserved = Redemption.reservedUnits(openHolds(w.book), merchantId, now).get(step.itemCode) ?? 0
              const adjusted = Redemption.adjustStock(current, step.delta, reserved)
              if (Either.isRight(adjusted)) {
                w.items.set(step.itemCode, adjusted.right)
                received.set(step.itemCode, received.get(step.itemCode)! + step.delta)
              }
              break
            }
          }
          const reserved = Redemption.reservedUnits(openHolds(w.book), merchantId, now)
          const settled = report(w)
          expect(settled.unmatched).toBe(0)
          for (const current of w.items.values()) {
            expect(current.stock).toBeGreaterThanOrEqual(0)
            expect(current.stock).toBeGreaterThanOrEqual(reserved.get(current.code) ?? 0)
            const line = settled.lines.find((l) => l.itemCode === current.code)
            expect(received.get(current.code)! - current.stock).toBe(line?.handedOver ?? 0)
          }
          const m1 = w.book.accounts.get("m1")!
          expect(m1.creditsPosted).toBe(settled.totals.points)
          expect(m1.creditsPending).toBe(openHolds(w.book).reduce((sum, hold) => sum + hold.amount, 0))
          for (const wallet of ["w1", "w2", "w3"]) {
            expect(Account.available(w.book.accounts.get(wallet)!)).toBeGreaterThanOrEqual(0)
          }
        }
      }),
      { numRuns: 300 }
    )
  })

  it("decides on what a transaction loads: the state a store would read", () => {
    // The request a service would load for a redemption names the wallet and the merchant account.
    const w = world()
    const plan = ok(redeem(w, basket("r1", "w1", [["soap", 1]]), t0))
    const request = Posting.request(plan.transfers)
    expect([...request.accountIds].sort()).toEqual(["m1", "w1"])
    const state = load(w.book, request)
    const decided = Posting.decide(state, plan.transfers, { timestamp: t0 })
    write(w.book, decided)
    expect(results(decided)).toEqual(["Ok"])
  })
})
