/**
 * Problem-register statistics per node and period, on the tree as of the period's last day, and
 * their publication as data values for the assessment engine. Pure: the service loads the problems,
 * the placements and the node kinds, and calls {@link compute}.
 *
 * Every node counts the problems on it or under it. A problem's latest version is enough to know
 * its state at any instant, because its deadline is fixed at registration and a closed problem never
 * changes again: it is open from `registeredAt` (inclusive) to `closure.closedAt` (exclusive).
 * Instants become days in the jurisdiction's time zone (`offsetMinutes` east of UTC), so a problem
 * registered at 07:30 on 1 February Beijing time counts in February.
 *
 * Figures keep their parts (numerator and denominator, sum and count, the problem ids behind them)
 * so every number can be explained. Invariants: `openAtEnd − openAtStart = opened − closedFixed −
 * closedOther`; each node's counts are its own plus its children's; the burn-down's last day is
 * `openAtEnd`.
 *
 * @since 0.1.0
 */
import { DataValue, Period } from "@sortgrid/core"
import type { Placement } from "@sortgrid/grid/Rollup"
import type { Problem } from "./Problem.js"

/**
 * What stats read of a problem; a store may load just these columns.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProblemFacts extends Pick<Problem, "id" | "nodeId" | "registeredAt" | "deadlineAt"> {
  /** How and when it was closed; `null` while open. A `Problem` is a `ProblemFacts`. */
  readonly closure: { readonly _tag: "ClosedFixed" | "ClosedOther"; readonly closedAt: number } | null
}

/**
 * A ratio with its parts; `value` is `null` when the denominator is 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ratio {
  readonly numerator: number
  readonly denominator: number
  readonly value: number | null
}

/**
 * Summary of durations in milliseconds; `median` and `mean` are `null` when `count` is 0. The
 * median of an even count is the mean of the two middle values.
 *
 * @since 0.1.0
 * @category models
 */
export interface Durations {
  readonly count: number
  readonly sum: number
  readonly min: number | null
  readonly max: number | null
  readonly median: number | null
  readonly mean: number | null
}

/**
 * The ids of the problems behind each count, at most `recordLimit` each (the count is the total).
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeRecords {
  readonly opened: ReadonlyArray<string>
  readonly closedFixed: ReadonlyArray<string>
  readonly closedOther: ReadonlyArray<string>
  readonly openAtEnd: ReadonlyArray<string>
  readonly overdueAtEnd: ReadonlyArray<string>
}

/**
 * The stats of one node for one period, counting problems on the node or under it.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeStats {
  readonly nodeId: string
  readonly path: string
  /** Registered in the period. */
  readonly opened: number
  /** Closed as fixed (a passing re-inspection) in the period. */
  readonly closedFixed: number
  /** Closed for another reason in the period. */
  readonly closedOther: number
  /** Open at the end of the day before the period: the starting point of the burn-down. */
  readonly openAtStart: number
  /** Open at the end of the period's last day. */
  readonly openAtEnd: number
  /** Open and at or past the deadline at the end of the period's last day. */
  readonly overdueAtEnd: number
  /** From registering to closing, of every problem closed in the period (fixed or not). */
  readonly timeToClose: Durations
  /** Compounds on or under the node on the period's last day. */
  readonly compounds: number
  /** Of those, the compounds with a problem open at period end (on the compound or under it). */
  readonly compoundsWithOpen: number
  /** `openAtEnd ÷ compounds`: problems still on the register per compound. */
  readonly perCompound: Ratio
  /** `openAtEnd ÷ compoundsWithOpen`: problems per compound that has any. */
  readonly perAffectedCompound: Ratio
  /** Open at the end of each day of the period, first day first. */
  readonly burnDown: ReadonlyArray<number>
  readonly records: NodeRecords
}

/**
 * Stats for every node of the tree for one period.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly period: Period.Period
  /** By node id, for every placement given (zero counts included). */
  readonly nodes: ReadonlyMap<string, NodeStats>
  /** Problems that count in the period but whose node is not on the tree on its last day. */
  readonly unplaced: number
}

/**
 * What {@link compute} needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatsInput {
  readonly problems: Iterable<ProblemFacts>
  /** The tree as of the period's last day. */
  readonly placements: ReadonlyArray<Placement>
  /** Each node's kind; nodes of `compoundKind` are the compounds averages divide by. */
  readonly kinds: ReadonlyMap<string, string>
  readonly compoundKind: string
  readonly period: Period.Period
  /** The jurisdiction's offset east of UTC, in minutes (Beijing: 480). */
  readonly offsetMinutes: number
  /** How many problem ids to keep per figure and node (default 20). */
  readonly recordLimit?: number
}

const dayMillis = 86_400_000

const ratio = (numerator: number, denominator: number): Ratio => ({
  numerator,
  denominator,
  value: denominator === 0 ? null : numerator / denominator
})

const durations = (values: Array<number>): Durations => {
  const count = values.length
  if (count === 0) return { count, sum: 0, min: null, max: null, median: null, mean: null }
  const sorted = values.sort((a, b) => a - b)
  const sum = sorted.reduce((total, value) => total + value, 0)
  const middle = count >> 1
  const median = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { count, sum, min: sorted[0]!, max: sorted[count - 1]!, median, mean: sum / count }
}

