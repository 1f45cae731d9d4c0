import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { Either } from "effect"
import { Group, Node } from "../src/index.js"

const date = (text: string) => Period.IsoDate.make(text)
const assign = (nodeId: string, groupId: string, on: string) =>
  new Group.Assign({ nodeId: Node.NodeId.make(nodeId), groupId: Group.GroupId.make(groupId), effectiveOn: date(on) })

describe("Group.planMemberships", () => {
  it("in an exclusive set, a new group ends the old one on the same date", () => {
    const first = Either.getOrThrow(
      Group.planMemberships({ sets: Group.standardSets, open: [] }, [assign("t", "rural", "2023-01-01")])
    )
    const second = Either.getOrThrow(
      Group.planMemberships({ sets: Group.standardSets, open: first.start }, [assign("t", "urban", "2023-07-01")])
    )
    expect(second.end.map(({ membership, validTo }) => [membership.groupId, validTo])).toEqual([
      ["rural", "2023-07-01"]
    ])
    expect(second.start.map((m) => [m.groupId, m.validFrom])).toEqual([["urban", "2023-07-01"]])
  })

  it("in a non-exclusive set, groups accumulate; a repeated assignment changes nothing", () => {
    const plan = Either.getOrThrow(
      Group.planMemberships({ sets: Group.standardSets, open: [] }, [
        assign("dept", "department-lead", "2023-01-01"),
        assign("dept", "department-support", "2023-01-01"),
        assign("dept", "department-lead", "2023-02-01")
      ])
    )
    expect(plan.start.map((m) => m.groupId)).toEqual(["department-lead", "department-support"])
    expect(plan.end).toEqual([])
  })

  it("refuses unknown groups and changes out of date order", () => {
    expect(
      Either.isLeft(Group.planMemberships({ sets: Group.standardSets, open: [] }, [assign("t", "nope", "2023-01-01")]))
    ).toBe(true)
    const open = Either.getOrThrow(
      Group.planMemberships({ sets: Group.standardSets, open: [] }, [assign("t", "rural", "2023-05-01")])
    ).start
    const early = Group.planMemberships({ sets: Group.standardSets, open }, [assign("t", "urban", "2023-04-01")])
    expect(Either.isLeft(early) && early.left._tag).toBe("Conflict")
  })
})
