/**
 * The household service: households and their wallets, residents joining them, and moving out
 * with a share of the points (`Household.planMoveOut`: expiry first, then one transfer per expiry
 * date, one linked chain; the leaver's lot keeps the points' expiry).
 *
 * Each write is one transaction: `HouseholdStore.lock` (before any account), load the household
 * and memberships, then `LedgerStore.post`, whose decide step plans the move on the accounts and
 * lots posting loaded (so it sees them as they are) and runs `Posting.decide` on its chain; then
 * the membership ends only if the chain posted (`Household.membershipAfter`), with its audit entry.
 *
 * Idempotency: a household by its reference (same content: a retry; other content: `Conflict`);
 * a join by household and resident (joining again returns the membership in force); a move by its
 * client-chosen id (a retry finds the membership it ended and is answered `Exists`).
 *
 * Permissions: `ledger.households` to write, `ledger.read` to read.
 *
 * @since 0.1.0
 */
import { type Actor, AuditLog, Errors, Permission, Transactor } from "@sortgrid/core"
import { Clock, Data, Effect, Either, Schema } from "effect"
import * as Account from "./Account.js"
import * as Household from "./Household.js"
import { HouseholdStore } from "./HouseholdStore.js"
import { appendAudit, auditDraft, chainResult, decode } from "./internal/programme.js"
import { LedgerConfig } from "./Ledger.js"
import { LedgerStore } from "./LedgerStore.js"
import * as Lots from "./Lots.js"
import * as Posting from "./Posting.js"

/**
 * The permissions the household service checks.
 *
 * @since 0.1.0
 * @category permissions
 */
export const permissions = {
  write: "ledger.households",
  read: "ledger.read"
} as const

/**
 * A resident joins a household (from now).
 *
 * @since 0.1.0
 * @category commands
 */
export class Join extends Schema.Class<Join>("@sortgrid/ledger/JoinHousehold")({
  householdReference: Account.Reference,
  residentReference: Account.Reference
}) {}

/**
 * What a move-out came to:
 * - `Ok`: the membership ended now and the share moved; `Exists`: the move was done before;
 * - a `Household.RefusalCode`: refused by the household rules;
 * - a `Posting.TransferResult`: posting refused the chain (nothing moved, the membership holds).
 *
 * @since 0.1.0
 * @category models
 */
export interface MoveResult {
  readonly moveId: Household.MoveId
  readonly result: Posting.TransferResult | Household.RefusalCode
  /** Points moved to the leaver's wallet, and points expired first. */
  readonly share: number
  readonly expired: number
  readonly outcomes: ReadonlyArray<Posting.TransferOutcome>
  /** The membership as it ended (or as the earlier move ended it); `null` when refused. */
  readonly membership: Household.Membership | null
}

class Refused extends Data.TaggedError("Refused")<{ readonly code: Household.RefusalCode }> {}

/**
 * Households.
 *
 * @since 0.1.0
 * @category services
 */
