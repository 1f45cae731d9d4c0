/**
 * The assessment group: versioned schemes, data values, scoring, results with their explanation,
 * bottom-up approval, appeals, consequences, the reward fund's split and a unit's health check. The
 * SDK's `Assessments` service checks `assessment.scheme`, `.enter`, `.evaluate`, `.approve`,
 * `.appeal`, `.allocate` and `.read`.
 *
 * Writes that name places are checked where they act: entering a value needs `assessment.enter` at
 * its node, scoring named units `assessment.evaluate` at each, approving `assessment.approve` at
 * each unit, an appeal `assessment.appeal` at the unit. A node or unit outside the caller's scope
 * is answered 404, exactly as one that does not exist. Reads (`assessment.read`) are
 * programme-wide, as the SDK's are: results are league tables of the whole group.
 *
 * The actor and the time are the server's: bodies carry no `by`, `at`, `version` or `state`, and
 * any field an endpoint does not list is refused with a 400.
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { AssessmentStore, Assessments, Consequence, type Evaluation, Scheme } from "@sortgrid/assessment"
import { Actor, DataValue, Json } from "@sortgrid/core"
import { GroupId } from "@sortgrid/grid/Group"
import { Schema } from "effect"
import { Authentication } from "./Auth.js"
import { PostHeaders } from "./IdempotencyStore.js"
import * as Paging from "./Paging.js"

/** Refuses fields the schema does not list, instead of dropping them. */
const strict = { parseOptions: { onExcessProperty: "error", errors: "all" } } as const

/**
 * The most data values one `POST /assessment/values` takes.
 *
 * @since 0.1.0
 * @category constants
 */
export const valuesMax = 10_000

// --- bodies ---------------------------------------------------------------------------------------

/**
 * The body of `POST /assessment/schemes`: a scheme version's document (see `Scheme.Scheme`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SchemeBody = Scheme.Scheme.pipe(Schema.annotations(strict))

/**
 * The body of `POST /assessment/values`: values entered or imported, in one transaction.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ValuesBody = Schema.Struct({
  values: Schema.Array(Assessments.ValueInput).pipe(Schema.maxItems(valuesMax))
}).annotations({ ...strict, identifier: "ValuesBody" })

/**
 * The body of `POST /assessment/evaluations`: a scheme, a period, and optionally the units.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EvaluateBody = Assessments.EvaluateInput.pipe(Schema.annotations(strict))

/**
 * The body of `POST /assessment/approvals` and `POST /assessment/unapprovals`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApprovalBody = Assessments.ApprovalInput.pipe(Schema.annotations(strict))

/**
 * The body of `POST /assessment/appeals`: an appeal decided with corrected data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AppealBody = Assessments.AppealInput.pipe(Schema.annotations(strict))

/**
 * The body of `POST /assessment/consequences`: the rules to run over the latest result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConsequencesBody = Schema.Struct({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  rules: Schema.Array(Consequence.Rule).pipe(Schema.maxItems(100))
}).annotations({ ...strict, identifier: "ConsequencesBody" })

/**
 * The body of `POST /assessment/allocations`: a fund (in fen) and how to split it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AllocateBody = Assessments.AllocateInput.pipe(Schema.annotations(strict))

// --- answers --------------------------------------------------------------------------------------

/**
 * One difference between two scheme versions (see `Scheme.Change`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Change = Schema.Struct({
  kind: Schema.Literal("added", "removed", "changed"),
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  before: Json.Json,
  after: Json.Json
}).annotations({ identifier: "SchemeChange" })

/**
 * A scheme version defined: the stored version, whether it was stored now or is a retry, and the
 * changes against the version before it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Defined = Schema.Struct({
  scheme: AssessmentStore.StoredScheme,
  outcome: Schema.Literal("defined", "replayed"),
  changes: Schema.Array(Change)
})

/**
 * Stored data values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ValuesEntered = Schema.Struct({ values: Schema.Array(AssessmentStore.StoredValue) })

const NullableNumber = Schema.NullOr(Schema.Number)

const Source = Schema.Struct({
  element: Schema.String,
  node: Schema.String,
  period: Schema.String,
  kind: DataValue.ProvenanceKind,
  source: Schema.String,
  records: Schema.NullOr(
    Schema.Struct({ entity: Schema.String, ids: Schema.Array(Schema.String), total: Schema.Number })
  )
}).annotations({ identifier: "ValueSource" })

/**
 * An explanation node on the wire.
 *
 * @since 0.1.0
 * @category schemas
 */
