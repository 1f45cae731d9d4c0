/**
 * Inspections in memory: definitions by id and visit records by id, in one `MemoryDatabase` table.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import type { Inspection } from "@sortgrid/issues"
import * as InspectionStore from "@sortgrid/issues/InspectionStore"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface Tables {
  readonly campaigns: ReadonlyMap<string, Inspection.Campaign>
  readonly templates: ReadonlyMap<string, Inspection.ChecklistTemplate>
  readonly visits: ReadonlyMap<string, Inspection.VisitRecord>
}

const pick = <A>(table: ReadonlyMap<string, A>, ids: ReadonlyArray<string>): ReadonlyArray<A> =>
  [...new Set(ids)].sort().flatMap((id) => {
    const found = table.get(id)
    return found === undefined ? [] : [found]
  })

/**
 * `InspectionStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<InspectionStore.InspectionStore, never, MemoryDatabase> = Layer.effect(
  InspectionStore.InspectionStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({ campaigns: new Map(), templates: new Map(), visits: new Map() })

    const definitions = (request: {
      readonly campaignIds: ReadonlyArray<string>
      readonly templateIds: ReadonlyArray<string>
    }) =>
      Effect.map(Ref.get(table), (current) => ({
        campaigns: pick(current.campaigns, request.campaignIds),
        templates: pick(current.templates, request.templateIds)
      }))

    const define = <E>(
      request: {
        readonly campaignIds: ReadonlyArray<Inspection.CampaignId>
        readonly templateIds: ReadonlyArray<Inspection.TemplateId>
      },
      decide: (stored: InspectionStore.Definitions) => Either.Either<InspectionStore.Definitions, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const plan = yield* decide(yield* definitions(request))
          yield* Ref.update(table, (current) => ({
            ...current,
            campaigns: new Map([...current.campaigns, ...plan.campaigns.map((c) => [c.id, c] as const)]),
            templates: new Map([...current.templates, ...plan.templates.map((t) => [t.id, t] as const)])
          }))
          return plan
        })
      )

    const save = (record: Inspection.VisitRecord) =>
      Effect.flatMap(Ref.get(table), (current) =>
        current.visits.has(record.visit.id)
          ? Effect.fail(
              new Errors.Conflict({ entity: "Visit", id: record.visit.id, reason: "was recorded concurrently" })
            )
          : Ref.set(table, { ...current, visits: new Map(current.visits).set(record.visit.id, record) })
      )

    return InspectionStore.InspectionStore.of({
      define,
      definitions,
      visit: (visitId) => Effect.map(Ref.get(table), (current) => current.visits.get(visitId) ?? null),
      save,
      visits: ({ campaignId, during, nodeIds }) =>
        Effect.map(Ref.get(table), (current) => {
          const nodes = nodeIds === undefined ? undefined : new Set<string>(nodeIds)
          return [...current.visits.values()]
            .filter(
              ({ visit }) =>
                (nodes === undefined || nodes.has(visit.nodeId)) &&
                (campaignId === undefined || visit.campaignId === campaignId) &&
                (during === undefined || (visit.at >= during.from && visit.at < during.to))
            )
            .sort((a, b) => a.visit.at - b.visit.at || (a.visit.id < b.visit.id ? -1 : 1))
        }),
      lastVisits: (nodeIds) =>
        Effect.map(Ref.get(table), (current) => {
          const wanted = new Set<string>(nodeIds)
          const last = new Map<string, number>()
          for (const { visit } of current.visits.values()) {
            if (wanted.has(visit.nodeId) && visit.at > (last.get(visit.nodeId) ?? -1)) last.set(visit.nodeId, visit.at)
          }
          return last
        })
    })
  })
)
