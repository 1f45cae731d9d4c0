/**
 * What every request goes through: `Idempotency-Key` replay, the body limit, malformed input,
 * bearer tokens (static and HS256 JWT, with expiry on the Clock), and the problem bodies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { Auth } from "../src/index.js"
import { actors, asOf, ids, now, raw, seed, serverLayer, tokenOf } from "./support.js"

const registerBody = (id: string) => ({
  id,
  categoryCode: "bin-missing",
  nodeId: ids.compound1,
  attributes: { stream: "other" }
})

const post = (body: unknown, key?: string, token = tokenOf("inspector")) =>
  raw({
    method: "POST",
    url: "/issues/problems",
    token,
    body,
    headers: key === undefined ? undefined : { "idempotency-key": key }
  })

describe("requests", () => {
  it.effect("Idempotency-Key: same key and body replays the stored answer; another body is a 409", () =>
    Effect.gen(function* () {
      yield* seed
      const first = yield* post(registerBody("p-idem-1"), "key-1")
      expect(first.status).toBe(200)
      const again = yield* post(registerBody("p-idem-1"), "key-1")
      expect(again.status).toBe(200)
      expect(again.text).toBe(first.text)
      expect(again.headers["idempotent-replayed"]).toBe("true")
      const changed = yield* post(registerBody("p-idem-2"), "key-1")
      expect(changed.status).toBe(409)
      expect(changed.json()).toMatchObject({ _tag: "Conflict", entity: "IdempotencyKey", id: "key-1" })
      // Keys are per caller: another token's "key-1" is its own.
      const otherCaller = yield* post(registerBody("p-idem-3"), "key-1", tokenOf("admin"))
      expect(otherCaller.status).toBe(200)
      // A refusal is stored too: the retry gets the same 422, and nothing runs twice.
      const bad = { ...registerBody("p-idem-4"), attributes: { stream: "nuclear" } }
      const refused = yield* post(bad, "key-2")
      expect(refused.status).toBe(422)
      expect((yield* post(bad, "key-2")).text).toBe(refused.text)
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("every sortgrid POST needs an Idempotency-Key (400 naming it)", () =>
    Effect.gen(function* () {
      yield* seed
      const missing = yield* post(registerBody("p-nokey"))
      expect(missing.status).toBe(400)
      expect(missing.json()).toMatchObject({ _tag: "BadRequest", issues: [{ field: "idempotency-key" }] })
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("bodies over the limit are a 413; malformed JSON a 400; an unknown field a 400 naming it", () =>
    Effect.gen(function* () {
      yield* seed
      const large = yield* post({ ...registerBody("p-big"), note: "x".repeat(5000) }, "key-big")
      expect(large.status).toBe(413)
      expect(large.json()).toMatchObject({ _tag: "PayloadTooLarge", limitBytes: 4096 })
      const malformed = yield* raw({
        method: "POST",
        url: "/issues/problems",
        token: tokenOf("inspector"),
        headers: { "idempotency-key": "key-bad-json" },
        text: '{"id": "p-broken",'
      })
      expect(malformed.status).toBe(400)
      expect(malformed.json()).toMatchObject({ _tag: "BadRequest", detail: "the body is not valid JSON" })
      const unknown = yield* post({ ...registerBody("p-x"), colour: "red" }, "key-unknown")
      expect(unknown.status).toBe(400)
      expect(unknown.json()).toMatchObject({ _tag: "BadRequest", issues: [{ path: ["colour"], field: "colour" }] })
      const refused = yield* post({ ...registerBody("p-y"), attributes: { stream: "nuclear" } }, "key-422")
      expect(refused.status).toBe(422)
      expect(refused.json()).toMatchObject({ _tag: "Unprocessable", issues: [{ field: "attributes.stream" }] })
    }).pipe(Effect.provide(serverLayer("memory:", { maxBodyBytes: 4096 })))
  )

  it.effect("a cursor that is not one of the list's is a 400; a page over the maximum size a 400", () =>
    Effect.gen(function* () {
      yield* seed
      const token = tokenOf("admin")
      const cursor = yield* raw({ method: "GET", url: `/grid/subtree?under=/&asOf=${asOf}&cursor=zzz`, token })
      expect(cursor.status).toBe(400)
      const limit = yield* raw({ method: "GET", url: `/grid/subtree?under=/&asOf=${asOf}&limit=201`, token })
      expect(limit.status).toBe(400)
      expect(limit.json()).toMatchObject({
        issues: expect.arrayContaining([
          expect.objectContaining({ field: "limit", reason: "must be a whole number from 1 to 200" })
        ])
      })
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("HS256 JWTs: claims become the actor; expiry is checked on the Clock; a bad signature is a 401", () =>
    Effect.gen(function* () {
      yield* seed
      const secret = "s".repeat(32)
      const claims = {
        sub: actors.inspector.id,
        roles: actors.inspector.roles,
        scope: actors.inspector.scope.join(" "),
        exp: now / 1000 + 3600
      }
      const token = Auth.signJwt(claims, secret)
      const url = `/grid/nodes/${ids.s1}?asOf=${asOf}`
      expect((yield* raw({ method: "GET", url, token })).status).toBe(200)
      expect((yield* raw({ method: "GET", url: `/grid/nodes/${ids.s2}?asOf=${asOf}`, token })).status).toBe(404)
      const forged = Auth.signJwt({ ...claims, scope: "/" }, "f".repeat(32))
      expect((yield* raw({ method: "GET", url, token: forged })).json()).toMatchObject({
        _tag: "Unauthorized",
        detail: "the JWT signature does not verify"
      })
      yield* TestClock.adjust(3600_000 + 31_000)
      expect((yield* raw({ method: "GET", url, token })).json()).toMatchObject({ detail: "the JWT has expired" })
    }).pipe(Effect.provide(serverLayer("memory:", { jwt: { secret: "s".repeat(32) }, tokens: undefined })))
  )

  it("verifyJwt refuses alg none, a missing exp and a malformed token", () => {
    const secret = "k".repeat(32)
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`
    expect(Auth.verifyJwt(none, { secret }, now)).toEqual(Either.left("the JWT must be signed with HS256"))
    expect(Auth.verifyJwt(Auth.signJwt({ sub: "a", roles: [], scope: [] }, secret), { secret }, now)).toEqual(
      Either.left("the JWT has no exp claim")
    )
    expect(Auth.verifyJwt("abc", { secret }, now)).toEqual(Either.left("the bearer token is not a JWT"))
  })
})
