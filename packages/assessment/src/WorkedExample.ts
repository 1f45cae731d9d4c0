/**
 * The worked example of the assessment engine as a golden fixture: three indicators, four urban
 * subdistricts, one month, numbers a person can check by hand. Every adapter reproduces it exactly
 * (testkit's `AssessmentSuite`), and the core's own tests and the guides use it too. It is plain
 * JSON: what an administrator stores and an embedding app sends.
 *
 * Scheme "urban-2023" v1 (total weight 100, missing data scores zero, two decimals):
 *
 * | indicator | formula | rule | weight |
 * |---|---|---|---|
 * | problemsPerCompound | issues.openAtEnd / grid.compounds | linear, lower is better, 5 → 0 points, 0 → full | 40 |
 * | dutyPresence | if(grid.dutyChecks > 0, 100 * grid.dutyPresent / grid.dutyChecks, 0) | bands: ≥ 90 green 1, ≥ 75 amber 0.6, else red 0 | 35 |
 * | outreach | outreach.events | target 4, higher is better | 25 |
 *
 * | unit | open / compounds | per compound | linear | duty | band | events | target | total | rank | grade |
 * |---|---|---|---|---|---|---|---|---|---|---|
 * | sub-a | 10 / 10 | 1.0 | (5 − 1)/5 × 40 = 32 | 95/100 = 95 | green 35 | 4 | 4/4 × 25 = 25 | 92 | 1 | excellent |
 * | sub-b | 30 / 12 | 2.5 | (5 − 2.5)/5 × 40 = 20 | 80/100 = 80 | amber 21 | 2 | 2/4 × 25 = 12.5 | 53.5 | 4 | fail |
 * | sub-c | 6 / 20 | 0.3 | (5 − 0.3)/5 × 40 = 37.6 | 60/80 = 75 | amber 21 | 5 | capped at 25 | 83.6 | 2 | good |
 * | sub-d | 0 / 8 | 0 | 40 | 45/50 = 90 | green 35 | 0 | 0 | 75 | 3 | pass |
 *
 * Against May (sub-a 90 #1, sub-b 60 #3, sub-c 70 #4, sub-d 80 #2): sub-a +2 (±0 places), sub-b
 * −6.5 (down 1), sub-c +13.6 (up 2), sub-d −5 (down 1).
 *
 * A fund of ¥100,000 (10,000,000 fen) split in proportion to points above 60: shares 32, 23.6,
 * 15 (sub-b none), total 70.6. Ideal parts 4,532,577.90, 3,342,776.20, 2,124,645.89; rounded down
 * they leave 2 fen, which go to the largest remainders (sub-a .90, sub-d .89): 4,532,578,
 * 3,342,776 and 2,124,646 fen.
 *
 * @since 0.1.0
 */

