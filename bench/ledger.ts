// `pnpm bench ledger`: the points ledger. Three figures:
//
// 1. SQLite: 100,000 transfers (70% earnings from the budget to 10,000 resident wallets, 30%
//    redemptions from the wallets to 20 merchants) posted in batches of 1,000 through the SDK
//    (`Ledger.createTransfers`, one call and one transaction per batch) against raw better-sqlite3
//    doing the per-row SQL by hand: per transfer one INSERT and two balance UPDATEs, 1,000 per
//    `BEGIN IMMEDIATE` transaction, prepared statements. Both files have the SDK's schema (WAL,
//    synchronous=FULL) and the same accounts and seed. The SDK also decodes and validates every
//    input, checks ids for retries, applies the limits, writes the lots (one per wallet credit;
//    redemptions consume them) and appends one audit entry per batch; the baseline does none of
//    that.
// 2. PostgreSQL: the same transfers through the SDK on a schema of its own against raw pg posting
//    set-based on another: per batch one transaction with one INSERT … SELECT FROM unnest(…) of the
//    transfers and one UPDATE … FROM unnest(…) of the net balance changes.
// 3. A year of the programme for 200,000 residents on SQLite through the SDK (see `yearOf`): wall
//    time, transfers per second, peak memory.
// SDK and baseline runs alternate, so load from elsewhere on the machine hits both sides.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Actor } from "@sortgrid/core"
import { Account, Ledger, Lots } from "@sortgrid/ledger"
import { Sortgrid } from "@sortgrid/sdk"
import * as PostgresSchema from "@sortgrid/testkit/PostgresSchema"
import Database from "better-sqlite3"
import { Clock, Effect, type Layer, ManagedRuntime, Redacted } from "effect"
import Pg from "pg"
import { type Result, rate } from "./harness.js"

const ledgerId = "bench"
const total = 100_000
const batchSize = 1_000
const runs = Number(process.env.LEDGER_BENCH_RUNS ?? 3)
const wallets = 10_000
const merchants = 20
const operator = new Actor.Actor({
  id: Actor.ActorId.make("bench-operator"),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})
const policy = Lots.Policy.make({ lifetimeDays: 365, expiredAccountId: Account.AccountId.make("expired") })

const walletId = (i: number) => `w${String(i).padStart(6, "0")}`

/** A clock stopped at one instant: what the service reads as "now". */
const clockAt = (millis: number): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => millis,
  currentTimeMillis: Effect.succeed(millis),
  unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
  currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
  sleep: () => Effect.void
})

type Runtime = ManagedRuntime.ManagedRuntime<Ledger.Ledger, never>

const open = (store: string, lifetimeDays = 365): Runtime =>
  ManagedRuntime.make(
    Sortgrid.layer({
      store,
      ledger: {
        policies: new Map([[ledgerId, lifetimeDays === 365 ? policy : Lots.Policy.make({ ...policy, lifetimeDays })]])
      }
    }) as Layer.Layer<Ledger.Ledger, never>
  )

const call = <A, E>(runtime: Runtime, f: (ledger: Ledger.Ledger) => Effect.Effect<A, E>, at?: number) =>
  runtime.runPromise(
    Effect.flatMap(Ledger.Ledger, f).pipe(
      at === undefined ? (effect) => effect : Effect.withClock(clockAt(at)),
      Effect.orDie
    )
  )

