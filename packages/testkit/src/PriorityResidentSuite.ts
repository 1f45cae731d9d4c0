/**
 * The priority-residents conformance suite: the register's behaviour through the
 * `PriorityResidents` service over a store — idempotent registration, reads only in scope and for a
 * stated purpose, every read audited (refusals too), nothing personal in errors or audit entries,
 * sealed values that a wrong key cannot open. Every adapter of `PriorityResidentStore` runs it:
 *
 * ```ts
 * PriorityResidentSuite.suite("my-store", myStoreLayer)
 * // with a probe, the suite also reads the stored rows itself, to see that they are sealed:
 * PriorityResidentSuite.suite("my-store", myProbe.pipe(Layer.provideMerge(myStoreLayer)), { probe: true })
 * ```
 *
 * The layer must build a new, empty store each time it is built.
 *
 * @since 0.1.0
 */
import { inspect } from "node:util"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, type AuditStore, type Errors, type Json, Permission, type Transactor } from "@sortgrid/core"
import { GridStore, Node, Profile, Tree } from "@sortgrid/grid"
import * as PriorityResident from "@sortgrid/grid/PriorityResident"
import type { PriorityResidentStore } from "@sortgrid/grid/PriorityResidentStore"
import { PriorityResidents, ResidentKeys } from "@sortgrid/grid/PriorityResidents"
import { Context, Effect, Layer, Option, Redacted, Schema, TestClock } from "effect"

// --- the probe ------------------------------------------------------------------------------------

/**
 * Direct access to an adapter's stored register, bypassing the port: the suite reads the rows to
 * check that nothing is stored in plaintext, and moves sealed values around to check that they no
 * longer open.
 *
 * @since 0.1.0
 * @category services
 */
export class PriorityResidentProbe extends Context.Tag("@sortgrid/testkit/PriorityResidentProbe")<
  PriorityResidentProbe,
  {
    /** Every stored row, as stored (any shape: the suite only searches it for plaintext). */
    readonly rows: Effect.Effect<ReadonlyArray<unknown>>
    /** The stored sealed value of a field (null when the field is empty or the record absent). */
    readonly sealed: (id: string, field: PriorityResident.SensitiveField) => Effect.Effect<string | null>
    /** Overwrites the stored sealed value of a field. */
    readonly setSealed: (
      id: string,
      field: PriorityResident.SensitiveField,
      value: string | null
    ) => Effect.Effect<void>
  }
>() {}

const sqlColumns: { readonly [F in PriorityResident.SensitiveField]: string } = {
  name: "name_sealed",
  address: "address_sealed",
  phone: "phone_sealed",
  needs: "needs_sealed"
}

/**
 * The probe for stores that keep the register in sortgrid's SQL table (`priority_resident`), with
 * plain SQL through the same `SqlClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql: Layer.Layer<PriorityResidentProbe, never, SqlClient.SqlClient> = Layer.effect(
  PriorityResidentProbe,
  Effect.map(SqlClient.SqlClient, (sql) =>
    PriorityResidentProbe.of({
      rows: Effect.orDie(sql`SELECT * FROM priority_resident ORDER BY id`),
      sealed: (id, field) =>
        Effect.orDie(
          Effect.map(
            sql<{
              value: string | null
            }>`SELECT ${sql(sqlColumns[field])} AS value FROM priority_resident WHERE id = ${id}`,
            (rows) => rows[0]?.value ?? null
          )
        ),
      setSealed: (id, field, value) =>
        Effect.orDie(sql`UPDATE priority_resident SET ${sql.update({ [sqlColumns[field]]: value })} WHERE id = ${id}`)
    })
  )
)

// --- fixtures -------------------------------------------------------------------------------------

const key = (byte: number) => Redacted.make(Buffer.alloc(32, byte).toString("base64"))

/**
 * The keys the suite registers with.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const keys: PriorityResident.KeyMaterial = { pseudonymKey: key(1), encryptionKey: key(2) }

/**
 * Other keys: a store sealed under {@link keys} must not open under these.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const otherKeys: PriorityResident.KeyMaterial = { pseudonymKey: key(3), encryptionKey: key(4) }

/**
 * The grants the suite runs under: subdistrict admins read and write the register in their subtree;
 * grid workers may not read it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "subdistrict-admin": ["grid.read", "grid.edit", "priorityResidents.read", "priorityResidents.write"],
  "grid-worker": ["grid.read"]
}

const actor = (id: string, role: string, scope: string) =>
  new Actor.Actor({ id: Actor.ActorId.make(id), roles: [Actor.Role.make(role)], scope: [Actor.NodePath.make(scope)] })

const admin = actor("district-admin", "district-admin", "/")
const s1Admin = actor("s1-admin", "subdistrict-admin", "/d/s1/")
const s2Admin = actor("s2-admin", "subdistrict-admin", "/d/s2/")
const worker = actor("s1-worker", "grid-worker", "/d/s1/")

/** "Today" for every test: 2023-07-01 in Beijing. */
const today = Date.UTC(2023, 6, 1, 4)

