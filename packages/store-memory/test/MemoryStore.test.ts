import { Audit } from "@sortgrid/core"
import { AuditProbe, Conformance } from "@sortgrid/testkit"
import { Chunk, Effect, HashMap, Layer, Ref } from "effect"
import { MemoryAuditStore, MemoryStore } from "../src/index.js"

/** The memory adapter's probe: plain reads and edits of its table, bypassing the port. */
const probe = Layer.effect(
  AuditProbe.AuditProbe,
  Effect.map(MemoryAuditStore.AuditTableRef, (table) => {
    const edit = (f: (rows: Array<AuditProbe.AuditRow>) => Array<AuditProbe.AuditRow>) =>
      Ref.update(table, (state) => {
        const rows = f(Chunk.toArray(state.entries).map((entry) => ({ ...entry })))
        const entries = rows.sort((a, b) => a.position - b.position).map((row) => row as Audit.AuditEntry)
        return {
          ...state,
          entries: Chunk.fromIterable(entries),
          byId: HashMap.fromIterable(entries.map((e) => [e.id, e]))
        }
      })
    return AuditProbe.AuditProbe.of({
      rows: Effect.map(Ref.get(table), (state) => Chunk.toArray(state.entries).map((entry) => ({ ...entry }))),
      head: Effect.map(Ref.get(table), ({ head }) => ({ position: head.position, hash: head.hash })),
      update: (position, patch) =>
        edit((rows) => rows.map((row) => (row.position === position ? { ...row, ...patch } : row))),
      move: (from, to) => edit((rows) => rows.map((row) => (row.position === from ? { ...row, position: to } : row))),
      remove: (position) => edit((rows) => rows.filter((row) => row.position !== position)),
      insert: (row) => edit((rows) => [...rows, row]),
      setHead: (head) =>
        Ref.update(table, (state) => ({ ...state, head: new Audit.AuditHead(head as Audit.AuditHead) }))
    })
  })
)

Conformance.all("memory", MemoryStore.layer, probe.pipe(Layer.provideMerge(MemoryStore.layer)))
