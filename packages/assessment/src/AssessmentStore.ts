/**
 * The assessment engine's storage port: scheme versions, entered and imported data values, result
 * versions with the units' approval state, and appeals. Writes follow the pattern of every port:
 * inside a write transaction, load what the command touches in a few set-based queries, call
 * `decide` (a pure function of the service), and write its plan with multi-row statements.
 *
 * Guarantees every adapter keeps (the conformance suite checks them):
 * - a scheme version, once stored, is never changed: a new version is a new row;
 * - a result version, once stored, is never changed: re-scoring and appeals add versions, and
 *   `results` gives back every version byte for byte (its `hash` recomputes);
 * - a data value is one row per (element, node, period), replaced by a later entry;
 * - an approval is one row per (scheme, period, unit): the state the unit is in now, and the
 *   result version it was last scored in.
 *
 * Adapters store and fetch; every rule (what is locked, what a version number is, what a diff
 * says) lives in the service and the pure modules.
 *
 * @since 0.1.0
 */
import { Actor, DataValue, type Errors } from "@sortgrid/core"
import { GroupId } from "@sortgrid/grid/Group"
import { Context, type Effect, type Either, type Option, Schema } from "effect"
import type * as Evaluation from "./Evaluation.js"
import * as Scheme from "./Scheme.js"

// --- schemes --------------------------------------------------------------------------------------

/**
 * A stored scheme version: the document, its digest, and who defined it when.
 *
 * @since 0.1.0
 * @category models
 */
export class StoredScheme extends Schema.Class<StoredScheme>("@sortgrid/assessment/StoredScheme")({
  scheme: Scheme.Scheme,
  digest: Schema.String,
  definedAt: Schema.Int,
  definedBy: Actor.ActorId
}) {}

// --- data values ----------------------------------------------------------------------------------

/**
 * A stored data value (entered or imported; derived values are never stored, they are read from
 * the providers when a period is scored): the value with its provenance, who wrote it when, and the
 * appeal that corrected it, if one did.
 *
 * @since 0.1.0
 * @category models
 */
export class StoredValue extends Schema.Class<StoredValue>("@sortgrid/assessment/StoredValue")({
  value: DataValue.DataValue,
  at: Schema.Int,
  by: Actor.ActorId,
  appealId: Schema.NullOr(Schema.String)
}) {}

/**
 * The key of a data value.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValueKey {
  readonly element: DataValue.DataElementId
  readonly node: DataValue.NodeRef
  readonly period: DataValue.PeriodId
}

/**
 * A value key as one string (element, node, period joined by a separator no id contains).
 *
 * @since 0.1.0
 * @category models
 */
export const valueKey = (key: ValueKey): string => `${key.element}|${key.node}|${key.period}`

// --- results --------------------------------------------------------------------------------------

const Num = Schema.Number
const NullableNumber = Schema.NullOr(Schema.Number)

const RecordsSchema = Schema.NullOr(
  Schema.Struct({ entity: Schema.String, ids: Schema.Array(Schema.String), total: Schema.Number })
)

const SourceSchema = Schema.Struct({
  element: Schema.String,
  node: Schema.String,
  period: Schema.String,
  kind: DataValue.ProvenanceKind,
  source: Schema.String,
  records: RecordsSchema
})

const InputValueSchema = Schema.Struct({
  element: Schema.String,
  period: Schema.String,
  value: Num,
  kind: DataValue.ProvenanceKind,
  source: Schema.String,
  records: RecordsSchema
})

/**
 * An explanation node as stored: the JSON form of `Evaluation.Explanation`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExplanationEncoded {
  readonly label: string
  readonly value: number | null
  readonly detail: string
  readonly children: ReadonlyArray<ExplanationEncoded>
  readonly source: typeof SourceSchema.Encoded | null
}

const ExplanationSchema: Schema.Schema<Evaluation.Explanation, ExplanationEncoded> = Schema.Struct({
  label: Schema.String,
  value: NullableNumber,
  detail: Schema.String,
  children: Schema.Array(
    Schema.suspend((): Schema.Schema<Evaluation.Explanation, ExplanationEncoded> => ExplanationSchema)
  ),
  source: Schema.NullOr(SourceSchema)
})

const RuleTag = Schema.Literal("Linear", "Bands", "Target", "Rank", "Deduction", "Bonus", "Veto")

const ItemSchema = Schema.Struct({
  indicator: Schema.String,
  rule: RuleTag,
  value: NullableNumber,
  numerator: NullableNumber,
  denominator: NullableNumber,
  score: NullableNumber,
  weight: Num,
  effectiveWeight: Num,
  contribution: Num,
  band: Schema.NullOr(Schema.String),
  colour: Schema.NullOr(Schema.String),
  vetoed: Schema.Boolean,
  missing: Schema.Boolean
})

const UnitSchema = Schema.Struct({
  unit: Schema.String,
  status: Schema.Literal("scored", "vetoed", "incomplete"),
  total: NullableNumber,
  rank: NullableNumber,
  grade: Schema.NullOr(Schema.String),
  vetoedBy: Schema.Array(Schema.String),
  missing: Schema.Array(Schema.String),
  items: Schema.Array(ItemSchema),
  change: Schema.NullOr(Schema.Struct({ total: Num, rank: NullableNumber })),
  inputs: Schema.Array(InputValueSchema),
  explanation: ExplanationSchema
})

const ResultStruct = Schema.Struct({
  scheme: Schema.Struct({ id: Schema.String, version: Num, group: Schema.String, digest: Schema.String }),
  period: Schema.String,
  units: Schema.Array(UnitSchema),
  hash: Schema.String
})

/**
 * An `Evaluation.Result` as a schema: how a stored result is read back (and checked) from its JSON.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResultSchema: Schema.Schema<Evaluation.Result, typeof ResultStruct.Encoded> = ResultStruct

/**
 * One unit's change between two result versions: total, rank and grade before and after, and the
 * items whose value or contribution changed. A unit only in one version has `null` on the other side.
 *
 * @since 0.1.0
 * @category models
 */