interface Accumulator {
  opened: number
  closedFixed: number
  closedOther: number
  openAtStart: number
  openAtEnd: number
  overdueAtEnd: number
  compounds: number
  compoundsWithOpen: number
  durations: Array<number>
  burnDiff: Int32Array | null
  records: { [K in keyof NodeRecords]: Array<string> }
}

const emptyAccumulator = (): Accumulator => ({
  opened: 0,
  closedFixed: 0,
  closedOther: 0,
  openAtStart: 0,
  openAtEnd: 0,
  overdueAtEnd: 0,
  compounds: 0,
  compoundsWithOpen: 0,
  durations: [],
  burnDiff: null,
  records: { opened: [], closedFixed: [], closedOther: [], openAtEnd: [], overdueAtEnd: [] }
})

/**
 * Computes the stats of every node for a period. A problem counts on the node it was registered on
 * and on each of that node's ancestors, as placed on the period's last day; a problem whose node is
 * not on the tree that day counts in `unplaced` only.
 *
 * @since 0.1.0
 * @category stats
 */
export const compute = (input: StatsInput): Stats => {
  const { placements, period } = input
  const limit = input.recordLimit ?? 20
  const offset = input.offsetMinutes * 60_000
  const firstDay = Period.startDay(period)
  const days = Period.endDay(period) - firstDay + 1
  // Instants: the last millisecond before the period, and the last millisecond of it.
  const beforeStart = firstDay * dayMillis - offset - 1
  const atEnd = (firstDay + days) * dayMillis - offset - 1
  const dayIndex = (instant: number) => Period.dayOfInstant(instant, input.offsetMinutes) - firstDay

  const index = new Map(placements.map(([nodeId], i) => [nodeId, i]))
  // A node's ancestors-or-self, from its path: the ids on the path that are on the tree.
  const lineage = placements.map(([, path]) =>
    path.split("/").flatMap((segment) => (segment === "" || !index.has(segment) ? [] : [index.get(segment)!]))
  )
  const acc = placements.map(emptyAccumulator)
  const keep = (list: Array<string>, id: string) => {
    if (list.length < limit) list.push(id)
  }

  for (let i = 0; i < placements.length; i++) {
    if (input.kinds.get(placements[i]![0]) !== input.compoundKind) continue
    for (const a of lineage[i]!) acc[a]!.compounds++
  }

  let unplaced = 0
  for (const problem of input.problems) {
    const closedAt = problem.closure === null ? Number.POSITIVE_INFINITY : problem.closure.closedAt
    // Registered after the period, or closed before it: nothing to count.
    if (problem.registeredAt > atEnd || closedAt <= beforeStart) continue
    const at = index.get(problem.nodeId)
    if (at === undefined) {
      unplaced++
      continue
    }
    const opened = problem.registeredAt > beforeStart
    const openAtStart = !opened
    const closedIn = closedAt <= atEnd
    const openAtEnd = !closedIn
    const overdue = openAtEnd && atEnd >= problem.deadlineAt
    const fixed = problem.closure?._tag === "ClosedFixed"
    const from = Math.max(0, dayIndex(problem.registeredAt))
    const to = closedIn ? dayIndex(closedAt) : days
    for (const a of lineage[at]!) {
      const node = acc[a]!
      if (opened) {
        node.opened++
        keep(node.records.opened, problem.id)
      }
      if (openAtStart) node.openAtStart++
      if (closedIn) {
        node.durations.push(closedAt - problem.registeredAt)
        if (fixed) {
          node.closedFixed++
          keep(node.records.closedFixed, problem.id)
        } else {
          node.closedOther++
          keep(node.records.closedOther, problem.id)
        }
      }
      if (openAtEnd) {
        node.openAtEnd++
        keep(node.records.openAtEnd, problem.id)
      }
      if (overdue) {
        node.overdueAtEnd++
        keep(node.records.overdueAtEnd, problem.id)
      }
      // Open at the end of days [from, to): a difference array, summed once per node below.
      if (from < to) {
        node.burnDiff ??= new Int32Array(days + 1)
        node.burnDiff[from]!++
        node.burnDiff[to]!--
      }
    }
  }

  // Needs every openAtEnd first: a compound's problems may sit on the sites under it.
  for (let i = 0; i < placements.length; i++) {
    if (input.kinds.get(placements[i]![0]) !== input.compoundKind || acc[i]!.openAtEnd === 0) continue
    for (const a of lineage[i]!) acc[a]!.compoundsWithOpen++
  }

  const nodes = new Map<string, NodeStats>()
  placements.forEach(([nodeId, path], i) => {
    const node = acc[i]!
    const burnDown: Array<number> = new Array(days).fill(0)
    if (node.burnDiff !== null) {
      let open = 0
      for (let d = 0; d < days; d++) {
        open += node.burnDiff[d]!
        burnDown[d] = open
      }
    }
    nodes.set(nodeId, {
      nodeId,
      path,
      opened: node.opened,
      closedFixed: node.closedFixed,
      closedOther: node.closedOther,
      openAtStart: node.openAtStart,
      openAtEnd: node.openAtEnd,
      overdueAtEnd: node.overdueAtEnd,
      timeToClose: durations(node.durations),
      compounds: node.compounds,
      compoundsWithOpen: node.compoundsWithOpen,
      perCompound: ratio(node.openAtEnd, node.compounds),
      perAffectedCompound: ratio(node.openAtEnd, node.compoundsWithOpen),
      burnDown,
      records: node.records
    })
  })
  return { period, nodes, unplaced }
}

