import { describe, expect, it } from "@effect/vitest"
import { Actor, Audit, Json, Trusted } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import { Either, Equal, Option, ParseResult, Schema } from "effect"
import fc from "fast-check"
import { CategoryCode } from "../src/Category.js"
import * as Lifecycle from "../src/Lifecycle.js"
import * as Problem from "../src/Problem.js"
import * as ProblemRegister from "../src/ProblemRegister.js"

const options = { errors: "all", onExcessProperty: "error" } as const
const decodeBySchema = Schema.decodeUnknownEither(Schema.Array(ProblemRegister.RegisterInput), options)
const decodeOneBySchema = Schema.decodeUnknownEither(ProblemRegister.RegisterInput, options)

/** What a decoded input holds: its fields as plain data, nested classes included. */
const fieldsOf = (input: ProblemRegister.RegisterFields) => ({ ...input })
const issuesOf = (error: ParseResult.ParseError) => ParseResult.ArrayFormatter.formatErrorSync(error)

// Valid pieces and pieces that break one rule each: the fast path must accept exactly what decoding accepts.
const id = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
  fc.constantFrom("", "-lead", "has space", "x".repeat(129), "ok")
)
const text = (max: number) =>
  fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom("", "x".repeat(max + 1)))
const source = fc.oneof(
  fc.record(
    { _tag: fc.constant("ManualReport"), reference: fc.oneof(fc.constant(null), fc.constant(undefined), text(256)) },
    { requiredKeys: ["_tag"] }
  ),
  fc.record({ _tag: fc.constant("FromInspection"), visitId: id, itemCode: text(64) }, { requiredKeys: ["_tag"] }),
  fc.record({ _tag: fc.constantFrom("Other", 1), reference: fc.constant("x") }),
  fc.constant({ _tag: "ManualReport", reference: "r", extra: 1 }),
  fc.constant("ManualReport")
)
const input = fc.record(
  {
    id,
    categoryCode: id,
    nodeId: id,
    source,
    note: fc.oneof(fc.constant(null), fc.constant(undefined), text(2000)),
    evidence: fc.oneof(fc.array(text(2048), { maxLength: 3 }), fc.constant("photo")),
    attributes: fc.oneof(fc.constant(undefined), fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue())),
    extra: fc.constant(true)
  },
  { requiredKeys: [] }
)

// Always valid: every optional field left out or given, sources of both kinds.
const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/)
const validInput = fc.record(
  {
    id: validId,
    categoryCode: validId,
    nodeId: validId,
    source: fc.oneof(
      fc.record(
        {
          _tag: fc.constant("ManualReport"),
          reference: fc.oneof(fc.constant(null), fc.constant(undefined), fc.string({ minLength: 1 }))
        },
        { requiredKeys: ["_tag"] }
      ),
      fc.record({
        _tag: fc.constant("FromInspection"),
        visitId: validId,
        itemCode: fc.string({ minLength: 1, maxLength: 64 })
      })
    ),
    note: fc.oneof(fc.constant(null), fc.constant(undefined), fc.string({ minLength: 1, maxLength: 50 })),
    evidence: fc.oneof(fc.constant(undefined), fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 })),
    attributes: fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue(), { maxKeys: 2 })
    )
  },
  { requiredKeys: ["id", "categoryCode", "nodeId"] }
)

describe("ProblemRegister: decoding register inputs", () => {
  it("property: a valid batch decodes to the fields the schema gives", () => {
    fc.assert(
      fc.property(fc.array(validInput, { maxLength: 5 }), (batch) => {
        const slow = Either.getOrThrow(decodeBySchema(batch))
        const fast = Either.getOrThrow(ProblemRegister.decodeRegisterInputs(batch))
        expect(fast.map(fieldsOf)).toStrictEqual(slow.map(fieldsOf))
        for (const [index, item] of fast.entries()) expect(JSON.stringify(item)).toBe(JSON.stringify(slow[index]))
      }),
      { numRuns: 300 }
    )
  })

  it("property: a batch decodes to the same fields, or fails with the same issues, as the schema", () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(input, { maxLength: 4 }), fc.anything()), (batch) => {
        const fast = ProblemRegister.decodeRegisterInputs(batch)
        const slow = decodeBySchema(batch)
        if (Either.isRight(slow)) {
          expect(Either.isRight(fast)).toBe(true)
          const decoded = Either.getOrThrow(fast)
          expect(decoded.map(fieldsOf)).toStrictEqual(slow.right.map(fieldsOf))
          // The nested source is an instance of its class, field for field (JSON order included).
          decoded.forEach((item, index) => {
            expect(Equal.equals(item.source, slow.right[index]!.source)).toBe(true)
            expect(JSON.stringify(item.source)).toBe(JSON.stringify(slow.right[index]!.source))
          })
        } else {
          expect(Either.isLeft(fast)).toBe(true)
          expect(issuesOf(Either.flip(fast).pipe(Either.getOrThrow))).toStrictEqual(issuesOf(slow.left))
        }
      }),
      { numRuns: 500 }
    )
  })

  it("property: one input decodes as the schema decodes it", () => {
    fc.assert(
      fc.property(input, (one) => {
        const fast = ProblemRegister.decodeRegisterInput(one)
        const slow = decodeOneBySchema(one)
        expect(Either.isRight(fast)).toBe(Either.isRight(slow))
        if (Either.isRight(fast) && Either.isRight(slow))
          expect(fieldsOf(fast.right)).toStrictEqual(fieldsOf(slow.right))
        if (Either.isLeft(fast) && Either.isLeft(slow)) expect(issuesOf(fast.left)).toStrictEqual(issuesOf(slow.left))
      }),
      { numRuns: 500 }
    )
  })

  it("names the field of a bad item by its index", () => {
    const good = { id: "p-1", categoryCode: "bin-missing", nodeId: "n-1" }
    const result = ProblemRegister.decodeRegisterInputs([good, { ...good, id: "" }, { ...good, colour: "red" }])
    const paths = Either.isLeft(result) ? issuesOf(result.left).map((issue) => issue.path.join(".")) : []
    expect(paths).toEqual(["1.id", "2.colour"])
  })
})

