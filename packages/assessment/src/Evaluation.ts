/**
 * Evaluation: a validated scheme, a period, the units of its group and their data values in; per
 * unit its total, each item's value, score, weight and contribution, its rank and grade, the change
 * against the previous period, the data values it was scored from, and an explanation tree down to
 * those values and their provenance out. Pure and synchronous: no store, no clock, no Effect runtime.
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
 * scheme's item order), so the same inputs in any order give byte-identical results. `hash` is the
 * SHA-256 of the result's canonical binary form ({@link digest}): every field of the result except
 * the explanations, which are a function of what it does cover — the scheme (named by its digest),
 * each unit's figures, and the data values each unit was scored from with their provenance
 * (`inputs`) — so two results with equal hashes explain themselves identically.
 *
 * **Built on first read.** A unit's `items`, `inputs` and `explanation` are built when first read
 * and then kept: scoring keeps every item's figures (value, numerator, denominator, score, weights,
 * contribution, band, flags) in compact columns and hashes them from there, and the explanation is
 * built from the unit's inputs. Scoring thousands of units does not pay for objects nobody reads,
 * and every unit still has all of them. Serialising a result (`JSON.stringify`, {@link canonical},
 * a store) builds them all.
 *
 * **Speed.** Formulas are compiled once per scheme into closures and rules prepared once
 * (`Expression.compile`, `Scoring.prepare`), and an indicator that is one element's value is read
 * straight from the packed values; values are indexed once per call, a list of units sorted and
 * indexed once per list; ranks come from a sort. A run keeps only what it cannot derive: columns
 * that are the same for every run of a scheme are shared, numerators equal to the values are the
 * values, and scores and contributions that the bands give are rebuilt from the bands when read or
 * hashed (each checked byte for byte before it is dropped). Result objects have their keys in
 * canonical (sorted) order, so `JSON.stringify(result)` is the canonical JSON text.
 *
 * @since 0.1.0
 */
import { type DataValue, Errors, Json, Period } from "@sortgrid/core"
import { Array as Arr, Either } from "effect"
import * as DataElement from "./DataElement.js"
import * as Expression from "./Expression.js"
import * as Indicator from "./Indicator.js"
import { scratchFloat64, scratchUint8, scratchUint32, Writer } from "./internal/digest.js"
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
 * A data value a unit was scored from (its node is the unit): the element, the period it is
 * for, the value as given, and its provenance.
 *
 * @since 0.1.0
 * @category models
 */
