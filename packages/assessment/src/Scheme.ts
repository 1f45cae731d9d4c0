/**
 * Assessment schemes: for one group of units (urban subdistricts, rural towns, departments), the
 * data elements read, the indicators computed, the rule and weight of each, the grades and the
 * missing-data policy. Schemes are versioned and effective-dated: a new version is a new document
 * (never an edit of the old one), and a period is scored under the version in force on its first
 * day, so a revision effective 1 July changes July and the third quarter, never June.
 *
 * {@link validate} lists every problem of a malformed scheme at once — unknown references, weights
 * that do not add up to the declared total, cyclic formulas, divisions that may be by zero with
 * no guard or rule — each with its path, so an editor can point at it.
 *
 * @since 0.1.0
 */
import { Errors, Id, Json, Period } from "@sortgrid/core"
import { GroupId } from "@sortgrid/grid/Group"
import { Array as Arr, Either, Schema } from "effect"
import * as DataElement from "./DataElement.js"
import * as Expression from "./Expression.js"
import * as Indicator from "./Indicator.js"
import { toJson } from "./internal/json.js"
import * as Scoring from "./Scoring.js"

/**
 * A scheme's id, shared by all its versions.
 *
 * @since 0.1.0
 * @category ids
 */
export const SchemeId = Id.brand("SchemeId")

/**
 * @since 0.1.0
 * @category ids
 */
export type SchemeId = typeof SchemeId.Type

/**
 * How an indicator is scored. An indicator is scored by at most one item.
 *
 * @since 0.1.0
 * @category models
 */
export class Item extends Schema.Class<Item>("@sortgrid/assessment/Item")({
  indicator: Indicator.IndicatorId,
  rule: Scoring.Rule
}) {}

/**
 * A grade: totals of at least `atLeast` earn `label` (the highest grade reached wins).
 *
 * @since 0.1.0
 * @category models
 */
export class Grade extends Schema.Class<Grade>("@sortgrid/assessment/Grade")({
  label: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(80)),
  atLeast: Schema.Finite
}) {}

/**
 * The period types a scheme may score.
 *
 * @since 0.1.0
 * @category models
 */
export const PeriodType = Schema.Literal(...Period.periodTypes)

/**
 * One version of a scheme. `effectiveTo` (exclusive) is `null` while the scheme is open-ended.
 * `totalWeight` is what the weighted items' weights must add up to; `decimals` is the precision
 * of reported values, scores and totals (ranks compare the reported totals). Units whose total
 * reaches no grade, and vetoed units, get `gradeBelow`.
 *
 * @since 0.1.0
 * @category models
 */
export class Scheme extends Schema.Class<Scheme>("@sortgrid/assessment/Scheme")({
  id: SchemeId,
  version: Schema.Int.pipe(Schema.positive()),
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  group: GroupId,
  effectiveFrom: Period.IsoDate,
  effectiveTo: Schema.optionalWith(Schema.NullOr(Period.IsoDate), { default: () => null }),
  periodTypes: Schema.optionalWith(Schema.NonEmptyArray(PeriodType), { default: () => ["Month", "Quarter"] as const }),
  totalWeight: Schema.Finite.pipe(Schema.positive()),
  missingData: Scoring.MissingData,
  decimals: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 6)), { default: () => 2 }),
  elements: Schema.Array(DataElement.ElementSpec),
  indicators: Schema.Array(Indicator.Indicator),
  items: Schema.NonEmptyArray(Item),
  grades: Schema.Array(Grade),
  gradeBelow: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(80))
}) {}

/**
 * Decodes a scheme from JSON, rejecting unknown fields: an `Invalid` naming every bad field under
 * `scheme`. Decoding checks shapes; {@link validate} checks meaning.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<Scheme, Errors.Invalid> =>
  Either.mapLeft(Schema.decodeUnknownEither(Scheme, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, ["scheme"])
  )

/**
 * A scheme as JSON (the form it is stored and edited in).
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJsonValue = (scheme: Scheme): Json.Json => toJson(Either.getOrNull(Schema.encodeEither(Scheme)(scheme)))

/**
 * A validated scheme, ready to evaluate: indicators compiled and listed so that each comes after
 * every indicator it refers to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Validated {
  readonly scheme: Scheme
  readonly elements: ReadonlyMap<string, DataElement.ElementSpec>
  readonly indicators: ReadonlyArray<Indicator.Compiled>
  /** SHA-256 of the scheme's canonical JSON: results name the exact document they were scored under. */
  readonly digest: string
}

const at = (position: number, reason: string) => `at position ${position}: ${reason}`

const duplicates = (values: ReadonlyArray<string>): ReadonlyArray<string> =>
  [...new Set(values.filter((value, i) => values.indexOf(value) !== i))].sort()

