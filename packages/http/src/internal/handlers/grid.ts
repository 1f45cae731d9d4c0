/** The grid group's handlers: each is the `Grid` service's read, paged. */
import { HttpApiBuilder } from "@effect/platform"
import { Grid } from "@sortgrid/grid"
import { Effect } from "effect"
import { Api } from "../../Api.js"
import { CurrentActor } from "../../Auth.js"
import * as Paging from "../../Paging.js"
import { call, existingPath, granted } from "../guard.js"

const byPath = (version: { readonly path: string }) => version.path

export const layer = HttpApiBuilder.group(Api, "grid", (handlers) =>
  Effect.gen(function* () {
    const grid = yield* Grid.Grid
    return handlers
      .handle("node", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "grid.read")
          return yield* call(grid.node(actor, path.nodeId, urlParams.asOf), { entity: "Node", id: path.nodeId })
        })
      )
      .handle("children", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "grid.read")
          const children = yield* call(grid.children(actor, path.nodeId, urlParams.asOf), {
            entity: "Node",
            id: path.nodeId
          })
          return yield* Paging.paginate(children, byPath, urlParams)
        })
      )
      .handle("subtree", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "grid.read")
          const subject = { entity: "Node", id: urlParams.under }
          const nodes = yield* call(
            grid.subtree(actor, { under: urlParams.under, asOf: urlParams.asOf, kinds: urlParams.kinds }),
            subject
          )
          yield* existingPath(urlParams.under, urlParams.asOf)
          return yield* Paging.paginate(nodes, byPath, urlParams)
        })
      )
      .handle("countByKind", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "grid.read")
          const counts = yield* call(grid.countByKind(actor, urlParams), { entity: "Node", id: urlParams.under })
          yield* existingPath(urlParams.under, urlParams.asOf)
          return counts
        })
      )
  })
)
