import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as Lots from "../src/Lots.js"
import * as Posting from "../src/Posting.js"
import * as Transfer from "../src/Transfer.js"
import { account, type Book, balances, book, input, load, post, results, write } from "./Book.js"

const day = 86_400_000
/** 2023-06-01 10:00 in Beijing. */
const t0 = Date.UTC(2023, 5, 1, 2)
const policy = Lots.Policy.make({ lifetimeDays: 30, expiredAccountId: Account.AccountId.make("expired") })
const policyOf = () => policy

const fresh = () => {
  const current = book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("w1", "resident-wallet"),
    account("m1", "merchant"),
    account("expired", "expired")
  ])
  post(current, [input({ id: "fund", debit: "reserve", credit: "budget", amount: 100_000 })], t0, policyOf)
  return current
}

const lotsOf = (current: Book, accountId: string) => [...(current.lots.get(accountId)?.values() ?? [])].sort(Lots.order)
const remaining = (current: Book, accountId: string) =>
  Object.fromEntries(lotsOf(current, accountId).map((lot) => [lot.id, lot.remaining]))

/** Plans the expiry run on the state a transaction would load, then posts it. */
const expire = (current: Book, at: number): Posting.PostingPlan => {
  const request = {
    accountIds: [...current.accounts.keys()].map((id) => Account.AccountId.make(id)),
    transferIds: [],
    referencedIds: []
  }
  const state = load(current, request)
  const plan = Posting.decide(state, Lots.planExpiry(state, at, policyOf), { timestamp: at, policyOf })
  write(current, plan)
  return plan
}

