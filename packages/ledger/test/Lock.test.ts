import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as Earning from "../src/Earning.js"
import * as Lock from "../src/Lock.js"
import * as Transfer from "../src/Transfer.js"
import { account, type Book, book, input, post, results } from "./Book.js"

const day = 86_400_000
/** 2023-06-01 10:00 in Beijing. */
const t0 = Date.UTC(2023, 5, 1, 2)
const policy = Lock.Policy.make({ lockDays: 7, codes: [Transfer.codes.correctSorting] })

const options: Earning.Options = {
  ledger: Account.LedgerId.make("tongzhou"),
  budgetAccountId: Account.AccountId.make("budget"),
  utcOffsetMinutes: 480,
  lock: policy
}
const rules = [
  Earning.Rule.make({
    code: Transfer.codes.correctSorting,
    amount: 5,
    caps: [Earning.Cap.make({ per: "resident", period: "Day", pointsMax: 10 })]
  }),
  Earning.Rule.make({ code: Transfer.codes.event, amount: 8 })
]
const claim = (id: string, code: Transfer.TransferCode, occurredAt = t0, wallet = "w1") =>
  Earning.Claim.make({
    id: Transfer.TransferId.make(id),
    code,
    residentReference: "resident-1",
    walletAccountId: Account.AccountId.make(wallet),
    at: Actor.NodePath.make("/110112/"),
    sourceReference: `check-in-${id}`,
    occurredAt
  })
const none: Earning.Usage = { used: new Map(), taken: new Set(), existing: new Map() }

const fresh = (budget = 1_000): Book => {
  const current = book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("w1", "resident-wallet"),
    account("closed", "resident-wallet", { closed: true })
  ])
  post(
    current,
    [input({ id: "fund", debit: "reserve", credit: "budget", amount: budget, code: "fund-allocation" })],
    t0
  )
  return current
}

const lockHolds = (current: Book): ReadonlyArray<Transfer.Transfer> => {
  const resolved = new Set([...current.transfers.values()].flatMap((t) => (t.pendingId === null ? [] : [t.pendingId])))
  return [...current.transfers.values()].filter((t) => t.flags.pending && !resolved.has(t.id))
}

