/**
 * The points ledger over `SqlClient`: `ledger_account`, `ledger_transfer`, `ledger_timed_hold` and
 * `ledger_lot` (migration 12). Written for speed: a batch is a handful of statements whatever its
 * size — the state it touches is loaded set-based (every id list bound as one parameter), decided
 * in memory by `Posting.decide`, and written set-based, all inside one write transaction. On
 * PostgreSQL, where every statement is a round trip, that is two statements: one that locks and
 * loads, one that writes every table (data-modifying CTEs over `unnest`ed array parameters). On
 * SQLite (in process) it is a few reads and one multi-row statement per table. Rows are read as
 * arrays of values and built into the ledger's classes without a schema pass (the store wrote
 * them), and nothing just written is read back: the plan already holds it.
 *
 * Why two batches never decide on the same balances (no double spend):
 * - **SQLite**: every write transaction begins with `BEGIN IMMEDIATE` (store-sqlite's client), so
 *   the batch holds the database's write lock from its first read to its commit; the store runs
 *   with `synchronous = FULL`, so a batch whose call returned survives power loss.
 * - **PostgreSQL**: the batch locks the rows of every account it touches (`SELECT … FOR UPDATE`,
 *   the accounts of the transfers it references included). A batch touching an account waits for
 *   any other holding it. The rows are locked in one statement ordered by id, so every batch
 *   acquires its locks in the same global order and two batches can never each hold a lock the
 *   other waits for: no deadlock among ledger batches. The same statement reads the rest of the
 *   state on the snapshot it started with, and checks that every row it locked is the version that
 *   snapshot saw; if another batch committed on these accounts in between, it loads again, holding
 *   the locks (see `loadPg`). We chose row locks over one advisory lock per database so that
 *   batches on different accounts do not queue on each other in the store (the audit chain's head
 *   row still orders their commits).
 *
 * What the locks do not cover — two batches creating the same new transfer or account id on
 * different accounts — the primary keys and the unique index on `pending_id` do: the second insert
 * waits for the first to commit and fails with a unique violation. The batch then rolls back to a
 * savepoint and is decided again on the state that now includes the other's rows, so its caller
 * gets `Exists` or `ExistsWith…`, never a driver error. Rows are inserted in id order, so two such
 * batches cannot deadlock on each other's keys either.
 *
 * @since 0.1.0
 */
import { SqlClient, SqlError } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as Account from "@sortgrid/ledger/Account"
import { type Cursor, LedgerStore } from "@sortgrid/ledger/LedgerStore"
import * as Lots from "@sortgrid/ledger/Lots"
import type * as Posting from "@sortgrid/ledger/Posting"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { Effect, type Either, Layer, Schedule, Schema } from "effect"
import { toStorageError, transaction } from "./internal/errors.js"
import { makeInserter } from "./internal/insert.js"
import { anyOf } from "./internal/query.js"

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
 * Rows are read as arrays of values in the column order above and decoded with plain checks rather
 * than a schema per row (reconciling reads every transfer), into instances built straight from the
 * checked values (`unsafeMake`: the store wrote them, so they satisfy the schema). A value that is
 * not what the ledger wrote is noted in the `Reader`, and makes the read a `StorageError`, as a
 * schema would.
 */
interface Reader {
  problem: string | null
}

type Values = ReadonlyArray<unknown>

const integer = (reader: Reader, value: unknown, column: string): number => {
  // PostgreSQL returns BIGINT (and SUM) as strings; its JSON as numbers.
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number)) reader.problem ??= `${column} is not an integer`
  return number
}

const text = (reader: Reader, value: unknown, column: string): string => {
  if (typeof value === "string") return value
  reader.problem ??= `${column} is not text`
  return ""
}

const nullableText = (reader: Reader, value: unknown, column: string): string | null =>
  value === null ? null : text(reader, value, column)

const isAccountCode = Schema.is(Account.AccountCode)

