// Page 1: the "hardware to zero" burn-down, and open problems per compound by town, urban against rural.
// A page loader: it reads the demo's store through the SDK's Promise facade and writes this page's
// Markdown, charts included as SVG, to stdout.
import { figure, Plot } from "../lib/chart.js"
import { fixed, integer, monthName, percent, table } from "../lib/markdown.js"
import { analyst, district, months, page, sequence, towns, withStore } from "../lib/store.js"

type Setting = "urban" | "rural"

page(() =>
  withStore(async (sortgrid) => {
    const townList = await towns(sortgrid)
    // "Morning duty" absences go on the same register; the campaign's visits say how many, by month.
    const dutyVisits = await sortgrid.inspections.visits(analyst, { under: district.path, campaignId: "morning-duty" })
    const dutyRegistered = new Map<string, number>()
    for (const record of dutyVisits) {
      const month = new Date(record.visit.at + 8 * 3_600_000).toISOString().slice(0, 7)
      dutyRegistered.set(month, (dutyRegistered.get(month) ?? 0) + record.registered.length)
    }
    const stats = await sequence(months, async (month) => ({
      month,
      stats: await sortgrid.problems.stats(analyst, { under: district.path, period: month })
    }))

    const node = (month: (typeof stats)[number], id: string) => {
      const found = month.stats.nodes.get(id)
      if (found === undefined) throw new Error(`no problem stats for node ${id} in ${month.month}`)
      return found
    }
    const sum = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0)
    const bySetting = (setting: Setting) => townList.filter((t) => t.setting === setting)

    // Daily burn-down: problems open at the end of each day, summed over the towns of each setting.
    const daily = stats.flatMap((month) => {
      const first = Date.parse(`${month.month}-01T00:00:00Z`)
      const days = node(month, district.id).burnDown.length
      return Array.from({ length: days }, (_, day) => {
        const date = new Date(first + day * 86_400_000)
        return (["urban", "rural"] as const).map((setting) => {
          const parts = bySetting(setting).map((t) => node(month, t.id))
          const open = sum(parts.map((p) => p.burnDown[day] ?? 0))
          const compounds = sum(parts.map((p) => p.compounds))
          return { date, setting, open, compounds, perCompound: open / Math.max(1, compounds) }
        })
      }).flat()
    })
    const byDate = new Map<number, Array<(typeof daily)[number]>>()
    for (const d of daily) byDate.set(d.date.getTime(), [...(byDate.get(d.date.getTime()) ?? []), d])
    const districtDaily = [...byDate].map(([time, parts]) => {
      const open = sum(parts.map((d) => d.open))
      const compounds = sum(parts.map((d) => d.compounds))
      return { date: new Date(time), setting: "district", open, perCompound: open / Math.max(1, compounds) }
    })

    const monthly = stats.map((month) => {
      const root = node(month, district.id)
      const of = (setting: Setting) => {
        const parts = bySetting(setting).map((t) => node(month, t.id))
        const compounds = sum(parts.map((p) => p.compounds))
        return {
          perCompound: sum(parts.map((p) => p.openAtEnd)) / Math.max(1, compounds),
          clear: (compounds - sum(parts.map((p) => p.compoundsWithOpen))) / Math.max(1, compounds)
        }
      }
      return {
        month: month.month,
        registered: root.opened,
        duty: dutyRegistered.get(month.month) ?? 0,
        closedFixed: root.closedFixed,
        openAtEnd: root.openAtEnd,
        overdue: root.overdueAtEnd,
        perCompound: root.perCompound.value ?? 0,
        compounds: root.compounds,
        clear: (root.compounds - root.compoundsWithOpen) / Math.max(1, root.compounds),
        urban: of("urban"),
        rural: of("rural")
      }
    })
    const first = monthly[0]!
    const last = monthly.at(-1)!
    const january = stats[0]!
    const june = stats.at(-1)!
    const townRows = townList
      .map((t) => {
        const jan = node(january, t.id)
        const jun = node(june, t.id)
        return {
          ...t,
          compounds: jun.compounds,
          openJanuary: jan.openAtEnd,
          openJune: jun.openAtEnd,
          perCompoundJanuary: jan.perCompound.value ?? 0,
          perCompoundJune: jun.perCompound.value ?? 0,
          clearJune: (jun.compounds - jun.compoundsWithOpen) / Math.max(1, jun.compounds)
        }
      })
      .sort((a, b) => b.perCompoundJune - a.perCompoundJune)
    const worst = townRows.slice(0, 5)
    const ruralInWorst = worst.filter((t) => t.setting === "rural").length
    const label = (t: { readonly name: string; readonly id: string }) => `${t.name} (${t.id})`
    const settings = { domain: ["urban", "rural"], range: ["#4269d0", "#ff725c"], legend: true }
    const withDistrict = {
      domain: ["urban", "rural", "district"],
      range: ["#4269d0", "#ff725c", "#7f7f7f"],
      legend: true
    }

    const burndown = figure(
      "burndown",
      "Problems on the register at the end of each day, January–June 2023, stacked: urban subdistricts and rural towns.",
      {
        width: 860,
        height: 320,
        marginLeft: 56,
        y: { label: "open problems", grid: true },
        x: { label: null },
        color: settings,
        marks: [
          Plot.areaY(daily, { x: "date", y: "open", fill: "setting", order: ["urban", "rural"] }),
          Plot.ruleY([0])
        ]
      }
    )
    const perCompound = figure(
      "per-compound",
      "Open problems per compound at the end of each day: urban, rural and the whole district.",
      {
        width: 860,
        height: 300,
        marginLeft: 56,
        y: { label: "open problems per compound", grid: true },
        x: { label: null },
        color: withDistrict,
        marks: [
          Plot.lineY([...daily, ...districtDaily], { x: "date", y: "perCompound", stroke: "setting", strokeWidth: 2 }),
          Plot.ruleY([0])
        ]
      }
    )
    const townChart = figure(
      "towns",
      "Open problems per compound in each subdistrict and town: end of January (tail) to end of June (head).",
      {
        width: 860,
        height: 40 + townRows.length * 22,
        marginLeft: 190,
        x: { label: "open problems per compound", grid: true, zero: true },
        y: { label: null, domain: townRows.map(label) },
        color: settings,
        marks: [
          Plot.arrow(townRows, {
            x1: "perCompoundJanuary",
            x2: "perCompoundJune",
            y1: label,
            y2: label,
            stroke: "setting",
            strokeWidth: 2,
            headLength: 6
          }),
          Plot.dot(townRows, { x: "perCompoundJanuary", y: label, stroke: "setting", r: 3 })
        ]
      }
    )
    const standard = figure(
      "standard",
      "Share of compounds with no problem open at the end of the month, urban against rural.",
      {
        width: 860,
        height: 280,
        marginLeft: 56,
        x: { axis: null },
        fx: { label: null, tickFormat: (m: string) => monthName(m).slice(0, 3) },
        y: { label: "compounds clear", tickFormat: "%", grid: true, domain: [0, 1] },
        color: settings,
        marks: [
          Plot.barY(
            monthly.flatMap((m) => [
              { month: m.month, setting: "urban", clear: m.urban.clear },
              { month: m.month, setting: "rural", clear: m.rural.clear }
            ]),
            { fx: "month", x: "setting", y: "clear", fill: "setting" }
          ),
          Plot.ruleY([0])
        ]
      }
    )

    return `---
title: Problem burn-down, urban and rural
toc: true
---

# Problem burn-down, urban and rural

The "hardware to zero" campaign put every facility defect found at a bin station or compound on the
problem register in January and worked the register down month by month. This page follows the
register from the first day to the last of the half-year, and compares the district's urban
subdistricts with its rural towns, where facility management is known to lag.

**In short.** ${integer(first.registered - first.duty)} facility problems were registered in January (and
${integer(first.duty)} "morning duty" absences, closed within days); ${integer(first.openAtEnd)} problems
were open at the end of the month, ${fixed(first.perCompound)} per compound across the district's
${integer(first.compounds)} compounds. By the end of June ${integer(last.openAtEnd)} were left,
${fixed(last.perCompound)} per compound: ${fixed(last.urban.perCompound)} in the urban subdistricts and
${fixed(last.rural.perCompound)} in the rural towns. ${percent(last.clear, 0)} of compounds ended June with no
open problem (${percent(last.urban.clear, 0)} urban, ${percent(last.rural.clear, 0)} rural).
${ruralInWorst === worst.length ? "All" : integer(ruralInWorst)} of the ${worst.length} subdistricts and towns with the most open problems per compound in June are rural.

## The burn-down

${burndown}

The register grows only in January, when the campaign's inspections find the defects; from February on,
problems leave it when a re-inspection passes after rectification. The flat stretches are weekends: the
campaign registers, rectifies and re-inspects on working days. The register holds every category, so the
"morning duty" absences (a bin station found unattended at drop-off time) are in these counts too, for
the day or two each stays open.

${perCompound}

Per compound the two settings fill up together in January and then part. At the end of January rural
compounds carried ${fixed(first.rural.perCompound - first.urban.perCompound)} more open problems each than urban ones;
at the end of June ${fixed(last.rural.perCompound - last.urban.perCompound)} more — about
${fixed(last.rural.perCompound / Math.max(0.01, last.urban.perCompound), 1)} times as many, against
${fixed(first.rural.perCompound / Math.max(0.01, first.urban.perCompound), 1)} times in January.

## Month by month

${table(
  [
    { heading: "month", cell: (m: (typeof monthly)[number]) => m.month },
    { heading: "registered", cell: (m) => m.registered, numeric: true },
    { heading: "of which morning duty", cell: (m) => m.duty, numeric: true },
    { heading: "closed fixed", cell: (m) => m.closedFixed, numeric: true },
    { heading: "open at end", cell: (m) => m.openAtEnd, numeric: true },
    { heading: "overdue at end", cell: (m) => m.overdue, numeric: true },
    { heading: "per compound", cell: (m) => fixed(m.perCompound), numeric: true },
    { heading: "urban per compound", cell: (m) => fixed(m.urban.perCompound), numeric: true },
    { heading: "rural per compound", cell: (m) => fixed(m.rural.perCompound), numeric: true },
    { heading: "compounds clear", cell: (m) => percent(m.clear, 0), numeric: true }
  ],
  monthly
)}

"Per compound" divides the problems open at the month's end by every compound under the node, affected
or not; "compounds clear" is the share of compounds with nothing open on the register at the month's end.
A problem is overdue when it is still open at or after the deadline its category's service level set.

${standard}

## Town by town

${townChart}

${table(
  [
    { heading: "subdistrict or town", cell: (t: (typeof townRows)[number]) => label(t) },
    { heading: "setting", cell: (t) => t.setting },
    { heading: "compounds", cell: (t) => t.compounds, numeric: true },
    { heading: "open end of January", cell: (t) => t.openJanuary, numeric: true },
    { heading: "open end of June", cell: (t) => t.openJune, numeric: true },
    { heading: "per compound, January", cell: (t) => fixed(t.perCompoundJanuary), numeric: true },
    { heading: "per compound, June", cell: (t) => fixed(t.perCompoundJune), numeric: true },
    { heading: "clear in June", cell: (t) => percent(t.clearJune, 0), numeric: true }
  ],
  townRows
)}

## Where the numbers come from

- \`sortgrid.problems.stats(actor, { under: "${district.path}", period })\` for each month from
  ${months[0]} to ${months.at(-1)}: per node of the tree, the problems registered, closed and open at the end
  of the period, the compounds under it and those with an open problem, and \`burnDown\`, the problems open
  at the end of each day (Beijing time).
- \`sortgrid.inspections.visits(actor, { under, campaignId: "morning-duty" })\`: the "morning duty" visits and
  the absences each registered, counted by the month of the visit (Beijing time).
- \`sortgrid.grid.children\` and \`sortgrid.grid.memberships\` on 30 June 2023: the subdistricts and towns and
  their urban or rural setting (the division code's urban–rural classification).
- The urban and rural figures add up the towns of each setting; nothing is estimated or sampled.
`
  })
)
