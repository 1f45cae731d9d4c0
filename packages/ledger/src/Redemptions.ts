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
 * Permissions: `ledger.catalogue` (merchants, items, stock), `ledger.redeem` (redeem, hand over,
 * cancel), `ledger.settlement` (the report), `ledger.read` (the catalogue).
 *
 * @since 0.1.0
 */
import { type Actor, AuditLog, Errors, Period, Permission, Transactor } from "@sortgrid/core"
import { Clock, Data, Effect, Either, Schema } from "effect"
import type * as Account from "./Account.js"
import { appendAudit, auditDraft, chainPosted, chainResult, decode } from "./internal/programme.js"
import { LedgerConfig } from "./Ledger.js"
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
              yield* store.addReservations(
                created.flatMap((hold) => {
                  const reservation = Redemption.parseReference(hold.sourceReference)
                  const deadline = Transfer.deadline(hold)
                  return reservation === null || deadline === null
                    ? []
                    : [
                        Reservation.make({
                          holdId: hold.id,
                          redemptionId: request.id,
                          merchantId: reservation.merchantId,
                          itemCode: reservation.itemCode,
                          quantity: reservation.quantity,
                          deadline,
                          resolved: false
                        })
                      ]
                })
              )
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

    return { defineMerchants, defineItems, adjustStock, redeem, handOver, cancel, catalogue, settlement } as const
  })
}) {}
