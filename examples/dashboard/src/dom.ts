/// <reference lib="dom" />
// A tiny element builder and the formats every page shares. Text goes in as text nodes, never as
// markup: names come from the store.

type Attributes = Readonly<Record<string, string | number | boolean | undefined>>

/** An HTML element with attributes (`on…` ones are not attributes: use `listen`) and children. */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: ReadonlyArray<Node | string | null>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    element.setAttribute(name, value === true ? "" : String(value))
  }
  element.append(...children.filter((child): child is Node | string => child !== null))
  return element
}

/** A link to a page of the dashboard, `#/<page>?<params>`. */
export const href = (page: string, params: Readonly<Record<string, string>>) =>
  `#/${page}?${new URLSearchParams(params).toString()}`

export const count = (value: number) => value.toLocaleString("en-US")

export const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? "–" : (numerator / denominator).toFixed(2)

export const percent = (numerator: number, denominator: number) =>
  denominator === 0 ? "–" : `${Math.round((numerator / denominator) * 100)}%`

export const days = (millis: number | null) => (millis === null ? "–" : `${(millis / 86_400_000).toFixed(1)} days`)

/** A headline figure: a label, a value and a line saying what it is made of. */
export const kpi = (testId: string, label: string, value: string, detail = "") =>
  h(
    "div",
    { class: "kpi", "data-testid": testId },
    h("div", { class: "kpi-label" }, label),
    h("div", { class: "kpi-value" }, value),
    h("div", { class: "kpi-detail" }, detail)
  )

/** A table from a header row and body rows (cells are text or nodes). */
export const table = (
  testId: string,
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<Node | string>>
) =>
  h(
    "table",
    { "data-testid": testId },
    h("thead", {}, h("tr", {}, ...header.map((cell) => h("th", {}, cell)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell) => h("td", {}, cell)))))
  )
