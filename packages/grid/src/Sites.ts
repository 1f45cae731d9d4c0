/**
 * The sites service: set and read the details of bin stations, compounds, schools, enterprise sites
 * and plazas, dated, with `grid.edit` / `grid.read` over the site's place in the tree and every
 * change in the audit chain.
 *
 * @since 0.1.0
 */
import { type Actor, Audit, AuditLog, Errors, Json, type Period, Permission, Transactor } from "@sortgrid/core"
import { Effect, Either, Schema } from "effect"
import { GridStore } from "./GridStore.js"
import * as Site from "./Site.js"
import { SiteStore } from "./SiteStore.js"

/**
 * What an edit can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EditError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.StorageError

/**
 * Sets and reads site details.
 *
 * @since 0.1.0
 * @category services
 */
export class Sites extends Effect.Service<Sites>()("@sortgrid/grid/Sites", {
  effect: Effect.gen(function* () {
    const grid = yield* GridStore
    const store = yield* SiteStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy

    const allowed = (actor: Actor.Actor, permission: string, at: Actor.NodePath) =>
      Permission.decide(grants, actor, { permission, at })

    /** Sets details from dates (`{ nodeId, effectiveOn, details: { _tag: "BinStation", … } }`). */
    const set = (actor: Actor.Actor, input: unknown): Effect.Effect<Site.SitePlan, EditError> =>
      Effect.gen(function* () {
        const commands = yield* Effect.mapError(
          Schema.decodeUnknown(Schema.Array(Site.SetSite), { errors: "all", onExcessProperty: "error" })(input),
          (error) => Errors.Invalid.fromParseError(error, ["sites"])
        )
        if (commands.length === 0) return { end: [], start: [] }
        const nodeIds = [...new Set(commands.map((command) => command.nodeId))]
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const kinds = new Map<string, string>()
            for (const asOf of new Set(commands.map((command) => command.effectiveOn))) {
              for (const version of yield* grid.versions({ asOf, ids: nodeIds })) {
                yield* allowed(actor, "grid.edit", version.path)
                kinds.set(`${asOf}|${version.nodeId}`, version.kind)
              }
            }
            const plan = yield* store.change(nodeIds, (current) => Site.planSites(current, kinds, commands))
            if (plan.start.length > 0) {
              const encoded = commands.map((command) => Schema.encodeSync(Site.SetSite)(command))
              yield* audit.append([
                Audit.AuditDraft.make({
                  id: Audit.AuditEntryId.make(`grid.sites.${Json.digest(JSON.parse(JSON.stringify(encoded)))}`),
                  actor: actor.id,
                  action: "grid.sitesSet",
                  subject: nodeIds.length === 1 ? `node:${nodeIds[0]}` : `nodes:${nodeIds.length}`,
                  payload: { started: plan.start.length, ended: plan.end.length, nodes: nodeIds.slice(0, 100) }
                })
              ])
            }
            return plan
          })
        )
      })

    /** The details in force on a date of every site under a path, optionally of some kinds. */
    const sites = (
      actor: Actor.Actor,
      query: {
        readonly under: Actor.NodePath
        readonly asOf: Period.IsoDate
        readonly kinds?: ReadonlyArray<Site.Details["_tag"]> | undefined
      }
    ): Effect.Effect<ReadonlyArray<Site.SiteVersion>, Errors.Forbidden | Errors.StorageError> =>
      Effect.zipRight(
        Either.mapLeft(allowed(actor, "grid.read", query.under), (error) => error),
        Effect.map(store.sites(query), (found) =>
          query.kinds === undefined ? found : found.filter((site) => query.kinds!.includes(site.details._tag))
        )
      )

    return { set, sites } as const
  })
}) {}
