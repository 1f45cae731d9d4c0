/**
 * The redemption service's storage port: merchants, their catalogue items (with the units on the
 * shelf), the reservations index (which redemption holds which item, and until when), and stock
 * adjustments by client-chosen id.
 *
 * **Locking.** `lockItems` locks the item rows a step reads (PostgreSQL: `SELECT … ORDER BY
 * merchant_id, code FOR UPDATE`) for the rest of the enclosing transaction; call it inside the
 * write transaction and before `LedgerStore.post`, which then locks accounts. Items before
 * accounts, each in sorted order: no cycle with any other writer. Two counters redeeming the last
 * unit are serialised on the item row, and the second sees the first's reservation.
 *
 * **Reservations.** What an item has reserved is derived from the redemption holds still open
 * (`Redemption.reservedUnits`); the index finds them without scanning transfers. An entry is
 * marked resolved when the redemption service hands it over or cancels it; a hold the timeout run
 * voids stays unmarked, and is ignored once its deadline has passed.
 *
 * @since 0.1.0
 */
import { type Errors, Id } from "@sortgrid/core"
import { Context, type Effect, Schema } from "effect"
import * as Account from "./Account.js"
import * as Redemption from "./Redemption.js"
import * as Transfer from "./Transfer.js"

/**
 * An item of a merchant: the key of an item row.
 *
 * @since 0.1.0
 * @category models
 */
export interface ItemKey {
  readonly merchantId: Redemption.MerchantId
  readonly code: Redemption.ItemCode
}

/**
 * One line of a redemption held: the hold, its redemption, what it reserves and until when.
 *
 * @since 0.1.0
 * @category models
 */
export class Reservation extends Schema.Class<Reservation>("@sortgrid/ledger/Reservation")({
  holdId: Transfer.TransferId,
  redemptionId: Redemption.RedemptionId,
  merchantId: Redemption.MerchantId,
  itemCode: Redemption.ItemCode,
  quantity: Schema.Int.pipe(Schema.between(1, 999)),
  /** The hold's deadline (`Transfer.deadline`). */
  deadline: Account.EpochMillis,
  /** Whether the redemption service has handed it over or cancelled it. */
  resolved: Schema.Boolean
}) {}

/**
 * The id of a stock adjustment, chosen by the client: its idempotency key.
 *
 * @since 0.1.0
 * @category ids
 */
export const StockAdjustmentId = Id.brand("StockAdjustmentId")

/**
 * @since 0.1.0
 * @category ids
 */
export type StockAdjustmentId = typeof StockAdjustmentId.Type

/**
 * A restock (positive `delta`) or write-off (negative) of an item, as stored.
 *
 * @since 0.1.0
 * @category models
 */
export class StockAdjustment extends Schema.Class<StockAdjustment>("@sortgrid/ledger/StockAdjustment")({
  id: StockAdjustmentId,
  merchantId: Redemption.MerchantId,
  itemCode: Redemption.ItemCode,
  delta: Schema.Int.pipe(Schema.between(-1_000_000_000, 1_000_000_000)),
  timestamp: Account.EpochMillis
}) {}

/**
 * Redemption storage. Reads return what is stored; ids not found are left out.
 *
 * @since 0.1.0
 * @category ports
 */
export class RedemptionStore extends Context.Tag("@sortgrid/ledger/RedemptionStore")<
  RedemptionStore,
  {
    /** The merchants with these ids. */
    readonly merchants: (
      ids: ReadonlyArray<Redemption.MerchantId>
    ) => Effect.Effect<ReadonlyArray<Redemption.Merchant>, Errors.StorageError>
    /** Inserts or replaces merchants. */
    readonly putMerchants: (merchants: ReadonlyArray<Redemption.Merchant>) => Effect.Effect<void, Errors.StorageError>
    /** A merchant's items, in code order. */
    readonly items: (
      merchantId: Redemption.MerchantId
    ) => Effect.Effect<ReadonlyArray<Redemption.Item>, Errors.StorageError>
    /** The items with these keys, their rows locked until the enclosing transaction ends. */
    readonly lockItems: (
      keys: ReadonlyArray<ItemKey>
    ) => Effect.Effect<ReadonlyArray<Redemption.Item>, Errors.StorageError>
    /** Inserts or replaces items (stock included), as one multi-row write. */
    readonly putItems: (items: ReadonlyArray<Redemption.Item>) => Effect.Effect<void, Errors.StorageError>
    /** The unresolved reservations of these items whose deadline is after `now`. */
    readonly openReservations: (options: {
      readonly items: ReadonlyArray<ItemKey>
      readonly now: number
    }) => Effect.Effect<ReadonlyArray<Reservation>, Errors.StorageError>
    /** Every reservation of a redemption, resolved ones too. */
    readonly reservationsOf: (
      redemptionId: Redemption.RedemptionId
    ) => Effect.Effect<ReadonlyArray<Reservation>, Errors.StorageError>
    /**
     * Every reservation of these redemptions, resolved ones too, in hold-id order: what a batch of
     * hand-overs or cancellations loads in one read.
     */
    readonly reservationsOfRedemptions: (
      redemptionIds: ReadonlyArray<Redemption.RedemptionId>
    ) => Effect.Effect<ReadonlyArray<Reservation>, Errors.StorageError>
    /** Adds reservations (a hold already indexed is left as it is). */
    readonly addReservations: (reservations: ReadonlyArray<Reservation>) => Effect.Effect<void, Errors.StorageError>
    /** Marks the reservations of these holds resolved. */
    readonly resolveReservations: (
      holdIds: ReadonlyArray<Transfer.TransferId>
    ) => Effect.Effect<void, Errors.StorageError>
    /** The stock adjustments with these ids. */
    readonly stockAdjustments: (
      ids: ReadonlyArray<StockAdjustmentId>
    ) => Effect.Effect<ReadonlyArray<StockAdjustment>, Errors.StorageError>
    /** Records a stock adjustment. */
    readonly addStockAdjustment: (adjustment: StockAdjustment) => Effect.Effect<void, Errors.StorageError>
  }
>() {}
