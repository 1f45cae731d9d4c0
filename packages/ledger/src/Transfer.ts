/**
 * Transfers: the only way points move. A transfer debits one account and credits another of the
 * same ledger by a positive whole number of points, for a reason (`code`), and is never changed or
 * deleted once stored; mistakes are corrected by further transfers (a void, a reversal).
 *
 * Kinds, by flags:
 * - **single-phase** (no phase flag): posts at once;
 * - **pending** (`pending`): a hold — moves the amount into the pending balances, and may time out
 *   after `timeoutSeconds`;
 * - **post-pending** (`postPending`, with `pendingId`): posts a hold, fully or partly; the rest is
 *   released;
 * - **void-pending** (`voidPending`, with `pendingId`): releases a hold.
 *
 * A hold is resolved at most once: by one post, by one void, or by the ledger's timeout run (a void
 * with the id {@link timeoutVoidId}). A **reversal** (`reversesId`) is a single-phase transfer in
 * the opposite direction of a posted one; the reversals of a transfer never sum above its amount.
 * `linked` chains a transfer to the next in the batch: the chain succeeds or fails together.
 *
 * The id is chosen by the client and is the idempotency key; the ledger sets `timestamp` from its
 * `Clock`, never the client.
 *
 * @since 0.1.0
 */
import { Id, Json, Trusted } from "@sortgrid/core"
import { Schema } from "effect"
import { AccountId, EpochMillis, LedgerId, Reference } from "./Account.js"

/**
 * The id of a transfer, chosen by the client: the idempotency key of the transfer.
 *
 * @since 0.1.0
 * @category ids
 */
export const TransferId = Id.brand("TransferId")

/**
 * @since 0.1.0
 * @category ids
 */
export type TransferId = typeof TransferId.Type

/**
 * A positive whole number of points, at most `Number.MAX_SAFE_INTEGER`.
 *
 * @since 0.1.0
 * @category models
 */
export const Amount = Schema.Int.pipe(Schema.between(1, Number.MAX_SAFE_INTEGER))

/**
 * Why points moved: lower-case words joined by `-` (`correct-sorting`, `redemption`). The codes in
 * {@link reasons} have readable labels; a programme may use others.
 *
 * @since 0.1.0
 * @category models
 */
export const TransferCode = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, {
    message: () => "must be lower-case words joined by '-', such as correct-sorting"
  }),
  Schema.maxLength(64),
  Schema.brand("TransferCode")
)

/**
 * @since 0.1.0
 * @category models
 */
export type TransferCode = typeof TransferCode.Type

/**
 * A reason, in the languages statements are written in.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reason {
  readonly zh: string
  readonly en: string
}

/**
 * The codes the programme uses, with their readable reasons.
 *
 * @since 0.1.0
 * @category models
 */
export const reasons: { readonly [code: string]: Reason } = {
  "correct-sorting": { zh: "正确分类投放", en: "Correct sorting" },
  "duty-volunteering": { zh: "桶前值守志愿服务", en: "Bin-side duty volunteering" },
  event: { zh: "参加宣传活动", en: "Outreach event" },
  "school-task": { zh: "家校互动任务", en: "Home-school task" },
  "swap-market": { zh: "跳蚤市场交换", en: "Swap market" },
  redemption: { zh: "积分兑换", en: "Redemption" },
  expiry: { zh: "积分过期", en: "Points expired" },
  reversal: { zh: "冲正", en: "Reversal" },
  "fund-allocation": { zh: "积分额度划拨", en: "Fund allocation" },
  "household-move": { zh: "迁出家庭转移积分", en: "Moved out of household" },
  settlement: { zh: "商户结算", en: "Merchant settlement" },
  adjustment: { zh: "人工调整", en: "Manual adjustment" }
}

/**
 * The readable reason for a code: its label from {@link reasons}, or the code itself.
 *
 * @since 0.1.0
 * @category models
 */
export const describe = (code: string, language: "zh" | "en"): string => reasons[code]?.[language] ?? code

/**
 * The well-known codes, as values.
 *
 * @since 0.1.0
 * @category models
 */
export const codes = {
  correctSorting: TransferCode.make("correct-sorting"),
  dutyVolunteering: TransferCode.make("duty-volunteering"),
  event: TransferCode.make("event"),
  schoolTask: TransferCode.make("school-task"),
  redemption: TransferCode.make("redemption"),
  expiry: TransferCode.make("expiry"),
  reversal: TransferCode.make("reversal"),
  fundAllocation: TransferCode.make("fund-allocation"),
  householdMove: TransferCode.make("household-move")
} as const

/**
 * How a transfer moves points. At most one of `pending`, `postPending`, `voidPending` is set.
 *
 * @since 0.1.0
 * @category models
 */
