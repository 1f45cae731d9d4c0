/**
 * The points ledger on MariaDB: `ledger_account`, `ledger_transfer`, `ledger_timed_hold` and
 * `ledger_lot`, adapted from `@sortgrid/store-sql`'s (whose bulk updates use SQLite's `json_each`
 * or PostgreSQL's `unnest`). A batch is a handful of statements whatever its size: the state it
 * touches is loaded set-based (every id list bound as one JSON parameter), decided in memory by
 * `Posting.decide`, and written with multi-row INSERTs and one `UPDATE … JOIN JSON_TABLE(…)` for all
 * changed balances (and one for all changed lots), all inside one write transaction.
 *
 * Why two batches never decide on the same balances (no double spend): every transaction of this
 * store's client begins by locking the database's writer row (see `MariaDbStore`), held to COMMIT
 * or ROLLBACK, so the batch holds it from its first read to its commit and reads (InnoDB's
 * snapshot is taken at the first plain read, after the lock) what the previous batch committed.
 * The accounts are still read `FOR UPDATE` in id order, so a writer that bypassed the writer lock
 * would queue on them without a deadlock cycle. New ids cannot race either: one writer at a time.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import { type Cursor, LedgerStore } from "@sortgrid/ledger/LedgerStore"
import * as Lots from "@sortgrid/ledger/Lots"
import type * as Posting from "@sortgrid/ledger/Posting"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, type Either, Layer, Schema } from "effect"
import { anyOf, jsonRows, makeInserter, toStorageError, transaction } from "./internal/sql.js"

// --- rows --------------------------------------------------------------------------------------------

const accountColumns =
  "id, ledger, code, owner_reference, flags, closed, debits_pending, debits_posted, credits_pending, credits_posted, at"
const transferColumns =
  "id, debit_account_id, credit_account_id, amount, pending_id, reverses_id, ledger, code, source_reference, flags, timeout_seconds, at"
const lotColumns = "id, account_id, ledger, amount, remaining, at, expires_at"

interface AccountRow {
  readonly id: string
  readonly ledger: string
  readonly code: string
  readonly owner_reference: string | null
  readonly flags: number
  readonly closed: number
  readonly debits_pending: number
  readonly debits_posted: number
  readonly credits_pending: number
  readonly credits_posted: number
  readonly at: number
}

interface TransferRow {
  readonly id: string
  readonly debit_account_id: string
  readonly credit_account_id: string
  readonly amount: number
  readonly pending_id: string | null
  readonly reverses_id: string | null
  readonly ledger: string
  readonly code: string
  readonly source_reference: string | null
  readonly flags: number
  readonly timeout_seconds: number
  readonly at: number
}

interface LotRow {
  readonly id: string
  readonly account_id: string
  readonly ledger: string
  readonly amount: number
  readonly remaining: number
  readonly at: number
  readonly expires_at: number | null
}

interface TimedHoldRow {
  readonly id: string
  readonly ledger: string
  readonly deadline: number
}

const accountFlagsByBits: ReadonlyArray<Account.AccountFlags> = [0, 1, 2, 3].map((bits) =>
  Account.AccountFlags.make({
    debitsMustNotExceedCredits: (bits & 1) !== 0,
    creditsMustNotExceedDebits: (bits & 2) !== 0
  })
)

const accountFlagBits = (flags: Account.AccountFlags): number =>
  (flags.debitsMustNotExceedCredits ? 1 : 0) | (flags.creditsMustNotExceedDebits ? 2 : 0)

const transferFlagsByBits: ReadonlyArray<Transfer.TransferFlags> = Array.from({ length: 16 }, (_, bits) =>
  Transfer.TransferFlags.make({
    linked: (bits & 1) !== 0,
    pending: (bits & 2) !== 0,
    postPending: (bits & 4) !== 0,
    voidPending: (bits & 8) !== 0
  })
)

const transferFlagBits = (flags: Transfer.TransferFlags): number =>
  (flags.linked ? 1 : 0) | (flags.pending ? 2 : 0) | (flags.postPending ? 4 : 0) | (flags.voidPending ? 8 : 0)

const accountRow = (account: Account.Account): AccountRow => ({
  id: account.id,
  ledger: account.ledger,
  code: account.code,
  owner_reference: account.ownerReference,
  flags: accountFlagBits(account.flags),
  closed: account.closed ? 1 : 0,
  debits_pending: account.debitsPending,
  debits_posted: account.debitsPosted,
  credits_pending: account.creditsPending,
  credits_posted: account.creditsPosted,
  at: account.timestamp
})

const transferRow = (transfer: Transfer.Transfer): TransferRow => ({
  id: transfer.id,
  debit_account_id: transfer.debitAccountId,
  credit_account_id: transfer.creditAccountId,
  amount: transfer.amount,
  pending_id: transfer.pendingId,
  reverses_id: transfer.reversesId,
  ledger: transfer.ledger,
  code: transfer.code,
  source_reference: transfer.sourceReference,
  flags: transferFlagBits(transfer.flags),
  timeout_seconds: transfer.timeoutSeconds,
  at: transfer.timestamp
})

const lotRow = (lot: Lots.Lot): LotRow => ({
  id: lot.id,
  account_id: lot.accountId,
  ledger: lot.ledger,
  amount: lot.amount,
  remaining: lot.remaining,
  at: lot.timestamp,
  expires_at: lot.expiresAt
})

/**
 * Rows are decoded with plain checks rather than a schema per row (reconciling reads every
 * transfer). A value that is not what the ledger wrote is noted in the `Reader`, and makes the read a
 * `StorageError`, as a schema would.
 */
