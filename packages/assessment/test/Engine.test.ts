import { describe, expect, it } from "@effect/vitest"
import * as Engine from "../src/Engine.js"
import * as Example from "../src/WorkedExample.js"

const options = {
  period: Example.period,
  units: Example.units,
  previous: Example.previous,
  allocation: Example.allocation
}

describe("Engine.score", () => {
  it("scores plain JSON (objects or text) and splits the fund", () => {
    const outcome = Engine.score(JSON.stringify(Example.scheme), JSON.stringify(Example.values), options)
    if (!outcome.ok) expect.fail(JSON.stringify(outcome.errors))
    expect(outcome.result.units.map((unit) => [unit.unit, unit.total, unit.rank])).toStrictEqual(
      Example.expected.map((unit) => [unit.unit, unit.total, unit.rank])
    )
    expect(outcome.allocation?.parts.map((part) => [part.unit, part.fen])).toStrictEqual([
      ["sub-a", 4_532_578],
      ["sub-b", 0],
      ["sub-c", 3_342_776],
      ["sub-d", 2_124_646]
    ])
  })

  it("uses the version in force among several", () => {
    const v2 = { ...Example.scheme, version: 2, effectiveFrom: "2023-06-01", gradeBelow: "poor" }
    const outcome = Engine.score([Example.scheme, v2], Example.values, options)
    expect(outcome.ok && [outcome.result.scheme.version, outcome.result.units[3]?.grade]).toStrictEqual([2, "poor"])
    const may = Engine.score([Example.scheme, v2], Example.values, { ...options, period: "2023-05" })
    expect(may.ok && may.result.scheme.version).toBe(1)
  })

  it("never throws: lists every error with its path", () => {
    const outcome = Engine.score("{not json", [{ element: "x" }], { period: "2023-13", units: "all" })
    expect(outcome.ok).toBe(false)
    expect(outcome.errors.map((error) => [error.tag, error.path.slice(0, 2).join(".")])).toStrictEqual([
      ["Invalid", "scheme"],
      ["Invalid", "values.0"],
      ["Invalid", "values.0"],
      ["Invalid", "values.0"],
      ["Invalid", "values.0"],
      ["Invalid", "options.period"],
      ["Invalid", "options.units"]
    ])
    const early = Engine.score(Example.scheme, Example.values, { ...options, period: "2022-12" })
    expect(early.errors).toStrictEqual([
      { tag: "NotFound", path: ["scheme"], message: "Scheme version in force 2022-12 was not found" }
    ])
    const malformed = Engine.score({ ...Example.scheme, totalWeight: 90 }, Example.values, options)
    expect(malformed.errors).toStrictEqual([
      { tag: "Invalid", path: ["totalWeight"], message: "the weights add up to 100, but the scheme declares 90" }
    ])
  })
})
