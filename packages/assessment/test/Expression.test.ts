import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Expression from "../src/Expression.js"

const parsed = (formula: string): Expression.NumberExpression =>
  Either.getOrElse(Expression.parse(formula), (error) => expect.fail(`${formula}: ${error.message}`))
const failure = (formula: string): Expression.FormulaError =>
  Either.match(Expression.parse(formula), { onLeft: (error) => error, onRight: () => expect.fail(`parsed ${formula}`) })
const run = (formula: string, values: Record<string, number>) =>
  Expression.evaluate(parsed(formula), (name) => values[name])

describe("Expression.parse", () => {
  it("reads precedence, unary minus, functions and both reference forms", () => {
    expect(Expression.print(parsed("1 + 2 * 3 - -x"))).toBe("1 + 2 * 3 - -x")
    expect(Expression.print(parsed("(1 + 2) * 3"))).toBe("(1 + 2) * 3")
    expect(Expression.print(parsed("a - (b - c)"))).toBe("a - (b - c)")
    expect(Expression.print(parsed("issues.openAtEnd ÷ #{grid.compounds-v2} × 100"))).toBe(
      "issues.openAtEnd / #{grid.compounds-v2} * 100"
    )
    expect(Expression.print(parsed("if(a ≥ 1 and not b == 0 or c < 2, min(a, b, 3), max(1, c))"))).toBe(
      "if(a >= 1 and not b == 0 or c < 2, min(a, b, 3), max(1, c))"
    )
    expect(Expression.print(parsed("#{if} + coalesce(x, 0)"))).toBe("#{if} + coalesce(x, 0)")
  })

  it("reports a bad formula with its position and reason", () => {
    expect(failure("a + ")).toMatchObject({ position: 4, reason: expect.stringContaining("expected a number") })
    expect(failure("a + (b * 2")).toMatchObject({ position: 10, reason: "expected ')', found the end of the formula" })
    expect(failure("a $ b")).toMatchObject({ position: 2, reason: "unexpected character '$'" })
    expect(failure("1 + (a > b)")).toMatchObject({ position: 5, reason: "expected a number, found a condition" })
    expect(failure("if(a, 1, 2)")).toMatchObject({
      position: 3,
      reason: expect.stringContaining("expected a condition")
    })
    expect(failure("a < b < c")).toMatchObject({ position: 6, reason: expect.stringContaining("do not chain") })
    expect(failure("sqrt(a)")).toMatchObject({ position: 0, reason: "unknown function 'sqrt'" })
    expect(failure("if(a > 0, 1)")).toMatchObject({ position: 0, reason: expect.stringContaining("three arguments") })
    expect(failure("a > 1")).toMatchObject({ reason: "expected a number, found a condition" })
    expect(failure("#{a b}")).toMatchObject({ position: 2 })
    expect(failure("min")).toMatchObject({ position: 0, reason: expect.stringContaining("keyword") })
    expect(failure("a b")).toMatchObject({ position: 2, reason: "unexpected 'b'" })
    expect(failure("a + (b").message).toBe("at position 6: expected ')', found the end of the formula")
  })

  // Random formulas: printing then parsing gives the same formula back.
  const name = fc.constantFrom("a", "b", "issues.openAtEnd", "grid.x_1", "if", "odd-id")
  const numberArb: fc.Arbitrary<string> = fc.letrec<{ n: string; c: string }>((tie) => ({
    n: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.integer({ min: 0, max: 1000 }).map(String),
      name.map((n) => (n === "if" || n === "odd-id" ? `#{${n}}` : n)),
      tie("n").map((x) => `-(${x})`),
      fc.tuple(tie("n"), fc.constantFrom("+", "-", "*", "/"), tie("n")).map(([l, o, r]) => `(${l}) ${o} (${r})`),
      fc
        .tuple(fc.constantFrom("min", "max"), fc.array(tie("n"), { minLength: 1, maxLength: 3 }))
        .map(([f, args]) => `${f}(${args.join(", ")})`),
      fc.tuple(tie("c"), tie("n"), tie("n")).map(([c, a, b]) => `if(${c}, ${a}, ${b})`),
      fc.tuple(tie("n"), tie("n")).map(([a, b]) => `coalesce(${a}, ${b})`)
    ),
    c: fc.oneof(
      { depthSize: "small" },
      fc
        .tuple(tie("n"), fc.constantFrom("<", "<=", ">", ">=", "==", "!="), tie("n"))
        .map(([l, o, r]) => `${l} ${o} ${r}`),
      fc.tuple(tie("c"), fc.constantFrom("and", "or"), tie("c")).map(([l, o, r]) => `(${l}) ${o} (${r})`),
      tie("c").map((c) => `not (${c})`)
    )
  })).n

  it("prints what it parses: parse(print(e)) prints as e", () => {
    fc.assert(
      fc.property(numberArb, (formula) => {
        const once = Expression.print(parsed(formula))
        expect(Expression.print(parsed(once))).toBe(once)
      }),
      { numRuns: 500 }
    )
  })

  it("evaluates the printed formula to the same value as the original", () => {
    const values: Record<string, number> = { a: 3, b: -2, "issues.openAtEnd": 7, "grid.x_1": 0, if: 5, "odd-id": 1.5 }
    fc.assert(
      fc.property(numberArb, (formula) => {
        const original = run(formula, values)
        const reprinted = run(Expression.print(parsed(formula)), values)
        expect(reprinted).toStrictEqual(original)
      }),
      { numRuns: 500 }
    )
  })
})

