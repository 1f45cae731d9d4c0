import { describe, expect, it } from "@effect/vitest"
import { Actor, DataValue } from "@sortgrid/core"
import { Effect, Layer } from "effect"
import * as Account from "../src/Account.js"
import * as Earning from "../src/Earning.js"
import { type ActivityQuery, type EarningRecord, EarningStore } from "../src/EarningStore.js"
import { EarningConfig, Programme } from "../src/Earnings.js"
import * as LedgerValues from "../src/LedgerValues.js"
import type * as Posting from "../src/Posting.js"
import * as Transfer from "../src/Transfer.js"

const ledger = Account.LedgerId.make("tongzhou")
const programme = Programme.make({
  ledger,
  budgetAccountId: Account.AccountId.make("budget"),
  rules: [Earning.Rule.make({ code: Transfer.codes.correctSorting, amount: 2 })]
})

const record = (id: string, resident: string, at: string, amount: number, occurredAt: number): EarningRecord => ({
  transferId: Transfer.TransferId.make(id),
  ledger,
  code: Transfer.codes.correctSorting,
  at: Actor.NodePath.make(at),
  residentReference: resident,
  householdReference: null,
  amount,
  occurredAt
})

/** 15 June 2023, 10:00 in Beijing. */
const june = Date.UTC(2023, 5, 15, 2)
const records = [
  record("a", "r1", "/d/s1/c1/", 2, june),
  record("b", "r1", "/d/s1/c2/", 3, june),
  record("c", "r2", "/d/s1/c1/k1/", 5, june),
  record("d", "r3", "/d/s2/c3/", 7, june),
  record("e", "r3", "/d/s2/c3/", 1, Date.UTC(2023, 6, 15))
]

/**
 * A store that answers `activity` from `records` as the port says (grouped by place, code and
 * resident) and keeps every query it was asked.
 */
const fakeStore = (queries: Array<ActivityQuery>) =>
  Layer.succeed(
    EarningStore,
    EarningStore.of({
      lockCounters: () => Effect.die("unused"),
      addToCounters: () => Effect.die("unused"),
      pruneCounters: () => Effect.die("unused"),
      trackLockHolds: () => Effect.die("unused"),
      lockHolds: () => Effect.die("unused"),
      forgetLockHolds: () => Effect.die("unused"),
      recordEarnings: () => Effect.die("unused"),
      activity: (query) =>
        Effect.sync(() => {
          queries.push(query)
          const groups = new Map<
            string,
            {
              at: Actor.NodePath
              code: Transfer.TransferCode
              residentReference: string
              points: number
              claims: number
            }
          >()
          for (const r of records) {
            if (r.ledger !== query.ledger || r.occurredAt < query.from || r.occurredAt >= query.until) continue
            if (!query.under.some((p) => r.at.startsWith(p)) && !query.nodes.some((n) => r.at.includes(`/${n}/`))) {
              continue
            }
            const key = `${r.at}|${r.code}|${r.residentReference}`
            const group = groups.get(key) ?? {
              at: r.at,
              code: r.code,
              residentReference: r.residentReference,
              points: 0,
              claims: 0
            }
            group.points += r.amount
            group.claims += 1
            groups.set(key, group)
          }
          return [...groups.values()]
        })
    })
  )

const provide =
  (queries: Array<ActivityQuery>) => (effect: Effect.Effect<unknown, unknown, DataValue.DataValueProvider>) =>
    effect.pipe(
      Effect.provide(LedgerValues.layer.pipe(Layer.provide(fakeStore(queries)))),
      Effect.provideService(EarningConfig, { programmes: new Map([[ledger, programme]]) })
    )

const request = (nodes: ReadonlyArray<string>, period: string) =>
  DataValue.ValuesRequest.make({
    elements: LedgerValues.dataElements.map((element) => element.id),
    nodes: nodes.map((node) => (node.startsWith("/") ? Actor.NodePath.make(node) : DataValue.NodeRef.make(node))),
    period: DataValue.PeriodId.make(period)
  })

const lines = (values: ReadonlyArray<DataValue.DataValue>) =>
  values.map((value) => `${value.node} ${value.element} ${value.value}`)

