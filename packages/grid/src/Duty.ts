/**
 * Bin-side duty: shift templates at bin stations, duty projects that call for volunteers, sign-ups,
 * check-ins, and the pure rules that turn them into no-shows and presence rates.
 *
 * - A **shift template** says when someone should stand at a bin station: a window of local time
 *   (`07:00`–`09:00`) on some weekdays, for a span of dates `[validFrom, validTo)` (as node versions).
 *   Templates of one station never overlap in time, so a check-in falls in at most one shift.
 * - A **duty project** is a posted call for volunteers: the node it covers, the templates it staffs,
 *   its first and last day (both included) and its capacity — the most volunteers signed up on any
 *   one day.
 * - A **sign-up** commits a person to a project's templates from a first to a last day (included).
 * - A **check-in** is a person at a station at an instant. It is recorded against the shift it falls
 *   in: the local date of the instant (in the jurisdiction's UTC offset) and the template whose
 *   counting window holds it, or none.
 *
 * Counting rule: a check-in counts for a shift from {@link earlyToleranceMinutes} (15) minutes before
 * the window opens — but never before midnight of the shift's date — until the window closes
 * (exclusive): for 07:00–09:00, from 06:45:00 to 08:59:59.999.
 *
 * Expected shifts are sign-ups × the project's templates × the dates in both the sign-up and the
 * period on which the template applies (in force, and on one of its weekdays). The same person,
 * template and date expected through two sign-ups is one shift. A shift is covered when the same
 * person has a check-in recorded against that template on that date; the rest are no-shows.
 * Presence is covered / expected, with both parts kept.
 *
 * @since 0.1.0
 */
import { Actor, Errors, Id, Json, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import { NodeId, type NodeVersion, pathIds } from "./Node.js"
import { PersonId } from "./Person.js"

// --- ids ------------------------------------------------------------------------------------------

/**
 * A shift template's id, chosen by the client.
 *
 * @since 0.1.0
 * @category ids
 */
export const ShiftTemplateId = Id.brand("ShiftTemplateId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ShiftTemplateId = typeof ShiftTemplateId.Type

/**
 * A duty project's id, chosen by the client.
 *
 * @since 0.1.0
 * @category ids
 */
export const DutyProjectId = Id.brand("DutyProjectId")

/**
 * @since 0.1.0
 * @category ids
 */
export type DutyProjectId = typeof DutyProjectId.Type

/**
 * A sign-up's id, chosen by the client.
 *
 * @since 0.1.0
 * @category ids
 */
export const SignUpId = Id.brand("SignUpId")

/**
 * @since 0.1.0
 * @category ids
 */
export type SignUpId = typeof SignUpId.Type

/**
 * A check-in's id, chosen by the client (the app that scanned the station's QR code, say).
 *
 * @since 0.1.0
 * @category ids
 */
export const CheckInId = Id.brand("CheckInId")

/**
 * @since 0.1.0
 * @category ids
 */
export type CheckInId = typeof CheckInId.Type

// --- models ---------------------------------------------------------------------------------------

/**
 * A local time of day, `HH:MM` (24-hour).
 *
 * @since 0.1.0
 * @category models
 */
export const LocalTime = Schema.String.pipe(
  Schema.pattern(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { message: () => "must be a time HH:MM, 00:00 to 23:59" }),
  Schema.brand("LocalTime")
)

/**
 * @since 0.1.0
 * @category models
 */
export type LocalTime = typeof LocalTime.Type

/**
 * An ISO weekday: 1 is Monday, 7 is Sunday.
 *
 * @since 0.1.0
 * @category models
 */
export const Weekday = Schema.Int.pipe(
  Schema.between(1, 7, { message: () => "must be an ISO weekday, 1 (Monday) to 7 (Sunday)" })
)

const Text = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))

/**
 * When someone should stand at a bin station: a window of local time on some weekdays (every day
 * unless given), in force on the dates `[validFrom, validTo)`.
 *
 * @since 0.1.0
 * @category models
 */
