/**
 * Formulas: a small, safe expression language for indicators, parsed by hand into a typed AST and
 * evaluated by walking it — never `eval`.
 *
 * Syntax, loosest binding first:
 *
 * | form | meaning |
 * |---|---|
 * | `a or b`, `a and b`, `not a` | conditions (`and` binds tighter than `or`) |
 * | `a < b`, `<=`, `>`, `>=`, `==`, `!=` (also `≤ ≥ ≠`) | comparisons; they do not chain |
 * | `a + b`, `a - b` (also `−`) | addition, subtraction |
 * | `a * b`, `a / b` (also `× ÷`) | multiplication, division |
 * | `-a` | negation |
 * | `12`, `0.5`, `1e3` | numeric constants |
 * | `issues.openPerCompound` | a reference: letters, digits and `_` in dot-separated parts |
 * | `#{grid.duty-presence:am}` | a reference to any id (ids with `-` or `:`, or named like a keyword) |
 * | `min(a, b, …)`, `max(a, b, …)` | the least / greatest of one or more numbers |
 * | `if(condition, then, otherwise)` | `then` when the condition holds, else `otherwise` (only the branch taken is evaluated) |
 * | `coalesce(a, fallback)` | `a`, or `fallback` when `a` has no value |
 *
 * Conditions and numbers are different types: `1 + (a > b)` and `if(a, 1, 2)` are rejected with
 * the offending position. A reference names a data element or another indicator.
 *
 * Missing values are explicit: a formula that reads a value the unit does not have yields no value
 * (listing what was missing), and so does a division by zero — unless `coalesce` says what to use.
 *
 * @since 0.1.0
 */
import { Either, Schema } from "effect"
import type * as Ast from "./Ast.js"
import * as Parser from "./internal/parser.js"

/**
 * A formula that yields a number.
 *
 * @since 0.1.0
 * @category models
 */
export type NumberExpression = Ast.NumberExpression

/**
 * A formula part that yields true or false (the test of an `if`).
 *
 * @since 0.1.0
 * @category models
 */
export type Condition = Ast.Condition

/**
 * Any formula node.
 *
 * @since 0.1.0
 * @category models
 */
export type Node = Ast.Node

/**
 * A formula that cannot be parsed: `position` is the offset (from 0) in `formula` where reading
 * failed and `reason` says what was expected there.
 *
 * @since 0.1.0
 * @category errors
 */
export class FormulaError extends Schema.TaggedError<FormulaError>()("FormulaError", {
  formula: Schema.String,
  position: Schema.Int,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `at position ${this.position}: ${this.reason}`
  }
}

/**
 * Parses a formula.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (formula: string): Either.Either<NumberExpression, FormulaError> => {
  const result = Parser.parse(formula)
  return Parser.isFailure(result)
    ? Either.left(new FormulaError({ formula, position: result.position, reason: result.reason }))
    : Either.right(result)
}

const precedence = (node: Node): number => {
  switch (node._tag) {
    case "Logical":
      return node.operator === "or" ? 1 : 2
    case "Not":
      return 3
    case "Comparison":
      return 4
    case "Arithmetic":
      return node.operator === "+" || node.operator === "-" ? 5 : 6
    case "Negate":
      return 7
    default:
      return 8
  }
}

const referenceText = (name: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/.test(name) && !Parser.keywords.has(name) ? name : `#{${name}}`

/**
 * The formula as text, with only the parentheses it needs: `parse(print(e))` gives `e` back
 * (up to spans), and equal formulas print equally.
 *
 * @since 0.1.0
 * @category printing
 */
