import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Audit from "../src/Audit.js"
import type { Json } from "../src/Json.js"

const draft = (id: string, payload: Json = { n: id }, action = "test.appended") =>
  Audit.AuditDraft.make({
    id: Audit.AuditEntryId.make(id),
    actor: "actor-1" as Audit.AuditDraft["actor"],
    action,
    subject: `thing:${id}`,
    payload
  })

const chain = (count: number) => {
  const plan = Either.getOrThrow(
    Audit.planAppend(
      { head: Audit.emptyHead, existing: [] },
      Array.from({ length: count }, (_, i) => draft(`e${i + 1}`)),
      1_700_000_000_000
    )
  )
  const last = plan.append[plan.append.length - 1]!
  return { entries: plan.append, head: new Audit.AuditHead({ position: last.position, hash: last.hash }) }
}

const rehash = (entry: Omit<Audit.AuditEntry, "hash">) =>
  new Audit.AuditEntry({ ...entry, hash: Audit.entryHash(entry) })

describe("Audit chain", () => {
  it("links entries from the genesis hash, at positions 1..n", () => {
    const { entries } = chain(3)
    expect(entries.map((e) => e.position)).toEqual([1, 2, 3])
    expect(entries[0]!.previousHash).toBe(Audit.genesisHash)
    expect(entries[1]!.previousHash).toBe(entries[0]!.hash)
    expect(Audit.verify(entries, new Audit.AuditHead({ position: 3, hash: entries[2]!.hash }))._tag).toBe("Intact")
  })

  it("replays a retried id with the same content and rejects it with different content", () => {
    const { entries, head } = chain(2)
    const retry = Audit.planAppend({ head, existing: [entries[0]!] }, [draft("e1"), draft("e3")], 1)
    const plan = Either.getOrThrow(retry)
    expect(plan.entries[0]).toBe(entries[0])
    expect(plan.append.map((e) => [e.id, e.position])).toEqual([["e3", 3]])

    const conflict = Audit.planAppend({ head, existing: [entries[0]!] }, [draft("e1", { n: "other" })], 1)
    expect(Either.isLeft(conflict) && conflict.left._tag).toBe("Conflict")

    const twiceInBatch = Either.getOrThrow(Audit.planAppend({ head, existing: [] }, [draft("x"), draft("x")], 1))
    expect(twiceInBatch.append.length).toBe(1)
    expect(twiceInBatch.entries[1]).toBe(twiceInBatch.entries[0])
    const clashInBatch = Audit.planAppend({ head, existing: [] }, [draft("x"), draft("x", { n: 2 })], 1)
    expect(Either.isLeft(clashInBatch)).toBe(true)
  })

  it("treats payloads with reordered keys as the same content", () => {
    const { entries, head } = chain(1)
    const stored = Either.getOrThrow(
      Audit.planAppend({ head, existing: [] }, [draft("k", { a: 1, b: [1, { c: 2, d: 3 }] })], 1)
    ).append[0]!
    const retry = Audit.planAppend({ head, existing: [stored] }, [draft("k", { b: [1, { d: 3, c: 2 }], a: 1 })], 2)
    expect(Either.getOrThrow(retry).append).toEqual([])
    expect(entries.length).toBe(1)
  })

  describe("verify finds the first broken position", () => {
    const { entries, head } = chain(10)
    const broken = (list: ReadonlyArray<Audit.AuditEntry>, h = head, anchors: ReadonlyArray<Audit.AuditHead> = []) => {
      const result = Audit.verify(list, h, anchors)
      if (result._tag !== "Broken") throw new Error("expected a break")
      return [result.position, result.reason]
    }

    it("an edited payload", () => {
      const edited = entries.map((e) => (e.position === 4 ? new Audit.AuditEntry({ ...e, payload: { n: "x" } }) : e))
      expect(broken(edited)).toEqual([4, "PayloadAltered"])
    })

    it("an edited field", () => {
      const edited = entries.map((e) =>
        e.position === 6 ? new Audit.AuditEntry({ ...e, actor: `${e.actor}x` } as Audit.AuditEntry) : e
      )
      expect(broken(edited)).toEqual([6, "EntryAltered"])
    })

    it("an edited entry whose hash was recomputed", () => {
      const edited = entries.map((e) => (e.position === 5 ? rehash({ ...e, subject: "forged" }) : e))
      expect(broken(edited)).toEqual([6, "ChainBroken"])
    })

    it("a deleted entry", () => {
      expect(broken(entries.filter((e) => e.position !== 3))).toEqual([3, "PositionMissing"])
    })

    it("a deleted entry with the rest renumbered", () => {
      const renumbered = entries.filter((e) => e.position !== 3).map((e, i) => rehash({ ...e, position: i + 1 }))
      expect(broken(renumbered)).toEqual([3, "ChainBroken"])
    })

    it("two entries swapped", () => {
      const swapped = [...entries]
      ;[swapped[6], swapped[7]] = [swapped[7]!, swapped[6]!]
      expect(broken(swapped)).toEqual([7, "PositionMissing"])
      const renumbered = swapped.map((e, i) => new Audit.AuditEntry({ ...e, position: i + 1 }))
      expect(broken(renumbered)).toEqual([7, "EntryAltered"])
    })

    it("an inserted entry", () => {
      const extra = entries[4]!
      const inserted = [...entries.slice(0, 5), extra, ...entries.slice(5)]
      expect(broken(inserted)).toEqual([5, "PositionUnexpected"])
    })

    it("a truncated tail, against the stored head or an anchor", () => {
      expect(broken(entries.slice(0, 8))).toEqual([9, "Truncated"])
      const rewrittenHead = new Audit.AuditHead({ position: 8, hash: entries[7]!.hash })
      expect(Audit.verify(entries.slice(0, 8), rewrittenHead)._tag).toBe("Intact")
      expect(broken(entries.slice(0, 8), rewrittenHead, [head])).toEqual([9, "Truncated"])
    })

    it("a head that disagrees with the last entry", () => {
      const wrong = new Audit.AuditHead({ position: 10, hash: entries[3]!.hash })
      expect(broken(entries, wrong)).toEqual([10, "HeadMismatch"])
    })

    it("any single-entry edit, at any position (property)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 9 }), fc.string(), (index, subject) => {
          fc.pre(subject !== entries[index]!.subject)
          const edited = entries.map((e, i) => (i === index ? new Audit.AuditEntry({ ...e, subject }) : e))
          expect(broken(edited)).toEqual([index + 1, "EntryAltered"])
        })
      )
    })
  })
})