describe("Lots", () => {
  it("expire at the end of the local day `lifetimeDays` after crediting", () => {
    // Credited on 1 June (Beijing): expires at the start of 2 July, Beijing time.
    expect(Lots.expiresAt(policy, t0)).toBe(Date.UTC(2023, 6, 1, 16))
    // 23:30 on 1 June in Beijing is still 1 June.
    expect(Lots.expiresAt(policy, Date.UTC(2023, 5, 1, 15, 30))).toBe(Date.UTC(2023, 6, 1, 16))
    expect(Lots.expiresAt(Lots.neverExpires, t0)).toBeNull()
  })

  it("are made by every posted credit to a wallet, and by nothing else", () => {
    const current = fresh()
    post(
      current,
      [
        input({ id: "earn", debit: "budget", credit: "w1", amount: 10 }),
        input({ id: "hold", debit: "budget", credit: "w1", amount: 5, pending: true })
      ],
      t0,
      policyOf
    )
    expect(remaining(current, "w1")).toEqual({ earn: 10 })
    expect(current.lots.get("budget")).toBeUndefined()
    post(current, [input({ id: "post", pendingId: "hold", postPending: true, amount: 3 })], t0 + day, policyOf)
    expect(lotsOf(current, "w1").map((lot) => [lot.id, lot.amount, lot.expiresAt])).toEqual([
      ["earn", 10, Date.UTC(2023, 6, 1, 16)],
      ["post", 3, Date.UTC(2023, 6, 2, 16)]
    ])
  })

  it("are consumed oldest first, and a reversal takes back its own lot first", () => {
    const current = fresh()
    post(current, [input({ id: "a", debit: "budget", credit: "w1", amount: 10 })], t0, policyOf)
    post(current, [input({ id: "b", debit: "budget", credit: "w1", amount: 10 })], t0 + day, policyOf)
    post(current, [input({ id: "c", debit: "budget", credit: "w1", amount: 10 })], t0 + 2 * day, policyOf)
    post(current, [input({ id: "spend", debit: "w1", credit: "m1", amount: 12, code: "redemption" })], t0, policyOf)
    expect(remaining(current, "w1")).toEqual({ a: 0, b: 8, c: 10 })
    post(
      current,
      [input({ id: "r", debit: "w1", credit: "budget", amount: 4, code: "reversal", reversesId: "c" })],
      t0,
      policyOf
    )
    expect(remaining(current, "w1")).toEqual({ a: 0, b: 8, c: 6 })
  })

  it("order by expiry, then credit time, then id, never-expiring last", () => {
    const lot = (id: string, timestamp: number, expiresAt: number | null) =>
      Lots.Lot.make({
        id: Transfer.TransferId.make(id),
        accountId: Account.AccountId.make("w1"),
        ledger: Account.LedgerId.make("tongzhou"),
        amount: 1,
        remaining: 1,
        timestamp,
        expiresAt
      })
    const lots = [lot("never", 0, null), lot("late", 0, 20), lot("b", 5, 10), lot("a", 5, 10), lot("first", 9, 5)]
    expect([...lots].sort(Lots.order).map((l) => l.id)).toEqual(["first", "a", "b", "late", "never"])
  })

  it("expire by transfer to the expired account, keeping what holds reserved", () => {
    const current = fresh()
    post(current, [input({ id: "old", debit: "budget", credit: "w1", amount: 10 })], t0, policyOf)
    post(current, [input({ id: "new", debit: "budget", credit: "w1", amount: 5 })], t0 + 20 * day, policyOf)
    post(current, [input({ id: "hold", debit: "w1", credit: "m1", amount: 8, pending: true })], t0, policyOf)
    const at = t0 + 31 * day
    const run = expire(current, at)
    // w1 holds 15, 8 of them reserved: only 7 of the expired 10 may go.
    expect(
      run.transfers.map((t) => [t.id, t.debitAccountId, t.creditAccountId, t.amount, t.code, t.sourceReference])
    ).toEqual([[Transfer.expiryId(Transfer.TransferId.make("old"), 10), "w1", "expired", 7, "expiry", "lot:old"]])
    expect(remaining(current, "w1")).toEqual({ old: 3, new: 5 })
    expect(Account.available(current.accounts.get("w1")!)).toBe(0)
    expect(expire(current, at).transfers).toEqual([])
    // The hold is released: the next run expires what it had reserved of the old lot.
    post(current, [input({ id: "void", pendingId: "hold", voidPending: true })], at, policyOf)
    const second = expire(current, at + 1)
    expect(second.transfers.map((t) => [t.id, t.amount])).toEqual([
      [Transfer.expiryId(Transfer.TransferId.make("old"), 3), 3]
    ])
    expect(remaining(current, "w1")).toEqual({ old: 0, new: 5 })
    expect(balances(current, "expired").creditsPosted).toBe(10)
  })

  it("a hold posted after expiry spends the points it reserved", () => {
    const current = fresh()
    post(current, [input({ id: "old", debit: "budget", credit: "w1", amount: 10 })], t0, policyOf)
    post(current, [input({ id: "hold", debit: "w1", credit: "m1", amount: 4, pending: true })], t0, policyOf)
    expire(current, t0 + 40 * day)
    expect(
      results(post(current, [input({ id: "post", pendingId: "hold", postPending: true })], t0 + 40 * day))
    ).toEqual(["Ok"])
    expect(remaining(current, "w1")).toEqual({ old: 0 })
    expect(balances(current, "w1")).toMatchObject({ creditsPosted: 10, debitsPosted: 10, debitsPending: 0 })
  })

  it("nothing expires without an expired account in the policy", () => {
    const current = fresh()
    post(current, [input({ id: "old", debit: "budget", credit: "w1", amount: 10 })], t0, policyOf)
    const state = load(current, { accountIds: [Account.AccountId.make("w1")], transferIds: [], referencedIds: [] })
    expect(
      Lots.planExpiry(state, t0 + 99 * day, () => Lots.Policy.make({ lifetimeDays: 1, expiredAccountId: null }))
    ).toEqual([])
  })

  it("keep Σ remaining equal to the posted balance, never collapse a balance, and expire only what is due", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("earn" as const), amount: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant("spend" as const), amount: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant("hold" as const), amount: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constantFrom("post" as const, "void" as const), amount: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant("wait" as const), amount: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant("expire" as const), amount: fc.constant(0) })
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const current = fresh()
        let now = t0
        let holds: Array<string> = []
        ops.forEach((o, n) => {
          const id = `x${n}`
          if (o.kind === "wait") now += o.amount * day
          else if (o.kind === "expire") {
            const run = expire(current, now)
            for (const transfer of run.transfers) {
              const lot = transfer.sourceReference!.slice("lot:".length)
              expect(current.lots.get("w1")!.get(lot)!.expiresAt).toBeLessThanOrEqual(now)
            }
          } else if (o.kind === "earn")
            post(current, [input({ id, debit: "budget", credit: "w1", amount: o.amount })], now, policyOf)
          else if (o.kind === "spend")
            post(current, [input({ id, debit: "w1", credit: "m1", amount: o.amount })], now, policyOf)
          else if (o.kind === "hold") {
            const plan = post(
              current,
              [input({ id, debit: "w1", credit: "m1", amount: o.amount, pending: true })],
              now,
              policyOf
            )
            if (plan.outcomes[0]!.result === "Ok") holds.push(id)
          } else if (holds.length > 0) {
            const [hold, ...rest] = holds
            holds = rest
            post(
              current,
              [input({ id, pendingId: hold!, postPending: o.kind === "post", voidPending: o.kind === "void" })],
              now,
              policyOf
            )
          }
          const w1 = current.accounts.get("w1")!
          const sum = lotsOf(current, "w1").reduce((total, lot) => total + lot.remaining, 0)
          expect(sum).toBe(w1.creditsPosted - w1.debitsPosted)
          expect(Account.available(w1)).toBeGreaterThanOrEqual(0)
        })
        // Once nothing is held, a run at the end of time leaves no points that have expired.
        for (const hold of holds)
          post(current, [input({ id: `v-${hold}`, pendingId: hold, voidPending: true })], now, policyOf)
        expire(current, now + 1000 * day)
        expect(lotsOf(current, "w1").every((lot) => lot.remaining === 0)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })
})
