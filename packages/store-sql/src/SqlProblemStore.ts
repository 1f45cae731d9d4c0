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
import { NodeId } from "@sortgrid/grid/Node"
import * as Lifecycle from "@sortgrid/issues/Lifecycle"
import * as Problem from "@sortgrid/issues/Problem"
import * as ProblemStore from "@sortgrid/issues/ProblemStore"
import type * as Stats from "@sortgrid/issues/Stats"
import { Effect, type Either, Layer, Schema } from "effect"
import { chunksOf, toStorageError } from "./internal/errors.js"
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
      const onPairs = sql.onDialectOrElse({
        pg: () =>
          sql`(node_id, category_code) IN (SELECT * FROM unnest(${pairs.map((pair) => pair.nodeId)}::text[],
              ${pairs.map((pair) => pair.categoryCode)}::text[]))`,
        mysql: () =>
          sql`(node_id, category_code) IN (SELECT p.node_id, p.category_code
              FROM JSON_TABLE(${JSON.stringify(pairs.map((pair) => [pair.nodeId, pair.categoryCode]))}, '$[*]' COLUMNS (
                node_id VARCHAR(255) CHARACTER SET utf8mb4 PATH '$[0]',
                category_code VARCHAR(255) CHARACTER SET utf8mb4 PATH '$[1]')) AS p)`,
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

    // Every next version travels as one JSON parameter, so a batch is one UPDATE; each row still
    // names the version it was decided on.
    const updateProblems = (rows: ReadonlyArray<ReturnType<typeof problemRow> & { readonly expected: number }>) =>
      sql.onDialectOrElse({
        pg: () => sql`UPDATE problem SET state = d.state, deadline_at = d.deadline_at, closed_at = d.closed_at,
              version = d.version, closure_kind = d.closure_kind, body = d.body
              FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS d(id text, state text,
                deadline_at bigint, closed_at bigint, version int, closure_kind text, body text, expected int)
              WHERE problem.id = d.id AND problem.version = d.expected RETURNING problem.id`,
        // MySQL has no UPDATE … RETURNING: the rows that now hold their new version are the ones updated
        // (in the same transaction, under the writers' lock).
        mysql: () => {
          const d = sql`JSON_TABLE(${JSON.stringify(rows)}, '$[*]' COLUMNS (id VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.id',
                state VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.state', deadline_at BIGINT PATH '$.deadline_at',
                closed_at BIGINT PATH '$.closed_at', version INT PATH '$.version',
                closure_kind VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.closure_kind',
                body LONGTEXT CHARACTER SET utf8mb4 PATH '$.body', expected INT PATH '$.expected')) AS d`
          return Effect.zipRight(
            sql`UPDATE problem JOIN ${d} ON problem.id = d.id AND problem.version = d.expected
                SET problem.state = d.state, problem.deadline_at = d.deadline_at, problem.closed_at = d.closed_at,
                problem.version = d.version, problem.closure_kind = d.closure_kind, problem.body = d.body`,
            sql`SELECT problem.id FROM problem JOIN ${d} ON problem.id = d.id AND problem.version = d.version`
          )
        },
        orElse: () => sql`WITH d AS (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.state') AS state,
                json_extract(value, '$.deadline_at') AS deadline_at, json_extract(value, '$.closed_at') AS closed_at,
                json_extract(value, '$.version') AS version, json_extract(value, '$.closure_kind') AS closure_kind,
                json_extract(value, '$.body') AS body,
                json_extract(value, '$.expected') AS expected FROM json_each(${JSON.stringify(rows)}))
              UPDATE problem SET state = d.state, deadline_at = d.deadline_at, closed_at = d.closed_at,
              version = d.version, closure_kind = d.closure_kind, body = d.body
              FROM d WHERE problem.id = d.id AND problem.version = d.expected RETURNING problem.id`
      })

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
          const updated = new Set<string>()
          for (const chunk of chunksOf(done, rowsPerUpdate)) {
            const rows = chunk.map(({ problem }) => ({
              ...problemRow(problem),
              expected: versions.get(problem.id) ?? -1
            }))
            for (const row of yield* updateProblems(rows)) updated.add(String(row.id))
          }
          // Unreachable while writers hold the lock; kept so a write outside it cannot be lost silently.
          const lost = done.find(({ problem }) => !updated.has(problem.id))
          if (lost !== undefined) {
            const { id } = lost.problem
            return yield* Effect.fail(ProblemStore.versionConflict(id, versions.get(id) ?? -1, lost.problem.version))
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
