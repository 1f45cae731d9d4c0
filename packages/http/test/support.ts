/**
 * What the HTTP tests share: a server on loopback over a store, tokens for each role, a small tree
 * (two subdistricts of Tongzhou, each with a community, a grid and a compound), the inspection
 * definitions, and one problem in each subdistrict; for the ledger, a points programme with a
 * wallet in each subdistrict and a merchant; for the assessment engine, a scheme scoring both
 * subdistricts in March 2023.
 */
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Assessments } from "@sortgrid/assessment"
import { Actor } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import { Inspections, ProblemRegister } from "@sortgrid/issues"
import { Account, Earning, Earnings, Ledger, Redemptions, Transfer } from "@sortgrid/ledger"
import { Sortgrid } from "@sortgrid/sdk"
import { InspectionSuite } from "@sortgrid/testkit"
import { Effect, Layer, TestClock } from "effect"
import { Api, Server } from "../src/index.js"

/** Monday 6 March 2023, 10:00 in Beijing. */
export const now = Date.parse("2023-03-06T02:00:00Z")
export const asOf = "2023-03-06"

export const own = "/110112/110112001/"
export const other = "/110112/110112002/"

const actor = (id: string, role: string, scope: string) => ({ id, roles: [role], scope: [scope] })

/** Token → actor. Scoped roles act in 中仓街道 (110112001); 新华街道 (110112002) is "another scope". */
export const actors = {
  admin: actor("admin", "district-admin", "/"),
  subdistrictAdmin: actor("zhongcang-admin", "subdistrict-admin", own),
  inspector: actor("inspector-li", "inspector", own),
  gridWorker: actor("worker-wang", "grid-worker", own),
  auditor: actor("auditor-zhao", "auditor", "/"),
  volunteer: actor("volunteer-sun", "volunteer", own),
  programmeOperator: actor("operator-zhou", "programme-operator", own),
  merchantCashier: actor("cashier-qian", "merchant-cashier", own)
} as const

export type Role = keyof typeof actors

export const tokenOf = (role: Role) => `token-${role}-0123456789`

export const tokens = Object.fromEntries(
  (Object.keys(actors) as Array<Role>).map((role) => [tokenOf(role), actors[role]])
)

export const roles = Object.keys(actors) as ReadonlyArray<Role>

/** The ids of the seeded tree: `c1` in the own scope, `c2` in the other. */
export const ids = {
  district: "110112",
  s1: "110112001",
  s2: "110112002",
  community1: "110112001001",
  community2: "110112002001",
  grid1: "110112001001-g1",
  grid2: "110112002001-g1",
  compound1: "110112001001-c1",
  compound2: "110112002001-c1",
  problem1: "p-own-1",
  problem2: "p-other-1"
} as const

export const paths = {
  compound1: `${own}110112001001/110112001001-g1/110112001001-c1/`,
  compound2: `${other}110112002001/110112002001-g1/110112002001-c1/`
}

const admin = new Actor.Actor({
  id: Actor.ActorId.make("seed-admin"),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})

/** The points ledger's fixtures: one programme, its budget, a wallet in each subdistrict, a merchant. */
export const points = {
  ledger: "tongzhou",
  reserve: "reserve",
  budget: "budget",
  merchantAccount: "m1-account",
  merchant: "m1",
  item: "soap",
  walletOwn: "w-own",
  walletOther: "w-other"
} as const

/** The programme: 2 points for correct sorting, at most 10 a day per resident. */
export const programme = Earnings.Programme.make({
  ledger: Account.LedgerId.make(points.ledger),
  budgetAccountId: Account.AccountId.make(points.budget),
  rules: [
    Earning.Rule.make({
      code: Transfer.codes.correctSorting,
      amount: 2,
      caps: [Earning.Cap.make({ per: "resident", period: "Day", pointsMax: 10 })]
    })
  ]
})

/** The server over `store`, on a random loopback port; the services stay in the context for seeding. */
export const serverLayer = (store: string, options: Partial<Parameters<typeof Server.layerOver>[0]> = {}) =>
  Server.layerOver({ tokens, ...options } as Parameters<typeof Server.layerOver>[0]).pipe(
    Layer.provideMerge(Sortgrid.layer({ store, earning: { programmes: new Map([[points.ledger, programme]]) } })),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )

/** Seeds the tree, the definitions and one problem per subdistrict, at {@link now}. */
export const seed = Effect.gen(function* () {
  yield* TestClock.setTime(now)
  const grid = yield* Grid.Grid
  const on = "2023-01-01"
  yield* grid.open(admin, [
    { id: ids.district, kind: "district", name: "通州区", effectiveOn: on },
    { id: ids.s1, kind: "subdistrict", name: "中仓街道", parentId: ids.district, effectiveOn: on },
    { id: ids.s2, kind: "subdistrict", name: "新华街道", parentId: ids.district, effectiveOn: on },
    { id: ids.community1, kind: "community", name: "中仓社区", parentId: ids.s1, effectiveOn: on },
    { id: ids.community2, kind: "community", name: "新华社区", parentId: ids.s2, effectiveOn: on },
    { id: ids.grid1, kind: "grid", name: "网格一", parentId: ids.community1, effectiveOn: on },
    { id: ids.grid2, kind: "grid", name: "网格二", parentId: ids.community2, effectiveOn: on },
    { id: ids.compound1, kind: "compound", name: "物业小区", parentId: ids.grid1, effectiveOn: on },
    { id: ids.compound2, kind: "compound", name: "老旧小区", parentId: ids.grid2, effectiveOn: on }
  ])
  yield* (yield* Inspections.Inspections).define(admin, InspectionSuite.definitions)
  const register = yield* ProblemRegister.ProblemRegister
  yield* register.registerMany(admin, [
    { id: ids.problem1, categoryCode: "bin-missing", nodeId: ids.compound1, attributes: { stream: "kitchen" } },
    { id: ids.problem2, categoryCode: "bin-missing", nodeId: ids.compound2, attributes: { stream: "kitchen" } }
  ])
})

