/**
 * The fast paths of scoring against their definitions: the rounding shortcut, compiled formulas,
 * prepared rules, sort-based ranks, and the result's canonical forms (JSON key order, digest).
 */
import { describe, expect, it } from "@effect/vitest"
import { DataValue, Json, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Evaluation from "../src/Evaluation.js"
import * as Expression from "../src/Expression.js"
import { round, roundByDefinition } from "../src/internal/json.js"
import * as Scheme from "../src/Scheme.js"
import * as Scoring from "../src/Scoring.js"
import * as Example from "../src/WorkedExample.js"

describe("round", () => {
  const decimals = fc.integer({ min: 0, max: 6 })
  const same = (value: number, d: number): void => {
    expect(Object.is(round(value, d), roundByDefinition(value, d))).toBe(true)
  }

  it("property: equals the definition (cut to 15 digits, then round half away from zero) for any double", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), decimals, (value, d) => same(value, d)),
      { numRuns: 20_000 }
    )
  })

  it("property: equals the definition next to every half, where the shortcut must step aside", () => {
    const nearHalf = fc
      .tuple(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        decimals,
        fc.integer({ min: -64, max: 64 }),
        fc.constantFrom(1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12)
      )
      .map(([k, d, steps, epsilon]) => ({ value: ((k + 0.5) / 10 ** d) * (1 + steps * epsilon), d }))
    fc.assert(
      fc.property(nearHalf, ({ value, d }) => same(value, d)),
      { numRuns: 20_000 }
    )
    // Products of two-decimal figures, the binary noise the cut exists for (0.94 × 40).
    const figure = fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100)
    fc.assert(
      fc.property(figure, figure, decimals, (a, b, d) => same(a * b, d)),
      { numRuns: 20_000 }
    )
    expect(round(0.94 * 40, 2)).toBe(37.6)
    expect(round(1.005, 2)).toBe(1.01)
    expect(round(-2.5, 0)).toBe(-3)
    expect(Object.is(round(-0.001, 2), 0)).toBe(true)
  })
})

describe("Expression.compile", () => {
  const names = ["a", "b", "c", "zero"] as const
  const formula: fc.Arbitrary<string> = fc.letrec<{ n: string; c: string }>((tie) => ({
    n: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.integer({ min: 0, max: 20 }).map(String),
      fc.constantFrom(...names),
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
  const value = fc.option(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true })), { nil: undefined })

  it("property: a compiled formula gives exactly what evaluating the tree gives", () => {
    fc.assert(
      fc.property(formula, value, value, value, (text, a, b, c) => {
        const parsed = Either.getOrElse(Expression.parse(text), () => expect.fail(text))
        const values: Record<string, number | undefined> = { a, b, c, zero: 0 }
        const slots = names.map((name) => values[name])
        const compiled = Expression.compile(parsed, (name) => names.indexOf(name as (typeof names)[number]))(slots)
        const reference = Expression.evaluate(parsed, (name) => values[name])
        expect(compiled).toStrictEqual(Either.getOrUndefined(reference))
      }),
      { numRuns: 5_000 }
    )
  })
})

describe("Scoring.prepare and competitionRanks", () => {
  const direction = fc.constantFrom("higherIsBetter" as const, "lowerIsBetter" as const)
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
  const rule: fc.Arbitrary<Exclude<Scoring.Rule, Scoring.Rank>> = fc.oneof(
    fc
      .tuple(direction, finite, finite)
      .filter(([, a, b]) => a !== b)
      .map(([d, a, b]) => Scoring.Linear.make({ weight: 10, direction: d, min: Math.min(a, b), max: Math.max(a, b) })),
    fc
      .tuple(direction, fc.uniqueArray(fc.integer({ min: -50, max: 150 }), { minLength: 1, maxLength: 4 }))
      .map(([d, thresholds]) =>
        Scoring.Bands.make({
          weight: 10,
          direction: d,
          bands: [
            Scoring.Band.make({ threshold: thresholds[0] ?? 0, fraction: 1, label: "b0", colour: "#0a0" }),
            ...thresholds
              .slice(1)
              .map((threshold, i) => Scoring.Band.make({ threshold, fraction: 1 / (i + 2), label: `b${i + 1}` }))
          ],
          otherwise: Scoring.Otherwise.make({ fraction: 0, label: "none" })
        })
      ),
    fc
      .tuple(direction, fc.double({ min: 0.001, max: 1000, noNaN: true }))
      .map(([d, target]) => Scoring.Target.make({ weight: 10, direction: d, target })),
    fc.constantFrom(
      Scoring.Deduction.make({ pointsPerOccurrence: 1.5, cap: 6 }),
      Scoring.Bonus.make({ pointsPerOccurrence: 0.25, cap: 2 }),
      Scoring.Veto.make({ direction: "lowerIsBetter", threshold: 0 }),
      Scoring.Veto.make({ direction: "higherIsBetter", threshold: 10 })
    )
  )

  it("property: a prepared rule measures what `score` reports, and finds the same band", () => {
    fc.assert(
      fc.property(rule, finite, (r, value) => {
        const prepared = Scoring.prepare(r)
        const scored = Scoring.score(r, value, [])
        const measure = r._tag === "Veto" ? (scored.vetoed ? 1 : 0) : (scored.fraction ?? scored.points)
        expect(prepared.measure(value)).toBe(measure)
        if (r._tag === "Bands") {
          const index = prepared.band(value)
          expect(index < 0 ? r.otherwise.label : r.bands[index]?.label).toBe(scored.band)
        } else expect(prepared.band(value)).toBe(-1)
      }),
      { numRuns: 5_000 }
    )
  })

  it("property: sort-based competition ranks equal counting the strictly better", () => {
    fc.assert(
      fc.property(direction, fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 40 }), (d, values) => {
        expect([...Scoring.competitionRanks(d, values)]).toStrictEqual(
          values.map((value) => Scoring.rankAmong(d, value, values))
        )
      }),
      { numRuns: 2_000 }
    )
  })
})

