/**
 * The assessment service: defines scheme versions, takes in data values, scores groups of units
 * for a period into stored result versions, approves them bottom-up, decides appeals, and reads
 * results back as consequences, fund splits and health checks. Every write checks the actor's
 * permission (`assessment.*`) where it acts, loads through `AssessmentStore`, decides with the pure
 * modules (`Scheme`, `Evaluation`, `Review`, `Allocation`, `Consequence`, `HealthCheck`), saves,
 * and appends its audit entries in the same `Transactor` transaction.
 *
 * - **Schemes** are never edited in place: defining version n + 1 of a scheme stores a new document
 *   (version n again with the same content is a retry; with other content a `Conflict`), and the
 *   answer carries the diff against version n.
 * - **Data values** are entered or imported (`assessment.enter` at each node): checked against the
 *   element's type and range as the latest scheme version declaring it says, the period type
 *   against the schemes' period types, the node on the tree at the period's end and in the actor's
 *   scope, and refused (`Conflict`) inside an approved period. Derived values are never stored:
 *   they are read from the `DataValue.DataValueProvider` in context (several providers: give
 *   `DataValue.combine([...])`) when a period is scored; an entered value wins over a derived one.
 * - **Scoring** (`assessment.evaluate` at each unit) uses the scheme version in force on the
 *   period's first day and stores a new result version, unless the result is byte-identical to the
 *   latest (then the latest is returned): a retry never makes a version. A period with an approved
 *   unit is not scored again: re-score it (`assessment.rescore`) or decide an appeal.
 * - **Approval** (`assessment.approve` at each unit) is bottom-up, see `Review`.
 * - **Appeals** (`assessment.appeal` at the unit) correct data values and store a new version with
 *   its diff; the appeal id is the idempotency key.
 *
 * @since 0.1.0
 */
import { Actor, Audit, AuditLog, DataValue, Errors, Json, Period, Permission, Transactor } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import type { GroupId } from "@sortgrid/grid/Group"
import { GroupStore } from "@sortgrid/grid/GroupStore"
import { NodeId } from "@sortgrid/grid/Node"
import { Clock, Effect, Either, Option, Schema } from "effect"
import * as Allocation from "./Allocation.js"
import {
  Appeal,
  AppealId,
  AssessmentStore,
  type ResultPlan,
  StoredResult,
  StoredScheme,
  StoredValue,
  type UnitApproval,
  valueKey
} from "./AssessmentStore.js"
import * as Consequence from "./Consequence.js"
import * as DataElement from "./DataElement.js"
import * as Evaluation from "./Evaluation.js"
import * as HealthCheck from "./HealthCheck.js"
import * as Review from "./Review.js"
import * as Scheme from "./Scheme.js"

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, prefix: ReadonlyArray<string | number> = []) =>
  Effect.mapError(Schema.decodeUnknown(schema, decodeOptions)(input), (error) =>
    Errors.Invalid.fromParseError(error, prefix)
  )

/**
 * A data value as entered or imported: provenance defaults to `entered` from `assessment.entry`;
 * `derived` is refused (derived values come from providers).
 *
 * @since 0.1.0
 * @category commands
 */
export class ValueInput extends Schema.Class<ValueInput>("@sortgrid/assessment/ValueInput")({
  element: DataValue.DataElementId,
  node: DataValue.NodeRef,
  period: DataValue.PeriodId,
  value: Schema.Finite,
  provenance: Schema.optionalWith(
    Schema.Struct({
      kind: Schema.Literal("entered", "imported"),
      source: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
      records: Schema.optionalWith(Schema.NullOr(DataValue.Records), { default: () => null })
    }),
    { default: () => ({ kind: "entered" as const, source: "assessment.entry", records: null }) }
  )
}) {}

/**
 * What to score: a scheme, a period, and the units (default: the members of the scheme's group on
 * the period's last day).
 *
 * @since 0.1.0
 * @category commands
 */
export class EvaluateInput extends Schema.Class<EvaluateInput>("@sortgrid/assessment/EvaluateInput")({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  units: Schema.optional(Schema.Array(DataValue.NodeRef))
}) {}

/**
 * Re-scores a period: under `schemeVersion` (default: the version in force now).
 *
 * @since 0.1.0
 * @category commands
 */
export class RescoreInput extends Schema.Class<RescoreInput>("@sortgrid/assessment/RescoreInput")({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  schemeVersion: Schema.optional(Schema.Int.pipe(Schema.positive()))
}) {}

/**
 * Approves or unapproves units of a scheme's result for a period.
 *
 * @since 0.1.0
 * @category commands
 */
export class ApprovalInput extends Schema.Class<ApprovalInput>("@sortgrid/assessment/ApprovalInput")({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  units: Schema.NonEmptyArray(DataValue.NodeRef),
  reason: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2000)))
}) {}

/**
 * An appeal decided with corrected data: the values (of the unit, for the period or periods inside
 * it) replace the stored ones and the period is scored again.
 *
 * @since 0.1.0
 * @category commands
 */
