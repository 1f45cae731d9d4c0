/// <reference lib="dom" />
// A unit's health check for a period: the problem-register part (the same figures as
// `sortgrid report health`), its burn-down, the units below it worst first, and the overdue
// problems. Assessment scores are linked: they are the league tables' (pages/league.ts).
import * as Api from "../api.js"
import { lineChart, sparkline } from "../charts.js"
import { count, days, h, href, percent, ratio, table } from "../dom.js"
import type { Context } from "../main.js"
import * as League from "./league.js"

/** The ancestors' names, for the breadcrumb: one small read each. */
const trail = async (path: string, asOf: string) => {
  const ids = path.split("/").filter((part) => part !== "")
  return Promise.all(
    ids.map(async (id, i) => ({
      path: `/${ids.slice(0, i + 1).join("/")}/`,
      name: await Api.nodeName(id, asOf).catch(() => id)
    }))
  )
}

export const render = async (params: URLSearchParams, context: Context): Promise<HTMLElement> => {
  const under = params.get("unit") ?? context.start
  const period = params.get("period") ?? context.months.at(-1) ?? "2023-06"
  const [data, crumbs] = await Promise.all([Api.units(under, period), trail(under, context.asOf)])
  const unit = data.unit
  if (unit === null) return h("p", {}, "Choose a unit: the root of the tree has no health check.")
  const periods = [...context.months, ...context.quarters, context.half]
  const figures: ReadonlyArray<readonly [string, string]> = [
    ["Open at the start", count(unit.openAtStart)],
    ["Registered in the period", count(unit.opened)],
    ["Closed as fixed", count(unit.closedFixed)],
    ["Closed otherwise", count(unit.closedOther)],
    ["Open at the end", count(unit.openAtEnd)],
    ["Overdue at the end", count(unit.overdueAtEnd)],
    ["Compounds", count(unit.compounds)],
    ["Compounds with open problems", count(unit.compoundsWithOpen)],
    ["Compounds clear", percent(unit.compounds - unit.compoundsWithOpen, unit.compounds)],
    ["Open problems per compound", ratio(unit.openAtEnd, unit.compounds)],
    ["Open problems per affected compound", ratio(unit.openAtEnd, unit.compoundsWithOpen)],
    ["Median time to close", days(unit.medianTimeToClose)]
  ]
  const children = [...data.children.items].sort(
    (a, b) => b.openAtEnd - a.openAtEnd || b.overdueAtEnd - a.overdueAtEnd || (a.path < b.path ? -1 : 1)
  )
  const peak = Math.max(0, ...children.flatMap((c) => c.burnDown))

  return h(
    "section",
    {},
    h(
      "nav",
      { class: "breadcrumb" },
      ...crumbs.flatMap((c, i) => [
        i === 0 ? "" : " › ",
        h("a", { href: href("health", { unit: c.path, period }) }, c.name)
      ])
    ),
    h("h1", { "data-testid": "page-title" }, `Health check: ${unit.name} (${unit.kind}), ${data.period}`),
    h(
      "nav",
      { class: "periods" },
      ...periods.map((p) =>
        h("a", { href: href("health", { unit: under, period: p }), class: p === data.period ? "current" : "" }, p)
      )
    ),
    h(
      "div",
      { class: "columns" },
      h(
        "div",
        {},
        h("h2", {}, "Problems"),
        table(
          "health-figures",
          ["Figure", "Value"],
          figures.map(([label, value]) => [label, value])
        )
      ),
      h(
        "figure",
        { "data-testid": "health-burndown" },
        lineChart({
          firstDay: data.firstDay,
          series: [{ name: "open", color: "#1f2d3d", values: unit.burnDown }],
          title: `Open problems each day, ${data.firstDay} to ${data.lastDay}`,
          width: 560,
          height: 260
        }),
        h("figcaption", {}, `Open problems at the end of each day, ${data.firstDay} to ${data.lastDay}`)
      )
    ),
    h(
      "section",
      { class: "seam", "data-testid": "assessment-seam" },
      h("h2", {}, "Assessment scores"),
      h(
        "p",
        {},
        "A subdistrict's, town's or department's scores, rank and decomposition are in its group's league table for the month or quarter: ",
        ...League.schemes.flatMap((s, i) => [
          i === 0 ? "" : ", ",
          h(
            "a",
            {
              href: href("league", {
                scheme: s.id,
                period: /^\d{4}-(\d{2}|Q\d)$/.test(data.period) ? data.period : (context.months.at(-1) ?? "2023-06"),
                unit: unit.nodeId
              })
            },
            s.label
          )
        ]),
        "."
      )
    ),
    children.length === 0 ? null : h("h2", {}, "The units below, most open problems first"),
    children.length === 0
      ? null
      : table(
          "health-children",
          ["Unit", "Kind", "Open, day by day", "Registered", "Closed fixed", "Open at end", "Overdue", "Per compound"],
          children.map((child) => [
            h("a", { href: href("health", { unit: child.path, period }) }, child.name),
            child.kind,
            sparkline(child.burnDown, peak),
            count(child.opened),
            count(child.closedFixed),
            count(child.openAtEnd),
            count(child.overdueAtEnd),
            ratio(child.openAtEnd, child.compounds)
          ])
        ),
    h("h2", {}, "Overdue problems"),
    unit.overdueAtEnd === 0
      ? h("p", { "data-testid": "health-overdue" }, "None at the period's end.")
      : h(
          "p",
          { "data-testid": "health-overdue" },
          `${count(unit.overdueAtEnd)} open past their deadline at the period's end${
            unit.overdueIds.length < unit.overdueAtEnd ? `; the first ${unit.overdueIds.length}:` : ":"
          } `,
          h("code", {}, unit.overdueIds.join(", "))
        ),
    h(
      "p",
      { class: "links" },
      h("a", { href: href("burndown", { unit: under }) }, "Burn-down of this unit"),
      " · ",
      h("a", { href: href("map", { unit: under, month: context.months.at(-1) ?? period }) }, "Map of its grids")
    )
  )
}
