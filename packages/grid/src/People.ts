/**
 * The people service: registers people, assigns them in roles to nodes, ends assignments, imports
 * rosters, and answers who holds what where — with the permission check, the rules of
 * {@link Assignment}, the store and the audit chain in one transaction.
 *
 * Permissions: `people.edit` at the node of every assignment made or ended (an admin of a
 * subdistrict assigns only inside it; registering a person needs `people.edit` anywhere), and
 * `people.read` at the nodes a query looks at. {@link People.actorFor} checks nothing: it is how a
 * host turns a signed-in person into the `Actor` every other check runs on.
 *
 * Audit entries name people and assignments by id; names and phone numbers stay out of the chain.
 *
 * @since 0.1.0
 */
import { Actor, Audit, AuditLog, Errors, Json, Period, Permission, Transactor } from "@sortgrid/core"
import { Effect, Either, Option, Schema } from "effect"
import * as Assignment from "./Assignment.js"
import { GridStore, versionsOn } from "./GridStore.js"
import { NodeId, type NodeVersion } from "./Node.js"
import { type ChangeRequest, PeopleStore } from "./PeopleStore.js"
import { type Person, PersonId, RegisterPerson } from "./Person.js"
import * as RosterImport from "./RosterImport.js"
import * as Spreadsheet from "./Spreadsheet.js"
import * as Tabular from "./Tabular.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, [field])
  )

/**
 * What {@link People.assignments} looks for: the assignments in force on `asOf` of a person, at a
 * node, or at the nodes on or under a path (any combination narrows).
 *
 * @since 0.1.0
 * @category models
 */
export const AssignmentQuery = Schema.Struct({
  asOf: Period.IsoDate,
  personId: Schema.optionalWith(PersonId, { exact: true }),
  nodeId: Schema.optionalWith(NodeId, { exact: true }),
  under: Schema.optionalWith(Actor.NodePath, { exact: true })
})

/**
 * @since 0.1.0
 * @category models
 */
export type AssignmentQuery = typeof AssignmentQuery.Encoded

/**
 * A roster to import: the file's content (CSV text or bytes; XLSX bytes) and the import mode.
 *
 * @since 0.1.0
 * @category models
 */
export interface RosterFile {
  readonly format: "csv" | "xlsx"
  readonly content: string | Uint8Array
  readonly mode: Tabular.ImportMode
}

/**
 * What an edit can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EditError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.NotFound | Errors.StorageError
/**
 * What a read can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = Errors.Forbidden | Errors.Invalid | Errors.NotFound | Errors.StorageError

/** Up to 100 items in full; beyond that the first and last, so an entry stays small. */
const some = <A>(items: ReadonlyArray<A>): ReadonlyArray<A> =>
  items.length <= 100 ? items : [items[0]!, items.at(-1)!]

/**
 * People, assignments and rosters.
 *
 * @since 0.1.0
 * @category services
 */
