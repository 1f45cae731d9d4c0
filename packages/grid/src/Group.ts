/**
 * Group sets and groups: how nodes are classed for comparison and rules — urban or rural,
 * property-managed or not, the department groups. A set is *exclusive* when a node may belong to at
 * most one of its groups at a time (urban/rural). Memberships are effective-dated, like nodes, so a
 * reclassification on a date leaves every earlier period grouped as it was.
 *
 * Urban/rural is derived from the division code when a division list is imported (subdistricts
 * urban, towns and townships rural) and can be overridden there or later.
 *
 * @since 0.1.0
 */
import { Errors, Id, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import { NodeId } from "./Node.js"

/**
 * A group set's id (`setting`, `property-management`).
 *
 * @since 0.1.0
 * @category ids
 */
export const GroupSetId = Id.brand("GroupSetId")

/**
 * @since 0.1.0
 * @category ids
 */
export type GroupSetId = typeof GroupSetId.Type

/**
 * A group's id (`urban`, `rural`).
 *
 * @since 0.1.0
 * @category ids
 */
export const GroupId = Id.brand("GroupId")

/**
 * @since 0.1.0
 * @category ids
 */
export type GroupId = typeof GroupId.Type

/**
 * A group of a set.
 *
 * @since 0.1.0
 * @category models
 */
export class Group extends Schema.Class<Group>("@sortgrid/grid/Group")({
  id: GroupId,
  name: Schema.String.pipe(Schema.minLength(1))
}) {}

/**
 * A set of groups. Defining a set again with the same content changes nothing; with other content
 * it is a `Conflict` (sets are reference data: add a new set instead of rewriting one).
 *
 * @since 0.1.0
 * @category models
 */
export class GroupSet extends Schema.Class<GroupSet>("@sortgrid/grid/GroupSet")({
  id: GroupSetId,
  name: Schema.String.pipe(Schema.minLength(1)),
  exclusive: Schema.Boolean,
  groups: Schema.NonEmptyArray(Group)
}) {}

/**
 * A node's membership of a group over `[validFrom, validTo)`.
 *
 * @since 0.1.0
 * @category models
 */
export class Membership extends Schema.Class<Membership>("@sortgrid/grid/Membership")({
  nodeId: NodeId,
  setId: GroupSetId,
  groupId: GroupId,
  validFrom: Period.IsoDate,
  validTo: Period.IsoDate
}) {}

/**
 * Put a node in a group from a date. In an exclusive set this ends its membership of the set's
 * other groups on that date.
 *
 * @since 0.1.0
 * @category commands
 */
export class Assign extends Schema.Class<Assign>("@sortgrid/grid/Assign")({
  nodeId: NodeId,
  groupId: GroupId,
  effectiveOn: Period.IsoDate
}) {}

/**
 * Take a node out of a group from a date.
 *
 * @since 0.1.0
 * @category commands
 */
export class Unassign extends Schema.Class<Unassign>("@sortgrid/grid/Unassign")({
  nodeId: NodeId,
  groupId: GroupId,
  effectiveOn: Period.IsoDate
}) {}

const group = (id: string, name: string) => new Group({ id: GroupId.make(id), name })

/**
 * The programme's standard sets: `setting` (urban / rural, exclusive), `property-management`
 * (managed / unmanaged compounds, exclusive), `department-group` (the departments' assessment groups).
 *
 * @since 0.1.0
 * @category models
 */
export const standardSets: ReadonlyArray<GroupSet> = [
  new GroupSet({
    id: GroupSetId.make("setting"),
    name: "Urban or rural",
    exclusive: true,
    groups: [group("urban", "Urban"), group("rural", "Rural")]
  }),
  new GroupSet({
    id: GroupSetId.make("property-management"),
    name: "Property management",
    exclusive: true,
    groups: [group("managed", "Property-managed"), group("unmanaged", "Not property-managed")]
  }),
  new GroupSet({
    id: GroupSetId.make("department-group"),
    name: "Department groups",
    exclusive: false,
    groups: [group("department-lead", "Lead departments"), group("department-support", "Supporting departments")]
  })
]

// --- rules ----------------------------------------------------------------------------------------

/**
 * What a membership change needs: the sets defined (with their groups) and the open memberships of
 * the nodes named.
 *
 * @since 0.1.0
 * @category rules
 */
export interface MembershipState {
  readonly sets: ReadonlyArray<GroupSet>
  readonly open: ReadonlyArray<Membership>
}

/**
 * Memberships to end (on a date) and to start.
 *
 * @since 0.1.0
 * @category rules
 */
export interface MembershipPlan {
  readonly end: ReadonlyArray<{ readonly membership: Membership; readonly validTo: Period.IsoDate }>
  readonly start: ReadonlyArray<Membership>
}

/**
 * Why a plan is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export type Refusal = Errors.Invalid | Errors.Conflict

/**
 * Plans assignments and unassignments, applied in order. Assigning a node to a group it is already
 * in changes nothing (so imports can be retried); a change dated before the membership it ends is a
 * `Conflict` (changes apply in date order).
 *
 * @since 0.1.0
 * @category rules
 */
export const planMemberships = (
  state: MembershipState,
  commands: ReadonlyArray<Assign | Unassign>
): Either.Either<MembershipPlan, Refusal> => {
  const setOf = new Map<string, GroupSet>()
  for (const set of state.sets) for (const g of set.groups) setOf.set(g.id, set)
  const open = new Map<string, Membership>(state.open.map((m) => [`${m.nodeId}|${m.groupId}`, m]))
  const started = new Set<Membership>()
  const end: Array<MembershipPlan["end"][number]> = []
  const start: Array<Membership> = []

  const finish = (membership: Membership, on: Period.IsoDate): Either.Either<void, Refusal> => {
    if (membership.validFrom > on) {
      return Either.left(
        new Errors.Conflict({
          entity: "Membership",
          id: `${membership.nodeId}/${membership.groupId}`,
          reason: `it starts ${membership.validFrom}, after ${on}: changes apply in date order`
        })
      )
    }
    open.delete(`${membership.nodeId}|${membership.groupId}`)
    if (started.has(membership)) {
      // Started and ended in the same batch: adjust the new membership instead of writing both.
      const index = start.indexOf(membership)
      start.splice(index, 1, new Membership({ ...membership, validTo: on }))
    } else end.push({ membership, validTo: on })
    return Either.void
  }

  for (const [index, command] of commands.entries()) {
    const set = setOf.get(command.groupId)
    if (set === undefined) {
      return Either.left(
        Errors.Invalid.one(["memberships", index, "groupId"], `group ${command.groupId} is not defined`)
      )
    }
    const current = open.get(`${command.nodeId}|${command.groupId}`)
    if (command instanceof Unassign) {
      if (current === undefined) {
        return Either.left(
          Errors.Invalid.one(["memberships", index, "groupId"], `${command.nodeId} is not in group ${command.groupId}`)
        )
      }
      const done = finish(current, command.effectiveOn)
      if (Either.isLeft(done)) return Either.left(done.left)
      continue
    }
    if (current !== undefined) continue
    if (set.exclusive) {
      for (const other of set.groups) {
        const membership = open.get(`${command.nodeId}|${other.id}`)
        if (membership === undefined) continue
        const done = finish(membership, command.effectiveOn)
        if (Either.isLeft(done)) return Either.left(done.left)
      }
    }
    const membership = new Membership({
      nodeId: command.nodeId,
      setId: set.id,
      groupId: command.groupId,
      validFrom: command.effectiveOn,
      validTo: Period.endOfTime
    })
    open.set(`${command.nodeId}|${command.groupId}`, membership)
    started.add(membership)
    start.push(membership)
  }
  return Either.right({ end, start })
}

/**
 * Plans defining sets: new sets are written; a set already defined the same way is skipped; a set
 * defined differently is a `Conflict`.
 *
 * @since 0.1.0
 * @category rules
 */
export const planSets = (
  defined: ReadonlyArray<GroupSet>,
  sets: ReadonlyArray<GroupSet>
): Either.Either<ReadonlyArray<GroupSet>, Errors.Conflict> => {
  const known = new Map(defined.map((set) => [set.id as string, set]))
  const fresh: Array<GroupSet> = []
  for (const set of sets) {
    const existing = known.get(set.id)
    if (existing === undefined) {
      fresh.push(set)
      known.set(set.id, set)
    } else if (
      JSON.stringify(Schema.encodeSync(GroupSet)(existing)) !== JSON.stringify(Schema.encodeSync(GroupSet)(set))
    ) {
      return Either.left(
        new Errors.Conflict({ entity: "GroupSet", id: set.id, reason: "it is already defined differently" })
      )
    }
  }
  return Either.right(fresh)
}
