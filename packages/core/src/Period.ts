/**
 * Reporting periods: day, ISO week, month, quarter, half-year and year, with the ids DHIS2 and the
 * district's reports use — `2023-06-15`, `2023-W05`, `2023-06`, `2023-Q2`, `2023-H1`, `2023`.
 *
 * Periods are calendar dates with no time zone: turning an instant into a day needs the
 * jurisdiction's UTC offset ({@link dayOfInstant}). Weeks follow ISO 8601: they start on Monday and
 * belong to the year (and month, quarter…) that holds their Thursday, so a year has 52 or 53 weeks.
 *
 * @since 0.1.0
 */
import { Data, Either, Order, ParseResult, Schema } from "effect"

/**
 * A day of the calendar.
 *
 * @since 0.1.0
 * @category models
 */
export interface Day {
  readonly _tag: "Day"
  readonly year: number
  readonly month: number
  readonly day: number
}

/**
 * An ISO 8601 week: Monday to Sunday, numbered within its ISO week-year.
 *
 * @since 0.1.0
 * @category models
 */
export interface Week {
  readonly _tag: "Week"
  readonly year: number
  readonly week: number
}

/**
 * A calendar month (`month` is 1–12).
 *
 * @since 0.1.0
 * @category models
 */
export interface Month {
  readonly _tag: "Month"
  readonly year: number
  readonly month: number
}

/**
 * A calendar quarter (`quarter` is 1–4).
 *
 * @since 0.1.0
 * @category models
 */
export interface Quarter {
  readonly _tag: "Quarter"
  readonly year: number
  readonly quarter: number
}

/**
 * A half-year (`half` is 1 for January–June, 2 for July–December).
 *
 * @since 0.1.0
 * @category models
 */
export interface HalfYear {
  readonly _tag: "HalfYear"
  readonly year: number
  readonly half: number
}

/**
 * A calendar year.
 *
 * @since 0.1.0
 * @category models
 */
export interface Year {
  readonly _tag: "Year"
  readonly year: number
}

/**
 * Any period. Values are `Data` structs: two equal periods are `Equal.equals`.
 *
 * @since 0.1.0
 * @category models
 */
export type Period = Day | Week | Month | Quarter | HalfYear | Year

/**
 * The kinds of period, from shortest to longest.
 *
 * @since 0.1.0
 * @category models
 */
export type PeriodType = Period["_tag"]

/**
 * Every period type, shortest first.
 *
 * @since 0.1.0
 * @category models
 */
export const periodTypes: ReadonlyArray<PeriodType> = ["Day", "Week", "Month", "Quarter", "HalfYear", "Year"]

/**
 * A string that is not a period id. `input` is the string as given.
 *
 * @since 0.1.0
 * @category errors
 */
export class PeriodParseError extends Schema.TaggedError<PeriodParseError>()("PeriodParseError", {
  input: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `"${this.input}" is not a period: ${this.reason}`
  }
}

// --- day numbers: days since 1970-01-01 in the proleptic Gregorian calendar ---------------------

/** Days since 1970-01-01 of a civil date (Hinnant's algorithm; valid for every year we accept). */
const dayNumber = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

