/**
 * The certified-task port in memory: tasks by id in one `MemoryDatabase` table. The database's
 * single lock serialises transactions, so locking a task is only reading it.
 *
 * @since 0.1.0
 */
import type * as CertifiedTask from "@sortgrid/ledger/CertifiedTask"
import { TaskStore } from "@sortgrid/ledger/TaskStore"
import { Effect, HashMap, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

/**
 * `TaskStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<TaskStore, never, MemoryDatabase> = Layer.effect(
  TaskStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table(HashMap.empty<string, CertifiedTask.CertifiedTask>())
    return TaskStore.of({
      load: (id) => Effect.map(Ref.get(table), HashMap.get(id)),
      byAssignee: (assigneeReference) =>
        Effect.map(Ref.get(table), (tasks) =>
          [...HashMap.values(tasks)]
            .filter((task) => task.assigneeReference === assigneeReference)
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        ),
      save: (task, expected) =>
        Ref.modify(table, (tasks) => {
          const stored = HashMap.get(tasks, task.id)
          const current = Option.isNone(stored) ? null : stored.value.version
          return current === expected ? [true, HashMap.set(tasks, task.id, task)] : [false, tasks]
        })
    })
  })
)
