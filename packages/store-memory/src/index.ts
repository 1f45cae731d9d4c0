/**
 * @sortgrid/store-memory: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as MemoryAssessmentStore from "./MemoryAssessmentStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryAuditStore from "./MemoryAuditStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryDatabase from "./MemoryDatabase.js"

/**
 * @since 0.1.0
 */
export * as MemoryDutyStore from "./MemoryDutyStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryEarningStore from "./MemoryEarningStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryGeometryStore from "./MemoryGeometryStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryGridStore from "./MemoryGridStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryGroupStore from "./MemoryGroupStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryHouseholdStore from "./MemoryHouseholdStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryInspectionStore from "./MemoryInspectionStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryLedgerStore from "./MemoryLedgerStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryOutreachStore from "./MemoryOutreachStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryPeopleStore from "./MemoryPeopleStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryPriorityResidentStore from "./MemoryPriorityResidentStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryProblemStore from "./MemoryProblemStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryRedemptionStore from "./MemoryRedemptionStore.js"

/**
 * @since 0.1.0
 */
export * as MemorySiteStore from "./MemorySiteStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryStore from "./MemoryStore.js"

/**
 * @since 0.1.0
 */
export * as MemoryTaskStore from "./MemoryTaskStore.js"