export const print = (node: Node): string => {
  const wrap = (child: Node, needsParentheses: boolean) => (needsParentheses ? `(${print(child)})` : print(child))
  switch (node._tag) {
    case "Literal":
      return String(node.value)
    case "Reference":
      return referenceText(node.name)
    case "Negate":
      return `-${wrap(node.operand, precedence(node.operand) < 7)}`
    case "Not":
      return `not ${wrap(node.operand, precedence(node.operand) < 3)}`
    case "Arithmetic":
    case "Comparison":
    case "Logical": {
      const own = precedence(node)
      const left = wrap(node.left, precedence(node.left) < own)
      const right = wrap(node.right, precedence(node.right) <= own)
      return `${left} ${node.operator} ${right}`
    }
    case "Extremum":
      return `${node.function}(${node.args.map((arg) => print(arg)).join(", ")})`
    case "If":
      return `if(${print(node.condition)}, ${print(node.then)}, ${print(node.otherwise)})`
    case "Coalesce":
      return `coalesce(${print(node.value)}, ${print(node.fallback)})`
  }
}

const children = (node: Node): ReadonlyArray<Node> => {
  switch (node._tag) {
    case "Literal":
    case "Reference":
      return []
    case "Negate":
    case "Not":
      return [node.operand]
    case "Arithmetic":
    case "Comparison":
    case "Logical":
      return [node.left, node.right]
    case "Extremum":
      return node.args
    case "If":
      return [node.condition, node.then, node.otherwise]
    case "Coalesce":
      return [node.value, node.fallback]
  }
}

/**
 * Every reference in a formula, in order of appearance (repeats included, with their spans).
 *
 * @since 0.1.0
 * @category analysis
 */
export const references = (node: Node): ReadonlyArray<Ast.Reference> =>
  node._tag === "Reference" ? [node] : children(node).flatMap(references)

// --- evaluation -----------------------------------------------------------------------------------

/**
 * Why a formula has no value: the references that had none (sorted, without repeats), and whether
 * a division by zero happened.
 *
 * @since 0.1.0
 * @category evaluation
 */
export interface Unavailable {
  readonly missing: ReadonlyArray<string>
  readonly divisionByZero: boolean
}

interface Trace {
  missing: Set<string>
  divisionByZero: boolean
}

const compare = (operator: Ast.ComparisonOperator, left: number, right: number): boolean => {
  switch (operator) {
    case "<":
      return left < right
    case "<=":
      return left <= right
    case ">":
      return left > right
    case ">=":
      return left >= right
    case "==":
      return left === right
    case "!=":
      return left !== right
  }
}

const arithmetic = (operator: Ast.ArithmeticOperator, left: number, right: number): number => {
  switch (operator) {
    case "+":
      return left + right
    case "-":
      return left - right
    case "*":
      return left * right
    case "/":
      return left / right
  }
}

// `undefined` means "no value"; why is recorded in the trace, so the walk allocates nothing else.
const numberOf = (
  node: NumberExpression,
  lookup: (name: string) => number | undefined,
  trace: Trace
): number | undefined => {
  switch (node._tag) {
    case "Literal":
      return node.value
    case "Reference": {
      const value = lookup(node.name)
      if (value === undefined) trace.missing.add(node.name)
      return value
    }
    case "Negate": {
      const value = numberOf(node.operand, lookup, trace)
      return value === undefined ? undefined : -value
    }
    case "Arithmetic": {
      const left = numberOf(node.left, lookup, trace)
      const right = numberOf(node.right, lookup, trace)
      if (left === undefined || right === undefined) return undefined
      if (node.operator === "/" && right === 0) {
        trace.divisionByZero = true
        return undefined
      }
      return arithmetic(node.operator, left, right)
    }
    case "Extremum": {
      let result: number | undefined
      let complete = true
      for (const arg of node.args) {
        const value = numberOf(arg, lookup, trace)
        if (value === undefined) complete = false
        else if (result === undefined || (node.function === "min" ? value < result : value > result)) result = value
      }
      return complete ? result : undefined
    }
    case "If": {
      const condition = truthOf(node.condition, lookup, trace)
      if (condition === undefined) return undefined
      return numberOf(condition ? node.then : node.otherwise, lookup, trace)
    }
    case "Coalesce": {
      const inner: Trace = { missing: new Set(), divisionByZero: false }
      const value = numberOf(node.value, lookup, inner)
      return value === undefined ? numberOf(node.fallback, lookup, trace) : value
    }
  }
}