export class TransferFlags extends Schema.Class<TransferFlags>("@sortgrid/ledger/TransferFlags")({
  /** Chains this transfer to the next in the batch: all succeed or all fail. */
  linked: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** A hold: moves the amount into the pending balances. */
  pending: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Posts the hold `pendingId`. */
  postPending: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Releases the hold `pendingId`. */
  voidPending: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/**
 * Flags with nothing set: a single-phase transfer.
 *
 * @since 0.1.0
 * @category models
 */
export const noFlags: TransferFlags = TransferFlags.make({})

/**
 * A transfer, as stored. Every field is concrete: a post or void inherits from its hold what its
 * request left out, and `amount` is what it posted or released.
 *
 * @since 0.1.0
 * @category models
 */
export class Transfer extends Schema.Class<Transfer>("@sortgrid/ledger/Transfer")({
  id: TransferId,
  debitAccountId: AccountId,
  creditAccountId: AccountId,
  amount: Amount,
  /** The hold a post or void resolves; `null` otherwise. */
  pendingId: Schema.NullOr(TransferId),
  /** The posted transfer a reversal corrects; `null` otherwise. */
  reversesId: Schema.NullOr(TransferId),
  ledger: LedgerId,
  code: TransferCode,
  /** What caused it outside the ledger: an inspection, a check-in, an event, a lot. */
  sourceReference: Schema.NullOr(Reference),
  flags: TransferFlags,
  /** For a hold, seconds until the ledger may void it (0: never); 0 for every other kind. */
  timeoutSeconds: Schema.Int.pipe(Schema.between(0, 2 ** 31 - 1)),
  /** When the ledger stored it. */
  timestamp: EpochMillis
}) {}

/**
 * A transfer from fields that already satisfy {@link Transfer}'s schema — read back from the
 * ledger's own store, or made by the posting rule — without validating or copying them again.
 * Anything from outside must go through the schema (or `new Transfer(…)`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake = (fields: { readonly [K in keyof Transfer]: Transfer[K] }): Transfer =>
  Trusted.make(Transfer, fields)

/**
 * A request to create a transfer. A post or void may leave out the accounts, ledger, code and
 * amount: it inherits them from the hold (a post without `amount` posts the whole hold); when given
 * they must match the hold. Every other transfer must give them.
 *
 * @since 0.1.0
 * @category commands
 */
export class TransferInput extends Schema.Class<TransferInput>("@sortgrid/ledger/TransferInput")({
  id: TransferId,
  debitAccountId: Schema.optionalWith(Schema.NullOr(AccountId), { default: () => null }),
  creditAccountId: Schema.optionalWith(Schema.NullOr(AccountId), { default: () => null }),
  amount: Schema.optionalWith(Schema.NullOr(Amount), { default: () => null }),
  pendingId: Schema.optionalWith(Schema.NullOr(TransferId), { default: () => null }),
  reversesId: Schema.optionalWith(Schema.NullOr(TransferId), { default: () => null }),
  ledger: Schema.optionalWith(Schema.NullOr(LedgerId), { default: () => null }),
  code: Schema.optionalWith(Schema.NullOr(TransferCode), { default: () => null }),
  sourceReference: Schema.optionalWith(Schema.NullOr(Reference), { default: () => null }),
  flags: Schema.optionalWith(TransferFlags, { default: () => noFlags }),
  timeoutSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 2 ** 31 - 1)), { default: () => 0 })
}) {}

/**
 * A transfer request from fields that already satisfy {@link TransferInput}'s schema, every
 * defaulted field given (the decoder's fast path checks them itself), without validating or copying
 * them again.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMakeInput = (fields: { readonly [K in keyof TransferInput]: TransferInput[K] }): TransferInput =>
  Trusted.make(TransferInput, fields)

/**
 * Whether a stored transfer moved posted balances (single-phase, reversal or post-pending).
 *
 * @since 0.1.0
 * @category predicates
 */
export const movesPosted = (transfer: Transfer): boolean => !transfer.flags.pending && !transfer.flags.voidPending

/**
 * When a hold times out (`timestamp + timeoutSeconds`), or `null` for a hold without timeout and
 * for every other kind.
 *
 * @since 0.1.0
 * @category predicates
 */
export const deadline = (transfer: Transfer): number | null =>
  transfer.flags.pending && transfer.timeoutSeconds > 0 ? transfer.timestamp + transfer.timeoutSeconds * 1000 : null

/** Derived ids must fit the id shape: readable when short, a digest of their parts when not. */
const derivedId = (prefix: string, parts: ReadonlyArray<string | number>): TransferId => {
  const readable = `${prefix}.${parts.join(".")}`
  return TransferId.make(readable.length <= 128 ? readable : `${prefix}.${Json.digest(parts)}`)
}

/**
 * The id of the void the ledger writes when a hold times out. Derived from the hold's id, so a
 * repeated timeout run finds the void it stored, and a later post of the hold is told it expired.
 *
 * @since 0.1.0
 * @category ids
 */
export const timeoutVoidId = (pendingId: TransferId): TransferId => derivedId("timeout", [pendingId])

/**
 * The id of the transfer that expires part of a lot. Derived from the lot and what was left of it,
 * which only ever shrinks, so each expiry of a lot gets its own id and a repeated run finds it.
 *
 * @since 0.1.0
 * @category ids
 */
export const expiryId = (lotId: TransferId, remaining: number): TransferId => derivedId("expiry", [lotId, remaining])
