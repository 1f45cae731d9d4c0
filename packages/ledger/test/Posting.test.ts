import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as Posting from "../src/Posting.js"
import * as Replay from "../src/Replay.js"
import * as Transfer from "../src/Transfer.js"
import { account, balances, book, input, ledger, load, otherLedger, post, results, write } from "./Book.js"

const t0 = Date.UTC(2023, 5, 1, 2)
const second = 1000

/** A reserve, a budget funded with 1,000, two wallets, a merchant, and an account of another ledger. */
const funded = () => {
  const current = book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("w1", "resident-wallet"),
    account("w2", "resident-wallet"),
    account("m1", "merchant"),
    account("expired", "expired"),
    account("closed", "resident-wallet", { closed: true }),
    account("far", "resident-wallet", { ledger: otherLedger })
  ])
  post(current, [input({ id: "fund", debit: "reserve", credit: "budget", amount: 1000, code: "fund-allocation" })], t0)
  return current
}

/** `funded`, and w1 earned 10. */
const earned = () => {
  const current = funded()
  post(current, [input({ id: "earn", debit: "budget", credit: "w1", amount: 10 })], t0 + second)
  return current
}

describe("Posting.decide", () => {
  it("posts a single-phase transfer and stamps it with the ledger's time", () => {
    const current = earned()
    expect(balances(current, "w1")).toEqual({ debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 10 })
    expect(balances(current, "budget")).toMatchObject({ debitsPosted: 10, creditsPosted: 1000 })
    expect(current.transfers.get("earn")).toMatchObject({ timestamp: t0 + second, ledger, code: "correct-sorting" })
  })

  it("refuses a debit beyond what a flagged account holds, and changes nothing", () => {
    const current = earned()
    const plan = post(current, [input({ id: "spend", debit: "w1", credit: "m1", amount: 11, code: "redemption" })], t0)
    expect(results(plan)).toEqual(["ExceedsCredits"])
    expect(plan.transfers).toEqual([])
    expect(plan.accounts).toEqual([])
  })

  it("refuses a credit beyond debits on a creditsMustNotExceedDebits account", () => {
    const current = book([
      account("src", "reserve"),
      account("sink", "reserve", { flags: Account.AccountFlags.make({ creditsMustNotExceedDebits: true }) })
    ])
    expect(results(post(current, [input({ id: "x", debit: "src", credit: "sink", amount: 1 })], t0))).toEqual([
      "ExceedsDebits"
    ])
  })

  it("decides in batch order: a credit earlier in the batch can be spent later in it", () => {
    const current = funded()
    const plan = post(
      current,
      [
        input({ id: "earn", debit: "budget", credit: "w1", amount: 5 }),
        input({ id: "spend", debit: "w1", credit: "m1", amount: 5, code: "redemption" }),
        input({ id: "again", debit: "w1", credit: "m1", amount: 1, code: "redemption" })
      ],
      t0
    )
    expect(results(plan)).toEqual(["Ok", "Ok", "ExceedsCredits"])
    expect(balances(current, "w1")).toMatchObject({ creditsPosted: 5, debitsPosted: 5 })
  })

  describe("idempotency", () => {
    it("answers a retry with Exists and the stored transfer, and writes nothing", () => {
      const current = earned()
      const stored = current.transfers.get("earn")
      const plan = post(current, [input({ id: "earn", debit: "budget", credit: "w1", amount: 10 })], t0 + 99 * second)
      expect(plan.outcomes).toEqual([{ id: "earn", result: "Exists", transfer: stored }])
      expect(plan.transfers).toEqual([])
      expect(plan.accounts).toEqual([])
      expect(plan.lots).toEqual([])
    })

    it("answers Exists even when the transfer could not be made again", () => {
      const current = earned()
      post(current, [input({ id: "spend", debit: "w1", credit: "m1", amount: 10, code: "redemption" })], t0)
      const retry = post(
        current,
        [input({ id: "spend", debit: "w1", credit: "m1", amount: 10, code: "redemption" })],
        t0
      )
      expect(results(retry)).toEqual(["Exists"])
    })

    it("refuses the same id with different content, naming the first field that differs", () => {
      const current = earned()
      const again = (fields: Partial<Parameters<typeof input>[0]>) =>
        results(post(current, [input({ id: "earn", debit: "budget", credit: "w1", amount: 10, ...fields })], t0))[0]
      expect(again({ amount: 11 })).toBe("ExistsWithDifferentAmount")
      expect(again({ credit: "w2" })).toBe("ExistsWithDifferentCreditAccountId")
      expect(again({ debit: "reserve" })).toBe("ExistsWithDifferentDebitAccountId")
      expect(again({ code: "event" })).toBe("ExistsWithDifferentCode")
      expect(again({ sourceReference: "inspection-1" })).toBe("ExistsWithDifferentSourceReference")
      expect(again({ pending: true })).toBe("ExistsWithDifferentFlags")
      expect(again({ ledger: otherLedger })).toBe("ExistsWithDifferentLedger")
      expect(again({ amount: 11, code: "event" })).toBe("ExistsWithDifferentAmount")
    })

    it("compares a repeated id within one batch with its first occurrence", () => {
      const current = funded()
      const plan = post(
        current,
        [
          input({ id: "e", debit: "budget", credit: "w1", amount: 3 }),
          input({ id: "e", debit: "budget", credit: "w1", amount: 3 }),
          input({ id: "e", debit: "budget", credit: "w1", amount: 4 })
        ],
        t0
      )
      expect(results(plan)).toEqual(["Ok", "Exists", "ExistsWithDifferentAmount"])
      expect(balances(current, "w1").creditsPosted).toBe(3)
    })

    it("leaves no trace of a failed transfer: a retry is decided afresh", () => {
      const current = funded()
      const spend = input({ id: "spend", debit: "w1", credit: "m1", amount: 5, code: "redemption" })
      expect(results(post(current, [spend], t0))).toEqual(["ExceedsCredits"])
      post(current, [input({ id: "earn", debit: "budget", credit: "w1", amount: 5 })], t0)
      expect(results(post(current, [spend], t0))).toEqual(["Ok"])
    })
  })

  describe("holds", () => {
    const hold = (amount = 6, timeoutSeconds = 0) =>
      input({ id: "hold", debit: "w1", credit: "m1", amount, code: "redemption", pending: true, timeoutSeconds })

    it("reserves points: held points cannot be spent twice", () => {
      const current = earned()
      expect(results(post(current, [hold(8)], t0))).toEqual(["Ok"])
      expect(balances(current, "w1")).toMatchObject({ debitsPending: 8, creditsPosted: 10 })
      expect(balances(current, "m1")).toMatchObject({ creditsPending: 8 })
      expect(Account.available(current.accounts.get("w1")!)).toBe(2)
      const spend = input({ id: "spend", debit: "w1", credit: "m1", amount: 3, code: "redemption" })
      expect(results(post(current, [spend], t0))).toEqual(["ExceedsCredits"])
    })

    it("posts part of a hold and releases the rest, once", () => {
      const current = earned()
      post(current, [hold()], t0)
      const plan = post(current, [input({ id: "post", pendingId: "hold", postPending: true, amount: 4 })], t0 + second)
      expect(results(plan)).toEqual(["Ok"])
      expect(plan.transfers[0]).toMatchObject({
        debitAccountId: "w1",
        creditAccountId: "m1",
        amount: 4,
        code: "redemption"
      })
      expect(balances(current, "w1")).toEqual({
        debitsPending: 0,
        debitsPosted: 4,
        creditsPending: 0,
        creditsPosted: 10
      })
      expect(balances(current, "m1")).toEqual({
        debitsPending: 0,
        debitsPosted: 0,
        creditsPending: 0,
        creditsPosted: 4
      })
      const again = post(
        current,
        [
          input({ id: "post2", pendingId: "hold", postPending: true }),
          input({ id: "void", pendingId: "hold", voidPending: true })
        ],
        t0
      )
      expect(results(again)).toEqual(["PendingTransferAlreadyPosted", "PendingTransferAlreadyPosted"])
    })

    it("posts the whole hold when the post names no amount", () => {
      const current = earned()
      post(current, [hold()], t0)
      const plan = post(current, [input({ id: "post", pendingId: "hold", postPending: true })], t0)
      expect(plan.transfers[0]?.amount).toBe(6)
    })

    it("voids a hold, after which it can be neither posted nor voided", () => {
      const current = earned()
      post(current, [hold()], t0)
      expect(results(post(current, [input({ id: "void", pendingId: "hold", voidPending: true })], t0))).toEqual(["Ok"])
      expect(balances(current, "w1")).toEqual({
        debitsPending: 0,
        debitsPosted: 0,
        creditsPending: 0,
        creditsPosted: 10
      })
      const again = post(
        current,
        [
          input({ id: "post", pendingId: "hold", postPending: true }),
          input({ id: "void2", pendingId: "hold", voidPending: true })
        ],
        t0
      )
      expect(results(again)).toEqual(["PendingTransferAlreadyVoided", "PendingTransferAlreadyVoided"])
    })

    it("checks a post or void against the hold, in order", () => {
      const current = earned()
      post(current, [hold()], t0)
      const check = (fields: Partial<Parameters<typeof input>[0]>) =>
        results(post(current, [input({ id: "r", pendingId: "hold", postPending: true, ...fields })], t0))[0]
      expect(check({ pendingId: "nothing" })).toBe("PendingTransferNotFound")
      expect(check({ pendingId: "earn" })).toBe("PendingTransferNotPending")
      expect(check({ debit: "w2" })).toBe("PendingTransferHasDifferentDebitAccountId")
      expect(check({ credit: "w2" })).toBe("PendingTransferHasDifferentCreditAccountId")
      expect(check({ ledger: otherLedger })).toBe("PendingTransferHasDifferentLedger")
      expect(check({ code: "event" })).toBe("PendingTransferHasDifferentCode")
      expect(check({ amount: 7 })).toBe("ExceedsPendingTransferAmount")
      expect(check({ postPending: false, voidPending: true, amount: 5 })).toBe("PendingTransferHasDifferentAmount")
      expect(check({ pendingId: null })).toBe("PendingIdRequired")
    })

    it("refuses to post a hold past its timeout, but lets it be voided", () => {
      const current = earned()
      post(current, [hold(6, 60)], t0)
      const late = t0 + 60 * second
      expect(results(post(current, [input({ id: "post", pendingId: "hold", postPending: true })], late - 1))).toEqual([
        "Ok"
      ])
      const other = earned()
      post(other, [hold(6, 60)], t0)
      expect(results(post(other, [input({ id: "post", pendingId: "hold", postPending: true })], late))).toEqual([
        "PendingTransferExpired"
      ])
      expect(results(post(other, [input({ id: "void", pendingId: "hold", voidPending: true })], late))).toEqual(["Ok"])
    })

    it("tells a post of a hold the timeout run voided that it expired", () => {
      const current = earned()
      post(current, [hold(6, 60)], t0)
      const timeoutVoid = input({
        id: Transfer.timeoutVoidId(Transfer.TransferId.make("hold")),
        pendingId: "hold",
        voidPending: true
      })
      expect(results(post(current, [timeoutVoid], t0 + 61 * second))).toEqual(["Ok"])
      expect(results(post(current, [input({ id: "post", pendingId: "hold", postPending: true })], t0))).toEqual([
        "PendingTransferExpired"
      ])
      expect(results(post(current, [timeoutVoid], t0 + 99 * second))).toEqual(["Exists"])
    })

    it("posts and voids a hold made earlier in the same batch", () => {
      const current = earned()
      const plan = post(current, [hold(), input({ id: "post", pendingId: "hold", postPending: true, amount: 2 })], t0)
      expect(results(plan)).toEqual(["Ok", "Ok"])
      expect(balances(current, "w1")).toMatchObject({ debitsPending: 0, debitsPosted: 2 })
    })
  })

  describe("linked chains", () => {
    it("fail as one: the failing member keeps its result, the others get LinkedEventFailed", () => {
      const current = earned()
      const plan = post(
        current,
        [
          input({ id: "a", debit: "budget", credit: "w2", amount: 1, linked: true }),
          input({ id: "b", debit: "w1", credit: "m1", amount: 99, linked: true }),
          input({ id: "c", debit: "budget", credit: "w2", amount: 1 }),
          input({ id: "d", debit: "budget", credit: "w2", amount: 1 })
        ],
        t0
      )
      expect(results(plan)).toEqual(["LinkedEventFailed", "ExceedsCredits", "LinkedEventFailed", "Ok"])
      expect(plan.transfers.map((transfer) => transfer.id)).toEqual(["d"])
      expect(balances(current, "w2").creditsPosted).toBe(1)
    })

    it("undo holds and resolutions made inside a failed chain", () => {
      const current = earned()
      const plan = post(
        current,
        [
          input({ id: "h", debit: "w1", credit: "m1", amount: 5, pending: true, linked: true }),
          input({ id: "p", pendingId: "h", postPending: true, linked: true }),
          input({ id: "bad", debit: "w1", credit: "w1", amount: 1 })
        ],
        t0
      )
      expect(results(plan)).toEqual(["LinkedEventFailed", "LinkedEventFailed", "AccountsMustBeDifferent"])
      expect(plan.accounts).toEqual([])
      expect(results(post(current, [input({ id: "p2", pendingId: "h", postPending: true })], t0))).toEqual([
        "PendingTransferNotFound"
      ])
    })

    it("succeed as one, and a chain still open at the end of the batch fails", () => {
      const current = earned()
      const ok = post(
        current,
        [
          input({ id: "a", debit: "w1", credit: "m1", amount: 4, linked: true }),
          input({ id: "b", debit: "w1", credit: "m1", amount: 6 })
        ],
        t0
      )
      expect(results(ok)).toEqual(["Ok", "Ok"])
      const open = post(
        current,
        [
          input({ id: "c", debit: "budget", credit: "w1", amount: 1, linked: true }),
          input({ id: "d", debit: "budget", credit: "w1", amount: 1, linked: true })
        ],
        t0
      )
      expect(results(open)).toEqual(["LinkedEventFailed", "LinkedEventChainOpen"])
      expect(open.transfers).toEqual([])
    })

    it("treat a retried member (Exists) as a success", () => {
      const current = earned()
      const chain = [
        input({ id: "a", debit: "w1", credit: "m1", amount: 4, linked: true }),
        input({ id: "b", debit: "w1", credit: "m1", amount: 6 })
      ]
      post(current, chain, t0)
      expect(results(post(current, chain, t0))).toEqual(["Exists", "Exists"])
    })
  })

  describe("reversals", () => {
    const reverse = (id: string, amount: number, fields: Partial<Parameters<typeof input>[0]> = {}) =>
      input({ id, debit: "w1", credit: "budget", amount, code: "reversal", reversesId: "earn", ...fields })

    it("correct a posted transfer in parts, never beyond its amount", () => {
      const current = earned()
      expect(results(post(current, [reverse("r1", 4)], t0))).toEqual(["Ok"])
      expect(results(post(current, [reverse("r2", 7)], t0))).toEqual(["ExceedsReversibleAmount"])
      expect(results(post(current, [reverse("r2", 6), reverse("r3", 1)], t0))).toEqual([
        "Ok",
        "ExceedsReversibleAmount"
      ])
      expect(balances(current, "w1")).toMatchObject({ creditsPosted: 10, debitsPosted: 10 })
    })

    it("must swap the original's accounts and reverse something posted", () => {
      const current = earned()
      post(current, [input({ id: "h", debit: "w1", credit: "m1", amount: 1, pending: true })], t0)
      expect(results(post(current, [reverse("r", 1, { debit: "w1", credit: "m1" })], t0))).toEqual([
        "ReversalMustSwapAccounts"
      ])
      expect(results(post(current, [reverse("r", 1, { reversesId: "nothing" })], t0))).toEqual([
        "ReversedTransferNotFound"
      ])
      expect(results(post(current, [reverse("r", 1, { reversesId: "h", debit: "m1", credit: "w1" })], t0))).toEqual([
        "ReversedTransferNotReversible"
      ])
      expect(results(post(current, [reverse("r", 1, { pending: true })], t0))).toEqual(["ReversalMustBeSinglePhase"])
    })
  })

  describe("checks, in order of precedence", () => {
    const check = (fields: Parameters<typeof input>[0], at = t0) => results(post(earned(), [input(fields)], at))[0]

    it("input before state", () => {
      expect(check({ id: "x", debit: "w1", credit: "m1", pending: true, postPending: true })).toBe(
        "FlagsAreMutuallyExclusive"
      )
      expect(check({ id: "x", debit: "w1", credit: "m1", pendingId: "earn" })).toBe("PendingIdMustBeAbsent")
      expect(check({ id: "x", pendingId: "x", voidPending: true })).toBe("PendingIdMustBeDifferent")
      expect(check({ id: "x", debit: "budget", credit: "w1", timeoutSeconds: 5 })).toBe(
        "TimeoutReservedForPendingTransfer"
      )
      expect(check({ id: "x", debit: "budget", credit: "w1", reversesId: "x" })).toBe("ReversesIdMustBeDifferent")
      expect(check({ id: "x", credit: "w1" })).toBe("DebitAccountIdRequired")
      expect(check({ id: "x", debit: "budget" })).toBe("CreditAccountIdRequired")
      expect(check({ id: "x", debit: "budget", credit: "w1", amount: null })).toBe("AmountRequired")
      expect(check({ id: "x", debit: "budget", credit: "w1", ledger: null })).toBe("LedgerRequired")
      expect(check({ id: "x", debit: "budget", credit: "w1", code: null })).toBe("CodeRequired")
      expect(check({ id: "x", debit: "w1", credit: "w1" })).toBe("AccountsMustBeDifferent")
      // Input rules come before the idempotency check: a malformed retry is refused as malformed.
      expect(check({ id: "earn", debit: "budget", credit: "budget", amount: 10 })).toBe("AccountsMustBeDifferent")
    })

    it("accounts before balances", () => {
      expect(check({ id: "x", debit: "ghost", credit: "w1", amount: 9999 })).toBe("DebitAccountNotFound")
      expect(check({ id: "x", debit: "budget", credit: "ghost" })).toBe("CreditAccountNotFound")
      expect(check({ id: "x", debit: "budget", credit: "far" })).toBe("AccountsMustHaveTheSameLedger")
      expect(check({ id: "x", debit: "budget", credit: "w1", ledger: otherLedger })).toBe(
        "TransferMustHaveTheSameLedgerAsAccounts"
      )
      expect(check({ id: "x", debit: "closed", credit: "w1", amount: 9999 })).toBe("DebitAccountClosed")
      expect(check({ id: "x", debit: "budget", credit: "closed" })).toBe("CreditAccountClosed")
      expect(check({ id: "x", debit: "reserve", credit: "w1", amount: Number.MAX_SAFE_INTEGER })).toBe(
        "OverflowsDebits"
      )
    })

    it("lets a hold on an account closed since be voided", () => {
      const current = earned()
      post(current, [input({ id: "h", debit: "w1", credit: "m1", amount: 3, pending: true })], t0)
      current.accounts.set("w1", Account.Account.make({ ...current.accounts.get("w1")!, closed: true }))
      expect(results(post(current, [input({ id: "p", pendingId: "h", postPending: true })], t0))).toEqual([
        "DebitAccountClosed"
      ])
      expect(results(post(current, [input({ id: "v", pendingId: "h", voidPending: true })], t0))).toEqual(["Ok"])
    })
  })
})

