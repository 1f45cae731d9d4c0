import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { Either } from "effect"
import * as Scheme from "../src/Scheme.js"
import * as Example from "../src/WorkedExample.js"

const decoded = (json: unknown): Scheme.Scheme =>
  Either.getOrElse(Scheme.decode(json), (error) => expect.fail(error.message))
const problems = (json: unknown) =>
  Either.match(Scheme.load(json), {
    onLeft: (error) => error.issues.map((issue) => [issue.path.join("."), issue.reason]),
    onRight: () => []
  })
const period = (id: string) => Either.getOrElse(Period.parse(id), () => expect.fail(id))

describe("Scheme.validate", () => {
  it("accepts the worked example and orders indicators after what they refer to", () => {
    const scheme = {
      ...Example.scheme,
      indicators: [
        { _tag: "Formula", id: "combined", name: "Combined", formula: "dutyPresence - 10 * problemsPerCompound" },
        ...Example.scheme.indicators
      ]
    }
    const validated = Either.getOrElse(Scheme.load(scheme), (error) => expect.fail(error.message))
    const order: ReadonlyArray<string> = validated.indicators.map((entry) => entry.indicator.id)
    expect(order.indexOf("combined")).toBeGreaterThan(order.indexOf("dutyPresence"))
    expect(order.indexOf("combined")).toBeGreaterThan(order.indexOf("problemsPerCompound"))
  })

  it("rejects a malformed scheme with every problem listed", () => {
    const malformed = {
      ...Example.scheme,
      elements: [
        ...Example.scheme.elements.filter((element) => element.id !== "grid.compounds"),
        { id: "grid.compounds", name: "Residential compounds", valueType: "count" }
      ],
      indicators: [
        ...Example.scheme.indicators.filter((indicator) => indicator.id !== "outreach"),
        { _tag: "Formula", id: "outreach", name: "Outreach", formula: "outreach.event + a" },
        { _tag: "Formula", id: "loopA", name: "A", formula: "loopB + 1" },
        { _tag: "Formula", id: "loopB", name: "B", formula: "max(loopA, 0)" },
        { _tag: "Formula", id: "broken", name: "Broken", formula: "1 + * 2" },
        { _tag: "Formula", id: "shares", name: "Shares", formula: "grid.dutyPresent / grid.dutyChecks" }
      ],
      items: [
        ...Example.scheme.items.map((item) =>
          item.indicator === "outreach" ? { indicator: "outreach", rule: { ...item.rule, weight: 20 } } : item
        ),
        { indicator: "nowhere", rule: { _tag: "Deduction", pointsPerOccurrence: 1, cap: 5 } }
      ],
      grades: [
        { label: "good", atLeast: 80 },
        { label: "excellent", atLeast: 90 }
      ]
    }
    expect(problems(malformed)).toStrictEqual([
      [
        "indicators.0.denominator",
        "at position 0: division by 'grid.compounds', which may be zero: guard it (if(grid.compounds > 0, …, …)) or declare onDivisionByZero"
      ],
      ["indicators.2.formula", "at position 0: unknown element or indicator 'outreach.event'"],
      ["indicators.2.formula", "at position 17: unknown element or indicator 'a'"],
      ["indicators.5.formula", "at position 4: expected a number, a reference or '(', found '*'"],
      [
        "indicators.6.formula",
        "at position 19: division by 'grid.dutyChecks', which may be zero: guard it (if(grid.dutyChecks > 0, …, …)) or declare onDivisionByZero"
      ],
      ["indicators.3", "indicators loopA, loopB refer to each other in a cycle"],
      ["items.3.indicator", "unknown indicator 'nowhere'"],
      ["totalWeight", "the weights add up to 95, but the scheme declares 100"],
      ["grades.1.atLeast", "grades must be listed from the highest threshold down"]
    ])
  })

  it("accepts an unguarded division once a rule is declared", () => {
    const scheme = {
      ...Example.scheme,
      elements: Example.scheme.elements.map((element) =>
        element.id === "grid.compounds" ? { ...element, range: null } : element
      ),
      indicators: Example.scheme.indicators.map((indicator) =>
        indicator.id === "problemsPerCompound" ? { ...indicator, onDivisionByZero: "missing" } : indicator
      )
    }
    expect(problems(scheme)).toStrictEqual([])
  })

  it("reports shape errors with their paths and unknown fields", () => {
    const result = Scheme.load({ ...Example.scheme, version: 0, colour: "red" })
    const paths = Either.match(result, {
      onLeft: (error) => error.issues.map((issue) => issue.path.join(".")),
      onRight: () => []
    })
    expect(paths).toStrictEqual(["scheme.colour", "scheme.version"])
  })
})

describe("versions", () => {
  const v1 = decoded(Example.scheme)
  const v2 = decoded({
    ...Example.scheme,
    version: 2,
    effectiveFrom: "2023-07-01",
    // Re-weighted and reordered: the reorder is no change, the two weights are.
    items: [
      {
        indicator: "problemsPerCompound",
        rule: { _tag: "Linear", weight: 50, direction: "lowerIsBetter", min: 0, max: 5 }
      },
      Example.scheme.items[2],
      { ...Example.scheme.items[1], rule: { ...Example.scheme.items[1]?.rule, weight: 25 } }
    ]
  })
  const v3 = decoded({
    ...Example.scheme,
    version: 3,
    effectiveFrom: "2023-07-01",
    name: "Urban subdistricts, 2023 (corrected)"
  })

  it("picks the version in force on the period's first day", () => {
    const pick = (id: string, versions: ReadonlyArray<Scheme.Scheme>) =>
      Either.match(Scheme.inForce(versions, period(id)), { onLeft: () => null, onRight: (scheme) => scheme.version })
    expect(pick("2023-06", [v2, v1])).toBe(1)
    expect(pick("2023-07", [v2, v1])).toBe(2)
    expect(pick("2023-Q2", [v1, v2])).toBe(1)
    expect(pick("2023-Q3", [v1, v2, v3])).toBe(3)
    expect(pick("2022-12", [v1, v2])).toBeNull()
    const retired = decoded({ ...Example.scheme, effectiveTo: "2023-07-01" })
    expect(pick("2023-07", [retired])).toBeNull()
  })

  it("diffs versions structurally, matching list entries by id", () => {
    expect(Scheme.diff(v1, v2)).toStrictEqual([
      { kind: "changed", path: ["effectiveFrom"], before: "2023-01-01", after: "2023-07-01" },
      { kind: "changed", path: ["items", "problemsPerCompound", "rule", "weight"], before: 40, after: 50 },
      { kind: "changed", path: ["items", "dutyPresence", "rule", "weight"], before: 35, after: 25 },
      { kind: "changed", path: ["version"], before: 1, after: 2 }
    ])
    expect(Scheme.diff(v1, v1)).toStrictEqual([])
    const added = decoded({
      ...Example.scheme,
      indicators: [...Example.scheme.indicators, { _tag: "Formula", id: "extra", name: "Extra", formula: "1" }]
    })
    expect(Scheme.diff(v1, added)).toStrictEqual([
      {
        kind: "added",
        path: ["indicators", "extra"],
        before: null,
        after: { _tag: "Formula", id: "extra", name: "Extra", formula: "1", onDivisionByZero: null }
      }
    ])
  })
})
