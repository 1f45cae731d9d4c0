import { hash } from "node:crypto"

/**
 * JSON with object keys sorted at every depth, so that equal values always digest equally.
 * `undefined` object members are dropped (as `JSON.stringify` does); non-finite numbers are refused
 * upstream by the schemas, so they never reach here. Written out by hand rather than with a
 * `JSON.stringify` replacer: it runs for every audit entry, and this is several times faster.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i] ?? null)
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  let out = "{"
  let first = true
  for (const key of Object.keys(record).sort()) {
    const member = record[key]
    if (member === undefined) continue
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(member)}`
    first = false
  }
  return `${out}}`
}

/** Lower-case hex SHA-256 of a UTF-8 string. */
export const sha256Hex = (text: string): string => hash("sha256", text, "hex")

/** SHA-256 of the canonical JSON of a value: the digest used for payloads and idempotency. */
export const digest = (value: unknown): string => sha256Hex(canonicalJson(value))
