/** The issues group's handlers: the `ProblemRegister` and `Inspections` services, paged. */
import { HttpApiBuilder } from "@effect/platform"
import { Period } from "@sortgrid/core"
import { Inspection, Inspections, ProblemRegister } from "@sortgrid/issues"
import { Effect, Schema } from "effect"
import { Api } from "../../Api.js"
import { CurrentActor } from "../../Auth.js"
import * as IssuesApi from "../../IssuesApi.js"
import * as Paging from "../../Paging.js"
import { badQuery, call, existingPath, granted, today, visibleNode, visibleProblem, wire } from "../guard.js"

const decodeFrequency = Schema.decodeUnknown(Inspection.ReinspectionFrequency, { errors: "all" })

export const layer = HttpApiBuilder.group(Api, "issues", (handlers) =>
  Effect.gen(function* () {
    const register = yield* ProblemRegister.ProblemRegister
    const inspections = yield* Inspections.Inspections
    return handlers
      .handle("register", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.register")
          yield* visibleNode(actor, payload.nodeId)
          const input = yield* wire(IssuesApi.RegisterBody, payload)
          return yield* call(register.register(actor, input))
        })
      )
      .handle("transition", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.transition")
          yield* visibleProblem(actor, payload.problemId)
          const input = yield* wire(IssuesApi.TransitionBody, payload)
          return yield* call(register.transition(actor, input))
        })
      )
      .handle("history", ({ path }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.read")
          yield* visibleProblem(actor, path.problemId)
          return yield* call(register.history(actor, path.problemId), { entity: "Problem", id: path.problemId })
        })
      )
      .handle("stats", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.read")
          const { under, period } = urlParams
          const stats = yield* call(register.stats(actor, { under, period }), { entity: "Node", id: under })
          yield* existingPath(under, Period.isoDateOfDay(Period.endDay(period)))
          return {
            period: Period.format(stats.period),
            unplaced: stats.unplaced,
            nodes: yield* Paging.paginate([...stats.nodes.values()], (node) => node.path, urlParams)
          }
        })
      )
      .handle("define", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.configure")
          const input = yield* wire(IssuesApi.DefineBody, payload)
          return yield* call(inspections.define(actor, input))
        })
      )
      .handle("recordVisit", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.inspect")
          yield* visibleNode(actor, payload.nodeId)
          const input = yield* wire(IssuesApi.VisitBody, payload)
          return yield* call(inspections.recordVisit(actor, input))
        })
      )
      .handle("reinspectionsDue", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.read")
          const frequency = yield* Effect.mapError(decodeFrequency(IssuesApi.frequencyOf(urlParams)), badQuery)
          const due = yield* call(inspections.reinspectionsDue(actor, { under: urlParams.under, frequency }), {
            entity: "Node",
            id: urlParams.under
          })
          yield* existingPath(urlParams.under, yield* today)
          return yield* Paging.paginate(due, (item) => `${Paging.numberKey(item.dueAt)}~${item.problem.id}`, urlParams)
        })
      )
  })
)
