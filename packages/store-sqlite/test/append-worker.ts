// Appends `count` audit entries to the SQLite file given on the command line, `batch` entries per
// transaction (default 1). Started several at once by the tests to prove that processes sharing a
// file lose nothing, and killed mid-run by the stress tests to prove a crash leaves no half-write:
// it writes `appended` to stdout once its first batch has returned, so a test can kill it mid-run
// however slowly it started.
import { writeSync } from "node:fs"
import { Audit, AuditLog, Permission } from "@sortgrid/core"
import { Effect, Layer } from "effect"
import { SqliteStore } from "../src/index.js"

const [filename, name, count, batch = "1"] = process.argv.slice(2) as [string, string, string, string?]

const draft = (i: number) =>
  Audit.AuditDraft.make({
    id: Audit.AuditEntryId.make(`${name}-${i}`),
    actor: "worker" as Audit.AuditDraft["actor"],
    action: "test.appended",
    subject: `process:${name}`,
    payload: { i }
  })

const program = Effect.gen(function* () {
  const log = yield* AuditLog.AuditLog
  const size = Number(batch)
  for (let first = 1; first <= Number(count); first += size) {
    const last = Math.min(Number(count), first + size - 1)
    yield* log.append(Array.from({ length: last - first + 1 }, (_, k) => draft(first + k)))
    if (first === 1) writeSync(1, "appended\n")
  }
})

await Effect.runPromise(
  program.pipe(
    Effect.provide(
      AuditLog.AuditLog.Default.pipe(
        Layer.provide(SqliteStore.layer({ filename, busyTimeout: "60 seconds" })),
        Layer.provide(Permission.layer({}))
      )
    )
  )
)
