/**
 * The ledger group: the points ledger (accounts, transfers, balances, statements, reconciliation)
 * and the points programme over it (earning, redemption at a merchant's counter, the merchant's
 * settlement report). The SDK's services check `ledger.read`, `ledger.post`, `ledger.reconcile`,
 * `ledger.earn`, `ledger.redeem` and `ledger.settlement`.
 *
 * The ledger's permissions are programme-wide: an account is not a place in the tree, so there is
 * no "other scope" to hide. An account, merchant or programme that does not exist is a 404; one
 * that exists is answered to every role granted the permission, wherever its owner lives.
 *
 * Refusals by the ledger's rules are results, as in the SDK: a batch of transfers answers one
 * outcome per transfer (`Ok`, `Exists` for a retry, or why it was refused: `ExceedsCredits`,
 * `DebitAccountNotFound`…), a claim its decision, a redemption step its result. Only a request
 * that cannot be carried out at all is an error. The time, the actor and every balance are the
 * server's: bodies carry no `timestamp`, `debitsPosted` or `createdBy`, and any field an endpoint
 * does not list is refused with a 400.
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Period } from "@sortgrid/core"
import { Account, Earnings, Ledger, Redemption, Redemptions, Transfer } from "@sortgrid/ledger"
import { ParseResult, Schema } from "effect"
import { Authentication } from "./Auth.js"
import { PostHeaders } from "./IdempotencyStore.js"
import * as Paging from "./Paging.js"

/** Refuses fields the schema does not list, instead of dropping them. */
const strict = { parseOptions: { onExcessProperty: "error", errors: "all" } } as const

// --- bodies ---------------------------------------------------------------------------------------

