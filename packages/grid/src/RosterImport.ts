/**
 * Rosters: tables of people and their assignments, one assignment a row, from CSV or XLSX. Columns:
 * `personId`, `name`, `phone` (optional), `role`, `node` (a node id or an official division code),
 * `from`, `to` (optional: open-ended when blank). A person on several rows must have the same name
 * and phone on each.
 *
 * Every problem is a row issue naming the row, the column and the reason: a bad cell, an unknown
 * role or node, a date that does not exist, `to` not after `from`, a row repeating or overlapping
 * another, a node outside the importer's scope, or a clash with what is stored. Phone numbers are
 * never repeated in a reason.
 *
 * A row's assignment id is derived from its person, role, node and first day, so importing the same
 * roster again changes nothing.
 *
 * @since 0.1.0
 */
import { Errors, Json, Period } from "@sortgrid/core"
import { Either, Option, ParseResult, Redacted, Schema } from "effect"
import {
  Assign,
  type Assignment,
  AssignmentId,
  digest,
  type PeoplePlan,
  type PeopleState,
  planner,
  type Refusal
} from "./Assignment.js"
import { holdsOn, NodeId, type NodeVersion } from "./Node.js"
import { type Person, PersonId, PersonName, Phone, ProgrammeRole, RegisterPerson, sameAsRegistered } from "./Person.js"
import { decodeRow, type ImportMode, type Row, RowIssue, toInvalid } from "./Tabular.js"

/**
 * The columns a roster must have; `phone` and `to` may be absent.
 *
 * @since 0.1.0
 * @category models
 */
export const requiredColumns = ["personId", "name", "role", "node", "from"] as const

/** A cell that may be blank: blank is `null`, anything else must decode with `schema`. */
const blankOr = <A, I extends string>(schema: Schema.Schema<A, I>) =>
  Schema.transformOrFail(Schema.String, Schema.NullOr(Schema.typeSchema(schema)), {
    strict: true,
    decode: (text) => (text === "" ? ParseResult.succeed(null) : ParseResult.decodeUnknown(schema)(text)),
    encode: (value) => (value === null ? ParseResult.succeed("") : ParseResult.encode(schema)(value))
  })

/**
 * One row of a roster, decoded.
 *
 * @since 0.1.0
 * @category models
 */
export const RosterRow = Schema.Struct({
  personId: PersonId,
  name: PersonName,
  phone: Schema.optionalWith(blankOr(Phone), { exact: true }),
  role: ProgrammeRole,
  node: Schema.String.pipe(Schema.minLength(1, { message: () => "must name a node id or division code" })),
  from: Period.IsoDate,
  to: Schema.optionalWith(blankOr(Period.IsoDate), { exact: true })
})

/**
 * A decoded row: the person it registers and the assignment it asks for, its node not yet found.
 *
 * @since 0.1.0
 * @category models
 */
export interface RosterLine {
  readonly row: number
  readonly person: RegisterPerson
  readonly role: ProgrammeRole
  /** The `node` cell: a node id or an official division code. */
  readonly node: string
  readonly validFrom: Period.IsoDate
  readonly validTo: Period.IsoDate
}

/**
 * A line whose node was found: the version in force on its first day.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocatedLine {
  readonly line: RosterLine
  readonly node: NodeVersion
}

/**
 * A row written (or found already written, on a re-import).
 *
 * @since 0.1.0
 * @category models
 */
export interface RosterEntry {
  readonly row: number
  readonly person: Person
  readonly assignment: Assignment
}

const issue = (row: number, column: string, reason: string) => new RowIssue({ row, column, reason })

const byRow = (issues: ReadonlyArray<RowIssue>): ReadonlyArray<RowIssue> => [...issues].sort((a, b) => a.row - b.row)

/**
 * Decodes the rows and checks each against the others: `to` after `from`, and one name and phone per
 * person.
 *
 * @since 0.1.0
 * @category planning
 */