export class UnitChange extends Schema.Class<UnitChange>("@sortgrid/assessment/UnitChange")({
  unit: Schema.String,
  totalBefore: NullableNumber,
  totalAfter: NullableNumber,
  rankBefore: NullableNumber,
  rankAfter: NullableNumber,
  gradeBefore: Schema.NullOr(Schema.String),
  gradeAfter: Schema.NullOr(Schema.String),
  items: Schema.Array(
    Schema.Struct({
      indicator: Schema.String,
      valueBefore: NullableNumber,
      valueAfter: NullableNumber,
      contributionBefore: NullableNumber,
      contributionAfter: NullableNumber
    })
  )
}) {}

/**
 * What changed between a result version and the one before it: the scheme versions, and every unit
 * whose figures moved (units whose figures are equal are left out).
 *
 * @since 0.1.0
 * @category models
 */
export class ResultDiff extends Schema.Class<ResultDiff>("@sortgrid/assessment/ResultDiff")({
  fromVersion: Schema.Int,
  toVersion: Schema.Int,
  schemeVersionBefore: Schema.Int,
  schemeVersionAfter: Schema.Int,
  units: Schema.Array(UnitChange)
}) {}

/**
 * Why a result version was made: `evaluated` (a scoring run), `rescored` (scored again under another
 * scheme version after approval) or `appeal` (an appeal's corrected data).
 *
 * @since 0.1.0
 * @category models
 */
export const ResultReason = Schema.Literal("evaluated", "rescored", "appeal")

/**
 * One stored result version of a scheme for a period: the result itself (its `hash` covers it),
 * why and by whom it was made, and the diff against the version before (`null` for version 1).
 *
 * @since 0.1.0
 * @category models
 */
export class StoredResult extends Schema.Class<StoredResult>("@sortgrid/assessment/StoredResult")({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  group: GroupId,
  version: Schema.Int.pipe(Schema.positive()),
  schemeVersion: Schema.Int.pipe(Schema.positive()),
  hash: Schema.String,
  reason: ResultReason,
  appealId: Schema.NullOr(Schema.String),
  at: Schema.Int,
  by: Actor.ActorId,
  result: ResultSchema,
  diff: Schema.NullOr(ResultDiff)
}) {}

/**
 * The approval state of one unit for a scheme and period: `pending` until approved; `approved`
 * locks the unit's result and data for the period. `path` is the unit's place in the tree (for the
 * bottom-up rule); `resultVersion` the version it was last scored in.
 *
 * @since 0.1.0
 * @category models
 */
export class UnitApproval extends Schema.Class<UnitApproval>("@sortgrid/assessment/UnitApproval")({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  unit: DataValue.NodeRef,
  path: Actor.NodePath,
  resultVersion: Schema.Int.pipe(Schema.positive()),
  state: Schema.Literal("pending", "approved"),
  at: Schema.Int,
  by: Actor.ActorId
}) {}

/**
 * An appeal's id (client-chosen: the idempotency key of the appeal).
 *
 * @since 0.1.0
 * @category ids
 */
export const AppealId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/),
  Schema.brand("AppealId")
)

/**
 * @since 0.1.0
 * @category ids
 */
export type AppealId = typeof AppealId.Type

/**
 * A decided appeal: the unit, the reason given, the corrected values, and the result versions it
 * went from and to.
 *
 * @since 0.1.0
 * @category models
 */
export class Appeal extends Schema.Class<Appeal>("@sortgrid/assessment/Appeal")({
  id: AppealId,
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  unit: DataValue.NodeRef,
  reason: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2000)),
  corrections: Schema.Array(DataValue.DataValue),
  fromVersion: Schema.Int,
  toVersion: Schema.Int,
  digest: Schema.String,
  at: Schema.Int,
  by: Actor.ActorId
}) {}

