/**
 * Group sets and memberships in memory.
 *
 * @since 0.1.0
 */
import { Period } from "@sortgrid/core"
import { Group, GroupStore, Node } from "@sortgrid/grid"
import { Effect, type Either, Layer, Ref } from "effect"
import { MemoryDatabase } from "./MemoryDatabase.js"
import { GridTableRef } from "./MemoryGridStore.js"

interface GroupTable {
  readonly sets: ReadonlyArray<Group.GroupSet>
  readonly memberships: ReadonlyArray<Group.Membership>
}

const inForce = (asOf: string) => (membership: Group.Membership) =>
  membership.validFrom <= asOf && asOf < membership.validTo

/**
 * `GroupStore` over a `MemoryDatabase` (and the grid table, to find nodes under a path).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GroupStore.GroupStore, never, MemoryDatabase | GridTableRef> = Layer.effect(
  GroupStore.GroupStore,
  Effect.gen(function* () {
    const db = yield* MemoryDatabase
    const grid = yield* GridTableRef
    const table = yield* db.table<GroupTable>({ sets: [], memberships: [] })

    const defineSets = <E>(
      decide: (defined: ReadonlyArray<Group.GroupSet>) => Either.Either<ReadonlyArray<Group.GroupSet>, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const fresh = yield* decide(current.sets)
          if (fresh.length > 0) yield* Ref.set(table, { ...current, sets: [...current.sets, ...fresh] })
          return fresh
        })
      )

    const changeMemberships = <E>(
      nodeIds: ReadonlyArray<Node.NodeId>,
      decide: (state: Group.MembershipState) => Either.Either<Group.MembershipPlan, E>
    ) =>
      db.transaction(
        Effect.gen(function* () {
          const current = yield* Ref.get(table)
          const named = new Set<string>(nodeIds)
          const open = current.memberships.filter((m) => named.has(m.nodeId) && m.validTo === Period.endOfTime)
          const plan = yield* decide({ sets: current.sets, open })
          const ended = new Map(plan.end.map(({ membership, validTo }) => [membership, validTo]))
          yield* Ref.set(table, {
            ...current,
            memberships: [
              ...current.memberships.map((m) => {
                const validTo = ended.get(m)
                return validTo === undefined ? m : new Group.Membership({ ...m, validTo })
              }),
              ...plan.start
            ]
          })
          return plan
        })
      )

    return GroupStore.GroupStore.of({
      defineSets,
      sets: db.transaction(Effect.map(Ref.get(table), (current) => current.sets)),
      changeMemberships,
      memberships: (query) =>
        db.transaction(
          Effect.gen(function* () {
            const current = yield* Ref.get(table)
            const ids = query.nodeIds === undefined ? undefined : new Set<string>(query.nodeIds)
            let under: Set<string> | undefined
            if (query.under !== undefined) {
              const prefix = query.under
              const versions = [...(yield* Ref.get(grid)).versions.values()].flat()
              under = new Set(
                versions.filter((v) => Node.holdsOn(v, query.asOf) && v.path.startsWith(prefix)).map((v) => v.nodeId)
              )
            }
            return current.memberships.filter(
              (m) =>
                inForce(query.asOf)(m) &&
                (ids === undefined || ids.has(m.nodeId)) &&
                (under === undefined || under.has(m.nodeId)) &&
                (query.groupId === undefined || m.groupId === query.groupId)
            )
          })
        )
    })
  })
)
