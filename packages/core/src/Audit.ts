/**
 * The audit chain: the model of audit entries and the pure rules that link and verify them.
 *
 * Every state change in sortgrid appends an entry — who (`actor`), what (`action`), to what
 * (`subject`), when (`at`), and a `payload` of ids and facts — at the next `position`. Each entry's
 * `hash` is the SHA-256 of its own fields and the previous entry's hash, so editing, deleting,
 * inserting or reordering any entry breaks every hash after it. The store also keeps a *head* (the
 * last position and hash), updated in the same transaction as every append, which exposes a
 * truncated tail; an *anchor* — a head recorded elsewhere earlier — exposes a truncation that also
 * rewrote the head.
 *
 * Guarantees:
 * - positions are 1, 2, 3, … with no gaps, in append order;
 * - `entry.previousHash` is the hash of the entry before it (64 zeros for the first);
 * - an entry id is appended once: a retry with the same content returns the stored entry, the same
 *   id with different content is a `Conflict`.
 *
 * @since 0.1.0
 */
import { Data, Either, Option, Schema } from "effect"
import { ActorId } from "./Actor.js"
import { Conflict } from "./Errors.js"
import * as Id from "./Id.js"
import * as Idempotency from "./Idempotency.js"
import { digest, sha256Hex } from "./internal/canonical.js"
import { Json } from "./Json.js"
import * as Trusted from "./Trusted.js"

/**
 * The id of an audit entry, chosen by the caller: it is the entry's idempotency key.
 *
 * @since 0.1.0
 * @category ids
 */
export const AuditEntryId = Id.brand("AuditEntryId")

/**
 * @since 0.1.0
 * @category ids
 */
export type AuditEntryId = typeof AuditEntryId.Type

/**
 * A SHA-256 digest as 64 lower-case hex characters.
 *
 * @since 0.1.0
 * @category models
 */
export const Sha256 = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "must be 64 lower-case hex characters" }),
  Schema.brand("Sha256")
)

/**
 * @since 0.1.0
 * @category models
 */
export type Sha256 = typeof Sha256.Type

/**
 * The hash before the first entry: 64 zeros.
 *
 * @since 0.1.0
 * @category models
 */
export const genesisHash: Sha256 = Sha256.make("0".repeat(64))

/** A digest we computed ourselves is well-formed by construction: brand it without re-checking. */
const computed = (hex: string): Sha256 => Sha256.make(hex, { disableValidation: true })

/**
 * An action name: dotted lower-camel words, the first naming the entity (`issue.rectified`,
 * `transfer.posted`).
 *
 * @since 0.1.0
 * @category models
 */
export const Action = Schema.String.pipe(
  Schema.pattern(/^[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)+$/, {
    message: () => "must be dotted words such as issue.rectified"
  })
)

/**
 * What a caller asks to append. The time and position are assigned at append.
 *
 * @since 0.1.0
 * @category models
 */
export class AuditDraft extends Schema.Class<AuditDraft>("@sortgrid/core/AuditDraft")({
  id: AuditEntryId,
  actor: ActorId,
  action: Action,
  subject: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(256)),
  payload: Json
}) {}

/**
 * The fields of an {@link AuditDraft}, in an instance or not: what appending reads. A service that
 * builds its drafts from values it decoded itself passes them as they are, unchecked.
 *
 * @since 0.1.0
 * @category models
 */
export type DraftFields = Schema.Struct.Type<typeof AuditDraft.fields>

/**
 * An entry of the chain, as stored.
 *
 * @since 0.1.0
 * @category models
 */
export class AuditEntry extends Schema.Class<AuditEntry>("@sortgrid/core/AuditEntry")({
  position: Schema.Int.pipe(Schema.positive()),
  id: AuditEntryId,
  at: Schema.Int,
  actor: ActorId,
  action: Action,
  subject: Schema.String,
  payload: Json,
  payloadDigest: Sha256,
  previousHash: Sha256,
  hash: Sha256
}) {}

/**
 * The last position and its hash (position 0 and {@link genesisHash} for an empty chain).
 *
 * @since 0.1.0
 * @category models
 */
export class AuditHead extends Schema.Class<AuditHead>("@sortgrid/core/AuditHead")({
  position: Schema.Int.pipe(Schema.nonNegative()),
  hash: Sha256
}) {}

/**
 * The head of an empty chain.
 *
 * @since 0.1.0
 * @category models
 */
