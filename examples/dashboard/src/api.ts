/// <reference lib="dom" />
// The dashboard's calls to the sortgrid HTTP API. The response types come from the API's own
// declaration (type-only imports: nothing of the server is bundled), so a change there breaks the
// type check here instead of the page.
import type { AssessmentApi, DashboardApi, LedgerApi, Paging } from "@sortgrid/http"

export type UnitFigures = typeof DashboardApi.UnitFigures.Encoded
export type Units = typeof DashboardApi.Units.Encoded
export type Tile = typeof DashboardApi.Tile.Encoded
export type Me = typeof DashboardApi.Me.Type
export type StoredResult = typeof AssessmentApi.StoredResult.Encoded
export type UnitResult = typeof AssessmentApi.UnitResult.Encoded
export type Explanation = UnitResult["explanation"]
export type BalanceView = typeof LedgerApi.BalanceView.Encoded
export type StatementLine = typeof LedgerApi.StatementLine.Encoded
type Page<A> = Paging.PageOf<A>

const tokenKey = "sortgrid.dashboard.token"

export const token = {
  get: (): string | null => sessionStorage.getItem(tokenKey),
  set: (value: string) => sessionStorage.setItem(tokenKey, value),
  clear: () => sessionStorage.removeItem(tokenKey)
}

/** A refusal from the API, with the problem body's detail. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    detail: string
  ) {
    super(`${status}: ${detail}`)
  }
}

type Params = ReadonlyArray<readonly [string, string]>

/**
 * A GET as the signed-in token. The body is typed by the API's declaration, which the server
 * encodes with: the page trusts its own server's schema rather than bundling a decoder.
 */
const get = async <A>(path: string, params: Params = []): Promise<A> => {
  const query = new URLSearchParams(params.map(([k, v]) => [k, v]))
  const url = params.length === 0 ? path : `${path}?${query}`
  const response = await fetch(url, { headers: { authorization: `Bearer ${token.get() ?? ""}` } })
  const body: unknown = await response.json().catch(() => ({}))
  if (!response.ok) {
    const detail = typeof body === "object" && body !== null && "detail" in body ? String(body.detail) : ""
    throw new ApiFailure(response.status, detail || response.statusText)
  }
  return body as A
}

/** Every page of a paged list, at the largest page size the API allows. */
const allPages = async <A>(page: (paging: Params) => Promise<Page<A>>): Promise<Array<A>> => {
  const items: Array<A> = []
  let cursor: string | null = null
  do {
    const next: Page<A> = await page(
      cursor === null
        ? [["limit", "200"]]
        : [
            ["limit", "200"],
            ["cursor", cursor]
          ]
    )
    items.push(...next.items)
    cursor = next.nextCursor
  } while (cursor !== null)
  return items
}

export const me = () => get<Me>("/dashboard/me")

/** A unit (null for the root) and every unit directly below it, for a period. */
export const units = async (under: string, period: string): Promise<Units> => {
  let first: Units | undefined
  const children = await allPages(async (paging) => {
    const body = await get<Units>("/dashboard/units", [["under", under], ["period", period], ...paging])
    first ??= body
    return body.children
  })
  if (first === undefined) throw new ApiFailure(500, "the API sent no page")
  return { ...first, children: { items: children, nextCursor: null } }
}

/** Every node of some kinds under a path, with its figures at the period's end. */
export const tiles = (under: string, period: string, kinds: ReadonlyArray<string>) =>
  allPages((paging) =>
    get<Page<Tile>>("/dashboard/tiles", [
      ["under", under],
      ["period", period],
      ...kinds.map((kind): readonly [string, string] => ["kinds", kind]),
      ...paging
    ])
  )

/** A node's name on a date. */
export const nodeName = (nodeId: string, asOf: string) =>
  get<{ readonly name: string }>(`/grid/nodes/${encodeURIComponent(nodeId)}`, [["asOf", asOf]]).then((n) => n.name)

/**
 * The latest result version of a scheme for a period (an appeal or a rescore adds versions; the
 * league table is the last one), or null when the period has not been scored.
 */
export const latestResult = async (schemeId: string, period: string): Promise<StoredResult | null> => {
  const versions = await allPages((paging) =>
    get<Page<StoredResult>>("/assessment/results", [["schemeId", schemeId], ["period", period], ...paging])
  )
  return versions.at(-1) ?? null
}

/** A wallet's (any account's) balances now. */
export const balance = (accountId: string) =>
  get<BalanceView>(`/ledger/accounts/${encodeURIComponent(accountId)}/balance`)

/** One page of an account's statement, oldest first, with reasons in the language asked. */
export const statement = (accountId: string, language: "en" | "zh", limit: number, cursor: string | null) =>
  get<Page<StatementLine>>(`/ledger/accounts/${encodeURIComponent(accountId)}/statement`, [
    ["language", language],
    ["limit", String(limit)],
    ...(cursor === null ? [] : [["cursor", cursor] as const])
  ])