export const decode = (
  rows: ReadonlyArray<Row>
): { readonly lines: ReadonlyArray<RosterLine>; readonly rejected: ReadonlyArray<RowIssue> } => {
  const lines: Array<RosterLine> = []
  const rejected: Array<RowIssue> = []
  const people = new Map<string, { readonly row: number; readonly person: RegisterPerson }>()
  for (const row of rows) {
    const decoded = decodeRow(RosterRow, row)
    if (Either.isLeft(decoded)) {
      rejected.push(...decoded.left)
      continue
    }
    const { personId, name, phone, role, node, from, to } = decoded.right
    if (to !== undefined && to !== null && to <= from) {
      rejected.push(issue(row.row, "to", `must be after from (${from})`))
      continue
    }
    const person = RegisterPerson.make({ id: personId, name, phone: phone ?? null })
    const first = people.get(personId)
    if (first !== undefined) {
      if (first.person.name !== name) {
        rejected.push(issue(row.row, "name", `differs from row ${first.row} for person ${personId}`))
        continue
      }
      if (phoneOf(first.person) !== phoneOf(person)) {
        rejected.push(issue(row.row, "phone", `differs from row ${first.row} for person ${personId}`))
        continue
      }
    } else {
      people.set(personId, { row: row.row, person })
    }
    lines.push({ row: row.row, person, role, node, validFrom: from, validTo: to ?? Period.endOfTime })
  }
  return { lines, rejected }
}

const phoneOf = (person: RegisterPerson): string | null => (person.phone === null ? null : Redacted.value(person.phone))

/**
 * The node references to look up, by the date they must stand on: each line's `node` cell, as an id
 * and as a code, on its first day.
 *
 * @since 0.1.0
 * @category planning
 */
export const nodeReferences = (
  lines: ReadonlyArray<RosterLine>
): ReadonlyMap<Period.IsoDate, ReadonlyArray<string>> => {
  const references = new Map<Period.IsoDate, Set<string>>()
  for (const line of lines) references.set(line.validFrom, (references.get(line.validFrom) ?? new Set()).add(line.node))
  return new Map([...references].map(([date, nodes]) => [date, [...nodes]]))
}

/**
 * Finds each line's node among `versions` — by id first, then by official code — as it stood on the
 * line's first day, and asks `refuse` whether the importer may assign there (a reason when not).
 *
 * @since 0.1.0
 * @category planning
 */
export const locate = (
  lines: ReadonlyArray<RosterLine>,
  versions: ReadonlyArray<NodeVersion>,
  refuse: (node: NodeVersion) => string | undefined
): { readonly located: ReadonlyArray<LocatedLine>; readonly rejected: ReadonlyArray<RowIssue> } => {
  const located: Array<LocatedLine> = []
  const rejected: Array<RowIssue> = []
  const byId = new Map<string, Array<NodeVersion>>()
  const byCode = new Map<string, Array<NodeVersion>>()
  for (const version of versions) {
    byId.set(version.nodeId, [...(byId.get(version.nodeId) ?? []), version])
    if (version.code !== null) byCode.set(version.code, [...(byCode.get(version.code) ?? []), version])
  }
  for (const line of lines) {
    const on = (candidates: ReadonlyArray<NodeVersion> | undefined) =>
      candidates?.find((version) => holdsOn(version, line.validFrom))
    const node = on(byId.get(line.node)) ?? on(byCode.get(line.node))
    if (node === undefined) {
      rejected.push(issue(line.row, "node", `no node with id or code ${line.node} stands on ${line.validFrom}`))
      continue
    }
    const reason = refuse(node)
    if (reason !== undefined) rejected.push(issue(line.row, "node", reason))
    else located.push({ line, node })
  }
  return { located, rejected }
}

/**
 * The id of the assignment a row makes: derived from what identifies it, so a re-import finds it.
 *
 * @since 0.1.0
 * @category planning
 */
export const assignmentId = (line: RosterLine, nodeId: NodeId): AssignmentId =>
  AssignmentId.make(`roster-${Json.digest([line.person.id, line.role, nodeId, line.validFrom]).slice(0, 40)}`)

/**
 * The assign command a located line makes.
 *
 * @since 0.1.0
 * @category planning
 */
export const command = ({ line, node }: LocatedLine): Assign =>
  Assign.make({
    id: assignmentId(line, node.nodeId),
    personId: line.person.id,
    role: line.role,
    nodeId: node.nodeId,
    validFrom: line.validFrom,
    validTo: line.validTo
  })

const columnOf: Readonly<Record<string, string>> = {
  id: "personId",
  personId: "personId",
  name: "name",
  phone: "phone",
  role: "role",
  nodeId: "node",
  validFrom: "from",
  validTo: "to"
}