export interface ExplanationEncoded {
  readonly label: string
  readonly value: number | null
  readonly detail: string
  readonly children: ReadonlyArray<ExplanationEncoded>
  readonly source: typeof Source.Encoded | null
}

/**
 * How a figure was computed: a label, the value, a sentence, what it was computed from
 * (`children`, recursively) and, for a data value, where it came from.
 *
 * `AssessmentStore.ResultSchema` describes the same JSON, but its recursive explanation carries no
 * `identifier`, which an OpenAPI document needs to name the recursion: the results are answered
 * with this one (and {@link UnitResult}, {@link StoredResult}), which name it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Explanation: Schema.Schema<Evaluation.Explanation, ExplanationEncoded> = Schema.Struct({
  label: Schema.String,
  value: NullableNumber,
  detail: Schema.String,
  children: Schema.Array(Schema.suspend((): Schema.Schema<Evaluation.Explanation, ExplanationEncoded> => Explanation)),
  source: Schema.NullOr(Source)
}).annotations({ identifier: "Explanation" })

/**
 * A unit's result: status, total, rank and grade, each item's figures, the change against the
 * previous period, and the explanation of its total.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnitResult = Schema.Struct({
  unit: Schema.String,
  status: Schema.Literal("scored", "vetoed", "incomplete"),
  total: NullableNumber,
  rank: NullableNumber,
  grade: Schema.NullOr(Schema.String),
  vetoedBy: Schema.Array(Schema.String),
  missing: Schema.Array(Schema.String),
  items: Schema.Array(
    Schema.Struct({
      indicator: Schema.String,
      rule: Schema.Literal("Linear", "Bands", "Target", "Rank", "Deduction", "Bonus", "Veto"),
      value: NullableNumber,
      numerator: NullableNumber,
      denominator: NullableNumber,
      score: NullableNumber,
      weight: Schema.Number,
      effectiveWeight: Schema.Number,
      contribution: Schema.Number,
      band: Schema.NullOr(Schema.String),
      colour: Schema.NullOr(Schema.String),
      vetoed: Schema.Boolean,
      missing: Schema.Boolean
    })
  ),
  change: Schema.NullOr(Schema.Struct({ total: Schema.Number, rank: NullableNumber })),
  /** The data values the unit was scored on, with their provenance. */
  inputs: Schema.Array(
    Schema.Struct({
      element: Schema.String,
      period: Schema.String,
      value: Schema.Number,
      kind: DataValue.ProvenanceKind,
      source: Schema.String,
      records: Schema.NullOr(
        Schema.Struct({ entity: Schema.String, ids: Schema.Array(Schema.String), total: Schema.Number })
      )
    })
  ),
  explanation: Explanation
}).annotations({ identifier: "UnitResult" })