const truthOf = (node: Condition, lookup: (name: string) => number | undefined, trace: Trace): boolean | undefined => {
  switch (node._tag) {
    case "Comparison": {
      const left = numberOf(node.left, lookup, trace)
      const right = numberOf(node.right, lookup, trace)
      return left === undefined || right === undefined ? undefined : compare(node.operator, left, right)
    }
    case "Logical": {
      // Both sides are read, so a missing value is reported even when the other side would decide.
      const left = truthOf(node.left, lookup, trace)
      const right = truthOf(node.right, lookup, trace)
      if (left === undefined || right === undefined) return undefined
      return node.operator === "and" ? left && right : left || right
    }
    case "Not": {
      const value = truthOf(node.operand, lookup, trace)
      return value === undefined ? undefined : !value
    }
  }
}

/**
 * Evaluates a formula over a value lookup (`undefined` for a reference that has no value). A
 * result that is not a finite number (an overflow) counts as no value.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate = (
  formula: NumberExpression,
  lookup: (name: string) => number | undefined
): Either.Either<number, Unavailable> => {
  const trace: Trace = { missing: new Set(), divisionByZero: false }
  const value = numberOf(formula, lookup, trace)
  return value !== undefined && Number.isFinite(value)
    ? Either.right(value)
    : Either.left({ missing: [...trace.missing].sort(), divisionByZero: trace.divisionByZero })
}

// --- compilation ----------------------------------------------------------------------------------

/**
 * A formula compiled to a closure over a slot array: `values[k]` is the value of the reference the
 * formula was compiled to read at slot `k` (`undefined`: no value). It returns the same number as
 * {@link evaluate} and `undefined` exactly when `evaluate` gives no value, without saying why —
 * ask `evaluate` for that (only needed when there is no value).
 *
 * @since 0.1.0
 * @category evaluation
 */
export type Compiled = (values: ReadonlyArray<number | undefined>) => number | undefined

type Slots = ReadonlyArray<number | undefined>

// One closure per operator, so the operator is not dispatched on for every unit.
const compileArithmetic = (operator: Ast.ArithmeticOperator, left: Compiled, right: Compiled): Compiled => {
  switch (operator) {
    case "+":
      return (values) => {
        const a = left(values)
        const b = right(values)
        return a === undefined || b === undefined ? undefined : a + b
      }
    case "-":
      return (values) => {
        const a = left(values)
        const b = right(values)
        return a === undefined || b === undefined ? undefined : a - b
      }
    case "*":
      return (values) => {
        const a = left(values)
        const b = right(values)
        return a === undefined || b === undefined ? undefined : a * b
      }
    case "/":
      return (values) => {
        const a = left(values)
        const b = right(values)
        return a === undefined || b === undefined || b === 0 ? undefined : a / b
      }
  }
}

const compileNumber = (node: NumberExpression, slotOf: (name: string) => number): Compiled => {
  switch (node._tag) {
    case "Literal": {
      const value = node.value
      return () => value
    }
    case "Reference": {
      const slot = slotOf(node.name)
      return (values) => values[slot]
    }
    case "Negate": {
      const operand = compileNumber(node.operand, slotOf)
      return (values) => {
        const value = operand(values)
        return value === undefined ? undefined : -value
      }
    }
    case "Arithmetic":
      return compileArithmetic(node.operator, compileNumber(node.left, slotOf), compileNumber(node.right, slotOf))
    case "Extremum": {
      const args = node.args.map((arg) => compileNumber(arg, slotOf))
      const least = node.function === "min"
      return (values) => {
        let result: number | undefined
        for (const arg of args) {
          const value = arg(values)
          if (value === undefined) return undefined
          if (result === undefined || (least ? value < result : value > result)) result = value
        }
        return result
      }
    }
    case "If": {
      const condition = compileCondition(node.condition, slotOf)
      const then = compileNumber(node.then, slotOf)
      const otherwise = compileNumber(node.otherwise, slotOf)
      return (values) => {
        const truth = condition(values)
        return truth === undefined ? undefined : truth ? then(values) : otherwise(values)
      }
    }
    case "Coalesce": {
      const value = compileNumber(node.value, slotOf)
      const fallback = compileNumber(node.fallback, slotOf)
      return (values) => value(values) ?? fallback(values)
    }
  }
}

