/**
 * The points ledger's port in memory, over one `MemoryDatabase` table. The tables are persistent
 * `HashMap`s in one `Ref`, so a failed transaction restores them all, a batch costs what it touches,
 * and the database's single lock is what keeps two batches from deciding on the same balances.
 *
 * Besides the accounts, transfers and lots, the table keeps the indexes the port's reads need
 * without scanning everything: each hold's resolution, each transfer's reversed sum, each account's
 * transfers, and the holds with a timeout that are still open.
 *
 * @since 0.1.0
 */
import type * as Account from "@sortgrid/ledger/Account"
import { compareCursor, LedgerStore } from "@sortgrid/ledger/LedgerStore"
import * as Lots from "@sortgrid/ledger/Lots"
import type * as Posting from "@sortgrid/ledger/Posting"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, type Either, HashMap, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

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
  /** Holds with a timeout not yet resolved, by id: what the timeout run looks through. */
  readonly timedHolds: HashMap.HashMap<string, Transfer.Transfer>
}

const present = <K, V>(map: HashMap.HashMap<K, V>, keys: Iterable<K>): Array<V> => {
  const out: Array<V> = []
  for (const key of new Set(keys)) {
    const value = HashMap.get(map, key)
    if (Option.isSome(value)) out.push(value.value)
  }
  return out
}

const byId = (a: { readonly id: string }, b: { readonly id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0

const noLots = HashMap.empty<string, Lots.Lot>()

const lotsOf = (tables: Tables, accountIds: Iterable<string>): Array<Lots.Lot> =>
  [...new Set(accountIds)].flatMap((id) => [
    ...HashMap.values(Option.getOrElse(HashMap.get(tables.lots, id), () => noLots))
  ])

/** The tables after a plan is written. */
const write = (tables: Tables, plan: Posting.PostingPlan): Tables => ({
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
      const before = Option.getOrElse(HashMap.get(map, lot.accountId), () => noLots)
      HashMap.set(map, lot.accountId, HashMap.set(before, lot.id, lot))
    }
  }),
  timedHolds: HashMap.mutate(tables.timedHolds, (map) => {
    for (const transfer of plan.transfers) {
      if (Transfer.deadline(transfer) !== null) HashMap.set(map, transfer.id, transfer)
      if (transfer.pendingId !== null) HashMap.remove(map, transfer.pendingId)
    }
  })
})

/**
 * `LedgerStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LedgerStore, never, MemoryDatabase> = Layer.effect(
  LedgerStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({
      accounts: HashMap.empty(),
      transfers: HashMap.empty(),
      resolutions: HashMap.empty(),
      reversed: HashMap.empty(),
      byAccount: HashMap.empty(),
      lots: HashMap.empty(),
      timedHolds: HashMap.empty()
    })

    const createAccounts = <P extends Account.CreateAccountsPlan, E>(
      ids: ReadonlyArray<Account.AccountId>,
      decide: (stored: ReadonlyMap<string, Account.Account>) => Either.Either<P, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const tables = yield* Ref.get(table)
          const stored = new Map(present(tables.accounts, ids).map((account) => [account.id as string, account]))
          const plan = yield* decide(stored)
          yield* Ref.set(table, {
            ...tables,
            accounts: HashMap.mutate(tables.accounts, (map) => {
              for (const account of plan.accounts) HashMap.set(map, account.id, account)
            })
          })
          return plan
        })
      )

    const load = (tables: Tables, request: Posting.PostingRequest): Posting.PostingState => {
      const transfers = present(tables.transfers, [...request.transferIds, ...request.referencedIds])
      const accountIds = new Set<string>(request.accountIds)
      for (const transfer of present(tables.transfers, request.referencedIds)) {
        accountIds.add(transfer.debitAccountId)
        accountIds.add(transfer.creditAccountId)
      }
      const accounts = present(tables.accounts, accountIds)
      return {
        accounts: new Map(accounts.map((account) => [account.id, account])),
        transfers: new Map(transfers.map((transfer) => [transfer.id, transfer])),
        resolutions: new Map(
          present(tables.resolutions, request.referencedIds).map((resolution) => [resolution.pendingId!, resolution])
        ),
        reversed: new Map(
          request.referencedIds.flatMap((id) =>
            Option.toArray(HashMap.get(tables.reversed, id)).map((sum) => [id, sum] as const)
          )
        ),
        lots: new Map(
          accounts.map((account) => [account.id, lotsOf(tables, [account.id]).filter((lot) => lot.remaining > 0)])
        )
      }
    }

    const post = <P extends Posting.PostingPlan, E>(
      request: Posting.PostingRequest,
      decide: (state: Posting.PostingState) => Either.Either<P, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const tables = yield* Ref.get(table)
          const plan = yield* decide(load(tables, request))
          yield* Ref.set(table, write(tables, plan))
          return plan
        })
      )

    const read = <A>(f: (tables: Tables) => A) => Effect.map(Ref.get(table), f)

    return LedgerStore.of({
      createAccounts,
      post,
      accounts: (ids) => read((tables) => present(tables.accounts, ids)),
      accountPage: ({ after, limit }) =>
        read((tables) =>
          [...HashMap.values(tables.accounts)]
            .filter((account) => after === undefined || account.id > after)
            .sort(byId)
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
        read((tables) => {
          const ids: Array<Account.AccountId> = []
          for (const [accountId, lots] of tables.lots) {
            if (after !== undefined && accountId <= after) continue
            for (const lot of HashMap.values(lots)) {
              if (lot.ledger === ledger && lot.remaining > 0 && lot.expiresAt !== null && lot.expiresAt <= at) {
                ids.push(lot.accountId)
                break
              }
            }
          }
          return ids.sort().slice(0, limit)
        }),
      dueHolds: ({ at, ledger, limit }) =>
        read((tables) =>
          [...HashMap.values(tables.timedHolds)]
            .filter((transfer) => transfer.ledger === ledger && Transfer.deadline(transfer)! <= at)
            .sort((a, b) => Transfer.deadline(a)! - Transfer.deadline(b)! || byId(a, b))
            .slice(0, limit)
        )
    })
  })
)
