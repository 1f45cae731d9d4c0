/**
 * @sortgrid/testkit: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as AssessmentSuite from "./AssessmentSuite.js"

/**
 * @since 0.1.0
 */
export * as AuditLogSuite from "./AuditLogSuite.js"

/**
 * @since 0.1.0
 */
export * as AuditProbe from "./AuditProbe.js"

/**
 * @since 0.1.0
 */
export * as CampaignSuite from "./CampaignSuite.js"

/**
 * @since 0.1.0
 */
export * as Conformance from "./Conformance.js"

/**
 * @since 0.1.0
 */
export * as Departments from "./Departments.js"

/**
 * @since 0.1.0
 */
export * as DutySuite from "./DutySuite.js"

/**
 * @since 0.1.0
 */
export * as Fixtures from "./Fixtures.js"

/**
 * @since 0.1.0
 */
export * as GeographySuite from "./GeographySuite.js"

/**
 * @since 0.1.0
 */
export * as GridSuite from "./GridSuite.js"

/**
 * @since 0.1.0
 */
export * as GridValuesSuite from "./GridValuesSuite.js"

/**
 * @since 0.1.0
 */
export * as HardwareCampaign from "./HardwareCampaign.js"

/**
 * @since 0.1.0
 */
export * as InspectionSuite from "./InspectionSuite.js"

/**
 * @since 0.1.0
 */
export * as LedgerStorm from "./LedgerStorm.js"

/**
 * @since 0.1.0
 */
export * as LedgerSuite from "./LedgerSuite.js"

/**
 * @since 0.1.0
 */
export * as LedgerValuesSuite from "./LedgerValuesSuite.js"

/**
 * @since 0.1.0
 */
export * as OutreachSuite from "./OutreachSuite.js"

/**
 * @since 0.1.0
 */
export * as PeopleSuite from "./PeopleSuite.js"

/**
 * @since 0.1.0
 */
export * as PostgresSchema from "./PostgresSchema.js"

/**
 * @since 0.1.0
 */
export * as PriorityResidentSuite from "./PriorityResidentSuite.js"

/**
 * @since 0.1.0
 */
export * as ProblemRace from "./ProblemRace.js"

/**
 * @since 0.1.0
 */
export * as ProblemSuite from "./ProblemSuite.js"

/**
 * @since 0.1.0
 */
export * as ProgrammeSuite from "./ProgrammeSuite.js"

/**
 * @since 0.1.0
 */
export * as Residents from "./Residents.js"

/**
 * @since 0.1.0
 */
export * as Schemes from "./Schemes.js"

/**
 * @since 0.1.0
 */
export * as SiteSuite from "./SiteSuite.js"

/**
 * @since 0.1.0
 */
export * as Synthetic from "./Synthetic.js"

/**
 * @since 0.1.0
 */
export * as TempDirectory from "./TempDirectory.js"

/**
 * @since 0.1.0
 */
export * as Tongzhou from "./Tongzhou.js"
