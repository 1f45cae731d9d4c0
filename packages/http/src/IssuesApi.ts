/**
 * The issues group: the problem register (register, transition, history, stats) and inspections
 * (define campaigns and checklists, record a visit, list re-inspections due). The SDK's services
 * check `issues.register`, `issues.transition`, `issues.read`, `issues.configure` and
 * `issues.inspect` over the problem's or node's place; the actor and the time are the server's,
 * never the client's, so bodies carry no `registeredBy`, `inspector`, `version` or `state`: any
 * field an endpoint does not list is refused with a 400.
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Actor, Period } from "@sortgrid/core"
import { Inspection, Inspections, Lifecycle, Problem, ProblemRegister } from "@sortgrid/issues"
import { Schema } from "effect"
import { Authentication } from "./Auth.js"
import { PostHeaders } from "./IdempotencyStore.js"
import * as Paging from "./Paging.js"

/** Refuses fields the schema does not list, instead of dropping them. */
const strict = { parseOptions: { onExcessProperty: "error", errors: "all" } } as const

/**
 * The body of `POST /issues/problems`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterBody = ProblemRegister.RegisterInput.pipe(Schema.annotations(strict))

/**
 * The body of `POST /issues/transitions`: one lifecycle command.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TransitionBody = Lifecycle.Change.pipe(Schema.annotations(strict))

/**
 * The body of `POST /issues/inspections/definitions`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DefineBody = Inspections.DefineInput.pipe(Schema.annotations(strict))

/**
 * The body of `POST /issues/inspections/visits`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VisitBody = Inspections.VisitInput.pipe(Schema.annotations(strict))

/**
 * A registration: the problem, and whether it was registered now, replayed or de-duplicated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Registration = Schema.Struct({
  problem: Problem.Problem,
  outcome: Schema.Literal("registered", "replayed", "deduplicated")
})

/**
 * A transition: the problem's new version and the event recorded.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Transition = Schema.Struct({ problem: Problem.Problem, event: Lifecycle.ProblemEvent })

/**
 * A recorded visit.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Recorded = Schema.Struct({
  record: Inspection.VisitRecord,
  outcome: Schema.Literal("recorded", "replayed")
})

/**
 * An open problem due for re-inspection.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Due = Schema.Struct({
  problem: Problem.Problem,
  dueAt: Schema.Int,
  lastVisitAt: Schema.NullOr(Schema.Int)
})

const Ratio = Schema.Struct({
  numerator: Schema.Number,
  denominator: Schema.Number,
  value: Schema.NullOr(Schema.Number)
})

const Durations = Schema.Struct({
  count: Schema.Int,
  sum: Schema.Number,
  min: Schema.NullOr(Schema.Number),
  max: Schema.NullOr(Schema.Number),
  median: Schema.NullOr(Schema.Number),
  mean: Schema.NullOr(Schema.Number)
})

/**
 * The stats of one node for one period (see `Stats.NodeStats` in `@sortgrid/issues`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const NodeStats = Schema.Struct({
  nodeId: Schema.String,
  path: Schema.String,
  opened: Schema.Int,
  closedFixed: Schema.Int,
  closedOther: Schema.Int,
  openAtStart: Schema.Int,
  openAtEnd: Schema.Int,
  overdueAtEnd: Schema.Int,
  timeToClose: Durations,
  compounds: Schema.Int,
  compoundsWithOpen: Schema.Int,
  perCompound: Ratio,
  perAffectedCompound: Ratio,
  burnDown: Schema.Array(Schema.Int),
  records: Schema.Struct({
    opened: Schema.Array(Schema.String),
    closedFixed: Schema.Array(Schema.String),
    closedOther: Schema.Array(Schema.String),
    openAtEnd: Schema.Array(Schema.String),
    overdueAtEnd: Schema.Array(Schema.String)
  })
}).annotations({ identifier: "NodeStats" })

/**
 * Problem stats under a path for a period: a page of nodes, by path.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StatsPage = Schema.Struct({
  period: Schema.String,
  unplaced: Schema.Int,
  nodes: Paging.Page(NodeStats)
})

/**
 * Re-inspection frequencies in a query string: `groupId:days` pairs, comma-separated
 * (`property-managed:7,rural:14`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ByGroup = Schema.transform(
  Schema.String.pipe(
    Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]*:\d{1,3}(,[A-Za-z0-9][A-Za-z0-9._-]*:\d{1,3})*$/, {
      message: () => "must be groupId:days pairs separated by commas"
    })
  ),
  Schema.Array(Schema.Struct({ groupId: Schema.String, days: Schema.Number })),
  {
    strict: true,
    decode: (text) =>
      text.split(",").map((pair) => {
        const at = pair.lastIndexOf(":")
        return { groupId: pair.slice(0, at), days: Number(pair.slice(at + 1)) }
      }),
    encode: (pairs) => pairs.map(({ groupId, days }) => `${groupId}:${days}`).join(",")
  }
)

/**
 * The issues endpoints (every POST needs an `Idempotency-Key`).
 *
 * - `POST /issues/problems` — put a problem on the register;
 * - `POST /issues/transitions` — assign, rectify, re-inspect, close or escalate a problem;
 * - `GET /issues/problems/{problemId}/history` — a problem's events, oldest first;
 * - `GET /issues/stats?under=&period=&cursor=&limit=` — stats per node for a period;
 * - `POST /issues/inspections/definitions` — define campaigns and checklist templates;
 * - `POST /issues/inspections/visits` — record a visit (failing items register problems);
 * - `GET /issues/inspections/due?under=&defaultDays=&byGroup=&cursor=&limit=` — re-inspections due now.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("issues")
  .add(
    HttpApiEndpoint.post("register", "/problems")
      .setHeaders(PostHeaders)
      .setPayload(RegisterBody)
      .addSuccess(Registration)
      .annotate(OpenApi.Summary, "Put a problem on the register; the deadline comes from the category's SLA")
  )
  .add(
    HttpApiEndpoint.post("transition", "/transitions")
      .setHeaders(PostHeaders)
      .setPayload(TransitionBody)
      .addSuccess(Transition)
      .annotate(OpenApi.Summary, "Move a problem through its lifecycle (compare-and-set on expectedVersion)")
  )
  .add(
    HttpApiEndpoint.get("history", "/problems/:problemId/history")
      .setPath(Schema.Struct({ problemId: Problem.ProblemId }))
      .addSuccess(Schema.Array(Lifecycle.ProblemEvent))
      .annotate(OpenApi.Summary, "A problem's events, oldest first")
  )
  .add(
    HttpApiEndpoint.get("stats", "/stats")
      .setUrlParams(Schema.Struct({ under: Actor.NodePath, period: Period.PeriodFromString, ...Paging.pageParams }))
      .addSuccess(StatsPage)
      .annotate(OpenApi.Summary, "Problem stats per node on or under a path for a period (2023-06, 2023-Q2…)")
  )
  .add(
    HttpApiEndpoint.post("define", "/inspections/definitions")
      .setHeaders(PostHeaders)
      .setPayload(DefineBody)
      .addSuccess(Inspections.DefineInput)
      .annotate(OpenApi.Summary, "Define inspection campaigns and checklist templates, once per id")
  )
  .add(
    HttpApiEndpoint.post("recordVisit", "/inspections/visits")
      .setHeaders(PostHeaders)
      .setPayload(VisitBody)
      .addSuccess(Recorded)
      .annotate(OpenApi.Summary, "Record an inspection visit as the caller, now")
  )
  .add(
    HttpApiEndpoint.get("reinspectionsDue", "/inspections/due")
      .setUrlParams(
        Schema.Struct({
          under: Actor.NodePath,
          defaultDays: Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 366)),
          byGroup: Schema.optional(ByGroup),
          ...Paging.pageParams
        })
      )
      .addSuccess(Paging.Page(Due))
      .annotate(OpenApi.Summary, "Open problems on or under a path due for re-inspection now, earliest first")
  )
  .middleware(Authentication)
  .prefix("/issues")
  .annotate(OpenApi.Description, "The problem register and inspections")

/**
 * The frequency a `reinspectionsDue` query describes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const frequencyOf = (query: {
  readonly defaultDays: number
  readonly byGroup?: ReadonlyArray<{ readonly groupId: string; readonly days: number }> | undefined
}): Schema.Schema.Encoded<typeof Inspection.ReinspectionFrequency> => ({
  defaultDays: query.defaultDays,
  byGroup: (query.byGroup ?? []).map(({ groupId, days }) => ({ groupId, days }))
})
