/**
 * The close/reopen race on the problem register, shared by the SQLite (two processes) and PostgreSQL
 * (parallel connections) race tests: the actors and grants, the seeding (Tongzhou, compounds,
 * problems awaiting re-inspection), the two re-inspections sent for each problem, and the read-back
 * that judges the outcome from the stored rows rather than through the store under test. It imports
 * no test runner, so worker processes can load it.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Actor, AuditLog, type Permission } from "@sortgrid/core"
import { Grid, Node } from "@sortgrid/grid"
import * as Lifecycle from "@sortgrid/issues/Lifecycle"
import * as Problem from "@sortgrid/issues/Problem"
import { ProblemRegister } from "@sortgrid/issues/ProblemRegister"
import type { ProblemStore } from "@sortgrid/issues/ProblemStore"
import { Clock, Effect, Layer, Schema } from "effect"
import * as AuditProbe from "./AuditProbe.js"
import * as Fixtures from "./Fixtures.js"
import * as Tongzhou from "./Tongzhou.js"

/**
 * Rectifiers and inspectors move problems along; only the administrator registers them.
 *
 * @since 0.1.0
 * @category race
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  rectifier: ["issues.transition", "issues.read"],
  inspector: ["issues.transition", "issues.read"]
}

const actor = (id: string, role: string) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: [Actor.root] })

/** Verifies the chain when the race is judged. */
const auditor = actor("race-auditor", "auditor")

/**
 * Rectifies every problem, so neither re-inspector is barred from closing it.
 *
 * @since 0.1.0
 * @category race
 */
export const rectifier = actor("race-rectifier", "rectifier")

/**
 * Who re-inspects with each outcome: two people, so each event names the side that won.
 *
 * @since 0.1.0
 * @category race
 */
export const inspectors = {
  pass: actor("race-inspector-pass", "inspector"),
  fail: actor("race-inspector-fail", "inspector")
} as const

/**
 * A re-inspection outcome: one side of a race.
 *
 * @since 0.1.0
 * @category race
 */
export type Side = keyof typeof inspectors

/**
 * The version every problem is raced at: registered (1), assigned (2), rectified (3).
 *
 * @since 0.1.0
 * @category race
 */
export const racedVersion = 3

/**
 * The problem ids of a race of `pairs` pairs, in the order both sides send them.
 *
 * @since 0.1.0
 * @category race
 */
export const problemIds = (pairs: number): ReadonlyArray<Problem.ProblemId> =>
  Array.from({ length: pairs }, (_, i) => Problem.ProblemId.make(`race-${String(i).padStart(5, "0")}`))

/**
 * The register and the grid over a store, with the race's grants.
 *
 * @since 0.1.0
 * @category race
 */
export const services = <E>(store: Layer.Layer<Fixtures.Store | ProblemStore, E>) =>
  Layer.mergeAll(ProblemRegister.Default, Grid.Grid.Default).pipe(
    Layer.provideMerge(Fixtures.base(store, grants)),
    // The same layer value: built once, so the services and the caller share one store.
    Layer.provideMerge(store)
  )

const subdistricts = 4
const compoundsPerGrid = 5

/**
 * Seeds Tongzhou's division list, a grid with compounds in the first community of each of four
 * subdistricts, and `pairs` problems spread over the compounds, registered in one batch, then
 * assigned and rectified one by one: every problem ends at {@link racedVersion}, awaiting
 * re-inspection. Runs on the real clock, as the racing processes do.
 *
 * @since 0.1.0
 * @category race
 */
export const seed = (pairs: number) =>
  Effect.gen(function* () {
    const grid = yield* Grid.Grid
    const register = yield* ProblemRegister
    const admin = Fixtures.admin
    yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
    const streets = yield* grid.children(admin, Node.NodeId.make(Tongzhou.districtCode), Tongzhou.openedOn)
    const compounds: Array<{ readonly id: string; readonly unitId: string }> = []
    for (const street of streets.slice(0, subdistricts)) {
      const [community] = yield* grid.children(admin, street.nodeId, Tongzhou.openedOn)
      if (community === undefined) return yield* Effect.dieMessage(`${street.nodeId} has no community`)
      const g = `${community.nodeId}-race`
      const kids = Array.from({ length: compoundsPerGrid }, (_, k) => `${g}-c${k + 1}`)
      yield* grid.open(admin, [
        { id: g, kind: "grid", name: "网格", parentId: community.nodeId, effectiveOn: Tongzhou.openedOn },
        ...kids.map((id, k) => ({
          id,
          kind: "compound",
          name: `小区${k + 1}`,
          parentId: g,
          effectiveOn: Tongzhou.openedOn
        }))
      ])
      compounds.push(...kids.map((id) => ({ id, unitId: community.nodeId })))
    }
    const ids = problemIds(pairs)
    const placeOf = (i: number) => compounds[i % compounds.length]!
    const registered = yield* register.registerMany(
      admin,
      ids.map((id, i) => ({
        id,
        categoryCode: "bin-missing",
        nodeId: placeOf(i).id,
        note: "厨余桶缺失",
        attributes: { stream: "kitchen" }
      }))
    )
    if (registered.some((result) => result.outcome !== "registered")) {
      return yield* Effect.dieMessage("the seed registered fewer problems than asked")
    }
    // Concurrent for PostgreSQL's sake; SQLite queues them on its one connection.
    yield* Effect.forEach(
      ids,
      (problemId, i) =>
        Effect.zipRight(
          register.transition(admin, { _tag: "Assign", problemId, expectedVersion: 1, unitId: placeOf(i).unitId }),
          register.transition(rectifier, { _tag: "Rectify", problemId, expectedVersion: 2, evidence: ["photo:1"] })
        ),
      { concurrency: 8, discard: true }
    )
    return ids
  })

