import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import { Either, Option, Redacted, Schema } from "effect"
import fc from "fast-check"
import * as PriorityResident from "../src/PriorityResident.js"

const material = (pseudonym: number, encryption: number): PriorityResident.KeyMaterial => ({
  pseudonymKey: Redacted.make(Buffer.alloc(32, pseudonym).toString("base64")),
  encryptionKey: Redacted.make(Buffer.alloc(32, encryption).toString("base64"))
})
const keysOf = (m: PriorityResident.KeyMaterial) => Either.getOrThrow(PriorityResident.decodeKeys(m))
const keys = keysOf(material(1, 2))
const otherKeys = keysOf(material(3, 4))

const arbitraryKeys = fc
  .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
  .filter(([a, b]) => !Buffer.from(a).equals(b))
  .map(([a, b]) =>
    keysOf({
      pseudonymKey: Redacted.make(Buffer.from(a).toString("base64")),
      encryptionKey: Redacted.make(Buffer.from(b).toString("base64"))
    })
  )
const arbitraryIv = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes) => PriorityResident.Iv(bytes))
const ivs = (seed: number): PriorityResident.Ivs => ({
  name: PriorityResident.Iv(new Uint8Array(12).fill(seed)),
  address: PriorityResident.Iv(new Uint8Array(12).fill(seed + 1)),
  phone: PriorityResident.Iv(new Uint8Array(12).fill(seed + 2)),
  needs: PriorityResident.Iv(new Uint8Array(12).fill(seed + 3))
})

