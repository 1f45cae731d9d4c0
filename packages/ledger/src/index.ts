/**
 * @sortgrid/ledger: every public module, as a namespace.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Account from "./Account.js"

/**
 * @since 0.1.0
 */
export * as CertifiedTask from "./CertifiedTask.js"

/**
 * @since 0.1.0
 */
export * as Earning from "./Earning.js"

/**
 * @since 0.1.0
 */
export * as EarningStore from "./EarningStore.js"

/**
 * @since 0.1.0
 */
export * as Earnings from "./Earnings.js"

/**
 * @since 0.1.0
 */
export * as Household from "./Household.js"

/**
 * @since 0.1.0
 */
export * as HouseholdStore from "./HouseholdStore.js"

/**
 * @since 0.1.0
 */
export * as Households from "./Households.js"

/**
 * @since 0.1.0
 */
export * as Ledger from "./Ledger.js"

/**
 * @since 0.1.0
 */
export * as LedgerStore from "./LedgerStore.js"

/**
 * @since 0.1.0
 */
export * as LedgerValues from "./LedgerValues.js"

/**
 * @since 0.1.0
 */
export * as Lock from "./Lock.js"

/**
 * @since 0.1.0
 */
export * as Lots from "./Lots.js"

/**
 * @since 0.1.0
 */
export * as Posting from "./Posting.js"

/**
 * @since 0.1.0
 */
export * as Redemption from "./Redemption.js"

/**
 * @since 0.1.0
 */
export * as RedemptionStore from "./RedemptionStore.js"

/**
 * @since 0.1.0
 */
export * as Redemptions from "./Redemptions.js"

/**
 * @since 0.1.0
 */
export * as Replay from "./Replay.js"

/**
 * @since 0.1.0
 */
export * as TaskStore from "./TaskStore.js"

/**
 * @since 0.1.0
 */
export * as Tasks from "./Tasks.js"

/**
 * @since 0.1.0
 */
export * as Transfer from "./Transfer.js"
