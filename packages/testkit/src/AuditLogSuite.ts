/**
 * The audit-log conformance suite: what every adapter of `AuditStore` (with its `Transactor`) must
 * do. Run it from the adapter's own tests:
 *
 * ```ts
 * AuditLogSuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built (a temporary file, a new schema),
 * and provide an {@link AuditProbe.AuditProbe} that reads the stored rows without the adapter.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, Audit, AuditLog, type AuditStore, Permission, Transactor } from "@sortgrid/core"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option, Predicate } from "effect"
import fc from "fast-check"
import { AuditProbe } from "./AuditProbe.js"

/**
 * An actor the suite acts as: the `auditor` role, granted everything by {@link policy}.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const auditor = new Actor.Actor({
  id: Actor.ActorId.make("auditor"),
  roles: [Actor.Role.make("auditor")],
  scope: [Actor.root]
})

/**
 * The policy the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const policy = Permission.layer({ auditor: ["*"] })

/**
 * A draft with a given id and payload.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const draft = (id: string, payload: Record<string, number | string> = { n: id }): Audit.AuditDraft =>
  Audit.AuditDraft.make({
    id: Audit.AuditEntryId.make(id),
    actor: auditor.id,
    action: "conformance.appended",
    subject: `thing:${id}`,
    payload
  })

const drafts = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => draft(`${prefix}${i + 1}`))

// --- the model-based test ---------------------------------------------------------------------------

/** The model: the entries appended so far, as (id, content variant), in position order. */
interface Model {
  entries: Array<{ readonly id: string; readonly variant: number }>
}

type Real = ManagedRuntime.ManagedRuntime<AuditLog.AuditLog, unknown>

const modelDraft = (key: number, variant: number) => draft(`m${key}`, { variant })

/** Appends a batch of drafts drawn from a small id space, so retries and conflicts are frequent. */
class AppendCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly batch: ReadonlyArray<readonly [key: number, variant: number]>) {}
  check = () => true
  async run(model: Model, real: Real) {
    const known = new Map(model.entries.map((entry) => [entry.id, entry.variant]))
    let conflict = false
    const fresh: Array<{ id: string; variant: number }> = []
    for (const [key, variant] of this.batch) {
      const id = `m${key}`
      const seen = known.get(id)
      if (seen === undefined) {
        known.set(id, variant)
        fresh.push({ id, variant })
      } else if (seen !== variant) conflict = true
    }
    const exit = await real.runPromiseExit(
      Effect.flatMap(AuditLog.AuditLog, (log) =>
        log.append(this.batch.map(([key, variant]) => modelDraft(key, variant)))
      )
    )
    if (conflict) {
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.exists(failure, (error) => Predicate.isTagged(error, "Conflict"))).toBe(true)
      return
    }
    if (!Exit.isSuccess(exit)) throw new Error(`append failed: ${exit.cause}`)
    model.entries.push(...fresh)
    const positions = new Map(model.entries.map((entry, i) => [entry.id, i + 1]))
    expect(exit.value.map((entry) => [entry.id, entry.position])).toEqual(
      this.batch.map(([key]) => [`m${key}`, positions.get(`m${key}`)])
    )
  }
  toString = () => `append(${this.batch.map(([key, variant]) => `m${key}/${variant}`).join(", ")})`
}

/** Reads a page and compares it with the model. */
class ReadCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly fromPosition: number,
    readonly limit: number
  ) {}
  check = () => true
  async run(model: Model, real: Real) {
    const page = await real.runPromise(
      Effect.flatMap(AuditLog.AuditLog, (log) =>
        log.read(auditor, { fromPosition: this.fromPosition, limit: this.limit })
      )
    )
    const expected = model.entries.slice(this.fromPosition - 1, this.fromPosition - 1 + this.limit)
    expect(page.map((entry) => [entry.id, entry.payload])).toEqual(
      expected.map((entry) => [entry.id, { variant: entry.variant }])
    )
  }
  toString = () => `read(${this.fromPosition}, ${this.limit})`
}

/** Verifies the whole chain: always intact, with as many entries as the model. */
class VerifyCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(model: Model, real: Real) {
    const result = await real.runPromise(Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(auditor)))
    expect(result).toMatchObject({ _tag: "Intact", entries: model.entries.length })
  }
  toString = () => "verify"
}

