/**
 * Evaluation: a validated scheme, a period, the units of its group and their data values in; per
 * unit its total, each item's value, score, weight and contribution, its rank and grade, the change
 * against the previous period, and an explanation tree down to the data values and their
 * provenance out. Pure and synchronous: no store, no clock, no Effect runtime.
 *
 * **Values.** A unit's value of an element is the value for the unit's node and the period itself;
 * failing that, the values for the sub-periods of the period (months of a quarter) combined by the
 * element's `timeAggregation` — of the longest sub-period type present, so monthly figures win
 * over weekly ones. Values for other nodes, elements or periods are ignored; aggregation up the
 * tree is the providers' work (see `DataElement.aggregate`).
 *
 * **Numbers.** Values, scores, contributions and totals are reported rounded to the scheme's
 * `decimals`; each contribution is rounded first and the total is the sum of the reported
 * contributions, so an explanation always adds up.
 *
 * **Ranking.** Standard competition ranking ("1224") on the reported total, highest first: units
 * with equal totals share a rank and the next rank skips. Ties are deliberately not broken — no
 * secondary criterion is fairer than saying they are equal — and tied units are listed by unit id.
 * Vetoed units rank after every scored unit (among themselves by total, same rule); units with no
 * result (missing data under the `fail` policy) have no rank and come last.
 *
 * **Determinism.** Units, values and indicators are visited in a canonical order (unit id; the
 * scheme's item order), so the same inputs in any order give byte-identical results: `hash` is
 * the SHA-256 of the canonical JSON of everything else in the result.
 *
 * @since 0.1.0
 */
import { type DataValue, Errors, Json, Period } from "@sortgrid/core"
import { Array as Arr, Either } from "effect"
import * as DataElement from "./DataElement.js"
import * as Expression from "./Expression.js"
import * as Indicator from "./Indicator.js"
import { round, toJson } from "./internal/json.js"
import type * as Scheme from "./Scheme.js"
import * as Scoring from "./Scoring.js"

/**
 * A node of an explanation: a figure (`value`), what it is (`label`), how it came about
 * (`detail`), what it was computed from (`children`), and for a data value its `source`.
 *
 * @since 0.1.0
 * @category models
 */
export type Explanation = {
  readonly label: string
  readonly value: number | null
  readonly detail: string
  readonly children: ReadonlyArray<Explanation>
  readonly source: Source | null
}

/**
 * Where a data value came from: the value's key and its provenance (kind, source, records).
 *
 * @since 0.1.0
 * @category models
 */
export type Source = {
  readonly element: string
  readonly node: string
  readonly period: string
  readonly kind: DataValue.ProvenanceKind
  readonly source: string
  readonly records: { readonly entity: string; readonly ids: ReadonlyArray<string>; readonly total: number } | null
}

/**
 * One scheme item for one unit. `score` is the fraction (0–1) of the weight earned for a weighted
 * rule and the signed points for a deduction or bonus (`null` for a veto or a missing value);
 * `weight` is the declared weight and `effectiveWeight` the weight after renormalisation (the
 * `exclude` policy); `contribution` is what the item adds to the total.
 *
 * @since 0.1.0
 * @category models
 */
export type ItemResult = {
  readonly indicator: string
  readonly rule: Scoring.Rule["_tag"]
  readonly value: number | null
  readonly numerator: number | null
  readonly denominator: number | null
  readonly score: number | null
  readonly weight: number
  readonly effectiveWeight: number
  readonly contribution: number
  readonly band: string | null
  readonly colour: string | null
  readonly vetoed: boolean
  readonly missing: boolean
}

/**
 * A unit's result. `status` is `scored`, `vetoed` (a veto item failed: graded `gradeBelow`, ranked
 * after every scored unit) or `incomplete` (missing data under the `fail` policy: no total, rank
 * or grade). `change` compares with the previous period's result when one was given: the total's
 * difference and the places moved up (negative: down).
 *
 * @since 0.1.0
 * @category models
 */
export type UnitResult = {
  readonly unit: string
  readonly status: "scored" | "vetoed" | "incomplete"
  readonly total: number | null
  readonly rank: number | null
  readonly grade: string | null
  readonly vetoedBy: ReadonlyArray<string>
  readonly missing: ReadonlyArray<string>
  readonly items: ReadonlyArray<ItemResult>
  readonly change: { readonly total: number; readonly rank: number | null } | null
  readonly explanation: Explanation
}

/**
 * The result of scoring a group for a period, units in rank order (ties and unranked units by id).
 *
 * @since 0.1.0
 * @category models
 */
