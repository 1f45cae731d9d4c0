import { describe, expect, it } from "@effect/vitest"
import { WorkedExample as Example } from "@sortgrid/assessment"
import { Effect } from "effect"
import { Client, Consequences } from "../src/index.js"

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }
const official = { id: "official-1", roles: ["department-official"], scope: ["/"] }
const tree = [
  { id: "d1", kind: "district", name: "District", parentId: null, effectiveOn: "2023-01-01" },
  ...Example.units.map((id) => ({ id, kind: "subdistrict", name: id, parentId: "d1", effectiveOn: "2023-01-01" }))
]
const rules = [{ _tag: "BottomN", n: 1, action: "supervision-team", description: "Send a supervision-and-help team" }]
const mapping: Consequences.Mapping = {
  categoryOf: () => "duty-absent",
  attributesOf: () => ({ window: "morning", observed_at: "2023-07-03T07:30:00+08:00" })
}

describe("Client.assessment", () => {
  it.effect("turns a period's consequences into problems on the register, once", () =>
    Effect.acquireUseRelease(
      Effect.promise(() => Client.open({ store: "memory:" })),
      (client) =>
        Effect.promise(async () => {
          await client.grid.open(admin, tree)
          await client.assessment.defineScheme(admin, Example.scheme)
          // The memory store has no problems: the worked example's derived values are entered here.
          await client.assessment.enterValues(
            admin,
            Example.values.map(({ provenance, ...value }) => ({
              ...value,
              provenance: {
                kind: provenance.kind === "derived" ? "imported" : provenance.kind,
                source: provenance.source
              }
            }))
          )
          const scored = await client.assessment.evaluate(admin, {
            schemeId: Example.scheme.id,
            period: Example.period,
            units: Example.units
          })
          expect(scored.result.result.units.map((unit) => unit.total)).toEqual(Example.expected.map((u) => u.total))
          const actions = await client.assessment.consequences(official, {
            schemeId: Example.scheme.id,
            period: Example.period,
            rules
          })
          expect(actions.map((action) => action.unit)).toEqual(["sub-b"])
          expect(Consequences.toRegisterInputs(actions, mapping)[0]).toMatchObject({
            id: "assess.urban-2023.2023-06.supervision-team.sub-b",
            nodeId: "sub-b",
            categoryCode: "duty-absent"
          })
          const [first] = await client.assessment.registerConsequences(admin, actions, mapping)
          expect(first).toMatchObject({ outcome: "registered", problem: { nodeId: "sub-b", state: "registered" } })
          expect(JSON.stringify(first?.problem)).toContain("rank 4 of 4")
          const [again] = await client.assessment.registerConsequences(admin, actions, mapping)
          expect(again?.outcome).toBe("replayed")
          const health = await client.assessment.healthCheck(official, {
            schemeId: Example.scheme.id,
            period: Example.period,
            unit: "sub-b"
          })
          expect(health.markdown).toContain("rank 4 of 4")
          const denied = await client.assessment
            .evaluate(official, { schemeId: Example.scheme.id, period: Example.period })
            .then(
              () => null,
              (error: { readonly _tag: string }) => error._tag
            )
          expect(denied).toBe("Forbidden")
        }),
      (client) => Effect.promise(() => client.close())
    )
  )
})