const toAccount = (reader: Reader, row: Values): Account.Account => {
  const code = text(reader, row[2], "code")
  const flags = accountFlagsByBits[integer(reader, row[4], "flags")]
  if (!isAccountCode(code) || flags === undefined) reader.problem ??= `account ${String(row[0])}: code or flags`
  return Account.unsafeMake({
    id: Account.AccountId.make(text(reader, row[0], "id"), { disableValidation: true }),
    ledger: Account.LedgerId.make(text(reader, row[1], "ledger"), { disableValidation: true }),
    code: isAccountCode(code) ? code : "reserve",
    ownerReference: nullableText(reader, row[3], "owner_reference"),
    flags: flags ?? accountFlagsByBits[0]!,
    closed: integer(reader, row[5], "closed") !== 0,
    debitsPending: integer(reader, row[6], "debits_pending"),
    debitsPosted: integer(reader, row[7], "debits_posted"),
    creditsPending: integer(reader, row[8], "credits_pending"),
    creditsPosted: integer(reader, row[9], "credits_posted"),
    timestamp: integer(reader, row[10], "at")
  })
}

const nullableTransferId = (reader: Reader, value: unknown, column: string): Transfer.TransferId | null => {
  const id = nullableText(reader, value, column)
  return id === null ? null : Transfer.TransferId.make(id, { disableValidation: true })
}

const toTransfer = (reader: Reader, row: Values): Transfer.Transfer => {
  const flags = transferFlagsByBits[integer(reader, row[9], "flags")]
  if (flags === undefined) reader.problem ??= `transfer ${String(row[0])}: flags`
  const amount = integer(reader, row[3], "amount")
  if (amount < 1) reader.problem ??= `transfer ${String(row[0])}: amount`
  return Transfer.unsafeMake({
    id: Transfer.TransferId.make(text(reader, row[0], "id"), { disableValidation: true }),
    debitAccountId: Account.AccountId.make(text(reader, row[1], "debit_account_id"), { disableValidation: true }),
    creditAccountId: Account.AccountId.make(text(reader, row[2], "credit_account_id"), { disableValidation: true }),
    amount,
    pendingId: nullableTransferId(reader, row[4], "pending_id"),
    reversesId: nullableTransferId(reader, row[5], "reverses_id"),
    ledger: Account.LedgerId.make(text(reader, row[6], "ledger"), { disableValidation: true }),
    code: Transfer.TransferCode.make(text(reader, row[7], "code"), { disableValidation: true }),
    sourceReference: nullableText(reader, row[8], "source_reference"),
    flags: flags ?? Transfer.noFlags,
    timeoutSeconds: integer(reader, row[10], "timeout_seconds"),
    timestamp: integer(reader, row[11], "at")
  })
}

const toLot = (reader: Reader, row: Values): Lots.Lot =>
  Lots.unsafeMakeLot({
    id: Transfer.TransferId.make(text(reader, row[0], "id"), { disableValidation: true }),
    accountId: Account.AccountId.make(text(reader, row[1], "account_id"), { disableValidation: true }),
    ledger: Account.LedgerId.make(text(reader, row[2], "ledger"), { disableValidation: true }),
    amount: integer(reader, row[3], "amount"),
    remaining: integer(reader, row[4], "remaining"),
    timestamp: integer(reader, row[5], "at"),
    expiresAt: row[6] === null ? null : integer(reader, row[6], "expires_at")
  })

const malformedData = (operation: string, problem: string) =>
  new Errors.StorageError({ operation, reason: `stored data is malformed: ${problem}` })

/** Decodes rows of values; a malformed row is a `StorageError`. */
const decodeValues = <A>(
  operation: string,
  decode: (reader: Reader, row: Values) => A,
  rows: ReadonlyArray<Values>
): Effect.Effect<Array<A>, Errors.StorageError> => {
  const reader: Reader = { problem: null }
  const decoded: Array<A> = new Array(rows.length)
  for (let index = 0; index < rows.length; index++) decoded[index] = decode(reader, rows[index]!)
  return reader.problem === null ? Effect.succeed(decoded) : Effect.fail(malformedData(operation, reader.problem))
}

