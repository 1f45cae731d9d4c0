/// <reference lib="dom" />
// The problem burn-down: problems open at the end of each day of the half-year, for a unit and
// for the urban and rural units below it (by their group on the period's last day), in absolute
// numbers and per compound, then the same for each unit below, worst first.
import * as Api from "../api.js"
import { dateAt, lineChart, type Series, sparkline } from "../charts.js"
import { count, h, href, kpi, percent, ratio, table } from "../dom.js"
import type { Context } from "../main.js"

const colors = { total: "#1f2d3d", urban: "#2f6db5", rural: "#3a8a3f" } as const

/** The elementwise sum of burn-downs (all of one period, so of one length). */
const sum = (lines: ReadonlyArray<ReadonlyArray<number>>, days: number) => {
  const out = new Array<number>(days).fill(0)
  for (const line of lines) {
    for (let i = 0; i < days; i++) out[i] = (out[i] ?? 0) + (line[i] ?? 0)
  }
  return out
}

/** The day indices that end a month, and the months. */
const monthEnds = (firstDay: string, days: number) => {
  const ends: Array<{ readonly month: string; readonly index: number }> = []
  for (let i = 0; i < days; i++) {
    const next = dateAt(firstDay, i + 1)
    if (i === days - 1 || next.endsWith("-01")) ends.push({ month: dateAt(firstDay, i).slice(0, 7), index: i })
  }
  return ends
}

export const render = async (params: URLSearchParams, context: Context): Promise<HTMLElement> => {
  const under = params.get("unit") ?? context.start
  const data = await Api.units(under, context.half)
  const unit = data.unit
  if (unit === null) return h("p", {}, "Choose a unit: the root of the tree has no figures of its own.")
  const children = data.children.items
  const days = unit.burnDown.length
  const settings = (["urban", "rural"] as const).map((setting) => {
    const members = children.filter((child) => child.groups.includes(setting))
    return {
      setting,
      members,
      burnDown: sum(
        members.map((m) => m.burnDown),
        days
      ),
      compounds: members.reduce((a, m) => a + m.compounds, 0),
      openAtEnd: members.reduce((a, m) => a + m.openAtEnd, 0)
    }
  })
  const split = settings.filter((s) => s.members.length > 0)
  const label = (s: (typeof settings)[number]) => `${s.setting} (${s.members.length})`

  const absolute: ReadonlyArray<Series> = [
    { name: unit.name, color: colors.total, values: unit.burnDown },
    ...split.map((s) => ({ name: label(s), color: colors[s.setting], values: s.burnDown }))
  ]
  const perCompound: ReadonlyArray<Series> = [
    { name: unit.name, color: colors.total, values: unit.burnDown.map((v) => v / Math.max(1, unit.compounds)) },
    ...split.map((s) => ({
      name: label(s),
      color: colors[s.setting],
      values: s.burnDown.map((v) => v / Math.max(1, s.compounds))
    }))
  ]
  const months = monthEnds(data.firstDay, days)
  const monthly = table(
    "burndown-months",
    [
      "Month end",
      `Open: ${unit.name}`,
      ...split.map((s) => `Open: ${s.setting}`),
      "Per compound",
      ...split.map((s) => `Per compound: ${s.setting}`)
    ],
    months.map(({ month, index }) => [
      month,
      count(unit.burnDown[index] ?? 0),
      ...split.map((s) => count(s.burnDown[index] ?? 0)),
      ratio(unit.burnDown[index] ?? 0, unit.compounds),
      ...split.map((s) => ratio(s.burnDown[index] ?? 0, s.compounds))
    ])
  )

  const peak = Math.max(0, ...children.flatMap((c) => c.burnDown))
  const worstFirst = [...children].sort(
    (a, b) =>
      b.openAtEnd / Math.max(1, b.compounds) - a.openAtEnd / Math.max(1, a.compounds) || b.openAtEnd - a.openAtEnd
  )
  const units = table(
    "burndown-units",
    [
      "Unit",
      "Group",
      "Open, day by day",
      "Registered",
      "Open at end",
      "Compounds",
      "Per compound",
      "Compounds clear",
      ""
    ],
    worstFirst.map((child) => [
      h("a", { href: href("burndown", { unit: child.path }) }, child.name),
      child.groups.join(", "),
      sparkline(child.burnDown, peak, child.groups.includes("rural") ? colors.rural : colors.urban),
      count(child.opened),
      count(child.openAtEnd),
      count(child.compounds),
      ratio(child.openAtEnd, child.compounds),
      percent(child.compounds - child.compoundsWithOpen, child.compounds),
      h(
        "span",
        { class: "links" },
        h("a", { href: href("map", { unit: child.path }) }, "map"),
        " · ",
        h("a", { href: href("health", { unit: child.path, period: data.lastDay.slice(0, 7) }) }, "health check")
      )
    ])
  )

  return h(
    "section",
    {},
    h("h1", { "data-testid": "page-title" }, `Problem burn-down: ${unit.name}, ${data.firstDay} to ${data.lastDay}`),
    h(
      "p",
      { class: "lede" },
      "Hardware problems on the register at the end of each day. Urban and rural are the units below by their group on the period's last day; per-compound figures divide by the compounds standing that day."
    ),
    h(
      "div",
      { class: "kpis" },
      kpi(
        "kpi-registered",
        "Registered in the period",
        count(unit.opened),
        `${ratio(unit.opened, unit.compounds)} per compound (${count(unit.compounds)} compounds)`
      ),
      kpi(
        "kpi-open-at-end",
        `Open at end (${data.lastDay})`,
        count(unit.openAtEnd),
        `${ratio(unit.openAtEnd, unit.compounds)} per compound; ${ratio(unit.openAtEnd, unit.compoundsWithOpen)} per compound with any`
      ),
      kpi("kpi-closed", "Closed as fixed", count(unit.closedFixed), `${count(unit.closedOther)} closed otherwise`),
      kpi(
        "kpi-clear",
        "Compounds clear",
        percent(unit.compounds - unit.compoundsWithOpen, unit.compounds),
        `${count(unit.compoundsWithOpen)} compounds still have open problems`
      ),
      ...split.map((s) =>
        kpi(
          `kpi-${s.setting}`,
          `Open at end: ${s.setting}`,
          count(s.openAtEnd),
          `${ratio(s.openAtEnd, s.compounds)} per compound over ${count(s.compounds)} compounds`
        )
      )
    ),
    h(
      "div",
      { class: "charts" },
      h(
        "figure",
        { "data-testid": "chart-open" },
        lineChart({ firstDay: data.firstDay, series: absolute, title: "Open problems at the end of each day" }),
        h("figcaption", {}, "Open problems at the end of each day")
      ),
      h(
        "figure",
        { "data-testid": "chart-per-compound" },
        lineChart({
          firstDay: data.firstDay,
          series: perCompound,
          title: "Open problems per compound",
          format: (v) => v.toFixed(2)
        }),
        h("figcaption", {}, "Open problems per compound")
      )
    ),
    h("h2", {}, "At each month's end"),
    monthly,
    children.length === 0
      ? null
      : h("h2", {}, `The units below ${unit.name}, highest open problems per compound first`),
    children.length === 0 ? null : units
  )
}
