// Page 4: "what if" — the half-year scored again under other weights, with the assessment engine, from
// the data values the stored results were scored on; the ranks compared with the ones the district gave.
import { Engine, Scheme } from "@sortgrid/assessment"
import { type Group, monthlyResults, schemes, schemeVersions, weightsOf } from "../lib/assessment.js"
import { figure, Plot } from "../lib/chart.js"
import { escapeText, fixed, monthName, signed, table } from "../lib/markdown.js"
import { months, page, sequence, towns, withStore } from "../lib/store.js"

type SchemeJson = Record<string, unknown> & { items: Array<{ indicator: string; rule: Record<string, unknown> }> }

/** The alternatives: how each builds its scheme documents from the stored versions (oldest first). */
const scenarios: ReadonlyArray<{
  readonly id: string
  readonly title: string
  readonly description: string
  readonly documents: (versions: ReadonlyArray<SchemeJson>) => ReadonlyArray<SchemeJson>
}> = [
  {
    id: "assessed",
    title: "as assessed",
    description: "the stored versions, each in force as it was (version 1 to March, version 2 from April)",
    documents: (versions) => versions
  },
  {
    id: "no-revision",
    title: "no revision",
    description: "version 1 all half-year, as if the scheme had not been revised on 1 April",
    documents: (versions) => [{ ...versions[0]!, effectiveTo: null }]
  },
  {
    id: "revised-from-january",
    title: "revised from January",
    description: "version 2 all half-year, as if the revision had applied from 1 January",
    documents: (versions) => [{ ...versions.at(-1)!, effectiveFrom: "2023-01-01", effectiveTo: null }]
  },
  {
    id: "facility-first",
    title: "facility first",
    description:
      "version 2 reweighted towards the campaign: problems per compound 30, compounds meeting the standard 25, duty 15, sorting 10, collection 10, city score 5, outreach 5",
    documents: (versions) => [
      reweight(versions.at(-1)!, {
        problemsPerCompound: 30,
        meetingStandard: 25,
        dutyPresence: 15,
        sortingAccuracy: 10,
        collection: 10,
        cityScore: 5,
        outreach: 5
      })
    ]
  },
  {
    id: "equal",
    title: "equal weights",
    description: "version 2 with every indicator weighted the same (100 ÷ 7)",
    documents: (versions) => {
      const latest = versions.at(-1)!
      return [
        reweight(latest, Object.fromEntries(latest.items.map((item) => [item.indicator, 100 / latest.items.length])))
      ]
    }
  }
]

/** A scheme document in force all half-year with new weights (the rules' other parameters kept). */
const reweight = (scheme: SchemeJson, weights: Readonly<Record<string, number>>): SchemeJson => ({
  ...scheme,
  effectiveFrom: "2023-01-01",
  effectiveTo: null,
  items: scheme.items.map((item) => ({ ...item, rule: { ...item.rule, weight: weights[item.indicator] ?? 0 } }))
})

/** Ranks by score, best first; equal scores share a rank (1, 2, 2, 4). */
const rank = <A extends { readonly score: number }>(rows: ReadonlyArray<A>) => {
  const sorted = [...rows].sort((a, b) => b.score - a.score)
  return sorted.map((row) => ({ ...row, rank: 1 + sorted.filter((other) => other.score > row.score).length }))
}

/** Spearman's rank correlation between two rankings of the same units. */
const spearman = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) => {
  const units = [...a.keys()]
  const n = units.length
  const d2 = units.reduce((sum, unit) => sum + ((a.get(unit) ?? 0) - (b.get(unit) ?? 0)) ** 2, 0)
  return n < 2 ? 1 : 1 - (6 * d2) / (n * (n * n - 1))
}

