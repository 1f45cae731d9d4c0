/**
 * Earning rules: what a resident earns for what they did, declared as data. A rule names the
 * transfer code it pays under, the points, who is eligible (by role and by place), caps per
 * resident or household per day, week or month, and an optional de-duplication key (for example
 * one sorting reward per household per bin station per day).
 *
 * {@link decide} is the rule, pure: it turns a batch of claims (things residents did) into
 * transfer requests from the programme's budget to their wallets, given how much each cap has
 * already used and which de-duplication keys are already taken. It returns what to add to those
 * counters; the caller must load and store them in the same transaction as the transfers, so caps
 * hold under concurrency (two claims decided on the same counters cannot both be stored).
 *
 * Periods are the programme's local calendar days, ISO weeks and months (`Period`).
 *
 * Under a lock policy (`Options.lock`, see `Lock`), the credits of locked codes are holds without
 * timeout, released by the lock run; caps and keys count them when granted.
 *
 * Counters and posting: `decide` counts every claim it grants, but posting may still refuse a
 * transfer (the budget is spent, a wallet is closed). {@link counted} keeps the counts of the
 * transfers posting accepted (`Ok`): store those, in the same transaction, so a refused claim uses
 * no cap and takes no key. {@link earned} gives the same accepted claims as records of where each
 * earning happened, for the ledger's data values.
 *
 * @since 0.1.0
 */
import { Actor, Period } from "@sortgrid/core"
import { Schema } from "effect"
import * as Account from "./Account.js"
import type { EarningRecord } from "./EarningStore.js"
import * as Lock from "./Lock.js"
import type * as Posting from "./Posting.js"
import * as Transfer from "./Transfer.js"

/**
 * Whose earnings a cap or a de-duplication key counts: the resident's, or their household's.
 *
 * @since 0.1.0
 * @category models
 */
export const Scope = Schema.Literal("resident", "household")

/**
 * @since 0.1.0
 * @category models
 */
export type Scope = typeof Scope.Type

/**
 * The periods caps and de-duplication keys count over.
 *
 * @since 0.1.0
 * @category models
 */
export const CapPeriod = Schema.Literal("Day", "Week", "Month")

/**
 * A cap: at most `pointsMax` points under the rule per resident (or household) per period. A
 * claim that would pass it is granted what is left, and refused when nothing is.
 *
 * @since 0.1.0
 * @category models
 */
export class Cap extends Schema.Class<Cap>("@sortgrid/ledger/EarningCap")({
  per: Scope,
  period: CapPeriod,
  pointsMax: Transfer.Amount
}) {}

/**
 * A de-duplication key: one reward under the rule per resident (or household) per period, and, with
 * `perSite`, per site (a bin station).
 *
 * @since 0.1.0
 * @category models
 */
export class Dedupe extends Schema.Class<Dedupe>("@sortgrid/ledger/EarningDedupe")({
  per: Scope,
  period: CapPeriod,
  perSite: Schema.Boolean
}) {}

/**
 * An earning rule.
 *
 * @since 0.1.0
 * @category models
 */
export class Rule extends Schema.Class<Rule>("@sortgrid/ledger/EarningRule")({
  code: Transfer.TransferCode,
  amount: Transfer.Amount,
  /** The roles a claimant must hold one of; anyone when empty. */
  roles: Schema.optionalWith(Schema.Array(Actor.Role), { default: () => [] }),
  /** The places a claim must lie under; anywhere when empty. */
  under: Schema.optionalWith(Schema.Array(Actor.NodePath), { default: () => [] }),
  caps: Schema.optionalWith(Schema.Array(Cap), { default: () => [] }),
  dedupe: Schema.optionalWith(Schema.NullOr(Dedupe), { default: () => null })
}) {}

/**
 * Something a resident did that may earn points. `id` becomes the transfer's id, so a claim
 * retried is a transfer retried.
 *
 * @since 0.1.0
 * @category commands
 */
export class Claim extends Schema.Class<Claim>("@sortgrid/ledger/EarningClaim")({
  id: Transfer.TransferId,
  code: Transfer.TransferCode,
  residentReference: Account.Reference,
  householdReference: Schema.optionalWith(Schema.NullOr(Account.Reference), { default: () => null }),
  walletAccountId: Account.AccountId,
  roles: Schema.optionalWith(Schema.Array(Actor.Role), { default: () => [] }),
  /** Where it happened. */
  at: Actor.NodePath,
  /** The site (bin station) it happened at, when there is one. */
  siteReference: Schema.optionalWith(Schema.NullOr(Account.Reference), { default: () => null }),
  /** What records it: an inspection, a check-in, an event. */
  sourceReference: Account.Reference,
  occurredAt: Account.EpochMillis
}) {}

