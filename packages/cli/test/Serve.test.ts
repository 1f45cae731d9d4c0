import { writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect, Fiber, Schedule } from "effect"
import { sortgrid } from "./harness.js"

/** A port nobody listens on right now. */
const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

describe("sortgrid serve", () => {
  it.scopedLive("serves the HTTP API over the store with the tokens given, until interrupted", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      const store = `sqlite:${join(dir, "served.db")}`
      const tokens = join(dir, "tokens.json")
      writeFileSync(
        tokens,
        JSON.stringify({ "auditor-token-1": { id: "auditor-1", roles: ["auditor"], scope: ["/"] } })
      )
      const port = yield* freePort
      const serving = yield* Effect.fork(
        sortgrid("serve", "--store", store, "--tokens", tokens, "--port", String(port))
      )
      const get = (path: string, token?: string) =>
        Effect.tryPromise(() =>
          fetch(`http://127.0.0.1:${port}${path}`, {
            headers: token === undefined ? {} : { authorization: `Bearer ${token}` }
          })
        )
      const spec = yield* get("/openapi.json").pipe(
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("20 seconds")))
      )
      expect(spec.status).toBe(200)
      expect(yield* Effect.promise(() => spec.json())).toMatchObject({ openapi: expect.stringMatching(/^3\./) })
      const anonymous = yield* get("/audit/verification")
      expect(anonymous.status).toBe(401)
      const auditor = yield* get("/audit/verification", "auditor-token-1")
      expect(auditor.status).toBe(200)
      expect(yield* Effect.promise(() => auditor.json())).toMatchObject({ _tag: "Intact" })
      yield* Fiber.interrupt(serving)
    })
  )

  it.live("says how to authenticate when neither --tokens nor --jwt-secret is given", () =>
    Effect.gen(function* () {
      const ran = yield* sortgrid("serve", "--store", "memory:")
      expect(ran.exitCode).toBe(2)
      expect(ran.stderr).toBe(
        "Usage: say how callers authenticate: --tokens tokens.json or --jwt-secret (or SORTGRID_JWT_SECRET)"
      )
    })
  )
})
