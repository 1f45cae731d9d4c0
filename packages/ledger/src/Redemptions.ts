/**
 * The redemption service: merchants and their catalogues, redemptions at the counter (a hold per
 * line, linked), hand-over (posts the holds, takes the units out of stock), cancellation (voids
 * them), stock adjustments, and the settlement report per merchant and period. The rules are
 * `Redemption`'s; this module loads, locks, posts and records.
 *
 * Each step is one write transaction: lock the item rows it reads (`RedemptionStore.lockItems`,
 * before any account), then `LedgerStore.post`, whose decide step runs the `Redemption` decision
 * on the state posting loaded (the stored holds and their resolutions) and `Posting.decide` on its
 * transfers; then the stock posting allows (`Redemption.stockAfter`), the reservations index and
 * the audit entry. A refused step writes nothing.
 *
 * Every step is idempotent by the client-chosen redemption id: the ids of its holds, posts and
 * voids derive from it, so a retry is answered `Exists` and changes no stock.
 *
 * Batches (`redeemMany`, `handOverMany`, `cancelMany`) take up to `Ledger.batchMax` steps in one
 * write transaction: one read of the items, reservations and posting state for the whole batch,
 * then each step decided in order on the state the earlier ones left (so a basket sees the stock
 * the baskets before it reserved, and the points they spent), then one multi-row write. Each step
 * gets the result it would have had alone, in that order; a step refused writes nothing of its own.
 * Input that does not decode fails the whole batch with `Invalid` naming the step's index and field,
 * and nothing is written.
 *
 * Permissions: `ledger.catalogue` (merchants, items, stock), `ledger.redeem` (redeem, hand over,
 * cancel), `ledger.settlement` (the report), `ledger.read` (the catalogue).
 *
 * @since 0.1.0
 */
import { type Actor, AuditLog, Errors, Period, Permission, Transactor } from "@sortgrid/core"
import { Clock, Data, Effect, Either, Schema } from "effect"
import type * as Account from "./Account.js"
import { appendAudit, auditDraft, chainPosted, chainResult, decode } from "./internal/programme.js"
import { batchMax, LedgerConfig } from "./Ledger.js"
import { type Cursor, LedgerStore } from "./LedgerStore.js"
import * as Lots from "./Lots.js"
import * as Posting from "./Posting.js"
import * as Redemption from "./Redemption.js"
import { type ItemKey, RedemptionStore, Reservation, StockAdjustment, StockAdjustmentId } from "./RedemptionStore.js"
import * as Transfer from "./Transfer.js"

/**
 * The permissions the redemption service checks.
 *
 * @since 0.1.0
 * @category permissions
 */
export const permissions = {
  catalogue: "ledger.catalogue",
  redeem: "ledger.redeem",
  settlement: "ledger.settlement",
  read: "ledger.read"
} as const

/**
 * A catalogue item as defined by the host. `stock` is the units on the shelf when the item is
 * first defined; later definitions leave the stock alone (change it with `adjustStock`).
 *
 * @since 0.1.0
 * @category commands
 */
export class ItemInput extends Schema.Class<ItemInput>("@sortgrid/ledger/CatalogueItemInput")({
  merchantId: Redemption.MerchantId,
  code: Redemption.ItemCode,
  name: Redemption.Name,
  pointCost: Transfer.Amount,
  stock: Schema.optionalWith(Redemption.Units, { default: () => 0 }),
  offered: Schema.optionalWith(Schema.Boolean, { default: () => true })
}) {}

/**
 * Restock or write off units of an item, once per client-chosen id.
 *
 * @since 0.1.0
 * @category commands
 */
export class AdjustStock extends Schema.Class<AdjustStock>("@sortgrid/ledger/AdjustStock")({
  id: StockAdjustmentId,
  merchantId: Redemption.MerchantId,
  itemCode: Redemption.ItemCode,
  delta: Schema.Int.pipe(Schema.between(-1_000_000_000, 1_000_000_000))
}) {}

/**
 * Cancel a redemption.
 *
 * @since 0.1.0
 * @category commands
 */
export class Cancel extends Schema.Class<Cancel>("@sortgrid/ledger/CancelRedemption")({
  redemptionId: Redemption.RedemptionId
}) {}

/**
 * A batch of redemptions (`Redemption.Redeem`), decided in order.
 *
 * @since 0.1.0
 * @category commands
 */
export const RedeemBatch = Schema.Array(Redemption.Redeem).pipe(Schema.maxItems(batchMax))

/**
 * A batch of hand-overs (`Redemption.HandOver`), decided in order.
 *
 * @since 0.1.0
 * @category commands
 */
export const HandOverBatch = Schema.Array(Redemption.HandOver).pipe(Schema.maxItems(batchMax))

