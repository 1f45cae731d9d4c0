/**
 * The problem lifecycle as a pure state machine: commands, the events they produce, and the rules
 * that accept or refuse them. Services load a problem, call {@link transition}, and write the new
 * version and its event together; nothing here reads a clock or a store. The actor and the time
 * are arguments: the service passes the authenticated actor and its `Clock`, so a client can
 * neither act in someone else's name nor backdate a transition.
 *
 * Refusals, in order of precedence:
 * 1. `Conflict` — the command names a version other than the current one (`version conflict:
 *    expected n, current m`): it was decided on a stale read. Re-read and decide again.
 * 2. `Invalid` — the command is not allowed in the problem's state (naming both), or a field
 *    contradicts the problem (naming the field).
 * 3. `Forbidden` — a passing re-inspection by the person who rectified the problem.
 *
 * Guarantees: an accepted command yields exactly one event and a problem whose version is one
 * more than the command's expected version, so of two commands decided on the same version at
 * most one can be stored (the store's compare-and-set refuses the other with the same `Conflict`).
 *
 * @since 0.1.0
 */
import { Actor, Errors, Json, Trusted } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import { PersonId } from "@sortgrid/grid/Person"
import { Either, Option, Schema } from "effect"
import { AttributeValues, CategoryCode } from "./Category.js"
import {
  Assignee,
  ClosedFixed,
  ClosedOther,
  CloseReason,
  Closure,
  EpochMillis,
  Escalation,
  EvidenceRef,
  isOpen,
  Note,
  Problem,
  ProblemId,
  Rectification,
  Source,
  State
} from "./Problem.js"

const ExpectedVersion = Schema.Int.pipe(Schema.positive())
const OptionalNote = Schema.optionalWith(Schema.NullOr(Note), { default: () => null })
const OptionalEvidence = Schema.optionalWith(Schema.Array(EvidenceRef), { default: () => [] })

// --- commands -------------------------------------------------------------------------------------

/**
 * Put a problem on the register. The id is the idempotency key (there is no version to expect
 * yet): the same id with the same content replays the first registration, with other content it
 * is a `Conflict`. `deadlineAt` comes from the category's SLA and must lie after the registration.
 *
 * @since 0.1.0
 * @category commands
 */
export class Register extends Schema.TaggedClass<Register>()("Register", {
  id: ProblemId,
  categoryCode: CategoryCode,
  nodeId: NodeId,
  source: Source,
  deadlineAt: EpochMillis,
  note: OptionalNote,
  evidence: OptionalEvidence,
  /** The category's extra attributes, already checked against it (`Category.validateAttributes`). */
  attributes: Schema.optionalWith(AttributeValues, { default: () => ({}), exact: true })
}) {}

/**
 * The fields of a {@link Register} command, in an instance or not: what {@link register} reads. A
 * service that built the command from input it decoded itself passes the fields as they are.
 *
 * @since 0.1.0
 * @category commands
 */
export type RegisterFields = Omit<Schema.Struct.Type<typeof Register.fields>, "_tag">

/**
 * Assign a problem to a unit, and optionally a person in it; assigning again reassigns.
 *
 * @since 0.1.0
 * @category commands
 */
export class Assign extends Schema.TaggedClass<Assign>()("Assign", {
  problemId: ProblemId,
  expectedVersion: ExpectedVersion,
  unitId: NodeId,
  personId: Schema.optionalWith(Schema.NullOr(PersonId), { default: () => null }),
  note: OptionalNote
}) {}

/**
 * Report a problem rectified, with evidence (photos of the fixed station).
 *
 * @since 0.1.0
 * @category commands
 */
export class Rectify extends Schema.TaggedClass<Rectify>()("Rectify", {
  problemId: ProblemId,
  expectedVersion: ExpectedVersion,
  evidence: Schema.NonEmptyArray(EvidenceRef),
  note: OptionalNote
}) {}

/**
 * What a re-inspection found.
 *
 * @since 0.1.0
 * @category commands
 */
export const Outcome = Schema.Literal("pass", "fail")

/**
 * @since 0.1.0
 * @category commands
 */
export type Outcome = typeof Outcome.Type

/**
 * Re-inspect a rectified problem: a pass closes it as fixed, a fail sends it back to rectifying.
 *
 * @since 0.1.0
 * @category commands
 */
