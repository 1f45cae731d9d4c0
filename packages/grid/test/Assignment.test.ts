import { describe, expect, it } from "@effect/vitest"
import { Actor, Period } from "@sortgrid/core"
import { Either, Redacted } from "effect"
import fc from "fast-check"
import * as Assignment from "../src/Assignment.js"
import { NodeId, NodeVersion } from "../src/Node.js"
import { PersonId, programmeRoles, RegisterPerson } from "../src/Person.js"
import { NodeKind } from "../src/Profile.js"

const date = (text: string) => Period.IsoDate.make(text)
const firstDay = Period.dayOfIsoDate(date("2023-01-01"))
const dayOf = (n: number) => Period.isoDateOfDay(firstDay + n)

const node = (id: string, path: string, validFrom = "2023-01-01", validTo: string = Period.endOfTime) =>
  new NodeVersion({
    nodeId: NodeId.make(id),
    version: 1,
    kind: NodeKind.make("grid"),
    code: null,
    name: id,
    nameEn: null,
    parentId: null,
    path: Actor.NodePath.make(path),
    depth: path.split("/").length - 2,
    validFrom: date(validFrom),
    validTo: date(validTo)
  })

const assignment = (fields: {
  id: string
  personId?: string
  role?: (typeof programmeRoles)[number]
  nodeId?: string
  validFrom: string
  validTo?: string
}) =>
  new Assignment.Assignment({
    id: Assignment.AssignmentId.make(fields.id),
    personId: PersonId.make(fields.personId ?? "p1"),
    role: fields.role ?? "grid-worker",
    nodeId: NodeId.make(fields.nodeId ?? "g1"),
    validFrom: date(fields.validFrom),
    validTo: date(fields.validTo ?? Period.endOfTime)
  })

const assign = (fields: Record<string, string>) =>
  Assignment.Assign.make({
    id: Assignment.AssignmentId.make(fields.id ?? "a1"),
    personId: PersonId.make(fields.personId ?? "p1"),
    role: (fields.role ?? "grid-worker") as (typeof programmeRoles)[number],
    nodeId: NodeId.make(fields.nodeId ?? "g1"),
    validFrom: date(fields.validFrom ?? "2023-03-01"),
    ...(fields.validTo === undefined ? {} : { validTo: date(fields.validTo) })
  })

const p1 = RegisterPerson.make({ id: PersonId.make("p1"), name: "张伟", phone: Redacted.make("13800138000") })
const registered: Assignment.PeopleState = {
  people: Either.getOrThrow(Assignment.planRegister({ people: [], assignments: [] }, [p1])).register,
  assignments: []
}
const nodes = [node("g1", "/d/s/c/g1/"), node("g2", "/d/s/c/g2/"), node("late", "/d/s/late/", "2023-06-01")]

/** The state after a plan is written, as a store would write it. */
const apply = (state: Assignment.PeopleState, plan: Assignment.PeoplePlan): Assignment.PeopleState => {
  const ends = new Map(plan.end.map((end) => [end.assignmentId as string, end.validTo]))
  return {
    people: [...state.people, ...plan.register],
    assignments: [...state.assignments, ...plan.assign].map((stored) => {
      const validTo = ends.get(stored.assignment.id)
      return validTo === undefined
        ? stored
        : { ...stored, assignment: new Assignment.Assignment({ ...stored.assignment, validTo }) }
    })
  }
}

