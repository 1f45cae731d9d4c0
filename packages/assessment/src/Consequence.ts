/**
 * Consequences: rules over a group's results that emit actions — "send a supervision-and-help team
 * to the bottom three towns", "a rectification notice to every unit below 60". The engine only
 * says what should happen and why; the SDK turns the actions into problems on the register.
 *
 * Rules see ranked units only (scored or vetoed; incomplete units have no rank or total). `BottomN`
 * takes the units whose rank is among the last `n` ranks given (ties at the boundary are all in);
 * `BelowThreshold` takes units whose total is below `threshold`; a vetoed unit is always below.
 * Actions come out in rule order, then by unit id, one per rule and unit.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import type * as Evaluation from "./Evaluation.js"

const ActionCode = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9-]{0,63}$/))
const Text = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(500))

/**
 * The units among the last `n` ranks.
 *
 * @since 0.1.0
 * @category rules
 */
export class BottomN extends Schema.TaggedClass<BottomN>()("BottomN", {
  n: Schema.Int.pipe(Schema.positive()),
  action: ActionCode,
  description: Text
}) {}

/**
 * The units whose total is below `threshold`.
 *
 * @since 0.1.0
 * @category rules
 */
export class BelowThreshold extends Schema.TaggedClass<BelowThreshold>()("BelowThreshold", {
  threshold: Schema.Finite,
  action: ActionCode,
  description: Text
}) {}

/**
 * A consequence rule.
 *
 * @since 0.1.0
 * @category rules
 */
export const Rule = Schema.Union(BottomN, BelowThreshold)

/**
 * @since 0.1.0
 * @category rules
 */
export type Rule = typeof Rule.Type

/**
 * An action a rule emits for a unit: what to do (`action`, `description`), why (`reason`), and the
 * result it was decided on.
 *
 * @since 0.1.0
 * @category models
 */
export class Action extends Schema.Class<Action>("@sortgrid/assessment/Action")({
  action: ActionCode,
  description: Text,
  reason: Schema.String,
  unit: Schema.String,
  period: Schema.String,
  schemeId: Schema.String,
  total: Schema.NullOr(Schema.Number),
  rank: Schema.NullOr(Schema.Number),
  of: Schema.Int
}) {}

/**
 * The actions the rules emit for a result.
 *
 * @since 0.1.0
 * @category rules
 */
export const actions = (result: Evaluation.Result, rules: ReadonlyArray<Rule>): ReadonlyArray<Action> => {
  const ranked = result.units.filter((unit) => unit.rank !== null)
  const of = ranked.length
  const action = (rule: Rule, unit: Evaluation.UnitResult, reason: string) =>
    new Action({
      action: rule.action,
      description: rule.description,
      reason,
      unit: unit.unit,
      period: result.period,
      schemeId: result.scheme.id,
      total: unit.total,
      rank: unit.rank,
      of
    })
  return rules.flatMap((rule) => {
    const hit =
      rule._tag === "BottomN"
        ? ranked.filter((unit) => (unit.rank ?? 0) > of - rule.n)
        : ranked.filter((unit) => unit.status === "vetoed" || (unit.total ?? 0) < rule.threshold)
    return [...hit]
      .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))
      .map((unit) =>
        action(
          rule,
          unit,
          rule._tag === "BottomN"
            ? `rank ${unit.rank} of ${of}: among the bottom ${rule.n}`
            : unit.status === "vetoed"
              ? `vetoed by ${unit.vetoedBy.join(", ")}`
              : `total ${unit.total} below ${rule.threshold}`
        )
      )
  })
}