export type InputValue = {
  readonly element: string
  readonly period: string
  readonly value: number
  readonly kind: DataValue.ProvenanceKind
  readonly source: string
  readonly records: Source["records"]
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
 * difference and the places moved up (negative: down). `inputs` are the data values of the
 * elements the scheme's formulas refer to (by element id, then period), as the explanation shows
 * them; `explanation` is built on first read.
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
  readonly inputs: ReadonlyArray<InputValue>
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
  /** {@link digest} of the result without this field. */
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

// --- the plan: a scheme compiled once ---------------------------------------------------------------

interface PlannedIndicator {
  readonly compiled: Indicator.Compiled
  readonly numerator: Expression.Compiled
  readonly denominator: Expression.Compiled | null
  readonly factor: number
}

interface PlannedItem {
  readonly item: Scheme.Item
  /** Position of the scored indicator in `Plan.indicators`. */
  readonly indicator: number
  readonly weight: number
  /** `null` for `Rank`, which needs the group. */
  readonly prepared: Scoring.Prepared | null
  readonly kind: "weighted" | "points" | "veto"
  /** For `Bands`, by band index + 1 (0: `otherwise`): label, colour, fraction. */
  readonly bands: ReadonlyArray<{ readonly label: string; readonly colour: string | null; readonly fraction: number }>
  /** For `Bands` with unscaled weights, by band index + 1: the reported score and contribution. */
  readonly bandScores: ReadonlyArray<number>
  readonly bandContributions: ReadonlyArray<number>
  readonly roundedWeight: number
}

interface Plan {
  /** Elements in slot order (slots 0 … E−1), then indicators (slots E …). */
  readonly elements: ReadonlyArray<DataElement.ElementSpec>
  readonly elementSlot: ReadonlyMap<string, number>
  readonly accepts: ReadonlyArray<(value: number) => boolean>
  readonly indicators: ReadonlyArray<PlannedIndicator>
  readonly slotOf: (name: string) => number
  /** Slots of the elements some formula refers to, by element id: what `inputs` lists. */
  readonly referenced: ReadonlyArray<number>
  /**
   * When every indicator is one element's value (a formula that is only a reference to an element,
   * no denominator): that element's slot, by indicator. Such indicators are read straight from
   * the values, no formula run.
   */
  readonly direct: Int32Array | null
  readonly items: ReadonlyArray<PlannedItem>
}

/** Mirrors `DataElement.checkValue` as a predicate, so the common case allocates nothing. */
const acceptor = (spec: DataElement.ElementSpec): ((value: number) => boolean) => {
  const min = spec.range?.min ?? null
  const max = spec.range?.max ?? null
  const type = spec.valueType
  return (value) =>
    Number.isFinite(value) &&
    (type !== "count" || (Number.isInteger(value) && value >= 0)) &&
    (type !== "ratio" || (value >= 0 && value <= 1)) &&
    (type !== "boolean" || value === 0 || value === 1) &&
    (min === null || value >= min) &&
    (max === null || value <= max)
}

const planItem = (item: Scheme.Item, indicator: number, decimals: number): PlannedItem => {
  const rule = item.rule
  const weight = Scoring.weightOf(rule)
  const bands =
    rule._tag === "Bands"
      ? [rule.otherwise, ...rule.bands].map((band) => ({
          label: band.label,
          colour: band.colour,
          fraction: band.fraction
        }))
      : []
  return {
    item,
    indicator,
    weight,
    prepared: rule._tag === "Rank" ? null : Scoring.prepare(rule),
    kind: Scoring.isWeighted(rule) ? "weighted" : rule._tag === "Veto" ? "veto" : "points",
    bands,
    bandScores: bands.map((band) => nan(round(band.fraction, Math.max(decimals, 4)))),
    bandContributions: bands.map((band) => nan(round(band.fraction * weight * 1, decimals))),
    roundedWeight: nan(round(weight, decimals))
  }
}

const plans = new WeakMap<Scheme.Validated, Plan>()

/** The scheme compiled for scoring, once per validated scheme. */
const planOf = (validated: Scheme.Validated): Plan => {
  const cached = plans.get(validated)
  if (cached !== undefined) return cached
  const elements = [...validated.elements.values()]
  const slots = new Map<string, number>(elements.map((element, slot) => [element.id, slot]))
  const elementSlot = new Map(slots)
  validated.indicators.forEach((compiled, k) => {
    slots.set(compiled.indicator.id, elements.length + k)
  })
  // Validation rejects unknown references; a slot past the end reads as "no value" regardless.
  const slotOf = (name: string) => slots.get(name) ?? elements.length + validated.indicators.length
  const indicators = validated.indicators.map(
    (compiled): PlannedIndicator => ({
      compiled,
      numerator: Expression.compile(compiled.numerator, slotOf),
      denominator: compiled.denominator === null ? null : Expression.compile(compiled.denominator, slotOf),
      factor: compiled.indicator._tag === "Ratio" ? compiled.indicator.factor : 1
    })
  )
  const position = new Map(validated.indicators.map((compiled, k) => [compiled.indicator.id, k] as const))
  const referencedNames = new Set(validated.indicators.flatMap((compiled) => Indicator.referencesOf(compiled)))
  const directSlots = validated.indicators.map((compiled) =>
    compiled.denominator === null && compiled.numerator._tag === "Reference"
      ? ((slot) => (slot < elements.length ? slot : -1))(slotOf(compiled.numerator.name))
      : -1
  )
  const plan: Plan = {
    elements,
    elementSlot,
    accepts: elements.map(acceptor),
    indicators,
    slotOf,
    referenced: elements
      .filter((element) => referencedNames.has(element.id))
      .map((element) => element.id)
      .sort()
      .flatMap((id) => {
        const slot = elementSlot.get(id)
        return slot === undefined ? [] : [slot]
      }),
    direct: directSlots.every((slot) => slot >= 0) ? Int32Array.from(directSlots) : null,
    items: validated.scheme.items.map((item) =>
      planItem(item, position.get(item.indicator) ?? -1, validated.scheme.decimals)
    )
  }
  plans.set(validated, plan)
  return plan
}

// --- values -------------------------------------------------------------------------------------------

/** A data value as explanations and inputs show it (a `DataValue` is one). */
interface Used {
  readonly element: string
  readonly node: string
  readonly period: string
  readonly value: number
  readonly provenance: DataValue.Provenance
}

interface Resolved {
  readonly value: number
  readonly sources: ReadonlyArray<Used>
  readonly detail: string
}

/** A unit's value of an element from sub-period values (months of a quarter), as documented above. */
const fromSubPeriods = (element: DataElement.ElementSpec, list: ReadonlyArray<DataValue.DataValue>) => {
  const typed = list.flatMap((value) =>
    Either.match(Period.parse(value.period), { onLeft: () => [], onRight: (period) => [{ period, value }] })
  )
  const longest = [...Period.periodTypes].reverse().find((type) => typed.some((entry) => entry.period._tag === type))
  const chosen = typed.filter((entry) => entry.period._tag === longest).sort((a, b) => Period.order(a.period, b.period))
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

/**
 * The input indexed by (unit, element) slot — `u × E + e` — after the checks: the period's own
 * value, and the sub-period values when there are any.
 */
interface Indexed {
  readonly issues: ReadonlyArray<Errors.Issue>
  /** The period's own values, packed, so scoring and hashing read no objects (NaN: none). */
  readonly exactValues: Float64Array
  /**
   * The provenance of each of the period's own values, as `1 +` its position in `provenanceList`
   * (0: none): consecutive values sharing a provenance object share its entry.
   */
  readonly provenanceIds: Int32Array
  readonly provenanceList: ReadonlyArray<DataValue.Provenance>
  readonly others: ReadonlyMap<number, ReadonlyArray<DataValue.DataValue>>
}

const index = (input: Input, plan: Plan, periodId: string, units: ReadonlyMap<string, number>): Indexed => {
  const issues: Array<Errors.Issue> = []
  const width = plan.elements.length
  const elements = plan.elements
  const exactValues = new Float64Array(units.size * width).fill(Number.NaN)
  const provenanceIds = new Int32Array(units.size * width)
  const provenanceList: Array<DataValue.Provenance> = []
  const others = new Map<number, Array<DataValue.DataValue>>()
  const inPeriod = new Map<string, boolean>()
  const values = input.values
  // Values mostly come unit by unit, element after element, with one provenance for many: the
  // last node, the element after the last one and the last provenance are tried before a look-up.
  let lastNode: string | undefined
  let lastUnit: number | undefined
  let lastElement = -1
  let lastProvenance: DataValue.Provenance | undefined
  let lastProvenanceId = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (value === undefined) continue
    const next = lastElement + 1 < width ? lastElement + 1 : 0
    const e = elements[next]?.id === value.element ? next : plan.elementSlot.get(value.element)
    if (e === undefined) continue
    lastElement = e
    let u = lastUnit
    if (value.node !== lastNode) {
      u = units.get(value.node)
      lastNode = value.node
      lastUnit = u
    }
    if (u === undefined) continue
    const own = value.period === periodId
    if (!own) {
      let contained = inPeriod.get(value.period)
      if (contained === undefined) {
        const period = Either.getOrUndefined(Period.parse(value.period))
        contained = period !== undefined && Period.contains(input.period, period)
        inPeriod.set(value.period, contained)
      }
      if (!contained) continue
    }
    if (!(plan.accepts[e]?.(value.value) ?? false)) {
      const element = elements[e]
      const checked =
        element === undefined ? undefined : DataElement.checkValue(element, value.value, ["values", i, "value"])
      if (checked !== undefined && Either.isLeft(checked)) issues.push(...checked.left.issues)
    }
    const slot = u * width + e
    const list = own ? undefined : others.get(slot)
    const sameValue = own
      ? orNull(exactValues[slot])
      : (list?.find((other) => other.period === value.period)?.value ?? null)
    if (sameValue !== null && sameValue !== value.value) {
      issues.push(
        new Errors.Issue({
          path: ["values", i],
          reason: `two different values of ${value.element} for ${value.node} in ${value.period}`
        })
      )
    } else if (sameValue === null) {
      if (own) {
        exactValues[slot] = value.value
        if (value.provenance !== lastProvenance) {
          lastProvenance = value.provenance
          lastProvenanceId = provenanceList.push(value.provenance)
        }
        provenanceIds[slot] = lastProvenanceId
      } else if (list === undefined) others.set(slot, [value])
      else list.push(value)
    }
  }
  return { issues, exactValues, provenanceIds, provenanceList, others }
}

/** Checks the period against the scheme, and the units for repeats. */
const checkRun = (input: Input, units: ReadonlyMap<string, number>): ReadonlyArray<Errors.Issue> => {
  const { scheme } = input.scheme
  const issues: Array<Errors.Issue> = []
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
  if (units.size !== input.units.length) {
    issues.push(new Errors.Issue({ path: ["units"], reason: "a unit is listed twice" }))
  }
  return issues
}

const recordsOf = (value: Used): Source["records"] => {
  const records = value.provenance.records
  return records === null ? null : { entity: records.entity, ids: records.ids, total: records.total }
}

const inputOf = (value: Used): InputValue => ({
  element: value.element,
  kind: value.provenance.kind,
  period: value.period,
  records: recordsOf(value),
  source: value.provenance.source,
  value: value.value
})

const sourceOf = (value: Used): Source => ({
  element: value.element,
  kind: value.provenance.kind,
  node: value.node,
  period: value.period,
  records: recordsOf(value),
  source: value.provenance.source
})

// Formulas print and list their references the same way for every unit: once per formula.
const printedFormulas = new WeakMap<Expression.NumberExpression, string>()
const formulaReferences = new WeakMap<Expression.NumberExpression, ReadonlyArray<string>>()

const printed = (formula: Expression.NumberExpression): string => {
  let text = printedFormulas.get(formula)
  if (text === undefined) {
    text = Expression.print(formula)
    printedFormulas.set(formula, text)
  }
  return text
}

const referencedNames = (formula: Expression.NumberExpression): ReadonlyArray<string> => {
  let names = formulaReferences.get(formula)
  if (names === undefined) {
    names = [...new Set(Expression.references(formula).map((reference) => reference.name))].sort()
    formulaReferences.set(formula, names)
  }
  return names
}

// --- explanations, on demand ------------------------------------------------------------------------

/**
 * Every item's reported figures, by `u × J + j` (J items per unit): numbers (NaN: `null`), the
 * band reached (its index in the item's band table, −1: none) and flags (1 vetoed, 2 missing).
 * The compact form items are built from when read, and digested from.
 */
interface ItemColumns {
  readonly values: Float64Array
  /** Often `values` itself (an item's numerator is its value unless a formula divides). */
  readonly numerators: Float64Array
  readonly denominators: Float64Array
  /** `null`: every score and contribution is the band's (see {@link fromBands}), not kept. */
  readonly scores: Float64Array | null
  readonly effectiveWeights: Float64Array
  readonly contributions: Float64Array | null
  readonly bands: Int16Array
  readonly flags: Uint8Array
}

/**
 * Scores and contributions as the bands reached give them (no band: `null` and 0), into `scores`
 * and `contributions`: what a scheme of bands without the `exclude` policy reports.
 */
const fromBands = (plan: Plan, bands: Int16Array, scores: Float64Array, contributions: Float64Array): void => {
  const width = plan.items.length
  for (let cell = 0, j = 0; cell < bands.length; cell++) {
    const b = bands[cell] ?? -1
    const planned = plan.items[j]
    scores[cell] = b < 0 || planned === undefined ? Number.NaN : (planned.bandScores[b] ?? Number.NaN)
    contributions[cell] = b < 0 || planned === undefined ? 0 : (planned.bandContributions[b] ?? 0)
    j = j + 1 === width ? 0 : j + 1
  }
}

/** Whether two columns hold the same bytes (so they digest alike). */
const sameBytes = (a: Float64Array, b: Float64Array): boolean => {
  if (a.length !== b.length) return false
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length * 2)
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length * 2)
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