export type Result = {
  readonly scheme: {
    readonly id: string
    readonly version: number
    readonly group: string
    readonly digest: string
  }
  readonly period: string
  readonly units: ReadonlyArray<UnitResult>
  /** SHA-256 of the canonical JSON of the result without this field. */
  readonly hash: string
}

/**
 * A previous period's figures for a unit, to compute `change` (a previous `UnitResult` will do).
 *
 * @since 0.1.0
 * @category models
 */
export type Previous = { readonly unit: string; readonly total: number | null; readonly rank: number | null }

/**
 * What to evaluate. `units` are node refs of the scheme's group.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly scheme: Scheme.Validated
  readonly period: Period.Period
  readonly units: ReadonlyArray<string>
  readonly values: ReadonlyArray<DataValue.DataValue>
  readonly previous?: ReadonlyArray<Previous> | null
}

interface Resolved {
  readonly value: number
  readonly sources: ReadonlyArray<DataValue.DataValue>
  readonly detail: string
}

const sourceOf = (value: DataValue.DataValue): Source => ({
  element: value.element,
  node: value.node,
  period: value.period,
  kind: value.provenance.kind,
  source: value.provenance.source,
  records:
    value.provenance.records === null
      ? null
      : {
          entity: value.provenance.records.entity,
          ids: value.provenance.records.ids,
          total: value.provenance.records.total
        }
})

/** Checks the input and indexes the values that matter by element and node. */
const prepare = (input: Input) => {
  const { scheme } = input.scheme
  const issues: Array<Errors.Issue> = []
  const periodId = Period.format(input.period)
  if (!scheme.periodTypes.includes(input.period._tag)) {
    issues.push(new Errors.Issue({ path: ["period"], reason: `the scheme scores ${scheme.periodTypes.join(", ")}` }))
  }
  const start = Period.startDay(input.period)
  const from = Period.dayOfIsoDate(scheme.effectiveFrom)
  const to = scheme.effectiveTo === null ? Number.POSITIVE_INFINITY : Period.dayOfIsoDate(scheme.effectiveTo)
  if (start < from || start >= to) {
    issues.push(
      new Errors.Issue({ path: ["period"], reason: `version ${scheme.version} is not in force on its first day` })
    )
  }
  const units = new Set(input.units)
  if (units.size !== input.units.length)
    issues.push(new Errors.Issue({ path: ["units"], reason: "a unit is listed twice" }))
  const byKey = new Map<string, Array<DataValue.DataValue>>()
  input.values.forEach((value, i) => {
    const element = input.scheme.elements.get(value.element)
    if (element === undefined || !units.has(value.node)) return
    const period = Either.getOrUndefined(Period.parse(value.period))
    if (period === undefined || !Period.contains(input.period, period)) return
    const checked = DataElement.checkValue(element, value.value, ["values", i, "value"])
    if (Either.isLeft(checked)) issues.push(...checked.left.issues)
    const key = `${value.element}\u0000${value.node}`
    const list = byKey.get(key)
    const same = list?.find((other) => other.period === value.period)
    if (same !== undefined && same.value !== value.value) {
      issues.push(
        new Errors.Issue({
          path: ["values", i],
          reason: `two different values of ${value.element} for ${value.node} in ${value.period}`
        })
      )
    } else if (list === undefined) byKey.set(key, [value])
    else if (same === undefined) list.push(value)
  })
  const resolve = (element: DataElement.ElementSpec, node: string): Resolved | undefined => {
    const list = byKey.get(`${element.id}\u0000${node}`)
    if (list === undefined) return undefined
    const exact = list.find((value) => value.period === periodId)
    if (exact !== undefined) return { value: exact.value, sources: [exact], detail: "the period's value" }
    const typed = list.flatMap((value) =>
      Either.match(Period.parse(value.period), { onLeft: () => [], onRight: (period) => [{ period, value }] })
    )
    const longest = [...Period.periodTypes].reverse().find((type) => typed.some((entry) => entry.period._tag === type))
    const chosen = typed
      .filter((entry) => entry.period._tag === longest)
      .sort((a, b) => Period.order(a.period, b.period))
    const value = DataElement.overTime(
      element.timeAggregation,
      chosen.map((entry) => ({ period: entry.period, value: entry.value.value }))
    )
    return value === undefined
      ? undefined
      : {
          value,
          sources: chosen.map((entry) => entry.value),
          detail: `${element.timeAggregation} over ${chosen.length} ${longest ?? ""} values`
        }
  }
  return { issues, resolve, periodId }
}

interface Evaluated {
  readonly value: Indicator.Value
  readonly explanation: Explanation
}

