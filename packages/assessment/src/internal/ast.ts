/**
 * The formula AST. Numbers and conditions are separate types, so a condition can never be added
 * and a number can never be the test of an `if`: the parser rejects such formulas with a position.
 * Every node keeps its span (`start` inclusive, `end` exclusive, offsets into the formula text).
 */

export interface Span {
  readonly start: number
  readonly end: number
}

export interface Literal extends Span {
  readonly _tag: "Literal"
  readonly value: number
}

export interface Reference extends Span {
  readonly _tag: "Reference"
  readonly name: string
}

export interface Negate extends Span {
  readonly _tag: "Negate"
  readonly operand: NumberExpression
}

export type ArithmeticOperator = "+" | "-" | "*" | "/"

export interface Arithmetic extends Span {
  readonly _tag: "Arithmetic"
  readonly operator: ArithmeticOperator
  readonly left: NumberExpression
  readonly right: NumberExpression
}

export interface Extremum extends Span {
  readonly _tag: "Extremum"
  readonly function: "min" | "max"
  readonly args: ReadonlyArray<NumberExpression>
}

export interface If extends Span {
  readonly _tag: "If"
  readonly condition: Condition
  readonly then: NumberExpression
  readonly otherwise: NumberExpression
}

export interface Coalesce extends Span {
  readonly _tag: "Coalesce"
  readonly value: NumberExpression
  readonly fallback: NumberExpression
}

export type NumberExpression = Literal | Reference | Negate | Arithmetic | Extremum | If | Coalesce

export type ComparisonOperator = "<" | "<=" | ">" | ">=" | "==" | "!="

export interface Comparison extends Span {
  readonly _tag: "Comparison"
  readonly operator: ComparisonOperator
  readonly left: NumberExpression
  readonly right: NumberExpression
}

export interface Logical extends Span {
  readonly _tag: "Logical"
  readonly operator: "and" | "or"
  readonly left: Condition
  readonly right: Condition
}

export interface Not extends Span {
  readonly _tag: "Not"
  readonly operand: Condition
}

export type Condition = Comparison | Logical | Not

export type Node = NumberExpression | Condition

export const isCondition = (node: Node): node is Condition =>
  node._tag === "Comparison" || node._tag === "Logical" || node._tag === "Not"
