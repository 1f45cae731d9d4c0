/**
 * The priority-residents register's port in memory: sealed records by id, with an index by
 * pseudonym. It holds exactly what a database would — sealed values, pseudonyms, keyed digests —
 * and never a plaintext or a key.
 *
 * @since 0.1.0
 */
import type * as PriorityResident from "@sortgrid/grid/PriorityResident"
import * as PriorityResidentStore from "@sortgrid/grid/PriorityResidentStore"
import { Context, Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

/**
 * The stored state of the register.
 *
 * @since 0.1.0
 * @category models
 */
export interface PriorityResidentTable {
  readonly byId: ReadonlyMap<string, PriorityResident.SealedResident>
  /** Record ids by pseudonym. */
  readonly byPseudonym: ReadonlyMap<string, ReadonlyArray<string>>
}

/**
 * The register's table of a memory store, for tools that inspect it directly (the conformance
 * probe).
 *
 * @since 0.1.0
 * @category services
 */
export class PriorityResidentTableRef extends Context.Tag("@sortgrid/store-memory/PriorityResidentTableRef")<
  PriorityResidentTableRef,
  Ref.Ref<PriorityResidentTable>
>() {}

/**
 * `PriorityResidentStore` over a `MemoryDatabase`, plus the table itself for inspection.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  PriorityResidentStore.PriorityResidentStore | PriorityResidentTableRef,
  never,
  MemoryDatabase
> = Layer.effectContext(
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<PriorityResidentTable>({ byId: new Map(), byPseudonym: new Map() })

    const register = <E>(
      request: {
        readonly ids: ReadonlyArray<PriorityResident.PriorityResidentId>
        readonly pseudonyms: ReadonlyArray<PriorityResident.Pseudonym>
      },
      decide: (state: PriorityResident.RegisterState) => Either.Either<PriorityResident.RegisterPlan, E>
    ): Effect.Effect<PriorityResident.RegisterPlan, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const ids = new Set<string>(request.ids)
          for (const pseudonym of request.pseudonyms) {
            for (const id of current.byPseudonym.get(pseudonym) ?? []) ids.add(id)
          }
          const stored = [...ids].flatMap((id) => {
            const record = current.byId.get(id)
            return record === undefined ? [] : [record]
          })
          const plan = yield* decide({ stored })
          if (plan.insert.length === 0) return plan
          const byId = new Map(current.byId)
          const byPseudonym = new Map(current.byPseudonym)
          for (const record of plan.insert) {
            byId.set(record.id, record)
            byPseudonym.set(record.pseudonym, [...(byPseudonym.get(record.pseudonym) ?? []), record.id])
          }
          yield* Ref.set(table, { byId, byPseudonym })
          return plan
        })
      )

    const store = PriorityResidentStore.PriorityResidentStore.of({
      register,
      get: (ids) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) =>
            [...new Set<string>(ids)].flatMap((id) => {
              const record = current.byId.get(id)
              return record === undefined ? [] : [record]
            })
          )
        ),
      list: ({ nodeIds, registeredBy }) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) => {
            const nodes = new Set<string>(nodeIds)
            return [...current.byId.values()].filter(
              (record) => nodes.has(record.nodeId) && record.registeredOn <= registeredBy
            )
          })
        )
    })
    return Context.make(PriorityResidentStore.PriorityResidentStore, store).pipe(
      Context.add(PriorityResidentTableRef, table)
    )
  })
)