const compileCondition = (
  node: Condition,
  slotOf: (name: string) => number
): ((values: Slots) => boolean | undefined) => {
  switch (node._tag) {
    case "Comparison": {
      const left = compileNumber(node.left, slotOf)
      const right = compileNumber(node.right, slotOf)
      const operator = node.operator
      return (values) => {
        const a = left(values)
        const b = right(values)
        return a === undefined || b === undefined ? undefined : compare(operator, a, b)
      }
    }
    case "Logical": {
      // Both sides are read, as `evaluate` does: a missing value is missing whatever the other side says.
      const left = compileCondition(node.left, slotOf)
      const right = compileCondition(node.right, slotOf)
      const and = node.operator === "and"
      return (values) => {
        const a = left(values)
        const b = right(values)
        return a === undefined || b === undefined ? undefined : and ? a && b : a || b
      }
    }
    case "Not": {
      const operand = compileCondition(node.operand, slotOf)
      return (values) => {
        const value = operand(values)
        return value === undefined ? undefined : !value
      }
    }
  }
}

/**
 * Compiles a formula once (per scheme) into a closure, so scoring a unit runs no tree walk and
 * allocates nothing. `slotOf` gives the slot each referenced name is read from. A result that is
 * not a finite number counts as no value, as in {@link evaluate}; equality with `evaluate` is a
 * property test.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const compile = (formula: NumberExpression, slotOf: (name: string) => number): Compiled => {
  const run = compileNumber(formula, slotOf)
  return (values) => {
    const value = run(values)
    return value !== undefined && Number.isFinite(value) ? value : undefined
  }
}

// --- static checks --------------------------------------------------------------------------------

const flip: Readonly<Record<Ast.ComparisonOperator, Ast.ComparisonOperator>> = {
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
  "==": "==",
  "!=": "!="
}
const negation: Readonly<Record<Ast.ComparisonOperator, Ast.ComparisonOperator>> = {
  "<": ">=",
  "<=": ">",
  ">": "<=",
  ">=": "<",
  "==": "!=",
  "!=": "=="
}

/** Whether `x operator c` (for the constant c) rules out x = 0. */
const excludesZero = (operator: Ast.ComparisonOperator, c: number): boolean => {
  switch (operator) {
    case ">":
      return c >= 0
    case ">=":
      return c > 0
    case "<":
      return c <= 0
    case "<=":
      return c < 0
    case "==":
      return c !== 0
    case "!=":
      return c === 0
  }
}

/** The expressions (as printed text) a condition proves non-zero when it has the given truth. */
const nonZeroWhen = (condition: Condition, truth: boolean): ReadonlyArray<string> => {
  switch (condition._tag) {
    case "Not":
      return nonZeroWhen(condition.operand, !truth)
    case "Logical":
      // `a and b` true (or `a or b` false) makes both sides hold; the other cases prove nothing.
      return (condition.operator === "and") === truth
        ? [...nonZeroWhen(condition.left, truth), ...nonZeroWhen(condition.right, truth)]
        : []
    case "Comparison": {
      const operator = truth ? condition.operator : negation[condition.operator]
      if (condition.right._tag === "Literal" && excludesZero(operator, condition.right.value)) {
        return [print(condition.left)]
      }
      if (condition.left._tag === "Literal" && excludesZero(flip[operator], condition.left.value)) {
        return [print(condition.right)]
      }
      return []
    }
  }
}

