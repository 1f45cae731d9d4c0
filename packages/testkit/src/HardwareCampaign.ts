/**
 * The "hardware to zero" campaign (硬件清零) of January–June 2023 as a deterministic plan: which
 * hardware problems each compound of the synthetic district has in January, and what becomes of
 * each by the end of June. It is calibrated to the domain's figures — 4,104 problems in January (5.8
 * per compound over the 708 compounds) worked down to 1,025 still open at 394 compounds (2.6 per
 * compound that has any) — with rural compounds starting worse and lagging behind.
 *
 * The plan is plain data, so a test (or the demo) can walk it through the public API day by day and
 * check what the stats report against tallies computed from the plan alone.
 *
 * @since 0.1.0
 */
import { random } from "./Synthetic.js"

/**
 * The domain's figures the plan is calibrated to.
 *
 * @since 0.1.0
 * @category figures
 */
export const figures = {
  registeredInJanuary: 4_104,
  openAtEndOfJune: 1_025,
  compoundsWithOpenAtEndOfJune: 394
} as const

/**
 * The hardware categories of the default catalogue, with attribute values a problem of each needs.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const categories: ReadonlyArray<{
  readonly code: string
  readonly attributes: Readonly<Record<string, unknown>>
}> = [
  { code: "bin-missing", attributes: { stream: "kitchen" } },
  { code: "bin-damaged", attributes: { stream: "other", damage: ["lid"] } },
  { code: "bin-wrong-colour-or-label", attributes: { stream: "recyclable", defect: "wrong_label" } },
  { code: "signage-missing", attributes: { sign: "sorting_guide" } },
  { code: "station-dirty", attributes: { condition: ["overflowing"] } },
  { code: "no-hand-washing", attributes: {} },
  { code: "canopy-or-lighting-broken", attributes: { part: ["canopy"] } }
]

/**
 * A compound of the district: its id, the subdistrict or town it lies in, the community or village
 * responsible for it, and whether that is urban or rural.
 *
 * @since 0.1.0
 * @category models
 */
export interface Compound {
  readonly id: string
  readonly townId: string
  readonly communityId: string
  readonly setting: "urban" | "rural"
}

/**
 * One planned problem. Dates are ISO dates in Beijing time. A problem is registered, assigned to
 * its community the next day, and — unless it stays open — rectified and closed by a passing
 * re-inspection on `closedOn`; a `reworked` one fails its first re-inspection and is rectified
 * again. A problem still open at the end of June was rectified once and failed its re-inspection
 * when `reworked`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlannedProblem {
  readonly id: string
  readonly compound: Compound
  readonly categoryCode: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly registeredOn: string
  readonly closedOn: string | null
  readonly reworked: boolean
}

const dayMillis = 86_400_000

const isoDate = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

/** The weekdays from `from` to `to`, both inclusive. */
const weekdays = (from: string, to: string): ReadonlyArray<string> => {
  const days: Array<string> = []
  for (let at = Date.parse(from); at <= Date.parse(to); at += dayMillis) {
    const weekday = new Date(at).getUTCDay()
    if (weekday !== 0 && weekday !== 6) days.push(isoDate(at))
  }
  return days
}

/**
 * An ISO date `days` calendar days after `date`.
 *
 * @since 0.1.0
 * @category dates
 */
export const addDays = (date: string, days: number): string => isoDate(Date.parse(date) + days * dayMillis)

/** A month's share of the year's closings, urban and rural: rural compounds start late. */
const closingMonths = {
  urban: [0.3, 0.25, 0.2, 0.15, 0.1],
  rural: [0.1, 0.15, 0.2, 0.25, 0.3]
} as const

/**
 * The plan for a set of compounds (the synthetic district's 708), deterministic for a seed.
 *
 * @since 0.1.0
 * @category plans
 */
