/**
 * Redemption: residents spend points on a merchant's catalogue (a shop, or a swap market run by
 * the programme). Pure rules over the catalogue, its stock and the redemption's holds; they return
 * the transfer requests to submit through `Posting` and the stock to write with them.
 *
 * At the counter, a **redemption** reserves items with one **hold** per line — a pending transfer
 * from the resident's wallet to the merchant's account, coded `redemption`, with a timeout — all
 * linked, so a basket is held whole or not at all. Then exactly one of:
 * - **hand-over** ({@link handOver}): posts the holds for what was handed over (a line may hand
 *   over fewer items than held: the rest is released) and takes the items out of stock;
 * - **cancel** ({@link cancel}): voids the holds;
 * - **timeout**: the ledger's timeout run voids the holds (`Transfer.timeoutVoidId`).
 *
 * Stock: an item's `stock` is the units on the merchant's shelf: it falls only at hand-over and
 * changes otherwise only by {@link adjustStock}. What is **reserved** is not stored but derived
 * from the open holds ({@link reservedUnits}): a hold reserves its units until it is resolved or
 * its deadline passes. So a timeout releases stock at the deadline by itself, whenever the timeout
 * run comes, and a post refused as `PendingTransferExpired` takes nothing out of stock.
 *
 * Each hold records what it reserves in its source reference
 * (`redemption:<merchant id>:<item code>:<quantity>`, {@link reference}), and each hand-over post
 * what it handed over, so the settlement report ({@link settlement}) is computed from transfers
 * alone.
 *
 * Ids derive from the client-chosen redemption id ({@link holdId}, {@link handOverId},
 * {@link cancelId}), so every step retried asks for the same transfers, which posting answers
 * `Exists`; a replayed hand-over changes no stock.
 *
 * Guarantees (property-tested against the posting core): stock never goes negative and never
 * falls below what open holds reserve; for every item, the units taken out of stock equal the
 * units the settlement reports handed over, and the merchant's posted credits equal the points
 * the settlement reports.
 *
 * Concurrency: decide a redemption and write its holds in one write transaction that has locked
 * the item rows it reads (see the report on wiring), so two counters cannot both take the last
 * unit.
 *
 * @since 0.1.0
 */
import { Id, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import * as Account from "./Account.js"
import { derivedId } from "./internal/derivedId.js"
import type * as Posting from "./Posting.js"
import * as Transfer from "./Transfer.js"

// --- models ---------------------------------------------------------------------------------------

/**
 * The id of a merchant (a shop or a swap market), chosen by the host.
 *
 * @since 0.1.0
 * @category ids
 */
export const MerchantId = Id.brand("MerchantId")

/**
 * @since 0.1.0
 * @category ids
 */
export type MerchantId = typeof MerchantId.Type

/**
 * What a merchant is: a local shop taking points, or a swap market the programme runs.
 *
 * @since 0.1.0
 * @category models
 */
export const MerchantKind = Schema.Literal("merchant", "swap-market")

/**
 * @since 0.1.0
 * @category models
 */
export type MerchantKind = typeof MerchantKind.Type

/**
 * A name in the languages the programme shows.
 *
 * @since 0.1.0
 * @category models
 */
export class Name extends Schema.Class<Name>("@sortgrid/ledger/RedemptionName")({
  zh: Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(200)),
  en: Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(200))
}) {}

/**
 * A merchant: the ledger account its redemptions credit (an account of code `merchant`), and
 * whether it still takes redemptions.
 *
 * @since 0.1.0
 * @category models
 */
export class Merchant extends Schema.Class<Merchant>("@sortgrid/ledger/Merchant")({
  id: MerchantId,
  ledger: Account.LedgerId,
  accountId: Account.AccountId,
  kind: MerchantKind,
  name: Name,
  closed: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/**
 * The code of a catalogue item, unique per merchant: letters, digits, `_` and `-` (no `.` or `:`,
 * which the derived ids and references use as separators).
 *
 * @since 0.1.0
 * @category ids
 */
export const ItemCode = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    message: () => "must be 1-64 letters, digits, '_' or '-', starting with a letter or digit"
  }),
  Schema.brand("ItemCode")
)