/**
 * Fresh columns for `size` cells, but for the columns that are the same for every run of a plan
 * (`shared`: read-only, never written).
 */
const itemColumns = (
  size: number,
  shared: { readonly denominators: Float64Array | null; readonly effectiveWeights: Float64Array | null }
) => ({
  values: new Float64Array(size),
  // Written to scratch, kept below only when not derivable.
  numerators: scratchColumn(3, size),
  denominators: shared.denominators ?? new Float64Array(size),
  scores: scratchColumn(4, size),
  effectiveWeights: shared.effectiveWeights ?? new Float64Array(size),
  contributions: scratchColumn(5, size),
  bands: new Int16Array(size),
  flags: new Uint8Array(size)
})

/**
 * The columns a run keeps: numerators shared with the values when equal, scores and
 * contributions dropped when the bands give them (both checked byte for byte).
 */
const kept = (plan: Plan, written: ReturnType<typeof itemColumns>): ItemColumns => {
  const size = written.values.length
  const numerators = sameBytes(written.numerators, written.values) ? written.values : written.numerators.slice()
  const scores = scratchColumn(6, size)
  const contributions = scratchColumn(7, size)
  fromBands(plan, written.bands, scores, contributions)
  const derived = sameBytes(scores, written.scores) && sameBytes(contributions, written.contributions)
  return {
    ...written,
    numerators,
    scores: derived ? null : written.scores.slice(),
    contributions: derived ? null : written.contributions.slice()
  }
}

/** A figure as the engine stores it: any NaN as `Number.NaN`, so its columns digest without a NaN pass. */
const nan = (value: number): number => (Number.isNaN(value) ? Number.NaN : value)

const orNull = (value: number | undefined): number | null => (value === undefined || Number.isNaN(value) ? null : value)

/** A plan's item columns that repeat one row per unit: indicator ids, rule ids, weights. */
interface Repeated {
  readonly units: number
  readonly indicators: Uint32Array
  readonly rules: Uint32Array
  readonly weights: Float64Array
  /** Each item's weight rounded to the scheme's decimals: the effective weights without `exclude`. */
  readonly roundedWeights: Float64Array
}

const repeats = new WeakMap<Plan, Repeated>()

let nans = new Float64Array(0)

/** `length` NaNs (read-only: shared by every run whose column is all `null`). */
const nanColumn = (length: number): Float64Array => {
  if (nans.length < length) nans = new Float64Array(Math.max(length, 2 * nans.length)).fill(Number.NaN)
  return nans.subarray(0, length)
}

/**
 * The repeated columns for at least `units` units (read-only: never written once built). The ids
 * are those the canonical dictionaries give the items' indicators and rules in item order.
 */
const repeatedColumns = (plan: Plan, units: number): Repeated => {
  const cached = repeats.get(plan)
  if (cached !== undefined && cached.units >= units) return cached
  const size = Math.max(units, 2 * (cached?.units ?? 0))
  const indicatorIds = new Dictionary()
  const ruleIds = new Dictionary()
  const row = plan.items.map((planned) => ({
    indicator: indicatorIds.id(planned.item.indicator),
    rule: ruleIds.id(planned.item.rule._tag),
    weight: planned.weight,
    roundedWeight: planned.roundedWeight
  }))
  const width = row.length
  const repeated: Repeated = {
    units: size,
    indicators: new Uint32Array(size * width),
    rules: new Uint32Array(size * width),
    weights: new Float64Array(size * width),
    roundedWeights: new Float64Array(size * width)
  }
  for (let u = 0, cell = 0; u < size; u++) {
    for (const item of row) {
      repeated.indicators[cell] = item.indicator
      repeated.rules[cell] = item.rule
      repeated.weights[cell] = item.weight
      repeated.roundedWeights[cell] = item.roundedWeight
      cell++
    }
  }
  repeats.set(plan, repeated)
  return repeated
}

/**
 * What a group's run keeps: the compact figures every unit's items are built from when read, and
 * what its explanation is built from — the unit's inputs, indexed.
 */
class Context {
  private groupValues: Map<string, ReadonlyArray<number>> | undefined
  private readonly periodId: string

  constructor(
    readonly input: Input,
    readonly plan: Plan,
    readonly units: ReadonlyArray<string>,
    readonly indexed: Indexed,
    /** A unit's value of an element from sub-period values, by slot (when there are any). */
    readonly fromOthers: ReadonlyMap<number, Resolved | undefined>,
    /** Indicator values by `u × I + k` (NaN: none), for `Rank`'s reasons. */
    readonly indicatorValues: Float64Array,
    /** The weight scale of each unit (the `exclude` policy). */
    readonly scales: Float64Array,
    readonly columns: ItemColumns
  ) {
    this.periodId = Period.format(input.period)
  }

  itemsOf(u: number): ReadonlyArray<ItemResult> {
    const { plan, columns } = this
    const width = plan.items.length
    return plan.items.map((planned, j): ItemResult => {
      const at = u * width + j
      const band = planned.bands[columns.bands[at] ?? -1]
      const flags = columns.flags[at] ?? 0
      return {
        band: band?.label ?? null,
        colour: band?.colour ?? null,
        contribution:
          columns.contributions === null
            ? band === undefined
              ? 0
              : (planned.bandContributions[columns.bands[at] ?? 0] ?? 0)
            : (columns.contributions[at] ?? 0),
        denominator: orNull(columns.denominators[at]),
        effectiveWeight: columns.effectiveWeights[at] ?? 0,
        indicator: planned.item.indicator,
        missing: (flags & 2) !== 0,
        numerator: orNull(columns.numerators[at]),
        rule: planned.item.rule._tag,
        score:
          columns.scores === null
            ? band === undefined
              ? null
              : orNull(planned.bandScores[columns.bands[at] ?? 0])
            : orNull(columns.scores[at]),
        value: orNull(columns.values[at]),
        vetoed: (flags & 1) !== 0,
        weight: planned.weight
      }
    })
  }

  /** The data values a unit was scored from: each referenced element's, by element id. */
  private sourcesOf(u: number, each: (value: Used, e: number) => void): void {
    const width = this.plan.elements.length
    for (const e of this.plan.referenced) {
      const slot = u * width + e
      const exact = this.exactAt(u, e)
      if (exact !== undefined) each(exact, e)
      else if (this.fromOthers.size > 0) for (const value of this.fromOthers.get(slot)?.sources ?? []) each(value, e)
    }
  }

  inputsOf(u: number): ReadonlyArray<InputValue> {
    const inputs: Array<InputValue> = []
    this.sourcesOf(u, (value) => inputs.push(inputOf(value)))
    return inputs
  }

  /** How many data values a unit was scored from. */
  inputCount(u: number): number {
    return this.inputCounts()[u] ?? 0
  }

  private counts: Uint32Array | undefined

  /** How many data values each unit was scored from, counted once. */
  private inputCounts(): Uint32Array {
    if (this.counts !== undefined) return this.counts
    const width = this.plan.elements.length
    const { exactValues } = this.indexed
    const referenced = this.plan.referenced
    const counts = new Uint32Array(this.units.length)
    for (let u = 0; u < counts.length; u++) {
      let count = 0
      for (let r = 0; r < referenced.length; r++) {
        const slot = u * width + (referenced[r] ?? 0)
        if (!Number.isNaN(exactValues[slot] ?? Number.NaN)) count++
        else if (this.fromOthers.size > 0) count += this.fromOthers.get(slot)?.sources.length ?? 0
      }
      counts[u] = count
    }
    this.counts = counts
    return counts
  }

