// `pnpm bench assessment`: the assessment engine at Beijing scale. A synthetic tree of 16 districts,
// 340 subdistricts/towns, 7,000 communities and 30,000 grids; the 7,000 communities are the units,
// in two groups (urban and rural, split by their subdistrict), scored monthly for the 12 months of
// 2023 on 12 indicators (each an element per community, scored by a three-band traffic-light rule,
// weights adding up to 100). Each grid holds one element's raw figure (duty checks); a community's
// value of it is the sum over its grids, computed once before timing (aggregation is not timed).
//
// Three ways to score the same thing, in one run:
// - the engine: `Evaluation.evaluate` per group and month, from `DataValue`s, with everything the
//   engine gives (every item's figures, ranks, grades, the inputs with their provenance, the result
//   hash over all of it; items, inputs and explanation trees become objects when first read, and
//   the run logs what reading every explanation of one month costs, untimed);
// - a hand-written plain loop over typed arrays: the same banded scores, totals rounded the same
//   way, competition ranks by sorting, grades; checked to give the engine's totals, ranks and
//   grades exactly;
// - json-rules-engine 7 with the same banded rules (one rule per band, its fraction the event), one
//   `engine.run` per unit; checked to give the same totals. It is timed on one month (84,000 runs a
//   year take minutes) and compared per unit scored.
// For the record (not a target), the run also logs a plain loop that rounds each band's
// contribution once up front, as the engine does, instead of once per unit through `toPrecision`
// (which is most of the plain loop's time): the engine carries objects, inputs and a hash that
// neither loop has.
// Figures are rates in units scored per second; `ratio` is sdk / baseline (above 1 the engine is faster).
import { Evaluation, Scheme } from "@sortgrid/assessment"
import { DataValue, Period } from "@sortgrid/core"
import { Either } from "effect"
import { Engine as RulesEngine } from "json-rules-engine"
import { medianMillis, type Result, rate } from "./harness.js"

// `ASSESSMENT_BENCH_COMMUNITIES` and `ASSESSMENT_BENCH_MONTHS` shrink the run while iterating (grids
// scale with the communities); the reported figures are at full scale.
const communities = Number(process.env.ASSESSMENT_BENCH_COMMUNITIES ?? 7_000)
const districts = 16
const subdistricts = Math.min(340, communities)
const grids = Math.round((30_000 * communities) / 7_000)
const indicatorCount = 12
const months = Number(process.env.ASSESSMENT_BENCH_MONTHS ?? 12)

/** A small deterministic generator, so every run scores the same district. */
const random = (() => {
  let state = 20230601
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
})()

const bands = [
  { threshold: 80, fraction: 1, label: "green" },
  { threshold: 60, fraction: 0.6, label: "amber" }
] as const
const weights = Array.from({ length: indicatorCount }, (_, i) => (i < 4 ? 10 : 7.5))

const scheme = (group: string) =>
  Either.getOrThrow(
    Scheme.load({
      id: `beijing-${group}`,
      version: 1,
      name: `Beijing ${group} communities`,
      group,
      effectiveFrom: "2023-01-01",
      totalWeight: 100,
      missingData: "zero",
      decimals: 2,
      elements: Array.from({ length: indicatorCount }, (_, i) => ({
        id: `e${i}`,
        name: `element ${i}`,
        valueType: "number"
      })),
      indicators: Array.from({ length: indicatorCount }, (_, i) => ({
        _tag: "Formula",
        id: `i${i}`,
        name: `indicator ${i}`,
        formula: `e${i}`
      })),
      items: Array.from({ length: indicatorCount }, (_, i) => ({
        indicator: `i${i}`,
        rule: {
          _tag: "Bands",
          weight: weights[i],
          direction: "higherIsBetter",
          bands: bands.map((band) => ({ ...band })),
          otherwise: { fraction: 0, label: "red" }
        }
      })),
      grades: [
        { label: "excellent", atLeast: 90 },
        { label: "pass", atLeast: 60 }
      ],
      gradeBelow: "fail"
    })
  )

interface District {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly units: ReadonlyArray<string> }>
  /** values[month][unit index][indicator] */
  readonly values: ReadonlyArray<Float64Array>
  readonly unitIndex: ReadonlyMap<string, number>
}

/** The tree's shape (for the counts) and the communities' values. */
const build = (): District => {
  const units = Array.from({ length: communities }, (_, c) => `c${String(c).padStart(5, "0")}`)
  const subdistrictOf = (c: number) => Math.floor((c * subdistricts) / communities)
  const districtOf = (s: number) => Math.floor((s * districts) / subdistricts)
  // A subdistrict is rural when its district is one of the outer six.
  const rural = (c: number) => districtOf(subdistrictOf(c)) >= 10
  const gridsOf = new Int32Array(communities)
  for (let g = 0; g < grids; g++) gridsOf[Math.floor((g * communities) / grids)]! += 1
  const values = Array.from({ length: months }, () => {
    const matrix = new Float64Array(communities * indicatorCount)
    for (let c = 0; c < communities; c++) {
      for (let i = 0; i < indicatorCount; i++) {
        // Element 0 is duty checks: the sum over the community's grids of each grid's figure.
        let value = 0
        if (i === 0) for (let g = 0; g < gridsOf[c]!; g++) value += Math.round(random() * 30)
        else value = Math.round(random() * 1000) / 10
        matrix[c * indicatorCount + i] = value
      }
    }
    return matrix
  })
  return {
    groups: [
      { name: "urban", units: units.filter((_, c) => !rural(c)) },
      { name: "rural", units: units.filter((_, c) => rural(c)) }
    ],
    values,
    unitIndex: new Map(units.map((unit, c) => [unit, c]))
  }
}

