/**
 * The assessment store in memory: scheme versions, data values, result versions, approvals and
 * appeals in one `MemoryDatabase` table, so a transaction restores them together.
 *
 * @since 0.1.0
 */
import {
  type Appeal,
  AssessmentStore,
  type StoredResult,
  type StoredScheme,
  type StoredValue,
  type UnitApproval,
  valueKey
} from "@sortgrid/assessment/AssessmentStore"
import { Effect, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface Tables {
  /** Versions by scheme id, oldest first. */
  readonly schemes: ReadonlyMap<string, ReadonlyArray<StoredScheme>>
  readonly values: ReadonlyMap<string, StoredValue>
  /** Result versions by `scheme|period`, oldest first. */
  readonly results: ReadonlyMap<string, ReadonlyArray<StoredResult>>
  /** Approvals by period, then `scheme|unit`. */
  readonly approvals: ReadonlyMap<string, ReadonlyMap<string, UnitApproval>>
  readonly appeals: ReadonlyMap<string, Appeal>
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const approvalKey = (row: UnitApproval) => `${row.schemeId}|${row.unit}`

const withApprovals = (
  tables: Tables,
  period: string,
  rows: ReadonlyArray<UnitApproval>
): ReadonlyMap<string, ReadonlyMap<string, UnitApproval>> => {
  if (rows.length === 0) return tables.approvals
  const next = new Map(tables.approvals)
  const inPeriod = new Map(next.get(period) ?? [])
  for (const row of rows) inPeriod.set(approvalKey(row), row)
  next.set(period, inPeriod)
  return next
}

const sortedApprovals = (rows: Iterable<UnitApproval>) =>
  [...rows].sort((a, b) => compare(a.schemeId, b.schemeId) || compare(a.unit, b.unit))

/**
 * `AssessmentStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AssessmentStore, never, MemoryDatabase> = Layer.effect(
  AssessmentStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({
      schemes: new Map(),
      values: new Map(),
      results: new Map(),
      approvals: new Map(),
      appeals: new Map()
    })

    return AssessmentStore.of({
      defineScheme: (id, decide) =>
        db.transaction(
          Effect.gen(function* () {
            const tables = yield* Ref.get(table)
            const versions = tables.schemes.get(id) ?? []
            const stored = yield* decide(versions)
            if (stored !== null) {
              const schemes = new Map(tables.schemes)
              schemes.set(id, [...versions, stored])
              yield* Ref.set(table, { ...tables, schemes })
            }
            return stored
          })
        ),
      schemes: ({ group, id }) =>
        Effect.map(Ref.get(table), ({ schemes }) =>
          [...schemes.entries()]
            .filter(([key]) => id === undefined || key === id)
            .sort(([a], [b]) => compare(a, b))
            .flatMap(([, versions]) => versions.filter((entry) => group === undefined || entry.scheme.group === group))
        ),
      putValues: (request, decide) =>
        db.transaction(
          Effect.gen(function* () {
            const tables = yield* Ref.get(table)
            const stored = request.keys.flatMap((key) => {
              const found = tables.values.get(valueKey(key))
              return found === undefined ? [] : [found]
            })
            const units = new Set<string>(request.units)
            const approvals = [...tables.approvals.values()].flatMap((rows) =>
              [...rows.values()].filter((row) => units.has(row.unit))
            )
            const written = yield* decide({ stored, approvals })
            const values = new Map(tables.values)
            for (const row of written) values.set(valueKey(row.value), row)
            yield* Ref.set(table, { ...tables, values })
            return written
          })
        ),
      values: ({ elements, nodes, periods }) =>
        Effect.map(Ref.get(table), (tables) => {
          const wantedNodes = new Set<string>(nodes)
          const wantedPeriods = new Set<string>(periods)
          const wantedElements = elements === undefined ? undefined : new Set<string>(elements)
          return [...tables.values.entries()]
            .filter(
              ([, row]) =>
                wantedNodes.has(row.value.node) &&
                wantedPeriods.has(row.value.period) &&
                (wantedElements === undefined || wantedElements.has(row.value.element))
            )
            .sort(([a], [b]) => compare(a, b))
            .map(([, row]) => row)
        }),
      saveResult: (request, decide) =>
        db.transaction(
          Effect.gen(function* () {
            const tables = yield* Ref.get(table)
            const key = `${request.schemeId}|${request.period}`
            const versions = tables.results.get(key) ?? []
            const plan = yield* decide({
              latest: Option.fromNullable(versions.at(-1)),
              approvals: sortedApprovals(tables.approvals.get(request.period)?.values() ?? []),
              appeal:
                request.appealId === undefined
                  ? Option.none()
                  : Option.fromNullable(tables.appeals.get(request.appealId))
            })
            const results = new Map(tables.results)
            if (plan.result !== null) results.set(key, [...versions, plan.result])
            const values = new Map(tables.values)
            for (const row of plan.values) values.set(valueKey(row.value), row)
            const appeals = new Map(tables.appeals)
            if (plan.appeal !== null) appeals.set(plan.appeal.id, plan.appeal)
            yield* Ref.set(table, {
              ...tables,
              results,
              values,
              appeals,
              approvals: withApprovals(tables, request.period, plan.approvals)
            })
            return plan
          })
        ),
      results: ({ period, schemeId }) =>
        Effect.map(Ref.get(table), (tables) => tables.results.get(`${schemeId}|${period}`) ?? []),
      latestResults: ({ group, periods }) =>
        Effect.map(Ref.get(table), (tables) => {
          const wanted = new Set<string>(periods)
          return [...tables.results.values()]
            .flatMap((versions) => {
              const latest = versions.at(-1)
              return latest !== undefined && latest.group === group && wanted.has(latest.period) ? [latest] : []
            })
            .sort((a, b) => compare(a.period, b.period) || compare(a.schemeId, b.schemeId))
        }),
      approvals: ({ period }) =>
        Effect.map(Ref.get(table), (tables) => sortedApprovals(tables.approvals.get(period)?.values() ?? [])),
      changeApprovals: (period, decide) =>
        db.transaction(
          Effect.gen(function* () {
            const tables = yield* Ref.get(table)
            const written = yield* decide(sortedApprovals(tables.approvals.get(period)?.values() ?? []))
            yield* Ref.set(table, { ...tables, approvals: withApprovals(tables, period, written) })
            return written
          })
        ),
      appeals: ({ period, schemeId }) =>
        Effect.map(Ref.get(table), (tables) =>
          [...tables.appeals.values()]
            .filter((appeal) => appeal.schemeId === schemeId && appeal.period === period)
            .sort((a, b) => compare(a.id, b.id))
        )
    })
  })
)
