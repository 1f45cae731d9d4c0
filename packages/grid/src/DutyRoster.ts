/**
 * The duty roster service: define shift templates, post duty projects, sign volunteers up, record
 * check-ins, and ask for no-shows and presence — each write checked, decided by {@link Duty}, stored
 * and audited in one transaction.
 *
 * Permissions, each at a node path as the tree stood on the relevant date:
 * - `duty.manage` at the station (templates), at the project's node (projects), and at the
 *   project's node to sign up someone other than oneself;
 * - `duty.signup` at the project's node (sign-ups);
 * - `duty.checkin` at the station, on the check-in's local date: a grid worker whose scope is their
 *   grid records check-ins in that grid only;
 * - `duty.read` at the node a query covers.
 *
 * @since 0.1.0
 */
import { type Actor, Audit, AuditLog, Errors, Json, Period, Permission, Transactor } from "@sortgrid/core"
import { Context, Effect, Schema } from "effect"
import * as Duty from "./Duty.js"
import { DutyStore } from "./DutyStore.js"
import { GridStore, versionsOn } from "./GridStore.js"
import type { NodeId } from "./Node.js"
import { actorId } from "./Person.js"
import { NodeKind } from "./Profile.js"

/**
 * Where duty happens: the jurisdiction's offset east of UTC in minutes (Beijing, 480, unless
 * provided) and the kinds of node that are bin stations (`bin-station` unless provided).
 *
 * @since 0.1.0
 * @category services
 */
export class DutySettings extends Context.Reference<DutySettings>()("@sortgrid/grid/DutySettings", {
  defaultValue: (): { readonly utcOffsetMinutes: number; readonly stationKinds: ReadonlyArray<NodeKind> } => ({
    utcOffsetMinutes: 480,
    stationKinds: [NodeKind.make("bin-station")]
  })
}) {}

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, [field])
  )

/**
 * What a write may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EditError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.NotFound | Errors.StorageError

/**
 * What a query may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = Errors.Forbidden | Errors.StorageError

/**
 * What a query covers: the bin stations on or under a node, over a period, placed by the tree as it
 * stood on `asOf` (the period's last day unless given).
 *
 * @since 0.1.0
 * @category models
 */
export interface AttendanceQuery {
  readonly under: Actor.NodePath
  readonly period: Period.Period
  readonly asOf?: Period.IsoDate | undefined
}

const emptyRoster: Duty.Roster = { templates: [], projects: [], signUps: [], covered: [] }

/**
 * The duty roster.
 *
 * @since 0.1.0
 * @category services
 */
