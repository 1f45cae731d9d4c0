/**
 * The formula AST, as `Expression.parse` builds it. Numbers and conditions are separate types, so a condition can never be added
 * and a number can never be the test of an `if`: the parser rejects such formulas with a position.
 * Every node keeps its span (`start` inclusive, `end` exclusive, offsets into the formula text).
 *
 * @since 0.1.0
 */

/**
 * Where a node stands in the formula text: `start` inclusive, `end` exclusive.
 *
 * @since 0.1.0
 * @category models
 */
export interface Span {
  readonly start: number
  readonly end: number
}

/**
 * A numeric constant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Literal extends Span {
  readonly _tag: "Literal"
  readonly value: number
}

/**
 * A data element (or indicator) referenced by name.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reference extends Span {
  readonly _tag: "Reference"
  readonly name: string
}

/**
 * Unary minus.
 *
 * @since 0.1.0
 * @category models
 */
export interface Negate extends Span {
  readonly _tag: "Negate"
  readonly operand: NumberExpression
}

/**
 * The four arithmetic operators.
 *
 * @since 0.1.0
 * @category models
 */
export type ArithmeticOperator = "+" | "-" | "*" | "/"

/**
 * `left op right` over numbers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Arithmetic extends Span {
  readonly _tag: "Arithmetic"
  readonly operator: ArithmeticOperator
  readonly left: NumberExpression
  readonly right: NumberExpression
}

/**
 * `min(…)` or `max(…)` over one or more numbers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Extremum extends Span {
  readonly _tag: "Extremum"
  readonly function: "min" | "max"
  readonly args: ReadonlyArray<NumberExpression>
}

/**
 * `if(condition, then, otherwise)`: only the branch taken is evaluated.
 *
 * @since 0.1.0
 * @category models
 */
export interface If extends Span {
  readonly _tag: "If"
  readonly condition: Condition
  readonly then: NumberExpression
  readonly otherwise: NumberExpression
}

/**
 * `coalesce(value, fallback)`: the fallback when the value is missing.
 *
 * @since 0.1.0
 * @category models
 */
export interface Coalesce extends Span {
  readonly _tag: "Coalesce"
  readonly value: NumberExpression
  readonly fallback: NumberExpression
}

/**
 * Every node that stands for a number.
 *
 * @since 0.1.0
 * @category models
 */
export type NumberExpression = Literal | Reference | Negate | Arithmetic | Extremum | If | Coalesce

/**
 * The comparison operators.
 *
 * @since 0.1.0
 * @category models
 */
export type ComparisonOperator = "<" | "<=" | ">" | ">=" | "==" | "!="

/**
 * `left op right`, a condition over two numbers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Comparison extends Span {
  readonly _tag: "Comparison"
  readonly operator: ComparisonOperator
  readonly left: NumberExpression
  readonly right: NumberExpression
}

/**
 * `and` / `or` over two conditions.
 *
 * @since 0.1.0
 * @category models
 */
export interface Logical extends Span {
  readonly _tag: "Logical"
  readonly operator: "and" | "or"
  readonly left: Condition
  readonly right: Condition
}

/**
 * `not condition`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Not extends Span {
  readonly _tag: "Not"
  readonly operand: Condition
}

/**
 * Every node that stands for a truth value.
 *
 * @since 0.1.0
 * @category models
 */
export type Condition = Comparison | Logical | Not

/**
 * Any node of a formula.
 *
 * @since 0.1.0
 * @category models
 */
export type Node = NumberExpression | Condition

/**
 * Whether a node stands for a truth value.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCondition = (node: Node): node is Condition =>
  node._tag === "Comparison" || node._tag === "Logical" || node._tag === "Not"