export class Reinspect extends Schema.TaggedClass<Reinspect>()("Reinspect", {
  problemId: ProblemId,
  expectedVersion: ExpectedVersion,
  outcome: Outcome,
  note: OptionalNote,
  evidence: OptionalEvidence
}) {}

/**
 * Close an open problem without fixing it. `duplicateOf` is required exactly when the reason is
 * `"duplicate"`.
 *
 * @since 0.1.0
 * @category commands
 */
export class CloseOther extends Schema.TaggedClass<CloseOther>()("CloseOther", {
  problemId: ProblemId,
  expectedVersion: ExpectedVersion,
  reason: CloseReason,
  duplicateOf: Schema.optionalWith(Schema.NullOr(ProblemId), { default: () => null }),
  note: OptionalNote
}) {}

/**
 * Escalate an open problem to a jurisdiction (usually the parent of the one responsible). Each
 * jurisdiction is escalated to at most once.
 *
 * @since 0.1.0
 * @category commands
 */
export class Escalate extends Schema.TaggedClass<Escalate>()("Escalate", {
  problemId: ProblemId,
  expectedVersion: ExpectedVersion,
  to: NodeId,
  note: OptionalNote
}) {}

/**
 * A command on a registered problem.
 *
 * @since 0.1.0
 * @category commands
 */
export const Change = Schema.Union(Assign, Rectify, Reinspect, CloseOther, Escalate)

/**
 * @since 0.1.0
 * @category commands
 */
export type Change = typeof Change.Type

// --- events ---------------------------------------------------------------------------------------

/**
 * The kinds of event, one per outcome of a command. The audit action is `problem.<kind>`.
 *
 * @since 0.1.0
 * @category events
 */
export const EventKind = Schema.Literal(
  "registered",
  "assigned",
  "rectified",
  "reinspectionPassed",
  "reinspectionFailed",
  "closedOther",
  "escalated"
)

/**
 * @since 0.1.0
 * @category events
 */
export type EventKind = typeof EventKind.Type

/**
 * What a registration put on the register.
 *
 * @since 0.1.0
 * @category events
 */
export class Registration extends Schema.Class<Registration>("@sortgrid/issues/Registration")({
  categoryCode: CategoryCode,
  nodeId: NodeId,
  source: Source,
  deadlineAt: EpochMillis
}) {}

/**
 * One transition of a problem, for its history and the audit chain. `version` is the version the
 * transition produced; `fromState` is null for the registration. The detail fields are set by the
 * kinds they belong to and null otherwise: `registration` by `registered`, `assignee` by
 * `assigned`, `closure` by `reinspectionPassed` and `closedOther`, `escalatedTo` by `escalated`.
 *
 * @since 0.1.0
 * @category events
 */
export class ProblemEvent extends Schema.Class<ProblemEvent>("@sortgrid/issues/ProblemEvent")({
  problemId: ProblemId,
  version: Schema.Int.pipe(Schema.positive()),
  kind: EventKind,
  actor: Actor.ActorId,
  at: EpochMillis,
  fromState: Schema.NullOr(State),
  toState: State,
  note: Schema.NullOr(Note),
  evidence: Schema.Array(EvidenceRef),
  registration: Schema.NullOr(Registration),
  assignee: Schema.NullOr(Assignee),
  closure: Schema.NullOr(Closure),
  escalatedTo: Schema.NullOr(NodeId)
}) {}

const assigneeJson = (assignee: Assignee): Json.Json => ({ unitId: assignee.unitId, personId: assignee.personId })

const closureJson = (closure: Closure): Json.Json =>
  closure._tag === "ClosedFixed"
    ? { _tag: closure._tag, closedBy: closure.closedBy, closedAt: closure.closedAt }
    : {
        _tag: closure._tag,
        closedBy: closure.closedBy,
        closedAt: closure.closedAt,
        reason: closure.reason,
        duplicateOf: closure.duplicateOf
      }

const sourceJson = (source: Source): Json.Json =>
  source._tag === "FromInspection"
    ? { _tag: source._tag, visitId: source.visitId, itemCode: source.itemCode }
    : { _tag: source._tag, reference: source.reference }

/**
 * The audit entry of an event, less the id (the service chooses it): action `problem.<kind>`,
 * subject `problem:<id>`, and a payload that decodes back to the event with
 * `Schema.decodeUnknown(ProblemEvent)`, so the chain alone can replay a problem's history.
 *
 * @since 0.1.0
 * @category events
 */
