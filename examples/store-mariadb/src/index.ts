/**
 * @sortgrid/example-store-mariadb: a vendor's MariaDB/MySQL store, every public module as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as MariaDbAssessmentStore from "./MariaDbAssessmentStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbAuditStore from "./MariaDbAuditStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbDutyStore from "./MariaDbDutyStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbEarningStore from "./MariaDbEarningStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbGridStore from "./MariaDbGridStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbHouseholdStore from "./MariaDbHouseholdStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbInspectionStore from "./MariaDbInspectionStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbLedgerStore from "./MariaDbLedgerStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbMigrations from "./MariaDbMigrations.js"

/**
 * @since 0.1.0
 */
export * as MariaDbOutreachStore from "./MariaDbOutreachStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbProblemStore from "./MariaDbProblemStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbRedemptionStore from "./MariaDbRedemptionStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbStore from "./MariaDbStore.js"

/**
 * @since 0.1.0
 */
export * as MariaDbTaskStore from "./MariaDbTaskStore.js"
