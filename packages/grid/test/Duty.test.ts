import { describe, expect, it } from "@effect/vitest"
import { Actor, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as Duty from "../src/Duty.js"

const beijing = 480
const template = (fields: Record<string, unknown>) => Schema.decodeUnknownSync(Duty.ShiftTemplate)(fields)
const project = (fields: Record<string, unknown>) => Schema.decodeUnknownSync(Duty.DutyProject)(fields)
const signUp = (fields: Record<string, unknown>) => Schema.decodeUnknownSync(Duty.SignUp)(fields)
const checkIn = (fields: Record<string, unknown>) => Schema.decodeUnknownSync(Duty.CheckIn)(fields)
const at = (date: string, time: string) => Date.parse(`${date}T${time}+08:00`)
const period = (id: string) => Either.getOrThrow(Period.parse(id))
const path = (text: string) => Actor.NodePath.make(text)

const morning = template({
  id: "s1-am",
  nodeId: "s1",
  name: "早班",
  windowStart: "07:00",
  windowEnd: "09:00",
  weekdays: [1, 2, 3, 4, 5],
  validFrom: "2023-06-01"
})
const evening = template({
  id: "s1-pm",
  nodeId: "s1",
  name: "晚班",
  windowStart: "18:30",
  windowEnd: "20:30",
  weekdays: [1, 2, 3, 4, 5],
  validFrom: "2023-06-01"
})

const recordAll = (templates: ReadonlyArray<Duty.ShiftTemplate>, checkIns: ReadonlyArray<Duty.CheckIn>) =>
  Either.getOrThrow(Duty.planCheckIns({ templates, checkIns: [] }, checkIns, beijing)).result

const coveredOf = (records: ReadonlyArray<Duty.CheckInRecord>): ReadonlyArray<Duty.ShiftKey> =>
  records.flatMap((r) =>
    r.templateId === null ? [] : [{ personId: r.personId, templateId: r.templateId, date: r.date }]
  )

describe("Duty: the counting window", () => {
  it("counts from 15 minutes before the window opens until it closes, in local time", () => {
    const shift = (time: string) =>
      Duty.shiftOf([morning, evening], { nodeId: morning.nodeId, at: at("2023-06-05", time) }, beijing)
    expect(shift("06:44:59.999")).toEqual({ date: "2023-06-05", templateId: null })
    expect(shift("06:45:00")).toEqual({ date: "2023-06-05", templateId: "s1-am" })
    expect(shift("08:59:59.999")).toEqual({ date: "2023-06-05", templateId: "s1-am" })
    expect(shift("09:00:00")).toEqual({ date: "2023-06-05", templateId: null })
    expect(shift("18:15:00")).toEqual({ date: "2023-06-05", templateId: "s1-pm" })
    // 07:30 in Beijing is 23:30 UTC the day before: the local date is what counts.
    expect(new Date(at("2023-06-05", "07:30:00")).toISOString()).toBe("2023-06-04T23:30:00.000Z")
    expect(shift("07:30:00").date).toBe("2023-06-05")
  })

  it("applies on the template's weekdays and dates only, and at its own station only", () => {
    const saturday = Duty.shiftOf([morning], { nodeId: morning.nodeId, at: at("2023-06-10", "07:30:00") }, beijing)
    expect(saturday.templateId).toBeNull()
    const before = Duty.shiftOf([morning], { nodeId: morning.nodeId, at: at("2023-05-31", "07:30:00") }, beijing)
    expect(before.templateId).toBeNull()
    const ended = template({ ...Schema.encodeSync(Duty.ShiftTemplate)(morning), validTo: "2023-06-06" })
    expect(Duty.appliesOn(ended, Period.startDay(period("2023-06-05")))).toBe(true)
    expect(Duty.appliesOn(ended, Period.startDay(period("2023-06-06")))).toBe(false)
    const elsewhere = Duty.shiftOf(
      [morning],
      { nodeId: Duty.CheckIn.fields.nodeId.make("s2"), at: at("2023-06-05", "07:30:00") },
      beijing
    )
    expect(elsewhere.templateId).toBeNull()
  })

  it("never reaches into the previous day", () => {
    const midnight = template({
      id: "night",
      nodeId: "s1",
      name: "夜",
      windowStart: "00:05",
      windowEnd: "01:00",
      validFrom: "2023-06-01"
    })
    expect(Duty.countingWindow(midnight)).toEqual({ from: 0, to: 60 })
    const late = Duty.shiftOf([midnight], { nodeId: midnight.nodeId, at: at("2023-06-05", "23:55:00") }, beijing)
    expect(late).toEqual({ date: "2023-06-05", templateId: null })
  })

  it("rejects windows, dates and weekdays that make no sense, naming the field", () => {
    const result = Schema.decodeUnknownEither(Duty.ShiftTemplate, { errors: "all" })({
      id: "x",
      nodeId: "s1",
      name: "坏",
      windowStart: "09:00",
      windowEnd: "08:00",
      weekdays: [1, 1],
      validFrom: "2023-06-02",
      validTo: "2023-06-01"
    })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left.message).toContain("windowEnd")
      expect(result.left.message).toContain("must be after windowStart (09:00)")
      expect(result.left.message).toContain("must not repeat a weekday")
    }
    expect(Either.isLeft(Schema.decodeUnknownEither(Duty.LocalTime)("24:00"))).toBe(true)
  })
})

