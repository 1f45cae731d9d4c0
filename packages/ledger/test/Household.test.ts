import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as Household from "../src/Household.js"
import * as Lots from "../src/Lots.js"
import * as Posting from "../src/Posting.js"
import { account, type Book, book, input, ledger, load, post, results, write } from "./Book.js"

const day = 86_400_000
/** 2023-06-01 10:00 in Beijing. */
const t0 = Date.UTC(2023, 5, 1, 2)
const policy = Lots.Policy.make({ lifetimeDays: 30, expiredAccountId: Account.AccountId.make("expired") })
const policyOf = () => policy

const household = Household.Household.make({
  reference: "household-1",
  ledger,
  walletAccountId: Account.AccountId.make("h1")
})
const member = (resident: string, from = t0 - day, until: number | null = null) =>
  Household.Membership.make({ householdReference: "household-1", residentReference: resident, from, until })

const fresh = () => {
  const current = book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("h1", "household-wallet"),
    account("wa", "resident-wallet"),
    account("m1", "merchant"),
    account("expired", "expired"),
    account("closed", "resident-wallet", { closed: true })
  ])
  post(current, [input({ id: "fund", debit: "reserve", credit: "budget", amount: 100_000 })], t0, policyOf)
  return current
}

const earn = (current: Book, id: string, amount: number, at: number) =>
  post(current, [input({ id, debit: "budget", credit: "h1", amount })], at, policyOf)

const moveOut = (fields: { id?: string; resident?: string; to?: string; policy?: Household.SharePolicy } = {}) =>
  Household.MoveOut.make({
    id: Household.MoveId.make(fields.id ?? "move-1"),
    householdReference: "household-1",
    residentReference: fields.resident ?? "A",
    toAccountId: Account.AccountId.make(fields.to ?? "wa"),
    ...(fields.policy === undefined ? {} : { policy: fields.policy })
  })

/** What a service would do in one transaction: load, plan, post, keep the membership. */
const run = (
  current: Book,
  memberships: Array<Household.Membership>,
  request: Household.MoveOut,
  now: number,
  householdOverride: Household.Household | null = household
) => {
  const state = load(current, {
    accountIds: [household.walletAccountId, request.toAccountId, Account.AccountId.make("expired")],
    transferIds: [],
    referencedIds: []
  })
  const planned = Household.planMoveOut({ ...state, household: householdOverride ?? undefined, memberships }, request, {
    now,
    policyOf
  })
  if (Either.isLeft(planned)) return { refusal: planned.left, plan: null, posted: null }
  const plan = planned.right
  const posted = Posting.decide(load(current, Posting.request(plan.transfers)), plan.transfers, {
    timestamp: now,
    policyOf
  })
  write(current, posted)
  const ended = Household.membershipAfter(plan, posted.outcomes)
  if (ended !== null) {
    const index = memberships.findIndex(
      (m) => m.residentReference === ended.residentReference && m.from === ended.from && m.until === null
    )
    memberships[index] = ended
  }
  return { refusal: null, plan, posted }
}

const remaining = (current: Book, accountId: string) =>
  [...(current.lots.get(accountId)?.values() ?? [])].sort(Lots.order).map((lot) => [lot.id, lot.remaining])