const chunk = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** The accounts, the budget funded, and 1,000 points in every wallet (not timed). */
const seed = async (runtime: Runtime, residents: number) => {
  await call(runtime, (ledger) =>
    ledger.createAccounts(operator, [
      { id: "reserve", ledger: ledgerId, code: "reserve" },
      { id: "budget", ledger: ledgerId, code: "programme-budget" },
      { id: "expired", ledger: ledgerId, code: "expired" },
      ...Array.from({ length: merchants }, (_, i) => ({ id: `m${i}`, ledger: ledgerId, code: "merchant" }))
    ])
  )
  for (const ids of chunk(
    Array.from({ length: residents }, (_, i) => walletId(i)),
    5_000
  )) {
    await call(runtime, (ledger) =>
      ledger.createAccounts(
        operator,
        ids.map((id) => ({ id, ledger: ledgerId, code: "resident-wallet", ownerReference: `resident-${id}` }))
      )
    )
  }
  await call(runtime, (ledger) =>
    ledger.createTransfers(operator, [
      {
        id: "fund",
        debitAccountId: "reserve",
        creditAccountId: "budget",
        amount: 1_000_000_000_000,
        ledger: ledgerId,
        code: "fund-allocation"
      }
    ])
  )
}

const seedWallets = async (runtime: Runtime) => {
  for (const ids of chunk(
    Array.from({ length: wallets }, (_, i) => walletId(i)),
    batchSize
  )) {
    await call(runtime, (ledger) =>
      ledger.createTransfers(
        operator,
        ids.map((id) => ({
          id: `seed-${id}`,
          debitAccountId: "budget",
          creditAccountId: id,
          amount: 1_000,
          ledger: ledgerId,
          code: "correct-sorting"
        }))
      )
    )
  }
}

// --- the posted transfers ------------------------------------------------------------------------

interface Row {
  readonly id: string
  readonly debitAccountId: string
  readonly creditAccountId: string
  readonly amount: number
  readonly ledger: string
  readonly code: string
}

/** Run `run`'s 100,000 transfers: 70% earnings, 30% redemptions, over the wallets. */
const transfersOf = (run: number): ReadonlyArray<Row> =>
  Array.from({ length: total }, (_, i) => {
    const wallet = walletId((i * 7_919) % wallets)
    const id = `t${run}-${String(i).padStart(6, "0")}`
    return i % 10 < 7
      ? {
          id,
          debitAccountId: "budget",
          creditAccountId: wallet,
          amount: 5 + (i % 10),
          ledger: ledgerId,
          code: "correct-sorting"
        }
      : {
          id,
          debitAccountId: wallet,
          creditAccountId: `m${i % merchants}`,
          amount: 3,
          ledger: ledgerId,
          code: "redemption"
        }
  })

const sdkPost = async (runtime: Runtime, run: number) => {
  const batches = chunk(transfersOf(run), batchSize)
  const start = performance.now()
  for (const batch of batches) {
    const outcomes = await call(runtime, (ledger) => ledger.createTransfers(operator, batch))
    if (outcomes.some((outcome) => outcome.result !== "Ok")) throw new Error("a bench transfer was refused")
  }
  return performance.now() - start
}

const rawSqlitePost = (db: Database.Database, run: number) => {
  const insert = db.prepare(
    `INSERT INTO ledger_transfer (id, debit_account_id, credit_account_id, amount, pending_id, reverses_id, ledger,
       code, source_reference, flags, timeout_seconds, at) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, NULL, 0, 0, ?)`
  )
  const debit = db.prepare("UPDATE ledger_account SET debits_posted = debits_posted + ? WHERE id = ?")
  const credit = db.prepare("UPDATE ledger_account SET credits_posted = credits_posted + ? WHERE id = ?")
  const postBatch = db.transaction((batch: ReadonlyArray<Row>) => {
    const at = Date.now()
    for (const t of batch) {
      insert.run(t.id, t.debitAccountId, t.creditAccountId, t.amount, t.ledger, t.code, at)
      debit.run(t.amount, t.debitAccountId)
      credit.run(t.amount, t.creditAccountId)
    }
  })
  const batches = chunk(transfersOf(run), batchSize)
  const start = performance.now()
  for (const batch of batches) postBatch.immediate(batch)
  return performance.now() - start
}

const median = (times: Array<number>) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!