/**
 * @since 0.1.0
 * @category ids
 */
export type ItemCode = typeof ItemCode.Type

/**
 * A number of units on a shelf: a non-negative safe integer.
 *
 * @since 0.1.0
 * @category models
 */
export const Units = Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))

/**
 * A catalogue item: its price in points and the units on the shelf.
 *
 * @since 0.1.0
 * @category models
 */
export class Item extends Schema.Class<Item>("@sortgrid/ledger/CatalogueItem")({
  merchantId: MerchantId,
  code: ItemCode,
  name: Name,
  pointCost: Transfer.Amount,
  /** Units on the shelf, reserved ones included. */
  stock: Units,
  /** Whether new redemptions may take it; holds already made are unaffected. */
  offered: Schema.optionalWith(Schema.Boolean, { default: () => true })
}) {}

/**
 * The id of a redemption, chosen by the client (the counter's app): the idempotency key of the
 * redemption and of every step after it.
 *
 * @since 0.1.0
 * @category ids
 */
export const RedemptionId = Id.brand("RedemptionId")

/**
 * @since 0.1.0
 * @category ids
 */
export type RedemptionId = typeof RedemptionId.Type

/**
 * One line of a basket.
 *
 * @since 0.1.0
 * @category commands
 */
export class Line extends Schema.Class<Line>("@sortgrid/ledger/RedemptionLine")({
  itemCode: ItemCode,
  quantity: Schema.Int.pipe(Schema.between(1, 999))
}) {}

/**
 * Reserve a basket at a merchant's counter, paid from a wallet.
 *
 * @since 0.1.0
 * @category commands
 */
export class Redeem extends Schema.Class<Redeem>("@sortgrid/ledger/Redeem")({
  id: RedemptionId,
  merchantId: MerchantId,
  walletAccountId: Account.AccountId,
  lines: Schema.Array(Line).pipe(Schema.minItems(1), Schema.maxItems(50)),
  /** How long the counter holds the basket before it is released (default 15 minutes). */
  timeoutSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 7 * 86_400)), { default: () => 900 })
}) {}

/**
 * What a line handed over: from 0 (nothing: the line is released) to what it held.
 *
 * @since 0.1.0
 * @category commands
 */
export class HandedLine extends Schema.Class<HandedLine>("@sortgrid/ledger/HandedLine")({
  itemCode: ItemCode,
  quantity: Schema.Int.pipe(Schema.between(0, 999))
}) {}

/**
 * Hand a redemption over. Without `lines`, everything held was handed over; with them, a held item
 * they do not name was not handed over.
 *
 * @since 0.1.0
 * @category commands
 */
export class HandOver extends Schema.Class<HandOver>("@sortgrid/ledger/HandOver")({
  redemptionId: RedemptionId,
  lines: Schema.optionalWith(Schema.NullOr(Schema.Array(HandedLine).pipe(Schema.maxItems(50))), {
    default: () => null
  })
}) {}

// --- references and ids ---------------------------------------------------------------------------

/**
 * What a hold reserves, or a hand-over post handed over, as its source reference records it.
 *
 * @since 0.1.0
 * @category references
 */
export interface Reservation {
  readonly merchantId: MerchantId
  readonly itemCode: ItemCode
  readonly quantity: number
}

/**
 * The source reference of a redemption hold or hand-over: `redemption:<merchant>:<item>:<quantity>`.
 *
 * @since 0.1.0
 * @category references
 */
export const reference = (merchantId: MerchantId, itemCode: ItemCode, quantity: number): string =>
  `redemption:${merchantId}:${itemCode}:${quantity}`

const isItemCode = Schema.is(ItemCode)
const isMerchantId = Schema.is(MerchantId)

/**
 * Reads a source reference written by {@link reference}; `null` for any other. The merchant id may
 * itself contain `:`, so the item code and quantity are read from the end.
 *
 * @since 0.1.0
 * @category references
 */