/**
 * What a claim came to, in order of precedence:
 * - `Granted` again, for a retry (the claim's id is stored), with the stored amount;
 * - `RuleNotFound`: no rule for the code;
 * - `RoleNotEligible`, `PlaceNotEligible`;
 * - `HouseholdRequired`: a household cap or key and no household;
 * - `SiteRequired`: a per-site key and no site;
 * - `Duplicate`: the de-duplication key is taken (earlier, or by a claim before it in the batch);
 * - `CapReached`: a cap has nothing left;
 * - `Granted`: a transfer of `amount` (the rule's, or less when a cap leaves less).
 *
 * @since 0.1.0
 * @category results
 */
export type Decision =
  | { readonly _tag: "Granted"; readonly amount: number; readonly capped: boolean }
  | {
      readonly _tag:
        | "RuleNotFound"
        | "RoleNotEligible"
        | "PlaceNotEligible"
        | "HouseholdRequired"
        | "SiteRequired"
        | "Duplicate"
        | "CapReached"
    }

/**
 * What claims are decided on: points used per cap key, de-duplication keys taken, and the stored
 * transfers whose ids the claims use. A claim whose id is stored is a retry: it is answered with
 * the stored amount and asks for the same transfer again (which posting answers `Exists`, or
 * refuses if the claim changed), without counting again.
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  readonly used: ReadonlyMap<string, number>
  readonly taken: ReadonlySet<string>
  readonly existing: ReadonlyMap<string, Transfer.Transfer>
}

/**
 * What one newly granted claim adds to the counters: its cap keys (each by `amount`) and its
 * de-duplication key. Retries charge nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface Charge {
  readonly transferId: Transfer.TransferId
  readonly amount: number
  readonly caps: ReadonlyArray<string>
  readonly dedupe: string | null
}

/**
 * What a batch of claims comes to: a decision per claim (in order), the transfer requests of the
 * granted ones, what to add to the counters if every transfer posts, and the same per transfer
 * (`charges`, for {@link counted}).
 *
 * @since 0.1.0
 * @category models
 */
export interface EarningPlan {
  readonly decisions: ReadonlyArray<Decision>
  readonly transfers: ReadonlyArray<Transfer.TransferInput>
  readonly used: ReadonlyMap<string, number>
  readonly taken: ReadonlySet<string>
  readonly charges: ReadonlyArray<Charge>
}

/**
 * Options of {@link decide} and {@link keys}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly ledger: Account.LedgerId
  readonly budgetAccountId: Account.AccountId
  /** The programme's time zone, as minutes east of UTC (Beijing: 480). */
  readonly utcOffsetMinutes: number
  /** The lock policy in force: credits of the codes it locks are holds without timeout. */
  readonly lock?: Lock.Policy | undefined
}

const periodId = (period: "Day" | "Week" | "Month", at: number, offsetMinutes: number): string =>
  Period.format(Period.containing(period, Period.dayOfInstant(at, offsetMinutes)))

const who = (scope: Scope, claim: Claim): string | null =>
  scope === "resident"
    ? `resident:${claim.residentReference}`
    : claim.householdReference === null
      ? null
      : `household:${claim.householdReference}`

/**
 * The counter keys a claim touches under a rule: one per cap, and its de-duplication key. The
 * caller loads these before deciding. `null` where the claim lacks what the key needs.
 *
 * @since 0.1.0
 * @category keys
 */
export const keys = (
  rule: Rule,
  claim: Claim,
  options: Pick<Options, "utcOffsetMinutes">
): { readonly caps: ReadonlyArray<string | null>; readonly dedupe: string | null } => ({
  caps: rule.caps.map((cap) => {
    const subject = who(cap.per, claim)
    return subject === null
      ? null
      : `${rule.code}|${subject}|${periodId(cap.period, claim.occurredAt, options.utcOffsetMinutes)}`
  }),
  dedupe:
    rule.dedupe === null
      ? null
      : (() => {
          const subject = who(rule.dedupe.per, claim)
          if (subject === null || (rule.dedupe.perSite && claim.siteReference === null)) return null
          const site = rule.dedupe.perSite ? `|site:${claim.siteReference}` : ""
          return `${rule.code}|${subject}${site}|${periodId(rule.dedupe.period, claim.occurredAt, options.utcOffsetMinutes)}`
        })()
})

const lockedFlags = Transfer.TransferFlags.make({ pending: true })

/** A retry asks again for the transfer as stored (a hold stays a hold even if the policy changed). */
const transferOf = (claim: Claim, amount: number, options: Options, pending: boolean): Transfer.TransferInput =>
  Transfer.TransferInput.make({
    id: claim.id,
    debitAccountId: options.budgetAccountId,
    creditAccountId: claim.walletAccountId,
    amount,
    ledger: options.ledger,
    code: claim.code,
    sourceReference: claim.sourceReference,
    flags: pending ? lockedFlags : Transfer.noFlags
  })

/**
 * Decides a batch of claims in order, each on the counters the ones before it left.
 *
 * @since 0.1.0
 * @category decisions
 */