// --- properties -------------------------------------------------------------------------------------

const accountIds = ["reserve", "budget", "w1", "w2", "h1", "m1"] as const

const bookForProperties = () =>
  book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("w1", "resident-wallet"),
    account("w2", "resident-wallet"),
    account("h1", "household-wallet"),
    account("m1", "merchant")
  ])

/**
 * Batches built from a flat list of steps, so that posts, voids and reversals mostly name a hold or
 * a posted transfer made earlier (or later, or nothing), retries repeat an earlier request (or
 * change one field), and ids collide now and then.
 */
const step = fc.record({
  kind: fc.constantFrom("earn", "earn", "spend", "spend", "hold", "hold", "post", "void", "reverse", "retry", "fund"),
  debit: fc.constantFrom(...accountIds),
  credit: fc.constantFrom(...accountIds),
  amount: fc.integer({ min: 1, max: 40 }),
  back: fc.nat({ max: 6 }),
  linked: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  timeoutSeconds: fc.constantFrom(0, 0, 30),
  omitAmount: fc.boolean(),
  change: fc.integer({ min: 0, max: 5 }),
  collide: fc.integer({ min: 0, max: 19 }),
  endBatch: fc.integer({ min: 0, max: 4 }).map((n) => n === 0)
})

const wallets = ["w1", "w2", "h1"] as const

