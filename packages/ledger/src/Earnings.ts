/**
 * The earning service: turns claims (a resident sorted correctly, did bin-side duty, came to an
 * event) into credits from the programme's budget under its declared rules, with caps and
 * de-duplication keys that hold under concurrency; and releases the points a lock period holds.
 *
 * One `earn` call is one write transaction:
 * 1. lock the batch's counters (`EarningStore.lockCounters`, before any account: see the lock
 *    order there);
 * 2. `LedgerStore.post`, which locks the accounts and loads the batch's state, decides in one step
 *    `Earning.decide` (on the locked counters and the stored transfers of the claims' ids, so a
 *    retried claim is answered as first granted) → `Posting.decide` → `Earning.counted`;
 * 3. add what posting accepted to the counters, record where each accepted earning happened
 *    (`Earning.earned`, `EarningStore.recordEarnings`: the ledger's data values read these), index
 *    new lock holds, append the audit entry.
 * Two batches touching one counter are serialised by step 1, so a cap of 3 grants 3 whatever
 * the concurrency; a claim posting refuses (an empty budget) uses no cap and takes no key.
 *
 * Rules and budgets are configuration ({@link EarningConfig}): one {@link Programme} per ledger.
 *
 * Permissions: `ledger.earn` to earn; `ledger.expire` for the release run and pruning counters.
 *
 * @since 0.1.0
 */
import { type Actor, AuditLog, Errors, Period, Permission, Transactor } from "@sortgrid/core"
import { Clock, Context, Effect, Either, Schema } from "effect"
import * as Account from "./Account.js"
import * as Earning from "./Earning.js"
import { type CounterKey, EarningStore } from "./EarningStore.js"
import { appendAudit, auditDraft, decode } from "./internal/programme.js"
import { batchMax, LedgerConfig } from "./Ledger.js"
import { LedgerStore } from "./LedgerStore.js"
import * as Lock from "./Lock.js"
import * as Lots from "./Lots.js"
import * as Posting from "./Posting.js"
import type * as Transfer from "./Transfer.js"

/**
 * The permissions the earning service checks.
 *
 * @since 0.1.0
 * @category permissions
 */
export const permissions = {
  earn: "ledger.earn",
  release: "ledger.expire"
} as const

/**
 * A points programme's earning set-up for one ledger: the budget it pays from, its rules, its time
 * zone, and the lock policy in force (none: points are spendable at once).
 *
 * @since 0.1.0
 * @category config
 */
export class Programme extends Schema.Class<Programme>("@sortgrid/ledger/EarningProgramme")({
  ledger: Account.LedgerId,
  budgetAccountId: Account.AccountId,
  rules: Schema.Array(Earning.Rule),
  utcOffsetMinutes: Schema.optionalWith(Schema.Int.pipe(Schema.between(-840, 840)), { default: () => 480 }),
  lock: Schema.optionalWith(Schema.NullOr(Lock.Policy), { default: () => null })
}) {}

/**
 * The earning configuration: the programme of each ledger, by ledger id.
 *
 * @since 0.1.0
 * @category config
 */
export interface Config {
  readonly programmes: ReadonlyMap<string, Programme>
}

/**
 * The configuration in force; no programme unless a host provides one
 * (`Layer.succeed(EarningConfig, { programmes })`).
 *
 * @since 0.1.0
 * @category config
 */
export class EarningConfig extends Context.Reference<EarningConfig>()("@sortgrid/ledger/EarningConfig", {
  defaultValue: (): Config => ({ programmes: new Map() })
}) {}

/**
 * An earning request: the ledger whose programme applies and the claims, decided in order.
 *
 * @since 0.1.0
 * @category commands
 */
export class EarnRequest extends Schema.Class<EarnRequest>("@sortgrid/ledger/EarnRequest")({
  ledger: Account.LedgerId,
  claims: Schema.Array(Earning.Claim).pipe(Schema.maxItems(batchMax))
}) {}

/**
 * What one claim came to: the rule's decision and, when granted, posting's outcome for its
 * transfer (a refused transfer — an empty budget, a closed wallet — earned nothing).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaimOutcome {
  readonly claimId: Transfer.TransferId
  readonly decision: Earning.Decision
  readonly outcome: Posting.TransferOutcome | null
}

/**
 * What a release run posted: one outcome per lock hold it released (or found released).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReleaseRun {
  readonly released: ReadonlyArray<Posting.TransferOutcome>
}

/**
 * What earning can fail with; per-claim refusals are outcomes, not errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type EarnError = Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.StorageError

/**
 * How long after its period a counter is kept, in days: claims that arrive later than this after
 * the day they record are no longer checked against that day's caps, so hosts should refuse them.
 *
 * @since 0.1.0
 * @category config
 */