describe("Assignment.actorOf", () => {
  const paths = new Map([
    ["g1", Actor.NodePath.make("/d/s/c/g1/")],
    ["g2", Actor.NodePath.make("/d/s/c/g2/")]
  ])
  const p1Id = PersonId.make("p1")

  it("is the roles and node paths of the person's assignments in force, and nothing before or after", () => {
    const held = [
      assignment({ id: "a1", validFrom: "2023-03-01", validTo: "2023-07-01" }),
      assignment({ id: "a2", role: "volunteer", nodeId: "g2", validFrom: "2023-05-01" }),
      assignment({ id: "a3", personId: "p2", role: "inspector", validFrom: "2023-01-01" })
    ]
    const on = (asOf: string) => {
      const actor = Assignment.actorOf(p1Id, held, paths, date(asOf))
      return [actor.id, actor.roles, actor.scope]
    }
    expect(on("2023-02-28")).toEqual(["p1", [], []])
    expect(on("2023-03-01")).toEqual(["p1", ["grid-worker"], ["/d/s/c/g1/"]])
    expect(on("2023-05-01")).toEqual(["p1", ["grid-worker", "volunteer"], ["/d/s/c/g1/", "/d/s/c/g2/"]])
    expect(on("2023-07-01")).toEqual(["p1", ["volunteer"], ["/d/s/c/g2/"]])
  })

  it("gives nothing for an assignment at a node that no longer stands", () => {
    const actor = Assignment.actorOf(
      p1Id,
      [assignment({ id: "a1", nodeId: "closed", validFrom: "2023-01-01" })],
      paths,
      date("2023-06-01")
    )
    expect([actor.roles, actor.scope]).toEqual([[], []])
  })

  const arbitraryHistory = fc.record({
    assignments: fc.array(
      fc.record({
        person: fc.integer({ min: 0, max: 2 }),
        role: fc.constantFrom(...programmeRoles),
        node: fc.integer({ min: 0, max: 5 }),
        from: fc.integer({ min: 0, max: 300 }),
        length: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined })
      }),
      { maxLength: 20 }
    ),
    /** Each node's parent among the nodes before it (or none), so paths form a forest. */
    parents: fc.array(fc.option(fc.nat(), { nil: undefined }), { minLength: 6, maxLength: 6 }),
    standing: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    asOf: fc.integer({ min: 0, max: 400 }),
    seed: fc.nat()
  })

  const build = (history: typeof arbitraryHistory extends fc.Arbitrary<infer H> ? H : never) => {
    const pathOf: Array<string> = []
    history.parents.forEach((parent, i) => {
      const above = parent === undefined || i === 0 ? "/" : pathOf[parent % i]!
      pathOf.push(`${above}n${i}/`)
    })
    const nodePaths = new Map<string, Actor.NodePath>()
    history.standing.forEach((standing, i) => {
      if (standing) nodePaths.set(`n${i}`, Actor.NodePath.make(pathOf[i]!))
    })
    const assignments = history.assignments.map((a, i) =>
      assignment({
        id: `a${i}`,
        personId: `p${a.person}`,
        role: a.role,
        nodeId: `n${a.node}`,
        validFrom: dayOf(a.from),
        ...(a.length === undefined ? {} : { validTo: dayOf(a.from + a.length) })
      })
    )
    return { nodePaths, assignments, asOf: dayOf(history.asOf) }
  }

  it("covers a path exactly when an assignment in force lies on or above it, with each role of those assignments once", () => {
    fc.assert(
      fc.property(arbitraryHistory, (history) => {
        const { nodePaths, assignments, asOf } = build(history)
        const actor = Assignment.actorOf(p1Id, assignments, nodePaths, asOf)
        const inForce = assignments.filter(
          (a) => a.personId === "p1" && a.validFrom <= asOf && asOf < a.validTo && nodePaths.has(a.nodeId)
        )
        expect(new Set(actor.roles)).toEqual(new Set(inForce.map((a) => a.role)))
        expect(new Set(actor.roles).size).toBe(actor.roles.length)
        expect(new Set(actor.scope).size).toBe(actor.scope.length)
        for (const path of [...nodePaths.values(), Actor.NodePath.make("/elsewhere/")]) {
          const expected = inForce.some((a) => path.startsWith(nodePaths.get(a.nodeId)!))
          expect(Actor.covers(actor, path)).toBe(expected)
        }
        if (inForce.length === 0) expect([actor.roles, actor.scope]).toEqual([[], []])
      })
    )
  })

  it("depends only on the assignments in force, in any order", () => {
    fc.assert(
      fc.property(arbitraryHistory, (history) => {
        const { nodePaths, assignments, asOf } = build(history)
        const shuffled = [...assignments].sort(
          (a, b) => ((a.id.length * 7919 + history.seed) % 13) - ((b.id.length * 7919 + history.seed) % 13)
        )
        const actor = Assignment.actorOf(p1Id, assignments, nodePaths, asOf)
        expect(Assignment.actorOf(p1Id, shuffled.reverse(), nodePaths, asOf)).toEqual(actor)
        const held = Assignment.inForce(p1Id, assignments, nodePaths, asOf)
        expect(Assignment.actorOf(p1Id, held, nodePaths, asOf)).toEqual(actor)
      })
    )
  })
})

