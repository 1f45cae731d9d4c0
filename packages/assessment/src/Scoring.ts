/**
 * Scoring rules: how an indicator's value becomes points. Two families:
 *
 * - **weighted** rules (`Linear`, `Bands`, `Target`, `Rank`) turn the value into a fraction between
 *   0 and 1 of the rule's `weight`; `direction` says whether higher or lower values are better;
 * - **item** rules stand outside the weights: a `Deduction` takes points off per occurrence up to a
 *   cap, a `Bonus` adds points per occurrence up to a cap, a `Veto` fails the unit outright when
 *   its condition is broken (one failure is enough).
 *
 * A scheme's weights are the weighted rules' weights; they must add up to what the scheme declares.
 * What happens to an indicator with no value is the scheme's {@link MissingData} policy.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Whether higher or lower values are better.
 *
 * @since 0.1.0
 * @category models
 */
export const Direction = Schema.Literal("higherIsBetter", "lowerIsBetter")

/**
 * @since 0.1.0
 * @category models
 */
export type Direction = typeof Direction.Type

/**
 * What a scheme does with an indicator that has no value for a unit: `zero` scores it 0 points
 * (a deduction or bonus 0, a veto not broken); `exclude` leaves it out and scales the other
 * weighted rules up so the weights still add up to the scheme's total; `fail` gives the unit no
 * result at all (it is listed with what was missing and not ranked).
 *
 * @since 0.1.0
 * @category models
 */
export const MissingData = Schema.Literal("zero", "exclude", "fail")

/**
 * @since 0.1.0
 * @category models
 */
export type MissingData = typeof MissingData.Type

const Weight = Schema.Finite.pipe(Schema.positive())
const Fraction = Schema.Finite.pipe(Schema.between(0, 1))
const Label = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(80))
const Points = Schema.Finite.pipe(Schema.nonNegative())

/**
 * Linear between two thresholds: nothing at or beyond the worse one, the full weight at or beyond
 * the better one (`min` < `max`; higher-is-better scores (v − min)/(max − min), lower-is-better
 * (max − v)/(max − min), clamped to 0–1).
 *
 * @since 0.1.0
 * @category rules
 */
export class Linear extends Schema.TaggedClass<Linear>()(
  "Linear",
  Schema.Struct({ weight: Weight, direction: Direction, min: Schema.Finite, max: Schema.Finite }).pipe(
    Schema.filter((rule) => rule.min < rule.max || "min must be below max")
  )
) {}

/**
 * One band of a traffic-light legend: values at or beyond `threshold` (at least it when higher is
 * better, at most it when lower is) earn `fraction` of the weight.
 *
 * @since 0.1.0
 * @category rules
 */
export class Band extends Schema.Class<Band>("@sortgrid/assessment/Band")({
  threshold: Schema.Finite,
  fraction: Fraction,
  label: Label,
  colour: Schema.optionalWith(Schema.NullOr(Label), { default: () => null })
}) {}

/**
 * The band for values that reach no threshold.
 *
 * @since 0.1.0
 * @category rules
 */
export class Otherwise extends Schema.Class<Otherwise>("@sortgrid/assessment/Otherwise")({
  fraction: Fraction,
  label: Label,
  colour: Schema.optionalWith(Schema.NullOr(Label), { default: () => null })
}) {}

/**
 * Bands (traffic-light legends): the best band the value reaches decides the fraction.
 *
 * @since 0.1.0
 * @category rules
 */
export class Bands extends Schema.TaggedClass<Bands>()("Bands", {
  weight: Weight,
  direction: Direction,
  bands: Schema.NonEmptyArray(Band),
  otherwise: Otherwise
}) {}

/**
 * Target attainment: higher-is-better scores v / target, lower-is-better target / v (the full
 * weight at or below the target), both capped at 1 and never below 0. `target` > 0.
 *
 * @since 0.1.0
 * @category rules
 */
export class Target extends Schema.TaggedClass<Target>()("Target", {
  weight: Weight,
  direction: Direction,
  target: Schema.Finite.pipe(Schema.positive())
}) {}

/**
 * Rank-based: the units of the group with a value are ranked on it (ties share the better rank);
 * rank r of n scores (n − r)/(n − 1) — the best the full weight, the worst nothing, a lone unit
 * the full weight.
 *
 * @since 0.1.0
 * @category rules
 */
export class Rank extends Schema.TaggedClass<Rank>()("Rank", { weight: Weight, direction: Direction }) {}

/**
 * Deductions per occurrence: the value counts occurrences; each takes `pointsPerOccurrence` off
 * the total, `cap` points at most.
 *
 * @since 0.1.0
 * @category rules
 */
export class Deduction extends Schema.TaggedClass<Deduction>()("Deduction", {
  pointsPerOccurrence: Points,
  cap: Points
}) {}