  /**
   * The canonical form of this run's result, whose units are, in the result's order, the run's
   * units `order`: what `formOf` builds from the result's objects, built from the compact figures
   * (the item figures hashed as they are, no objects made). Units here are in unit-id order, so
   * the run's unit index is the position `formOf` sorts to.
   */
  form(order: ReadonlyArray<number>): CanonicalForm {
    const { plan, columns } = this
    const width = plan.items.length
    const unitCount = this.units.length
    const cells = unitCount * width
    const dictionaries = canonicalDictionaries()
    const [indicators, rules, bands, colours, elements, periods, kinds, sources] = dictionaries
    // Every unit lists the items in the same order: the indicator, rule and weight columns repeat
    // one row (whose ids are the items' first appearances in that row).
    for (const planned of plan.items) {
      indicators.id(planned.item.indicator)
      rules.id(planned.item.rule._tag)
    }
    const repeated = repeatedColumns(plan, unitCount)
    // Band and colour ids by (item, band), at the band's first appearance.
    const bandsPerItem = plan.items.reduce((most, planned) => Math.max(most, planned.bands.length), 0)
    // Ids in typed arrays (a colour's may be `absent`, past the small integers): the loop moves
    // 32-bit words and allocates nothing.
    const seen = new Uint8Array(width * bandsPerItem)
    const knownBands = new Uint32Array(width * bandsPerItem)
    const knownColours = new Uint32Array(width * bandsPerItem)
    const bandColumn = scratchUint32(2, cells)
    const colourColumn = scratchUint32(3, cells)
    const reached = columns.bands
    for (let cell = 0, j = 0; cell < cells; cell++) {
      const b = reached[cell] ?? -1
      const key = j * bandsPerItem + b
      if (b < 0) {
        bandColumn[cell] = absent
        colourColumn[cell] = absent
      } else if (seen[key] === 1) {
        bandColumn[cell] = knownBands[key] ?? absent
        colourColumn[cell] = knownColours[key] ?? absent
      } else {
        const band = plan.items[j]?.bands[b]
        knownBands[key] = band === undefined ? absent : bands.id(band.label)
        knownColours[key] = band === undefined ? absent : colours.id(band.colour)
        seen[key] = 1
        bandColumn[cell] = knownBands[key] ?? absent
        colourColumn[cell] = knownColours[key] ?? absent
      }
      j = j + 1 === width ? 0 : j + 1
    }
    // An element's values all carry the element's id, and the period's own values its id: one
    // dictionary look-up each, at their first appearance.
    const counts = this.inputCounts()
    let total = 0
    for (let u = 0; u < unitCount; u++) total += counts[u] ?? 0
    const inputs = new CanonicalInputs(total, true)
    const elementIds = plan.elements.map(() => -1)
    const { exactValues, provenanceIds, provenanceList } = this.indexed
    const elementCount = plan.elements.length
    let ownPeriod = -1
    let lastProvenance: DataValue.Provenance | undefined
    let lastKind = absent
    let lastSource = absent
    const add = (e: number, period: number, value: number, provenance: DataValue.Provenance, element: string) => {
      let elementId = elementIds[e] ?? -1
      if (elementId < 0) {
        elementId = elements.id(element)
        elementIds[e] = elementId
      }
      if (provenance !== lastProvenance) {
        lastProvenance = provenance
        lastKind = kinds.id(provenance.kind)
        lastSource = sources.id(provenance.source)
      }
      inputs.add(elementId, period, lastKind, lastSource, value, provenance.records)
    }
    const referenced = plan.referenced
    for (let u = 0; u < unitCount; u++) {
      for (let r = 0; r < referenced.length; r++) {
        const e = referenced[r] ?? 0
        const slot = u * elementCount + e
        const value = exactValues[slot] ?? Number.NaN
        const provenance = provenanceList[(provenanceIds[slot] ?? 0) - 1]
        if (!Number.isNaN(value) && provenance !== undefined) {
          // The common case, inline: the period's own value.
          if (ownPeriod < 0) ownPeriod = periods.id(this.periodId)
          let elementId = elementIds[e] ?? -1
          if (elementId < 0) {
            elementId = elements.id(plan.elements[e]?.id ?? "")
            elementIds[e] = elementId
          }
          if (provenance !== lastProvenance) {
            lastProvenance = provenance
            lastKind = kinds.id(provenance.kind)
            lastSource = sources.id(provenance.source)
          }
          // Written in place rather than through `add`, whose number argument would be boxed.
          const row = inputs.next(provenance.records)
          inputs.strings[row * 4] = elementId
          inputs.strings[row * 4 + 1] = ownPeriod
          inputs.strings[row * 4 + 2] = lastKind
          inputs.strings[row * 4 + 3] = lastSource
          inputs.values[row] = value
        } else if (this.fromOthers.size > 0) {
          for (const other of this.fromOthers.get(slot)?.sources ?? []) {
            add(e, periods.id(other.period), other.value, other.provenance, other.element)
          }
        }
      }
    }
    const positions = scratchUint32(4, order.length)
    order.forEach((u, k) => {
      positions[k] = u
    })
    let scores = columns.scores
    let contributions = columns.contributions
    if (scores === null || contributions === null) {
      scores = scratchColumn(6, cells)
      contributions = scratchColumn(7, cells)
      fromBands(plan, columns.bands, scores, contributions)
    }
    return {
      dictionaries,
      order: positions,
      itemNumbers: [
        columns.values,
        columns.numerators,
        columns.denominators,
        scores,
        repeated.weights.subarray(0, cells),
        columns.effectiveWeights,
        contributions
      ],
      itemStrings: [
        repeated.indicators.subarray(0, cells),
        repeated.rules.subarray(0, cells),
        bandColumn,
        colourColumn
      ],
      itemFlags: columns.flags,
      inputs,
      // The engine writes `null` only as `Number.NaN`, so its columns need no NaN pass.
      canonicalNaN: true
    }
  }

  /** The period's own value of an element for a unit, as the data value it was given as. */
  private exactAt(u: number, e: number): Used | undefined {
    const slot = u * this.plan.elements.length + e
    const value = this.indexed.exactValues[slot] ?? Number.NaN
    const provenance = this.indexed.provenanceList[(this.indexed.provenanceIds[slot] ?? 0) - 1]
    const element = this.plan.elements[e]
    return Number.isNaN(value) || provenance === undefined || element === undefined
      ? undefined
      : { element: element.id, node: this.units[u] ?? "", period: this.periodId, value, provenance }
  }

  resolve(u: number, e: number): Resolved | undefined {
    const slot = u * this.plan.elements.length + e
    const exact = this.exactAt(u, e)
    if (exact !== undefined) return { value: exact.value, sources: [exact], detail: "the period's value" }
    const list = this.indexed.others.get(slot)
    const element = this.plan.elements[e]
    return list === undefined || element === undefined ? undefined : fromSubPeriods(element, list)
  }

  /** The values of an indicator across the group (units that have one): what `Rank` ranks among. */
  valuesOf(indicator: string): ReadonlyArray<number> {
    this.groupValues ??= new Map()
    const cached = this.groupValues.get(indicator)
    if (cached !== undefined) return cached
    const k = this.plan.indicators.findIndex((entry) => entry.compiled.indicator.id === indicator)
    const width = this.plan.indicators.length
    const values: Array<number> = []
    for (let u = 0; u < this.units.length; u++) {
      const value = this.indicatorValues[u * width + k]
      if (value !== undefined && !Number.isNaN(value)) values.push(value)
    }
    this.groupValues.set(indicator, values)
    return values
  }

