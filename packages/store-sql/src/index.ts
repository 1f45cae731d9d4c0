/**
 * @sortgrid/store-sql: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Migrations from "./Migrations.js"

/**
 * @since 0.1.0
 */
export * as Migrator from "./Migrator.js"

/**
 * @since 0.1.0
 */
export * as SqlAssessmentStore from "./SqlAssessmentStore.js"

/**
 * @since 0.1.0
 */
export * as SqlAuditStore from "./SqlAuditStore.js"

/**
 * @since 0.1.0
 */
export * as SqlDutyStore from "./SqlDutyStore.js"

/**
 * @since 0.1.0
 */
export * as SqlEarningStore from "./SqlEarningStore.js"

/**
 * @since 0.1.0
 */
export * as SqlGeometryStore from "./SqlGeometryStore.js"

/**
 * @since 0.1.0
 */
export * as SqlGridStore from "./SqlGridStore.js"

/**
 * @since 0.1.0
 */
export * as SqlGroupStore from "./SqlGroupStore.js"

/**
 * @since 0.1.0
 */
export * as SqlHouseholdStore from "./SqlHouseholdStore.js"

/**
 * @since 0.1.0
 */
export * as SqlInspectionStore from "./SqlInspectionStore.js"

/**
 * @since 0.1.0
 */
export * as SqlLedgerStore from "./SqlLedgerStore.js"

/**
 * @since 0.1.0
 */
export * as SqlOutreachStore from "./SqlOutreachStore.js"

/**
 * @since 0.1.0
 */
export * as SqlPeopleStore from "./SqlPeopleStore.js"

/**
 * @since 0.1.0
 */
export * as SqlPriorityResidentStore from "./SqlPriorityResidentStore.js"

/**
 * @since 0.1.0
 */
export * as SqlProblemStore from "./SqlProblemStore.js"

/**
 * @since 0.1.0
 */
export * as SqlRedemptionStore from "./SqlRedemptionStore.js"

/**
 * @since 0.1.0
 */
export * as SqlSiteStore from "./SqlSiteStore.js"

/**
 * @since 0.1.0
 */
export * as SqlStore from "./SqlStore.js"

/**
 * @since 0.1.0
 */
export * as SqlTaskStore from "./SqlTaskStore.js"

/**
 * @since 0.1.0
 */
export * as SqlTransactor from "./SqlTransactor.js"