export const parseReference = (sourceReference: string | null): Reservation | null => {
  if (sourceReference === null || !sourceReference.startsWith("redemption:")) return null
  const parts = sourceReference.slice("redemption:".length).split(":")
  if (parts.length < 3) return null
  const quantityText = parts.at(-1)!
  const itemCode = parts.at(-2)!
  const merchantId = parts.slice(0, -2).join(":")
  const quantity = Number(quantityText)
  if (!/^[0-9]{1,3}$/.test(quantityText) || !isItemCode(itemCode) || !isMerchantId(merchantId)) return null
  return { merchantId, itemCode, quantity }
}

/**
 * The id of the hold of a redemption's line.
 *
 * @since 0.1.0
 * @category ids
 */
export const holdId = (redemptionId: RedemptionId, itemCode: ItemCode): Transfer.TransferId =>
  derivedId("redemption", [redemptionId, itemCode])

/**
 * The id of the post that hands a hold over.
 *
 * @since 0.1.0
 * @category ids
 */
export const handOverId = (hold: Transfer.TransferId): Transfer.TransferId => derivedId("handover", [hold])

/**
 * The id of the void that cancels a hold (or releases a line handed over with quantity 0).
 *
 * @since 0.1.0
 * @category ids
 */
export const cancelId = (hold: Transfer.TransferId): Transfer.TransferId => derivedId("cancel", [hold])

/**
 * Whether a transfer is a redemption hold (what it reserves is in its source reference).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isHold = (transfer: Transfer.Transfer): boolean =>
  transfer.flags.pending &&
  transfer.code === Transfer.codes.redemption &&
  parseReference(transfer.sourceReference) !== null

/**
 * The units reserved at `now` per item code of a merchant, by the holds given: every redemption
 * hold of the merchant whose deadline has not passed. Pass the holds not yet resolved; a resolved
 * one would count as reserved.
 *
 * @since 0.1.0
 * @category stock
 */
export const reservedUnits = (
  holds: Iterable<Transfer.Transfer>,
  merchantId: MerchantId,
  now: number
): ReadonlyMap<string, number> => {
  const reserved = new Map<string, number>()
  for (const hold of holds) {
    if (!isHold(hold)) continue
    const due = Transfer.deadline(hold)
    if (due !== null && due <= now) continue
    const reservation = parseReference(hold.sourceReference)!
    if (reservation.merchantId !== merchantId) continue
    reserved.set(reservation.itemCode, (reserved.get(reservation.itemCode) ?? 0) + reservation.quantity)
  }
  return reserved
}

// --- decisions ------------------------------------------------------------------------------------

/**
 * Why a step was refused. See each decision for the order of precedence.
 *
 * @since 0.1.0
 * @category results
 */
export type RefusalCode =
  | "RedemptionExistsWithDifferentLines"
  | "MerchantNotFound"
  | "MerchantClosed"
  | "LinesMustHaveDistinctItems"
  | "ItemNotFound"
  | "ItemNotOffered"
  | "ExceedsStock"
  | "AmountOverflows"
  | "RedemptionNotFound"
  | "LineNotHeld"
  | "ExceedsHeldQuantity"
  | "RedemptionAlreadyHandedOver"
  | "RedemptionAlreadyCancelled"
  | "RedemptionExpired"
  | "NothingHandedOver"
  | "StockBelowReserved"

/**
 * A refusal, with the item it concerns when it concerns one.
 *
 * @since 0.1.0
 * @category results
 */
export interface Refusal {
  readonly _tag: RefusalCode
  readonly itemCode: ItemCode | null
}

const refuse = (tag: RefusalCode, itemCode: ItemCode | null = null): Either.Either<never, Refusal> =>
  Either.left({ _tag: tag, itemCode })

/**
 * A stock change a step makes if its transfer posts: `quantity` units of `item` leave the shelf.
 *
 * @since 0.1.0
 * @category models
 */
export interface StockChange {
  readonly transferId: Transfer.TransferId
  readonly item: Item
  readonly quantity: number
}

