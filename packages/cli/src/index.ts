/**
 * @sortgrid/cli: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as AssessCommand from "./AssessCommand.js"

/**
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * @since 0.1.0
 */
export * as Failure from "./Failure.js"

/**
 * @since 0.1.0
 */
export * as HealthReport from "./HealthReport.js"

/**
 * @since 0.1.0
 */
export * as ImportCommand from "./ImportCommand.js"

/**
 * @since 0.1.0
 */
export * as InitCommand from "./InitCommand.js"

/**
 * @since 0.1.0
 */
export * as InspectCommand from "./InspectCommand.js"

/**
 * @since 0.1.0
 */
export * as IssuesCommand from "./IssuesCommand.js"

/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"

/**
 * @since 0.1.0
 */
export * as PointsCommand from "./PointsCommand.js"

/**
 * @since 0.1.0
 */
export * as ReportCommand from "./ReportCommand.js"

/**
 * @since 0.1.0
 */
export * as ServeCommand from "./ServeCommand.js"

/**
 * @since 0.1.0
 */
export * as Settings from "./Settings.js"

/**
 * @since 0.1.0
 */
export * as VerifyCommand from "./VerifyCommand.js"