export class ShiftTemplate extends Schema.Class<ShiftTemplate>("@sortgrid/grid/ShiftTemplate")(
  Schema.Struct({
    id: ShiftTemplateId,
    /** The bin station. */
    nodeId: NodeId,
    name: Text(60),
    windowStart: LocalTime,
    /** When the window closes; after `windowStart` on the same day (no shift runs past midnight). */
    windowEnd: LocalTime,
    weekdays: Schema.optionalWith(Schema.NonEmptyArray(Weekday), { default: () => [1, 2, 3, 4, 5, 6, 7] }),
    validFrom: Period.IsoDate,
    /** The first date the template no longer applies; {@link Period.endOfTime} while open-ended. */
    validTo: Schema.optionalWith(Period.IsoDate, { default: () => Period.endOfTime })
  }).pipe(
    Schema.filter((template) => {
      const issues: Array<Schema.FilterIssue> = []
      if (template.windowEnd <= template.windowStart) {
        issues.push({ path: ["windowEnd"], message: `must be after windowStart (${template.windowStart})` })
      }
      if (template.validTo <= template.validFrom) {
        issues.push({ path: ["validTo"], message: `must be after validFrom (${template.validFrom})` })
      }
      if (new Set(template.weekdays).size !== template.weekdays.length) {
        issues.push({ path: ["weekdays"], message: "must not repeat a weekday" })
      }
      return issues
    })
  )
) {}

/**
 * A posted call for volunteers: the node it covers, the shift templates it staffs (at bin stations
 * on or under that node), its first and last day (both included), and its capacity: the most
 * volunteers signed up on any one day.
 *
 * @since 0.1.0
 * @category models
 */
export class DutyProject extends Schema.Class<DutyProject>("@sortgrid/grid/DutyProject")(
  Schema.Struct({
    id: DutyProjectId,
    title: Text(120),
    nodeId: NodeId,
    templateIds: Schema.NonEmptyArray(ShiftTemplateId),
    firstDay: Period.IsoDate,
    lastDay: Period.IsoDate,
    capacity: Schema.Int.pipe(Schema.between(1, 100_000))
  }).pipe(
    Schema.filter((project) => {
      const issues: Array<Schema.FilterIssue> = []
      if (project.lastDay < project.firstDay) {
        issues.push({ path: ["lastDay"], message: `must not be before firstDay (${project.firstDay})` })
      }
      if (new Set(project.templateIds).size !== project.templateIds.length) {
        issues.push({ path: ["templateIds"], message: "must not repeat a template" })
      }
      return issues
    })
  )
) {}

/**
 * A person's commitment to a project's shifts from a first to a last day (both included), inside
 * the project's days.
 *
 * @since 0.1.0
 * @category models
 */
export class SignUp extends Schema.Class<SignUp>("@sortgrid/grid/SignUp")(
  Schema.Struct({
    id: SignUpId,
    projectId: DutyProjectId,
    personId: PersonId,
    firstDay: Period.IsoDate,
    lastDay: Period.IsoDate
  }).pipe(
    Schema.filter((signUp) =>
      signUp.lastDay < signUp.firstDay
        ? { path: ["lastDay"], message: `must not be before firstDay (${signUp.firstDay})` }
        : undefined
    )
  )
) {}

/**
 * A point on the ground, WGS 84 degrees.
 *
 * @since 0.1.0
 * @category models
 */
export class Location extends Schema.Class<Location>("@sortgrid/grid/Location")({
  lon: Schema.Number.pipe(Schema.between(-180, 180)),
  lat: Schema.Number.pipe(Schema.between(-90, 90))
}) {}

/** The last millisecond of 9999-12-31 UTC: instants past it have no date we can write. */
const lastInstant = 253_402_300_799_999

/**
 * A person seen at a bin station (`nodeId`) at an instant (`at`, milliseconds since the epoch), with
 * where the device was and a reference to evidence (a photo's storage key, say) when there are any.
 *
 * @since 0.1.0
 * @category models
 */
export class CheckIn extends Schema.Class<CheckIn>("@sortgrid/grid/CheckIn")({
  id: CheckInId,
  personId: PersonId,
  nodeId: NodeId,
  at: Schema.Int.pipe(Schema.between(0, lastInstant, { message: () => "must be milliseconds since 1970, in UTC" })),
  location: Schema.optionalWith(Schema.NullOr(Location), { default: () => null }),
  evidence: Schema.optionalWith(Schema.NullOr(Text(512)), { default: () => null })
}) {}

/**
 * A check-in as recorded: the local date of its instant, and the template whose shift it falls in
 * (`null` when it falls in none).
 *
 * @since 0.1.0
 * @category models
 */
export class CheckInRecord extends CheckIn.extend<CheckInRecord>("@sortgrid/grid/CheckInRecord")({
  date: Period.IsoDate,
  templateId: Schema.NullOr(ShiftTemplateId)
}) {}

/**
 * One shift one person is expected at: a template's window at its station on a date.
 *
 * @since 0.1.0
 * @category models
 */
