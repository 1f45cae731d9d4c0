/** The audit group's handlers: the `AuditLog` service, paged by position in the store. */
import { HttpApiBuilder } from "@effect/platform"
import { AuditLog } from "@sortgrid/core"
import { Effect } from "effect"
import { Api } from "../../Api.js"
import * as ApiError from "../../ApiError.js"
import { CurrentActor } from "../../Auth.js"
import * as Paging from "../../Paging.js"
import { call, granted } from "../guard.js"

/** The position a cursor carries: the last position of the previous page. */
const positionOf = (cursor: string | undefined) =>
  Effect.flatMap(Paging.keyOfCursor(cursor), (key) => {
    if (key === undefined) return Effect.succeed(0)
    const position = Number(key)
    return /^\d{16}$/.test(key) && Number.isSafeInteger(position)
      ? Effect.succeed(position)
      : Effect.fail(
          new ApiError.BadRequest({
            detail: "cursor: is not a cursor of this list",
            issues: [ApiError.issue(["cursor"], "is not a cursor of this list")]
          })
        )
  })

export const layer = HttpApiBuilder.group(Api, "audit", (handlers) =>
  Effect.gen(function* () {
    const log = yield* AuditLog.AuditLog
    return handlers
      .handle("read", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "audit.read")
          const after = yield* positionOf(urlParams.cursor)
          const limit = urlParams.limit ?? Paging.defaultPageSize
          // One more than the page, to know whether another page follows without a count.
          const entries = yield* call(log.read(actor, { fromPosition: after + 1, limit: limit + 1 }))
          const items = entries.slice(0, limit)
          const last = items.at(-1)
          return {
            items,
            nextCursor:
              entries.length > limit && last !== undefined ? Paging.cursorOf(Paging.numberKey(last.position)) : null
          }
        })
      )
      .handle("verify", () =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "audit.verify")
          const verification = yield* call(log.verify(actor))
          return verification._tag === "Intact"
            ? { _tag: "Intact" as const, entries: verification.entries, head: verification.head }
            : {
                _tag: "Broken" as const,
                position: verification.position,
                reason: verification.reason,
                detail: verification.detail
              }
        })
      )
  })
)
