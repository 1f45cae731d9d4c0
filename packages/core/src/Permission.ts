/**
 * The one permission check every service runs before it loads anything. A `Policy` says which
 * permissions each role grants; a request names a permission and, when it touches the tree, the
 * node path it touches. The actor must hold a role granting the permission, and the node must lie
 * in the actor's scope.
 *
 * Permissions are `area.verb` names (`audit.read`, `issues.transition`). A grant may be exact, an
 * area wildcard (`issues.*`) or everything (`*`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Either, Layer } from "effect"
import { type Actor, covers, type NodePath } from "./Actor.js"
import { Forbidden } from "./Errors.js"

/**
 * Role name → the permissions that role grants.
 *
 * @since 0.1.0
 * @category models
 */
export type Grants = { readonly [role: string]: ReadonlyArray<string> }

/**
 * What an actor asks to do, and where.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly permission: string
  readonly at?: NodePath | undefined
}

const grantMatches = (grant: string, permission: string): boolean =>
  grant === "*" || grant === permission || (grant.endsWith(".*") && permission.startsWith(grant.slice(0, -1)))

/**
 * The rule itself, pure: allowed, or `Forbidden` with the reason.
 *
 * @since 0.1.0
 * @category checks
 */
export const decide = (grants: Grants, actor: Actor, request: Request): Either.Either<void, Forbidden> => {
  const forbidden = (reason: string) =>
    Either.left(new Forbidden({ actor: actor.id, permission: request.permission, reason }))
  const granted = actor.roles.some((role) => (grants[role] ?? []).some((g) => grantMatches(g, request.permission)))
  if (!granted) return forbidden(`none of the roles [${actor.roles.join(", ")}] grants it`)
  if (request.at !== undefined && !covers(actor, request.at)) {
    return forbidden(`${request.at} is outside the actor's scope [${actor.scope.join(", ")}]`)
  }
  return Either.void
}

/**
 * The rule over many places: allowed only if allowed at every path (the first refusal otherwise).
 * With no paths, the permission is checked without a place.
 *
 * @since 0.1.0
 * @category checks
 */
export const decideAll = (
  grants: Grants,
  actor: Actor,
  permission: string,
  paths: Iterable<NodePath | undefined> = [undefined]
): Either.Either<void, Forbidden> => {
  for (const at of paths) {
    const decision = decide(grants, actor, { permission, at })
    if (Either.isLeft(decision)) return decision
  }
  return Either.void
}

/**
 * The policy in force: which roles grant which permissions. Hosts provide it with {@link layer};
 * the SDK provides a default for the programme's roles.
 *
 * @since 0.1.0
 * @category services
 */
export class Policy extends Context.Tag("@sortgrid/core/Policy")<Policy, Grants>() {}

/**
 * A policy from a table of grants.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (grants: Grants): Layer.Layer<Policy> => Layer.succeed(Policy, grants)

/**
 * Checks a request against the policy in force.
 *
 * @since 0.1.0
 * @category checks
 */
export const check = (actor: Actor, request: Request): Effect.Effect<void, Forbidden, Policy> =>
  Effect.flatMap(Policy, (grants) => decide(grants, actor, request))
