/**
 * The rules of the tree, as pure functions: given what is stored about the nodes a command
 * touches, decide the versions to end and the versions to start — or refuse, saying why. Stores
 * only load the state these functions ask for and write the plans they return.
 *
 * @since 0.1.0
 */
import { Actor, Errors, Json, Period } from "@sortgrid/core"
import { Either, Option } from "effect"
import { type Change, type ChangeId, childPath, isOpen, type NodeId, NodeVersion, type OpenNode } from "./Node.js"
import * as Profile from "./Profile.js"

/**
 * A change command as stored: its id, what it was, when it took effect, and the digest of its
 * content (for idempotency). Merges and splits are the tree's lineage: which nodes became which.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChangeRecord {
  readonly changeId: ChangeId
  readonly kind: Change["_tag"]
  readonly effectiveOn: Period.IsoDate
  readonly digest: string
  readonly payload: Json.Json
  /** The nodes the command named, so a node's changes can be listed. */
  readonly nodes: ReadonlyArray<NodeId>
}

/**
 * What a plan needs to know: the latest version of every node named (absent when the node does not
 * exist), the open descendants of the subtrees the command reshapes, and any change already stored
 * under the command's id.
 *
 * @since 0.1.0
 * @category models
 */
export interface TreeState {
  readonly latest: ReadonlyMap<string, NodeVersion>
  readonly descendants: ReadonlyArray<NodeVersion>
  readonly stored: Option.Option<ChangeRecord>
}

/**
 * What to write: versions to end (by node and version number, ending on `validTo`), versions to
 * start, and the change record. An empty plan (a replay) writes nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface TreePlan {
  readonly end: ReadonlyArray<{ readonly nodeId: NodeId; readonly version: number; readonly validTo: Period.IsoDate }>
  readonly start: ReadonlyArray<NodeVersion>
  readonly record: Option.Option<ChangeRecord>
}

/**
 * The nodes whose latest versions a command needs, and the nodes whose open subtrees it reshapes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scope {
  readonly ids: ReadonlyArray<NodeId>
  readonly subtreesOf: ReadonlyArray<NodeId>
}

/**
 * Why a plan is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export type Refusal = Errors.Invalid | Errors.NotFound | Errors.Conflict

const emptyPlan: TreePlan = { end: [], start: [], record: Option.none() }

const invalid = (path: ReadonlyArray<string | number>, reason: string): Either.Either<never, Refusal> =>
  Either.left(Errors.Invalid.one(path, reason))
const notFound = (id: string): Either.Either<never, Refusal> => Either.left(new Errors.NotFound({ entity: "Node", id }))
const conflict = (id: string, reason: string): Either.Either<never, Refusal> =>
  Either.left(new Errors.Conflict({ entity: "Node", id, reason }))

// --- opening --------------------------------------------------------------------------------------

/**
 * What opening a batch needs: the batch's ids (to find retries) and parents outside the batch.
 *
 * @since 0.1.0
 * @category opening
 */
export const openScope = (nodes: ReadonlyArray<OpenNode>): Scope => {
  const ids = new Set<NodeId>(nodes.map((node) => node.id))
  for (const node of nodes) if (node.parentId !== null) ids.add(node.parentId)
  return { ids: [...ids], subtreesOf: [] }
}

const sameAsOpened = (stored: NodeVersion, node: OpenNode) =>
  stored.version === 1 &&
  stored.kind === node.kind &&
  stored.code === node.code &&
  stored.name === node.name &&
  stored.nameEn === node.nameEn &&
  stored.parentId === node.parentId &&
  stored.validFrom === node.effectiveOn

/**
 * Opens a batch of nodes. Parents may be stored or earlier in the same batch, in any order; each
 * placement must follow the profile, and each parent must be in force on the child's opening date.
 * A node already stored exactly as requested is a retry and is skipped.
 *
 * @since 0.1.0
 * @category opening
 */
