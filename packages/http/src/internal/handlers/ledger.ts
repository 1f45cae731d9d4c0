/**
 * The ledger group's handlers: the `Ledger`, `Earnings` and `Redemptions` services. Every handler
 * checks first that one of the actor's roles grants the permission (a 403 otherwise, the same for
 * every object); the ledger has no places, so nothing else is hidden, and an account, merchant or
 * programme that does not exist is its 404.
 */
import { HttpApiBuilder } from "@effect/platform"
import { type Actor, Period } from "@sortgrid/core"
import type { Account } from "@sortgrid/ledger"
import { Earnings, Ledger, Redemptions } from "@sortgrid/ledger"
import { Effect } from "effect"
import { Api } from "../../Api.js"
import * as ApiError from "../../ApiError.js"
import { CurrentActor } from "../../Auth.js"
import * as LedgerApi from "../../LedgerApi.js"
import * as Paging from "../../Paging.js"
import { call, granted, wire } from "../guard.js"

const badCursor = new ApiError.BadRequest({
  detail: "cursor: is not a cursor of this list",
  issues: [ApiError.issue(["cursor"], "is not a cursor of this list")]
})

export const layer = HttpApiBuilder.group(Api, "ledger", (handlers) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    const earnings = yield* Earnings.Earnings
    const redemptions = yield* Redemptions.Redemptions

    /** The account, or its 404 (after the role check of `ledger.read`). */
    const account = (actor: Actor.Actor, accountId: Account.AccountId) =>
      Effect.gen(function* () {
        yield* granted(actor, Ledger.permissions.read)
        const [found] = yield* call(ledger.lookupAccounts(actor, [accountId]))
        if (found === undefined) return yield* ApiError.notFound({ entity: "Account", id: accountId })
        return found
      })

    return handlers
      .handle("account", ({ path }) => Effect.flatMap(CurrentActor, (actor) => account(actor, path.accountId)))
      .handle("createTransfers", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Ledger.permissions.post)
          const input = yield* wire(LedgerApi.TransfersBody, payload)
          return { outcomes: yield* call(ledger.createTransfers(actor, input.transfers)) }
        })
      )
      .handle("balance", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Ledger.permissions.read)
          return yield* call(ledger.balance(actor, path.accountId, { asOf: urlParams.asOf }), {
            entity: "Account",
            id: path.accountId
          })
        })
      )
      .handle("statement", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          // A statement of an account that does not exist would be an empty page: a 404 instead.
          yield* account(actor, path.accountId)
          const after = yield* Paging.keyOfCursor(urlParams.cursor)
          const statement = yield* call(
            ledger.statement(actor, {
              accountId: path.accountId,
              after,
              limit: urlParams.limit ?? Paging.defaultPageSize,
              language: urlParams.language
            })
          ).pipe(
            // The only input the service can refuse here is the cursor the client sent back.
            Effect.catchTag("Unprocessable", () => Effect.fail(badCursor))
          )
          return {
            items: statement.lines.map(({ transfer, side, kind, reason }) => ({ transfer, side, kind, reason })),
            nextCursor: statement.next === null ? null : Paging.cursorOf(statement.next)
          }
        })
      )
      .handle("reconcile", () =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Ledger.permissions.reconcile)
          return yield* call(ledger.reconcile(actor))
        })
      )
      .handle("earn", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Earnings.permissions.earn)
          const input = yield* wire(LedgerApi.EarnBody, payload)
          const outcomes = yield* call(earnings.earn(actor, input), { entity: "EarningProgramme", id: payload.ledger })
          return { outcomes }
        })
      )
      .handle("redeem", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Redemptions.permissions.redeem)
          return yield* call(redemptions.redeem(actor, yield* wire(LedgerApi.RedeemBody, payload)))
        })
      )
      .handle("handOver", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Redemptions.permissions.redeem)
          return yield* call(redemptions.handOver(actor, yield* wire(LedgerApi.HandOverBody, payload)))
        })
      )
      .handle("cancel", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Redemptions.permissions.redeem)
          return yield* call(redemptions.cancel(actor, yield* wire(LedgerApi.CancelBody, payload)))
        })
      )
      .handle("settlement", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, Redemptions.permissions.settlement)
          const query = { merchantId: urlParams.merchantId, period: Period.format(urlParams.period) }
          return yield* call(redemptions.settlement(actor, query), { entity: "Merchant", id: urlParams.merchantId })
        })
      )
  })
)