const tree = [
  { id: "d", kind: "district", name: "区", effectiveOn: "2023-01-01" },
  { id: "s1", kind: "subdistrict", name: "一街道", parentId: "d", effectiveOn: "2023-01-01" },
  { id: "s2", kind: "subdistrict", name: "二街道", parentId: "d", effectiveOn: "2023-01-01" },
  { id: "c1", kind: "community", name: "一社区", parentId: "s1", effectiveOn: "2023-01-01" },
  { id: "c2", kind: "community", name: "二社区", parentId: "s2", effectiveOn: "2023-01-01" },
  { id: "c3", kind: "community", name: "三社区", parentId: "s1", effectiveOn: "2023-01-01" }
]

const wang = {
  id: "pr-1",
  nodeId: "c1",
  category: "elderly-alone",
  identity: "110101194501011234",
  name: "王秀英",
  address: "一社区3号楼2单元101",
  phone: "13800138000",
  needs: "行动不便，需上门协助分类投放",
  registeredOn: "2023-03-01"
}

const li = {
  id: "pr-2",
  nodeId: "c2",
  category: "disabled-member",
  identity: "11010119600202456X",
  name: "李建国",
  address: "二社区5号楼",
  registeredOn: "2023-04-01"
}

const zhao = {
  id: "pr-3",
  nodeId: "c3",
  category: "elderly-alone",
  identity: "110101193803035678",
  name: "王秀英",
  address: "三社区8号院",
  registeredOn: "2023-03-01"
}

/** Every personal value the suite registers: none may appear anywhere but in an opened record. */
const personal = [
  ...[wang, li, zhao].flatMap((r) => [r.identity, r.name, r.address]),
  wang.phone,
  wang.needs,
  "SECRET-MARKER"
]

const leaksIn = (text: string) => personal.filter((value) => text.includes(value))

/**
 * The ports the suite needs from a store.
 *
 * @since 0.1.0
 * @category errors
 */
export type Ports = PriorityResidentStore | GridStore.GridStore | AuditStore.AuditStore | Transactor.Transactor

type Services = PriorityResidents | AuditLog.AuditLog | GridStore.GridStore

/**
 * The services the suite uses over a store: the register and the audit log, with the given keys
 * and the suite's grants.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = (material: PriorityResident.KeyMaterial) =>
  PriorityResidents.Default.pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provide(ResidentKeys.layer(material)),
    Layer.provide(Permission.layer(grants))
  )

type Probe = Context.Tag.Service<PriorityResidentProbe>

interface Harness {
  /** Runs as the services over the test's store, with the suite's keys or others. */
  readonly run: <A, E>(
    effect: Effect.Effect<A, E, Services>,
    material?: PriorityResident.KeyMaterial
  ) => Effect.Effect<A, E | Errors.Invalid>
  readonly probe: Option.Option<Probe>
}