export class Households extends Effect.Service<Households>()("@sortgrid/ledger/Households", {
  effect: Effect.gen(function* () {
    const store = yield* HouseholdStore
    const ledger = yield* LedgerStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const ledgerConfig = yield* LedgerConfig
    const policyOf = (id: Account.LedgerId): Lots.Policy => ledgerConfig.policies.get(id) ?? Lots.neverExpires
    const allowed = (actor: Actor.Actor, permission: string) => Permission.decide(grants, actor, { permission })
    const record = appendAudit(audit)

    /**
     * Creates households (`[Household.Household]`), each with a `household-wallet` account of its
     * ledger. A household created before with the same content is a retry; with other content, a
     * `Conflict`.
     */
    const createHouseholds = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      ReadonlyArray<Household.Household>,
      Errors.Invalid | Errors.Forbidden | Errors.Conflict | Errors.StorageError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.write)
        const households = yield* decode(Schema.Array(Household.Household).pipe(Schema.maxItems(1_000)), input)
        if (households.length === 0) return []
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            yield* store.lock
            const stored = new Map(
              (yield* store.households(households.map((h) => h.reference))).map((h) => [h.reference, h])
            )
            const wallets = new Map(
              (yield* ledger.accounts(households.map((h) => h.walletAccountId))).map((a) => [a.id, a])
            )
            const created: Array<Household.Household> = []
            for (const [index, household] of households.entries()) {
              const before = stored.get(household.reference)
              if (before !== undefined) {
                if (before.ledger !== household.ledger || before.walletAccountId !== household.walletAccountId) {
                  return yield* new Errors.Conflict({
                    entity: "Household",
                    id: household.reference,
                    reason: "the reference was already used with a different ledger or wallet"
                  })
                }
                continue
              }
              const wallet = wallets.get(household.walletAccountId)
              if (wallet === undefined || wallet.code !== "household-wallet" || wallet.ledger !== household.ledger) {
                return yield* Errors.Invalid.one(
                  [index, "walletAccountId"],
                  `must be a household-wallet account of ledger ${household.ledger}`
                )
              }
              created.push(household)
              stored.set(household.reference, household)
            }
            if (created.length > 0) {
              yield* store.addHouseholds(created)
              yield* record([
                auditDraft(actor, "households.created", created[0]!.ledger, {
                  households: created.map((h) => ({ reference: h.reference, walletAccountId: h.walletAccountId }))
                })
              ])
            }
            return households.map((h) => stored.get(h.reference)!)
          })
        )
      })

    /**
     * A resident joins a household from now (`Join`). Joining the household one belongs to returns
     * the membership in force; belonging to another is a `Conflict` (move out first).
     */
    const join = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      Household.Membership,
      Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.Conflict | Errors.StorageError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.write)
        const request = yield* decode(Join, input)
        const now = yield* Clock.currentTimeMillis
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            yield* store.lock
            const [household] = yield* store.households([request.householdReference])
            if (household === undefined) {
              return yield* new Errors.NotFound({ entity: "Household", id: request.householdReference })
            }
            const memberships = yield* store.memberships({
              householdReferences: [],
              residentReferences: [request.residentReference]
            })
            const joined = Household.join(memberships, { ...request, at: now })
            if (Either.isLeft(joined)) {
              const current = memberships.find(
                (m) => m.householdReference === request.householdReference && (m.until === null || m.until > now)
              )
              if (joined.left === "AlreadyMember" && current !== undefined) return current
              return yield* new Errors.Conflict({
                entity: "HouseholdMembership",
                id: request.residentReference,
                reason: `${joined.left}: a resident belongs to one household at a time; move out first`
              })
            }
            yield* store.putMemberships([joined.right])
            yield* record([
              auditDraft(actor, "household.joined", request.householdReference, {
                residentReference: request.residentReference,
                from: now
              })
            ])
            return joined.right
          })
        )
      })

    /**
     * Moves a resident out of a household (`Household.MoveOut`), taking their share of its points
     * (by the request's share policy) to their own wallet.
     */
    const moveOut = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<MoveResult, Errors.Invalid | Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.write)
        const request = yield* decode(Household.MoveOut, input)
        const now = yield* Clock.currentTimeMillis
        return yield* transactor
          .withTransaction(
            Effect.gen(function* () {
              yield* store.lock
              const [household] = yield* store.households([request.householdReference])
              const memberships = yield* store.memberships({
                householdReferences: [request.householdReference],
                residentReferences: [request.residentReference]
              })
              const expiredAccountId = household === undefined ? null : policyOf(household.ledger).expiredAccountId
              const accountIds = [
                request.toAccountId,
                ...(household === undefined ? [] : [household.walletAccountId]),
                ...(expiredAccountId === null ? [] : [expiredAccountId])
              ]
              const decided = yield* ledger.post(
                { accountIds: [...new Set(accountIds)], transferIds: [], referencedIds: [] },
                (state) => {
                  const plan = Household.planMoveOut({ ...state, household, memberships }, request, { now, policyOf })
                  if (Either.isLeft(plan)) return Either.left(new Refused({ code: plan.left }))
                  const posting = Posting.decide(state, plan.right.transfers, { timestamp: now, policyOf })
                  return Either.right({
                    ...posting,
                    move: plan.right,
                    membership: Household.membershipAfter(plan.right, posting.outcomes)
                  })
                }
              )
              if (decided.membership !== null) {
                yield* store.putMemberships([decided.membership])
                yield* record([
                  auditDraft(actor, "household.movedOut", request.householdReference, {
                    moveId: request.id,
                    residentReference: request.residentReference,
                    toAccountId: request.toAccountId,
                    share: decided.move.share,
                    expired: decided.move.expired,
                    ids: decided.transfers.map((transfer) => transfer.id)
                  })
                ])
              }
              const replayed = decided.move.replayed
              const posted = replayed || decided.membership !== null
              return {
                moveId: request.id,
                result: replayed ? "Exists" : decided.outcomes.length === 0 ? "Ok" : chainResult(decided.outcomes),
                share: posted ? decided.move.share : 0,
                expired: posted ? decided.move.expired : 0,
                outcomes: decided.outcomes,
                membership: posted ? decided.move.membership : null
              } satisfies MoveResult
            })
          )
          .pipe(
            Effect.catchTag("Refused", (error) =>
              Effect.succeed<MoveResult>({
                moveId: request.id,
                result: error.code,
                share: 0,
                expired: 0,
                outcomes: [],
                membership: null
              })
            )
          )
      })

    /** A household and its members now (memberships in force, by resident). */
    const household = (
      actor: Actor.Actor,
      reference: string
    ): Effect.Effect<
      { readonly household: Household.Household; readonly members: ReadonlyArray<Household.Membership> },
      Errors.Forbidden | Errors.NotFound | Errors.StorageError
    > =>
      Effect.gen(function* () {
        yield* allowed(actor, permissions.read)
        const [found] = yield* store.households([reference])
        if (found === undefined) return yield* new Errors.NotFound({ entity: "Household", id: reference })
        const now = yield* Clock.currentTimeMillis
        const memberships = yield* store.memberships({ householdReferences: [reference], residentReferences: [] })
        const members = memberships
          .filter((m) => m.householdReference === reference && Household.isActive(m, now))
          .sort((a, b) => (a.residentReference < b.residentReference ? -1 : 1))
        return { household: found, members }
      })

    return { createHouseholds, join, moveOut, household } as const
  })
}) {}
