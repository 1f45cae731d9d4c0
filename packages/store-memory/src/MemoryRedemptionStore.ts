/**
 * The redemption port in memory: merchants, items, reservations and stock adjustments in one
 * `MemoryDatabase` table. The database's single lock serialises transactions, so locking an item
 * is only reading it.
 *
 * @since 0.1.0
 */
import type * as Redemption from "@sortgrid/ledger/Redemption"
import { RedemptionStore, type Reservation, type StockAdjustment } from "@sortgrid/ledger/RedemptionStore"
import { Effect, HashMap, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface Tables {
  readonly merchants: HashMap.HashMap<string, Redemption.Merchant>
  /** By `merchant id|item code`. */
  readonly items: HashMap.HashMap<string, Redemption.Item>
  /** By hold id. */
  readonly reservations: HashMap.HashMap<string, Reservation>
  /** Hold ids by redemption id. */
  readonly byRedemption: HashMap.HashMap<string, ReadonlyArray<string>>
  readonly adjustments: HashMap.HashMap<string, StockAdjustment>
}

const itemKey = (merchantId: string, code: string): string => `${merchantId}|${code}`

const byCode = (a: Redemption.Item, b: Redemption.Item): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)

/**
 * `RedemptionStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RedemptionStore, never, MemoryDatabase> = Layer.effect(
  RedemptionStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({
      merchants: HashMap.empty(),
      items: HashMap.empty(),
      reservations: HashMap.empty(),
      byRedemption: HashMap.empty(),
      adjustments: HashMap.empty()
    })
    const read = <A>(f: (tables: Tables) => A) => Effect.map(Ref.get(table), f)
    const pick = <V>(map: HashMap.HashMap<string, V>, keys: Iterable<string>): Array<V> =>
      [...new Set(keys)].flatMap((key) => Option.toArray(HashMap.get(map, key)))

    return RedemptionStore.of({
      merchants: (ids) => read((tables) => pick(tables.merchants, ids)),
      putMerchants: (merchants) =>
        Ref.update(table, (tables) => ({
          ...tables,
          merchants: HashMap.mutate(tables.merchants, (map) => {
            for (const merchant of merchants) HashMap.set(map, merchant.id, merchant)
          })
        })),
      items: (merchantId) =>
        read((tables) =>
          [...HashMap.values(tables.items)].filter((item) => item.merchantId === merchantId).sort(byCode)
        ),
      lockItems: (keys) =>
        read((tables) =>
          pick(
            tables.items,
            keys.map((key) => itemKey(key.merchantId, key.code))
          )
        ),
      putItems: (items) =>
        Ref.update(table, (tables) => ({
          ...tables,
          items: HashMap.mutate(tables.items, (map) => {
            for (const item of items) HashMap.set(map, itemKey(item.merchantId, item.code), item)
          })
        })),
      openReservations: ({ items, now }) =>
        read((tables) => {
          const wanted = new Set(items.map((key) => itemKey(key.merchantId, key.code)))
          return [...HashMap.values(tables.reservations)].filter(
            (r) => !r.resolved && r.deadline > now && wanted.has(itemKey(r.merchantId, r.itemCode))
          )
        }),
      reservationsOf: (redemptionId) =>
        read((tables) =>
          pick(
            tables.reservations,
            Option.getOrElse(HashMap.get(tables.byRedemption, redemptionId), () => [])
          )
        ),
      reservationsOfRedemptions: (redemptionIds) =>
        read((tables) =>
          pick(
            tables.reservations,
            [...new Set(redemptionIds)].flatMap((id) =>
              Option.getOrElse(HashMap.get(tables.byRedemption, id), (): ReadonlyArray<string> => [])
            )
          ).sort((a, b) => (a.holdId < b.holdId ? -1 : a.holdId > b.holdId ? 1 : 0))
        ),
      addReservations: (reservations) =>
        Ref.update(table, (tables) => {
          const fresh = reservations.filter((r) => !HashMap.has(tables.reservations, r.holdId))
          return {
            ...tables,
            reservations: HashMap.mutate(tables.reservations, (map) => {
              for (const r of fresh) HashMap.set(map, r.holdId, r)
            }),
            byRedemption: HashMap.mutate(tables.byRedemption, (map) => {
              for (const r of fresh) {
                HashMap.set(map, r.redemptionId, [
                  ...Option.getOrElse(HashMap.get(map, r.redemptionId), (): ReadonlyArray<string> => []),
                  r.holdId
                ])
              }
            })
          }
        }),
      resolveReservations: (holdIds) =>
        Ref.update(table, (tables) => ({
          ...tables,
          reservations: HashMap.mutate(tables.reservations, (map) => {
            for (const id of holdIds) {
              const r = HashMap.get(map, id)
              if (Option.isSome(r)) HashMap.set(map, id, { ...r.value, resolved: true })
            }
          })
        })),
      stockAdjustments: (ids) => read((tables) => pick(tables.adjustments, ids)),
      addStockAdjustment: (adjustment) =>
        Ref.update(table, (tables) => ({
          ...tables,
          adjustments: HashMap.set(tables.adjustments, adjustment.id, adjustment)
        }))
    })
  })
)
