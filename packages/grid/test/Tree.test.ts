import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { Either, Option } from "effect"
import { Node, Profile, Tree } from "../src/index.js"

const open = (id: string, kind: string, parentId: string | null, effectiveOn = "2023-01-01") =>
  Node.OpenNode.make({
    id: Node.NodeId.make(id),
    kind: Profile.NodeKind.make(kind),
    code: null,
    name: id,
    nameEn: null,
    parentId: parentId === null ? null : Node.NodeId.make(parentId),
    effectiveOn: Period.IsoDate.make(effectiveOn)
  })

const empty: Tree.TreeState = { latest: new Map(), descendants: [], stored: Option.none() }

describe("Tree.planOpen", () => {
  it("places a batch given children before parents, with paths and depths", () => {
    const plan = Either.getOrThrow(
      Tree.planOpen(Profile.chinaDistrict, empty, [
        open("c1", "community", "s1"),
        open("s1", "subdistrict", "d"),
        open("d", "district", null)
      ])
    )
    expect(plan.start.map((v) => [v.nodeId, v.path, v.depth])).toEqual([
      ["d", "/d/", 0],
      ["s1", "/d/s1/", 1],
      ["c1", "/d/s1/c1/", 2]
    ])
  })

  it("refuses a child opened before its parent is in force, naming the field", () => {
    const result = Tree.planOpen(Profile.chinaDistrict, empty, [
      open("d", "district", null, "2023-03-01"),
      open("s1", "subdistrict", "d", "2023-02-01")
    ])
    expect(Either.isLeft(result) && result.left.message).toBe(
      "nodes[1].effectiveOn: parent d is not in force on 2023-02-01 (it holds from 2023-03-01)"
    )
  })

  it("refuses duplicates in a batch and cycles", () => {
    const twice = Tree.planOpen(Profile.chinaDistrict, empty, [
      open("d", "district", null),
      open("d", "district", null)
    ])
    expect(Either.isLeft(twice) && twice.left.message).toBe("nodes[1].id: d appears twice in the batch")
    const cycle = Tree.planOpen(Profile.chinaDistrict, empty, [open("a", "grid", "b"), open("b", "grid", "a")])
    expect(Either.isLeft(cycle)).toBe(true)
  })

  it("follows another profile's levels", () => {
    const ok = Tree.planOpen(Profile.wardCity, empty, [
      open("city", "city", null),
      open("w1", "ward", "city"),
      open("n1", "neighbourhood", "w1"),
      open("p1", "collection-point", "n1")
    ])
    expect(Either.isRight(ok)).toBe(true)
    const wrong = Tree.planOpen(Profile.wardCity, empty, [open("d", "district", null)])
    expect(Either.isLeft(wrong) && wrong.left.message).toBe(
      'nodes[0].kind: kind "district" is not in profile ward-city'
    )
  })
})
