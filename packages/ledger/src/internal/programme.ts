/**
 * What the programme services (earnings, redemptions, households, tasks) share: decoding untrusted
 * input into a typed `Invalid`, audit drafts whose ids derive from what was written (so a retried
 * append finds its entry), and reading a posted chain's result.
 */
import { type Actor, Audit, type AuditLog, Errors, Json } from "@sortgrid/core"
import { Effect, Schema } from "effect"
import type * as Posting from "../Posting.js"

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

/** Decodes untrusted input; a failure names every bad field under `path`. */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  input: unknown,
  path: ReadonlyArray<string | number> = []
): Effect.Effect<A, Errors.Invalid> =>
  Effect.mapError(Schema.decodeUnknown(schema, decodeOptions)(input), (error) =>
    Errors.Invalid.fromParseError(error, path)
  )

/** An audit draft for a programme change: its id is a digest of the action, subject and payload. */
export const auditDraft = (
  actor: Actor.Actor,
  action: string,
  subject: string,
  payload: { readonly [key: string]: Json.Json }
): Audit.AuditDraft =>
  Audit.AuditDraft.make({
    id: Audit.AuditEntryId.make(`ledger.${action}.${Json.digest([action, subject, payload])}`),
    actor: actor.id,
    action,
    subject: subject.slice(0, 256),
    payload
  })

/**
 * A chain's result: `Ok` when every transfer was stored now, `Exists` when every one was stored
 * before (a retry), else the first refusal that is not `LinkedEventFailed` (its cause).
 */
export const chainResult = (outcomes: ReadonlyArray<Posting.TransferOutcome>): Posting.TransferResult => {
  const failed = outcomes.filter((outcome) => outcome.result !== "Ok" && outcome.result !== "Exists")
  if (failed.length > 0) {
    const cause = failed.find((outcome) => outcome.result !== "LinkedEventFailed") ?? failed[0]!
    return cause.result
  }
  return outcomes.length > 0 && outcomes.every((outcome) => outcome.result === "Exists") ? "Exists" : "Ok"
}

/** Whether every outcome of a chain is a success. */
export const chainPosted = (outcomes: ReadonlyArray<Posting.TransferOutcome>): boolean =>
  outcomes.every((outcome) => outcome.result === "Ok" || outcome.result === "Exists")

/**
 * Appends audit drafts. Their ids derive from the change itself, so a `Conflict` here means the
 * store holds something it should not: a storage fault, not the caller's.
 */
export const appendAudit =
  (audit: AuditLog.AuditLog) =>
  (drafts: ReadonlyArray<Audit.AuditDraft>): Effect.Effect<void, Errors.StorageError> =>
    audit.append(drafts).pipe(
      Effect.asVoid,
      Effect.catchTag("Conflict", (error) =>
        Effect.fail(new Errors.StorageError({ operation: "audit", reason: error.message }))
      )
    )
