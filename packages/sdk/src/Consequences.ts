/**
 * Assessment consequences → problems on the register. The assessment engine only says what should
 * happen (`Consequence.Action`: "send a supervision-and-help team to sub-b"); this puts each action
 * on the problem register, where it gets a deadline, an assignee and a re-inspection like any other
 * problem. The two packages never import each other: the SDK wires them here.
 *
 * Each action becomes a manual report on the unit's node, in the category the host maps the action
 * to, with the action's description and reason as the note. The problem id is derived from the
 * scheme, period, action and unit, so registering the same actions again is a retry and puts nothing
 * on the register twice.
 *
 * @since 0.1.0
 */
import type { Consequence } from "@sortgrid/assessment"
import { type Actor, Json } from "@sortgrid/core"
import { ProblemRegister } from "@sortgrid/issues"
import { Effect } from "effect"

/**
 * How actions become problems: the category (and its attributes) for each action.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mapping {
  readonly categoryOf: (action: Consequence.Action) => string
  readonly attributesOf?: (action: Consequence.Action) => Record<string, unknown>
}

const problemId = (action: Consequence.Action): string => {
  const readable = `assess.${action.schemeId}.${action.period}.${action.action}.${action.unit}`
  return readable.length <= 128 && /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(readable)
    ? readable
    : `assess.${Json.digest([action.schemeId, action.period, action.action, action.unit]).slice(0, 40)}`
}

/**
 * The register inputs for actions (what `ProblemRegister.registerMany` takes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const toRegisterInputs = (actions: ReadonlyArray<Consequence.Action>, mapping: Mapping) =>
  actions.map((action) => ({
    id: problemId(action),
    categoryCode: mapping.categoryOf(action),
    nodeId: action.unit,
    source: { _tag: "ManualReport", reference: `assessment:${action.schemeId}/${action.period}` },
    note: `${action.description} (${action.reason})`,
    ...(mapping.attributesOf === undefined ? {} : { attributes: mapping.attributesOf(action) })
  }))

/**
 * Puts actions on the problem register in one batch, as the actor (who needs `issues.register` on
 * each unit's node).
 *
 * @since 0.1.0
 * @category services
 */
export const register = (
  actor: Actor.Actor,
  actions: ReadonlyArray<Consequence.Action>,
  mapping: Mapping
): Effect.Effect<
  ReadonlyArray<ProblemRegister.Registration>,
  ProblemRegister.RegisterError,
  ProblemRegister.ProblemRegister
> =>
  actions.length === 0
    ? Effect.succeed([])
    : Effect.flatMap(ProblemRegister.ProblemRegister, (service) =>
        service.registerMany(actor, toRegisterInputs(actions, mapping))
      )