export const emptyHead: AuditHead = new AuditHead({ position: 0, hash: genesisHash })

// --- hashing --------------------------------------------------------------------------------------

/**
 * The digest of a draft's content — what a retry must repeat exactly. The time is not part of it:
 * a retry comes later.
 *
 * @since 0.1.0
 * @category hashing
 */
export const contentDigest = (entry: {
  readonly actor: string
  readonly action: string
  readonly subject: string
  readonly payload: Json
}): string => digest([entry.actor, entry.action, entry.subject, entry.payload])

/**
 * The hash of an entry from its fields and the previous hash.
 *
 * @since 0.1.0
 * @category hashing
 */
export const entryHash = (entry: Omit<AuditEntry, "hash">): Sha256 =>
  computed(
    // An array of strings and integers: JSON.stringify is already canonical for it.
    sha256Hex(
      JSON.stringify([
        entry.previousHash,
        entry.position,
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.subject,
        entry.payloadDigest
      ])
    )
  )

// --- appending ------------------------------------------------------------------------------------

/**
 * What the store shows the append rule: the current head and the stored entries whose ids the batch
 * uses.
 *
 * @since 0.1.0
 * @category appending
 */
export interface AppendState {
  readonly head: AuditHead
  readonly existing: ReadonlyArray<AuditEntry>
}

/**
 * What the store must write: the new entries, in position order (possibly none, when the whole
 * batch is a retry), and the entry each draft maps to, in draft order.
 *
 * @since 0.1.0
 * @category appending
 */
export interface AppendPlan {
  readonly append: ReadonlyArray<AuditEntry>
  readonly entries: ReadonlyArray<AuditEntry>
}

/**
 * The append rule. Drafts whose id is stored (or repeated earlier in the batch) with the same
 * content map to that entry; with different content the whole batch is a `Conflict` and nothing is
 * written. The rest are chained after the head, at time `at`, in draft order.
 *
 * @since 0.1.0
 * @category appending
 */
export const planAppend = (
  state: AppendState,
  drafts: ReadonlyArray<DraftFields>,
  at: number
): Either.Either<AppendPlan, Conflict> => {
  const known = new Map<string, AuditEntry>(state.existing.map((entry) => [entry.id, entry]))
  const append: Array<AuditEntry> = []
  const entries: Array<AuditEntry> = []
  let position = state.head.position
  let previousHash = state.head.hash
  for (const draft of drafts) {
    const stored = known.get(draft.id)
    if (stored !== undefined) {
      // Digests are computed only for ids seen before: a fresh id needs none.
      const decision = Idempotency.decide(
        Option.some({ digest: contentDigest(stored), result: stored }),
        contentDigest(draft)
      )
      if (decision._tag === "Conflict") {
        return Either.left(
          new Conflict({ entity: "AuditEntry", id: draft.id, reason: "the id was already used with different content" })
        )
      }
      entries.push(stored)
      continue
    }
    position += 1
    const fields = {
      position,
      id: draft.id,
      at,
      actor: draft.actor,
      action: draft.action,
      subject: draft.subject,
      payload: draft.payload,
      payloadDigest: computed(digest(draft.payload)),
      previousHash,
      hash: genesisHash
    }
    fields.hash = entryHash(fields)
    // Every field is set and valid by construction (see `Trusted.make`): no constructor to run per entry.
    const entry = Trusted.make(AuditEntry, fields)
    previousHash = entry.hash
    known.set(entry.id, entry)
    append.push(entry)
    entries.push(entry)
  }
  return Either.right({ append, entries })
}

// --- verifying ------------------------------------------------------------------------------------

/**
 * Why verification stopped, at the first broken position:
 * - `PositionMissing`: the position expected next is absent (an entry was deleted);
 * - `PositionUnexpected`: a position repeats or goes backwards (an entry was inserted or moved);
 * - `PayloadAltered`: the payload does not match its digest;
 * - `EntryAltered`: the entry's fields do not match its hash;
 * - `ChainBroken`: the entry does not follow the hash before it (deleted, inserted or reordered and
 *   renumbered);
 * - `Truncated`: the head or the anchor names positions that are gone;
 * - `HeadMismatch`: the head or the anchor disagrees with the entry at its position.
 *
 * @since 0.1.0
 * @category verifying
 */
export type BreakReason =
  | "PositionMissing"
  | "PositionUnexpected"
  | "PayloadAltered"
  | "EntryAltered"
  | "ChainBroken"
  | "Truncated"
  | "HeadMismatch"