/**
 * What a step submits: the transfers (one linked chain) and the stock changes that follow if they
 * post. `replayed`: every hold of the step was already resolved (or made) as it asks, so the
 * transfers are a retry that posting answers `Exists`, and there is no stock change.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly transfers: ReadonlyArray<Transfer.TransferInput>
  readonly stock: ReadonlyArray<StockChange>
  readonly replayed: boolean
}

/**
 * What {@link redeem} decides on, loaded in the write transaction with the item rows locked:
 * the merchant, its items the request names (by code), the merchant's unresolved redemption holds
 * of those items, and the stored transfers with the redemption's hold ids (a retry).
 *
 * @since 0.1.0
 * @category models
 */
export interface RedeemState {
  readonly merchant: Merchant | undefined
  readonly items: ReadonlyMap<string, Item>
  readonly openHolds: ReadonlyArray<Transfer.Transfer>
  readonly stored: ReadonlyMap<string, Transfer.Transfer>
  /**
   * The units the merchant's open holds reserve, by item code, when the caller keeps that tally
   * itself (a batch adds each basket's holds as it goes); otherwise derived from `openHolds` with
   * {@link reservedUnits}.
   */
  readonly reserved?: ReadonlyMap<string, number> | undefined
}

const chain = (inputs: ReadonlyArray<Omit<Transfer.TransferInput, "flags"> & { readonly kind: Kind }>) =>
  inputs.map((input, index) =>
    Transfer.TransferInput.make(
      {
        id: input.id,
        debitAccountId: input.debitAccountId,
        creditAccountId: input.creditAccountId,
        amount: input.amount,
        pendingId: input.pendingId,
        reversesId: input.reversesId,
        ledger: input.ledger,
        code: input.code,
        sourceReference: input.sourceReference,
        timeoutSeconds: input.timeoutSeconds,
        flags: Transfer.TransferFlags.make({
          linked: index < inputs.length - 1,
          pending: input.kind === "hold",
          postPending: input.kind === "post",
          voidPending: input.kind === "void"
        })
      },
      { disableValidation: true }
    )
  )

type Kind = "hold" | "post" | "void"

const blank = {
  debitAccountId: null,
  creditAccountId: null,
  amount: null,
  pendingId: null,
  reversesId: null,
  ledger: null,
  code: null,
  sourceReference: null,
  timeoutSeconds: 0
} as const

/**
 * Decides a redemption: the linked holds that reserve its lines. The wallet's balance is not
 * checked here: posting refuses the chain (`ExceedsCredits`) if the wallet cannot pay, and then
 * nothing is reserved. Refusals, in order of precedence:
 *
 * 1. `RedemptionExistsWithDifferentLines`: some of its holds are stored, not all (a retry with
 *    other lines); when all are stored, it is a retry: `replayed`, with the stored amounts, and
 *    posting compares the rest (`ExistsWithDifferent…` if the retry changed);
 * 2. `MerchantNotFound`, `MerchantClosed`;
 * 3. `LinesMustHaveDistinctItems`;
 * 4. for each line in order: `ItemNotFound`, `ItemNotOffered`, `ExceedsStock` (more than the
 *    shelf holds beyond what open holds reserve), `AmountOverflows`.
 *
 * @since 0.1.0
 * @category decisions
 */
