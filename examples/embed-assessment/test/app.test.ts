import { readFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Allocation, AssessmentStore, Assessments, Engine, Evaluation, Scheme } from "@sortgrid/assessment"
import { Client } from "@sortgrid/sdk"
import { createApp } from "../src/app.js"

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"))
const scheme = fixture("urban-2023.scheme.json") as Record<string, unknown>
const values = fixture("2023-06.values.json")
const units = ["sub-a", "sub-b", "sub-c", "sub-d"]

const tokens = {
  office: { id: "district-office", roles: ["district-admin"], scope: ["/"] },
  official: { id: "official", roles: ["department-official"], scope: ["/"] },
  subA: { id: "sub-a-admin", roles: ["subdistrict-admin"], scope: ["/d1/sub-a/"] }
}

let sortgrid: Client.SortgridClient
let base = ""
let server: ReturnType<typeof createApp>

beforeAll(async () => {
  sortgrid = await Client.open({ store: "memory:" })
  server = createApp({ sortgrid, tokens })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  await sortgrid.close()
})

/** An error answer: the facade's `issues` (field path and reason) or the engine's `errors`. */
type ErrorBody = {
  readonly error: {
    readonly _tag: string
    readonly message: string
    readonly issues?: ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly reason: string }>
    readonly errors?: ReadonlyArray<Engine.EngineError>
  }
}

/** Calls the app; `Body` is the JSON the route answers with (the SDK's own types, as JSON). */
const call = async <Body = ErrorBody>(
  method: "GET" | "POST",
  path: string,
  options: { token?: string; body?: unknown } = {}
) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` })
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
  })
  // JSON has no type: the test names the answer it expects, and the assertions check it.
  return { status: response.status, body: (await response.json()) as Body }
}

describe("embedding the assessment engine in a node:http app", () => {
  it("scores plain JSON with Engine.score: totals, ranks and the fund split of the worked example", async () => {
    const { status, body } = await call<{ result: Evaluation.Result; allocation: Allocation.Split }>("POST", "/score", {
      body: {
        scheme,
        values,
        options: {
          period: "2023-06",
          units,
          allocation: { fund: 10_000_000, rule: { _tag: "Proportional", threshold: 60 } }
        }
      }
    })
    expect(status).toBe(200)
    expect(body.result.units.map((u) => [u.unit, u.total, u.rank])).toEqual([
      ["sub-a", 92, 1],
      ["sub-c", 83.6, 2],
      ["sub-d", 75, 3],
      ["sub-b", 53.5, 4]
    ])
    expect(body.allocation.parts.map((p) => [p.unit, p.fen])).toEqual([
      ["sub-a", 4_532_578],
      ["sub-b", 0],
      ["sub-c", 3_342_776],
      ["sub-d", 2_124_646]
    ])
  })

  it("answers 422 with every error and its path when the input cannot be scored", async () => {
    const { status, body } = await call("POST", "/score", {
      body: { scheme: { ...scheme, totalWeight: 90 }, values, options: { period: "2023-13", units } }
    })
    expect(status).toBe(422)
    expect(body.error.errors).toEqual([
      { tag: "Invalid", path: ["totalWeight"], message: "the weights add up to 100, but the scheme declares 90" },
      expect.objectContaining({ tag: "Invalid", path: ["options", "period"] })
    ])
  })

  it("stores a scheme, values and results through the Promise facade, as the request's actor", async () => {
    const office = "office"
    const nodes = [
      { id: "d1", kind: "district", name: "District", effectiveOn: "2023-01-01" },
      ...units.map((id) => ({ id, kind: "subdistrict", name: id, parentId: "d1", effectiveOn: "2023-01-01" }))
    ]
    expect((await call("POST", "/nodes", { token: office, body: nodes })).status).toBe(201)
    const defined = await call<Assessments.Defined>("POST", "/schemes", { token: office, body: scheme })
    expect([defined.status, defined.body.outcome]).toEqual([201, "defined"])
    const entered = await call<ReadonlyArray<AssessmentStore.StoredValue>>("POST", "/values", {
      token: office,
      body: values
    })
    expect([entered.status, entered.body.length]).toEqual([201, 20])

    const evaluation = { schemeId: "urban-2023", period: "2023-06", units }
    const scored = await call<Assessments.Scored>("POST", "/evaluations", { token: office, body: evaluation })
    expect(scored.status).toBe(200)
    expect(scored.body.outcome).toBe("stored")
    // A retry stores nothing new: the result is byte-identical.
    expect(
      (await call<Assessments.Scored>("POST", "/evaluations", { token: office, body: evaluation })).body.outcome
    ).toBe("unchanged")

    const latest = await call<AssessmentStore.StoredResult>("GET", "/results?schemeId=urban-2023&period=2023-06", {
      token: "official"
    })
    expect(latest.status).toBe(200)
    expect(latest.body.version).toBe(1)
    expect(latest.body.result.units[0]).toMatchObject({ unit: "sub-a", total: 92, rank: 1, grade: "excellent" })

    // Version 2 moves five points of weight; the diff names exactly what changed.
    const items = (scheme.items as ReadonlyArray<{ indicator: string; rule: { weight?: number } }>).map((item) =>
      item.indicator === "problemsPerCompound"
        ? { ...item, rule: { ...item.rule, weight: 45 } }
        : item.indicator === "outreach"
          ? { ...item, rule: { ...item.rule, weight: 20 } }
          : item
    )
    await call("POST", "/schemes", {
      token: office,
      body: { ...scheme, version: 2, effectiveFrom: "2023-07-01", items }
    })
    const diff = await call<ReadonlyArray<Scheme.Change>>("GET", "/schemes/urban-2023/diff?from=1&to=2", {
      token: "official"
    })
    expect(diff.body.map((change) => change.path.join("."))).toEqual([
      "effectiveFrom",
      "items.problemsPerCompound.rule.weight",
      "items.outreach.rule.weight",
      "version"
    ])

    const payout = await call<Assessments.Payout>("POST", "/allocations", {
      token: office,
      body: {
        schemeId: "urban-2023",
        period: "2023-06",
        fund: 10_000_000,
        rule: { _tag: "Proportional", threshold: 60 }
      }
    })
    expect(payout.status).toBe(200)
    expect(payout.body.split.parts.map((p) => p.fen)).toEqual([4_532_578, 0, 3_342_776, 2_124_646])
  })

  it("maps sortgrid's typed errors to HTTP statuses", async () => {
    expect((await call("POST", "/schemes", { body: scheme })).status).toBe(401)
    const forbidden = await call("POST", "/evaluations", {
      token: "subA",
      body: { schemeId: "urban-2023", period: "2023-06", units: ["sub-a"] }
    })
    expect([forbidden.status, forbidden.body.error._tag]).toEqual([403, "Forbidden"])
    const invalid = await call("POST", "/schemes", { token: "office", body: { ...scheme, id: "other", items: [] } })
    expect([invalid.status, invalid.body.error._tag]).toEqual([422, "Invalid"])
    expect(invalid.body.error.issues).toEqual([{ path: ["scheme", "items", 0], reason: "is missing" }])
    const conflict = await call("POST", "/schemes", { token: "office", body: { ...scheme, name: "Renamed in place" } })
    expect([conflict.status, conflict.body.error._tag]).toEqual([409, "Conflict"])
    expect((await call("GET", "/nowhere")).status).toBe(404)
  })
})
