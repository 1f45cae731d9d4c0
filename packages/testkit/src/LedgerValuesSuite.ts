/**
 * The ledger-values conformance suite: the ledger's `DataValue.DataValueProvider` (`LedgerValues`)
 * over a store — points earned, earnings and distinct residents earning, each node counting the
 * earnings recorded on or under it. Claims are earned through the `Earnings` service (so the
 * earnings by place are written in its transaction), then read back through the provider. Every
 * adapter of the programme's ports runs it:
 *
 * ```ts
 * LedgerValuesSuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, DataValue, Permission } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import * as Earning from "@sortgrid/ledger/Earning"
import { EarningConfig, Earnings, Programme } from "@sortgrid/ledger/Earnings"
import { Ledger, LedgerConfig } from "@sortgrid/ledger/Ledger"
import * as LedgerValues from "@sortgrid/ledger/LedgerValues"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, Layer } from "effect"
import type * as ProgrammeSuite from "./ProgrammeSuite.js"

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = { "programme-operator": ["ledger.*", "audit.*"] }

const operator = new Actor.Actor({
  id: Actor.ActorId.make("operator"),
  roles: [Actor.Role.make("programme-operator")],
  scope: [Actor.root]
})

const ledgerId = Account.LedgerId.make("values")

const programme = Programme.make({
  ledger: ledgerId,
  budgetAccountId: Account.AccountId.make("budget"),
  rules: [
    Earning.Rule.make({ code: Transfer.codes.correctSorting, amount: 2 }),
    Earning.Rule.make({ code: Transfer.codes.event, amount: 5 })
  ]
})

/**
 * The earning and ledger services and the ledger's data-value provider over a store layer, with
 * the audit log, the suite's programme (Beijing time) and grants.
 *
 * @since 0.1.0
 * @category layers
 */
export const services = <E>(store: Layer.Layer<ProgrammeSuite.Store, E>) =>
  Layer.mergeAll(Earnings.Default, Ledger.Default, LedgerValues.layer).pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provideMerge(store),
    Layer.provideMerge(Permission.layer(grants)),
    Layer.provideMerge(Layer.succeed(LedgerConfig, { policies: new Map() })),
    Layer.provideMerge(Layer.succeed(EarningConfig, { programmes: new Map([[ledgerId, programme]]) }))
  )

/** An instant from a Beijing wall-clock time. */
const beijing = (day: string, time: string) => Date.parse(`${day}T${time}+08:00`)

const claim = (id: string, code: string, resident: number, at: string, occurredAt: number) => ({
  id,
  code,
  residentReference: `r${resident}`,
  householdReference: `h${resident}`,
  walletAccountId: `w${resident}`,
  at,
  sourceReference: `source:${id}`,
  occurredAt
})

/**
 * Earnings recorded at these places (no tree needed: the claims' paths are the places):
 *
 * ```
 * ld ─┬─ ls1 ─┬─ lc1 ── lk1
 *     │       └─ lc2
 *     └─ ls2 ─── lc3
 * ```
 *
 * In June (Beijing time): e0 r2 at lc1, 2 points (1 June 00:30, still 31 May in UTC); e1 r1 at
 * lc1, 2; e2 r1 at lk1, 5; e3 r2 at lc1, 2; e4 r1 at lc2, 2; e5 r3 at lc3, 5. In July: e6 r4 at
 * lc1, 2 (1 July 00:30, still 30 June in UTC). Refused: e7 has no rule.
 *
 * So in June: lk1 5 / 1 / 1 resident; lc1 11 / 4 / 2 (r1, r2); lc2 2 / 1 / 1; ls1 13 / 5 / 2;
 * lc3 and ls2 5 / 1 / 1; ld 18 / 6 / 3.
 */
const seed = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.createAccounts(operator, [
    { id: "reserve", ledger: "values", code: "reserve" },
    { id: "budget", ledger: "values", code: "programme-budget" },
    ...[1, 2, 3, 4].map((i) => ({
      id: `w${i}`,
      ledger: "values",
      code: "resident-wallet",
      ownerReference: `r${i}`
    }))
  ])
  yield* ledger.createTransfers(operator, [
    {
      id: "fund",
      debitAccountId: "reserve",
      creditAccountId: "budget",
      amount: 10_000,
      ledger: "values",
      code: "fund-allocation"
    }
  ])
  const earnings = yield* Earnings
  const june = (day: string) => beijing(`2023-06-${day}`, "10:00")
  const outcomes = yield* earnings.earn(operator, {
    ledger: "values",
    claims: [
      claim("e0", "correct-sorting", 2, "/ld/ls1/lc1/", beijing("2023-06-01", "00:30")),
      claim("e1", "correct-sorting", 1, "/ld/ls1/lc1/", june("05")),
      claim("e2", "event", 1, "/ld/ls1/lc1/lk1/", june("10")),
      claim("e3", "correct-sorting", 2, "/ld/ls1/lc1/", june("12")),
      claim("e4", "correct-sorting", 1, "/ld/ls1/lc2/", june("20")),
      claim("e5", "event", 3, "/ld/ls2/lc3/", june("30")),
      claim("e6", "correct-sorting", 4, "/ld/ls1/lc1/", beijing("2023-07-01", "00:30")),
      claim("e7", "no-such-rule", 4, "/ld/ls1/lc1/", june("15"))
    ]
  })
  expect(outcomes.map((o) => o.outcome?.result ?? o.decision._tag)).toEqual([
    "Ok",
    "Ok",
    "Ok",
    "Ok",
    "Ok",
    "Ok",
    "Ok",
    "RuleNotFound"
  ])
})

