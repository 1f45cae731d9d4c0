/**
 * Reward in lieu of subsidy: a group's fund for a period, split among its units by their results,
 * in integer fen.
 *
 * 1. **Shares.** Each unit gets shares by the rule: `Proportional` — its total above a threshold;
 *    `Tiered` — the shares of the first tier its rank falls in; `PerGrade` — the shares of its
 *    grade (a fixed amount per grade, as a proportion of the fund). Vetoed units and units with no
 *    result get none.
 * 2. **Ideal split.** The fund is split in proportion to shares, keeping every unit with shares
 *    within the floor and cap (`floorFen`, `capFen`): units pushed past a bound are held at it and
 *    the rest is split again among the others.
 * 3. **Penalties.** A penalised unit's ideal part is reduced by its penalty (not below zero) and
 *    what is taken is split among the unpenalised units the same way.
 * 4. **Rounding.** Largest remainder: every ideal part is rounded down, and the fen left over go
 *    one each to the parts with the largest remainders (ties to the lower unit id).
 *
 * Guarantees: the parts and `withheld` add up exactly to the fund; each is within one fen of its
 * ideal value; none is negative; no part exceeds the cap. `withheld` is what nobody may take —
 * no unit has shares, or every unit is at its cap. A floor the fund cannot pay for every unit with
 * shares is `Invalid`.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import { Either, Schema } from "effect"

const Shares = Schema.Finite.pipe(Schema.nonNegative())
const Fen = Schema.Int.pipe(Schema.nonNegative())

/**
 * Shares proportional to the total above `threshold` (nothing at or below it).
 *
 * @since 0.1.0
 * @category rules
 */
export class Proportional extends Schema.TaggedClass<Proportional>()("Proportional", {
  threshold: Schema.Finite
}) {}

/**
 * A tier of ranks: ranks up to `upToRank` (after the previous tier's) earn `shares` each.
 *
 * @since 0.1.0
 * @category rules
 */
export class Tier extends Schema.Class<Tier>("@sortgrid/assessment/Tier")({
  upToRank: Schema.Int.pipe(Schema.positive()),
  shares: Shares
}) {}

/**
 * Shares by rank tier; ranks beyond the last tier earn nothing. Tied units share a rank, so they
 * fall in the same tier.
 *
 * @since 0.1.0
 * @category rules
 */
export class Tiered extends Schema.TaggedClass<Tiered>()("Tiered", { tiers: Schema.NonEmptyArray(Tier) }) {}

/**
 * Fixed shares per grade; grades not listed earn nothing.
 *
 * @since 0.1.0
 * @category rules
 */
export class PerGrade extends Schema.TaggedClass<PerGrade>()("PerGrade", {
  shares: Schema.Record({ key: Schema.String, value: Shares })
}) {}

/**
 * How shares are given.
 *
 * @since 0.1.0
 * @category rules
 */
export const Rule = Schema.Union(Proportional, Tiered, PerGrade)

/**
 * @since 0.1.0
 * @category rules
 */
export type Rule = typeof Rule.Type

/**
 * A penalty deducted from a unit's part, in fen.
 *
 * @since 0.1.0
 * @category models
 */
export class Penalty extends Schema.Class<Penalty>("@sortgrid/assessment/Penalty")({
  unit: Schema.String,
  fen: Fen
}) {}

/**
 * What a unit brings to the split: its result (an `Evaluation.UnitResult` will do).
 *
 * @since 0.1.0
 * @category models
 */
export type Entry = {
  readonly unit: string
  readonly status: "scored" | "vetoed" | "incomplete"
  readonly total: number | null
  readonly rank: number | null
  readonly grade: string | null
}

/**
 * A split to compute. `fund`, `capFen` and `floorFen` are whole fen.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly fund: number
  readonly rule: Rule
  readonly units: ReadonlyArray<Entry>
  readonly capFen?: number | null
  readonly floorFen?: number | null
  readonly penalties?: ReadonlyArray<Penalty>
}

/**
 * One unit's part: `fen` paid, the real-valued `ideal` it rounds, its `shares` and the `penalty`
 * taken off its ideal part (as far as the part could bear it, in real fen).
 *
 * @since 0.1.0
 * @category models
 */
export type Part = {
  readonly unit: string
  readonly shares: number
  readonly ideal: number
  readonly penalty: number
  readonly fen: number
}

/**
 * The split: parts in unit-id order and the fen withheld (`idealWithheld` is its real value).
 *
 * @since 0.1.0
 * @category models
 */
export type Split = {
  readonly fund: number
  readonly parts: ReadonlyArray<Part>
  readonly withheld: number
  readonly idealWithheld: number
}

/**
 * A unit's shares under a rule.
 *
 * @since 0.1.0
 * @category rules
 */
export const sharesOf = (rule: Rule, entry: Entry): number => {
  if (entry.status !== "scored" || entry.total === null) return 0
  switch (rule._tag) {
    case "Proportional":
      return Math.max(0, entry.total - rule.threshold)
    case "Tiered": {
      const rank = entry.rank
      return rank === null ? 0 : (rule.tiers.find((tier) => rank <= tier.upToRank)?.shares ?? 0)
    }
    case "PerGrade":
      return entry.grade === null ? 0 : (rule.shares[entry.grade] ?? 0)
  }
}

interface Bounded {
  readonly shares: number
  readonly low: number
  readonly high: number
}

/**
 * Splits `amount` in proportion to shares within each entry's bounds: repeatedly split what is
 * left among the free entries, then hold at their bound the entries on the side that overshoots
 * most (all above their cap when the excess dominates, else all below their floor). Each round
 * fixes at least one entry, so it ends within n rounds. Returns the parts and what is left over.
 */
