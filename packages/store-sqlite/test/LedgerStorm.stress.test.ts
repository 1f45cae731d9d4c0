// The points ledger on one SQLite file shared by several OS processes:
// - redemption storm: 10,000 redemption attempts (direct, held then posted, posted in part, voided,
//   left open, linked pairs) against 100 wallets from 4 processes at once;
// - idempotency storm: 2,000 requests each sent 5 times, in different batches, from 4 processes;
// - crash test: a writer posting batches is killed with SIGKILL at 200 random instants.
// What is stored is judged from the file itself (raw SQL) and by LedgerSuite's invariants.
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { LedgerSuite, TempDirectory } from "@sortgrid/testkit"
import * as LedgerStorm from "@sortgrid/testkit/LedgerStorm"
import Database from "better-sqlite3"
import { Effect } from "effect"
import { SqliteStore } from "../src/index.js"
import { packageDir, verifyFile } from "./processes.js"

const here = fileURLToPath(new URL(".", import.meta.url))
const workerFile = join(here, "ledger-storm-worker.ts")
const processes = 4

const services = (filename: string) => LedgerStorm.services(SqliteStore.layer({ filename }))

/** Creates the storm's accounts and funds the wallets, in this process. */
const prepare = (filename: string) => Effect.provide(LedgerStorm.setUp(), services(filename))

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.on("exit", (code) => resolve(code))
  })

/** Runs the storm's workers, starts them together once all have loaded, and gathers their calls. */
const storm = (mode: "redeem" | "idempotent", filename: string, dir: string) =>
  Effect.promise(async () => {
    const children = Array.from({ length: processes }, (_, me) => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=sortgrid-source",
          workerFile,
          mode,
          filename,
          String(me),
          String(processes),
          join(dir, `${mode}-${me}.json`)
        ],
        { cwd: packageDir, stdio: ["ignore", "inherit", "pipe", "ipc"] }
      )
      let stderr = ""
      child.stderr?.on("data", (chunk) => {
        stderr += String(chunk)
      })
      const ready = new Promise<void>((resolve) => child.on("message", (message) => message === "ready" && resolve()))
      return { child, ready, stderr: () => stderr }
    })
    await Promise.all(children.map((worker) => worker.ready))
    for (const worker of children) worker.child.send("go")
    const codes = await Promise.all(children.map((worker) => exited(worker.child)))
    expect(codes, children.map((worker) => worker.stderr()).join("\n")).toEqual(children.map(() => 0))
    return children.flatMap(
      (_, me): ReadonlyArray<LedgerStorm.Call> => JSON.parse(readFileSync(join(dir, `${mode}-${me}.json`), "utf8"))
    )
  })

const resultCounts = (calls: ReadonlyArray<LedgerStorm.Call>) => {
  const counts: Record<string, number> = {}
  for (const call of calls) {
    for (const result of call.results ?? [`error:${call.error ?? "defect"}`]) counts[result] = (counts[result] ?? 0) + 1
  }
  return counts
}

const okIds = (calls: ReadonlyArray<LedgerStorm.Call>) =>
  calls.flatMap((call) => call.ids.filter((_, i) => call.results?.[i] === "Ok"))

/** Flagged accounts beyond their limit, read from the file. */
const overdrawn = (db: Database.Database) =>
  db
    .prepare(
      `SELECT count(*) AS n FROM ledger_account
       WHERE ((flags & 1) = 1 AND debits_posted + debits_pending > credits_posted)
       OR ((flags & 2) = 2 AND credits_posted + credits_pending > debits_posted)
       OR debits_posted < 0 OR credits_posted < 0 OR debits_pending < 0 OR credits_pending < 0`
    )
    .pluck()
    .get()

const withFile = <A>(filename: string, read: (db: Database.Database) => A): A => {
  const db = new Database(filename)
  try {
    return read(db)
  } finally {
    db.close()
  }
}

