/**
 * The priority-residents register: residents a community helps door to door (elderly people living
 * alone, households with a disabled member). It is sensitive personal data, so the register holds
 * the minimum and holds it protected:
 *
 * - **pseudonymised**: a resident is known by an HMAC-SHA256 of a normalised identity string the
 *   caller supplies (an ID-card number, or name and address), under a key only the host holds; the
 *   identity itself is never stored. Equal identities give equal pseudonyms, so one person is not
 *   registered twice at one node, yet nobody without the key can recompute or reverse one;
 * - **encrypted at rest**: name, address, phone and help needs are sealed with AES-256-GCM, a fresh
 *   12-byte IV per value, and the record id and field name as associated data, so a sealed value
 *   copied into another field or record no longer opens. Stored as `v1:` + base64url(iv ‖ tag ‖
 *   ciphertext);
 * - **redacted in memory**: opened values are `Redacted`, so printing or logging a record shows
 *   `<redacted>`;
 * - **idempotent without a plaintext digest**: a command's content digest is keyed (HMAC), since a
 *   bare SHA-256 of a name and address could be reversed by trying likely values.
 *
 * This module is the model and the pure rules — sealing, opening, pseudonyms, registration plans
 * and read decisions. Randomness (IVs) comes in as arguments, so every function here is a function
 * of its inputs.
 *
 * @since 0.1.0
 */
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto"
import { Actor, Errors, Id, Json, Period, Permission } from "@sortgrid/core"
import { Brand, Either, Option, ParseResult, Redacted, Schema } from "effect"
import { NodeId } from "./Node.js"

// --- ids and vocabularies -------------------------------------------------------------------------

/**
 * A record's id, chosen by the client: it is the idempotency key of its registration. It appears
 * in errors and audit entries, so it must not carry personal data.
 *
 * @since 0.1.0
 * @category ids
 */
export const PriorityResidentId = Id.brand("PriorityResidentId")

/**
 * @since 0.1.0
 * @category ids
 */
export type PriorityResidentId = typeof PriorityResidentId.Type

/**
 * Why a resident is on the register.
 *
 * @since 0.1.0
 * @category models
 */
export const Category = Schema.Literal("elderly-alone", "disabled-member")

/**
 * @since 0.1.0
 * @category models
 */
export type Category = typeof Category.Type

/**
 * Why someone reads a record: the closed list of purposes the register serves.
 *
 * @since 0.1.0
 * @category models
 */
export const Purpose = Schema.Literal("door-to-door-help", "emergency", "data-correction")

/**
 * @since 0.1.0
 * @category models
 */
export type Purpose = typeof Purpose.Type

/**
 * The sealed fields of a record.
 *
 * @since 0.1.0
 * @category models
 */