const modelCommands = [
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 6 })
    .map((batch) => new AppendCommand(batch)),
  fc
    .tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 6 }))
    .map(([from, limit]) => new ReadCommand(from, limit)),
  fc.constant(new VerifyCommand())
]

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<AuditStore.AuditStore | Transactor.Transactor | AuditProbe, E>
): void => {
  const fresh = AuditLog.AuditLog.Default.pipe(Layer.provideMerge(layer), Layer.provide(policy))
  const test = (
    title: string,
    body: Effect.Effect<void, unknown, AuditLog.AuditLog | AuditProbe | Transactor.Transactor>
  ) => it.effect(title, () => Effect.provide(body, fresh))

  const verify = (anchors: ReadonlyArray<Audit.AuditHead> = []) =>
    Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(auditor, { anchors }))

  const expectBroken = (anchors: ReadonlyArray<Audit.AuditHead> = []) =>
    Effect.map(verify(anchors), (result) => {
      expect(result._tag).toBe("Broken")
      return result._tag === "Broken" ? [result.position, result.reason] : []
    })

  /** Ten entries, with the head recorded before any tampering. */
  const seeded = Effect.gen(function* () {
    const log = yield* AuditLog.AuditLog
    const entries = yield* log.append(drafts("e", 10))
    return { log, entries, head: new Audit.AuditHead({ position: 10, hash: entries[9]!.hash }) }
  })

  describe(`${name}: audit log conformance`, () => {
    test(
      "an empty log verifies as intact with no entries",
      Effect.gen(function* () {
        const result = yield* verify()
        expect(result).toEqual(Audit.Verification.Intact({ entries: 0, head: Audit.emptyHead }))
      })
    )

    test(
      "appends at positions 1..n, chained, and stores exactly what it returned",
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        const first = yield* log.append(drafts("a", 3))
        const second = yield* log.append(drafts("b", 2))
        expect([...first, ...second].map((e) => e.position)).toEqual([1, 2, 3, 4, 5])
        expect(second[0]!.previousHash).toBe(first[2]!.hash)
        const probe = yield* AuditProbe
        const rows = yield* probe.rows
        expect(rows).toEqual([...first, ...second].map((entry) => ({ ...entry })))
        expect(yield* probe.head).toEqual({ position: 5, hash: second[1]!.hash })
        expect((yield* verify())._tag).toBe("Intact")
      })
    )

    test(
      "a retried batch returns the first result and writes nothing",
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        const first = yield* log.append(drafts("r", 4))
        const again = yield* log.append([...drafts("r", 4), draft("r5")])
        expect(again.slice(0, 4)).toEqual(first)
        expect(again[4]!.position).toBe(5)
        expect((yield* (yield* AuditProbe).rows).length).toBe(5)
      })
    )

    test(
      "an id reused with different content is a Conflict, and nothing of the batch is written",
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        yield* log.append([draft("c1")])
        const exit = yield* Effect.exit(log.append([draft("c2"), draft("c1", { n: "changed" })]))
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        expect(Option.exists(failure, (error) => Predicate.isTagged(error, "Conflict"))).toBe(true)
        const probe = yield* AuditProbe
        expect((yield* probe.rows).map((row) => row.id)).toEqual(["c1"])
        expect((yield* probe.head).position).toBe(1)
      })
    )

    test(
      "an append inside a failed transaction leaves no trace",
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        const transactor = yield* Transactor.Transactor
        yield* log.append([draft("t1")])
        const exit = yield* Effect.exit(
          transactor.withTransaction(Effect.zipRight(log.append(drafts("t-lost", 3)), Effect.fail("boom")))
        )
        expect(Exit.isFailure(exit)).toBe(true)
        const probe = yield* AuditProbe
        expect((yield* probe.rows).map((row) => row.id)).toEqual(["t1"])
        expect((yield* probe.head).position).toBe(1)
        expect((yield* log.append([draft("t2")]))[0]!.position).toBe(2)
      })
    )

    test(
      "concurrent appends lose nothing and leave no gaps",
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        yield* Effect.forEach(
          Array.from({ length: 8 }, (_, writer) => writer),
          (writer) => Effect.forEach(drafts(`w${writer}-`, 12), (d) => log.append([d]), { discard: true }),
          { concurrency: "unbounded", discard: true }
        )
        const rows = yield* (yield* AuditProbe).rows
        expect(rows.map((row) => row.position)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1))
        expect(new Set(rows.map((row) => row.id)).size).toBe(96)
        expect(yield* verify()).toMatchObject({ _tag: "Intact", entries: 96 })
      })
    )

    test(
      "a batch larger than any bind limit is appended whole, and read back page by page",
      Effect.gen(function* () {
        const log = yield* AuditLog.AuditLog
        const entries = yield* log.append(drafts("big", 12_000))
        expect(entries.at(-1)!.position).toBe(12_000)
        const page = yield* log.read(auditor, { fromPosition: 9_999, limit: 3 })
        expect(page.map((entry) => entry.id)).toEqual(["big9999", "big10000", "big10001"])
        expect(yield* verify()).toMatchObject({ _tag: "Intact", entries: 12_000 })
      })
    )

    test(
      "an edited field is found at its position",
      Effect.gen(function* () {
        yield* seeded
        yield* (yield* AuditProbe).update(4, { subject: "thing:forged" })
        expect(yield* expectBroken()).toEqual([4, "EntryAltered"])
      })
    )

    test(
      "an edited payload is found at its position",
      Effect.gen(function* () {
        yield* seeded
        yield* (yield* AuditProbe).update(7, { payload: { n: "forged" } })
        expect(yield* expectBroken()).toEqual([7, "PayloadAltered"])
      })
    )

    test(
      "a deleted entry is found at its position",
      Effect.gen(function* () {
        yield* seeded
        yield* (yield* AuditProbe).remove(3)
        expect(yield* expectBroken()).toEqual([3, "PositionMissing"])
      })
    )

    test(
      "two reordered entries are found at the first of them",
      Effect.gen(function* () {
        yield* seeded
        const probe = yield* AuditProbe
        yield* probe.move(6, 1_000)
        yield* probe.move(7, 6)
        yield* probe.move(1_000, 7)
        expect(yield* expectBroken()).toEqual([6, "EntryAltered"])
      })
    )

    test(
      "an inserted, correctly hashed entry is found where the chain no longer follows",
      Effect.gen(function* () {
        const { entries } = yield* seeded
        const probe = yield* AuditProbe
        for (let position = 10; position >= 5; position--) yield* probe.move(position, position + 1)
        const forged = {
          ...entries[4]!,
          id: Audit.AuditEntryId.make("forged"),
          subject: "thing:forged",
          previousHash: entries[3]!.hash
        }
        yield* probe.insert({ ...forged, hash: Audit.entryHash(forged) })
        yield* probe.setHead({ position: 11, hash: entries[9]!.hash })
        expect(yield* expectBroken()).toEqual([6, "EntryAltered"])
      })
    )

    test(
      "a row past the head is found",
      Effect.gen(function* () {
        const { entries } = yield* seeded
        yield* (yield* AuditProbe).insert({ ...entries[9]!, id: "extra", position: 12 })
        expect(yield* expectBroken()).toEqual([11, "PositionMissing"])
      })
    )

    test(
      "a truncated tail is found against the stored head",
      Effect.gen(function* () {
        yield* seeded
        const probe = yield* AuditProbe
        yield* probe.remove(10)
        yield* probe.remove(9)
        expect(yield* expectBroken()).toEqual([9, "Truncated"])
      })
    )

    test(
      "a truncation that also rewrote the head is found against an anchor",
      Effect.gen(function* () {
        const { entries, head } = yield* seeded
        const probe = yield* AuditProbe
        yield* probe.remove(10)
        yield* probe.setHead({ position: 9, hash: entries[8]!.hash })
        expect((yield* verify())._tag).toBe("Intact")
        expect(yield* expectBroken([head])).toEqual([10, "Truncated"])
      })
    )

    test(
      "an anchor whose hash differs from the stored entry is found",
      Effect.gen(function* () {
        const { entries } = yield* seeded
        const anchor = new Audit.AuditHead({ position: 5, hash: entries[6]!.hash })
        expect(yield* expectBroken([anchor])).toEqual([5, "HeadMismatch"])
      })
    )

    it.effect("behaves like its model under any sequence of appends, retries, conflicts and reads", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.commands(modelCommands, { maxCommands: 25 }), async (commands) => {
            const runtime = ManagedRuntime.make(fresh)
            try {
              await fc.asyncModelRun(() => ({ model: { entries: [] }, real: runtime }), commands)
            } finally {
              await runtime.dispose()
            }
          }),
          { numRuns: 12 }
        )
      )
    )
  })
}
