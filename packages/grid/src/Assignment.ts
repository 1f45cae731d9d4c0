/**
 * Assignments: a person in a role at a node, for a span of dates `[validFrom, validTo)`. They say
 * who is responsible where, and they are what a person's `Actor` is made of: the roles of the
 * assignments in force, over the subtrees of their nodes.
 *
 * The rules, as pure functions over what the store loaded (the people and assignments a batch
 * names, the node versions its dates need):
 * - a person is registered once; the same id with other details is a `Conflict`;
 * - an assignment names a registered person and a node that stands on its first day;
 * - its span is not empty (`validTo` after `validFrom`), and does not overlap another assignment of
 *   the same person in the same role at the same node;
 * - its end is set once, after its start — by the assign command or later by an end command — so
 *   changes to it apply in date order;
 * - create commands carry client-chosen ids: a retry replays, a reused id is a `Conflict`.
 *
 * @since 0.1.0
 */
import { Actor, Errors, Id, Json, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import { NodeId, type NodeVersion, holdsOn as nodeHoldsOn } from "./Node.js"
import { actorId, Person, PersonId, ProgrammeRole, type RegisterPerson, sameAsRegistered } from "./Person.js"

/**
 * An assignment's id, chosen by the caller: the idempotency key of the assign command.
 *
 * @since 0.1.0
 * @category ids
 */
export const AssignmentId = Id.brand("AssignmentId")

/**
 * @since 0.1.0
 * @category ids
 */
export type AssignmentId = typeof AssignmentId.Type

/**
 * A person in a role at a node, from `validFrom` up to (not including) `validTo`.
 *
 * @since 0.1.0
 * @category models
 */
export class Assignment extends Schema.Class<Assignment>("@sortgrid/grid/Assignment")({
  id: AssignmentId,
  personId: PersonId,
  role: ProgrammeRole,
  nodeId: NodeId,
  validFrom: Period.IsoDate,
  /** The first day the assignment no longer holds; {@link Period.endOfTime} while it is open. */
  validTo: Period.IsoDate
}) {}

/**
 * Whether an assignment holds on a date.
 *
 * @since 0.1.0
 * @category models
 */
export const holdsOn = (assignment: Assignment, date: Period.IsoDate): boolean =>
  assignment.validFrom <= date && date < assignment.validTo

/**
 * Assign a person in a role to a node from `validFrom`, open-ended unless `validTo` is given.
 *
 * @since 0.1.0
 * @category commands
 */
export class Assign extends Schema.Class<Assign>("@sortgrid/grid/Assign")({
  id: AssignmentId,
  personId: PersonId,
  role: ProgrammeRole,
  nodeId: NodeId,
  validFrom: Period.IsoDate,
  validTo: Schema.optionalWith(Period.IsoDate, { default: () => Period.endOfTime, exact: true })
}) {}

/**
 * End an open assignment: `effectiveOn` is the first day it no longer holds.
 *
 * @since 0.1.0
 * @category commands
 */
export class EndAssignment extends Schema.Class<EndAssignment>("@sortgrid/grid/EndAssignment")({
  assignmentId: AssignmentId,
  effectiveOn: Period.IsoDate
}) {}

/**
 * An assignment as stored, with the digest of the command that made it (for idempotency: the
 * assignment itself changes when it is ended, the command it came from does not).
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredAssignment {
  readonly assignment: Assignment
  readonly digest: string
}

/**
 * The digest of an assign command's content: what a retry must repeat.
 *
 * @since 0.1.0
 * @category models
 */
export const digest = (command: Assign): string =>
  Json.digest([command.personId, command.role, command.nodeId, command.validFrom, command.validTo])

/**
 * What the store loads for a batch: the people it names and the assignments it names or that
 * belong to the people it assigns.
 *
 * @since 0.1.0
 * @category planning
 */
export interface PeopleState {
  readonly people: ReadonlyArray<Person>
  readonly assignments: ReadonlyArray<StoredAssignment>
}

/**
 * What to write: people to insert, assignments to insert, and stored assignments to end. An empty
 * plan (a replay) writes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export interface PeoplePlan {
  readonly register: ReadonlyArray<Person>
  readonly assign: ReadonlyArray<StoredAssignment>
  readonly end: ReadonlyArray<{ readonly assignmentId: AssignmentId; readonly validTo: Period.IsoDate }>
}

/**
 * Whether a plan writes anything.
 *
 * @since 0.1.0
 * @category planning
 */
export const writes = (plan: PeoplePlan): boolean =>
  plan.register.length > 0 || plan.assign.length > 0 || plan.end.length > 0

/**
 * Why a command is refused.
 *
 * @since 0.1.0
 * @category planning
 */
export type Refusal = Errors.Invalid | Errors.NotFound | Errors.Conflict

/**
 * Where a command sits in its input (`["assignments", 3]`): the prefix of its `Invalid` paths.
 *
 * @since 0.1.0
 * @category planning
 */
export type InputPath = ReadonlyArray<string | number>

const invalid = (path: InputPath, reason: string): Either.Either<never, Refusal> =>
  Either.left(Errors.Invalid.one(path, reason))

const describeSpan = (assignment: { readonly validFrom: string; readonly validTo: string }) =>
  assignment.validTo === Period.endOfTime
    ? `from ${assignment.validFrom}, open-ended`
    : `${assignment.validFrom} to ${assignment.validTo}`

/**
 * Decides a batch one command at a time, against the stored state and what the batch accepted
 * before. A refused command leaves no trace, so a caller may go on past it (an import of valid
 * rows) or stop at it (an all-or-nothing batch). `at` prefixes the paths of `Invalid` issues.
 *
 * @since 0.1.0
 * @category planning
 */
export interface Planner {
  /** Registers a person, or finds them registered alike. */
  readonly register: (command: RegisterPerson, at: InputPath) => Either.Either<Person, Refusal>
  /** Assigns a registered person, or finds the assignment made by the same command. */
  readonly assign: (command: Assign, at: InputPath) => Either.Either<Assignment, Refusal>
  /** Registers the person unless registered alike, and assigns them: both or neither. */
  readonly registerAndAssign: (
    person: RegisterPerson,
    command: Assign,
    at: InputPath
  ) => Either.Either<{ readonly person: Person; readonly assignment: Assignment }, Refusal>
  /** Ends an open assignment, or finds it ended on the same day. */
  readonly end: (command: EndAssignment, at: InputPath) => Either.Either<Assignment, Refusal>
  /** What the accepted commands write. */
  readonly plan: () => PeoplePlan
}

/**
 * A planner over the stored state and the node versions the batch's dates need (any versions of
 * the named nodes; the one in force on an assignment's first day is looked up).
 *
 * @since 0.1.0
 * @category planning
 */
export const planner = (state: PeopleState, nodes: ReadonlyArray<NodeVersion> = []): Planner => {
  const people = new Map<string, Person>(state.people.map((person) => [person.id, person]))
  const registered = new Map<string, Person>()
  const assignments = new Map<string, StoredAssignment>(state.assignments.map((s) => [s.assignment.id, s]))
  const stored = new Set<string>(state.assignments.map((s) => s.assignment.id))
  const byKey = new Map<string, Array<string>>()
  const assigned: string[] = []
  const ended = new Map<string, Period.IsoDate>()
  const versions = new Map<string, Array<NodeVersion>>()
  for (const version of nodes) versions.set(version.nodeId, [...(versions.get(version.nodeId) ?? []), version])
  const keyOf = (a: { readonly personId: string; readonly role: string; readonly nodeId: string }) =>
    JSON.stringify([a.personId, a.role, a.nodeId])
  const index = (assignment: Assignment) => {
    const key = keyOf(assignment)
    byKey.set(key, [...(byKey.get(key) ?? []), assignment.id])
  }
  for (const { assignment } of state.assignments) index(assignment)

  /** The person a command registers, and whether it is new; commits nothing. */
  const checkRegister = (
    command: RegisterPerson,
    at: InputPath
  ): Either.Either<{ readonly person: Person; readonly fresh: boolean }, Refusal> => {
    const known = people.get(command.id)
    if (known === undefined) {
      const person = new Person(
        { id: command.id, name: command.name, phone: command.phone },
        { disableValidation: true }
      )
      return Either.right({ person, fresh: true })
    }
    if (sameAsRegistered(known, command)) return Either.right({ person: known, fresh: false })
    return registered.has(command.id)
      ? invalid([...at, "id"], `${command.id} appears earlier in the batch with other details`)
      : Either.left(
          new Errors.Conflict({
            entity: "Person",
            id: command.id,
            reason: "a person with this id is registered with other details"
          })
        )
  }

  const commitPerson = (person: Person) => {
    people.set(person.id, person)
    registered.set(person.id, person)
  }

  /** The assignment a command makes, and whether it is new; commits nothing. */
  const checkAssign = (
    command: Assign,
    at: InputPath,
    registering: boolean
  ): Either.Either<{ readonly assignment: Assignment; readonly fresh: boolean }, Refusal> => {
    const requestDigest = digest(command)
    const known = assignments.get(command.id)
    if (known !== undefined) {
      return known.digest === requestDigest
        ? Either.right({ assignment: known.assignment, fresh: false })
        : Either.left(
            new Errors.Conflict({
              entity: "Assignment",
              id: command.id,
              reason: "the id was already used with different content"
            })
          )
    }
    if (!registering && !people.has(command.personId)) {
      return invalid([...at, "personId"], `${command.personId} is not registered`)
    }
    if (command.validTo <= command.validFrom) {
      return invalid([...at, "validTo"], `must be after validFrom (${command.validFrom})`)
    }
    const node = (versions.get(command.nodeId) ?? []).find((version) => nodeHoldsOn(version, command.validFrom))
    if (node === undefined) {
      return invalid([...at, "nodeId"], `node ${command.nodeId} does not stand on ${command.validFrom}`)
    }
    for (const otherId of byKey.get(keyOf(command)) ?? []) {
      const other = assignments.get(otherId)!.assignment
      if (command.validFrom < other.validTo && other.validFrom < command.validTo) {
        return Either.left(
          new Errors.Conflict({
            entity: "Assignment",
            id: command.id,
            reason: `it overlaps assignment ${other.id} (${describeSpan(other)}) of ${command.personId} as ${command.role} at ${command.nodeId}`
          })
        )
      }
    }
    const assignment = new Assignment(
      {
        id: command.id,
        personId: command.personId,
        role: command.role,
        nodeId: command.nodeId,
        validFrom: command.validFrom,
        validTo: command.validTo
      },
      { disableValidation: true }
    )
    return Either.right({ assignment, fresh: true })
  }

  const commitAssignment = (assignment: Assignment, requestDigest: string) => {
    assignments.set(assignment.id, { assignment, digest: requestDigest })
    assigned.push(assignment.id)
    index(assignment)
  }

  const register = (command: RegisterPerson, at: InputPath): Either.Either<Person, Refusal> =>
    Either.map(checkRegister(command, at), ({ person, fresh }) => {
      if (fresh) commitPerson(person)
      return person
    })

  const assign = (command: Assign, at: InputPath): Either.Either<Assignment, Refusal> =>
    Either.map(checkAssign(command, at, false), ({ assignment, fresh }) => {
      if (fresh) commitAssignment(assignment, digest(command))
      return assignment
    })

  const registerAndAssign = (
    person: RegisterPerson,
    command: Assign,
    at: InputPath
  ): Either.Either<{ readonly person: Person; readonly assignment: Assignment }, Refusal> =>
    Either.gen(function* () {
      if (person.id !== command.personId) return yield* invalid([...at, "personId"], "must be the person registered")
      const registering = yield* checkRegister(person, at)
      const assigning = yield* checkAssign(command, at, registering.fresh)
      if (registering.fresh) commitPerson(registering.person)
      if (assigning.fresh) commitAssignment(assigning.assignment, digest(command))
      return { person: registering.person, assignment: assigning.assignment }
    })

  const end = (command: EndAssignment, at: InputPath): Either.Either<Assignment, Refusal> => {
    const known = assignments.get(command.assignmentId)
    if (known === undefined) {
      return Either.left(new Errors.NotFound({ entity: "Assignment", id: command.assignmentId }))
    }
    const current = known.assignment
    if (current.validTo !== Period.endOfTime) {
      return current.validTo === command.effectiveOn
        ? Either.right(current)
        : Either.left(
            new Errors.Conflict({
              entity: "Assignment",
              id: command.assignmentId,
              reason: `it already ends on ${current.validTo}: an assignment's end is set once, so its changes stay in date order`
            })
          )
    }
    if (command.effectiveOn <= current.validFrom) {
      return invalid([...at, "effectiveOn"], `must be after the assignment starts (${current.validFrom})`)
    }
    const updated = new Assignment({ ...current, validTo: command.effectiveOn }, { disableValidation: true })
    assignments.set(updated.id, { ...known, assignment: updated })
    if (stored.has(updated.id)) ended.set(updated.id, command.effectiveOn)
    return Either.right(updated)
  }

  return {
    register,
    assign,
    registerAndAssign,
    end,
    plan: () => ({
      register: [...registered.values()],
      assign: assigned.map((id) => assignments.get(id)!),
      end: [...ended].map(([assignmentId, validTo]) => ({ assignmentId: AssignmentId.make(assignmentId), validTo }))
    })
  }
}

/**
 * A plan and the result of each command, in command order.
 *
 * @since 0.1.0
 * @category planning
 */
export interface Planned<A> extends PeoplePlan {
  readonly results: ReadonlyArray<A>
}

const all = <C, A>(
  commands: ReadonlyArray<C>,
  field: string,
  plan: Planner,
  step: (command: C, at: InputPath) => Either.Either<A, Refusal>
): Either.Either<Planned<A>, Refusal> => {
  const results: Array<A> = []
  for (const [index, command] of commands.entries()) {
    const result = step(command, [field, index])
    if (Either.isLeft(result)) return Either.left(result.left)
    results.push(result.right)
  }
  return Either.right({ ...plan.plan(), results })
}

/**
 * Registers a batch of people, all or nothing. Retries map to the stored person.
 *
 * @since 0.1.0
 * @category planning
 */
export const planRegister = (
  state: PeopleState,
  commands: ReadonlyArray<RegisterPerson>
): Either.Either<Planned<Person>, Refusal> => {
  const plan = planner(state)
  return all(commands, "people", plan, plan.register)
}

/**
 * Assigns a batch, all or nothing. Retries map to the stored assignment.
 *
 * @since 0.1.0
 * @category planning
 */
export const planAssign = (
  state: PeopleState,
  nodes: ReadonlyArray<NodeVersion>,
  commands: ReadonlyArray<Assign>
): Either.Either<Planned<Assignment>, Refusal> => {
  const plan = planner(state, nodes)
  return all(commands, "assignments", plan, plan.assign)
}

/**
 * Ends a batch of assignments, all or nothing. Ending one again on the same date changes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export const planEnd = (
  state: PeopleState,
  commands: ReadonlyArray<EndAssignment>
): Either.Either<Planned<Assignment>, Refusal> => {
  const plan = planner(state)
  return all(commands, "ends", plan, plan.end)
}

// --- actors ---------------------------------------------------------------------------------------

/**
 * The assignments of a person in force on a date: holding on it, at a node that stands on it (one
 * with a path in `nodePaths`, the paths as of that date). An assignment at a node that has closed
 * gives nothing: there is no subtree left to act in.
 *
 * @since 0.1.0
 * @category actors
 */
export const inForce = (
  personId: PersonId,
  assignments: ReadonlyArray<Assignment>,
  nodePaths: ReadonlyMap<string, Actor.NodePath>,
  asOf: Period.IsoDate
): ReadonlyArray<Assignment> =>
  assignments.filter(
    (assignment) => assignment.personId === personId && holdsOn(assignment, asOf) && nodePaths.has(assignment.nodeId)
  )

/**
 * The actor a person is on a date: the distinct roles of their assignments in force, over the
 * paths of those assignments' nodes (both sorted, so equal inputs give equal actors). A person with
 * nothing in force is an actor with no roles and an empty scope: allowed nothing.
 *
 * The core `Actor` pairs no role with a path: someone who is a grid worker in one grid and a
 * volunteer in another holds both roles in both grids.
 *
 * @since 0.1.0
 * @category actors
 */
export const actorOf = (
  personId: PersonId,
  assignments: ReadonlyArray<Assignment>,
  nodePaths: ReadonlyMap<string, Actor.NodePath>,
  asOf: Period.IsoDate
): Actor.Actor => {
  const held = inForce(personId, assignments, nodePaths, asOf)
  const roles = [...new Set(held.map((assignment) => assignment.role))].sort()
  const scope = [...new Set(held.map((assignment) => nodePaths.get(assignment.nodeId)!))].sort()
  return new Actor.Actor(
    { id: actorId(personId), roles: roles.map((role) => Actor.Role.make(role)), scope },
    { disableValidation: true }
  )
}
