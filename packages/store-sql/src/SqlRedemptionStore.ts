/**
 * The redemption port over `SqlClient`: `programme_merchant`, `programme_item`,
 * `programme_reservation` and `programme_stock_adjustment` (migration 13). Merchants and items keep
 * their JSON body; an item's stock is its own column (checked never negative), which is what
 * counts. `lockItems` takes the item rows with `SELECT … ORDER BY merchant_id, code FOR UPDATE` on
 * PostgreSQL and MySQL, before the ledger locks any account (see `RedemptionStore`); SQLite's
 * `BEGIN IMMEDIATE` already serialises writers.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as Redemption from "@sortgrid/ledger/Redemption"
import { type ItemKey, RedemptionStore, Reservation, StockAdjustment } from "@sortgrid/ledger/RedemptionStore"
import { Effect, Layer, Schema } from "effect"
import { chunksOf, toStorageError } from "./internal/errors.js"
import { anyOf, Int, readRows } from "./internal/query.js"

const MerchantBody = Schema.parseJson(Redemption.Merchant)
const ItemBody = Schema.parseJson(Redemption.Item)
const MerchantRows = Schema.Array(Schema.Struct({ body: MerchantBody }))
const ItemRows = Schema.Array(Schema.Struct({ stock: Int, body: ItemBody }))
const ReservationRows = Schema.Array(
  Schema.Struct({
    hold_id: Schema.String,
    redemption_id: Schema.String,
    merchant_id: Schema.String,
    item_code: Schema.String,
    quantity: Int,
    deadline: Int,
    resolved: Int
  })
)
const AdjustmentRows = Schema.Array(
  Schema.Struct({ id: Schema.String, merchant_id: Schema.String, item_code: Schema.String, delta: Int, at: Int })
)

const decodeItems = (rows: ReadonlyArray<unknown>) =>
  Effect.map(Schema.decodeUnknown(ItemRows)(rows), (decoded) =>
    decoded.map((row) => new Redemption.Item({ ...row.body, stock: row.stock }, { disableValidation: true }))
  )

const decodeReservations = (rows: ReadonlyArray<unknown>) =>
  Effect.flatMap(Schema.decodeUnknown(ReservationRows)(rows), (decoded) =>
    Schema.decodeUnknown(Schema.Array(Reservation))(
      decoded.map((row) => ({
        holdId: row.hold_id,
        redemptionId: row.redemption_id,
        merchantId: row.merchant_id,
        itemCode: row.item_code,
        quantity: row.quantity,
        deadline: row.deadline,
        resolved: row.resolved !== 0
      }))
    )
  )

const decodeAdjustments = (rows: ReadonlyArray<unknown>) =>
  Effect.flatMap(Schema.decodeUnknown(AdjustmentRows)(rows), (decoded) =>
    Schema.decodeUnknown(Schema.Array(StockAdjustment))(
      decoded.map((row) => ({
        id: row.id,
        merchantId: row.merchant_id,
        itemCode: row.item_code,
        delta: row.delta,
        timestamp: row.at
      }))
    )
  )

/**
 * `RedemptionStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RedemptionStore, never, SqlClient.SqlClient> = Layer.effect(
  RedemptionStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
    const isMysql = sql.onDialectOrElse({ mysql: () => true, orElse: () => false })
    const encodeJson =
      <A, I>(schema: Schema.Schema<A, I>, operation: string) =>
      (value: A) =>
        Effect.mapError(
          Schema.encode(Schema.parseJson(schema))(value),
          (error) => new Errors.StorageError({ operation, reason: error.message })
        )

    /** `(merchant_id, item_code)` is one of the keys, all bound as one parameter. */
    const isItem = (merchantColumn: string, codeColumn: string, keys: ReadonlyArray<ItemKey>) =>
      isMysql
        ? sql`(${sql(merchantColumn)}, ${sql(codeColumn)}) IN (SELECT k.merchant_id, k.code
              FROM JSON_TABLE(${JSON.stringify(keys.map((k) => [k.merchantId, k.code]))}, '$[*]' COLUMNS (
                merchant_id VARCHAR(255) CHARACTER SET utf8mb4 PATH '$[0]',
                code VARCHAR(255) CHARACTER SET utf8mb4 PATH '$[1]')) AS k)`
        : isPg
          ? sql`(${sql(merchantColumn)}, ${sql(codeColumn)}) IN (SELECT * FROM unnest(
              ${keys.map((k) => k.merchantId)}::text[], ${keys.map((k) => k.code)}::text[]))`
          : sql`(${sql(merchantColumn)}, ${sql(codeColumn)}) IN (SELECT json_extract(value, '$[0]'),
              json_extract(value, '$[1]') FROM json_each(${JSON.stringify(keys.map((k) => [k.merchantId, k.code]))}))`

    return RedemptionStore.of({
      merchants: (ids) =>
        ids.length === 0
          ? Effect.succeed([])
          : sql`SELECT body FROM programme_merchant WHERE ${isAnyOf("id", [...new Set(ids)])}`.pipe(
              readRows("read merchants", Schema.decodeUnknown(MerchantRows)),
              Effect.map((rows) => rows.map((row) => row.body))
            ),
      putMerchants: (merchants) =>
        Effect.forEach(
          merchants,
          (merchant) =>
            Effect.flatMap(encodeJson(Redemption.Merchant, "save merchants")(merchant), (body) =>
              (isMysql
                ? sql`INSERT INTO programme_merchant (id, ledger, account_id, body)
                  VALUES (${merchant.id}, ${merchant.ledger}, ${merchant.accountId}, ${body})
                  ON DUPLICATE KEY UPDATE ledger = VALUES(ledger), account_id = VALUES(account_id), body = VALUES(body)`
                : sql`INSERT INTO programme_merchant (id, ledger, account_id, body)
                  VALUES (${merchant.id}, ${merchant.ledger}, ${merchant.accountId}, ${body})
                  ON CONFLICT (id) DO UPDATE SET ledger = excluded.ledger, account_id = excluded.account_id,
                  body = excluded.body`
              ).pipe(Effect.mapError(toStorageError("save merchants")))
            ),
          { discard: true }
        ),
      items: (merchantId) =>
        sql`SELECT stock, body FROM programme_item WHERE merchant_id = ${merchantId} ORDER BY code`.pipe(
          readRows("read catalogue", decodeItems)
        ),
      lockItems: (keys) =>
        keys.length === 0
          ? Effect.succeed([])
          : sql`SELECT stock, body FROM programme_item WHERE ${isItem("merchant_id", "code", keys)}
                ORDER BY merchant_id, code ${sql.literal(isPg || isMysql ? "FOR UPDATE" : "")}`.pipe(
              readRows("lock items", decodeItems)
            ),
      putItems: (items) =>
        items.length === 0
          ? Effect.void
          : Effect.forEach(items, (item) =>
              Effect.map(encodeJson(Redemption.Item, "save items")(item), (body) => ({
                merchant_id: item.merchantId,
                code: item.code,
                stock: item.stock,
                body
              }))
            ).pipe(
              // One row per item key: a batch that names an item twice writes its last state.
              Effect.map((rows) => [...new Map(rows.map((row) => [`${row.merchant_id}|${row.code}`, row])).values()]),
              Effect.flatMap((rows) =>
                Effect.forEach(
                  chunksOf(rows, 500),
                  (chunk) =>
                    (isMysql
                      ? sql`INSERT INTO programme_item ${sql.insert(chunk)}
                        ON DUPLICATE KEY UPDATE stock = VALUES(stock), body = VALUES(body)`
                      : sql`INSERT INTO programme_item ${sql.insert(chunk)}
                        ON CONFLICT (merchant_id, code) DO UPDATE SET stock = excluded.stock, body = excluded.body`
                    ).pipe(Effect.mapError(toStorageError("save items"))),
                  { discard: true }
                )
              )
            ),
      openReservations: ({ items, now }) =>
        items.length === 0
          ? Effect.succeed([])
          : sql`SELECT hold_id, redemption_id, merchant_id, item_code, quantity, deadline, resolved
                FROM programme_reservation
                WHERE resolved = 0 AND deadline > ${now} AND ${isItem("merchant_id", "item_code", items)}`.pipe(
              readRows("open reservations", decodeReservations)
            ),
      reservationsOf: (redemptionId) =>
        sql`SELECT hold_id, redemption_id, merchant_id, item_code, quantity, deadline, resolved
            FROM programme_reservation WHERE redemption_id = ${redemptionId} ORDER BY hold_id`.pipe(
          readRows("reservations of redemption", decodeReservations)
        ),
      reservationsOfRedemptions: (redemptionIds) =>
        redemptionIds.length === 0
          ? Effect.succeed([])
          : sql`SELECT hold_id, redemption_id, merchant_id, item_code, quantity, deadline, resolved
                FROM programme_reservation WHERE ${isAnyOf("redemption_id", [...new Set(redemptionIds)])}
                ORDER BY hold_id`.pipe(readRows("reservations of redemptions", decodeReservations)),
      addReservations: (reservations) =>
        reservations.length === 0
          ? Effect.void
          : Effect.suspend(() => {
              const rows = sql.insert(
                reservations.map((r) => ({
                  hold_id: r.holdId,
                  redemption_id: r.redemptionId,
                  merchant_id: r.merchantId,
                  item_code: r.itemCode,
                  quantity: r.quantity,
                  deadline: r.deadline,
                  resolved: r.resolved ? 1 : 0
                }))
              )
              // An existing hold is kept as it is: MySQL's form of DO NOTHING.
              return isMysql
                ? sql`INSERT INTO programme_reservation ${rows} ON DUPLICATE KEY UPDATE hold_id = hold_id`
                : sql`INSERT INTO programme_reservation ${rows} ON CONFLICT (hold_id) DO NOTHING`
            }).pipe(Effect.asVoid, Effect.mapError(toStorageError("add reservations"))),
      resolveReservations: (holdIds) =>
        holdIds.length === 0
          ? Effect.void
          : sql`UPDATE programme_reservation SET resolved = 1 WHERE ${isAnyOf("hold_id", holdIds)}`.pipe(
              Effect.asVoid,
              Effect.mapError(toStorageError("resolve reservations"))
            ),
      stockAdjustments: (ids) =>
        ids.length === 0
          ? Effect.succeed([])
          : sql`SELECT id, merchant_id, item_code, delta, at FROM programme_stock_adjustment
                WHERE ${isAnyOf("id", ids)}`.pipe(readRows("read stock adjustments", decodeAdjustments)),
      addStockAdjustment: (adjustment) =>
        sql`INSERT INTO programme_stock_adjustment (id, merchant_id, item_code, delta, at)
            VALUES (${adjustment.id}, ${adjustment.merchantId}, ${adjustment.itemCode}, ${adjustment.delta},
              ${adjustment.timestamp})`.pipe(Effect.asVoid, Effect.mapError(toStorageError("add stock adjustment")))
    })
  })
)