const sqliteFigure = async (): Promise<Result> => {
  const dir = mkdtempSync(join(tmpdir(), "sortgrid-bench-ledger-"))
  try {
    const sdkFile = join(dir, "sdk.db")
    const rawFile = join(dir, "raw.db")
    const sdk = open(`sqlite:${sdkFile}`)
    await seed(sdk, wallets)
    await seedWallets(sdk)
    // The baseline's file: the SDK's schema, accounts and seed, then closed and left to raw SQL.
    const prepared = open(`sqlite:${rawFile}`)
    await seed(prepared, wallets)
    await seedWallets(prepared)
    await prepared.dispose()
    const db = new Database(rawFile)
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = FULL")
    // The store's own settings (store-sqlite's SqliteStore), so both sides run with the same durability
    // and the same page cache.
    db.pragma("cache_size = -65536")
    db.pragma("busy_timeout = 5000")
    db.pragma("foreign_keys = ON")
    const sdkTimes: Array<number> = []
    const rawTimes: Array<number> = []
    for (let run = 0; run < runs; run++) {
      sdkTimes.push(await sdkPost(sdk, run))
      rawTimes.push(rawSqlitePost(db, run))
    }
    await sdk.dispose()
    db.close()
    return rate(
      `post ${total.toLocaleString("en-US")} transfers in batches of ${batchSize} (SQLite, WAL, synchronous=FULL) vs raw per-row SQL`,
      "transfers/s",
      total,
      median(sdkTimes),
      median(rawTimes)
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// --- PostgreSQL -----------------------------------------------------------------------------------

const schemaName = (side: string) => `sg_bench_ledger_${side}_${process.pid}`

const pgUrl = (schema: string) => {
  const url = new URL(Redacted.value(PostgresSchema.testUrl))
  url.searchParams.set("schema", schema)
  return url.toString()
}

const rawPgPost = async (client: Pg.Client, run: number) => {
  const batches = chunk(transfersOf(run), batchSize)
  const start = performance.now()
  for (const batch of batches) {
    const deltas = new Map<string, { debits: number; credits: number }>()
    for (const t of batch) {
      const d = deltas.get(t.debitAccountId) ?? { debits: 0, credits: 0 }
      d.debits += t.amount
      deltas.set(t.debitAccountId, d)
      const c = deltas.get(t.creditAccountId) ?? { debits: 0, credits: 0 }
      c.credits += t.amount
      deltas.set(t.creditAccountId, c)
    }
    const at = Date.now()
    await client.query("BEGIN")
    await client.query(
      `INSERT INTO ledger_transfer (id, debit_account_id, credit_account_id, amount, pending_id, reverses_id, ledger,
         code, source_reference, flags, timeout_seconds, at)
       SELECT id, d, c, a, NULL, NULL, l, code, NULL, 0, 0, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS u(id, d, c, a, l, code)`,
      [
        batch.map((t) => t.id),
        batch.map((t) => t.debitAccountId),
        batch.map((t) => t.creditAccountId),
        batch.map((t) => t.amount),
        batch.map((t) => t.ledger),
        batch.map((t) => t.code),
        at
      ]
    )
    const ids = [...deltas.keys()].sort()
    await client.query(
      `UPDATE ledger_account AS a SET debits_posted = a.debits_posted + u.d, credits_posted = a.credits_posted + u.c
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(id, d, c) WHERE a.id = u.id`,
      [ids, ids.map((id) => deltas.get(id)!.debits), ids.map((id) => deltas.get(id)!.credits)]
    )
    await client.query("COMMIT")
  }
  return performance.now() - start
}

const postgresFigure = async (): Promise<Result> => {
  const sdkSchema = schemaName("sdk")
  const rawSchema = schemaName("raw")
  const admin = new Pg.Client({ connectionString: Redacted.value(PostgresSchema.testUrl) })
  await admin.connect()
  const drop = async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${sdkSchema} CASCADE`)
    await admin.query(`DROP SCHEMA IF EXISTS ${rawSchema} CASCADE`)
  }
  await drop()
  try {
    const sdk = open(pgUrl(sdkSchema))
    await seed(sdk, wallets)
    await seedWallets(sdk)
    const prepared = open(pgUrl(rawSchema))
    await seed(prepared, wallets)
    await seedWallets(prepared)
    await prepared.dispose()
    const client = new Pg.Client({
      connectionString: Redacted.value(PostgresSchema.testUrl),
      options: `-c search_path=${rawSchema}`
    })
    await client.connect()
    const sdkTimes: Array<number> = []
    const rawTimes: Array<number> = []
    for (let run = 0; run < runs; run++) {
      sdkTimes.push(await sdkPost(sdk, run))
      rawTimes.push(await rawPgPost(client, run))
    }
    await sdk.dispose()
    await client.end()
    return rate(
      `post ${total.toLocaleString("en-US")} transfers in batches of ${batchSize} (PostgreSQL) vs raw set-based SQL`,
      "transfers/s",
      total,
      median(sdkTimes),
      median(rawTimes)
    )
  } finally {
    await drop()
    await admin.end()
  }
}

// --- a year ---------------------------------------------------------------------------------------

/**
 * The rates of the simulated year, per resident: a reward for correct sorting on 4% of days
 * (about 15 a year: inspectors reward a household's sorting, and a household's points are spread
 * over its residents' wallets), a volunteering or event reward on 0.5% of days, and a redemption
 * about every three months — a hold at the counter, posted on hand-over the same day (one in ten
 * cancelled and voided instead). Points live 180 days; the expiry run goes every Sunday.
 */
const yearRates = { sorting: 0.04, volunteering: 0.005, redemption: 4 / 365, voided: 0.1 } as const
const residents = Number(process.env.LEDGER_BENCH_RESIDENTS ?? 200_000)
const dayMillis = 86_400_000
/** 1 January 2023, 08:00 Beijing time. */
const yearStart = Date.UTC(2023, 0, 1, 0)

const random = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** The year through the SDK; returns the transfers it stored and the seconds it took. */
const yearOf = async () => {
  const dir = mkdtempSync(join(tmpdir(), "sortgrid-bench-year-"))
  try {
    const runtime = open(`sqlite:${join(dir, "year.db")}`, 180)
    await seed(runtime, residents)
    const next = random(2023)
    const balance = new Float64Array(residents)
    let transfers = 0
    let expired = 0
    let refused = 0
    const start = performance.now()
    for (let day = 0; day < 365; day++) {
      const morning = yearStart + day * dayMillis
      const earnings: Array<Row> = []
      const holds: Array<Row & { readonly flags: { readonly pending: true }; readonly timeoutSeconds: number }> = []
      for (let r = 0; r < residents; r++) {
        const roll = next()
        if (roll < yearRates.sorting || roll > 1 - yearRates.volunteering) {
          const amount = roll < yearRates.sorting ? 10 : 50
          earnings.push({
            id: `e${day}-${r}`,
            debitAccountId: "budget",
            creditAccountId: walletId(r),
            amount,
            ledger: ledgerId,
            code: roll < yearRates.sorting ? "correct-sorting" : "duty-volunteering"
          })
        } else if (roll > yearRates.sorting && roll < yearRates.sorting + yearRates.redemption && balance[r]! >= 20) {
          const amount = 20 + 10 * Math.floor(next() * Math.min(8, balance[r]! / 10 - 1))
          holds.push({
            id: `h${day}-${r}`,
            debitAccountId: walletId(r),
            creditAccountId: `m${r % merchants}`,
            amount,
            ledger: ledgerId,
            code: "redemption",
            flags: { pending: true },
            timeoutSeconds: 3_600
          })
        }
      }
      for (const batch of chunk(earnings, batchSize)) {
        const outcomes = await call(runtime, (ledger) => ledger.createTransfers(operator, batch), morning)
        transfers += outcomes.filter((outcome) => outcome.result === "Ok").length
      }
      const accepted: Array<(typeof holds)[number]> = []
      for (const batch of chunk(holds, batchSize)) {
        const outcomes = await call(runtime, (ledger) => ledger.createTransfers(operator, batch), morning + 3_600_000)
        outcomes.forEach((outcome, i) => {
          if (outcome.result === "Ok") accepted.push(batch[i]!)
          else refused++
        })
        transfers += outcomes.filter((outcome) => outcome.result === "Ok").length
      }
      const resolutions = accepted.map((hold, i) =>
        i % Math.round(1 / yearRates.voided) === 0
          ? { id: `${hold.id}-void`, pendingId: hold.id, flags: { voidPending: true } }
          : { id: `${hold.id}-post`, pendingId: hold.id, flags: { postPending: true } }
      )
      for (const batch of chunk(resolutions, batchSize)) {
        const outcomes = await call(runtime, (ledger) => ledger.createTransfers(operator, batch), morning + 4_000_000)
        transfers += outcomes.filter((outcome) => outcome.result === "Ok").length
      }
      // The simulation tracks balances roughly (to pick affordable redemptions); the ledger decides.
      for (const earning of earnings) balance[Number(earning.creditAccountId.slice(1))]! += earning.amount
      accepted.forEach((hold, i) => {
        if (i % Math.round(1 / yearRates.voided) !== 0) balance[Number(hold.debitAccountId.slice(1))]! -= hold.amount
      })
      if (day % 30 === 29) {
        const rss = Math.round(process.memoryUsage().rss / 1_048_576)
        const elapsed = ((performance.now() - start) / 1000).toFixed(0)
        console.error(`  year: day ${day + 1}, ${transfers} transfers, ${elapsed} s, RSS ${rss} MiB`)
      }
      if (new Date(morning).getUTCDay() === 0) {
        const run = await call(
          runtime,
          (ledger) => ledger.expire(operator, Account.LedgerId.make(ledgerId)),
          morning + 80_000_000
        )
        const count = run.expired.filter((outcome) => outcome.result === "Ok").length
        expired += count
        transfers += count
        for (const outcome of run.expired) {
          if (outcome.transfer !== null)
            balance[Number(outcome.transfer.debitAccountId.slice(1))]! -= outcome.transfer.amount
        }
      }
    }
    const seconds = (performance.now() - start) / 1000
    const reconcile = await call(runtime, (ledger) => ledger.reconcile(operator))
    await runtime.dispose()
    if (reconcile.drifts.length > 0) throw new Error(`the year drifted: ${reconcile.drifts.length} accounts`)
    return { transfers: reconcile.transfers, posted: transfers, expired, refused, seconds }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const run = async (): Promise<ReadonlyArray<Result>> => {
  // LEDGER_BENCH_ONLY: one part, or several separated by commas (sqlite,postgres).
  const only = process.env.LEDGER_BENCH_ONLY?.split(",")
  const results: Array<Result> = []
  if (only === undefined || only.includes("sqlite")) results.push(await sqliteFigure())
  if (only === undefined || only.includes("postgres")) results.push(await postgresFigure())
  if (only === undefined || only.includes("year")) {
    const year = await yearOf()
    const perSecond = Number((year.transfers / year.seconds).toPrecision(4))
    const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024)
    console.log(
      `a year for ${residents.toLocaleString("en-US")} residents: ${year.transfers.toLocaleString("en-US")} transfers ` +
        `(${year.expired} expiry, ${year.refused} holds refused) in ${year.seconds.toFixed(0)} s, peak RSS ${peakMiB} MiB`
    )
    results.push(
      {
        name: `a year for ${residents} residents (SQLite): seconds`,
        unit: "s",
        sdk: Math.round(year.seconds),
        baseline: 0,
        ratio: 0
      },
      {
        name: `a year for ${residents} residents (SQLite): transfers/s`,
        unit: "transfers/s",
        sdk: perSecond,
        baseline: 0,
        ratio: 0
      },
      {
        name: `a year for ${residents} residents (SQLite): transfers`,
        unit: "transfers",
        sdk: year.transfers,
        baseline: 0,
        ratio: 0
      },
      { name: "a year: peak RSS of the bench process", unit: "MiB", sdk: peakMiB, baseline: 0, ratio: 0 }
    )
  }
  return results
}