export const auditRecord = (
  event: ProblemEvent
): { readonly action: string; readonly subject: string; readonly payload: Json.Json } => ({
  action: `problem.${event.kind}`,
  subject: `problem:${event.problemId}`,
  payload: {
    problemId: event.problemId,
    version: event.version,
    kind: event.kind,
    actor: event.actor,
    at: event.at,
    fromState: event.fromState,
    toState: event.toState,
    note: event.note,
    evidence: [...event.evidence],
    registration:
      event.registration === null
        ? null
        : {
            categoryCode: event.registration.categoryCode,
            nodeId: event.registration.nodeId,
            source: sourceJson(event.registration.source),
            deadlineAt: event.registration.deadlineAt
          },
    assignee: event.assignee === null ? null : assigneeJson(event.assignee),
    closure: event.closure === null ? null : closureJson(event.closure),
    escalatedTo: event.escalatedTo
  }
})

// --- rules ----------------------------------------------------------------------------------------

/**
 * An accepted command: the problem's next version and the event that records it.
 *
 * @since 0.1.0
 * @category rules
 */
export interface Transition {
  readonly problem: Problem
  readonly event: ProblemEvent
}

/**
 * Why a command is refused.
 *
 * @since 0.1.0
 * @category rules
 */
export type Refusal = Errors.Invalid | Errors.Conflict | Errors.Forbidden

/**
 * A registration: the problem, and the event to record — `None` when the command replayed one
 * already stored (nothing to write).
 *
 * @since 0.1.0
 * @category rules
 */
export interface Registered {
  readonly problem: Problem
  readonly event: Option.Option<ProblemEvent>
}

const invalid = (path: ReadonlyArray<string | number>, reason: string): Either.Either<never, Refusal> =>
  Either.left(Errors.Invalid.one(path, reason))

// `toISOString` throws outside the range a Date can hold; such a number is shown as it is.
const instant = (millis: number): string =>
  Number.isInteger(millis) && Math.abs(millis) <= 8_640_000_000_000_000 ? new Date(millis).toISOString() : `${millis}`

const noDetail = { registration: null, assignee: null, closure: null, escalatedTo: null } as const

/** Attribute values as JSON (a multi-value list is a readonly array of keys). */
const attributesJson = (attributes: AttributeValues): Json.Json => {
  const out: Record<string, Json.Json> = {}
  for (const [code, value] of Object.entries(attributes)) out[code] = typeof value === "object" ? [...value] : value
  return out
}

const registrationContent = (problem: {
  readonly categoryCode: string
  readonly nodeId: string
  readonly source: Source
  readonly deadlineAt: number
  readonly description: string | null
  readonly evidence: ReadonlyArray<string>
  readonly attributes: AttributeValues
}): string =>
  Json.canonical([
    problem.categoryCode,
    problem.nodeId,
    sourceJson(problem.source),
    problem.deadlineAt,
    problem.description,
    [...problem.evidence],
    attributesJson(problem.attributes)
  ])

/**
 * Puts a problem on the register at version 1, or replays a registration already stored under the
 * command's id. Checks done elsewhere: the category exists and the deadline was computed from its
 * SLA; the node exists and is in the actor's scope.
 *
 * @since 0.1.0
 * @category rules
 */
export const register = (
  stored: Option.Option<Problem>,
  command: RegisterFields,
  actorId: Actor.ActorId,
  at: number
): Either.Either<Registered, Errors.Invalid | Errors.Conflict> => {
  if (Option.isSome(stored)) {
    // Checked before the deadline: a retry arriving after the deadline still replays.
    return registrationContent(stored.value) === registrationContent({ ...command, description: command.note })
      ? Either.right({ problem: stored.value, event: Option.none() })
      : Either.left(
          new Errors.Conflict({
            entity: "Problem",
            id: command.id,
            reason: "a problem with this id was registered with different content"
          })
        )
  }
  if (command.deadlineAt <= at) {
    return Either.left(
      Errors.Invalid.one(
        ["deadlineAt"],
        `must be after the registration time ${instant(at)}, got ${instant(command.deadlineAt)}`
      )
    )
  }
  // Built from the command's decoded fields: complete and valid, so no constructor runs (see `Trusted.make`).
  const problem = Trusted.make(Problem, {
    id: command.id,
    categoryCode: command.categoryCode,
    nodeId: command.nodeId,
    source: command.source,
    description: command.note,
    evidence: command.evidence,
    attributes: command.attributes,
    registeredAt: at,
    registeredBy: actorId,
    deadlineAt: command.deadlineAt,
    state: "registered",
    assignee: null,
    rectification: null,
    reopenCount: 0,
    closure: null,
    escalations: [],
    version: 1
  })
  const event = Trusted.make(ProblemEvent, {
    problemId: command.id,
    version: 1,
    kind: "registered",
    actor: actorId,
    at,
    fromState: null,
    toState: "registered",
    note: command.note,
    evidence: command.evidence,
    registration: Trusted.make(Registration, {
      categoryCode: command.categoryCode,
      nodeId: command.nodeId,
      source: command.source,
      deadlineAt: command.deadlineAt
    }),
    assignee: null,
    closure: null,
    escalatedTo: null
  })
  return Either.right({ problem, event: Option.some(event) })
}