export class DutyRoster extends Effect.Service<DutyRoster>()("@sortgrid/grid/DutyRoster", {
  effect: Effect.gen(function* () {
    const store = yield* DutyStore
    const grid = yield* GridStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const settings = yield* DutySettings

    const allowed = (actor: Actor.Actor, permission: string, paths?: Iterable<Actor.NodePath | undefined>) =>
      Permission.decideAll(grants, actor, permission, paths)

    const nodesOn = (wanted: ReadonlyArray<{ readonly nodeId: NodeId; readonly date: Period.IsoDate }>) =>
      Effect.provideService(versionsOn(wanted), GridStore, grid)

    /**
     * The stations of a batch, checked: the actor must hold `permission` at every one that exists,
     * and each must be a station in force on its date.
     */
    const checkStations = (
      actor: Actor.Actor,
      permission: string,
      field: string,
      wanted: ReadonlyArray<{ readonly nodeId: NodeId; readonly date: Period.IsoDate }>
    ) =>
      Effect.gen(function* () {
        const found = yield* nodesOn(wanted)
        yield* allowed(
          actor,
          permission,
          [...found.values()].map((version) => version.path)
        )
        for (const [index, { nodeId, date }] of wanted.entries()) {
          const problem = Duty.stationProblem({
            found: found.get(`${date}|${nodeId}`),
            id: nodeId,
            date,
            stationKinds: settings.stationKinds
          })
          if (problem !== undefined) return yield* Errors.Invalid.one([field, index, "nodeId"], problem)
        }
      })

    /** One audit entry for the records a command wrote; its id derives from them, so a retry repeats it. */
    const recordWritten = (actor: Actor.Actor, action: string, noun: string, ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.void
        : audit.append([
            Audit.AuditDraft.make({
              id: Audit.AuditEntryId.make(`duty.${noun}.${Json.digest(ids)}`),
              actor: actor.id,
              action,
              subject: ids.length === 1 ? `${noun}:${ids[0]}` : `${noun}:${ids.length}`,
              payload: { count: ids.length, ids: ids.length <= 100 ? ids : [ids[0]!, ids.at(-1)!] }
            })
          ])

    /** Defines shift templates at bin stations, all-or-nothing; a retried template is returned as stored. */
    const defineTemplates = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Duty.ShiftTemplate>, EditError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "duty.manage")
        const templates = yield* decode(Schema.Array(Duty.ShiftTemplate), input, "templates")
        if (templates.length === 0) return []
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            yield* checkStations(
              actor,
              "duty.manage",
              "templates",
              templates.map((t) => ({ nodeId: t.nodeId, date: t.validFrom }))
            )
            const plan = yield* store.change(
              { templateIds: templates.map((t) => t.id), stations: templates.map((t) => t.nodeId) },
              (state) => Duty.planTemplates(state, templates)
            )
            yield* recordWritten(
              actor,
              "duty.templatesDefined",
              "templates",
              plan.writes.templates.map((t) => t.id)
            )
            return plan.result
          })
        )
      })

    /** Posts a duty project over templates at stations on or under its node. */
    const postProject = (actor: Actor.Actor, input: unknown): Effect.Effect<Duty.DutyProject, EditError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "duty.manage")
        const project = yield* decode(Duty.DutyProject, input, "project")
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const templates = yield* store.templates({ ids: project.templateIds })
            const nodes = yield* grid.versions({
              asOf: project.firstDay,
              ids: [project.nodeId, ...templates.map((t) => t.nodeId)]
            })
            const paths = new Map(nodes.map((version) => [version.nodeId as string, version.path]))
            yield* allowed(
              actor,
              "duty.manage",
              [paths.get(project.nodeId)].filter((path) => path !== undefined)
            )
            const plan = yield* store.change({ projectIds: [project.id] }, (state) =>
              Duty.planProject(state, project, { templates, paths })
            )
            yield* recordWritten(
              actor,
              "duty.projectPosted",
              "project",
              plan.writes.projects.map((p) => p.id)
            )
            return plan.result
          })
        )
      })

    /**
     * Signs people up to projects, all-or-nothing. Signing up someone else needs `duty.manage` at
     * the project's node as well.
     */
    const signUp = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<Duty.SignUp>, EditError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "duty.signup")
        const signUps = yield* decode(Schema.Array(Duty.SignUp), input, "signUps")
        if (signUps.length === 0) return []
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const projectIds = [...new Set(signUps.map((s) => s.projectId))]
            const projects = new Map((yield* store.projects(projectIds)).map((p) => [p.id as string, p]))
            const nodes = yield* nodesOn([...projects.values()].map((p) => ({ nodeId: p.nodeId, date: p.firstDay })))
            for (const [index, signUp] of signUps.entries()) {
              const project = projects.get(signUp.projectId)
              if (project === undefined) {
                return yield* Errors.Invalid.one(
                  ["signUps", index, "projectId"],
                  `there is no duty project ${signUp.projectId}`
                )
              }
              const path = nodes.get(`${project.firstDay}|${project.nodeId}`)?.path
              if (path === undefined) return yield* new Errors.NotFound({ entity: "Node", id: project.nodeId })
              yield* allowed(actor, "duty.signup", [path])
              if (actorId(signUp.personId) !== actor.id) yield* allowed(actor, "duty.manage", [path])
            }
            const plan = yield* store.change(
              { signUpIds: signUps.map((s) => s.id), signUpsOfProjects: projectIds },
              (state) => Duty.planSignUps(state, signUps, projects)
            )
            yield* recordWritten(
              actor,
              "duty.signedUp",
              "signUps",
              plan.writes.signUps.map((s) => s.id)
            )
            return plan.result
          })
        )
      })

    /**
     * Records check-ins, all-or-nothing, each against the shift it falls in. A retry returns the
     * record first made; the same id with other content is a `Conflict`.
     */
    const checkIn = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<Duty.CheckInRecord>, EditError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "duty.checkin")
        const checkIns = yield* decode(Schema.Array(Duty.CheckIn), input, "checkIns")
        if (checkIns.length === 0) return []
        const offset = settings.utcOffsetMinutes
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            yield* checkStations(
              actor,
              "duty.checkin",
              "checkIns",
              checkIns.map((c) => ({
                nodeId: c.nodeId,
                date: Period.isoDateOfDay(Period.dayOfInstant(c.at, offset))
              }))
            )
            const plan = yield* store.change(
              { checkInIds: checkIns.map((c) => c.id), stations: checkIns.map((c) => c.nodeId) },
              (state) => Duty.planCheckIns(state, checkIns, offset)
            )
            yield* recordWritten(
              actor,
              "duty.checkedIn",
              "checkIns",
              plan.writes.checkIns.map((c) => c.id)
            )
            return plan.result
          })
        )
      })

    const attendance = (actor: Actor.Actor, query: AttendanceQuery) =>
      Effect.gen(function* () {
        yield* allowed(actor, "duty.read", [query.under])
        const { firstDay, lastDay } = Duty.datesOf(query.period)
        const asOf = query.asOf ?? lastDay
        const stations = yield* grid.versions({ asOf, under: query.under, kinds: settings.stationKinds })
        const roster =
          stations.length === 0
            ? emptyRoster
            : yield* store.roster({ stations: stations.map((s) => s.nodeId), firstDay, lastDay })
        return { asOf, stations, attendance: Duty.attendanceOf(roster, query.period) }
      })

    /** The expected shifts at the stations on or under a node in a period that nobody checked in for. */
    const noShows = (actor: Actor.Actor, query: AttendanceQuery): Effect.Effect<Duty.NoShowReport, ReadError> =>
      Effect.map(attendance(actor, query), ({ asOf, attendance }) => ({
        under: query.under,
        period: Period.format(query.period),
        asOf,
        ...Duty.presenceOf(attendance.covered.length, attendance.expected),
        noShows: attendance.noShows
      }))

    /** Covered over expected shifts for a node and period, and for every node between it and its stations. */
    const presence = (actor: Actor.Actor, query: AttendanceQuery): Effect.Effect<Duty.PresenceReport, ReadError> =>
      Effect.map(attendance(actor, query), ({ asOf, stations, attendance }) =>
        Duty.presence({ under: query.under, period: query.period, asOf, stations, attendance })
      )

    return { defineTemplates, postProject, signUp, checkIn, noShows, presence } as const
  })
}) {}
