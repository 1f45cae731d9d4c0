/**
 * What runs around every request before the API sees it: the body size limit, the check that a JSON
 * body parses (the platform would answer a malformed one with a 500), and `Idempotency-Key` replay.
 */
import { createHash } from "node:crypto"
import { type HttpApp, HttpIncomingMessage, HttpMethod, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import { Cause, Effect, Exit, Option, Schema } from "effect"
import * as ApiError from "../ApiError.js"
import { HttpConfig } from "../HttpConfig.js"
import { IdempotencyKey, IdempotencyStore, type StoredResponse } from "../IdempotencyStore.js"

const encodeError = Schema.encodeSync(Schema.Union(ApiError.BadRequest, ApiError.Conflict, ApiError.PayloadTooLarge))

const problem = (error: ApiError.BadRequest | ApiError.Conflict | ApiError.PayloadTooLarge, status: number) =>
  HttpServerResponse.unsafeJson(encodeError(error), { status })

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const isKey = Schema.is(IdempotencyKey)

/** Replays or records the response of a POST that carries an `Idempotency-Key`. */
const idempotent = <E, R>(app: HttpApp.Default<E, R>, request: HttpServerRequest.HttpServerRequest, body: string) =>
  Effect.gen(function* () {
    const given = request.headers["idempotency-key"]
    // A malformed key is the endpoint's to refuse (its header schema names the reason).
    if (given === undefined || !isKey(given)) return yield* app
    const store = yield* IdempotencyStore
    // Keys are the caller's own: two tokens never share one.
    const key = `${sha256(request.headers.authorization ?? "")}:${given}`
    const digest = sha256(`${request.method} ${request.url}\n${request.headers["content-type"] ?? ""}\n${body}`)
    const begun = yield* store.begin(key, digest)
    const conflict = (reason: string) =>
      problem(
        new ApiError.Conflict({
          detail: `Idempotency-Key ${given}: ${reason}`,
          entity: "IdempotencyKey",
          id: given,
          reason
        }),
        409
      )
    switch (begun._tag) {
      case "Replay":
        return HttpServerResponse.uint8Array(begun.response.body, {
          status: begun.response.status,
          contentType: begun.response.contentType,
          headers: { "idempotent-replayed": "true" }
        })
      case "Mismatch":
        return conflict("was used with another request body")
      case "InFlight":
        return conflict("a request with this key has not finished yet")
      case "Started": {
        const exit = yield* Effect.exit(app)
        // A response worth replaying: the request was carried out, or refused for good. A 5xx or
        // a 401 may go otherwise next time, so the key is freed for the retry.
        const stored: Option.Option<StoredResponse> =
          Exit.isSuccess(exit) &&
          exit.value.status < 500 &&
          exit.value.status !== 401 &&
          exit.value.body._tag === "Uint8Array"
            ? Option.some({
                status: exit.value.status,
                contentType: exit.value.body.contentType,
                body: exit.value.body.body
              })
            : Option.none()
        yield* Option.match(stored, {
          onNone: () => store.abandon(key),
          onSome: (response) => store.complete(key, digest, response)
        })
        return yield* exit
      }
    }
  })

/**
 * The request middleware: limits, JSON syntax, idempotency.
 */
export const middleware = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!HttpMethod.hasBody(request.method)) return yield* app
    const { maxBodyBytes } = yield* HttpConfig
    const tooLarge = problem(
      new ApiError.PayloadTooLarge({ detail: `the body is over ${maxBodyBytes} bytes`, limitBytes: maxBodyBytes }),
      413
    )
    const length = Number(request.headers["content-length"] ?? "0")
    if (length > maxBodyBytes) return tooLarge
    // The platform caches the body it reads here, so the API reads the same text again for free.
    const body = yield* Effect.either(HttpIncomingMessage.withMaxBodySize(request.text, Option.some(maxBodyBytes)))
    if (body._tag === "Left") return tooLarge
    const contentType = (request.headers["content-type"] ?? "application/json").toLowerCase()
    if (contentType.includes("json") && body.right.trim() !== "") {
      try {
        JSON.parse(body.right)
      } catch {
        return problem(
          new ApiError.BadRequest({
            detail: "the body is not valid JSON",
            issues: [ApiError.issue([], "is not valid JSON")]
          }),
          400
        )
      }
    }
    return request.method === "POST" ? yield* idempotent(app, request, body.right) : yield* app
  })

/**
 * Turns the platform's decode error into the API's `BadRequest`, naming each field.
 */
export const decodeErrors = (app: HttpApp.Default): HttpApp.Default<ApiError.BadRequest> =>
  Effect.catchAllCause(app, (cause) => {
    const error = Cause.squash(cause)
    return error instanceof HttpApiDecodeError
      ? Effect.fail(
          new ApiError.BadRequest({
            detail: error.message,
            issues: error.issues.map((i) =>
              ApiError.issue(
                i.path.map((part) => (typeof part === "number" ? part : String(part))),
                i.message
              )
            )
          })
        )
      : Effect.failCause(cause)
  })