/** Indicators ordered so that each follows those it refers to (input order otherwise). */
const dependencyOrder = (compiled: ReadonlyArray<Indicator.Compiled>): ReadonlyArray<Indicator.Compiled> => {
  const byId = new Map<string, Indicator.Compiled>(compiled.map((entry) => [entry.indicator.id, entry]))
  const done = new Set<string>()
  const out: Array<Indicator.Compiled> = []
  const visit = (entry: Indicator.Compiled) => {
    if (done.has(entry.indicator.id)) return
    done.add(entry.indicator.id)
    for (const name of Indicator.referencesOf(entry)) {
      const dependency = byId.get(name)
      if (dependency !== undefined) visit(dependency)
    }
    out.push(entry)
  }
  compiled.forEach(visit)
  return out
}

/**
 * Checks a decoded scheme's meaning, listing every problem with its path: duplicate ids; formulas
 * that do not parse; references to neither a declared element nor an indicator; indicators that
 * refer to each other in a cycle; divisions that may be by zero with neither a guard nor
 * `onDivisionByZero`; items for unknown indicators or scoring one indicator twice; weights that
 * do not add up to `totalWeight`; grades not in descending order or repeated; bands with repeated
 * thresholds; an `effectiveTo` not after `effectiveFrom`.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (scheme: Scheme): Either.Either<Validated, Errors.Invalid> => {
  const issues: Array<Errors.Issue> = []
  const issue = (path: ReadonlyArray<string | number>, reason: string) =>
    issues.push(new Errors.Issue({ path: [...path], reason }))

  const elementIds: ReadonlyArray<string> = scheme.elements.map((element) => element.id)
  const indicatorIds: ReadonlyArray<string> = scheme.indicators.map((indicator) => indicator.id)
  for (const id of duplicates(elementIds)) issue(["elements"], `element ${id} is declared more than once`)
  for (const id of duplicates(indicatorIds)) issue(["indicators"], `indicator ${id} is declared more than once`)
  for (const id of indicatorIds.filter((id) => elementIds.includes(id))) {
    issue(["indicators"], `${id} names both an element and an indicator`)
  }
  const elements = new Map<string, DataElement.ElementSpec>(scheme.elements.map((element) => [element.id, element]))
  const indicatorSet = new Set<string>(indicatorIds)
  const neverZero = (name: string) => {
    const element = elements.get(name)
    return element !== undefined && DataElement.neverZero(element)
  }

  const compiled: Array<Indicator.Compiled> = []
  scheme.indicators.forEach((indicator, i) => {
    const result = Indicator.compile(indicator)
    if (Either.isLeft(result)) {
      for (const { field, error } of result.left) issue(["indicators", i, field], error.message)
      return
    }
    compiled.push(result.right)
    const parts = [
      ["numerator", result.right.numerator],
      ["denominator", result.right.denominator]
    ] as const
    for (const [part, formula] of parts) {
      if (formula === null) continue
      const field = indicator._tag === "Formula" ? "formula" : part
      for (const reference of Expression.references(formula)) {
        if (!elements.has(reference.name) && !indicatorSet.has(reference.name)) {
          issue(["indicators", i, field], at(reference.start, `unknown element or indicator '${reference.name}'`))
        }
      }
    }
    for (const division of Indicator.unguardedDivisions(result.right, neverZero)) {
      issue(
        ["indicators", i, division.field],
        at(
          division.position,
          `division by '${division.denominator}', which may be zero: guard it (if(${division.denominator} > 0, …, …)) or declare onDivisionByZero`
        )
      )
    }
  })

  const graph = new Map(compiled.map((entry) => [entry.indicator.id, Indicator.referencesOf(entry)] as const))
  for (const cycle of Expression.cycles(graph)) {
    const first = indicatorIds.indexOf(cycle[0] ?? "")
    issue(
      ["indicators", first],
      cycle.length === 1
        ? `indicator ${cycle[0]} refers to itself`
        : `indicators ${cycle.join(", ")} refer to each other in a cycle`
    )
  }

  const scored = scheme.items.map((item) => item.indicator)
  scheme.items.forEach((item, i) => {
    if (!indicatorSet.has(item.indicator)) issue(["items", i, "indicator"], `unknown indicator '${item.indicator}'`)
    if (item.rule._tag === "Bands") {
      for (const threshold of duplicates(item.rule.bands.map((band) => String(band.threshold)))) {
        issue(["items", i, "rule", "bands"], `threshold ${threshold} is used by more than one band`)
      }
    }
  })
  for (const id of duplicates(scored)) issue(["items"], `indicator ${id} is scored by more than one item`)
  const weights = scheme.items.reduce((total, item) => total + Scoring.weightOf(item.rule), 0)
  if (Math.abs(weights - scheme.totalWeight) > 1e-9 * Math.max(1, scheme.totalWeight)) {
    issue(["totalWeight"], `the weights add up to ${weights}, but the scheme declares ${scheme.totalWeight}`)
  }
  scheme.grades.forEach((grade, i) => {
    const previous = scheme.grades[i - 1]
    if (previous !== undefined && grade.atLeast >= previous.atLeast) {
      issue(["grades", i, "atLeast"], "grades must be listed from the highest threshold down")
    }
  })
  for (const label of duplicates([...scheme.grades.map((grade) => grade.label), scheme.gradeBelow])) {
    issue(["grades"], `grade ${label} is used more than once`)
  }
  if (scheme.effectiveTo !== null && scheme.effectiveTo <= scheme.effectiveFrom) {
    issue(["effectiveTo"], "must be after effectiveFrom")
  }

  if (Arr.isNonEmptyReadonlyArray(issues)) return Either.left(new Errors.Invalid({ issues }))
  const digest = Schema.encodeEither(Scheme)(scheme)
  return Either.right({
    scheme,
    elements,
    indicators: dependencyOrder(compiled),
    digest: Either.match(digest, { onLeft: () => "", onRight: (encoded) => Json.digest(toJson(encoded)) })
  })
}

/**
 * Decodes and validates a scheme from JSON.
 *
 * @since 0.1.0
 * @category decoding
 */
