/**
 * A health check of one unit for one period ("check-up"): how each indicator stands against the
 * group (strengths and weaknesses), how the total and rank moved over the last periods, and the
 * records behind the weakest indicators — the problems on the register that pulled them down, by
 * the ids the data values' provenance carries. As data, and rendered as Markdown.
 *
 * An indicator's standing is the unit's score (the fraction of its weight earned, 0–1) minus the
 * group's mean score on it: above zero a strength, below a weakness. Item rules without a weight
 * (deductions, bonuses) compare points instead. Indicators with no value have no standing.
 *
 * @since 0.1.0
 */
import type * as Evaluation from "./Evaluation.js"
import { round } from "./internal/json.js"

/**
 * One indicator against the group.
 *
 * @since 0.1.0
 * @category models
 */
export type Standing = {
  readonly indicator: string
  readonly value: number | null
  readonly score: number | null
  readonly groupMeanScore: number | null
  readonly difference: number | null
  readonly contribution: number
  readonly band: string | null
}

/**
 * One period of the trend.
 *
 * @since 0.1.0
 * @category models
 */
export type TrendPoint = {
  readonly period: string
  readonly total: number | null
  readonly rank: number | null
  readonly of: number
}

/**
 * The records behind a weak indicator (problems, by id), from its data values' provenance.
 *
 * @since 0.1.0
 * @category models
 */
export type Behind = {
  readonly indicator: string
  readonly entity: string
  readonly ids: ReadonlyArray<string>
  readonly total: number
}

/**
 * A unit's health check.
 *
 * @since 0.1.0
 * @category models
 */
export type HealthCheck = {
  readonly unit: string
  readonly period: string
  readonly schemeId: string
  readonly total: number | null
  readonly rank: number | null
  readonly of: number
  readonly grade: string | null
  readonly standings: ReadonlyArray<Standing>
  readonly strengths: ReadonlyArray<string>
  readonly weaknesses: ReadonlyArray<string>
  readonly trend: ReadonlyArray<TrendPoint>
  readonly behind: ReadonlyArray<Behind>
}

const sourcesOf = (explanation: Evaluation.Explanation): ReadonlyArray<Evaluation.Source> => [
  ...(explanation.source === null ? [] : [explanation.source]),
  ...explanation.children.flatMap(sourcesOf)
]

/**
 * Checks a unit. `history` holds earlier results of the group (any order; the unit's figures in
 * each become the trend, oldest first, ending with `result`); `weakest` is how many weaknesses to
 * trace to their records (default 3). `undefined` when the unit is not in `result`.
 *
 * @since 0.1.0
 * @category checks
 */
export const check = (options: {
  readonly unit: string
  readonly result: Evaluation.Result
  readonly history?: ReadonlyArray<Evaluation.Result>
  readonly weakest?: number
}): HealthCheck | undefined => {
  const { result } = options
  const unit = result.units.find((entry) => entry.unit === options.unit)
  if (unit === undefined) return undefined
  const ranked = (r: Evaluation.Result) => r.units.filter((entry) => entry.rank !== null).length
  const standings = unit.items.map((item, i): Standing => {
    const scores = result.units.flatMap((other) => {
      const score = other.items[i]?.score
      return score === null || score === undefined ? [] : [score]
    })
    const mean = scores.length === 0 ? null : round(scores.reduce((a, b) => a + b, 0) / scores.length, 4)
    return {
      indicator: item.indicator,
      value: item.value,
      score: item.score,
      groupMeanScore: mean,
      difference: item.score === null || mean === null ? null : round(item.score - mean, 4),
      contribution: item.contribution,
      band: item.band
    }
  })
  const withDifference = standings.filter((s) => s.difference !== null)
  const order = (a: Standing, b: Standing) =>
    (a.difference ?? 0) - (b.difference ?? 0) || (a.indicator < b.indicator ? -1 : 1)
  const weaknesses = withDifference
    .filter((s) => (s.difference ?? 0) < 0)
    .sort(order)
    .map((s) => s.indicator)
  const strengths = withDifference
    .filter((s) => (s.difference ?? 0) > 0)
    .sort((a, b) => order(b, a))
    .map((s) => s.indicator)
  const trend = [...(options.history ?? []), result]
    .filter((r) => r.scheme.id === result.scheme.id || r.scheme.group === result.scheme.group)
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
    .flatMap((r) => {
      const entry = r.units.find((other) => other.unit === options.unit)
      return entry === undefined ? [] : [{ period: r.period, total: entry.total, rank: entry.rank, of: ranked(r) }]
    })
  const traced = weaknesses.slice(0, options.weakest ?? 3)
  const behind = traced.flatMap((indicator) => {
    const child = unit.explanation.children.find((node) => node.label === indicator)
    const byEntity = new Map<string, { ids: Set<string>; total: number }>()
    for (const source of child === undefined ? [] : sourcesOf(child)) {
      if (source.records === null) continue
      const entry = byEntity.get(source.records.entity) ?? { ids: new Set<string>(), total: 0 }
      for (const id of source.records.ids) entry.ids.add(id)
      entry.total += source.records.total
      byEntity.set(source.records.entity, entry)
    }
    return [...byEntity.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([entity, { ids, total }]) => ({ indicator, entity, ids: [...ids].sort(), total }))
  })
  return {
    unit: unit.unit,
    period: result.period,
    schemeId: result.scheme.id,
    total: unit.total,
    rank: unit.rank,
    of: ranked(result),
    grade: unit.grade,
    standings,
    strengths,
    weaknesses,
    trend,
    behind
  }
}

const cell = (value: number | string | null) => (value === null ? "–" : String(value))

/**
 * The check as Markdown: a heading with the total, rank and grade; the standings table; strengths
 * and weaknesses; the trend; the records behind the weakest indicators.
 *
 * @since 0.1.0
 * @category rendering
 */
export const toMarkdown = (health: HealthCheck): string => {
  const lines: Array<string> = [
    `## ${health.unit}, ${health.period}`,
    "",
    `Total **${cell(health.total)}**, rank ${cell(health.rank)} of ${health.of}, grade ${cell(health.grade)} (scheme ${health.schemeId}).`,
    "",
    "| indicator | value | score | group mean | difference | contribution | band |",
    "|---|---|---|---|---|---|---|",
    ...health.standings.map(
      (s) =>
        `| ${s.indicator} | ${cell(s.value)} | ${cell(s.score)} | ${cell(s.groupMeanScore)} | ${cell(s.difference)} | ${s.contribution} | ${cell(s.band)} |`
    ),
    "",
    `**Strengths:** ${health.strengths.length === 0 ? "none" : health.strengths.join(", ")}`,
    "",
    `**Weaknesses:** ${health.weaknesses.length === 0 ? "none" : health.weaknesses.join(", ")}`,
    "",
    "### Trend",
    "",
    "| period | total | rank |",
    "|---|---|---|",
    ...health.trend.map((point) => `| ${point.period} | ${cell(point.total)} | ${cell(point.rank)} of ${point.of} |`)
  ]
  if (health.behind.length > 0) {
    lines.push("", "### Behind the weakest indicators", "")
    for (const entry of health.behind) {
      const more = entry.total > entry.ids.length ? ` (${entry.total} in all)` : ""
      lines.push(`- ${entry.indicator}: ${entry.entity} ${entry.ids.join(", ")}${more}`)
    }
  }
  return `${lines.join("\n")}\n`
}