describe("Assignment planning", () => {
  it("registers a person once: a retry maps to the stored person, other details are a Conflict", () => {
    const retry = Either.getOrThrow(Assignment.planRegister(registered, [p1]))
    expect([retry.register, retry.results.map((p) => p.id)]).toEqual([[], ["p1"]])
    const other = RegisterPerson.make({ id: PersonId.make("p1"), name: "张伟", phone: null })
    const conflict = Assignment.planRegister(registered, [other])
    expect(Either.isLeft(conflict) && conflict.left._tag).toBe("Conflict")
    const twice = Assignment.planRegister({ people: [], assignments: [] }, [p1, other])
    expect(Either.isLeft(twice) && twice.left.message).toBe(
      "people[1].id: p1 appears earlier in the batch with other details"
    )
  })

  it("refuses an unregistered person, an empty span, a node not standing on the first day, and overlaps", () => {
    const refusal = (commands: ReadonlyArray<Assignment.Assign>) =>
      Either.match(Assignment.planAssign(registered, nodes, commands), {
        onLeft: (error) => error.message,
        onRight: () => "accepted"
      })
    expect(refusal([assign({ personId: "p9" })])).toBe("assignments[0].personId: p9 is not registered")
    expect(refusal([assign({ validTo: "2023-03-01" })])).toBe(
      "assignments[0].validTo: must be after validFrom (2023-03-01)"
    )
    expect(refusal([assign({ nodeId: "late" })])).toBe("assignments[0].nodeId: node late does not stand on 2023-03-01")
    expect(refusal([assign({ nodeId: "late", validFrom: "2023-06-01" })])).toBe("accepted")
    expect(refusal([assign({}), assign({ id: "a2", validFrom: "2023-02-01", validTo: "2023-03-02" })])).toBe(
      "Assignment a2: it overlaps assignment a1 (from 2023-03-01, open-ended) of p1 as grid-worker at g1"
    )
    expect(refusal([assign({}), assign({ id: "a2", validFrom: "2023-02-01", validTo: "2023-03-01" })])).toBe("accepted")
    expect(refusal([assign({}), assign({ id: "a2", role: "volunteer" }), assign({ id: "a3", nodeId: "g2" })])).toBe(
      "accepted"
    )
    expect(refusal([assign({}), assign({ nodeId: "g2" })])).toBe(
      "Assignment a1: the id was already used with different content"
    )
  })

  it("a retried assignment replays, even after it was ended", () => {
    const first = Either.getOrThrow(Assignment.planAssign(registered, nodes, [assign({})]))
    const ended = Either.getOrThrow(
      Assignment.planEnd(apply(registered, first), [
        Assignment.EndAssignment.make({
          assignmentId: Assignment.AssignmentId.make("a1"),
          effectiveOn: date("2023-05-01")
        })
      ])
    )
    const state = apply(apply(registered, first), ended)
    const retry = Either.getOrThrow(Assignment.planAssign(state, nodes, [assign({})]))
    expect(Assignment.writes(retry)).toBe(false)
    expect(retry.results[0]?.validTo).toBe("2023-05-01")
  })

  it("ends an assignment once, after it starts; the same end again changes nothing", () => {
    const state = apply(registered, Either.getOrThrow(Assignment.planAssign(registered, nodes, [assign({})])))
    const end = (effectiveOn: string, id = "a1") =>
      Assignment.EndAssignment.make({ assignmentId: Assignment.AssignmentId.make(id), effectiveOn: date(effectiveOn) })
    const message = (result: Either.Either<unknown, Assignment.Refusal>) =>
      Either.match(result, { onLeft: (error) => error.message, onRight: () => "accepted" })
    expect(message(Assignment.planEnd(state, [end("2023-03-01")]))).toBe(
      "ends[0].effectiveOn: must be after the assignment starts (2023-03-01)"
    )
    expect(message(Assignment.planEnd(state, [end("2023-06-01", "a9")]))).toBe("Assignment a9 was not found")
    const ended = Either.getOrThrow(Assignment.planEnd(state, [end("2023-06-01")]))
    expect(ended.end).toEqual([{ assignmentId: "a1", validTo: "2023-06-01" }])
    const after = apply(state, ended)
    expect(Assignment.writes(Either.getOrThrow(Assignment.planEnd(after, [end("2023-06-01")])))).toBe(false)
    expect(message(Assignment.planEnd(after, [end("2023-05-01")]))).toContain("it already ends on 2023-06-01")
  })

  it("registers and assigns both or neither", () => {
    const p2 = RegisterPerson.make({ id: PersonId.make("p2"), name: "王芳", phone: null })
    const planner = Assignment.planner({ people: [], assignments: [] }, nodes)
    const refused = planner.registerAndAssign(p2, assign({ personId: "p2", nodeId: "nowhere" }), [])
    expect(Either.isLeft(refused)).toBe(true)
    expect(planner.plan()).toEqual({ register: [], assign: [], end: [] })
    const accepted = planner.registerAndAssign(p2, assign({ personId: "p2" }), [])
    expect(Either.isRight(accepted)).toBe(true)
    expect(planner.plan().register.map((p) => p.id)).toEqual(["p2"])
    expect(planner.plan().assign.map((s) => s.assignment.id)).toEqual(["a1"])
  })

  it("whatever commands arrive, the stored assignments never overlap, never end before they start, and stand on a node", () => {
    const command = fc.oneof(
      fc.record({
        kind: fc.constant("assign" as const),
        id: fc.integer({ min: 0, max: 12 }),
        role: fc.constantFrom("grid-worker" as const, "volunteer" as const),
        node: fc.constantFrom("g1", "g2", "late", "nowhere"),
        from: fc.integer({ min: 0, max: 300 }),
        length: fc.option(fc.integer({ min: -5, max: 200 }), { nil: undefined })
      }),
      fc.record({
        kind: fc.constant("end" as const),
        id: fc.integer({ min: 0, max: 12 }),
        on: fc.integer({ min: 0, max: 400 })
      })
    )
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
        let state = registered
        for (const c of commands) {
          const result =
            c.kind === "assign"
              ? Assignment.planAssign(state, nodes, [
                  assign({
                    id: `a${c.id}`,
                    role: c.role,
                    nodeId: c.node,
                    validFrom: dayOf(c.from),
                    ...(c.length === undefined ? {} : { validTo: dayOf(c.from + c.length) })
                  })
                ])
              : Assignment.planEnd(state, [
                  Assignment.EndAssignment.make({
                    assignmentId: Assignment.AssignmentId.make(`a${c.id}`),
                    effectiveOn: dayOf(c.on)
                  })
                ])
          if (Either.isRight(result)) state = apply(state, result.right)
        }
        const stored = state.assignments.map((s) => s.assignment)
        expect(new Set(stored.map((a) => a.id)).size).toBe(stored.length)
        for (const a of stored) {
          expect(a.validFrom < a.validTo).toBe(true)
          expect(nodes.some((n) => n.nodeId === a.nodeId && n.validFrom <= a.validFrom)).toBe(true)
          for (const b of stored) {
            if (a.id === b.id || a.role !== b.role || a.nodeId !== b.nodeId) continue
            expect(a.validFrom < b.validTo && b.validFrom < a.validTo).toBe(false)
          }
        }
      })
    )
  })
})