interface Reader {
  problem: string | null
}

type Row = { readonly [column: string]: unknown }

const integer = (reader: Reader, row: Row, column: string): number => {
  const value = row[column]
  // mysql2 returns BIGINT as a number when it fits, DECIMAL (SUM) as a string.
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number)) reader.problem ??= `${column} is not an integer`
  return number
}

const text = (reader: Reader, row: Row, column: string): string => {
  const value = row[column]
  if (typeof value === "string") return value
  reader.problem ??= `${column} is not text`
  return ""
}

const nullableText = (reader: Reader, row: Row, column: string): string | null =>
  row[column] === null ? null : text(reader, row, column)

const isAccountCode = Schema.is(Account.AccountCode)

const toAccount = (reader: Reader, row: Row): Account.Account => {
  const code = text(reader, row, "code")
  const flags = accountFlagsByBits[integer(reader, row, "flags")]
  if (!isAccountCode(code) || flags === undefined) reader.problem ??= `account ${String(row.id)}: code or flags`
  return new Account.Account(
    {
      id: Account.AccountId.make(text(reader, row, "id"), { disableValidation: true }),
      ledger: Account.LedgerId.make(text(reader, row, "ledger"), { disableValidation: true }),
      code: isAccountCode(code) ? code : "reserve",
      ownerReference: nullableText(reader, row, "owner_reference"),
      flags: flags ?? accountFlagsByBits[0]!,
      closed: integer(reader, row, "closed") !== 0,
      debitsPending: integer(reader, row, "debits_pending"),
      debitsPosted: integer(reader, row, "debits_posted"),
      creditsPending: integer(reader, row, "credits_pending"),
      creditsPosted: integer(reader, row, "credits_posted"),
      timestamp: integer(reader, row, "at")
    },
    { disableValidation: true }
  )
}

const nullableTransferId = (reader: Reader, row: Row, column: string): Transfer.TransferId | null => {
  const value = nullableText(reader, row, column)
  return value === null ? null : Transfer.TransferId.make(value, { disableValidation: true })
}

