/**
 * @sortgrid/assessment: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Allocation from "./Allocation.js"

/**
 * @since 0.1.0
 */
export * as Ast from "./Ast.js"

/**
 * @since 0.1.0
 */
export * as DataElement from "./DataElement.js"

/**
 * @since 0.1.0
 */
export * as Engine from "./Engine.js"

/**
 * @since 0.1.0
 */
export * as Evaluation from "./Evaluation.js"

/**
 * @since 0.1.0
 */
export * as Expression from "./Expression.js"

/**
 * @since 0.1.0
 */
export * as Indicator from "./Indicator.js"

/**
 * @since 0.1.0
 */
export * as Scheme from "./Scheme.js"

/**
 * @since 0.1.0
 */
export * as Scoring from "./Scoring.js"
