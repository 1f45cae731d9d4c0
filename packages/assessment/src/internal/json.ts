import type { Json } from "@sortgrid/core"

/**
 * Narrows any value to JSON at runtime: non-finite numbers become `null`, `undefined` members are
 * dropped, anything else that is not JSON (functions, symbols) becomes `null`. Schema-encoded
 * values are JSON already; this only proves it to the type checker without a cast.
 */
export const toJson = (value: unknown): Json.Json => {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (Array.isArray(value)) return value.map(toJson)
  if (typeof value === "object") {
    const out: Record<string, Json.Json> = {}
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = toJson(member)
    return out
  }
  return null
}

const powersOfTen = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8] as const

/** 2^52: from here on every double is a whole number and the shortcut below has nothing to decide. */
const wholeFrom = 4503599627370496

/**
 * Rounds to `decimals` places, half away from zero, and turns -0 into 0 (so `-0` never reaches a
 * digest). The scaled value is first cut to 15 significant digits, so binary noise such as
 * 0.94 × 40 = 37.599999999999994 rounds as the decimal figure a person computes by hand.
 *
 * Cutting to 15 digits moves the scaled value x by less than x × 1e-14 (half a unit of the 15th
 * digit, plus half an ulp for reading it back), and `Math.round` only jumps at halves; so when x
 * is further than that from the nearest half, the cut cannot change the result and is skipped
 * (`toPrecision` is the costliest step of scoring). Equality with the cut for every double is a
 * property test (`internal.properties.test.ts`).
 */
export const round = (value: number, decimals: number): number => {
  const scale = powersOfTen[decimals] ?? 10 ** decimals
  const magnitude = Math.abs(value) * scale
  const whole =
    magnitude < wholeFrom && Math.abs(magnitude - Math.floor(magnitude) - 0.5) > magnitude * 1e-14
      ? Math.round(magnitude)
      : Math.round(Number(magnitude.toPrecision(15)))
  const rounded = (Math.sign(value) * whole) / scale
  return rounded === 0 ? 0 : rounded
}

/** The rounding above without the shortcut: the definition, kept for the property test. */
export const roundByDefinition = (value: number, decimals: number): number => {
  const scale = 10 ** decimals
  const scaled = Number((Math.abs(value) * scale).toPrecision(15))
  const rounded = (Math.sign(value) * Math.round(scaled)) / scale
  return rounded === 0 ? 0 : rounded
}