const toTransfer = (reader: Reader, row: Row): Transfer.Transfer => {
  const flags = transferFlagsByBits[integer(reader, row, "flags")]
  if (flags === undefined) reader.problem ??= `transfer ${String(row.id)}: flags`
  return new Transfer.Transfer(
    {
      id: Transfer.TransferId.make(text(reader, row, "id"), { disableValidation: true }),
      debitAccountId: Account.AccountId.make(text(reader, row, "debit_account_id"), { disableValidation: true }),
      creditAccountId: Account.AccountId.make(text(reader, row, "credit_account_id"), { disableValidation: true }),
      amount: integer(reader, row, "amount"),
      pendingId: nullableTransferId(reader, row, "pending_id"),
      reversesId: nullableTransferId(reader, row, "reverses_id"),
      ledger: Account.LedgerId.make(text(reader, row, "ledger"), { disableValidation: true }),
      code: Transfer.TransferCode.make(text(reader, row, "code"), { disableValidation: true }),
      sourceReference: nullableText(reader, row, "source_reference"),
      flags: flags ?? Transfer.noFlags,
      timeoutSeconds: integer(reader, row, "timeout_seconds"),
      timestamp: integer(reader, row, "at")
    },
    { disableValidation: true }
  )
}

const toLot = (reader: Reader, row: Row): Lots.Lot =>
  new Lots.Lot(
    {
      id: Transfer.TransferId.make(text(reader, row, "id"), { disableValidation: true }),
      accountId: Account.AccountId.make(text(reader, row, "account_id"), { disableValidation: true }),
      ledger: Account.LedgerId.make(text(reader, row, "ledger"), { disableValidation: true }),
      amount: integer(reader, row, "amount"),
      remaining: integer(reader, row, "remaining"),
      timestamp: integer(reader, row, "at"),
      expiresAt: row.expires_at === null ? null : integer(reader, row, "expires_at")
    },
    { disableValidation: true }
  )

/** Runs a read and decodes its rows; a failed statement or a malformed row is a `StorageError`. */
const decodeWith =
  <A>(operation: string, decode: (reader: Reader, row: Row) => A) =>
  (statement: Effect.Effect<ReadonlyArray<Row>, SqlError.SqlError>): Effect.Effect<Array<A>, Errors.StorageError> =>
    statement.pipe(
      Effect.mapError(toStorageError(operation)),
      Effect.flatMap((rows) => {
        const reader: Reader = { problem: null }
        const decoded = rows.map((row) => decode(reader, row))
        return reader.problem === null
          ? Effect.succeed(decoded)
          : Effect.fail(new Errors.StorageError({ operation, reason: `stored data is malformed: ${reader.problem}` }))
      })
    )

const byId = <A extends { readonly id: string }>(a: A, b: A): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Lots in their key's order, so two batches insert keys in one order (and cannot deadlock). */
const byAccountThenId = (a: Lots.Lot, b: Lots.Lot): number =>
  a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : byId(a, b)

// --- the store ---------------------------------------------------------------------------------------