export class AppealInput extends Schema.Class<AppealInput>("@sortgrid/assessment/AppealInput")({
  id: AppealId,
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  unit: DataValue.NodeRef,
  reason: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2000)),
  corrections: Schema.NonEmptyArray(ValueInput)
}) {}

/**
 * A fund to split over a stored result (see `Allocation`).
 *
 * @since 0.1.0
 * @category commands
 */
export class AllocateInput extends Schema.Class<AllocateInput>("@sortgrid/assessment/AllocateInput")({
  schemeId: Scheme.SchemeId,
  period: DataValue.PeriodId,
  fund: Schema.Int.pipe(Schema.nonNegative()),
  rule: Allocation.Rule,
  capFen: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
  floorFen: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
  penalties: Schema.optionalWith(Schema.Array(Allocation.Penalty), { default: () => [] })
}) {}

/**
 * A scheme version defined: the stored version, whether it was stored now or is a retry, and the
 * changes against the version before it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Defined {
  readonly scheme: StoredScheme
  readonly outcome: "defined" | "replayed"
  readonly changes: ReadonlyArray<Scheme.Change>
}

/**
 * A scoring run's answer: the stored version, and whether it was stored now (`unchanged` when the
 * result is byte-identical to the latest version, which is returned).
 *
 * @since 0.1.0
 * @category models
 */
export interface Scored {
  readonly result: StoredResult
  readonly outcome: "stored" | "unchanged" | "replayed"
}

/**
 * A fund split over a stored result version: the seam for paying it out. A host posts each part to
 * the points ledger (or a payment system) with a transfer id built from `scheme`, `period`,
 * `resultVersion` and the unit, so a retried payout is idempotent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Payout {
  readonly schemeId: Scheme.SchemeId
  readonly period: DataValue.PeriodId
  readonly resultVersion: number
  readonly split: Allocation.Split
}

/**
 * A health check as data and as Markdown.
 *
 * @since 0.1.0
 * @category models
 */
export interface Health {
  readonly check: HealthCheck.HealthCheck
  readonly markdown: string
}

/**
 * What the service's writes can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type WriteError = Errors.Invalid | Errors.Forbidden | Errors.Conflict | Errors.NotFound | Errors.StorageError

/**
 * What reads can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.StorageError

const auditId = (readable: string): Audit.AuditEntryId =>
  Audit.AuditEntryId.make(readable.length <= 128 ? readable : `assessment.${Json.digest(readable)}`)

const draft = (
  actor: Actor.Actor,
  entry: { readonly id: string; readonly action: string; readonly subject: string; readonly payload: Json.Json }
): Audit.AuditDraft =>
  Audit.AuditDraft.make(
    {
      id: auditId(entry.id),
      actor: actor.id,
      action: entry.action,
      subject: entry.subject.slice(0, 256),
      payload: entry.payload
    },
    { disableValidation: true }
  )

const toPeriod = (id: DataValue.PeriodId): Period.Period =>
  Either.getOrElse(Period.parse(id), () => Period.containing("Day", 0))

/** The period and the sub-periods whose values `Evaluation` may combine into it. */
const periodsFor = (period: Period.Period): ReadonlyArray<DataValue.PeriodId> => {
  const types = Period.periodTypes.slice(0, Period.periodTypes.indexOf(period._tag))
  return [
    DataValue.periodId(period),
    ...types.filter((type) => type !== "Day").flatMap((type) => Period.periodsIn(type, period).map(DataValue.periodId))
  ]
}

/**
 * Scheme versions, data values, scoring, approval, appeals, consequences, fund splits and health
 * checks.
 *
 * @since 0.1.0
 * @category services
 */
