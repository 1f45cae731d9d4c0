/**
 * The audit log service: what services and hosts call.
 *
 * - `append` is for services, inside the transaction of the change it records, after their own
 *   permission check: it is trusted and checks nothing but the drafts.
 * - `record`, `read` and `verify` are for hosts and operators, and check the actor's permission
 *   (`audit.append`, `audit.read`, `audit.verify`).
 *
 * @since 0.1.0
 */
import { Clock, Effect, Schema } from "effect"
import type { Actor } from "./Actor.js"
import * as Audit from "./Audit.js"
import { AuditStore } from "./AuditStore.js"
import { type Conflict, type Forbidden, Invalid, type StorageError } from "./Errors.js"
import * as Permission from "./Permission.js"
import { Transactor } from "./Transactor.js"

const Drafts = Schema.Array(Audit.AuditDraft)

const decodeDrafts = (input: unknown) =>
  Effect.mapError(Schema.decodeUnknown(Drafts, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Invalid.fromParseError(error, ["entries"])
  )

/**
 * How many entries `verify` reads per page.
 *
 * @since 0.1.0
 * @category constants
 */
export const verifyPageSize = 10_000

/**
 * Appends, reads and verifies the audit chain.
 *
 * @since 0.1.0
 * @category services
 */
export class AuditLog extends Effect.Service<AuditLog>()("@sortgrid/core/AuditLog", {
  effect: Effect.gen(function* () {
    const store = yield* AuditStore
    const transactor = yield* Transactor
    const policy = yield* Permission.Policy
    const authorize = (actor: Actor, permission: string) =>
      Effect.provideService(Permission.check(actor, { permission }), Permission.Policy, policy)

    /** Appends drafts (already decoded) in one transaction; retries return the stored entries. */
    const append = (
      drafts: ReadonlyArray<Audit.DraftFields>
    ): Effect.Effect<ReadonlyArray<Audit.AuditEntry>, Conflict | StorageError> =>
      drafts.length === 0
        ? Effect.succeed([])
        : Effect.flatMap(Clock.currentTimeMillis, (at) =>
            store.append(
              drafts.map((draft) => draft.id),
              (state) => Audit.planAppend(state, drafts, at)
            )
          )

    /** Decodes untrusted drafts and appends them as the actor, who must be the actor of every draft. */
    const record = (
      actor: Actor,
      entries: unknown
    ): Effect.Effect<ReadonlyArray<Audit.AuditEntry>, Forbidden | Invalid | Conflict | StorageError> =>
      authorize(actor, "audit.append").pipe(
        Effect.zipRight(decodeDrafts(entries)),
        Effect.filterOrFail(
          (drafts) => drafts.every((draft) => draft.actor === actor.id),
          (drafts) =>
            Invalid.one(
              ["entries", drafts.findIndex((draft) => draft.actor !== actor.id), "actor"],
              `must be the acting actor, ${actor.id}: nobody records in another's name`
            )
        ),
        Effect.flatMap(append)
      )

    /** Reads entries in position order. */
    const read = (
      actor: Actor,
      options: { readonly fromPosition?: number; readonly limit?: number } = {}
    ): Effect.Effect<ReadonlyArray<Audit.AuditEntry>, Forbidden | Invalid | StorageError> =>
      Effect.gen(function* () {
        yield* authorize(actor, "audit.read")
        const fromPosition = options.fromPosition ?? 1
        const limit = options.limit ?? 1000
        if (!Number.isInteger(fromPosition) || fromPosition < 1) {
          return yield* Invalid.one("fromPosition", "must be an integer of at least 1")
        }
        if (!Number.isInteger(limit) || limit < 1 || limit > verifyPageSize) {
          return yield* Invalid.one("limit", `must be an integer from 1 to ${verifyPageSize}`)
        }
        return yield* store.read({ fromPosition, limit })
      })

    /**
     * Verifies the whole stored chain page by page, in constant memory, against the stored head and
     * any anchors (heads recorded earlier, outside the store). Paging ends when a page comes back
     * short; then, in one transaction, the head is read and the store is checked to hold nothing
     * past the last verified entry. Entries appended meanwhile are verified in turn, so a busy log
     * is never reported broken by a race.
     */
    const verify = (
      actor: Actor,
      options: { readonly anchors?: ReadonlyArray<Audit.AuditHead> } = {}
    ): Effect.Effect<Audit.Verification, Forbidden | StorageError> =>
      Effect.gen(function* () {
        yield* authorize(actor, "audit.verify")
        let state = Audit.verifyStart(options.anchors)
        while (true) {
          const page = yield* store.read({ fromPosition: state.last.position + 1, limit: verifyPageSize })
          for (const entry of page) state = Audit.verifyStep(state, entry)
          if (state.broken._tag === "Some") return state.broken.value
          if (page.length === verifyPageSize) continue
          const [head, beyond] = yield* transactor.withTransaction(
            Effect.all([store.head, store.read({ fromPosition: state.last.position + 1, limit: 1 })])
          )
          if (beyond.length === 0) return Audit.verifyEnd(state, head)
        }
      })

    return { append, record, read, verify } as const
  })
}) {}
