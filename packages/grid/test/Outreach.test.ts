import { describe, expect, it } from "@effect/vitest"
import { Actor, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Outreach from "../src/Outreach.js"

const event = (fields: Record<string, unknown>) => Schema.decodeUnknownSync(Outreach.OutreachEvent)(fields)
const theme = (fields: Record<string, unknown>) => Schema.decodeUnknownSync(Outreach.MonthlyTheme)(fields)
const period = (id: string) => Either.getOrThrow(Period.parse(id))
const path = (text: string) => Actor.NodePath.make(text)
const places = [
  ["d", "/d/"],
  ["c1", "/d/c1/"],
  ["g1", "/d/c1/g1/"],
  ["school", "/d/c1/g1/school/"],
  ["plaza", "/d/c1/g1/plaza/"],
  ["c2", "/d/c2/"]
].map(([nodeId, at]) => ({ nodeId: Outreach.OutreachEvent.fields.nodeId.make(nodeId!), path: path(at!) }))

const base = { title: "垃圾分类宣传", organiserId: "dept", notes: null }

describe("Outreach: recording", () => {
  const a = event({
    ...base,
    id: "e1",
    kind: "school",
    date: "2023-06-03",
    nodeId: "school",
    participants: 120,
    households: 80
  })

  it("a retry replays, a reused id conflicts, an id twice in a batch is Invalid", () => {
    expect(Either.getOrThrow(Outreach.planEvents({ events: [] }, [a])).writes.events).toEqual([a])
    const retry = Either.getOrThrow(Outreach.planEvents({ events: [a] }, [a]))
    expect([retry.writes.events, retry.result]).toEqual([[], [a]])
    const changed = event({ ...Schema.encodeSync(Outreach.OutreachEvent)(a), households: 81 })
    const conflict = Outreach.planEvents({ events: [a] }, [changed])
    expect(Either.isLeft(conflict) && conflict.left._tag).toBe("Conflict")
    const twice = Outreach.planEvents({ events: [] }, [a, a])
    expect(Either.isLeft(twice) && twice.left.message).toBe("events[1].id: e1 appears twice in the batch")
  })

  it("rejects a kind outside the five campaigns and negative counts, naming the field", () => {
    const result = Schema.decodeUnknownEither(Outreach.OutreachEvent, { errors: "all" })({
      ...Schema.encodeSync(Outreach.OutreachEvent)(a),
      kind: "market",
      participants: -1
    })
    expect(Either.isLeft(result) && result.left.message).toContain("kind")
    expect(Either.isLeft(result) && result.left.message).toContain("participants")
  })

  it("setting a month's theme again replaces it, and the same theme writes nothing", () => {
    const june = theme({ nodeId: "d", month: "2023-06", title: "垃圾分类进校园" })
    const first = Outreach.planTheme({ themes: [] }, june)
    expect([first.writes.themes, first.result.previous]).toEqual([[june], null])
    const same = Outreach.planTheme({ themes: [june] }, june)
    expect(same.writes.themes).toEqual([])
    const other = theme({ nodeId: "d", month: "2023-06", title: "垃圾分类进社区" })
    expect(Outreach.planTheme({ themes: [june] }, other).result.previous).toEqual(june)
    expect(Either.isLeft(Schema.decodeUnknownEither(Outreach.MonthId)("2023-13"))).toBe(true)
  })

  it("lists the months a period overlaps", () => {
    expect(Outreach.monthsOf(period("2023-Q2"))).toEqual(["2023-04", "2023-05", "2023-06"])
    expect(Outreach.monthsOf(period("2023-W26"))).toEqual(["2023-06", "2023-07"])
    expect(Outreach.monthsOf(period("2023-06-15"))).toEqual(["2023-06"])
  })
})

describe("Outreach: stats", () => {
  const events = [
    event({
      ...base,
      id: "e1",
      kind: "school",
      date: "2023-06-03",
      nodeId: "school",
      participants: 120,
      households: 80
    }),
    event({ ...base, id: "e2", kind: "village", date: "2023-06-10", nodeId: "c1", participants: 40, households: 35 }),
    event({ ...base, id: "e3", kind: "enterprise", date: "2023-06-12", nodeId: "g1", participants: 25, households: 0 }),
    event({ ...base, id: "e4", kind: "community", date: "2023-06-17", nodeId: "c1", participants: 60, households: 50 }),
    event({
      ...base,
      id: "e5",
      kind: "plaza",
      date: "2023-06-24",
      nodeId: "plaza",
      participants: 300,
      households: 120
    }),
    event({ ...base, id: "e6", kind: "plaza", date: "2023-06-24", nodeId: "c2", participants: 10, households: 5 }),
    event({ ...base, id: "e7", kind: "school", date: "2023-07-01", nodeId: "school", participants: 99, households: 99 })
  ]

  it("counts by kind with participants and households, at the node and at every node down to each event", () => {
    const stats = Outreach.stats({
      under: path("/d/c1/"),
      period: period("2023-06"),
      asOf: Period.IsoDate.make("2023-06-30"),
      events,
      places,
      themes: [theme({ nodeId: "d", month: "2023-06", title: "垃圾分类进校园" })]
    })
    expect([stats.events, stats.participants, stats.households]).toEqual([5, 545, 285])
    expect(stats.byKind).toEqual({
      school: { events: 1, participants: 120, households: 80 },
      village: { events: 1, participants: 40, households: 35 },
      enterprise: { events: 1, participants: 25, households: 0 },
      community: { events: 1, participants: 60, households: 50 },
      plaza: { events: 1, participants: 300, households: 120 }
    })
    expect(stats.byNode.map((n) => [n.path, n.events, n.participants, n.households])).toEqual([
      ["/d/c1/", 5, 545, 285],
      ["/d/c1/g1/", 3, 445, 200],
      ["/d/c1/g1/plaza/", 1, 300, 120],
      ["/d/c1/g1/school/", 1, 120, 80]
    ])
    expect(stats.themes.map((t) => t.title)).toEqual(["垃圾分类进校园"])
  })

  const randomEvents = fc.array(
    fc.record({
      kind: fc.constantFrom(...Outreach.campaignKinds),
      place: fc.integer({ min: 0, max: places.length - 1 }),
      day: fc.integer({ min: 0, max: 90 }),
      participants: fc.nat(500),
      households: fc.nat(500)
    }),
    { maxLength: 40, size: "max" }
  )

  it("property: kinds add up to the total, each node holds at least its children, the node asked about holds the total", () => {
    fc.assert(
      fc.property(
        randomEvents,
        fc.constantFrom("/", "/d/", "/d/c1/", "/d/c1/g1/"),
        fc.constantFrom("2023-06", "2023-Q2", "2023-W24"),
        (generated, under, periodId) => {
          const all = generated.map((g, i) =>
            event({
              ...base,
              id: `e${i}`,
              kind: g.kind,
              date: Period.dateOfDay(Period.startDay(period("2023-05-01")) + g.day),
              nodeId: places[g.place]!.nodeId,
              participants: g.participants,
              households: g.households
            })
          )
          const stats = Outreach.stats({
            under: path(under),
            period: period(periodId),
            asOf: Period.IsoDate.make("2023-06-30"),
            events: all,
            places,
            themes: []
          })
          const kinds = Object.values(stats.byKind)
          for (const field of ["events", "participants", "households"] as const) {
            expect(kinds.reduce((sum, k) => sum + k[field], 0)).toBe(stats[field])
          }
          const first = Period.dateOfDay(Period.startDay(period(periodId)))
          const last = Period.dateOfDay(Period.endDay(period(periodId)))
          const inside = all.filter(
            (e) =>
              e.date >= first && e.date <= last && places.find((p) => p.nodeId === e.nodeId)!.path.startsWith(under)
          )
          expect(stats.events).toBe(inside.length)
          for (const node of stats.byNode) {
            const children = stats.byNode.filter(
              (c) => c.path.startsWith(node.path) && c.path.split("/").length === node.path.split("/").length + 1
            )
            expect(children.reduce((sum, c) => sum + c.events, 0)).toBeLessThanOrEqual(node.events)
          }
          const top = stats.byNode.find((n) => n.path === under)
          if (under !== "/") expect(top?.events ?? 0).toBe(stats.events)
        }
      )
    )
  })
})
