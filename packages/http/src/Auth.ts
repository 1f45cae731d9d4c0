/**
 * Who is calling: a bearer token mapped to an `Actor` by a {@link TokenVerifier} the host supplies.
 * Two come with the package: a static table of tokens (for the sample server and tests), and HS256
 * JSON Web Tokens signed with a configured secret. The actor is then passed to the SDK's services,
 * whose own permission checks decide what it may do; the HTTP layer adds no rules of its own.
 *
 * JWT claims: `sub` is the actor id; `roles` a list of role names; `scope` the node paths the roles
 * apply in, as a list or one space-separated string (`"/110112/110112001/"`); `exp` (seconds since
 * the epoch) is required and checked against Effect's `Clock`; `nbf`, `iss` and `aud` are checked
 * when present (and `iss`/`aud` when configured). Only `alg: HS256` is accepted.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { Actor, Errors } from "@sortgrid/core"
import { Clock, Context, Effect, Either, Layer, Predicate, Redacted, Schema } from "effect"
import { Unauthorized } from "./ApiError.js"

/**
 * The actor of the current request, provided by {@link Authentication}.
 *
 * @since 0.1.0
 * @category services
 */
export class CurrentActor extends Context.Tag("@sortgrid/http/CurrentActor")<CurrentActor, Actor.Actor>() {}

/**
 * Turns a bearer token into an actor, or refuses it.
 *
 * @since 0.1.0
 * @category services
 */
export class TokenVerifier extends Context.Tag("@sortgrid/http/TokenVerifier")<
  TokenVerifier,
  { readonly verify: (token: string) => Effect.Effect<Actor.Actor, Unauthorized> }
>() {}

/**
 * The middleware every protected endpoint runs first: reads the `Authorization: Bearer` header and
 * provides {@link CurrentActor}, or answers 401.
 *
 * @since 0.1.0
 * @category middleware
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@sortgrid/http/Authentication", {
  failure: Unauthorized,
  provides: CurrentActor,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

/**
 * {@link Authentication} over the {@link TokenVerifier} in the context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAuthentication: Layer.Layer<Authentication, never, TokenVerifier> = Layer.effect(
  Authentication,
  Effect.map(TokenVerifier, (verifier) => ({
    bearer: (token: Redacted.Redacted) => verifier.verify(Redacted.value(token))
  }))
)

const unauthorized = (detail: string) => new Unauthorized({ detail })

const digest = (token: string) => createHash("sha256").update(token).digest("hex")

const decodeActor = Schema.decodeUnknownEither(Actor.Actor, { errors: "all", onExcessProperty: "error" })

/**
 * Tokens and the actors they stand for, as plain data: `{ "token-abc": { id, roles, scope } }`.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenTable = Readonly<Record<string, typeof Actor.Actor.Encoded>>

/**
 * A verifier over a fixed table of tokens. Every actor is decoded when the layer is built (a bad
 * entry is `Invalid`, naming the token's position, never the token); tokens are looked up by their
 * SHA-256 digest, so the table is not searched by comparing secrets.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStaticTokens = (table: TokenTable): Layer.Layer<TokenVerifier, Errors.Invalid> =>
  Layer.effect(
    TokenVerifier,
    Effect.gen(function* () {
      const actors = new Map<string, Actor.Actor>()
      for (const [index, [token, input]] of Object.entries(table).entries()) {
        if (token.length < 8)
          return yield* Errors.Invalid.one(["tokens", index], "a token must be at least 8 characters")
        const actor = decodeActor(input)
        if (Either.isLeft(actor)) return yield* Errors.Invalid.fromParseError(actor.left, ["tokens", index])
        actors.set(digest(token), actor.right)
      }
      return {
        verify: (token: string) => {
          const actor = token === "" ? undefined : actors.get(digest(token))
          return actor === undefined
            ? Effect.fail(unauthorized(token === "" ? "a bearer token is required" : "the bearer token is not known"))
            : Effect.succeed(actor)
        }
      }
    })
  )

// --- JSON Web Tokens ------------------------------------------------------------------------------

/**
 * What an HS256 verifier checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface JwtOptions {
  /** The shared secret, at least 32 bytes. */
  readonly secret: Redacted.Redacted<string> | string
  /** When set, the `iss` claim must equal it. */
  readonly issuer?: string | undefined
  /** When set, the `aud` claim must equal it (or list it). */
  readonly audience?: string | undefined
  /** Seconds of clock skew tolerated on `exp` and `nbf`; default 30. */
  readonly leewaySeconds?: number | undefined
}