/** The open states each command may start from; a closed problem accepts nothing. */
const allowedFrom: { readonly [K in Change["_tag"]]: ReadonlyArray<State> } = {
  Assign: ["registered", "assigned", "rectifying"],
  Rectify: ["assigned", "rectifying"],
  Reinspect: ["rectified"],
  CloseOther: ["registered", "assigned", "rectified", "rectifying"],
  Escalate: ["registered", "assigned", "rectified", "rectifying"]
}

const describeState = (problem: Problem): string => {
  const closure = problem.closure
  if (closure === null) return problem.state
  return closure._tag === "ClosedFixed" ? "closed (fixed)" : `closed (${closure.reason})`
}

const describeAssignee = (assignee: Assignee): string =>
  `unit ${assignee.unitId}${assignee.personId === null ? "" : `, person ${assignee.personId}`}`

type ProblemChanges = Partial<Omit<ConstructorParameters<typeof Problem>[0], "id" | "version">>

interface EventParts {
  readonly kind: EventKind
  readonly note: string | null
  readonly evidence?: ReadonlyArray<EvidenceRef>
  readonly detail?: Partial<Pick<ProblemEvent, "assignee" | "closure" | "escalatedTo">>
}

/** An accepted command: the next version, and the event that records it. */
const step = (
  problem: Problem,
  actorId: Actor.ActorId,
  at: number,
  changes: ProblemChanges,
  { kind, note, evidence = [], detail }: EventParts
): Either.Either<Transition, Refusal> => {
  const next = new Problem({ ...problem, ...changes, version: problem.version + 1 }, { disableValidation: true })
  const event = new ProblemEvent(
    // Fields in the schema's order, so an event's JSON text is its encoded form.
    {
      problemId: problem.id,
      version: next.version,
      kind,
      actor: actorId,
      at,
      fromState: problem.state,
      toState: next.state,
      note,
      evidence,
      ...noDetail,
      ...detail
    },
    { disableValidation: true }
  )
  return Either.right({ problem: next, event })
}

/**
 * Decides a command on a problem: the problem's next version and the event, or why not. `actorId`
 * and `at` are who acts and when (the service's authenticated actor and clock). Whether the actor
 * may act on this problem at all (scope, role) is the service's check, made before.
 *
 * @since 0.1.0
 * @category rules
 */