export interface Shift {
  readonly personId: PersonId
  readonly templateId: ShiftTemplateId
  /** The bin station. */
  readonly nodeId: NodeId
  readonly date: Period.IsoDate
  readonly windowStart: LocalTime
  readonly windowEnd: LocalTime
}

/**
 * What identifies a shift: who, which template, which date.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShiftKey {
  readonly personId: PersonId
  readonly templateId: ShiftTemplateId
  readonly date: Period.IsoDate
}

/**
 * A shift's key as one string (ids cannot hold `|`).
 *
 * @since 0.1.0
 * @category models
 */
export const shiftKey = (shift: ShiftKey): string => `${shift.date}|${shift.templateId}|${shift.personId}`

// --- time -----------------------------------------------------------------------------------------

/**
 * How many minutes before a window opens a check-in already counts.
 *
 * @since 0.1.0
 * @category counting
 */
export const earlyToleranceMinutes = 15

/**
 * Minutes since midnight of a local time.
 *
 * @since 0.1.0
 * @category counting
 */
export const minutesOf = (time: LocalTime): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

/**
 * The minutes of its date in which a check-in counts for a template's shift, `[from, to)`.
 *
 * @since 0.1.0
 * @category counting
 */
export const countingWindow = (template: ShiftTemplate): { readonly from: number; readonly to: number } => ({
  from: Math.max(0, minutesOf(template.windowStart) - earlyToleranceMinutes),
  to: minutesOf(template.windowEnd)
})

/** ISO weekday of a day number; 1970-01-01 was a Thursday. */
const weekdayOf = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1

/**
 * Whether a template applies on a day (a day number): in force, and on one of its weekdays.
 *
 * @since 0.1.0
 * @category counting
 */
export const appliesOn = (template: ShiftTemplate, day: number): boolean => {
  const date = Period.isoDateOfDay(day)
  return template.validFrom <= date && date < template.validTo && template.weekdays.includes(weekdayOf(day))
}

/**
 * The shift a check-in falls in: its local date (the jurisdiction is `offsetMinutes` east of UTC;
 * Beijing is 480) and the template of its station whose counting window holds the instant, if any.
 *
 * @since 0.1.0
 * @category counting
 */
export const shiftOf = (
  templates: ReadonlyArray<ShiftTemplate>,
  checkIn: { readonly nodeId: NodeId; readonly at: number },
  offsetMinutes: number
): { readonly date: Period.IsoDate; readonly templateId: ShiftTemplateId | null } => {
  const day = Period.dayOfInstant(checkIn.at, offsetMinutes)
  const minute = (checkIn.at + offsetMinutes * 60_000 - day * 86_400_000) / 60_000
  const template = templates.find((template) => {
    if (template.nodeId !== checkIn.nodeId || !appliesOn(template, day)) return false
    const window = countingWindow(template)
    return window.from <= minute && minute < window.to
  })
  return { date: Period.isoDateOfDay(day), templateId: template?.id ?? null }
}

/**
 * Whether two templates could claim the same check-in: one station, overlapping dates, a weekday
 * in common, and counting windows that overlap.
 *
 * @since 0.1.0
 * @category rules
 */
export const overlaps = (a: ShiftTemplate, b: ShiftTemplate): boolean => {
  if (a.nodeId !== b.nodeId || a.validTo <= b.validFrom || b.validTo <= a.validFrom) return false
  if (!a.weekdays.some((day) => b.weekdays.includes(day))) return false
  const x = countingWindow(a)
  const y = countingWindow(b)
  return x.from < y.to && y.from < x.to
}

// --- writing: the state a command loads and the plan it returns -----------------------------------

/**
 * What a duty command needs loaded: templates by id and every template at some stations, projects
 * by id, sign-ups by id and every sign-up of some projects, check-ins by id.
 *
 * @since 0.1.0
 * @category writing
 */
export interface DutyScope {
  readonly templateIds?: ReadonlyArray<ShiftTemplateId> | undefined
  readonly stations?: ReadonlyArray<NodeId> | undefined
  readonly projectIds?: ReadonlyArray<DutyProjectId> | undefined
  readonly signUpIds?: ReadonlyArray<SignUpId> | undefined
  readonly signUpsOfProjects?: ReadonlyArray<DutyProjectId> | undefined
  readonly checkInIds?: ReadonlyArray<CheckInId> | undefined
}