/** Runs a read of values (`sql\`…\`.values`) and decodes its rows; a failed statement is a `StorageError`. */
const decodeWith =
  <A>(operation: string, decode: (reader: Reader, row: Values) => A) =>
  (statement: Effect.Effect<ReadonlyArray<Values>, SqlError.SqlError>): Effect.Effect<Array<A>, Errors.StorageError> =>
    statement.pipe(
      Effect.mapError(toStorageError(operation)),
      Effect.flatMap((rows) => decodeValues(operation, decode, rows))
    )

/** A `json_agg` column of PostgreSQL's one-statement load: an array of rows, or null for none. */
const jsonRows = (reader: Reader, value: unknown, column: string): ReadonlyArray<Values> => {
  if (value === null) return []
  if (Array.isArray(value) && value.every(Array.isArray)) return value
  reader.problem ??= `${column} is not a list of rows`
  return []
}

const byId = <A extends { readonly id: string }>(a: A, b: A): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Lots in their key's order, so two batches insert keys in one order (and cannot deadlock). */
const byAccountThenId = (a: Lots.Lot, b: Lots.Lot): number =>
  a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : byId(a, b)

/** A unique key another transaction committed first (PostgreSQL: SQLSTATE 23505). */
const isUniqueViolation = (error: unknown): boolean => {
  if (!(error instanceof SqlError.SqlError)) return false
  const cause: unknown = error.cause
  return typeof cause === "object" && cause !== null && "code" in cause && cause.code === "23505"
}

/** How often a batch is decided again after losing a race on a new id. */
const raceRetries = 5

// --- the store ---------------------------------------------------------------------------------------