const monthIds = Array.from({ length: months }, (_, m) => `2023-${String(m + 1).padStart(2, "0")}`)
const provenance = new DataValue.Provenance({ kind: "imported", source: "bench" })

/** The engine's input: every value as a `DataValue`, built once (not timed). */
const dataValues = (district: District) =>
  monthIds.map((period, m) =>
    district.groups.map((group) =>
      group.units.flatMap((unit) => {
        const c = district.unitIndex.get(unit)!
        return Array.from(
          { length: indicatorCount },
          (_, i) =>
            new DataValue.DataValue(
              {
                element: DataValue.DataElementId.make(`e${i}`),
                node: DataValue.NodeRef.make(unit),
                period: DataValue.PeriodId.make(period),
                value: district.values[m]![c * indicatorCount + i]!,
                provenance
              },
              { disableValidation: true }
            )
        )
      })
    )
  )

const round2 = (value: number) => {
  const rounded = Math.round(Number((Math.abs(value) * 100).toPrecision(15))) * Math.sign(value)
  return rounded / 100 === 0 ? 0 : rounded / 100
}

const gradeOf = (total: number) => (total >= 90 ? "excellent" : total >= 60 ? "pass" : "fail")

/** The plain loop: banded scores, totals, competition ranks, grades. */
const plain = (district: District, m: number, units: ReadonlyArray<string>) => {
  const matrix = district.values[m]!
  const totals = new Float64Array(units.length)
  for (let u = 0; u < units.length; u++) {
    const base = district.unitIndex.get(units[u]!)! * indicatorCount
    let total = 0
    for (let i = 0; i < indicatorCount; i++) {
      const value = matrix[base + i]!
      const fraction = value >= 80 ? 1 : value >= 60 ? 0.6 : 0
      total += round2(fraction * weights[i]!)
    }
    totals[u] = round2(total)
  }
  const order = Array.from(totals.keys()).sort((a, b) => totals[b]! - totals[a]!)
  const ranks = new Int32Array(units.length)
  for (let k = 0; k < order.length; k++) {
    const u = order[k]!
    const previous = order[k - 1]
    ranks[u] = k > 0 && previous !== undefined && totals[previous] === totals[u] ? ranks[previous]! : k + 1
  }
  const grades = Array.from(totals, gradeOf)
  return { totals, ranks, grades }
}

/**
 * The plain loop written the way the engine works: each band's contribution rounded once up front
 * (a table per indicator), so scoring a unit is comparisons and additions. Not a target, for the
 * record: the loop above rounds every contribution of every unit through `toPrecision`, which is
 * most of its time.
 */
const bandTable = weights.map((weight) =>
  [0, ...[...bands].reverse().map((band) => band.fraction)].map((f) => round2(f * weight))
)

const plainWithTable = (district: District, m: number, units: ReadonlyArray<string>) => {
  const matrix = district.values[m]!
  const totals = new Float64Array(units.length)
  for (let u = 0; u < units.length; u++) {
    const base = district.unitIndex.get(units[u]!)! * indicatorCount
    let total = 0
    for (let i = 0; i < indicatorCount; i++) {
      const value = matrix[base + i]!
      total += bandTable[i]![value >= 80 ? 2 : value >= 60 ? 1 : 0]!
    }
    totals[u] = round2(total)
  }
  const order = Array.from(totals.keys()).sort((a, b) => totals[b]! - totals[a]!)
  const ranks = new Int32Array(units.length)
  for (let k = 0; k < order.length; k++) {
    const u = order[k]!
    const previous = order[k - 1]
    ranks[u] = k > 0 && previous !== undefined && totals[previous] === totals[u] ? ranks[previous]! : k + 1
  }
  const grades = Array.from(totals, gradeOf)
  return { totals, ranks, grades }
}

const rulesEngine = () => {
  const engine = new RulesEngine([], { allowUndefinedFacts: true })
  for (let i = 0; i < indicatorCount; i++) {
    for (const band of bands) {
      engine.addRule({
        conditions: { all: [{ fact: `e${i}`, operator: "greaterThanInclusive", value: band.threshold }] },
        event: { type: "band", params: { indicator: i, fraction: band.fraction } }
      })
    }
  }
  return engine
}

const scoreWithRules = async (engine: RulesEngine, facts: Record<string, number>) => {
  const { events } = await engine.run(facts)
  const best = new Float64Array(indicatorCount)
  for (const event of events) {
    const params = event.params as { indicator: number; fraction: number }
    if (params.fraction > best[params.indicator]!) best[params.indicator] = params.fraction
  }
  let total = 0
  for (let i = 0; i < indicatorCount; i++) total += round2(best[i]! * weights[i]!)
  return round2(total)
}