/**
 * What the store found for a {@link DutyScope}.
 *
 * @since 0.1.0
 * @category writing
 */
export interface DutyState {
  readonly templates: ReadonlyArray<ShiftTemplate>
  readonly projects: ReadonlyArray<DutyProject>
  readonly signUps: ReadonlyArray<SignUp>
  readonly checkIns: ReadonlyArray<CheckInRecord>
}

/**
 * New records to insert. Duty records are never updated: a retry inserts nothing.
 *
 * @since 0.1.0
 * @category writing
 */
export interface DutyWrites {
  readonly templates: ReadonlyArray<ShiftTemplate>
  readonly projects: ReadonlyArray<DutyProject>
  readonly signUps: ReadonlyArray<SignUp>
  readonly checkIns: ReadonlyArray<CheckInRecord>
}

/**
 * A decision: what to write, and what the command returns (the records as stored, retries
 * included, in the order asked).
 *
 * @since 0.1.0
 * @category writing
 */
export interface DutyPlan<A> {
  readonly writes: DutyWrites
  readonly result: A
}

/**
 * Whether a plan writes anything.
 *
 * @since 0.1.0
 * @category writing
 */
export const writesSomething = (writes: DutyWrites): boolean =>
  writes.templates.length + writes.projects.length + writes.signUps.length + writes.checkIns.length > 0

const noWrites: DutyWrites = { templates: [], projects: [], signUps: [], checkIns: [] }

/**
 * Why a plan refuses a command: bad input, a collision with what is stored, or a missing record.
 *
 * @since 0.1.0
 * @category writing
 */
export type Refusal = Errors.Invalid | Errors.Conflict | Errors.NotFound

const invalid = (path: ReadonlyArray<string | number>, reason: string): Either.Either<never, Refusal> =>
  Either.left(Errors.Invalid.one(path, reason))

const reused = (entity: string, id: string): Either.Either<never, Refusal> =>
  Either.left(new Errors.Conflict({ entity, id, reason: "the id was already used with different content" }))

/** The parts of a record that a retry must repeat. */
const contentOf = {
  template: (t: ShiftTemplate): Json.Json => [
    t.nodeId,
    t.name,
    t.windowStart,
    t.windowEnd,
    [...t.weekdays],
    t.validFrom,
    t.validTo
  ],
  project: (p: DutyProject): Json.Json => [p.nodeId, p.title, [...p.templateIds], p.firstDay, p.lastDay, p.capacity],
  signUp: (s: SignUp): Json.Json => [s.projectId, s.personId, s.firstDay, s.lastDay],
  checkIn: (c: CheckIn): Json.Json => [
    c.personId,
    c.nodeId,
    c.at,
    c.location === null ? null : [c.location.lon, c.location.lat],
    c.evidence
  ]
}

const same = <A>(content: (a: A) => Json.Json, a: A, b: A): boolean =>
  Json.canonical(content(a)) === Json.canonical(content(b))

/**
 * Replays and fresh items of a batch keyed by client id: a stored id with the same content is a
 * replay, with other content a `Conflict`; an id twice in the batch is `Invalid`. `stored` may hold
 * more than the batch's ids.
 */
const sortBatch = <A extends { readonly id: string }, S extends A>(options: {
  readonly field: string
  readonly entity: string
  readonly items: ReadonlyArray<A>
  readonly stored: ReadonlyArray<S>
  readonly content: (a: A) => Json.Json
}): Either.Either<
  { readonly fresh: ReadonlyArray<readonly [number, A]>; readonly stored: Map<string, S> },
  Refusal
> => {
  const stored = new Map<string, S>(options.stored.map((item) => [item.id, item]))
  const seen = new Set<string>()
  const fresh: Array<readonly [number, A]> = []
  for (const [index, item] of options.items.entries()) {
    if (seen.has(item.id)) return invalid([options.field, index, "id"], `${item.id} appears twice in the batch`)
    seen.add(item.id)
    const found = stored.get(item.id)
    if (found === undefined) fresh.push([index, item])
    else if (!same(options.content, found, item)) return reused(options.entity, item.id)
  }
  return Either.right({ fresh, stored })
}

/**
 * Why a node cannot hold duty on a date, or `undefined` when it can: it must be in force then and
 * be of a station kind.
 *
 * @since 0.1.0
 * @category rules
 */