export const decide = (
  rules: ReadonlyArray<Rule>,
  claims: ReadonlyArray<Claim>,
  usage: Usage,
  options: Options
): EarningPlan => {
  const byCode = new Map<string, Rule>(rules.map((rule) => [rule.code, rule]))
  const used = new Map<string, number>()
  const taken = new Set<string>()
  const usedOf = (key: string) => (usage.used.get(key) ?? 0) + (used.get(key) ?? 0)
  const decisions: Array<Decision> = []
  const transfers: Array<Transfer.TransferInput> = []
  const charges: Array<Charge> = []
  for (const claim of claims) {
    const stored = usage.existing.get(claim.id)
    const rule = byCode.get(claim.code)
    if (stored !== undefined) {
      decisions.push({
        _tag: "Granted",
        amount: stored.amount,
        capped: rule !== undefined && stored.amount < rule.amount
      })
      transfers.push(transferOf(claim, stored.amount, options, stored.flags.pending))
      continue
    }
    if (rule === undefined) {
      decisions.push({ _tag: "RuleNotFound" })
      continue
    }
    if (rule.roles.length > 0 && !claim.roles.some((role) => rule.roles.includes(role))) {
      decisions.push({ _tag: "RoleNotEligible" })
      continue
    }
    if (rule.under.length > 0 && !rule.under.some((root) => claim.at.startsWith(root))) {
      decisions.push({ _tag: "PlaceNotEligible" })
      continue
    }
    const needsHousehold = rule.caps.some((cap) => cap.per === "household") || rule.dedupe?.per === "household"
    if (needsHousehold && claim.householdReference === null) {
      decisions.push({ _tag: "HouseholdRequired" })
      continue
    }
    const claimKeys = keys(rule, claim, options)
    if (rule.dedupe !== null && claimKeys.dedupe === null) {
      decisions.push({ _tag: "SiteRequired" })
      continue
    }
    if (claimKeys.dedupe !== null && (usage.taken.has(claimKeys.dedupe) || taken.has(claimKeys.dedupe))) {
      decisions.push({ _tag: "Duplicate" })
      continue
    }
    let amount = rule.amount
    rule.caps.forEach((cap, i) => {
      amount = Math.min(amount, Math.max(0, cap.pointsMax - usedOf(claimKeys.caps[i]!)))
    })
    if (amount === 0) {
      decisions.push({ _tag: "CapReached" })
      continue
    }
    const capKeys = claimKeys.caps.flatMap((key) => (key === null ? [] : [key]))
    for (const key of capKeys) used.set(key, (used.get(key) ?? 0) + amount)
    if (claimKeys.dedupe !== null) taken.add(claimKeys.dedupe)
    decisions.push({ _tag: "Granted", amount, capped: amount < rule.amount })
    const pending = options.lock !== undefined && Lock.locks(options.lock, claim.code)
    transfers.push(transferOf(claim, amount, options, pending))
    charges.push({ transferId: claim.id, amount, caps: capKeys, dedupe: claimKeys.dedupe })
  }
  return { decisions, transfers, used, taken, charges }
}

/**
 * What to add to the stored counters once posting has decided the plan's transfers: the charges
 * of the transfers it accepted now (`Ok`). A refused transfer charges nothing, and a retry
 * (`Exists`) was charged by its first success.
 *
 * @since 0.1.0
 * @category decisions
 */
export const counted = (
  plan: EarningPlan,
  outcomes: ReadonlyArray<Posting.TransferOutcome>
): { readonly used: ReadonlyMap<string, number>; readonly taken: ReadonlySet<string> } => {
  const accepted = new Set(outcomes.filter((outcome) => outcome.result === "Ok").map((outcome) => outcome.id))
  const used = new Map<string, number>()
  const taken = new Set<string>()
  for (const charge of plan.charges) {
    if (!accepted.has(charge.transferId)) continue
    for (const key of charge.caps) used.set(key, (used.get(key) ?? 0) + charge.amount)
    if (charge.dedupe !== null) taken.add(charge.dedupe)
  }
  return { used, taken }
}

/**
 * The earnings to record once posting has decided the plan's transfers: one per claim granted now
 * whose transfer posting accepted (`Ok`), with the claim's place, resident, household and time and
 * the amount granted. A retry (`Exists`) and a refused transfer record nothing; a claim id twice
 * in the batch is recorded once.
 *
 * @since 0.1.0
 * @category decisions
 */
export const earned = (
  claims: ReadonlyArray<Claim>,
  plan: EarningPlan,
  outcomes: ReadonlyArray<Posting.TransferOutcome>,
  ledger: Account.LedgerId
): ReadonlyArray<EarningRecord> => {
  const accepted = new Set(outcomes.filter((outcome) => outcome.result === "Ok").map((outcome) => outcome.id))
  const amounts = new Map(plan.charges.map((charge) => [charge.transferId, charge.amount]))
  const records: Array<EarningRecord> = []
  for (const claim of claims) {
    const amount = amounts.get(claim.id)
    if (amount === undefined || !accepted.has(claim.id)) continue
    amounts.delete(claim.id)
    records.push({
      transferId: claim.id,
      ledger,
      code: claim.code,
      at: claim.at,
      residentReference: claim.residentReference,
      householdReference: claim.householdReference,
      amount,
      occurredAt: claim.occurredAt
    })
  }
  return records
}