/**
 * The outcome of a verification.
 *
 * @since 0.1.0
 * @category verifying
 */
export type Verification = Data.TaggedEnum<{
  Intact: { readonly entries: number; readonly head: AuditHead }
  Broken: { readonly position: number; readonly reason: BreakReason; readonly detail: string }
}>

/**
 * Constructors and matchers for {@link Verification}.
 *
 * @since 0.1.0
 * @category verifying
 */
export const Verification = Data.taggedEnum<Verification>()

/**
 * A verification in progress: fold entries in position order with {@link verifyStep}, then close
 * with {@link verifyEnd}. Lets a service verify a long chain page by page in constant memory.
 *
 * @since 0.1.0
 * @category verifying
 */
export interface VerifyState {
  readonly last: AuditHead
  readonly broken: Option.Option<Extract<Verification, { _tag: "Broken" }>>
  /** Hashes at the positions the caller wants checked against an anchor. */
  readonly watch: ReadonlyMap<number, Sha256>
}

/**
 * Starts a verification; `anchors` are heads recorded earlier whose positions will be checked.
 *
 * @since 0.1.0
 * @category verifying
 */
export const verifyStart = (anchors: ReadonlyArray<AuditHead> = []): VerifyState => ({
  last: emptyHead,
  broken: Option.none(),
  watch: new Map(anchors.map((anchor) => [anchor.position, anchor.hash]))
})

/**
 * Checks the next entry. Once broken, the state stays at the first break.
 *
 * @since 0.1.0
 * @category verifying
 */
export const verifyStep = (state: VerifyState, entry: AuditEntry): VerifyState => {
  if (Option.isSome(state.broken)) return state
  const expected = state.last.position + 1
  const brokenAt = (position: number, reason: BreakReason, detail: string): VerifyState => ({
    ...state,
    broken: Option.some(Verification.Broken({ position, reason, detail }))
  })
  if (entry.position > expected) {
    return brokenAt(expected, "PositionMissing", `expected position ${expected}, found ${entry.position}`)
  }
  if (entry.position < expected) {
    return brokenAt(entry.position, "PositionUnexpected", `position ${entry.position} follows ${state.last.position}`)
  }
  if (digest(entry.payload) !== entry.payloadDigest) {
    return brokenAt(entry.position, "PayloadAltered", "the payload does not match its digest")
  }
  if (entryHash(entry) !== entry.hash) {
    return brokenAt(entry.position, "EntryAltered", "the entry's fields do not match its hash")
  }
  if (entry.previousHash !== state.last.hash) {
    return brokenAt(entry.position, "ChainBroken", `previous hash does not match the hash at ${state.last.position}`)
  }
  const anchored = state.watch.get(entry.position)
  if (anchored !== undefined && anchored !== entry.hash) {
    return brokenAt(entry.position, "HeadMismatch", "the anchor's hash differs from the entry at its position")
  }
  return { ...state, last: new AuditHead({ position: entry.position, hash: entry.hash }, { disableValidation: true }) }
}

/**
 * Closes a verification against the stored head and any anchors: positions they name must have
 * been seen, with the hashes they name.
 *
 * @since 0.1.0
 * @category verifying
 */
export const verifyEnd = (state: VerifyState, head: AuditHead): Verification => {
  if (Option.isSome(state.broken)) return state.broken.value
  const furthest = Math.max(head.position, ...state.watch.keys())
  if (furthest > state.last.position) {
    return Verification.Broken({
      position: state.last.position + 1,
      reason: "Truncated",
      detail: `entries after position ${state.last.position} are missing (expected up to ${furthest})`
    })
  }
  if (head.position !== state.last.position || head.hash !== state.last.hash) {
    return Verification.Broken({
      position: head.position,
      reason: "HeadMismatch",
      detail: `the stored head (${head.position}) does not match the last entry (${state.last.position})`
    })
  }
  return Verification.Intact({ entries: state.last.position, head })
}

/**
 * Verifies a whole chain held in memory.
 *
 * @since 0.1.0
 * @category verifying
 */
export const verify = (
  entries: Iterable<AuditEntry>,
  head: AuditHead,
  anchors: ReadonlyArray<AuditHead> = []
): Verification => {
  let state = verifyStart(anchors)
  for (const entry of entries) state = verifyStep(state, entry)
  return verifyEnd(state, head)
}
