import { createHash } from "node:crypto"

/**
 * JSON with object keys sorted at every depth, so that equal values always digest equally.
 * `undefined` object members are dropped (as `JSON.stringify` does); non-finite numbers are refused
 * upstream by the schemas, so they never reach here.
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(value, sortKeys)

const sortKeys = (_key: string, value: unknown): unknown => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key]
  return sorted
}

/** Lower-case hex SHA-256 of a UTF-8 string. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** SHA-256 of the canonical JSON of a value: the digest used for payloads and idempotency. */
export const digest = (value: unknown): string => sha256Hex(canonicalJson(value))
