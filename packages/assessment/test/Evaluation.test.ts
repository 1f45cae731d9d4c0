import { describe, expect, it } from "@effect/vitest"
import { DataValue, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Allocation from "../src/Allocation.js"
import * as Evaluation from "../src/Evaluation.js"
import * as Scheme from "../src/Scheme.js"
import * as Example from "../src/WorkedExample.js"

const load = (json: unknown): Scheme.Validated =>
  Either.getOrElse(Scheme.load(json), (error) => expect.fail(error.message))
const decodeValues = Schema.decodeUnknownSync(Schema.Array(DataValue.DataValue))
const month = (id: string): Period.Period => Either.getOrElse(Period.parse(id), () => expect.fail(id))

const evaluate = (options: {
  readonly scheme?: unknown
  readonly units?: ReadonlyArray<string>
  readonly values?: ReadonlyArray<unknown>
  readonly period?: string
  readonly previous?: ReadonlyArray<Evaluation.Previous> | null
}) =>
  Evaluation.evaluate({
    scheme: load(options.scheme ?? Example.scheme),
    period: month(options.period ?? Example.period),
    units: options.units ?? Example.units,
    values: decodeValues(options.values ?? Example.values),
    previous: options.previous ?? null
  })
const ok = (result: ReturnType<typeof evaluate>): Evaluation.Result =>
  Either.getOrElse(result, (error) => expect.fail(error.message))

describe("the worked example", () => {
  const result = ok(evaluate({ previous: Example.previous }))

  it("reproduces the hand-computed totals, contributions, ranks, grades and changes exactly", () => {
    expect(
      result.units.map((unit) => ({
        unit: unit.unit,
        total: unit.total,
        rank: unit.rank,
        grade: unit.grade,
        contributions: unit.items.map((item) => item.contribution),
        change: unit.change
      }))
    ).toStrictEqual(Example.expected.map(({ fen: _, ...rest }) => rest))
    const subC = result.units.find((unit) => unit.unit === "sub-c")
    expect(subC?.items.map((item) => [item.value, item.score, item.band])).toStrictEqual([
      [0.3, 0.94, null],
      [75, 0.6, "amber"],
      [5, 1, null]
    ])
    expect(subC?.items[0]).toMatchObject({ numerator: 6, denominator: 20, weight: 40, effectiveWeight: 40 })
  })

  it("splits the fund to the fen as computed by hand", () => {
    const split = Either.getOrElse(
      Allocation.split({
        fund: 10_000_000,
        rule: Allocation.Proportional.make({ threshold: 60 }),
        units: result.units
      }),
      (error) => expect.fail(error.message)
    )
    const byUnit = new Map(split.parts.map((part) => [part.unit, part.fen]))
    expect(Example.expected.map((unit) => byUnit.get(unit.unit))).toStrictEqual(
      Example.expected.map((unit) => unit.fen)
    )
    expect(split.withheld).toBe(0)
  })

  it("explains every total down to the data values and their provenance", () => {
    const subA = result.units[0]
    expect(subA?.explanation).toMatchObject({ label: "total", value: 92 })
    const perCompound = subA?.explanation.children[0]
    expect(perCompound).toMatchObject({ label: "problemsPerCompound", value: 32 })
    const indicator = perCompound?.children[0]
    expect(indicator).toMatchObject({ value: 1, detail: "numerator / denominator × 1" })
    const numerator = indicator?.children[0]
    expect(numerator).toMatchObject({ label: "numerator", value: 10, detail: "issues.openAtEnd" })
    expect(numerator?.children[0]?.source).toStrictEqual({
      element: "issues.openAtEnd",
      node: "sub-a",
      period: "2023-06",
      kind: "derived",
      source: "issues.stats",
      records: { entity: "Problem", ids: ["sub-a-p1", "sub-a-p2"], total: 10 }
    })
    const duty = subA?.explanation.children[1]
    expect(duty?.detail).toContain('band "green"')
  })

  it("gives an identical result hash and bytes for shuffled inputs", () => {
    const reference = Evaluation.canonical(result)
    fc.assert(
      fc.property(
        fc.shuffledSubarray(Example.values, { minLength: Example.values.length }),
        fc.shuffledSubarray(Example.units, { minLength: Example.units.length }),
        fc.shuffledSubarray(Example.previous, { minLength: Example.previous.length }),
        (values, units, previous) => {
          const shuffled = ok(evaluate({ values, units, previous }))
          expect(shuffled.hash).toBe(result.hash)
          expect(Evaluation.canonical(shuffled)).toBe(reference)
        }
      ),
      { numRuns: 50 }
    )
  })

  it("names the scheme version and digest it was scored under", () => {
    expect(result.scheme).toMatchObject({ id: "urban-2023", version: 1, group: "urban" })
    expect(result.scheme.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/)
  })
})

const withoutOutreach = Example.values.filter(
  (value) => !(value.node === "sub-b" && value.element === "outreach.events")
)

describe("missing data", () => {
  it("zero: the item scores nothing", () => {
    const subB = ok(evaluate({ values: withoutOutreach })).units.find((unit) => unit.unit === "sub-b")
    expect(subB).toMatchObject({ total: 41, status: "scored", missing: ["outreach"] })
    expect(subB?.items[2]).toMatchObject({ value: null, contribution: 0, missing: true })
  })

  it("exclude: the other weights are scaled up to the declared total", () => {
    const subB = ok(
      evaluate({ scheme: { ...Example.scheme, missingData: "exclude" }, values: withoutOutreach })
    ).units.find((unit) => unit.unit === "sub-b")
    // 20 + 21 = 41 points of 75 possible, scaled by 100/75.
    expect(subB?.items.map((item) => [item.effectiveWeight, item.contribution])).toStrictEqual([
      [53.33, 26.67],
      [46.67, 28],
      [0, 0]
    ])
    expect(subB?.total).toBe(54.67)
  })

  it("fail: the unit gets no result and no rank", () => {
    const result = ok(evaluate({ scheme: { ...Example.scheme, missingData: "fail" }, values: withoutOutreach }))
    expect(result.units.map((unit) => [unit.unit, unit.rank, unit.status])).toStrictEqual([
      ["sub-a", 1, "scored"],
      ["sub-c", 2, "scored"],
      ["sub-d", 3, "scored"],
      ["sub-b", null, "incomplete"]
    ])
  })
})

describe("ranking, vetoes and periods", () => {
  it("shares ranks between equal totals (1224) and lists ties by unit id", () => {
    // sub-d with 2 events: 40 + 35 + 12.5 = 87.5; sub-c with no open problems: 40 + 21 + 25 = 86.
    const changed = Example.values.map((value) =>
      value.node === "sub-d" && value.element === "outreach.events"
        ? { ...value, value: 2 }
        : value.node === "sub-c" && value.element === "issues.openAtEnd"
          ? { ...value, value: 0 }
          : value
    )
    const result = ok(evaluate({ values: changed }))
    expect(result.units.map((unit) => [unit.unit, unit.total, unit.rank])).toStrictEqual([
      ["sub-a", 92, 1],
      ["sub-d", 87.5, 2],
      ["sub-c", 86, 3],
      ["sub-b", 53.5, 4]
    ])
    // A copy of sub-a ties with it for first place: both rank 1, the next unit ranks 3.
    const twin = Example.values.filter((value) => value.node === "sub-a").map((value) => ({ ...value, node: "sub-0" }))
    const withTwin = ok(evaluate({ units: [...Example.units, "sub-0"], values: [...Example.values, ...twin] }))
    expect(withTwin.units.map((unit) => [unit.unit, unit.rank])).toStrictEqual([
      ["sub-0", 1],
      ["sub-a", 1],
      ["sub-c", 3],
      ["sub-d", 4],
      ["sub-b", 5]
    ])
  })

  it("a broken veto fails the unit: lowest grade, ranked after every scored unit", () => {
    const scheme = {
      ...Example.scheme,
      elements: [...Example.scheme.elements, { id: "safety.incidents", name: "Serious incidents", valueType: "count" }],
      indicators: [
        ...Example.scheme.indicators,
        { _tag: "Formula", id: "incidents", name: "Incidents", formula: "safety.incidents" }
      ],
      items: [
        ...Example.scheme.items,
        { indicator: "incidents", rule: { _tag: "Veto", direction: "lowerIsBetter", threshold: 0 } }
      ]
    }
    const incident = { ...Example.values[0], element: "safety.incidents", node: "sub-a", value: 1 }
    const result = ok(evaluate({ scheme, values: [...Example.values, incident] }))
    expect(result.units.map((unit) => [unit.unit, unit.rank, unit.status, unit.grade])).toStrictEqual([
      ["sub-c", 1, "scored", "good"],
      ["sub-d", 2, "scored", "pass"],
      ["sub-b", 3, "scored", "fail"],
      ["sub-a", 4, "vetoed", "fail"]
    ])
    expect(result.units[3]?.vetoedBy).toStrictEqual(["incidents"])
  })

  it("scores a quarter from monthly values by each element's time aggregation", () => {
    const months = ["2023-04", "2023-05", "2023-06"]
    const values = months.flatMap((period, m) =>
      Example.values.map((value) => ({
        ...value,
        period,
        // compounds are a stock (last), the rest flows (sum): open problems 1×, 2×, 3× the June figure.
        value: value.element === "grid.compounds" ? value.value : value.value * (m + 1)
      }))
    )
    const result = ok(evaluate({ period: "2023-Q2", values }))
    const subA = result.units.find((unit) => unit.unit === "sub-a")
    // open 60 / compounds 10 = 6 → 0 points; duty 570/600 = 95 → green; events 24 → full.
    expect(subA?.items.map((item) => item.value)).toStrictEqual([6, 95, 24])
    expect(subA?.total).toBe(60)
    expect(subA?.explanation.children[0]?.children[0]?.children[0]?.children[0]?.children).toHaveLength(3)
  })

  it("refuses bad input, listing every problem", () => {
    const bad = [
      { ...Example.values[0], value: 2.5 },
      { ...Example.values[1], value: 0 },
      { ...Example.values[2], value: 7 },
      { ...Example.values[2], value: 8 }
    ]
    const result = evaluate({ values: bad, units: ["sub-a", "sub-a"], period: "2023-W05" })
    const reasons = Either.match(result, {
      onLeft: (error) => error.issues.map((issue) => issue.reason),
      onRight: () => []
    })
    expect(reasons).toStrictEqual(["the scheme scores Month, Quarter", "a unit is listed twice"])
    const values = Either.match(evaluate({ values: bad }), {
      onLeft: (error) => error.issues.map((issue) => [issue.path, issue.reason]),
      onRight: () => []
    })
    expect(values).toStrictEqual([
      [["values", 0, "value"], "issues.openAtEnd: must be a whole number >= 0"],
      [["values", 1, "value"], "grid.compounds: must be at least 1"],
      [["values", 3], "two different values of grid.dutyChecks for sub-a in 2023-06"]
    ])
  })
})
