/**
 * The certified-task service: points earned only once someone else confirms the work (the
 * home-school loop: the school assigns, the family does it, the property company certifies, the
 * points are credited). The rules are `CertifiedTask`'s; this module loads, locks, posts and
 * records.
 *
 * Each step is one write transaction: load the task with its row locked (`TaskStore.load`, before
 * any account), decide the step, and for a certification post the credit transfer
 * (`LedgerStore.post`) and record its outcome (`CertifiedTask.recordCredit`); then save the task
 * with compare-and-set on the version it was decided on, and append the audit entry.
 *
 * Credited exactly once: the credit's id derives from the task's, so a repeated or concurrent
 * certification asks for the same transfer and posting answers `Exists`. A certification whose
 * credit posting refused (an empty budget) leaves the task `certified`; certifying it again posts
 * the credit then. A command naming `expectedVersion` is refused (`Conflict`) when the task has
 * moved on.
 *
 * Permissions: `ledger.tasks.assign` (assign, cancel), `ledger.tasks.complete`,
 * `ledger.tasks.certify` (certify, reject), `ledger.read` (read).
 *
 * @since 0.1.0
 */
import { type Actor, AuditLog, Errors, Permission, Transactor } from "@sortgrid/core"
import { Clock, Effect, Either, Option, Schema } from "effect"
import * as CertifiedTask from "./CertifiedTask.js"
import { EarningStore } from "./EarningStore.js"
import { EarningConfig } from "./Earnings.js"
import { appendAudit, auditDraft, decode } from "./internal/programme.js"
import { LedgerConfig } from "./Ledger.js"
import { LedgerStore } from "./LedgerStore.js"
import * as Lots from "./Lots.js"
import * as Posting from "./Posting.js"
import { TaskStore } from "./TaskStore.js"

/**
 * The permissions the task service checks.
 *
 * @since 0.1.0
 * @category permissions
 */
export const permissions = {
  assign: "ledger.tasks.assign",
  complete: "ledger.tasks.complete",
  certify: "ledger.tasks.certify",
  read: "ledger.read"
} as const

/**
 * A step on a task: its id and, optionally, the version the caller saw (compare-and-set).
 *
 * @since 0.1.0
 * @category commands
 */
export class TaskStep extends Schema.Class<TaskStep>("@sortgrid/ledger/TaskStep")({
  taskId: CertifiedTask.TaskId,
  expectedVersion: Schema.optional(Schema.Int.pipe(Schema.positive()))
}) {}

/**
 * Send a done task back, with the reason.
 *
 * @since 0.1.0
 * @category commands
 */
export class RejectTask extends Schema.Class<RejectTask>("@sortgrid/ledger/RejectTask")({
  taskId: CertifiedTask.TaskId,
  expectedVersion: Schema.optional(Schema.Int.pipe(Schema.positive())),
  reason: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(500))
}) {}

/**
 * What a step came to: the task as it now is, posting's outcome for the credit (certification
 * only), and whether the step was a retry that changed nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskResult {
  readonly task: CertifiedTask.CertifiedTask
  readonly credit: Posting.TransferOutcome | null
  readonly replayed: boolean
}

/**
 * What a step can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type TaskError = Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.Conflict | Errors.StorageError

const stale = (id: string) =>
  new Errors.Conflict({
    entity: "CertifiedTask",
    id,
    reason: "the task has changed since: re-read it and decide again"
  })

/**
 * Certified tasks.
 *
 * @since 0.1.0
 * @category services
 */
