/**
 * The problem register service: puts problems on the register, moves them through their lifecycle,
 * and reads their history and stats, with `issues.register` / `issues.transition` / `issues.read`
 * over the problem's place in the tree and every change in the audit chain.
 *
 * Each write runs in one `Transactor` transaction: the store's load-decide-write (the rules are
 * `Lifecycle.register` and `Lifecycle.transition`) and the audit entries of its events commit
 * together or not at all. The actor and the time are the service's — the authenticated actor and
 * the `Clock` — never the client's.
 *
 * Registering: the category must be in the configured catalogue, the attributes must fit it, the
 * node must stand on the registration date (in the calendar's time zone) and lie in the actor's
 * scope; the deadline comes from the category's SLA. The id is the idempotency key. A problem found
 * by an inspection is de-duplicated against an open problem on the same node and category: the open
 * one is returned and nothing is written.
 *
 * @since 0.1.0
 */
import { Actor, Audit, AuditLog, Errors, Json, Period, Permission, Transactor, Trusted } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import { NodeId } from "@sortgrid/grid/Node"
import { Clock, Context, Effect, Either, Option, type ParseResult, Schema } from "effect"
import * as Catalogue from "./Catalogue.js"
import * as Category from "./Category.js"
import { statsUnder } from "./internal/stats.js"
import * as Lifecycle from "./Lifecycle.js"
import {
  EpochMillis,
  EvidenceRef,
  FromInspection,
  ManualReport,
  Note,
  type Problem,
  ProblemId,
  Source,
  State,
  VisitId
} from "./Problem.js"
import { ProblemStore, pairKey, type RegisterPlan } from "./ProblemStore.js"
import * as Sla from "./Sla.js"
import type * as Stats from "./Stats.js"

/**
 * What the register is configured with: the categories problems are registered under, and the
 * jurisdiction's working calendar (deadlines, days of the registration and of stats periods).
 *
 * @since 0.1.0
 * @category config
 */
export interface Config {
  readonly catalogue: Catalogue.Catalogue
  readonly calendar: Sla.WorkingCalendar
  /** Days overdue per escalation level (`Lifecycle.escalate`): level k falls due k × this after the deadline. */
  readonly escalateAfterOverdueDays: number
}

/**
 * Beijing's calendar with weekends only: no public holidays or make-up days until a host configures
 * the year's official calendar.
 *
 * @since 0.1.0
 * @category config
 */
export const beijingCalendar: Sla.WorkingCalendar = new Sla.WorkingCalendar({ utcOffsetMinutes: 480 })

/**
 * The configuration in force; `Catalogue.defaultCatalogue`, {@link beijingCalendar} and escalation
 * every 3 days overdue unless a host provides another
 * (`Layer.succeed(ProblemRegisterConfig, { catalogue, calendar, escalateAfterOverdueDays })`).
 *
 * @since 0.1.0
 * @category config
 */
export class ProblemRegisterConfig extends Context.Reference<ProblemRegisterConfig>()(
  "@sortgrid/issues/ProblemRegisterConfig",
  {
    defaultValue: (): Config => ({
      catalogue: Catalogue.defaultCatalogue,
      calendar: beijingCalendar,
      escalateAfterOverdueDays: 3
    })
  }
) {}

/**
 * A problem to put on the register: `Lifecycle.Register` without the deadline (the service computes
 * it from the category's SLA), with the category's attribute values. The source defaults to a
 * manual report with no reference.
 *
 * @since 0.1.0
 * @category commands
 */
export class RegisterInput extends Schema.Class<RegisterInput>("@sortgrid/issues/RegisterInput")({
  id: ProblemId,
  categoryCode: Category.CategoryCode,
  nodeId: NodeId,
  source: Schema.optionalWith(Source, { default: () => new ManualReport({ reference: null }) }),
  note: Schema.optionalWith(Schema.NullOr(Note), { default: () => null }),
  evidence: Schema.optionalWith(Schema.Array(EvidenceRef), { default: () => [] }),
  /** Checked with `Category.validateAttributes` and kept on the problem, normalised. */
  attributes: Schema.optional(Schema.Unknown)
}) {}

