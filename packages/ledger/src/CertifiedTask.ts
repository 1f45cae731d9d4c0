/**
 * Certified tasks: points earned only once someone else confirms the work. The model is the
 * home-school loop — the school gives a student a task, the parents sort at home, the property
 * company certifies it, and the points are credited — as a small pure state machine:
 *
 * ```
 * assigned ──complete──▶ done ──certify──▶ certified ──recordCredit──▶ credited
 *    ▲                    │
 *    └──────reject────────┘          (assigned or done) ──cancel──▶ cancelled
 * ```
 *
 * Rules:
 * - **four eyes**: certifying (or rejecting) must be done by an actor other than the one who
 *   completed the task (`Forbidden`);
 * - **credited exactly once**: certifying yields the credit transfer (budget → wallet), whose id
 *   derives from the task's id ({@link creditId}); certifying again, or posting it again, asks for
 *   the same transfer, which posting answers `Exists`. Nothing else credits a task;
 * - `credited` records that posting accepted the credit ({@link recordCredit}); while it has not
 *   (the budget was empty), the task stays `certified` and {@link creditTransfer} may be posted
 *   again;
 * - a certified task cannot be cancelled: points credited are taken back by a ledger reversal.
 *
 * Every accepted change increments `version`; the store writes a task with compare-and-set on it,
 * so of two changes decided on the same version only one is stored. Steps that find the task
 * already where they would take it are `replayed` (a retry), and change nothing.
 *
 * Refusals, in order of precedence: `Forbidden` (four eyes), then `Invalid` (the step is not
 * allowed in the task's status, naming both).
 *
 * @since 0.1.0
 */
import { Actor, Errors, Id } from "@sortgrid/core"
import { Either, Schema } from "effect"
import * as Account from "./Account.js"
import { derivedId } from "./internal/derivedId.js"
import * as Lock from "./Lock.js"
import type * as Posting from "./Posting.js"
import * as Transfer from "./Transfer.js"

/**
 * The id of a certified task, chosen by the client that assigns it.
 *
 * @since 0.1.0
 * @category ids
 */
export const TaskId = Id.brand("TaskId")

/**
 * @since 0.1.0
 * @category ids
 */
export type TaskId = typeof TaskId.Type

/**
 * Where a task is in its life.
 *
 * @since 0.1.0
 * @category models
 */
export const Status = Schema.Literal("assigned", "done", "certified", "credited", "cancelled")

/**
 * @since 0.1.0
 * @category models
 */
export type Status = typeof Status.Type

const Instant = Schema.NullOr(Account.EpochMillis)

/**
 * A certified task.
 *
 * @since 0.1.0
 * @category models
 */
export class CertifiedTask extends Schema.Class<CertifiedTask>("@sortgrid/ledger/CertifiedTask")({
  id: TaskId,
  version: Schema.Int.pipe(Schema.positive()),
  ledger: Account.LedgerId,
  /** The reason the credit is given under (`school-task` for the home-school loop). */
  code: Transfer.TransferCode,
  points: Transfer.Amount,
  budgetAccountId: Account.AccountId,
  /** The wallet credited: the student's household wallet, or their own. */
  walletAccountId: Account.AccountId,
  /** Who the task is for (the student), in the host's system. */
  assigneeReference: Account.Reference,
  status: Status,
  assignedBy: Actor.ActorId,
  assignedAt: Account.EpochMillis,
  doneBy: Schema.NullOr(Actor.ActorId),
  doneAt: Instant,
  certifiedBy: Schema.NullOr(Actor.ActorId),
  certifiedAt: Instant,
  creditedAt: Instant,
  cancelledAt: Instant,
  /** How many times a certifier sent it back. */
  rejections: Schema.Int.pipe(Schema.nonNegative()),
  /** Why it was last sent back. */
  rejectionReason: Schema.NullOr(Schema.String.pipe(Schema.maxLength(500)))
}) {}

