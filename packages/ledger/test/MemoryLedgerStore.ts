/**
 * The points ledger's port in memory, written against the shape of store-memory's `MemoryDatabase`
 * (`transaction` + `table`) so it can move there unchanged: `Layer.effect(LedgerStore,
 * Effect.flatMap(MemoryDatabase, make))`. Until then the tests use {@link layer}, which brings a
 * minimal database, `Transactor` and `AuditStore` of its own.
 *
 * Tables are persistent `HashMap`s in one `Ref`, so a failed transaction restores them all and a
 * batch costs what it touches.
 *
 * @since 0.1.0
 */
import { Audit, AuditStore, Transactor } from "@sortgrid/core"
import { Context, Effect, type Either, FiberRef, HashMap, Layer, Option, type Ref } from "effect"
import * as Ref_ from "effect/Ref"
import type * as Account from "../src/Account.js"
import { compareCursor, LedgerStore } from "../src/LedgerStore.js"
import * as Lots from "../src/Lots.js"
import type * as Posting from "../src/Posting.js"
import * as Transfer from "../src/Transfer.js"

/**
 * What the store needs of a memory database: `MemoryDatabase`'s two operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Database {
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly table: <S>(initial: S) => Effect.Effect<Ref.Ref<S>>
}

interface Tables {
  readonly accounts: HashMap.HashMap<string, Account.Account>
  readonly transfers: HashMap.HashMap<string, Transfer.Transfer>
  /** The post or void of each resolved hold, by the hold's id. */
  readonly resolutions: HashMap.HashMap<string, Transfer.Transfer>
  /** The sum of the reversals of each reversed transfer, by its id. */
  readonly reversed: HashMap.HashMap<string, number>
  /** Each account's transfer ids, in insertion order. */
  readonly byAccount: HashMap.HashMap<string, ReadonlyArray<string>>
  /** Each account's lots, by lot id. */
  readonly lots: HashMap.HashMap<string, HashMap.HashMap<string, Lots.Lot>>
}

const present = <K, V>(map: HashMap.HashMap<K, V>, keys: Iterable<K>): Array<V> => {
  const out: Array<V> = []
  for (const key of new Set(keys)) {
    const value = HashMap.get(map, key)
    if (Option.isSome(value)) out.push(value.value)
  }
  return out
}