/**
 * What a result write is decided on: the latest stored version of the scheme's result for the
 * period, the approvals of the period under the scheme, and the stored appeal with the request's
 * id (for idempotent retries).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultState {
  readonly latest: Option.Option<StoredResult>
  readonly approvals: ReadonlyArray<UnitApproval>
  readonly appeal: Option.Option<Appeal>
}

/**
 * What a result write stores: a new result version (or none, for a replay), the approval rows to
 * write (inserted or replaced), an appeal, and corrected data values.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultPlan {
  readonly result: StoredResult | null
  readonly approvals: ReadonlyArray<UnitApproval>
  readonly appeal: Appeal | null
  readonly values: ReadonlyArray<StoredValue>
}

/**
 * Assessment storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class AssessmentStore extends Context.Tag("@sortgrid/assessment/AssessmentStore")<
  AssessmentStore,
  {
    /** Loads every version of a scheme, writes the version `decide` returns (none: nothing), returns it. */
    readonly defineScheme: <E>(
      id: Scheme.SchemeId,
      decide: (versions: ReadonlyArray<StoredScheme>) => Either.Either<StoredScheme | null, E>
    ) => Effect.Effect<StoredScheme | null, E | Errors.StorageError>
    /** Scheme versions, by id then version; of one scheme, or of every scheme of a group. */
    readonly schemes: (query: {
      readonly id?: Scheme.SchemeId | undefined
      readonly group?: GroupId | undefined
    }) => Effect.Effect<ReadonlyArray<StoredScheme>, Errors.StorageError>
    /**
     * Loads the stored values with the keys and every approval of the units, writes the values
     * `decide` returns (replacing those with the same key), returns them.
     */
    readonly putValues: <E>(
      request: { readonly keys: ReadonlyArray<ValueKey>; readonly units: ReadonlyArray<DataValue.NodeRef> },
      decide: (state: {
        readonly stored: ReadonlyArray<StoredValue>
        readonly approvals: ReadonlyArray<UnitApproval>
      }) => Either.Either<ReadonlyArray<StoredValue>, E>
    ) => Effect.Effect<ReadonlyArray<StoredValue>, E | Errors.StorageError>
    /** The stored values of these nodes in these periods (of these elements, when given), by key. */
    readonly values: (query: {
      readonly nodes: ReadonlyArray<DataValue.NodeRef>
      readonly periods: ReadonlyArray<DataValue.PeriodId>
      readonly elements?: ReadonlyArray<DataValue.DataElementId> | undefined
    }) => Effect.Effect<ReadonlyArray<StoredValue>, Errors.StorageError>
    /** Loads the {@link ResultState} of a scheme and period, writes `decide`'s {@link ResultPlan} atomically. */
    readonly saveResult: <E>(
      request: {
        readonly schemeId: Scheme.SchemeId
        readonly period: DataValue.PeriodId
        readonly appealId?: AppealId | undefined
      },
      decide: (state: ResultState) => Either.Either<ResultPlan, E>
    ) => Effect.Effect<ResultPlan, E | Errors.StorageError>
    /** Every stored version of a scheme's result for a period, oldest first. */
    readonly results: (query: {
      readonly schemeId: Scheme.SchemeId
      readonly period: DataValue.PeriodId
    }) => Effect.Effect<ReadonlyArray<StoredResult>, Errors.StorageError>
    /** The latest version of each result of a group in these periods, by period then scheme id. */
    readonly latestResults: (query: {
      readonly group: GroupId
      readonly periods: ReadonlyArray<DataValue.PeriodId>
    }) => Effect.Effect<ReadonlyArray<StoredResult>, Errors.StorageError>
    /** Approvals of a period (every scheme), by scheme then unit. */
    readonly approvals: (query: {
      readonly period: DataValue.PeriodId
    }) => Effect.Effect<ReadonlyArray<UnitApproval>, Errors.StorageError>
    /**
     * Loads every approval of a period (every scheme: the bottom-up rule looks across levels),
     * writes the rows `decide` returns (replacing those with the same scheme and unit), returns them.
     */
    readonly changeApprovals: <E>(
      period: DataValue.PeriodId,
      decide: (approvals: ReadonlyArray<UnitApproval>) => Either.Either<ReadonlyArray<UnitApproval>, E>
    ) => Effect.Effect<ReadonlyArray<UnitApproval>, E | Errors.StorageError>
    /** The appeals of a scheme and period, by id. */
    readonly appeals: (query: {
      readonly schemeId: Scheme.SchemeId
      readonly period: DataValue.PeriodId
    }) => Effect.Effect<ReadonlyArray<Appeal>, Errors.StorageError>
  }
>() {}