/**
 * `LedgerStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LedgerStore, never, SqlClient.SqlClient> = Layer.effect(
  LedgerStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const forUpdate = sql.literal("FOR UPDATE")
    const accountSelect = sql.literal(accountColumns)
    const transferSelect = sql.literal(transferColumns)
    const lotSelect = sql.literal(lotColumns)

    const insertAccounts = makeInserter<AccountRow>(sql, "ledger_account", [
      "id",
      "ledger",
      "code",
      "owner_reference",
      "flags",
      "closed",
      "debits_pending",
      "debits_posted",
      "credits_pending",
      "credits_posted",
      "at"
    ])
    const insertTransfers = makeInserter<TransferRow>(sql, "ledger_transfer", [
      "id",
      "debit_account_id",
      "credit_account_id",
      "amount",
      "pending_id",
      "reverses_id",
      "ledger",
      "code",
      "source_reference",
      "flags",
      "timeout_seconds",
      "at"
    ])
    const insertLots = makeInserter<LotRow>(sql, "ledger_lot", [
      "id",
      "account_id",
      "ledger",
      "amount",
      "remaining",
      "at",
      "expires_at"
    ])
    const insertTimedHolds = makeInserter<TimedHoldRow>(sql, "ledger_timed_hold", ["id", "ledger", "deadline"])

    /**
     * A write in a transaction of its own or the enclosing one: one writer at a time (the writer
     * lock), so no other batch can insert the same new id while this one decides.
     */
    const write = <A, E>(
      operation: string,
      body: Effect.Effect<A, E | SqlError.SqlError>
    ): Effect.Effect<A, Exclude<E, SqlError.SqlError> | Errors.StorageError> => transaction(sql, operation)(body)

    const accountsWith = (operation: string, ids: ReadonlyArray<string>, lock: boolean) =>
      ids.length === 0
        ? Effect.succeed<Array<Account.Account>>([])
        : sql<Row>`SELECT ${accountSelect} FROM ledger_account WHERE ${isAnyOf("id", ids)}
                   ORDER BY id ${lock ? forUpdate : sql.literal("")}`.pipe(decodeWith(operation, toAccount))

    const transfersWith = (operation: string, ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed<Array<Transfer.Transfer>>([])
        : sql<Row>`SELECT ${transferSelect} FROM ledger_transfer WHERE ${isAnyOf("id", ids)}`.pipe(
            decodeWith(operation, toTransfer)
          )

    const createAccounts = <P extends Account.CreateAccountsPlan, E>(
      ids: ReadonlyArray<Account.AccountId>,
      decide: (stored: ReadonlyMap<string, Account.Account>) => Either.Either<P, E>
    ) =>
      write(
        "create accounts",
        Effect.gen(function* () {
          const stored = yield* accountsWith("create accounts", [...new Set(ids)], false)
          const plan = yield* decide(new Map(stored.map((account) => [account.id, account])))
          if (plan.accounts.length > 0) yield* insertAccounts([...plan.accounts].sort(byId).map(accountRow))
          return plan
        })
      )

    /**
     * Loads what a batch is decided on, its accounts read `FOR UPDATE` first (see the module doc).
     * The lots loaded are those of the wallets the batch may debit (all when the request says none).
     */
    const load = (request: Posting.PostingRequest) =>
      Effect.gen(function* () {
        const operation = "post transfers"
        const referenced = yield* transfersWith(operation, request.referencedIds)
        const accountIds = new Set<string>(request.accountIds)
        for (const transfer of referenced) {
          accountIds.add(transfer.debitAccountId)
          accountIds.add(transfer.creditAccountId)
        }
        const accounts = yield* accountsWith(operation, [...accountIds].sort(), true)
        const referencedIds = new Set<string>(request.referencedIds)
        const own = yield* transfersWith(
          operation,
          request.transferIds.filter((id) => !referencedIds.has(id))
        )
        // Resolutions of the referenced holds and reversals of the referenced transfers, in one read.
        const related =
          request.referencedIds.length === 0
            ? []
            : yield* sql<Row>`SELECT ${transferSelect} FROM ledger_transfer
                  WHERE ${isAnyOf("pending_id", request.referencedIds)}
                  OR ${isAnyOf("reverses_id", request.referencedIds)}`.pipe(decodeWith(operation, toTransfer))
        // Only the lots the batch may consume (see `PostingRequest.lotAccountIds`): earning credits
        // to thousands of wallets load none.
        let lotAccounts: ReadonlySet<string> | null = null
        if (request.lotAccountIds !== undefined) {
          const debited = new Set<string>(request.lotAccountIds)
          for (const transfer of referenced) debited.add(transfer.debitAccountId)
          lotAccounts = debited
        }
        const wallets = accounts
          .filter((account) => Account.isWallet(account.code) && (lotAccounts === null || lotAccounts.has(account.id)))
          .map((account) => account.id)
        const lots =
          wallets.length === 0
            ? []
            : yield* sql<Row>`SELECT ${lotSelect} FROM ledger_lot
                  WHERE ${isAnyOf("account_id", wallets)} AND remaining > 0`.pipe(decodeWith(operation, toLot))

        const resolutions = new Map<string, Transfer.Transfer>()
        const reversed = new Map<string, number>()
        for (const transfer of related) {
          if (transfer.pendingId !== null && referencedIds.has(transfer.pendingId)) {
            resolutions.set(transfer.pendingId, transfer)
          }
          if (transfer.reversesId !== null && referencedIds.has(transfer.reversesId)) {
            reversed.set(transfer.reversesId, (reversed.get(transfer.reversesId) ?? 0) + transfer.amount)
          }
        }
        const lotsByAccount = new Map<string, Array<Lots.Lot>>()
        for (const lot of lots) {
          const list = lotsByAccount.get(lot.accountId)
          if (list === undefined) lotsByAccount.set(lot.accountId, [lot])
          else list.push(lot)
        }
        const state: Posting.PostingState = {
          accounts: new Map(accounts.map((account) => [account.id, account])),
          transfers: new Map([...referenced, ...own].map((transfer) => [transfer.id, transfer])),
          resolutions,
          reversed,
          lots: lotsByAccount
        }
        return { state, storedLotIds: new Set<string>(lots.map((lot) => lot.id)) }
      })

    // Each statement below carries a whole batch as one JSON parameter, read by JSON_TABLE.
    const updateBalances = (accounts: ReadonlyArray<Account.Account>) =>
      sql`UPDATE ledger_account AS a JOIN ${jsonRows(
        sql,
        accounts.map((a) => [a.id, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted]),
        [
          ["id", "VARCHAR(255)"],
          ["dp", "BIGINT"],
          ["dpo", "BIGINT"],
          ["cp", "BIGINT"],
          ["cpo", "BIGINT"]
        ]
      )} AS d ON a.id = d.id
        SET a.debits_pending = d.dp, a.debits_posted = d.dpo, a.credits_pending = d.cp, a.credits_posted = d.cpo`

    const updateLots = (lots: ReadonlyArray<Lots.Lot>) =>
      sql`UPDATE ledger_lot AS l JOIN ${jsonRows(
        sql,
        lots.map((lot) => [lot.accountId, lot.id, lot.remaining]),
        [
          ["account_id", "VARCHAR(255)"],
          ["id", "VARCHAR(255)"],
          ["remaining", "BIGINT"]
        ]
      )} AS d ON l.account_id = d.account_id AND l.id = d.id
        SET l.remaining = d.remaining`

    const save = (plan: Posting.PostingPlan, storedLotIds: ReadonlySet<string>) =>
      Effect.gen(function* () {
        if (plan.transfers.length > 0) {
          const transfers = [...plan.transfers].sort(byId)
          yield* insertTransfers(transfers.map(transferRow))
          const timed: Array<TimedHoldRow> = []
          const resolved: Array<string> = []
          for (const transfer of transfers) {
            const due = Transfer.deadline(transfer)
            if (due !== null) timed.push({ id: transfer.id, ledger: transfer.ledger, deadline: due })
            if (transfer.pendingId !== null) resolved.push(transfer.pendingId)
          }
          if (timed.length > 0) yield* insertTimedHolds(timed)
          if (resolved.length > 0) yield* sql`DELETE FROM ledger_timed_hold WHERE ${isAnyOf("id", resolved)}`
        }
        if (plan.accounts.length > 0) yield* updateBalances(plan.accounts)
        const created: Array<Lots.Lot> = []
        const changed: Array<Lots.Lot> = []
        for (const lot of plan.lots) (storedLotIds.has(lot.id) ? changed : created).push(lot)
        if (created.length > 0) yield* insertLots(created.sort(byAccountThenId).map(lotRow))
        if (changed.length > 0) yield* updateLots(changed)
      })

    const post = <P extends Posting.PostingPlan, E>(
      request: Posting.PostingRequest,
      decide: (state: Posting.PostingState) => Either.Either<P, E>
    ) =>
      write(
        "post transfers",
        Effect.gen(function* () {
          const { state, storedLotIds } = yield* load(request)
          const plan = yield* decide(state)
          yield* save(plan, storedLotIds)
          return plan
        })
      )

    const after = (cursor: Cursor | undefined) =>
      cursor === undefined ? sql.literal("1 = 1") : sql`(at, id) > (${cursor.timestamp}, ${cursor.id})`

    return LedgerStore.of({
      createAccounts,
      post,
      accounts: (ids) => accountsWith("read accounts", [...new Set(ids)], false),
      accountPage: (options) =>
        sql<Row>`SELECT ${accountSelect} FROM ledger_account
                 WHERE ${options.after === undefined ? sql.literal("1 = 1") : sql`id > ${options.after}`}
                 ORDER BY id LIMIT ${options.limit}`.pipe(decodeWith("read accounts", toAccount)),
      transfers: (ids) => transfersWith("read transfers", [...new Set(ids)]),
      history: (query) => {
        const conditions = [
          after(query.after),
          query.until === undefined ? sql.literal("1 = 1") : sql`at <= ${query.until}`
        ]
        // One index per side, each read in order and cut at the limit, then merged: a transfer never
        // debits and credits one account, so no row is seen twice.
        return sql<Row>`SELECT * FROM (SELECT ${transferSelect} FROM ledger_transfer
                   WHERE debit_account_id = ${query.accountId} AND ${sql.and(conditions)}
                   ORDER BY at, id LIMIT ${query.limit}) AS debits
                 UNION ALL
                 SELECT * FROM (SELECT ${transferSelect} FROM ledger_transfer
                   WHERE credit_account_id = ${query.accountId} AND ${sql.and(conditions)}
                   ORDER BY at, id LIMIT ${query.limit}) AS credits
                 ORDER BY at, id LIMIT ${query.limit}`.pipe(decodeWith("account history", toTransfer))
      },
      transferPage: (options) =>
        sql<Row>`SELECT ${transferSelect} FROM ledger_transfer WHERE ${after(options.after)}
                 ORDER BY at, id LIMIT ${options.limit}`.pipe(decodeWith("read transfers", toTransfer)),
      lots: (accountIds) =>
        accountIds.length === 0
          ? Effect.succeed([])
          : sql<Row>`SELECT ${lotSelect} FROM ledger_lot WHERE ${isAnyOf("account_id", [...new Set(accountIds)])}`.pipe(
              decodeWith("read lots", toLot),
              Effect.map((lots) => lots.sort(Lots.order))
            ),
      expiringAccounts: (options) =>
        sql<Row>`SELECT DISTINCT account_id FROM ledger_lot
                 WHERE ledger = ${options.ledger} AND remaining > 0 AND expires_at IS NOT NULL
                 AND expires_at <= ${options.at}
                 AND ${options.after === undefined ? sql.literal("1 = 1") : sql`account_id > ${options.after}`}
                 ORDER BY account_id LIMIT ${options.limit}`.pipe(
          decodeWith("expiring accounts", (reader, row) =>
            Account.AccountId.make(text(reader, row, "account_id"), { disableValidation: true })
          )
        ),
      dueHolds: (options) =>
        sql<Row>`SELECT ${sql.literal(
          transferColumns
            .split(", ")
            .map((column) => `t.${column}`)
            .join(", ")
        )}
                 FROM ledger_timed_hold AS h JOIN ledger_transfer AS t ON t.id = h.id
                 WHERE h.ledger = ${options.ledger} AND h.deadline <= ${options.at}
                 ORDER BY h.deadline, h.id LIMIT ${options.limit}`.pipe(decodeWith("due holds", toTransfer))
    })
  })
)