describe("the points ledger on SQLite under stress", () => {
  it.scoped(
    "redemption storm: 10,000 attempts against 100 wallets from 4 processes leave no wallet overdrawn",
    () =>
      Effect.gen(function* () {
        const dir = yield* TempDirectory.make()
        const filename = join(dir, "redeem.db")
        yield* prepare(filename)
        const calls = yield* storm("redeem", filename, dir)
        const counts = resultCounts(calls)
        console.info(`redemption storm on sqlite: ${calls.length} calls, ${JSON.stringify(counts)}`)
        // Every failure is a result code or a typed error: no driver error reached a caller.
        expect(calls.filter((call) => call.defect !== null)).toEqual([])
        expect(calls.filter((call) => call.error !== null)).toEqual([])
        // Each attempt made its calls: 10,000 first calls, and a second for each accepted hold
        // (except those left open).
        const attempts = LedgerStorm.attempts(10_000)
        expect(calls.filter((call) => /^r\d{5}(-a|-hold)?$/.test(call.ids[0]!)).length).toBe(attempts.length)
        // The limit was hit again and again, and was never passed.
        expect(counts.ExceedsCredits ?? 0).toBeGreaterThan(1_000)
        expect(counts.Ok ?? 0).toBeGreaterThan(1_000)
        const stored = withFile(filename, (db) => {
          expect(overdrawn(db)).toBe(0)
          return db.prepare("SELECT id FROM ledger_transfer WHERE id LIKE 'r%' ORDER BY id").pluck().all()
        })
        expect(stored).toEqual(okIds(calls).sort())
        const totals = yield* Effect.provide(LedgerSuite.invariants, services(filename))
        expect(totals.transfers).toBe(stored.length + 101)
        expect(yield* verifyFile(filename)).toMatchObject({ _tag: "Intact" })
      }),
    600_000
  )

  it.scoped(
    "idempotency storm: 2,000 requests each sent 5 times from 4 processes are stored exactly once",
    () =>
      Effect.gen(function* () {
        const dir = yield* TempDirectory.make()
        const filename = join(dir, "idempotent.db")
        yield* prepare(filename)
        const calls = yield* storm("idempotent", filename, dir)
        const counts = resultCounts(calls)
        console.info(`idempotency storm on sqlite: ${calls.length} calls, ${JSON.stringify(counts)}`)
        expect(calls.filter((call) => call.defect !== null || call.error !== null)).toEqual([])
        // Every send is answered as the first success was: Ok once, Exists four times.
        expect(counts).toEqual({ Ok: 2_000, Exists: 8_000 })
        expect(new Set(okIds(calls)).size).toBe(2_000)
        const stored = withFile(filename, (db) => {
          expect(overdrawn(db)).toBe(0)
          return db.prepare("SELECT count(*) FROM ledger_transfer WHERE id LIKE 'q%'").pluck().get()
        })
        expect(stored).toBe(2_000)
        const totals = yield* Effect.provide(LedgerSuite.invariants, services(filename))
        expect(totals.transfers).toBe(2_000 + 101)
      }),
    600_000
  )

  it.scoped(
    "crash test: a writer killed at 200 random instants leaves an intact file, whole batches, and every reported batch",
    () =>
      Effect.gen(function* () {
        const dir = yield* TempDirectory.make()
        const filename = join(dir, "crash.db")
        yield* prepare(filename)
        // Loading the worker through tsx takes seconds; a bundle starts in a fraction of that, so
        // 200 kills fit in a few minutes.
        const bundle = yield* Effect.promise(() => bundleWorker(dir))
        const kills = 200
        const batchSize = LedgerStorm.crashBatchTransfers
        let batchesStored = 0
        let killedMidBatch = 0
        const random = Math.random
        for (let kill = 0; kill < kills; kill++) {
          const writer = `k${String(kill).padStart(3, "0")}`
          const reported = yield* Effect.promise(() => killWriter(bundle, filename, writer, random() * 300))
          const check = withFile(filename, (db) => {
            const integrity = db.pragma("integrity_check", { simple: true })
            const batches = db
              .prepare(
                `SELECT source_reference AS batch, count(*) AS n FROM ledger_transfer
                 WHERE id LIKE ? GROUP BY source_reference`
              )
              .all(`${writer}-%`) as ReadonlyArray<{ readonly batch: string; readonly n: number }>
            const sums = db
              .prepare(
                `SELECT sum(debits_posted) - sum(credits_posted) AS posted,
                        sum(debits_pending) - sum(credits_pending) AS pending FROM ledger_account`
              )
              .get()
            const lotDrift = db
              .prepare(
                `SELECT count(*) FROM ledger_account AS a
                 WHERE a.code = 'resident-wallet' AND a.credits_posted - a.debits_posted <>
                   (SELECT coalesce(sum(remaining), 0) FROM ledger_lot AS l WHERE l.account_id = a.id)`
              )
              .pluck()
              .get()
            const audited = db
              .prepare("SELECT count(*) FROM audit_entry WHERE action = 'transfers.created'")
              .pluck()
              .get()
            const stored = db.prepare("SELECT count(*) FROM ledger_transfer").pluck().get()
            return { integrity, batches, sums, lotDrift, audited, stored, overdrawn: overdrawn(db) }
          })
          expect(check.integrity, `integrity after kill ${kill}`).toBe("ok")
          // Whole batches only, a prefix of the writer's sequence, holding every reported batch.
          const present = check.batches.map((row) => Number(row.batch.split("/")[1])).sort((a, b) => a - b)
          expect(
            check.batches.filter((row) => row.n !== batchSize),
            `half-applied batches after kill ${kill}`
          ).toEqual([])
          expect(present).toEqual(present.map((_, i) => i))
          for (const batch of reported) expect(present, `reported batch ${writer}/${batch}`).toContain(batch)
          if (present.length > reported.length) killedMidBatch++
          batchesStored += present.length
          expect(check.sums).toEqual({ posted: 0, pending: 0 })
          expect(check.lotDrift).toBe(0)
          expect(check.overdrawn).toBe(0)
          // One audit entry per stored batch (plus the set-up's one for its transfers).
          expect(check.audited).toBe(batchesStored + 1)
          expect(check.stored).toBe(batchesStored * batchSize + 101)
        }
        console.info(
          `crash test on sqlite: ${kills} kills, ${batchesStored} batches stored, ` +
            `${killedMidBatch} kills after a commit but before its report`
        )
        expect(batchesStored).toBeGreaterThan(kills)
        const totals = yield* Effect.provide(LedgerSuite.invariants, services(filename))
        expect(totals.transfers).toBe(batchesStored * batchSize + 101)
        expect(yield* verifyFile(filename)).toMatchObject({ _tag: "Intact" })
      }),
    900_000
  )
})