/**
 * A decoded {@link RegisterInput}: its fields, whether or not in an instance of the class.
 *
 * @since 0.1.0
 * @category commands
 */
export type RegisterFields = Schema.Struct.Type<typeof RegisterInput.fields>

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

// The encoded side with every refinement (id patterns, lengths) and no transformation: what decoding
// accepts is exactly what it accepts, and every transformation past it (defaults, the source's class)
// cannot fail. Checking it is a fraction of the cost of decoding, so valid input is checked with it
// and built by hand; anything it refuses is decoded in full for the errors.
const isEncodedInput = Schema.is(Schema.encodedBoundSchema(RegisterInput), decodeOptions)
const decodeInput = Schema.decodeUnknownEither(RegisterInput, decodeOptions)
const decodeInputs = Schema.decodeUnknownEither(Schema.Array(RegisterInput), decodeOptions)
const noEvidence: ReadonlyArray<EvidenceRef> = []
const attributesPath: ReadonlyArray<string> = ["attributes"]

const checked = { disableValidation: true } as const

/** The decoded fields of an input `isEncodedInput` accepted: what decoding gives, built directly. */
const registerFields = (input: typeof RegisterInput.Encoded): RegisterFields => {
  const source = input.source
  return {
    id: ProblemId.make(input.id, checked),
    categoryCode: Category.CategoryCode.make(input.categoryCode, checked),
    nodeId: NodeId.make(input.nodeId, checked),
    source:
      source === undefined || source._tag === "ManualReport"
        ? Trusted.make(ManualReport, { reference: source?.reference ?? null, _tag: "ManualReport" })
        : Trusted.make(FromInspection, {
            visitId: VisitId.make(source.visitId, checked),
            itemCode: source.itemCode,
            _tag: "FromInspection"
          }),
    note: input.note ?? null,
    evidence: input.evidence === undefined ? noEvidence : input.evidence.map((ref) => EvidenceRef.make(ref, checked)),
    // Decoding leaves an absent optional field absent.
    ...(Object.hasOwn(input, "attributes") ? { attributes: input.attributes } : {})
  }
}

/**
 * Decodes a batch of register inputs: the same fields, and on bad input the same `ParseError`
 * (every issue, excess properties refused), as
 * `Schema.decodeUnknownEither(Schema.Array(RegisterInput), { errors: "all", onExcessProperty: "error" })`,
 * at a fraction of its cost on valid input.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRegisterInputs = (
  input: unknown
): Either.Either<ReadonlyArray<RegisterFields>, ParseResult.ParseError> => {
  if (!Array.isArray(input)) return decodeInputs(input)
  const out: Array<RegisterFields> = new Array(input.length)
  for (let index = 0; index < input.length; index++) {
    const item: unknown = input[index]
    if (!isEncodedInput(item)) return decodeInputs(input)
    out[index] = registerFields(item)
  }
  return Either.right(out)
}

/**
 * Decodes one register input, as {@link decodeRegisterInputs} decodes a batch.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRegisterInput = (input: unknown): Either.Either<RegisterFields, ParseResult.ParseError> =>
  isEncodedInput(input) ? Either.right(registerFields(input)) : decodeInput(input)

/**
 * The answer for one registration: the problem, and whether it was put on the register now,
 * replayed (the id was registered before with the same content), or de-duplicated (an inspection
 * found what an open problem on the same node and category already records).
 *
 * @since 0.1.0
 * @category models
 */
export interface Registration {
  readonly problem: Problem
  readonly outcome: "registered" | "replayed" | "deduplicated"
}

