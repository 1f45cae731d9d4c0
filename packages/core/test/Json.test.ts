import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import * as Json from "../src/Json.js"

/** The same value with every object's keys inserted in reverse order. */
const reverseKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reverseKeys)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(
          Object.keys(value)
            .reverse()
            .map((key) => [key, reverseKeys((value as Record<string, unknown>)[key])])
        )
      : value

describe("Json", () => {
  it("canonical text parses back to the value, and ignores key order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = Json.canonical(value as Json.Json)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
        expect(Json.canonical(reverseKeys(value) as Json.Json)).toBe(text)
      })
    )
    expect(Json.canonical({ b: [1, { d: null, c: "x" }], a: true, "10": 0, "9": 1 })).toBe(
      '{"10":0,"9":1,"a":true,"b":[1,{"c":"x","d":null}]}'
    )
  })

  it("equal values digest equally whatever their key order", () => {
    expect(Json.digest({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(Json.digest({ b: { d: "x", c: [1, 2] }, a: 1 }))
    expect(Json.digest({ a: 1 })).not.toBe(Json.digest({ a: 2 }))
    expect(Json.digest("通州")).toMatch(/^[0-9a-f]{64}$/)
  })
})