/** Evaluates every indicator for one unit, in dependency order, with explanations. */
const indicatorsFor = (
  input: Input,
  resolve: (element: DataElement.ElementSpec, node: string) => Resolved | undefined,
  unit: string
): ReadonlyMap<string, Evaluated> => {
  const decimals = input.scheme.scheme.decimals
  const done = new Map<string, Evaluated>()
  const elementNodes = new Map<string, Explanation>()
  const resolved = new Map<string, Resolved | undefined>()
  const lookup = (name: string): number | undefined => {
    const indicator = done.get(name)
    if (indicator !== undefined) return indicator.value.value ?? undefined
    const element = input.scheme.elements.get(name)
    if (element === undefined) return undefined
    if (!resolved.has(name)) resolved.set(name, resolve(element, unit))
    return resolved.get(name)?.value
  }
  const explainReference = (name: string): Explanation => {
    const indicator = done.get(name)
    if (indicator !== undefined) return indicator.explanation
    const cached = elementNodes.get(name)
    if (cached !== undefined) return cached
    const found = resolved.get(name)
    const node: Explanation = {
      label: name,
      value: found === undefined ? null : round(found.value, decimals),
      detail: found === undefined ? "no value" : found.detail,
      children:
        found === undefined || found.sources.length === 1
          ? []
          : found.sources.map((value) => ({
              label: value.period,
              value: value.value,
              detail: "data value",
              children: [],
              source: sourceOf(value)
            })),
      source:
        found !== undefined && found.sources.length === 1 && found.sources[0] !== undefined
          ? sourceOf(found.sources[0])
          : null
    }
    elementNodes.set(name, node)
    return node
  }
  const explainPart = (label: string, formula: Expression.NumberExpression, value: number | null): Explanation => ({
    label,
    value: value === null ? null : round(value, decimals),
    detail: Expression.print(formula),
    children: [...new Set(Expression.references(formula).map((reference) => reference.name))]
      .sort()
      .map(explainReference),
    source: null
  })
  for (const compiled of input.scheme.indicators) {
    const value = Indicator.evaluate(compiled, lookup)
    const { indicator } = compiled
    const why =
      value.value === null ? (value.divisionByZero ? "division by zero" : `missing: ${value.missing.join(", ")}`) : null
    const children =
      compiled.denominator === null
        ? [explainPart("formula", compiled.numerator, value.numerator)]
        : [
            explainPart("numerator", compiled.numerator, value.numerator),
            explainPart("denominator", compiled.denominator, value.denominator)
          ]
    const detail =
      indicator._tag === "Ratio"
        ? `numerator / denominator × ${indicator.factor}`
        : Expression.print(compiled.numerator)
    done.set(indicator.id, {
      value,
      explanation: {
        label: `${indicator.id} (${indicator.name})`,
        value: value.value === null ? null : round(value.value, decimals),
        detail: why === null ? detail : `${detail}: no value (${why})`,
        children,
        source: null
      }
    })
  }
  return done
}

const gradeOf = (scheme: Scheme.Scheme, total: number): string =>
  scheme.grades.find((grade) => total >= grade.atLeast)?.label ?? scheme.gradeBelow

/** Competition ranks of totals, highest first: equal totals share the better rank. */
const competitionRanks = (totals: ReadonlyArray<number>, offset: number): ReadonlyArray<number> =>
  totals.map((total) => offset + 1 + totals.filter((other) => other > total).length)

