/**
 * The earning programme's port in memory: counters, the lock-hold index and the earnings by
 * place in one `MemoryDatabase` table. The database's single lock serialises transactions, so locking a counter
 * is only reading it.
 *
 * @since 0.1.0
 */
import { type ActivityRow, type EarningRecord, EarningStore, type LockHold } from "@sortgrid/ledger/EarningStore"
import { Effect, HashMap, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface Counter {
  readonly used: number
  readonly taken: boolean
  readonly periodEnd: number
}

interface Tables {
  readonly counters: HashMap.HashMap<string, Counter>
  readonly lockHolds: HashMap.HashMap<string, LockHold>
  readonly earnings: HashMap.HashMap<string, EarningRecord>
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * `EarningStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EarningStore, never, MemoryDatabase> = Layer.effect(
  EarningStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({
      counters: HashMap.empty(),
      lockHolds: HashMap.empty(),
      earnings: HashMap.empty()
    })

    return EarningStore.of({
      lockCounters: (keys) =>
        Effect.gen(function* () {
          const tables = yield* Ref.get(table)
          const used = new Map<string, number>()
          const taken = new Set<string>()
          const counters = HashMap.mutate(tables.counters, (map) => {
            for (const { key, periodEnd } of keys) {
              const counter = HashMap.get(map, key)
              if (Option.isNone(counter)) {
                HashMap.set(map, key, { used: 0, taken: false, periodEnd })
                continue
              }
              if (counter.value.used > 0) used.set(key, counter.value.used)
              if (counter.value.taken) taken.add(key)
            }
          })
          yield* Ref.set(table, { ...tables, counters })
          return { used, taken }
        }),
      addToCounters: ({ taken, used }) =>
        Ref.update(table, (tables) => ({
          ...tables,
          counters: HashMap.mutate(tables.counters, (map) => {
            const change = (key: string, f: (counter: Counter) => Counter) => {
              const counter = Option.getOrElse(
                HashMap.get(map, key),
                (): Counter => ({
                  used: 0,
                  taken: false,
                  periodEnd: Number.MAX_SAFE_INTEGER
                })
              )
              HashMap.set(map, key, f(counter))
            }
            for (const [key, points] of used) change(key, (counter) => ({ ...counter, used: counter.used + points }))
            for (const key of taken) change(key, (counter) => ({ ...counter, taken: true }))
          })
        })),
      pruneCounters: (before) =>
        Ref.modify(table, (tables) => {
          const counters = HashMap.filter(tables.counters, (counter) => counter.periodEnd > before)
          return [HashMap.size(tables.counters) - HashMap.size(counters), { ...tables, counters }]
        }),
      trackLockHolds: (holds) =>
        Ref.update(table, (tables) => ({
          ...tables,
          lockHolds: HashMap.mutate(tables.lockHolds, (map) => {
            for (const hold of holds) if (!HashMap.has(map, hold.id)) HashMap.set(map, hold.id, hold)
          })
        })),
      lockHolds: ({ before, ledger, limit }) =>
        Effect.map(Ref.get(table), (tables) =>
          [...HashMap.values(tables.lockHolds)]
            .filter((hold) => hold.ledger === ledger && hold.timestamp < before)
            .sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, limit)
        ),
      forgetLockHolds: (ids) =>
        Ref.update(table, (tables) => ({ ...tables, lockHolds: HashMap.removeMany(tables.lockHolds, ids) })),
      recordEarnings: (records) =>
        Ref.update(table, (tables) => ({
          ...tables,
          earnings: HashMap.mutate(tables.earnings, (map) => {
            for (const record of records) {
              if (!HashMap.has(map, record.transferId)) HashMap.set(map, record.transferId, record)
            }
          })
        })),
      activity: ({ from, ledger, nodes, under, until }) =>
        Effect.map(Ref.get(table), (tables) => {
          const groups = new Map<string, { -readonly [K in keyof ActivityRow]: ActivityRow[K] }>()
          for (const record of HashMap.values(tables.earnings)) {
            if (record.ledger !== ledger || record.occurredAt < from || record.occurredAt >= until) continue
            const placed =
              under.some((path) => record.at.startsWith(path)) || nodes.some((node) => record.at.includes(`/${node}/`))
            if (!placed) continue
            const key = JSON.stringify([record.at, record.code, record.residentReference])
            const group = groups.get(key)
            if (group === undefined) {
              groups.set(key, {
                at: record.at,
                code: record.code,
                residentReference: record.residentReference,
                points: record.amount,
                claims: 1
              })
            } else {
              group.points += record.amount
              group.claims += 1
            }
          }
          return [...groups.values()].sort(
            (a, b) =>
              compare(a.at, b.at) || compare(a.code, b.code) || compare(a.residentReference, b.residentReference)
          )
        })
    })
  })
)
