import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { Either } from "effect"
import fc from "fast-check"
import * as Sla from "../src/Sla.js"

const at = (local: string) => Date.parse(`${local}+08:00`)
const local = (instant: number) => new Date(instant + 8 * 3_600_000).toISOString().slice(0, 16)
const dates = (first: string, last: string): Array<string> => {
  const out: Array<string> = []
  for (let day = Period.dayOfIsoDate(iso(first)); day <= Period.dayOfIsoDate(iso(last)); day++) {
    out.push(Period.dateOfDay(day))
  }
  return out
}
const iso = (date: string) => Period.IsoDate.make(date)
const calendar = (fields: Record<string, unknown>) => Either.getOrThrow(Sla.decodeCalendar(fields))
const sla = (fields: Record<string, unknown>) => Either.getOrThrow(Sla.decodeSla(fields))

// China's 2023 National Day and Mid-Autumn holiday: 29 September to 6 October off, and Saturday 7
// and Sunday 8 October worked in exchange.
const china2023 = calendar({
  utcOffsetMinutes: 480,
  holidays: dates("2023-09-29", "2023-10-06"),
  makeUpWorkingDays: ["2023-10-07", "2023-10-08"]
})
const weekendsOnly = calendar({ utcOffsetMinutes: 480 })
const workingDays = (days: number) => sla({ within: { days }, workingDaysOnly: true })

describe("Sla: the working calendar", () => {
  it("works make-up weekend days and rests on holidays and other weekends", () => {
    const worked = (date: string) => Sla.isWorkingDate(china2023, iso(date))
    expect(worked("2023-09-28")).toBe(true)
    expect(dates("2023-09-29", "2023-10-06").filter(worked)).toEqual([])
    expect(worked("2023-10-07")).toBe(true)
    expect(worked("2023-10-08")).toBe(true)
    expect(worked("2023-10-09")).toBe(true)
    expect(worked("2023-10-14")).toBe(false)
    expect(Sla.isWorkingDate(weekendsOnly, iso("2023-10-07"))).toBe(false)
  })

  it("rejects calendars that contradict themselves, naming the field", () => {
    const reasons = (input: Record<string, unknown>) =>
      Either.match(Sla.decodeCalendar(input), {
        onLeft: (error) => error.issues.map((issue) => [issue.path.join("."), issue.reason]),
        onRight: () => []
      })
    expect(reasons({ utcOffsetMinutes: 480, holidays: ["2023-10-07"], makeUpWorkingDays: ["2023-10-07"] })).toEqual([
      ["calendar.makeUpWorkingDays.0", "2023-10-07 is also listed as a holiday"]
    ])
    expect(reasons({ utcOffsetMinutes: 480, makeUpWorkingDays: ["2023-10-09"] })).toEqual([
      ["calendar.makeUpWorkingDays.0", "2023-10-09 is not a weekend day"]
    ])
    expect(reasons({ utcOffsetMinutes: 480, weekendDays: [1, 2, 3, 4, 5, 6, 7] })).toEqual([
      ["calendar.weekendDays", "must leave at least one working weekday"]
    ])
    expect(reasons({ utcOffsetMinutes: 480, holidays: ["2023-02-30"] })[0]?.[0]).toBe("calendar.holidays.0")
    expect(reasons({ utcOffsetMinutes: 480, holiday: [] })[0]?.[0]).toBe("calendar.holiday")
  })
})

describe("Sla: SLAs", () => {
  it("counts working days only in whole days", () => {
    const error = Either.flip(Sla.decodeSla({ within: { hours: 48 }, workingDaysOnly: true }))
    expect(Either.map(error, (e) => e.issues.map((issue) => issue.path.join(".")))).toEqual(
      Either.right(["sla.workingDaysOnly"])
    )
    expect(Either.isLeft(Sla.decodeSla({ within: { hours: 4, days: 1 } }))).toBe(true)
    expect(Either.isLeft(Sla.decodeSla({ within: { days: 0 } }))).toBe(true)
    expect(sla({ within: { days: 2 } })).toMatchObject({ workingDaysOnly: false, escalateWhenOverdueDays: null })
  })
})

