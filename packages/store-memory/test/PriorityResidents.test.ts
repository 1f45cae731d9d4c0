import { PriorityResident } from "@sortgrid/grid"
import { PriorityResidentSuite } from "@sortgrid/testkit"
import { Effect, Layer, Ref } from "effect"
import { MemoryPriorityResidentStore, MemoryStore } from "../src/index.js"

/** The memory adapter's probe: plain reads and edits of its table, bypassing the port. */
const probe = Layer.effect(
  PriorityResidentSuite.PriorityResidentProbe,
  Effect.map(MemoryPriorityResidentStore.PriorityResidentTableRef, (table) =>
    PriorityResidentSuite.PriorityResidentProbe.of({
      rows: Effect.map(Ref.get(table), (state) => [...state.byId.values()].map((record) => ({ ...record }))),
      sealed: (id, field) => Effect.map(Ref.get(table), (state) => state.byId.get(id)?.[field] ?? null),
      setSealed: (id, field, value) =>
        Ref.update(table, (state) => {
          const record = state.byId.get(id)
          if (record === undefined) return state
          const edited = new PriorityResident.SealedResident(
            { ...record, [field]: value === null ? null : PriorityResident.SealedValue.make(value) },
            { disableValidation: true }
          )
          return { ...state, byId: new Map(state.byId).set(id, edited) }
        })
    })
  )
)

PriorityResidentSuite.suite("memory", probe.pipe(Layer.provideMerge(MemoryStore.layer)), { probe: true })