/** The inputs and the two synchronous runs (engine, plain loop), also for profiling. */
export const setup = () => {
  const district = build()
  const schemes = district.groups.map((group) => scheme(group.name))
  const inputs = dataValues(district)
  const periods = monthIds.map((id) => Either.getOrThrow(Period.parse(id)))
  const unitsScored = months * communities
  console.log(
    `tree: ${districts} districts, ${subdistricts} subdistricts/towns, ${communities} communities, ${grids} grids; ` +
      `groups ${district.groups.map((g) => `${g.name} ${g.units.length}`).join(", ")}; ${indicatorCount} indicators, ${months} months`
  )

  const engineMonth = (m: number) =>
    district.groups.map((group, g) =>
      Either.getOrThrow(
        Evaluation.evaluate({ scheme: schemes[g]!, period: periods[m]!, units: group.units, values: inputs[m]![g]! })
      )
    )
  const engineRun = () => periods.flatMap((_, m) => engineMonth(m))
  const plainRun = () => periods.flatMap((_, m) => district.groups.map((group) => plain(district, m, group.units)))
  const tableRun = () =>
    periods.flatMap((_, m) => district.groups.map((group) => plainWithTable(district, m, group.units)))
  return { district, engineMonth, engineRun, plainRun, tableRun, unitsScored }
}

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const { district, engineMonth, engineRun, plainRun, tableRun, unitsScored } = setup()

  // The three agree: totals and ranks of every unit in every month.
  const engineResults = engineRun()
  const plainResults = plainRun()
  engineResults.forEach((result, k) => {
    const group = district.groups[k % district.groups.length]!
    const reference = plainResults[k]!
    const index = new Map(group.units.map((unit, u) => [unit, u]))
    for (const unit of result.units) {
      const u = index.get(unit.unit)!
      if (
        unit.total !== reference.totals[u] ||
        unit.rank !== reference.ranks[u] ||
        unit.grade !== reference.grades[u]
      ) {
        throw new Error(
          `${result.period} ${unit.unit}: engine ${unit.total} #${unit.rank} ${unit.grade}, plain ${reference.totals[u]} #${reference.ranks[u]} ${reference.grades[u]}`
        )
      }
    }
  })
  tableRun().forEach((reference, k) => {
    reference.totals.forEach((total, u) => {
      if (total !== plainResults[k]!.totals[u]) throw new Error("the two plain loops disagree")
    })
  })
  const rules = rulesEngine()
  const rulesMonth = async () => {
    const out: Array<number> = []
    for (const group of district.groups) {
      for (const unit of group.units) {
        const base = district.unitIndex.get(unit)! * indicatorCount
        const facts: Record<string, number> = {}
        for (let i = 0; i < indicatorCount; i++) facts[`e${i}`] = district.values[0]![base + i]!
        out.push(await scoreWithRules(rules, facts))
      }
    }
    return out
  }
  const rulesTotals = await rulesMonth()
  const engineJanuary = new Map(
    engineResults.slice(0, 2).flatMap((result) => result.units.map((unit) => [unit.unit, unit.total]))
  )
  const unitsInOrder = district.groups.flatMap((group) => group.units)
  unitsInOrder.forEach((unit, k) => {
    if (engineJanuary.get(unit) !== rulesTotals[k]) throw new Error(`json-rules-engine disagrees on ${unit}`)
  })
  console.log("engine, plain loop and json-rules-engine agree on every total (and the loop on every rank and grade)")

  const engineMillis = await medianMillis(3, () => undefined, engineRun)
  const plainMillis = await medianMillis(3, () => undefined, plainRun)
  const rulesMillis = await medianMillis(3, () => undefined, rulesMonth)
  // Not a target, for the record: the plain loop with the band contributions rounded once.
  const tableMillis = await medianMillis(3, () => undefined, tableRun)
  console.log(
    `plain loop with each band's contribution rounded once (as the engine does; not a target): ${tableMillis.toFixed(1)} ms, engine ${(engineMillis / tableMillis).toFixed(2)}× its time`
  )
  // Not a target, for the record: what reading every explanation of one month costs afterwards.
  const explainMillis = await medianMillis(
    3,
    () => engineMonth(0),
    (results) => {
      for (const result of results) for (const unit of result.units) unit.explanation
    }
  )
  console.log(
    `reading the explanations of one month's ${communities.toLocaleString("en-US")} units (first read builds them): ${explainMillis.toFixed(1)} ms`
  )
  // The engine per month, to compare with json-rules-engine's one month.
  const engineMonthMillis = engineMillis / months
  return [
    rate(
      `score ${communities.toLocaleString("en-US")} communities × ${months} months: engine vs plain loop`,
      "units/s",
      unitsScored,
      engineMillis,
      plainMillis
    ),
    rate(
      `score ${communities.toLocaleString("en-US")} communities, one month: engine vs json-rules-engine`,
      "units/s",
      communities,
      engineMonthMillis,
      rulesMillis
    )
  ]
}
