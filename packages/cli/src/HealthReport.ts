/**
 * The health check of a unit for a period, as Markdown or HTML. Today it holds the problem-register
 * part: the unit's problems (opened, closed, still open, overdue, per compound, time to close, the
 * burn-down) and the same figures for each unit below it, worst first. The full health check — the
 * unit's assessment scores, its rank in its group, duty presence and outreach — is added when the
 * assessment engine is wired into the command line; {@link HealthInput} grows a section then.
 *
 * Pure: `report health` loads the figures through the SDK and calls {@link markdown} or {@link html}.
 *
 * @since 0.1.0
 */
import type { Stats } from "@sortgrid/issues"

/**
 * A unit and its problem figures.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnitFigures {
  readonly id: string
  readonly name: string
  readonly kind: string
  readonly stats: Stats.NodeStats
}

/**
 * What a health check shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthInput {
  readonly unit: UnitFigures
  /** The period's id, `2023-06`, `2023-Q2`… */
  readonly period: string
  /** The units directly below, in any order (sorted worst first when shown). */
  readonly children: ReadonlyArray<UnitFigures>
}

/**
 * The note every report carries until the assessment engine is wired in.
 *
 * @since 0.1.0
 * @category constants
 */
export const scopeNote =
  "This report holds the problem-register part of the health check. Assessment scores, rank in group, duty presence and outreach join it when the assessment engine is wired into the command line."

const dayMillis = 86_400_000

const ratio = (value: Stats.Ratio) =>
  value.value === null ? "–" : `${value.value.toFixed(2)} (${value.numerator} / ${value.denominator})`

const days = (millis: number | null) => (millis === null ? "–" : `${(millis / dayMillis).toFixed(1)} days`)

const bars = "▁▂▃▄▅▆▇█"

/**
 * A burn-down as a one-line sparkline.
 *
 * @since 0.1.0
 * @category rendering
 */
export const sparkline = (values: ReadonlyArray<number>): string => {
  const max = Math.max(0, ...values)
  return values.map((value) => bars[max === 0 ? 0 : Math.round((value / max) * (bars.length - 1))]).join("")
}

/**
 * The figure rows of the problems table: label and value.
 *
 * @since 0.1.0
 * @category rendering
 */
export const figures = (stats: Stats.NodeStats): ReadonlyArray<readonly [string, string]> => [
  ["Open at the start", String(stats.openAtStart)],
  ["Registered in the period", String(stats.opened)],
  ["Closed as fixed", String(stats.closedFixed)],
  ["Closed otherwise", String(stats.closedOther)],
  ["Open at the end", String(stats.openAtEnd)],
  ["Overdue at the end", String(stats.overdueAtEnd)],
  ["Compounds", String(stats.compounds)],
  ["Compounds with open problems", String(stats.compoundsWithOpen)],
  ["Open problems per compound", ratio(stats.perCompound)],
  ["Open problems per affected compound", ratio(stats.perAffectedCompound)],
  ["Median time to close", days(stats.timeToClose.median)],
  ["Mean time to close", days(stats.timeToClose.mean)]
]

/**
 * Units worst first: most problems open at the end, then most overdue, then by id.
 *
 * @since 0.1.0
 * @category rendering
 */
export const worstFirst = (units: ReadonlyArray<UnitFigures>): ReadonlyArray<UnitFigures> =>
  [...units].sort(
    (a, b) =>
      b.stats.openAtEnd - a.stats.openAtEnd ||
      b.stats.overdueAtEnd - a.stats.overdueAtEnd ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  )

const childColumns = ["Unit", "Registered", "Closed fixed", "Open at end", "Overdue", "Per compound"] as const

const childRow = (unit: UnitFigures): ReadonlyArray<string> => [
  `${unit.name} (${unit.id})`,
  String(unit.stats.opened),
  String(unit.stats.closedFixed),
  String(unit.stats.openAtEnd),
  String(unit.stats.overdueAtEnd),
  unit.stats.perCompound.value === null ? "–" : unit.stats.perCompound.value.toFixed(2)
]

/** A table cell: pipes would end the cell and angle brackets open HTML in most renderers. */
const cellMd = (text: string) => text.replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;")

/**
 * The health check as Markdown.
 *
 * @since 0.1.0
 * @category rendering
 */
export const markdown = (input: HealthInput): string => {
  const { unit, period } = input
  const burnDown = unit.stats.burnDown
  const lines = [
    `# Health check: ${unit.name} (${unit.id}), ${period}`,
    "",
    `> ${scopeNote}`,
    "",
    "## Problem register",
    "",
    "| Figure | Value |",
    "|---|---:|",
    ...figures(unit.stats).map(([label, value]) => `| ${label} | ${cellMd(value)} |`),
    "",
    `Burn-down (open at the end of each day): \`${sparkline(burnDown)}\` from ${burnDown[0] ?? 0} to ${burnDown.at(-1) ?? 0}.`
  ]
  if (input.children.length > 0) {
    lines.push(
      "",
      "## Units below, worst first",
      "",
      `| ${childColumns.join(" | ")} |`,
      `|---|${childColumns
        .slice(1)
        .map(() => "---:")
        .join("|")}|`,
      ...worstFirst(input.children).map((child) => `| ${childRow(child).map(cellMd).join(" | ")} |`)
    )
  }
  return `${lines.join("\n")}\n`
}

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")

/**
 * A burn-down as an inline SVG line chart.
 *
 * @since 0.1.0
 * @category rendering
 */
export const burnDownSvg = (values: ReadonlyArray<number>): string => {
  const width = 480
  const height = 120
  const max = Math.max(1, ...values)
  const step = values.length > 1 ? width / (values.length - 1) : 0
  const points = values
    .map((value, index) => `${(index * step).toFixed(1)},${(height - (value / max) * height).toFixed(1)}`)
    .join(" ")
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Burn-down: open problems at the end of each day"><polyline fill="none" stroke="#c0392b" stroke-width="2" points="${points}"/></svg>`
}

/**
 * The health check as a standalone HTML page.
 *
 * @since 0.1.0
 * @category rendering
 */
export const html = (input: HealthInput): string => {
  const { unit, period } = input
  const title = `Health check: ${unit.name} (${unit.id}), ${period}`
  const rows = figures(unit.stats)
    .map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join("")
  const children =
    input.children.length === 0
      ? ""
      : `<h2>Units below, worst first</h2><table><thead><tr>${childColumns
          .map((column) => `<th scope="col">${escapeHtml(column)}</th>`)
          .join("")}</tr></thead><tbody>${worstFirst(input.children)
          .map(
            (child) =>
              `<tr>${childRow(child)
                .map((cell) => `<td>${escapeHtml(cell)}</td>`)
                .join("")}</tr>`
          )
          .join("")}</tbody></table>`
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th[scope=row],td:first-child{text-align:left}.note{color:#555}</style>",
    "</head><body>",
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="note">${escapeHtml(scopeNote)}</p>`,
    "<h2>Problem register</h2>",
    `<table><tbody>${rows}</tbody></table>`,
    "<h3>Burn-down</h3>",
    burnDownSvg(unit.stats.burnDown),
    children,
    "</body></html>",
    ""
  ].join("\n")
}