/** What the test needs of esbuild (tsx's own, so the repository needs no new dependency). */
interface Esbuild {
  readonly build: (options: {
    readonly entryPoints: ReadonlyArray<string>
    readonly outfile: string
    readonly bundle: true
    readonly platform: "node"
    readonly format: "esm"
    readonly conditions: ReadonlyArray<string>
    readonly logLevel: "error"
    readonly banner: { readonly js: string }
    readonly plugins: ReadonlyArray<{
      readonly name: string
      readonly setup: (build: {
        readonly onResolve: (
          options: { readonly filter: RegExp },
          resolve: (args: { readonly path: string }) => { readonly path: string; readonly external: boolean }
        ) => void
      }) => void
    }>
  }) => Promise<unknown>
}

/** Bundles the worker into one ESM file, leaving better-sqlite3 (a native module) outside. */
const bundleWorker = async (dir: string): Promise<string> => {
  const require = createRequire(join(packageDir, "package.json"))
  const esbuildPath = createRequire(require.resolve("tsx/package.json")).resolve("esbuild")
  const nativePath = createRequire(require.resolve("@effect/sql-sqlite-node")).resolve("better-sqlite3")
  const esbuild: Esbuild = await import(pathToFileURL(esbuildPath).href)
  const outfile = join(dir, "ledger-storm-worker.mjs")
  await esbuild.build({
    entryPoints: [workerFile],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    conditions: ["sortgrid-source"],
    logLevel: "error",
    // Bundled CommonJS dependencies call require.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
    },
    plugins: [
      {
        name: "native",
        setup: (build) => build.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: nativePath, external: true }))
      }
    ]
  })
  return outfile
}

/**
 * Starts a crash-test writer, lets it post for `millis` after it is ready, kills it with SIGKILL,
 * and returns the batches it reported as returned.
 */
const killWriter = (bundle: string, filename: string, writer: string, millis: number) =>
  new Promise<ReadonlyArray<number>>((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, "crash", filename, writer], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let timer: NodeJS.Timeout | undefined
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
      if (timer === undefined && stdout.startsWith("ready\n")) {
        timer = setTimeout(() => child.kill("SIGKILL"), millis)
      }
    })
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
    })
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") {
        reject(new Error(`writer ${writer} exited by itself (${code}): ${stderr}`))
        return
      }
      // A line cut short by the kill is not a report.
      const lines = stdout.split("\n").slice(1, -1)
      resolve(lines.map(Number))
    })
  })
