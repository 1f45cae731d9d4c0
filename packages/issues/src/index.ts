/**
 * @sortgrid/issues: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Problem from "./Problem.js"