const positive = (node: NumberExpression): boolean =>
  (node._tag === "Literal" && node.value > 0) ||
  (node._tag === "Extremum" && (node.function === "max" ? node.args.some(positive) : node.args.every(positive)))

/**
 * The divisions whose denominator may be zero: neither a non-zero constant, nor a reference that
 * `neverZero` vouches for, nor `max(…, c)` with a positive constant, nor guarded by an enclosing
 * `if` whose condition rules zero out on the branch taken (`if(d > 0, n / d, 0)`,
 * `if(d == 0, 0, n / d)`, `if(d != 0 and n > 1, n / d, 0)`). The guard must test the denominator
 * exactly as it is written in the division.
 *
 * @since 0.1.0
 * @category analysis
 */
export const unguardedDivisions = (
  formula: NumberExpression,
  neverZero: (name: string) => boolean
): ReadonlyArray<Ast.Arithmetic> => {
  const found: Array<Ast.Arithmetic> = []
  const safe = (denominator: NumberExpression, facts: ReadonlySet<string>): boolean =>
    (denominator._tag === "Literal" && denominator.value !== 0) ||
    (denominator._tag === "Reference" && neverZero(denominator.name)) ||
    (denominator._tag === "Negate" && safe(denominator.operand, facts)) ||
    (denominator._tag === "Arithmetic" &&
      (denominator.operator === "*" || denominator.operator === "/") &&
      safe(denominator.left, facts) &&
      safe(denominator.right, facts)) ||
    positive(denominator) ||
    facts.has(print(denominator))
  const walk = (node: Node, facts: ReadonlySet<string>): void => {
    if (node._tag === "If") {
      walk(node.condition, facts)
      walk(node.then, new Set([...facts, ...nonZeroWhen(node.condition, true)]))
      walk(node.otherwise, new Set([...facts, ...nonZeroWhen(node.condition, false)]))
      return
    }
    if (node._tag === "Arithmetic" && node.operator === "/" && !safe(node.right, facts)) found.push(node)
    for (const child of children(node)) walk(child, facts)
  }
  walk(formula, new Set())
  return found
}

/**
 * The cycles in a reference graph (id → the ids it refers to): each group of ids that refer to
 * one another, directly or through others (a strongly connected component), sorted, groups in
 * order of their least id. An id that refers to itself is a group of one. Linear in the graph.
 *
 * @since 0.1.0
 * @category analysis
 */
export const cycles = (graph: ReadonlyMap<string, ReadonlyArray<string>>): ReadonlyArray<ReadonlyArray<string>> => {
  // Tarjan's algorithm; graphs are a scheme's indicators, so recursion depth is no concern.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const groups: Array<ReadonlyArray<string>> = []
  const visit = (id: string): void => {
    index.set(id, index.size)
    low.set(id, index.get(id) ?? 0)
    stack.push(id)
    onStack.add(id)
    for (const next of graph.get(id) ?? []) {
      if (!graph.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(id, Math.min(low.get(id) ?? 0, low.get(next) ?? 0))
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) ?? 0, index.get(next) ?? 0))
      }
    }
    if (low.get(id) !== index.get(id)) return
    const group: Array<string> = []
    for (;;) {
      const member = stack.pop()
      if (member === undefined) break
      onStack.delete(member)
      group.push(member)
      if (member === id) break
    }
    if (group.length > 1 || (graph.get(id) ?? []).includes(id)) groups.push(group.sort())
  }
  for (const id of [...graph.keys()].sort()) if (!index.has(id)) visit(id)
  return groups.sort((a, b) => ((a[0] ?? "") < (b[0] ?? "") ? -1 : 1))
}
