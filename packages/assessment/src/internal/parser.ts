/**
 * A hand-written recursive-descent parser for formulas (no `eval`, no generated tables). Each
 * function returns a node or a `Failure` with the offset and the reason; the first failure wins.
 */
import type * as Ast from "../Ast.js"
import { isCondition } from "../Ast.js"

export interface Failure {
  readonly _tag: "Failure"
  readonly position: number
  readonly reason: string
}

const fail = (position: number, reason: string): Failure => ({ _tag: "Failure", position, reason })
const isFailure = (value: unknown): value is Failure =>
  typeof value === "object" && value !== null && "_tag" in value && value._tag === "Failure"

type TokenKind = "number" | "name" | "reference" | "operator" | "(" | ")" | "," | "end"

interface Token {
  readonly kind: TokenKind
  readonly text: string
  readonly start: number
  readonly end: number
}

/** Unicode operators people type in Chinese documents, mapped to their ASCII spelling. */
const aliases: Readonly<Record<string, string>> = { "×": "*", "÷": "/", "−": "-", "≤": "<=", "≥": ">=", "≠": "!=" }
const twoCharOperators = new Set(["<=", ">=", "==", "!="])
const oneCharOperators = new Set(["+", "-", "*", "/", "<", ">"])
const comparisonOperators: ReadonlyArray<Ast.ComparisonOperator> = ["<", "<=", ">", ">=", "==", "!="]
export const keywords = new Set(["and", "or", "not", "if", "min", "max", "coalesce"])

const numberPattern = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/
const namePattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

const tokenize = (text: string): ReadonlyArray<Token> | Failure => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const char = text[i] ?? ""
    if (/\s/.test(char)) {
      i++
      continue
    }
    const rest = text.slice(i)
    const number = numberPattern.exec(rest)
    if (number !== null) {
      tokens.push({ kind: "number", text: number[0], start: i, end: i + number[0].length })
      i += number[0].length
      continue
    }
    const name = namePattern.exec(rest)
    if (name !== null) {
      tokens.push({ kind: "name", text: name[0], start: i, end: i + name[0].length })
      i += name[0].length
      continue
    }
    if (rest.startsWith("#{")) {
      const close = rest.indexOf("}")
      if (close < 0) return fail(i, "unterminated reference: expected '}'")
      const id = rest.slice(2, close)
      if (!idPattern.test(id)) return fail(i + 2, `'${id}' is not an element or indicator id`)
      tokens.push({ kind: "reference", text: id, start: i, end: i + close + 1 })
      i += close + 1
      continue
    }
    const pair = rest.slice(0, 2)
    if (twoCharOperators.has(pair)) {
      tokens.push({ kind: "operator", text: pair, start: i, end: i + 2 })
      i += 2
      continue
    }
    const single = aliases[char] ?? char
    if (oneCharOperators.has(single) || twoCharOperators.has(single)) {
      tokens.push({ kind: "operator", text: single, start: i, end: i + 1 })
      i++
      continue
    }
    if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: char, text: char, start: i, end: i + 1 })
      i++
      continue
    }
    return fail(i, `unexpected character '${char}'`)
  }
  tokens.push({ kind: "end", text: "end of formula", start: text.length, end: text.length })
  return tokens
}

const describe = (token: Token): string => (token.kind === "end" ? "the end of the formula" : `'${token.text}'`)

