// `pnpm bench audit`: appends 100,000 audit entries through the SDK into a SQLite file, and the
// same rows through raw better-sqlite3 in the same run, and compares the rates.
//
// Both sides do the same work: the same schema and pragmas (WAL, synchronous=FULL), the same
// SHA-256 payload digest and chain hash per entry, one transaction per batch of 1,000 entries
// (reading the head, inserting the rows, moving the head). The baseline is what a careful
// hand-written implementation would do: prepared statements, no validation, no idempotency check.
import { hash as cryptoHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Audit, AuditLog } from "@sortgrid/core"
import { Sortgrid } from "@sortgrid/sdk"
import Database from "better-sqlite3"
import { Effect, Layer, ManagedRuntime } from "effect"
import { medianMillis, type Result, rate } from "./harness.js"

const total = 100_000
const batchSize = 1_000
const runs = 3

const payloadOf = (i: number) => ({ household: `h${i % 5000}`, points: 10, station: `s${i % 700}` })

const drafts = (run: number) =>
  Array.from({ length: total }, (_, i) =>
    Audit.AuditDraft.make({
      id: Audit.AuditEntryId.make(`r${run}-e${i}`),
      actor: "bench" as Audit.AuditDraft["actor"],
      action: "points.earned",
      subject: `household:h${i % 5000}`,
      payload: payloadOf(i)
    })
  )

const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "sortgrid-bench-"))
  return { dir, filename: join(dir, "audit.db") }
}

const sha256 = (text: string) => cryptoHash("sha256", text, "hex")

const sdkRun = async (count: number, perCall: number) => {
  let run = 0
  return medianMillis(
    runs,
    async () => {
      const { dir, filename } = tempFile()
      const runtime = ManagedRuntime.make(
        AuditLog.AuditLog.Default.pipe(
          Layer.provide(Sortgrid.layer({ store: `sqlite:${filename}` }))
        ) as Layer.Layer<AuditLog.AuditLog>
      )
      await runtime.runPromise(Effect.void)
      return { dir, runtime, batches: chunk(drafts(run++).slice(0, count), perCall) }
    },
    ({ runtime, batches }) =>
      runtime.runPromise(
        Effect.flatMap(AuditLog.AuditLog, (log) =>
          Effect.forEach(batches, (batch) => log.append(batch), { discard: true })
        )
      ),
    async ({ dir, runtime }) => {
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  )
}

const baselineRun = (count: number, perCall: number) =>
  medianMillis(
    runs,
    () => {
      const { dir, filename } = tempFile()
      const db = new Database(filename)
      db.pragma("journal_mode = WAL")
      db.pragma("synchronous = FULL")
      db.exec(`CREATE TABLE audit_entry (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL,
        actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL,
        payload_digest TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, hash TEXT NOT NULL);
        INSERT INTO audit_head VALUES (1, 0, '${"0".repeat(64)}');`)
      return { dir, db }
    },
    ({ db }) => {
      const head = db.prepare("SELECT position, hash FROM audit_head WHERE id = 1")
      const insert = db.prepare("INSERT INTO audit_entry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      const moveHead = db.prepare("UPDATE audit_head SET position = ?, hash = ? WHERE id = 1")
      const appendBatch = db.transaction((from: number, to: number) => {
        let { position, hash } = head.get() as { position: number; hash: string }
        const at = Date.now()
        for (let i = from; i < to; i++) {
          const payload = JSON.stringify(payloadOf(i))
          const payloadDigest = sha256(payload)
          const id = `e${i}`
          const subject = `household:h${i % 5000}`
          position += 1
          const entryHash = sha256(
            JSON.stringify([hash, position, id, at, "bench", "points.earned", subject, payloadDigest])
          )
          insert.run(position, id, at, "bench", "points.earned", subject, payload, payloadDigest, hash, entryHash)
          hash = entryHash
        }
        moveHead.run(position, hash)
      })
      for (let from = 0; from < count; from += perCall) appendBatch.immediate(from, Math.min(count, from + perCall))
    },
    ({ dir, db }) => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  )

const chunk = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const batched = rate(
    `audit append, ${total.toLocaleString("en-US")} entries in batches of ${batchSize} (SQLite, WAL, synchronous=FULL)`,
    "entries/s",
    total,
    await sdkRun(total, batchSize),
    await baselineRun(total, batchSize)
  )
  const single = 2_000
  const oneByOne = rate(
    `audit append, ${single.toLocaleString("en-US")} entries one transaction each (SQLite, WAL, synchronous=FULL)`,
    "entries/s",
    single,
    await sdkRun(single, 1),
    await baselineRun(single, 1)
  )
  return [batched, oneByOne]
}