/**
 * A batch of cancellations (`Cancel`), decided in order.
 *
 * @since 0.1.0
 * @category commands
 */
export const CancelBatch = Schema.Array(Cancel).pipe(Schema.maxItems(batchMax))

/**
 * Ask for a merchant's settlement report over a period (`2023-06`, `2023-W22`, `2023-06-15`…, in
 * the ledger's time zone).
 *
 * @since 0.1.0
 * @category commands
 */
export class SettlementQuery extends Schema.Class<SettlementQuery>("@sortgrid/ledger/SettlementQuery")({
  merchantId: Redemption.MerchantId,
  period: Period.PeriodFromString
}) {}

/**
 * What a redemption step came to:
 * - `Ok`: done now; `Exists`: done before by the same request (a retry), nothing changed;
 * - a `Redemption.RefusalCode`: refused by the redemption rules (`itemCode` says which line);
 * - a `Posting.TransferResult`: refused by posting (`ExceedsCredits`: the wallet cannot pay).
 * A refused step changed nothing. `outcomes` are posting's, one per transfer of the step.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepResult {
  readonly redemptionId: Redemption.RedemptionId
  readonly result: Posting.TransferResult | Redemption.RefusalCode
  readonly itemCode: Redemption.ItemCode | null
  readonly outcomes: ReadonlyArray<Posting.TransferOutcome>
}

/**
 * A merchant and its catalogue.
 *
 * @since 0.1.0
 * @category models
 */
export interface Catalogue {
  readonly merchant: Redemption.Merchant
  readonly items: ReadonlyArray<Redemption.Item>
}

/** The reservation index entries of a redemption's new holds. */
const reservationsOf = (
  redemptionId: Redemption.RedemptionId,
  holds: ReadonlyArray<Transfer.Transfer>
): ReadonlyArray<Reservation> =>
  holds.flatMap((hold) => {
    const reservation = Redemption.parseReference(hold.sourceReference)
    const deadline = Transfer.deadline(hold)
    return reservation === null || deadline === null
      ? []
      : [
          Reservation.make({
            holdId: hold.id,
            redemptionId,
            merchantId: reservation.merchantId,
            itemCode: reservation.itemCode,
            quantity: reservation.quantity,
            deadline,
            resolved: false
          })
        ]
  })

/** A refusal by the rules, carried out of the transaction (which then writes nothing). */
class Refused extends Data.TaggedError("Refused")<{ readonly refusal: Redemption.Refusal }> {}

/** The longest a redemption hold may wait (`Redemption.Redeem.timeoutSeconds`). */
const longestHoldMillis = 7 * 86_400_000
const pageSize = 10_000

const byKey = (a: ItemKey, b: ItemKey): number =>
  a.merchantId !== b.merchantId
    ? a.merchantId < b.merchantId
      ? -1
      : 1
    : a.code < b.code
      ? -1
      : a.code > b.code
        ? 1
        : 0

const sameName = (a: Redemption.Name, b: Redemption.Name): boolean => a.zh === b.zh && a.en === b.en

const keyOf = (merchantId: string, code: string): string => `${merchantId}|${code}`

/** Distinct item keys, sorted: the order item rows are locked in. */
const sortedKeys = (keys: ReadonlyArray<ItemKey>): Array<ItemKey> =>
  [...new Map(keys.map((key) => [keyOf(key.merchantId, key.code), key])).values()].sort(byKey)

/**
 * A batch's working posting state: copied once from what the store loaded, then brought forward
 * after each step (`written`) — its new transfers stored (resolving the holds they post or void,
 * adding to what they reverse), its accounts and lots replacing the loaded ones — so the next step
 * decides on what the earlier ones left.
 */
const workingState = (loaded: Posting.PostingState) => {
  const transfers = new Map(loaded.transfers)
  const resolutions = new Map(loaded.resolutions)
  const reversed = new Map(loaded.reversed)
  const accounts = new Map(loaded.accounts)
  const lots = new Map(loaded.lots)
  const state: Posting.PostingState = { ...loaded, transfers, resolutions, reversed, accounts, lots }
  const written = (plan: Posting.PostingPlan): void => {
    for (const transfer of plan.transfers) {
      transfers.set(transfer.id, transfer)
      if (transfer.pendingId !== null) resolutions.set(transfer.pendingId, transfer)
      if (transfer.reversesId !== null) {
        reversed.set(transfer.reversesId, (reversed.get(transfer.reversesId) ?? 0) + transfer.amount)
      }
    }
    for (const account of plan.accounts) accounts.set(account.id, account)
    const changed = new Map<string, Map<string, Lots.Lot>>()
    for (const lot of plan.lots) {
      let byId = changed.get(lot.accountId)
      if (byId === undefined) {
        byId = new Map((lots.get(lot.accountId) ?? []).map((stored) => [stored.id, stored]))
        changed.set(lot.accountId, byId)
      }
      byId.set(lot.id, lot)
    }
    for (const [accountId, byId] of changed) lots.set(accountId, [...byId.values()])
  }
  return { state, written }
}

