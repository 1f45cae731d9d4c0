/**
 * The errors the HTTP API answers with: one JSON problem body per status, each with a `_tag`, a
 * `detail` a person can act on, and (for bad input) every `issue` with the field it concerns, as a
 * path (`["items", 2, "result"]`) and as text (`items[2].result`), and the reason.
 *
 * | status | `_tag`            | when |
 * |--------|-------------------|------|
 * | 400    | `BadRequest`      | the request could not be decoded: a missing or malformed parameter, header or body, a field the endpoint does not accept |
 * | 401    | `Unauthorized`    | no bearer token, or one that is unknown, expired or badly signed |
 * | 403    | `Forbidden`       | none of the actor's roles grants the endpoint's permission (the same answer for every object) |
 * | 404    | `NotFound`        | the object does not exist — or lies outside the actor's scope: the two are answered alike |
 * | 409    | `Conflict`        | a stale version, an id or `Idempotency-Key` reused with other content |
 * | 413    | `PayloadTooLarge` | the body is over the server's limit |
 * | 422    | `Unprocessable`   | the body was decoded but the SDK refused it (`Errors.Invalid`), naming each field |
 * | 503    | `Unavailable`     | the store could not be reached or failed; retrying later may help |
 *
 * @since 0.1.0
 */
import { HttpApiSchema } from "@effect/platform"
import type { Errors } from "@sortgrid/core"
import { Schema } from "effect"

/**
 * One problem with an input: the field as a path and as text, and why.
 *
 * @since 0.1.0
 * @category models
 */
export class FieldIssue extends Schema.Class<FieldIssue>("@sortgrid/http/FieldIssue")({
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  field: Schema.String,
  reason: Schema.String
}) {}

/**
 * A path as people write it: `items[2].result`; `(input)` for the whole input.
 *
 * @since 0.1.0
 * @category models
 */
export const fieldOf = (path: ReadonlyArray<string | number>): string =>
  path.length === 0
    ? "(input)"
    : path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("")

/**
 * An issue from a path and a reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const issue = (path: ReadonlyArray<string | number>, reason: string): FieldIssue =>
  new FieldIssue({ path, field: fieldOf(path), reason })

/**
 * 400: the request could not be decoded.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()(
  "BadRequest",
  { detail: Schema.String, issues: Schema.Array(FieldIssue) },
  HttpApiSchema.annotations({ status: 400, description: "The request could not be decoded" })
) {}

/**
 * 401: no usable bearer token.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { detail: Schema.String },
  HttpApiSchema.annotations({ status: 401, description: "No bearer token, or an unknown, expired or bad one" })
) {}

/**
 * 403: none of the actor's roles grants the permission. Never used for an object outside the
 * actor's scope (that is a 404).
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { detail: Schema.String, permission: Schema.String },
  HttpApiSchema.annotations({ status: 403, description: "None of the actor's roles grants the permission" })
) {}

/**
 * 404: no such object visible to the actor.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { detail: Schema.String, entity: Schema.String, id: Schema.String },
  HttpApiSchema.annotations({
    status: 404,
    description: "No such object, or one outside the actor's scope (answered alike)"
  })
) {}

/**
 * 409: the request collides with what is stored.
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  { detail: Schema.String, entity: Schema.String, id: Schema.String, reason: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "A stale version, or an id or key reused with other content" })
) {}

/**
 * 413: the body is over the limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { detail: Schema.String, limitBytes: Schema.Number },
  HttpApiSchema.annotations({ status: 413, description: "The body is over the server's limit" })
) {}

/**
 * 422: the SDK refused the input; every issue names its field.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unprocessable extends Schema.TaggedError<Unprocessable>()(
  "Unprocessable",
  { detail: Schema.String, issues: Schema.NonEmptyArray(FieldIssue) },
  HttpApiSchema.annotations({ status: 422, description: "The input was refused; each issue names its field" })
) {}

/**
 * 503: the store is unavailable or failed; the transaction was rolled back.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unavailable extends Schema.TaggedError<Unavailable>()(
  "Unavailable",
  { detail: Schema.String },
  HttpApiSchema.annotations({ status: 503, description: "The store is unavailable; retry later" })
) {}

/**
 * Every error the API answers with.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | PayloadTooLarge
  | Unprocessable
  | Unavailable

/**
 * The SDK's errors.
 *
 * @since 0.1.0
 * @category models
 */
export type DomainError =
  | Errors.Invalid
  | Errors.Forbidden
  | Errors.NotFound
  | Errors.Conflict
  | Errors.StorageError
  | Errors.StoreUnavailable

/**
 * The object a request names, so that a refusal for lying outside the actor's scope can be answered
 * exactly as a missing object is.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subject {
  readonly entity: string
  readonly id: string
}

/**
 * The 404 for a subject: the same body whether it is missing or out of scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notFound = (subject: Subject): NotFound =>
  new NotFound({ detail: `${subject.entity} ${subject.id} was not found`, entity: subject.entity, id: subject.id })

/**
 * An SDK error as an HTTP error.
 *
 * A `Forbidden` reaching this point is a scope refusal: the handlers check first, with the same
 * policy, that one of the actor's roles grants the permission somewhere (a 403 otherwise). So when
 * the request names a subject, the refusal becomes that subject's 404 — the body a missing object
 * gets — and an outsider learns nothing about what exists beyond their scope. Requests that name no
 * subject keep the 403.
 *
 * Storage failures are logged and answered without their detail, which may name tables or hosts.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fromDomain = (error: DomainError, subject?: Subject): ApiError => {
  switch (error._tag) {
    case "Invalid":
      return new Unprocessable({
        detail: error.message,
        issues: [
          issue(error.issues[0].path, error.issues[0].reason),
          ...error.issues.slice(1).map((i) => issue(i.path, i.reason))
        ]
      })
    case "NotFound":
      return notFound(subject ?? { entity: error.entity, id: error.id })
    case "Forbidden":
      return subject === undefined
        ? new Forbidden({ detail: error.reason, permission: error.permission })
        : notFound(subject)
    case "Conflict":
      return new Conflict({ detail: error.message, entity: error.entity, id: error.id, reason: error.reason })
    case "StorageError":
    case "StoreUnavailable":
      return new Unavailable({ detail: "the store is unavailable or failed; nothing was written, retry later" })
  }
}
