/**
 * What every handler does around a service call: the role check, the visibility of the objects a
 * request names, and the mapping of the SDK's errors.
 */
import { Actor, Errors, Period, Permission } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import { NodeId, type NodeVersion } from "@sortgrid/grid/Node"
import type { ProblemId } from "@sortgrid/issues/Problem"
import { ProblemRegisterConfig } from "@sortgrid/issues/ProblemRegister"
import { ProblemStore } from "@sortgrid/issues/ProblemStore"
import { Clock, Effect, Either, type ParseResult, Schema } from "effect"
import * as ApiError from "../ApiError.js"

/**
 * The role check, with no place: does any of the actor's roles grant the permission anywhere? A
 * refusal here is the same for every object, so it is a 403. It runs before the service so that a
 * role without the permission learns nothing from which objects exist (the service would check the
 * object first).
 */
export const granted = (actor: Actor.Actor, permission: string) =>
  Effect.flatMap(Permission.Policy, (grants) =>
    Either.match(Permission.decide(grants, actor, { permission }), {
      onLeft: () =>
        Effect.fail(
          new ApiError.Forbidden({
            detail: `none of the roles [${actor.roles.join(", ")}] grants ${permission}`,
            permission
          })
        ),
      onRight: () => Effect.void
    })
  )

/** Whether the actor may do `permission` at a path, by the policy in force (no error: a filter). */
export const allowedAt = (actor: Actor.Actor, permission: string, at: Actor.NodePath) =>
  Effect.map(Permission.Policy, (grants) => Either.isRight(Permission.decide(grants, actor, { permission, at })))

/** Runs a service call and maps its errors; `subject` names the object a scope refusal hides. */
export const call = <A, E extends ApiError.DomainError, R>(
  effect: Effect.Effect<A, E, R>,
  subject?: ApiError.Subject
): Effect.Effect<A, ApiError.ApiError, R> =>
  effect.pipe(
    Effect.tapError((error) =>
      error._tag === "StorageError" || error._tag === "StoreUnavailable"
        ? Effect.logError("sortgrid store failure", error)
        : Effect.void
    ),
    Effect.mapError((error) => ApiError.fromDomain(error, subject))
  )

/** Today in the register's calendar (Beijing unless configured): the date services decide on. */
export const today = Effect.gen(function* () {
  const config = yield* ProblemRegisterConfig
  const now = yield* Clock.currentTimeMillis
  return Period.isoDateOfDay(Period.dayOfInstant(now, config.calendar.utcOffsetMinutes))
})

const storage = <A, R>(effect: Effect.Effect<A, Errors.StorageError, R>) => call(effect)

/**
 * The node a write names, if it stands today inside the actor's scope; otherwise the node's 404 —
 * the same whether it does not exist or lies elsewhere. The service checks again (it decides); this
 * only makes sure an outsider cannot tell the two apart by the service's different refusals.
 */
export const visibleNode = (actor: Actor.Actor, nodeId: NodeId) =>
  Effect.gen(function* () {
    const store = yield* GridStore
    const [found] = yield* storage(store.versions({ asOf: yield* today, ids: [nodeId] }))
    if (found === undefined || !Actor.covers(actor, found.path)) {
      return yield* ApiError.notFound({ entity: "Node", id: nodeId })
    }
    return found
  })

const lastId = (path: Actor.NodePath) =>
  path
    .split("/")
    .filter((part) => part !== "")
    .at(-1)

/**
 * A path a query names must be a node's path on the date; otherwise its 404 (the same 404 a path
 * outside the actor's scope gets from {@link call}).
 */
export const existingPath = (path: Actor.NodePath, asOf: Period.IsoDate) =>
  Effect.gen(function* () {
    const store = yield* GridStore
    const id = lastId(path)
    const found: ReadonlyArray<NodeVersion> =
      id === undefined
        ? []
        : yield* storage(store.versions({ asOf, ids: [NodeId.make(id, { disableValidation: true })] }))
    if (id !== undefined && found[0]?.path === path) return found[0]
    // The root path names the whole tree: it exists when anything does.
    if (id === undefined && (yield* storage(store.versions({ asOf, depths: [0] }))).length > 0) return undefined
    return yield* ApiError.notFound({ entity: "Node", id: path })
  })

/** Encodes a decoded body back to its wire form: the service decodes (and so validates) it itself. */
export const wire = <A, I>(schema: Schema.Schema<A, I>, value: A): Effect.Effect<I> =>
  Effect.orDie(Schema.encode(schema)(value))

/** A parse error in a query as a 400 naming the parameter. */
export const badQuery = (error: ParseResult.ParseError | Errors.Invalid): ApiError.BadRequest => {
  const invalid = error._tag === "Invalid" ? error : Errors.Invalid.fromParseError(error)
  return new ApiError.BadRequest({
    detail: invalid.message,
    issues: invalid.issues.map((i) => ApiError.issue(i.path, i.reason))
  })
}

/**
 * The problem a request names, if its place lies inside the actor's scope; otherwise the problem's
 * 404, the same whether it is missing or elsewhere. Checked before the service so that any
 * `Forbidden` the service then gives is a rule's refusal (a 403), not a hidden scope.
 */
export const visibleProblem = (actor: Actor.Actor, problemId: ProblemId) =>
  Effect.gen(function* () {
    const missing = ApiError.notFound({ entity: "Problem", id: problemId })
    const [problem] = yield* call(Effect.flatMap(ProblemStore, (store) => store.get([problemId])))
    if (problem === undefined) return yield* missing
    const store = yield* GridStore
    const [placed] = yield* storage(store.versions({ asOf: yield* today, ids: [problem.nodeId] }))
    // A node closed since keeps the place it had last.
    const path = placed?.path ?? (yield* storage(store.history(problem.nodeId))).at(-1)?.path
    if (path === undefined || !Actor.covers(actor, path)) return yield* missing
    return problem
  })
