/// <reference lib="dom" />
// A group's league table for a period: each unit's rank, total and grade, and what each indicator
// contributed to the total as one stacked bar; a unit's decomposition (its items and the engine's
// explanation of its total) below when one is picked. Everything is the stored result's: the page
// ranks, scores and explains nothing itself.
import * as Api from "../api.js"
import { svg, tooltip } from "../charts.js"
import { h, href, table } from "../dom.js"
import type { Context } from "../main.js"

/** The demo's schemes, one per group the district assesses separately. */
export const schemes: ReadonlyArray<{ readonly id: string; readonly label: string }> = [
  { id: "urban-2023", label: "Urban subdistricts" },
  { id: "rural-2023", label: "Rural towns" },
  { id: "departments-2023", label: "Departments" }
]

const palette = ["#2f6db5", "#4aa36b", "#e0a31c", "#8e5bb5", "#d0622f", "#3aa6b9", "#9a8f2d", "#c2477a", "#5a6b7c"]
const deduction = "#a12"

/** Scores are kept exact in the store; two decimals are what a league table prints. */
const score = (value: number | null) => (value === null ? "–" : value.toFixed(2))

const width = 360
const barHeight = 14

/** One unit's total as stacked contributions; deductions (negative contributions) drawn back from the end in red. */
const stackedBar = (unit: Api.UnitResult, colourOf: (indicator: string) => string, scale: number) => {
  const x = (value: number) => (value / scale) * width
  const parts: Array<SVGElement> = []
  let at = 0
  for (const item of unit.items) {
    if (item.contribution <= 0) continue
    parts.push(
      svg(
        "rect",
        {
          x: x(at),
          y: 0,
          width: Math.max(0, x(item.contribution)),
          height: barHeight,
          fill: colourOf(item.indicator),
          "data-indicator": item.indicator,
          "data-contribution": item.contribution
        },
        tooltip(`${item.indicator}: ${score(item.contribution)}`)
      )
    )
    at += item.contribution
  }
  const taken = unit.items.reduce((sum, item) => sum + Math.min(0, item.contribution), 0)
  if (taken < 0)
    parts.push(
      svg(
        "rect",
        { x: x(at + taken), y: barHeight / 2 - 2, width: x(-taken), height: 4, fill: deduction },
        tooltip(`deductions: ${score(taken)}`)
      )
    )
  return svg("svg", { width, height: barHeight, viewBox: `0 0 ${width} ${barHeight}`, class: "stack" }, ...parts)
}

/** The engine's explanation, as nested lists: each figure, its value, and what it was computed from. */
const explanation = (node: Api.Explanation): HTMLElement =>
  h(
    "li",
    {},
    h("strong", {}, node.label),
    `: ${score(node.value)}`,
    node.detail === "" ? null : h("span", { class: "detail" }, ` — ${node.detail}`),
    node.source === null
      ? null
      : h("span", { class: "detail" }, ` (${node.source.kind}, ${node.source.source}, ${node.source.period})`),
    node.children.length === 0 ? null : h("ul", {}, ...node.children.map(explanation))
  )

const decomposition = (unit: Api.UnitResult, name: string, colourOf: (indicator: string) => string) =>
  h(
    "section",
    { "data-testid": "league-decomposition" },
    h(
      "h2",
      { "data-testid": "decomposition-title" },
      `${name}: rank ${unit.rank ?? "–"}, total ${score(unit.total)}${unit.grade === null ? "" : `, grade ${unit.grade}`}`
    ),
    unit.status === "scored"
      ? null
      : h(
          "p",
          { class: "error" },
          unit.status === "vetoed"
            ? `Vetoed by ${unit.vetoedBy.join(", ")}.`
            : `Incomplete: missing ${unit.missing.join(", ")}.`
        ),
    unit.change === null
      ? null
      : h(
          "p",
          { class: "lede" },
          `Against the previous period: total ${unit.change.total >= 0 ? "+" : ""}${score(unit.change.total)}` +
            (unit.change.rank === null ? "" : `, rank ${unit.change.rank >= 0 ? "+" : ""}${unit.change.rank}`)
        ),
    table(
      "decomposition-items",
      ["Indicator", "Rule", "Value", "Score", "Weight", "Effective weight", "Contribution", "Band"],
      unit.items.map((item) => [
        h("span", {}, h("span", { class: "swatch", style: `background:${colourOf(item.indicator)}` }), item.indicator),
        item.rule,
        item.value === null ? "–" : String(Number(item.value.toFixed(4))),
        score(item.score),
        String(item.weight),
        String(Number(item.effectiveWeight.toFixed(4))),
        score(item.contribution),
        item.band ?? (item.missing ? "missing" : item.vetoed ? "veto" : "–")
      ])
    ),
    h("h2", {}, "How the total was computed"),
    h("ul", { class: "explanation", "data-testid": "decomposition-explanation" }, explanation(unit.explanation))
  )