export const counterGraceDays = 31

const dayMillis = 86_400_000
const runPage = 1_000

/** The first instant after the period of `type` holding `at`, in the programme's time zone. */
const periodEnd = (type: "Day" | "Week" | "Month", at: number, offsetMinutes: number): number =>
  (Period.endDay(Period.containing(type, Period.dayOfInstant(at, offsetMinutes))) + 1) * dayMillis -
  offsetMinutes * 60_000

/** The counters a batch touches, each once, in key order (the order they are locked in). */
const counterKeys = (programme: Programme, claims: ReadonlyArray<Earning.Claim>): ReadonlyArray<CounterKey> => {
  const byCode = new Map<string, Earning.Rule>(programme.rules.map((rule) => [rule.code, rule]))
  const found = new Map<string, number>()
  for (const claim of claims) {
    const rule = byCode.get(claim.code)
    if (rule === undefined) continue
    const keys = Earning.keys(rule, claim, programme)
    rule.caps.forEach((cap, index) => {
      const key = keys.caps[index]
      if (key !== null && key !== undefined) {
        found.set(key, periodEnd(cap.period, claim.occurredAt, programme.utcOffsetMinutes))
      }
    })
    if (keys.dedupe !== null && rule.dedupe !== null) {
      found.set(keys.dedupe, periodEnd(rule.dedupe.period, claim.occurredAt, programme.utcOffsetMinutes))
    }
  }
  return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, end]) => ({ key, periodEnd: end }))
}

/** A release post's outcome that leaves its hold resolved: the index may forget it. */
const resolvedResults: ReadonlySet<Posting.TransferResult> = new Set<Posting.TransferResult>([
  "Ok",
  "Exists",
  "PendingTransferNotFound",
  "PendingTransferAlreadyPosted",
  "PendingTransferAlreadyVoided",
  "PendingTransferExpired"
])

/**
 * Earning points.
 *
 * @since 0.1.0
 * @category services
 */
