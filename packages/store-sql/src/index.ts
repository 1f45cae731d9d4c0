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
export * as SqlAuditStore from "./SqlAuditStore.js"

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
export * as SqlStore from "./SqlStore.js"

/**
 * @since 0.1.0
 */
export * as SqlTransactor from "./SqlTransactor.js"
