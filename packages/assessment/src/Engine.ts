/**
 * The embedding entry point: score from plain JSON in any app, with or without Effect, with or
 * without storage. {@link score} is a plain synchronous function that never throws: it returns
 * either the results or every error found, each with a path and a message.
 *
 * ```ts
 * import { Engine } from "@sortgrid/assessment"
 *
 * const outcome = Engine.score(schemeJson, valuesJson, { period: "2023-06", units: ["s1", "s2"] })
 * if (outcome.ok) console.log(outcome.result.units.map((u) => [u.unit, u.total, u.rank]))
 * else console.error(outcome.errors)
 * ```
 *
 * `schemeJson` is one scheme version or an array of versions (the one in force for the period is
 * used); `valuesJson` is an array of data values as core's `DataValue` encodes them. Either may
 * also be given as JSON text. Effect users can call the modules directly (`Scheme.load`,
 * `Evaluation.evaluate`, `Allocation.split`), which return `Either`s.
 *
 * @since 0.1.0
 */
import { DataValue, Errors, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import * as Allocation from "./Allocation.js"
import * as Evaluation from "./Evaluation.js"
import * as Scheme from "./Scheme.js"

/**
 * One error: its kind (`Invalid`, `NotFound`), where (`path`, e.g. `["scheme", "items", 2,
 * "rule", "weight"]`) and what is wrong.
 *
 * @since 0.1.0
 * @category models
 */
export type EngineError = {
  readonly tag: "Invalid" | "NotFound"
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

/**
 * The options of a scoring run: the period id, the units (node refs of the scheme's group), the
 * previous period's unit results (for `change`), and optionally a fund to split.
 *
 * @since 0.1.0
 * @category models
 */
export const Options = Schema.Struct({
  period: DataValue.PeriodId,
  units: Schema.Array(Schema.String),
  previous: Schema.optionalWith(
    Schema.NullOr(
      Schema.Array(
        Schema.Struct({ unit: Schema.String, total: Schema.NullOr(Schema.Finite), rank: Schema.NullOr(Schema.Int) })
      )
    ),
    { default: () => null }
  ),
  allocation: Schema.optionalWith(
    Schema.NullOr(
      Schema.Struct({
        fund: Schema.Int.pipe(Schema.nonNegative()),
        rule: Allocation.Rule,
        capFen: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
        floorFen: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
        penalties: Schema.optionalWith(Schema.Array(Allocation.Penalty), { default: () => [] })
      })
    ),
    { default: () => null }
  )
})

/**
 * @since 0.1.0
 * @category models
 */
export type Options = typeof Options.Encoded

/**
 * What {@link score} returns: the result (and the fund split when asked for) or the errors.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | {
      readonly ok: true
      readonly result: Evaluation.Result
      readonly allocation: Allocation.Split | null
      readonly errors: ReadonlyArray<EngineError>
    }
  | { readonly ok: false; readonly errors: ReadonlyArray<EngineError> }

const fromInvalid = (error: Errors.Invalid, prefix: ReadonlyArray<string | number> = []): ReadonlyArray<EngineError> =>
  error.issues.map((issue) => ({ tag: "Invalid", path: [...prefix, ...issue.path], message: issue.reason }))

const parseText = (input: unknown, field: string): Either.Either<unknown, ReadonlyArray<EngineError>> =>
  typeof input !== "string"
    ? Either.right(input)
    : Either.try({
        try: (): unknown => JSON.parse(input),
        catch: (error) => [
          {
            tag: "Invalid" as const,
            path: [field],
            message: `not JSON: ${error instanceof Error ? error.message : ""}`
          }
        ]
      })

const decodeAll =
  <A, I>(schema: Schema.Schema<A, I>, field: string) =>
  (input: unknown) =>
    Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
      fromInvalid(Errors.Invalid.fromParseError(error, [field]))
    )

const loadVersions = (input: unknown): Either.Either<ReadonlyArray<Scheme.Validated>, ReadonlyArray<EngineError>> => {
  const list = Array.isArray(input) ? input : [input]
  const loaded = list.map((entry, i) =>
    Either.mapLeft(Scheme.load(entry), (error) =>
      error.issues.map(
        (issue): EngineError => ({
          tag: "Invalid",
          path: Array.isArray(input) ? ["scheme", i, ...issue.path.slice(1)] : issue.path,
          message: issue.reason
        })
      )
    )
  )
  const errors = loaded.flatMap((entry) => (Either.isLeft(entry) ? entry.left : []))
  return errors.length > 0
    ? Either.left(errors)
    : Either.right(loaded.flatMap((entry) => Either.getOrUndefined(entry) ?? []))
}

/**
 * Scores units from JSON: decodes and validates the scheme (all versions given), the values and
 * the options, picks the version in force, evaluates, and splits the fund when asked. Never
 * throws; every problem found is listed in `errors`.
 *
 * @since 0.1.0
 * @category embedding
 */
export const score = (schemeJson: unknown, valuesJson: unknown, options: unknown): Outcome => {
  const schemes = Either.flatMap(parseText(schemeJson, "scheme"), loadVersions)
  const values = Either.flatMap(parseText(valuesJson, "values"), decodeAll(Schema.Array(DataValue.DataValue), "values"))
  const decoded = decodeAll(Options, "options")(options)
  const errors = [
    ...Either.match(schemes, { onLeft: (e) => e, onRight: () => [] }),
    ...Either.match(values, { onLeft: (e) => e, onRight: () => [] }),
    ...Either.match(decoded, { onLeft: (e) => e, onRight: () => [] })
  ]
  if (Either.isLeft(schemes) || Either.isLeft(values) || Either.isLeft(decoded) || errors.length > 0) {
    return { ok: false, errors }
  }
  const opts = decoded.right
  const period = Either.getOrUndefined(Period.parse(opts.period))
  if (period === undefined)
    return { ok: false, errors: [{ tag: "Invalid", path: ["options", "period"], message: "not a period" }] }
  const version = Scheme.inForce(schemes.right, period)
  if (Either.isLeft(version)) {
    return { ok: false, errors: [{ tag: "NotFound", path: ["scheme"], message: version.left.message }] }
  }
  const evaluated = Evaluation.evaluate({
    scheme: version.right,
    period,
    units: opts.units,
    values: values.right,
    previous: opts.previous
  })
  if (Either.isLeft(evaluated)) return { ok: false, errors: fromInvalid(evaluated.left) }
  if (opts.allocation === null) return { ok: true, result: evaluated.right, allocation: null, errors: [] }
  const split = Allocation.split({ ...opts.allocation, units: evaluated.right.units })
  return Either.match(split, {
    onLeft: (error): Outcome => ({ ok: false, errors: fromInvalid(error, ["options", "allocation"]) }),
    onRight: (allocation): Outcome => ({ ok: true, result: evaluated.right, allocation, errors: [] })
  })
}
