/**
 * The problem register on MariaDB: `problem` and `problem_event`, adapted from
 * `@sortgrid/store-sql`'s (whose batch update is `UPDATE … FROM json_each(…) RETURNING`, which
 * MariaDB has no form of). A problem row holds the entity as JSON, with the fields queries need
 * copied into columns. Writes run in the client's transactions, which begin by locking the database's writer row (see `MariaDbStore`), so writers take turns as on SQLite. So the open problems a registration de-duplicates against and the
 * version a transition compares with cannot change under it. A batch of transitions is one
 * `UPDATE problem JOIN JSON_TABLE(…)` per chunk that still names each expected version; fewer rows
 * affected than sent is a `Conflict` naming a problem whose version moved.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import * as Lifecycle from "@sortgrid/issues/Lifecycle"
import * as Problem from "@sortgrid/issues/Problem"
import * as ProblemStore from "@sortgrid/issues/ProblemStore"
import type * as Stats from "@sortgrid/issues/Stats"
import { Effect, type Either, Layer, Schema } from "effect"
import {
  affectedRows,
  anyOf,
  chunksOf,
  jsonRows,
  makeInserter,
  readRows,
  serialisedTransaction,
  toStorageError
} from "./internal/sql.js"

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
  closure_kind: problem.closure === null ? null : problem.closure._tag,
  // Every field of a Problem is JSON as it stands (no transformation in its schema): its JSON text is
  // its encoded form, without running the encoder (ProblemSuite checks the round trip).
  body: JSON.stringify(problem)
})

const eventRow = (event: Lifecycle.ProblemEvent) => ({
  problem_id: event.problemId,
  version: event.version,
  body: JSON.stringify(event)
})

const lock = "problems"

/** Above this many nodes, `facts` filters by node in memory instead of probing the index per node. */
const nodesPerProbe = 1_000

/** Problems per UPDATE: keeps the one JSON parameter of a batch to a few megabytes. */
const rowsPerUpdate = 2_000

