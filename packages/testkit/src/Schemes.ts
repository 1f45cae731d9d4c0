/**
 * The district's 2023 assessment schemes as JSON documents (what an administrator stores): one for
 * the urban subdistricts, one for the rural towns, one for the 32 departments — each in its January
 * version and its revision of 1 April 2023, which puts more weight on rural facility management and
 * on standard collection and transport (domain.md, "Assessment"). A month is scored under the
 * version in force on its first day, so January–March use version 1 and April–June version 2.
 *
 * Territorial units are scored on: open facility problems per compound (derived from the problem
 * register), the share of compounds meeting the facility standard, bin-side duty presence,
 * residents' sorting accuracy, standard collection and transport, the city's inspection score and
 * outreach events. Departments on: duty presence of their staff in the communities they adopted,
 * outreach events they organised, problems handed to them rectified on time, and support visits to
 * rural towns.
 *
 * @since 0.1.0
 */

const grades = [
  { label: "excellent", atLeast: 90 },
  { label: "good", atLeast: 80 },
  { label: "pass", atLeast: 60 }
]

const ratio = (id: string, name: string) => ({
  id,
  name,
  valueType: "ratio",
  aggregation: "average",
  timeAggregation: "average"
})

const territorialElements = [
  { id: "issues.openPerCompound", name: "Open problems per compound", valueType: "number", timeAggregation: "last" },
  ratio("facility.meetingStandard", "Share of compounds meeting the facility standard"),
  ratio("duty.presence", "Bin-side duty presence"),
  ratio("sorting.accuracy", "Residents' sorting accuracy"),
  ratio("collection.standard", "Standard collection and transport"),
  {
    id: "city.inspectionScore",
    name: "City-level inspection score",
    valueType: "number",
    aggregation: "average",
    timeAggregation: "average",
    range: { min: 0, max: 100 }
  },
  { id: "outreach.events", name: "Outreach events", valueType: "count" }
]

const territorialIndicators = [
  { _tag: "Formula", id: "problemsPerCompound", name: "Open problems per compound", formula: "issues.openPerCompound" },
  {
    _tag: "Formula",
    id: "meetingStandard",
    name: "Compounds meeting the standard (%)",
    formula: "100 * facility.meetingStandard"
  },
  { _tag: "Formula", id: "dutyPresence", name: "Duty presence (%)", formula: "100 * duty.presence" },
  { _tag: "Formula", id: "sortingAccuracy", name: "Sorting accuracy (%)", formula: "100 * sorting.accuracy" },
  { _tag: "Formula", id: "collection", name: "Standard collection (%)", formula: "100 * collection.standard" },
  { _tag: "Formula", id: "cityScore", name: "City inspection score", formula: "city.inspectionScore" },
  { _tag: "Formula", id: "outreach", name: "Outreach events", formula: "outreach.events" }
]

/** The territorial items, with each indicator's weight. */
const territorialItems = (weights: {
  readonly problemsPerCompound: number
  readonly meetingStandard: number
  readonly dutyPresence: number
  readonly sortingAccuracy: number
  readonly collection: number
  readonly cityScore: number
  readonly outreach: number
}) => [
  {
    indicator: "problemsPerCompound",
    rule: { _tag: "Linear", weight: weights.problemsPerCompound, direction: "lowerIsBetter", min: 0, max: 8 }
  },
  {
    indicator: "meetingStandard",
    rule: { _tag: "Linear", weight: weights.meetingStandard, direction: "higherIsBetter", min: 0, max: 80 }
  },
  {
    indicator: "dutyPresence",
    rule: {
      _tag: "Bands",
      weight: weights.dutyPresence,
      direction: "higherIsBetter",
      bands: [
        { threshold: 90, fraction: 1, label: "green", colour: "#2e7d32" },
        { threshold: 80, fraction: 0.7, label: "amber", colour: "#f9a825" }
      ],
      otherwise: { fraction: 0.3, label: "red", colour: "#c62828" }
    }
  },
  {
    indicator: "sortingAccuracy",
    rule: { _tag: "Linear", weight: weights.sortingAccuracy, direction: "higherIsBetter", min: 50, max: 95 }
  },
  {
    indicator: "collection",
    rule: { _tag: "Linear", weight: weights.collection, direction: "higherIsBetter", min: 60, max: 100 }
  },
  {
    indicator: "cityScore",
    rule: { _tag: "Linear", weight: weights.cityScore, direction: "higherIsBetter", min: 60, max: 100 }
  },
  { indicator: "outreach", rule: { _tag: "Target", weight: weights.outreach, direction: "higherIsBetter", target: 6 } }
]

const territorial = (options: {
  readonly id: string
  readonly version: number
  readonly name: string
  readonly group: "urban" | "rural"
  readonly effectiveFrom: string
  readonly effectiveTo: string | null
  readonly weights: Parameters<typeof territorialItems>[0]
}) => ({
  id: options.id,
  version: options.version,
  name: options.name,
  group: options.group,
  effectiveFrom: options.effectiveFrom,
  effectiveTo: options.effectiveTo,
  totalWeight: 100,
  missingData: "zero",
  decimals: 2,
  elements: territorialElements,
  indicators: territorialIndicators,
  items: territorialItems(options.weights),
  grades,
  gradeBelow: "fail"
})

