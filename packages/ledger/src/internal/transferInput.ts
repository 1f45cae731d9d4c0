/**
 * A fast path for decoding transfers, the hot input of the ledger: plain objects whose every field
 * is present-and-valid or absent are built directly; anything else (an excess or undefined field, a
 * value out of shape, a non-plain object) is left to the schema, which gives the errors. It accepts
 * only what `Transfer.TransferInput` accepts, and builds the same value (property-tested against
 * the schema in `test/TransferInputFast.test.ts`).
 */
import * as Account from "../Account.js"
import * as Transfer from "../Transfer.js"

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
const codePattern = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const inputKeys: ReadonlySet<string> = new Set([
  "id",
  "debitAccountId",
  "creditAccountId",
  "amount",
  "pendingId",
  "reversesId",
  "ledger",
  "code",
  "sourceReference",
  "flags",
  "timeoutSeconds"
])
const flagKeys: ReadonlySet<string> = new Set(["linked", "pending", "postPending", "voidPending"])
const flagsByBits: ReadonlyArray<Transfer.TransferFlags> = Array.from({ length: 16 }, (_, bits) =>
  Transfer.TransferFlags.make({
    linked: (bits & 1) !== 0,
    pending: (bits & 2) !== 0,
    postPending: (bits & 4) !== 0,
    voidPending: (bits & 8) !== 0
  })
)
/** Not decodable by the fast path. */
const slow = Symbol("slow")

const isPlain = (value: unknown): value is { readonly [key: string]: unknown } => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

const fastFields = (value: unknown, keys: ReadonlySet<string>): { readonly [key: string]: unknown } | typeof slow => {
  if (!isPlain(value)) return slow
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== "string" || !keys.has(key) || value[key] === undefined) return slow
  }
  return value
}

const fastId = (value: unknown): string | null | typeof slow =>
  value === undefined || value === null ? null : typeof value === "string" && idPattern.test(value) ? value : slow

const fastTransferInput = (value: unknown): Transfer.TransferInput | typeof slow => {
  const fields = fastFields(value, inputKeys)
  if (fields === slow) return slow
  const id = fastId(fields.id)
  const debitAccountId = fastId(fields.debitAccountId)
  const creditAccountId = fastId(fields.creditAccountId)
  const pendingId = fastId(fields.pendingId)
  const reversesId = fastId(fields.reversesId)
  const ledger = fastId(fields.ledger)
  if (
    id === slow ||
    id === null ||
    debitAccountId === slow ||
    creditAccountId === slow ||
    pendingId === slow ||
    reversesId === slow ||
    ledger === slow
  ) {
    return slow
  }
  const { amount, code, sourceReference, timeoutSeconds } = fields
  if (
    amount !== undefined &&
    amount !== null &&
    !(typeof amount === "number" && Number.isSafeInteger(amount) && amount >= 1)
  )
    return slow
  if (
    code !== undefined &&
    code !== null &&
    !(typeof code === "string" && code.length <= 64 && codePattern.test(code))
  ) {
    return slow
  }
  if (
    sourceReference !== undefined &&
    sourceReference !== null &&
    !(typeof sourceReference === "string" && sourceReference.length >= 1 && sourceReference.length <= 256)
  ) {
    return slow
  }
  if (
    timeoutSeconds !== undefined &&
    !(
      typeof timeoutSeconds === "number" &&
      Number.isSafeInteger(timeoutSeconds) &&
      timeoutSeconds >= 0 &&
      timeoutSeconds <= 2 ** 31 - 1
    )
  ) {
    return slow
  }
  let bits = 0
  if (fields.flags !== undefined) {
    const flags = fastFields(fields.flags, flagKeys)
    if (flags === slow) return slow
    const names = ["linked", "pending", "postPending", "voidPending"] as const
    for (let bit = 0; bit < names.length; bit++) {
      const flag = flags[names[bit]!]
      if (flag === true) bits |= 1 << bit
      else if (flag !== undefined && flag !== false) return slow
    }
  }
  return Transfer.unsafeMakeInput({
    id: Transfer.TransferId.make(id, { disableValidation: true }),
    debitAccountId:
      debitAccountId === null ? null : Account.AccountId.make(debitAccountId, { disableValidation: true }),
    creditAccountId:
      creditAccountId === null ? null : Account.AccountId.make(creditAccountId, { disableValidation: true }),
    amount: typeof amount === "number" ? amount : null,
    pendingId: pendingId === null ? null : Transfer.TransferId.make(pendingId, { disableValidation: true }),
    reversesId: reversesId === null ? null : Transfer.TransferId.make(reversesId, { disableValidation: true }),
    ledger: ledger === null ? null : Account.LedgerId.make(ledger, { disableValidation: true }),
    code: typeof code === "string" ? Transfer.TransferCode.make(code, { disableValidation: true }) : null,
    sourceReference: typeof sourceReference === "string" ? sourceReference : null,
    flags: flagsByBits[bits]!,
    timeoutSeconds: typeof timeoutSeconds === "number" ? timeoutSeconds : 0
  })
}

/** The request `value` decodes to, or `undefined` when the fast path cannot tell: ask the schema. */
export const decode = (value: unknown): Transfer.TransferInput | undefined => {
  const decoded = fastTransferInput(value)
  return decoded === slow ? undefined : decoded
}
