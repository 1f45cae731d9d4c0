import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, Schema } from "effect"
import fc from "fast-check"
import * as Period from "../src/Period.js"

const parseOrThrow = (input: string): Period.Period => Either.getOrThrow(Period.parse(input))

const day = fc.integer({ min: Period.startDay(parseOrThrow("1900")), max: Period.endDay(parseOrThrow("2200")) })
const periodType = fc.constantFrom(...Period.periodTypes)
const period = fc.tuple(periodType, day).map(([type, n]) => Period.containing(type, n))

describe("Period", () => {
  it("parses and formats every period type", () => {
    for (const [input, tag] of [
      ["2023-06-15", "Day"],
      ["2023-W05", "Week"],
      ["2023-06", "Month"],
      ["2023-Q2", "Quarter"],
      ["2023-H1", "HalfYear"],
      ["2023", "Year"]
    ] as const) {
      const parsed = parseOrThrow(input)
      expect(parsed._tag).toBe(tag)
      expect(Period.format(parsed)).toBe(input)
    }
  })

  it("rejects bad strings with a typed error naming the input", () => {
    for (const [input, reason] of [
      ["2023-13", "month 13"],
      ["2023-02-29", "day 29"],
      ["2024-02-30", "day 30"],
      ["2023-W53", "week 53"],
      ["2023-Q5", "Q1-Q4"],
      ["2023-H3", "H1 or H2"],
      ["23-06", "expected"],
      ["2023-6", "expected"],
      ["", "expected"]
    ] as const) {
      const result = Period.parse(input)
      expect(Either.isLeft(result), input).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("PeriodParseError")
        expect(result.left.input).toBe(input)
        expect(result.left.message).toContain(reason)
      }
    }
  })

  it("knows ISO week edge cases", () => {
    // 2026-W53 exists (2026 starts on a Thursday); 2021-01-03 belongs to 2020-W53.
    expect(Either.isRight(Period.parse("2026-W53"))).toBe(true)
    expect(Either.isRight(Period.parse("2020-W53"))).toBe(true)
    expect(Period.format(Period.containing("Week", parseOrThrow("2021-01-03") as Period.Day))).toBe("2020-W53")
    expect(Period.format(Period.containing("Week", parseOrThrow("2024-12-30") as Period.Day))).toBe("2025-W01")
    expect(Period.dateOfDay(Period.startDay(parseOrThrow("2023-W01")))).toBe("2023-01-02")
  })

  it("format after parse is the identity, and parse after format too", () => {
    fc.assert(
      fc.property(period, (p) => {
        const text = Period.format(p)
        const back = parseOrThrow(text)
        expect(Equal.equals(back, p)).toBe(true)
        expect(Period.format(back)).toBe(text)
      })
    )
  })

  it("every day lies in the period containing it, and that period's days are contiguous", () => {
    fc.assert(
      fc.property(periodType, day, (type, n) => {
        const p = Period.containing(type, n)
        expect(Period.startDay(p)).toBeLessThanOrEqual(n)
        expect(n).toBeLessThanOrEqual(Period.endDay(p))
        expect(Period.startDay(Period.next(p))).toBe(Period.endDay(p) + 1)
        expect(Equal.equals(Period.previous(Period.next(p)), p)).toBe(true)
      })
    )
  })

  it("every month lies in exactly one quarter (and one half-year, one year)", () => {
    fc.assert(
      fc.property(day, (n) => {
        const month = Period.containing("Month", n)
        for (const type of ["Quarter", "HalfYear", "Year"] as const) {
          const around = [-1, 0, 1].map((k) => Period.shift(Period.containing(type, n), k))
          const holders = around.filter((outer) => Period.contains(outer, month))
          expect(holders.length).toBe(1)
          expect(Period.monthsOf(holders[0]!).some((m) => Equal.equals(m, month))).toBe(true)
        }
      })
    )
  })

  it("a year iterates to 12 months, 4 quarters, 2 halves and 52 or 53 ISO weeks", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9998 }), (year) => {
        const y = parseOrThrow(String(year))
        expect(Period.periodsIn("Month", y).map(Period.format)).toEqual(
          Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`)
        )
        expect(Period.periodsIn("Quarter", y).length).toBe(4)
        expect(Period.periodsIn("HalfYear", y).length).toBe(2)
        const weeks = Period.periodsIn("Week", y)
        expect([52, 53]).toContain(weeks.length)
        expect(weeks.every((w) => w._tag === "Week" && w.year === year)).toBe(true)
        expect(Either.isRight(Period.parse(`${year}-W${weeks.length}`))).toBe(true)
        expect(Either.isLeft(Period.parse(`${year}-W${weeks.length + 1}`))).toBe(true)
        const days = Period.periodsIn("Day", y).length
        expect(days).toBe(Period.endDay(y) - Period.startDay(y) + 1)
      })
    )
  })

  it("gives the months of a quarter", () => {
    expect(Period.monthsOf(parseOrThrow("2023-Q2")).map(Period.format)).toEqual(["2023-04", "2023-05", "2023-06"])
    expect(Period.format(Period.next(parseOrThrow("2023-Q4")))).toBe("2024-Q1")
    expect(Period.format(Period.previous(parseOrThrow("2023-01")))).toBe("2022-12")
    expect(Period.format(Period.shift(parseOrThrow("2023-H2"), 3))).toBe("2025-H1")
  })

  it("orders periods by start, shorter first", () => {
    const sorted = ["2023", "2023-06", "2023-Q2", "2023-01-01", "2023-H1"].map(parseOrThrow).sort(Period.order)
    expect(sorted.map(Period.format)).toEqual(["2023-01-01", "2023-H1", "2023", "2023-Q2", "2023-06"])
  })

  it("maps an instant to the jurisdiction's calendar day", () => {
    // 2023-06-30T20:00:00Z is already 1 July in Beijing (UTC+8).
    const instant = Date.UTC(2023, 5, 30, 20)
    expect(Period.dateOfDay(Period.dayOfInstant(instant, 0))).toBe("2023-06-30")
    expect(Period.dateOfDay(Period.dayOfInstant(instant, 480))).toBe("2023-07-01")
  })

  it("decodes and encodes through the schema, naming the bad input", () => {
    expect(Period.format(Schema.decodeSync(Period.PeriodFromString)("2023-Q2"))).toBe("2023-Q2")
    expect(Schema.encodeSync(Period.PeriodFromString)(parseOrThrow("2023-W05"))).toBe("2023-W05")
    expect(() => Schema.decodeUnknownSync(Period.PeriodFromString)("2023-00")).toThrow(/month 00/)
  })
})

describe("IsoDate", () => {
  it("accepts real dates and names the reason for others", () => {
    expect(Schema.is(Period.IsoDate)("2024-02-29")).toBe(true)
    expect(() => Schema.decodeUnknownSync(Period.IsoDate)("2023-02-29")).toThrow(/day 29 is not between 01 and 28/)
    expect(() => Schema.decodeUnknownSync(Period.IsoDate)("2023-06")).toThrow(/expected a date/)
  })

  it("round-trips through day numbers", () => {
    fc.assert(
      fc.property(day, (n) => {
        expect(Period.dayOfIsoDate(Period.isoDateOfDay(n))).toBe(n)
      })
    )
  })
})