/**
 * The body of `POST /ledger/transfers`: a batch of transfers (see `Transfer.TransferInput`),
 * posted in one transaction.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TransfersBody = Schema.Struct({
  transfers: Schema.Array(Transfer.TransferInput).pipe(Schema.maxItems(Ledger.batchMax))
}).annotations({ ...strict, identifier: "TransfersBody" })

/**
 * The body of `POST /ledger/points/earnings`: the ledger whose programme applies and its claims.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EarnBody = Earnings.EarnRequest.pipe(Schema.annotations(strict))

/**
 * The body of `POST /ledger/points/redemptions`: a basket held at a merchant's counter.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RedeemBody = Redemption.Redeem.pipe(Schema.annotations(strict))

/**
 * The body of `POST /ledger/points/handovers`: what of a redemption was handed over.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HandOverBody = Redemption.HandOver.pipe(Schema.annotations(strict))

/**
 * The body of `POST /ledger/points/cancellations`: the redemption to cancel.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CancelBody = Redemptions.Cancel.pipe(Schema.annotations(strict))

// --- queries --------------------------------------------------------------------------------------

/**
 * An instant in a query string: milliseconds since the Unix epoch (`1678068000000`) or an ISO 8601
 * date-time with its offset (`2023-03-06T10:00:00+08:00`, `2023-03-06T02:00:00Z`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Instant = Schema.transformOrFail(Schema.String, Account.EpochMillis, {
  strict: true,
  decode: (text, _, ast) => {
    const millis = /^\d{1,16}$/.test(text)
      ? Number(text)
      : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
        ? Date.parse(text)
        : Number.NaN
    return Number.isSafeInteger(millis)
      ? ParseResult.succeed(millis)
      : ParseResult.fail(
          new ParseResult.Type(ast, text, "must be milliseconds since the epoch or an ISO 8601 date-time with offset")
        )
  },
  encode: (millis) => ParseResult.succeed(String(millis))
}).annotations({ description: "Milliseconds since the epoch, or an ISO 8601 date-time with its offset" })

// --- answers --------------------------------------------------------------------------------------

/**
 * The outcome for one transfer of a batch: its result (`Ok`, `Exists`, or the first refusal in
 * `Posting.TransferResult`'s order of precedence) and, on success, the stored transfer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TransferOutcome = Schema.Struct({
  id: Transfer.TransferId,
  result: Schema.String.annotations({ description: "Ok, Exists, or a Posting.TransferResult refusal" }),
  transfer: Schema.NullOr(Transfer.Transfer)
}).annotations({ identifier: "TransferOutcome" })

/**
 * The answer of `POST /ledger/transfers`: one outcome per transfer, in request order.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TransfersCreated = Schema.Struct({ outcomes: Schema.Array(TransferOutcome) })

const balances = {
  debitsPending: Account.Balance,
  debitsPosted: Account.Balance,
  creditsPending: Account.Balance,
  creditsPosted: Account.Balance
}

/**
 * An account's four balances.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Balances = Schema.Struct(balances).annotations({ identifier: "Balances" })

/**
 * An account's balances at an instant (now, or as of one), with what it could spend then.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BalanceView = Schema.Struct({
  accountId: Account.AccountId,
  at: Account.EpochMillis,
  ...balances,
  available: Schema.Int
}).annotations({ identifier: "BalanceView" })

/**
 * One line of a statement: a transfer seen from the account, with its reason in the language asked.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StatementLine = Schema.Struct({
  transfer: Transfer.Transfer,
  side: Schema.Literal("debit", "credit"),
  kind: Schema.Literal("posted", "pending", "released"),
  reason: Schema.String
}).annotations({ identifier: "StatementLine" })

/**
 * An account that drifted: its stored balances, the balances its transfers add up to, and for a
 * wallet what its lots hold.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Drift = Schema.Struct({
  accountId: Account.AccountId,
  stored: Balances,
  recomputed: Balances,
  lotsRemaining: Schema.NullOr(Schema.Int)
}).annotations({ identifier: "LedgerDrift" })

/**
 * What a reconciliation found: how many accounts and transfers it read, and the drifted accounts
 * (none in a sound ledger).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reconciliation = Schema.Struct({
  accounts: Schema.Int,
  transfers: Schema.Int,
  drifts: Schema.Array(Drift)
}).annotations({ identifier: "LedgerReconciliation" })

/**
 * What the earning rules decided for a claim: `Granted` (with the amount, and whether a cap cut
 * it), or why not.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Decision = Schema.Union(
  Schema.TaggedStruct("Granted", { amount: Schema.Int, capped: Schema.Boolean }),
  Schema.Struct({
    _tag: Schema.Literal(
      "RuleNotFound",
      "RoleNotEligible",
      "PlaceNotEligible",
      "HouseholdRequired",
      "SiteRequired",
      "Duplicate",
      "CapReached"
    )
  })
).annotations({ identifier: "EarningDecision" })

/**
 * What one claim came to: the decision and, when granted, posting's outcome for its transfer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClaimOutcome = Schema.Struct({
  claimId: Transfer.TransferId,
  decision: Decision,
  outcome: Schema.NullOr(TransferOutcome)
}).annotations({ identifier: "ClaimOutcome" })

/**
 * The answer of `POST /ledger/points/earnings`: one outcome per claim, in request order.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Earned = Schema.Struct({ outcomes: Schema.Array(ClaimOutcome) })

/**
 * What a redemption step came to: `Ok`, `Exists` (a retry), or why it was refused (a redemption
 * rule's code, or posting's: `ExceedsCredits` when the wallet cannot pay), with posting's
 * outcomes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StepResult = Schema.Struct({
  redemptionId: Redemption.RedemptionId,
  result: Schema.String.annotations({ description: "Ok, Exists, a Redemption.RefusalCode or a posting refusal" }),
  itemCode: Schema.NullOr(Schema.String),
  outcomes: Schema.Array(TransferOutcome)
}).annotations({ identifier: "RedemptionStep" })

const settlementFigures = {
  handedOver: Schema.Int,
  points: Schema.Int,
  voids: Schema.Int,
  voidedPoints: Schema.Int,
  timeouts: Schema.Int,
  timedOutPoints: Schema.Int,
  refundedPoints: Schema.Int
}

/**
 * A merchant's settlement report for a period, `[from, to)` in epoch milliseconds: one line per
 * item with activity and the totals (see `Redemption.Settlement`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Settlement = Schema.Struct({
  accountId: Account.AccountId,
  from: Schema.Int,
  to: Schema.Int,
  lines: Schema.Array(Schema.Struct({ itemCode: Schema.String, ...settlementFigures })),
  totals: Schema.Struct(settlementFigures),
  unmatched: Schema.Int
}).annotations({ identifier: "Settlement" })

const AccountPath = Schema.Struct({ accountId: Account.AccountId })

/**
 * The ledger endpoints (every POST needs an `Idempotency-Key`; a transfer's or claim's own `id`
 * is the ledger's idempotency key as well).
 *
 * - `GET /ledger/accounts/{accountId}` — one account;
 * - `POST /ledger/transfers` — a batch of transfers in one transaction, one outcome each;
 * - `GET /ledger/accounts/{accountId}/balance?asOf=` — balances now, or as of an instant;
 * - `GET /ledger/accounts/{accountId}/statement?language=&cursor=&limit=` — the statement, oldest first;
 * - `GET /ledger/reconciliation` — recompute every balance from the transfers and report drift;
 * - `POST /ledger/points/earnings` — claims decided by the programme's earning rules;
 * - `POST /ledger/points/redemptions` — hold a basket at a merchant's counter;
 * - `POST /ledger/points/handovers` — hand a redemption over (posts its holds, takes stock);
 * - `POST /ledger/points/cancellations` — cancel a redemption (voids its holds);
 * - `GET /ledger/points/settlement?merchantId=&period=` — a merchant's settlement report.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("ledger")
  .add(
    HttpApiEndpoint.get("account", "/accounts/:accountId")
      .setPath(AccountPath)
      .addSuccess(Account.Account)
      .annotate(OpenApi.Summary, "One account, with its balances as stored")
  )
  .add(
    HttpApiEndpoint.post("createTransfers", "/transfers")
      .setHeaders(PostHeaders)
      .setPayload(TransfersBody)
      .addSuccess(TransfersCreated)
      .annotate(OpenApi.Summary, "Post a batch of transfers in one transaction: one outcome per transfer")
  )
  .add(
    HttpApiEndpoint.get("balance", "/accounts/:accountId/balance")
      .setPath(AccountPath)
      .setUrlParams(Schema.Struct({ asOf: Schema.optional(Instant) }))
      .addSuccess(BalanceView)
      .annotate(OpenApi.Summary, "An account's balances now, or as of an instant (recomputed from its transfers)")
  )
  .add(
    HttpApiEndpoint.get("statement", "/accounts/:accountId/statement")
      .setPath(AccountPath)
      .setUrlParams(Schema.Struct({ language: Schema.optional(Schema.Literal("zh", "en")), ...Paging.pageParams }))
      .addSuccess(Paging.Page(StatementLine))
      .annotate(OpenApi.Summary, "An account's statement, oldest first, with readable reasons (zh by default)")
  )
  .add(
    HttpApiEndpoint.get("reconcile", "/reconciliation")
      .addSuccess(Reconciliation)
      .annotate(OpenApi.Summary, "Recompute every balance and wallet's lots from the transfers; report drift")
  )
  .add(
    HttpApiEndpoint.post("earn", "/points/earnings")
      .setHeaders(PostHeaders)
      .setPayload(EarnBody)
      .addSuccess(Earned)
      .annotate(OpenApi.Summary, "Decide and post claims under the ledger's earning programme")
  )
  .add(
    HttpApiEndpoint.post("redeem", "/points/redemptions")
      .setHeaders(PostHeaders)
      .setPayload(RedeemBody)
      .addSuccess(StepResult)
      .annotate(OpenApi.Summary, "Hold a basket at a merchant's counter, paid from a wallet")
  )
  .add(
    HttpApiEndpoint.post("handOver", "/points/handovers")
      .setHeaders(PostHeaders)
      .setPayload(HandOverBody)
      .addSuccess(StepResult)
      .annotate(OpenApi.Summary, "Hand a redemption over: post its holds and take the units out of stock")
  )
  .add(
    HttpApiEndpoint.post("cancel", "/points/cancellations")
      .setHeaders(PostHeaders)
      .setPayload(CancelBody)
      .addSuccess(StepResult)
      .annotate(OpenApi.Summary, "Cancel a redemption: release its holds")
  )
  .add(
    HttpApiEndpoint.get("settlement", "/points/settlement")
      .setUrlParams(Schema.Struct({ merchantId: Redemption.MerchantId, period: Period.PeriodFromString }))
      .addSuccess(Settlement)
      .annotate(OpenApi.Summary, "A merchant's settlement report for a period (2023-06, 2023-W22, 2023-06-15…)")
  )
  .middleware(Authentication)
  .prefix("/ledger")
  .annotate(OpenApi.Description, "The points ledger and the points programme (earning, redemption, settlement)")