const command = (fields: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(PriorityResident.RegisterPriorityResident)({
    id: "pr-1",
    nodeId: "c1",
    category: "elderly-alone",
    identity: "110101194501011234",
    name: "王秀英",
    address: "一社区3号楼2单元101",
    phone: "13800138000",
    registeredOn: "2023-03-01",
    ...fields
  })

describe("PriorityResident keys", () => {
  it("decodes 32-byte base64 keys, and refuses others naming the key, never its value", () => {
    expect(Either.isRight(PriorityResident.decodeKeys(material(1, 2)))).toBe(true)
    const short = PriorityResident.decodeKeys({ ...material(1, 2), encryptionKey: Redacted.make("c2VjcmV0LWtleQ==") })
    expect(Either.flip(short).pipe(Either.map((error) => error.message))).toEqual(
      Either.right("encryptionKey: must be 32 bytes, base64-encoded (openssl rand -base64 32)")
    )
    const same = PriorityResident.decodeKeys(material(7, 7))
    expect(Either.flip(same).pipe(Either.map((error) => error.message))).toEqual(
      Either.right("encryptionKey: must differ from pseudonymKey")
    )
    expect(String(keys.encryptionKey)).toBe("<redacted>")
  })
})

describe("PriorityResident pseudonyms", () => {
  it("are deterministic, and equal for spellings that differ only in width, spacing and case", () => {
    const pseudonym = (identity: string) => PriorityResident.pseudonymOf(keys, Redacted.make(identity))
    expect(pseudonym("11010119600202456X")).toMatch(/^[0-9a-f]{64}$/)
    expect(pseudonym(" 11010119600202456x ")).toBe(pseudonym("11010119600202456X"))
    expect(pseudonym("１１０１０１１９６００２０２４５６Ｘ")).toBe(pseudonym("11010119600202456X"))
    expect(pseudonym("王秀英  一社区")).toBe(pseudonym("王秀英 一社区"))
    expect(pseudonym("11010119600202456X")).not.toBe(pseudonym("110101196002024561"))
  })

  it("depend on the key: the same identity under other keys gives another pseudonym", () => {
    fc.assert(
      fc.property(arbitraryKeys, arbitraryKeys, fc.string({ minLength: 1 }), (a, b, identity) => {
        const under = (k: PriorityResident.Keys) => PriorityResident.pseudonymOf(k, Redacted.make(identity))
        expect(under(a)).toBe(under(a))
        if (!Buffer.from(Redacted.value(a.pseudonymKey)).equals(Redacted.value(b.pseudonymKey))) {
          expect(under(a)).not.toBe(under(b))
        }
      })
    )
  })

  it("content digests are keyed: equal content, equal digest; any change or another key, another digest", () => {
    const digest = PriorityResident.contentDigest(keys, command())
    expect(PriorityResident.contentDigest(keys, command())).toBe(digest)
    expect(PriorityResident.contentDigest(keys, command({ phone: "13800138001" }))).not.toBe(digest)
    expect(PriorityResident.contentDigest(keys, command({ id: "pr-2" }))).toBe(digest)
    expect(PriorityResident.contentDigest(otherKeys, command())).not.toBe(digest)
  })
})

describe("PriorityResident sealing", () => {
  it("round-trips any text under any keys, IV and context", () => {
    fc.assert(
      fc.property(arbitraryKeys, arbitraryIv, fc.string(), fc.string({ unit: "binary" }), (k, iv, context, text) => {
        const sealed = PriorityResident.seal(k, { iv, context, plaintext: Redacted.make(text) })
        expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]+$/)
        const opened = PriorityResident.unseal(k, { sealed, context })
        expect(Option.map(opened, Redacted.value)).toEqual(Option.some(text))
      })
    )
  })

  it("detects tampering: any changed byte of IV, tag or ciphertext, another context or another key", () => {
    fc.assert(
      fc.property(
        arbitraryIv,
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (iv, text, at, mask) => {
          const context = PriorityResident.sealContext(PriorityResident.PriorityResidentId.make("pr-1"), "name")
          const sealed = PriorityResident.seal(keys, { iv, context, plaintext: Redacted.make(text) })
          const bytes = Buffer.from(sealed.slice(3), "base64url")
          bytes[at % bytes.length]! ^= mask
          const altered = `v1:${bytes.toString("base64url")}`
          expect(PriorityResident.unseal(keys, { sealed: altered, context })).toEqual(Option.none())
          const elsewhere = PriorityResident.sealContext(PriorityResident.PriorityResidentId.make("pr-1"), "address")
          expect(PriorityResident.unseal(keys, { sealed, context: elsewhere })).toEqual(Option.none())
          expect(PriorityResident.unseal(otherKeys, { sealed, context })).toEqual(Option.none())
        }
      )
    )
    expect(PriorityResident.unseal(keys, { sealed: "v1:short", context: "x" })).toEqual(Option.none())
    expect(PriorityResident.unseal(keys, { sealed: "plaintext", context: "x" })).toEqual(Option.none())
  })

  it("a fresh IV gives a different sealed value for the same text", () => {
    const seal = (iv: number) =>
      PriorityResident.seal(keys, {
        iv: PriorityResident.Iv(new Uint8Array(12).fill(iv)),
        context: "c",
        plaintext: Redacted.make("王秀英")
      })
    expect(seal(1)).toBe(seal(1))
    expect(seal(1)).not.toBe(seal(2))
  })

  it("seals a registration and opens it again; another key is Undecryptable naming the field only", () => {
    const sealed = PriorityResident.sealResident(keys, command(), ivs(1))
    expect(JSON.stringify(sealed)).not.toMatch(/王秀英|一社区|13800138000|110101194501011234/)
    expect(sealed.needs).toBeNull()
    const opened = Either.getOrThrow(PriorityResident.openResident(keys, sealed))
    expect([
      Redacted.value(opened.name),
      Redacted.value(opened.address),
      Option.map(Option.fromNullable(opened.phone), Redacted.value)
    ]).toEqual(["王秀英", "一社区3号楼2单元101", Option.some("13800138000")])
    expect(`${opened} ${JSON.stringify(opened)}`).not.toMatch(/王秀英|一社区|13800138000/)
    const wrong = Either.flip(PriorityResident.openResident(otherKeys, sealed))
    expect(Either.map(wrong, (error) => [error._tag, error.field, error.message])).toEqual(
      Either.right([
        "Undecryptable",
        "name",
        "PriorityResident pr-1: name cannot be decrypted with the key in force (a different key, or an altered value)"
      ])
    )
    const swapped = new PriorityResident.SealedResident({ ...sealed, name: sealed.address })
    expect(Either.map(Either.flip(PriorityResident.openResident(keys, swapped)), (e) => e.field)).toEqual(
      Either.right("name")
    )
  })
})

