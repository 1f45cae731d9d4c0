/**
 * What the assessment engine needs to know about a data element beyond core's `DataElement`: the
 * type of its values, the range they may take, and how they aggregate up the tree and over time.
 *
 * Aggregation is two-staged, as DHIS2 does it: first over time, per node (the months of a quarter
 * into one figure), then up the tree, across nodes (the communities of a subdistrict into one).
 * Both stages are pure functions of the observations; an empty input has nothing to say and yields
 * `undefined`, never a guessed zero.
 *
 * @since 0.1.0
 */
import { DataValue, Errors, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"

/**
 * The type of an element's values: any finite `number`; a `count` (a whole number, zero or more);
 * a `ratio` (between 0 and 1); a `boolean` (0 for no, 1 for yes).
 *
 * @since 0.1.0
 * @category models
 */
export const ValueType = Schema.Literal("number", "count", "ratio", "boolean")

/**
 * @since 0.1.0
 * @category models
 */
export type ValueType = typeof ValueType.Type

/**
 * How node values combine up the tree: `sum`; `average` (every reporting node counts once);
 * `averageOfUnits` (the mean of the units' sums: each direct unit counts once however many nodes
 * it holds); `last` (each node's most recent value, summed — for stock figures such as the number
 * of compounds); `min`; `max`; `count` (how many nodes reported).
 *
 * @since 0.1.0
 * @category models
 */
export const TreeAggregation = Schema.Literal("sum", "average", "averageOfUnits", "last", "min", "max", "count")

/**
 * @since 0.1.0
 * @category models
 */
export type TreeAggregation = typeof TreeAggregation.Type

/**
 * How one node's values over the sub-periods of a period combine: `sum`, `average`, or `last`
 * (the value of the latest sub-period).
 *
 * @since 0.1.0
 * @category models
 */
export const TimeAggregation = Schema.Literal("sum", "average", "last")

/**
 * @since 0.1.0
 * @category models
 */
export type TimeAggregation = typeof TimeAggregation.Type

/**
 * The bounds a value must lie within (inclusive). A lower bound above zero also tells the formula
 * checker that the element can never be zero, so dividing by it needs no guard.
 *
 * @since 0.1.0
 * @category models
 */
export class Range extends Schema.Class<Range>("@sortgrid/assessment/Range")(
  Schema.Struct({
    min: Schema.NullOr(Schema.Finite),
    max: Schema.NullOr(Schema.Finite)
  }).pipe(
    Schema.filter(
      (range) => range.min === null || range.max === null || range.min <= range.max || "min must not exceed max"
    )
  )
) {}

/**
 * A data element as a scheme declares it: the element id its values carry, what it measures,
 * the type and range of its values and how they aggregate.
 *
 * @since 0.1.0
 * @category models
 */
export class ElementSpec extends Schema.Class<ElementSpec>("@sortgrid/assessment/ElementSpec")({
  id: DataValue.DataElementId,
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  valueType: ValueType,
  aggregation: Schema.optionalWith(TreeAggregation, { default: () => "sum" }),
  timeAggregation: Schema.optionalWith(TimeAggregation, { default: () => "sum" }),
  range: Schema.optionalWith(Schema.NullOr(Range), { default: () => null })
}) {}

/**
 * The spec of a provider's element: its id and name, with the engine's extras. A provider's `unit`
 * suggests the type (`count` → count, `ratio` → ratio), which `extras` may override.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCore = (
  element: DataValue.DataElement,
  extras: Partial<Pick<ElementSpec, "valueType" | "aggregation" | "timeAggregation" | "range">> = {}
): ElementSpec =>
  ElementSpec.make({
    id: element.id,
    name: element.name,
    valueType: extras.valueType ?? (element.unit === "count" || element.unit === "ratio" ? element.unit : "number"),
    aggregation: extras.aggregation ?? "sum",
    timeAggregation: extras.timeAggregation ?? "sum",
    range: extras.range ?? null
  })

/**
 * Whether an element's values can never be zero: its range lies wholly above or below zero.
 *
 * @since 0.1.0
 * @category predicates
 */
export const neverZero = (spec: ElementSpec): boolean =>
  spec.range !== null &&
  ((spec.range.min !== null && spec.range.min > 0) || (spec.range.max !== null && spec.range.max < 0))

/**
 * Checks a value against its element's type and range: `Invalid` at `path` naming the reason.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkValue = (
  spec: ElementSpec,
  value: number,
  path: ReadonlyArray<string | number> = ["value"]
): Either.Either<number, Errors.Invalid> => {
  const fail = (reason: string) => Either.left(Errors.Invalid.one(path, `${spec.id}: ${reason}`))
  if (!Number.isFinite(value)) return fail("must be a finite number")
  if (spec.valueType === "count" && !(Number.isInteger(value) && value >= 0)) return fail("must be a whole number >= 0")
  if (spec.valueType === "ratio" && !(value >= 0 && value <= 1)) return fail("must be a ratio between 0 and 1")
  if (spec.valueType === "boolean" && value !== 0 && value !== 1) return fail("must be 0 (no) or 1 (yes)")
  if (spec.range?.min != null && value < spec.range.min) return fail(`must be at least ${spec.range.min}`)
  if (spec.range?.max != null && value > spec.range.max) return fail(`must be at most ${spec.range.max}`)
  return Either.right(value)
}

// --- aggregation ----------------------------------------------------------------------------------

/**
 * One value of one node in one period, as aggregation sees it. `unit` is the direct unit the node
 * rolls into (for `averageOfUnits`); it defaults to the node itself.
 *
 * @since 0.1.0
 * @category aggregation
 */
export interface Observation {
  readonly node: string
  readonly period: Period.Period
  readonly value: number
  readonly unit?: string
}

/**
 * Combines one node's values over time. Values are taken in period order, so `last` is the value
 * of the latest period whatever order they come in.
 *
 * @since 0.1.0
 * @category aggregation
 */
export const overTime = (
  aggregation: TimeAggregation,
  values: ReadonlyArray<{ readonly period: Period.Period; readonly value: number }>
): number | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => Period.order(a.period, b.period))
  const sum = sorted.reduce((total, entry) => total + entry.value, 0)
  switch (aggregation) {
    case "sum":
      return sum
    case "average":
      return sum / sorted.length
    case "last":
      return sorted[sorted.length - 1]?.value
  }
}