/**
 * `LedgerStore` over a memory database.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (db: Database) =>
  Effect.gen(function* () {
    const table = yield* db.table<Tables>({
      accounts: HashMap.empty(),
      transfers: HashMap.empty(),
      resolutions: HashMap.empty(),
      reversed: HashMap.empty(),
      byAccount: HashMap.empty(),
      lots: HashMap.empty()
    })

    const createAccounts = <P extends Account.CreateAccountsPlan, E>(
      ids: ReadonlyArray<Account.AccountId>,
      decide: (stored: ReadonlyMap<string, Account.Account>) => Either.Either<P, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const tables = yield* Ref_.get(table)
          const stored = new Map(present(tables.accounts, ids).map((account) => [account.id as string, account]))
          const plan = yield* decide(stored)
          yield* Ref_.set(table, {
            ...tables,
            accounts: HashMap.mutate(tables.accounts, (map) => {
              for (const account of plan.accounts) HashMap.set(map, account.id, account)
            })
          })
          return plan
        })
      )

    const post = <P extends Posting.PostingPlan, E>(
      request: Posting.PostingRequest,
      decide: (state: Posting.PostingState) => Either.Either<P, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const tables = yield* Ref_.get(table)
          const transfers = present(tables.transfers, [...request.transferIds, ...request.referencedIds])
          const referenced = present(tables.transfers, request.referencedIds)
          const accountIds = new Set<string>(request.accountIds)
          for (const transfer of referenced) {
            accountIds.add(transfer.debitAccountId)
            accountIds.add(transfer.creditAccountId)
          }
          const accounts = present(tables.accounts, accountIds)
          const state: Posting.PostingState = {
            accounts: new Map(accounts.map((account) => [account.id, account])),
            transfers: new Map(transfers.map((transfer) => [transfer.id, transfer])),
            resolutions: new Map(
              present(tables.resolutions, request.referencedIds).map((resolution) => [
                resolution.pendingId!,
                resolution
              ])
            ),
            reversed: new Map(
              request.referencedIds.flatMap((id) =>
                Option.toArray(HashMap.get(tables.reversed, id)).map((sum) => [id, sum])
              )
            ),
            lots: new Map(
              accounts.map((account) => [
                account.id,
                [...Option.getOrElse(HashMap.get(tables.lots, account.id), () => HashMap.empty<string, Lots.Lot>())]
                  .map(([, lot]) => lot)
                  .filter((lot) => lot.remaining > 0)
              ])
            )
          }
          const plan = yield* decide(state)
          yield* Ref_.set(table, {
            accounts: HashMap.mutate(tables.accounts, (map) => {
              for (const account of plan.accounts) HashMap.set(map, account.id, account)
            }),
            transfers: HashMap.mutate(tables.transfers, (map) => {
              for (const transfer of plan.transfers) HashMap.set(map, transfer.id, transfer)
            }),
            resolutions: HashMap.mutate(tables.resolutions, (map) => {
              for (const transfer of plan.transfers) {
                if (transfer.pendingId !== null) HashMap.set(map, transfer.pendingId, transfer)
              }
            }),
            reversed: HashMap.mutate(tables.reversed, (map) => {
              for (const transfer of plan.transfers) {
                if (transfer.reversesId === null) continue
                const before = Option.getOrElse(HashMap.get(map, transfer.reversesId), () => 0)
                HashMap.set(map, transfer.reversesId, before + transfer.amount)
              }
            }),
            byAccount: HashMap.mutate(tables.byAccount, (map) => {
              for (const transfer of plan.transfers) {
                for (const accountId of [transfer.debitAccountId, transfer.creditAccountId]) {
                  const before = Option.getOrElse(HashMap.get(map, accountId), (): ReadonlyArray<string> => [])
                  HashMap.set(map, accountId, [...before, transfer.id])
                }
              }
            }),
            lots: HashMap.mutate(tables.lots, (map) => {
              for (const lot of plan.lots) {
                const before = Option.getOrElse(HashMap.get(map, lot.accountId), () =>
                  HashMap.empty<string, Lots.Lot>()
                )
                HashMap.set(map, lot.accountId, HashMap.set(before, lot.id, lot))
              }
            })
          })
          return plan
        })
      )

    const read = <A>(f: (tables: Tables) => A) => Effect.map(Ref_.get(table), f)

    const lotsOf = (tables: Tables, accountIds: Iterable<string>): Array<Lots.Lot> =>
      [...new Set(accountIds)].flatMap((id) =>
        [...Option.getOrElse(HashMap.get(tables.lots, id), () => HashMap.empty<string, Lots.Lot>())].map(
          ([, lot]) => lot
        )
      )

    return LedgerStore.of({
      createAccounts,
      post,
      accounts: (ids) => read((tables) => present(tables.accounts, ids)),
      accountPage: ({ after, limit }) =>
        read((tables) =>
          [...HashMap.values(tables.accounts)]
            .filter((account) => after === undefined || account.id > after)
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, limit)
        ),
      transfers: (ids) => read((tables) => present(tables.transfers, ids)),
      history: ({ accountId, after, limit, until }) =>
        read((tables) =>
          present(
            tables.transfers,
            Option.getOrElse(HashMap.get(tables.byAccount, accountId), () => [])
          )
            .filter(
              (transfer) =>
                (after === undefined || compareCursor(transfer, after) > 0) &&
                (until === undefined || transfer.timestamp <= until)
            )
            .sort(compareCursor)
            .slice(0, limit)
        ),
      transferPage: ({ after, limit }) =>
        read((tables) =>
          [...HashMap.values(tables.transfers)]
            .filter((transfer) => after === undefined || compareCursor(transfer, after) > 0)
            .sort(compareCursor)
            .slice(0, limit)
        ),
      lots: (accountIds) => read((tables) => lotsOf(tables, accountIds).sort(Lots.order)),
      expiringAccounts: ({ after, at, ledger, limit }) =>
        read((tables) =>
          [...HashMap.values(tables.accounts)]
            .filter(
              (account) =>
                account.ledger === ledger &&
                (after === undefined || account.id > after) &&
                lotsOf(tables, [account.id]).some(
                  (lot) => lot.remaining > 0 && lot.expiresAt !== null && lot.expiresAt <= at
                )
            )
            .map((account) => account.id)
            .sort()
            .slice(0, limit)
        ),
      dueHolds: ({ at, ledger, limit }) =>
        read((tables) =>
          [...HashMap.values(tables.transfers)]
            .filter((transfer) => {
              const due = Transfer.deadline(transfer)
              return (
                transfer.ledger === ledger &&
                due !== null &&
                due <= at &&
                Option.isNone(HashMap.get(tables.resolutions, transfer.id))
              )
            })
            .sort((a, b) => Transfer.deadline(a)! - Transfer.deadline(b)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, limit)
        )
    })
  })

/**
 * A minimal memory database with `MemoryDatabase`'s semantics: one lock serialises transactions,
 * every table is restored when a transaction fails, nested transactions join the enclosing one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDatabase: Effect.Effect<Database> = Effect.gen(function* () {
  const lock = yield* Effect.makeSemaphore(1)
  const inTransaction = FiberRef.unsafeMake(false)
  const tables: Array<Ref.Ref<unknown>> = []
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(FiberRef.get(inTransaction), (nested) =>
      nested
        ? effect
        : lock.withPermits(1)(
            Effect.uninterruptibleMask((restore) =>
              Effect.gen(function* () {
                const snapshot = yield* Effect.forEach(tables, Ref_.get)
                return yield* restore(Effect.locally(effect, inTransaction, true)).pipe(
                  Effect.onExit((exit) =>
                    exit._tag === "Success"
                      ? Effect.void
                      : Effect.forEach(tables, (ref, i) => Ref_.set(ref, snapshot[i]), { discard: true })
                  )
                )
              })
            )
          )
    )
  const table = <S>(initial: S): Effect.Effect<Ref.Ref<S>> =>
    Effect.tap(Ref_.make(initial), (ref) => Effect.sync(() => tables.push(ref as Ref.Ref<unknown>)))
  return { transaction, table }
})

/** The audit store over the same database: entries in order, by id, and the head. */
const makeAuditStore = (db: Database) =>
  Effect.gen(function* () {
    const entries = yield* db.table<ReadonlyArray<Audit.AuditEntry>>([])
    return AuditStore.AuditStore.of({
      append: (ids, decide) =>
        db.transaction(
          Effect.gen(function* () {
            const current = yield* Ref_.get(entries)
            const wanted = new Set<string>(ids)
            const last = current.at(-1)
            const head =
              last === undefined ? Audit.emptyHead : new Audit.AuditHead({ position: last.position, hash: last.hash })
            const plan = yield* decide({ head, existing: current.filter((entry) => wanted.has(entry.id)) })
            yield* Ref_.set(entries, [...current, ...plan.append])
            return plan.entries
          })
        ),
      head: Effect.map(Ref_.get(entries), (current) => {
        const last = current.at(-1)
        return last === undefined ? Audit.emptyHead : new Audit.AuditHead({ position: last.position, hash: last.hash })
      }),
      read: ({ fromPosition, limit }) =>
        Effect.map(Ref_.get(entries), (current) =>
          current.filter((entry) => entry.position >= fromPosition).slice(0, limit)
        )
    })
  })

/**
 * The ledger's store, a transactor and an audit store, all over one new memory database.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LedgerStore | Transactor.Transactor | AuditStore.AuditStore> = Layer.effectContext(
  Effect.gen(function* () {
    const db = yield* makeDatabase
    const store = yield* make(db)
    const audit = yield* makeAuditStore(db)
    return Context.make(LedgerStore, store).pipe(
      Context.add(Transactor.Transactor, Transactor.Transactor.of({ withTransaction: db.transaction })),
      Context.add(AuditStore.AuditStore, audit)
    )
  })
)