/**
 * What registering can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type RegisterError = Errors.Invalid | Errors.Forbidden | Errors.Conflict | Errors.StorageError

/**
 * What a transition can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type TransitionError =
  | Errors.Invalid
  | Errors.Forbidden
  | Errors.Conflict
  | Errors.NotFound
  | Errors.StorageError

interface Plan extends RegisterPlan {
  readonly results: ReadonlyArray<Registration>
}

/** Audit ids are derived from the event, so a retried append finds the entry it stored. */
const auditDraft = (actor: Actor.Actor, event: Lifecycle.ProblemEvent): Audit.DraftFields => {
  const readable = `problem.${event.problemId}.v${event.version}`
  const id = readable.length <= 128 ? readable : `problem.${Json.digest([event.problemId, event.version])}`
  // The payload is built from a decoded event by Lifecycle.auditRecord: JSON by construction, so the
  // recursive Json schema (most of a batch's CPU time when validated) is not run again, and the
  // draft is handed to the log as fields rather than an instance of the class.
  const { action, payload, subject } = Lifecycle.auditRecord(event)
  return { id: Audit.AuditEntryId.make(id, { disableValidation: true }), actor: actor.id, action, subject, payload }
}

/**
 * A query for {@link ProblemRegister} `list`: where (a path, or every path of the actor's scope),
 * which problems, and which page.
 *
 * @since 0.1.0
 * @category queries
 */
export class ListInput extends Schema.Class<ListInput>("@sortgrid/issues/ListInput")({
  /** Problems on nodes on or under this path, on the tree as of today; the actor's scope when absent. */
  under: Schema.optional(Actor.NodePath),
  states: Schema.optional(Schema.Array(State)),
  categoryCodes: Schema.optional(Schema.Array(Category.CategoryCode)),
  /** Only problems registered in `[from, to]` (epoch milliseconds). */
  registered: Schema.optional(Schema.Struct({ from: EpochMillis, to: EpochMillis })),
  /** Only problems overdue now. */
  overdue: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** The `next` of the previous page. */
  cursor: Schema.optional(Schema.String),
  limit: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1_000)), { default: () => 100 })
}) {}

/**
 * A page of problems, by registration time then id, and the cursor of the next page (`null` on the
 * last).
 *
 * @since 0.1.0
 * @category queries
 */
export interface ProblemPage {
  readonly problems: ReadonlyArray<Problem>
  readonly next: string | null
}

const Cursor = Schema.parseJson(Schema.Tuple(EpochMillis, ProblemId))

const prefixed = (error: Errors.Invalid, prefix: ReadonlyArray<string | number>): Errors.Invalid =>
  new Errors.Invalid({
    issues: [
      new Errors.Issue({ ...error.issues[0], path: [...prefix, ...error.issues[0].path] }),
      ...error.issues.slice(1).map((issue) => new Errors.Issue({ ...issue, path: [...prefix, ...issue.path] }))
    ]
  })

/** Decides a batch on the stored state: replays, de-duplications and new problems, in input order. */
const planRegistrations = (
  state: { readonly stored: ReadonlyMap<string, Problem>; readonly open: ReadonlyMap<string, ReadonlyArray<Problem>> },
  commands: ReadonlyArray<Lifecycle.RegisterFields>,
  actorId: Actor.ActorId,
  at: number,
  pathOf: (index: number) => ReadonlyArray<string | number>
): Either.Either<Plan, Errors.Invalid | Errors.Conflict> => {
  const stored = new Map(state.stored)
  // Only inspection findings are de-duplicated: a batch without any needs no open problems tracked.
  const deduplicating = commands.some((command) => command.source._tag === "FromInspection")
  const open = new Map(deduplicating ? state.open : [])
  const problems: Array<Problem> = []
  const events: Array<Lifecycle.ProblemEvent> = []
  const results: Array<Registration> = []
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!
    const found = stored.get(command.id)
    const key = deduplicating ? pairKey(command) : ""
    if (found === undefined && command.source._tag === "FromInspection") {
      const openOne = open.get(key)?.[0]
      if (openOne !== undefined) {
        results.push({ problem: openOne, outcome: "deduplicated" })
        continue
      }
    }
    // A retry comes later than the first registration, so its freshly computed deadline differs: the
    // stored deadline is the one the retry's content is compared with.
    const decided =
      found === undefined
        ? Lifecycle.register(Option.none(), command, actorId, at)
        : Lifecycle.register(Option.some(found), { ...command, deadlineAt: found.deadlineAt }, actorId, at)
    if (Either.isLeft(decided)) {
      const error = decided.left
      return Either.left(error._tag === "Invalid" ? prefixed(error, pathOf(index)) : error)
    }
    const { event, problem } = decided.right
    if (Option.isNone(event)) {
      results.push({ problem, outcome: "replayed" })
      continue
    }
    problems.push(problem)
    events.push(event.value)
    stored.set(problem.id, problem)
    if (deduplicating) open.set(key, [...(open.get(key) ?? []), problem])
    results.push({ problem, outcome: "registered" })
  }
  return Either.right({ problems, events, results })
}

