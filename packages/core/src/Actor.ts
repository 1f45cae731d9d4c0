/**
 * Who is acting, and where. Every command in sortgrid runs as an `Actor`: an id, the roles the
 * actor holds, and the jurisdiction scope those roles apply in. A scope is a list of node paths —
 * materialised paths such as `/110112/110112001/` — and covers every node whose path starts with
 * one of them; `/` is the whole tree. The grid package turns a person's dated assignments into an
 * actor; hosts may also build one directly (from a token, say).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as Id from "./Id.js"

/**
 * The id of a person or system that acts.
 *
 * @since 0.1.0
 * @category ids
 */
export const ActorId = Id.brand("ActorId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ActorId = typeof ActorId.Type

/**
 * A role name, lower-case words joined by `-` or `_` (`grid-worker`, `district-admin`).
 *
 * @since 0.1.0
 * @category models
 */
export const Role = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_-]{0,63}$/, { message: () => "must be lower-case letters, digits, '-' or '_'" }),
  Schema.brand("Role")
)

/**
 * @since 0.1.0
 * @category models
 */
export type Role = typeof Role.Type

/**
 * A node path: node ids from the root, each followed by `/`, starting with `/`. `/` alone is the
 * root, so a scope of `["/"]` covers everything.
 *
 * @since 0.1.0
 * @category models
 */
export const NodePath = Schema.String.pipe(
  Schema.pattern(/^\/(?:[A-Za-z0-9][A-Za-z0-9._:-]*\/)*$/, {
    message: () => "must be node ids separated and ended by '/', such as /110112/110112001/"
  }),
  Schema.brand("NodePath")
)

/**
 * @since 0.1.0
 * @category models
 */
export type NodePath = typeof NodePath.Type

/**
 * Someone acting: their id, their roles and the subtrees their roles apply to.
 *
 * @since 0.1.0
 * @category models
 */
export class Actor extends Schema.Class<Actor>("@sortgrid/core/Actor")({
  id: ActorId,
  roles: Schema.Array(Role),
  scope: Schema.Array(NodePath)
}) {}

/**
 * Whether a node path lies inside the actor's scope.
 *
 * @since 0.1.0
 * @category scope
 */
export const covers = (actor: Actor, path: NodePath): boolean => actor.scope.some((root) => path.startsWith(root))

/**
 * The root path, `/`.
 *
 * @since 0.1.0
 * @category scope
 */
export const root: NodePath = NodePath.make("/")

/**
 * An actor for the host's own jobs (imports, scheduled runs): the `system` role over the whole tree.
 *
 * @since 0.1.0
 * @category constructors
 */
export const system = (id: string): Actor =>
  new Actor({ id: ActorId.make(id), roles: [Role.make("system")], scope: [root] })
