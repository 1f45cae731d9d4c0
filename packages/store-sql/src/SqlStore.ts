/**
 * Every sortgrid port over one `SqlClient`, and the migrations that shape its database. Dialect
 * packages (`store-sqlite`, `store-postgres`) build the client, run {@link migrate}, and provide
 * {@link layer}.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql"
import type { AuditStore, Errors, Transactor } from "@sortgrid/core"
import type { Ports as GridPorts } from "@sortgrid/grid/Ports"
import type { InspectionStore, ProblemStore } from "@sortgrid/issues"
import type { LedgerStore } from "@sortgrid/ledger/LedgerStore"
import { type Effect, Layer } from "effect"
import * as Migrations from "./Migrations.js"
import * as Migrator from "./Migrator.js"
import * as SqlAuditStore from "./SqlAuditStore.js"
import * as SqlDutyStore from "./SqlDutyStore.js"
import * as SqlGeometryStore from "./SqlGeometryStore.js"
import * as SqlGridStore from "./SqlGridStore.js"
import * as SqlGroupStore from "./SqlGroupStore.js"
import * as SqlInspectionStore from "./SqlInspectionStore.js"
import * as SqlLedgerStore from "./SqlLedgerStore.js"
import * as SqlOutreachStore from "./SqlOutreachStore.js"
import * as SqlPeopleStore from "./SqlPeopleStore.js"
import * as SqlPriorityResidentStore from "./SqlPriorityResidentStore.js"
import * as SqlProblemStore from "./SqlProblemStore.js"
import * as SqlSiteStore from "./SqlSiteStore.js"
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
  SqlLedgerStore.layer
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
