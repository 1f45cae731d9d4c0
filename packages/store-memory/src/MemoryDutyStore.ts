/**
 * The duty roster's port in memory: templates, projects, sign-ups and check-ins in maps by id.
 * Queries scan; this store is for tests and small embedded programmes.
 *
 * @since 0.1.0
 */
import * as Duty from "@sortgrid/grid/Duty"
import * as DutyStore from "@sortgrid/grid/DutyStore"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface DutyTable {
  readonly templates: ReadonlyMap<string, Duty.ShiftTemplate>
  readonly projects: ReadonlyMap<string, Duty.DutyProject>
  readonly signUps: ReadonlyMap<string, Duty.SignUp>
  readonly checkIns: ReadonlyMap<string, Duty.CheckInRecord>
}

const byIds = <A>(table: ReadonlyMap<string, A>, ids: ReadonlyArray<string> | undefined): ReadonlyArray<A> =>
  ids === undefined ? [] : [...new Set(ids)].flatMap((id) => table.get(id) ?? [])

const unique = <A extends { readonly id: string }>(items: ReadonlyArray<A>): ReadonlyArray<A> => [
  ...new Map(items.map((item) => [item.id, item])).values()
]

const withAll = <A extends { readonly id: string }>(table: ReadonlyMap<string, A>, items: ReadonlyArray<A>) => {
  if (items.length === 0) return table
  const next = new Map(table)
  for (const item of items) next.set(item.id, item)
  return next
}

/**
 * `DutyStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<DutyStore.DutyStore, never, MemoryDatabase> = Layer.effect(
  DutyStore.DutyStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<DutyTable>({
      templates: new Map(),
      projects: new Map(),
      signUps: new Map(),
      checkIns: new Map()
    })

    const templatesOf = (current: DutyTable, query: Parameters<DutyStore.DutyStore["Type"]["templates"]>[0]) => {
      const stations = new Set<string>(query.stations ?? [])
      return unique([
        ...byIds(current.templates, query.ids),
        ...[...current.templates.values()].filter((t) => stations.has(t.nodeId))
      ])
    }

    const change = <A, E>(
      scope: Duty.DutyScope,
      decide: (state: Duty.DutyState) => Either.Either<Duty.DutyPlan<A>, E>
    ): Effect.Effect<Duty.DutyPlan<A>, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const ofProjects = new Set<string>(scope.signUpsOfProjects ?? [])
          const plan = yield* decide({
            templates: templatesOf(current, { ids: scope.templateIds, stations: scope.stations }),
            projects: byIds(current.projects, scope.projectIds),
            signUps: unique([
              ...byIds(current.signUps, scope.signUpIds),
              ...[...current.signUps.values()].filter((s) => ofProjects.has(s.projectId))
            ]),
            checkIns: byIds(current.checkIns, scope.checkInIds)
          })
          if (Duty.writesSomething(plan.writes)) {
            yield* Ref.set(table, {
              templates: withAll(current.templates, plan.writes.templates),
              projects: withAll(current.projects, plan.writes.projects),
              signUps: withAll(current.signUps, plan.writes.signUps),
              checkIns: withAll(current.checkIns, plan.writes.checkIns)
            })
          }
          return plan
        })
      )

    const roster = (query: Parameters<DutyStore.DutyStore["Type"]["roster"]>[0]) =>
      db.transaction(
        Effect.map(Ref.get(table), (current): Duty.Roster => {
          const { firstDay, lastDay } = query
          const stations = new Set<string>(query.stations)
          const templates = [...current.templates.values()].filter(
            (t) => stations.has(t.nodeId) && t.validFrom <= lastDay && t.validTo > firstDay
          )
          const templateIds = new Set<string>(templates.map((t) => t.id))
          const projects = [...current.projects.values()].filter(
            (p) => p.firstDay <= lastDay && p.lastDay >= firstDay && p.templateIds.some((id) => templateIds.has(id))
          )
          const projectIds = new Set<string>(projects.map((p) => p.id))
          const signUps = [...current.signUps.values()].filter(
            (s) => projectIds.has(s.projectId) && s.firstDay <= lastDay && s.lastDay >= firstDay
          )
          const covered = new Map<string, Duty.ShiftKey>()
          for (const checkIn of current.checkIns.values()) {
            if (checkIn.templateId === null || !stations.has(checkIn.nodeId)) continue
            if (checkIn.date < firstDay || checkIn.date > lastDay) continue
            const key = { personId: checkIn.personId, templateId: checkIn.templateId, date: checkIn.date }
            covered.set(Duty.shiftKey(key), key)
          }
          return { templates, projects, signUps, covered: [...covered.values()] }
        })
      )

    return DutyStore.DutyStore.of({
      change,
      templates: (query) => db.transaction(Effect.map(Ref.get(table), (current) => templatesOf(current, query))),
      projects: (ids) => db.transaction(Effect.map(Ref.get(table), (current) => byIds(current.projects, ids))),
      roster
    })
  })
)