const register = (input: unknown) => Effect.flatMap(PriorityResidents, (register) => register.register(admin, input))
const read = (as: Actor.Actor, id: string, purpose: unknown = "door-to-door-help") =>
  Effect.flatMap(PriorityResidents, (register) => register.read(as, { id, purpose }))
const list = (as: Actor.Actor, query: Record<string, unknown>) =>
  Effect.flatMap(PriorityResidents, (register) => register.list(as, query))
const auditEntries = Effect.flatMap(AuditLog.AuditLog, (log) => log.read(admin))
const reads = Effect.map(auditEntries, (entries) =>
  entries.filter((entry) => entry.action === "priorityResident.read").map((entry) => entry.payload)
)

/** Edits the tree through its port and pure rules, so the suite needs no more than the ports it names. */
const changeTree = (input: Json.Json) =>
  Effect.gen(function* () {
    const store = yield* GridStore.GridStore
    const change = yield* Effect.orDie(Schema.decodeUnknown(Node.Change)(input))
    yield* store.change({ scope: Tree.changeScope(change), changeId: change.changeId }, (state) =>
      Tree.planChange(Profile.chinaDistrict, state, change, input)
    )
  })

const setUp = Effect.gen(function* () {
  const store = yield* GridStore.GridStore
  const nodes = yield* Effect.orDie(Schema.decodeUnknown(Schema.Array(Node.OpenNode))(tree))
  yield* store.change({ scope: Tree.openScope(nodes) }, (state) => Tree.planOpen(Profile.chinaDistrict, state, nodes))
  yield* register([wang, li, zhao])
})

// --- the suite ------------------------------------------------------------------------------------

/**
 * Registers the suite under `name`. With `{ probe: true }` the layer also provides a
 * {@link PriorityResidentProbe}, and the suite checks the stored rows directly.
 *
 * @since 0.1.0
 * @category suites
 */
export function suite<E>(
  name: string,
  layer: Layer.Layer<Ports | PriorityResidentProbe, E>,
  options: { readonly probe: true }
): void
/**
 * Registers the suite under `name`, without the checks that need a probe.
 *
 * @since 0.1.0
 * @category suites
 */