/**
 * The scheme, as an administrator stores it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const scheme = {
  id: "urban-2023",
  version: 1,
  name: "Urban subdistricts, 2023",
  group: "urban",
  effectiveFrom: "2023-01-01",
  totalWeight: 100,
  missingData: "zero",
  decimals: 2,
  elements: [
    { id: "issues.openAtEnd", name: "Problems open at period end", valueType: "count" },
    {
      id: "grid.compounds",
      name: "Residential compounds",
      valueType: "count",
      aggregation: "last",
      timeAggregation: "last",
      range: { min: 1, max: null }
    },
    { id: "grid.dutyChecks", name: "Bin-side duty checks", valueType: "count" },
    { id: "grid.dutyPresent", name: "Duty checks with someone present", valueType: "count" },
    { id: "outreach.events", name: "Outreach events", valueType: "count" }
  ],
  indicators: [
    {
      _tag: "Ratio",
      id: "problemsPerCompound",
      name: "Open problems per compound",
      numerator: "issues.openAtEnd",
      denominator: "grid.compounds"
    },
    {
      _tag: "Formula",
      id: "dutyPresence",
      name: "Duty presence (%)",
      formula: "if(grid.dutyChecks > 0, 100 * grid.dutyPresent / grid.dutyChecks, 0)"
    },
    { _tag: "Formula", id: "outreach", name: "Outreach events", formula: "outreach.events" }
  ],
  items: [
    {
      indicator: "problemsPerCompound",
      rule: { _tag: "Linear", weight: 40, direction: "lowerIsBetter", min: 0, max: 5 }
    },
    {
      indicator: "dutyPresence",
      rule: {
        _tag: "Bands",
        weight: 35,
        direction: "higherIsBetter",
        bands: [
          { threshold: 90, fraction: 1, label: "green", colour: "#2e7d32" },
          { threshold: 75, fraction: 0.6, label: "amber", colour: "#f9a825" }
        ],
        otherwise: { fraction: 0, label: "red", colour: "#c62828" }
      }
    },
    { indicator: "outreach", rule: { _tag: "Target", weight: 25, direction: "higherIsBetter", target: 4 } }
  ],
  grades: [
    { label: "excellent", atLeast: 90 },
    { label: "good", atLeast: 80 },
    { label: "pass", atLeast: 60 }
  ],
  gradeBelow: "fail"
}

/**
 * The month scored.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const period = "2023-06"

/**
 * The units scored.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const units = ["sub-a", "sub-b", "sub-c", "sub-d"]

const figures: Record<string, Record<string, number>> = {
  "sub-a": {
    "issues.openAtEnd": 10,
    "grid.compounds": 10,
    "grid.dutyChecks": 100,
    "grid.dutyPresent": 95,
    "outreach.events": 4
  },
  "sub-b": {
    "issues.openAtEnd": 30,
    "grid.compounds": 12,
    "grid.dutyChecks": 100,
    "grid.dutyPresent": 80,
    "outreach.events": 2
  },
  "sub-c": {
    "issues.openAtEnd": 6,
    "grid.compounds": 20,
    "grid.dutyChecks": 80,
    "grid.dutyPresent": 60,
    "outreach.events": 5
  },
  "sub-d": {
    "issues.openAtEnd": 0,
    "grid.compounds": 8,
    "grid.dutyChecks": 50,
    "grid.dutyPresent": 45,
    "outreach.events": 0
  }
}

const provenanceOf = (element: string, unit: string) =>
  element.startsWith("issues.")
    ? {
        kind: "derived",
        source: "issues.stats",
        records: {
          entity: "Problem",
          ids: [`${unit}-p1`, `${unit}-p2`].slice(0, figures[unit]?.[element] ?? 0),
          total: figures[unit]?.[element] ?? 0
        }
      }
    : element.startsWith("outreach.")
      ? { kind: "imported", source: "outreach-2023-06.xlsx" }
      : { kind: "entered", source: "grid.duty" }

/**
 * The data values, as core's `DataValue` encodes them.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const values = Object.entries(figures).flatMap(([unit, byElement]) =>
  Object.entries(byElement).map(([element, value]) => ({
    element,
    node: unit,
    period,
    value,
    provenance: provenanceOf(element, unit)
  }))
)

/**
 * May's results, for the change column.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const previous = [
  { unit: "sub-a", total: 90, rank: 1 },
  { unit: "sub-b", total: 60, rank: 3 },
  { unit: "sub-c", total: 70, rank: 4 },
  { unit: "sub-d", total: 80, rank: 2 }
]

/**
 * The fund: ¥100,000, in proportion to points above 60.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const allocation = { fund: 10_000_000, rule: { _tag: "Proportional", threshold: 60 } }

/**
 * The hand-computed results, in rank order.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const expected = [
  {
    unit: "sub-a",
    total: 92,
    rank: 1,
    grade: "excellent",
    contributions: [32, 35, 25],
    change: { total: 2, rank: 0 },
    fen: 4_532_578
  },
  {
    unit: "sub-c",
    total: 83.6,
    rank: 2,
    grade: "good",
    contributions: [37.6, 21, 25],
    change: { total: 13.6, rank: 2 },
    fen: 3_342_776
  },
  {
    unit: "sub-d",
    total: 75,
    rank: 3,
    grade: "pass",
    contributions: [40, 35, 0],
    change: { total: -5, rank: -1 },
    fen: 2_124_646
  },
  {
    unit: "sub-b",
    total: 53.5,
    rank: 4,
    grade: "fail",
    contributions: [20, 21, 12.5],
    change: { total: -6.5, rank: -1 },
    fen: 0
  }
]
