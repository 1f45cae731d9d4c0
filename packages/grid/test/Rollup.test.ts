import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import fc from "fast-check"
import { Node, Profile, Rollup } from "../src/index.js"

const version = (id: string, path: string) =>
  new Node.NodeVersion({
    nodeId: Node.NodeId.make(id),
    version: 1,
    kind: Profile.NodeKind.make("grid"),
    code: null,
    name: id,
    nameEn: null,
    parentId: null,
    path: path as Node.NodeVersion["path"],
    depth: path.split("/").length - 3,
    validFrom: Period.IsoDate.make("2023-01-01"),
    validTo: Period.endOfTime
  })

const tree = [
  version("d", "/d/"),
  version("a", "/d/a/"),
  version("a1", "/d/a/a1/"),
  version("a2", "/d/a/a2/"),
  version("b", "/d/b/")
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
        const values = new Map(tree.map((v, i) => [v.nodeId as string, numbers[i]!]))
        const sum = Rollup.rollup(tree, values, "sum")
        expect(sum.get("d")?.value).toBe(numbers.reduce((a, b) => a + b, 0))
        expect(sum.get("a")?.value).toBe(numbers[1]! + numbers[2]! + numbers[3]!)
      })
    )
  })
})
