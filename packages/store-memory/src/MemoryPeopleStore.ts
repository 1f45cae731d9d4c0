/**
 * The people port in memory: people by id, assignments by id. Queries scan; this store is for tests
 * and small embedded programmes.
 *
 * @since 0.1.0
 */
import * as Assignment from "@sortgrid/grid/Assignment"
import * as PeopleStore from "@sortgrid/grid/PeopleStore"
import type * as Person from "@sortgrid/grid/Person"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface PeopleTable {
  readonly people: ReadonlyMap<string, Person.Person>
  readonly assignments: ReadonlyMap<string, Assignment.StoredAssignment>
}

const order = (a: Assignment.Assignment, b: Assignment.Assignment): number => {
  const keys = (x: Assignment.Assignment) => [x.personId, x.role, x.nodeId, x.validFrom, x.id]
  const [left, right] = [keys(a), keys(b)]
  for (let i = 0; i < left.length; i++) {
    if (left[i]! < right[i]!) return -1
    if (left[i]! > right[i]!) return 1
  }
  return 0
}

const matches = (query: PeopleStore.AssignmentQuery) => {
  const ids = query.ids === undefined ? undefined : new Set<string>(query.ids)
  const personIds = query.personIds === undefined ? undefined : new Set<string>(query.personIds)
  const nodeIds = query.nodeIds === undefined ? undefined : new Set<string>(query.nodeIds)
  return (assignment: Assignment.Assignment) =>
    (query.asOf === undefined || Assignment.holdsOn(assignment, query.asOf)) &&
    (ids === undefined || ids.has(assignment.id)) &&
    (personIds === undefined || personIds.has(assignment.personId)) &&
    (nodeIds === undefined || nodeIds.has(assignment.nodeId))
}

/**
 * `PeopleStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<PeopleStore.PeopleStore, never, MemoryDatabase> = Layer.effect(
  PeopleStore.PeopleStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<PeopleTable>({ people: new Map(), assignments: new Map() })

    const change = <P extends Assignment.PeoplePlan, E>(
      request: PeopleStore.ChangeRequest,
      decide: (state: Assignment.PeopleState) => Either.Either<P, E>
    ): Effect.Effect<P, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const people = [...new Set<string>(request.people)].flatMap((id) => {
            const person = current.people.get(id)
            return person === undefined ? [] : [person]
          })
          const ids = new Set<string>(request.assignments)
          const of = new Set<string>(request.assignmentsOf)
          const assignments = [...current.assignments.values()].filter(
            ({ assignment }) => ids.has(assignment.id) || of.has(assignment.personId)
          )
          const plan = yield* decide({ people, assignments })
          if (!Assignment.writes(plan)) return plan
          const nextPeople = new Map(current.people)
          for (const person of plan.register) nextPeople.set(person.id, person)
          const nextAssignments = new Map(current.assignments)
          for (const stored of plan.assign) nextAssignments.set(stored.assignment.id, stored)
          for (const end of plan.end) {
            const stored = nextAssignments.get(end.assignmentId)
            if (stored !== undefined) {
              nextAssignments.set(end.assignmentId, {
                ...stored,
                assignment: new Assignment.Assignment({ ...stored.assignment, validTo: end.validTo })
              })
            }
          }
          yield* Ref.set(table, { people: nextPeople, assignments: nextAssignments })
          return plan
        })
      )

    return PeopleStore.PeopleStore.of({
      change,
      people: (ids) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) =>
            [...new Set<string>(ids)].flatMap((id) => {
              const person = current.people.get(id)
              return person === undefined ? [] : [person]
            })
          )
        ),
      assignments: (query) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) =>
            [...current.assignments.values()]
              .map(({ assignment }) => assignment)
              .filter(matches(query))
              .sort(order)
          )
        )
    })
  })
)
