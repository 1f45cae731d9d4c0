// The close/reopen race on the problem register, shared by the SQLite race tests and their worker:
// the actors and grants, the seeding (Tongzhou, compounds, problems awaiting re-inspection), the two
// re-inspections sent for each problem, and the read-back that judges the outcome from the stored
// rows rather than through the store under test.
import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { SqlClient } from "@effect/sql"
import { AuditLog, Permission } from "@sortgrid/core"
// Modules, not the testkit's index: the index brings in the suites, and with them vitest, which
// cannot load in the worker processes.
import * as AuditProbe from "@sortgrid/testkit/AuditProbe"
import type * as Fixtures from "@sortgrid/testkit/Fixtures"
import { Attempt, judge, seed, services } from "@sortgrid/testkit/ProblemRace"
import * as TempDirectory from "@sortgrid/testkit/TempDirectory"
import { Effect, Layer, Schema } from "effect"
import { SqliteStore } from "../src/index.js"

export * from "@sortgrid/testkit/ProblemRace"

const worker = fileURLToPath(new URL("problem-race-worker.ts", import.meta.url))
// The package folder, where `--import tsx` resolves (processes.ts has it too, but loads vitest).
const packageDir = fileURLToPath(new URL("..", import.meta.url))

/**
 * Races the two sides from two processes on one SQLite file, in rounds, one problem a round: each
 * process opens the file, then says over IPC that it is ready for round `i`; when both are, the test
 * releases round `i` to both at once, and each sends its attempt for problem `i`, one process every
 * pass, the other every fail. So every pair is sent at the same moment, however loaded the machine.
 * Returns every attempt, both sides'.
 */
export const raceProcesses = (options: {
  readonly filename: string
  readonly directory: string
  readonly pairs: number
  readonly busyTimeoutMillis?: number | undefined
}) =>
  Effect.tryPromise(
    () =>
      new Promise<ReadonlyArray<Attempt>>((resolve, reject) => {
        const sides = (["pass", "fail"] as const).map((side) => {
          const resultsFile = join(options.directory, `${side}.json`)
          const args = [
            options.filename,
            side,
            String(options.pairs),
            resultsFile,
            ...(options.busyTimeoutMillis === undefined ? [] : [String(options.busyTimeoutMillis)])
          ]
          const child = spawn(process.execPath, ["--import", "tsx", "--conditions=sortgrid-source", worker, ...args], {
            cwd: packageDir,
            stdio: ["ignore", "ignore", "pipe", "ipc"]
          })
          let stderr = ""
          child.stderr?.on("data", (chunk: Buffer) => {
            stderr += chunk.toString()
          })
          return { side, child, resultsFile, stderr: () => stderr, readyFor: -1, exited: false }
        })
        const fail = (error: Error) => {
          for (const { child, exited } of sides) if (!exited) child.kill()
          reject(error)
        }
        for (const side of sides) {
          side.child.on("message", (round) => {
            side.readyFor = Number(round)
            if (sides.every((each) => each.readyFor === side.readyFor)) {
              for (const each of sides) each.child.send(side.readyFor)
            }
          })
          side.child.on("error", fail)
          side.child.on("exit", (code) => {
            side.exited = true
            if (code !== 0) return fail(new Error(`the ${side.side} worker exited with ${code}: ${side.stderr()}`))
            if (!sides.every((each) => each.exited)) return
            Promise.all(sides.map(({ resultsFile }) => readFile(resultsFile, "utf8")))
              .then((texts) =>
                resolve(
                  texts.flatMap((text) => Schema.decodeUnknownSync(Schema.parseJson(Schema.Array(Attempt)))(text))
                )
              )
              .catch(reject)
          })
        }
      })
  )

/** The audit log and the probe over a store, for an auditor: what {@link judge} reads with. */
export const readBack = <E>(store: Layer.Layer<Fixtures.Store | SqlClient.SqlClient, E>) =>
  Layer.mergeAll(AuditLog.AuditLog.Default, AuditProbe.layerSql).pipe(
    Layer.provideMerge(store),
    Layer.provide(Permission.layer({ auditor: ["*"] }))
  )

/**
 * The whole race on a fresh SQLite file: seed `pairs` problems, race two processes over them, and
 * judge the file afresh (a new connection). Returns the verdict, every attempt, and how long each
 * stage took in milliseconds, for the report.
 */
export const raceOnSqlite = (options: { readonly pairs: number; readonly busyTimeoutMillis?: number | undefined }) =>
  Effect.gen(function* () {
    const directory = yield* TempDirectory.make("sortgrid-race-")
    const filename = join(directory, "race.db")
    const began = Date.now()
    const ids = yield* Effect.provide(seed(options.pairs), services(SqliteStore.layer({ filename })))
    const seeded = Date.now()
    const attempts = yield* raceProcesses({ filename, directory, ...options })
    const raced = Date.now()
    const verdict = yield* Effect.provide(judge(ids, attempts), readBack(SqliteStore.layer({ filename })))
    const durations = { seedMillis: seeded - began, raceMillis: raced - seeded, judgeMillis: Date.now() - raced }
    return { ...verdict, attempts, durations }
  })

/**
 * How the race went, for the report: the pairs whose two attempts were in flight at once (the
 * loser was sent before the winner was answered), and the median time between the two answers.
 */
export const overlap = (
  attempts: ReadonlyArray<Attempt>
): { readonly pairs: number; readonly medianGapMillis: number } => {
  const byProblem = new Map<string, Array<Attempt>>()
  for (const attempt of attempts)
    byProblem.set(attempt.problemId, [...(byProblem.get(attempt.problemId) ?? []), attempt])
  let pairs = 0
  const gaps: Array<number> = []
  for (const [first, second] of byProblem.values()) {
    if (first === undefined || second === undefined) continue
    const [winner, loser] = first.result === "Won" ? [first, second] : [second, first]
    if (loser.sentAt <= winner.finishedAt) pairs++
    gaps.push(Math.abs(first.finishedAt - second.finishedAt))
  }
  gaps.sort((a, b) => a - b)
  return { pairs, medianGapMillis: gaps[Math.floor(gaps.length / 2)] ?? 0 }
}