export const sensitiveFields = ["name", "address", "phone", "needs"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type SensitiveField = (typeof sensitiveFields)[number]

const hex64 = /^[0-9a-f]{64}$/

/**
 * A resident's pseudonym: the HMAC-SHA256 of their normalised identity, 64 lower-case hex.
 *
 * @since 0.1.0
 * @category models
 */
export const Pseudonym = Schema.String.pipe(
  Schema.pattern(hex64, { message: () => "must be 64 lower-case hex characters" }),
  Schema.brand("Pseudonym")
)

/**
 * @since 0.1.0
 * @category models
 */
export type Pseudonym = typeof Pseudonym.Type

/**
 * The keyed digest of a registration's content, for idempotency.
 *
 * @since 0.1.0
 * @category models
 */
export const ContentDigest = Schema.String.pipe(
  Schema.pattern(hex64, { message: () => "must be 64 lower-case hex characters" }),
  Schema.brand("ContentDigest")
)

/**
 * @since 0.1.0
 * @category models
 */
export type ContentDigest = typeof ContentDigest.Type

/**
 * A sealed value as stored: `v1:` and the base64url of IV (12 bytes), tag (16 bytes) and
 * ciphertext.
 *
 * @since 0.1.0
 * @category models
 */
export const SealedValue = Schema.String.pipe(
  Schema.pattern(/^v1:[A-Za-z0-9_-]{38,}$/, { message: () => "must be a sealed value (v1:…)" }),
  Schema.brand("SealedValue")
)

/**
 * @since 0.1.0
 * @category models
 */
export type SealedValue = typeof SealedValue.Type

// --- sensitive input ------------------------------------------------------------------------------

/**
 * Text that must never appear in an error: decoding checks it by hand and fails with a reason that
 * does not quote it (Schema's default messages repeat the value they reject, as `actual "…"`).
 */
const sensitiveText = (rule: { readonly maxLength: number; readonly pattern?: RegExp; readonly reason: string }) =>
  Schema.transformOrFail(Schema.Unknown, Schema.RedactedFromSelf(Schema.String), {
    strict: true,
    decode: (input, _options, ast) =>
      typeof input === "string" &&
      input.trim().length > 0 &&
      input.length <= rule.maxLength &&
      (rule.pattern === undefined || rule.pattern.test(input))
        ? ParseResult.succeed(Redacted.make(input))
        : ParseResult.fail(new ParseResult.Type(ast, Redacted.make(input), rule.reason)),
    encode: (value) => ParseResult.succeed(Redacted.value(value))
  })

const optionalSensitive = (schema: ReturnType<typeof sensitiveText>, reason: string) =>
  Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, Schema.NullOr(Schema.RedactedFromSelf(Schema.String)), {
      strict: true,
      decode: (input, options, ast) =>
        input === null || input === undefined
          ? ParseResult.succeed(null)
          : ParseResult.mapError(
              ParseResult.decodeUnknown(schema)(input, options),
              () => new ParseResult.Type(ast, Redacted.make(input), `${reason}, or null`)
            ),
      encode: (value) => ParseResult.succeed(value === null ? null : Redacted.value(value))
    }),
    // exact: an absent key takes the default and anything else reaches the check above, so no
    // `undefined` branch of a union reports the rejected value.
    { default: () => null, exact: true }
  )

const identityReason = "must be a non-empty string of at most 200 characters"
const nameReason = "must be a non-empty string of at most 100 characters"
const addressReason = "must be a non-empty string of at most 300 characters"
const phoneReason = "must be 3-32 characters of digits, spaces, '+', '-', '(' or ')'"
const needsReason = "must be a non-empty string of at most 2000 characters"

// --- commands and records -------------------------------------------------------------------------

/**
 * Register a priority resident at a node (a community, village or compound). The id is the
 * idempotency key. `identity` is the normalised identity string the pseudonym is computed from; it
 * is never stored. Sensitive fields decode to `Redacted` values, and a rejection names the field,
 * never the value.
 *
 * @since 0.1.0
 * @category commands
 */
export class RegisterPriorityResident extends Schema.Class<RegisterPriorityResident>(
  "@sortgrid/grid/RegisterPriorityResident"
)({
  id: PriorityResidentId,
  nodeId: NodeId,
  category: Category,
  identity: sensitiveText({ maxLength: 200, reason: identityReason }),
  name: sensitiveText({ maxLength: 100, reason: nameReason }),
  address: sensitiveText({ maxLength: 300, reason: addressReason }),
  phone: optionalSensitive(
    sensitiveText({ maxLength: 32, pattern: /^[0-9+()\- ]{3,32}$/, reason: phoneReason }),
    phoneReason
  ),
  needs: optionalSensitive(sensitiveText({ maxLength: 2000, reason: needsReason }), needsReason),
  registeredOn: Period.IsoDate
}) {}

/**
 * Read one record, for a stated purpose.
 *
 * @since 0.1.0
 * @category commands
 */
export class ReadPriorityResident extends Schema.Class<ReadPriorityResident>("@sortgrid/grid/ReadPriorityResident")({
  id: PriorityResidentId,
  purpose: Purpose
}) {}

