/**
 * The duty roster's port on MariaDB, adapted from `@sortgrid/store-sql`'s (whose id lists use
 * SQLite's `json_each`). Writes run in the client's transactions, which begin by locking the database's writer row (see `MariaDbStore`), so writers take turns as on SQLite. Writes load their state in at most four queries and insert with
 * multi-row statements. A list of ids — a district's stations, say — travels as one JSON
 * parameter read by `JSON_TABLE`, so a month of presence for a whole district is four queries.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Period } from "@sortgrid/core"
import { Node, Person } from "@sortgrid/grid"
import * as Duty from "@sortgrid/grid/Duty"
import * as DutyStore from "@sortgrid/grid/DutyStore"
import { Effect, type Either, Layer, type ParseResult, Schema } from "effect"
import { anyOf, Int, makeInserter, readRows, serialisedTransaction } from "./internal/sql.js"

const TemplateRow = Schema.Struct({
  template_id: Duty.ShiftTemplateId,
  station_id: Node.NodeId,
  name: Schema.String,
  window_start: Duty.LocalTime,
  window_end: Duty.LocalTime,
  weekdays: Schema.parseJson(Schema.NonEmptyArray(Duty.Weekday)),
  valid_from: Period.IsoDate,
  valid_to: Period.IsoDate
})

const ProjectRow = Schema.Struct({
  project_id: Duty.DutyProjectId,
  title: Schema.String,
  node_id: Node.NodeId,
  template_ids: Schema.parseJson(Schema.NonEmptyArray(Duty.ShiftTemplateId)),
  first_day: Period.IsoDate,
  last_day: Period.IsoDate,
  capacity: Int
})

const SignUpRow = Schema.Struct({
  sign_up_id: Duty.SignUpId,
  project_id: Duty.DutyProjectId,
  person_id: Person.PersonId,
  first_day: Period.IsoDate,
  last_day: Period.IsoDate
})

const CheckInRow = Schema.Struct({
  check_in_id: Duty.CheckInId,
  person_id: Person.PersonId,
  station_id: Node.NodeId,
  at: Int,
  local_date: Period.IsoDate,
  template_id: Schema.NullOr(Duty.ShiftTemplateId),
  lon: Schema.NullOr(Schema.Number),
  lat: Schema.NullOr(Schema.Number),
  evidence: Schema.NullOr(Schema.String)
})

const CoveredRow = Schema.Struct({
  person_id: Person.PersonId,
  template_id: Duty.ShiftTemplateId,
  local_date: Period.IsoDate
})

// Every field was checked by the row schemas: build the records without checking again.

const toTemplate = (row: typeof TemplateRow.Type) =>
  new Duty.ShiftTemplate(
    {
      id: row.template_id,
      nodeId: row.station_id,
      name: row.name,
      windowStart: row.window_start,
      windowEnd: row.window_end,
      weekdays: row.weekdays,
      validFrom: row.valid_from,
      validTo: row.valid_to
    },
    { disableValidation: true }
  )

const toProject = (row: typeof ProjectRow.Type) =>
  new Duty.DutyProject(
    {
      id: row.project_id,
      title: row.title,
      nodeId: row.node_id,
      templateIds: row.template_ids,
      firstDay: row.first_day,
      lastDay: row.last_day,
      capacity: row.capacity
    },
    { disableValidation: true }
  )

const toSignUp = (row: typeof SignUpRow.Type) =>
  new Duty.SignUp(
    {
      id: row.sign_up_id,
      projectId: row.project_id,
      personId: row.person_id,
      firstDay: row.first_day,
      lastDay: row.last_day
    },
    { disableValidation: true }
  )

const toCheckIn = (row: typeof CheckInRow.Type) =>
  new Duty.CheckInRecord(
    {
      id: row.check_in_id,
      personId: row.person_id,
      nodeId: row.station_id,
      at: row.at,
      location:
        row.lon === null || row.lat === null
          ? null
          : new Duty.Location({ lon: row.lon, lat: row.lat }, { disableValidation: true }),
      evidence: row.evidence,
      date: row.local_date,
      templateId: row.template_id
    },
    { disableValidation: true }
  )

const rows =
  <T, I, A>(row: Schema.Schema<T, I>, to: (decoded: T) => A) =>
  (found: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<A>, ParseResult.ParseError> =>
    Effect.map(Schema.decodeUnknown(Schema.Array(row))(found), (decoded) => decoded.map(to))

const decodeTemplates = rows(TemplateRow, toTemplate)
const decodeProjects = rows(ProjectRow, toProject)
const decodeSignUps = rows(SignUpRow, toSignUp)
const decodeCheckIns = rows(CheckInRow, toCheckIn)
const decodeCovered = rows(
  CoveredRow,
  (row): Duty.ShiftKey => ({ personId: row.person_id, templateId: row.template_id, date: row.local_date })
)

/**
 * `DutyStore` over the `SqlClient` in context: a client built by `MariaDbStore.layerClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<DutyStore.DutyStore, never, SqlClient.SqlClient> = Layer.effect(
  DutyStore.DutyStore,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const insertTemplates = makeInserter<{
      template_id: string
      station_id: string
      name: string
      window_start: string
      window_end: string
      weekdays: string
      valid_from: string
      valid_to: string
    }>(sql, "duty_shift_template", [
      "template_id",
      "station_id",
      "name",
      "window_start",
      "window_end",
      "weekdays",
      "valid_from",
      "valid_to"
    ])
    const insertSignUps = makeInserter<{
      sign_up_id: string
      project_id: string
      person_id: string
      first_day: string
      last_day: string
    }>(sql, "duty_sign_up", ["sign_up_id", "project_id", "person_id", "first_day", "last_day"])
    const insertCheckIns = makeInserter<{
      check_in_id: string
      person_id: string
      station_id: string
      at: number
      local_date: string
      template_id: string | null
      lon: number | null
      lat: number | null
      evidence: string | null
    }>(sql, "duty_check_in", [
      "check_in_id",
      "person_id",
      "station_id",
      "at",
      "local_date",
      "template_id",
      "lon",
      "lat",
      "evidence"
    ])

    const isAnyOf = anyOf(sql)

    const some = <A>(list: ReadonlyArray<A> | undefined): ReadonlyArray<A> => list ?? []

    const templatesOf = (operation: string, ids: ReadonlyArray<string>, stations: ReadonlyArray<string>) => {
      const filters = [
        ...(ids.length === 0 ? [] : [isAnyOf("template_id", ids)]),
        ...(stations.length === 0 ? [] : [isAnyOf("station_id", stations)])
      ]
      return filters.length === 0
        ? Effect.succeed([])
        : sql`SELECT * FROM duty_shift_template WHERE ${sql.or(filters)} ORDER BY template_id`.pipe(
            readRows(operation, decodeTemplates)
          )
    }

    const projectsOf = (operation: string, ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed([])
        : sql`SELECT * FROM duty_project WHERE ${isAnyOf("project_id", ids)} ORDER BY project_id`.pipe(
            readRows(operation, decodeProjects)
          )

    const change = <A, E>(
      scope: Duty.DutyScope,
      decide: (state: Duty.DutyState) => Either.Either<Duty.DutyPlan<A>, E>
    ) =>
      serialisedTransaction(sql, { operation: "duty change", lock: "duty" })(
        Effect.gen(function* () {
          const signUpIds = some(scope.signUpIds)
          const ofProjects = some(scope.signUpsOfProjects)
          const signUpFilters = [
            ...(signUpIds.length === 0 ? [] : [isAnyOf("sign_up_id", signUpIds)]),
            ...(ofProjects.length === 0 ? [] : [isAnyOf("project_id", ofProjects)])
          ]
          const checkInIds = some(scope.checkInIds)
          const state: Duty.DutyState = {
            templates: yield* templatesOf("duty change", some(scope.templateIds), some(scope.stations)),
            projects: yield* projectsOf("duty change", some(scope.projectIds)),
            signUps:
              signUpFilters.length === 0
                ? []
                : yield* sql`SELECT * FROM duty_sign_up WHERE ${sql.or(signUpFilters)} ORDER BY sign_up_id`.pipe(
                    readRows("duty change", decodeSignUps)
                  ),
            checkIns:
              checkInIds.length === 0
                ? []
                : yield* sql`SELECT * FROM duty_check_in WHERE ${isAnyOf("check_in_id", checkInIds)}`.pipe(
                    readRows("duty change", decodeCheckIns)
                  )
          }
          const plan = yield* decide(state)
          const { writes } = plan
          if (writes.templates.length > 0) {
            yield* insertTemplates(
              writes.templates.map((t) => ({
                template_id: t.id,
                station_id: t.nodeId,
                name: t.name,
                window_start: t.windowStart,
                window_end: t.windowEnd,
                weekdays: JSON.stringify(t.weekdays),
                valid_from: t.validFrom,
                valid_to: t.validTo
              }))
            )
          }
          for (const project of writes.projects) {
            yield* sql`INSERT INTO duty_project ${sql.insert({
              project_id: project.id,
              title: project.title,
              node_id: project.nodeId,
              template_ids: JSON.stringify(project.templateIds),
              first_day: project.firstDay,
              last_day: project.lastDay,
              capacity: project.capacity
            })}`
            yield* sql`INSERT INTO duty_project_template (project_id, template_id, station_id)
                       SELECT ${project.id}, template_id, station_id FROM duty_shift_template
                       WHERE ${isAnyOf("template_id", project.templateIds)}`
          }
          if (writes.signUps.length > 0) {
            yield* insertSignUps(
              writes.signUps.map((s) => ({
                sign_up_id: s.id,
                project_id: s.projectId,
                person_id: s.personId,
                first_day: s.firstDay,
                last_day: s.lastDay
              }))
            )
          }
          if (writes.checkIns.length > 0) {
            yield* insertCheckIns(
              writes.checkIns.map((c) => ({
                check_in_id: c.id,
                person_id: c.personId,
                station_id: c.nodeId,
                at: c.at,
                local_date: c.date,
                template_id: c.templateId,
                lon: c.location?.lon ?? null,
                lat: c.location?.lat ?? null,
                evidence: c.evidence
              }))
            )
          }
          return plan
        })
      )

    const roster = (query: {
      readonly stations: ReadonlyArray<Node.NodeId>
      readonly firstDay: Period.IsoDate
      readonly lastDay: Period.IsoDate
    }) =>
      Effect.gen(function* () {
        const { firstDay, lastDay, stations } = query
        if (stations.length === 0) return { templates: [], projects: [], signUps: [], covered: [] }
        // Projects staffing a template at one of the stations, overlapping the dates.
        const staffing = sql`p.first_day <= ${lastDay} AND p.last_day >= ${firstDay} AND EXISTS (
          SELECT 1 FROM duty_project_template pt
          WHERE pt.project_id = p.project_id AND ${isAnyOf("pt.station_id", stations)})`
        const [templates, projects, signUps, covered] = yield* Effect.all([
          sql`SELECT * FROM duty_shift_template
              WHERE ${isAnyOf("station_id", stations)} AND valid_from <= ${lastDay} AND valid_to > ${firstDay}`.pipe(
            readRows("duty roster", decodeTemplates)
          ),
          sql`SELECT p.* FROM duty_project p WHERE ${staffing}`.pipe(readRows("duty roster", decodeProjects)),
          sql`SELECT s.* FROM duty_sign_up s JOIN duty_project p ON p.project_id = s.project_id
              WHERE s.first_day <= ${lastDay} AND s.last_day >= ${firstDay} AND ${staffing}`.pipe(
            readRows("duty roster", decodeSignUps)
          ),
          sql`SELECT DISTINCT person_id, template_id, local_date FROM duty_check_in
              WHERE ${isAnyOf("station_id", stations)} AND template_id IS NOT NULL
                AND local_date >= ${firstDay} AND local_date <= ${lastDay}`.pipe(readRows("duty roster", decodeCovered))
        ])
        return { templates, projects, signUps, covered }
      })

    return DutyStore.DutyStore.of({
      change,
      templates: (query) => templatesOf("duty templates", some(query.ids), some(query.stations)),
      projects: (ids) => projectsOf("duty projects", ids),
      roster
    })
  })
)
