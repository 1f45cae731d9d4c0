// One process of the ledger's storms on a SQLite file (see LedgerStorm.stress.test.ts):
//
//   ledger-storm-worker.ts redeem <filename> <process> <processes> <resultsFile>
//     sends its share of the redemption attempts (index % processes = process), 16 at once;
//   ledger-storm-worker.ts idempotent <filename> <process> <processes> <resultsFile>
//     sends its share of the five copies of the idempotency storm's requests (copy % processes =
//     process), 16 batches at once;
//   ledger-storm-worker.ts crash <filename> <writer>
//     posts crash-test batches 0, 1, 2, … until it is killed, writing each batch's number to
//     stdout once its call has returned.
//
// The storms start on the test's word: the worker sends "ready" over IPC and waits for "go", so the
// processes race from the same instant rather than one after another as they finish loading. They
// write every call's outcome (results, typed error, or defect) to `resultsFile` as JSON.
import { writeFileSync, writeSync } from "node:fs"
import * as LedgerStorm from "@sortgrid/testkit/LedgerStorm"
import { Effect } from "effect"
import { SqliteStore } from "../src/index.js"

const [mode, filename, third, fourth, resultsFile] = process.argv.slice(2)

const store = (file: string) => LedgerStorm.services(SqliteStore.layer({ filename: file, busyTimeout: "60 seconds" }))

/** Says "ready" and waits for "go". */
const started = Effect.async<void>((resume) => {
  const go = (message: unknown) => {
    if (message !== "go") return
    process.off("message", go)
    resume(Effect.void)
  }
  process.on("message", go)
  process.send?.("ready")
})

const storm = <R>(calls: Effect.Effect<ReadonlyArray<LedgerStorm.Call>, never, R>) =>
  Effect.gen(function* () {
    yield* started
    const results = yield* calls
    writeFileSync(resultsFile!, JSON.stringify(results))
    process.disconnect()
  })

const crash = (writer: string) =>
  LedgerStorm.withLedger((ledger) =>
    Effect.gen(function* () {
      writeSync(1, "ready\n")
      for (let batch = 0; ; batch++) {
        const call = yield* LedgerStorm.send(ledger, LedgerStorm.operator, LedgerStorm.crashBatch(writer, batch))
        if (call.results === null || call.results.some((result) => result !== "Ok" && result !== "Exists")) {
          writeSync(2, `batch ${batch} refused: ${JSON.stringify(call)}\n`)
          process.exit(3)
        }
        // Reported only after the call returned: the test requires every reported batch stored.
        writeSync(1, `${batch}\n`)
      }
    })
  )

if (mode === "crash" && filename !== undefined && third !== undefined) {
  await Effect.runPromise(Effect.provide(crash(third), store(filename)))
} else if ((mode === "redeem" || mode === "idempotent") && filename && third && fourth && resultsFile) {
  const me = Number(third)
  const processes = Number(fourth)
  const calls =
    mode === "redeem"
      ? LedgerStorm.redeemAll(
          LedgerStorm.attempts(10_000).filter((attempt) => attempt.index % processes === me),
          16
        )
      : LedgerStorm.sendCopies(
          2_000,
          [0, 1, 2, 3, 4].filter((copy) => copy % processes === me),
          16
        )
  await Effect.runPromise(Effect.provide(storm(calls), store(filename)))
} else {
  console.error("usage: ledger-storm-worker.ts <redeem|idempotent> <filename> <process> <processes> <resultsFile>")
  console.error("       ledger-storm-worker.ts crash <filename> <writer>")
  process.exit(2)
}
