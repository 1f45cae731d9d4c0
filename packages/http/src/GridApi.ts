/**
 * The grid group: reads of the jurisdiction tree as it stood on a date. Every endpoint needs
 * `grid.read` over what it returns; a node or path outside the actor's scope is a 404, as a missing
 * one is.
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Actor, Period } from "@sortgrid/core"
import { Node, Profile } from "@sortgrid/grid"
import { Schema } from "effect"
import { Authentication } from "./Auth.js"
import * as Paging from "./Paging.js"

/**
 * The count of nodes of one kind.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KindCount = Schema.Struct({ kind: Profile.NodeKind, count: Schema.Int })

const AsOf = Schema.Struct({ asOf: Period.IsoDate })

/**
 * The grid endpoints.
 *
 * - `GET /grid/nodes/{nodeId}?asOf=` — one node;
 * - `GET /grid/nodes/{nodeId}/children?asOf=&cursor=&limit=` — its children, by path;
 * - `GET /grid/subtree?under=&asOf=&kinds=&cursor=&limit=` — the node at a path and everything under it, by path;
 * - `GET /grid/counts?under=&asOf=` — how many nodes of each kind lie on or under a path.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("grid")
  .add(
    HttpApiEndpoint.get("node", "/nodes/:nodeId")
      .setPath(Schema.Struct({ nodeId: Node.NodeId }))
      .setUrlParams(AsOf)
      .addSuccess(Node.NodeVersion)
      .annotate(OpenApi.Summary, "One node as of a date")
  )
  .add(
    HttpApiEndpoint.get("children", "/nodes/:nodeId/children")
      .setPath(Schema.Struct({ nodeId: Node.NodeId }))
      .setUrlParams(Schema.Struct({ asOf: Period.IsoDate, ...Paging.pageParams }))
      .addSuccess(Paging.Page(Node.NodeVersion))
      .annotate(OpenApi.Summary, "A node's children as of a date")
  )
  .add(
    HttpApiEndpoint.get("subtree", "/subtree")
      .setUrlParams(
        Schema.Struct({
          under: Actor.NodePath,
          asOf: Period.IsoDate,
          kinds: Schema.optional(Schema.Array(Profile.NodeKind)),
          ...Paging.pageParams
        })
      )
      .addSuccess(Paging.Page(Node.NodeVersion))
      .annotate(OpenApi.Summary, "The subtree under a path as of a date, optionally of some kinds")
  )
  .add(
    HttpApiEndpoint.get("countByKind", "/counts")
      .setUrlParams(Schema.Struct({ under: Actor.NodePath, asOf: Period.IsoDate }))
      .addSuccess(Schema.Array(KindCount))
      .annotate(OpenApi.Summary, "How many nodes of each kind lie on or under a path on a date")
  )
  .middleware(Authentication)
  .prefix("/grid")
  .annotate(OpenApi.Description, "The jurisdiction tree, as it stood on a date")
