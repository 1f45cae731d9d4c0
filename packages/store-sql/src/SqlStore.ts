/**
 * Every sortgrid port over one `SqlClient`, and the migrations that shape its database. Dialect
 * packages (`store-sqlite`, `store-postgres`) build the client, run {@link migrate}, and provide
 * {@link layer}.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql"
import type { AssessmentStore } from "@sortgrid/assessment/AssessmentStore"
import type { AuditStore, Errors, Transactor } from "@sortgrid/core"
import type { Ports as GridPorts } from "@sortgrid/grid/Ports"
import type { InspectionStore, ProblemStore } from "@sortgrid/issues"
import type { EarningStore } from "@sortgrid/ledger/EarningStore"
import type { HouseholdStore } from "@sortgrid/ledger/HouseholdStore"
import type { LedgerStore } from "@sortgrid/ledger/LedgerStore"
import type { RedemptionStore } from "@sortgrid/ledger/RedemptionStore"
import type { TaskStore } from "@sortgrid/ledger/TaskStore"
import { type Effect, Layer } from "effect"
import * as Migrations from "./Migrations.js"
import * as Migrator from "./Migrator.js"
import * as SqlAssessmentStore from "./SqlAssessmentStore.js"
import * as SqlAuditStore from "./SqlAuditStore.js"
import * as SqlDutyStore from "./SqlDutyStore.js"
import * as SqlEarningStore from "./SqlEarningStore.js"
import * as SqlGeometryStore from "./SqlGeometryStore.js"
import * as SqlGridStore from "./SqlGridStore.js"
import * as SqlGroupStore from "./SqlGroupStore.js"
import * as SqlHouseholdStore from "./SqlHouseholdStore.js"
import * as SqlInspectionStore from "./SqlInspectionStore.js"
import * as SqlLedgerStore from "./SqlLedgerStore.js"
import * as SqlOutreachStore from "./SqlOutreachStore.js"
import * as SqlPeopleStore from "./SqlPeopleStore.js"
import * as SqlPriorityResidentStore from "./SqlPriorityResidentStore.js"
import * as SqlProblemStore from "./SqlProblemStore.js"
import * as SqlRedemptionStore from "./SqlRedemptionStore.js"
import * as SqlSiteStore from "./SqlSiteStore.js"
import * as SqlTaskStore from "./SqlTaskStore.js"
import * as SqlTransactor from "./SqlTransactor.js"

/**
 * Every port sortgrid stores, over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Ports, never, SqlClient.SqlClient> = Layer.mergeAll(
  SqlAuditStore.layer,
  SqlTransactor.layer,
  SqlGridStore.layer,
  SqlGroupStore.layer,
  SqlSiteStore.layer,
  SqlGeometryStore.layer,
  SqlPriorityResidentStore.layer,
  SqlPeopleStore.layer,
  SqlDutyStore.layer,
  SqlOutreachStore.layer,
  SqlProblemStore.layer,
  SqlInspectionStore.layer,
  SqlLedgerStore.layer,
  SqlEarningStore.layer,
  SqlRedemptionStore.layer,
  SqlHouseholdStore.layer,
  SqlTaskStore.layer,
  SqlAssessmentStore.layer
)

/**
 * Every port a store provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Ports =
  | AuditStore.AuditStore
  | Transactor.Transactor
  | GridPorts
  | ProblemStore.ProblemStore
  | InspectionStore.InspectionStore
  | LedgerStore
  | EarningStore
  | RedemptionStore
  | HouseholdStore
  | TaskStore
  | AssessmentStore

/**
 * Brings the database up to the latest schema.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrate: Effect.Effect<
  Migrator.MigrationReport,
  Migrator.MigrationError | Errors.StorageError,
  SqlClient.SqlClient
> = Migrator.run(Migrations.all)