export const redeem = (state: RedeemState, request: Redeem, now: number): Either.Either<Plan, Refusal> => {
  const ids = request.lines.map((line) => holdId(request.id, line.itemCode))
  const stored = ids.filter((id) => state.stored.has(id))
  if (stored.length > 0) {
    if (stored.length < ids.length) return refuse("RedemptionExistsWithDifferentLines")
    return Either.right({
      transfers: chain(
        request.lines.map((line, index) => {
          const hold = state.stored.get(ids[index]!)!
          return {
            ...blank,
            kind: "hold" as const,
            id: hold.id,
            debitAccountId: request.walletAccountId,
            creditAccountId: state.merchant?.accountId ?? hold.creditAccountId,
            amount: hold.amount,
            ledger: hold.ledger,
            code: Transfer.codes.redemption,
            sourceReference: reference(request.merchantId, line.itemCode, line.quantity),
            timeoutSeconds: request.timeoutSeconds
          }
        })
      ),
      stock: [],
      replayed: true
    })
  }
  const merchant = state.merchant
  if (merchant === undefined) return refuse("MerchantNotFound")
  if (merchant.closed) return refuse("MerchantClosed")
  const codes = new Set(request.lines.map((line) => line.itemCode))
  if (codes.size < request.lines.length) return refuse("LinesMustHaveDistinctItems")
  const reserved = state.reserved ?? reservedUnits(state.openHolds, merchant.id, now)
  const holds: Array<Omit<Transfer.TransferInput, "flags"> & { readonly kind: Kind }> = []
  for (const [index, line] of request.lines.entries()) {
    const item = state.items.get(line.itemCode)
    if (item === undefined || item.merchantId !== merchant.id) return refuse("ItemNotFound", line.itemCode)
    if (!item.offered) return refuse("ItemNotOffered", line.itemCode)
    if (line.quantity > item.stock - (reserved.get(item.code) ?? 0)) return refuse("ExceedsStock", line.itemCode)
    const amount = item.pointCost * line.quantity
    if (!Number.isSafeInteger(amount)) return refuse("AmountOverflows", line.itemCode)
    holds.push({
      ...blank,
      kind: "hold",
      id: ids[index]!,
      debitAccountId: request.walletAccountId,
      creditAccountId: merchant.accountId,
      amount,
      ledger: merchant.ledger,
      code: Transfer.codes.redemption,
      sourceReference: reference(merchant.id, line.itemCode, line.quantity),
      timeoutSeconds: request.timeoutSeconds
    })
  }
  return Either.right({ transfers: chain(holds), stock: [], replayed: false })
}

/**
 * What {@link handOver} and {@link cancel} decide on: the redemption's holds (found through the
 * store's reservation index), their resolutions by hold id, and the items they reserve (by code;
 * their rows locked, for a hand-over).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolveState {
  readonly holds: ReadonlyArray<Transfer.Transfer>
  readonly resolutions: ReadonlyMap<string, Transfer.Transfer>
  readonly items: ReadonlyMap<string, Item>
}

interface Held {
  readonly hold: Transfer.Transfer
  readonly reservation: Reservation
}

/** The redemption's holds, in item-code order: those whose id derives from it and what they reserve. */
const heldOf = (state: ResolveState, redemptionId: RedemptionId): ReadonlyArray<Held> =>
  state.holds
    .flatMap((hold) => {
      const reservation = isHold(hold) ? parseReference(hold.sourceReference) : null
      return reservation !== null && hold.id === holdId(redemptionId, reservation.itemCode)
        ? [{ hold, reservation }]
        : []
    })
    .sort((a, b) => (a.reservation.itemCode < b.reservation.itemCode ? -1 : 1))

/** The refusal for holds resolved otherwise than asked: a hand-over first, then a timeout, then a cancel. */
const resolvedRefusal = (
  resolved: ReadonlyArray<Held>,
  resolutions: ReadonlyMap<string, Transfer.Transfer>
): Either.Either<never, Refusal> => {
  const kind = (h: Held) => {
    const resolution = resolutions.get(h.hold.id)!
    return resolution.flags.postPending ? 0 : resolution.id === Transfer.timeoutVoidId(h.hold.id) ? 1 : 2
  }
  const first = [...resolved].sort((a, b) => kind(a) - kind(b))[0]!
  const tags = ["RedemptionAlreadyHandedOver", "RedemptionExpired", "RedemptionAlreadyCancelled"] as const
  return refuse(tags[kind(first)], first.reservation.itemCode)
}

/**
 * Decides a hand-over: posts each line for what it handed over (`amount` = the hold's price per
 * unit × units; the rest of the hold is released), voids the lines that handed over nothing, all
 * linked, and takes the units out of stock. Refusals, in order of precedence:
 *
 * 1. `RedemptionNotFound`: no hold of the redemption;
 * 2. `LinesMustHaveDistinctItems`, `LineNotHeld`, `ExceedsHeldQuantity` (given lines only);
 * 3. every hold already resolved as this hand-over asks: a retry (`replayed`, no stock change);
 *    otherwise, if any hold is resolved: `RedemptionAlreadyHandedOver` (one was posted), else
 *    `RedemptionExpired` (one timed out), else `RedemptionAlreadyCancelled`;
 * 4. `RedemptionExpired`: a hold's deadline has passed;
 * 5. `NothingHandedOver`: every line hands over 0 (cancel instead);
 * 6. `ItemNotFound`, `ExceedsStock`: the item row is missing or holds fewer units than handed
 *    over — impossible while stock is changed only through this module.
 *
 * @since 0.1.0
 * @category decisions
 */