export function suite<E>(name: string, layer: Layer.Layer<Ports, E>): void
export function suite<E>(name: string, layer: Layer.Layer<Ports, E>, options?: { readonly probe: true }): void {
  const test = (title: string, body: (harness: Harness) => Effect.Effect<void, unknown>) =>
    it.scoped(title, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(today)
        const store = yield* Layer.build(layer)
        const harness: Harness = {
          run: (effect, material = keys) =>
            Effect.provide(effect, services(material).pipe(Layer.provideMerge(Layer.succeedContext(store)))),
          probe: Context.getOption(store, PriorityResidentProbe)
        }
        yield* body(harness)
      })
    )
  const probed = (title: string, body: (harness: Harness, probe: Probe) => Effect.Effect<void, unknown>) =>
    options?.probe === true
      ? test(title, (harness) =>
          Option.match(harness.probe, {
            onNone: () => Effect.die(new Error("the layer was declared with a probe but provides none")),
            onSome: (probe) => body(harness, probe)
          })
        )
      : it.skip(`${title} (needs a probe)`, () => undefined)

  describe(`${name}: priority-residents conformance`, () => {
    test("registers a batch; a retry replays it, writing and auditing nothing more", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const again = yield* register([wang, li, zhao])
          expect(again.map((summary) => [summary._tag, summary.id, summary.nodeId, summary.category])).toEqual([
            ["PriorityResidentSummary", "pr-1", "c1", "elderly-alone"],
            ["PriorityResidentSummary", "pr-2", "c2", "disabled-member"],
            ["PriorityResidentSummary", "pr-3", "c3", "elderly-alone"]
          ])
          expect(Object.keys(again[0]!).sort()).toEqual(["_tag", "category", "id", "nodeId", "registeredOn"])
          const registered = (yield* auditEntries).filter((entry) => entry.action === "priorityResident.registered")
          expect(registered.map((entry) => entry.payload)).toEqual([{ count: 3, records: ["pr-1", "pr-2", "pr-3"] }])
        })
      ))

    test("a reused id with other content, or one person twice at one node, is a Conflict naming ids only", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const reused = yield* Effect.flip(register([{ ...wang, address: "SECRET-MARKER 另一个地址" }]))
          expect(reused._tag).toBe("Conflict")
          expect(reused.message).toBe("PriorityResident pr-1: the id was already used with different content")
          // The identity is normalised: spacing and the case of an ID card's X do not make another person.
          const twice = yield* Effect.flip(register([{ ...li, id: "pr-9", identity: " 11010119600202456x " }]))
          expect(twice.message).toBe("PriorityResident pr-9: the same person is already registered at node c2 as pr-2")
          const inBatch = yield* Effect.flip(
            register([
              { ...li, id: "pr-8", identity: "p8" },
              { ...li, id: "pr-8", identity: "p8" }
            ])
          )
          expect(inBatch.message).toBe("residents[1].id: pr-8 already appears at residents[0]")
          const elsewhere = yield* Effect.flip(register([{ ...li, id: "pr-7", nodeId: "nowhere" }]))
          expect(elsewhere.message).toBe("residents[0].nodeId: node nowhere is not in force on 2023-07-01")
          const everyone = yield* list(admin, { under: "/", asOf: "2023-07-01" })
          expect(everyone.map((record) => record.id)).toEqual(["pr-1", "pr-3", "pr-2"])
        })
      ))

    test("registering needs priorityResidents.write over the node; a refused batch writes nothing", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const residents = yield* PriorityResidents
          const outside = yield* Effect.flip(
            residents.register(s1Admin, [
              { ...wang, id: "pr-5", nodeId: "c3", identity: "a" },
              { ...li, id: "pr-6", identity: "b" }
            ])
          )
          expect(outside._tag).toBe("Forbidden")
          expect(outside.message).toBe(
            "s1-admin may not priorityResidents.write: /d/s2/c2/ is outside the actor's scope [/d/s1/]"
          )
          const noRole = yield* Effect.flip(residents.register(worker, [{ ...wang, id: "pr-5" }]))
          expect(noRole._tag).toBe("Forbidden")
          yield* residents.register(s1Admin, [{ ...wang, id: "pr-5", nodeId: "c3", identity: "a" }])
          const everyone = yield* list(admin, { under: "/", asOf: "2023-07-01" })
          expect(everyone.map((record) => record.id)).toEqual(["pr-1", "pr-3", "pr-5", "pr-2"])
        })
      ))

    test("a read in scope with a stated purpose opens the record, held Redacted, and is audited", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const resident = yield* read(s1Admin, "pr-1", "door-to-door-help")
          expect([resident._tag, resident.id, resident.nodeId, resident.category]).toEqual([
            "PriorityResident",
            "pr-1",
            "c1",
            "elderly-alone"
          ])
          expect(
            [resident.name, resident.address, resident.phone, resident.needs].map((value) =>
              value === null ? null : Redacted.value(value)
            )
          ).toEqual([wang.name, wang.address, wang.phone, wang.needs])
          expect(leaksIn(`${resident} ${JSON.stringify(resident)} ${inspect(resident, { depth: 5 })}`)).toEqual([])
          const sparse = yield* read(s2Admin, "pr-2", "emergency")
          expect([sparse.phone, sparse.needs]).toEqual([null, null])
          expect(yield* reads).toEqual([
            { record: "pr-1", purpose: "door-to-door-help", outcome: "granted" },
            { record: "pr-2", purpose: "emergency", outcome: "granted" }
          ])
        })
      ))

    test("reading out of scope is Forbidden, and the attempt is in the audit chain, which verifies", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const outside = yield* Effect.flip(read(s1Admin, "pr-2"))
          expect(outside._tag).toBe("Forbidden")
          expect(outside.message).toBe(
            "s1-admin may not priorityResidents.read: /d/s2/c2/ is outside the actor's scope [/d/s1/]"
          )
          const noRole = yield* Effect.flip(read(worker, "pr-1"))
          expect(noRole._tag).toBe("Forbidden")
          const missing = yield* Effect.flip(read(s1Admin, "pr-404"))
          expect(missing.message).toBe("PriorityResident pr-404 was not found")
          expect(yield* reads).toEqual([
            { record: "pr-2", purpose: "door-to-door-help", outcome: "forbidden" },
            { record: "pr-1", purpose: "door-to-door-help", outcome: "forbidden" },
            { record: "pr-404", purpose: "door-to-door-help", outcome: "not-found" }
          ])
          const entries = yield* auditEntries
          expect(entries.filter((entry) => entry.action === "priorityResident.read").map((e) => e.actor)).toEqual([
            "s1-admin",
            "s1-worker",
            "s1-admin"
          ])
          const log = yield* AuditLog.AuditLog
          expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact", entries: entries.length })
        })
      ))

    test("a purpose outside the closed list is Invalid, naming the field, and the attempt is audited", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const curious = yield* Effect.flip(read(s1Admin, "pr-1", "SECRET-MARKER curiosity"))
          expect(curious._tag).toBe("Invalid")
          expect(curious.message).toBe(
            'request.purpose: expected one of "door-to-door-help", "emergency", "data-correction"'
          )
          expect(leaksIn(curious.message)).toEqual([])
          const none = yield* Effect.flip(
            Effect.flatMap(PriorityResidents, (residents) => residents.read(s1Admin, { id: "pr-1" }))
          )
          expect(none.message).toBe("request.purpose: is missing")
          expect(yield* reads).toEqual([
            { record: "pr-1", purpose: null, outcome: "invalid" },
            { record: "pr-1", purpose: null, outcome: "invalid" }
          ])
          const listing = yield* Effect.flip(list(s1Admin, { under: "/d/s1/", asOf: "2023-07-01", purpose: "gossip" }))
          expect(listing.message).toMatch(/^query\.purpose: /)
        })
      ))

    test("records sealed under one key do not open under another: a typed error, audited, leaking nothing", ({ run }) =>
      Effect.gen(function* () {
        yield* run(setUp)
        const wrong = yield* Effect.flip(run(read(s1Admin, "pr-1"), otherKeys))
        expect(wrong._tag).toBe("Undecryptable")
        expect(wrong.message).toBe(
          "PriorityResident pr-1: name cannot be decrypted with the key in force (a different key, or an altered value)"
        )
        const listing = yield* Effect.flip(
          run(list(s1Admin, { under: "/d/s1/", asOf: "2023-07-01", purpose: "emergency" }), otherKeys)
        )
        expect(listing._tag).toBe("Undecryptable")
        const summaries = yield* run(list(s1Admin, { under: "/d/s1/", asOf: "2023-07-01" }), otherKeys)
        expect(summaries.map((summary) => summary.id)).toEqual(["pr-1", "pr-3"])
        expect(yield* run(reads)).toEqual([{ record: "pr-1", purpose: "door-to-door-help", outcome: "undecryptable" }])
        expect(leaksIn(`${wrong.message} ${listing.message} ${inspect(wrong)}`)).toEqual([])
        const right = yield* run(read(s1Admin, "pr-1"))
        expect(Redacted.value(right.name)).toBe(wang.name)
      }))

    test("listing shows summaries under a path as of a date, within scope; with a purpose, records; each is audited", ({
      run
    }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const summaries = yield* list(s1Admin, { under: "/d/s1/", asOf: "2023-07-01" })
          expect(summaries.map((summary) => [summary._tag, summary.id])).toEqual([
            ["PriorityResidentSummary", "pr-1"],
            ["PriorityResidentSummary", "pr-3"]
          ])
          expect(leaksIn(JSON.stringify(summaries))).toEqual([])
          const opened = yield* list(s1Admin, { under: "/d/s1/c1/", asOf: "2023-07-01", purpose: "door-to-door-help" })
          expect(opened.map((record) => record._tag === "PriorityResident" && Redacted.value(record.name))).toEqual([
            wang.name
          ])
          expect(yield* list(s1Admin, { under: "/d/s1/", asOf: "2023-02-28" })).toEqual([])
          const wider = yield* Effect.flip(list(s1Admin, { under: "/d/", asOf: "2023-07-01" }))
          expect(wider._tag).toBe("Forbidden")
          const listings = (yield* auditEntries).filter((entry) => entry.action === "priorityResident.listed")
          expect(listings.map((entry) => entry.payload)).toEqual([
            { under: "/d/s1/", asOf: "2023-07-01", purpose: null, outcome: "granted", records: ["pr-1", "pr-3"] },
            {
              under: "/d/s1/c1/",
              asOf: "2023-07-01",
              purpose: "door-to-door-help",
              outcome: "granted",
              records: ["pr-1"]
            },
            { under: "/d/s1/", asOf: "2023-02-28", purpose: null, outcome: "granted", records: [] },
            { under: "/d/", asOf: "2023-07-01", purpose: null, outcome: "forbidden", records: [] }
          ])
        })
      ))

    test("scope follows today's tree: after a move the old subtree loses the record, and a closed node keeps its last place", ({
      run
    }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          yield* changeTree({
            _tag: "MoveNode",
            changeId: "move-c1",
            nodeId: "c1",
            parentId: "s2",
            effectiveOn: "2023-06-01"
          })
          yield* changeTree({ _tag: "CloseNode", changeId: "close-c3", nodeId: "c3", effectiveOn: "2023-06-01" })
          expect((yield* Effect.flip(read(s1Admin, "pr-1")))._tag).toBe("Forbidden")
          expect(Redacted.value((yield* read(s2Admin, "pr-1")).name)).toBe(wang.name)
          // In May c1 lay under s1, but s1's admin no longer covers it: the listing leaves it out.
          const may = yield* list(s1Admin, { under: "/d/s1/", asOf: "2023-05-01" })
          expect(may.map((summary) => summary.id)).toEqual(["pr-3"])
          expect((yield* list(s2Admin, { under: "/d/s2/", asOf: "2023-07-01" })).map((s) => s.id)).toEqual([
            "pr-1",
            "pr-2"
          ])
          expect((yield* read(s1Admin, "pr-3"))._tag).toBe("PriorityResident")
          expect((yield* Effect.flip(read(s2Admin, "pr-3")))._tag).toBe("Forbidden")
        })
      ))

    test("no personal data in any error message or audit payload, whatever the input", ({ run }) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const residents = yield* PriorityResidents
          const bad: ReadonlyArray<unknown> = [
            [{ ...wang, id: "pr-20", name: `SECRET-MARKER${"长".repeat(200)}` }],
            [{ ...wang, id: "pr-21", phone: 13800138000, identity: wang.identity }],
            [{ ...wang, id: "pr-22", phone: "SECRET-MARKER" }],
            [{ ...wang, id: "pr-23", needs: { text: "SECRET-MARKER" } }],
            [{ ...wang, id: "pr-24", identity: ["SECRET-MARKER"] }],
            [{ ...wang, id: "pr-25", address: "" }],
            [{ ...wang, id: "pr-26", extra: "SECRET-MARKER" }],
            ["SECRET-MARKER"],
            "SECRET-MARKER",
            [{ ...wang, id: "SECRET-MARKER 王秀英" }]
          ]
          const messages: Array<string> = []
          for (const input of bad) {
            const error = yield* Effect.flip(residents.register(admin, input))
            expect(error._tag).toBe("Invalid")
            messages.push(error.message, inspect(error, { depth: 8 }), JSON.stringify(error))
          }
          expect(messages[0]).toBe("residents[0].name: must be a non-empty string of at most 100 characters")
          expect(messages[3]).toBe(
            "residents[0].phone: must be 3-32 characters of digits, spaces, '+', '-', '(' or ')', or null"
          )
          const reused = yield* Effect.flip(residents.register(admin, [{ ...wang, name: "SECRET-MARKER" }]))
          messages.push(reused.message, inspect(reused, { depth: 8 }))
          for (const [id, purpose] of [
            ["pr-2", "door-to-door-help"],
            ["pr-1", "SECRET-MARKER"],
            ["王秀英", "emergency"]
          ]) {
            const error = yield* Effect.flip(read(s1Admin, id!, purpose))
            messages.push(error.message, inspect(error, { depth: 8 }))
          }
          expect(messages.flatMap(leaksIn)).toEqual([])
          const entries = yield* auditEntries
          // An id that does not decode names no record, so that read is not audited.
          expect(entries.map((entry) => entry.action)).toEqual([
            "priorityResident.registered",
            "priorityResident.read",
            "priorityResident.read"
          ])
          expect(leaksIn(JSON.stringify(entries))).toEqual([])
        })
      ))

    probed("sealed at rest: stored rows hold no plaintext, only sealed values and pseudonyms", ({ run }, probe) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const rows = yield* probe.rows
          expect(rows.length).toBe(3)
          const stored = JSON.stringify(rows)
          expect(leaksIn(stored)).toEqual([])
          const opened = yield* read(s1Admin, "pr-1")
          expect(stored).toContain(opened.pseudonym)
          for (const field of PriorityResident.sensitiveFields) {
            expect(yield* probe.sealed("pr-1", field)).toMatch(/^v1:[A-Za-z0-9_-]+$/)
          }
          expect(yield* probe.sealed("pr-2", "phone")).toBeNull()
          // One name, two records: fresh IVs make the sealed values differ.
          expect(yield* probe.sealed("pr-1", "name")).not.toBe(yield* probe.sealed("pr-3", "name"))
        })
      )
    )

    probed("a sealed value altered, or moved to another field or record, does not open", ({ run }, probe) =>
      run(
        Effect.gen(function* () {
          yield* setUp
          const name = (yield* probe.sealed("pr-1", "name"))!
          const undecryptable = (id: string) =>
            Effect.map(Effect.flip(read(s1Admin, id)), (error) => [error._tag, error.message])
          const nameFailed = (id: string) => [
            "Undecryptable",
            `PriorityResident ${id}: name cannot be decrypted with the key in force (a different key, or an altered value)`
          ]
          yield* probe.setSealed("pr-1", "name", yield* probe.sealed("pr-1", "address"))
          expect(yield* undecryptable("pr-1")).toEqual(nameFailed("pr-1"))
          yield* probe.setSealed("pr-3", "name", name)
          expect(yield* undecryptable("pr-3")).toEqual(nameFailed("pr-3"))
          yield* probe.setSealed("pr-1", "name", name)
          expect(Redacted.value((yield* read(s1Admin, "pr-1")).name)).toBe(wang.name)
          // Character 20 lies in the authentication tag; any change there must be caught.
          const altered = `${name.slice(0, 20)}${name[20] === "A" ? "B" : "A"}${name.slice(21)}`
          yield* probe.setSealed("pr-1", "name", altered)
          expect(yield* undecryptable("pr-1")).toEqual(nameFailed("pr-1"))
        })
      )
    )
  })
}
