/**
 * The problem register in memory: problems by id and their events, in one `MemoryDatabase` table so
 * a transaction restores both together.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import { type Lifecycle, Problem } from "@sortgrid/issues"
import * as ProblemStore from "@sortgrid/issues/ProblemStore"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface Tables {
  readonly problems: ReadonlyMap<string, Problem.Problem>
  readonly events: ReadonlyMap<string, ReadonlyArray<Lifecycle.ProblemEvent>>
}

const byRegistration = (a: Problem.Problem, b: Problem.Problem): number =>
  a.registeredAt - b.registeredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const append = (
  events: ReadonlyMap<string, ReadonlyArray<Lifecycle.ProblemEvent>>,
  added: ReadonlyArray<Lifecycle.ProblemEvent>
): ReadonlyMap<string, ReadonlyArray<Lifecycle.ProblemEvent>> => {
  const next = new Map(events)
  for (const event of added) next.set(event.problemId, [...(next.get(event.problemId) ?? []), event])
  return next
}

/**
 * `ProblemStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ProblemStore.ProblemStore, never, MemoryDatabase> = Layer.effect(
  ProblemStore.ProblemStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({ problems: new Map(), events: new Map() })

    const register = <P extends ProblemStore.RegisterPlan, E>(
      request: {
        readonly ids: ReadonlyArray<Problem.ProblemId>
        readonly pairs: ReadonlyArray<ProblemStore.Pair>
      },
      decide: (state: ProblemStore.RegisterState) => Either.Either<P, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const { events, problems } = yield* Ref.get(table)
          const stored = new Map(
            request.ids.flatMap((id) => {
              const problem = problems.get(id)
              return problem === undefined ? [] : [[id as string, problem] as const]
            })
          )
          const keys = new Set(request.pairs.map(ProblemStore.pairKey))
          const open = new Map<string, Array<Problem.Problem>>()
          for (const problem of [...problems.values()].sort(byRegistration)) {
            const key = ProblemStore.pairKey(problem)
            if (Problem.isOpen(problem) && keys.has(key)) open.set(key, [...(open.get(key) ?? []), problem])
          }
          const plan = yield* decide({ stored, open })
          const next = new Map(problems)
          for (const problem of plan.problems) next.set(problem.id, problem)
          yield* Ref.set(table, { problems: next, events: append(events, plan.events) })
          return plan
        })
      )

    const change = <E>(
      expected: ReadonlyArray<ProblemStore.Expected>,
      decide: (current: ReadonlyArray<Problem.Problem>) => Either.Either<ReadonlyArray<Lifecycle.Transition>, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const { events, problems } = yield* Ref.get(table)
          const current: Array<Problem.Problem> = []
          for (const { expectedVersion, problemId } of expected) {
            const problem = problems.get(problemId)
            if (problem === undefined) {
              return yield* Effect.fail(new Errors.NotFound({ entity: "Problem", id: problemId }))
            }
            if (problem.version !== expectedVersion) {
              return yield* Effect.fail(ProblemStore.versionConflict(problemId, expectedVersion, problem.version))
            }
            current.push(problem)
          }
          const done = yield* decide(current)
          const next = new Map(problems)
          for (const { problem } of done) next.set(problem.id, problem)
          yield* Ref.set(table, {
            problems: next,
            events: append(
              events,
              done.map(({ event }) => event)
            )
          })
          return done
        })
      )

    const open = ({ during, nodeIds }: ProblemStore.OpenQuery) =>
      Effect.map(Ref.get(table), ({ problems }) => {
        const nodes = nodeIds === undefined ? undefined : new Set<string>(nodeIds)
        return [...problems.values()]
          .filter((problem) => {
            if (nodes !== undefined && !nodes.has(problem.nodeId)) return false
            if (during === undefined) return Problem.isOpen(problem)
            return (
              problem.registeredAt <= during.to && (problem.closure === null || problem.closure.closedAt > during.from)
            )
          })
          .sort(byRegistration)
      })

    const list = (query: ProblemStore.ListQuery) =>
      Effect.map(Ref.get(table), ({ problems }) => {
        const nodes = query.nodeIds === undefined ? undefined : new Set<string>(query.nodeIds)
        const states = query.states === undefined ? undefined : new Set<string>(query.states)
        const codes = query.categoryCodes === undefined ? undefined : new Set<string>(query.categoryCodes)
        const { after, deadlineBy, registered } = query
        const found = [...problems.values()]
          .filter(
            (problem) =>
              (nodes === undefined || nodes.has(problem.nodeId)) &&
              (states === undefined || states.has(problem.state)) &&
              (codes === undefined || codes.has(problem.categoryCode)) &&
              (registered === undefined ||
                (problem.registeredAt >= registered.from && problem.registeredAt <= registered.to)) &&
              (deadlineBy === undefined || (Problem.isOpen(problem) && problem.deadlineAt <= deadlineBy)) &&
              (after === undefined ||
                problem.registeredAt > after.registeredAt ||
                (problem.registeredAt === after.registeredAt && problem.id > after.id))
          )
          .sort(byRegistration)
        return query.limit === undefined ? found : found.slice(0, query.limit)
      })

    return ProblemStore.ProblemStore.of({
      list,
      register,
      change,
      get: (ids) =>
        Effect.map(Ref.get(table), ({ problems }) =>
          [...new Set(ids)].flatMap((id) => {
            const problem = problems.get(id)
            return problem === undefined ? [] : [problem]
          })
        ),
      events: (problemId) => Effect.map(Ref.get(table), ({ events }) => events.get(problemId) ?? []),
      eventsOf: (problemIds) =>
        Effect.map(Ref.get(table), ({ events }) =>
          [...new Set<string>(problemIds)].sort().flatMap((id) => events.get(id) ?? [])
        ),
      open,
      facts: (query) =>
        Effect.map(open(query), (problems) =>
          problems.map(({ closure, deadlineAt, id, nodeId, registeredAt }) => ({
            id,
            nodeId,
            registeredAt,
            deadlineAt,
            closure: closure === null ? null : { _tag: closure._tag, closedAt: closure.closedAt }
          }))
        )
    })
  })
)