describe("Sla: deadlines around China's 2023 National Day", () => {
  it("skips the holiday and counts the make-up Saturday and Sunday", () => {
    const registered = at("2023-09-28T10:00")
    expect(local(Sla.deadline(registered, workingDays(1), china2023))).toBe("2023-10-07T10:00")
    expect(local(Sla.deadline(registered, workingDays(2), china2023))).toBe("2023-10-08T10:00")
    expect(local(Sla.deadline(registered, workingDays(3), china2023))).toBe("2023-10-09T10:00")
    // Without the holiday calendar the next working day is simply Friday.
    expect(local(Sla.deadline(registered, workingDays(1), weekendsOnly))).toBe("2023-09-29T10:00")
  })

  it("gives seven working days from Wednesday 27 September as Thursday 12 October", () => {
    // 28 Sep, 7 Oct, 8 Oct, 9, 10, 11, 12 Oct.
    expect(local(Sla.deadline(at("2023-09-27T15:30"), workingDays(7), china2023))).toBe("2023-10-12T15:30")
  })

  it("starts a registration on a non-working day at the next working day's first moment", () => {
    // Registered on a holiday: day one is Saturday 7 October, so one working day ends at Sunday 00:00.
    expect(local(Sla.deadline(at("2023-10-01T09:00"), workingDays(1), china2023))).toBe("2023-10-08T00:00")
    // 7, 8, 9, 10, 11, 12, 13 October are the seven days; the next working day is Monday 16.
    expect(local(Sla.deadline(at("2023-09-29T18:00"), workingDays(7), china2023))).toBe("2023-10-16T00:00")
    // An ordinary Saturday: one working day is Monday, due at Tuesday 00:00.
    expect(local(Sla.deadline(at("2023-10-14T11:00"), workingDays(1), china2023))).toBe("2023-10-17T00:00")
  })

  it("takes the date in the jurisdiction's time, not UTC", () => {
    // 00:30 in Beijing on Thursday 28 September is still Wednesday in UTC.
    expect(new Date(at("2023-09-28T00:30")).toISOString()).toBe("2023-09-27T16:30:00.000Z")
    expect(local(Sla.deadline(at("2023-09-28T00:30"), workingDays(1), china2023))).toBe("2023-10-07T00:30")
    expect(local(Sla.deadline(at("2023-09-28T23:30"), workingDays(1), china2023))).toBe("2023-10-07T23:30")
  })

  it("counts hours and calendar days on the clock, holidays or not", () => {
    const registered = at("2023-09-30T10:00")
    expect(local(Sla.deadline(registered, sla({ within: { hours: 24 } }), china2023))).toBe("2023-10-01T10:00")
    expect(local(Sla.deadline(registered, sla({ within: { hours: 5 } }), china2023))).toBe("2023-09-30T15:00")
    expect(local(Sla.deadline(registered, sla({ within: { days: 2 } }), china2023))).toBe("2023-10-02T10:00")
  })
})

describe("Sla: overdue and escalation", () => {
  it("is overdue from the deadline itself", () => {
    const deadline = Sla.deadline(at("2023-09-28T10:00"), workingDays(1), china2023)
    expect(Sla.isOverdue(deadline, deadline - 1)).toBe(false)
    expect(Sla.isOverdue(deadline, deadline)).toBe(true)
    expect(Sla.isOverdue(deadline, deadline + 1)).toBe(true)
  })

  it("escalates once overdue for the given calendar days", () => {
    const deadline = at("2023-10-07T10:00")
    expect(local(Sla.escalationAt(deadline, 3))).toBe("2023-10-10T10:00")
    expect(Sla.escalationDue(deadline, at("2023-10-10T10:00") - 1, 3)).toBe(false)
    expect(Sla.escalationDue(deadline, at("2023-10-10T10:00"), 3)).toBe(true)
    expect(Sla.escalationDue(deadline, deadline, 0)).toBe(true)
  })
})

// --- properties ---------------------------------------------------------------------------------

const firstDay = Period.dayOfIsoDate(iso("2022-01-01"))
const lastDay = Period.dayOfIsoDate(iso("2025-12-31"))
const weekdayOf = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1

