/**
 * The household port in memory: households and memberships in one `MemoryDatabase` table. The
 * database's single lock serialises transactions, so `lock` has nothing to do.
 *
 * @since 0.1.0
 */
import type * as Household from "@sortgrid/ledger/Household"
import { HouseholdStore } from "@sortgrid/ledger/HouseholdStore"
import { Effect, HashMap, Layer, Option, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"

interface Tables {
  readonly households: HashMap.HashMap<string, Household.Household>
  /** By resident, then by `from`. */
  readonly memberships: HashMap.HashMap<string, HashMap.HashMap<number, Household.Membership>>
  /** The residents who ever belonged to each household. */
  readonly residents: HashMap.HashMap<string, ReadonlyArray<string>>
}

/**
 * `HouseholdStore` over a `MemoryDatabase`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HouseholdStore, never, MemoryDatabase> = Layer.effect(
  HouseholdStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const table = yield* db.table<Tables>({
      households: HashMap.empty(),
      memberships: HashMap.empty(),
      residents: HashMap.empty()
    })
    return HouseholdStore.of({
      lock: Effect.void,
      households: (references) =>
        Effect.map(Ref.get(table), (tables) =>
          [...new Set(references)].flatMap((reference) => Option.toArray(HashMap.get(tables.households, reference)))
        ),
      addHouseholds: (households) =>
        Ref.update(table, (tables) => ({
          ...tables,
          households: HashMap.mutate(tables.households, (map) => {
            for (const household of households) HashMap.set(map, household.reference, household)
          })
        })),
      memberships: ({ householdReferences, residentReferences }) =>
        Effect.map(Ref.get(table), (tables) => {
          const residents = new Set(residentReferences)
          for (const household of householdReferences) {
            for (const resident of Option.getOrElse(HashMap.get(tables.residents, household), () => [])) {
              residents.add(resident)
            }
          }
          const households = new Set(householdReferences)
          const wanted = new Set(residentReferences)
          return [...residents]
            .flatMap((resident) => [
              ...HashMap.values(Option.getOrElse(HashMap.get(tables.memberships, resident), () => HashMap.empty()))
            ])
            .filter((m) => wanted.has(m.residentReference) || households.has(m.householdReference))
            .sort((a, b) => a.from - b.from || (a.residentReference < b.residentReference ? -1 : 1))
        }),
      putMemberships: (memberships) =>
        Ref.update(table, (tables) => ({
          ...tables,
          memberships: HashMap.mutate(tables.memberships, (map) => {
            for (const membership of memberships) {
              const before = Option.getOrElse(HashMap.get(map, membership.residentReference), () =>
                HashMap.empty<number, Household.Membership>()
              )
              HashMap.set(map, membership.residentReference, HashMap.set(before, membership.from, membership))
            }
          }),
          residents: HashMap.mutate(tables.residents, (map) => {
            for (const membership of memberships) {
              const before = Option.getOrElse(
                HashMap.get(map, membership.householdReference),
                (): ReadonlyArray<string> => []
              )
              if (!before.includes(membership.residentReference)) {
                HashMap.set(map, membership.householdReference, [...before, membership.residentReference])
              }
            }
          })
        }))
    })
  })
)