  explain(u: number, unit: UnitResult): Explanation {
    const { scheme } = this.input.scheme
    const decimals = scheme.decimals
    const evaluated = new Map<string, { readonly value: Indicator.Value; readonly explanation: Explanation }>()
    const elementNodes = new Map<string, Explanation>()
    const resolved = new Map<string, Resolved | undefined>()
    const resolvedOf = (name: string): Resolved | undefined => {
      if (!resolved.has(name)) {
        const e = this.plan.elementSlot.get(name)
        resolved.set(name, e === undefined ? undefined : this.resolve(u, e))
      }
      return resolved.get(name)
    }
    const lookup = (name: string): number | undefined => {
      const indicator = evaluated.get(name)
      if (indicator !== undefined) return indicator.value.value ?? undefined
      return resolvedOf(name)?.value
    }
    const explainReference = (name: string): Explanation => {
      const indicator = evaluated.get(name)
      if (indicator !== undefined) return indicator.explanation
      const cached = elementNodes.get(name)
      if (cached !== undefined) return cached
      const found = resolvedOf(name)
      const single = found !== undefined && found.sources.length === 1 ? found.sources[0] : undefined
      const node: Explanation = {
        children:
          found === undefined || single !== undefined
            ? []
            : found.sources.map((value) => ({
                children: [],
                detail: "data value",
                label: value.period,
                source: sourceOf(value),
                value: value.value
              })),
        detail: found === undefined ? "no value" : found.detail,
        label: name,
        source: single === undefined ? null : sourceOf(single),
        value: found === undefined ? null : round(found.value, decimals)
      }
      elementNodes.set(name, node)
      return node
    }
    const explainPart = (label: string, formula: Expression.NumberExpression, value: number | null): Explanation => ({
      children: referencedNames(formula).map(explainReference),
      detail: printed(formula),
      label,
      source: null,
      value: value === null ? null : round(value, decimals)
    })
    for (const { compiled } of this.plan.indicators) {
      const value = Indicator.evaluate(compiled, lookup)
      const { indicator } = compiled
      const why =
        value.value === null
          ? value.divisionByZero
            ? "division by zero"
            : `missing: ${value.missing.join(", ")}`
          : null
      const detail =
        indicator._tag === "Ratio" ? `numerator / denominator × ${indicator.factor}` : printed(compiled.numerator)
      evaluated.set(indicator.id, {
        value,
        explanation: {
          children:
            compiled.denominator === null
              ? [explainPart("formula", compiled.numerator, value.numerator)]
              : [
                  explainPart("numerator", compiled.numerator, value.numerator),
                  explainPart("denominator", compiled.denominator, value.denominator)
                ],
          detail: why === null ? detail : `${detail}: no value (${why})`,
          label: `${indicator.id} (${indicator.name})`,
          source: null,
          value: value.value === null ? null : round(value.value, decimals)
        }
      })
    }
    const scale = this.scales[u] ?? 1
    return {
      children: scheme.items.map((item, i): Explanation => {
        const indicator = evaluated.get(item.indicator)
        const value = indicator?.value.value ?? null
        // Only `Rank` reads the group's values.
        const group = item.rule._tag === "Rank" ? this.valuesOf(item.indicator) : []
        const scored = value === null ? null : Scoring.score(item.rule, value, group)
        const result = unit.items[i]
        return {
          children: indicator === undefined ? [] : [indicator.explanation],
          detail:
            scored === null
              ? `no value (policy: ${scheme.missingData})`
              : scored.fraction === null
                ? scored.reason
                : `${scored.reason}: ${round(scored.fraction, 6)} × weight ${result?.effectiveWeight ?? 0}`,
          label: item.indicator,
          source: null,
          value: result?.contribution ?? 0
        }
      }),
      detail:
        unit.status === "incomplete"
          ? `no result: missing ${unit.missing.join(", ")} (policy: fail)`
          : `sum of contributions${scale !== 1 ? ` (weights scaled by ${round(scale, 6)}: missing data excluded)` : ""}`,
      label: "total",
      source: null,
      value: unit.total
    }
  }
}

/**
 * A unit's result whose items, inputs and explanation are built on first read (and kept), from the
 * run's compact figures. Fields are assigned in sorted key order, the lazy ones as own enumerable
 * accessors in their place, so the object serialises as canonical JSON; shared accessors keep
 * every instance on one shape.
 */
class LazyUnit implements UnitResult {
  declare readonly change: UnitResult["change"]
  declare readonly explanation: Explanation
  declare readonly grade: string | null
  declare readonly inputs: ReadonlyArray<InputValue>
  declare readonly items: ReadonlyArray<ItemResult>
  declare readonly missing: ReadonlyArray<string>
  declare readonly rank: number | null
  declare readonly status: UnitResult["status"]
  declare readonly total: number | null
  declare readonly unit: string
  declare readonly vetoedBy: ReadonlyArray<string>
  #context: Context
  #index: number
  #explanation: Explanation | undefined
  #inputs: ReadonlyArray<InputValue> | undefined
  #items: ReadonlyArray<ItemResult> | undefined

  /** The eager fields come one by one, in sorted key order (no object per unit to carry them). */
  constructor(
    change: UnitResult["change"],
    grade: string | null,
    missing: ReadonlyArray<string>,
    rank: number | null,
    status: UnitResult["status"],
    total: number | null,
    unit: string,
    vetoedBy: ReadonlyArray<string>,
    context: Context,
    index: number
  ) {
    this.#context = context
    this.#index = index
    this.#explanation = undefined
    this.#inputs = undefined
    this.#items = undefined
    this.change = change
    Object.defineProperty(this, "explanation", LazyUnit.explanation)
    this.grade = grade
    Object.defineProperty(this, "inputs", LazyUnit.inputs)
    Object.defineProperty(this, "items", LazyUnit.items)
    this.missing = missing
    this.rank = rank
    this.status = status
    this.total = total
    this.unit = unit
    this.vetoedBy = vetoedBy
  }