/**
 * Registers problems, moves them through their lifecycle, reads their history and stats.
 *
 * @since 0.1.0
 * @category services
 */
export class ProblemRegister extends Effect.Service<ProblemRegister>()("@sortgrid/issues/ProblemRegister", {
  effect: Effect.gen(function* () {
    const grid = yield* GridStore
    const store = yield* ProblemStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const config = yield* ProblemRegisterConfig
    const offset = config.calendar.utcOffsetMinutes

    const allowed = (actor: Actor.Actor, permission: string, at: Actor.NodePath) =>
      Permission.decide(grants, actor, { permission, at })

    const today = Effect.map(Clock.currentTimeMillis, (now) => Period.isoDateOfDay(Period.dayOfInstant(now, offset)))

    /** Where each problem's node stands today — or, for a node closed since, on its last day. */
    const pathsOf = (problems: ReadonlyArray<Problem>) =>
      Effect.gen(function* () {
        const ids = [...new Set(problems.map((problem) => problem.nodeId))]
        const paths = new Map<string, Actor.NodePath>(
          (yield* grid.placements({ asOf: yield* today, ids })).map(([nodeId, path]) => [
            nodeId,
            Actor.NodePath.make(path, { disableValidation: true })
          ])
        )
        for (const id of ids.filter((id) => !paths.has(id))) {
          const latest = (yield* grid.history(id)).at(-1)
          if (latest === undefined) return yield* Effect.fail(new Errors.NotFound({ entity: "Node", id }))
          paths.set(id, latest.path)
        }
        return paths
      })

    const load = (ids: ReadonlyArray<ProblemId>) =>
      Effect.flatMap(store.get(ids), (found) => {
        const byId = new Map(found.map((problem) => [problem.id, problem]))
        const missing = ids.find((id) => !byId.has(id))
        return missing === undefined
          ? Effect.succeed(ids.map((id) => byId.get(id)!))
          : Effect.fail(new Errors.NotFound({ entity: "Problem", id: missing }))
      })

    const categories = new Map(config.catalogue.categories.map((category) => [category.code as string, category]))

    const registerAll = (
      actor: Actor.Actor,
      inputs: ReadonlyArray<RegisterFields>,
      pathOfItem: (index: number) => ReadonlyArray<string | number>
    ): Effect.Effect<ReadonlyArray<Registration>, RegisterError> =>
      Effect.gen(function* () {
        if (inputs.length === 0) return []
        const now = yield* Clock.currentTimeMillis
        const registeredOn = Period.isoDateOfDay(Period.dayOfInstant(now, offset))
        const nodeIds = [...new Set(inputs.map((input) => input.nodeId))]
        const paths = new Map(
          (yield* grid.placements({ asOf: registeredOn, ids: nodeIds })).map(([nodeId, path]) => [
            nodeId,
            Actor.NodePath.make(path, { disableValidation: true })
          ])
        )
        // Every problem of a batch is registered at the same instant: one deadline per category.
        const deadlines = new Map<string, number>()
        const issues: Array<Errors.Issue> = []
        const commands: Array<Lifecycle.RegisterFields> = []
        for (let index = 0; index < inputs.length; index++) {
          const input = inputs[index]!
          const category = categories.get(input.categoryCode)
          if (category === undefined) {
            issues.push(
              new Errors.Issue({
                path: [...pathOfItem(index), "categoryCode"],
                reason: `${input.categoryCode} is not a category`
              })
            )
          } else {
            // The item's path is built only for an error: most batches have none.
            const checked = Category.validateAttributes(category, input.attributes, attributesPath)
            if (Either.isLeft(checked)) issues.push(...prefixed(checked.left, pathOfItem(index)).issues)
            let deadlineAt = deadlines.get(category.code)
            if (deadlineAt === undefined) {
              deadlineAt = Sla.deadline(now, category.sla, config.calendar)
              deadlines.set(category.code, deadlineAt)
            }
            // The command's fields come from decoded input and the catalogue: no class to build
            // and check again.
            commands.push({
              id: input.id,
              categoryCode: input.categoryCode,
              nodeId: input.nodeId,
              source: input.source,
              deadlineAt,
              note: input.note,
              evidence: input.evidence,
              attributes: Either.isRight(checked) ? checked.right : {}
            })
          }
          if (!paths.has(input.nodeId)) {
            issues.push(
              new Errors.Issue({
                path: [...pathOfItem(index), "nodeId"],
                reason: `node ${input.nodeId} does not exist on ${registeredOn}`
              })
            )
          }
        }
        const [first, ...rest] = issues
        if (first !== undefined) return yield* Effect.fail(new Errors.Invalid({ issues: [first, ...rest] }))
        for (const path of new Set(paths.values())) {
          const decision = allowed(actor, "issues.register", path)
          if (Either.isLeft(decision)) return yield* Effect.fail(decision.left)
        }
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const plan = yield* store.register(
              {
                ids: [...new Set(commands.map((command) => command.id))],
                // Only inspection findings are de-duplicated: other sources need no open problems loaded.
                pairs: commands
                  .filter((command) => command.source._tag === "FromInspection")
                  .map(({ categoryCode, nodeId }) => ({ categoryCode, nodeId }))
              },
              (state) => planRegistrations(state, commands, actor.id, now, pathOfItem)
            )
            yield* audit.append(plan.events.map((event) => auditDraft(actor, event)))
            return plan.results
          })
        )
      })

    /**
     * Puts one problem on the register (`{ id, categoryCode, nodeId, source?, note?, evidence?,
     * attributes? }`); errors name the input's fields (`categoryCode`, `attributes.bin_colour`).
     */
    const register = (actor: Actor.Actor, input: unknown): Effect.Effect<Registration, RegisterError> =>
      Effect.gen(function* () {
        const decoded = yield* Either.mapLeft(decodeRegisterInput(input), (error) =>
          Errors.Invalid.fromParseError(error)
        )
        const [result] = yield* registerAll(actor, [decoded], () => [])
        return result!
      })

    /** Puts a batch on the register in one transaction; errors name `[index].field`. */
    const registerMany = (
      actor: Actor.Actor,
      inputs: unknown
    ): Effect.Effect<ReadonlyArray<Registration>, RegisterError> =>
      Either.match(decodeRegisterInputs(inputs), {
        onLeft: (error) => Effect.fail(Errors.Invalid.fromParseError(error)),
        onRight: (decoded) => registerAll(actor, decoded, (index) => [index])
      })

    /**
     * Applies commands to distinct problems in one transaction: each is decided on its problem's
     * stored version, and all are written or none.
     */
    const applyAll = (
      actor: Actor.Actor,
      commands: ReadonlyArray<Lifecycle.Change>,
      options: { readonly permission: string; readonly pathOfItem: (index: number) => ReadonlyArray<string | number> }
    ): Effect.Effect<ReadonlyArray<Lifecycle.Transition>, TransitionError> =>
      Effect.gen(function* () {
        const seen = new Map<string, number>()
        for (const [index, command] of commands.entries()) {
          const first = seen.get(command.problemId)
          if (first !== undefined) {
            return yield* Effect.fail(
              Errors.Invalid.one(
                [...options.pathOfItem(index), "problemId"],
                `names problem ${command.problemId} again (first at [${first}])`
              )
            )
          }
          seen.set(command.problemId, index)
        }
        const problems = yield* load(commands.map((command) => command.problemId))
        for (const path of new Set((yield* pathsOf(problems)).values())) yield* allowed(actor, options.permission, path)
        const at = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const done = yield* store.change(commands, (current) =>
              Either.all(
                current.map((problem, index) =>
                  Either.mapLeft(Lifecycle.transition(problem, commands[index]!, actor.id, at), (error) =>
                    error._tag === "Invalid" ? prefixed(error, options.pathOfItem(index)) : error
                  )
                )
              )
            )
            yield* audit.append(done.map(({ event }) => auditDraft(actor, event)))
            return done
          })
        )
      })

    const decodeChanges = Schema.decodeUnknown(Schema.Array(Lifecycle.Change), decodeOptions)

    /** Applies a lifecycle command (`{ _tag: "Assign" | "Rectify" | …, problemId, expectedVersion, … }`). */
    const transition = (actor: Actor.Actor, input: unknown): Effect.Effect<Lifecycle.Transition, TransitionError> =>
      Effect.gen(function* () {
        const command = yield* Effect.mapError(Schema.decodeUnknown(Lifecycle.Change, decodeOptions)(input), (error) =>
          Errors.Invalid.fromParseError(error)
        )
        const [done] = yield* applyAll(actor, [command], { permission: "issues.transition", pathOfItem: () => [] })
        return done!
      })

    /**
     * Applies lifecycle commands to distinct problems atomically: every transition is stored, or —
     * on the first refusal, whose error names `[index].field` — none.
     */
    const transitionMany = (
      actor: Actor.Actor,
      inputs: unknown
    ): Effect.Effect<ReadonlyArray<Lifecycle.Transition>, TransitionError> =>
      Effect.flatMap(
        Effect.mapError(decodeChanges(inputs), (error) => Errors.Invalid.fromParseError(error)),
        (commands) =>
          commands.length === 0
            ? Effect.succeed([])
            : applyAll(actor, commands, { permission: "issues.transition", pathOfItem: (index) => [index] })
      )

    /**
     * The escalation run a scheduler calls (hourly, say): every open problem on or under `under` that
     * `Lifecycle.escalate` finds due — overdue by the configured days per level — is escalated to the
     * parent jurisdiction, in one transaction, needing `issues.escalate` there. Runs that overlap
     * decide on the same versions, so an escalation is recorded once; the run that loses re-decides.
     */
    const escalateOverdue = (
      actor: Actor.Actor,
      query: { readonly under: Actor.NodePath }
    ): Effect.Effect<ReadonlyArray<Lifecycle.Transition>, TransitionError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "issues.escalate", query.under)
        const asOf = yield* today
        const now = yield* Clock.currentTimeMillis
        const nodeIds = (yield* grid.versions({ asOf, under: query.under })).map((version) => version.nodeId)
        const problems = yield* store.open({ nodeIds })
        const from = problems.map(
          (problem) => problem.escalations.at(-1)?.to ?? problem.assignee?.unitId ?? problem.nodeId
        )
        const parents = new Map(
          (yield* grid.versions({ asOf, ids: [...new Set(from)] })).map((version) => [version.nodeId, version.parentId])
        )
        const parentOf = (id: NodeId) => Option.fromNullable(parents.get(id))
        const due = problems.flatMap((problem) =>
          Option.toArray(Lifecycle.escalate(problem, { now, overdueDays: config.escalateAfterOverdueDays, parentOf }))
        )
        return due.length === 0
          ? []
          : yield* applyAll(actor, due, { permission: "issues.escalate", pathOfItem: (index) => [index] })
      }).pipe(Effect.retry({ while: (error) => error._tag === "Conflict", times: 3 }))

    /**
     * A page of the problems on or under a path (or the actor's whole scope) that match the filters,
     * by registration time then id; `issues.read` on every path listed.
     */
    const list = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ProblemPage, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        const query = yield* Effect.mapError(Schema.decodeUnknown(ListInput, decodeOptions)(input), (error) =>
          Errors.Invalid.fromParseError(error, ["query"])
        )
        const after =
          query.cursor === undefined
            ? undefined
            : yield* Effect.mapError(Schema.decodeUnknown(Cursor)(query.cursor), () =>
                Errors.Invalid.one(["query", "cursor"], "is not a cursor this register gave")
              )
        const paths = query.under === undefined ? actor.scope : [query.under]
        for (const path of paths) yield* allowed(actor, "issues.read", path)
        const asOf = yield* today
        const nodeIds = new Set<NodeId>()
        for (const path of paths) {
          for (const [nodeId] of yield* grid.placements({ asOf, under: path }))
            nodeIds.add(NodeId.make(nodeId, { disableValidation: true }))
        }
        const problems = yield* store.list({
          nodeIds: [...nodeIds],
          states: query.states,
          categoryCodes: query.categoryCodes,
          registered: query.registered,
          deadlineBy: query.overdue ? yield* Clock.currentTimeMillis : undefined,
          after: after === undefined ? undefined : { registeredAt: after[0], id: after[1] },
          limit: query.limit + 1
        })
        const page = problems.slice(0, query.limit)
        const last = page.at(-1)
        return {
          problems: page,
          next:
            problems.length > query.limit && last !== undefined ? JSON.stringify([last.registeredAt, last.id]) : null
        }
      })

    /**
     * The problems with these ids that the actor may read (`issues.read` where each stands), in the
     * order asked; the others — missing or outside the actor's scope alike — are left out.
     */
    const find = (
      actor: Actor.Actor,
      ids: ReadonlyArray<ProblemId>
    ): Effect.Effect<ReadonlyArray<Problem>, Errors.StorageError> =>
      Effect.gen(function* () {
        const found = new Map((yield* store.get(ids)).map((problem) => [problem.id, problem]))
        const paths = yield* Effect.catchTag(pathsOf([...found.values()]), "NotFound", () =>
          Effect.succeed(new Map<string, Actor.NodePath>())
        )
        return ids.flatMap((id) => {
          const problem = found.get(id)
          const path = problem === undefined ? undefined : paths.get(problem.nodeId)
          return problem !== undefined &&
            path !== undefined &&
            Either.isRight(Permission.decide(grants, actor, { permission: "issues.read", at: path }))
            ? [problem]
            : []
        })
      })

    /** A problem's events, oldest first. */
    const history = (
      actor: Actor.Actor,
      id: ProblemId
    ): Effect.Effect<ReadonlyArray<Lifecycle.ProblemEvent>, Errors.Forbidden | Errors.NotFound | Errors.StorageError> =>
      Effect.gen(function* () {
        const problems = yield* load([id])
        for (const path of (yield* pathsOf(problems)).values()) yield* allowed(actor, "issues.read", path)
        return yield* store.events(id)
      })

    /** Stats of every node on or under a path for a period, on the tree as of the period's last day. */
    const stats = (
      actor: Actor.Actor,
      query: { readonly under: Actor.NodePath; readonly period: Period.Period }
    ): Effect.Effect<Stats.Stats, Errors.Forbidden | Errors.StorageError> =>
      Effect.zipRight(
        allowed(actor, "issues.read", query.under),
        statsUnder({ ...query, offsetMinutes: offset }).pipe(
          Effect.provideService(GridStore, grid),
          Effect.provideService(ProblemStore, store)
        )
      )

    return { register, registerMany, transition, transitionMany, escalateOverdue, list, find, history, stats } as const
  })
}) {}