describe("PriorityResident commands", () => {
  it("reject sensitive fields naming the field and never quoting the value", () => {
    const decode = (fields: Record<string, unknown>) =>
      Either.flip(
        Schema.decodeUnknownEither(PriorityResident.RegisterPriorityResident, { errors: "all" })(command0(fields))
      )
    const command0 = (fields: Record<string, unknown>) => ({
      id: "pr-1",
      nodeId: "c1",
      category: "elderly-alone",
      identity: "x",
      name: "n",
      address: "a",
      registeredOn: "2023-03-01",
      ...fields
    })
    const messages = [
      { name: "秘密".repeat(60) },
      { phone: 13812345678 },
      { phone: "秘密" },
      { needs: ["秘密"] },
      { identity: { secret: "秘密" } }
    ].map((fields) =>
      Either.getOrThrow(
        Either.map(decode(fields), (error) => PriorityResident.invalidWithoutValues(error, ["residents", 0]).message)
      )
    )
    expect(messages).toEqual([
      "residents[0].name: must be a non-empty string of at most 100 characters",
      "residents[0].phone: must be 3-32 characters of digits, spaces, '+', '-', '(' or ')', or null",
      "residents[0].phone: must be 3-32 characters of digits, spaces, '+', '-', '(' or ')', or null",
      "residents[0].needs: must be a non-empty string of at most 2000 characters, or null",
      "residents[0].identity: must be a non-empty string of at most 200 characters"
    ])
  })

  it("invalidWithoutValues strips the quoted value from Schema's default messages", () => {
    const error = Either.getOrThrow(
      Either.flip(Schema.decodeUnknownEither(Schema.Struct({ a: Schema.Number }))({ a: "秘密" }))
    )
    expect(PriorityResident.invalidWithoutValues(error, ["q"]).message).toBe("q.a: Expected number")
  })
})

describe("PriorityResident.planRegister", () => {
  const sealed = (fields: Record<string, unknown> = {}, seed = 1) =>
    PriorityResident.sealResident(keys, command(fields), ivs(seed))

  it("inserts fresh records; a stored one with the same content is a replay of the stored record", () => {
    const first = sealed()
    const plan = Either.getOrThrow(PriorityResident.planRegister({ stored: [] }, [first]))
    expect(plan.insert).toEqual([first])
    const retry = sealed({}, 9)
    const replay = Either.getOrThrow(PriorityResident.planRegister({ stored: [first] }, [retry]))
    expect(replay.insert).toEqual([])
    expect(replay.results).toEqual([first])
  })

  it("refuses an id reused with other content, a person twice at one node, and repeats in the batch", () => {
    const stored = sealed()
    const message = (result: Either.Either<unknown, { readonly message: string }>) =>
      Either.match(result, { onLeft: (error) => error.message, onRight: () => "accepted" })
    expect(message(PriorityResident.planRegister({ stored: [stored] }, [sealed({ address: "别处" })]))).toBe(
      "PriorityResident pr-1: the id was already used with different content"
    )
    expect(message(PriorityResident.planRegister({ stored: [stored] }, [sealed({ id: "pr-2" })]))).toBe(
      "PriorityResident pr-2: the same person is already registered at node c1 as pr-1"
    )
    expect(message(PriorityResident.planRegister({ stored: [stored] }, [sealed({ id: "pr-2", nodeId: "c2" })]))).toBe(
      "accepted"
    )
    expect(
      message(PriorityResident.planRegister({ stored: [] }, [sealed({ id: "pr-2" }), sealed({ id: "pr-3" })]))
    ).toBe("PriorityResident pr-3: the same person is already registered at node c1 as pr-2")
    expect(message(PriorityResident.planRegister({ stored: [] }, [sealed(), sealed({ identity: "other" })]))).toBe(
      "residents[1].id: pr-1 already appears at residents[0]"
    )
  })
})

describe("PriorityResident.decideRead", () => {
  const grants = { admin: ["priorityResidents.read"], worker: ["grid.read"] }
  const actor = (role: string, scope: string) =>
    new Actor.Actor({
      id: Actor.ActorId.make("a"),
      roles: [Actor.Role.make(role)],
      scope: [Actor.NodePath.make(scope)]
    })
  const record = PriorityResident.sealResident(keys, command(), ivs(1))
  const at = (path: string) => Option.some({ record, path: Actor.NodePath.make(path) })
  const id = PriorityResident.PriorityResidentId.make("pr-1")

  it("grants in scope, and refuses out of scope, without the role, or when the record is absent", () => {
    const tag = (result: Either.Either<unknown, { readonly _tag: string }>) =>
      Either.match(result, { onLeft: (error) => error._tag, onRight: () => "granted" })
    expect(tag(PriorityResident.decideRead(grants, actor("admin", "/d/s1/"), { id, found: at("/d/s1/c1/") }))).toBe(
      "granted"
    )
    expect(tag(PriorityResident.decideRead(grants, actor("admin", "/d/s2/"), { id, found: at("/d/s1/c1/") }))).toBe(
      "Forbidden"
    )
    expect(tag(PriorityResident.decideRead(grants, actor("worker", "/"), { id, found: at("/d/s1/c1/") }))).toBe(
      "Forbidden"
    )
    expect(tag(PriorityResident.decideRead(grants, actor("admin", "/"), { id, found: Option.none() }))).toBe("NotFound")
  })
})