  /** The run this unit came from and its index in it: `digest` reads the compact figures. */
  origin(): { readonly context: Context; readonly index: number } {
    return { context: this.#context, index: this.#index }
  }

  static readonly explanation: PropertyDescriptor = {
    enumerable: true,
    configurable: false,
    get(this: LazyUnit): Explanation {
      this.#explanation ??= this.#context.explain(this.#index, this)
      return this.#explanation
    }
  }

  static readonly inputs: PropertyDescriptor = {
    enumerable: true,
    configurable: false,
    get(this: LazyUnit): ReadonlyArray<InputValue> {
      this.#inputs ??= this.#context.inputsOf(this.#index)
      return this.#inputs
    }
  }

  static readonly items: PropertyDescriptor = {
    enumerable: true,
    configurable: false,
    get(this: LazyUnit): ReadonlyArray<ItemResult> {
      this.#items ??= this.#context.itemsOf(this.#index)
      return this.#items
    }
  }
}

// --- evaluation -----------------------------------------------------------------------------------

const none: ReadonlyArray<string> = Object.freeze([])

const gradeOf = (scheme: Scheme.Scheme, total: number): string => {
  for (const grade of scheme.grades) if (total >= grade.atLeast) return grade.label
  return scheme.gradeBelow
}

const statuses = ["scored", "vetoed", "incomplete"] as const

interface Units {
  /** The list as given, copied: what a later call's list is checked against. */
  readonly given: ReadonlyArray<string>
  /** In id order. */
  readonly units: ReadonlyArray<string>
  /** Each unit's position in `units` (its first, when listed twice). */
  readonly unitIndex: ReadonlyMap<string, number>
}

// A group is scored period after period with the same list of units: sorted and indexed once per
// list, and reused while the list still holds the same units (checked entry by entry each call).
const unitLists = new WeakMap<ReadonlyArray<string>, Units>()

const unitsOf = (given: ReadonlyArray<string>): Units => {
  const cached = unitLists.get(given)
  if (cached !== undefined && cached.given.length === given.length) {
    let same = true
    for (let k = 0; k < given.length && same; k++) same = cached.given[k] === given[k]
    if (same) return cached
  }
  const units = sortedUnits(given)
  const unitIndex = new Map<string, number>()
  units.forEach((unit, u) => {
    if (!unitIndex.has(unit)) unitIndex.set(unit, u)
  })
  const entry: Units = { given: [...given], units, unitIndex }
  unitLists.set(given, entry)
  return entry
}

/** The units in id order: a copy, sorted unless it is already. */
const sortedUnits = (units: ReadonlyArray<string>): Array<string> => {
  const copy = [...units]
  for (let k = 1; k < copy.length; k++) {
    if ((copy[k - 1] ?? "") > (copy[k] ?? "")) return copy.sort()
  }
  return copy
}

// Evaluation's own scratch columns, reused from one call to the next (calls are synchronous and
// never nested); contents undefined, callers write every cell before reading it.
const scratchPool: Array<Float64Array> = []

const scratchColumn = (slot: number, length: number): Float64Array => {
  let array = scratchPool[slot]
  if (array === undefined || array.length < length) {
    array = new Float64Array(Math.max(length, 2 * (array?.length ?? 0)))
    scratchPool[slot] = array
  }
  return array.subarray(0, length)
}

/**
 * Competition ranks of the units `members` (unit indexes in id order) by total, highest first,
 * from `offset`; returns them sorted so (stable: ties stay in unit-id order).
 */
const rankBy = (members: Array<number>, totals: Float64Array, offset: number, ranks: Int32Array): Array<number> => {
  // The comparator's sign is that of `totals[b] − totals[a]` (0 for NaN), as a small integer: a
  // double result would be allocated on every comparison.
  members.sort((a, b) => {
    const x = totals[a] ?? 0
    const y = totals[b] ?? 0
    return y > x ? 1 : y < x ? -1 : 0
  })
  for (let k = 0; k < members.length; k++) {
    const u = members[k] ?? 0
    const previous = members[k - 1]
    ranks[u] = previous !== undefined && totals[previous] === totals[u] ? (ranks[previous] ?? 0) : offset + k + 1
  }
  return members
}

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
  const plan = planOf(input.scheme)
  const periodId = Period.format(input.period)
  const { units, unitIndex } = unitsOf(input.units)
  const runIssues = checkRun(input, unitIndex)
  const indexed = index(input, plan, periodId, unitIndex)
  const issues = [...runIssues, ...indexed.issues]
  if (Arr.isNonEmptyReadonlyArray(issues)) return Either.left(new Errors.Invalid({ issues }))

  const d = scheme.decimals
  const scoreDecimals = Math.max(d, 4)
  const elementCount = plan.elements.length
  const indicatorCount = plan.indicators.length
  const unitCount = units.length

  // Pass 1: every indicator of every unit, by compiled formulas over one slot array. Numerators
  // and denominators are only read in pass 2, and indicator values after it only for `Rank`'s
  // explanations: scratch columns otherwise (every cell is written below).
  const ranked = plan.items.some((planned) => planned.item.rule._tag === "Rank")
  const indicatorValues = ranked
    ? new Float64Array(unitCount * indicatorCount)
    : scratchColumn(0, unitCount * indicatorCount)
  const numerators = scratchColumn(1, unitCount * indicatorCount)
  const denominators = scratchColumn(2, unitCount * indicatorCount)
  const slots = new Array<number | undefined>(elementCount + indicatorCount + 1).fill(undefined)
  const lookup = (name: string) => slots[plan.slotOf(name)]
  const resolvedOthers = new Map<number, Resolved | undefined>()
  const direct = indexed.others.size === 0 ? plan.direct : null
  if (direct !== null) {
    // Every indicator is one element's value, and every value is the period's own: read straight
    // from the packed values (what the loop below computes, without a slot array or a formula run).
    const exactValues = indexed.exactValues
    for (let u = 0; u < unitCount; u++) {
      const base = u * elementCount
      for (let k = 0; k < indicatorCount; k++) {
        const at = u * indicatorCount + k
        const exact = exactValues[base + (direct[k] ?? 0)] ?? Number.NaN
        if (Number.isFinite(exact)) {
          indicatorValues[at] = exact
          numerators[at] = exact
          denominators[at] = Number.NaN
          continue
        }
        const planned = plan.indicators[k]
        // No value: the reference evaluation says why and applies `onDivisionByZero`.
        const reference =
          planned === undefined
            ? undefined
            : Indicator.evaluate(planned.compiled, (name) => {
                // The formula is one reference, to an element's slot (see `Plan.direct`).
                const e = plan.slotOf(name)
                const value = e < elementCount ? (exactValues[base + e] ?? Number.NaN) : Number.NaN
                return Number.isNaN(value) ? undefined : value
              })
        indicatorValues[at] = reference?.value ?? Number.NaN
        numerators[at] = reference?.numerator ?? Number.NaN
        denominators[at] = reference?.denominator ?? Number.NaN
      }
    }
  }
  for (let u = 0; u < (direct === null ? unitCount : 0); u++) {
    const base = u * elementCount
    for (let e = 0; e < elementCount; e++) {
      const exact = indexed.exactValues[base + e] ?? Number.NaN
      if (!Number.isNaN(exact)) slots[e] = exact
      else if (indexed.others.size === 0) slots[e] = undefined
      else {
        const list = indexed.others.get(base + e)
        const element = plan.elements[e]
        const found = list === undefined || element === undefined ? undefined : fromSubPeriods(element, list)
        resolvedOthers.set(base + e, found)
        slots[e] = found?.value
      }
    }
    for (let k = 0; k < indicatorCount; k++) {
      const planned = plan.indicators[k]
      if (planned === undefined) continue
      let value: number | null = null
      let numerator: number | null = null
      let denominator: number | null = null
      const top = planned.numerator(slots)
      const bottom = planned.denominator === null ? null : planned.denominator(slots)
      if (top !== undefined && bottom === null) {
        value = top
        numerator = top
      } else if (top !== undefined && bottom !== undefined && bottom !== null && bottom !== 0) {
        const ratio = (top / bottom) * planned.factor
        value = Number.isFinite(ratio) ? ratio : null
        numerator = top
        denominator = bottom
      } else {
        // No value: the reference evaluation says why and applies `onDivisionByZero`.
        const reference = Indicator.evaluate(planned.compiled, lookup)
        value = reference.value
        numerator = reference.numerator
        denominator = reference.denominator
      }
      slots[elementCount + k] = value ?? undefined
      const at = u * indicatorCount + k
      indicatorValues[at] = value ?? Number.NaN
      numerators[at] = numerator ?? Number.NaN
      denominators[at] = denominator ?? Number.NaN
    }
  }

  // `Rank` items: each unit's fraction from one sort of the group's values.
  const rankFractions = plan.items.map((planned) => {
    if (planned.item.rule._tag !== "Rank") return null
    const direction = planned.item.rule.direction
    const present: Array<number> = []
    const values: Array<number> = []
    for (let u = 0; u < unitCount; u++) {
      const value = indicatorValues[u * indicatorCount + planned.indicator]
      if (value !== undefined && !Number.isNaN(value)) {
        present.push(u)
        values.push(value)
      }
    }
    const ranks = Scoring.competitionRanks(direction, values)
    const fractions = new Float64Array(unitCount)
    present.forEach((u, i) => {
      fractions[u] = Scoring.rankFraction(ranks[i] ?? 1, values.length)
    })
    return fractions
  })

