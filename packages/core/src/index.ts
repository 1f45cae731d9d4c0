/**
 * @sortgrid/core: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Actor from "./Actor.js"

/**
 * @since 0.1.0
 */
export * as Audit from "./Audit.js"

/**
 * @since 0.1.0
 */
export * as AuditLog from "./AuditLog.js"

/**
 * @since 0.1.0
 */
export * as AuditStore from "./AuditStore.js"

/**
 * @since 0.1.0
 */
export * as DataValue from "./DataValue.js"

/**
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * @since 0.1.0
 */
export * as Id from "./Id.js"

/**
 * @since 0.1.0
 */
export * as Idempotency from "./Idempotency.js"

/**
 * @since 0.1.0
 */
export * as Json from "./Json.js"

/**
 * @since 0.1.0
 */
export * as Period from "./Period.js"

/**
 * @since 0.1.0
 */
export * as Permission from "./Permission.js"

/**
 * @since 0.1.0
 */
export * as Transactor from "./Transactor.js"

/**
 * @since 0.1.0
 */
export * as Trusted from "./Trusted.js"