const base64url = (input: Buffer | string) => Buffer.from(input).toString("base64url")

const secretOf = (secret: Redacted.Redacted<string> | string) =>
  Redacted.isRedacted(secret) ? Redacted.value(secret) : secret

const sign = (input: string, secret: string) => createHmac("sha256", secret).update(input).digest()

/**
 * Signs claims as an HS256 token: for tests, examples and hosts that mint their own.
 *
 * @since 0.1.0
 * @category jwt
 */
export const signJwt = (
  claims: Readonly<Record<string, unknown>>,
  secret: Redacted.Redacted<string> | string
): string => {
  const head = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`
  return `${head}.${base64url(sign(head, secretOf(secret)))}`
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

/**
 * Verifies an HS256 token at an instant and reads its actor: the reason it is refused otherwise.
 *
 * @since 0.1.0
 * @category jwt
 */
export const verifyJwt = (
  token: string,
  options: JwtOptions,
  nowMillis: number
): Either.Either<Actor.Actor, string> => {
  const [head, body, signature, ...rest] = token.split(".")
  if (head === undefined || body === undefined || signature === undefined || rest.length > 0) {
    return Either.left("the bearer token is not a JWT")
  }
  const header = parseJson(head)
  if (!Predicate.isRecord(header) || header.alg !== "HS256") return Either.left("the JWT must be signed with HS256")
  const expected = sign(`${head}.${body}`, secretOf(options.secret))
  const given = Buffer.from(signature, "base64url")
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return Either.left("the JWT signature does not verify")
  }
  const claims = parseJson(body)
  if (!Predicate.isRecord(claims)) return Either.left("the JWT claims are not an object")
  const now = nowMillis / 1000
  const leeway = options.leewaySeconds ?? 30
  if (typeof claims.exp !== "number") return Either.left("the JWT has no exp claim")
  if (now >= claims.exp + leeway) return Either.left("the JWT has expired")
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || now < claims.nbf - leeway)) {
    return Either.left("the JWT is not valid yet")
  }
  if (options.issuer !== undefined && claims.iss !== options.issuer)
    return Either.left("the JWT issuer is not accepted")
  if (options.audience !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!audiences.includes(options.audience)) return Either.left("the JWT audience is not accepted")
  }
  const scope = typeof claims.scope === "string" ? claims.scope.split(" ").filter((path) => path !== "") : claims.scope
  return Either.mapLeft(
    decodeActor({ id: claims.sub, roles: claims.roles ?? [], scope: scope ?? [] }),
    () => "the JWT claims do not describe an actor (sub, roles, scope)"
  )
}

/**
 * A verifier of HS256 tokens signed with the configured secret; expiry is checked against `Clock`.
 * Refusals say why without echoing the token.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerJwt = (options: JwtOptions): Layer.Layer<TokenVerifier, Errors.Invalid> =>
  Layer.effect(
    TokenVerifier,
    Effect.gen(function* () {
      if (Buffer.byteLength(secretOf(options.secret)) < 32) {
        return yield* Errors.Invalid.one("jwtSecret", "must be at least 32 bytes")
      }
      return {
        verify: (token: string) =>
          token === ""
            ? Effect.fail(unauthorized("a bearer token is required"))
            : Effect.flatMap(Clock.currentTimeMillis, (now) =>
                Either.mapLeft(verifyJwt(token, options, now), unauthorized)
              )
      }
    })
  )