const civil = (n: number): Day => {
  const z = n + 719468
  const era = Math.floor(z / 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return makeDay(yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

/** ISO weekday: 1 = Monday … 7 = Sunday. 1970-01-01 was a Thursday. */
const isoWeekday = (n: number): number => ((((n + 3) % 7) + 7) % 7) + 1

const daysInMonth = (year: number, month: number): number => dayNumber(year, month + 1, 1) - dayNumber(year, month, 1)

const weekOneMonday = (year: number): number => {
  const january4 = dayNumber(year, 1, 4)
  return january4 - isoWeekday(january4) + 1
}

const weeksInYear = (year: number): number => (weekOneMonday(year + 1) - weekOneMonday(year)) / 7

// --- constructors (unchecked: callers have validated the fields) ----------------------------------

const makeDay = (year: number, month: number, day: number): Day => Data.struct({ _tag: "Day", year, month, day })
const makeWeek = (year: number, week: number): Week => Data.struct({ _tag: "Week", year, week })
const makeMonth = (year: number, month: number): Month => Data.struct({ _tag: "Month", year, month })
const makeQuarter = (year: number, quarter: number): Quarter => Data.struct({ _tag: "Quarter", year, quarter })
const makeHalfYear = (year: number, half: number): HalfYear => Data.struct({ _tag: "HalfYear", year, half })
const makeYear = (year: number): Year => Data.struct({ _tag: "Year", year })

const weekOf = (n: number): Week => {
  const thursday = n - isoWeekday(n) + 4
  const year = civil(thursday).year
  return makeWeek(year, Math.floor((thursday - weekOneMonday(year)) / 7) + 1)
}

// --- bounds ---------------------------------------------------------------------------------------

/**
 * The first day of a period, as a day number (days since 1970-01-01).
 *
 * @since 0.1.0
 * @category bounds
 */
export const startDay = (period: Period): number => {
  switch (period._tag) {
    case "Day":
      return dayNumber(period.year, period.month, period.day)
    case "Week":
      return weekOneMonday(period.year) + (period.week - 1) * 7
    case "Month":
      return dayNumber(period.year, period.month, 1)
    case "Quarter":
      return dayNumber(period.year, period.quarter * 3 - 2, 1)
    case "HalfYear":
      return dayNumber(period.year, period.half * 6 - 5, 1)
    case "Year":
      return dayNumber(period.year, 1, 1)
  }
}

/**
 * The last day of a period (inclusive), as a day number.
 *
 * @since 0.1.0
 * @category bounds
 */
export const endDay = (period: Period): number => startDay(shift(period, 1)) - 1

/**
 * The day that decides which longer period a period belongs to: its Thursday for a week, its first
 * day otherwise.
 *
 * @since 0.1.0
 * @category bounds
 */
export const anchorDay = (period: Period): number => startDay(period) + (period._tag === "Week" ? 3 : 0)

/**
 * A day number as an ISO date string (`2023-06-15`).
 *
 * @since 0.1.0
 * @category bounds
 */
export const dateOfDay = (n: number): string => format(civil(n))

/**
 * The calendar day at an instant (milliseconds since the epoch) in a jurisdiction `offsetMinutes`
 * east of UTC (Beijing time is 480), as a day number.
 *
 * @since 0.1.0
 * @category bounds
 */
export const dayOfInstant = (epochMillis: number, offsetMinutes: number): number =>
  Math.floor((epochMillis + offsetMinutes * 60_000) / 86_400_000)

// --- navigation -----------------------------------------------------------------------------------

/**
 * The period of a type that contains a day (a day number or an ISO date period).
 *
 * @since 0.1.0
 * @category navigation
 */
export const containing = (type: PeriodType, day: number | Day): Period => {
  const n = typeof day === "number" ? day : startDay(day)
  const date = civil(n)
  switch (type) {
    case "Day":
      return date
    case "Week":
      return weekOf(n)
    case "Month":
      return makeMonth(date.year, date.month)
    case "Quarter":
      return makeQuarter(date.year, Math.ceil(date.month / 3))
    case "HalfYear":
      return makeHalfYear(date.year, date.month <= 6 ? 1 : 2)
    case "Year":
      return makeYear(date.year)
  }
}

/**
 * The period `steps` periods after this one (before it when negative), of the same type.
 *
 * @since 0.1.0
 * @category navigation
 */
export const shift = (period: Period, steps: number): Period => {
  const byIndex = (perYear: number, index: number, make: (year: number, index: number) => Period) => {
    const total = period.year * perYear + (index - 1) + steps
    return make(Math.floor(total / perYear), (total % perYear) + 1)
  }
  switch (period._tag) {
    case "Day":
      return civil(startDay(period) + steps)
    case "Week":
      return weekOf(startDay(period) + steps * 7)
    case "Month":
      return byIndex(12, period.month, makeMonth)
    case "Quarter":
      return byIndex(4, period.quarter, makeQuarter)
    case "HalfYear":
      return byIndex(2, period.half, makeHalfYear)
    case "Year":
      return makeYear(period.year + steps)
  }
}

/**
 * The next period of the same type.
 *
 * @since 0.1.0
 * @category navigation
 */
export const next = (period: Period): Period => shift(period, 1)

/**
 * The previous period of the same type.
 *
 * @since 0.1.0
 * @category navigation
 */
export const previous = (period: Period): Period => shift(period, -1)

/**
 * Whether every day of `inner` lies within `outer`.
 *
 * @since 0.1.0
 * @category navigation
 */
export const contains = (outer: Period, inner: Period): boolean =>
  startDay(outer) <= startDay(inner) && endDay(inner) <= endDay(outer)

/**
 * The periods of a type that belong to a period, in order: those whose anchor day (a week's
 * Thursday, otherwise the first day) lies within it. A year holds 12 months, 4 quarters and 52 or
 * 53 ISO weeks; a month holds the weeks whose Thursday falls in it.
 *
 * @since 0.1.0
 * @category navigation
 */
export const periodsIn = (type: PeriodType, period: Period): ReadonlyArray<Period> => {
  const first = startDay(period)
  const last = endDay(period)
  const out: Array<Period> = []
  let current = containing(type, first)
  if (anchorDay(current) < first) current = next(current)
  while (anchorDay(current) <= last) {
    out.push(current)
    current = next(current)
  }
  return out
}

/**
 * The months of a period, in order (e.g. the three months of a quarter).
 *
 * @since 0.1.0
 * @category navigation
 */
export const monthsOf = (period: Period): ReadonlyArray<Period> => periodsIn("Month", period)

/**
 * Periods ordered by first day, shorter first when two start together.
 *
 * @since 0.1.0
 * @category navigation
 */
export const order: Order.Order<Period> = Order.combine(
  Order.mapInput(Order.number, startDay),
  Order.mapInput(Order.number, endDay)
)

// --- parse and format -----------------------------------------------------------------------------

const pad = (value: number, width: number) => String(value).padStart(width, "0")

/**
 * The period's id: `2023-06-15`, `2023-W05`, `2023-06`, `2023-Q2`, `2023-H1` or `2023`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const format = (period: Period): string => {
  const year = pad(period.year, 4)
  switch (period._tag) {
    case "Day":
      return `${year}-${pad(period.month, 2)}-${pad(period.day, 2)}`
    case "Week":
      return `${year}-W${pad(period.week, 2)}`
    case "Month":
      return `${year}-${pad(period.month, 2)}`
    case "Quarter":
      return `${year}-Q${period.quarter}`
    case "HalfYear":
      return `${year}-H${period.half}`
    case "Year":
      return year
  }
}

const grammar = /^(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|W(\d{2})|Q(\d)|H(\d)))?$/

/**
 * Parses a period id. Anything else — a wrong shape, month 13, 30 February, week 53 of a 52-week
 * year — is a `PeriodParseError` naming the input and the reason.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string): Either.Either<Period, PeriodParseError> => {
  const fail = (reason: string) => Either.left(new PeriodParseError({ input, reason }))
  const match = grammar.exec(input)
  if (match === null) {
    return fail("expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www, YYYY-Qn or YYYY-Hn")
  }
  const [, yearText, monthText, dayText, weekText, quarterText, halfText] = match
  const year = Number(yearText)
  if (year < 1000) return fail("the year must be between 1000 and 9999")
  if (monthText !== undefined) {
    const month = Number(monthText)
    if (month < 1 || month > 12) return fail(`month ${monthText} is not between 01 and 12`)
    if (dayText === undefined) return Either.right(makeMonth(year, month))
    const day = Number(dayText)
    const last = daysInMonth(year, month)
    if (day < 1 || day > last) return fail(`day ${dayText} is not between 01 and ${last} in ${yearText}-${monthText}`)
    return Either.right(makeDay(year, month, day))
  }
  if (weekText !== undefined) {
    const week = Number(weekText)
    const weeks = weeksInYear(year)
    if (week < 1 || week > weeks) return fail(`week ${weekText} is not between 01 and ${weeks} in ISO year ${yearText}`)
    return Either.right(makeWeek(year, week))
  }
  if (quarterText !== undefined) {
    const quarter = Number(quarterText)
    return quarter >= 1 && quarter <= 4 ? Either.right(makeQuarter(year, quarter)) : fail("the quarter must be Q1-Q4")
  }
  if (halfText !== undefined) {
    const half = Number(halfText)
    return half === 1 || half === 2 ? Either.right(makeHalfYear(year, half)) : fail("the half-year must be H1 or H2")
  }
  return Either.right(makeYear(year))
}

const isPeriod = (input: unknown): input is Period =>
  typeof input === "object" && input !== null && "_tag" in input && periodTypes.includes(input._tag as PeriodType)

/**
 * A period id on the wire, a `Period` in memory: decoding validates the id, encoding formats it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PeriodFromString: Schema.Schema<Period, string> = Schema.transformOrFail(
  Schema.String,
  Schema.declare(isPeriod, { identifier: "Period" }),
  {
    strict: true,
    decode: (input, _options, ast) =>
      Either.mapLeft(parse(input), (error) => new ParseResult.Type(ast, input, error.reason)),
    encode: (period) => ParseResult.succeed(format(period))
  }
).annotations({ identifier: "PeriodFromString", description: "A period id such as 2023-06, 2023-Q2 or 2023-W05" })

/**
 * A calendar date, `YYYY-MM-DD`, that exists (no 30 February). Dates compare correctly as strings.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IsoDate = Schema.String.pipe(
  Schema.filter(
    (input) => {
      const parsed = parse(input)
      if (Either.isLeft(parsed)) return parsed.left.reason
      return parsed.right._tag === "Day" || "expected a date, YYYY-MM-DD"
    },
    { identifier: "IsoDate", description: "A calendar date, YYYY-MM-DD" }
  ),
  Schema.brand("IsoDate")
)

/**
 * @since 0.1.0
 * @category schemas
 */
export type IsoDate = typeof IsoDate.Type

/**
 * The date of a day number.
 *
 * @since 0.1.0
 * @category bounds
 */
export const isoDateOfDay = (n: number): IsoDate => IsoDate.make(dateOfDay(n), { disableValidation: true })

/**
 * The day number of a date.
 *
 * @since 0.1.0
 * @category bounds
 */
export const dayOfIsoDate = (date: IsoDate): number => {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number]
  return dayNumber(year, month, day)
}

/**
 * The last representable date, standing for "still in force": an open-ended validity ends here.
 *
 * @since 0.1.0
 * @category bounds
 */
export const endOfTime: IsoDate = IsoDate.make("9999-12-31")
