/**
 * The outreach port in memory: events by id, themes by node and month. Queries scan; this store is
 * for tests and small embedded programmes.
 *
 * @since 0.1.0
 */
import type * as Outreach from "@sortgrid/grid/Outreach"
import * as OutreachStore from "@sortgrid/grid/OutreachStore"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface OutreachTable {
  readonly events: ReadonlyMap<string, Outreach.OutreachEvent>
  /** Keyed by `node|month`. */
  readonly themes: ReadonlyMap<string, Outreach.MonthlyTheme>
}

const themeKey = (theme: { readonly nodeId: string; readonly month: string }) => `${theme.nodeId}|${theme.month}`

/**
 * `OutreachStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<OutreachStore.OutreachStore, never, MemoryDatabase> = Layer.effect(
  OutreachStore.OutreachStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<OutreachTable>({ events: new Map(), themes: new Map() })

    const change = <A, E>(
      scope: Outreach.OutreachScope,
      decide: (state: Outreach.OutreachState) => Either.Either<Outreach.OutreachPlan<A>, E>
    ): Effect.Effect<Outreach.OutreachPlan<A>, E> =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const plan = yield* decide({
            events: [...new Set(scope.eventIds ?? [])].flatMap((id) => current.events.get(id) ?? []),
            themes: (scope.themes ?? []).flatMap((key) => current.themes.get(themeKey(key)) ?? [])
          })
          if (plan.writes.events.length + plan.writes.themes.length > 0) {
            const events = new Map(current.events)
            for (const event of plan.writes.events) events.set(event.id, event)
            const themes = new Map(current.themes)
            for (const theme of plan.writes.themes) themes.set(themeKey(theme), theme)
            yield* Ref.set(table, { events, themes })
          }
          return plan
        })
      )

    return OutreachStore.OutreachStore.of({
      change,
      events: ({ nodes, firstDay, lastDay }) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) => {
            const at = new Set<string>(nodes)
            return [...current.events.values()]
              .filter((event) => at.has(event.nodeId) && firstDay <= event.date && event.date <= lastDay)
              .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1))
          })
        ),
      themes: ({ nodes, months }) =>
        db.transaction(
          Effect.map(Ref.get(table), (current) => {
            const at = new Set<string>(nodes)
            const during = new Set<string>(months)
            return [...current.themes.values()].filter((theme) => at.has(theme.nodeId) && during.has(theme.month))
          })
        )
    })
  })
)
