import { describe, expect, it } from "@effect/vitest"
import { Actor, DataValue, Period } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import type { Placement } from "@sortgrid/grid/Rollup"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Problem from "../src/Problem.js"
import * as Stats from "../src/Stats.js"

const hour = 60 * 60 * 1000
const day = 24 * hour
const beijing = 480
const inspector = Actor.ActorId.make("inspector")

/** An instant given as Beijing wall-clock time. */
const local = (year: number, month: number, date: number, hours: number, minutes = 0) =>
  Date.UTC(year, month - 1, date, hours, minutes) - 8 * hour

const period = (id: string) => Either.getOrThrow(Period.parse(id))

const fixed = (closedAt: number) => Problem.ClosedFixed.make({ closedBy: inspector, closedAt })
const duplicate = (closedAt: number) =>
  Problem.ClosedOther.make({
    closedBy: inspector,
    closedAt,
    reason: "duplicate",
    duplicateOf: Problem.ProblemId.make("p0")
  })

const facts = (
  id: string,
  nodeId: string,
  registeredAt: number,
  deadlineAt: number,
  closure: Problem.Closure | null = null
): Stats.ProblemFacts => ({
  id: Problem.ProblemId.make(id),
  nodeId: NodeId.make(nodeId),
  registeredAt,
  deadlineAt,
  closure
})

// A district, two subdistricts, three compounds, and a site inside compound c1.
const placements: ReadonlyArray<Placement> = [
  ["d", "/d/"],
  ["s1", "/d/s1/"],
  ["s2", "/d/s2/"],
  ["c1", "/d/s1/c1/"],
  ["c2", "/d/s1/c2/"],
  ["c3", "/d/s2/c3/"],
  ["site1", "/d/s1/c1/site1/"]
]
const kinds = new Map([
  ["d", "district"],
  ["s1", "subdistrict"],
  ["s2", "subdistrict"],
  ["c1", "compound"],
  ["c2", "compound"],
  ["c3", "compound"],
  ["site1", "site"]
])

const problems = [
  facts("p1", "c1", local(2023, 1, 3, 10), local(2023, 1, 6, 10), fixed(local(2023, 1, 5, 10))),
  facts("p2", "site1", local(2023, 1, 10, 9), local(2023, 1, 13, 9), fixed(local(2023, 2, 2, 9))),
  facts("p3", "c2", local(2023, 1, 20, 8), local(2023, 2, 20, 8), duplicate(local(2023, 1, 21, 8))),
  // 23:30 on 31 January in Beijing is still January there.
  facts("p4", "c3", local(2023, 1, 31, 23, 30), local(2023, 2, 3, 12)),
  // 07:30 on 1 February in Beijing is 31 January in UTC: it counts in February.
  facts("p5", "c3", local(2023, 2, 1, 7, 30), local(2023, 3, 1, 0)),
  facts("p6", "s2", local(2022, 12, 20, 12), local(2022, 12, 25, 12), fixed(local(2023, 1, 2, 12))),
  // On a node no longer on the tree.
  facts("p7", "gone", local(2023, 1, 15, 12), local(2023, 1, 20, 12))
]

const statsFor = (id: string, recordLimit?: number) =>
  Stats.compute({
    problems,
    placements,
    kinds,
    compoundKind: "compound",
    period: period(id),
    offsetMinutes: beijing,
    ...(recordLimit === undefined ? {} : { recordLimit })
  })

const node = (stats: Stats.Stats, id: string): Stats.NodeStats => {
  const found = stats.nodes.get(id)
  if (found === undefined) return expect.fail(`no stats for ${id}`)
  return found
}

const counts = (stats: Stats.NodeStats) => ({
  opened: stats.opened,
  closedFixed: stats.closedFixed,
  closedOther: stats.closedOther,
  openAtStart: stats.openAtStart,
  openAtEnd: stats.openAtEnd,
  overdueAtEnd: stats.overdueAtEnd,
  compounds: stats.compounds,
  compoundsWithOpen: stats.compoundsWithOpen
})

