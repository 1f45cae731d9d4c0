// The demo's summary: tables on stdout, and ./out/report.md and ./out/report.html with hand-written
// SVG charts. Everything printed comes from reads of the store (or the deterministic plan), so a
// rerun prints the same.
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Figures } from "./halfYear.js"

type Table = Record<string, Record<string, number | string>>

export const print = (figures: Figures) => {
  console.log(`\nregistered residents with a wallet: ${figures.residents}`)
  console.log("\nbin-side duty (morning and evening shifts at the duty stations)")
  console.table(figures.duty)
  console.log('"morning duty" inspections')
  console.table(figures.morningDuty)
  console.log("the five outreach campaigns (events by kind)")
  console.table(figures.outreach)
  console.log(
    `outreach in the half-year: ${figures.outreachTotals.events} events, ${figures.outreachTotals.participants} participants, ${figures.outreachTotals.households} households`
  )
  console.log("\nthe points economy")
  console.table(figures.points)
  console.log("scheme revisions:")
  for (const line of figures.schemeChanges) console.log(`  ${line}`)
  for (const group of ["urban", "rural", "departments"]) {
    console.log(`\nmonthly assessment: ${group} (rank:total:grade:scheme version)`)
    const table: Table = {}
    const units = Object.keys(figures.rankings["2023-06"]?.[group] ?? {})
    for (const unit of units.slice(0, group === "departments" ? 8 : 11)) {
      table[unit] = Object.fromEntries(Object.entries(figures.rankings).map(([m, g]) => [m, g[group]?.[unit] ?? ""]))
    }
    console.table(table)
  }
  console.log("supervision-and-help teams sent (bottom three of each group)")
  console.table(Object.fromEntries(Object.entries(figures.supervision).map(([m, s]) => [m, { towns: s }])))
  console.log("quarterly reward fund split")
  console.table(figures.funds)
}

const bars = (options: {
  readonly title: string
  readonly labels: ReadonlyArray<string>
  readonly series: ReadonlyArray<{
    readonly name: string
    readonly colour: string
    readonly values: ReadonlyArray<number>
  }>
}) => {
  const width = 640
  const height = 260
  const left = 60
  const bottom = 30
  const max = Math.max(1, ...options.series.flatMap((s) => s.values))
  const groupWidth = (width - left - 10) / options.labels.length
  const barWidth = (groupWidth - 10) / options.series.length
  const y = (v: number) => height - bottom - (v / max) * (height - bottom - 30)
  const parts: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${options.title}">`,
    `<text x="${left}" y="16" font-size="14" font-family="sans-serif">${options.title}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#444"/>`,
    `<text x="${left - 6}" y="${y(max) + 4}" font-size="10" text-anchor="end" font-family="sans-serif">${max.toLocaleString("en-US")}</text>`
  ]
  options.labels.forEach((label, i) => {
    const x0 = left + i * groupWidth + 5
    options.series.forEach((s, k) => {
      const v = s.values[i] ?? 0
      parts.push(
        `<rect x="${(x0 + k * barWidth).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(height - bottom - y(v)).toFixed(1)}" fill="${s.colour}"><title>${s.name} ${label}: ${v}</title></rect>`
      )
    })
    parts.push(
      `<text x="${(x0 + groupWidth / 2 - 5).toFixed(1)}" y="${height - 12}" font-size="11" text-anchor="middle" font-family="sans-serif">${label}</text>`
    )
  })
  options.series.forEach((s, k) => {
    parts.push(`<rect x="${width - 170}" y="${26 + k * 16}" width="10" height="10" fill="${s.colour}"/>`)
    parts.push(`<text x="${width - 155}" y="${35 + k * 16}" font-size="11" font-family="sans-serif">${s.name}</text>`)
  })
  parts.push("</svg>")
  return parts.join("\n")
}