describe("Expression.evaluate", () => {
  it("computes with conditions, extremes and lazy branches", () => {
    expect(run("1 + 2 * 3", {})).toStrictEqual(Either.right(7))
    expect(run("max(a, 2) - min(a, 2)", { a: 5 })).toStrictEqual(Either.right(3))
    expect(run("if(d > 0, n / d, 0)", { n: 3, d: 0 })).toStrictEqual(Either.right(0))
    expect(run("if(a > 1 and not b == 2 or a == 0, 1, 2)", { a: 2, b: 3 })).toStrictEqual(Either.right(1))
  })

  it("makes missing values explicit, listing what was missing", () => {
    expect(run("a + b * c", { b: 1 })).toStrictEqual(Either.left({ missing: ["a", "c"], divisionByZero: false }))
    expect(run("coalesce(a, 0) + b", { b: 2 })).toStrictEqual(Either.right(2))
    expect(run("a / b", { a: 1, b: 0 })).toStrictEqual(Either.left({ missing: [], divisionByZero: true }))
    expect(run("coalesce(a / b, -1)", { a: 1, b: 0 })).toStrictEqual(Either.right(-1))
  })
})

describe("Expression static checks", () => {
  const unguarded = (formula: string, safe: ReadonlyArray<string> = []) =>
    Expression.unguardedDivisions(parsed(formula), (name) => safe.includes(name)).map((division) =>
      Expression.print(division.right)
    )

  it("accepts divisions guarded by a condition, a constant, max or a never-zero element", () => {
    expect(unguarded("if(d > 0, n / d, 0)")).toStrictEqual([])
    expect(unguarded("if(0 < d, n / d, 0)")).toStrictEqual([])
    expect(unguarded("if(d == 0, 0, n / d)")).toStrictEqual([])
    expect(unguarded("if(d != 0 and n > 1, n / d, 0)")).toStrictEqual([])
    expect(unguarded("if(not d <= 0, n / d, 0)")).toStrictEqual([])
    expect(unguarded("if(a + b >= 1, n / (a + b), 0)")).toStrictEqual([])
    expect(unguarded("n / 4 + n / max(d, 1) + n / -2")).toStrictEqual([])
    expect(unguarded("n / d", ["d"])).toStrictEqual([])
  })

  it("flags every division that may be by zero", () => {
    expect(unguarded("n / d")).toStrictEqual(["d"])
    expect(unguarded("if(d > 0, 0, n / d)")).toStrictEqual(["d"])
    expect(unguarded("if(d >= 0, n / d, 0)")).toStrictEqual(["d"])
    expect(unguarded("if(d > 0 or n > 0, n / d, 0)")).toStrictEqual(["d"])
    expect(unguarded("if(e > 0, n / d, 0) + a / (b - c) + 1 / 0")).toStrictEqual(["d", "b - c", "0"])
  })

  it("finds every cycle of references", () => {
    const graph = new Map<string, ReadonlyArray<string>>([
      ["a", ["b", "x"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["d"]],
      ["e", ["a"]]
    ])
    expect(Expression.cycles(graph)).toStrictEqual([["a", "b", "c"], ["d"]])
    expect(
      Expression.cycles(
        new Map([
          ["a", ["b"]],
          ["b", []]
        ])
      )
    ).toStrictEqual([])
  })
})
