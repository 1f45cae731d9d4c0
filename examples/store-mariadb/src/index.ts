/**
 * @sortgrid/example-store-mariadb: a vendor's MariaDB/MySQL store, every public module as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as MariaDbEarningStore from "./MariaDbEarningStore.js"

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
export * as MariaDbStore from "./MariaDbStore.js"
