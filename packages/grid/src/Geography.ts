/**
 * The geography service: sets nodes' geometries from a date, finds the node a point lies in, and
 * exports a subtree as GeoJSON — with the permission check, the rules of {@link Geometry}, the
 * stores and the audit chain.
 *
 * Permissions: `grid.edit` at the path of every node whose geometry changes (as of the change's
 * date); `grid.read` to locate, where only nodes the actor may read are candidates (so a
 * subdistrict admin locates within their subdistrict and gets none elsewhere); `grid.read` at the
 * root of an exported subtree.
 *
 * Geometries are joined with the node versions of the date asked about, read through `GridStore`:
 * depth, kind and path always come from the tree as it stood then.
 *
 * @since 0.1.0
 */
import { type Actor, Audit, AuditLog, Errors, Json, type Period, Permission, Transactor } from "@sortgrid/core"
import { Effect, Either, Option, Schema } from "effect"
import type * as GeoJSON from "geojson"
import * as Geometry from "./Geometry.js"
import { GeometryStore } from "./GeometryStore.js"
import { GridProfile } from "./Grid.js"
import { GridStore, versionsOn } from "./GridStore.js"
import type { NodeVersion } from "./Node.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, [field])
  )

/**
 * What an edit can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EditError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.StorageError
/**
 * What a read can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = Errors.Forbidden | Errors.Invalid | Errors.StorageError

/** Audit entry ids are at most 128 characters; a change id that would not fit is digested. */
const auditId = (changeId: string) => {
  const readable = `grid.geometry.${changeId}`
  return Audit.AuditEntryId.make(readable.length <= 128 ? readable : `grid.geometry.${Json.digest(changeId)}`)
}

/**
 * Sets, locates and exports geometries.
 *
 * @since 0.1.0
 * @category services
 */
export class Geography extends Effect.Service<Geography>()("@sortgrid/grid/Geography", {
  effect: Effect.gen(function* () {
    const geometries = yield* GeometryStore
    const nodes = yield* GridStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const profile = yield* GridProfile

    const mayRead = (actor: Actor.Actor, node: NodeVersion) =>
      Either.isRight(Permission.decide(grants, actor, { permission: "grid.read", at: node.path }))

    /** The plan, if the actor may edit every node whose geometry it changes. */
    const authorized =
      (actor: Actor.Actor) =>
      (plan: Geometry.GeometryPlan): Either.Either<Geometry.GeometryPlan, Errors.Forbidden> => {
        for (const at of plan.paths) {
          const decision = Permission.decide(grants, actor, { permission: "grid.edit", at })
          if (Either.isLeft(decision)) return Either.left(decision.left)
        }
        return Either.right(plan)
      }

    /** The named nodes as of each date the batch uses: one query per distinct date. */
    const nodesOnTheirDates = (commands: ReadonlyArray<Geometry.SetGeometry>) =>
      Effect.map(
        Effect.provideService(
          versionsOn(commands.map((command) => ({ nodeId: command.nodeId, date: command.effectiveOn }))),
          GridStore,
          nodes
        ),
        (found) => [...found.values()]
      )

    const draft = (actor: Actor.Actor, version: Geometry.GeometryVersion) =>
      Audit.AuditDraft.make({
        id: auditId(version.changeId),
        actor: actor.id,
        action: "grid.geometrySet",
        subject: `node:${version.nodeId}`,
        payload: {
          changeId: version.changeId,
          nodeId: version.nodeId,
          version: version.version,
          effectiveOn: version.validFrom,
          type: version.geometry.type,
          bbox: version.bbox,
          digest: version.digest
        }
      })

    /**
     * Sets geometries from their dates, in order, all-or-nothing, and records each change in the
     * audit chain. Returns, per command, the version it started; a retry returns the stored one.
     */
    const setGeometries = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Geometry.GeometryVersion>, EditError> =>
      Effect.gen(function* () {
        const commands = yield* decode(Schema.Array(Geometry.SetGeometry), input, "geometries")
        if (commands.length === 0) return []
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const versions = yield* nodesOnTheirDates(commands)
            const plan = yield* geometries.set(
              {
                nodeIds: [...new Set(commands.map((command) => command.nodeId))],
                changeIds: commands.map((command) => command.changeId)
              },
              (stored) =>
                Either.flatMap(Geometry.planSet(profile, { nodes: versions, stored }, commands), authorized(actor))
            )
            if (plan.start.length > 0) yield* audit.append(plan.start.map((version) => draft(actor, version)))
            return plan.results
          })
        )
      })

    /**
     * The deepest node the actor may read whose area contains the point on a date, or none. The
     * point is `[longitude, latitude]` or a GeoJSON `Point`.
     */
    const locate = (
      actor: Actor.Actor,
      point: unknown,
      asOf: Period.IsoDate
    ): Effect.Effect<Option.Option<Geometry.NodeGeometry>, ReadError> =>
      Effect.gen(function* () {
        yield* Permission.decide(grants, actor, { permission: "grid.read" })
        const position = yield* decode(Geometry.LocatePoint, point, "point")
        const candidates = yield* geometries.inForce({ asOf, containing: position })
        if (candidates.length === 0) return Option.none()
        const placed = yield* nodes.versions({ asOf, ids: [...new Set(candidates.map((c) => c.nodeId))] })
        const readable = placed.filter((node) => mayRead(actor, node))
        return Geometry.locate(Geometry.makeIndex({ asOf, nodes: readable, geometries: candidates }), position)
      })

    /** The geometries of the subtree under a path (its root included) on a date, as GeoJSON. */
    const exportSubtree = (
      actor: Actor.Actor,
      under: Actor.NodePath,
      asOf: Period.IsoDate
    ): Effect.Effect<
      GeoJSON.FeatureCollection<GeoJSON.Polygon | GeoJSON.MultiPolygon | GeoJSON.Point, Geometry.NodeProperties>,
      ReadError
    > =>
      Effect.gen(function* () {
        yield* Permission.decide(grants, actor, { permission: "grid.read", at: under })
        const subtree = yield* nodes.versions({ asOf, under })
        const found =
          subtree.length === 0 ? [] : yield* geometries.inForce({ asOf, ids: subtree.map((node) => node.nodeId) })
        return Geometry.toFeatureCollection(Geometry.join({ asOf, nodes: subtree, geometries: found }))
      })

    return { setGeometries, locate, exportSubtree } as const
  })
}) {}
