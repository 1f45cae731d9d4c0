/**
 * What the HTTP tests share: a server on loopback over a store, tokens for each role, a small tree
 * (two subdistricts of Tongzhou, each with a community, a grid and a compound), the inspection
 * definitions, and one problem in each subdistrict.
 */
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Actor } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import { Inspections, ProblemRegister } from "@sortgrid/issues"
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
  volunteer: actor("volunteer-sun", "volunteer", own)
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

/** The server over `store`, on a random loopback port; the services stay in the context for seeding. */
export const serverLayer = (store: string, options: Partial<Parameters<typeof Server.layerOver>[0]> = {}) =>
  Server.layerOver({ tokens, ...options } as Parameters<typeof Server.layerOver>[0]).pipe(
    Layer.provideMerge(Sortgrid.layer({ store })),
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
