/**
 * Problems on the register. A problem is found at a place (a site or a compound), put on the
 * register with a deadline, assigned to a unit (and optionally a person), rectified, re-inspected,
 * and taken off the register when the re-inspection passes — or closed for another reason.
 *
 * States, and what moves a problem between them (see `Lifecycle` for the rules):
 *
 * ```text
 * registered ─assign─▶ assigned ─rectify─▶ rectified ─re-inspect: pass─▶ closed (fixed)
 *                          ▲                   │
 *                          └── rectifying ◀────┘ re-inspect: fail (reopenCount + 1)
 * any open state ─close other─▶ closed (other: not ours, duplicate, withdrawn)
 * ```
 *
 * Guarantees (kept by `Lifecycle`, the only code that makes new versions):
 * - `version` is 1 on registering and grows by exactly one per accepted command;
 * - `state` is `"closed"` exactly when `closure` is set, and a closed problem never changes again;
 * - `assignee` is set from the first assignment on; `rectification` is set by rectifying, cleared
 *   by a failed re-inspection and kept by a closing (a fixed closure always has one);
 * - `reopenCount` is the number of failed re-inspections;
 * - `escalations` name each jurisdiction at most once, in the order they were made.
 *
 * @since 0.1.0
 */
import { Actor, Id } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import { PersonId } from "@sortgrid/grid/Person"
import { Option, Schema } from "effect"
import { AttributeValues, CategoryCode } from "./Category.js"

/**
 * A problem's id: client-chosen (the idempotency key of registering it) or minted.
 *
 * @since 0.1.0
 * @category ids
 */
export const ProblemId = Id.brand("ProblemId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ProblemId = typeof ProblemId.Type

/**
 * The id of an inspection visit, as the inspection module records it.
 *
 * @since 0.1.0
 * @category ids
 */
export const VisitId = Id.brand("VisitId")

/**
 * @since 0.1.0
 * @category ids
 */
export type VisitId = typeof VisitId.Type

/**
 * An instant, in milliseconds since the Unix epoch (what `Clock.currentTimeMillis` returns), up to
 * the last instant a `Date` can hold.
 *
 * @since 0.1.0
 * @category models
 */
export const EpochMillis = Schema.Int.pipe(Schema.between(0, 8_640_000_000_000_000))

/**
 * A reference to a piece of evidence kept elsewhere: a photo's URL or a media store's key. The
 * register keeps references only, never the media.
 *
 * @since 0.1.0
 * @category models
 */
export const EvidenceRef = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2048), Schema.brand("EvidenceRef"))

/**
 * @since 0.1.0
 * @category models
 */
export type EvidenceRef = typeof EvidenceRef.Type

/**
 * A free-text note on a problem or on one of its transitions.
 *
 * @since 0.1.0
 * @category models
 */
export const Note = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(2000))

/**
 * Found by an inspection: the visit and the checklist item that failed.
 *
 * @since 0.1.0
 * @category models
 */
export class FromInspection extends Schema.TaggedClass<FromInspection>()("FromInspection", {
  visitId: VisitId,
  itemCode: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64))
}) {}

/**
 * Reported by hand (a resident's call, a supervisor's note, an Open311 request), with the outside
 * reference when there is one (a hotline ticket, a request id).
 *
 * @since 0.1.0
 * @category models
 */
export class ManualReport extends Schema.TaggedClass<ManualReport>()("ManualReport", {
  reference: Schema.optionalWith(Schema.NullOr(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256))), {
    default: () => null
  })
}) {}

/**
 * Where a problem came from.
 *
 * @since 0.1.0
 * @category models
 */
export const Source = Schema.Union(FromInspection, ManualReport)

/**
 * @since 0.1.0
 * @category models
 */
export type Source = typeof Source.Type

/**
 * Who must fix a problem: a unit (a community, a property company, a department…) and, when
 * named, the person in it.
 *
 * @since 0.1.0
 * @category models
 */
export class Assignee extends Schema.Class<Assignee>("@sortgrid/issues/Assignee")({
  unitId: NodeId,
  personId: Schema.optionalWith(Schema.NullOr(PersonId), { default: () => null })
}) {}

/**
 * The rectification awaiting re-inspection: who reported it, when, and the evidence.
 *
 * @since 0.1.0
 * @category models
 */
export class Rectification extends Schema.Class<Rectification>("@sortgrid/issues/Rectification")({
  rectifiedBy: Actor.ActorId,
  rectifiedAt: EpochMillis,
  evidence: Schema.NonEmptyArray(EvidenceRef)
}) {}