describe("ProblemRegister: instances built without their constructor", () => {
  const actorId = Actor.ActorId.make("inspector")
  const source = new Problem.ManualReport({ reference: "12345" })
  const fields = {
    id: Problem.ProblemId.make("p-1"),
    categoryCode: CategoryCode.make("bin-missing"),
    nodeId: NodeId.make("n-1"),
    source,
    description: null,
    evidence: [],
    attributes: { stream: "kitchen" },
    registeredAt: 1_000,
    registeredBy: actorId,
    deadlineAt: 2_000,
    state: "registered" as const,
    assignee: null,
    rectification: null,
    reopenCount: 0,
    closure: null,
    escalations: [],
    version: 1
  }

  const same = <A extends object>(built: A, constructed: A) => {
    expect(Object.getPrototypeOf(built)).toBe(Object.getPrototypeOf(constructed))
    expect(Object.keys(built)).toEqual(Object.keys(constructed))
    expect(JSON.stringify(built)).toBe(JSON.stringify(constructed))
    expect(built).toStrictEqual(constructed)
  }

  it("equal a constructed problem, tagged source and event, fields and JSON in the same order", () => {
    same(Trusted.make(Problem.Problem, fields), new Problem.Problem(fields))
    same(Trusted.make(Problem.ManualReport, { reference: "12345", _tag: "ManualReport" }), source)
    same(
      Trusted.make(Problem.FromInspection, {
        visitId: Problem.VisitId.make("v-1"),
        itemCode: "kitchen-bin",
        _tag: "FromInspection"
      }),
      new Problem.FromInspection({ visitId: Problem.VisitId.make("v-1"), itemCode: "kitchen-bin" })
    )
  })

  it("Lifecycle.register gives what the constructors give, and decoding its JSON gives it back", () => {
    const command = new Lifecycle.Register({
      id: fields.id,
      categoryCode: fields.categoryCode,
      nodeId: fields.nodeId,
      source,
      deadlineAt: 2_000,
      attributes: { stream: "kitchen" }
    })
    const registered = Either.getOrThrow(Lifecycle.register(Option.none(), command, actorId, 1_000))
    same(registered.problem, new Problem.Problem(fields))
    const event = Option.getOrThrow(registered.event)
    const decodedEvent = Schema.decodeUnknownSync(Lifecycle.ProblemEvent)(JSON.parse(JSON.stringify(event)))
    same(event, decodedEvent)
    const decodedProblem = Schema.decodeUnknownSync(Problem.Problem)(JSON.parse(JSON.stringify(registered.problem)))
    same(registered.problem, decodedProblem)
  })

  it("an appended audit entry equals the constructed one, and its hashes are those of its fields", () => {
    const payload = { b: 1, a: [{ d: null, c: "x" }] }
    const plan = Either.getOrThrow(
      Audit.planAppend(
        { head: Audit.emptyHead, existing: [] },
        [
          {
            id: Audit.AuditEntryId.make("e-1"),
            actor: actorId,
            action: "problem.registered",
            subject: "problem:p-1",
            payload
          }
        ],
        5
      )
    )
    const entry = plan.append[0]!
    same(entry, new Audit.AuditEntry({ ...entry }))
    expect(entry.payloadDigest).toBe(Json.digest({ a: [{ c: "x", d: null }], b: 1 }))
    expect(Audit.verify(plan.append, new Audit.AuditHead({ position: 1, hash: entry.hash }))._tag).toBe("Intact")
  })
})

describe("canonical JSON of audit payloads", () => {
  // The text written out piece by piece: keys sorted at every depth, undefined members dropped.
  const reference = (value: unknown): string => {
    if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
    if (Array.isArray(value)) return `[${value.map((item) => reference(item ?? null)).join(",")}]`
    const record = value as Record<string, unknown>
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`)
    return `{${members.join(",")}}`
  }

  it("property: equals the reference text for any JSON value, array-index and __proto__ keys included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(fc.constantFrom("10", "9", "0", "a", "__proto__", "b"), fc.jsonValue(), { maxKeys: 5 })
        ),
        (value) => {
          expect(Json.canonical(value as Json.Json)).toBe(reference(value))
        }
      ),
      { numRuns: 2_000 }
    )
  })
})
