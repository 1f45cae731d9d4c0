/**
 * Indicators: what a scheme measures for each unit, from data values. Two kinds, as DHIS2 has them:
 * a `Ratio` (numerator ÷ denominator × factor, both parts formulas, kept for explanations) and a
 * `Formula` (any formula of the expression language). Both serialise to plain JSON, so schemes
 * are stored and edited as documents.
 *
 * A division by zero gives no value unless the indicator declares a rule for it
 * (`onDivisionByZero`: `"zero"` or `"missing"`); a scheme whose formulas may divide by zero with
 * neither a guard nor a declared rule is rejected (see `Scheme.validate`).
 *
 * @since 0.1.0
 */
import { Id } from "@sortgrid/core"
import { Either, Schema } from "effect"
import * as Expression from "./Expression.js"

/**
 * An indicator's id. Formulas refer to other indicators by it, so it follows the reference syntax
 * (`problemsPerCompound`, or `#{…}` for other ids).
 *
 * @since 0.1.0
 * @category ids
 */
export const IndicatorId = Id.brand("IndicatorId")

/**
 * @since 0.1.0
 * @category ids
 */
export type IndicatorId = typeof IndicatorId.Type

/**
 * What a division by zero yields: `"zero"` scores it as 0, `"missing"` as a missing value (then the
 * scheme's missing-data policy applies). Declaring it is what makes an unguarded division legal.
 *
 * @since 0.1.0
 * @category models
 */
export const OnDivisionByZero = Schema.Literal("zero", "missing")

/**
 * @since 0.1.0
 * @category models
 */
export type OnDivisionByZero = typeof OnDivisionByZero.Type

const FormulaText = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2000))
const Name = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))
const DivisionRule = Schema.optionalWith(Schema.NullOr(OnDivisionByZero), { default: () => null })

/**
 * numerator ÷ denominator × factor (`factor` 100 for a percentage).
 *
 * @since 0.1.0
 * @category models
 */
export class Ratio extends Schema.TaggedClass<Ratio>()("Ratio", {
  id: IndicatorId,
  name: Name,
  numerator: FormulaText,
  denominator: FormulaText,
  factor: Schema.optionalWith(Schema.Finite, { default: () => 1 }),
  onDivisionByZero: DivisionRule
}) {}

/**
 * Any formula.
 *
 * @since 0.1.0
 * @category models
 */
export class Formula extends Schema.TaggedClass<Formula>()("Formula", {
  id: IndicatorId,
  name: Name,
  formula: FormulaText,
  onDivisionByZero: DivisionRule
}) {}

/**
 * An indicator.
 *
 * @since 0.1.0
 * @category models
 */
export const Indicator = Schema.Union(Ratio, Formula)

/**
 * @since 0.1.0
 * @category models
 */
export type Indicator = typeof Indicator.Type

/**
 * An indicator with its formulas parsed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Compiled {
  readonly indicator: Indicator
  /** The formula of a `Formula`, the numerator of a `Ratio`. */
  readonly numerator: Expression.NumberExpression
  /** The denominator of a `Ratio`; `null` for a `Formula`. */
  readonly denominator: Expression.NumberExpression | null
}

/**
 * A formula error located in an indicator: `field` is `formula`, `numerator` or `denominator`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface LocatedFormulaError {
  readonly field: "formula" | "numerator" | "denominator"
  readonly error: Expression.FormulaError
}

/**
 * Parses an indicator's formulas, reporting every one that fails.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compile = (indicator: Indicator): Either.Either<Compiled, ReadonlyArray<LocatedFormulaError>> => {
  if (indicator._tag === "Formula") {
    return Either.match(Expression.parse(indicator.formula), {
      onLeft: (error) => Either.left([{ field: "formula" as const, error }]),
      onRight: (numerator) => Either.right({ indicator, numerator, denominator: null })
    })
  }
  const numerator = Expression.parse(indicator.numerator)
  const denominator = Expression.parse(indicator.denominator)
  if (Either.isRight(numerator) && Either.isRight(denominator)) {
    return Either.right({ indicator, numerator: numerator.right, denominator: denominator.right })
  }
  const errors: Array<LocatedFormulaError> = []
  if (Either.isLeft(numerator)) errors.push({ field: "numerator", error: numerator.left })
  if (Either.isLeft(denominator)) errors.push({ field: "denominator", error: denominator.left })
  return Either.left(errors)
}

/**
 * The names an indicator refers to, without repeats, sorted.
 *
 * @since 0.1.0
 * @category analysis
 */