/**
 * Bonus items: each occurrence adds `pointsPerOccurrence` to the total, `cap` points at most.
 *
 * @since 0.1.0
 * @category rules
 */
export class Bonus extends Schema.TaggedClass<Bonus>()("Bonus", { pointsPerOccurrence: Points, cap: Points }) {}

/**
 * A veto item: the unit fails when the value is beyond the threshold — above it when lower is
 * better (e.g. serious incidents above 0), below it when higher is better.
 *
 * @since 0.1.0
 * @category rules
 */
export class Veto extends Schema.TaggedClass<Veto>()("Veto", { direction: Direction, threshold: Schema.Finite }) {}

/**
 * A scoring rule.
 *
 * @since 0.1.0
 * @category rules
 */
export const Rule = Schema.Union(Linear, Bands, Target, Rank, Deduction, Bonus, Veto)

/**
 * @since 0.1.0
 * @category rules
 */
export type Rule = typeof Rule.Type

/**
 * A rule whose result is a fraction of a weight.
 *
 * @since 0.1.0
 * @category rules
 */
export type Weighted = Linear | Bands | Target | Rank

/**
 * Whether a rule is weighted.
 *
 * @since 0.1.0
 * @category rules
 */
export const isWeighted = (rule: Rule): rule is Weighted =>
  rule._tag === "Linear" || rule._tag === "Bands" || rule._tag === "Target" || rule._tag === "Rank"

/**
 * A rule's weight: 0 for deductions, bonuses and vetoes.
 *
 * @since 0.1.0
 * @category rules
 */
export const weightOf = (rule: Rule): number => (isWeighted(rule) ? rule.weight : 0)

/**
 * How a value scored: the `fraction` of the weight for a weighted rule (else `null`), the signed
 * `points` of a deduction or bonus (else 0), whether a veto was broken, the band reached (label
 * and colour), and `reason`, a one-line account for explanations.
 *
 * @since 0.1.0
 * @category scoring
 */
export type Scored = {
  readonly fraction: number | null
  readonly points: number
  readonly vetoed: boolean
  readonly band: string | null
  readonly colour: string | null
  readonly reason: string
}

const clamp = (value: number): number => Math.min(1, Math.max(0, value))
const better = (direction: Direction, a: number, b: number): boolean => (direction === "higherIsBetter" ? a > b : a < b)

const weighted = (fraction: number, reason: string, band: string | null = null, colour: string | null = null) => ({
  fraction,
  points: 0,
  vetoed: false,
  band,
  colour,
  reason
})

/**
 * A unit's competition rank among `values` (1 + how many are strictly better).
 *
 * @since 0.1.0
 * @category scoring
 */
export const rankAmong = (direction: Direction, value: number, values: ReadonlyArray<number>): number =>
  1 + values.filter((other) => better(direction, other, value)).length

/**
 * Scores a value under a rule. `group` holds the values of every unit of the group that has one
 * (the unit's own included); only `Rank` reads it.
 *
 * @since 0.1.0
 * @category scoring
 */
export const score = (rule: Rule, value: number, group: ReadonlyArray<number>): Scored => {
  switch (rule._tag) {
    case "Linear": {
      const span = rule.max - rule.min
      const fraction = clamp(
        rule.direction === "higherIsBetter" ? (value - rule.min) / span : (rule.max - value) / span
      )
      return weighted(fraction, `linear ${rule.direction} from ${rule.min} to ${rule.max}`)
    }
    case "Bands": {
      const reached = rule.bands
        .filter((band) => (rule.direction === "higherIsBetter" ? value >= band.threshold : value <= band.threshold))
        .sort((a, b) => (better(rule.direction, a.threshold, b.threshold) ? -1 : 1))[0]
      const band = reached ?? rule.otherwise
      const at = reached === undefined ? "no threshold reached" : `threshold ${reached.threshold}`
      return weighted(band.fraction, `band "${band.label}" (${at})`, band.label, band.colour)
    }
    case "Target": {
      const fraction =
        rule.direction === "higherIsBetter"
          ? clamp(value / rule.target)
          : value <= rule.target
            ? 1
            : rule.target / value
      return weighted(clamp(fraction), `target ${rule.target} (${rule.direction})`)
    }
    case "Rank": {
      const rank = rankAmong(rule.direction, value, group)
      const n = group.length
      return weighted(n <= 1 ? 1 : (n - rank) / (n - 1), `rank ${rank} of ${n} (${rule.direction})`)
    }
    case "Deduction":
    case "Bonus": {
      const raw = Math.max(0, value) * rule.pointsPerOccurrence
      const points = Math.min(raw, rule.cap)
      const capped = raw > rule.cap ? `, capped at ${rule.cap}` : ""
      return {
        fraction: null,
        points: rule._tag === "Deduction" && points > 0 ? -points : points,
        vetoed: false,
        band: null,
        colour: null,
        reason: `${rule.pointsPerOccurrence} per occurrence${capped}`
      }
    }
    case "Veto": {
      const vetoed = rule.direction === "higherIsBetter" ? value < rule.threshold : value > rule.threshold
      const side = rule.direction === "higherIsBetter" ? "below" : "above"
      return {
        fraction: null,
        points: 0,
        vetoed,
        band: null,
        colour: null,
        reason: vetoed ? `veto: ${side} ${rule.threshold}` : `veto passed (not ${side} ${rule.threshold})`
      }
    }
  }
}