/** Accumulates the plans of a batch's steps into the one plan the store writes. */
const batchPlan = () => {
  const transfers: Array<Transfer.Transfer> = []
  const accounts = new Map<string, Account.Account>()
  const lots = new Map<string, Lots.Lot>()
  const outcomes: Array<Posting.TransferOutcome> = []
  return {
    add: (plan: Posting.PostingPlan) => {
      transfers.push(...plan.transfers)
      for (const account of plan.accounts) accounts.set(account.id, account)
      for (const lot of plan.lots) lots.set(lot.id, lot)
      outcomes.push(...plan.outcomes)
    },
    plan: (): Posting.PostingPlan => ({
      transfers,
      accounts: [...accounts.values()],
      lots: [...lots.values()],
      outcomes
    })
  }
}

/**
 * Redemptions at merchants.
 *
 * @since 0.1.0
 * @category services
 */
export class Redemptions extends Effect.Service<Redemptions>()("@sortgrid/ledger/Redemptions", {
  effect: Effect.gen(function* () {
    const store = yield* RedemptionStore
    const ledger = yield* LedgerStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const ledgerConfig = yield* LedgerConfig
    const policyOf = (id: Account.LedgerId): Lots.Policy => ledgerConfig.policies.get(id) ?? Lots.neverExpires
    const allowed = (actor: Actor.Actor, permission: string) => Permission.decide(grants, actor, { permission })

    const atomically = transactor.withTransaction
    const record = appendAudit(audit)

    const refusedResult = (redemptionId: Redemption.RedemptionId) => (error: Refused) =>
      Effect.succeed<StepResult>({
        redemptionId,
        result: error.refusal._tag,
        itemCode: error.refusal.itemCode,
        outcomes: []
      })

    /**
     * Defines merchants (`[Redemption.Merchant]`): new ones are created, known ones take the new
     * kind, name and `closed`. A merchant's ledger and account never change (`Conflict`); its
     * account must be a `merchant` account of its ledger (`Invalid`).
     */
    const defineMerchants = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      ReadonlyArray<Redemption.Merchant>,
      Errors.Invalid | Errors.Forbidden | Errors.Conflict | Errors.StorageError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.catalogue)
        const merchants = yield* decode(Schema.Array(Redemption.Merchant).pipe(Schema.maxItems(1_000)), input)
        if (merchants.length === 0) return []
        return yield* atomically(
          Effect.gen(function* () {
            const stored = new Map((yield* store.merchants(merchants.map((m) => m.id))).map((m) => [m.id, m]))
            const accounts = new Map(
              (yield* ledger.accounts(merchants.map((m) => m.accountId))).map((account) => [account.id, account])
            )
            const changed: Array<Redemption.Merchant> = []
            for (const [index, merchant] of merchants.entries()) {
              const account = accounts.get(merchant.accountId)
              if (account === undefined || account.code !== "merchant" || account.ledger !== merchant.ledger) {
                return yield* Errors.Invalid.one(
                  [index, "accountId"],
                  `must be a merchant account of ledger ${merchant.ledger}`
                )
              }
              const before = stored.get(merchant.id)
              if (
                before !== undefined &&
                (before.ledger !== merchant.ledger || before.accountId !== merchant.accountId)
              ) {
                return yield* new Errors.Conflict({
                  entity: "Merchant",
                  id: merchant.id,
                  reason: "a merchant's ledger and account never change"
                })
              }
              if (
                before === undefined ||
                before.kind !== merchant.kind ||
                before.closed !== merchant.closed ||
                !sameName(before.name, merchant.name)
              ) {
                changed.push(merchant)
                stored.set(merchant.id, merchant)
              }
            }
            if (changed.length > 0) {
              yield* store.putMerchants(changed)
              yield* record([
                auditDraft(actor, "merchants.defined", changed[0]!.ledger, {
                  merchants: changed.map((m) => ({ id: m.id, accountId: m.accountId, closed: m.closed }))
                })
              ])
            }
            return merchants.map((m) => stored.get(m.id)!)
          })
        )
      })

    /**
     * Defines catalogue items (`[ItemInput]`): new items start with their `stock`; known ones take
     * the new name, price and `offered`, and keep their stock.
     */
    const defineItems = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Redemption.Item>, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.catalogue)
        const inputs = yield* decode(Schema.Array(ItemInput).pipe(Schema.maxItems(1_000)), input)
        if (inputs.length === 0) return []
        return yield* atomically(
          Effect.gen(function* () {
            const merchants = new Set((yield* store.merchants(inputs.map((i) => i.merchantId))).map((m) => m.id))
            for (const [index, item] of inputs.entries()) {
              if (!merchants.has(item.merchantId)) {
                return yield* Errors.Invalid.one([index, "merchantId"], "names no merchant defined here")
              }
            }
            const keys = inputs.map((item): ItemKey => ({ merchantId: item.merchantId, code: item.code }))
            const found = new Map(
              (yield* store.lockItems([...keys].sort(byKey))).map((item) => [`${item.merchantId}|${item.code}`, item])
            )
            const changed = new Map<string, Redemption.Item>()
            for (const item of inputs) {
              const key = `${item.merchantId}|${item.code}`
              const before = found.get(key)
              const next = Redemption.Item.make({
                merchantId: item.merchantId,
                code: item.code,
                name: item.name,
                pointCost: item.pointCost,
                stock: before?.stock ?? item.stock,
                offered: item.offered
              })
              if (
                before === undefined ||
                before.pointCost !== next.pointCost ||
                before.offered !== next.offered ||
                !sameName(before.name, next.name)
              ) {
                changed.set(key, next)
              }
              found.set(key, next)
            }
            if (changed.size > 0) {
              yield* store.putItems([...changed.values()])
              yield* record([
                auditDraft(actor, "catalogue.defined", inputs[0]!.merchantId, {
                  items: [...changed.values()].map((i) => ({
                    merchantId: i.merchantId,
                    code: i.code,
                    pointCost: i.pointCost,
                    offered: i.offered
                  }))
                })
              ])
            }
            return inputs.map((item) => found.get(`${item.merchantId}|${item.code}`)!)
          })
        )
      })

    /** The hold transfers of the open reservations of some items (what they reserve now). */
    const openHoldsOf = (items: ReadonlyArray<ItemKey>, now: number) =>
      Effect.flatMap(store.openReservations({ items, now }), (reservations) =>
        reservations.length === 0 ? Effect.succeed([]) : ledger.transfers(reservations.map((r) => r.holdId))
      )

    /**
     * Restocks or writes off units (`AdjustStock`), once per id: a retry returns the item as it is,
     * the same id with other content is a `Conflict`. Refused (`Invalid`, `delta`) when it would
     * leave fewer units than open redemptions reserve.
     */
    const adjustStock = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      Redemption.Item,
      Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.Conflict | Errors.StorageError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.catalogue)
        const command = yield* decode(AdjustStock, input)
        const now = yield* Clock.currentTimeMillis
        return yield* atomically(
          Effect.gen(function* () {
            const key: ItemKey = { merchantId: command.merchantId, code: command.itemCode }
            const [item] = yield* store.lockItems([key])
            if (item === undefined) {
              return yield* new Errors.NotFound({ entity: "CatalogueItem", id: `${key.merchantId}/${key.code}` })
            }
            const [stored] = yield* store.stockAdjustments([command.id])
            if (stored !== undefined) {
              if (
                stored.merchantId === command.merchantId &&
                stored.itemCode === command.itemCode &&
                stored.delta === command.delta
              ) {
                return item
              }
              return yield* new Errors.Conflict({
                entity: "StockAdjustment",
                id: command.id,
                reason: "the id was already used with different content"
              })
            }
            const reserved = Redemption.reservedUnits(yield* openHoldsOf([key], now), command.merchantId, now)
            const adjusted = Redemption.adjustStock(item, command.delta, reserved.get(item.code) ?? 0)
            if (Either.isLeft(adjusted)) {
              return yield* Errors.Invalid.one(
                "delta",
                `${adjusted.left._tag}: would leave fewer units than open redemptions reserve`
              )
            }
            yield* store.putItems([adjusted.right])
            yield* store.addStockAdjustment(
              StockAdjustment.make({
                id: command.id,
                merchantId: command.merchantId,
                itemCode: command.itemCode,
                delta: command.delta,
                timestamp: now
              })
            )
            yield* record([
              auditDraft(actor, "stock.adjusted", command.merchantId, {
                id: command.id,
                itemCode: command.itemCode,
                delta: command.delta,
                stock: adjusted.right.stock
              })
            ])
            return adjusted.right
          })
        )
      })

    /**
     * Reserves a basket at the counter (`Redemption.Redeem`): one hold per line, linked, from the
     * wallet to the merchant, timing out after `timeoutSeconds`.
     */
    const redeem = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<StepResult, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.redeem)
        const request = yield* decode(Redemption.Redeem, input)
        const now = yield* Clock.currentTimeMillis
        const holdIds = request.lines.map((line) => Redemption.holdId(request.id, line.itemCode))
        return yield* atomically(
          Effect.gen(function* () {
            const keys = [...new Set(request.lines.map((line) => line.itemCode))].map(
              (code): ItemKey => ({ merchantId: request.merchantId, code })
            )
            const items = new Map((yield* store.lockItems(keys.sort(byKey))).map((item) => [item.code, item]))
            const [merchant] = yield* store.merchants([request.merchantId])
            const openHolds = yield* openHoldsOf(keys, now)
            const decided = yield* ledger.post(
              {
                accountIds: [request.walletAccountId, ...(merchant === undefined ? [] : [merchant.accountId])],
                transferIds: holdIds,
                referencedIds: []
              },
              (state) => {
                const stored = new Map<string, Transfer.Transfer>()
                for (const id of holdIds) {
                  const hold = state.transfers.get(id)
                  if (hold !== undefined) stored.set(id, hold)
                }
                const plan = Redemption.redeem({ merchant, items, openHolds, stored }, request, now)
                if (Either.isLeft(plan)) return Either.left(new Refused({ refusal: plan.left }))
                return Either.right(Posting.decide(state, plan.right.transfers, { timestamp: now, policyOf: policyOf }))
              }
            )
            const created = decided.transfers.filter((transfer) => transfer.flags.pending)
            if (created.length > 0) {
              yield* store.addReservations(reservationsOf(request.id, created))
              yield* record([
                auditDraft(actor, "redemption.held", request.merchantId, {
                  redemptionId: request.id,
                  walletAccountId: request.walletAccountId,
                  ids: created.map((hold) => hold.id),
                  points: created.reduce((sum, hold) => sum + hold.amount, 0)
                })
              ])
            }
            return {
              redemptionId: request.id,
              result: chainResult(decided.outcomes),
              itemCode: null,
              outcomes: decided.outcomes
            } satisfies StepResult
          })
        ).pipe(Effect.catchTag("Refused", refusedResult(request.id)))
      })

    /** Resolves a redemption's holds: hand-over (posts, takes stock) or cancel (voids). */
    const resolve = (
      actor: Actor.Actor,
      redemptionId: Redemption.RedemptionId,
      kind: "handOver" | "cancel",
      decideStep: (state: Redemption.ResolveState, now: number) => Either.Either<Redemption.Plan, Redemption.Refusal>
    ): Effect.Effect<StepResult, Errors.StorageError> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        return yield* atomically(
          Effect.gen(function* () {
            const reservations = yield* store.reservationsOf(redemptionId)
            if (reservations.length === 0) {
              return yield* new Refused({ refusal: { _tag: "RedemptionNotFound", itemCode: null } })
            }
            const keys = reservations.map((r): ItemKey => ({ merchantId: r.merchantId, code: r.itemCode })).sort(byKey)
            const items = new Map((yield* store.lockItems(keys)).map((item) => [item.code, item]))
            const holdIds = reservations.map((r) => r.holdId)
            const derivedIds = holdIds.flatMap((id) => [
              Redemption.handOverId(id),
              Redemption.cancelId(id),
              Transfer.timeoutVoidId(id)
            ])
            const decided = yield* ledger.post(
              { accountIds: [], transferIds: derivedIds, referencedIds: holdIds },
              (state) => {
                const holds = holdIds.flatMap((id) => {
                  const hold = state.transfers.get(id)
                  return hold === undefined ? [] : [hold]
                })
                const plan = decideStep({ holds, resolutions: state.resolutions, items }, now)
                if (Either.isLeft(plan)) return Either.left(new Refused({ refusal: plan.left }))
                const posting = Posting.decide(state, plan.right.transfers, { timestamp: now, policyOf })
                return Either.right({ ...posting, stock: Redemption.stockAfter(plan.right, posting.outcomes) })
              }
            )
            if (decided.stock.length > 0) yield* store.putItems(decided.stock)
            if (chainPosted(decided.outcomes)) yield* store.resolveReservations(holdIds)
            if (decided.transfers.length > 0) {
              yield* record([
                auditDraft(
                  actor,
                  kind === "handOver" ? "redemption.handedOver" : "redemption.cancelled",
                  redemptionId,
                  {
                    redemptionId,
                    ids: decided.transfers.map((transfer) => transfer.id),
                    stock: decided.stock.map((item) => ({ code: item.code, stock: item.stock }))
                  }
                )
              ])
            }
            return {
              redemptionId,
              result: chainResult(decided.outcomes),
              itemCode: null,
              outcomes: decided.outcomes
            } satisfies StepResult
          })
        ).pipe(Effect.catchTag("Refused", refusedResult(redemptionId)))
      })

    /**
     * Hands a redemption over (`Redemption.HandOver`): posts each line for what was handed over
     * (the rest is released) and takes the units out of stock.
     */
    const handOver = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<StepResult, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.redeem)
        const request = yield* decode(Redemption.HandOver, input)
        return yield* resolve(actor, request.redemptionId, "handOver", (state, now) =>
          Redemption.handOver(state, request, now)
        )
      })

    /** Cancels a redemption (`{ redemptionId }`): voids its holds; nothing leaves stock. */
    const cancel = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<StepResult, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.redeem)
        const request = yield* decode(Cancel, input)
        return yield* resolve(actor, request.redemptionId, "cancel", (state, now) =>
          Redemption.cancel(state, request.redemptionId, now)
        )
      })

    /**
     * Reserves baskets at the counter (`[Redemption.Redeem]`) in one transaction, each decided as
     * `redeem` would decide it after the ones before it: one `StepResult` per basket, in order.
     */
    const redeemMany = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<StepResult>, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.redeem)
        const requests = yield* decode(RedeemBatch, input)
        if (requests.length === 0) return []
        const now = yield* Clock.currentTimeMillis
        const holdIds = requests.map((request) =>
          request.lines.map((line) => Redemption.holdId(request.id, line.itemCode))
        )
        return yield* atomically(
          Effect.gen(function* () {
            const keys = sortedKeys(
              requests.flatMap((request) =>
                request.lines.map((line): ItemKey => ({ merchantId: request.merchantId, code: line.itemCode }))
              )
            )
            const items = new Map<string, Map<string, Redemption.Item>>()
            for (const item of yield* store.lockItems(keys)) {
              const ofMerchant = items.get(item.merchantId) ?? new Map<string, Redemption.Item>()
              ofMerchant.set(item.code, item)
              items.set(item.merchantId, ofMerchant)
            }
            const merchants = new Map(
              (yield* store.merchants([...new Set(requests.map((r) => r.merchantId))])).map((m) => [m.id, m])
            )
            // What is reserved, by merchant: the stored open holds, then the batch's own as they are made.
            const openHolds = new Map<Redemption.MerchantId, Array<Transfer.Transfer>>()
            for (const hold of yield* openHoldsOf(keys, now)) {
              const merchantId = Redemption.parseReference(hold.sourceReference)?.merchantId
              if (merchantId === undefined) continue
              const holds = openHolds.get(merchantId) ?? []
              holds.push(hold)
              openHolds.set(merchantId, holds)
            }
            const wallets = [...new Set(requests.map((r) => r.walletAccountId))]
            const decided = yield* ledger.post(
              {
                accountIds: [...wallets, ...[...merchants.values()].map((m) => m.accountId)],
                transferIds: holdIds.flat(),
                referencedIds: [],
                lotAccountIds: wallets
              },
              (state) => {
                const working = workingState(state)
                const batch = batchPlan()
                // The units reserved per merchant and item: the stored open holds', then each new basket's.
                const reserved = new Map(
                  [...openHolds].map(([merchantId, holds]) => [
                    merchantId,
                    new Map(Redemption.reservedUnits(holds, merchantId, now))
                  ])
                )
                const results: Array<StepResult> = []
                const drafts: Array<ReturnType<typeof auditDraft>> = []
                const reservations: Array<Reservation> = []
                for (const [index, request] of requests.entries()) {
                  const stored = new Map<string, Transfer.Transfer>()
                  for (const id of holdIds[index]!) {
                    const hold = working.state.transfers.get(id)
                    if (hold !== undefined) stored.set(id, hold)
                  }
                  const plan = Redemption.redeem(
                    {
                      merchant: merchants.get(request.merchantId),
                      items: items.get(request.merchantId) ?? new Map(),
                      openHolds: [],
                      stored,
                      reserved: reserved.get(request.merchantId) ?? new Map()
                    },
                    request,
                    now
                  )
                  if (Either.isLeft(plan)) {
                    results.push({
                      redemptionId: request.id,
                      result: plan.left._tag,
                      itemCode: plan.left.itemCode,
                      outcomes: []
                    })
                    continue
                  }
                  const posting = Posting.decide(working.state, plan.right.transfers, { timestamp: now, policyOf })
                  working.written(posting)
                  batch.add(posting)
                  results.push({
                    redemptionId: request.id,
                    result: chainResult(posting.outcomes),
                    itemCode: null,
                    outcomes: posting.outcomes
                  })
                  const created = posting.transfers.filter((transfer) => transfer.flags.pending)
                  if (created.length === 0) continue
                  const tally = reserved.get(request.merchantId) ?? new Map<string, number>()
                  for (const [code, units] of Redemption.reservedUnits(created, request.merchantId, now)) {
                    tally.set(code, (tally.get(code) ?? 0) + units)
                  }
                  reserved.set(request.merchantId, tally)
                  reservations.push(...reservationsOf(request.id, created))
                  drafts.push(
                    auditDraft(actor, "redemption.held", request.merchantId, {
                      redemptionId: request.id,
                      walletAccountId: request.walletAccountId,
                      ids: created.map((hold) => hold.id),
                      points: created.reduce((sum, hold) => sum + hold.amount, 0)
                    })
                  )
                }
                return Either.right({ ...batch.plan(), results, drafts, reservations })
              }
            )
            if (decided.reservations.length > 0) yield* store.addReservations(decided.reservations)
            if (decided.drafts.length > 0) yield* record(decided.drafts)
            return decided.results
          })
        )
      })

    /**
     * Resolves redemptions in one transaction (hand-overs or cancellations), each decided as
     * `resolve` would decide it after the ones before it.
     */
    const resolveMany = (
      actor: Actor.Actor,
      steps: ReadonlyArray<{
        readonly redemptionId: Redemption.RedemptionId
        readonly kind: "handOver" | "cancel"
        readonly decide: (
          state: Redemption.ResolveState,
          now: number
        ) => Either.Either<Redemption.Plan, Redemption.Refusal>
      }>
    ): Effect.Effect<ReadonlyArray<StepResult>, Errors.StorageError> =>
      Effect.gen(function* () {
        if (steps.length === 0) return []
        const now = yield* Clock.currentTimeMillis
        return yield* atomically(
          Effect.gen(function* () {
            const stored = yield* store.reservationsOfRedemptions(steps.map((step) => step.redemptionId))
            const byRedemption = new Map<string, Array<Reservation>>()
            for (const reservation of stored) {
              byRedemption.set(reservation.redemptionId, [
                ...(byRedemption.get(reservation.redemptionId) ?? []),
                reservation
              ])
            }
            const keys = sortedKeys(stored.map((r): ItemKey => ({ merchantId: r.merchantId, code: r.itemCode })))
            const items = new Map(
              (yield* store.lockItems(keys)).map((item) => [keyOf(item.merchantId, item.code), item])
            )
            const holdIds = stored.map((r) => r.holdId)
            const decided = yield* ledger.post(
              {
                accountIds: [],
                transferIds: holdIds.flatMap((id) => [
                  Redemption.handOverId(id),
                  Redemption.cancelId(id),
                  Transfer.timeoutVoidId(id)
                ]),
                referencedIds: holdIds
              },
              (state) => {
                const working = workingState(state)
                const batch = batchPlan()
                const shelf = new Map(items)
                const results: Array<StepResult> = []
                const drafts: Array<ReturnType<typeof auditDraft>> = []
                const resolved: Array<Transfer.TransferId> = []
                const stock = new Map<string, Redemption.Item>()
                for (const step of steps) {
                  const own = byRedemption.get(step.redemptionId) ?? []
                  const refused = (refusal: Redemption.Refusal) =>
                    results.push({
                      redemptionId: step.redemptionId,
                      result: refusal._tag,
                      itemCode: refusal.itemCode,
                      outcomes: []
                    })
                  if (own.length === 0) {
                    refused({ _tag: "RedemptionNotFound", itemCode: null })
                    continue
                  }
                  const holds = own.flatMap((r) => {
                    const hold = working.state.transfers.get(r.holdId)
                    return hold === undefined ? [] : [hold]
                  })
                  const itemsByCode = new Map<string, Redemption.Item>()
                  for (const r of own) {
                    const item = shelf.get(keyOf(r.merchantId, r.itemCode))
                    if (item !== undefined) itemsByCode.set(item.code, item)
                  }
                  const plan = step.decide({ holds, resolutions: working.state.resolutions, items: itemsByCode }, now)
                  if (Either.isLeft(plan)) {
                    refused(plan.left)
                    continue
                  }
                  const posting = Posting.decide(working.state, plan.right.transfers, { timestamp: now, policyOf })
                  const after = Redemption.stockAfter(plan.right, posting.outcomes)
                  for (const item of after) {
                    shelf.set(keyOf(item.merchantId, item.code), item)
                    stock.set(keyOf(item.merchantId, item.code), item)
                  }
                  working.written(posting)
                  batch.add(posting)
                  if (chainPosted(posting.outcomes)) resolved.push(...own.map((r) => r.holdId))
                  if (posting.transfers.length > 0) {
                    drafts.push(
                      auditDraft(
                        actor,
                        step.kind === "handOver" ? "redemption.handedOver" : "redemption.cancelled",
                        step.redemptionId,
                        {
                          redemptionId: step.redemptionId,
                          ids: posting.transfers.map((transfer) => transfer.id),
                          stock: after.map((item) => ({ code: item.code, stock: item.stock }))
                        }
                      )
                    )
                  }
                  results.push({
                    redemptionId: step.redemptionId,
                    result: chainResult(posting.outcomes),
                    itemCode: null,
                    outcomes: posting.outcomes
                  })
                }
                return Either.right({ ...batch.plan(), results, drafts, resolved, stock: [...stock.values()] })
              }
            )
            if (decided.stock.length > 0) yield* store.putItems(decided.stock)
            if (decided.resolved.length > 0) yield* store.resolveReservations(decided.resolved)
            if (decided.drafts.length > 0) yield* record(decided.drafts)
            return decided.results
          })
        )
      })

    /**
     * Hands redemptions over (`[Redemption.HandOver]`) in one transaction: one `StepResult` per
     * hand-over, in order.
     */
    const handOverMany = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<StepResult>, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.redeem)
        const requests = yield* decode(HandOverBatch, input)
        return yield* resolveMany(
          actor,
          requests.map((request) => ({
            redemptionId: request.redemptionId,
            kind: "handOver" as const,
            decide: (state: Redemption.ResolveState, now: number) => Redemption.handOver(state, request, now)
          }))
        )
      })

    /**
     * Cancels redemptions (`[{ redemptionId }]`) in one transaction: one `StepResult` per
     * cancellation, in order.
     */
    const cancelMany = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<StepResult>, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.redeem)
        const requests = yield* decode(CancelBatch, input)
        return yield* resolveMany(
          actor,
          requests.map((request) => ({
            redemptionId: request.redemptionId,
            kind: "cancel" as const,
            decide: (state: Redemption.ResolveState, now: number) => Redemption.cancel(state, request.redemptionId, now)
          }))
        )
      })

    /** A merchant and its items, in code order. */
    const catalogue = (
      actor: Actor.Actor,
      merchantId: Redemption.MerchantId
    ): Effect.Effect<Catalogue, Errors.Forbidden | Errors.NotFound | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const [merchant] = yield* store.merchants([merchantId])
        if (merchant === undefined) return yield* new Errors.NotFound({ entity: "Merchant", id: merchantId })
        return { merchant, items: yield* store.items(merchantId) }
      })

    /**
     * A merchant's settlement report for a period (`{ merchantId, period }`), in the time zone of
     * the ledger's lot policy: computed from the merchant account's transfers alone, with the holds
     * and hand-overs they refer to fetched when older than the period.
     */
    const settlement = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      Redemption.Settlement,
      Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.StorageError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.settlement)
        const query = yield* decode(SettlementQuery, input)
        const [merchant] = yield* store.merchants([query.merchantId])
        if (merchant === undefined) return yield* new Errors.NotFound({ entity: "Merchant", id: query.merchantId })
        const { from, to } = Redemption.periodBounds(query.period, policyOf(merchant.ledger).utcOffsetMinutes)
        const transfers = new Map<string, Transfer.Transfer>()
        // Start early enough to see the holds the period's hand-overs and voids resolve.
        let after: Cursor | undefined = {
          timestamp: Math.max(0, from - longestHoldMillis) - 1,
          id: Transfer.TransferId.make("~", { disableValidation: true })
        }
        while (true) {
          const page: ReadonlyArray<Transfer.Transfer> = yield* ledger.history({
            accountId: merchant.accountId,
            after,
            until: to - 1,
            limit: pageSize
          })
          for (const transfer of page) transfers.set(transfer.id, transfer)
          const last = page.at(-1)
          if (last === undefined || page.length < pageSize) break
          after = last
        }
        // Reversals may refund hand-overs (and hand-overs resolve holds) older than that: fetch them.
        for (let round = 0; round < 2; round++) {
          const missing = new Set<Transfer.TransferId>()
          for (const transfer of transfers.values()) {
            for (const id of [transfer.pendingId, transfer.reversesId]) {
              if (id !== null && !transfers.has(id)) missing.add(id)
            }
          }
          if (missing.size === 0) break
          for (const transfer of yield* ledger.transfers([...missing])) transfers.set(transfer.id, transfer)
        }
        return Redemption.settlement({ accountId: merchant.accountId, transfers: transfers.values(), from, to })
      })

    return {
      defineMerchants,
      defineItems,
      adjustStock,
      redeem,
      redeemMany,
      handOver,
      handOverMany,
      cancel,
      cancelMany,
      catalogue,
      settlement
    } as const
  })
}) {}