export const planOpen = (
  profile: Profile.Profile,
  state: TreeState,
  nodes: ReadonlyArray<OpenNode>
): Either.Either<TreePlan, Refusal> => {
  const byId = new Map<string, { readonly node: OpenNode; readonly index: number }>()
  for (const [index, node] of nodes.entries()) {
    if (byId.has(node.id)) return invalid(["nodes", index, "id"], `${node.id} appears twice in the batch`)
    byId.set(node.id, { node, index })
  }
  const placed = new Map<string, NodeVersion>()
  const start: Array<NodeVersion> = []
  const visiting = new Set<string>()

  const place = (id: string): Either.Either<NodeVersion, Refusal> => {
    const done = placed.get(id)
    if (done !== undefined) return Either.right(done)
    const entry = byId.get(id)
    const stored = state.latest.get(id)
    if (entry === undefined) return stored === undefined ? notFound(id) : Either.right(stored)
    const { node, index } = entry
    if (stored !== undefined) {
      if (!sameAsOpened(stored, node)) return conflict(id, "a node with this id exists with different content")
      placed.set(id, stored)
      return Either.right(stored)
    }
    if (visiting.has(id)) return invalid(["nodes", index, "parentId"], `${id} is its own ancestor`)
    visiting.add(id)
    let parent: NodeVersion | undefined
    if (node.parentId !== null) {
      const found = place(node.parentId)
      if (Either.isLeft(found)) {
        return found.left._tag === "NotFound"
          ? invalid(["nodes", index, "parentId"], `parent ${node.parentId} does not exist`)
          : Either.left(found.left)
      }
      parent = found.right
      if (!isOpen(parent) || parent.validFrom > node.effectiveOn) {
        return invalid(
          ["nodes", index, "effectiveOn"],
          `parent ${parent.nodeId} is not in force on ${node.effectiveOn} (it holds from ${parent.validFrom}${isOpen(parent) ? "" : ` to ${parent.validTo}`})`
        )
      }
    }
    const misplaced = Profile.placementError(profile, node.kind, parent?.kind)
    if (misplaced !== undefined) return invalid(["nodes", index, "kind"], misplaced)
    const version = new NodeVersion(
      {
        nodeId: node.id,
        version: 1,
        kind: node.kind,
        code: node.code,
        name: node.name,
        nameEn: node.nameEn,
        parentId: node.parentId,
        path: childPath(parent, node.id),
        depth: parent === undefined ? 0 : parent.depth + 1,
        validFrom: node.effectiveOn,
        validTo: Period.endOfTime
      },
      { disableValidation: true }
    )
    placed.set(id, version)
    start.push(version)
    return Either.right(version)
  }

  for (const node of nodes) {
    const result = place(node.id)
    if (Either.isLeft(result)) return Either.left(result.left)
  }
  return Either.right({ ...emptyPlan, start })
}

// --- changing -------------------------------------------------------------------------------------

/**
 * What a change needs loaded.
 *
 * @since 0.1.0
 * @category changing
 */
export const changeScope = (change: Change): Scope => {
  switch (change._tag) {
    case "MoveNode":
      return { ids: [change.nodeId, change.parentId], subtreesOf: [change.nodeId] }
    case "RenameNode":
      return { ids: [change.nodeId], subtreesOf: [] }
    case "CloseNode":
      return { ids: [change.nodeId], subtreesOf: [change.nodeId] }
    case "MergeNodes":
      return { ids: [...change.sources, change.into], subtreesOf: change.sources }
    case "SplitNode":
      return { ids: [change.nodeId, ...change.parts.map((part) => part.id)], subtreesOf: [change.nodeId] }
  }
}

/** The next version of a node from a date, with some fields replaced. */
const successor = (
  current: NodeVersion,
  effectiveOn: Period.IsoDate,
  fields: Partial<Pick<NodeVersion, "parentId" | "path" | "depth" | "name" | "nameEn">>
) =>
  new NodeVersion(
    { ...current, ...fields, version: current.version + 1, validFrom: effectiveOn, validTo: Period.endOfTime },
    { disableValidation: true }
  )

interface Builder {
  readonly end: Array<TreePlan["end"][number]>
  readonly start: Array<NodeVersion>
}

const endVersion = (builder: Builder, version: NodeVersion, on: Period.IsoDate) =>
  builder.end.push({ nodeId: version.nodeId, version: version.version, validTo: on })

/**
 * Re-roots an open subtree: the node and its descendants get new paths (and depths) from `on`.
 * Refused when any of them has a change effective after `on`.
 */
const reroot = (
  builder: Builder,
  state: TreeState,
  node: NodeVersion,
  parent: NodeVersion,
  on: Period.IsoDate
): Either.Either<void, Refusal> => {
  const subtree = state.descendants.filter(
    (descendant) => descendant.path.startsWith(node.path) && descendant.nodeId !== node.nodeId
  )
  const later = [node, ...subtree].find((version) => version.validFrom > on)
  if (later !== undefined) {
    return conflict(
      later.nodeId,
      `it has a change effective ${later.validFrom}, after ${on}: changes apply in date order`
    )
  }
  const path = childPath(parent, node.nodeId)
  const shift = parent.depth + 1 - node.depth
  endVersion(builder, node, on)
  builder.start.push(successor(node, on, { parentId: parent.nodeId, path, depth: node.depth + shift }))
  for (const descendant of subtree) {
    endVersion(builder, descendant, on)
    builder.start.push(
      successor(descendant, on, {
        path: Actor.NodePath.make(`${path}${descendant.path.slice(node.path.length)}`, { disableValidation: true }),
        depth: descendant.depth + shift
      })
    )
  }
  return Either.void
}