/**
 * Assign a task. The id is the idempotency key: assigning the same task again is a retry, with
 * other content a `Conflict`.
 *
 * @since 0.1.0
 * @category commands
 */
export class Assign extends Schema.Class<Assign>("@sortgrid/ledger/AssignCertifiedTask")({
  id: TaskId,
  ledger: Account.LedgerId,
  code: Schema.optionalWith(Transfer.TransferCode, { default: () => Transfer.codes.schoolTask }),
  points: Transfer.Amount,
  budgetAccountId: Account.AccountId,
  walletAccountId: Account.AccountId,
  assigneeReference: Account.Reference
}) {}

/**
 * The result of an accepted step: the task as it now is, the credit transfer to post (only from
 * {@link certify}), and whether the step was a retry that changed nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  readonly task: CertifiedTask
  readonly transfer: Transfer.TransferInput | null
  readonly replayed: boolean
}

/**
 * What a step can be refused with.
 *
 * @since 0.1.0
 * @category errors
 */
export type Refusal = Errors.Invalid | Errors.Forbidden | Errors.Conflict

const accepted = (task: CertifiedTask, transfer: Transfer.TransferInput | null = null): Either.Either<Step, never> =>
  Either.right({ task, transfer, replayed: false })

const replay = (task: CertifiedTask, transfer: Transfer.TransferInput | null = null): Either.Either<Step, never> =>
  Either.right({ task, transfer, replayed: true })

const notAllowed = (task: CertifiedTask, step: string): Either.Either<never, Refusal> =>
  Either.left(Errors.Invalid.one("status", `cannot ${step} a task that is ${task.status}`))

const next = (task: CertifiedTask, changes: Partial<CertifiedTask>): CertifiedTask =>
  new CertifiedTask({ ...task, ...changes, version: task.version + 1 }, { disableValidation: true })

/**
 * The id of a task's credit transfer, derived from the task's id.
 *
 * @since 0.1.0
 * @category ids
 */
export const creditId = (taskId: TaskId): Transfer.TransferId => derivedId("task", [taskId])

/**
 * The credit transfer of a task: its points from the budget to the wallet, with the id
 * {@link creditId} and source reference `task:<id>`. Under a lock policy that locks its code it is
 * a hold without timeout, released by the lock run like any earning.
 *
 * @since 0.1.0
 * @category transfers
 */
export const creditTransfer = (task: CertifiedTask, lock?: Lock.Policy): Transfer.TransferInput =>
  Transfer.TransferInput.make(
    {
      id: creditId(task.id),
      debitAccountId: task.budgetAccountId,
      creditAccountId: task.walletAccountId,
      amount: task.points,
      ledger: task.ledger,
      code: task.code,
      sourceReference: `task:${task.id}`,
      flags: Transfer.TransferFlags.make({ pending: lock !== undefined && Lock.locks(lock, task.code) })
    },
    { disableValidation: true }
  )

/**
 * Assigns a task (see {@link Assign}); `existing` is the stored task with its id, if any.
 *
 * @since 0.1.0
 * @category decisions
 */
export const assign = (
  command: Assign,
  options: { readonly actor: Actor.Actor; readonly at: number; readonly existing: CertifiedTask | undefined }
): Either.Either<Step, Refusal> => {
  const { existing } = options
  if (existing !== undefined) {
    const same =
      existing.ledger === command.ledger &&
      existing.code === command.code &&
      existing.points === command.points &&
      existing.budgetAccountId === command.budgetAccountId &&
      existing.walletAccountId === command.walletAccountId &&
      existing.assigneeReference === command.assigneeReference
    return same
      ? replay(existing)
      : Either.left(
          new Errors.Conflict({ entity: "CertifiedTask", id: command.id, reason: "id taken by a different task" })
        )
  }
  return accepted(
    CertifiedTask.make({
      ...command,
      version: 1,
      status: "assigned",
      assignedBy: options.actor.id,
      assignedAt: options.at,
      doneBy: null,
      doneAt: null,
      certifiedBy: null,
      certifiedAt: null,
      creditedAt: null,
      cancelledAt: null,
      rejections: 0,
      rejectionReason: null
    })
  )
}

