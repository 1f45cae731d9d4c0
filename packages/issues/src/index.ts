/**
 * @sortgrid/issues: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Catalogue from "./Catalogue.js"

/**
 * @since 0.1.0
 */
export * as Category from "./Category.js"

/**
 * @since 0.1.0
 */
export * as Inspection from "./Inspection.js"

/**
 * @since 0.1.0
 */
export * as InspectionStore from "./InspectionStore.js"

/**
 * @since 0.1.0
 */
export * as Inspections from "./Inspections.js"

/**
 * @since 0.1.0
 */
export * as Lifecycle from "./Lifecycle.js"

/**
 * @since 0.1.0
 */
export * as Open311 from "./Open311.js"

/**
 * @since 0.1.0
 */
export * as Problem from "./Problem.js"

/**
 * @since 0.1.0
 */
export * as ProblemRegister from "./ProblemRegister.js"

/**
 * @since 0.1.0
 */
export * as ProblemStore from "./ProblemStore.js"

/**
 * @since 0.1.0
 */
export * as ProblemValues from "./ProblemValues.js"

/**
 * @since 0.1.0
 */
export * as Sla from "./Sla.js"

/**
 * @since 0.1.0
 */
export * as Stats from "./Stats.js"
