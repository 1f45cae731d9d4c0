/**
 * @sortgrid/http: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Api from "./Api.js"

/**
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.js"

/**
 * @since 0.1.0
 */
export * as AssessmentApi from "./AssessmentApi.js"

/**
 * @since 0.1.0
 */
export * as AuditApi from "./AuditApi.js"

/**
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * @since 0.1.0
 */
export * as DashboardApi from "./DashboardApi.js"

/**
 * @since 0.1.0
 */
export * as GridApi from "./GridApi.js"

/**
 * @since 0.1.0
 */
export * as HttpConfig from "./HttpConfig.js"

/**
 * @since 0.1.0
 */
export * as IdempotencyStore from "./IdempotencyStore.js"

/**
 * @since 0.1.0
 */
export * as IssuesApi from "./IssuesApi.js"

/**
 * @since 0.1.0
 */
export * as LedgerApi from "./LedgerApi.js"

/**
 * @since 0.1.0
 */
export * as Open311Api from "./Open311Api.js"

/**
 * @since 0.1.0
 */
export * as Paging from "./Paging.js"

/**
 * @since 0.1.0
 */
export * as Server from "./Server.js"
