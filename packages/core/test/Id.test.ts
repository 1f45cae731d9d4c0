import { describe, expect, it } from "@effect/vitest"
import { Effect, Random, Schema, TestClock } from "effect"
import * as Id from "../src/Id.js"

const WidgetId = Id.brand("WidgetId")

describe("Id", () => {
  it.effect("mints ULID-shaped ids that sort by time", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2023, 0, 1))
      const first = yield* Id.make(WidgetId)
      yield* TestClock.adjust("1 millis")
      const second = yield* Id.make(WidgetId)
      expect(first).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
      expect(first < second).toBe(true)
      expect(Schema.is(WidgetId)(first)).toBe(true)
    })
  )

  it.effect("is deterministic under a seeded Random and the TestClock", () =>
    Effect.gen(function* () {
      const mint = () => Effect.withRandom(Id.ulid, Random.make("seed"))
      const first = yield* mint()
      expect(yield* mint()).toBe(first)
      expect(yield* Effect.withRandom(Id.ulid, Random.make("other seed"))).not.toBe(first)
    })
  )

  it("accepts client-chosen ids and rejects malformed ones with a reason", () => {
    expect(Schema.is(WidgetId)("110112001001")).toBe(true)
    expect(Schema.is(WidgetId)("3f2b8c1e-5d4a-4b6e-9c1d-2e3f4a5b6c7d")).toBe(true)
    expect(() => Schema.decodeUnknownSync(WidgetId)("-bad id")).toThrow(/letters, digits/)
    expect(Schema.is(WidgetId)("x".repeat(129))).toBe(false)
  })
})