export const handOver = (state: ResolveState, request: HandOver, now: number): Either.Either<Plan, Refusal> => {
  const held = heldOf(state, request.redemptionId)
  if (held.length === 0) return refuse("RedemptionNotFound")
  const handed = new Map<string, number>()
  if (request.lines === null) {
    for (const { reservation } of held) handed.set(reservation.itemCode, reservation.quantity)
  } else {
    for (const line of request.lines) {
      if (handed.has(line.itemCode)) return refuse("LinesMustHaveDistinctItems", line.itemCode)
      const heldLine = held.find((h) => h.reservation.itemCode === line.itemCode)
      if (heldLine === undefined) return refuse("LineNotHeld", line.itemCode)
      if (line.quantity > heldLine.reservation.quantity) return refuse("ExceedsHeldQuantity", line.itemCode)
      handed.set(line.itemCode, line.quantity)
    }
  }
  const quantityOf = (h: Held) => handed.get(h.reservation.itemCode) ?? 0
  const expectedId = (h: Held) => (quantityOf(h) > 0 ? handOverId(h.hold.id) : cancelId(h.hold.id))
  const resolved = held.filter((h) => state.resolutions.has(h.hold.id))
  const replayed =
    resolved.length === held.length && held.every((h) => state.resolutions.get(h.hold.id)!.id === expectedId(h))
  if (!replayed) {
    if (resolved.length > 0) return resolvedRefusal(resolved, state.resolutions)
    const late = held.find((h) => {
      const due = Transfer.deadline(h.hold)
      return due !== null && due <= now
    })
    if (late !== undefined) return refuse("RedemptionExpired", late.reservation.itemCode)
  }
  if (held.every((h) => quantityOf(h) === 0)) return refuse("NothingHandedOver")
  const stock: Array<StockChange> = []
  if (!replayed) {
    for (const h of held) {
      const quantity = quantityOf(h)
      if (quantity === 0) continue
      const item = state.items.get(h.reservation.itemCode)
      if (item === undefined || item.merchantId !== h.reservation.merchantId) {
        return refuse("ItemNotFound", h.reservation.itemCode)
      }
      if (item.stock < quantity) return refuse("ExceedsStock", h.reservation.itemCode)
      stock.push({ transferId: handOverId(h.hold.id), item, quantity })
    }
  }
  const transfers = chain(
    held.map((h) => {
      const quantity = quantityOf(h)
      if (quantity === 0) {
        return { ...blank, kind: "void" as const, id: cancelId(h.hold.id), pendingId: h.hold.id }
      }
      return {
        ...blank,
        kind: "post" as const,
        id: handOverId(h.hold.id),
        pendingId: h.hold.id,
        // Holds are priced per unit × units, so this is exact for the holds `redeem` makes.
        amount: Math.floor((h.hold.amount * quantity) / h.reservation.quantity),
        sourceReference: reference(h.reservation.merchantId, h.reservation.itemCode, quantity)
      }
    })
  )
  return Either.right({ transfers, stock, replayed })
}

/**
 * Decides a cancellation: voids every hold of the redemption, linked; no stock changes (what
 * they reserved is free once they are resolved). A hold whose deadline has passed is voided with
 * the timeout run's id (`Transfer.timeoutVoidId`), so it is reported as a timeout and the run
 * finds it done. Refusals, in order of precedence:
 *
 * 1. `RedemptionNotFound`;
 * 2. every hold already voided (cancelled or timed out): a retry, `replayed`;
 * 3. `RedemptionAlreadyHandedOver`: a hold was posted.
 *
 * @since 0.1.0
 * @category decisions
 */