/**
 * Records that the task was done (the parents sorted), by the actor who reports it.
 *
 * @since 0.1.0
 * @category decisions
 */
export const complete = (task: CertifiedTask, actor: Actor.Actor, at: number): Either.Either<Step, Refusal> => {
  if (task.status === "done" && task.doneBy === actor.id) return replay(task)
  if (task.status !== "assigned") return notAllowed(task, "complete")
  return accepted(next(task, { status: "done", doneBy: actor.id, doneAt: at }))
}

const fourEyes = (task: CertifiedTask, actor: Actor.Actor, step: string): Either.Either<never, Refusal> | null =>
  task.doneBy !== null && task.doneBy === actor.id
    ? Either.left(
        new Errors.Forbidden({
          actor: actor.id,
          permission: `ledger.tasks.${step}`,
          reason: "a task must be certified by someone other than who did it"
        })
      )
    : null

/**
 * Certifies a done task, by someone other than who did it, and returns its credit transfer. A
 * task already certified or credited is a retry: the same transfer again.
 *
 * @since 0.1.0
 * @category decisions
 */
export const certify = (
  task: CertifiedTask,
  actor: Actor.Actor,
  at: number,
  lock?: Lock.Policy
): Either.Either<Step, Refusal> => {
  const forbidden = fourEyes(task, actor, "certify")
  if (forbidden !== null) return forbidden
  if (task.status === "certified" || task.status === "credited") return replay(task, creditTransfer(task, lock))
  if (task.status !== "done") return notAllowed(task, "certify")
  const certified = next(task, { status: "certified", certifiedBy: actor.id, certifiedAt: at })
  return accepted(certified, creditTransfer(certified, lock))
}

/**
 * Sends a done task back to be done again, by someone other than who did it.
 *
 * @since 0.1.0
 * @category decisions
 */
export const reject = (
  task: CertifiedTask,
  actor: Actor.Actor,
  options: { readonly at: number; readonly reason: string }
): Either.Either<Step, Refusal> => {
  const forbidden = fourEyes(task, actor, "reject")
  if (forbidden !== null) return forbidden
  if (task.status !== "done") return notAllowed(task, "reject")
  return accepted(
    next(task, {
      status: "assigned",
      doneBy: null,
      doneAt: null,
      rejections: task.rejections + 1,
      rejectionReason: options.reason.slice(0, 500)
    })
  )
}

/**
 * Cancels a task not yet certified.
 *
 * @since 0.1.0
 * @category decisions
 */
export const cancel = (task: CertifiedTask, at: number): Either.Either<Step, Refusal> => {
  if (task.status === "cancelled") return replay(task)
  if (task.status !== "assigned" && task.status !== "done") return notAllowed(task, "cancel")
  return accepted(next(task, { status: "cancelled", cancelledAt: at }))
}

/**
 * Records the outcome of posting the credit transfer: `credited` when posting accepted it (`Ok`,
 * or `Exists` for a retry); a certified task stays certified when posting refused it.
 *
 * @since 0.1.0
 * @category decisions
 */
export const recordCredit = (
  task: CertifiedTask,
  outcome: Posting.TransferOutcome,
  at: number
): Either.Either<Step, Refusal> => {
  if (outcome.id !== creditId(task.id)) {
    return Either.left(Errors.Invalid.one("outcome", "is not the outcome of this task's credit"))
  }
  if (task.status === "credited") return replay(task)
  if (task.status !== "certified") return notAllowed(task, "record the credit of")
  if (outcome.result !== "Ok" && outcome.result !== "Exists") return replay(task)
  return accepted(next(task, { status: "credited", creditedAt: at }))
}