export class Assessments extends Effect.Service<Assessments>()("@sortgrid/assessment/Assessments", {
  effect: Effect.gen(function* () {
    const store = yield* AssessmentStore
    const grid = yield* GridStore
    const groups = yield* GroupStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const provider = yield* Effect.serviceOption(DataValue.DataValueProvider)

    const allowed = (actor: Actor.Actor, permission: string, at?: Actor.NodePath) =>
      Permission.decide(grants, actor, { permission, at })
    /** The permission itself, then at every path (an empty list of paths still needs the permission). */
    const allowedAll = (actor: Actor.Actor, permission: string, paths: Iterable<Actor.NodePath>) =>
      Either.flatMap(Permission.decide(grants, actor, { permission }), () =>
        Permission.decideAll(grants, actor, permission, paths)
      )

    const endDate = (period: Period.Period) => Period.isoDateOfDay(Period.endDay(period))

    /** Paths of nodes on a date; `Invalid` at `field[i]` for a node not on the tree. */
    const pathsOf = (
      nodes: ReadonlyArray<{
        readonly node: string
        readonly asOf: Period.IsoDate
        readonly path: ReadonlyArray<string | number>
      }>
    ) =>
      Effect.gen(function* () {
        const byDate = new Map<Period.IsoDate, Set<string>>()
        for (const { asOf, node } of nodes) byDate.set(asOf, (byDate.get(asOf) ?? new Set()).add(node))
        const found = new Map<string, Actor.NodePath>()
        for (const [asOf, ids] of byDate) {
          const placements = yield* grid.placements({
            asOf,
            ids: [...ids].map((id) => NodeId.make(id, { disableValidation: true }))
          })
          for (const [id, path] of placements) {
            found.set(`${asOf}|${id}`, Actor.NodePath.make(path, { disableValidation: true }))
          }
        }
        const issues = nodes.flatMap(({ asOf, node, path }) =>
          found.has(`${asOf}|${node}`)
            ? []
            : [new Errors.Issue({ path: [...path], reason: `node ${node} is not on the tree on ${asOf}` })]
        )
        const [first, ...rest] = issues
        if (first !== undefined) return yield* Effect.fail(new Errors.Invalid({ issues: [first, ...rest] }))
        return (node: string, asOf: Period.IsoDate): Actor.NodePath => found.get(`${asOf}|${node}`) ?? Actor.root
      })

    const versionsOf = (id: Scheme.SchemeId) =>
      Effect.flatMap(store.schemes({ id }), (versions) =>
        versions.length === 0 ? Effect.fail(new Errors.NotFound({ entity: "Scheme", id })) : Effect.succeed(versions)
      )

    const validated = (stored: StoredScheme) =>
      Effect.mapError(
        Scheme.validate(stored.scheme),
        (error) => new Errors.StorageError({ operation: "load scheme", reason: error.message })
      )

    // --- schemes ------------------------------------------------------------------------------------

    /** Defines a scheme version (a scheme's JSON document); needs `assessment.scheme`. */
    const defineScheme = (actor: Actor.Actor, input: unknown): Effect.Effect<Defined, WriteError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.scheme")
        const checked = yield* Scheme.load(input)
        const { scheme, digest } = checked
        const at = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            let previous: StoredScheme | undefined
            let replay: StoredScheme | undefined
            const stored = yield* store.defineScheme(
              scheme.id,
              (versions): Either.Either<StoredScheme | null, Errors.Conflict | Errors.Invalid> => {
                const same = versions.find((entry) => entry.scheme.version === scheme.version)
                if (same !== undefined) {
                  if (same.digest === digest) {
                    replay = same
                    return Either.right(null)
                  }
                  return Either.left(
                    new Errors.Conflict({
                      entity: "Scheme",
                      id: `${scheme.id} v${scheme.version}`,
                      reason: "a stored version is never edited: define the next version instead"
                    })
                  )
                }
                const latest = versions.at(-1)
                const expected = (latest?.scheme.version ?? 0) + 1
                if (scheme.version !== expected) {
                  return Either.left(
                    Errors.Invalid.one(["scheme", "version"], `the next version of ${scheme.id} is ${expected}`)
                  )
                }
                if (latest !== undefined && latest.scheme.group !== scheme.group) {
                  return Either.left(
                    Errors.Invalid.one(
                      ["scheme", "group"],
                      `${scheme.id} scores group ${latest.scheme.group}: a scheme keeps its group`
                    )
                  )
                }
                previous = latest
                return Either.right(new StoredScheme({ scheme, digest, definedAt: at, definedBy: actor.id }))
              }
            )
            if (stored === null) {
              const found: StoredScheme | undefined = replay
              if (found === undefined) return yield* new Errors.NotFound({ entity: "Scheme", id: scheme.id })
              return { scheme: found, outcome: "replayed" as const, changes: [] }
            }
            const changes = previous === undefined ? [] : Scheme.diff(previous.scheme, scheme)
            yield* audit.append([
              draft(actor, {
                id: `assessment.scheme.${scheme.id}.v${scheme.version}`,
                action: "assessment.schemeDefined",
                subject: `scheme:${scheme.id}`,
                payload: { schemeId: scheme.id, version: scheme.version, digest, changes: changes.length }
              })
            ])
            return { scheme: stored, outcome: "defined" as const, changes }
          })
        )
      })

    /** Every version of a scheme, oldest first; needs `assessment.read`. */
    const schemeVersions = (actor: Actor.Actor, id: unknown): Effect.Effect<ReadonlyArray<StoredScheme>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        return yield* versionsOf(yield* decode(Scheme.SchemeId, id, ["id"]))
      })

    /** The changes between two versions of a scheme; needs `assessment.read`. */
    const schemeDiff = (
      actor: Actor.Actor,
      query: { readonly id: string; readonly from: number; readonly to: number }
    ): Effect.Effect<ReadonlyArray<Scheme.Change>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        const versions = yield* versionsOf(yield* decode(Scheme.SchemeId, query.id, ["id"]))
        const find = (version: number, field: string) =>
          Option.match(Option.fromNullable(versions.find((entry) => entry.scheme.version === version)), {
            onNone: () =>
              Effect.fail(
                new Errors.NotFound({ entity: `Scheme ${query.id} version (${field})`, id: String(version) })
              ),
            onSome: Effect.succeed
          })
        const [a, b] = yield* Effect.all([find(query.from, "from"), find(query.to, "to")])
        return Scheme.diff(a.scheme, b.scheme)
      })

    // --- data values --------------------------------------------------------------------------------

    /** The element specs declared by the latest version of every scheme (the first scheme in id order wins). */
    const elementSpecs = Effect.map(store.schemes({}), (all) => {
      const latest = new Map<string, StoredScheme>()
      for (const entry of all) latest.set(entry.scheme.id, entry)
      const specs = new Map<string, { spec: DataElement.ElementSpec; periodTypes: Set<string> }>()
      for (const entry of [...latest.values()].sort((a, b) => (a.scheme.id < b.scheme.id ? -1 : 1))) {
        for (const element of entry.scheme.elements) {
          const found = specs.get(element.id)
          if (found === undefined)
            specs.set(element.id, { spec: element, periodTypes: new Set(entry.scheme.periodTypes) })
          else for (const type of entry.scheme.periodTypes) found.periodTypes.add(type)
        }
      }
      return specs
    })

    /**
     * Enters or imports data values (`[{ element, node, period, value, provenance? }]`) in one
     * transaction; needs `assessment.enter` at every node. Errors name `[index].field`.
     */
    const enterValues = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<StoredValue>, WriteError> =>
      Effect.gen(function* () {
        const inputs = yield* decode(Schema.Array(ValueInput), input)
        if (inputs.length === 0) return []
        const specs = yield* elementSpecs
        const issues: Array<Errors.Issue> = []
        const seen = new Map<string, number>()
        inputs.forEach((entry, i) => {
          const found = specs.get(entry.element)
          const period = toPeriod(entry.period)
          if (found === undefined) {
            issues.push(new Errors.Issue({ path: [i, "element"], reason: `${entry.element} is declared by no scheme` }))
          } else {
            const checked = DataElement.checkValue(found.spec, entry.value, [i, "value"])
            if (Either.isLeft(checked)) issues.push(...checked.left.issues)
            if (!found.periodTypes.has(period._tag)) {
              issues.push(
                new Errors.Issue({
                  path: [i, "period"],
                  reason: `${entry.element} is scored by ${[...found.periodTypes].join(", ")} periods, not ${period._tag}`
                })
              )
            }
          }
          const key = valueKey(entry)
          const first = seen.get(key)
          if (first !== undefined) {
            issues.push(new Errors.Issue({ path: [i], reason: `the same element, node and period as [${first}]` }))
          }
          seen.set(key, i)
        })
        const [first, ...rest] = issues
        if (first !== undefined) return yield* Effect.fail(new Errors.Invalid({ issues: [first, ...rest] }))
        const pathOf = yield* pathsOf(
          inputs.map((entry, i) => ({ node: entry.node, asOf: endDate(toPeriod(entry.period)), path: [i, "node"] }))
        )
        yield* allowedAll(
          actor,
          "assessment.enter",
          new Set(inputs.map((entry) => pathOf(entry.node, endDate(toPeriod(entry.period)))))
        )
        const at = yield* Clock.currentTimeMillis
        return yield* writeValues(actor, inputs, { at, appealId: null, checkLocks: true })
      })

    const writeValues = (
      actor: Actor.Actor,
      inputs: ReadonlyArray<ValueInput>,
      options: { readonly at: number; readonly appealId: string | null; readonly checkLocks: boolean }
    ) =>
      transactor.withTransaction(
        Effect.gen(function* () {
          const rows = inputs.map(
            (entry) =>
              new StoredValue({
                value: new DataValue.DataValue({
                  element: entry.element,
                  node: entry.node,
                  period: entry.period,
                  value: entry.value,
                  provenance: new DataValue.Provenance(entry.provenance)
                }),
                at: options.at,
                by: actor.id,
                appealId: options.appealId
              })
          )
          const written = yield* store.putValues(
            { keys: inputs, units: [...new Set(inputs.map((entry) => entry.node))] },
            ({ approvals }) => {
              if (!options.checkLocks) return Either.right(rows)
              const index = inputs.findIndex((entry) => Review.lockOf(approvals, entry) !== undefined)
              const entry = inputs[index]
              const lock = entry === undefined ? undefined : Review.lockOf(approvals, entry)
              return lock === undefined || entry === undefined
                ? Either.right(rows)
                : Either.left(
                    new Errors.Conflict({
                      entity: "DataValue",
                      id: valueKey(entry),
                      reason: `[${index}] is locked: ${lock.unit}'s result for ${lock.period} (scheme ${lock.schemeId}) is approved`
                    })
                  )
            }
          )
          if (options.appealId === null) {
            yield* audit.append([
              draft(actor, {
                // Who entered which values when: two actors entering the same keys at the same instant
                // make two entries, and a retry of the same entry replays it.
                id: `assessment.values.${Json.digest([actor.id, ...rows.map((row) => [valueKey(row.value), row.value.value]).sort()])}.${options.at}`,
                action: "assessment.valuesEntered",
                subject: `values:${inputs.length}`,
                payload: {
                  count: rows.length,
                  keys: rows.slice(0, 100).map((row) => valueKey(row.value)),
                  digest: Json.digest(rows.map((row) => [valueKey(row.value), row.value.value]))
                }
              })
            ])
          }
          return written
        })
      )

    /** Stored (entered and imported) values of nodes in a period and the periods inside it; needs `assessment.read`. */
    const values = (
      actor: Actor.Actor,
      query: { readonly nodes: ReadonlyArray<string>; readonly period: string }
    ): Effect.Effect<ReadonlyArray<StoredValue>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        const nodes = yield* decode(Schema.Array(DataValue.NodeRef), query.nodes, ["nodes"])
        const period = yield* decode(DataValue.PeriodId, query.period, ["period"])
        return yield* store.values({ nodes, periods: periodsFor(toPeriod(period)) })
      })

    // --- scoring ------------------------------------------------------------------------------------

    /** The units of a group on a date, in id order. */
    const unitsOf = (group: GroupId, asOf: Period.IsoDate) =>
      Effect.map(groups.memberships({ asOf, groupId: group }), (members) =>
        [...new Set(members.map((member) => member.nodeId as string))]
          .sort()
          .map((id) => DataValue.NodeRef.make(id, { disableValidation: true }))
      )

    /** Stored values first, then what the providers derive for the keys nobody entered. */
    const gather = (
      scheme: Scheme.Validated,
      period: Period.Period,
      units: ReadonlyArray<DataValue.NodeRef>,
      corrections: ReadonlyArray<DataValue.DataValue> = []
    ) =>
      Effect.gen(function* () {
        const elements = [...scheme.elements.keys()].map((id) =>
          DataValue.DataElementId.make(id, { disableValidation: true })
        )
        const stored =
          units.length === 0 ? [] : yield* store.values({ nodes: units, periods: periodsFor(period), elements })
        const byKey = new Map<string, DataValue.DataValue>()
        for (const row of stored) byKey.set(valueKey(row.value), row.value)
        for (const value of corrections) byKey.set(valueKey(value), value)
        if (Option.isSome(provider) && units.length > 0) {
          const offered = new Set<string>(provider.value.elements.map((element) => element.id))
          const wanted = elements.filter((element) => offered.has(element))
          if (wanted.length > 0) {
            const derived = yield* provider.value.values(
              new DataValue.ValuesRequest({ elements: wanted, nodes: units, period: DataValue.periodId(period) })
            )
            const unitSet = new Set<string>(units)
            for (const value of derived) {
              const key = valueKey(value)
              if (unitSet.has(value.node) && !byKey.has(key)) byKey.set(key, value)
            }
          }
        }
        return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value)
      })

    /** Scores a scheme version for a period: the result and the units' paths. */
    const score = (options: {
      readonly version: StoredScheme
      readonly period: Period.Period
      readonly units: ReadonlyArray<DataValue.NodeRef> | undefined
      readonly corrections?: ReadonlyArray<DataValue.DataValue>
    }) =>
      Effect.gen(function* () {
        const checked = yield* validated(options.version)
        const asOf = endDate(options.period)
        const units = options.units ?? (yield* unitsOf(checked.scheme.group, asOf))
        const pathOf = yield* pathsOf(units.map((node, i) => ({ node, asOf, path: ["units", i] })))
        const valuesIn = yield* gather(checked, options.period, units, options.corrections)
        const before = yield* store.results({
          schemeId: checked.scheme.id,
          period: DataValue.periodId(Period.previous(options.period))
        })
        const previous = before.at(-1)?.result.units ?? null
        const result = yield* Evaluation.evaluate({
          scheme: checked,
          period: options.period,
          units,
          values: valuesIn,
          previous
        })
        return { result, units: units.map((unit) => ({ unit, path: pathOf(unit, asOf) })) }
      })

    const storeResult = (
      actor: Actor.Actor,
      options: {
        readonly scored: {
          readonly result: Evaluation.Result
          readonly units: ReadonlyArray<{ readonly unit: DataValue.NodeRef; readonly path: Actor.NodePath }>
        }
        readonly schemeId: Scheme.SchemeId
        readonly group: GroupId
        readonly period: DataValue.PeriodId
        readonly reason: StoredResult["reason"]
        readonly at: number
        readonly appeal?: {
          readonly input: AppealInput
          readonly digest: string
          readonly corrections: ReadonlyArray<StoredValue>
        }
      }
    ): Effect.Effect<Scored, WriteError> =>
      transactor.withTransaction(
        Effect.gen(function* () {
          let replayed: StoredResult | null = null
          const { result } = options.scored
          const plan: ResultPlan = yield* store.saveResult(
            { schemeId: options.schemeId, period: options.period, appealId: options.appeal?.input.id },
            (state): Either.Either<ResultPlan, Errors.Conflict> => {
              const nothing: ResultPlan = { result: null, approvals: [], appeal: null, values: [] }
              const latest = Option.getOrNull(state.latest)
              if (options.appeal !== undefined && Option.isSome(state.appeal)) {
                const stored = state.appeal.value
                if (stored.digest !== options.appeal.digest) {
                  return Either.left(
                    new Errors.Conflict({
                      entity: "Appeal",
                      id: stored.id,
                      reason: "the id was used for another appeal"
                    })
                  )
                }
                replayed = latest
                return Either.right(nothing)
              }
              if (latest !== null && latest.hash === result.hash) {
                replayed = latest
                return Either.right(nothing)
              }
              const approved = state.approvals.filter(
                (row) => row.schemeId === options.schemeId && row.state === "approved"
              )
              if (options.reason === "evaluated" && approved.length > 0) {
                return Either.left(
                  new Errors.Conflict({
                    entity: "Result",
                    id: `${options.schemeId}/${options.period}`,
                    reason: `${approved.map((row) => row.unit).join(", ")} approved: re-score or decide an appeal instead`
                  })
                )
              }
              const version = (latest?.version ?? 0) + 1
              const diff = latest === null ? null : Review.diff(latest, { version, result })
              const stored = new StoredResult(
                {
                  schemeId: options.schemeId,
                  period: options.period,
                  group: options.group,
                  version,
                  schemeVersion: result.scheme.version,
                  hash: result.hash,
                  reason: options.reason,
                  appealId: options.appeal?.input.id ?? null,
                  at: options.at,
                  by: actor.id,
                  result,
                  diff
                },
                { disableValidation: true }
              )
              const changed = new Set(
                diff === null ? result.units.map((unit) => unit.unit) : diff.units.map((unit) => unit.unit)
              )
              const approvals: ReadonlyArray<UnitApproval> = Review.afterScoring({
                approvals: state.approvals,
                schemeId: options.schemeId,
                period: options.period,
                units: options.scored.units,
                changed,
                version,
                actor: actor.id,
                at: options.at
              })
              const appeal =
                options.appeal === undefined
                  ? null
                  : new Appeal({
                      id: options.appeal.input.id,
                      schemeId: options.schemeId,
                      period: options.period,
                      unit: options.appeal.input.unit,
                      reason: options.appeal.input.reason,
                      corrections: options.appeal.corrections.map((row) => row.value),
                      fromVersion: latest?.version ?? 0,
                      toVersion: version,
                      digest: options.appeal.digest,
                      at: options.at,
                      by: actor.id
                    })
              return Either.right({ result: stored, approvals, appeal, values: options.appeal?.corrections ?? [] })
            }
          )
          if (plan.result === null) {
            const found: StoredResult | null = replayed
            if (found === null)
              return yield* Effect.fail(
                new Errors.NotFound({ entity: "Result", id: `${options.schemeId}/${options.period}` })
              )
            return {
              result: found,
              outcome: options.appeal === undefined ? ("unchanged" as const) : ("replayed" as const)
            }
          }
          const stored = plan.result
          yield* audit.append([
            draft(actor, {
              id: `assessment.result.${stored.schemeId}.${stored.period}.v${stored.version}`,
              action: options.reason === "appeal" ? "assessment.appealDecided" : `assessment.${options.reason}`,
              subject: `result:${stored.schemeId}/${stored.period}`,
              payload: {
                schemeId: stored.schemeId,
                period: stored.period,
                version: stored.version,
                schemeVersion: stored.schemeVersion,
                hash: stored.hash,
                appealId: stored.appealId,
                changedUnits: stored.diff === null ? null : stored.diff.units.map((unit) => unit.unit)
              }
            })
          ])
          return { result: stored, outcome: "stored" as const }
        })
      )

    /** Scores a scheme for a period (`{ schemeId, period, units? }`); needs `assessment.evaluate` at each unit. */
    const evaluate = (actor: Actor.Actor, input: unknown): Effect.Effect<Scored, WriteError> =>
      Effect.gen(function* () {
        const command = yield* decode(EvaluateInput, input)
        const period = toPeriod(command.period)
        const versions = yield* versionsOf(command.schemeId)
        const version = yield* Scheme.inForce(
          versions.map((entry) => entry.scheme),
          period
        )
        const stored = versions.find((entry) => entry.scheme.version === version.version) ?? versions[0]!
        const scored = yield* score({ version: stored, period, units: command.units })
        yield* allowedAll(actor, "assessment.evaluate", new Set(scored.units.map((unit) => unit.path)))
        return yield* storeResult(actor, {
          scored,
          schemeId: command.schemeId,
          group: stored.scheme.group,
          period: command.period,
          reason: "evaluated",
          at: yield* Clock.currentTimeMillis
        })
      })

    /**
     * Scores a period again under a scheme version (`{ schemeId, period, schemeVersion? }`), the
     * latest result's units, even after approval: a new version with its diff, the approved version
     * kept as it was. Needs `assessment.rescore` at each unit.
     */
    const rescore = (actor: Actor.Actor, input: unknown): Effect.Effect<Scored, WriteError> =>
      Effect.gen(function* () {
        const command = yield* decode(RescoreInput, input)
        const period = toPeriod(command.period)
        const versions = yield* versionsOf(command.schemeId)
        const chosen =
          command.schemeVersion === undefined
            ? yield* Effect.map(
                Scheme.inForce(
                  versions.map((entry) => entry.scheme),
                  period
                ),
                (scheme) => versions.find((entry) => entry.scheme.version === scheme.version)
              )
            : versions.find((entry) => entry.scheme.version === command.schemeVersion)
        if (chosen === undefined) {
          return yield* Effect.fail(
            new Errors.NotFound({ entity: `Scheme ${command.schemeId} version`, id: String(command.schemeVersion) })
          )
        }
        const latest = (yield* store.results({ schemeId: command.schemeId, period: command.period })).at(-1)
        const units = latest?.result.units.map((unit) => DataValue.NodeRef.make(unit.unit, { disableValidation: true }))
        const scored = yield* score({ version: chosen, period, units })
        yield* allowedAll(actor, "assessment.rescore", new Set(scored.units.map((unit) => unit.path)))
        return yield* storeResult(actor, {
          scored,
          schemeId: command.schemeId,
          group: chosen.scheme.group,
          period: command.period,
          reason: "rescored",
          at: yield* Clock.currentTimeMillis
        })
      })

    /** Every stored version of a scheme's result for a period, oldest first; needs `assessment.read`. */
    const results = (
      actor: Actor.Actor,
      query: { readonly schemeId: string; readonly period: string }
    ): Effect.Effect<ReadonlyArray<StoredResult>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        const schemeId = yield* decode(Scheme.SchemeId, query.schemeId, ["schemeId"])
        const period = yield* decode(DataValue.PeriodId, query.period, ["period"])
        return yield* store.results({ schemeId, period })
      })

    const latestResult = (schemeId: Scheme.SchemeId, period: DataValue.PeriodId) =>
      Effect.flatMap(store.results({ schemeId, period }), (all) =>
        Option.match(Option.fromNullable(all.at(-1)), {
          onNone: () => Effect.fail(new Errors.NotFound({ entity: "Result", id: `${schemeId}/${period}` })),
          onSome: Effect.succeed
        })
      )

    // --- approval -----------------------------------------------------------------------------------

    const changeApproval = (actor: Actor.Actor, input: unknown, direction: "approve" | "unapprove") =>
      Effect.gen(function* () {
        const command = yield* decode(ApprovalInput, input)
        const current = yield* store.approvals({ period: command.period })
        const paths = command.units.map(
          (unit) => current.find((row) => row.schemeId === command.schemeId && row.unit === unit)?.path ?? Actor.root
        )
        yield* allowedAll(actor, "assessment.approve", new Set(paths))
        const at = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const written = yield* store.changeApprovals(command.period, (approvals) =>
              (direction === "approve" ? Review.approve : Review.unapprove)({
                approvals,
                schemeId: command.schemeId,
                units: command.units,
                actor: actor.id,
                at
              })
            )
            yield* audit.append(
              written.map((row) =>
                draft(actor, {
                  id: `assessment.${direction}.${row.schemeId}.${row.period}.${row.unit}.${at}`,
                  action: direction === "approve" ? "assessment.approved" : "assessment.unapproved",
                  subject: `result:${row.schemeId}/${row.period}/${row.unit}`,
                  payload: {
                    schemeId: row.schemeId,
                    period: row.period,
                    unit: row.unit,
                    resultVersion: row.resultVersion,
                    reason: command.reason ?? null
                  }
                })
              )
            )
            return written
          })
        )
      })

    /** Approves units (`{ schemeId, period, units }`), bottom-up; needs `assessment.approve` at each. */
    const approve = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<UnitApproval>, WriteError> =>
      changeApproval(actor, input, "approve")

    /** Unapproves units (`{ schemeId, period, units, reason? }`), top-down, audited; needs `assessment.approve`. */
    const unapprove = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<UnitApproval>, WriteError> =>
      changeApproval(actor, input, "unapprove")

    /** Approval states of a period; needs `assessment.read`. */
    const approvals = (actor: Actor.Actor, period: string): Effect.Effect<ReadonlyArray<UnitApproval>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        return yield* store.approvals({ period: yield* decode(DataValue.PeriodId, period, ["period"]) })
      })

    // --- appeals ------------------------------------------------------------------------------------

    /**
     * Decides an appeal with corrected data (`{ id, schemeId, period, unit, reason, corrections }`):
     * the corrections are stored and the period scored again into a new version with its diff.
     * Needs `assessment.appeal` at the unit. A retry with the same id and content returns the result.
     */
    const appeal = (actor: Actor.Actor, input: unknown): Effect.Effect<Scored, WriteError> =>
      Effect.gen(function* () {
        const command = yield* decode(AppealInput, input)
        const period = toPeriod(command.period)
        const issues = command.corrections.flatMap((entry, i) => {
          const inner = toPeriod(entry.period)
          return [
            ...(entry.node === command.unit
              ? []
              : [
                  new Errors.Issue({
                    path: ["corrections", i, "node"],
                    reason: `must be the appealing unit ${command.unit}`
                  })
                ]),
            ...(Period.contains(period, inner)
              ? []
              : [new Errors.Issue({ path: ["corrections", i, "period"], reason: `must lie within ${command.period}` })])
          ]
        })
        const [first, ...rest] = issues
        if (first !== undefined) return yield* Effect.fail(new Errors.Invalid({ issues: [first, ...rest] }))
        const latest = yield* latestResult(command.schemeId, command.period)
        const versions = yield* versionsOf(command.schemeId)
        const version = versions.find((entry) => entry.scheme.version === latest.schemeVersion) ?? versions.at(-1)!
        const checked = yield* validated(version)
        const at = yield* Clock.currentTimeMillis
        const corrections = command.corrections.map(
          (entry) =>
            new StoredValue({
              value: new DataValue.DataValue({
                element: entry.element,
                node: entry.node,
                period: entry.period,
                value: entry.value,
                provenance: new DataValue.Provenance(entry.provenance)
              }),
              at,
              by: actor.id,
              appealId: command.id
            })
        )
        const unknown = corrections.findIndex((row) => !checked.elements.has(row.value.element))
        if (unknown >= 0) {
          return yield* Effect.fail(
            Errors.Invalid.one(["corrections", unknown, "element"], `not an element of ${command.schemeId}`)
          )
        }
        const units = latest.result.units.map((unit) => DataValue.NodeRef.make(unit.unit, { disableValidation: true }))
        const scored = yield* score({ version, period, units, corrections: corrections.map((row) => row.value) })
        const unitPath = scored.units.find((entry) => entry.unit === command.unit)?.path
        if (unitPath === undefined) {
          return yield* Effect.fail(Errors.Invalid.one(["unit"], `${command.unit} has no result for ${command.period}`))
        }
        yield* allowed(actor, "assessment.appeal", unitPath)
        const digest = Json.digest({
          schemeId: command.schemeId,
          period: command.period,
          unit: command.unit,
          reason: command.reason,
          corrections: corrections.map((row) => [valueKey(row.value), row.value.value])
        })
        return yield* storeResult(actor, {
          scored,
          schemeId: command.schemeId,
          group: version.scheme.group,
          period: command.period,
          reason: "appeal",
          at,
          appeal: { input: command, digest, corrections }
        })
      })

    /** Appeals decided for a scheme and period; needs `assessment.read`. */
    const appeals = (
      actor: Actor.Actor,
      query: { readonly schemeId: string; readonly period: string }
    ): Effect.Effect<ReadonlyArray<Appeal>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        const schemeId = yield* decode(Scheme.SchemeId, query.schemeId, ["schemeId"])
        const period = yield* decode(DataValue.PeriodId, query.period, ["period"])
        return yield* store.appeals({ schemeId, period })
      })

    // --- reading results ----------------------------------------------------------------------------

    /** The actions consequence rules emit over the latest result; needs `assessment.read`. */
    const consequences = (
      actor: Actor.Actor,
      query: { readonly schemeId: string; readonly period: string; readonly rules: unknown }
    ): Effect.Effect<ReadonlyArray<Consequence.Action>, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        const schemeId = yield* decode(Scheme.SchemeId, query.schemeId, ["schemeId"])
        const period = yield* decode(DataValue.PeriodId, query.period, ["period"])
        const rules = yield* decode(Schema.Array(Consequence.Rule), query.rules, ["rules"])
        return Consequence.actions((yield* latestResult(schemeId, period)).result, rules)
      })

    /** Splits a fund over the latest result (`AllocateInput`); needs `assessment.allocate`. */
    const allocate = (actor: Actor.Actor, input: unknown): Effect.Effect<Payout, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.allocate")
        const command = yield* decode(AllocateInput, input)
        const latest = yield* latestResult(command.schemeId, command.period)
        const split = yield* Allocation.split({ ...command, units: latest.result.units })
        return { schemeId: command.schemeId, period: command.period, resultVersion: latest.version, split }
      })

    /**
     * A unit's health check for a period (`{ schemeId, period, unit, periods?, weakest? }`): against
     * its group in the latest result, with the trend over the last `periods` (default 6) periods of
     * the same type. Needs `assessment.read`.
     */
    const healthCheck = (
      actor: Actor.Actor,
      query: {
        readonly schemeId: string
        readonly period: string
        readonly unit: string
        readonly periods?: number
        readonly weakest?: number
      }
    ): Effect.Effect<Health, ReadError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "assessment.read")
        const schemeId = yield* decode(Scheme.SchemeId, query.schemeId, ["schemeId"])
        const periodId = yield* decode(DataValue.PeriodId, query.period, ["period"])
        const latest = yield* latestResult(schemeId, periodId)
        const count = Math.max(1, Math.min(60, Math.floor(query.periods ?? 6)))
        const period = toPeriod(periodId)
        const earlier = Array.from({ length: count - 1 }, (_, i) => DataValue.periodId(Period.shift(period, -(i + 1))))
        const history = yield* store.latestResults({ group: latest.group, periods: earlier })
        const check = HealthCheck.check({
          unit: query.unit,
          result: latest.result,
          history: history.filter((entry) => entry.schemeId === schemeId).map((entry) => entry.result),
          ...(query.weakest === undefined ? {} : { weakest: query.weakest })
        })
        if (check === undefined) {
          return yield* Effect.fail(new Errors.NotFound({ entity: `Unit of ${schemeId}/${periodId}`, id: query.unit }))
        }
        return { check, markdown: HealthCheck.toMarkdown(check) }
      })

    return {
      defineScheme,
      schemeVersions,
      schemeDiff,
      enterValues,
      values,
      evaluate,
      rescore,
      results,
      approve,
      unapprove,
      approvals,
      appeal,
      appeals,
      consequences,
      allocate,
      healthCheck
    } as const
  })
}) {}