/** The latest version of a node, which must be in force from `on` and not changed after it. */
const current = (
  state: TreeState,
  id: NodeId,
  on: Period.IsoDate,
  field: string
): Either.Either<NodeVersion, Refusal> => {
  const version = state.latest.get(id)
  if (version === undefined) return notFound(id)
  if (!isOpen(version)) return invalid([field], `${id} closed on ${version.validTo}`)
  if (version.validFrom > on) {
    return conflict(id, `it has a change effective ${version.validFrom}, after ${on}: changes apply in date order`)
  }
  return Either.right(version)
}

const children = (state: TreeState, parent: NodeVersion) =>
  state.descendants.filter((version) => version.parentId === parent.nodeId)

/**
 * Plans a change. A change already stored under the same id with the same content is a retry and
 * plans nothing; with other content it is a `Conflict`.
 *
 * @since 0.1.0
 * @category changing
 */
export const planChange = (
  profile: Profile.Profile,
  state: TreeState,
  change: Change,
  payload: Json.Json
): Either.Either<TreePlan, Refusal> => {
  const digest = Json.digest(payload)
  if (Option.isSome(state.stored)) {
    return state.stored.value.digest === digest
      ? Either.right(emptyPlan)
      : Either.left(
          new Errors.Conflict({
            entity: "Change",
            id: change.changeId,
            reason: "the id was already used with different content"
          })
        )
  }
  const on = change.effectiveOn
  const builder: Builder = { end: [], start: [] }
  return Either.gen(function* () {
    switch (change._tag) {
      case "RenameNode": {
        const node = yield* current(state, change.nodeId, on, "nodeId")
        endVersion(builder, node, on)
        builder.start.push(successor(node, on, { name: change.name, nameEn: change.nameEn }))
        break
      }
      case "MoveNode": {
        const node = yield* current(state, change.nodeId, on, "nodeId")
        const parent = yield* current(state, change.parentId, on, "parentId")
        if (parent.path.startsWith(node.path)) {
          return yield* invalid(
            ["parentId"],
            `${change.parentId} lies inside ${change.nodeId}: a node cannot move under itself`
          )
        }
        const misplaced = Profile.placementError(profile, node.kind, parent.kind)
        if (misplaced !== undefined) return yield* invalid(["parentId"], misplaced)
        yield* reroot(builder, state, node, parent, on)
        break
      }
      case "CloseNode": {
        const node = yield* current(state, change.nodeId, on, "nodeId")
        const open = children(state, node)
        if (open.length > 0) {
          return yield* invalid(
            ["nodeId"],
            `${change.nodeId} still has ${open.length} open children: move or close them first`
          )
        }
        endVersion(builder, node, on)
        break
      }
      case "MergeNodes": {
        const into = yield* current(state, change.into, on, "into")
        for (const [index, id] of change.sources.entries()) {
          if (id === change.into) return yield* invalid(["sources", index], "a node cannot merge into itself")
          const source = yield* current(state, id, on, `sources[${index}]`)
          if (source.kind !== into.kind) {
            return yield* invalid(["sources", index], `a ${source.kind} cannot merge into a ${into.kind}`)
          }
          if (into.path.startsWith(source.path)) return yield* invalid(["into"], `${change.into} lies inside ${id}`)
          for (const child of children(state, source)) yield* reroot(builder, state, child, into, on)
          endVersion(builder, source, on)
        }
        break
      }
      case "SplitNode": {
        const node = yield* current(state, change.nodeId, on, "nodeId")
        const parent = node.parentId === null ? undefined : state.latest.get(node.parentId)
        const own = new Map(children(state, node).map((child) => [child.nodeId as string, child]))
        const assigned = new Set<string>()
        for (const [index, part] of change.parts.entries()) {
          if (state.latest.has(part.id)) return yield* conflict(part.id, "a node with this id already exists")
          const opened = new NodeVersion(
            {
              nodeId: part.id,
              version: 1,
              kind: node.kind,
              code: part.code,
              name: part.name,
              nameEn: part.nameEn,
              parentId: node.parentId,
              path: childPath(parent, part.id),
              depth: node.depth,
              validFrom: on,
              validTo: Period.endOfTime
            },
            { disableValidation: true }
          )
          builder.start.push(opened)
          for (const [childIndex, childId] of part.children.entries()) {
            const child = own.get(childId)
            if (child === undefined || assigned.has(childId)) {
              return yield* invalid(
                ["parts", index, "children", childIndex],
                child === undefined
                  ? `${childId} is not an open child of ${change.nodeId}`
                  : `${childId} is given to two parts`
              )
            }
            assigned.add(childId)
            yield* reroot(builder, state, child, opened, on)
          }
        }
        const left = [...own.keys()].filter((id) => !assigned.has(id))
        if (left.length > 0)
          return yield* invalid(["parts"], `every child must go to a part; not placed: ${left.join(", ")}`)
        endVersion(builder, node, on)
        break
      }
    }
    return {
      ...builder,
      record: Option.some({
        changeId: change.changeId,
        kind: change._tag,
        effectiveOn: on,
        digest,
        payload,
        nodes: [...new Set(changeScope(change).ids)]
      })
    }
  })
}