  // Pass 2: items (into compact columns), totals and statuses.
  const exclude = scheme.missingData === "exclude"
  const scales = new Float64Array(unitCount)
  const itemCount = plan.items.length
  // Without a denominator anywhere every item's denominator is `null`, and without the `exclude`
  // policy every item's effective weight is its rounded weight: those columns are shared.
  const noDenominators = plan.indicators.every((planned) => planned.denominator === null)
  const repeated = repeatedColumns(plan, unitCount)
  const columns = itemColumns(unitCount * itemCount, {
    denominators: noDenominators ? nanColumn(unitCount * itemCount) : null,
    effectiveWeights: exclude ? null : repeated.roundedWeights.subarray(0, unitCount * itemCount)
  })
  // Per unit: status (index into `statuses`), total (NaN: none), and the rare lists.
  const status = new Uint8Array(unitCount)
  const totals = new Float64Array(unitCount)
  const vetoedByOf = new Map<number, ReadonlyArray<string>>()
  const missingOf = new Map<number, ReadonlyArray<string>>()
  for (let u = 0; u < unitCount; u++) {
    let present = 0
    for (let j = 0; j < plan.items.length; j++) {
      const planned = plan.items[j]
      if (planned === undefined) continue
      const value = indicatorValues[u * indicatorCount + planned.indicator]
      present += value === undefined || Number.isNaN(value) ? 0 : planned.weight
    }
    const scale = exclude && present > 0 ? scheme.totalWeight / present : 1
    scales[u] = scale
    let sum = 0
    let vetoedBy: Array<string> | undefined
    let missing: Array<string> | undefined
    for (let j = 0; j < itemCount; j++) {
      const planned = plan.items[j]
      if (planned === undefined) continue
      const at = u * indicatorCount + planned.indicator
      const cell = u * itemCount + j
      const raw = indicatorValues[at] ?? Number.NaN
      const rawNumerator = numerators[at] ?? Number.NaN
      const rawDenominator = denominators[at] ?? Number.NaN
      if (!noDenominators) {
        columns.denominators[cell] = Number.isNaN(rawDenominator) ? Number.NaN : nan(round(rawDenominator, d))
      }
      columns.bands[cell] = -1
      if (Number.isNaN(raw)) {
        if (missing === undefined) missing = []
        missing.push(planned.item.indicator)
        columns.values[cell] = Number.NaN
        columns.numerators[cell] = Number.isNaN(rawNumerator) ? Number.NaN : nan(round(rawNumerator, d))
        columns.scores[cell] = Number.NaN
        if (exclude) columns.effectiveWeights[cell] = 0
        columns.contributions[cell] = 0
        columns.flags[cell] = 2
        continue
      }
      const value = nan(round(raw, d))
      columns.values[cell] = value
      columns.numerators[cell] = Number.isNaN(rawNumerator)
        ? Number.NaN
        : rawNumerator === raw
          ? value
          : nan(round(rawNumerator, d))
      if (exclude) {
        columns.effectiveWeights[cell] = scale === 1 ? planned.roundedWeight : nan(round(planned.weight * scale, d))
      }
      let contribution = 0
      if (planned.kind === "weighted") {
        const bandIndex = planned.bands.length > 0 ? (planned.prepared?.band(raw) ?? -1) + 1 : -1
        columns.bands[cell] = bandIndex
        if (bandIndex >= 0 && scale === 1) {
          columns.scores[cell] = planned.bandScores[bandIndex] ?? 0
          contribution = planned.bandContributions[bandIndex] ?? 0
        } else {
          const fraction = planned.prepared?.measure(raw) ?? rankFractions[j]?.[u] ?? 0
          columns.scores[cell] = nan(round(fraction, scoreDecimals))
          contribution = round(fraction * planned.weight * scale, d)
        }
        columns.flags[cell] = 0
      } else if (planned.kind === "points") {
        const points = planned.prepared?.measure(raw) ?? 0
        columns.scores[cell] = nan(round(points, scoreDecimals))
        contribution = round(points, d)
        columns.flags[cell] = 0
      } else {
        const vetoed = (planned.prepared?.measure(raw) ?? 0) === 1
        columns.scores[cell] = Number.NaN
        columns.flags[cell] = vetoed ? 1 : 0
        if (vetoed) {
          if (vetoedBy === undefined) vetoedBy = []
          vetoedBy.push(planned.item.indicator)
        }
      }
      columns.contributions[cell] = nan(contribution)
      sum += contribution
    }
    const incomplete = scheme.missingData === "fail" && missing !== undefined
    status[u] = incomplete ? 2 : vetoedBy !== undefined ? 1 : 0
    totals[u] = incomplete ? Number.NaN : round(sum, d)
    if (vetoedBy !== undefined) vetoedByOf.set(u, vetoedBy)
    if (missing !== undefined) missingOf.set(u, missing)
  }

  // Ranks: scored units, then vetoed ones after them; incomplete units are not ranked.
  const groups: [Array<number>, Array<number>, Array<number>] = [[], [], []]
  for (let u = 0; u < unitCount; u++) groups[status[u] === 1 ? 1 : status[u] === 2 ? 2 : 0].push(u)
  const ranks = new Int32Array(unitCount)
  const scored = rankBy(groups[0], totals, 0, ranks)
  const vetoed = rankBy(groups[1], totals, scored.length, ranks)
  const previous = new Map((input.previous ?? []).map((entry) => [entry.unit, entry] as const))
  // Unrounded indicator values are kept only for `Rank`'s explanations.
  const context = new Context(
    input,
    plan,
    units,
    indexed,
    resolvedOthers,
    ranked ? indicatorValues : new Float64Array(0),
    scales,
    kept(plan, columns)
  )

  const ordered = [...scored, ...vetoed, ...groups[2]].map((u): UnitResult => {
    const unit = units[u] ?? ""
    const unitStatus = statuses[status[u] ?? 0] ?? "scored"
    const total = orNull(totals[u])
    const rank = unitStatus === "incomplete" ? null : (ranks[u] ?? null)
    const before = previous.get(unit)
    return new LazyUnit(
      before === undefined || before.total === null || total === null
        ? null
        : {
            rank: before.rank === null || rank === null ? null : before.rank - rank,
            total: round(total - before.total, d)
          },
      total === null ? null : unitStatus === "vetoed" ? scheme.gradeBelow : gradeOf(scheme, total),
      missingOf.get(u) ?? none,
      rank,
      unitStatus,
      total,
      unit,
      vetoedByOf.get(u) ?? none,
      context,
      u
    )
  })
  const body = {
    period: periodId,
    scheme: { digest: input.scheme.digest, group: scheme.group, id: scheme.id, version: scheme.version },
    units: ordered
  }
  return Either.right({ hash: digest(body), ...body })
}

// --- the canonical form -----------------------------------------------------------------------------

/** Names the layout below, so a future layout can never digest like this one. */
const format = "sortgrid/assessment/result@3"

const absent = 0xffffffff

/** Strings as ids: each distinct string gets the next id where it first appears; `null` is `absent`. */
class Dictionary {
  readonly strings: Array<string> = []
  private readonly ids = new Map<string, number>()

  id(value: string | null): number {
    if (value === null) return absent
    let id = this.ids.get(value)
    if (id === undefined) {
      id = this.strings.length
      this.ids.set(value, id)
      this.strings.push(value)
    }
    return id
  }
}

/** The dictionaries of the string columns: items' indicator, rule, band, colour; inputs' element, period, kind, source. */
const canonicalDictionaries = (): readonly [
  Dictionary,
  Dictionary,
  Dictionary,
  Dictionary,
  Dictionary,
  Dictionary,
  Dictionary,
  Dictionary
] => [
  new Dictionary(),
  new Dictionary(),
  new Dictionary(),
  new Dictionary(),
  new Dictionary(),
  new Dictionary(),
  new Dictionary(),
  new Dictionary()
]

/** The inputs of every unit as rows: string ids (4 a row), the value, whether records follow. */
class CanonicalInputs {
  readonly strings: Uint32Array
  readonly values: Float64Array
  readonly hasRecords: Uint8Array
  readonly records: Array<NonNullable<Source["records"]>> = []
  private row = 0