export class Earnings extends Effect.Service<Earnings>()("@sortgrid/ledger/Earnings", {
  effect: Effect.gen(function* () {
    const counters = yield* EarningStore
    const store = yield* LedgerStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const record = appendAudit(audit)
    const grants = yield* Permission.Policy
    const config = yield* EarningConfig
    const ledgerConfig = yield* LedgerConfig
    const policyOf = (ledger: Account.LedgerId): Lots.Policy => ledgerConfig.policies.get(ledger) ?? Lots.neverExpires
    const allowed = (actor: Actor.Actor, permission: string) => Permission.decide(grants, actor, { permission })
    const programmeOf = (ledger: Account.LedgerId) => {
      const programme = config.programmes.get(ledger)
      return programme === undefined
        ? Effect.fail(new Errors.NotFound({ entity: "EarningProgramme", id: ledger }))
        : Effect.succeed(programme)
    }

    /**
     * Decides and posts a batch of claims (`{ ledger, claims: [Earning.Claim] }`): one outcome per
     * claim, in order.
     */
    const earn = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<ClaimOutcome>, EarnError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.earn)
        const request = yield* decode(EarnRequest, input)
        const programme = yield* programmeOf(request.ledger)
        const { claims } = request
        if (claims.length === 0) return []
        const timestamp = yield* Clock.currentTimeMillis
        const options: Earning.Options = {
          ledger: programme.ledger,
          budgetAccountId: programme.budgetAccountId,
          utcOffsetMinutes: programme.utcOffsetMinutes,
          lock: programme.lock ?? undefined
        }
        const keys = counterKeys(programme, claims)
        const postingRequest: Posting.PostingRequest = {
          accountIds: [...new Set([programme.budgetAccountId, ...claims.map((claim) => claim.walletAccountId)])],
          transferIds: [...new Set(claims.map((claim) => claim.id))],
          referencedIds: []
        }
        const plan = yield* transactor.withTransaction(
          Effect.gen(function* () {
            const usage = yield* counters.lockCounters(keys)
            const decided = yield* store.post(postingRequest, (state) => {
              const existing = new Map<string, Transfer.Transfer>()
              for (const claim of claims) {
                const stored = state.transfers.get(claim.id)
                if (stored !== undefined) existing.set(claim.id, stored)
              }
              const earning = Earning.decide(programme.rules, claims, { ...usage, existing }, options)
              const posting = Posting.decide(state, earning.transfers, { timestamp, policyOf })
              return Either.right({ ...posting, earning, counted: Earning.counted(earning, posting.outcomes) })
            })
            if (decided.counted.used.size > 0 || decided.counted.taken.size > 0) {
              yield* counters.addToCounters(decided.counted)
            }
            const records = Earning.earned(claims, decided.earning, decided.outcomes, programme.ledger)
            if (records.length > 0) yield* counters.recordEarnings(records)
            const locked = decided.transfers.filter((transfer) => transfer.flags.pending)
            if (locked.length > 0) {
              yield* counters.trackLockHolds(
                locked.map((hold) => ({ id: hold.id, ledger: hold.ledger, timestamp: hold.timestamp }))
              )
            }
            if (decided.transfers.length > 0) {
              yield* record([
                auditDraft(actor, "earnings.granted", programme.ledger, {
                  ids: decided.transfers.map((transfer) => transfer.id),
                  points: decided.transfers.reduce((sum, transfer) => sum + transfer.amount, 0)
                })
              ])
            }
            return decided
          })
        )
        let granted = 0
        return claims.map((claim, index): ClaimOutcome => {
          const decision = plan.earning.decisions[index]!
          const outcome = decision._tag === "Granted" ? (plan.outcomes[granted++] ?? null) : null
          return { claimId: claim.id, decision, outcome }
        })
      })

    /**
     * Posts the lock holds of a ledger whose lock period has ended (`Lock.planRelease`), a page at a
     * time, and forgets the holds that are resolved. Safe to repeat: a release's id derives from its
     * hold's, so a repeated or concurrent run is answered `Exists`.
     */
    const releaseLocks = (
      actor: Actor.Actor,
      ledger: Account.LedgerId
    ): Effect.Effect<ReleaseRun, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.release)
        const policy = config.programmes.get(ledger)?.lock ?? null
        if (policy === null) return { released: [] }
        const now = yield* Clock.currentTimeMillis
        const before = Lock.cutoff(policy, now)
        const released: Array<Posting.TransferOutcome> = []
        while (true) {
          const indexed = yield* counters.lockHolds({ ledger, before, limit: runPage })
          if (indexed.length === 0) break
          const holds = yield* store.transfers(indexed.map((hold) => hold.id))
          const inputs = Lock.planRelease(holds, now, policy)
          const forgotten = yield* transactor.withTransaction(
            Effect.gen(function* () {
              const decided =
                inputs.length === 0
                  ? { transfers: [], outcomes: [] }
                  : yield* store.post(Posting.request(inputs), (state) =>
                      Either.right(Posting.decide(state, inputs, { timestamp: now, policyOf }))
                    )
              const results = new Map(decided.outcomes.map((outcome) => [outcome.id, outcome.result]))
              const found = new Map(holds.map((hold) => [hold.id, hold]))
              // Forget what is resolved, missing, or not a lock hold under the policy now in force.
              const forget = indexed
                .filter((entry) => {
                  const hold = found.get(entry.id)
                  if (hold === undefined || !Lock.isLockHold(policy, hold)) return true
                  const result = results.get(Lock.releaseId(hold.id))
                  return result !== undefined && resolvedResults.has(result)
                })
                .map((entry) => entry.id)
              if (forget.length > 0) yield* counters.forgetLockHolds(forget)
              if (decided.transfers.length > 0) {
                yield* record([
                  auditDraft(actor, "earnings.released", ledger, {
                    ids: decided.transfers.map((transfer) => transfer.id)
                  })
                ])
              }
              released.push(...decided.outcomes)
              return forget.length
            })
          )
          // Holds that cannot be released yet (a closed wallet) would come back on every page.
          if (indexed.length < runPage || forgotten === 0) break
        }
        return { released }
      })

    /**
     * Deletes the counters of periods that ended more than {@link counterGraceDays} days ago (a
     * claim may arrive after its day: its counters are kept that long); returns how many.
     */
    const pruneCounters = (actor: Actor.Actor): Effect.Effect<number, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.release)
        const now = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(counters.pruneCounters(now - counterGraceDays * dayMillis))
      })

    return { earn, releaseLocks, pruneCounters } as const
  })
}) {}
