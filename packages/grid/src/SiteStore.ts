/**
 * The storage port for site details.
 *
 * @since 0.1.0
 */
import type { Actor, Errors, Period } from "@sortgrid/core"
import { Context, type Effect, type Either } from "effect"
import type { NodeId } from "./Node.js"
import type { SitePlan, SiteVersion } from "./Site.js"

/**
 * Site storage.
 *
 * @since 0.1.0
 * @category ports
 */
export class SiteStore extends Context.Tag("@sortgrid/grid/SiteStore")<
  SiteStore,
  {
    /** Loads the current details of `nodeIds`, applies `decide`'s plan atomically. */
    readonly change: <E>(
      nodeIds: ReadonlyArray<NodeId>,
      decide: (current: ReadonlyMap<string, SiteVersion>) => Either.Either<SitePlan, E>
    ) => Effect.Effect<SitePlan, E | Errors.StorageError>
    /** Details in force on a date of the sites in force under a path. */
    readonly sites: (query: {
      readonly asOf: Period.IsoDate
      readonly under: Actor.NodePath
    }) => Effect.Effect<ReadonlyArray<SiteVersion>, Errors.StorageError>
  }
>() {}
