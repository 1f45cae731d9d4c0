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
export * as AssessmentStore from "./AssessmentStore.js"

/**
 * @since 0.1.0
 */
export * as Assessments from "./Assessments.js"

/**
 * @since 0.1.0
 */
export * as Ast from "./Ast.js"

/**
 * @since 0.1.0
 */
export * as Consequence from "./Consequence.js"

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
export * as HealthCheck from "./HealthCheck.js"

/**
 * @since 0.1.0
 */
export * as Indicator from "./Indicator.js"

/**
 * @since 0.1.0
 */
export * as Payout from "./Payout.js"

/**
 * @since 0.1.0
 */
export * as Review from "./Review.js"

/**
 * @since 0.1.0
 */
export * as Scheme from "./Scheme.js"

/**
 * @since 0.1.0
 */
export * as Scoring from "./Scoring.js"

/**
 * @since 0.1.0
 */
export * as WorkedExample from "./WorkedExample.js"
