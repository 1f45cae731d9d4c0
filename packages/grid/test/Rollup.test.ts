import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { Rollup } from "../src/index.js"

const tree: ReadonlyArray<Rollup.Placement> = [
  ["d", "/d/"],
  ["a", "/d/a/"],
  ["a1", "/d/a/a1/"],
  ["a2", "/d/a/a2/"],
  ["b", "/d/b/"]
]

describe("Rollup", () => {
  it("aggregates every value into its node and each ancestor, keeping the parts", () => {
    const values = new Map([
      ["a1", 4],
      ["a2", 2],
      ["b", 9]
    ])
    const sum = Rollup.rollup(tree, values, "sum")
    expect(sum.get("d")).toEqual({ value: 15, sum: 15, count: 3, min: 2, max: 9 })
    expect(sum.get("a")?.value).toBe(6)
    expect(Rollup.rollup(tree, values, "average").get("a")?.value).toBe(3)
    expect(Rollup.rollup(tree, values, "max").get("d")?.value).toBe(9)
    expect(Rollup.rollup(tree, values, "count").get("d")?.value).toBe(3)
  })

  it("a node's sum is its own value plus its children's sums (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 5, maxLength: 5 }), (numbers) => {
        const values = new Map(tree.map(([id], i) => [id, numbers[i]!]))
        const sum = Rollup.rollup(tree, values, "sum")
        expect(sum.get("d")?.value).toBe(numbers.reduce((a, b) => a + b, 0))
        expect(sum.get("a")?.value).toBe(numbers[1]! + numbers[2]! + numbers[3]!)
      })
    )
  })
})
