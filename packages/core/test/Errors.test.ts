import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { Invalid } from "../src/Errors.js"

describe("Invalid", () => {
  it("names every failing field by path", () => {
    const Input = Schema.Struct({ name: Schema.String, items: Schema.Array(Schema.Struct({ amount: Schema.Int })) })
    const result = Schema.decodeUnknownEither(Input, { errors: "all" })({
      name: 1,
      items: [{ amount: 1 }, { amount: 1.5 }]
    })
    if (Either.isRight(result)) throw new Error("expected a parse error")
    const invalid = Invalid.fromParseError(result.left, ["body"])
    expect(invalid.issues.map((issue) => issue.path)).toEqual([
      ["body", "name"],
      ["body", "items", 1, "amount"]
    ])
    expect(invalid.message).toMatch(
      /^body\.name: Expected string, actual 1; body\.items\[1\]\.amount: Expected an integer/
    )
  })
})
