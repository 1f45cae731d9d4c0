/**
 * The problem register over `SqlClient`: `problem` and `problem_event` (migration 9). A problem row
 * holds the entity as JSON, with the fields queries need copied into columns. Writes are serialised
 * per database (SQLite's write lock, a transaction-scoped advisory lock on PostgreSQL), so the open
 * problems a registration de-duplicates against and the version a transition compares with cannot
 * change under it; the `UPDATE` still names the expected version, and refuses when no row matches.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import * as Lifecycle from "@sortgrid/issues/Lifecycle"
import * as Problem from "@sortgrid/issues/Problem"
import * as ProblemStore from "@sortgrid/issues/ProblemStore"
import { Effect, type Either, Layer, Schema } from "effect"
import { makeInserter } from "./internal/insert.js"
import { anyOf, readRows } from "./internal/query.js"
import { serialisedTransaction } from "./internal/write.js"

const decodeProblems = (rows: ReadonlyArray<unknown>) =>
  Effect.map(
    Schema.decodeUnknown(Schema.Array(Schema.Struct({ body: Schema.parseJson(Problem.Problem) })))(rows),
    (decoded): ReadonlyArray<Problem.Problem> => decoded.map((row) => row.body)
  )

const decodeEvents = (rows: ReadonlyArray<unknown>) =>
  Effect.map(
    Schema.decodeUnknown(Schema.Array(Schema.Struct({ body: Schema.parseJson(Lifecycle.ProblemEvent) })))(rows),
    (decoded): ReadonlyArray<Lifecycle.ProblemEvent> => decoded.map((row) => row.body)
  )

const problemRow = (problem: Problem.Problem) => ({
  id: problem.id,
  category_code: problem.categoryCode,
  node_id: problem.nodeId,
  state: problem.state,
  deadline_at: problem.deadlineAt,
  registered_at: problem.registeredAt,
  closed_at: problem.closure === null ? null : problem.closure.closedAt,
  version: problem.version,
  body: JSON.stringify(Schema.encodeSync(Problem.Problem)(problem))
})

const eventRow = (event: Lifecycle.ProblemEvent) => ({
  problem_id: event.problemId,
  version: event.version,
  body: JSON.stringify(Schema.encodeSync(Lifecycle.ProblemEvent)(event))
})

const lock = "problems"

/**
 * `ProblemStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ProblemStore.ProblemStore, never, SqlClient.SqlClient> = Layer.effect(
  ProblemStore.ProblemStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const isAnyOf = anyOf(sql)
    const insertProblems = makeInserter<ReturnType<typeof problemRow>>(sql, "problem", [
      "id",
      "category_code",
      "node_id",
      "state",
      "deadline_at",
      "registered_at",
      "closed_at",
      "version",
      "body"
    ])
    const insertEvents = makeInserter<ReturnType<typeof eventRow>>(sql, "problem_event", [
      "problem_id",
      "version",
      "body"
    ])

    const problemsWith = (operation: string, ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed<ReadonlyArray<Problem.Problem>>([])
        : sql`SELECT body FROM problem WHERE ${isAnyOf("id", [...new Set(ids)])}`.pipe(
            readRows(operation, decodeProblems)
          )

    // The pairs travel as one parameter, as `anyOf` binds ids, so any number of them is one statement.
    const openOn = (operation: string, pairs: ReadonlyArray<ProblemStore.Pair>) => {
      if (pairs.length === 0) return Effect.succeed<ReadonlyArray<Problem.Problem>>([])
      const onPairs = sql.onDialectOrElse({
        pg: () =>
          sql`(node_id, category_code) IN (SELECT * FROM unnest(${pairs.map((pair) => pair.nodeId)}::text[],
              ${pairs.map((pair) => pair.categoryCode)}::text[]))`,
        orElse: () =>
          sql`(node_id, category_code) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')
              FROM json_each(${JSON.stringify(pairs.map((pair) => [pair.nodeId, pair.categoryCode]))}))`
      })
      return sql`SELECT body FROM problem WHERE state <> ${"closed"} AND ${onPairs}
                 ORDER BY registered_at, id`.pipe(readRows(operation, decodeProblems))
    }

    const register = <P extends ProblemStore.RegisterPlan, E>(
      request: {
        readonly ids: ReadonlyArray<Problem.ProblemId>
        readonly pairs: ReadonlyArray<ProblemStore.Pair>
      },
      decide: (state: ProblemStore.RegisterState) => Either.Either<P, E>
    ) =>
      serialisedTransaction(sql, { operation: "register problems", lock })(
        Effect.gen(function* () {
          const stored = yield* problemsWith("register problems", request.ids)
          const open = new Map<string, Array<Problem.Problem>>()
          for (const problem of yield* openOn("register problems", request.pairs)) {
            const key = ProblemStore.pairKey(problem)
            open.set(key, [...(open.get(key) ?? []), problem])
          }
          const plan = yield* decide({
            stored: new Map(stored.map((problem) => [problem.id, problem])),
            open
          })
          if (plan.problems.length > 0) yield* insertProblems(plan.problems.map(problemRow))
          if (plan.events.length > 0) yield* insertEvents(plan.events.map(eventRow))
          return plan
        })
      )

    const change = <E>(
      problemId: Problem.ProblemId,
      expectedVersion: number,
      decide: (current: Problem.Problem) => Either.Either<Lifecycle.Transition, E>
    ) =>
      serialisedTransaction(sql, { operation: "change problem", lock })(
        Effect.gen(function* () {
          const [current] = yield* problemsWith("change problem", [problemId])
          if (current === undefined) {
            return yield* Effect.fail(new Errors.NotFound({ entity: "Problem", id: problemId }))
          }
          if (current.version !== expectedVersion) {
            return yield* Effect.fail(ProblemStore.versionConflict(problemId, expectedVersion, current.version))
          }
          const done = yield* decide(current)
          const row = problemRow(done.problem)
          const updated = yield* sql`UPDATE problem SET state = ${row.state}, deadline_at = ${row.deadline_at},
              closed_at = ${row.closed_at}, version = ${row.version}, body = ${row.body}
              WHERE id = ${problemId} AND version = ${expectedVersion} RETURNING id`
          // Unreachable while writers hold the lock; kept so a write outside it cannot be lost silently.
          if (updated.length === 0) {
            return yield* Effect.fail(ProblemStore.versionConflict(problemId, expectedVersion, current.version + 1))
          }
          yield* insertEvents([eventRow(done.event)])
          return done
        })
      )

    const open = ({ during, nodeIds }: ProblemStore.OpenQuery) => {
      if (nodeIds !== undefined && nodeIds.length === 0) return Effect.succeed<ReadonlyArray<Problem.Problem>>([])
      const conditions = [
        ...(nodeIds === undefined ? [] : [isAnyOf("node_id", [...new Set<string>(nodeIds)])]),
        ...(during === undefined
          ? [sql`state <> ${"closed"}`]
          : [sql`registered_at <= ${during.to}`, sql`(closed_at IS NULL OR closed_at > ${during.from})`])
      ]
      return sql`SELECT body FROM problem WHERE ${sql.and(conditions)} ORDER BY registered_at, id`.pipe(
        readRows("open problems", decodeProblems)
      )
    }

    return ProblemStore.ProblemStore.of({
      register,
      change,
      get: (ids) => problemsWith("get problems", ids),
      events: (problemId) =>
        sql`SELECT body FROM problem_event WHERE problem_id = ${problemId} ORDER BY version`.pipe(
          readRows("problem events", decodeEvents)
        ),
      open
    })
  })
)