const markdownTable = (table: Table) => {
  const rows = Object.entries(table)
  const columns = [...new Set(rows.flatMap(([, row]) => Object.keys(row)))]
  return [
    `| | ${columns.join(" | ")} |`,
    `|---|${columns.map(() => "---").join("|")}|`,
    ...rows.map(([key, row]) => `| ${key} | ${columns.map((c) => String(row[c] ?? "")).join(" | ")} |`)
  ].join("\n")
}

export const write = async (options: {
  readonly figures: Figures
  readonly campaign: Table
  readonly directory: string
}) => {
  const { figures, campaign } = options
  const months = Object.keys(figures.points)
  const charts = {
    campaign: bars({
      title: "Hardware problems open at month end",
      labels: Object.keys(campaign),
      series: [
        {
          name: "open at end",
          colour: "#c62828",
          values: Object.values(campaign).map((r) => Number(r["open at end"] ?? 0))
        }
      ]
    }),
    duty: bars({
      title: "Bin-side duty presence (%)",
      labels: months,
      series: [
        {
          name: "urban",
          colour: "#1565c0",
          values: months.map((m) => Number.parseFloat(figures.duty[m]?.urban ?? "0"))
        },
        {
          name: "rural",
          colour: "#2e7d32",
          values: months.map((m) => Number.parseFloat(figures.duty[m]?.rural ?? "0"))
        }
      ]
    }),
    points: bars({
      title: "Points earned, redeemed and expired",
      labels: months,
      series: [
        { name: "earned", colour: "#2e7d32", values: months.map((m) => figures.points[m]?.["points earned"] ?? 0) },
        { name: "redeemed", colour: "#1565c0", values: months.map((m) => figures.points[m]?.["points redeemed"] ?? 0) },
        { name: "expired", colour: "#9e9e9e", values: months.map((m) => figures.points[m]?.["points expired"] ?? 0) }
      ]
    })
  }
  const sections: ReadonlyArray<readonly [string, Table, string | null]> = [
    ["The hardware-to-zero campaign", campaign, charts.campaign],
    ["Bin-side duty", figures.duty, charts.duty],
    ['"Morning duty" inspections', figures.morningDuty, null],
    ["The five outreach campaigns", figures.outreach, null],
    ["The points economy", figures.points, charts.points],
    [
      "Supervision-and-help teams",
      Object.fromEntries(Object.entries(figures.supervision).map(([m, s]) => [m, { towns: s }])),
      null
    ],
    ["Quarterly reward fund split", figures.funds, null]
  ]
  const markdown = [
    "# Tongzhou District, January–June 2023",
    "",
    `${figures.residents.toLocaleString("en-US")} registered residents; scheme revisions: ${figures.schemeChanges.join("; ")}.`,
    "",
    ...sections.flatMap(([title, table, chart]) => [
      `## ${title}`,
      "",
      ...(chart === null ? [] : [chart, ""]),
      markdownTable(table),
      ""
    ])
  ].join("\n")
  const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;")
  const htmlTable = (table: Table) => {
    const rows = Object.entries(table)
    const columns = [...new Set(rows.flatMap(([, row]) => Object.keys(row)))]
    return `<table><tr><th></th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>${rows
      .map(
        ([key, row]) =>
          `<tr><th>${escapeHtml(key)}</th>${columns.map((c) => `<td>${escapeHtml(String(row[c] ?? ""))}</td>`).join("")}</tr>`
      )
      .join("")}</table>`
  }
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tongzhou District, January–June 2023</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>
<h1>Tongzhou District, January–June 2023</h1>
<p>${figures.residents.toLocaleString("en-US")} registered residents.</p>
${sections.map(([title, table, chart]) => `<h2>${escapeHtml(title)}</h2>${chart ?? ""}${htmlTable(table)}`).join("\n")}
</body></html>
`
  await mkdir(options.directory, { recursive: true })
  await writeFile(join(options.directory, "report.md"), markdown)
  await writeFile(join(options.directory, "report.html"), html)
  console.log(
    `\nreport written to ${join(options.directory, "report.md")} and ${join(options.directory, "report.html")}`
  )
}