describe("Household memberships", () => {
  it("are dated, never overlap for one resident, and route earnings", () => {
    const memberships = [member("A"), member("B", t0 - day, t0)]
    expect(Household.membersAt(memberships, "household-1", t0 - 1)).toEqual(["A", "B"])
    expect(Household.membersAt(memberships, "household-1", t0)).toEqual(["A"])
    expect(Household.join(memberships, { householdReference: "household-1", residentReference: "A", at: t0 })).toEqual(
      Either.left("AlreadyMember")
    )
    expect(Household.join(memberships, { householdReference: "household-2", residentReference: "A", at: t0 })).toEqual(
      Either.left("MemberOfAnotherHousehold")
    )
    // B left at t0: B may join again from then on, not before.
    expect(
      Either.isRight(Household.join(memberships, { householdReference: "household-2", residentReference: "B", at: t0 }))
    ).toBe(true)
    expect(
      Household.join(memberships, { householdReference: "household-2", residentReference: "B", at: t0 - 1 })
    ).toEqual(Either.left("MemberOfAnotherHousehold"))
    const households = new Map([[household.reference, household]])
    const walletOf = (resident: string, at: number) =>
      Household.earningWallet({
        memberships,
        households,
        residentReference: resident,
        residentWalletAccountId: Account.AccountId.make(`wallet-${resident}`),
        at
      })
    expect([walletOf("A", t0), walletOf("B", t0 - 1), walletOf("B", t0), walletOf("C", t0)]).toEqual([
      "h1",
      "h1",
      "wallet-B",
      "wallet-C"
    ])
  })

  it("share by policy", () => {
    const equal = { _tag: "EqualShare" } as const
    expect(Household.share(equal, 35, 2)).toBe(17)
    expect(Household.share(equal, 35, 1)).toBe(35)
    expect(Household.share(equal, -3, 2)).toBe(0)
    expect(Household.share({ _tag: "Agreed", points: 50 }, 35, 3)).toBe(35)
    expect(Household.share({ _tag: "Agreed", points: 5 }, 35, 3)).toBe(5)
    expect(Household.share({ _tag: "Nothing" }, 35, 3)).toBe(0)
  })
})