const arbitraryCalendar = fc
  .record({
    utcOffsetMinutes: fc.constantFrom(480, 0, -300, 330, 345, 840, -720),
    weekendDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 6 }),
    holidays: fc.uniqueArray(fc.integer({ min: firstDay, max: lastDay }), { maxLength: 200 }),
    makeUp: fc.uniqueArray(fc.integer({ min: firstDay, max: lastDay }), { maxLength: 60 })
  })
  .map(({ holidays, makeUp, utcOffsetMinutes, weekendDays }) =>
    calendar({
      utcOffsetMinutes,
      weekendDays,
      holidays: holidays.map(Period.dateOfDay),
      makeUpWorkingDays: makeUp
        .filter((day) => weekendDays.includes(weekdayOf(day)) && !holidays.includes(day))
        .map(Period.dateOfDay)
    })
  )

const instant = fc.integer({ min: firstDay * 86_400_000, max: (lastDay - 60) * 86_400_000 })
const arbitrarySla = fc.oneof(
  fc.integer({ min: 1, max: 30 }).map(workingDays),
  fc.integer({ min: 1, max: 30 }).map((days) => sla({ within: { days } })),
  fc.integer({ min: 1, max: 720 }).map((hours) => sla({ within: { hours } }))
)

describe("Sla: properties", () => {
  it("never puts a working-day deadline on a non-working day", () => {
    fc.assert(
      fc.property(arbitraryCalendar, instant, fc.integer({ min: 1, max: 30 }), (calendar, registered, n) => {
        const due = Sla.deadline(registered, workingDays(n), calendar)
        expect(Sla.isWorkingDay(calendar, Period.dayOfInstant(due, calendar.utcOffsetMinutes))).toBe(true)
      })
    )
  })

  it("counts exactly N whole working days, at the registration's time of day when it is worked", () => {
    fc.assert(
      fc.property(arbitraryCalendar, instant, fc.integer({ min: 1, max: 30 }), (calendar, registered, n) => {
        const offset = calendar.utcOffsetMinutes
        const due = Sla.deadline(registered, workingDays(n), calendar)
        const from = Period.dayOfInstant(registered, offset)
        const to = Period.dayOfInstant(due, offset)
        let worked = 0
        for (let day = from + 1; day < to; day++) if (Sla.isWorkingDay(calendar, day)) worked++
        const timeOfDay = (t: number) => (t + offset * 60_000) % 86_400_000
        if (Sla.isWorkingDay(calendar, from)) {
          expect(worked).toBe(n - 1)
          expect(timeOfDay(due)).toBe(timeOfDay(registered))
        } else {
          expect(worked).toBe(n)
          expect(timeOfDay(due)).toBe(0)
        }
      })
    )
  })

  it("never gives a later registration an earlier deadline", () => {
    // Close pairs matter most: a rule can go wrong between Saturday 23:00 and Sunday 01:00.
    const gap = fc.oneof(
      fc.integer({ min: 0, max: 86_400_000 }),
      fc.integer({ min: 0, max: 3 * 86_400_000 }),
      fc.integer({ min: 0, max: 400 * 86_400_000 })
    )
    fc.assert(
      fc.property(arbitraryCalendar, arbitrarySla, instant, gap, (calendar, sla, early, later) => {
        expect(Sla.deadline(early, sla, calendar)).toBeLessThanOrEqual(Sla.deadline(early + later, sla, calendar))
      }),
      { numRuns: 500 }
    )
  })

  it("gives a later deadline for one more working day", () => {
    fc.assert(
      fc.property(arbitraryCalendar, instant, fc.integer({ min: 1, max: 30 }), (calendar, registered, n) => {
        expect(Sla.deadline(registered, workingDays(n + 1), calendar)).toBeGreaterThan(
          Sla.deadline(registered, workingDays(n), calendar)
        )
      })
    )
  })

  it("flips to overdue exactly at the deadline, which is after registration", () => {
    fc.assert(
      fc.property(arbitraryCalendar, arbitrarySla, instant, (calendar, sla, registered) => {
        const due = Sla.deadline(registered, sla, calendar)
        expect(Sla.isOverdue(due, registered)).toBe(false)
        expect(Sla.isOverdue(due, due - 1)).toBe(false)
        expect(Sla.isOverdue(due, due)).toBe(true)
      })
    )
  })
})