const waterFill = (amount: number, entries: ReadonlyArray<Bounded>): { parts: Array<number>; left: number } => {
  const parts = entries.map(() => 0)
  const free = new Set(entries.flatMap((entry, i) => (entry.shares > 0 ? [i] : [])))
  let remaining = amount
  while (free.size > 0) {
    let shares = 0
    for (const i of free) shares += entries[i]?.shares ?? 0
    const over: Array<number> = []
    const under: Array<number> = []
    let excess = 0
    let shortfall = 0
    for (const i of free) {
      const entry = entries[i]
      if (entry === undefined) continue
      const x = (remaining * entry.shares) / shares
      parts[i] = x
      if (x > entry.high) {
        over.push(i)
        excess += x - entry.high
      } else if (x < entry.low) {
        under.push(i)
        shortfall += entry.low - x
      }
    }
    if (over.length === 0 && under.length === 0) return { parts, left: 0 }
    const fix = excess >= shortfall ? over : under
    for (const i of fix.length > 0 ? fix : [...over, ...under]) {
      const entry = entries[i]
      if (entry === undefined) continue
      parts[i] = excess >= shortfall ? entry.high : entry.low
      remaining -= parts[i] ?? 0
      free.delete(i)
    }
  }
  return { parts, left: Math.max(0, remaining) }
}

/**
 * Rounds ideal amounts to whole fen adding up to `total`: each rounded down, then one more fen to
 * the largest remainders (ties to the earlier entry).
 */
const largestRemainder = (ideals: ReadonlyArray<number>, total: number): ReadonlyArray<number> => {
  const floors = ideals.map((ideal) => Math.max(0, Math.floor(ideal)))
  let left = total - floors.reduce((sum, value) => sum + value, 0)
  const order = ideals
    .map((ideal, i) => ({ i, remainder: ideal - Math.floor(ideal) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i)
  // Binary rounding can leave the floors one fen off `total`; take it back from the smallest remainders.
  for (let k = order.length - 1; left < 0 && k >= 0; k--) {
    const i = order[k]?.i ?? 0
    if ((floors[i] ?? 0) > 0) {
      floors[i] = (floors[i] ?? 0) - 1
      left++
    }
  }
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length) {
    const i = order[k]?.i ?? 0
    floors[i] = (floors[i] ?? 0) + 1
    left--
  }
  return floors
}

/**
 * Splits a fund. `Invalid` when the fund, cap or floor is not whole non-negative fen, the floor
 * exceeds the cap, or the fund cannot pay the floor to every unit with shares.
 *
 * @since 0.1.0
 * @category allocation
 */
export const split = (input: Input): Either.Either<Split, Errors.Invalid> => {
  const cap = input.capFen ?? null
  const floor = input.floorFen ?? null
  const wholeFen = (value: number | null) => value === null || (Number.isSafeInteger(value) && value >= 0)
  if (!wholeFen(input.fund)) return Either.left(Errors.Invalid.one("fund", "must be whole fen, zero or more"))
  if (!wholeFen(cap)) return Either.left(Errors.Invalid.one("capFen", "must be whole fen, zero or more"))
  if (!wholeFen(floor)) return Either.left(Errors.Invalid.one("floorFen", "must be whole fen, zero or more"))
  if (cap !== null && floor !== null && floor > cap) {
    return Either.left(Errors.Invalid.one("floorFen", "must not exceed capFen"))
  }
  const units = [...input.units].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))
  const shares = units.map((entry) => sharesOf(input.rule, entry))
  const eligible = shares.filter((value) => value > 0).length
  if (floor !== null && floor * eligible > input.fund) {
    return Either.left(
      Errors.Invalid.one("floorFen", `a floor of ${floor} fen for ${eligible} units exceeds the fund of ${input.fund}`)
    )
  }
  const bounds = (i: number): Bounded => ({
    shares: shares[i] ?? 0,
    low: floor ?? 0,
    high: cap ?? Number.POSITIVE_INFINITY
  })
  const first = waterFill(
    input.fund,
    units.map((_, i) => bounds(i))
  )
  const penalties = new Map<string, number>()
  for (const penalty of input.penalties ?? [])
    penalties.set(penalty.unit, (penalties.get(penalty.unit) ?? 0) + penalty.fen)

  // Penalised units are held at their reduced part; the rest is split again among the others.
  const held = units.map((entry, i) => {
    const penalty = penalties.get(entry.unit) ?? 0
    return penalty > 0 ? Math.max(0, (first.parts[i] ?? 0) - penalty) : null
  })
  const heldTotal = held.reduce<number>((sum, value) => sum + (value ?? 0), 0)
  const second = waterFill(
    input.fund - heldTotal,
    units.map((_, i) => (held[i] === null ? bounds(i) : { shares: 0, low: 0, high: 0 }))
  )
  const ideals = units.map((_, i) => held[i] ?? second.parts[i] ?? 0)
  const idealWithheld = Math.max(0, input.fund - ideals.reduce((sum, value) => sum + value, 0))
  const fen = largestRemainder([...ideals, idealWithheld], input.fund)
  return Either.right({
    fund: input.fund,
    parts: units.map((entry, i) => ({
      unit: entry.unit,
      shares: shares[i] ?? 0,
      ideal: ideals[i] ?? 0,
      penalty: held[i] === null ? 0 : (first.parts[i] ?? 0) - (held[i] ?? 0),
      fen: fen[i] ?? 0
    })),
    withheld: fen[units.length] ?? 0,
    idealWithheld
  })
}