export const render = async (params: URLSearchParams, context: Context): Promise<HTMLElement> => {
  const schemeId = params.get("scheme") ?? schemes[0]!.id
  const period = params.get("period") ?? context.months.at(-1) ?? "2023-06"
  const picked = params.get("unit")
  const stored = await Api.latestResult(schemeId, period)
  const label = schemes.find((s) => s.id === schemeId)?.label ?? schemeId
  const link = (next: Readonly<Record<string, string>>) =>
    href("league", { scheme: schemeId, period, ...(picked === null ? {} : { unit: picked }), ...next })

  const choosers = h(
    "div",
    {},
    h(
      "p",
      { class: "periods", "data-testid": "league-schemes" },
      ...schemes.map((s) =>
        h("a", { href: href("league", { scheme: s.id, period }), class: s.id === schemeId ? "current" : "" }, s.label)
      )
    ),
    h(
      "p",
      { class: "periods", "data-testid": "league-periods" },
      ...[...context.months, ...context.quarters].map((p) =>
        h("a", { href: href("league", { scheme: schemeId, period: p }), class: p === period ? "current" : "" }, p)
      )
    )
  )
  const title = h("h1", { "data-testid": "page-title" }, `League table: ${label} (${schemeId}), ${period}`)
  if (stored === null)
    return h("section", {}, title, choosers, h("p", { "data-testid": "league-empty" }, "No result for this period."))

  const units = [...stored.result.units].sort(
    (a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || (a.unit < b.unit ? -1 : 1)
  )
  const names = new Map(
    await Promise.all(
      units.map(async (u) => [u.unit, await Api.nodeName(u.unit, context.asOf).catch(() => u.unit)] as const)
    )
  )
  const indicators = [...new Set(units.flatMap((u) => u.items.map((item) => item.indicator)))]
  const colourOf = (indicator: string) => palette[indicators.indexOf(indicator) % palette.length] ?? "#999"
  const scale = Math.max(1, ...units.map((u) => u.items.reduce((sum, item) => sum + Math.max(0, item.contribution), 0)))
  const chosen = units.find((u) => u.unit === picked)

  return h(
    "section",
    {},
    title,
    choosers,
    h(
      "p",
      { class: "lede", "data-testid": "league-version" },
      `Result version ${stored.version} (${stored.reason}) under scheme version ${stored.schemeVersion}; ` +
        `${units.length} units. Click a unit for its decomposition.`
    ),
    h(
      "div",
      { class: "legend-row", "data-testid": "league-legend" },
      ...indicators.map((indicator) =>
        h("span", {}, h("span", { class: "swatch", style: `background:${colourOf(indicator)}` }), indicator)
      )
    ),
    table(
      "league",
      ["Rank", "Unit", "Total", "Grade", "Contributions"],
      units.map((u) => [
        u.rank === null ? "–" : String(u.rank),
        h(
          "a",
          { href: link({ unit: u.unit }), "data-unit": u.unit, class: u.unit === picked ? "picked" : "" },
          names.get(u.unit) ?? u.unit
        ),
        u.status === "scored" ? score(u.total) : `${score(u.total)} (${u.status})`,
        u.grade ?? "–",
        stackedBar(u, colourOf, scale)
      ])
    ),
    chosen === undefined ? null : decomposition(chosen, names.get(chosen.unit) ?? chosen.unit, colourOf)
  )
}
