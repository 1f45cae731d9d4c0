/**
 * The in-memory store: every port over one `MemoryDatabase`. Nothing survives the layer; use it in
 * tests and for ephemeral embedding.
 *
 * @since 0.1.0
 */
import { type AuditStore, Transactor } from "@sortgrid/core"
import type { Ports } from "@sortgrid/grid/Ports"
import type { InspectionStore, ProblemStore } from "@sortgrid/issues"
import type { LedgerStore } from "@sortgrid/ledger/LedgerStore"
import { Effect, Layer } from "effect"
import * as MemoryAuditStore from "./MemoryAuditStore.js"
import { MemoryDatabase } from "./MemoryDatabase.js"
import * as MemoryDutyStore from "./MemoryDutyStore.js"
import * as MemoryGeometryStore from "./MemoryGeometryStore.js"
import * as MemoryGridStore from "./MemoryGridStore.js"
import * as MemoryGroupStore from "./MemoryGroupStore.js"
import * as MemoryInspectionStore from "./MemoryInspectionStore.js"
import * as MemoryLedgerStore from "./MemoryLedgerStore.js"
import * as MemoryOutreachStore from "./MemoryOutreachStore.js"
import * as MemoryPeopleStore from "./MemoryPeopleStore.js"
import * as MemoryPriorityResidentStore from "./MemoryPriorityResidentStore.js"
import * as MemoryProblemStore from "./MemoryProblemStore.js"
import * as MemorySiteStore from "./MemorySiteStore.js"

const transactor = Layer.effect(
  Transactor.Transactor,
  Effect.map(MemoryDatabase, (db) => Transactor.Transactor.of({ withTransaction: db.transaction }))
)

/**
 * Every port, in memory. Each build of the layer is a new, empty store.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  | AuditStore.AuditStore
  | Transactor.Transactor
  | Ports
  | ProblemStore.ProblemStore
  | InspectionStore.InspectionStore
  | LedgerStore
  | MemoryAuditStore.AuditTableRef
  | MemoryPriorityResidentStore.PriorityResidentTableRef
  | MemoryDatabase
> = Layer.mergeAll(
  MemoryAuditStore.layer,
  transactor,
  MemoryGroupStore.layer,
  MemorySiteStore.layer,
  MemoryGeometryStore.layer,
  MemoryPriorityResidentStore.layer,
  MemoryPeopleStore.layer,
  MemoryDutyStore.layer,
  MemoryOutreachStore.layer,
  MemoryProblemStore.layer,
  MemoryInspectionStore.layer,
  MemoryLedgerStore.layer
).pipe(Layer.provideMerge(MemoryGridStore.layer), Layer.provideMerge(MemoryDatabase.Default))