/**
 * Closed because a re-inspection passed.
 *
 * @since 0.1.0
 * @category models
 */
export class ClosedFixed extends Schema.TaggedClass<ClosedFixed>()("ClosedFixed", {
  closedBy: Actor.ActorId,
  closedAt: EpochMillis
}) {}

/**
 * Why a problem may be closed without being fixed.
 *
 * @since 0.1.0
 * @category models
 */
export const CloseReason = Schema.Literal("not-our-responsibility", "duplicate", "withdrawn")

/**
 * @since 0.1.0
 * @category models
 */
export type CloseReason = typeof CloseReason.Type

/**
 * Closed for another reason: counts as closed, never as fixed. `duplicateOf` is set exactly when
 * the reason is `"duplicate"`.
 *
 * @since 0.1.0
 * @category models
 */
export class ClosedOther extends Schema.TaggedClass<ClosedOther>()("ClosedOther", {
  closedBy: Actor.ActorId,
  closedAt: EpochMillis,
  reason: CloseReason,
  duplicateOf: Schema.NullOr(ProblemId)
}) {}

/**
 * How a problem was closed.
 *
 * @since 0.1.0
 * @category models
 */
export const Closure = Schema.Union(ClosedFixed, ClosedOther)

/**
 * @since 0.1.0
 * @category models
 */
export type Closure = typeof Closure.Type

/**
 * An escalation to a jurisdiction above the one responsible.
 *
 * @since 0.1.0
 * @category models
 */
export class Escalation extends Schema.Class<Escalation>("@sortgrid/issues/Escalation")({
  to: NodeId,
  at: EpochMillis
}) {}

/**
 * The states of a problem. `rectifying` is `assigned` after a failed re-inspection: the same work
 * is owed again.
 *
 * @since 0.1.0
 * @category models
 */
export const states = ["registered", "assigned", "rectified", "rectifying", "closed"] as const

/**
 * A problem's state.
 *
 * @since 0.1.0
 * @category models
 */
export const State = Schema.Literal(...states)

/**
 * @since 0.1.0
 * @category models
 */
export type State = typeof State.Type

/**
 * A problem on the register, as of its latest version.
 *
 * @since 0.1.0
 * @category models
 */
export class Problem extends Schema.Class<Problem>("@sortgrid/issues/Problem")({
  id: ProblemId,
  categoryCode: CategoryCode,
  /** Where: a site or a compound. */
  nodeId: NodeId,
  source: Source,
  description: Schema.NullOr(Note),
  /** Evidence found when registering (an inspection's photos). */
  evidence: Schema.Array(EvidenceRef),
  /** The category's extra attributes as submitted and checked (e.g. which stream's bin is missing). */
  attributes: Schema.optionalWith(AttributeValues, { default: () => ({}), exact: true }),
  registeredAt: EpochMillis,
  registeredBy: Actor.ActorId,
  /** From the category's SLA; the problem is overdue from this instant on while it is open. */
  deadlineAt: EpochMillis,
  state: State,
  assignee: Schema.NullOr(Assignee),
  rectification: Schema.NullOr(Rectification),
  reopenCount: Schema.Int.pipe(Schema.nonNegative()),
  closure: Schema.NullOr(Closure),
  escalations: Schema.Array(Escalation),
  /** Optimistic concurrency: a command names the version it was decided on. */
  version: Schema.Int.pipe(Schema.positive())
}) {}

/**
 * Whether a problem is still on the register.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isOpen = (problem: Problem): boolean => problem.state !== "closed"

/**
 * Whether a problem was taken off the register by a passing re-inspection.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isClosedFixed = (problem: Problem): boolean => problem.closure?._tag === "ClosedFixed"

/**
 * Whether a problem is overdue at an instant: open, and at or past its deadline. The deadline is
 * the first overdue millisecond, so `TestClock` set to `deadlineAt` sees it overdue and one
 * millisecond earlier does not.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isOverdue = (problem: Problem, now: number): boolean => isOpen(problem) && now >= problem.deadlineAt

/**
 * How long a closed problem took to close, in milliseconds from registering (fixed or not: stats
 * choose which closings to count). `None` while it is open.
 *
 * @since 0.1.0
 * @category stats
 */
export const timeToClose = (problem: Problem): Option.Option<number> =>
  problem.closure === null ? Option.none() : Option.some(problem.closure.closedAt - problem.registeredAt)