/**
 * One stored result version (see `AssessmentStore.StoredResult`): the result itself, units in rank
 * order, why and by whom it was made, and the diff against the version before.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StoredResult = Schema.Struct({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  group: GroupId,
  version: Schema.Int,
  schemeVersion: Schema.Int,
  hash: Schema.String,
  reason: AssessmentStore.ResultReason,
  appealId: Schema.NullOr(Schema.String),
  at: Schema.Int,
  by: Actor.ActorId,
  result: Schema.Struct({
    scheme: Schema.Struct({ id: Schema.String, version: Schema.Number, group: Schema.String, digest: Schema.String }),
    period: Schema.String,
    units: Schema.Array(UnitResult),
    hash: Schema.String
  }),
  diff: Schema.NullOr(AssessmentStore.ResultDiff)
}).annotations({ identifier: "StoredResult" })

/**
 * A scoring run's answer: the result version (every unit with its items and the explanation of its
 * total), and whether it was stored now, is unchanged from the latest, or replays an appeal.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scored = Schema.Struct({
  result: StoredResult,
  outcome: Schema.Literal("stored", "unchanged", "replayed")
})

/**
 * The approval rows an approval or unapproval wrote (units already in the state asked are left out).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Approvals = Schema.Struct({ approvals: Schema.Array(AssessmentStore.UnitApproval) })

/**
 * A fund split over the latest result version: each unit's part in fen, and what was withheld.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Payout = Schema.Struct({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  resultVersion: Schema.Int,
  split: Schema.Struct({
    fund: Schema.Int,
    parts: Schema.Array(
      Schema.Struct({
        unit: Schema.String,
        shares: Schema.Number,
        ideal: Schema.Number,
        penalty: Schema.Number,
        fen: Schema.Int
      })
    ),
    withheld: Schema.Int,
    idealWithheld: Schema.Number
  })
}).annotations({ identifier: "Payout" })

/**
 * A unit's health check (see `HealthCheck.HealthCheck`): its standing on each indicator against
 * its group, strengths and weaknesses, the trend, and the records behind the weakest indicators.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HealthCheck = Schema.Struct({
  unit: Schema.String,
  period: Schema.String,
  schemeId: Schema.String,
  total: Schema.NullOr(Schema.Number),
  rank: Schema.NullOr(Schema.Number),
  of: Schema.Int,
  grade: Schema.NullOr(Schema.String),
  standings: Schema.Array(
    Schema.Struct({
      indicator: Schema.String,
      value: Schema.NullOr(Schema.Number),
      score: Schema.NullOr(Schema.Number),
      groupMeanScore: Schema.NullOr(Schema.Number),
      difference: Schema.NullOr(Schema.Number),
      contribution: Schema.Number,
      band: Schema.NullOr(Schema.String)
    })
  ),
  strengths: Schema.Array(Schema.String),
  weaknesses: Schema.Array(Schema.String),
  trend: Schema.Array(
    Schema.Struct({
      period: Schema.String,
      total: Schema.NullOr(Schema.Number),
      rank: Schema.NullOr(Schema.Number),
      of: Schema.Int
    })
  ),
  behind: Schema.Array(
    Schema.Struct({
      indicator: Schema.String,
      entity: Schema.String,
      ids: Schema.Array(Schema.String),
      total: Schema.Number
    })
  )
}).annotations({ identifier: "HealthCheck" })

/**
 * A health check as data and as the Markdown a person reads.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Health = Schema.Struct({ check: HealthCheck, markdown: Schema.String })

// --- queries --------------------------------------------------------------------------------------

const SchemePath = Schema.Struct({ schemeId: Scheme.SchemeId })

const Version = Schema.NumberFromString.pipe(
  Schema.int({ message: () => "must be a whole number" }),
  Schema.positive({ message: () => "must be a version number (1, 2, …)" })
)

/**
 * The query of a health check: the scheme, the period, the unit, and optionally how many periods
 * of trend (1 to 60, default 6) and how many weaknesses to trace to their records (0 to 20,
 * default 3).
 *
 * @since 0.1.0
 * @category schemas
 */
export const HealthQuery = Schema.Struct({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  unit: DataValue.NodeRef,
  periods: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 60))),
  weakest: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 20)))
})