export const plan = (options: {
  readonly seed: number
  readonly compounds: ReadonlyArray<Compound>
}): ReadonlyArray<PlannedProblem> => {
  const next = random(options.seed)
  const compounds = [...options.compounds].sort((a, b) => (a.id < b.id ? -1 : 1))
  const most = categories.length
  const shuffled = <A>(items: ReadonlyArray<A>): Array<A> => {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy
  }

  // January: rural compounds have 5–7 problems, urban ones 3–7; then even out to the exact total.
  const counts = compounds.map((compound) =>
    compound.setting === "rural" ? 5 + Math.floor(next() * 3) : 3 + Math.floor(next() * 5)
  )
  let total = counts.reduce((a, b) => a + b, 0)
  while (total !== figures.registeredInJanuary) {
    const index = Math.floor(next() * counts.length)
    const step = total > figures.registeredInJanuary ? -1 : 1
    const count = counts[index]! + step
    if (count < 1 || count > most) continue
    counts[index] = count
    total += step
  }

  // June: the compounds still with open problems, rural ones twice as likely; then how many each keeps.
  const stillOpen = new Map<number, number>()
  const ranked = compounds
    .map((compound, index) => ({ index, key: next() * (compound.setting === "rural" ? 0.5 : 1) }))
    .sort((a, b) => a.key - b.key)
    .slice(0, figures.compoundsWithOpenAtEndOfJune)
  for (const { index } of ranked) stillOpen.set(index, 1)
  let open = figures.compoundsWithOpenAtEndOfJune
  while (open < figures.openAtEndOfJune) {
    const { index } = ranked[Math.floor(next() * ranked.length)]!
    const kept = stillOpen.get(index)!
    if (kept >= counts[index]!) continue
    stillOpen.set(index, kept + 1)
    open++
  }

  const january = weekdays("2023-01-03", "2023-01-31")
  const closingDays = [2, 3, 4, 5, 6].map((month) =>
    weekdays(`2023-0${month}-01`, addDays(`2023-0${month + 1}-01`, -1))
  )
  const problems: Array<PlannedProblem> = []
  compounds.forEach((compound, index) => {
    const registeredOn = january[Math.floor(next() * january.length)]!
    const kept = stillOpen.get(index) ?? 0
    shuffled(categories)
      .slice(0, counts[index]!)
      .forEach((category, position) => {
        const reworked = next() < 0.2
        let closedOn: string | null = null
        if (position >= kept) {
          const shares = closingMonths[compound.setting]
          let pick = next()
          let month = 0
          while (month < shares.length - 1 && pick >= shares[month]!) pick -= shares[month++]!
          const days = closingDays[month]!.filter((day) => day >= addDays(registeredOn, 14))
          closedOn = days[Math.floor(next() * days.length)]!
        }
        problems.push({
          id: `htz-${compound.id}-${category.code}`,
          compound,
          categoryCode: category.code,
          attributes: category.attributes,
          registeredOn,
          closedOn,
          reworked
        })
      })
  })
  return problems
}

/**
 * One step of the plan on a day: a registration, or a lifecycle command for a problem.
 *
 * @since 0.1.0
 * @category plans
 */
export type Step =
  | { readonly kind: "register"; readonly problem: PlannedProblem }
  | { readonly kind: "assign"; readonly problem: PlannedProblem }
  | { readonly kind: "rectify"; readonly problem: PlannedProblem }
  | { readonly kind: "reinspect"; readonly problem: PlannedProblem; readonly outcome: "pass" | "fail" }

const stepOrder: Record<Step["kind"], number> = { register: 0, assign: 1, rectify: 2, reinspect: 3 }

/**
 * The plan as steps by day, days in order and, within a day, registrations first, then
 * assignments, rectifications and re-inspections. Still-open problems are rectified on 10 June; the
 * reworked among them fail their re-inspection on 20 June.
 *
 * @since 0.1.0
 * @category plans
 */
export const schedule = (
  problems: ReadonlyArray<PlannedProblem>
): ReadonlyArray<readonly [string, ReadonlyArray<Step>]> => {
  const days = new Map<string, Array<Step>>()
  const at = (day: string, step: Step) => days.set(day, [...(days.get(day) ?? []), step])
  for (const problem of problems) {
    at(problem.registeredOn, { kind: "register", problem })
    at(addDays(problem.registeredOn, 1), { kind: "assign", problem })
    if (problem.closedOn === null) {
      at("2023-06-10", { kind: "rectify", problem })
      if (problem.reworked) at("2023-06-20", { kind: "reinspect", problem, outcome: "fail" })
      continue
    }
    if (problem.reworked) {
      at(addDays(problem.closedOn, -10), { kind: "rectify", problem })
      at(addDays(problem.closedOn, -7), { kind: "reinspect", problem, outcome: "fail" })
    }
    at(addDays(problem.closedOn, -3), { kind: "rectify", problem })
    at(problem.closedOn, { kind: "reinspect", problem, outcome: "pass" })
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, steps]) => [day, steps.sort((a, b) => stepOrder[a.kind] - stepOrder[b.kind])] as const)
}