const sumOf = (values: Iterable<number>): number => {
  let total = 0
  for (const value of values) total += value
  return total
}

/**
 * Aggregates observations across nodes and time: each node's values first over time (`time`), then
 * the node figures up the tree (`tree`). Nodes are visited in id order, so the result never
 * depends on the order of the input.
 *
 * @since 0.1.0
 * @category aggregation
 */
export const aggregate = (options: {
  readonly tree: TreeAggregation
  readonly time: TimeAggregation
  readonly observations: ReadonlyArray<Observation>
}): number | undefined => {
  const byNode = new Map<string, Array<Observation>>()
  for (const observation of options.observations) {
    const list = byNode.get(observation.node)
    if (list === undefined) byNode.set(observation.node, [observation])
    else list.push(observation)
  }
  if (byNode.size === 0) return undefined
  const nodes = [...byNode.keys()].sort()
  // `last` up the tree reads each node's latest value whatever the time aggregation says.
  const time: TimeAggregation = options.tree === "last" ? "last" : options.time
  const figures = nodes.map((node) => overTime(time, byNode.get(node) ?? []) ?? 0)
  switch (options.tree) {
    case "sum":
    case "last":
      return sumOf(figures)
    case "average":
      return sumOf(figures) / figures.length
    case "count":
      return figures.length
    case "min":
      return Math.min(...figures)
    case "max":
      return Math.max(...figures)
    case "averageOfUnits": {
      const units = new Map<string, number>()
      nodes.forEach((node, i) => {
        const unit = byNode.get(node)?.[0]?.unit ?? node
        units.set(unit, (units.get(unit) ?? 0) + (figures[i] ?? 0))
      })
      const keys = [...units.keys()].sort()
      return sumOf(keys.map((key) => units.get(key) ?? 0)) / keys.length
    }
  }
}
