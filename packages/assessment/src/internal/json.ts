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

/**
 * Rounds to `decimals` places, half away from zero, and turns -0 into 0 (so `-0` never reaches a
 * digest). The scaled value is first cut to 15 significant digits, so binary noise such as
 * 0.94 × 40 = 37.599999999999994 rounds as the decimal figure a person computes by hand.
 */
export const round = (value: number, decimals: number): number => {
  const scale = 10 ** decimals
  const scaled = Number((Math.abs(value) * scale).toPrecision(15))
  const rounded = (Math.sign(value) * Math.round(scaled)) / scale
  return rounded === 0 ? 0 : rounded
}