// --- data values ----------------------------------------------------------------------------------

const element = (id: string, name: string, unit: string, description: string): DataValue.DataElement =>
  new DataValue.DataElement({ id: DataValue.DataElementId.make(id), name, unit, description })

/**
 * The data elements the problem register provides, each for a node (counting problems on or under
 * it) and a period. The burn-down is `issues.openAtEnd` asked for each day of a period.
 *
 * @since 0.1.0
 * @category data values
 */
export const elements = {
  opened: element("issues.opened", "Problems registered", "count", "Problems registered in the period."),
  closedFixed: element(
    "issues.closedFixed",
    "Problems closed as fixed",
    "count",
    "Problems taken off the register in the period by a passing re-inspection."
  ),
  closedOther: element(
    "issues.closedOther",
    "Problems closed otherwise",
    "count",
    "Problems closed in the period without being fixed (not our responsibility, duplicate, withdrawn)."
  ),
  openAtEnd: element(
    "issues.openAtEnd",
    "Problems open at period end",
    "count",
    "Problems on the register at the end of the period's last day."
  ),
  overdueAtEnd: element(
    "issues.overdueAtEnd",
    "Problems overdue at period end",
    "count",
    "Problems open and at or past their deadline at the end of the period's last day."
  ),
  medianTimeToClose: element(
    "issues.timeToClose.median",
    "Median time to close",
    "milliseconds",
    "Median time from registering to closing of the problems closed in the period, fixed or not."
  ),
  meanTimeToClose: element(
    "issues.timeToClose.mean",
    "Mean time to close",
    "milliseconds",
    "Mean time from registering to closing of the problems closed in the period, fixed or not."
  ),
  perCompound: element(
    "issues.openPerCompound",
    "Open problems per compound",
    "ratio",
    "Problems open at period end divided by the compounds on or under the node on the period's last day."
  ),
  perAffectedCompound: element(
    "issues.openPerAffectedCompound",
    "Open problems per affected compound",
    "ratio",
    "Problems open at period end divided by the compounds that have at least one of them."
  )
} as const

/**
 * The name of one of {@link elements}.
 *
 * @since 0.1.0
 * @category data values
 */
export type DataElementKey = keyof typeof elements

/**
 * Every element of {@link elements}, for a provider's `elements`.
 *
 * @since 0.1.0
 * @category data values
 */
export const dataElements: ReadonlyArray<DataValue.DataElement> = Object.values(elements)

/**
 * Publishes stats as data values: kind `derived`, source `issues.stats`, and the ids of the
 * problems behind each figure (as many as the stats kept; `total` is the figure's count). Figures
 * with nothing to say — a median with no closings, a ratio over no compounds — yield no value.
 *
 * @since 0.1.0
 * @category data values
 */
export const toDataValues = (stats: Stats): ReadonlyArray<DataValue.DataValue> => {
  const period = DataValue.periodId(stats.period)
  const out: Array<DataValue.DataValue> = []
  for (const node of stats.nodes.values()) {
    const nodeRef = DataValue.NodeRef.make(node.nodeId, { disableValidation: true })
    const push = (of: DataValue.DataElement, value: number | null, ids: ReadonlyArray<string>, total: number) => {
      if (value === null) return
      const records = new DataValue.Records({ entity: "Problem", ids, total }, { disableValidation: true })
      const provenance = new DataValue.Provenance(
        { kind: "derived", source: "issues.stats", records },
        { disableValidation: true }
      )
      out.push(
        new DataValue.DataValue(
          { element: of.id, node: nodeRef, period, value, provenance },
          { disableValidation: true }
        )
      )
    }
    const { records } = node
    const closed = [...records.closedFixed, ...records.closedOther]
    push(elements.opened, node.opened, records.opened, node.opened)
    push(elements.closedFixed, node.closedFixed, records.closedFixed, node.closedFixed)
    push(elements.closedOther, node.closedOther, records.closedOther, node.closedOther)
    push(elements.openAtEnd, node.openAtEnd, records.openAtEnd, node.openAtEnd)
    push(elements.overdueAtEnd, node.overdueAtEnd, records.overdueAtEnd, node.overdueAtEnd)
    push(elements.medianTimeToClose, node.timeToClose.median, closed, node.timeToClose.count)
    push(elements.meanTimeToClose, node.timeToClose.mean, closed, node.timeToClose.count)
    push(elements.perCompound, node.perCompound.value, records.openAtEnd, node.openAtEnd)
    push(elements.perAffectedCompound, node.perAffectedCompound.value, records.openAtEnd, node.openAtEnd)
  }
  return out
}