const refusalIssues = (row: number, refusal: Refusal): ReadonlyArray<RowIssue> => {
  switch (refusal._tag) {
    case "Invalid":
      return refusal.issues.map((found) => {
        const field = found.path.at(-1)
        return issue(row, typeof field === "string" ? (columnOf[field] ?? "") : "", found.reason)
      })
    case "Conflict":
      return [issue(row, refusal.entity === "Person" ? "personId" : "from", refusal.reason)]
    case "NotFound":
      return [issue(row, "", refusal.message)]
  }
}

/**
 * What an import writes, the rows written and every row issue.
 *
 * @since 0.1.0
 * @category planning
 */
export interface RosterPlan extends PeoplePlan {
  readonly imported: ReadonlyArray<RosterEntry>
  readonly rejected: ReadonlyArray<RowIssue>
}

/**
 * Plans the import of located lines against the stored state, row by row: a row repeating or
 * overlapping an earlier one (same person, role and node), a person stored with other details, an
 * assignment imported before with another end, or any rule of {@link planner} rejects the row.
 * `rejected` are the issues found before (reading, decoding, locating). All-or-nothing fails with
 * `Invalid` listing every issue when there is any, so nothing is written; valid-rows writes the rows
 * that pass.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (
  state: PeopleState,
  located: ReadonlyArray<LocatedLine>,
  options: {
    readonly nodes: ReadonlyArray<NodeVersion>
    readonly mode: ImportMode
    readonly rejected: ReadonlyArray<RowIssue>
  }
): Either.Either<RosterPlan, Errors.Invalid> => {
  const planning = planner(state, options.nodes)
  const storedPeople = new Map<string, Person>(state.people.map((person) => [person.id, person]))
  const storedAssignments = new Map(state.assignments.map((stored) => [stored.assignment.id as string, stored]))
  const accepted = new Map<string, Array<{ readonly row: number; readonly assign: Assign }>>()
  const imported: Array<RosterEntry> = []
  const rejected: Array<RowIssue> = [...options.rejected]
  const reject = (row: number, column: string, reason: string) => rejected.push(issue(row, column, reason))

  for (const entry of located) {
    const { line } = entry
    const assign = command(entry)
    const key = JSON.stringify([assign.personId, assign.role, assign.nodeId])
    const earlier = (accepted.get(key) ?? []).find(
      (other) => assign.validFrom < other.assign.validTo && other.assign.validFrom < assign.validTo
    )
    if (earlier !== undefined) {
      const same = earlier.assign.validFrom === assign.validFrom && earlier.assign.validTo === assign.validTo
      reject(
        line.row,
        "from",
        same ? `repeats row ${earlier.row}` : `overlaps row ${earlier.row} (same person, role and node)`
      )
      continue
    }
    const person = storedPeople.get(line.person.id)
    if (person !== undefined && !sameAsRegistered(person, line.person)) {
      const column = person.name === line.person.name ? "phone" : "name"
      reject(line.row, column, `differs from the ${column} registered for person ${person.id}`)
      continue
    }
    const stored = storedAssignments.get(assign.id)
    if (stored !== undefined && stored.digest !== digest(assign)) {
      reject(line.row, "to", "this assignment was imported before with another end date: end it instead")
      continue
    }
    const result = planning.registerAndAssign(line.person, assign, [])
    if (Either.isLeft(result)) {
      rejected.push(...refusalIssues(line.row, result.left))
      continue
    }
    accepted.set(key, [...(accepted.get(key) ?? []), { row: line.row, assign }])
    imported.push({ row: line.row, ...result.right })
  }
  const issues = byRow(rejected)
  if (options.mode === "all-or-nothing" && issues.length > 0) return Either.left(toInvalid(issues))
  return Either.right({ ...planning.plan(), imported, rejected: issues })
}

/**
 * Reports the issues as `Invalid` (for a file that cannot be read at all).
 *
 * @since 0.1.0
 * @category planning
 */
export const unreadable = (issues: ReadonlyArray<RowIssue>): Errors.Invalid =>
  issues.length === 0 ? Errors.Invalid.one("content", "the file cannot be read") : toInvalid(byRow(issues))

/**
 * The node id a `node` cell names, when it is shaped like one (for lookups by id).
 *
 * @since 0.1.0
 * @category planning
 */
export const asNodeId = (cell: string): Option.Option<NodeId> =>
  Option.getRight(Schema.decodeUnknownEither(NodeId)(cell))