export const stationProblem = (options: {
  readonly found: Pick<NodeVersion, "kind"> | undefined
  readonly id: NodeId
  readonly date: Period.IsoDate
  /** The kinds of node that hold duty (`bin-station` in the programme's profile). */
  readonly stationKinds: ReadonlyArray<string>
}): string | undefined =>
  options.found === undefined
    ? `there is no node ${options.id} on ${options.date}`
    : options.stationKinds.includes(options.found.kind)
      ? undefined
      : `${options.id} is a ${options.found.kind}, not a ${options.stationKinds.join(" or ")}`

/** Items grouped by a key, so batch rules look at a station's or a project's records only. */
const groupBy = <A>(items: Iterable<A>, key: (a: A) => string): Map<string, Array<A>> => {
  const groups = new Map<string, Array<A>>()
  for (const item of items) {
    const group = groups.get(key(item))
    if (group === undefined) groups.set(key(item), [item])
    else group.push(item)
  }
  return groups
}

const describeTemplate = (t: ShiftTemplate) =>
  `${t.id} (${t.windowStart}-${t.windowEnd}, weekdays ${t.weekdays.join(",")}, from ${t.validFrom})`

/**
 * Defines templates (stations already checked). State: the stored templates with the batch's ids
 * and every template at the batch's stations.
 *
 * @since 0.1.0
 * @category rules
 */
export const planTemplates = (
  state: Pick<DutyState, "templates">,
  templates: ReadonlyArray<ShiftTemplate>
): Either.Either<DutyPlan<ReadonlyArray<ShiftTemplate>>, Refusal> =>
  Either.flatMap(
    sortBatch({
      field: "templates",
      entity: "ShiftTemplate",
      items: templates,
      stored: state.templates,
      content: contentOf.template
    }),
    ({ fresh, stored }) => {
      const atStation = groupBy(state.templates, (t) => t.nodeId)
      for (const [index, template] of fresh) {
        const standing = atStation.get(template.nodeId) ?? []
        const clash = standing.find((other) => other.id !== template.id && overlaps(template, other))
        if (clash !== undefined) {
          return invalid(
            ["templates", index, "windowStart"],
            `counting from ${earlyToleranceMinutes} minutes before it opens, the window overlaps template ${describeTemplate(clash)} at the same station`
          )
        }
        atStation.set(template.nodeId, [...standing, template])
      }
      const written = fresh.map(([, template]) => template)
      return Either.right({
        writes: { ...noWrites, templates: written },
        result: templates.map((t) => stored.get(t.id) ?? t)
      })
    }
  )

/**
 * What posting a project needs besides the stored state: its templates and the paths (on its first
 * day) of its node and of their stations.
 *
 * @since 0.1.0
 * @category rules
 */
export interface ProjectContext {
  readonly templates: ReadonlyArray<ShiftTemplate>
  readonly paths: ReadonlyMap<string, Actor.NodePath>
}

/**
 * Posts a project. State: the stored project with its id. Every template must exist, be in force
 * on some day of the project, and sit at a station on or under the project's node.
 *
 * @since 0.1.0
 * @category rules
 */
export const planProject = (
  state: Pick<DutyState, "projects">,
  project: DutyProject,
  context: ProjectContext
): Either.Either<DutyPlan<DutyProject>, Refusal> => {
  const stored = state.projects.find((p) => p.id === project.id)
  if (stored !== undefined) {
    return same(contentOf.project, stored, project)
      ? Either.right({ writes: noWrites, result: stored })
      : reused("DutyProject", project.id)
  }
  const root = context.paths.get(project.nodeId)
  if (root === undefined)
    return invalid(["project", "nodeId"], `there is no node ${project.nodeId} on ${project.firstDay}`)
  const templates = new Map(context.templates.map((t) => [t.id as string, t]))
  for (const [index, id] of project.templateIds.entries()) {
    const template = templates.get(id)
    const at = ["project", "templateIds", index]
    if (template === undefined) return invalid(at, `there is no shift template ${id}`)
    const path = context.paths.get(template.nodeId)
    if (path === undefined || !path.startsWith(root)) {
      return invalid(at, `template ${id} is at station ${template.nodeId}, which is not on or under ${project.nodeId}`)
    }
    if (template.validFrom > project.lastDay || template.validTo <= project.firstDay) {
      return invalid(at, `template ${id} is not in force between ${project.firstDay} and ${project.lastDay}`)
    }
  }
  return Either.right({ writes: { ...noWrites, projects: [project] }, result: project })
}

const daysOf = (first: Period.IsoDate, last: Period.IsoDate): ReadonlyArray<number> => {
  const days: Array<number> = []
  for (let day = Period.dayOfIsoDate(first); day <= Period.dayOfIsoDate(last); day++) days.push(day)
  return days
}