/** Parses a whole formula into a number expression. */
export const parse = (text: string): Ast.NumberExpression | Failure => {
  const tokens = tokenize(text)
  if (isFailure(tokens)) return tokens
  let index = 0
  const peek = (): Token => tokens[Math.min(index, tokens.length - 1)] ?? { kind: "end", text: "", start: 0, end: 0 }
  const advance = (): Token => {
    const token = peek()
    index++
    return token
  }
  const isWord = (word: string) => peek().kind === "name" && peek().text === word
  const isOperator = (...operators: ReadonlyArray<string>) =>
    peek().kind === "operator" && operators.includes(peek().text)
  const expect = (kind: TokenKind, what: string): Token | Failure =>
    peek().kind === kind ? advance() : fail(peek().start, `expected ${what}, found ${describe(peek())}`)

  const asNumber = (node: Ast.Node): Ast.NumberExpression | Failure =>
    isCondition(node) ? fail(node.start, "expected a number, found a condition") : node
  const asCondition = (node: Ast.Node): Ast.Condition | Failure =>
    isCondition(node) ? node : fail(node.start, "expected a condition (a comparison), found a number")

  const or = (): Ast.Node | Failure => {
    let left = and()
    while (!isFailure(left) && isWord("or")) {
      advance()
      const right = and()
      left = logical("or", left, right)
    }
    return left
  }
  const and = (): Ast.Node | Failure => {
    let left = not()
    while (!isFailure(left) && isWord("and")) {
      advance()
      const right = not()
      left = logical("and", left, right)
    }
    return left
  }
  const logical = (operator: "and" | "or", leftNode: Ast.Node, rightNode: Ast.Node | Failure) => {
    if (isFailure(rightNode)) return rightNode
    const left = asCondition(leftNode)
    if (isFailure(left)) return left
    const right = asCondition(rightNode)
    if (isFailure(right)) return right
    return { _tag: "Logical", operator, left, right, start: left.start, end: right.end } satisfies Ast.Logical
  }
  const not = (): Ast.Node | Failure => {
    if (!isWord("not")) return comparison()
    const start = advance().start
    const operandNode = not()
    if (isFailure(operandNode)) return operandNode
    const operand = asCondition(operandNode)
    if (isFailure(operand)) return operand
    return { _tag: "Not", operand, start, end: operand.end } satisfies Ast.Not
  }
  const comparison = (): Ast.Node | Failure => {
    const leftNode = additive()
    if (isFailure(leftNode) || !isOperator(...comparisonOperators)) return leftNode
    const token = advance()
    const rightNode = additive()
    if (isFailure(rightNode)) return rightNode
    const left = asNumber(leftNode)
    if (isFailure(left)) return left
    const right = asNumber(rightNode)
    if (isFailure(right)) return right
    if (isOperator(...comparisonOperators)) {
      return fail(peek().start, "comparisons do not chain: combine them with 'and'")
    }
    const operator = comparisonOperators.find((candidate) => candidate === token.text) ?? "=="
    return { _tag: "Comparison", operator, left, right, start: left.start, end: right.end } satisfies Ast.Comparison
  }
  const binary =
    (operators: ReadonlyArray<Ast.ArithmeticOperator>, operand: () => Ast.Node | Failure) => (): Ast.Node | Failure => {
      let leftNode = operand()
      while (!isFailure(leftNode) && isOperator(...operators)) {
        const text = advance().text
        const operator = operators.find((candidate) => candidate === text) ?? "+"
        const rightNode = operand()
        if (isFailure(rightNode)) return rightNode
        const left = asNumber(leftNode)
        if (isFailure(left)) return left
        const right = asNumber(rightNode)
        if (isFailure(right)) return right
        leftNode = { _tag: "Arithmetic", operator, left, right, start: left.start, end: right.end }
      }
      return leftNode
    }
  const unary = (): Ast.Node | Failure => {
    if (!isOperator("-")) return primary()
    const start = advance().start
    const operandNode = unary()
    if (isFailure(operandNode)) return operandNode
    const operand = asNumber(operandNode)
    if (isFailure(operand)) return operand
    return { _tag: "Negate", operand, start, end: operand.end } satisfies Ast.Negate
  }
  const multiplicative = binary(["*", "/"], unary)
  const additive = binary(["+", "-"], multiplicative)

  /** Number arguments up to and including the closing ')'; the '(' (and any leading ones) are read. */
  const restArguments = (name: string, start: number): ReadonlyArray<Ast.NumberExpression> | Failure => {
    const args: Array<Ast.NumberExpression> = []
    for (;;) {
      const node = or()
      if (isFailure(node)) return node
      const arg = asNumber(node)
      if (isFailure(arg)) return arg
      args.push(arg)
      if (peek().kind === ",") {
        advance()
        continue
      }
      const close = expect(")", `',' or ')' in ${name}(…) opened at ${start}`)
      return isFailure(close) ? close : args
    }
  }
  const numberArguments = (name: string, start: number): ReadonlyArray<Ast.NumberExpression> | Failure => {
    const open = expect("(", `'(' after ${name}`)
    return isFailure(open) ? open : restArguments(name, start)
  }
  const call = (name: Token): Ast.Node | Failure => {
    const start = name.start
    if (name.text === "if") {
      const open = expect("(", "'(' after if")
      if (isFailure(open)) return open
      const conditionNode = or()
      if (isFailure(conditionNode)) return conditionNode
      const condition = asCondition(conditionNode)
      if (isFailure(condition)) return condition
      const comma = expect(",", "',' after the condition of if")
      if (isFailure(comma)) return comma
      const rest = restArguments("if", start)
      if (isFailure(rest)) return rest
      const [then, otherwise] = rest
      if (then === undefined || otherwise === undefined || rest.length !== 2) {
        return fail(start, "if takes three arguments: if(condition, then, otherwise)")
      }
      return { _tag: "If", condition, then, otherwise, start, end: tokens[index - 1]?.end ?? start }
    }
    if (name.text === "coalesce") {
      const args = numberArguments("coalesce", start)
      if (isFailure(args)) return args
      const [value, fallback] = args
      if (value === undefined || fallback === undefined || args.length !== 2) {
        return fail(start, "coalesce takes two arguments: coalesce(value, fallback)")
      }
      return { _tag: "Coalesce", value, fallback, start, end: tokens[index - 1]?.end ?? start }
    }
    const fn = name.text === "min" ? "min" : "max"
    const args = numberArguments(fn, start)
    if (isFailure(args)) return args
    return { _tag: "Extremum", function: fn, args, start, end: tokens[index - 1]?.end ?? start }
  }
  const primary = (): Ast.Node | Failure => {
    const token = peek()
    switch (token.kind) {
      case "number": {
        advance()
        const value = Number(token.text)
        if (!Number.isFinite(value)) return fail(token.start, `${token.text} is too large`)
        return { _tag: "Literal", value, start: token.start, end: token.end }
      }
      case "reference":
        advance()
        return { _tag: "Reference", name: token.text, start: token.start, end: token.end }
      case "name": {
        advance()
        if (keywords.has(token.text)) {
          if (token.text === "and" || token.text === "or" || token.text === "not" || peek().kind !== "(") {
            return fail(token.start, `'${token.text}' is a keyword here: write #{${token.text}} to refer to an id`)
          }
          return call(token)
        }
        if (peek().kind === "(") return fail(token.start, `unknown function '${token.text}'`)
        return { _tag: "Reference", name: token.text, start: token.start, end: token.end }
      }
      case "(": {
        advance()
        const inner = or()
        if (isFailure(inner)) return inner
        const close = expect(")", "')'")
        return isFailure(close) ? close : inner
      }
      default:
        return fail(token.start, `expected a number, a reference or '(', found ${describe(token)}`)
    }
  }

  const node = or()
  if (isFailure(node)) return node
  if (peek().kind !== "end") return fail(peek().start, `unexpected ${describe(peek())}`)
  return asNumber(node)
}

export { isFailure }
