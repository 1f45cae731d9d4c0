/**
 * Mass assignment: every write, sent with a field the caller must not set (who did it, when, the
 * version, the state, a role or scope, a balance or flags), is refused with a 400 or 422 naming the
 * field, and nothing of it is stored.
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import { Inspections, Problem, ProblemRegister, ProblemStore } from "@sortgrid/issues"
import { Effect } from "effect"
import { ids, raw, seed, serverLayer, tokenOf } from "./support.js"

const forbidden: Readonly<Record<string, unknown>> = {
  role: "district-admin",
  roles: ["district-admin"],
  scope: ["/"],
  createdBy: "someone-else",
  registeredBy: "someone-else",
  inspector: "someone-else",
  actor: "someone-else",
  version: 99,
  state: "closed",
  balance: 1_000_000,
  flags: { debitsMustNotExceedCredits: false },
  deadlineAt: 0,
  at: 0
}

interface Write {
  readonly name: string
  readonly url: string
  readonly body: (field: string, value: unknown, n: number) => Record<string, unknown>
  readonly form?: boolean
}

const writes: ReadonlyArray<Write> = [
  {
    name: "issues.register",
    url: "/issues/problems",
    body: (field, value, n) => ({
      id: `p-mass-${n}`,
      categoryCode: "bin-missing",
      nodeId: ids.compound1,
      attributes: { stream: "other" },
      [field]: value
    })
  },
  {
    name: "issues.transition",
    url: "/issues/transitions",
    body: (field, value) => ({
      _tag: "Assign",
      problemId: ids.problem1,
      expectedVersion: 1,
      unitId: ids.community1,
      [field]: value
    })
  },
  {
    name: "issues.define",
    url: "/issues/inspections/definitions",
    body: (field, value, n) => ({
      campaigns: [
        {
          id: `campaign-mass-${n}`,
          name: "抽查",
          from: "2023-01-01",
          to: "2023-12-31",
          categories: ["bin-missing"],
          [field]: value
        }
      ]
    })
  },
  {
    name: "issues.recordVisit",
    url: "/issues/inspections/visits",
    body: (field, value, n) => ({
      id: `visit-mass-${n}`,
      campaignId: "hardware-to-zero",
      templateId: "compound-hardware",
      nodeId: ids.compound1,
      items: [
        { itemCode: "kitchen-bin", result: "pass" },
        { itemCode: "other-bin", result: "pass" },
        { itemCode: "signage", result: "pass" }
      ],
      [field]: value
    })
  },
  {
    name: "open311.postRequest",
    url: "/open311/v2/requests.json",
    form: true,
    body: (field, value) => ({
      service_code: "bin-missing",
      address_id: ids.compound1,
      "attribute[stream]": "other",
      [field]: typeof value === "string" ? value : JSON.stringify(value)
    })
  }
]

describe("mass assignment", () => {
  it.effect("every write refuses every forbidden field, naming it, and stores nothing", () =>
    Effect.gen(function* () {
      yield* seed
      const store = yield* ProblemStore.ProblemStore
      const register = yield* ProblemRegister.ProblemRegister
      const inspections = yield* Inspections.Inspections
      const before = (yield* store.open({})).length
      const failures: Array<string> = []
      let n = 0
      for (const write of writes) {
        for (const [field, value] of Object.entries(forbidden)) {
          n++
          const body = write.body(field, value, n)
          const answer = yield* raw({
            method: "POST",
            url: write.url,
            token: tokenOf("admin"),
            headers: { "idempotency-key": `mass-${n}` },
            ...(write.form === true ? { form: body as Record<string, string> } : { body })
          })
          const named = answer.text.includes(`"${field}"`)
          if ((answer.status !== 400 && answer.status !== 422) || !named) {
            failures.push(`${write.name} + ${field}: ${answer.status} ${answer.text.slice(0, 200)}`)
          }
        }
      }
      expect(failures).toEqual([])
      // Nothing was written: no new problem, the transition's problem unchanged, no campaign, no visit.
      expect((yield* store.open({})).length).toBe(before)
      const [problem] = yield* store.get([Problem.ProblemId.make(ids.problem1)])
      expect(problem).toMatchObject({ version: 1, state: "registered", registeredBy: "seed-admin" })
      const history = yield* register.history(Actor.system("check"), Problem.ProblemId.make(ids.problem1))
      expect(history).toHaveLength(1)
      const visits = yield* inspections.visits(Actor.system("check"), { under: Actor.root })
      expect(visits).toEqual([])
    }).pipe(Effect.provide(serverLayer("memory:")))
  )
})