export const cancel = (state: ResolveState, redemptionId: RedemptionId, now: number): Either.Either<Plan, Refusal> => {
  const held = heldOf(state, redemptionId)
  if (held.length === 0) return refuse("RedemptionNotFound")
  const posted = held.find((h) => state.resolutions.get(h.hold.id)?.flags.postPending === true)
  if (posted !== undefined) return refuse("RedemptionAlreadyHandedOver", posted.reservation.itemCode)
  const replayed = held.every((h) => state.resolutions.has(h.hold.id))
  const transfers = chain(
    held.map((h) => {
      const due = Transfer.deadline(h.hold)
      const id =
        state.resolutions.get(h.hold.id)?.id ??
        (due !== null && due <= now ? Transfer.timeoutVoidId(h.hold.id) : cancelId(h.hold.id))
      return { ...blank, kind: "void" as const, id, pendingId: h.hold.id }
    })
  )
  return Either.right({ transfers, stock: [], replayed })
}

/**
 * The item rows to write after posting decided a plan's transfers: each item with the units of
 * its changes whose transfer posting accepted now (`Ok`) taken out. A refused or replayed
 * transfer changes no stock.
 *
 * @since 0.1.0
 * @category decisions
 */
export const stockAfter = (plan: Plan, outcomes: ReadonlyArray<Posting.TransferOutcome>): ReadonlyArray<Item> => {
  const accepted = new Set(outcomes.filter((outcome) => outcome.result === "Ok").map((outcome) => outcome.id))
  const next = new Map<string, Item>()
  for (const change of plan.stock) {
    if (!accepted.has(change.transferId)) continue
    const item = next.get(change.item.code) ?? change.item
    next.set(change.item.code, new Item({ ...item, stock: item.stock - change.quantity }, { disableValidation: true }))
  }
  return [...next.values()]
}

/**
 * Restocks (positive `delta`) or writes off (negative) units of an item. Refused with
 * `StockBelowReserved` when it would leave fewer units than open holds reserve
 * ({@link reservedUnits}), so every held basket can still be handed over.
 *
 * @since 0.1.0
 * @category stock
 */
export const adjustStock = (item: Item, delta: number, reserved: number): Either.Either<Item, Refusal> => {
  const stock = item.stock + delta
  if (!Number.isSafeInteger(stock) || stock < Math.max(0, reserved)) return refuse("StockBelowReserved", item.code)
  return Either.right(new Item({ ...item, stock }, { disableValidation: true }))
}

// --- settlement -----------------------------------------------------------------------------------

/**
 * What a merchant's redemptions of one item came to in a period.
 *
 * @since 0.1.0
 * @category settlement
 */
export interface SettlementLine {
  readonly itemCode: ItemCode
  /** Units handed over, by the hand-overs posted in the period. */
  readonly handedOver: number
  /** Points those hand-overs posted to the merchant. */
  readonly points: number
  /** Holds cancelled (or released at hand-over) in the period, and the points they had held. */
  readonly voids: number
  readonly voidedPoints: number
  /** Holds timed out in the period, and the points they had held. */
  readonly timeouts: number
  readonly timedOutPoints: number
  /** Points given back by reversals of hand-overs, in the period. */
  readonly refundedPoints: number
}

/**
 * A merchant's settlement report for `[from, to)`: one line per item with activity, in item-code
 * order, and their totals. `unmatched` counts resolutions and reversals of the merchant's
 * redemptions whose hold (or hand-over) was not among the transfers given: pass the merchant's
 * transfers from `from` minus the longest hold timeout, so that it stays 0.
 *
 * @since 0.1.0
 * @category settlement
 */
export interface Settlement {
  readonly accountId: Account.AccountId
  readonly from: number
  readonly to: number
  readonly lines: ReadonlyArray<SettlementLine>
  readonly totals: Omit<SettlementLine, "itemCode">
  readonly unmatched: number
}

/**
 * The instants a period covers in a time zone: `[from, to)`.
 *
 * @since 0.1.0
 * @category settlement
 */
export const periodBounds = (
  period: Period.Period,
  utcOffsetMinutes: number
): { readonly from: number; readonly to: number } => {
  const offset = utcOffsetMinutes * 60_000
  return { from: Period.startDay(period) * 86_400_000 - offset, to: (Period.endDay(period) + 1) * 86_400_000 - offset }
}