export class Tasks extends Effect.Service<Tasks>()("@sortgrid/ledger/Tasks", {
  effect: Effect.gen(function* () {
    const store = yield* TaskStore
    const lockHolds = yield* EarningStore
    const ledger = yield* LedgerStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const earningConfig = yield* EarningConfig
    const ledgerConfig = yield* LedgerConfig
    const policyOf = (id: string): Lots.Policy => ledgerConfig.policies.get(id) ?? Lots.neverExpires
    const allowed = (actor: Actor.Actor, permission: string) => Permission.decide(grants, actor, { permission })
    const record = appendAudit(audit)

    const recordStep = (actor: Actor.Actor, task: CertifiedTask.CertifiedTask) =>
      record([
        auditDraft(actor, `task.${task.status}`, task.id, {
          taskId: task.id,
          version: task.version,
          assigneeReference: task.assigneeReference,
          points: task.points
        })
      ])

    /**
     * Assigns a task (`CertifiedTask.Assign`). Its id is the idempotency key: the same task again
     * is a retry, other content a `Conflict`.
     */
    const assign = (actor: Actor.Actor, input: unknown): Effect.Effect<TaskResult, TaskError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.assign)
        const command = yield* decode(CertifiedTask.Assign, input)
        const at = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const decideAssign = (existing: Option.Option<CertifiedTask.CertifiedTask>) =>
              CertifiedTask.assign(command, { actor, at, existing: Option.getOrUndefined(existing) })
            const step = yield* decideAssign(yield* store.load(command.id, { lock: true }))
            if (step.replayed) return { task: step.task, credit: null, replayed: true }
            if (!(yield* store.save(step.task, null))) {
              // Another assignment with this id committed first (PostgreSQL): answer as a retry would.
              const again = yield* decideAssign(yield* store.load(command.id, { lock: true }))
              return { task: again.task, credit: null, replayed: true }
            }
            yield* recordStep(actor, step.task)
            return { task: step.task, credit: null, replayed: false }
          })
        )
      })

    /** Runs a step on a stored task: load (locked), decide, post the credit if any, save, audit. */
    const run = (
      actor: Actor.Actor,
      command: { readonly taskId: CertifiedTask.TaskId; readonly expectedVersion?: number | undefined },
      decideStep: (
        task: CertifiedTask.CertifiedTask,
        at: number
      ) => Either.Either<CertifiedTask.Step, CertifiedTask.Refusal>
    ): Effect.Effect<TaskResult, TaskError> =>
      Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const loaded = yield* store.load(command.taskId, { lock: true })
            if (Option.isNone(loaded)) {
              return yield* new Errors.NotFound({ entity: "CertifiedTask", id: command.taskId })
            }
            const before = loaded.value
            if (command.expectedVersion !== undefined && command.expectedVersion !== before.version) {
              return yield* stale(before.id)
            }
            const step = yield* decideStep(before, at)
            let task = step.task
            let credit: Posting.TransferOutcome | null = null
            if (step.transfer !== null) {
              const transfers = [step.transfer]
              const decided = yield* ledger.post(Posting.request(transfers), (state) =>
                Either.right(Posting.decide(state, transfers, { timestamp: at, policyOf }))
              )
              credit = decided.outcomes[0] ?? null
              if (credit !== null) task = (yield* CertifiedTask.recordCredit(task, credit, at)).task
              const held = decided.transfers.filter((transfer) => transfer.flags.pending)
              if (held.length > 0) {
                yield* lockHolds.trackLockHolds(
                  held.map((hold) => ({ id: hold.id, ledger: hold.ledger, timestamp: hold.timestamp }))
                )
              }
            }
            if (task.version === before.version) return { task, credit, replayed: true }
            if (!(yield* store.save(task, before.version))) return yield* stale(task.id)
            yield* recordStep(actor, task)
            return { task, credit, replayed: false }
          })
        )
      })

    /** Records that the task was done, by the acting actor (`TaskStep`). */
    const complete = (actor: Actor.Actor, input: unknown): Effect.Effect<TaskResult, TaskError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.complete)
        const command = yield* decode(TaskStep, input)
        return yield* run(actor, command, (task, at) => CertifiedTask.complete(task, actor, at))
      })

    /**
     * Certifies a done task, by someone other than who did it (`TaskStep`), and credits its points
     * once.
     */
    const certify = (actor: Actor.Actor, input: unknown): Effect.Effect<TaskResult, TaskError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.certify)
        const command = yield* decode(TaskStep, input)
        return yield* run(actor, command, (task, at) =>
          CertifiedTask.certify(task, actor, at, earningConfig.programmes.get(task.ledger)?.lock ?? undefined)
        )
      })

    /** Sends a done task back to be done again (`RejectTask`), by someone other than who did it. */
    const reject = (actor: Actor.Actor, input: unknown): Effect.Effect<TaskResult, TaskError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.certify)
        const command = yield* decode(RejectTask, input)
        return yield* run(actor, command, (task, at) =>
          CertifiedTask.reject(task, actor, { at, reason: command.reason })
        )
      })

    /** Cancels a task not yet certified (`TaskStep`). */
    const cancel = (actor: Actor.Actor, input: unknown): Effect.Effect<TaskResult, TaskError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.assign)
        const command = yield* decode(TaskStep, input)
        return yield* run(actor, command, (task, at) => CertifiedTask.cancel(task, at))
      })

    /** A task by id. */
    const task = (
      actor: Actor.Actor,
      id: CertifiedTask.TaskId
    ): Effect.Effect<CertifiedTask.CertifiedTask, Errors.Forbidden | Errors.NotFound | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const found = yield* store.load(id, { lock: false })
        if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "CertifiedTask", id })
        return found.value
      })

    /** The tasks assigned to someone, by id. */
    const tasksOf = (
      actor: Actor.Actor,
      assigneeReference: string
    ): Effect.Effect<ReadonlyArray<CertifiedTask.CertifiedTask>, Errors.Forbidden | Errors.StorageError> =>
      Effect.zipRight(allowed(actor, permissions.read), store.byAssignee(assigneeReference))

    return { assign, complete, certify, reject, cancel, task, tasksOf } as const
  })
}) {}
