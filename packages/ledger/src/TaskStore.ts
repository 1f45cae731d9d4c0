/**
 * The certified-task service's storage port: tasks by id, written with compare-and-set on their
 * version.
 *
 * **Locking.** `load` with `lock` locks the task's row (PostgreSQL: `SELECT … FOR UPDATE`) until
 * the enclosing transaction ends, so two certifications of one task are serialised and the second
 * finds the first's result; call it inside the write transaction and before `LedgerStore.post`,
 * which then locks accounts (task before accounts: no cycle with other writers). SQLite's
 * `BEGIN IMMEDIATE` and memory's single lock serialise writers already. `save` is the backstop:
 * of two writes decided on the same version, only one is stored.
 *
 * @since 0.1.0
 */
import type { Errors } from "@sortgrid/core"
import { Context, type Effect, type Option } from "effect"
import type * as CertifiedTask from "./CertifiedTask.js"

/**
 * Certified-task storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class TaskStore extends Context.Tag("@sortgrid/ledger/TaskStore")<
  TaskStore,
  {
    /** The task with this id; with `lock`, its row is locked until the transaction ends. */
    readonly load: (
      id: CertifiedTask.TaskId,
      options: { readonly lock: boolean }
    ) => Effect.Effect<Option.Option<CertifiedTask.CertifiedTask>, Errors.StorageError>
    /** The tasks of an assignee, by id. */
    readonly byAssignee: (
      assigneeReference: string
    ) => Effect.Effect<ReadonlyArray<CertifiedTask.CertifiedTask>, Errors.StorageError>
    /**
     * Writes a task if the stored version is `expected` (`null`: no task with its id is stored);
     * returns whether it was written.
     */
    readonly save: (
      task: CertifiedTask.CertifiedTask,
      expected: number | null
    ) => Effect.Effect<boolean, Errors.StorageError>
  }
>() {}