type MutableLine = { -readonly [K in keyof SettlementLine]: SettlementLine[K] }

const emptyLine = (itemCode: ItemCode): MutableLine => ({
  itemCode,
  handedOver: 0,
  points: 0,
  voids: 0,
  voidedPoints: 0,
  timeouts: 0,
  timedOutPoints: 0,
  refundedPoints: 0
})

/**
 * Computes a merchant's settlement report from transfers alone: every post or void of one of its
 * redemption holds, and every reversal of one of its hand-overs, whose timestamp lies in
 * `[from, to)`. The transfers may be any superset (the merchant account's history); each is
 * counted once, by its id.
 *
 * @since 0.1.0
 * @category settlement
 */
export const settlement = (options: {
  readonly accountId: Account.AccountId
  readonly transfers: Iterable<Transfer.Transfer>
  readonly from: number
  readonly to: number
}): Settlement => {
  const byId = new Map<string, Transfer.Transfer>()
  for (const transfer of options.transfers) byId.set(transfer.id, transfer)
  const holdOf = (id: Transfer.TransferId | null): Held | null => {
    const hold = id === null ? undefined : byId.get(id)
    if (hold === undefined || !isHold(hold) || hold.creditAccountId !== options.accountId) return null
    return { hold, reservation: parseReference(hold.sourceReference)! }
  }
  const lines = new Map<string, MutableLine>()
  const lineOf = (itemCode: ItemCode) => {
    let line = lines.get(itemCode)
    if (line === undefined) {
      line = emptyLine(itemCode)
      lines.set(itemCode, line)
    }
    return line
  }
  let unmatched = 0
  for (const transfer of byId.values()) {
    if (transfer.timestamp < options.from || transfer.timestamp >= options.to) continue
    if (transfer.flags.postPending || transfer.flags.voidPending) {
      if (transfer.code !== Transfer.codes.redemption || transfer.creditAccountId !== options.accountId) continue
      const held = holdOf(transfer.pendingId)
      if (held === null) {
        unmatched += 1
        continue
      }
      const line = lineOf(held.reservation.itemCode)
      if (transfer.flags.postPending) {
        const units = parseReference(transfer.sourceReference)?.quantity
        line.handedOver += units ?? Math.round((transfer.amount * held.reservation.quantity) / held.hold.amount)
        line.points += transfer.amount
      } else if (transfer.id === Transfer.timeoutVoidId(held.hold.id)) {
        line.timeouts += 1
        line.timedOutPoints += held.hold.amount
      } else {
        line.voids += 1
        line.voidedPoints += held.hold.amount
      }
    } else if (transfer.reversesId !== null && transfer.debitAccountId === options.accountId) {
      // A reversal debiting the merchant gives back a credit to it: a hand-over, or something else.
      const original = byId.get(transfer.reversesId)
      if (original === undefined) {
        unmatched += 1
        continue
      }
      if (!original.flags.postPending || original.code !== Transfer.codes.redemption) continue
      const held = holdOf(original.pendingId)
      if (held === null) {
        unmatched += 1
        continue
      }
      lineOf(held.reservation.itemCode).refundedPoints += transfer.amount
    }
  }
  const sorted = [...lines.values()].sort((a, b) => (a.itemCode < b.itemCode ? -1 : a.itemCode > b.itemCode ? 1 : 0))
  const totals = sorted.reduce(
    (sum, line) => ({
      handedOver: sum.handedOver + line.handedOver,
      points: sum.points + line.points,
      voids: sum.voids + line.voids,
      voidedPoints: sum.voidedPoints + line.voidedPoints,
      timeouts: sum.timeouts + line.timeouts,
      timedOutPoints: sum.timedOutPoints + line.timedOutPoints,
      refundedPoints: sum.refundedPoints + line.refundedPoints
    }),
    {
      handedOver: 0,
      points: 0,
      voids: 0,
      voidedPoints: 0,
      timeouts: 0,
      timedOutPoints: 0,
      refundedPoints: 0
    }
  )
  return { accountId: options.accountId, from: options.from, to: options.to, lines: sorted, totals, unmatched }
}