/**
 * List the records at nodes on or under a path as the tree stood on `asOf`, registered by then.
 * Without a purpose the listing holds summaries only.
 *
 * @since 0.1.0
 * @category commands
 */
export class ListPriorityResidents extends Schema.Class<ListPriorityResidents>("@sortgrid/grid/ListPriorityResidents")({
  under: Actor.NodePath,
  asOf: Period.IsoDate,
  purpose: Schema.optionalWith(Schema.NullOr(Purpose), { default: () => null })
}) {}

/**
 * A record as stored: the sensitive fields sealed, the identity reduced to its pseudonym, and the
 * keyed digest of the registration's content.
 *
 * @since 0.1.0
 * @category models
 */
export class SealedResident extends Schema.Class<SealedResident>("@sortgrid/grid/SealedResident")({
  id: PriorityResidentId,
  nodeId: NodeId,
  category: Category,
  pseudonym: Pseudonym,
  name: SealedValue,
  address: SealedValue,
  phone: Schema.NullOr(SealedValue),
  needs: Schema.NullOr(SealedValue),
  registeredOn: Period.IsoDate,
  digest: ContentDigest
}) {}

/**
 * What a listing without a purpose shows of a record: nothing sealed, no pseudonym.
 *
 * @since 0.1.0
 * @category models
 */
export class PriorityResidentSummary extends Schema.TaggedClass<PriorityResidentSummary>()("PriorityResidentSummary", {
  id: PriorityResidentId,
  nodeId: NodeId,
  category: Category,
  registeredOn: Period.IsoDate
}) {}

/**
 * A record opened for a purpose. Sensitive values are `Redacted`: they print as `<redacted>` and
 * are read with `Redacted.value`.
 *
 * @since 0.1.0
 * @category models
 */
export class PriorityResident extends Schema.TaggedClass<PriorityResident>()("PriorityResident", {
  id: PriorityResidentId,
  nodeId: NodeId,
  category: Category,
  pseudonym: Pseudonym,
  name: Schema.Redacted(Schema.String),
  address: Schema.Redacted(Schema.String),
  phone: Schema.NullOr(Schema.Redacted(Schema.String)),
  needs: Schema.NullOr(Schema.Redacted(Schema.String)),
  registeredOn: Period.IsoDate
}) {}

/**
 * The summary of a stored record.
 *
 * @since 0.1.0
 * @category models
 */
export const summaryOf = (record: SealedResident): PriorityResidentSummary =>
  new PriorityResidentSummary(
    { id: record.id, nodeId: record.nodeId, category: record.category, registeredOn: record.registeredOn },
    { disableValidation: true }
  )

// --- errors ---------------------------------------------------------------------------------------

/**
 * A sealed value would not open: the key in force is not the one it was sealed with, or the stored
 * value was altered or moved. Names the record and the field, never a value.
 *
 * @since 0.1.0
 * @category errors
 */
