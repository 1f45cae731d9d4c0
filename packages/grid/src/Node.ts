/**
 * Nodes of the jurisdiction tree, effective-dated. A node is a sequence of versions; each version
 * holds the node's place (parent and materialised path), kind and names for a span of dates
 * `[validFrom, validTo)`. The tree as of a date is the versions whose span contains it. A change —
 * a move, a rename, a merge, a split, a closing — ends the affected versions on its effective date
 * and starts new ones, so every past date still answers with the tree as it was.
 *
 * Guarantees:
 * - at any date a node has at most one version, and its path is its parent's path plus its id;
 * - kinds follow the profile's parent rules at every date;
 * - changes apply in date order: none is effective before a change already made to the same node.
 *
 * @since 0.1.0
 */
import { Actor, Id, Period } from "@sortgrid/core"
import { Schema } from "effect"
import { NodeKind } from "./Profile.js"

/**
 * A node's id: the official division code where there is one (`110112001`), otherwise any id.
 *
 * @since 0.1.0
 * @category ids
 */
export const NodeId = Id.brand("NodeId")

/**
 * @since 0.1.0
 * @category ids
 */
export type NodeId = typeof NodeId.Type

const Name = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(120))

/**
 * One version of a node.
 *
 * @since 0.1.0
 * @category models
 */
export class NodeVersion extends Schema.Class<NodeVersion>("@sortgrid/grid/NodeVersion")({
  nodeId: NodeId,
  version: Schema.Int.pipe(Schema.positive()),
  kind: NodeKind,
  /** The official statistical division code, when the node has one. */
  code: Schema.NullOr(Schema.String),
  name: Name,
  nameEn: Schema.NullOr(Schema.String),
  parentId: Schema.NullOr(NodeId),
  path: Actor.NodePath,
  depth: Schema.Int.pipe(Schema.nonNegative()),
  validFrom: Period.IsoDate,
  /** The first date the version no longer holds; {@link Period.endOfTime} while it is in force. */
  validTo: Period.IsoDate
}) {}

/**
 * Whether a version holds on a date.
 *
 * @since 0.1.0
 * @category models
 */
export const holdsOn = (version: NodeVersion, date: Period.IsoDate): boolean =>
  version.validFrom <= date && date < version.validTo

/**
 * Whether a version is the node's current one (no later change has ended it).
 *
 * @since 0.1.0
 * @category models
 */
export const isOpen = (version: NodeVersion): boolean => version.validTo === Period.endOfTime

/**
 * The path of a child of a node (or of a root when `parent` is undefined).
 *
 * @since 0.1.0
 * @category models
 */
export const childPath = (parent: { readonly path: string } | undefined, id: NodeId): Actor.NodePath =>
  Actor.NodePath.make(`${parent?.path ?? "/"}${id}/`)

/**
 * The ids on a path, root first.
 *
 * @since 0.1.0
 * @category models
 */
export const pathIds = (path: string): ReadonlyArray<NodeId> =>
  path
    .split("/")
    .filter((part) => part !== "")
    .map((part) => NodeId.make(part, { disableValidation: true }))

// --- commands -------------------------------------------------------------------------------------

/**
 * Open a node under a parent (or as a root) from a date. The id is the idempotency key: opening the
 * same node again with the same content changes nothing.
 *
 * @since 0.1.0
 * @category commands
 */
export class OpenNode extends Schema.Class<OpenNode>("@sortgrid/grid/OpenNode")({
  id: NodeId,
  kind: NodeKind,
  code: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  name: Name,
  nameEn: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  parentId: Schema.optionalWith(Schema.NullOr(NodeId), { default: () => null }),
  effectiveOn: Period.IsoDate
}) {}

/**
 * The id of a change command (move, rename, merge, split, close): its idempotency key.
 *
 * @since 0.1.0
 * @category ids
 */
export const ChangeId = Id.brand("ChangeId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ChangeId = typeof ChangeId.Type

/**
 * Move a node, with its whole subtree, under another parent.
 *
 * @since 0.1.0
 * @category commands
 */
export class MoveNode extends Schema.TaggedClass<MoveNode>()("MoveNode", {
  changeId: ChangeId,
  nodeId: NodeId,
  parentId: NodeId,
  effectiveOn: Period.IsoDate
}) {}

/**
 * Give a node a new name.
 *
 * @since 0.1.0
 * @category commands
 */
export class RenameNode extends Schema.TaggedClass<RenameNode>()("RenameNode", {
  changeId: ChangeId,
  nodeId: NodeId,
  name: Name,
  nameEn: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  effectiveOn: Period.IsoDate
}) {}

/**
 * Close a node that has no open children.
 *
 * @since 0.1.0
 * @category commands
 */
export class CloseNode extends Schema.TaggedClass<CloseNode>()("CloseNode", {
  changeId: ChangeId,
  nodeId: NodeId,
  effectiveOn: Period.IsoDate
}) {}

/**
 * Merge nodes into another: their children move under `into`, and they close.
 *
 * @since 0.1.0
 * @category commands
 */
export class MergeNodes extends Schema.TaggedClass<MergeNodes>()("MergeNodes", {
  changeId: ChangeId,
  sources: Schema.NonEmptyArray(NodeId),
  into: NodeId,
  effectiveOn: Period.IsoDate
}) {}

/**
 * One part of a split: the node to open (under the split node's parent, of its kind) and the
 * children that move to it.
 *
 * @since 0.1.0
 * @category commands
 */
export class SplitPart extends Schema.Class<SplitPart>("@sortgrid/grid/SplitPart")({
  id: NodeId,
  name: Name,
  nameEn: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  code: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  children: Schema.Array(NodeId)
}) {}

/**
 * Split a node into parts: each part opens beside it, every child moves to one part, and the node
 * closes.
 *
 * @since 0.1.0
 * @category commands
 */
export class SplitNode extends Schema.TaggedClass<SplitNode>()("SplitNode", {
  changeId: ChangeId,
  nodeId: NodeId,
  parts: Schema.NonEmptyArray(SplitPart),
  effectiveOn: Period.IsoDate
}) {}

/**
 * Any change to existing nodes.
 *
 * @since 0.1.0
 * @category commands
 */
export const Change = Schema.Union(MoveNode, RenameNode, CloseNode, MergeNodes, SplitNode)

/**
 * @since 0.1.0
 * @category commands
 */
export type Change = typeof Change.Type
