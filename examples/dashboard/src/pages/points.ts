/// <reference lib="dom" />
// A resident's points statement: enter or pick a wallet's account id; its balances now, and its
// statement oldest first, a page at a time (the API's cursor paging), with each line's reason as
// the ledger words it. The ledger's reads are programme-wide (`ledger.read`), so any wallet can be
// looked up by whoever holds that permission.
import * as Api from "../api.js"
import { count, h, href, kpi, table } from "../dom.js"
import type { Context } from "../main.js"

/** A few of the demo's wallets to pick from (the demo names them `w-r000001` on). */
const samples: ReadonlyArray<string> = ["w-r000001", "w-r000002", "w-r000003", "w-r000100", "w-r010000"]

const pageSize = 20

/** Times as the programme's residents read them: Beijing time. */
const when = (millis: number) =>
  new Date(millis).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai", hour12: false }).slice(0, 16)

const picker = (account: string, language: string) => {
  const input = h("input", {
    name: "account",
    value: account,
    placeholder: "wallet account id, e.g. w-r000001",
    autocomplete: "off",
    "data-testid": "points-account",
    required: true
  })
  const form = h(
    "form",
    { class: "picker" },
    input,
    h("button", { type: "submit", "data-testid": "points-submit" }, "Show statement"),
    " or pick: ",
    ...samples.map((id) => h("a", { href: href("points", { account: id, language }), "data-sample": id }, id, " "))
  )
  form.addEventListener("submit", (event) => {
    event.preventDefault()
    location.hash = href("points", { account: input.value.trim(), language })
  })
  return form
}

export const render = async (params: URLSearchParams, _context: Context): Promise<HTMLElement> => {
  const account = params.get("account") ?? ""
  const language = params.get("language") === "zh" ? "zh" : "en"
  const cursor = params.get("cursor")
  const pageNumber = Number(params.get("page") ?? "1") || 1
  const title = h(
    "h1",
    { "data-testid": "page-title" },
    account === "" ? "Points statement" : `Points statement: ${account}`
  )
  if (account === "")
    return h(
      "section",
      {},
      title,
      h("p", { class: "lede" }, "A resident's wallet: its balance and every movement of points, with the reason."),
      picker(account, language)
    )

  const [view, page] = await Promise.all([Api.balance(account), Api.statement(account, language, pageSize, cursor)])
  const first = (pageNumber - 1) * pageSize
  const other = language === "en" ? "zh" : "en"

  return h(
    "section",
    {},
    title,
    picker(account, language),
    h(
      "div",
      { class: "kpis" },
      kpi("kpi-available", "Available", count(view.available), `as of ${when(view.at)}`),
      kpi("kpi-earned", "Credited (posted)", count(view.creditsPosted), `${count(view.creditsPending)} pending`),
      kpi("kpi-spent", "Debited (posted)", count(view.debitsPosted), `${count(view.debitsPending)} held`)
    ),
    h(
      "p",
      { class: "periods" },
      `Page ${pageNumber}, lines ${count(first + 1)}–${count(first + page.items.length)}. `,
      h(
        "a",
        { href: href("points", { account, language: other }), "data-testid": "points-language" },
        other === "zh" ? "中文" : "English"
      )
    ),
    table(
      "statement",
      ["#", "When", "Reason", "Points", "Kind", "Other account", "Code"],
      page.items.map((line, i) => {
        const credit = line.side === "credit"
        return [
          count(first + i + 1),
          when(line.transfer.timestamp),
          line.reason,
          `${credit ? "+" : "−"}${count(line.transfer.amount)}`,
          line.kind,
          credit ? line.transfer.debitAccountId : line.transfer.creditAccountId,
          line.transfer.code
        ]
      })
    ),
    h(
      "p",
      { class: "periods" },
      pageNumber === 1
        ? null
        : h("a", { href: href("points", { account, language }), "data-testid": "points-first" }, "« first page"),
      page.nextCursor === null
        ? h("span", { "data-testid": "points-end" }, "End of the statement.")
        : h(
            "a",
            {
              href: href("points", { account, language, cursor: page.nextCursor, page: String(pageNumber + 1) }),
              "data-testid": "points-next"
            },
            "next page »"
          )
    )
  )
}
