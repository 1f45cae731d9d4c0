// Appends `count` audit entries, one transaction each, to the SQLite file given on the command line.
// Started twice at once by SqliteStore.test.ts to prove that two processes on one file lose nothing.
import { Audit, AuditLog, Permission } from "@sortgrid/core"
import { Effect, Layer } from "effect"
import { SqliteStore } from "../src/index.js"

const [filename, name, count] = process.argv.slice(2) as [string, string, string]

const program = Effect.gen(function* () {
  const log = yield* AuditLog.AuditLog
  for (let i = 1; i <= Number(count); i++) {
    yield* log.append([
      Audit.AuditDraft.make({
        id: Audit.AuditEntryId.make(`${name}-${i}`),
        actor: "worker" as Audit.AuditDraft["actor"],
        action: "test.appended",
        subject: `process:${name}`,
        payload: { i }
      })
    ])
  }
})

await Effect.runPromise(
  program.pipe(
    Effect.provide(
      AuditLog.AuditLog.Default.pipe(
        Layer.provide(SqliteStore.layer({ filename, busyTimeout: "30 seconds" })),
        Layer.provide(Permission.layer({}))
      )
    )
  )
)