export class Undecryptable extends Schema.TaggedError<Undecryptable>()("Undecryptable", {
  entity: Schema.String,
  id: Schema.String,
  field: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.entity} ${this.id}: ${this.field} cannot be decrypted with the key in force (a different key, or an altered value)`
  }
}

/**
 * A decoding failure as `Invalid`, with any quoted input removed from the reasons: Schema's default
 * messages end in `, actual <the value>`, which must not reach an error a person or a log sees.
 * The alternatives of a union that all failed at one path are merged into one reason.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidWithoutValues = (
  error: ParseResult.ParseError,
  prefix: ReadonlyArray<string | number>
): Errors.Invalid => {
  const byPath = new Map<string, { path: ReadonlyArray<string | number>; reasons: Array<string> }>()
  for (const issue of Errors.Invalid.fromParseError(error, prefix).issues) {
    const reason = issue.reason.replace(/, actual [\s\S]*$/, "")
    const key = JSON.stringify(issue.path)
    const group = byPath.get(key) ?? { path: issue.path, reasons: [] }
    if (!group.reasons.includes(reason)) group.reasons.push(reason)
    byPath.set(key, group)
  }
  const issues = [...byPath.values()].flatMap(({ path, reasons }) =>
    reasons.length > 1 && reasons.every((reason) => reason.startsWith("Expected "))
      ? [new Errors.Issue({ path, reason: `expected one of ${reasons.map((r) => r.slice(9)).join(", ")}` })]
      : reasons.map((reason) => new Errors.Issue({ path, reason }))
  )
  return new Errors.Invalid({ issues: [issues[0]!, ...issues.slice(1)] })
}

// --- keys -----------------------------------------------------------------------------------------

/**
 * The two keys, decoded: one for pseudonyms and content digests, one for sealing. Only
 * {@link decodeKeys} makes them, so their lengths are right by construction.
 *
 * @since 0.1.0
 * @category keys
 */
export type Keys = {
  readonly pseudonymKey: Redacted.Redacted<Uint8Array>
  readonly encryptionKey: Redacted.Redacted<Uint8Array>
} & Brand.Brand<"PriorityResidentKeys">

const keysOf = Brand.nominal<Keys>()

/**
 * Key material as the host supplies it: each key is 32 random bytes, base64 (or base64url)
 * encoded — `openssl rand -base64 32`.
 *
 * @since 0.1.0
 * @category keys
 */
export interface KeyMaterial {
  readonly pseudonymKey: Redacted.Redacted<string>
  readonly encryptionKey: Redacted.Redacted<string>
}

const keyBytes = (text: string): Option.Option<Uint8Array> => {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return Option.none()
  const bytes = Buffer.from(text, "base64")
  return bytes.length === 32 ? Option.some(new Uint8Array(bytes)) : Option.none()
}

/**
 * Decodes key material. A bad key is `Invalid` naming which key, never its value; the two keys must
 * differ, so that pseudonyms and ciphertexts never share a key.
 *
 * @since 0.1.0
 * @category keys
 */
export const decodeKeys = (material: KeyMaterial): Either.Either<Keys, Errors.Invalid> => {
  const reason = "must be 32 bytes, base64-encoded (openssl rand -base64 32)"
  const pseudonymKey = keyBytes(Redacted.value(material.pseudonymKey))
  const encryptionKey = keyBytes(Redacted.value(material.encryptionKey))
  if (Option.isNone(pseudonymKey)) return Either.left(Errors.Invalid.one("pseudonymKey", reason))
  if (Option.isNone(encryptionKey)) return Either.left(Errors.Invalid.one("encryptionKey", reason))
  if (Buffer.from(pseudonymKey.value).equals(encryptionKey.value)) {
    return Either.left(Errors.Invalid.one("encryptionKey", "must differ from pseudonymKey"))
  }
  return Either.right(
    keysOf({ pseudonymKey: Redacted.make(pseudonymKey.value), encryptionKey: Redacted.make(encryptionKey.value) })
  )
}

// --- pseudonyms and digests -----------------------------------------------------------------------

/**
 * The canonical form of an identity string: Unicode NFKC (full-width digits become ASCII), trimmed,
 * inner whitespace collapsed to one space, upper-cased (an ID card's check digit `x` is `X`). Two
 * spellings of one identity that differ only so give one pseudonym; anything else — a different
 * identity scheme — gives another, so a programme should pick one scheme.
 *
 * @since 0.1.0
 * @category pseudonyms
 */
export const normaliseIdentity = (identity: string): string =>
  identity.normalize("NFKC").trim().replace(/\s+/g, " ").toUpperCase()

/** HMAC-SHA256 under a key, with a domain label so that one key's uses never collide. */
const hmacHex = (key: Redacted.Redacted<Uint8Array>, domain: string, text: string): string =>
  createHmac("sha256", Redacted.value(key)).update(`sortgrid.${domain}.v1\u0000`).update(text, "utf8").digest("hex")

/**
 * The pseudonym of an identity under the keys.
 *
 * @since 0.1.0
 * @category pseudonyms
 */
export const pseudonymOf = (keys: Keys, identity: Redacted.Redacted<string>): Pseudonym =>
  Pseudonym.make(
    hmacHex(keys.pseudonymKey, "priorityResident.pseudonym", normaliseIdentity(Redacted.value(identity))),
    {
      disableValidation: true
    }
  )

/**
 * The keyed digest of a registration's content (everything but the id). Equal content, equal
 * digest; without the key it reveals nothing.
 *
 * @since 0.1.0
 * @category pseudonyms
 */
export const contentDigest = (keys: Keys, command: RegisterPriorityResident): ContentDigest => {
  const optional = (value: Redacted.Redacted<string> | null) => (value === null ? null : Redacted.value(value))
  const content: Json.Json = {
    nodeId: command.nodeId,
    category: command.category,
    pseudonym: pseudonymOf(keys, command.identity),
    name: Redacted.value(command.name),
    address: Redacted.value(command.address),
    phone: optional(command.phone),
    needs: optional(command.needs),
    registeredOn: command.registeredOn
  }
  return ContentDigest.make(hmacHex(keys.pseudonymKey, "priorityResident.content", Json.canonical(content)), {
    disableValidation: true
  })
}

// --- sealing --------------------------------------------------------------------------------------

/**
 * A 96-bit AES-GCM initialisation vector. It must never repeat under one key: draw it from a
 * cryptographic source (`crypto.randomBytes(12)`) for every value sealed.
 *
 * @since 0.1.0
 * @category sealing
 */
export type Iv = Uint8Array & Brand.Brand<"Iv">

/**
 * Brands 12 bytes as an {@link Iv}.
 *
 * @since 0.1.0
 * @category sealing
 */
export const Iv = Brand.refined<Iv>(
  (bytes) => bytes.length === 12,
  () => Brand.error("an IV is 12 bytes")
)

/**
 * One IV per sealed field of a record.
 *
 * @since 0.1.0
 * @category sealing
 */
export type Ivs = { readonly [F in SensitiveField]: Iv }

const tagLength = 16

/**
 * The associated data a value is sealed with: which record and which field it belongs to.
 *
 * @since 0.1.0
 * @category sealing
 */
export const sealContext = (id: PriorityResidentId, field: SensitiveField): string =>
  `sortgrid/priorityResident/${id}/${field}`

/**
 * Seals a value with AES-256-GCM under the encryption key, bound to `context`.
 *
 * @since 0.1.0
 * @category sealing
 */
export const seal = (
  keys: Keys,
  value: { readonly iv: Iv; readonly context: string; readonly plaintext: Redacted.Redacted<string> }
): SealedValue => {
  const cipher = createCipheriv("aes-256-gcm", Redacted.value(keys.encryptionKey), value.iv, {
    authTagLength: tagLength
  })
  cipher.setAAD(Buffer.from(value.context, "utf8"))
  const ciphertext = Buffer.concat([cipher.update(Redacted.value(value.plaintext), "utf8"), cipher.final()])
  const packed = Buffer.concat([value.iv, cipher.getAuthTag(), ciphertext]).toString("base64url")
  return SealedValue.make(`v1:${packed}`, { disableValidation: true })
}

/**
 * Opens a sealed value: `None` when it does not authenticate under the key and context (another
 * key, an altered value, or a value sealed for another record or field) or is not a sealed value.
 *
 * @since 0.1.0
 * @category sealing
 */
export const unseal = (
  keys: Keys,
  value: { readonly sealed: string; readonly context: string }
): Option.Option<Redacted.Redacted<string>> => {
  if (!value.sealed.startsWith("v1:")) return Option.none()
  const bytes = Buffer.from(value.sealed.slice(3), "base64url")
  if (bytes.length < 12 + tagLength) return Option.none()
  return Option.getRight(
    Either.try(() => {
      const decipher = createDecipheriv("aes-256-gcm", Redacted.value(keys.encryptionKey), bytes.subarray(0, 12), {
        authTagLength: tagLength
      })
      decipher.setAAD(Buffer.from(value.context, "utf8"))
      decipher.setAuthTag(bytes.subarray(12, 12 + tagLength))
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(12 + tagLength)), decipher.final()])
      return Redacted.make(plaintext.toString("utf8"))
    })
  )
}

/**
 * A registration as it will be stored: pseudonymised, digested and sealed.
 *
 * @since 0.1.0
 * @category sealing
 */
export const sealResident = (keys: Keys, command: RegisterPriorityResident, ivs: Ivs): SealedResident => {
  const sealField = (field: SensitiveField, plaintext: Redacted.Redacted<string>) =>
    seal(keys, { iv: ivs[field], context: sealContext(command.id, field), plaintext })
  return new SealedResident(
    {
      id: command.id,
      nodeId: command.nodeId,
      category: command.category,
      pseudonym: pseudonymOf(keys, command.identity),
      name: sealField("name", command.name),
      address: sealField("address", command.address),
      phone: command.phone === null ? null : sealField("phone", command.phone),
      needs: command.needs === null ? null : sealField("needs", command.needs),
      registeredOn: command.registeredOn,
      digest: contentDigest(keys, command)
    },
    { disableValidation: true }
  )
}

/**
 * Opens a stored record. The first field that will not open is `Undecryptable`.
 *
 * @since 0.1.0
 * @category sealing
 */
export const openResident = (keys: Keys, record: SealedResident): Either.Either<PriorityResident, Undecryptable> => {
  const open = (field: SensitiveField, sealed: SealedValue) =>
    Either.fromOption(
      unseal(keys, { sealed, context: sealContext(record.id, field) }),
      () => new Undecryptable({ entity: "PriorityResident", id: record.id, field })
    )
  const openOptional = (field: SensitiveField, sealed: SealedValue | null) =>
    sealed === null ? Either.right(null) : open(field, sealed)
  return Either.gen(function* () {
    return new PriorityResident(
      {
        id: record.id,
        nodeId: record.nodeId,
        category: record.category,
        pseudonym: record.pseudonym,
        name: yield* open("name", record.name),
        address: yield* open("address", record.address),
        phone: yield* openOptional("phone", record.phone),
        needs: yield* openOptional("needs", record.needs),
        registeredOn: record.registeredOn
      },
      { disableValidation: true }
    )
  })
}

// --- registering ----------------------------------------------------------------------------------

/**
 * What the store shows the registration rule: the stored records with the batch's ids or
 * pseudonyms.
 *
 * @since 0.1.0
 * @category registering
 */
export interface RegisterState {
  readonly stored: ReadonlyArray<SealedResident>
}

/**
 * What to write (the fresh records, possibly none) and the record each command maps to, in
 * command order.
 *
 * @since 0.1.0
 * @category registering
 */
export interface RegisterPlan {
  readonly insert: ReadonlyArray<SealedResident>
  readonly results: ReadonlyArray<SealedResident>
}

/**
 * The permission to register and correct records.
 *
 * @since 0.1.0
 * @category permissions
 */
export const writePermission = "priorityResidents.write"

/**
 * The permission to read records.
 *
 * @since 0.1.0
 * @category permissions
 */
export const readPermission = "priorityResidents.read"

/**
 * Whether the actor may register every record of a batch: each node must be in force (have a path
 * in `paths`) and lie in the actor's scope.
 *
 * @since 0.1.0
 * @category registering
 */
export const authorizeRegister = (
  grants: Permission.Grants,
  actor: Actor.Actor,
  request: {
    readonly records: ReadonlyArray<SealedResident>
    readonly paths: ReadonlyMap<string, Actor.NodePath>
    readonly asOf: Period.IsoDate
  }
): Either.Either<void, Errors.Forbidden | Errors.Invalid> => {
  for (const [index, record] of request.records.entries()) {
    const at = request.paths.get(record.nodeId)
    if (at === undefined) {
      return Either.left(
        Errors.Invalid.one(["residents", index, "nodeId"], `node ${record.nodeId} is not in force on ${request.asOf}`)
      )
    }
    const decision = Permission.decide(grants, actor, { permission: writePermission, at })
    if (Either.isLeft(decision)) return decision
  }
  return Either.void
}

/**
 * The registration rule. A record stored under the same id with the same content is a retry and
 * maps to the stored record; with other content it is a `Conflict`. One person (one pseudonym) is
 * registered once per node: another id for them there is a `Conflict` naming the record they have.
 * Ids and persons repeated within the batch are `Invalid`. Nothing is written unless every
 * command passes.
 *
 * @since 0.1.0
 * @category registering
 */
export const planRegister = (
  state: RegisterState,
  records: ReadonlyArray<SealedResident>
): Either.Either<RegisterPlan, Errors.Invalid | Errors.Conflict> => {
  const byId = new Map(state.stored.map((record) => [record.id as string, record]))
  const atNode = (record: SealedResident) => `${record.nodeId}/${record.pseudonym}`
  const byPerson = new Map(state.stored.map((record) => [atNode(record), record]))
  const batchIds = new Map<string, number>()
  const batchPersons = new Map<string, SealedResident>()
  const insert: Array<SealedResident> = []
  const results: Array<SealedResident> = []
  for (const [index, record] of records.entries()) {
    const earlier = batchIds.get(record.id)
    if (earlier !== undefined) {
      return Either.left(
        Errors.Invalid.one(["residents", index, "id"], `${record.id} already appears at residents[${earlier}]`)
      )
    }
    batchIds.set(record.id, index)
    const stored = byId.get(record.id)
    if (stored !== undefined) {
      if (stored.digest !== record.digest) {
        return Either.left(
          new Errors.Conflict({
            entity: "PriorityResident",
            id: record.id,
            reason: "the id was already used with different content"
          })
        )
      }
      results.push(stored)
      continue
    }
    const same = byPerson.get(atNode(record)) ?? batchPersons.get(atNode(record))
    if (same !== undefined) {
      return Either.left(
        new Errors.Conflict({
          entity: "PriorityResident",
          id: record.id,
          reason: `the same person is already registered at node ${record.nodeId} as ${same.id}`
        })
      )
    }
    batchPersons.set(atNode(record), record)
    insert.push(record)
    results.push(record)
  }
  return Either.right({ insert, results })
}

// --- reading --------------------------------------------------------------------------------------

/**
 * How a read ended, as the audit chain records it.
 *
 * @since 0.1.0
 * @category reading
 */
export type ReadOutcome = "granted" | "forbidden" | "not-found" | "invalid" | "undecryptable"

/**
 * The outcome an error stands for.
 *
 * @since 0.1.0
 * @category reading
 */
export const outcomeOf = (
  error: Errors.Forbidden | Errors.NotFound | Errors.Invalid | Undecryptable
): Exclude<ReadOutcome, "granted"> => {
  switch (error._tag) {
    case "Forbidden":
      return "forbidden"
    case "NotFound":
      return "not-found"
    case "Invalid":
      return "invalid"
    case "Undecryptable":
      return "undecryptable"
  }
}

/**
 * The read rule: the record must exist and its node's path must lie in the actor's scope, under a
 * role granting `priorityResidents.read`.
 *
 * @since 0.1.0
 * @category reading
 */
export const decideRead = (
  grants: Permission.Grants,
  actor: Actor.Actor,
  request: {
    readonly id: PriorityResidentId
    readonly found: Option.Option<{ readonly record: SealedResident; readonly path: Actor.NodePath }>
  }
): Either.Either<SealedResident, Errors.Forbidden | Errors.NotFound> =>
  Option.match(request.found, {
    onNone: () => Either.left(new Errors.NotFound({ entity: "PriorityResident", id: request.id })),
    onSome: ({ record, path }) =>
      Either.map(Permission.decide(grants, actor, { permission: readPermission, at: path }), () => record)
  })