/**
 * Signs people up. State: the stored sign-ups with the batch's ids and every sign-up of the
 * batch's projects. Each sign-up must lie within its project's days, must not overlap another
 * sign-up of the same person to the same project, and must leave the project within its capacity
 * on every day (else `Conflict`: the project is full).
 *
 * @since 0.1.0
 * @category rules
 */
export const planSignUps = (
  state: Pick<DutyState, "signUps">,
  signUps: ReadonlyArray<SignUp>,
  projects: ReadonlyMap<string, DutyProject>
): Either.Either<DutyPlan<ReadonlyArray<SignUp>>, Refusal> =>
  Either.flatMap(
    sortBatch({
      field: "signUps",
      entity: "SignUp",
      items: signUps,
      stored: state.signUps,
      content: contentOf.signUp
    }),
    ({ fresh, stored }) => {
      const byPerson = groupBy(state.signUps, (s) => `${s.projectId}|${s.personId}`)
      // Sign-ups per project and day, so capacity is one lookup per day of a new sign-up.
      const taken = new Map<string, Map<number, number>>()
      const count = (signUp: SignUp) => {
        const days = taken.get(signUp.projectId) ?? new Map<number, number>()
        taken.set(signUp.projectId, days)
        for (const day of daysOf(signUp.firstDay, signUp.lastDay)) days.set(day, (days.get(day) ?? 0) + 1)
      }
      for (const signUp of state.signUps) count(signUp)
      for (const [index, signUp] of fresh) {
        const project = projects.get(signUp.projectId)
        if (project === undefined) {
          return invalid(["signUps", index, "projectId"], `there is no duty project ${signUp.projectId}`)
        }
        if (signUp.firstDay < project.firstDay || signUp.lastDay > project.lastDay) {
          return invalid(
            ["signUps", index, "firstDay"],
            `${signUp.firstDay} to ${signUp.lastDay} is not within project ${project.id} (${project.firstDay} to ${project.lastDay})`
          )
        }
        const own = byPerson.get(`${project.id}|${signUp.personId}`) ?? []
        const twice = own.find((s) => s.firstDay <= signUp.lastDay && signUp.firstDay <= s.lastDay)
        if (twice !== undefined) {
          return invalid(
            ["signUps", index, "personId"],
            `${signUp.personId} is already signed up to ${project.id} from ${twice.firstDay} to ${twice.lastDay} (${twice.id})`
          )
        }
        const days = taken.get(project.id)
        const full = daysOf(signUp.firstDay, signUp.lastDay).find((day) => (days?.get(day) ?? 0) >= project.capacity)
        if (full !== undefined) {
          return Either.left(
            new Errors.Conflict({
              entity: "DutyProject",
              id: project.id,
              reason: `the project is full on ${Period.isoDateOfDay(full)} (capacity ${project.capacity})`
            })
          )
        }
        byPerson.set(`${project.id}|${signUp.personId}`, [...own, signUp])
        count(signUp)
      }
      return Either.right({
        writes: { ...noWrites, signUps: fresh.map(([, signUp]) => signUp) },
        result: signUps.map((s) => stored.get(s.id) ?? s)
      })
    }
  )

/**
 * Records check-ins (stations already checked). State: the stored check-ins with the batch's ids
 * and every template at the batch's stations. Each new check-in is recorded against the shift it
 * falls in ({@link shiftOf}); a retry returns the record first made.
 *
 * @since 0.1.0
 * @category rules
 */
export const planCheckIns = (
  state: Pick<DutyState, "templates" | "checkIns">,
  checkIns: ReadonlyArray<CheckIn>,
  offsetMinutes: number
): Either.Either<DutyPlan<ReadonlyArray<CheckInRecord>>, Refusal> =>
  Either.map(
    sortBatch({
      field: "checkIns",
      entity: "CheckIn",
      items: checkIns,
      stored: state.checkIns,
      content: contentOf.checkIn
    }),
    ({ fresh, stored }) => {
      const atStation = groupBy(state.templates, (t) => t.nodeId)
      const recorded = new Map<string, CheckInRecord>()
      for (const [, checkIn] of fresh) {
        const shift = shiftOf(atStation.get(checkIn.nodeId) ?? [], checkIn, offsetMinutes)
        recorded.set(checkIn.id, new CheckInRecord({ ...checkIn, ...shift }, { disableValidation: true }))
      }
      const result = checkIns.map((c) => stored.get(c.id) ?? recorded.get(c.id)!)
      return { writes: { ...noWrites, checkIns: [...recorded.values()] }, result }
    }
  )

