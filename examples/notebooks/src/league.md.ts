// Page 2: league tables and score decomposition, movers up and down, from the stored monthly assessments.
import { type Group, monthlyResults, schemes, schemeVersions, weightsOf } from "../lib/assessment.js"
import { figure, Plot } from "../lib/chart.js"
import { escapeText, fixed, monthName, signed, table } from "../lib/markdown.js"
import { analyst, months, page, sequence, towns, withStore } from "../lib/store.js"

page(() =>
  withStore(async (sortgrid) => {
    const townList = await towns(sortgrid)
    const nameOf = new Map(townList.map((t) => [t.id, t.name]))
    const label = (unit: string) => `${nameOf.get(unit) ?? unit} (${unit})`

    const groups = await sequence(schemes, async (scheme) => {
      const results = await monthlyResults(sortgrid, scheme.id)
      const { versions, names } = await schemeVersions(sortgrid, scheme.id)
      return { ...scheme, results, versions, names }
    })

    // One row per unit and month: rank, total, grade, the scheme version, and each item's contribution.
    const rows = groups.flatMap((g) =>
      g.results.flatMap(({ month, result }) =>
        result.units.map((unit) => ({
          group: g.group as Group,
          month,
          unit: unit.unit,
          label: label(unit.unit),
          rank: unit.rank ?? Number.NaN,
          total: unit.total ?? 0,
          grade: unit.grade ?? "—",
          schemeVersion: result.scheme.version,
          items: unit.items
        }))
      )
    )
    const at = (group: Group, month: string) => rows.filter((r) => r.group === group && r.month === month)
    const find = (group: Group, month: string, unit: string) => at(group, month).find((r) => r.unit === unit)
    const first = months[0]
    const last = months.at(-1)!
    const previous = months.at(-2)!

    // Month-to-month moves. A rank moves when a unit's total changes more or less than its rivals', so the
    // item named is the one whose contribution changed most against the group's average change of it.
    const moves = rows.flatMap((row) => {
      const index = months.indexOf(row.month)
      if (index === 0) return []
      const earlier = months[index - 1]!
      const before = find(row.group, earlier, row.unit)
      if (before === undefined) return []
      const changeOf = (unit: string, indicator: string) =>
        (find(row.group, row.month, unit)?.items.find((i) => i.indicator === indicator)?.contribution ?? 0) -
        (find(row.group, earlier, unit)?.items.find((i) => i.indicator === indicator)?.contribution ?? 0)
      const peers = at(row.group, row.month).map((r) => r.unit)
      const deltas = row.items.map((item) => ({
        indicator: item.indicator,
        delta:
          changeOf(row.unit, item.indicator) -
          peers.reduce((sum, unit) => sum + changeOf(unit, item.indicator), 0) / Math.max(1, peers.length)
      }))
      const driver = [...deltas].sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))[0]
      return [{ ...row, from: before.rank, places: before.rank - row.rank, change: row.total - before.total, driver }]
    })
    const namesOf = (group: Group) => groups.find((g) => g.group === group)?.names ?? new Map<string, string>()
    const driverText = (m: (typeof moves)[number]) =>
      m.driver === undefined
        ? "—"
        : `${namesOf(m.group).get(m.driver.indicator) ?? m.driver.indicator} ${signed(m.driver.delta, 2)}`
    const up = [...moves].sort((a, b) => b.places - a.places || b.change - a.change).slice(0, 5)
    const down = [...moves].sort((a, b) => a.places - b.places || a.change - b.change).slice(0, 5)
    const halfYear = groups.flatMap((g) =>
      at(g.group, last).map((row) => {
        const start = find(g.group, first, row.unit)
        return { ...row, places: (start?.rank ?? row.rank) - row.rank, startRank: start?.rank ?? Number.NaN }
      })
    )

    const bump = (group: Group) =>
      figure(
        `ranks-${group}`,
        `Monthly rank of each ${group === "urban" ? "urban subdistrict" : "rural town"}, ${monthName(first)} to ${monthName(last)} (1 is best).`,
        {
          width: 860,
          height: 360,
          marginLeft: 40,
          marginRight: 190,
          x: { label: null, domain: [...months], tickFormat: (m: string) => monthName(m).slice(0, 3) },
          y: { label: "rank", reverse: true, domain: [1, 11], ticks: 11 },
          color: { type: "ordinal", scheme: "tableau10" },
          marks: [
            Plot.line(
              rows.filter((r) => r.group === group),
              { x: "month", y: "rank", z: "unit", stroke: "unit", strokeWidth: 2, curve: "bump-x" }
            ),
            Plot.dot(
              rows.filter((r) => r.group === group),
              { x: "month", y: "rank", fill: "unit", r: 3.5 }
            ),
            Plot.text(at(group, last), {
              x: "month",
              y: "rank",
              text: "label",
              dx: 8,
              textAnchor: "start",
              fill: "unit"
            })
          ]
        }
      )
    const decomposition = (group: Group) => {
      const june = at(group, last).sort((a, b) => a.rank - b.rank)
      const items = june.flatMap((row) =>
        row.items.map((item) => ({
          label: row.label,
          indicator: namesOf(group).get(item.indicator) ?? item.indicator,
          contribution: item.contribution
        }))
      )
      return figure(
        `decomposition-${group}`,
        `${monthName(last)} totals of the ${group} group split into what each indicator contributed (scheme version ${june[0]?.schemeVersion ?? "?"}); ranked best first.`,
        {
          width: 860,
          height: 80 + june.length * 24,
          marginLeft: 190,
          x: { label: "points (out of 100)", grid: true, domain: [0, 100] },
          y: { label: null, domain: june.map((r) => r.label) },
          color: { legend: true, scheme: "tableau10", domain: [...namesOf(group).values()] },
          marks: [Plot.barX(items, { y: "label", x: "contribution", fill: "indicator" }), Plot.ruleX([0])]
        }
      )
    }
    const moversChart = figure(
      "movers",
      `Places moved from ${monthName(first)} to ${monthName(last)}: up to the right, down to the left, within each group.`,
      {
        width: 860,
        height: 80 + halfYear.length * 20,
        marginLeft: 190,
        x: { label: "places moved up", grid: true },
        y: { label: null, domain: [...halfYear].sort((a, b) => b.places - a.places).map((r) => r.label) },
        color: { domain: ["urban", "rural"], range: ["#4269d0", "#ff725c"], legend: true },
        marks: [Plot.barX(halfYear, { y: "label", x: "places", fill: "group" }), Plot.ruleX([0])]
      }
    )

    const league = (group: Group) =>
      table(
        [
          { heading: "rank", cell: (r: (typeof rows)[number]) => r.rank, numeric: true },
          { heading: "unit", cell: (r) => r.label },
          { heading: "total", cell: (r) => fixed(r.total), numeric: true },
          { heading: "grade", cell: (r) => r.grade },
          {
            heading: `vs ${monthName(previous)}`,
            cell: (r) => signed(r.total - (find(group, previous, r.unit)?.total ?? r.total), 2),
            numeric: true
          },
          {
            heading: "places",
            cell: (r) => signed((find(group, previous, r.unit)?.rank ?? r.rank) - r.rank),
            numeric: true
          },
          { heading: "scheme version", cell: (r) => `v${r.schemeVersion}`, numeric: true }
        ],
        at(group, last).sort((a, b) => a.rank - b.rank)
      )
    const moveTable = (list: ReadonlyArray<(typeof moves)[number]>) =>
      table(
        [
          { heading: "month", cell: (m: (typeof moves)[number]) => m.month },
          { heading: "group", cell: (m) => m.group },
          { heading: "unit", cell: (m) => m.label },
          { heading: "rank", cell: (m) => `${m.from} → ${m.rank}` },
          { heading: "total", cell: (m) => signed(m.change, 2), numeric: true },
          { heading: "largest change in an item, against the group", cell: driverText }
        ],
        list
      )

    const indicators = [...(groups[0]?.names.keys() ?? [])]
    const weightRows = indicators.map((indicator) => {
      const cells: Record<string, number | string> = { indicator: groups[0]?.names.get(indicator) ?? indicator }
      for (const g of groups)
        for (const version of g.versions)
          cells[`${g.group} v${version.scheme.version}`] = weightsOf(version.scheme).get(indicator) ?? 0
      return cells
    })
    const weightColumns = groups.flatMap((g) =>
      g.versions.map((version) => ({
        heading: `${g.group} v${version.scheme.version} (from ${version.scheme.effectiveFrom})`,
        cell: (row: Record<string, number | string>) => row[`${g.group} v${version.scheme.version}`] ?? 0,
        numeric: true
      }))
    )

    const departments = await sortgrid.assessment.results(analyst, { schemeId: "departments-2023", period: last })
    const departmentUnits = [...(departments.at(-1)?.result.units ?? [])].sort(
      (a, b) => (a.rank ?? 99) - (b.rank ?? 99)
    )
    const departmentRows = await sequence(
      [...departmentUnits.slice(0, 3), ...departmentUnits.slice(-3)],
      async (unit) => {
        const node = await sortgrid.grid.node(analyst, unit.unit, "2023-06-30").catch(() => undefined)
        return { ...unit, name: node?.name ?? unit.unit }
      }
    )

    const best = (group: Group) => at(group, last).find((r) => r.rank === 1)
    /** The two items that separate the best unit from the worst most, in points. */
    const gap = (group: Group) => {
      const june = at(group, last).sort((a, b) => a.rank - b.rank)
      const top = june[0]
      const bottom = june.at(-1)
      if (top === undefined || bottom === undefined) return "—"
      return top.items
        .map((item) => ({
          name: namesOf(group).get(item.indicator) ?? item.indicator,
          delta: item.contribution - (bottom.items.find((b) => b.indicator === item.indicator)?.contribution ?? 0)
        }))
        .sort((a, b) => b.delta - a.delta)
        .slice(0, 2)
        .map((d) => `${d.name.toLowerCase()} (${signed(d.delta, 2)})`)
        .join(" and ")
    }
    const topUp = up[0]
    const topDown = down[0]
    return `---
title: League tables and movers
toc: true
---

# League tables and movers

Every month the district scores its urban subdistricts and its rural towns, each group under its own
scheme, and ranks them within the group. This page reads those stored results back: the league tables for
${monthName(last)}, what each indicator contributed to the totals, and who moved up or down.

**In short.** In ${monthName(last)} ${escapeText(best("urban")?.label ?? "—")} leads the urban group with
${fixed(best("urban")?.total ?? 0)} points and ${escapeText(best("rural")?.label ?? "—")} the rural group with
${fixed(best("rural")?.total ?? 0)}. The largest single-month climb was ${escapeText(topUp?.label ?? "—")}'s, ${topUp?.from ?? "?"} → ${topUp?.rank ?? "?"}
in ${monthName(topUp?.month ?? last)}; the largest fall ${escapeText(topDown?.label ?? "—")}'s, ${topDown?.from ?? "?"} → ${topDown?.rank ?? "?"} in
${monthName(topDown?.month ?? last)}. Totals are not comparable across the two groups: they are scored under different schemes.

## The schemes and their revision

Both schemes were revised on 1 April 2023; a month is scored under the version in force on its first
day, so January–March use version 1 and April–June version 2. The weights, out of 100:

${table([{ heading: "indicator", cell: (row: Record<string, number | string>) => String(row.indicator) }, ...weightColumns], weightRows)}

## League tables, ${monthName(last)}

### Urban subdistricts

${league("urban")}

### Rural towns

${league("rural")}

"vs ${monthName(previous)}" is the change in total points and "places" the places moved since
${monthName(previous)} (positive: up).

## Where the points come from

${decomposition("urban")}

${decomposition("rural")}

Each bar is a unit's total; its segments are the items' contributions — the indicator's score (the
fraction of the weight earned under the item's rule: linear between bounds, bands, or a target) times
its weight. In ${monthName(last)} the items that put the most points between the first and the last of the
urban group are ${gap("urban")}; in the rural group ${gap("rural")}.

## Rank over the half-year

${bump("urban")}

${bump("rural")}

## Movers up and down

${moversChart}

The biggest climbs from one month to the next:

${moveTable(up)}

The biggest falls:

${moveTable(down)}

"Largest change in an item" is the item whose contribution changed most between the two months against
the group's average change of the same item, in points: a unit falls when its rivals gain on it, even if
its own total rises.

## Departments, ${monthName(last)}

The 32 departments have a scheme of their own (duty presence of their staff, events organised, problems
rectified on time, rural support visits). The top and bottom three:

${table(
  [
    { heading: "rank", cell: (u: (typeof departmentRows)[number]) => u.rank ?? "—", numeric: true },
    { heading: "department", cell: (u) => `${u.name} (${u.unit})` },
    { heading: "total", cell: (u) => fixed(u.total ?? 0), numeric: true },
    { heading: "grade", cell: (u) => u.grade ?? "—" }
  ],
  departmentRows
)}

## Where the numbers come from

- \`sortgrid.assessment.results(actor, { schemeId, period })\` for \`urban-2023\`, \`rural-2023\` and
  \`departments-2023\` and each month: every stored result version, oldest first; this page reads the
  latest. Each unit's result carries its rank, total, grade and, per item, the indicator's value, score,
  weight and contribution.
- \`sortgrid.assessment.schemeVersions(actor, id)\`: the scheme documents, for the weights and the
  indicators' names.
- \`sortgrid.grid.children\`, \`sortgrid.grid.memberships\` and \`sortgrid.grid.node\`: the units' names.
`
  })
)