describe("Household.planMoveOut", () => {
  it("moves an equal share from the oldest lots, one linked transfer per expiry date", () => {
    const current = fresh()
    earn(current, "e1", 10, t0)
    earn(current, "e2", 10, t0 + day)
    earn(current, "e3", 5, t0 + day + 1000)
    earn(current, "e4", 10, t0 + 2 * day)
    const memberships = [member("A"), member("B")]
    const { plan, posted } = run(current, memberships, moveOut(), t0 + 3 * day)
    expect(plan!.share).toBe(17)
    expect(plan!.movements).toEqual([
      { transferId: "move.move-1.0", amount: 10, expiresAt: Lots.expiresAt(policy, t0) },
      { transferId: "move.move-1.1", amount: 7, expiresAt: Lots.expiresAt(policy, t0 + day) }
    ])
    expect(
      plan!.transfers.map((t) => [t.id, t.debitAccountId, t.creditAccountId, t.amount, t.code, t.flags.linked])
    ).toEqual([
      ["move.move-1.0", "h1", "wa", 10, "household-move", true],
      ["move.move-1.1", "h1", "wa", 7, "household-move", false]
    ])
    expect(results(posted!)).toEqual(["Ok", "Ok"])
    expect(remaining(current, "h1")).toEqual([
      ["e1", 0],
      ["e2", 3],
      ["e3", 5],
      ["e4", 10]
    ])
    expect(current.accounts.get("wa")!.creditsPosted).toBe(17)
    expect(memberships[0]).toMatchObject({ residentReference: "A", until: t0 + 3 * day, endedBy: "move-1" })
    expect(Household.membersAt(memberships, "household-1", t0 + 3 * day)).toEqual(["B"])
    // A retry finds the membership ended by this move: nothing more moves.
    const again = run(current, memberships, moveOut(), t0 + 3 * day + 5)
    expect(again.plan!.replayed).toBe(true)
    expect(again.plan!.transfers).toEqual([])
    expect(current.accounts.get("wa")!.creditsPosted).toBe(17)
  })

  it("expires what is due first, and never moves what a hold reserved", () => {
    const current = fresh()
    earn(current, "old", 10, t0)
    earn(current, "new", 30, t0 + 10 * day)
    post(
      current,
      [input({ id: "hold", debit: "h1", credit: "m1", amount: 6, pending: true, code: "redemption" })],
      t0,
      policyOf
    )
    const memberships = [member("A"), member("B")]
    const at = t0 + 31 * day
    const { plan, posted } = run(current, memberships, moveOut(), at)
    // 40 held, 6 reserved, 10 expired: 24 spendable, half of it moves.
    expect(plan!.expired).toBe(10)
    expect(plan!.share).toBe(12)
    expect(plan!.transfers.map((t) => [t.code, t.amount, t.flags.linked])).toEqual([
      ["expiry", 10, true],
      ["household-move", 12, false]
    ])
    expect(results(posted!)).toEqual(["Ok", "Ok"])
    expect(remaining(current, "h1")).toEqual([
      ["old", 0],
      ["new", 18]
    ])
    expect(Account.available(current.accounts.get("h1")!)).toBe(12)
  })

  it("lets the last member take everything, an agreed figure, or nothing", () => {
    const current = fresh()
    earn(current, "e1", 9, t0)
    const memberships = [member("A")]
    const agreed = run(
      current,
      [member("A"), member("B")],
      moveOut({ id: "m0", policy: { _tag: "Agreed", points: 4 } }),
      t0 + day
    )
    expect(agreed.plan!.share).toBe(4)
    const nothing = run(
      current,
      [member("A"), member("B")],
      moveOut({ id: "m1", policy: { _tag: "Nothing" } }),
      t0 + day
    )
    expect(nothing.plan!.transfers).toEqual([])
    expect(nothing.plan!.share).toBe(0)
    expect(Household.membershipAfter(nothing.plan!, [])).toMatchObject({ endedBy: "m1" })
    const last = run(current, memberships, moveOut({ id: "m2" }), t0 + day)
    expect(last.plan!.share).toBe(5)
    expect(current.accounts.get("wa")!.creditsPosted).toBe(9)
    expect(Account.available(current.accounts.get("h1")!)).toBe(0)
  })

  it("refuses in order of precedence, and keeps the membership when posting refuses", () => {
    const current = fresh()
    earn(current, "e1", 10, t0)
    const memberships = [member("A"), member("B")]
    const refusal = (request: Household.MoveOut, at = t0 + day, h: Household.Household | null = household) =>
      run(current, [...memberships], request, at, h).refusal
    expect(refusal(moveOut(), t0 + day, null)).toBe("HouseholdNotFound")
    expect(refusal(moveOut({ resident: "C" }))).toBe("ResidentNotMember")
    expect(refusal(moveOut(), t0 - 2 * day)).toBe("ResidentNotMember")
    const broken = Household.Household.make({ ...household, walletAccountId: Account.AccountId.make("wa") })
    expect(refusal(moveOut({ to: "h1" }), t0 + day, broken)).toBe("HouseholdWalletNotFound")
    expect(refusal(moveOut({ to: "nowhere" }))).toBe("ReceivingAccountNotFound")
    expect(refusal(moveOut({ to: "m1" }))).toBe("ReceivingAccountMustBeResidentWallet")
    expect(refusal(moveOut({ to: "closed" }))).toBe("ReceivingAccountClosed")
    const plan = Household.planMoveOut(
      {
        ...load(current, {
          accountIds: [household.walletAccountId, Account.AccountId.make("wa")],
          transferIds: [],
          referencedIds: []
        }),
        household,
        memberships
      },
      moveOut(),
      { now: t0 + day, policyOf }
    )
    const refused: ReadonlyArray<Posting.TransferOutcome> = [
      { id: Either.getOrThrow(plan).transfers[0]!.id, result: "ExceedsCredits", transfer: null }
    ]
    expect(Household.membershipAfter(Either.getOrThrow(plan), refused)).toBeNull()
  })

  it("conserves points and follows the household's lot order, whatever the lots and holds", () => {
    const arbitrary = fc.record({
      credits: fc.array(
        fc.record({ amount: fc.integer({ min: 1, max: 50 }), hours: fc.integer({ min: 0, max: 24 * 40 }) }),
        {
          minLength: 1,
          maxLength: 12
        }
      ),
      spent: fc.integer({ min: 0, max: 100 }),
      held: fc.integer({ min: 0, max: 60 }),
      members: fc.integer({ min: 1, max: 4 }),
      policy: fc.oneof(
        fc.constant<Household.SharePolicy>({ _tag: "EqualShare" }),
        fc.integer({ min: 0, max: 300 }).map((points): Household.SharePolicy => ({ _tag: "Agreed", points })),
        fc.constant<Household.SharePolicy>({ _tag: "Nothing" })
      ),
      moveAfterHours: fc.integer({ min: 0, max: 24 * 50 })
    })
    fc.assert(
      fc.property(arbitrary, (drawn) => {
        const current = fresh()
        drawn.credits.forEach((credit, i) => {
          earn(current, `e${i}`, credit.amount, t0 + credit.hours * 3_600_000)
        })
        const total = drawn.credits.reduce((sum, credit) => sum + credit.amount, 0)
        if (Math.min(drawn.spent, total) > 0) {
          const amount = Math.min(drawn.spent, total)
          post(current, [input({ id: "spend", debit: "h1", credit: "m1", amount, code: "redemption" })], t0, policyOf)
        }
        if (drawn.held > 0) {
          post(
            current,
            [input({ id: "hold", debit: "h1", credit: "m1", amount: drawn.held, pending: true, code: "redemption" })],
            t0,
            policyOf
          )
        }
        const memberships = ["A", "B", "C", "D"].slice(0, drawn.members).map((resident) => member(resident))
        const now = t0 + drawn.moveAfterHours * 3_600_000
        const before = new Map<string, Lots.Lot>(
          [...(current.lots.get("h1")?.values() ?? [])].map((lot) => [lot.id, lot])
        )
        const h1Before = current.accounts.get("h1")!
        const { plan, posted } = run(current, memberships, moveOut({ policy: drawn.policy }), now)
        if (plan!.transfers.length > 0) expect(results(posted!).every((r) => r === "Ok")).toBe(true)
        const h1 = current.accounts.get("h1")!
        const wa = current.accounts.get("wa")!
        const expired = current.accounts.get("expired")!
        // Points only moved: what left the household reached the leaver or the expired account.
        expect(Account.postedBalance(h1Before) - Account.postedBalance(h1)).toBe(
          wa.creditsPosted + expired.creditsPosted
        )
        expect(wa.creditsPosted).toBe(plan!.share)
        expect(plan!.share).toBeLessThanOrEqual(Math.max(0, Account.available(h1Before) - plan!.expired))
        expect(Account.available(h1)).toBeGreaterThanOrEqual(0)
        // Each movement consumed lots of its expiry date only, oldest first, after the expiry.
        const consumed = new Map<number | null, number>()
        for (const lot of current.lots.get("h1")?.values() ?? []) {
          const taken = (before.get(lot.id)?.remaining ?? 0) - lot.remaining
          if (taken > 0) consumed.set(lot.expiresAt, (consumed.get(lot.expiresAt) ?? 0) + taken)
        }
        // What expiry took (by the expiry of the lot it names), then the movements, per date.
        const expected = new Map<number | null, number>()
        const add = (expiresAt: number | null, amount: number) =>
          expected.set(expiresAt, (expected.get(expiresAt) ?? 0) + amount)
        for (const transfer of plan!.transfers) {
          if (transfer.code === "expiry")
            add(before.get(transfer.sourceReference!.slice(4))!.expiresAt, transfer.amount!)
        }
        for (const movement of plan!.movements) add(movement.expiresAt, movement.amount)
        expect(consumed).toEqual(expected)
        // The leaver never takes points that had expired.
        for (const movement of plan!.movements) {
          expect(movement.expiresAt === null || movement.expiresAt > now).toBe(true)
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe("with Lots.apply carrying expiry on wallet-to-wallet transfers", () => {
  it("the leaver's lots keep the household lots' expiry", () => {
    const current = fresh()
    earn(current, "e1", 10, t0)
    earn(current, "e2", 10, t0 + day)
    const { plan } = run(current, [member("A"), member("B")], moveOut(), t0 + 20 * day)
    const lots = [...current.lots.get("wa")!.values()].sort(Lots.order)
    expect(lots.map((lot) => [lot.id, lot.amount, lot.expiresAt])).toEqual(
      plan!.movements.map((m) => [m.transferId, m.amount, m.expiresAt])
    )
    expect(lots[0]!.expiresAt).toBe(Lots.expiresAt(policy, t0))
  })
})
