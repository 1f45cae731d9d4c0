/**
 * @sortgrid/sdk: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Client from "./Client.js"

/**
 * @since 0.1.0
 */
export * as Consequences from "./Consequences.js"

/**
 * @since 0.1.0
 */
export * as Policies from "./Policies.js"

/**
 * @since 0.1.0
 */
export * as SimulatedClock from "./SimulatedClock.js"

/**
 * @since 0.1.0
 */
export * as Sortgrid from "./Sortgrid.js"

/**
 * @since 0.1.0
 */
export * as StoreUrl from "./StoreUrl.js"
