/**
 * The in-memory store: every port over one `MemoryDatabase`. Nothing survives the layer; use it in
 * tests and for ephemeral embedding.
 *
 * @since 0.1.0
 */
import type { AssessmentStore } from "@sortgrid/assessment/AssessmentStore"
import { type AuditStore, Transactor } from "@sortgrid/core"
import type { Ports } from "@sortgrid/grid/Ports"
import type { InspectionStore, ProblemStore } from "@sortgrid/issues"
import type { EarningStore } from "@sortgrid/ledger/EarningStore"
import type { HouseholdStore } from "@sortgrid/ledger/HouseholdStore"
import type { LedgerStore } from "@sortgrid/ledger/LedgerStore"
import type { RedemptionStore } from "@sortgrid/ledger/RedemptionStore"
import type { TaskStore } from "@sortgrid/ledger/TaskStore"
import { Effect, Layer } from "effect"
import * as MemoryAssessmentStore from "./MemoryAssessmentStore.js"
import * as MemoryAuditStore from "./MemoryAuditStore.js"
import { MemoryDatabase } from "./MemoryDatabase.js"
import * as MemoryDutyStore from "./MemoryDutyStore.js"
import * as MemoryEarningStore from "./MemoryEarningStore.js"
import * as MemoryGeometryStore from "./MemoryGeometryStore.js"
import * as MemoryGridStore from "./MemoryGridStore.js"
import * as MemoryGroupStore from "./MemoryGroupStore.js"
import * as MemoryHouseholdStore from "./MemoryHouseholdStore.js"
import * as MemoryInspectionStore from "./MemoryInspectionStore.js"
import * as MemoryLedgerStore from "./MemoryLedgerStore.js"
import * as MemoryOutreachStore from "./MemoryOutreachStore.js"
import * as MemoryPeopleStore from "./MemoryPeopleStore.js"
import * as MemoryPriorityResidentStore from "./MemoryPriorityResidentStore.js"
import * as MemoryProblemStore from "./MemoryProblemStore.js"
import * as MemoryRedemptionStore from "./MemoryRedemptionStore.js"
import * as MemorySiteStore from "./MemorySiteStore.js"
import * as MemoryTaskStore from "./MemoryTaskStore.js"

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
  | EarningStore
  | RedemptionStore
  | HouseholdStore
  | TaskStore
  | AssessmentStore
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
  MemoryLedgerStore.layer,
  MemoryEarningStore.layer,
  MemoryRedemptionStore.layer,
  MemoryHouseholdStore.layer,
  MemoryTaskStore.layer,
  MemoryAssessmentStore.layer
).pipe(Layer.provideMerge(MemoryGridStore.layer), Layer.provideMerge(MemoryDatabase.Default))