/** A client derived from the API declaration, calling as `role`. */
export const clientAs = (role: Role) =>
  HttpApiClient.make(Api.Api, {
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(tokenOf(role)))
  })

/** A raw request: status and body text, for comparing answers byte for byte. */
export const raw = (request: {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly token?: string | undefined
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly form?: Readonly<Record<string, string>> | undefined
  /** A body sent as is, as JSON. */
  readonly text?: string | undefined
}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    let req = request.method === "GET" ? HttpClientRequest.get(request.url) : HttpClientRequest.post(request.url)
    if (request.token !== undefined) req = HttpClientRequest.bearerToken(req, request.token)
    if (request.headers !== undefined) req = HttpClientRequest.setHeaders(req, request.headers)
    if (request.text !== undefined) req = HttpClientRequest.bodyText(req, request.text, "application/json")
    else if (request.form !== undefined) req = HttpClientRequest.bodyUrlParams(req, request.form)
    else if (request.body !== undefined) req = yield* HttpClientRequest.bodyJson(req, request.body)
    const response = yield* client.execute(req)
    const text = yield* response.text
    return { status: response.status, text, headers: response.headers, json: (): unknown => JSON.parse(text) }
  }).pipe(Effect.scoped, Effect.orDie)

/**
 * Seeds the points programme (after {@link seed}): the reserve, the budget (funded with 100,000
 * points), a merchant with soap at 10 points, and a wallet in each subdistrict with 100 points.
 */
export const seedLedger = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  const redemptions = yield* Redemptions.Redemptions
  const ledgerId = points.ledger
  yield* ledger.createAccounts(admin, [
    { id: points.reserve, ledger: ledgerId, code: "reserve" },
    { id: points.budget, ledger: ledgerId, code: "programme-budget" },
    { id: points.merchantAccount, ledger: ledgerId, code: "merchant", ownerReference: points.merchant },
    { id: points.walletOwn, ledger: ledgerId, code: "resident-wallet", ownerReference: `resident@${ids.compound1}` },
    { id: points.walletOther, ledger: ledgerId, code: "resident-wallet", ownerReference: `resident@${ids.compound2}` }
  ])
  const move = (id: string, from: string, to: string, amount: number, code: string) => ({
    id,
    debitAccountId: from,
    creditAccountId: to,
    amount,
    ledger: ledgerId,
    code
  })
  yield* ledger.createTransfers(admin, [
    move("seed-fund", points.reserve, points.budget, 100_000, "fund-allocation"),
    move("seed-own", points.budget, points.walletOwn, 100, "adjustment"),
    move("seed-other", points.budget, points.walletOther, 100, "adjustment")
  ])
  yield* redemptions.defineMerchants(admin, [
    {
      id: points.merchant,
      ledger: ledgerId,
      accountId: points.merchantAccount,
      kind: "merchant",
      name: { zh: "便民超市", en: "Corner shop" }
    }
  ])
  yield* redemptions.defineItems(admin, [
    { merchantId: points.merchant, code: points.item, name: { zh: "肥皂", en: "Soap" }, pointCost: 10, stock: 1_000 }
  ])
})

/** The scheme: both subdistricts, scored monthly on their outreach events (target 4). */
export const scheme = {
  id: "urban-2023",
  version: 1,
  name: "Subdistricts, 2023",
  group: "urban",
  effectiveFrom: "2023-01-01",
  totalWeight: 100,
  missingData: "zero",
  elements: [{ id: "outreach.events", name: "Outreach events", valueType: "count" }],
  indicators: [{ _tag: "Formula", id: "outreach", name: "Outreach events", formula: "outreach.events" }],
  items: [{ indicator: "outreach", rule: { _tag: "Target", weight: 100, direction: "higherIsBetter", target: 4 } }],
  grades: [{ label: "good", atLeast: 75 }],
  gradeBelow: "weak"
}

/** The month scored in the seed. */
export const scoredPeriod = "2023-03"

/**
 * Seeds the assessment engine (after {@link seed}): the scheme, March's outreach events (3 in the
 * own subdistrict, 4 in the other), and March scored for both subdistricts.
 */
export const seedAssessment = Effect.gen(function* () {
  const assessments = yield* Assessments.Assessments
  yield* assessments.defineScheme(admin, scheme)
  yield* assessments.enterValues(admin, [
    { element: "outreach.events", node: ids.s1, period: scoredPeriod, value: 3 },
    { element: "outreach.events", node: ids.s2, period: scoredPeriod, value: 4 }
  ])
  yield* assessments.evaluate(admin, { schemeId: scheme.id, period: scoredPeriod, units: [ids.s1, ids.s2] })
})