/**
 * The weights of each version, by scheme: the revision moves weight to facility management (rural)
 * and standard collection (both), away from the city score and outreach.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const weights = {
  urban: {
    1: {
      problemsPerCompound: 15,
      meetingStandard: 10,
      dutyPresence: 20,
      sortingAccuracy: 20,
      collection: 10,
      cityScore: 15,
      outreach: 10
    },
    2: {
      problemsPerCompound: 15,
      meetingStandard: 10,
      dutyPresence: 20,
      sortingAccuracy: 20,
      collection: 15,
      cityScore: 10,
      outreach: 10
    }
  },
  rural: {
    1: {
      problemsPerCompound: 15,
      meetingStandard: 10,
      dutyPresence: 20,
      sortingAccuracy: 20,
      collection: 10,
      cityScore: 15,
      outreach: 10
    },
    2: {
      problemsPerCompound: 20,
      meetingStandard: 15,
      dutyPresence: 15,
      sortingAccuracy: 15,
      collection: 20,
      cityScore: 10,
      outreach: 5
    }
  }
} as const

/**
 * The day the revision takes effect.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const revisedOn = "2023-04-01"

const departmentElements = [
  ratio("dept.dutyPresence", "Staff duty presence in adopted communities"),
  { id: "dept.outreachEvents", name: "Outreach events organised", valueType: "count" },
  ratio("dept.onTime", "Problems handed over rectified on time"),
  { id: "dept.ruralVisits", name: "Support visits to rural towns", valueType: "count" }
]

const departmentIndicators = [
  { _tag: "Formula", id: "staffDuty", name: "Staff duty presence (%)", formula: "100 * dept.dutyPresence" },
  { _tag: "Formula", id: "events", name: "Outreach events organised", formula: "dept.outreachEvents" },
  { _tag: "Formula", id: "onTime", name: "Rectified on time (%)", formula: "100 * dept.onTime" },
  { _tag: "Formula", id: "ruralVisits", name: "Rural support visits", formula: "dept.ruralVisits" }
]

const department = (version: 1 | 2) => ({
  id: "departments-2023",
  version,
  name: version === 1 ? "Government departments, 2023" : "Government departments, 2023 (revised 1 April)",
  group: "departments",
  effectiveFrom: version === 1 ? "2023-01-01" : revisedOn,
  effectiveTo: version === 1 ? revisedOn : null,
  totalWeight: 100,
  missingData: "zero",
  decimals: 2,
  elements: departmentElements,
  indicators: departmentIndicators,
  items: [
    {
      indicator: "staffDuty",
      rule: { _tag: "Linear", weight: version === 1 ? 40 : 35, direction: "higherIsBetter", min: 50, max: 100 }
    },
    { indicator: "events", rule: { _tag: "Target", weight: 20, direction: "higherIsBetter", target: 3 } },
    {
      indicator: "onTime",
      rule: { _tag: "Linear", weight: version === 1 ? 30 : 25, direction: "higherIsBetter", min: 50, max: 100 }
    },
    {
      indicator: "ruralVisits",
      rule: { _tag: "Target", weight: version === 1 ? 10 : 20, direction: "higherIsBetter", target: 4 }
    }
  ],
  grades,
  gradeBelow: "fail"
})

/**
 * Every scheme version, in the order to define them (version 1 of a scheme before version 2).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const schemes: ReadonlyArray<Record<string, unknown>> = [
  territorial({
    id: "urban-2023",
    version: 1,
    name: "Urban subdistricts, 2023",
    group: "urban",
    effectiveFrom: "2023-01-01",
    effectiveTo: revisedOn,
    weights: weights.urban[1]
  }),
  territorial({
    id: "urban-2023",
    version: 2,
    name: "Urban subdistricts, 2023 (revised 1 April)",
    group: "urban",
    effectiveFrom: revisedOn,
    effectiveTo: null,
    weights: weights.urban[2]
  }),
  territorial({
    id: "rural-2023",
    version: 1,
    name: "Rural towns, 2023",
    group: "rural",
    effectiveFrom: "2023-01-01",
    effectiveTo: revisedOn,
    weights: weights.rural[1]
  }),
  territorial({
    id: "rural-2023",
    version: 2,
    name: "Rural towns, 2023 (revised 1 April)",
    group: "rural",
    effectiveFrom: revisedOn,
    effectiveTo: null,
    weights: weights.rural[2]
  }),
  department(1),
  department(2)
]

/**
 * The consequence rule: the bottom three units of a group each month get a supervision-and-help
 * team on site.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const supervision = [
  {
    _tag: "BottomN",
    n: 3,
    action: "supervision-visit",
    description: "Send a supervision-and-help team on site"
  }
]

/**
 * The quarterly reward funds (fen), urban and rural separately: shares in proportion to points above
 * 60 (urban) and 40 (rural: its own reward rule, as the towns start further behind); the rural fund is the larger after the revision's shift towards rural facility management.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const funds = {
  "urban-2023": { fund: 100_000_000, rule: { _tag: "Proportional", threshold: 60 } },
  "rural-2023": { fund: 150_000_000, rule: { _tag: "Proportional", threshold: 40 } }
} as const
