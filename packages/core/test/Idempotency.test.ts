import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import * as Idempotency from "../src/Idempotency.js"

describe("Idempotency", () => {
  it("is Fresh when nothing is stored, Replay for the same digest, Conflict for another", () => {
    expect(Idempotency.decide(Option.none(), "d1")._tag).toBe("Fresh")
    const stored = Option.some({ digest: "d1", result: { position: 7 } })
    expect(Idempotency.decide(stored, "d1")).toEqual(Idempotency.Decision.Replay({ result: { position: 7 } }))
    expect(Idempotency.decide(stored, "d2")).toEqual(
      Idempotency.Decision.Conflict({ storedDigest: "d1", requestDigest: "d2" })
    )
  })
})