export class People extends Effect.Service<People>()("@sortgrid/grid/People", {
  effect: Effect.gen(function* () {
    const store = yield* PeopleStore
    const grid = yield* GridStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy

    const may = (actor: Actor.Actor, permission: string, at?: Actor.NodePath) =>
      Permission.decide(grants, actor, { permission, at })

    const record = (actor: Actor.Actor, entries: ReadonlyArray<{ id: string; action: string; payload: Json.Json }>) =>
      audit.append(
        entries.map((entry) =>
          Audit.AuditDraft.make({
            id: Audit.AuditEntryId.make(entry.id),
            actor: actor.id,
            action: entry.action,
            subject: "people",
            payload: entry.payload
          })
        )
      )

    /** The audit entries for what a plan wrote: ids and dates, never names or phone numbers. */
    const entriesFor = (plan: Assignment.PeoplePlan, source: string) => {
      const entries: Array<{ id: string; action: string; payload: Json.Json }> = []
      const people = plan.register.map((person) => person.id)
      if (people.length > 0) {
        entries.push({
          id: `people.register.${Json.digest(people)}`,
          action: "people.registered",
          payload: { source, count: people.length, people: some(people) }
        })
      }
      const assigned = plan.assign.map(({ assignment: a }) => [
        a.id,
        a.personId,
        a.role,
        a.nodeId,
        a.validFrom,
        a.validTo
      ])
      if (assigned.length > 0) {
        entries.push({
          id: `people.assign.${Json.digest(assigned)}`,
          action: "people.assigned",
          payload: { source, count: assigned.length, assignments: some(assigned) }
        })
      }
      const ended = plan.end.map((end) => [end.assignmentId, end.validTo])
      if (ended.length > 0) {
        entries.push({
          id: `people.end.${Json.digest(ended)}`,
          action: "people.assignmentsEnded",
          payload: { source, count: ended.length, ends: some(ended) }
        })
      }
      return entries
    }

    /** Node versions in force on the dates asked for: one query per distinct date. */
    const nodesOn = (wanted: ReadonlyArray<{ readonly nodeId: NodeId; readonly date: Period.IsoDate }>) =>
      Effect.map(Effect.provideService(versionsOn(wanted), GridStore, grid), (found) => [...found.values()])

    const versionOn = (versions: ReadonlyArray<NodeVersion>, nodeId: string, date: Period.IsoDate) =>
      versions.find((version) => version.nodeId === nodeId && version.validFrom <= date && date < version.validTo)

    /** Writes a plan and its audit entries; returns the plan. */
    const write = <P extends Assignment.PeoplePlan, E>(
      actor: Actor.Actor,
      source: string,
      request: ChangeRequest,
      decide: (state: Assignment.PeopleState) => Either.Either<P, E>
    ) =>
      Effect.tap(store.change(request, decide), (plan) =>
        Assignment.writes(plan) ? record(actor, entriesFor(plan, source)) : Effect.void
      )

    /**
     * Registers people (`{ id, name, phone? }`), all or nothing. A retry returns the stored person;
     * the same id with other details is a `Conflict`.
     */
    const registerPeople = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<Person>, EditError> =>
      Effect.gen(function* () {
        const commands = yield* decode(Schema.Array(RegisterPerson), input, "people")
        yield* may(actor, "people.edit")
        if (commands.length === 0) return []
        const planned = yield* transactor.withTransaction(
          write(
            actor,
            "register",
            { people: commands.map((command) => command.id), assignments: [], assignmentsOf: [] },
            (state) => Assignment.planRegister(state, commands)
          )
        )
        return planned.results
      })

    /**
     * Assigns people (`{ id, personId, role, nodeId, validFrom, validTo? }`), all or nothing; needs
     * `people.edit` at each node as it stands on the assignment's first day.
     */
    const assign = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Assignment.Assignment>, EditError> =>
      Effect.gen(function* () {
        const commands = yield* decode(Schema.Array(Assignment.Assign), input, "assignments")
        yield* may(actor, "people.edit")
        if (commands.length === 0) return []
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const nodes = yield* nodesOn(commands.map((c) => ({ nodeId: c.nodeId, date: c.validFrom })))
            for (const command of commands) {
              const node = versionOn(nodes, command.nodeId, command.validFrom)
              if (node !== undefined) yield* may(actor, "people.edit", node.path)
            }
            const personIds = [...new Set(commands.map((command) => command.personId))]
            const planned = yield* write(
              actor,
              "assign",
              { people: personIds, assignments: commands.map((command) => command.id), assignmentsOf: personIds },
              (state) => Assignment.planAssign(state, nodes, commands)
            )
            return planned.results
          })
        )
      })

    /**
     * Ends open assignments (`{ assignmentId, effectiveOn }`), all or nothing; needs `people.edit` at
     * each node as it stood on the assignment's last day. Ending one again on the same date changes
     * nothing.
     */
    const endAssignments = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Assignment.Assignment>, EditError> =>
      Effect.gen(function* () {
        const commands = yield* decode(Schema.Array(Assignment.EndAssignment), input, "ends")
        yield* may(actor, "people.edit")
        if (commands.length === 0) return []
        const ids = commands.map((command) => command.assignmentId)
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const existing = new Map((yield* store.assignments({ ids })).map((a) => [a.id as string, a]))
            // The node is checked where it stood on the assignment's last day in force (its first
            // day when the end is too early, which the rules refuse anyway): it may have moved since.
            const places = commands.flatMap((command) => {
              const assignment = existing.get(command.assignmentId)
              if (assignment === undefined) return []
              const lastDay = Math.max(
                Period.dayOfIsoDate(command.effectiveOn) - 1,
                Period.dayOfIsoDate(assignment.validFrom)
              )
              return [{ assignment, lastDay: Period.isoDateOfDay(lastDay) }]
            })
            const nodes = yield* nodesOn(
              places.flatMap(({ assignment, lastDay }) => [
                { nodeId: assignment.nodeId, date: lastDay },
                { nodeId: assignment.nodeId, date: assignment.validFrom }
              ])
            )
            for (const { assignment, lastDay } of places) {
              const node =
                versionOn(nodes, assignment.nodeId, lastDay) ??
                versionOn(nodes, assignment.nodeId, assignment.validFrom)
              // A node that stands on neither day is unknown: only a whole-tree scope may end it.
              yield* may(actor, "people.edit", node?.path ?? Actor.root)
            }
            const planned = yield* write(actor, "end", { people: [], assignments: ids, assignmentsOf: [] }, (state) =>
              Assignment.planEnd(state, commands)
            )
            return planned.results
          })
        )
      })

    /**
     * The assignments in force on a date of a person, at a node, or on or under a path. A node or a
     * path must lie in the actor's `people.read` scope; a person's assignments elsewhere are left
     * out.
     */
    const assignments = (
      actor: Actor.Actor,
      input: AssignmentQuery
    ): Effect.Effect<ReadonlyArray<Assignment.Assignment>, ReadError> =>
      Effect.gen(function* () {
        const query = yield* decode(AssignmentQuery, input, "query")
        yield* may(actor, "people.read")
        const { asOf } = query
        if (query.personId === undefined && query.nodeId === undefined && query.under === undefined) {
          return yield* Errors.Invalid.one("query", "name a personId, a nodeId or a path to look under")
        }
        if (query.under !== undefined) yield* may(actor, "people.read", query.under)
        let nodeIds: ReadonlyArray<NodeId> | undefined
        if (query.nodeId !== undefined) {
          const [node] = yield* grid.versions({ asOf, ids: [query.nodeId], under: query.under })
          if (node === undefined) return yield* new Errors.NotFound({ entity: "Node", id: query.nodeId })
          yield* may(actor, "people.read", node.path)
          nodeIds = [node.nodeId]
        } else if (query.under !== undefined) {
          nodeIds = (yield* grid.versions({ asOf, under: query.under })).map((version) => version.nodeId)
          if (nodeIds.length === 0) return []
        }
        const found = yield* store.assignments({
          asOf,
          nodeIds,
          personIds: query.personId === undefined ? undefined : [query.personId]
        })
        const nodes = yield* grid.versions({ asOf, ids: [...new Set(found.map((a) => a.nodeId))] })
        const paths = new Map(nodes.map((version) => [version.nodeId as string, version.path]))
        return found.filter((a) => {
          const path = paths.get(a.nodeId)
          return path !== undefined && Either.isRight(may(actor, "people.read", path))
        })
      })

    /**
     * The actor a person is on a date: the roles of their assignments in force, over their nodes'
     * paths then. Checks no permission — hosts call it to build the actor for everything else.
     */
    const actorFor = (personId: PersonId, asOf: Period.IsoDate): Effect.Effect<Actor.Actor, ReadError> =>
      Effect.gen(function* () {
        const [person] = yield* store.people([personId])
        if (person === undefined) return yield* new Errors.NotFound({ entity: "Person", id: personId })
        const found = yield* store.assignments({ asOf, personIds: [personId] })
        const nodes = yield* grid.versions({ asOf, ids: [...new Set(found.map((a) => a.nodeId))] })
        const paths = new Map(nodes.map((version) => [version.nodeId as string, version.path]))
        return Assignment.actorOf(personId, found, paths, asOf)
      })

    const readSheet = (file: RosterFile): Effect.Effect<Spreadsheet.Sheet, Errors.Invalid> => {
      const required = RosterImport.requiredColumns
      if (file.format === "csv") {
        const text = typeof file.content === "string" ? file.content : new TextDecoder().decode(file.content)
        return Either.match(Tabular.readCsv(text, required), {
          onLeft: (issues) => Either.left(RosterImport.unreadable(issues)),
          onRight: (rows) => Either.right({ rows, rejected: [] })
        })
      }
      if (typeof file.content === "string") {
        return Errors.Invalid.one("content", "an XLSX file must be given as bytes (a Uint8Array), not text")
      }
      return Effect.mapError(Spreadsheet.readXlsx(file.content, required), RosterImport.unreadable)
    }

    /**
     * Imports a roster (CSV or XLSX; see {@link RosterImport}). All-or-nothing fails with `Invalid`
     * listing every row issue and writes nothing; valid-rows writes the rows that pass and reports
     * the rest. Rows at nodes outside the actor's `people.edit` scope are rejected.
     */
    const importRoster = (
      actor: Actor.Actor,
      file: RosterFile
    ): Effect.Effect<Tabular.ImportReport<RosterImport.RosterEntry>, EditError> =>
      Effect.gen(function* () {
        yield* may(actor, "people.edit")
        if (file.mode !== "all-or-nothing" && file.mode !== "valid-rows") {
          return yield* Errors.Invalid.one("mode", 'must be "all-or-nothing" or "valid-rows"')
        }
        const sheet = yield* readSheet(file)
        const rows = new Set([...sheet.rows.map((row) => row.row), ...sheet.rejected.map((issue) => issue.row)]).size
        const decoded = RosterImport.decode(sheet.rows)
        const planned = yield* transactor.withTransaction(
          Effect.gen(function* () {
            const references = [...RosterImport.nodeReferences(decoded.lines)]
            const versions = (yield* Effect.forEach(references, ([asOf, cells]) =>
              Effect.zipWith(
                grid.versions({ asOf, ids: cells.flatMap((cell) => Option.toArray(RosterImport.asNodeId(cell))) }),
                grid.versions({ asOf, codes: cells }),
                (byId, byCode) => [...byId, ...byCode]
              )
            )).flat()
            const located = RosterImport.locate(decoded.lines, versions, (node) =>
              Either.match(may(actor, "people.edit", node.path), {
                onLeft: (forbidden) => forbidden.reason,
                onRight: () => undefined
              })
            )
            const personIds = [...new Set(located.located.map(({ line }) => line.person.id))]
            return yield* write(
              actor,
              "roster",
              {
                people: personIds,
                assignments: located.located.map((entry) => RosterImport.command(entry).id),
                assignmentsOf: personIds
              },
              (state) =>
                RosterImport.plan(state, located.located, {
                  nodes: versions,
                  mode: file.mode,
                  rejected: [...sheet.rejected, ...decoded.rejected, ...located.rejected]
                })
            )
          })
        )
        return { rows, imported: planned.imported, rejected: planned.rejected }
      })

    return { registerPeople, assign, endAssignments, assignments, actorFor, importRoster } as const
  })
}) {}