const request = (nodes: ReadonlyArray<string>, period: string, elements = LedgerValues.dataElements) =>
  DataValue.ValuesRequest.make({
    elements: elements.map((element) => element.id),
    nodes: nodes.map((node) => (node.startsWith("/") ? Actor.NodePath.make(node) : DataValue.NodeRef.make(node))),
    period: DataValue.PeriodId.make(period)
  })

/** Values as `node element value` lines, in the provider's order. */
const lines = (values: ReadonlyArray<DataValue.DataValue>) =>
  values.map((value) => `${value.node} ${value.element} ${value.value}`)

const figures = (node: string, points: number, claims: number, residents: number) => [
  `${node} ledger.points.earned ${points}`,
  `${node} ledger.earnings.count ${claims}`,
  `${node} ledger.residents.earning ${residents}`
]

/**
 * Registers the suite under `name`. The layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<ProgrammeSuite.Store, E>): void => {
  const fresh = services(layer)
  type Services = Layer.Layer.Success<typeof fresh>
  const test = (title: string, body: () => Effect.Effect<void, unknown, Services>) =>
    it.effect(title, () => Effect.provide(body(), fresh), 60_000)

  describe(`${name}: ledger values conformance`, () => {
    test("a community, its subdistrict and the district count what was earned on or under them", () =>
      Effect.gen(function* () {
        yield* seed
        const provider = yield* DataValue.DataValueProvider
        expect(lines(yield* provider.values(request(["lc1", "ls1", "ld"], "2023-06")))).toEqual([
          ...figures("ld", 18, 6, 3),
          ...figures("ls1", 13, 5, 2),
          ...figures("lc1", 11, 4, 2)
        ])
        const values = yield* provider.values(request(["/ld/ls1/"], "2023-06"))
        expect(lines(values)).toEqual([
          ...figures("ls1", 13, 5, 2),
          ...figures("lc1", 11, 4, 2),
          ...figures("lk1", 5, 1, 1),
          ...figures("lc2", 2, 1, 1)
        ])
        expect(values[0]?.provenance).toMatchObject({ kind: "derived", source: "ledger.earning" })
        expect(
          lines(yield* provider.values(request(["ls2"], "2023-06", [LedgerValues.elements.pointsEarned])))
        ).toEqual(["ls2 ledger.points.earned 5"])
        // The quarter holds June; July holds only e6, which is 30 June in UTC but 1 July in Beijing.
        expect(lines(yield* provider.values(request(["ld"], "2023-Q2")))).toEqual(figures("ld", 18, 6, 3))
        expect(lines(yield* provider.values(request(["ld"], "2023-07")))).toEqual(figures("ld", 2, 1, 1))
      }))

    test("a retried claim counts once", () =>
      Effect.gen(function* () {
        yield* seed
        const earnings = yield* Earnings
        const retried = yield* earnings.earn(operator, {
          ledger: "values",
          claims: [
            claim("e1", "correct-sorting", 1, "/ld/ls1/lc1/", beijing("2023-06-05", "10:00")),
            claim("e5", "event", 3, "/ld/ls2/lc3/", beijing("2023-06-30", "10:00"))
          ]
        })
        expect(retried.map((o) => o.outcome?.result)).toEqual(["Exists", "Exists"])
        const provider = yield* DataValue.DataValueProvider
        expect(lines(yield* provider.values(request(["ld"], "2023-06")))).toEqual(figures("ld", 18, 6, 3))
      }))

    test("a period outside, a node without earnings and an element not offered give nothing", () =>
      Effect.gen(function* () {
        yield* seed
        const provider = yield* DataValue.DataValueProvider
        expect(yield* provider.values(request(["ld", "/ld/"], "2023-05"))).toEqual([])
        expect(yield* provider.values(request(["ld"], "2023-08"))).toEqual([])
        expect(yield* provider.values(request(["elsewhere", "/other/"], "2023-06"))).toEqual([])
        expect(
          yield* provider.values(
            DataValue.ValuesRequest.make({
              elements: [DataValue.DataElementId.make("grid.duty.expected")],
              nodes: [DataValue.NodeRef.make("ld")],
              period: DataValue.PeriodId.make("2023-06")
            })
          )
        ).toEqual([])
      }))
  })
}