/**
 * `LedgerStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LedgerStore, never, SqlClient.SqlClient> = Layer.effect(
  LedgerStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
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
     * A write that may lose a race on a new id: on PostgreSQL it runs in a savepoint (or its own
     * transaction) and is decided again after a unique violation; SQLite has one writer at a time.
     */
    const write = <A, E>(
      operation: string,
      body: Effect.Effect<A, E | SqlError.SqlError>
    ): Effect.Effect<A, Exclude<E, SqlError.SqlError> | Errors.StorageError> =>
      transaction(
        sql,
        operation
      )(
        isPg
          ? sql
              .withTransaction(body)
              .pipe(Effect.retry({ schedule: Schedule.recurs(raceRetries), while: isUniqueViolation }))
          : body
      )

    const accountsWith = (operation: string, ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed<Array<Account.Account>>([])
        : sql`SELECT ${accountSelect} FROM ledger_account WHERE ${isAnyOf("id", ids)}`.values.pipe(
            decodeWith(operation, toAccount)
          )

    const transfersWith = (operation: string, ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed<Array<Transfer.Transfer>>([])
        : sql`SELECT ${transferSelect} FROM ledger_transfer WHERE ${isAnyOf("id", ids)}`.values.pipe(
            decodeWith(operation, toTransfer)
          )

    const createAccounts = <P extends Account.CreateAccountsPlan, E>(
      ids: ReadonlyArray<Account.AccountId>,
      decide: (stored: ReadonlyMap<string, Account.Account>) => Either.Either<P, E>
    ) =>
      write(
        "create accounts",
        Effect.gen(function* () {
          const stored = yield* accountsWith("create accounts", [...new Set(ids)])
          const plan = yield* decide(new Map(stored.map((account) => [account.id, account])))
          if (plan.accounts.length > 0) yield* insertAccounts([...plan.accounts].sort(byId).map(accountRow))
          return plan
        })
      )

    /** What `load` read, before it is arranged into a `Posting.PostingState`. */
    interface Loaded {
      readonly accounts: ReadonlyArray<Account.Account>
      readonly transfers: ReadonlyArray<Transfer.Transfer>
      readonly related: ReadonlyArray<Transfer.Transfer>
      readonly lots: ReadonlyArray<Lots.Lot>
      /** PostgreSQL: where each stored lot's row is (its `ctid`), to update it without a lookup. */
      readonly lotRows?: ReadonlyMap<string, string> | undefined
    }

    /**
     * SQLite: a few reads inside `BEGIN IMMEDIATE`, which already holds the write lock. Only the lots
     * the batch may consume are read (see `PostingRequest.lotAccountIds`): earning credits to
     * thousands of wallets load none.
     */
    const loadSqlite = (request: Posting.PostingRequest) =>
      Effect.gen(function* () {
        const operation = "post transfers"
        const transfers = yield* transfersWith(operation, [
          ...new Set([...request.transferIds, ...request.referencedIds])
        ])
        const referencedIds = new Set<string>(request.referencedIds)
        const accountIds = new Set<string>(request.accountIds)
        const lotAccounts = request.lotAccountIds === undefined ? null : new Set<string>(request.lotAccountIds)
        for (const transfer of transfers) {
          if (!referencedIds.has(transfer.id)) continue
          accountIds.add(transfer.debitAccountId)
          accountIds.add(transfer.creditAccountId)
          lotAccounts?.add(transfer.debitAccountId)
        }
        const accounts = yield* accountsWith(operation, [...accountIds])
        const related =
          request.referencedIds.length === 0
            ? []
            : yield* sql`SELECT ${transferSelect} FROM ledger_transfer
                  WHERE ${isAnyOf("pending_id", request.referencedIds)}
                  OR ${isAnyOf("reverses_id", request.referencedIds)}`.values.pipe(decodeWith(operation, toTransfer))
        const wallets = accounts
          .filter((account) => Account.isWallet(account.code) && (lotAccounts === null || lotAccounts.has(account.id)))
          .map((account) => account.id)
        const lots =
          wallets.length === 0
            ? []
            : yield* sql`SELECT ${lotSelect} FROM ledger_lot
                  WHERE ${isAnyOf("account_id", wallets)} AND remaining > 0`.values.pipe(decodeWith(operation, toLot))
        return { accounts, transfers, related, lots } satisfies Loaded
      })

    const jsonOf = (columns: string, prefix: string) =>
      sql.literal(
        `json_build_array(${columns
          .split(", ")
          .map((column) => `${prefix}.${column}`)
          .join(", ")})`
      )
    const accountJson = jsonOf(accountColumns, "a")
    const transferJson = jsonOf(transferColumns, "t")
    const lotJson = sql.literal(
      `json_build_array(${lotColumns
        .split(", ")
        .map((column) => `l.${column}`)
        .join(", ")}, l.ctid::text)`
    )
    const walletCodes = Account.AccountCode.literals.filter((code) => Account.isWallet(code))

    /**
     * PostgreSQL: one statement. It reads the referenced transfers, locks the rows of every account
     * the batch touches in id order (`FOR UPDATE`), and reads the batch's own transfers, the
     * resolutions and reversals of the referenced ones, and the open lots the batch may consume.
     *
     * Why that is as safe as locking first and reading after: in READ COMMITTED a statement reads
     * one snapshot, taken when it starts, but `FOR UPDATE` returns each row as last committed (after
     * waiting for its holder). So the statement also returns how many locked rows are the version its
     * snapshot saw (same `xmin`). Every write that changes what the batch decides on updates the row
     * of an account the batch has locked — a lot changes only with its wallet's posted balances, a
     * reversal or resolution with the referenced transfer's accounts — so when every locked row is
     * the version the snapshot saw, nothing the batch read has changed since, and while it holds the
     * locks nothing can. When one is not, another batch committed on these accounts after the
     * snapshot: the load runs again, now holding the locks, on a snapshot that includes that batch.
     * New transfers with the batch's ids are left to the primary keys (see the module doc).
     */
    const loadPg = (request: Posting.PostingRequest) => {
      const operation = "post transfers"
      const referencedIds = new Set<string>(request.referencedIds)
      const ownIds = request.transferIds.filter((id) => !referencedIds.has(id))
      const allLots = request.lotAccountIds === undefined
      // Each lookup by key is a LATERAL subquery kept from being flattened (OFFSET 0): an index probe
      // per id whatever the planner's row estimates, which on young tables favour scanning them.
      const once = sql`WITH referenced AS MATERIALIZED (
            SELECT t.* FROM unnest(${request.referencedIds}::text[]) AS q(id) CROSS JOIN LATERAL (
              SELECT ${transferSelect} FROM ledger_transfer WHERE id = q.id OFFSET 0) AS t
          ), wanted AS (
            SELECT unnest(${request.accountIds}::text[]) AS id
            UNION SELECT debit_account_id FROM referenced
            UNION SELECT credit_account_id FROM referenced
          ), locked AS MATERIALIZED (
            SELECT ${accountSelect}, xmin::text AS version FROM ledger_account
            WHERE id IN (SELECT id FROM wanted) ORDER BY id FOR UPDATE
          ), lot_accounts AS (
            SELECT a.id FROM locked AS a WHERE a.code = ANY(${walletCodes}::text[])
            AND (${allLots}::boolean OR a.id = ANY(${request.lotAccountIds ?? []}::text[])
              OR a.id IN (SELECT debit_account_id FROM referenced))
          )
          SELECT
            NOT EXISTS (SELECT 1 FROM locked AS l WHERE l.version IS DISTINCT FROM
              (SELECT seen.xmin::text FROM ledger_account AS seen WHERE seen.id = l.id)) AS fresh,
            (SELECT json_agg(${accountJson}) FROM locked AS a) AS accounts,
            (SELECT json_agg(${transferJson}) FROM referenced AS t) AS referenced,
            (SELECT json_agg(${transferJson}) FROM unnest(${ownIds}::text[]) AS q(id) CROSS JOIN LATERAL (
               SELECT ${transferSelect} FROM ledger_transfer WHERE id = q.id OFFSET 0) AS t) AS own,
            (SELECT json_agg(${transferJson}) FROM ledger_transfer AS t
               WHERE t.pending_id = ANY(${request.referencedIds}::text[])
               OR t.reverses_id = ANY(${request.referencedIds}::text[])) AS related,
            (SELECT json_agg(${lotJson}) FROM lot_accounts AS a CROSS JOIN LATERAL (
               SELECT ${lotSelect}, ctid FROM ledger_lot WHERE account_id = a.id AND remaining > 0 OFFSET 0) AS l) AS lots`.values.pipe(
        Effect.mapError(toStorageError(operation)),
        Effect.flatMap((rows) => {
          const row = rows[0] ?? []
          const reader: Reader = { problem: null }
          const fresh = row[0] === true
          const accounts = jsonRows(reader, row[1], "accounts").map((values) => toAccount(reader, values))
          const transfers = [
            ...jsonRows(reader, row[2], "referenced").map((values) => toTransfer(reader, values)),
            ...jsonRows(reader, row[3], "own").map((values) => toTransfer(reader, values))
          ]
          const related = jsonRows(reader, row[4], "related").map((values) => toTransfer(reader, values))
          const lotValues = jsonRows(reader, row[5], "lots")
          const lots = lotValues.map((values) => toLot(reader, values))
          // A lot's row stays where it is while the batch holds its wallet's lock: only a batch
          // holding that lock changes it.
          const lotRows = new Map<string, string>()
          for (const values of lotValues) lotRows.set(text(reader, values[0], "id"), text(reader, values[7], "ctid"))
          return reader.problem === null
            ? Effect.succeed({ fresh, loaded: { accounts, transfers, related, lots, lotRows } satisfies Loaded })
            : Effect.fail(malformedData(operation, reader.problem))
        })
      )
      return Effect.flatMap(once, (first) =>
        first.fresh ? Effect.succeed(first.loaded) : Effect.map(once, (second) => second.loaded)
      )
    }

    /** Loads what a batch is decided on (see `loadSqlite` and `loadPg`). */
    const load = (request: Posting.PostingRequest) =>
      Effect.map(isPg ? loadPg(request) : loadSqlite(request), (loaded: Loaded) => {
        const { accounts, transfers, related, lots, lotRows } = loaded
        const referencedIds = new Set<string>(request.referencedIds)
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
        const storedLotIds = new Set<string>()
        for (const lot of lots) {
          storedLotIds.add(lot.id)
          const list = lotsByAccount.get(lot.accountId)
          if (list === undefined) lotsByAccount.set(lot.accountId, [lot])
          else list.push(lot)
        }
        const accountMap = new Map<string, Account.Account>()
        for (const account of accounts) accountMap.set(account.id, account)
        const transferMap = new Map<string, Transfer.Transfer>()
        for (const transfer of transfers) transferMap.set(transfer.id, transfer)
        const state: Posting.PostingState = {
          accounts: accountMap,
          transfers: transferMap,
          resolutions,
          reversed,
          lots: lotsByAccount
        }
        return { state, storedLotIds, lotRows: lotRows ?? new Map<string, string>() }
      })

    /** What a plan writes, split by table; holds made and resolved in one batch leave no timed row. */
    const rowsOf = (plan: Posting.PostingPlan, storedLotIds: ReadonlySet<string>) => {
      const transfers = [...plan.transfers].sort(byId)
      const resolved: Array<string> = []
      const resolvedIds = new Set<string>()
      for (const transfer of transfers) {
        if (transfer.pendingId !== null) {
          resolved.push(transfer.pendingId)
          resolvedIds.add(transfer.pendingId)
        }
      }
      const timed: Array<TimedHoldRow> = []
      for (const transfer of transfers) {
        const due = Transfer.deadline(transfer)
        if (due !== null && !resolvedIds.has(transfer.id)) {
          timed.push({ id: transfer.id, ledger: transfer.ledger, deadline: due })
        }
      }
      const created: Array<Lots.Lot> = []
      const changed: Array<Lots.Lot> = []
      for (const lot of plan.lots) (storedLotIds.has(lot.id) ? changed : created).push(lot)
      created.sort(byAccountThenId)
      return { transfers, timed, resolved, created, changed }
    }

    // SQLite: one multi-row statement per table; PostgreSQL: one statement for the whole plan, each
    // table's rows bound as one array parameter per column (data-modifying CTEs run exactly once).
    const saveSqlite = (plan: Posting.PostingPlan, storedLotIds: ReadonlySet<string>) =>
      Effect.gen(function* () {
        const { transfers, timed, resolved, created, changed } = rowsOf(plan, storedLotIds)
        if (transfers.length > 0) yield* insertTransfers(transfers.map(transferRow))
        if (timed.length > 0) yield* insertTimedHolds(timed)
        if (resolved.length > 0) yield* sql`DELETE FROM ledger_timed_hold WHERE ${isAnyOf("id", resolved)}`
        const accounts = plan.accounts
        if (accounts.length > 0) {
          yield* sql`WITH d AS (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS dp,
                json_extract(value, '$[2]') AS dpo, json_extract(value, '$[3]') AS cp,
                json_extract(value, '$[4]') AS cpo
                FROM json_each(${JSON.stringify(
                  accounts.map((a) => [a.id, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted])
                )}))
              UPDATE ledger_account SET debits_pending = d.dp, debits_posted = d.dpo,
                credits_pending = d.cp, credits_posted = d.cpo
              FROM d WHERE ledger_account.id = d.id`
        }
        if (created.length > 0) yield* insertLots(created.map(lotRow))
        if (changed.length > 0) {
          yield* sql`WITH d AS (SELECT json_extract(value, '$[0]') AS account_id, json_extract(value, '$[1]') AS id,
                json_extract(value, '$[2]') AS remaining
                FROM json_each(${JSON.stringify(changed.map((lot) => [lot.accountId, lot.id, lot.remaining]))}))
              UPDATE ledger_lot SET remaining = d.remaining FROM d
              WHERE ledger_lot.account_id = d.account_id AND ledger_lot.id = d.id`
        }
      })

    const savePg = (
      plan: Posting.PostingPlan,
      storedLotIds: ReadonlySet<string>,
      lotRows: ReadonlyMap<string, string>
    ) => {
      const { transfers, timed, resolved, created, changed } = rowsOf(plan, storedLotIds)
      const accounts = plan.accounts
      if (transfers.length === 0 && accounts.length === 0 && created.length === 0 && changed.length === 0) {
        return Effect.void
      }
      const column = <A, B>(rows: ReadonlyArray<A>, f: (row: A) => B): Array<B> => rows.map(f)
      const operation = "post transfers"
      return sql`WITH new_transfers AS (
            INSERT INTO ledger_transfer (${sql.literal(transferColumns)})
            SELECT * FROM unnest(${column(transfers, (t) => t.id)}::text[],
              ${column(transfers, (t) => t.debitAccountId)}::text[], ${column(transfers, (t) => t.creditAccountId)}::text[],
              ${column(transfers, (t) => t.amount)}::bigint[], ${column(transfers, (t) => t.pendingId)}::text[],
              ${column(transfers, (t) => t.reversesId)}::text[], ${column(transfers, (t) => t.ledger)}::text[],
              ${column(transfers, (t) => t.code)}::text[], ${column(transfers, (t) => t.sourceReference)}::text[],
              ${column(transfers, (t) => transferFlagBits(t.flags))}::int[],
              ${column(transfers, (t) => t.timeoutSeconds)}::int[], ${column(transfers, (t) => t.timestamp)}::bigint[])
          ), new_timed_holds AS (
            INSERT INTO ledger_timed_hold (id, ledger, deadline)
            SELECT * FROM unnest(${column(timed, (h) => h.id)}::text[], ${column(timed, (h) => h.ledger)}::text[],
              ${column(timed, (h) => h.deadline)}::bigint[])
          ), resolved_holds AS (
            DELETE FROM ledger_timed_hold WHERE id = ANY(${resolved}::text[])
          ), new_lots AS (
            INSERT INTO ledger_lot (${sql.literal(lotColumns)})
            SELECT * FROM unnest(${column(created, (l) => l.id)}::text[], ${column(created, (l) => l.accountId)}::text[],
              ${column(created, (l) => l.ledger)}::text[], ${column(created, (l) => l.amount)}::bigint[],
              ${column(created, (l) => l.remaining)}::bigint[], ${column(created, (l) => l.timestamp)}::bigint[],
              ${column(created, (l) => l.expiresAt)}::bigint[])
          ), changed_lots AS (
            UPDATE ledger_lot AS l SET remaining = d.remaining
            FROM unnest(${column(changed, (l) => lotRows.get(l.id) ?? null)}::tid[],
              ${column(changed, (l) => l.remaining)}::bigint[]) AS d(row, remaining)
            WHERE l.ctid = d.row
            RETURNING 1
          ), balances AS (
            UPDATE ledger_account AS a SET debits_pending = d.dp, debits_posted = d.dpo,
              credits_pending = d.cp, credits_posted = d.cpo
            FROM unnest(${column(accounts, (a) => a.id)}::text[], ${column(accounts, (a) => a.debitsPending)}::bigint[],
              ${column(accounts, (a) => a.debitsPosted)}::bigint[], ${column(accounts, (a) => a.creditsPending)}::bigint[],
              ${column(accounts, (a) => a.creditsPosted)}::bigint[]) AS d(id, dp, dpo, cp, cpo)
            WHERE a.id = d.id
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM changed_lots) AS lots, (SELECT count(*) FROM balances) AS accounts`.values.pipe(
        // A unique violation stays a SqlError: \`write\` decides the batch again after one.
        Effect.flatMap((rows) => {
          const [lots, balances] = rows[0] ?? []
          // Every changed row must have been found where it was loaded; otherwise roll back.
          return Number(lots) === changed.length && Number(balances) === accounts.length
            ? Effect.void
            : Effect.fail(
                new Errors.StorageError({
                  operation,
                  reason: `wrote ${String(lots)} of ${changed.length} lots and ${String(balances)} of ${accounts.length} balances`
                })
              )
        })
      )
    }

    const post = <P extends Posting.PostingPlan, E>(
      request: Posting.PostingRequest,
      decide: (state: Posting.PostingState) => Either.Either<P, E>
    ) =>
      write(
        "post transfers",
        Effect.gen(function* () {
          const { state, storedLotIds, lotRows } = yield* load(request)
          const plan = yield* decide(state)
          yield* isPg ? savePg(plan, storedLotIds, lotRows) : saveSqlite(plan, storedLotIds)
          return plan
        })
      )

    const after = (cursor: Cursor | undefined) =>
      cursor === undefined ? sql.literal("1 = 1") : sql`(at, id) > (${cursor.timestamp}, ${cursor.id})`

    return LedgerStore.of({
      createAccounts,
      post,
      accounts: (ids) => accountsWith("read accounts", [...new Set(ids)]),
      accountPage: (options) =>
        sql`SELECT ${accountSelect} FROM ledger_account
                 WHERE ${options.after === undefined ? sql.literal("1 = 1") : sql`id > ${options.after}`}
                 ORDER BY id LIMIT ${options.limit}`.values.pipe(decodeWith("read accounts", toAccount)),
      transfers: (ids) => transfersWith("read transfers", [...new Set(ids)]),
      history: (query) => {
        const conditions = [
          after(query.after),
          query.until === undefined ? sql.literal("1 = 1") : sql`at <= ${query.until}`
        ]
        // One index per side, each read in order and cut at the limit, then merged: a transfer never
        // debits and credits one account, so no row is seen twice.
        return sql`SELECT * FROM (SELECT ${transferSelect} FROM ledger_transfer
                   WHERE debit_account_id = ${query.accountId} AND ${sql.and(conditions)}
                   ORDER BY at, id LIMIT ${query.limit}) AS debits
                 UNION ALL
                 SELECT * FROM (SELECT ${transferSelect} FROM ledger_transfer
                   WHERE credit_account_id = ${query.accountId} AND ${sql.and(conditions)}
                   ORDER BY at, id LIMIT ${query.limit}) AS credits
                 ORDER BY at, id LIMIT ${query.limit}`.values.pipe(decodeWith("account history", toTransfer))
      },
      transferPage: (options) =>
        sql`SELECT ${transferSelect} FROM ledger_transfer WHERE ${after(options.after)}
                 ORDER BY at, id LIMIT ${options.limit}`.values.pipe(decodeWith("read transfers", toTransfer)),
      lots: (accountIds) =>
        accountIds.length === 0
          ? Effect.succeed([])
          : sql`SELECT ${lotSelect} FROM ledger_lot WHERE ${isAnyOf("account_id", [...new Set(accountIds)])}`.values.pipe(
              decodeWith("read lots", toLot),
              Effect.map((lots) => lots.sort(Lots.order))
            ),
      expiringAccounts: (options) =>
        sql`SELECT DISTINCT account_id FROM ledger_lot
                 WHERE ledger = ${options.ledger} AND remaining > 0 AND expires_at IS NOT NULL
                 AND expires_at <= ${options.at}
                 AND ${options.after === undefined ? sql.literal("1 = 1") : sql`account_id > ${options.after}`}
                 ORDER BY account_id LIMIT ${options.limit}`.values.pipe(
          decodeWith("expiring accounts", (reader, row) =>
            Account.AccountId.make(text(reader, row[0], "account_id"), { disableValidation: true })
          )
        ),
      dueHolds: (options) =>
        sql`SELECT ${sql.literal(
          transferColumns
            .split(", ")
            .map((column) => `t.${column}`)
            .join(", ")
        )}
                 FROM ledger_timed_hold AS h JOIN ledger_transfer AS t ON t.id = h.id
                 WHERE h.ledger = ${options.ledger} AND h.deadline <= ${options.at}
                 ORDER BY h.deadline, h.id LIMIT ${options.limit}`.values.pipe(decodeWith("due holds", toTransfer))
    })
  })
)
