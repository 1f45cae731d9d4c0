// One side of the close/reopen race: for each of `pairs` problems in the SQLite file given on the
// command line, sends a re-inspection with this side's outcome, decided on the raced version, while
// another process sends the other side's. The test runs it with an IPC channel and paces both in
// rounds: the worker sends `i` when it is ready for round `i` and sends its attempt for problem `i`
// when the test answers `i` (it answers both at once). Then it writes what each attempt came to,
// as JSON, to `resultsFile`.
//
// Pacing matters: sending as fast as possible races nothing on SQLite, whose lock waiters sleep
// and retry: whichever side reaches the first problem first stays a step ahead, with the other
// queued behind it, losing every pair a moment after the leader has won it.
//
//   problem-race-worker.ts <filename> <pass|fail> <pairs> <resultsFile> [busyTimeoutMs]
import { writeFileSync } from "node:fs"
import { ProblemRegister } from "@sortgrid/issues/ProblemRegister"
import { Effect, Schema } from "effect"
import { SqliteStore } from "../src/index.js"
import { Attempt, inspectors, problemIds, racedVersion, reinspect, services } from "./problem-race.js"

const [filename, side, pairs, resultsFile, busyTimeout] = process.argv.slice(2)
const send = process.send?.bind(process)
if (
  filename === undefined ||
  (side !== "pass" && side !== "fail") ||
  pairs === undefined ||
  resultsFile === undefined ||
  send === undefined
) {
  console.error(
    "usage (with an IPC channel): problem-race-worker.ts <filename> <pass|fail> <pairs> <resultsFile> [busyTimeoutMs]"
  )
  process.exit(2)
}

/** Says this side is ready for a round and waits until the test releases it. */
const round = (i: number) =>
  Effect.async<void>((resume) => {
    const released = (message: unknown) => {
      if (message !== i) return
      process.off("message", released)
      resume(Effect.void)
    }
    process.on("message", released)
    send(i)
  })

const program = Effect.gen(function* () {
  const ids = problemIds(Number(pairs))
  // A process's first transitions are slow (statements, code paths run once): warm up with stale
  // attempts, refused as conflicts and writing nothing, so neither side starts with a handicap.
  const register = yield* ProblemRegister
  for (const problemId of ids.slice(0, 3)) {
    yield* Effect.either(
      register.transition(inspectors[side], {
        _tag: "Reinspect",
        problemId,
        expectedVersion: racedVersion - 1,
        outcome: side
      })
    )
  }
  const attempts = yield* Effect.forEach(ids, (id, i) => Effect.zipRight(round(i), reinspect(side, id)))
  writeFileSync(resultsFile, JSON.stringify(Schema.encodeSync(Schema.Array(Attempt))(attempts)))
  process.disconnect()
})

await Effect.runPromise(
  program.pipe(
    Effect.provide(
      services(
        SqliteStore.layer({
          filename,
          busyTimeout: busyTimeout === undefined ? undefined : Number(busyTimeout)
        })
      )
    )
  )
)