/**
 * Scores the units. Fails with `Invalid` (listing every problem) when the period is not one the
 * scheme scores or not in the version's force, a unit is listed twice, a value breaks its
 * element's type or range, or one element has two different values for a unit and period.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate = (input: Input): Either.Either<Result, Errors.Invalid> => {
  const { scheme } = input.scheme
  const { issues, resolve, periodId } = prepare(input)
  if (Arr.isNonEmptyReadonlyArray(issues)) return Either.left(new Errors.Invalid({ issues }))
  const units = [...input.units].sort()
  const indicatorsByUnit = new Map(units.map((unit) => [unit, indicatorsFor(input, resolve, unit)] as const))
  const groupValues = new Map(
    scheme.items.map((item) => [
      item.indicator,
      units.flatMap((unit) => {
        const value = indicatorsByUnit.get(unit)?.get(item.indicator)?.value.value
        return value === null || value === undefined ? [] : [value]
      })
    ])
  )
  const d = scheme.decimals

  const drafts = units.map((unit) => {
    const evaluated = indicatorsByUnit.get(unit) ?? new Map<string, Evaluated>()
    const scored = scheme.items.map((item) => {
      const indicator = evaluated.get(item.indicator)
      const value = indicator?.value.value ?? null
      return {
        item,
        indicator,
        value,
        scored: value === null ? null : Scoring.score(item.rule, value, groupValues.get(item.indicator) ?? [])
      }
    })
    const missing = scored.filter((entry) => entry.value === null).map((entry) => entry.item.indicator)
    const present = scored.reduce(
      (total, entry) => total + (entry.value === null ? 0 : Scoring.weightOf(entry.item.rule)),
      0
    )
    const scale = scheme.missingData === "exclude" && present > 0 ? scheme.totalWeight / present : 1
    const items = scored.map(({ item, indicator, value, scored }): ItemResult => {
      const weight = Scoring.weightOf(item.rule)
      const effectiveWeight = round(value === null && scheme.missingData === "exclude" ? 0 : weight * scale, d)
      const contribution =
        scored === null ? 0 : round(scored.fraction === null ? scored.points : scored.fraction * weight * scale, d)
      return {
        indicator: item.indicator,
        rule: item.rule._tag,
        value: value === null ? null : round(value, d),
        numerator: indicator?.value.numerator == null ? null : round(indicator.value.numerator, d),
        denominator: indicator?.value.denominator == null ? null : round(indicator.value.denominator, d),
        score:
          scored === null
            ? null
            : item.rule._tag === "Veto"
              ? null
              : round(scored.fraction ?? scored.points, Math.max(d, 4)),
        weight,
        effectiveWeight,
        contribution: contribution === 0 ? 0 : contribution,
        band: scored?.band ?? null,
        colour: scored?.colour ?? null,
        vetoed: scored?.vetoed ?? false,
        missing: value === null
      }
    })
    const vetoedBy = items.filter((item) => item.vetoed).map((item) => item.indicator)
    const incomplete = scheme.missingData === "fail" && missing.length > 0
    const total = incomplete
      ? null
      : round(
          items.reduce((sum, item) => sum + item.contribution, 0),
          d
        )
    const status: UnitResult["status"] = incomplete ? "incomplete" : vetoedBy.length > 0 ? "vetoed" : "scored"
    const explanation: Explanation = {
      label: "total",
      value: total,
      detail: incomplete
        ? `no result: missing ${missing.join(", ")} (policy: fail)`
        : `sum of contributions${scale !== 1 ? ` (weights scaled by ${round(scale, 6)}: missing data excluded)` : ""}`,
      children: scored.map(({ item, indicator, scored }, i) => ({
        label: item.indicator,
        value: items[i]?.contribution ?? 0,
        detail:
          scored === null
            ? `no value (policy: ${scheme.missingData})`
            : scored.fraction === null
              ? scored.reason
              : `${scored.reason}: ${round(scored.fraction, 6)} × weight ${items[i]?.effectiveWeight ?? 0}`,
        children: indicator === undefined ? [] : [indicator.explanation],
        source: null
      })),
      source: null
    }
    return { unit, status, total, vetoedBy, missing, items, explanation }
  })

  const scoredTotals = drafts.filter((draft) => draft.status === "scored")
  const vetoedTotals = drafts.filter((draft) => draft.status === "vetoed")
  const ranks = new Map<string, number>()
  const rankAll = (list: typeof drafts, offset: number) => {
    const r = competitionRanks(
      list.map((draft) => draft.total ?? 0),
      offset
    )
    list.forEach((draft, i) => {
      ranks.set(draft.unit, r[i] ?? 0)
    })
  }
  rankAll(scoredTotals, 0)
  rankAll(vetoedTotals, scoredTotals.length)
  const previous = new Map((input.previous ?? []).map((entry) => [entry.unit, entry] as const))

  const results = drafts.map((draft): UnitResult => {
    const rank = ranks.get(draft.unit) ?? null
    const before = previous.get(draft.unit)
    const change =
      before === undefined || before.total === null || draft.total === null
        ? null
        : {
            total: round(draft.total - before.total, d),
            rank: before.rank === null || rank === null ? null : before.rank - rank
          }
    return {
      unit: draft.unit,
      status: draft.status,
      total: draft.total,
      rank,
      grade: draft.total === null ? null : draft.status === "vetoed" ? scheme.gradeBelow : gradeOf(scheme, draft.total),
      vetoedBy: draft.vetoedBy,
      missing: draft.missing,
      items: draft.items,
      change,
      explanation: draft.explanation
    }
  })
  const ordered = results.sort((a, b) =>
    a.rank !== b.rank
      ? (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY)
      : a.unit < b.unit
        ? -1
        : 1
  )
  const body = {
    scheme: { id: scheme.id, version: scheme.version, group: scheme.group, digest: input.scheme.digest },
    period: periodId,
    units: ordered
  }
  return Either.right({ ...body, hash: Json.digest(toJson(body)) })
}

/**
 * A result's canonical JSON text: byte-identical for equal results.
 *
 * @since 0.1.0
 * @category encoding
 */
export const canonical = (result: Result): string => Json.canonical(toJson(result))