describe("Duty: planning writes", () => {
  it("templates: a retry replays, a reused id conflicts, overlapping windows at one station are refused", () => {
    const first = Either.getOrThrow(Duty.planTemplates({ templates: [] }, [morning, evening]))
    expect(first.writes.templates.map((t) => t.id)).toEqual(["s1-am", "s1-pm"])
    const retry = Either.getOrThrow(Duty.planTemplates({ templates: [morning, evening] }, [morning]))
    expect(retry.writes.templates).toEqual([])
    expect(retry.result).toEqual([morning])
    const changed = template({ ...Schema.encodeSync(Duty.ShiftTemplate)(morning), windowEnd: "09:30" })
    const conflict = Duty.planTemplates({ templates: [morning] }, [changed])
    expect(Either.isLeft(conflict) && conflict.left._tag).toBe("Conflict")
    const close = template({
      id: "s1-late",
      nodeId: "s1",
      name: "x",
      windowStart: "09:10",
      windowEnd: "10:00",
      validFrom: "2023-06-01"
    })
    const overlap = Duty.planTemplates({ templates: [morning] }, [close])
    expect(Either.isLeft(overlap) && overlap.left.message).toMatch(
      /^templates\[0\]\.windowStart: counting from 15 minutes/
    )
    const weekend = template({ ...Schema.encodeSync(Duty.ShiftTemplate)(close), weekdays: [6, 7] })
    expect(Either.isRight(Duty.planTemplates({ templates: [morning] }, [weekend]))).toBe(true)
    const twice = Duty.planTemplates({ templates: [] }, [morning, morning])
    expect(Either.isLeft(twice) && twice.left.message).toBe("templates[1].id: s1-am appears twice in the batch")
  })

  it("projects: templates must be in force and at stations under the project's node", () => {
    const paths = new Map([
      ["g1", path("/d/g1/")],
      ["s1", path("/d/g1/k1/s1/")],
      ["g2", path("/d/g2/")]
    ])
    const posted = project({
      id: "p",
      title: "t",
      nodeId: "g1",
      templateIds: ["s1-am"],
      firstDay: "2023-06-05",
      lastDay: "2023-06-09",
      capacity: 2
    })
    expect(
      Either.getOrThrow(Duty.planProject({ projects: [] }, posted, { templates: [morning], paths })).writes.projects
    ).toEqual([posted])
    const elsewhere = project({ ...Schema.encodeSync(Duty.DutyProject)(posted), nodeId: "g2" })
    const refused = Duty.planProject({ projects: [] }, elsewhere, { templates: [morning], paths })
    expect(Either.isLeft(refused) && refused.left.message).toBe(
      "project.templateIds[0]: template s1-am is at station s1, which is not on or under g2"
    )
    const early = project({
      ...Schema.encodeSync(Duty.DutyProject)(posted),
      firstDay: "2023-05-01",
      lastDay: "2023-05-31"
    })
    const notInForce = Duty.planProject({ projects: [] }, early, { templates: [morning], paths })
    expect(Either.isLeft(notInForce) && notInForce.left.message).toContain(
      "is not in force between 2023-05-01 and 2023-05-31"
    )
    const retry = Either.getOrThrow(
      Duty.planProject({ projects: [posted] }, posted, { templates: [], paths: new Map() })
    )
    expect(retry.writes.projects).toEqual([])
  })

  it("sign-ups: within the project's days, once per person, and never past capacity on any day", () => {
    const posted = project({
      id: "p",
      title: "t",
      nodeId: "g1",
      templateIds: ["s1-am"],
      firstDay: "2023-06-05",
      lastDay: "2023-06-09",
      capacity: 2
    })
    const projects = new Map([["p", posted]])
    const a = signUp({ id: "a", projectId: "p", personId: "u1", firstDay: "2023-06-05", lastDay: "2023-06-07" })
    const b = signUp({ id: "b", projectId: "p", personId: "u2", firstDay: "2023-06-06", lastDay: "2023-06-09" })
    const c = signUp({ id: "c", projectId: "p", personId: "u3", firstDay: "2023-06-07", lastDay: "2023-06-07" })
    const d = signUp({ id: "d", projectId: "p", personId: "u3", firstDay: "2023-06-08", lastDay: "2023-06-08" })
    const full = Duty.planSignUps({ signUps: [a, b] }, [c], projects)
    expect(Either.isLeft(full) && full.left).toMatchObject({
      _tag: "Conflict",
      reason: "the project is full on 2023-06-07 (capacity 2)"
    })
    expect(Either.isRight(Duty.planSignUps({ signUps: [a] }, [b, d], projects))).toBe(true)
    const again = signUp({ id: "e", projectId: "p", personId: "u1", firstDay: "2023-06-07", lastDay: "2023-06-08" })
    const twice = Duty.planSignUps({ signUps: [a] }, [again], projects)
    expect(Either.isLeft(twice) && twice.left.message).toContain("signUps[0].personId: u1 is already signed up to p")
    const outside = signUp({ id: "f", projectId: "p", personId: "u4", firstDay: "2023-06-09", lastDay: "2023-06-10" })
    expect(Either.isLeft(Duty.planSignUps({ signUps: [] }, [outside], projects))).toBe(true)
    const replay = Either.getOrThrow(Duty.planSignUps({ signUps: [a, b] }, [a], projects))
    expect(replay.writes.signUps).toEqual([])
  })

  it("check-ins: recorded against their shift; a retry returns the first record, other content conflicts", () => {
    const first = checkIn({ id: "c1", personId: "u1", nodeId: "s1", at: at("2023-06-05", "06:50:00") })
    const plan = Either.getOrThrow(Duty.planCheckIns({ templates: [morning, evening], checkIns: [] }, [first], beijing))
    const [record] = plan.writes.checkIns
    expect([record?.date, record?.templateId, record?.location, record?.evidence]).toEqual([
      "2023-06-05",
      "s1-am",
      null,
      null
    ])
    const replay = Either.getOrThrow(Duty.planCheckIns({ templates: [], checkIns: [record!] }, [first], beijing))
    expect(replay.writes.checkIns).toEqual([])
    expect(replay.result).toEqual([record])
    const moved = checkIn({ ...Schema.encodeSync(Duty.CheckIn)(first), evidence: "photo-1" })
    const conflict = Duty.planCheckIns({ templates: [], checkIns: [record!] }, [moved], beijing)
    expect(Either.isLeft(conflict) && conflict.left._tag).toBe("Conflict")
  })
})