// --- reading: expected shifts, no-shows and presence ----------------------------------------------

/**
 * What the store returns for the stations under a node and a span of dates: their templates, the
 * projects staffing them, those projects' sign-ups overlapping the dates, and the distinct shifts
 * with a check-in recorded against them on those dates.
 *
 * @since 0.1.0
 * @category reading
 */
export interface Roster {
  readonly templates: ReadonlyArray<ShiftTemplate>
  readonly projects: ReadonlyArray<DutyProject>
  readonly signUps: ReadonlyArray<SignUp>
  readonly covered: ReadonlyArray<ShiftKey>
}

/**
 * The shifts expected on the days `[firstDay, lastDay]` (day numbers) at the roster's templates:
 * for every sign-up, every template of its project, every day in the sign-up, the project and the
 * span on which the template applies. Each person, template and date counts once. In no particular
 * order.
 *
 * @since 0.1.0
 * @category reading
 */
export const expectedShifts = (
  roster: Pick<Roster, "templates" | "projects" | "signUps">,
  span: { readonly firstDay: number; readonly lastDay: number }
): ReadonlyArray<Shift> => {
  // Day numbers and weekday sets once per template, dates once per day: a district's month is
  // millions of (sign-up, template, day) steps.
  const templates = new Map(
    roster.templates.map((t) => [
      t.id as string,
      {
        template: t,
        from: Period.dayOfIsoDate(t.validFrom),
        to: Period.dayOfIsoDate(t.validTo),
        weekdays: new Set(t.weekdays)
      }
    ])
  )
  const projects = new Map(roster.projects.map((p) => [p.id as string, p]))
  const dates = new Map<number, Period.IsoDate>()
  const dateOf = (day: number) => {
    const known = dates.get(day)
    if (known !== undefined) return known
    const date = Period.isoDateOfDay(day)
    dates.set(day, date)
    return date
  }
  const shifts = new Map<string, Shift>()
  for (const signUp of roster.signUps) {
    const project = projects.get(signUp.projectId)
    if (project === undefined) continue
    const first = Math.max(span.firstDay, Period.dayOfIsoDate(signUp.firstDay), Period.dayOfIsoDate(project.firstDay))
    const last = Math.min(span.lastDay, Period.dayOfIsoDate(signUp.lastDay), Period.dayOfIsoDate(project.lastDay))
    for (const templateId of project.templateIds) {
      const found = templates.get(templateId)
      if (found === undefined) continue
      const { template } = found
      for (let day = Math.max(first, found.from); day <= last && day < found.to; day++) {
        if (!found.weekdays.has(weekdayOf(day))) continue
        const shift: Shift = {
          personId: signUp.personId,
          templateId: template.id,
          nodeId: template.nodeId,
          date: dateOf(day),
          windowStart: template.windowStart,
          windowEnd: template.windowEnd
        }
        shifts.set(shiftKey(shift), shift)
      }
    }
  }
  return [...shifts.values()]
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const byTime = (a: Shift, b: Shift): number =>
  compare(a.date, b.date) ||
  compare(a.windowStart, b.windowStart) ||
  compare(a.nodeId, b.nodeId) ||
  compare(a.personId, b.personId)

/**
 * Expected shifts split into those covered by a check-in and the no-shows (ordered by date, window,
 * station and person).
 *
 * @since 0.1.0
 * @category reading
 */
export interface Attendance {
  readonly expected: number
  readonly covered: ReadonlyArray<Shift>
  readonly noShows: ReadonlyArray<Shift>
}

/**
 * Splits expected shifts by whether their key is among the covered ones.
 *
 * @since 0.1.0
 * @category reading
 */
export const attendance = (expected: ReadonlyArray<Shift>, covered: ReadonlyArray<ShiftKey>): Attendance => {
  const keys = new Set(covered.map(shiftKey))
  const hit: Array<Shift> = []
  const missed: Array<Shift> = []
  for (const shift of expected) (keys.has(shiftKey(shift)) ? hit : missed).push(shift)
  return { expected: expected.length, covered: hit, noShows: missed.sort(byTime) }
}

/**
 * Covered over expected shifts, with both parts; `rate` is `null` when nothing was expected.
 *
 * @since 0.1.0
 * @category reading
 */
export interface Presence {
  readonly expected: number
  readonly covered: number
  readonly rate: number | null
}

/**
 * A presence rate from its parts.
 *
 * @since 0.1.0
 * @category reading
 */
export const presenceOf = (covered: number, expected: number): Presence => ({
  expected,
  covered,
  rate: expected === 0 ? null : covered / expected
})

/**
 * The presence of one node: every bin station on or under it.
 *
 * @since 0.1.0
 * @category reading
 */
export interface NodePresence extends Presence {
  readonly nodeId: NodeId
  readonly path: Actor.NodePath
}

/**
 * Presence for a node and period: the total, and every node from `under` down to each of its bin
 * stations (stations included), ordered by path.
 *
 * @since 0.1.0
 * @category reading
 */
export interface PresenceReport extends Presence {
  readonly under: Actor.NodePath
  /** The period's id (`2023-06`). */
  readonly period: string
  /** The date whose tree placed the stations. */
  readonly asOf: Period.IsoDate
  readonly stations: number
  readonly byNode: ReadonlyArray<NodePresence>
}

/**
 * Rolls an attendance up the tree: each shift counts at its station and at every node between the
 * station and `under`.
 *
 * @since 0.1.0
 * @category reading
 */
export const presence = (options: {
  readonly under: Actor.NodePath
  readonly period: Period.Period
  readonly asOf: Period.IsoDate
  readonly stations: ReadonlyArray<Pick<NodeVersion, "nodeId" | "path">>
  readonly attendance: Attendance
}): PresenceReport => {
  const { under } = options
  const atStation = new Map<string, { expected: number; covered: number }>()
  for (const station of options.stations) {
    if (station.path.startsWith(under)) atStation.set(station.nodeId, { expected: 0, covered: 0 })
  }
  const count = (shifts: ReadonlyArray<Shift>, covered: boolean) => {
    for (const shift of shifts) {
      const tally = atStation.get(shift.nodeId)
      if (tally === undefined) continue
      tally.expected += 1
      if (covered) tally.covered += 1
    }
  }
  count(options.attendance.covered, true)
  count(options.attendance.noShows, false)
  // Each station's tally counts at the station and at every node between it and `under`.
  const firstIndex = Math.max(0, pathIds(under).length - 1)
  const parts = new Map<string, { path: Actor.NodePath; expected: number; covered: number }>()
  for (const station of options.stations) {
    const tally = atStation.get(station.nodeId)
    if (tally === undefined) continue
    const ids = pathIds(station.path)
    for (let index = firstIndex; index < ids.length; index++) {
      const id = ids[index]!
      const part = parts.get(id) ?? {
        path: Actor.NodePath.make(`/${ids.slice(0, index + 1).join("/")}/`, { disableValidation: true }),
        expected: 0,
        covered: 0
      }
      part.expected += tally.expected
      part.covered += tally.covered
      parts.set(id, part)
    }
  }
  let expected = 0
  let covered = 0
  for (const tally of atStation.values()) {
    expected += tally.expected
    covered += tally.covered
  }
  return {
    under,
    period: Period.format(options.period),
    asOf: options.asOf,
    stations: atStation.size,
    ...presenceOf(covered, expected),
    byNode: [...parts]
      .map(([id, part]) => ({
        nodeId: NodeId.make(id, { disableValidation: true }),
        path: part.path,
        ...presenceOf(part.covered, part.expected)
      }))
      .sort((a, b) => compare(a.path, b.path))
  }
}

/**
 * The no-shows of a node and period, with the counts they come from.
 *
 * @since 0.1.0
 * @category reading
 */
export interface NoShowReport extends Presence {
  readonly under: Actor.NodePath
  readonly period: string
  readonly asOf: Period.IsoDate
  readonly noShows: ReadonlyArray<Shift>
}

/**
 * Expected, covered and no-show shifts from a roster, for the days of a period.
 *
 * @since 0.1.0
 * @category reading
 */
export const attendanceOf = (roster: Roster, period: Period.Period): Attendance =>
  attendance(
    expectedShifts(roster, { firstDay: Period.startDay(period), lastDay: Period.endDay(period) }),
    roster.covered
  )

/**
 * The first and last date of a period.
 *
 * @since 0.1.0
 * @category reading
 */
export const datesOf = (
  period: Period.Period
): { readonly firstDay: Period.IsoDate; readonly lastDay: Period.IsoDate } => ({
  firstDay: Period.isoDateOfDay(Period.startDay(period)),
  lastDay: Period.isoDateOfDay(Period.endDay(period))
})