describe("Stats", () => {
  it("counts January by hand", () => {
    const january = statsFor("2023-01")
    expect(january.unplaced).toBe(1)
    const d = node(january, "d")
    expect(counts(d)).toEqual({
      opened: 4,
      closedFixed: 2,
      closedOther: 1,
      openAtStart: 1,
      openAtEnd: 2,
      overdueAtEnd: 1,
      compounds: 3,
      compoundsWithOpen: 2
    })
    expect(d.timeToClose).toEqual({
      count: 3,
      sum: 16 * day,
      min: day,
      max: 13 * day,
      median: 2 * day,
      mean: (16 * day) / 3
    })
    expect(d.perCompound).toEqual({ numerator: 2, denominator: 3, value: 2 / 3 })
    expect(d.perAffectedCompound).toEqual({ numerator: 2, denominator: 2, value: 1 })
    expect(d.records.opened).toEqual(["p1", "p2", "p3", "p4"])
    expect(d.records.overdueAtEnd).toEqual(["p2"])
    expect(d.burnDown).toEqual([1, 0, 1, 1, ...Array(5).fill(0), ...Array(10).fill(1), 2, ...Array(10).fill(1), 2])

    const s1 = node(january, "s1")
    expect(counts(s1)).toEqual({
      opened: 3,
      closedFixed: 1,
      closedOther: 1,
      openAtStart: 0,
      openAtEnd: 1,
      overdueAtEnd: 1,
      compounds: 2,
      compoundsWithOpen: 1
    })
    expect(s1.timeToClose.median).toBe(1.5 * day)
    expect(s1.perCompound.value).toBe(0.5)

    // A problem at a site counts for the compound that holds the site.
    expect(counts(node(january, "c1"))).toMatchObject({ opened: 2, openAtEnd: 1, compounds: 1, compoundsWithOpen: 1 })
    expect(node(january, "site1").perCompound).toEqual({ numerator: 1, denominator: 0, value: null })
    expect(node(january, "c2").perAffectedCompound.value).toBeNull()
    expect(counts(node(january, "s2"))).toMatchObject({ opened: 1, closedFixed: 1, openAtStart: 1, openAtEnd: 1 })
  })

  it("counts February by hand, in the jurisdiction's time zone", () => {
    const february = statsFor("2023-02")
    expect(february.unplaced).toBe(1)
    const d = node(february, "d")
    expect(counts(d)).toEqual({
      opened: 1,
      closedFixed: 1,
      closedOther: 0,
      openAtStart: 2,
      openAtEnd: 2,
      overdueAtEnd: 1,
      compounds: 3,
      compoundsWithOpen: 1
    })
    expect(d.timeToClose.median).toBe(23 * day)
    expect(d.perCompound.value).toBe(2 / 3)
    expect(d.perAffectedCompound.value).toBe(2)
    expect(d.records.opened).toEqual(["p5"])
    // p2, p4 and p5 at the end of 1 February; p2 closes on the 2nd.
    expect(d.burnDown).toEqual([3, ...Array(27).fill(2)])
    expect(node(february, "c1").openAtEnd).toBe(0)
    expect(node(february, "c1").perCompound.value).toBe(0)
  })

  it("publishes derived data values with the problems behind them", () => {
    const values = Stats.toDataValues(statsFor("2023-01", 2))
    const find = (element: Stats.DataElementKey, nodeId: string) =>
      values.find((value) => value.element === Stats.elements[element].id && value.node === nodeId)
    const opened = find("opened", "d")
    expect(opened?.value).toBe(4)
    expect(opened?.period).toBe("2023-01")
    expect(opened?.provenance.kind).toBe("derived")
    expect(opened?.provenance.source).toBe("issues.stats")
    expect(opened?.provenance.records).toMatchObject({ entity: "Problem", ids: ["p1", "p2"], total: 4 })
    expect(find("perCompound", "d")?.value).toBe(2 / 3)
    expect(find("medianTimeToClose", "d")?.value).toBe(2 * day)
    // Nothing closed under c3, and site1 has no compounds: no value rather than a guess.
    expect(find("medianTimeToClose", "c3")).toBeUndefined()
    expect(find("perCompound", "site1")).toBeUndefined()
    for (const value of values) {
      const encoded = Schema.encodeSync(DataValue.DataValue)(value)
      expect(Either.isRight(DataValue.decodeValue(encoded))).toBe(true)
    }
    expect(Stats.dataElements.map((element) => element.id)).toContain("issues.openAtEnd")
  })
})

// --- properties -----------------------------------------------------------------------------------

const january = period("2023-01")
const januaryStart = local(2023, 1, 1, 0)