/**
 * What one re-inspection came to, as a racing process reports it: `Won` with the problem it wrote,
 * or the error's tag and message (`Defect` for anything that is not a typed error).
 *
 * @since 0.1.0
 * @category race
 */
export class Attempt extends Schema.Class<Attempt>("Attempt")({
  problemId: Schema.String,
  side: Schema.Literal("pass", "fail"),
  result: Schema.String,
  message: Schema.String,
  version: Schema.NullOr(Schema.Number),
  state: Schema.NullOr(Schema.String),
  reopenCount: Schema.NullOr(Schema.Number),
  /** Wall-clock milliseconds when the attempt was sent and answered: to show that the sides overlapped. */
  sentAt: Schema.Number,
  finishedAt: Schema.Number
}) {}

/**
 * The re-inspection one side sends for a problem, decided on {@link racedVersion}, and what it came to.
 *
 * @since 0.1.0
 * @category race
 */
export const reinspect = (side: Side, problemId: Problem.ProblemId) =>
  Effect.gen(function* () {
    const register = yield* ProblemRegister
    const sentAt = yield* Clock.currentTimeMillis
    const answer = yield* register
      .transition(inspectors[side], {
        _tag: "Reinspect",
        problemId,
        expectedVersion: racedVersion,
        outcome: side,
        note: `re-inspection by the ${side} side`
      })
      .pipe(
        Effect.map(({ problem }) => ({
          result: "Won",
          message: "",
          version: problem.version,
          state: problem.state,
          reopenCount: problem.reopenCount
        })),
        Effect.catchAll((error) =>
          Effect.succeed({ result: error._tag, message: error.message, version: null, state: null, reopenCount: null })
        ),
        Effect.catchAllDefect((defect) =>
          Effect.succeed({ result: "Defect", message: String(defect), version: null, state: null, reopenCount: null })
        )
      )
    return new Attempt({ problemId, side, ...answer, sentAt, finishedAt: yield* Clock.currentTimeMillis })
  })

// The bodies are decoded with the entity schemas only; which row holds what is read from the columns.
const storedProblems = Schema.Array(
  Schema.Struct({ id: Schema.String, version: Schema.Number, body: Schema.parseJson(Problem.Problem) })
)
const storedEvents = Schema.Array(
  Schema.Struct({ problem_id: Schema.String, version: Schema.Number, body: Schema.parseJson(Lifecycle.ProblemEvent) })
)

/**
 * Judges a finished race from the stored rows, read with plain SQL and the audit probe: returns
 * every violation found (none when the race kept its promises) and the count of each side's wins.
 * For each problem: exactly one attempt won and the other got a version `Conflict`; the row is at
 * version 4 in the winner's state (closed as fixed, or rectifying with one reopen); its events are
 * versions 1–4 once each, the fourth the winner's; its audit entries are the same four, in order;
 * the chain verifies and holds nothing else beyond the seed's grid entries.
 *
 * @since 0.1.0
 * @category race
 */