describe("LedgerValues", () => {
  it.effect("reads once per programme, over the period in the programme's time zone", () => {
    const queries: Array<ActivityQuery> = []
    return Effect.gen(function* () {
      const provider = yield* DataValue.DataValueProvider
      yield* provider.values(request(["s1", "/d/s2/", "/d/s2/c3/", "c1"], "2023-06"))
      expect(queries).toEqual([
        {
          ledger: "tongzhou",
          under: ["/d/s2/"],
          nodes: ["c1", "s1"],
          from: Date.UTC(2023, 4, 31, 16),
          until: Date.UTC(2023, 5, 30, 16)
        }
      ])
    }).pipe(provide(queries))
  })

  it.effect("rolls points, earnings and distinct residents up the recorded paths", () =>
    Effect.gen(function* () {
      const provider = yield* DataValue.DataValueProvider
      expect(lines(yield* provider.values(request(["d", "s1", "c1"], "2023-06")))).toEqual([
        "d ledger.points.earned 17",
        "d ledger.earnings.count 4",
        "d ledger.residents.earning 3",
        "s1 ledger.points.earned 10",
        "s1 ledger.earnings.count 3",
        "s1 ledger.residents.earning 2",
        "c1 ledger.points.earned 7",
        "c1 ledger.earnings.count 2",
        "c1 ledger.residents.earning 2"
      ])
      expect(lines(yield* provider.values(request(["/d/s2/"], "2023-07")))).toEqual([
        "s2 ledger.points.earned 1",
        "s2 ledger.earnings.count 1",
        "s2 ledger.residents.earning 1",
        "c3 ledger.points.earned 1",
        "c3 ledger.earnings.count 1",
        "c3 ledger.residents.earning 1"
      ])
      expect(yield* provider.values(request(["d"], "2023-08"))).toEqual([])
    }).pipe(provide([]))
  )

  it("counts a resident earning in two places once above them", () => {
    const rows = [
      { at: Actor.NodePath.make("/d/a/"), code: Transfer.codes.event, residentReference: "r1", points: 5, claims: 1 },
      { at: Actor.NodePath.make("/d/b/"), code: Transfer.codes.event, residentReference: "r1", points: 5, claims: 2 }
    ]
    const tallies = LedgerValues.rollUp(rows, { paths: ["/"], refs: new Set() })
    expect(tallies.get("d")).toEqual({ path: "/d/", points: 10, claims: 3, residents: 1 })
    expect(tallies.get("a")).toEqual({ path: "/d/a/", points: 5, claims: 1, residents: 1 })
  })
})

describe("Earning.earned", () => {
  const claim = (id: string) =>
    Earning.Claim.make({
      id: Transfer.TransferId.make(id),
      code: Transfer.codes.correctSorting,
      residentReference: `resident-${id}`,
      walletAccountId: Account.AccountId.make(`wallet-${id}`),
      at: Actor.NodePath.make("/d/s1/c1/"),
      sourceReference: `inspection-${id}`,
      occurredAt: june
    })
  const outcome = (id: string, result: Posting.TransferResult): Posting.TransferOutcome => ({
    id: Transfer.TransferId.make(id),
    result,
    transfer: null
  })

  it("records the claims granted now whose transfer posted, and nothing for a retry or a refusal", () => {
    const options = { ledger, budgetAccountId: programme.budgetAccountId, utcOffsetMinutes: 480 }
    const stored = new Map([["retry", { amount: 2, flags: Transfer.noFlags } as unknown as Transfer.Transfer]])
    const claims = [claim("new"), claim("retry"), claim("refused"), claim("new")]
    const plan = Earning.decide(
      programme.rules,
      claims,
      { used: new Map(), taken: new Set(), existing: stored },
      options
    )
    const records = Earning.earned(
      claims,
      plan,
      [
        outcome("new", "Ok"),
        outcome("retry", "Exists"),
        outcome("refused", "ExceedsCredits"),
        outcome("new", "Exists")
      ],
      ledger
    )
    expect(records).toEqual([
      {
        transferId: "new",
        ledger: "tongzhou",
        code: "correct-sorting",
        at: "/d/s1/c1/",
        residentReference: "resident-new",
        householdReference: null,
        amount: 2,
        occurredAt: june
      }
    ])
  })
})
