import { hash } from "node:crypto"

/**
 * JSON with object keys sorted at every depth, so that equal values always digest equally.
 * `undefined` object members are dropped (as `JSON.stringify` does); non-finite numbers are refused
 * upstream by the schemas, so they never reach here. It runs for every audit entry: the value is
 * copied with its keys in order and serialised by the native `JSON.stringify` in one call, which is
 * several times faster than building the text piece by piece or with a replacer. An object with a
 * key that looks like an array index (which JavaScript enumerates first, whatever the insertion
 * order), or a `__proto__` key, is written out by hand instead.
 */
export const canonicalJson = (value: unknown): string => {
  const sorted = sortedCopy(value)
  return sorted === unsortable ? canonicalText(value) : (JSON.stringify(sorted) ?? "null")
}

const unsortable: unique symbol = Symbol("unsortable")
const arrayIndex = /^(?:0|[1-9]\d*)$/

/** The value with every object's keys inserted in order; `unsortable` when an object cannot be. */
const sortedCopy = (value: unknown): unknown => {
  if (value === null) return null
  switch (typeof value) {
    case "object":
      break
    case "function":
    case "symbol":
      // Written as null in both arrays and objects, as the text path writes them.
      return null
    default:
      return value
  }
  if (Array.isArray(value)) {
    const out: Array<unknown> = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i] ?? null)
      if (item === unsortable) return unsortable
      out[i] = item
    }
    return out
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  let ordered = true
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const first = key.charCodeAt(0)
    // `__proto__` cannot be assigned as an own key of a plain object.
    if ((first >= 48 && first <= 57 && arrayIndex.test(key)) || key === "__proto__") return unsortable
    if (i > 0 && keys[i - 1]! > keys[i]!) ordered = false
  }
  if (!ordered) keys.sort()
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    const member = record[key]
    if (member === undefined) continue
    const copy = sortedCopy(member)
    if (copy === unsortable) return unsortable
    out[key] = copy
  }
  return out
}

/** The same text built piece by piece: for values holding an object with array-index keys. */
const canonicalText = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalText(value[i] ?? null)
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  let out = "{"
  let first = true
  for (const key of Object.keys(record).sort()) {
    const member = record[key]
    if (member === undefined) continue
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalText(member)}`
    first = false
  }
  return `${out}}`
}

/** Lower-case hex SHA-256 of a UTF-8 string. */
export const sha256Hex = (text: string): string => hash("sha256", text, "hex")

/** SHA-256 of the canonical JSON of a value: the digest used for payloads and idempotency. */
export const digest = (value: unknown): string => sha256Hex(canonicalJson(value))