const batches = fc.array(step, { minLength: 1, maxLength: 50 }).map((steps) => {
  const out: Array<Array<Transfer.TransferInput>> = [[]]
  const holds: Array<Transfer.TransferInput> = []
  const posted: Array<Transfer.TransferInput> = []
  const all: Array<Transfer.TransferInput> = []
  steps.forEach((r, n) => {
    const id = r.collide === 0 ? `t${n % 5}` : `t${n}`
    const pick = <A>(list: ReadonlyArray<A>): A | undefined =>
      list[list.length - 1 - (r.back % Math.max(1, list.length))]
    const wallet = wallets[r.amount % wallets.length]!
    let made: Transfer.TransferInput
    switch (r.kind) {
      case "fund":
        made = input({ id, debit: "reserve", credit: "budget", amount: r.amount * 5, linked: r.linked })
        break
      case "earn":
        made = input({ id, debit: "budget", credit: wallet, amount: r.amount * 2, linked: r.linked })
        break
      case "spend":
        made = input({ id, debit: wallet, credit: r.credit, amount: r.amount, code: "redemption", linked: r.linked })
        break
      case "hold":
        made = input({
          id,
          debit: r.change === 0 ? r.debit : r.change < 3 ? "budget" : wallet,
          credit: r.change < 3 && r.change > 0 ? wallet : r.credit,
          amount: r.amount,
          pending: true,
          linked: r.linked,
          timeoutSeconds: r.timeoutSeconds
        })
        break
      case "post":
      case "void": {
        const hold = pick(holds)
        made = input({
          id,
          pendingId: hold?.id ?? "nothing",
          postPending: r.kind === "post",
          voidPending: r.kind === "void",
          amount: r.kind === "post" && !r.omitAmount ? r.amount : null,
          linked: r.linked
        })
        break
      }
      case "reverse": {
        const original = pick(posted)
        made = input({
          id,
          debit: r.change === 0 ? r.debit : (original?.creditAccountId ?? r.debit),
          credit: r.change === 0 ? r.credit : (original?.debitAccountId ?? r.credit),
          amount: (r.amount % 12) + 1,
          reversesId: original?.id ?? "nothing",
          code: "reversal",
          linked: r.linked
        })
        break
      }
      default: {
        const earlier = pick(all)
        made =
          earlier === undefined
            ? input({ id, debit: "budget", credit: wallet, amount: r.amount })
            : r.change === 0
              ? Transfer.TransferInput.make({ ...earlier, amount: (earlier.amount ?? 0) + 1 })
              : earlier
      }
    }
    out[out.length - 1]!.push(made)
    all.push(made)
    if (made.flags.pending) holds.push(made)
    else if (r.kind === "earn" || r.kind === "spend" || r.kind === "fund") posted.push(made)
    if (r.endBatch) out.push([])
  })
  return out.filter((batch) => batch.length > 0)
})