  /** `scratch`: in reused columns, for a digest of the engine's own result. */
  constructor(count: number, scratch = false) {
    this.strings = scratch ? scratchUint32(5, count * 4) : new Uint32Array(count * 4)
    this.values = scratch ? scratchFloat64(1, count) : new Float64Array(count)
    this.hasRecords = scratch ? scratchUint8(0, count) : new Uint8Array(count)
  }

  /** Starts the next row (its records noted): the caller writes its strings and value. */
  next(records: Source["records"]): number {
    const row = this.row++
    this.hasRecords[row] = records === null ? 0 : 1
    if (records !== null) this.records.push(records)
    return row
  }

  add(element: number, period: number, kind: number, source: number, value: number, records: Source["records"]): void {
    const row = this.row++
    const strings = this.strings
    strings[row * 4] = element
    strings[row * 4 + 1] = period
    strings[row * 4 + 2] = kind
    strings[row * 4 + 3] = source
    this.values[row] = value
    this.hasRecords[row] = records === null ? 0 : 1
    if (records !== null) this.records.push(records)
  }
}

/**
 * A result's items and inputs as columns, units in unit-id order (`order` gives, for each unit in
 * the result's order, its place in that order): each item field a column — numbers as doubles
 * (NaN: `null`) in `ItemResult`'s order without strings and flags, string fields as ids into their
 * own dictionary (strings in order of first appearance), `vetoed`/`missing` as flag bits — and
 * the inputs as rows.
 */
interface CanonicalForm {
  readonly dictionaries: ReadonlyArray<Dictionary>
  readonly order: Uint32Array
  /** value, numerator, denominator, score, weight, effectiveWeight, contribution. */
  readonly itemNumbers: ReadonlyArray<Float64Array>
  /** indicator, rule, band, colour. */
  readonly itemStrings: ReadonlyArray<Uint32Array>
  readonly itemFlags: Uint8Array
  readonly inputs: CanonicalInputs
  /** Whether every NaN in the number columns is `Number.NaN` already (the engine's own columns). */
  readonly canonicalNaN?: boolean
}

/** The canonical form from a result's objects (any result, stored or not). */
const formOf = (units: ReadonlyArray<UnitResult>): CanonicalForm => {
  const byId = units
    .map((_, k) => k)
    .sort((a, b) => {
      const x = units[a]?.unit ?? ""
      const y = units[b]?.unit ?? ""
      return x < y ? -1 : x > y ? 1 : a - b
    })
  const order = new Uint32Array(units.length)
  byId.forEach((k, position) => {
    order[k] = position
  })
  const sorted = byId.flatMap((k) => {
    const unit = units[k]
    return unit === undefined ? [] : [unit]
  })
  const cells = sorted.reduce((total, unit) => total + unit.items.length, 0)
  const dictionaries = canonicalDictionaries()
  const [indicators, rules, bands, colours, elements, periods, kinds, sources] = dictionaries
  const itemNumbers = Array.from({ length: 7 }, () => new Float64Array(cells))
  const itemStrings = Array.from({ length: 4 }, () => new Uint32Array(cells))
  const [value, numerator, denominator, score, weight, effectiveWeight, contribution] = itemNumbers
  const [indicator, rule, band, colour] = itemStrings
  const itemFlags = new Uint8Array(cells)
  let cell = 0
  for (const unit of sorted) {
    for (const item of unit.items) {
      if (value) value[cell] = item.value ?? Number.NaN
      if (numerator) numerator[cell] = item.numerator ?? Number.NaN
      if (denominator) denominator[cell] = item.denominator ?? Number.NaN
      if (score) score[cell] = item.score ?? Number.NaN
      if (weight) weight[cell] = item.weight
      if (effectiveWeight) effectiveWeight[cell] = item.effectiveWeight
      if (contribution) contribution[cell] = item.contribution
      if (indicator) indicator[cell] = indicators.id(item.indicator)
      if (rule) rule[cell] = rules.id(item.rule)
      if (band) band[cell] = bands.id(item.band)
      if (colour) colour[cell] = colours.id(item.colour)
      itemFlags[cell] = (item.vetoed ? 1 : 0) | (item.missing ? 2 : 0)
      cell++
    }
  }
  const inputs = new CanonicalInputs(sorted.reduce((total, unit) => total + unit.inputs.length, 0))
  for (const unit of sorted) {
    for (const input of unit.inputs) {
      inputs.add(
        elements.id(input.element),
        periods.id(input.period),
        kinds.id(input.kind),
        sources.id(input.source),
        input.value,
        input.records
      )
    }
  }
  return { dictionaries, order, itemNumbers, itemStrings, itemFlags, inputs }
}

const writeForm = (w: Writer, form: CanonicalForm): void => {
  for (const dictionary of form.dictionaries) {
    w.record()
    w.strings(dictionary.strings)
  }
  w.record()
  w.number(form.inputs.records.length)
  for (const records of form.inputs.records) {
    w.record()
    w.string(records.entity)
    w.strings(records.ids)
    w.number(records.total)
  }
  w.column(form.order)
  for (const column of form.itemNumbers) w.column(column, form.canonicalNaN === true)
  for (const column of form.itemStrings) w.column(column)
  w.column(form.itemFlags)
  w.column(form.inputs.strings)
  w.column(form.inputs.values, form.canonicalNaN === true)
  w.column(form.inputs.hasRecords)
}

/** The run all of a result's units come from, when they all come from one (the engine's own). */
const originOf = (units: ReadonlyArray<UnitResult>): Context | undefined => {
  let context: Context | undefined
  for (const unit of units) {
    if (!(unit instanceof LazyUnit)) return undefined
    const origin = unit.origin().context
    if (context !== undefined && origin !== context) return undefined
    context = origin
  }
  return context !== undefined && context.units.length === units.length ? context : undefined
}

/**
 * The SHA-256 (lower-case hex) of a result's canonical binary form: what `hash` is. Written in a
 * fixed order: a format tag, the scheme (id, version, group, digest), the period and the number of
 * units; one record per unit in the result's order (unit, status, total, rank, grade, vetoedBy,
 * missing, change, and how many items and inputs it has); then the items and the inputs of every
 * unit as columns (see `internal/digest.ts`) — each string field as ids into its own dictionary of
 * the strings in order of first appearance (the dictionaries are written too), each number field as
 * doubles, `vetoed`/`missing` as flags, each input's records after the dictionaries. Explanations
 * are left out: they are a function of what is written (see the module's **Determinism**).
 *
 * Use it to check a stored result: `digest(rest)` equals `hash` for `{ hash, ...rest }`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const digest = (result: Omit<Result, "hash">): string => {
  const w = new Writer(16 * result.units.length)
  w.record()
  w.string(format)
  w.string(result.scheme.id)
  w.number(result.scheme.version)
  w.string(result.scheme.group)
  w.string(result.scheme.digest)
  w.string(result.period)
  w.number(result.units.length)
  const context = originOf(result.units)
  for (const unit of result.units) {
    w.record()
    w.string(unit.unit)
    w.string(unit.status)
    w.nullableNumber(unit.total)
    w.nullableNumber(unit.rank)
    w.nullableString(unit.grade)
    w.strings(unit.vetoedBy)
    w.strings(unit.missing)
    if (unit.change === null) w.null()
    else {
      w.number(unit.change.total)
      w.nullableNumber(unit.change.rank)
    }
    if (unit instanceof LazyUnit && context !== undefined) {
      const { index } = unit.origin()
      w.number(context.plan.items.length)
      w.number(context.inputCount(index))
    } else {
      w.number(unit.items.length)
      w.number(unit.inputs.length)
    }
  }
  writeForm(
    w,
    context === undefined
      ? formOf(result.units)
      : context.form(result.units.map((unit) => (unit instanceof LazyUnit ? unit.origin().index : 0)))
  )
  return w.digest()
}

/**
 * A result's canonical JSON text, explanations included: byte-identical for equal results.
 *
 * @since 0.1.0
 * @category encoding
 */
export const canonical = (result: Result): string => Json.canonical(toJson(result))