export const transition = (
  problem: Problem,
  command: Change,
  actorId: Actor.ActorId,
  at: number
): Either.Either<Transition, Refusal> => {
  if (command.problemId !== problem.id) {
    return invalid(["problemId"], `the command is for problem ${command.problemId}, not ${problem.id}`)
  }
  if (command.expectedVersion !== problem.version) {
    return Either.left(
      new Errors.Conflict({
        entity: "Problem",
        id: problem.id,
        reason: `version conflict: expected ${command.expectedVersion}, current ${problem.version}`
      })
    )
  }
  if (!allowedFrom[command._tag].includes(problem.state)) {
    return invalid(["_tag"], `${command._tag} is not allowed while problem ${problem.id} is ${describeState(problem)}`)
  }
  const { note } = command
  switch (command._tag) {
    case "Assign": {
      const assignee = new Assignee({ unitId: command.unitId, personId: command.personId }, { disableValidation: true })
      if (
        problem.assignee !== null &&
        problem.assignee.unitId === assignee.unitId &&
        problem.assignee.personId === assignee.personId
      ) {
        return invalid(["unitId"], `problem ${problem.id} is already assigned to ${describeAssignee(assignee)}`)
      }
      // Reassigning rework keeps it rework: the problem was still reopened.
      const state = problem.state === "registered" ? "assigned" : problem.state
      return step(problem, actorId, at, { state, assignee }, { kind: "assigned", note, detail: { assignee } })
    }
    case "Rectify": {
      const rectification = new Rectification(
        { rectifiedBy: actorId, rectifiedAt: at, evidence: command.evidence },
        { disableValidation: true }
      )
      return step(
        problem,
        actorId,
        at,
        { state: "rectified", rectification },
        { kind: "rectified", note, evidence: command.evidence }
      )
    }
    case "Reinspect": {
      const { evidence } = command
      if (command.outcome === "fail") {
        return step(
          problem,
          actorId,
          at,
          { state: "rectifying", rectification: null, reopenCount: problem.reopenCount + 1 },
          { kind: "reinspectionFailed", note, evidence }
        )
      }
      if (problem.rectification !== null && problem.rectification.rectifiedBy === actorId) {
        return Either.left(
          new Errors.Forbidden({
            actor: actorId,
            permission: `close problem ${problem.id} by re-inspection`,
            reason: `a closing re-inspection must be done by someone other than the rectifier (${actorId} rectified it)`
          })
        )
      }
      const closure = new ClosedFixed({ closedBy: actorId, closedAt: at }, { disableValidation: true })
      return step(
        problem,
        actorId,
        at,
        { state: "closed", closure },
        { kind: "reinspectionPassed", note, evidence, detail: { closure } }
      )
    }
    case "CloseOther": {
      if (command.reason === "duplicate") {
        if (command.duplicateOf === null) return invalid(["duplicateOf"], "is required when the reason is duplicate")
        if (command.duplicateOf === problem.id) {
          return invalid(["duplicateOf"], `problem ${problem.id} cannot be a duplicate of itself`)
        }
      } else if (command.duplicateOf !== null) {
        return invalid(["duplicateOf"], `must be null unless the reason is duplicate (the reason is ${command.reason})`)
      }
      const closure = new ClosedOther(
        { closedBy: actorId, closedAt: at, reason: command.reason, duplicateOf: command.duplicateOf },
        { disableValidation: true }
      )
      return step(
        problem,
        actorId,
        at,
        { state: "closed", closure },
        { kind: "closedOther", note, detail: { closure } }
      )
    }
    case "Escalate": {
      if (problem.escalations.some((escalation) => escalation.to === command.to)) {
        return invalid(["to"], `problem ${problem.id} was already escalated to ${command.to}`)
      }
      const escalations = [...problem.escalations, new Escalation({ to: command.to, at }, { disableValidation: true })]
      return step(
        problem,
        actorId,
        at,
        { escalations },
        { kind: "escalated", note, detail: { escalatedTo: command.to } }
      )
    }
  }
}

// --- escalation -----------------------------------------------------------------------------------

const dayMillis = 24 * 60 * 60 * 1000

/**
 * Decides whether an open problem is due for its next escalation, and to whom. Escalation `k` (the
 * first is 1) falls due when the problem is overdue by `k × overdueDays` days (24-hour days; a
 * working-day calendar belongs to the SLA that set the deadline). It goes to the parent of the
 * jurisdiction escalated to last — of the assigned unit, or of the problem's node, the first time
 * — so each level is escalated to once and escalation stops at the root (`parentOf` gives `None`).
 * `parentOf` answers from the tree as of `now`. The result is a command for {@link transition},
 * decided on the problem's current version, so two schedulers escalating at once record it once.
 *
 * @since 0.1.0
 * @category escalation
 */
export const escalate = (
  problem: Problem,
  options: {
    readonly now: number
    /** Days overdue per level; a non-negative number from the configuration. */
    readonly overdueDays: number
    readonly parentOf: (nodeId: NodeId) => Option.Option<NodeId>
  }
): Option.Option<Escalate> => {
  const level = problem.escalations.length + 1
  if (!isOpen(problem) || !(options.now >= problem.deadlineAt + level * options.overdueDays * dayMillis)) {
    return Option.none()
  }
  const from = problem.escalations.at(-1)?.to ?? problem.assignee?.unitId ?? problem.nodeId
  return options.parentOf(from).pipe(
    Option.filter((to) => !problem.escalations.some((escalation) => escalation.to === to)),
    Option.map(
      (to) =>
        new Escalate(
          {
            problemId: problem.id,
            expectedVersion: problem.version,
            to,
            note: `overdue by ${level * options.overdueDays} days: escalated to level ${level}`
          },
          { disableValidation: true }
        )
    )
  )
}