export const judge = (ids: ReadonlyArray<Problem.ProblemId>, attempts: ReadonlyArray<Attempt>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const problems = yield* Effect.flatMap(
      sql`SELECT id, version, body FROM problem ORDER BY id`,
      Schema.decodeUnknown(storedProblems)
    )
    const events = yield* Effect.flatMap(
      sql`SELECT problem_id, version, body FROM problem_event ORDER BY problem_id, version`,
      Schema.decodeUnknown(storedEvents)
    )
    const rows = yield* Effect.flatMap(AuditProbe.AuditProbe, (probe) => probe.rows)
    const verification = yield* Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(auditor))

    const violations: Array<string> = []
    const wins = { pass: 0, fail: 0 }
    const byProblem = <A>(items: ReadonlyArray<A>, key: (item: A) => string) => {
      const map = new Map<string, Array<A>>()
      for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item])
      return map
    }
    const attemptsOf = byProblem(attempts, (attempt) => attempt.problemId)
    const problemOf = new Map(problems.map((row) => [row.id, row]))
    const eventsOf = byProblem(events, (row) => row.problem_id)
    const entriesOf = byProblem(
      rows.filter((row) => row.subject.startsWith("problem:")),
      (row) => row.subject.slice("problem:".length)
    )

    for (const id of ids) {
      const mine = attemptsOf.get(id) ?? []
      const won = mine.filter((attempt) => attempt.result === "Won")
      const lost = mine.filter((attempt) => attempt.result !== "Won")
      const winner = won[0]
      if (mine.length !== 2 || won.length !== 1 || winner === undefined) {
        violations.push(`${id}: ${won.length} of ${mine.length} attempts won (${mine.map((a) => a.result)})`)
        continue
      }
      wins[winner.side]++
      for (const loser of lost) {
        if (loser.result !== "Conflict" || !loser.message.includes(`version conflict: expected ${racedVersion}`)) {
          violations.push(
            `${id}: the ${loser.side} side got ${loser.result} (${loser.message}), not a version conflict`
          )
        }
      }
      const version = racedVersion + 1
      const row = problemOf.get(id)
      if (row === undefined) {
        violations.push(`${id}: no problem row`)
        continue
      }
      const problem = row.body
      const expected =
        winner.side === "pass"
          ? { state: "closed", reopenCount: 0, closure: "ClosedFixed", closedBy: inspectors.pass.id }
          : { state: "rectifying", reopenCount: 1, closure: null, closedBy: null }
      const found = {
        state: problem.state,
        reopenCount: problem.reopenCount,
        closure: problem.closure?._tag ?? null,
        closedBy: problem.closure?.closedBy ?? null
      }
      if (
        row.version !== version ||
        problem.version !== version ||
        JSON.stringify(found) !== JSON.stringify(expected)
      ) {
        violations.push(
          `${id}: stored v${row.version} (body v${problem.version}) ${JSON.stringify(found)}, ` +
            `but the ${winner.side} side won: v${version} ${JSON.stringify(expected)}`
        )
      }
      if (winner.version !== problem.version || winner.state !== problem.state) {
        violations.push(`${id}: the winner was told v${winner.version} ${winner.state}, stored ${problem.state}`)
      }
      const kinds = [
        "registered",
        "assigned",
        "rectified",
        winner.side === "pass" ? "reinspectionPassed" : "reinspectionFailed"
      ]
      const history = (eventsOf.get(id) ?? []).map((event) => ({
        row: event.version,
        version: event.body.version,
        kind: event.body.kind,
        actor: event.body.actor
      }))
      const seen = history.map((event) => `${event.row}:${event.version}:${event.kind}`).join(" ")
      const wanted = kinds.map((kind, i) => `${i + 1}:${i + 1}:${kind}`).join(" ")
      if (seen !== wanted) violations.push(`${id}: events ${seen}, expected ${wanted}`)
      const last = history.at(-1)
      if (last !== undefined && last.actor !== inspectors[winner.side].id) {
        violations.push(`${id}: event ${last.version} by ${last.actor}, but the ${winner.side} side won`)
      }
      const entries = (entriesOf.get(id) ?? []).map((entry) => `${entry.id}=${entry.action}`).join(" ")
      const wantedEntries = kinds.map((kind, i) => `problem.${id}.v${i + 1}=problem.${kind}`).join(" ")
      if (entries !== wantedEntries) violations.push(`${id}: audit entries ${entries}, expected ${wantedEntries}`)
    }
    if (problems.length !== ids.length) violations.push(`${problems.length} problem rows for ${ids.length} problems`)
    if (events.length !== 4 * ids.length) violations.push(`${events.length} events for ${ids.length} problems`)
    const problemEntries = rows.filter((row) => row.action.startsWith("problem.")).length
    if (problemEntries !== 4 * ids.length)
      violations.push(`${problemEntries} problem audit entries, want ${4 * ids.length}`)
    if (verification._tag !== "Intact" || verification.entries !== rows.length) {
      violations.push(`audit chain: ${JSON.stringify(verification)} over ${rows.length} stored rows`)
    }
    return { violations, wins, events: events.length, auditEntries: rows.length }
  })

/**
 * How the two sides' answers interleave in time: the number of times the winning side changes.
 *
 * @since 0.1.0
 * @category race
 */
export const switches = (attempts: ReadonlyArray<Attempt>): number => {
  const wins = attempts.filter((attempt) => attempt.result === "Won").sort((a, b) => a.finishedAt - b.finishedAt)
  return wins.reduce((count, attempt, i) => (i > 0 && wins[i - 1]!.side !== attempt.side ? count + 1 : count), 0)
}