// --- prepared rules -------------------------------------------------------------------------------

/**
 * A rule prepared once per scheme to score many values without allocating: `measure` gives what
 * {@link score} reports — the fraction for a weighted rule, the signed points for a deduction or
 * bonus, 1 for a broken veto and 0 for a kept one — and `band` the index in `rule.bands` of the
 * band reached (−1 for `otherwise`, and for every rule that is not `Bands`). `Rank` depends on the
 * whole group: see {@link competitionRanks} and {@link rankFraction}. Equality with `score` is a
 * property test.
 *
 * @since 0.1.0
 * @category scoring
 */
export interface Prepared {
  readonly measure: (value: number) => number
  readonly band: (value: number) => number
}

const noBand = () => -1

/**
 * Prepares a rule other than `Rank` (see {@link Prepared}).
 *
 * @since 0.1.0
 * @category scoring
 */
export const prepare = (rule: Exclude<Rule, Rank>): Prepared => {
  switch (rule._tag) {
    case "Linear": {
      const { min, max } = rule
      const span = max - min
      return rule.direction === "higherIsBetter"
        ? { measure: (value) => clamp((value - min) / span), band: noBand }
        : { measure: (value) => clamp((max - value) / span), band: noBand }
    }
    case "Bands": {
      // The bands best threshold first, so the first one reached is the best one reached.
      const order = rule.bands
        .map((band, index) => ({ threshold: band.threshold, fraction: band.fraction, index }))
        .sort((a, b) => (better(rule.direction, a.threshold, b.threshold) ? -1 : 1))
      const thresholds = order.map((entry) => entry.threshold)
      const indexes = order.map((entry) => entry.index)
      const fractions = order.map((entry) => entry.fraction)
      const count = order.length
      const higher = rule.direction === "higherIsBetter"
      const reached = (value: number): number => {
        for (let k = 0; k < count; k++) {
          const threshold = thresholds[k] ?? 0
          if (higher ? value >= threshold : value <= threshold) return k
        }
        return -1
      }
      const otherwise = rule.otherwise.fraction
      return {
        measure: (value) => {
          const k = reached(value)
          return k < 0 ? otherwise : (fractions[k] ?? otherwise)
        },
        band: (value) => {
          const k = reached(value)
          return k < 0 ? -1 : (indexes[k] ?? -1)
        }
      }
    }
    case "Target": {
      const target = rule.target
      return rule.direction === "higherIsBetter"
        ? { measure: (value) => clamp(clamp(value / target)), band: noBand }
        : { measure: (value) => clamp(value <= target ? 1 : target / value), band: noBand }
    }
    case "Deduction":
    case "Bonus": {
      const { pointsPerOccurrence, cap } = rule
      const deduction = rule._tag === "Deduction"
      return {
        measure: (value) => {
          const points = Math.min(Math.max(0, value) * pointsPerOccurrence, cap)
          return deduction && points > 0 ? -points : points
        },
        band: noBand
      }
    }
    case "Veto": {
      const threshold = rule.threshold
      return rule.direction === "higherIsBetter"
        ? { measure: (value) => (value < threshold ? 1 : 0), band: noBand }
        : { measure: (value) => (value > threshold ? 1 : 0), band: noBand }
    }
  }
}

/**
 * Competition ranks of `values` (1 + how many are strictly better, as {@link rankAmong} gives),
 * by one sort rather than a count per value.
 *
 * @since 0.1.0
 * @category scoring
 */
export const competitionRanks = (direction: Direction, values: ArrayLike<number>): Int32Array => {
  const order = Array.from({ length: values.length }, (_, i) => i)
  const of = (i: number) => values[i] ?? 0
  order.sort(direction === "higherIsBetter" ? (a, b) => of(b) - of(a) : (a, b) => of(a) - of(b))
  const ranks = new Int32Array(values.length)
  order.forEach((i, k) => {
    const previous = order[k - 1]
    ranks[i] = previous !== undefined && of(previous) === of(i) ? (ranks[previous] ?? k + 1) : k + 1
  })
  return ranks
}

/**
 * What rank `rank` of `count` scores under a `Rank` rule: (n − r)/(n − 1), a lone unit 1.
 *
 * @since 0.1.0
 * @category scoring
 */
export const rankFraction = (rank: number, count: number): number => (count <= 1 ? 1 : (count - rank) / (count - 1))