describe("Duty: no-shows and presence", () => {
  // Two stations × two shifts × five days (Mon 5 – Fri 9 June 2023); u1 at s1, u2 at s2.
  const templates = [morning, evening].flatMap((t) => [
    t,
    template({ ...Schema.encodeSync(Duty.ShiftTemplate)(t), id: t.id.replace("s1", "s2"), nodeId: "s2" })
  ])
  const roster = {
    templates,
    projects: [
      project({
        id: "p1",
        title: "s1",
        nodeId: "k1",
        templateIds: ["s1-am", "s1-pm"],
        firstDay: "2023-06-05",
        lastDay: "2023-06-11",
        capacity: 1
      }),
      project({
        id: "p2",
        title: "s2",
        nodeId: "k1",
        templateIds: ["s2-am", "s2-pm"],
        firstDay: "2023-06-05",
        lastDay: "2023-06-11",
        capacity: 1
      })
    ],
    signUps: [
      signUp({ id: "a", projectId: "p1", personId: "u1", firstDay: "2023-06-05", lastDay: "2023-06-11" }),
      signUp({ id: "b", projectId: "p2", personId: "u2", firstDay: "2023-06-05", lastDay: "2023-06-11" })
    ]
  }
  const days = ["2023-06-05", "2023-06-06", "2023-06-07", "2023-06-08", "2023-06-09"]
  let n = 0
  const seen = (personId: string, nodeId: string, date: string, time: string) =>
    checkIn({ id: `c${n++}`, personId, nodeId, at: at(date, time) })
  const checkIns = [
    // u1 at s1: Tuesday evening missing, Wednesday morning at 09:05 (after the window).
    ...days.filter((d) => d !== "2023-06-07").map((d) => seen("u1", "s1", d, "07:10:00")),
    seen("u1", "s1", "2023-06-07", "09:05:00"),
    ...days.filter((d) => d !== "2023-06-06").map((d) => seen("u1", "s1", d, "18:40:00")),
    // u2 at s2: every morning (one at 06:50, inside the tolerance); evenings Monday and Tuesday only,
    // and Wednesday at 18:10, before the tolerance starts.
    ...days.map((d, i) => seen("u2", "s2", d, i === 0 ? "06:50:00" : "07:05:00")),
    seen("u2", "s2", "2023-06-05", "19:00:00"),
    seen("u2", "s2", "2023-06-06", "20:29:00"),
    seen("u2", "s2", "2023-06-07", "18:10:00"),
    // u1 standing in at s2 covers nobody's shift: u1 is not signed up there.
    seen("u1", "s2", "2023-06-08", "19:00:00")
  ]
  const covered = coveredOf(recordAll(templates, checkIns))
  const stations = [
    { nodeId: Duty.CheckIn.fields.nodeId.make("s1"), path: path("/d/g1/k1/s1/") },
    { nodeId: Duty.CheckIn.fields.nodeId.make("s2"), path: path("/d/g1/k1/s2/") },
    { nodeId: Duty.CheckIn.fields.nodeId.make("s3"), path: path("/d/g2/k2/s3/") }
  ]

  it("expects sign-ups × template occurrences, and counts a shift covered by the signed-up person's check-in in the window", () => {
    const week = Duty.attendanceOf({ ...roster, covered }, period("2023-W23"))
    expect(week.expected).toBe(20)
    expect(week.covered.length).toBe(15)
    expect(week.noShows.map((s) => `${s.date} ${s.nodeId} ${s.windowStart} ${s.personId}`)).toEqual([
      "2023-06-06 s1 18:30 u1",
      "2023-06-07 s1 07:00 u1",
      "2023-06-07 s2 18:30 u2",
      "2023-06-08 s2 18:30 u2",
      "2023-06-09 s2 18:30 u2"
    ])
    const tuesday = Duty.attendanceOf({ ...roster, covered }, period("2023-06-06"))
    expect([tuesday.expected, tuesday.covered.length]).toEqual([4, 3])
  })

  it("rolls presence up from each station to the node asked about, keeping both parts", () => {
    const report = Duty.presence({
      under: path("/d/"),
      period: period("2023-06"),
      asOf: Period.IsoDate.make("2023-06-30"),
      stations,
      attendance: Duty.attendanceOf({ ...roster, covered }, period("2023-06"))
    })
    expect([report.expected, report.covered, report.rate, report.stations, report.period]).toEqual([
      20,
      15,
      0.75,
      3,
      "2023-06"
    ])
    expect(report.byNode.map((n) => [n.path, n.covered, n.expected, n.rate])).toEqual([
      ["/d/", 15, 20, 0.75],
      ["/d/g1/", 15, 20, 0.75],
      ["/d/g1/k1/", 15, 20, 0.75],
      ["/d/g1/k1/s1/", 8, 10, 0.8],
      ["/d/g1/k1/s2/", 7, 10, 0.7],
      ["/d/g2/", 0, 0, null],
      ["/d/g2/k2/", 0, 0, null],
      ["/d/g2/k2/s3/", 0, 0, null]
    ])
    const narrow = Duty.presence({
      under: path("/d/g1/k1/s2/"),
      period: period("2023-06"),
      asOf: Period.IsoDate.make("2023-06-30"),
      stations,
      attendance: Duty.attendanceOf({ ...roster, covered }, period("2023-06"))
    })
    expect([narrow.expected, narrow.covered, narrow.byNode.map((n) => n.nodeId)]).toEqual([10, 7, ["s2"]])
  })

  // Minutes of the day, half of them within 20 minutes of a window's edge, where the rules bite.
  const nearWindows = fc.oneof(
    fc.nat(24 * 60 - 1),
    fc.constantFrom(420, 540, 1110, 1230).chain((edge) => fc.integer({ min: edge - 20, max: edge + 5 }))
  )

  const randomRoster = fc
    .record({
      weekdays: fc.array(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), {
        minLength: 4,
        maxLength: 4
      }),
      signUps: fc.array(
        fc.record({
          person: fc.integer({ min: 0, max: 2 }),
          project: fc.integer({ min: 0, max: 2 }),
          first: fc.nat(20),
          length: fc.nat(29)
        }),
        { minLength: 2, maxLength: 8 }
      ),
      checkIns: fc.array(
        fc.record({
          person: fc.integer({ min: 0, max: 2 }),
          station: fc.integer({ min: 0, max: 1 }),
          day: fc.nat(30),
          minute: nearWindows
        }),
        { minLength: 40, maxLength: 120, size: "max" }
      )
    })
    .map(({ weekdays, signUps, checkIns }) => {
      const windows = [
        ["07:00", "09:00"],
        ["18:30", "20:30"]
      ] as const
      const templates = ["s1", "s2"].flatMap((station, s) =>
        windows.map(([windowStart, windowEnd], w) =>
          template({
            id: `${station}-${w}`,
            nodeId: station,
            name: "班",
            windowStart,
            windowEnd,
            weekdays: weekdays[s * 2 + w],
            validFrom: "2023-06-03",
            validTo: "2023-06-28"
          })
        )
      )
      const projects = [["s1-0", "s1-1"], ["s2-0"], ["s1-0", "s2-1"]].map((templateIds, i) =>
        project({
          id: `p${i}`,
          title: "p",
          nodeId: "d",
          templateIds,
          firstDay: "2023-06-01",
          lastDay: "2023-06-30",
          capacity: 99
        })
      )
      const date = (offset: number) => Period.isoDateOfDay(Period.startDay(period("2023-06-01")) + Math.min(offset, 29))
      return {
        templates,
        projects,
        signUps: signUps.map((s, i) =>
          signUp({
            id: `u${i}`,
            projectId: `p${s.project}`,
            personId: `v${s.person}`,
            firstDay: date(s.first),
            lastDay: date(s.first + s.length)
          })
        ),
        checkIns: checkIns.map((c, i) =>
          checkIn({
            id: `c${i}`,
            personId: `v${c.person}`,
            nodeId: `s${c.station + 1}`,
            at: at(date(c.day), "00:00:00") + c.minute * 60_000
          })
        )
      }
    })

  const periods = fc.constantFrom("2023-06", "2023-W23", "2023-W25", "2023-06-10", "2023-Q2", "2023-05")

  it("property: no-shows + covered = expected, 0 ≤ rate ≤ 1 and covered ≤ expected at every node", () => {
    fc.assert(
      fc.property(randomRoster, periods, (generated, periodId) => {
        const records = recordAll(generated.templates, generated.checkIns)
        const seenShifts = Duty.attendanceOf({ ...generated, covered: coveredOf(records) }, period(periodId))
        expect(seenShifts.covered.length + seenShifts.noShows.length).toBe(seenShifts.expected)
        const report = Duty.presence({
          under: path("/d/"),
          period: period(periodId),
          asOf: Period.IsoDate.make("2023-06-30"),
          stations: stations.slice(0, 2),
          attendance: seenShifts
        })
        expect([report.expected, report.covered]).toEqual([seenShifts.expected, seenShifts.covered.length])
        for (const node of [report, ...report.byNode]) {
          expect(node.covered).toBeLessThanOrEqual(node.expected)
          expect(node.rate).toBe(node.expected === 0 ? null : node.covered / node.expected)
          if (node.rate !== null) {
            expect(node.rate).toBeGreaterThanOrEqual(0)
            expect(node.rate).toBeLessThanOrEqual(1)
          }
        }
        const stationTotal = report.byNode.filter((n) => n.path.split("/").length === 6)
        expect(stationTotal.reduce((sum, n) => sum + n.expected, 0)).toBe(report.expected)
      })
    )
  })

  it("property: a shift is covered exactly when its person checked in at its station on its date, from 15 minutes before it opens until it closes", () => {
    fc.assert(
      fc.property(randomRoster, (generated) => {
        const records = recordAll(generated.templates, generated.checkIns)
        const seenShifts = Duty.attendanceOf({ ...generated, covered: coveredOf(records) }, period("2023-06"))
        const byId = new Map(generated.templates.map((t) => [t.id as string, t]))
        // Reads the wall clock with Date, independently of the Period module.
        const local = (instant: number) => new Date(instant + beijing * 60_000)
        const inWindow = (shift: Duty.Shift) =>
          generated.checkIns.some((c) => {
            const clock = local(c.at)
            const minute = clock.getUTCHours() * 60 + clock.getUTCMinutes()
            const t = byId.get(shift.templateId)!
            return (
              c.personId === shift.personId &&
              c.nodeId === t.nodeId &&
              clock.toISOString().slice(0, 10) === shift.date &&
              minute >= Duty.minutesOf(t.windowStart) - 15 &&
              minute < Duty.minutesOf(t.windowEnd)
            )
          })
        for (const shift of seenShifts.covered) expect(inWindow(shift)).toBe(true)
        for (const shift of seenShifts.noShows) expect(inWindow(shift)).toBe(false)
      })
    )
  })
})
