/// <reference lib="dom" />
// The district office's dashboard: asks for a bearer token, learns the caller's scope from the API,
// and routes `#/burndown`, `#/map` and `#/health` (each with `?unit=<path>` and a period),
// `#/league` (`?scheme=&period=&unit=`) and `#/points` (`?account=`) to their pages.
// Every figure comes from the sortgrid HTTP API served beside these files.
import * as Api from "./api.js"
import { h, href } from "./dom.js"
import * as Burndown from "./pages/burndown.js"
import * as Health from "./pages/health.js"
import * as League from "./pages/league.js"
import * as MapPage from "./pages/map.js"
import * as Points from "./pages/points.js"
import "./style.css"

/**
 * What every page knows: the caller, where their view starts, and the half-year shown. The store's
 * figures are the demo's hardware-to-zero campaign, January–June 2023; `?half=2023-H2` in the
 * page's address shows another half-year.
 */
export interface Context {
  readonly me: Api.Me
  /** The path of the unit pages open on: the caller's scope, or the largest unit under the root. */
  readonly start: string
  readonly half: string
  readonly months: ReadonlyArray<string>
  readonly quarters: ReadonlyArray<string>
  /** The half-year's last day. */
  readonly asOf: string
}

const half = new URLSearchParams(location.search).get("half") ?? "2023-H1"

const periodsOf = (id: string) => {
  const year = id.slice(0, 4)
  const first = id.endsWith("H2") ? 7 : 1
  const months = [0, 1, 2, 3, 4, 5].map((i) => `${year}-${String(first + i).padStart(2, "0")}`)
  const quarters = id.endsWith("H2") ? [`${year}-Q3`, `${year}-Q4`] : [`${year}-Q1`, `${year}-Q2`]
  return { months, quarters, asOf: id.endsWith("H2") ? `${year}-12-31` : `${year}-06-30` }
}

const pages = {
  burndown: { title: "Burn-down", render: Burndown.render },
  map: { title: "Map", render: MapPage.render },
  health: { title: "Health check", render: Health.render },
  league: { title: "League tables", render: League.render },
  points: { title: "Points statement", render: Points.render }
} as const

type PageName = keyof typeof pages

const isPage = (name: string): name is PageName => name in pages

const root = document.getElementById("app")!

const loginForm = (message: string) => {
  const input = h("input", {
    type: "password",
    name: "token",
    autocomplete: "off",
    placeholder: "bearer token",
    "data-testid": "login-token",
    required: true
  })
  const form = h(
    "form",
    { class: "login" },
    h("h1", {}, "sortgrid: district dashboard"),
    h("p", {}, "Sign in with the bearer token your administrator gave you (the server's token table or a JWT)."),
    input,
    h("button", { type: "submit", "data-testid": "login-submit" }, "Sign in"),
    message === "" ? null : h("p", { class: "error", "data-testid": "login-error" }, message)
  )
  form.addEventListener("submit", (event) => {
    event.preventDefault()
    Api.token.set(input.value.trim())
    context = undefined
    void route()
  })
  root.replaceChildren(form)
}

/** Where the caller's view starts: their first scope, or under the root the unit with most compounds. */
const startOf = async (me: Api.Me): Promise<string> => {
  const first = me.scope[0] ?? "/"
  if (first !== "/") return first
  const top = await Api.units("/", half)
  const largest = [...top.children.items].sort((a, b) => b.compounds - a.compounds)[0]
  return largest?.path ?? "/"
}

let context: Context | undefined
/** Bumped by every navigation, so that a slow page never replaces a later one. */
let generation = 0

const shell = (current: PageName, me: Api.Me, content: Node) => {
  const signOut = h("button", { type: "button", class: "link", "data-testid": "sign-out" }, "sign out")
  signOut.addEventListener("click", () => {
    Api.token.clear()
    context = undefined
    void route()
  })
  return [
    h(
      "header",
      {},
      h("span", { class: "brand" }, "sortgrid"),
      h(
        "nav",
        {},
        ...(Object.keys(pages) as Array<PageName>).map((name) =>
          h(
            "a",
            { href: href(name, {}), class: name === current ? "current" : "", "data-testid": `nav-${name}` },
            pages[name].title
          )
        )
      ),
      h("span", { class: "who", "data-testid": "who" }, `${me.id} (${me.roles.join(", ")})`, " ", signOut)
    ),
    h("main", {}, content)
  ]
}

const route = async () => {
  if (Api.token.get() === null) return loginForm("")
  const [, name = "burndown", query = ""] = /^#\/([a-z]+)\??(.*)$/.exec(location.hash) ?? []
  const page: PageName = isPage(name) ? name : "burndown"
  const mine = ++generation
  try {
    if (context === undefined) {
      const me = await Api.me()
      context = { me, start: await startOf(me), half, ...periodsOf(half) }
    }
    const ready = context
    root.replaceChildren(...shell(page, ready.me, h("p", { class: "loading", "data-testid": "loading" }, "Loading…")))
    const content = await pages[page].render(new URLSearchParams(query), ready)
    if (mine !== generation) return
    root.replaceChildren(...shell(page, ready.me, content))
    document.title = `${pages[page].title} · sortgrid`
  } catch (error) {
    if (error instanceof Api.ApiFailure && error.status === 401) {
      Api.token.clear()
      context = undefined
      return loginForm("That token was not accepted.")
    }
    if (mine !== generation) return
    const message = error instanceof Error ? error.message : String(error)
    const failure = h("p", { class: "error", "data-testid": "page-error" }, `Could not load this page: ${message}`)
    root.replaceChildren(...(context === undefined ? [failure] : shell(page, context.me, failure)))
  }
}

window.addEventListener("hashchange", () => void route())
void route()