const arbitraryCase = fc
  .record({
    parents: fc.array(fc.nat(), { minLength: 0, maxLength: 12 }),
    compound: fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
    problems: fc.array(
      fc.record({
        node: fc.nat(),
        // From 20 days before January to 10 days after it.
        registeredAt: fc.integer({ min: januaryStart - 20 * day, max: januaryStart + 41 * day }),
        deadlineIn: fc.integer({ min: 1, max: 30 * day }),
        closeIn: fc.option(fc.integer({ min: 0, max: 40 * day })),
        fixed: fc.boolean()
      }),
      { maxLength: 60 }
    )
  })
  .map(({ parents, compound, problems }) => {
    // Node i > 0 hangs under a node before it.
    const paths: Array<string> = ["/n0/"]
    parents.forEach((parent, i) => {
      paths.push(`${paths[parent % (i + 1)]}n${i + 1}/`)
    })
    const placements: Array<Placement> = paths.map((path, i) => [`n${i}`, path])
    const kinds = new Map(placements.map(([id], i) => [id, compound[i] ? "compound" : "other"]))
    const facts_ = problems.map((p, i) =>
      facts(
        `p${i}`,
        `n${p.node % placements.length}`,
        p.registeredAt,
        p.registeredAt + p.deadlineIn,
        p.closeIn === null ? null : p.fixed ? fixed(p.registeredAt + p.closeIn) : duplicate(p.registeredAt + p.closeIn)
      )
    )
    return { placements, kinds, problems: facts_ }
  })

const run = (
  c: { placements: ReadonlyArray<Placement>; kinds: ReadonlyMap<string, string>; problems: Array<Stats.ProblemFacts> },
  p: Period.Period = january
) =>
  Stats.compute({
    problems: c.problems,
    placements: c.placements,
    kinds: c.kinds,
    compoundKind: "compound",
    period: p,
    offsetMinutes: beijing
  })

describe("Stats properties", () => {
  it("opened − closed = the change in open count, and the burn-down ends at the open count", () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const stats = run(c)
        const before = run(c, Period.previous(january))
        for (const n of stats.nodes.values()) {
          expect(n.openAtEnd - n.openAtStart).toBe(n.opened - n.closedFixed - n.closedOther)
          expect(n.burnDown.at(-1)).toBe(n.openAtEnd)
          expect(n.openAtStart).toBe(before.nodes.get(n.nodeId)?.openAtEnd)
        }
      })
    )
  })

  it("a node's counts are its own plus its children's", () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const stats = run(c)
        for (const [nodeId, path] of c.placements) {
          const own = run({
            placements: [[nodeId, `/${nodeId}/`]],
            kinds: c.kinds,
            problems: c.problems.filter((p) => p.nodeId === nodeId)
          }).nodes.get(nodeId)!
          const children = c.placements
            .filter(
              ([, childPath]) =>
                childPath.startsWith(path) && childPath.split("/").length === path.split("/").length + 1
            )
            .map(([childId]) => stats.nodes.get(childId)!)
          const sum = (pick: (n: Stats.NodeStats) => number) =>
            pick(own) + children.reduce((total, child) => total + pick(child), 0)
          const n = stats.nodes.get(nodeId)!
          for (const pick of [
            (x: Stats.NodeStats) => x.opened,
            (x: Stats.NodeStats) => x.closedFixed,
            (x: Stats.NodeStats) => x.closedOther,
            (x: Stats.NodeStats) => x.openAtStart,
            (x: Stats.NodeStats) => x.openAtEnd,
            (x: Stats.NodeStats) => x.overdueAtEnd,
            (x: Stats.NodeStats) => x.compounds,
            (x: Stats.NodeStats) => x.timeToClose.count,
            (x: Stats.NodeStats) => x.timeToClose.sum
          ]) {
            expect(pick(n)).toBe(sum(pick))
          }
          n.burnDown.forEach((open, d) => {
            expect(open).toBe(sum((x) => x.burnDown[d]!))
          })
        }
      })
    )
  })

  it("the median and the mean lie between the shortest and the longest time to close", () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        for (const { timeToClose: t } of run(c).nodes.values()) {
          if (t.count === 0) {
            expect(t.median).toBeNull()
            continue
          }
          expect(t.min!).toBeLessThanOrEqual(t.median!)
          expect(t.median!).toBeLessThanOrEqual(t.max!)
          expect(t.min!).toBeLessThanOrEqual(t.mean! + 1e-6)
          expect(t.mean!).toBeLessThanOrEqual(t.max! + 1e-6)
        }
      })
    )
  })
})