export const load = (input: unknown): Either.Either<Validated, Errors.Invalid> =>
  Either.flatMap(decode(input), validate)

/**
 * The version of a scheme in force for a period, among `versions` (of one scheme and group): the
 * one in force on the period's first day — `effectiveFrom` on or before it, `effectiveTo` after it
 * or open — the latest `effectiveFrom` winning, then the highest version. `NotFound` when none is.
 *
 * @since 0.1.0
 * @category versions
 */
export const inForce = <S extends Scheme | Validated>(
  versions: ReadonlyArray<S>,
  period: Period.Period
): Either.Either<S, Errors.NotFound> => {
  const day = Period.startDay(period)
  const schemeOf = (entry: Scheme | Validated): Scheme => ("scheme" in entry ? entry.scheme : entry)
  const candidates = versions
    .filter((entry) => {
      const scheme = schemeOf(entry)
      const from = Period.dayOfIsoDate(scheme.effectiveFrom)
      const to = scheme.effectiveTo === null ? Number.POSITIVE_INFINITY : Period.dayOfIsoDate(scheme.effectiveTo)
      return from <= day && day < to
    })
    .sort((a, b) => {
      const x = schemeOf(a)
      const y = schemeOf(b)
      return x.effectiveFrom !== y.effectiveFrom ? (x.effectiveFrom < y.effectiveFrom ? 1 : -1) : y.version - x.version
    })
  const found = candidates[0]
  return found === undefined
    ? Either.left(new Errors.NotFound({ entity: "Scheme version in force", id: Period.format(period) }))
    : Either.right(found)
}

// --- diff -----------------------------------------------------------------------------------------

/**
 * One difference between two versions: what was `added`, `removed` or `changed`, where (`path`,
 * with list entries named by their `id`, `indicator` or `label`), and the value before and after.
 *
 * @since 0.1.0
 * @category diff
 */
export type Change = {
  readonly kind: "added" | "removed" | "changed"
  readonly path: ReadonlyArray<string | number>
  readonly before: Json.Json
  readonly after: Json.Json
}

const keyFields = ["id", "indicator", "label"] as const

const isRecord = (value: Json.Json): value is { readonly [key: string]: Json.Json } =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** The field that names every entry of a list of records, if there is one. */
const keyOf = (list: ReadonlyArray<Json.Json>): string | undefined =>
  keyFields.find(
    (field) => list.length > 0 && list.every((entry) => isRecord(entry) && typeof entry[field] === "string")
  )

const diffJson = (before: Json.Json, after: Json.Json, path: ReadonlyArray<string | number>): ReadonlyArray<Change> => {
  if (Json.canonical(before) === Json.canonical(after)) return []
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    return keys.flatMap((key) => {
      const a = before[key]
      const b = after[key]
      if (a === undefined) return [{ kind: "added" as const, path: [...path, key], before: null, after: b ?? null }]
      if (b === undefined) return [{ kind: "removed" as const, path: [...path, key], before: a, after: null }]
      return diffJson(a, b, [...path, key])
    })
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const field = keyOf([...before, ...after])
    if (field !== undefined) {
      const keyed = (list: ReadonlyArray<Json.Json>) =>
        new Map(list.flatMap((entry) => (isRecord(entry) ? [[String(entry[field]), entry] as const] : [])))
      const a = keyed(before)
      const b = keyed(after)
      const keys = [...new Set([...a.keys(), ...b.keys()])]
      return keys.flatMap((key) => {
        const x = a.get(key)
        const y = b.get(key)
        if (x === undefined) return [{ kind: "added" as const, path: [...path, key], before: null, after: y ?? null }]
        if (y === undefined) return [{ kind: "removed" as const, path: [...path, key], before: x, after: null }]
        return diffJson(x, y, [...path, key])
      })
    }
  }
  return [{ kind: "changed", path, before, after }]
}

/**
 * The structural differences between two scheme versions, in path order: indicators, items and
 * elements are matched by id, so a reordered list is no change, and a changed weight is one
 * change at `["items", "<indicator>", "rule", "weight"]`.
 *
 * @since 0.1.0
 * @category diff
 */
export const diff = (before: Scheme, after: Scheme): ReadonlyArray<Change> =>
  diffJson(toJsonValue(before), toJsonValue(after), [])