/** Runs the batches, one every 20 seconds, checking `each` after every batch. */
const run = (
  inputs: ReadonlyArray<ReadonlyArray<Transfer.TransferInput>>,
  each: (
    current: ReturnType<typeof bookForProperties>,
    plan: Posting.PostingPlan,
    batch: ReadonlyArray<Transfer.TransferInput>
  ) => void
) => {
  const current = bookForProperties()
  // Seed some points so flagged accounts can spend.
  post(current, [input({ id: "seed", debit: "reserve", credit: "budget", amount: 2000 })], t0)
  inputs.forEach((batch, index) => {
    const plan = post(current, batch, t0 + (index + 1) * 20 * second)
    each(current, plan, batch)
  })
  return current
}

describe("Posting.decide: invariants", () => {
  it("Σ debits = Σ credits, posted and pending, after every batch", () => {
    fc.assert(
      fc.property(batches, (inputs) => {
        run(inputs, (current) => {
          const sum = (field: keyof Account.Balances) =>
            [...current.accounts.values()].reduce((total, a) => total + a[field], 0)
          expect(sum("debitsPosted")).toBe(sum("creditsPosted"))
          expect(sum("debitsPending")).toBe(sum("creditsPending"))
        })
      }),
      { numRuns: 300 }
    )
  })

  it("no flagged account goes past its limit, and no balance is negative or shrinks when posted", () => {
    fc.assert(
      fc.property(batches, (inputs) => {
        let before = new Map<string, Account.Account>()
        run(inputs, (current) => {
          for (const a of current.accounts.values()) {
            if (a.flags.debitsMustNotExceedCredits)
              expect(a.debitsPosted + a.debitsPending).toBeLessThanOrEqual(a.creditsPosted)
            expect(Math.min(a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted)).toBeGreaterThanOrEqual(
              0
            )
            const previous = before.get(a.id)
            if (previous !== undefined) {
              expect(a.debitsPosted).toBeGreaterThanOrEqual(previous.debitsPosted)
              expect(a.creditsPosted).toBeGreaterThanOrEqual(previous.creditsPosted)
            }
          }
          before = new Map(current.accounts)
        })
      }),
      { numRuns: 300 }
    )
  })

  it("a hold is resolved at most once, and reversals never exceed what they reverse", () => {
    fc.assert(
      fc.property(batches, (inputs) => {
        const current = run(inputs, () => {})
        const resolutions = new Map<string, number>()
        const reversed = new Map<string, number>()
        for (const transfer of current.transfers.values()) {
          if (transfer.pendingId !== null) {
            resolutions.set(transfer.pendingId, (resolutions.get(transfer.pendingId) ?? 0) + 1)
            expect(current.transfers.get(transfer.pendingId)?.flags.pending).toBe(true)
          }
          if (transfer.reversesId !== null) {
            reversed.set(transfer.reversesId, (reversed.get(transfer.reversesId) ?? 0) + transfer.amount)
          }
        }
        for (const count of resolutions.values()) expect(count).toBe(1)
        for (const [id, amount] of reversed) expect(amount).toBeLessThanOrEqual(current.transfers.get(id)!.amount)
      }),
      { numRuns: 300 }
    )
  })

  it("stored balances equal balances replayed from the transfers, in any order", () => {
    fc.assert(
      fc.property(batches, fc.integer(), (inputs, seed) => {
        const current = run(inputs, () => {})
        const transfers = [...current.transfers.values()]
        // Shuffle deterministically: a replay must not depend on the order it reads transfers in.
        const shuffled = transfers
          .map((transfer, i) => [((i + 1) * (seed | 1)) % 7919, transfer] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, transfer]) => transfer)
        for (const order of [transfers, shuffled]) {
          const replay = Replay.start()
          for (const transfer of order) Replay.step(replay, transfer)
          const lotsOf = (id: string) => [...(current.lots.get(id)?.values() ?? [])]
          expect(Replay.drift(replay, [...current.accounts.values()], lotsOf)).toEqual([])
        }
      }),
      { numRuns: 300 }
    )
  })

  it("a retried batch answers Exists for every earlier success and writes none of them again", () => {
    fc.assert(
      fc.property(batches, (inputs) => {
        run(inputs, (current, plan, batch) => {
          const retry = Posting.decide(load(current, Posting.request(batch)), batch, {
            timestamp: t0 + 10_000 * second
          })
          const stored = new Set(plan.transfers.map((transfer) => transfer.id))
          plan.outcomes.forEach((first, index) => {
            if (!Posting.isSuccess(first.result)) return
            expect(retry.outcomes[index]?.result).toBe("Exists")
            expect(retry.outcomes[index]?.transfer).toEqual(current.transfers.get(first.id))
          })
          expect(retry.transfers.filter((transfer) => stored.has(transfer.id))).toEqual([])
        })
      }),
      { numRuns: 200 }
    )
  })

  it("the same id with changed content is refused, whatever changed", () => {
    fc.assert(
      fc.property(batches, fc.integer({ min: 1, max: 5 }), (inputs, bump) => {
        const current = run(inputs, () => {})
        for (const stored of current.transfers.values()) {
          const changed = input({
            id: stored.id,
            debit: stored.debitAccountId,
            credit: stored.creditAccountId,
            amount: stored.amount + bump,
            pendingId: stored.pendingId,
            reversesId: stored.reversesId,
            code: stored.code,
            pending: stored.flags.pending,
            postPending: stored.flags.postPending,
            voidPending: stored.flags.voidPending,
            linked: stored.flags.linked,
            timeoutSeconds: stored.timeoutSeconds
          })
          // A linked transfer needs a next one to link to: one that could never be stored.
          const batch = stored.flags.linked ? [changed, input({ id: "end", debit: "w1", credit: "w1" })] : [changed]
          const plan = Posting.decide(load(current, Posting.request(batch)), batch, { timestamp: t0 })
          expect(plan.outcomes[0]?.result).toBe("ExistsWithDifferentAmount")
          expect(plan.transfers).toEqual([])
        }
      }),
      { numRuns: 100 }
    )
  })

  it("a linked chain takes effect entirely or not at all", () => {
    fc.assert(
      fc.property(batches, (inputs) => {
        run(inputs, (_current, plan, batch) => {
          let chain: Array<number> = []
          batch.forEach((transfer, index) => {
            chain.push(index)
            if (transfer.flags.linked && index < batch.length - 1) return
            if (chain.length > 1 || transfer.flags.linked) {
              const successes = chain.map((i) => Posting.isSuccess(plan.outcomes[i]!.result))
              expect(new Set(successes).size).toBe(1)
            }
            chain = []
          })
        })
      }),
      { numRuns: 300 }
    )
  })

  it("writes what it decided: replaying the plan's writes gives the plan's balances", () => {
    fc.assert(
      fc.property(batches, (inputs) => {
        const current = bookForProperties()
        for (const [index, batch] of inputs.entries()) {
          const plan = Posting.decide(load(current, Posting.request(batch)), batch, { timestamp: t0 + index })
          write(current, plan)
          expect(plan.outcomes.length).toBe(batch.length)
          expect(plan.outcomes.filter((outcome) => outcome.result === "Ok").length).toBe(plan.transfers.length)
        }
      }),
      { numRuns: 100 }
    )
  })
})