describe("Lock", () => {
  it("releases at the end of the local day lockDays after earning, and the cutoff agrees", () => {
    // Earned on 1 June in Beijing: released at the start of 9 June, Beijing time.
    expect(Lock.releasesAt(policy, t0)).toBe(Date.UTC(2023, 6 - 1, 8, 16))
    expect(Lock.releasesAt(policy, Date.UTC(2023, 5, 1, 15, 59))).toBe(Date.UTC(2023, 5, 8, 16))
    expect(Lock.cutoff(policy, Date.UTC(2023, 5, 8, 16))).toBe(Date.UTC(2023, 4, 31, 16) + day)
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 41 }),
        fc.integer({ min: 0, max: 60 * day }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: -720, max: 840 }),
        (timestamp, later, lockDays, utcOffsetMinutes) => {
          const p = Lock.Policy.make({ lockDays, utcOffsetMinutes })
          const now = timestamp + later
          expect(Lock.releasesAt(p, timestamp) <= now).toBe(timestamp < Lock.cutoff(p, now))
          // At least lockDays full days, at most one more.
          expect(Lock.releasesAt(p, timestamp) - timestamp).toBeGreaterThanOrEqual(lockDays * day)
          expect(Lock.releasesAt(p, timestamp) - timestamp).toBeLessThanOrEqual((lockDays + 1) * day)
        }
      ),
      { numRuns: 500 }
    )
  })

  it("keeps locked earnings pending, then a release run posts them", () => {
    const current = fresh()
    const plan = Earning.decide(
      rules,
      [claim("a", Transfer.codes.correctSorting), claim("b", Transfer.codes.event)],
      none,
      options
    )
    expect(plan.transfers.map((t) => [t.id, t.flags.pending, t.timeoutSeconds])).toEqual([
      ["a", true, 0],
      ["b", false, 0]
    ])
    post(current, plan.transfers, t0)
    const w1 = () => current.accounts.get("w1")!
    expect(Account.available(w1())).toBe(8)
    expect(w1().creditsPending).toBe(5)
    // Not before the lock ends…
    expect(Lock.planRelease(lockHolds(current), Lock.releasesAt(policy, t0) - 1, policy)).toEqual([])
    // …then once, with the derived id; lots are made at release.
    const at = Lock.releasesAt(policy, t0)
    const release = Lock.planRelease(lockHolds(current), at, policy)
    expect(release.map((t) => [t.id, t.pendingId, t.flags.postPending])).toEqual([["release.a", "a", true]])
    expect(results(post(current, release, at))).toEqual(["Ok"])
    expect(Account.available(w1())).toBe(13)
    expect(current.lots.get("w1")!.get("release.a")).toMatchObject({ amount: 5, timestamp: at })
    expect(Lock.planRelease(lockHolds(current), at + day, policy)).toEqual([])
    expect(results(post(current, release, at + day))).toEqual(["Exists"])
  })

  it("a retried claim asks for the hold again, as stored", () => {
    const current = fresh()
    const first = Earning.decide(rules, [claim("a", Transfer.codes.correctSorting)], none, options)
    post(current, first.transfers, t0)
    const usage: Earning.Usage = { ...none, existing: new Map([["a", current.transfers.get("a")!]]) }
    const retry = Earning.decide(rules, [claim("a", Transfer.codes.correctSorting)], usage, {
      ...options,
      lock: undefined
    })
    expect(retry.charges).toEqual([])
    expect(results(post(current, retry.transfers, t0))).toEqual(["Exists"])
  })

  it("skips holds that are not lock holds, resolved ones and duplicates", () => {
    const current = fresh()
    post(
      current,
      [
        input({ id: "counter", debit: "w1", credit: "budget", amount: 1, pending: true, timeoutSeconds: 60 }),
        input({ id: "event", debit: "budget", credit: "w1", amount: 1, pending: true, code: "event" }),
        input({ id: "sorting", debit: "budget", credit: "w1", amount: 1, pending: true })
      ],
      t0
    )
    const holds = [...current.transfers.values()].filter((t) => t.flags.pending)
    const late = t0 + 30 * day
    expect(Lock.planRelease([...holds, ...holds], late, policy).map((t) => t.pendingId)).toEqual(["sorting"])
    const every = Lock.Policy.make({ lockDays: 7 })
    expect(Lock.planRelease(holds, late, every).map((t) => t.pendingId)).toEqual(["event", "sorting"])
  })

  it("never releases a hold before its lock ends, nor twice", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 * 24 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 30 * 24 }), { minLength: 1, maxLength: 6 }),
        (earnedHours, runHours) => {
          const current = fresh()
          for (const [i, hours] of earnedHours.entries()) {
            const hold = input({ id: `e${i}`, debit: "budget", credit: "w1", amount: 1, pending: true })
            post(current, [hold], t0 + hours * 3_600_000)
          }
          for (const hours of [...runHours].sort((a, b) => a - b)) {
            const now = t0 + hours * 3_600_000
            const release = Lock.planRelease(lockHolds(current), now, policy)
            for (const transfer of release) {
              const hold = current.transfers.get(transfer.pendingId!)!
              expect(Lock.releasesAt(policy, hold.timestamp)).toBeLessThanOrEqual(now)
            }
            expect(post(current, release, now).outcomes.every((o) => o.result === "Ok")).toBe(true)
          }
          const posts = [...current.transfers.values()].filter((t) => t.flags.postPending)
          expect(new Set(posts.map((t) => t.pendingId)).size).toBe(posts.length)
        }
      ),
      { numRuns: 200 }
    )
  })
})

describe("Earning.counted", () => {
  it("counts only what posting accepted, so a refused claim uses no cap", () => {
    const current = fresh(7)
    const plan = Earning.decide(
      rules,
      [
        claim("a", Transfer.codes.correctSorting),
        claim("b", Transfer.codes.correctSorting, t0, "closed"),
        claim("c", Transfer.codes.correctSorting)
      ],
      none,
      { ...options, lock: undefined }
    )
    expect(plan.charges.map((c) => [c.transferId, c.amount])).toEqual([
      ["a", 5],
      ["b", 5]
    ])
    const posted = post(current, plan.transfers, t0)
    expect(results(posted)).toEqual(["Ok", "CreditAccountClosed"])
    const counted = Earning.counted(plan, posted.outcomes)
    expect([...counted.used.values()]).toEqual([5])
    // A retry (Exists) charges nothing again.
    expect(
      Earning.counted(plan, [{ id: Transfer.TransferId.make("a"), result: "Exists", transfer: null }]).used.size
    ).toBe(0)
  })
})