/**
 * `ProblemStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
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
      "closure_kind",
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
      const onPairs = sql`(node_id, category_code) IN (SELECT p.node_id, p.category_code FROM ${jsonRows(
        sql,
        pairs.map((pair) => [pair.nodeId, pair.categoryCode]),
        [
          ["node_id", "VARCHAR(255)"],
          ["category_code", "VARCHAR(255)"]
        ]
      )} AS p)`
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

    // Every next version travels as one JSON parameter, so a batch is one UPDATE; each row still
    // names the version it was decided on.
    const updateProblems = (rows: ReadonlyArray<ReturnType<typeof problemRow> & { readonly expected: number }>) =>
      affectedRows(
        sql`UPDATE problem JOIN ${jsonRows(
          sql,
          rows.map((row) => [
            row.id,
            row.state,
            row.deadline_at,
            row.closed_at,
            row.version,
            row.closure_kind,
            row.body,
            row.expected
          ]),
          [
            ["id", "VARCHAR(255)"],
            ["state", "VARCHAR(255)"],
            ["deadline_at", "BIGINT"],
            ["closed_at", "BIGINT"],
            ["version", "INT"],
            ["closure_kind", "VARCHAR(255)"],
            ["body", "LONGTEXT"],
            ["expected", "INT"]
          ]
        )} AS d ON problem.id = d.id AND problem.version = d.expected
        SET problem.state = d.state, problem.deadline_at = d.deadline_at, problem.closed_at = d.closed_at,
          problem.version = d.version, problem.closure_kind = d.closure_kind, problem.body = d.body`
      )

    const change = <E>(
      expected: ReadonlyArray<ProblemStore.Expected>,
      decide: (current: ReadonlyArray<Problem.Problem>) => Either.Either<ReadonlyArray<Lifecycle.Transition>, E>
    ) =>
      serialisedTransaction(sql, { operation: "change problems", lock })(
        Effect.gen(function* () {
          const stored = new Map(
            (yield* problemsWith(
              "change problems",
              expected.map(({ problemId }) => problemId)
            )).map((problem) => [problem.id, problem])
          )
          const current: Array<Problem.Problem> = []
          const versions = new Map<string, number>()
          for (const { expectedVersion, problemId } of expected) {
            versions.set(problemId, expectedVersion)
            const problem = stored.get(problemId)
            if (problem === undefined) {
              return yield* Effect.fail(new Errors.NotFound({ entity: "Problem", id: problemId }))
            }
            if (problem.version !== expectedVersion) {
              return yield* Effect.fail(ProblemStore.versionConflict(problemId, expectedVersion, problem.version))
            }
            current.push(problem)
          }
          const done = yield* decide(current)
          if (done.length === 0) return done
          let updated = 0
          for (const chunk of chunksOf(done, rowsPerUpdate)) {
            const rows = chunk.map(({ problem }) => ({
              ...problemRow(problem),
              expected: versions.get(problem.id) ?? -1
            }))
            updated += yield* updateProblems(rows)
          }
          // Unreachable while writers hold the lock; kept so a write outside it cannot be lost silently:
          // the rows that do not hold their new version name the conflict.
          if (updated !== done.length) {
            const now = new Map(
              (yield* problemsWith(
                "change problems",
                done.map(({ problem }) => problem.id)
              )).map((problem) => [problem.id as string, problem.version])
            )
            const lost = done.find(({ problem }) => now.get(problem.id) !== problem.version) ?? done[0]
            if (lost !== undefined) {
              const { id } = lost.problem
              return yield* Effect.fail(ProblemStore.versionConflict(id, versions.get(id) ?? -1, now.get(id) ?? -1))
            }
          }
          yield* insertEvents(done.map(({ event }) => eventRow(event)))
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

    const facts = ({ during, nodeIds }: ProblemStore.OpenQuery) => {
      if (nodeIds !== undefined && nodeIds.length === 0) return Effect.succeed<ReadonlyArray<Stats.ProblemFacts>>([])
      // Over a large subtree (a district's 9,000 nodes), one index probe per node costs more than
      // reading the period's problems in one pass and keeping those on the subtree's nodes.
      const wanted = nodeIds === undefined ? undefined : new Set<string>(nodeIds)
      const probe = wanted !== undefined && wanted.size <= nodesPerProbe
      const conditions = [
        ...(probe ? [isAnyOf("node_id", [...wanted])] : []),
        ...(during === undefined
          ? [sql`state <> ${"closed"}`]
          : [sql`registered_at <= ${during.to}`, sql`(closed_at IS NULL OR closed_at > ${during.from})`])
      ]
      // A hundred thousand rows: checked with a plain loop rather than a schema per row.
      return sql`SELECT id, node_id, registered_at, deadline_at, closed_at, closure_kind FROM problem
                 WHERE ${sql.and(conditions)} ORDER BY registered_at, id`.values.pipe(
        Effect.mapError(toStorageError("problem facts")),
        Effect.flatMap((rows) => {
          const out: Array<Stats.ProblemFacts> = []
          for (let i = 0; i < rows.length; i++) {
            const [id, nodeId, registeredAt, deadlineAt, closedAt, kind] = rows[i]!
            const closure: Stats.ProblemFacts["closure"] | undefined =
              closedAt === null && kind === null
                ? null
                : kind === "ClosedFixed" && closedAt !== null
                  ? { _tag: "ClosedFixed", closedAt: Number(closedAt) }
                  : kind === "ClosedOther" && closedAt !== null
                    ? { _tag: "ClosedOther", closedAt: Number(closedAt) }
                    : undefined
            if (typeof id !== "string" || typeof nodeId !== "string" || closure === undefined) {
              return Effect.fail(
                new Errors.StorageError({ operation: "problem facts", reason: `stored data is malformed: row ${i}` })
              )
            }
            if (wanted !== undefined && !wanted.has(nodeId)) continue
            out.push({
              id: Problem.ProblemId.make(id, { disableValidation: true }),
              nodeId: NodeId.make(nodeId, { disableValidation: true }),
              registeredAt: Number(registeredAt),
              deadlineAt: Number(deadlineAt),
              closure
            })
          }
          return Effect.succeed(out)
        })
      )
    }

    const list = (query: ProblemStore.ListQuery) => {
      if ((query.nodeIds !== undefined && query.nodeIds.length === 0) || query.limit === 0) {
        return Effect.succeed<ReadonlyArray<Problem.Problem>>([])
      }
      const { after, categoryCodes, deadlineBy, registered, states } = query
      const conditions = [
        ...(query.nodeIds === undefined ? [] : [isAnyOf("node_id", [...new Set<string>(query.nodeIds)])]),
        ...(states === undefined ? [] : [isAnyOf("state", states)]),
        ...(categoryCodes === undefined ? [] : [isAnyOf("category_code", categoryCodes)]),
        ...(registered === undefined
          ? []
          : [sql`registered_at >= ${registered.from}`, sql`registered_at <= ${registered.to}`]),
        ...(deadlineBy === undefined ? [] : [sql`state <> ${"closed"}`, sql`deadline_at <= ${deadlineBy}`]),
        ...(after === undefined
          ? []
          : [
              sql`(registered_at > ${after.registeredAt} OR (registered_at = ${after.registeredAt} AND id > ${after.id}))`
            ])
      ]
      const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.and(conditions)}`
      const limit = query.limit === undefined ? sql`` : sql`LIMIT ${query.limit}`
      return sql`SELECT body FROM problem ${where} ORDER BY registered_at, id ${limit}`.pipe(
        readRows("list problems", decodeProblems)
      )
    }

    return ProblemStore.ProblemStore.of({
      list,
      facts,
      register,
      change,
      get: (ids) => problemsWith("get problems", ids),
      events: (problemId) =>
        sql`SELECT body FROM problem_event WHERE problem_id = ${problemId} ORDER BY version`.pipe(
          readRows("problem events", decodeEvents)
        ),
      eventsOf: (problemIds) =>
        problemIds.length === 0
          ? Effect.succeed([])
          : sql`SELECT body FROM problem_event WHERE ${isAnyOf("problem_id", [...new Set<string>(problemIds)])}
                ORDER BY problem_id, version`.pipe(readRows("problem events", decodeEvents)),
      open
    })
  })
)