page(() =>
  withStore(async (sortgrid) => {
    const townList = await towns(sortgrid)
    const nameOf = new Map(townList.map((t) => [t.id, t.name]))
    const label = (unit: string) => `${nameOf.get(unit) ?? unit} (${unit})`

    const groups = await sequence(schemes, async (scheme) => {
      const results = await monthlyResults(sortgrid, scheme.id)
      const { versions, names } = await schemeVersions(sortgrid, scheme.id)
      const documents = versions.map((v) => Scheme.toJsonValue(v.scheme) as unknown as SchemeJson)
      // The values each unit was scored on, as the stored result lists them (entered and derived alike).
      const valuesOf = (month: (typeof results)[number]) =>
        month.result.units.flatMap((unit) =>
          unit.inputs.map((input) => ({
            element: input.element,
            node: unit.unit,
            period: input.period,
            value: input.value,
            provenance: { kind: input.kind, source: input.source, records: input.records }
          }))
        )
      const scored = scenarios.map((scenario) => {
        const monthly = results.map((month) => {
          const outcome = Engine.score(scenario.documents(documents), valuesOf(month), {
            period: month.month,
            units: month.result.units.map((u) => u.unit)
          })
          if (!outcome.ok)
            throw new Error(
              `${scheme.id} ${month.month} (${scenario.id}): ${outcome.errors.map((e) => `${e.path.join(".")}: ${e.message}`).join("; ")}`
            )
          return { month: month.month, units: outcome.result.units, version: outcome.result.scheme.version }
        })
        const units = monthly[0]?.units.map((u) => u.unit) ?? []
        const halfYear = rank(
          units.map((unit) => ({
            unit,
            score:
              monthly.reduce((sum, m) => sum + (m.units.find((u) => u.unit === unit)?.total ?? 0), 0) /
              Math.max(1, monthly.length)
          }))
        )
        return { scenario, monthly, halfYear }
      })
      // Scoring the stored versions again must give back the stored totals, month by month.
      const assessed = scored[0]!
      const comparisons = results.flatMap((month) =>
        month.result.units.map((unit) => ({
          stored: unit.total,
          rescored: assessed.monthly.find((m) => m.month === month.month)?.units.find((u) => u.unit === unit.unit)
            ?.total
        }))
      )
      const reproduced = comparisons.filter((c) => c.stored === c.rescored).length
      return { ...scheme, names, documents, scored, reproduced, compared: comparisons.length }
    })

    const rankIn = (group: (typeof groups)[number], scenarioId: string) =>
      new Map(group.scored.find((s) => s.scenario.id === scenarioId)?.halfYear.map((r) => [r.unit, r.rank]) ?? [])
    const scoreIn = (group: (typeof groups)[number], scenarioId: string) =>
      new Map(group.scored.find((s) => s.scenario.id === scenarioId)?.halfYear.map((r) => [r.unit, r.score]) ?? [])

    const slope = (group: (typeof groups)[number]) => {
      const data = group.scored.flatMap((s) =>
        s.halfYear.map((r) => ({ scenario: s.scenario.title, unit: r.unit, label: label(r.unit), rank: r.rank }))
      )
      const lastTitle = scenarios.at(-1)!.title
      return figure(
        `whatif-ranks-${group.group}`,
        `Half-year rank of each ${group.group === "urban" ? "urban subdistrict" : "rural town"} under each set of weights (1 is best); lines join a unit's ranks.`,
        {
          width: 860,
          height: 380,
          marginLeft: 40,
          marginRight: 190,
          x: { label: null, domain: scenarios.map((s) => s.title), padding: 0.2 },
          y: { label: "half-year rank", reverse: true, domain: [1, 11], ticks: 11 },
          color: { type: "ordinal", scheme: "tableau10" },
          marks: [
            Plot.line(data, { x: "scenario", y: "rank", z: "unit", stroke: "unit", strokeWidth: 2 }),
            Plot.dot(data, { x: "scenario", y: "rank", fill: "unit", r: 3.5 }),
            Plot.text(
              data.filter((d) => d.scenario === lastTitle),
              { x: "scenario", y: "rank", text: "label", fill: "unit", dx: 8, textAnchor: "start" }
            )
          ]
        }
      )
    }
    const differences = groups.flatMap((group) => {
      const base = scoreIn(group, "assessed")
      return group.scored
        .filter((s) => s.scenario.id !== "assessed")
        .flatMap((s) =>
          s.halfYear.map((r) => ({
            group: group.group as Group,
            label: label(r.unit),
            scenario: s.scenario.title,
            difference: r.score - (base.get(r.unit) ?? r.score)
          }))
        )
    })
    const order = groups.flatMap((group) => {
      const base = scoreIn(group, "assessed")
      return [...base].sort((a, b) => b[1] - a[1]).map(([unit]) => label(unit))
    })
    const differenceChart = figure(
      "whatif-scores",
      "Half-year mean total under each alternative, less the total as assessed, by unit (urban first, then rural; each best first).",
      {
        width: 860,
        height: 60 + order.length * 20,
        marginLeft: 190,
        x: { label: "points against as assessed", grid: true },
        y: { label: null, domain: order },
        color: { legend: true, domain: scenarios.slice(1).map((s) => s.title), scheme: "tableau10" },
        symbol: { domain: scenarios.slice(1).map((s) => s.title) },
        marks: [
          Plot.ruleX([0]),
          Plot.dot(differences, { x: "difference", y: "label", stroke: "scenario", symbol: "scenario", r: 4 })
        ]
      }
    )

    const summary = groups.flatMap((group) => {
      const base = rankIn(group, "assessed")
      return group.scored
        .filter((s) => s.scenario.id !== "assessed")
        .map((s) => {
          const ranks = rankIn(group, s.scenario.id)
          const shifts = [...base].map(([unit, r]) => r - (ranks.get(unit) ?? r))
          const top = s.halfYear.find((r) => r.rank === 1)
          const bottom = [...s.halfYear].sort((a, b) => b.rank - a.rank)[0]
          return {
            group: group.group,
            scenario: s.scenario.title,
            rho: spearman(base, ranks),
            moved: shifts.filter((x) => x !== 0).length,
            largest: Math.max(0, ...shifts.map(Math.abs)),
            top: top === undefined ? "—" : label(top.unit),
            bottom: bottom === undefined ? "—" : label(bottom.unit)
          }
        })
    })
    const unitTable = (group: (typeof groups)[number]) => {
      const base = group.scored[0]!.halfYear.sort((a, b) => a.rank - b.rank)
      return table(
        [
          { heading: "unit", cell: (r: (typeof base)[number]) => label(r.unit) },
          { heading: "as assessed", cell: (r) => `${r.rank} (${fixed(r.score)})`, numeric: true },
          ...group.scored.slice(1).map((s) => ({
            heading: s.scenario.title,
            cell: (r: (typeof base)[number]) => {
              const other = s.halfYear.find((x) => x.unit === r.unit)
              return other === undefined ? "—" : `${other.rank} (${signed(r.rank - other.rank)})`
            },
            numeric: true
          }))
        ],
        base
      )
    }
    const weightTable = () => {
      const urban = groups[0]!
      const indicators = urban.documents[0]!.items.map((item) => item.indicator)
      const alternatives = scenarios.filter((s) => s.id === "facility-first" || s.id === "equal")
      return table(
        [
          { heading: "indicator", cell: (indicator: string) => urban.names.get(indicator) ?? indicator },
          ...groups.flatMap((group) =>
            group.documents.map((doc) => ({
              heading: `${group.group} v${String(doc.version)}`,
              cell: (indicator: string) => fixed(weightsOf(doc).get(indicator) ?? 0, 1),
              numeric: true
            }))
          ),
          ...alternatives.map((s) => ({
            heading: s.title,
            cell: (indicator: string) => fixed(weightsOf(s.documents(urban.documents)[0]!).get(indicator) ?? 0, 1),
            numeric: true
          }))
        ],
        indicators
      )
    }
    const reproducedAll = groups.every((g) => g.reproduced === g.compared && g.compared > 0)
    const mostMoved = [...summary].sort((a, b) => a.rho - b.rho)[0]

    return `---
title: What if the weights were different?
toc: true
---

# What if the weights were different?

A ranking is only as fair as its weights. This page takes the data values every subdistrict and town was
scored on from January to June — as the stored monthly results record them — and scores the half-year
again with the assessment engine under other weights, then compares the ranks with the ones the district
gave. A unit's half-year score is the mean of its six monthly totals; the half-year rank orders those means
within the group.

**In short.** ${
      mostMoved === undefined
        ? ""
        : `The weights matter most under "${escapeText(mostMoved.scenario)}" in the ${mostMoved.group} group: ${mostMoved.moved} of ${
            groups.find((g) => g.group === mostMoved.group)?.scored[0]?.halfYear.length ?? 0
          } units change rank, one by as many as ${mostMoved.largest} places (Spearman's ρ against the ranks as assessed: ${fixed(mostMoved.rho)}).`
    }

<p class="check" data-check="rescoring-reproduces" data-ok="${reproducedAll}">${groups
      .map(
        (g) =>
          `Scoring the stored ${g.id} versions again reproduces ${g.reproduced} of the ${g.compared} stored monthly totals exactly.`
      )
      .join(" ")}</p>

## The alternatives

${scenarios.map((s) => `- **${escapeText(s.title)}**: ${escapeText(s.description)}.`).join("\n")}

The weights, out of 100 (the alternatives apply the same weights to both groups; only the weights
change — each indicator's rule, bounds and bands stay as in version 2):

${weightTable()}

## Ranks under each alternative

${groups.map(slope).join("\n\n")}

${table(
  [
    { heading: "group", cell: (r: (typeof summary)[number]) => r.group },
    { heading: "alternative", cell: (r) => r.scenario },
    { heading: "ρ against as assessed", cell: (r) => fixed(r.rho), numeric: true },
    { heading: "units that change rank", cell: (r) => r.moved, numeric: true },
    { heading: "largest move", cell: (r) => r.largest, numeric: true },
    { heading: "first", cell: (r) => r.top },
    { heading: "last", cell: (r) => r.bottom }
  ],
  summary
)}

The bottom-ranked units are the ones supervision-and-help teams visit, so "last" is who would have been
visited under each alternative.

### Urban subdistricts

${unitTable(groups[0]!)}

### Rural towns

${unitTable(groups[1]!)}

Each cell is the half-year rank under the alternative and, in brackets, the places moved against the rank
as assessed (positive: up); the "as assessed" column gives the mean monthly total in brackets.

## Scores

${differenceChart}

## Where the numbers come from

- \`sortgrid.assessment.results(actor, { schemeId, period })\` for ${groups.map((g) => `\`${g.id}\``).join(" and ")} and each
  month from ${monthName(months[0])} to ${monthName(months.at(-1)!)}: the latest stored result; each unit's \`inputs\`
  are the data values it was scored on — entered values and the values derived from the problem register.
- \`sortgrid.assessment.schemeVersions(actor, id)\`: the stored scheme documents, turned back into JSON with
  \`Scheme.toJsonValue\` and reweighted.
- \`Engine.score(schemeJson, values, { period, units })\` from \`@sortgrid/assessment\`: the same engine the
  district's assessments run, here in memory — nothing is written to the store.
`
  })
)