/**
 * The assessment endpoints (every POST needs an `Idempotency-Key`).
 *
 * - `POST /assessment/schemes` — define a scheme version (a new version, never an edit);
 * - `GET /assessment/schemes/{schemeId}` — every version of a scheme, oldest first;
 * - `GET /assessment/schemes/{schemeId}/diff?from=&to=` — the changes between two versions;
 * - `POST /assessment/values` — enter or import data values;
 * - `POST /assessment/evaluations` — score a scheme for a period into a result version;
 * - `GET /assessment/results?schemeId=&period=&cursor=&limit=` — the result versions, oldest first,
 *   each unit with its items and the explanation of its total;
 * - `POST /assessment/approvals`, `POST /assessment/unapprovals` — approve units bottom-up, or undo it;
 * - `POST /assessment/appeals` — decide an appeal with corrected data (a new result version);
 * - `POST /assessment/consequences` — the actions consequence rules emit over the latest result;
 * - `POST /assessment/allocations` — split a reward fund over the latest result;
 * - `GET /assessment/health?schemeId=&period=&unit=` — a unit's health check as JSON;
 * - `GET /assessment/health.md?…` — the same health check as Markdown.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("assessment")
  .add(
    HttpApiEndpoint.post("defineScheme", "/schemes")
      .setHeaders(PostHeaders)
      .setPayload(SchemeBody)
      .addSuccess(Defined)
      .annotate(OpenApi.Summary, "Define a scheme version; the answer lists its changes against the one before")
  )
  .add(
    HttpApiEndpoint.get("schemeVersions", "/schemes/:schemeId")
      .setPath(SchemePath)
      .addSuccess(Schema.Array(AssessmentStore.StoredScheme))
      .annotate(OpenApi.Summary, "Every version of a scheme, oldest first")
  )
  .add(
    HttpApiEndpoint.get("schemeDiff", "/schemes/:schemeId/diff")
      .setPath(SchemePath)
      .setUrlParams(Schema.Struct({ from: Version, to: Version }))
      .addSuccess(Schema.Array(Change))
      .annotate(OpenApi.Summary, "The changes between two versions of a scheme")
  )
  .add(
    HttpApiEndpoint.post("enterValues", "/values")
      .setHeaders(PostHeaders)
      .setPayload(ValuesBody)
      .addSuccess(ValuesEntered)
      .annotate(OpenApi.Summary, "Enter or import data values, checked against the schemes declaring them")
  )
  .add(
    HttpApiEndpoint.post("evaluate", "/evaluations")
      .setHeaders(PostHeaders)
      .setPayload(EvaluateBody)
      .addSuccess(Scored)
      .annotate(OpenApi.Summary, "Score a scheme for a period under the version in force; store a result version")
  )
  .add(
    HttpApiEndpoint.get("results", "/results")
      .setUrlParams(Schema.Struct({ schemeId: Scheme.SchemeId, period: DataValue.PeriodId, ...Paging.pageParams }))
      .addSuccess(Paging.Page(StoredResult))
      .annotate(OpenApi.Summary, "A scheme's result versions for a period, each unit with its explanation")
  )
  .add(
    HttpApiEndpoint.post("approve", "/approvals")
      .setHeaders(PostHeaders)
      .setPayload(ApprovalBody)
      .addSuccess(Approvals)
      .annotate(OpenApi.Summary, "Approve units of a result, bottom-up (locks their data for the period)")
  )
  .add(
    HttpApiEndpoint.post("unapprove", "/unapprovals")
      .setHeaders(PostHeaders)
      .setPayload(ApprovalBody)
      .addSuccess(Approvals)
      .annotate(OpenApi.Summary, "Unapprove units, top-down, with a reason kept in the audit log")
  )
  .add(
    HttpApiEndpoint.post("appeal", "/appeals")
      .setHeaders(PostHeaders)
      .setPayload(AppealBody)
      .addSuccess(Scored)
      .annotate(OpenApi.Summary, "Decide an appeal with corrected data: a new result version with its diff")
  )
  .add(
    HttpApiEndpoint.post("consequences", "/consequences")
      .setHeaders(PostHeaders)
      .setPayload(ConsequencesBody)
      .addSuccess(Schema.Array(Consequence.Action))
      .annotate(OpenApi.Summary, "The actions consequence rules emit over the latest result (nothing is stored)")
  )
  .add(
    HttpApiEndpoint.post("allocate", "/allocations")
      .setHeaders(PostHeaders)
      .setPayload(AllocateBody)
      .addSuccess(Payout)
      .annotate(OpenApi.Summary, "Split a reward fund (fen) over the latest result; totals are exact")
  )
  .add(
    HttpApiEndpoint.get("health", "/health")
      .setUrlParams(HealthQuery)
      .addSuccess(Health)
      .annotate(OpenApi.Summary, "A unit's health check against its group, with its trend")
  )
  .add(
    HttpApiEndpoint.get("healthMarkdown", "/health.md")
      .setUrlParams(HealthQuery)
      .addSuccess(HttpApiSchema.Text({ contentType: "text/markdown; charset=utf-8" }))
      .annotate(OpenApi.Summary, "A unit's health check as Markdown")
  )
  .middleware(Authentication)
  .prefix("/assessment")
  .annotate(OpenApi.Description, "The assessment engine: schemes, data values, results, approval, appeals, funds")
