/**
 * The assessment group's handlers: the `Assessments` service. Every handler checks first that one
 * of the actor's roles grants the permission (a 403 otherwise). Writes that name nodes or units
 * then check that each lies inside the actor's scope — on the tree at the period's end, or as the
 * unit's approval row places it — and answer 404 otherwise, the same 404 a node or unit that does
 * not exist gets; the service decides (and checks) again.
 */
import { HttpApiBuilder } from "@effect/platform"
import { Assessments } from "@sortgrid/assessment"
import { AssessmentStore } from "@sortgrid/assessment/AssessmentStore"
import { Actor, DataValue, Period } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import { NodeId } from "@sortgrid/grid/Node"
import { Effect, Either } from "effect"
import { Api } from "../../Api.js"
import * as ApiError from "../../ApiError.js"
import * as AssessmentApi from "../../AssessmentApi.js"
import { CurrentActor } from "../../Auth.js"
import * as Paging from "../../Paging.js"
import { call, granted, wire } from "../guard.js"

/** The last day of a period id (the date the service places nodes on); none for a malformed id. */
const lastDayOf = (period: string): Period.IsoDate | undefined =>
  Either.match(Period.parse(period), {
    onLeft: () => undefined,
    onRight: (parsed) => Period.isoDateOfDay(Period.endDay(parsed))
  })

/** Each node, if it stands on the tree on its date inside the actor's scope; else the first one's 404. */
const visibleNodes = (actor: Actor.Actor, nodes: ReadonlyArray<{ readonly node: string; readonly period: string }>) =>
  Effect.gen(function* () {
    const store = yield* GridStore
    const byDate = new Map<Period.IsoDate, Set<string>>()
    for (const { node, period } of nodes) {
      const asOf = lastDayOf(period)
      if (asOf !== undefined) byDate.set(asOf, (byDate.get(asOf) ?? new Set()).add(node))
    }
    for (const [asOf, ids] of byDate) {
      const found = yield* call(
        store.versions({ asOf, ids: [...ids].map((id) => NodeId.make(id, { disableValidation: true })) })
      )
      const paths = new Map(found.map((version) => [version.nodeId as string, version.path]))
      for (const id of ids) {
        const path = paths.get(id)
        if (path === undefined || !Actor.covers(actor, path)) return yield* ApiError.notFound({ entity: "Node", id })
      }
    }
  })

/**
 * Each unit, if it has a row in the scheme's approvals for the period placed inside the actor's
 * scope; else the first one's 404 (a unit with no result is answered as one out of scope).
 */
const visibleUnits = (
  actor: Actor.Actor,
  command: { readonly schemeId: string; readonly period: DataValue.PeriodId; readonly units: ReadonlyArray<string> }
) =>
  Effect.gen(function* () {
    const store = yield* AssessmentStore
    const rows = yield* call(store.approvals({ period: command.period }))
    const placed = new Map(rows.filter((row) => row.schemeId === command.schemeId).map((row) => [row.unit, row.path]))
    for (const unit of command.units) {
      const path = placed.get(DataValue.NodeRef.make(unit, { disableValidation: true }))
      if (path === undefined || !Actor.covers(actor, path))
        return yield* ApiError.notFound({ entity: "Unit", id: unit })
    }
  })

export const layer = HttpApiBuilder.group(Api, "assessment", (handlers) =>
  Effect.gen(function* () {
    const assessments = yield* Assessments.Assessments

    /** A health check, after the role check. */
    const health = (actor: Actor.Actor, query: typeof AssessmentApi.HealthQuery.Type) =>
      Effect.zipRight(
        granted(actor, "assessment.read"),
        call(
          assessments.healthCheck(actor, {
            schemeId: query.schemeId,
            period: query.period,
            unit: query.unit,
            ...(query.periods === undefined ? {} : { periods: query.periods }),
            ...(query.weakest === undefined ? {} : { weakest: query.weakest })
          })
        )
      )

    return handlers
      .handle("defineScheme", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.scheme")
          return yield* call(assessments.defineScheme(actor, yield* wire(AssessmentApi.SchemeBody, payload)))
        })
      )
      .handle("schemeVersions", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.read")
          return yield* call(assessments.schemeVersions(actor, path.schemeId), { entity: "Scheme", id: path.schemeId })
        })
      )
      .handle("schemeDiff", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.read")
          return yield* call(
            assessments.schemeDiff(actor, { id: path.schemeId, from: urlParams.from, to: urlParams.to })
          )
        })
      )
      .handle("enterValues", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.enter")
          yield* visibleNodes(actor, payload.values)
          const input = yield* wire(AssessmentApi.ValuesBody, payload)
          return { values: yield* call(assessments.enterValues(actor, input.values)) }
        })
      )
      .handle("evaluate", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.evaluate")
          yield* visibleNodes(
            actor,
            (payload.units ?? []).map((node) => ({ node, period: payload.period }))
          )
          return yield* call(assessments.evaluate(actor, yield* wire(AssessmentApi.EvaluateBody, payload)))
        })
      )
      .handle("results", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.read")
          const { schemeId, period } = urlParams
          // A scheme that does not exist has no results: a 404, not an empty page.
          yield* call(assessments.schemeVersions(actor, schemeId), { entity: "Scheme", id: schemeId })
          const results = yield* call(assessments.results(actor, { schemeId, period }))
          return yield* Paging.paginate(results, (stored) => Paging.numberKey(stored.version), urlParams)
        })
      )
      .handle("approve", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.approve")
          yield* visibleUnits(actor, payload)
          return {
            approvals: yield* call(assessments.approve(actor, yield* wire(AssessmentApi.ApprovalBody, payload)))
          }
        })
      )
      .handle("unapprove", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.approve")
          yield* visibleUnits(actor, payload)
          const input = yield* wire(AssessmentApi.ApprovalBody, payload)
          return { approvals: yield* call(assessments.unapprove(actor, input)) }
        })
      )
      .handle("appeal", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.appeal")
          yield* visibleNodes(actor, [{ node: payload.unit, period: payload.period }])
          return yield* call(assessments.appeal(actor, yield* wire(AssessmentApi.AppealBody, payload)))
        })
      )
      .handle("consequences", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.read")
          const input = yield* wire(AssessmentApi.ConsequencesBody, payload)
          return yield* call(assessments.consequences(actor, input))
        })
      )
      .handle("allocate", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "assessment.allocate")
          return yield* call(assessments.allocate(actor, yield* wire(AssessmentApi.AllocateBody, payload)))
        })
      )
      .handle("health", ({ urlParams }) => Effect.flatMap(CurrentActor, (actor) => health(actor, urlParams)))
      .handle("healthMarkdown", ({ urlParams }) =>
        Effect.flatMap(CurrentActor, (actor) => Effect.map(health(actor, urlParams), (found) => found.markdown))
      )
  })
)
