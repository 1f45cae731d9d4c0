import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, Schema } from "effect"
import fc from "fast-check"
import * as TransferInputFast from "../src/internal/transferInput.js"
import * as Transfer from "../src/Transfer.js"

// The decode fast path (`Ledger.createTransfers`' hot input) against the full schema decode with the
// options the ledger uses: wherever the fast path answers, the schema accepts the same input and
// decodes it to an equal value; wherever the schema refuses, the fast path does not answer.

const decodeFull = Schema.decodeUnknownEither(Transfer.TransferInput, { errors: "all", onExcessProperty: "error" })

const idCharacters = "abcXYZ019._:-"
const id = fc.oneof(
  fc.constantFrom("budget", "w000001", "t0-000001", "m.1", "A:b_c-d", "x".repeat(128)),
  fc
    .tuple(
      fc.constantFrom(..."aZ09"),
      fc.array(fc.constantFrom(...idCharacters), { maxLength: 20 }).map((chars) => chars.join(""))
    )
    .map(([first, rest]) => first + rest)
)
const code = fc.constantFrom("correct-sorting", "redemption", "a", "a1-b2", "x".repeat(64))
const amount = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constant(Number.MAX_SAFE_INTEGER))
const flags = fc.record(
  { linked: fc.boolean(), pending: fc.boolean(), postPending: fc.boolean(), voidPending: fc.boolean() },
  { requiredKeys: [] }
)

/** Inputs the schema accepts: every field present with a valid value, or left out, or null where allowed. */
const validInput = fc.record(
  {
    id,
    debitAccountId: fc.option(id),
    creditAccountId: fc.option(id),
    amount: fc.option(amount),
    pendingId: fc.option(id),
    reversesId: fc.option(id),
    ledger: fc.option(id),
    code: fc.option(code),
    sourceReference: fc.option(fc.string({ minLength: 1, maxLength: 256 })),
    flags,
    timeoutSeconds: fc.integer({ min: 0, max: 2 ** 31 - 1 })
  },
  { requiredKeys: ["id"] }
)

/** Values that are wrong somewhere: for ids, codes, amounts, flags, timeouts, or anything at all. */
const wrongValue = fc.oneof(
  fc.constantFrom(
    "",
    "-leading",
    "has space",
    "x".repeat(129),
    "Upper-Case",
    "double--dash",
    "trailing-",
    0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.MAX_SAFE_INTEGER + 1,
    2 ** 31,
    -0,
    "12",
    true,
    null,
    undefined,
    [],
    {},
    { linked: "yes" },
    { extra: true },
    new Date(0),
    "x".repeat(257),
    "a".repeat(65)
  ),
  fc.string({ maxLength: 300 }),
  fc.integer({ min: -10, max: 2 ** 31 + 10 }),
  fc.double(),
  fc.anything()
)
const fieldNames = [
  "id",
  "debitAccountId",
  "creditAccountId",
  "amount",
  "pendingId",
  "reversesId",
  "ledger",
  "code",
  "sourceReference",
  "flags",
  "timeoutSeconds"
] as const

const nearId = fc.oneof(
  fc.constantFrom("", "x".repeat(128), "x".repeat(129), "-a", "a b"),
  fc.string({ maxLength: 140 })
)

/** For each field, values at and around the edges of what it allows, valid or not. */
const edges: { readonly [field in (typeof fieldNames)[number]]: fc.Arbitrary<unknown> } = {
  id: nearId,
  debitAccountId: nearId,
  creditAccountId: nearId,
  pendingId: nearId,
  reversesId: nearId,
  ledger: nearId,
  code: fc.oneof(
    fc.constantFrom("a".repeat(64), "a".repeat(65), "A", "a--b", "-a", "a-", "1a", "a_b"),
    fc.string({ maxLength: 70 })
  ),
  amount: fc.oneof(
    fc.constantFrom(0, -1, 1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, Number.NaN, "5"),
    fc.integer({ min: -5, max: 5 }),
    fc.double()
  ),
  sourceReference: fc.oneof(fc.constantFrom("", "x", "x".repeat(256), "x".repeat(257)), fc.string({ maxLength: 300 })),
  flags: fc.oneof(
    flags,
    fc.dictionary(fc.constantFrom("linked", "pending", "postPending", "voidPending", "other"), wrongValue)
  ),
  timeoutSeconds: fc.oneof(
    fc.constantFrom(-1, 0, 2 ** 31 - 1, 2 ** 31, 1.5, null, "1"),
    fc.integer({ min: 2 ** 31 - 3, max: 2 ** 31 + 3 })
  )
}

/** A valid input with one change: a field set to a wrong value, an excess field, or a non-plain object. */
const mutatedInput = fc.oneof(
  fc
    .tuple(validInput, fc.constantFrom(...fieldNames), wrongValue)
    .map(([input, field, value]): unknown => ({ ...input, [field]: value })),
  fc
    .constantFrom(...fieldNames)
    .chain((field) => fc.tuple(validInput, fc.constant(field), edges[field]))
    .map(([input, field, value]): unknown => ({ ...input, [field]: value })),
  fc
    .constantFrom(...fieldNames)
    .chain((field) => fc.tuple(validInput, fc.constant(field), edges[field]))
    .map(([input, field, value]): unknown => ({ ...input, [field]: value })),
  fc
    .tuple(validInput, fc.constantFrom("extra", "timestamp", "__proto__x", "constructor"), fc.anything())
    .map(([input, key, value]): unknown => ({ ...input, [key]: value })),
  fc
    .tuple(validInput, fc.constantFrom("linked", "pending", "postPending", "voidPending", "other"), wrongValue)
    .map(([input, flag, value]): unknown => ({ ...input, flags: { ...input.flags, [flag]: value } })),
  validInput.map((input): unknown => Object.assign(Object.create({ inherited: true }), input)),
  validInput.map((input): unknown => Object.assign(Object.create(null), input)),
  validInput.map((input): unknown => [input]),
  fc.anything()
)

const plain = (input: Transfer.TransferInput) => ({ ...input, flags: { ...input.flags } })

describe("the transfer decode fast path", () => {
  it("decodes every valid input, to the value the schema decodes", () => {
    fc.assert(
      fc.property(validInput, (input) => {
        const fast = TransferInputFast.decode(input)
        const full = decodeFull(input)
        expect(Either.isRight(full)).toBe(true)
        expect(fast).toBeInstanceOf(Transfer.TransferInput)
        expect(fast?.flags).toBeInstanceOf(Transfer.TransferFlags)
        if (fast !== undefined && Either.isRight(full)) {
          expect(plain(fast)).toEqual(plain(full.right))
          expect(Equal.equals(fast, full.right)).toBe(true)
        }
      }),
      { numRuns: 2_000 }
    )
  })

  it("answers only where the schema accepts, and then with the schema's value", () => {
    let refused = 0
    fc.assert(
      fc.property(mutatedInput, (input) => {
        const fast = TransferInputFast.decode(input)
        const full = decodeFull(input)
        if (Either.isLeft(full)) {
          refused += 1
          expect(fast).toBeUndefined()
        } else if (fast !== undefined) {
          expect(plain(fast)).toEqual(plain(full.right))
        }
      }),
      { numRuns: 10_000 }
    )
    // The generator mostly makes inputs the schema refuses: the property was tested on them.
    expect(refused).toBeGreaterThan(3_000)
  })
})