describe("a result's canonical forms", () => {
  const scheme = Either.getOrElse(Scheme.load(Example.scheme), (error) => expect.fail(error.message))
  const period = Either.getOrElse(Period.parse(Example.period), () => expect.fail("period"))
  const decodeValues = Schema.decodeUnknownSync(Schema.Array(DataValue.DataValue))
  const scaled = fc.array(fc.integer({ min: 0, max: 40 }), {
    minLength: Example.values.length,
    maxLength: Example.values.length
  })

  /** The example with its counts perturbed (compounds kept at least 1), some values dropped. */
  const evaluate = (factors: ReadonlyArray<number>, keep: (i: number) => boolean) =>
    Either.getOrElse(
      Evaluation.evaluate({
        scheme,
        period,
        units: Example.units,
        values: decodeValues(
          Example.values.flatMap((value, i) =>
            keep(i) ? [{ ...value, value: value.element === "grid.compounds" ? value.value : (factors[i] ?? 0) }] : []
          )
        ),
        previous: Example.previous
      }),
      (error) => expect.fail(error.message)
    )

  it("property: JSON.stringify gives the canonical JSON, and the hash is the digest of the result read back", () => {
    fc.assert(
      fc.property(scaled, fc.integer({ min: 0, max: 30 }), (factors, dropped) => {
        const result = evaluate(factors, (i) => i !== dropped)
        expect(JSON.stringify(result)).toBe(Evaluation.canonical(result))
        const { hash, ...body } = JSON.parse(JSON.stringify(result))
        expect(Evaluation.digest(body)).toBe(hash)
      }),
      { numRuns: 100 }
    )
  })

  it("the digest changes with any field of the result", () => {
    const result = evaluate(
      Example.values.map((value) => value.value),
      () => true
    )
    const { hash, ...body } = result
    const plain: Evaluation.Result = JSON.parse(JSON.stringify(body))
    const [first, ...rest] = plain.units
    if (first === undefined) return expect.fail("no units")
    const variants = [
      { ...plain, period: "2023-05" },
      { ...plain, units: [{ ...first, total: (first.total ?? 0) + 0.01 }, ...rest] },
      { ...plain, units: [{ ...first, grade: "good" }, ...rest] },
      { ...plain, units: [...rest, first] },
      {
        ...plain,
        units: [
          { ...first, items: first.items.map((item, i) => (i === 1 ? { ...item, band: "amber" } : item)) },
          ...rest
        ]
      },
      {
        ...plain,
        units: [
          { ...first, items: first.items.map((item, i) => (i === 2 ? { ...item, numerator: 4.01 } : item)) },
          ...rest
        ]
      },
      {
        ...plain,
        units: [
          { ...first, inputs: first.inputs.map((input, i) => (i === 0 ? { ...input, source: "other.xlsx" } : input)) },
          ...rest
        ]
      },
      {
        ...plain,
        units: [
          {
            ...first,
            inputs: first.inputs.map((input) => (input.records === null ? input : { ...input, records: null }))
          },
          ...rest
        ]
      }
    ]
    expect(Evaluation.digest(plain)).toBe(hash)
    const digests = new Set(variants.map(Evaluation.digest))
    expect(digests.size).toBe(variants.length)
    expect(digests.has(hash)).toBe(false)
  })

  it("builds each explanation once, on first read, from the unit's inputs", () => {
    const result = evaluate(
      Example.values.map((value) => value.value),
      () => true
    )
    const unit = result.units[0]
    expect(unit?.explanation).toBe(unit?.explanation)
    const sources = (node: Evaluation.Explanation): ReadonlyArray<Evaluation.Source> => [
      ...(node.source === null ? [] : [node.source]),
      ...node.children.flatMap(sources)
    ]
    const shown = new Set(unit === undefined ? [] : sources(unit.explanation).map((source) => source.element))
    expect([...shown].sort()).toStrictEqual(unit?.inputs.map((input) => input.element))
    expect(Evaluation.canonical(result)).toContain('"explanation":{"children":[')
    expect(Json.canonical(JSON.parse(JSON.stringify(result)))).toBe(Evaluation.canonical(result))
  })
})
