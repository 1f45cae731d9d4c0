/**
 * The people port over `SqlClient`: `grid_person` and `grid_assignment` (migration 8). A write
 * loads what the batch names in a few set-based queries (people by id, assignments by id and by
 * person, chunked under the bind limit), lets the rules decide, then inserts people and assignments
 * with multi-row statements and ends assignments with one `UPDATE` per end date. Writes are
 * serialised per database: SQLite's write lock, a transaction-scoped advisory lock on PostgreSQL.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import * as Assignment from "@sortgrid/grid/Assignment"
import * as PeopleStore from "@sortgrid/grid/PeopleStore"
import * as Person from "@sortgrid/grid/Person"
import { Effect, type Either, Layer, Redacted, Schema } from "effect"
import { chunksOf } from "./internal/errors.js"
import { makeInserter } from "./internal/insert.js"
import { idsPerQuery, inChunks, readRows } from "./internal/query.js"
import { serialisedTransaction } from "./internal/write.js"

const PersonRow = Schema.Struct({
  person_id: Schema.String,
  name: Schema.String,
  phone: Schema.NullOr(Schema.String)
}).pipe(Schema.rename({ person_id: "id" }))

const decodePeople = Schema.decodeUnknown(Schema.Array(Schema.compose(PersonRow, Person.Person)))

const AssignmentRow = Schema.Struct({
  assignment_id: Schema.String,
  person_id: Schema.String,
  role: Schema.String,
  node_id: Schema.String,
  valid_from: Schema.String,
  valid_to: Schema.String,
  digest: Schema.String
}).pipe(
  Schema.rename({
    assignment_id: "id",
    person_id: "personId",
    node_id: "nodeId",
    valid_from: "validFrom",
    valid_to: "validTo"
  })
)

const StoredFields = Schema.Struct({ ...Assignment.Assignment.fields, digest: Schema.String })

const decodeStored = (rows: ReadonlyArray<unknown>) =>
  Effect.map(
    Schema.decodeUnknown(Schema.Array(Schema.compose(AssignmentRow, StoredFields)))(rows),
    (decoded): ReadonlyArray<Assignment.StoredAssignment> =>
      decoded.map(({ digest, ...fields }) => ({
        assignment: new Assignment.Assignment(fields, { disableValidation: true }),
        digest
      }))
  )

const personRow = (person: Person.Person) => ({
  person_id: person.id,
  name: person.name,
  phone: person.phone === null ? null : Redacted.value(person.phone)
})

const assignmentRow = ({ assignment, digest }: Assignment.StoredAssignment) => ({
  assignment_id: assignment.id,
  person_id: assignment.personId,
  role: assignment.role,
  node_id: assignment.nodeId,
  valid_from: assignment.validFrom,
  valid_to: assignment.validTo,
  digest
})

const order = (a: Assignment.Assignment, b: Assignment.Assignment): number => {
  const keys = (x: Assignment.Assignment) => [x.personId, x.role, x.nodeId, x.validFrom, x.id]
  const [left, right] = [keys(a), keys(b)]
  for (let i = 0; i < left.length; i++) {
    if (left[i]! < right[i]!) return -1
    if (left[i]! > right[i]!) return 1
  }
  return 0
}

/**
 * `PeopleStore` over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<PeopleStore.PeopleStore, never, SqlClient.SqlClient> = Layer.effect(
  PeopleStore.PeopleStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insertPeople = makeInserter<ReturnType<typeof personRow>>(sql, "grid_person", ["person_id", "name", "phone"])
    const insertAssignments = makeInserter<ReturnType<typeof assignmentRow>>(sql, "grid_assignment", [
      "assignment_id",
      "person_id",
      "role",
      "node_id",
      "valid_from",
      "valid_to",
      "digest"
    ])

    const peopleWith = (operation: string, ids: ReadonlyArray<string>) =>
      inChunks([...new Set(ids)], (chunk) =>
        sql`SELECT * FROM grid_person WHERE ${sql.in("person_id", chunk)}`.pipe(readRows(operation, decodePeople))
      )

    const assignmentsWhere = (operation: string, column: "assignment_id" | "person_id", ids: ReadonlyArray<string>) =>
      inChunks([...new Set(ids)], (chunk) =>
        sql`SELECT * FROM grid_assignment WHERE ${sql.in(column, chunk)}`.pipe(readRows(operation, decodeStored))
      )

    const change = <P extends Assignment.PeoplePlan, E>(
      request: PeopleStore.ChangeRequest,
      decide: (state: Assignment.PeopleState) => Either.Either<P, E>
    ) =>
      serialisedTransaction(sql, { operation: "people change", lock: "people" })(
        Effect.gen(function* () {
          const people = yield* peopleWith("people change", request.people)
          const byId = yield* assignmentsWhere("people change", "assignment_id", request.assignments)
          const byPerson = yield* assignmentsWhere("people change", "person_id", request.assignmentsOf)
          const assignments = new Map([...byId, ...byPerson].map((stored) => [stored.assignment.id, stored]))
          const plan = yield* decide({ people, assignments: [...assignments.values()] })
          if (plan.register.length > 0) yield* insertPeople(plan.register.map(personRow))
          if (plan.assign.length > 0) yield* insertAssignments(plan.assign.map(assignmentRow))
          const endsByDate = new Map<string, Array<string>>()
          for (const end of plan.end)
            endsByDate.set(end.validTo, [...(endsByDate.get(end.validTo) ?? []), end.assignmentId])
          for (const [validTo, ids] of endsByDate) {
            for (const chunk of chunksOf(ids, idsPerQuery)) {
              yield* sql`UPDATE grid_assignment SET valid_to = ${validTo} WHERE ${sql.in("assignment_id", chunk)}`
            }
          }
          return plan
        })
      )

    const assignments = (query: PeopleStore.AssignmentQuery) => {
      const filters = query.asOf === undefined ? [] : [sql`valid_from <= ${query.asOf}`, sql`valid_to > ${query.asOf}`]
      const lists = (
        [
          ["assignment_id", query.ids],
          ["person_id", query.personIds],
          ["node_id", query.nodeIds]
        ] as const
      ).flatMap(([column, ids]) => (ids === undefined ? [] : [{ column, ids: [...new Set<string>(ids)] }]))
      if (lists.some((list) => list.ids.length === 0)) return Effect.succeed([])
      // Every combination of chunks: one statement each (almost always one in all).
      let combinations: Array<Array<ReturnType<typeof sql.in>>> = [[]]
      for (const { column, ids } of lists) {
        combinations = combinations.flatMap((combination) =>
          chunksOf(ids, idsPerQuery).map((chunk) => [...combination, sql.in(column, chunk)])
        )
      }
      return Effect.map(
        Effect.forEach(combinations, (conditions) =>
          sql`SELECT * FROM grid_assignment WHERE ${sql.and([...filters, ...conditions])}
              ORDER BY person_id, role, node_id, valid_from, assignment_id`.pipe(
            readRows("people assignments", decodeStored)
          )
        ),
        (chunks) => {
          const found = chunks.flat().map((stored) => stored.assignment)
          return combinations.length === 1 ? found : found.sort(order)
        }
      )
    }

    return PeopleStore.PeopleStore.of({
      change,
      people: (ids) => peopleWith("people read", ids),
      assignments
    })
  })
)
