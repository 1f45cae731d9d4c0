import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import { Actor, ActorId, NodePath, Role } from "../src/Actor.js"
import * as Permission from "../src/Permission.js"

const grants: Permission.Grants = { "grid-worker": ["checkins.record", "issues.*"], "district-admin": ["*"] }
const worker = new Actor({
  id: ActorId.make("w1"),
  roles: [Role.make("grid-worker")],
  scope: [NodePath.make("/110112/110112001/g7/")]
})

describe("Permission", () => {
  it("allows a granted permission inside the scope", () => {
    const at = NodePath.make("/110112/110112001/g7/compound-3/")
    expect(Either.isRight(Permission.decide(grants, worker, { permission: "checkins.record", at }))).toBe(true)
    expect(Either.isRight(Permission.decide(grants, worker, { permission: "issues.transition", at }))).toBe(true)
  })

  it("refuses outside the scope, naming the path", () => {
    const result = Permission.decide(grants, worker, {
      permission: "checkins.record",
      at: NodePath.make("/110112/110112001/g8/")
    })
    expect(Either.isLeft(result) && result.left.reason).toContain("/110112/110112001/g8/ is outside")
  })

  it("does not confuse a sibling whose id shares a prefix", () => {
    const at = NodePath.make("/110112/110112001/g77/")
    expect(Either.isLeft(Permission.decide(grants, worker, { permission: "checkins.record", at }))).toBe(true)
  })

  it("refuses a permission no role grants", () => {
    const result = Permission.decide(grants, worker, { permission: "audit.verify" })
    expect(Either.isLeft(result) && result.left.message).toBe(
      "w1 may not audit.verify: none of the roles [grid-worker] grants it"
    )
  })

  it.effect("checks against the policy in the context", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Permission.check(worker, { permission: "audit.read" }))
      expect(Exit.isFailure(exit)).toBe(true)
      yield* Permission.check(worker, { permission: "issues.assign" })
    }).pipe(Effect.provide(Permission.layer(grants)))
  )
})
