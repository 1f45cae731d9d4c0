// The close/reopen race on the problem register, for the PostgreSQL race tests: the actors and
// grants, the seeding (Tongzhou, compounds, problems awaiting re-inspection), the two
// re-inspections sent for each problem from two app servers, and the read-back that judges the
// outcome from the stored rows rather than through the store under test. The SQLite tests hold the
// same seeding and judging (packages/store-sqlite/test/problem-race.ts): keep the two in step.
import type { SqlClient } from "@effect/sql"
import { AuditLog, Permission } from "@sortgrid/core"
import { AuditProbe, type Fixtures, PostgresSchema } from "@sortgrid/testkit"
import { type Attempt, judge, reinspect, type Side, seed, services } from "@sortgrid/testkit/ProblemRace"
import { Effect, Layer } from "effect"
import { PostgresStore } from "../src/index.js"

export * from "@sortgrid/testkit/ProblemRace"

/** The audit log and the probe over a store, for an auditor: what {@link judge} reads with. */
export const readBack = <E>(store: Layer.Layer<Fixtures.Store | SqlClient.SqlClient, E>) =>
  Layer.mergeAll(AuditLog.AuditLog.Default, AuditProbe.layerSql).pipe(
    Layer.provideMerge(store),
    Layer.provide(Permission.layer({ auditor: ["*"] }))
  )

/**
 * The whole race in a fresh PostgreSQL schema: seed `pairs` problems, then race them from two app
 * servers — two layers, each with its own pool — one sending every pass, the other every fail. The
 * two attempts for a problem are sent together (which goes first alternates), `pairsInFlight` pairs
 * at a time. The schema is judged afresh, through a third pool. Returns the verdict, every attempt,
 * and how long each stage took in milliseconds, for the report.
 */
export const raceOnPostgres = (options: {
  readonly pairs: number
  readonly pairsInFlight: number
  readonly connectionsPerServer: number
}) =>
  Effect.gen(function* () {
    const schema = yield* PostgresSchema.make
    const store = () =>
      PostgresStore.layer({ url: PostgresSchema.testUrl, schema, maxConnections: options.connectionsPerServer })
    const began = Date.now()
    const ids = yield* Effect.provide(seed(options.pairs), services(store()))
    const seeded = Date.now()
    const servers = {
      pass: yield* Layer.build(services(store())),
      fail: yield* Layer.build(services(store()))
    }
    const started = Date.now()
    const pairs = yield* Effect.forEach(
      ids,
      (id, i) => {
        const sides: ReadonlyArray<Side> = i % 2 === 0 ? ["pass", "fail"] : ["fail", "pass"]
        return Effect.all(
          sides.map((side) => Effect.provide(reinspect(side, id), servers[side])),
          { concurrency: "unbounded" }
        )
      },
      { concurrency: options.pairsInFlight }
    )
    const raced = Date.now()
    const verdict = yield* Effect.provide(judge(ids, pairs.flat()), readBack(store()))
    const durations = {
      seedMillis: seeded - began,
      raceMillis: raced - started,
      judgeMillis: Date.now() - raced
    }
    return { ...verdict, attempts: pairs.flat(), durations }
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