export const referencesOf = (compiled: Compiled): ReadonlyArray<string> =>
  [
    ...new Set(
      [compiled.numerator, compiled.denominator].flatMap((part) =>
        part === null ? [] : Expression.references(part).map((reference) => reference.name)
      )
    )
  ].sort()

/**
 * A division that may be by zero with no rule for it: where (`field`, `position`) and what.
 *
 * @since 0.1.0
 * @category analysis
 */
export interface UnguardedDivision {
  readonly field: "formula" | "numerator" | "denominator"
  readonly position: number
  readonly denominator: string
}

/**
 * The divisions of an indicator that may be by zero and have neither a guard nor a declared rule:
 * always none when `onDivisionByZero` is set. A `Ratio`'s own division counts, with its whole
 * denominator formula as the denominator.
 *
 * @since 0.1.0
 * @category analysis
 */
export const unguardedDivisions = (
  compiled: Compiled,
  neverZero: (name: string) => boolean
): ReadonlyArray<UnguardedDivision> => {
  if (compiled.indicator.onDivisionByZero !== null) return []
  const inside = (field: UnguardedDivision["field"], part: Expression.NumberExpression) =>
    Expression.unguardedDivisions(part, neverZero).map((division) => ({
      field,
      position: division.right.start,
      denominator: Expression.print(division.right)
    }))
  if (compiled.denominator === null) return inside("formula", compiled.numerator)
  const own: Expression.NumberExpression = {
    _tag: "Arithmetic",
    operator: "/",
    left: { _tag: "Literal", value: 1, start: 0, end: 0 },
    right: compiled.denominator,
    start: 0,
    end: 0
  }
  const ratio =
    Expression.unguardedDivisions(own, neverZero).length > 0
      ? [{ field: "denominator" as const, position: 0, denominator: Expression.print(compiled.denominator) }]
      : []
  return [...inside("numerator", compiled.numerator), ...inside("denominator", compiled.denominator), ...ratio]
}

/**
 * An indicator's value for one unit, with its parts. `value` is `null` when there is none; then
 * `missing` lists the references that had no value and `divisionByZero` says whether a division
 * by zero was the cause. `numerator` and `denominator` are a `Ratio`'s parts (the formula's value
 * and `null` for a `Formula`).
 *
 * @since 0.1.0
 * @category evaluation
 */
export type Value = {
  readonly value: number | null
  readonly numerator: number | null
  readonly denominator: number | null
  readonly factor: number
  readonly missing: ReadonlyArray<string>
  readonly divisionByZero: boolean
}

const byRule = (rule: OnDivisionByZero | null, unavailable: Expression.Unavailable): number | null =>
  rule === "zero" && unavailable.divisionByZero && unavailable.missing.length === 0 ? 0 : null

/**
 * Evaluates an indicator over a lookup of element and indicator values.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate = (compiled: Compiled, lookup: (name: string) => number | undefined): Value => {
  const rule = compiled.indicator.onDivisionByZero
  const numerator = Expression.evaluate(compiled.numerator, lookup)
  if (compiled.denominator === null) {
    return Either.match(numerator, {
      onLeft: (unavailable) => ({
        value: byRule(rule, unavailable),
        numerator: null,
        denominator: null,
        factor: 1,
        ...unavailable
      }),
      onRight: (value) => ({
        value,
        numerator: value,
        denominator: null,
        factor: 1,
        missing: [],
        divisionByZero: false
      })
    })
  }
  const factor = compiled.indicator._tag === "Ratio" ? compiled.indicator.factor : 1
  const denominator = Expression.evaluate(compiled.denominator, lookup)
  const top = Either.getOrNull(numerator)
  const bottom = Either.getOrNull(denominator)
  const missing = [
    ...new Set([
      ...Either.match(numerator, { onLeft: (u) => u.missing, onRight: () => [] }),
      ...Either.match(denominator, { onLeft: (u) => u.missing, onRight: () => [] })
    ])
  ].sort()
  const innerDivisionByZero =
    Either.match(numerator, { onLeft: (u) => u.divisionByZero, onRight: () => false }) ||
    Either.match(denominator, { onLeft: (u) => u.divisionByZero, onRight: () => false })
  const divisionByZero = innerDivisionByZero || bottom === 0
  const parts = { numerator: top, denominator: bottom, factor, missing, divisionByZero }
  if (top === null || bottom === null || bottom === 0) {
    return { value: byRule(rule, { missing, divisionByZero }), ...parts }
  }
  const value = (top / bottom) * factor
  return { value: Number.isFinite(value) ? value : null, ...parts }
}
