/**
 * @sortgrid/store-sqlite: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as SqliteStore from "./SqliteStore.js"
