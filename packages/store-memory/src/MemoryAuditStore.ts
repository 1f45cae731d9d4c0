/**
 * The audit log's port in memory. Entries are kept in a persistent array in position order, with an
 * index by id, so appends and reads cost no more than the entries they touch.
 *
 * @since 0.1.0
 */
import { Audit, AuditStore } from "@sortgrid/core"
import { Chunk, Context, Effect, type Either, HashMap, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

/**
 * The stored state of the audit log.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditTable {
  readonly entries: Chunk.Chunk<Audit.AuditEntry>
  readonly byId: HashMap.HashMap<string, Audit.AuditEntry>
  readonly head: Audit.AuditHead
}

/**
 * The audit table of a memory store, for tools that inspect it directly (the conformance probe).
 *
 * @since 0.1.0
 * @category services
 */
export class AuditTableRef extends Context.Tag("@sortgrid/store-memory/AuditTableRef")<
  AuditTableRef,
  Ref.Ref<AuditTable>
>() {}

/** The first index whose entry's position is at least `position` (entries are in position order). */
const lowerBound = (entries: Chunk.Chunk<Audit.AuditEntry>, position: number): number => {
  let low = 0
  let high = Chunk.size(entries)
  while (low < high) {
    const middle = (low + high) >>> 1
    if (Chunk.unsafeGet(entries, middle).position < position) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * `AuditStore` over a `MemoryDatabase`, plus the table itself for inspection.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AuditStore.AuditStore | AuditTableRef, never, MemoryDatabase> = Layer.effectContext(
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<AuditTable>({ entries: Chunk.empty(), byId: HashMap.empty(), head: Audit.emptyHead })

    const append = <E>(
      ids: ReadonlyArray<Audit.AuditEntryId>,
      decide: (state: Audit.AppendState) => Either.Either<Audit.AppendPlan, E>
    ): Effect.Effect<ReadonlyArray<Audit.AuditEntry>, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const existing = [...new Set(ids)].flatMap((id) => Option.toArray(HashMap.get(current.byId, id)))
          const plan = yield* decide({ head: current.head, existing })
          const last = plan.append.at(-1)
          if (last !== undefined) {
            yield* Ref.set(table, {
              entries: Chunk.appendAll(current.entries, Chunk.fromIterable(plan.append)),
              byId: HashMap.mutate(current.byId, (map) => {
                for (const entry of plan.append) HashMap.set(map, entry.id, entry)
              }),
              head: new Audit.AuditHead({ position: last.position, hash: last.hash })
            })
          }
          return plan.entries
        })
      )

    const store = AuditStore.AuditStore.of({
      append,
      head: db.transaction(Effect.map(Ref.get(table), (current) => current.head)),
      read: ({ fromPosition, limit }) =>
        db.transaction(
          Effect.map(Ref.get(table), ({ entries }) =>
            Chunk.toReadonlyArray(Chunk.take(Chunk.drop(entries, lowerBound(entries, fromPosition)), limit))
          )
        )
    })
    return Context.make(AuditStore.AuditStore, store).pipe(Context.add(AuditTableRef, table))
  })
)
