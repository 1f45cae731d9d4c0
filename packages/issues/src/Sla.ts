/**
 * Service-level agreements and the deadlines they give: pure arithmetic over instants (milliseconds
 * since the epoch) and a jurisdiction's working calendar.
 *
 * An SLA gives a problem `within: { hours }` (wall-clock hours), `within: { days }` (calendar days of
 * 24 hours), or `within: { days }` with `workingDaysOnly` (whole working days). The working-day rule:
 * - a problem registered on a working day is due at the same local time of day on the Nth working day
 *   after the day it was registered (registered Thursday 10:00 with 1 working day: due Friday 10:00,
 *   or Monday 10:00 when Friday is a holiday);
 * - a problem registered on a non-working day counts as registered at the first moment (00:00 local)
 *   of the next working day, so it is due at 00:00 on the (N+1)th working day after the day it was
 *   registered — that is, when the Nth working day has ended (registered Saturday with 1 working
 *   day: due Tuesday 00:00, the end of Monday).
 * So a working-day deadline always falls on a working day, later registrations never get earlier
 * deadlines, and one more working day always gives a later deadline.
 *
 * Overdue is exact: the deadline is the first instant at which a problem is overdue, the way a
 * validity span `[validFrom, validTo)` ends at `validTo`. Escalation to the parent jurisdiction is due
 * once a problem has been overdue for a number of calendar days (24 hours each), whatever the SLA
 * counts: escalation measures how late a problem is, not how much working time was left.
 *
 * @since 0.1.0
 */
import { Errors, Period } from "@sortgrid/core"
import { Duty } from "@sortgrid/grid"
import { Either, Schema } from "effect"

const hourMillis = 3_600_000
const dayMillis = 86_400_000

/** ISO weekday of a day number: 1 is Monday, 7 is Sunday (1970-01-01 was a Thursday). */
const weekdayOf = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1

/**
 * How long an SLA allows: a number of hours (at most a leap year's) or days (at most 366).
 *
 * @since 0.1.0
 * @category models
 */
export const Within = Schema.Union(
  Schema.Struct({ hours: Schema.Int.pipe(Schema.between(1, 8_784)) }),
  Schema.Struct({ days: Schema.Int.pipe(Schema.between(1, 366)) })
)

/**
 * @since 0.1.0
 * @category models
 */
export type Within = typeof Within.Type

/**
 * A category's service level: how long a problem may stay open, whether only working days count,
 * and how many days overdue it may be before it escalates to the parent jurisdiction (`null`: it
 * never escalates on its own).
 *
 * @since 0.1.0
 * @category models
 */
export class Sla extends Schema.Class<Sla>("@sortgrid/issues/Sla")(
  Schema.Struct({
    within: Within,
    /** Count whole working days of the jurisdiction's calendar; needs `within: { days }`. */
    workingDaysOnly: Schema.optionalWith(Schema.Boolean, { default: () => false, exact: true }),
    /** Calendar days past the deadline at which the problem goes to the parent jurisdiction. */
    escalateWhenOverdueDays: Schema.optionalWith(Schema.NullOr(Schema.Int.pipe(Schema.between(0, 366))), {
      default: () => null,
      exact: true
    })
  }).pipe(
    Schema.filter((sla) =>
      sla.workingDaysOnly && "hours" in sla.within
        ? { path: ["workingDaysOnly"], message: "counts whole days: give within as { days: n }, not hours" }
        : undefined
    )
  )
) {}

/**
 * A jurisdiction's working calendar: its offset east of UTC in minutes (Beijing is 480), its weekend
 * days (ISO weekdays, Saturday and Sunday unless given), public holidays (dates off work, weekend
 * dates included as the official notices list them), and make-up working days (weekend dates worked
 * in exchange for a holiday, as China's State Council calendar has most years).
 *
 * @since 0.1.0
 * @category models
 */
export class WorkingCalendar extends Schema.Class<WorkingCalendar>("@sortgrid/issues/WorkingCalendar")(
  Schema.Struct({
    utcOffsetMinutes: Schema.Int.pipe(Schema.between(-720, 840)),
    weekendDays: Schema.optionalWith(Schema.Array(Duty.Weekday), { default: () => [6, 7], exact: true }),
    holidays: Schema.optionalWith(Schema.Array(Period.IsoDate), { default: () => [], exact: true }),
    makeUpWorkingDays: Schema.optionalWith(Schema.Array(Period.IsoDate), { default: () => [], exact: true })
  }).pipe(
    Schema.filter((calendar) => {
      const issues: Array<Schema.FilterIssue> = []
      const weekend = new Set(calendar.weekendDays)
      if (weekend.size !== calendar.weekendDays.length) {
        issues.push({ path: ["weekendDays"], message: "must not repeat a weekday" })
      }
      // With every weekday off, the finite list of make-up days would run out and no deadline exists.
      if (weekend.size === 7) issues.push({ path: ["weekendDays"], message: "must leave at least one working weekday" })
      const holidays = new Set<string>(calendar.holidays)
      for (const [index, date] of calendar.makeUpWorkingDays.entries()) {
        if (holidays.has(date)) {
          issues.push({ path: ["makeUpWorkingDays", index], message: `${date} is also listed as a holiday` })
        } else if (!weekend.has(weekdayOf(Period.dayOfIsoDate(date)))) {
          issues.push({ path: ["makeUpWorkingDays", index], message: `${date} is not a weekend day` })
        }
      }
      return issues
    })
  )
) {}

const decoder =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (input: unknown, path: ReadonlyArray<string | number>): Either.Either<A, Errors.Invalid> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
      Errors.Invalid.fromParseError(error, path)
    )

/**
 * Decodes an SLA; every issue names its field under `path` (`["sla"]` unless given).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeSla = (input: unknown, path: ReadonlyArray<string | number> = ["sla"]) => decoder(Sla)(input, path)

/**
 * Decodes a working calendar; every issue names its field under `path` (`["calendar"]` unless given).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCalendar = (input: unknown, path: ReadonlyArray<string | number> = ["calendar"]) =>
  decoder(WorkingCalendar)(input, path)

// --- the calendar -------------------------------------------------------------------------------

interface Compiled {
  readonly weekend: ReadonlySet<number>
  readonly holidays: ReadonlySet<number>
  readonly makeUp: ReadonlySet<number>
}

// Calendars are immutable, so their lookup sets are built once per calendar, not once per deadline.
const compiledCalendars = new WeakMap<WorkingCalendar, Compiled>()

const compile = (calendar: WorkingCalendar): Compiled => {
  const cached = compiledCalendars.get(calendar)
  if (cached !== undefined) return cached
  const compiled: Compiled = {
    weekend: new Set(calendar.weekendDays),
    holidays: new Set(calendar.holidays.map(Period.dayOfIsoDate)),
    makeUp: new Set(calendar.makeUpWorkingDays.map(Period.dayOfIsoDate))
  }
  compiledCalendars.set(calendar, compiled)
  return compiled
}

/**
 * Whether a day (a day number, as {@link Period.dayOfIsoDate} gives) is worked: a make-up working day
 * is; otherwise a holiday or a weekend day is not, and any other day is.
 *
 * @since 0.1.0
 * @category calendar
 */
export const isWorkingDay = (calendar: WorkingCalendar, day: number): boolean => {
  const { holidays, makeUp, weekend } = compile(calendar)
  if (makeUp.has(day)) return true
  return !holidays.has(day) && !weekend.has(weekdayOf(day))
}

/**
 * Whether a date is worked (see {@link isWorkingDay}).
 *
 * @since 0.1.0
 * @category calendar
 */
export const isWorkingDate = (calendar: WorkingCalendar, date: Period.IsoDate): boolean =>
  isWorkingDay(calendar, Period.dayOfIsoDate(date))

/**
 * The `n`th working day after a day (not counting the day itself), as a day number; the day itself
 * when `n` is 0.
 *
 * @since 0.1.0
 * @category calendar
 */
export const workingDayAfter = (calendar: WorkingCalendar, day: number, n: number): number => {
  let current = day
  let remaining = n
  while (remaining > 0) {
    current += 1
    if (isWorkingDay(calendar, current)) remaining -= 1
  }
  return current
}

// --- deadlines ----------------------------------------------------------------------------------

/**
 * When a problem registered at `registeredAt` under an SLA is due, in milliseconds since the epoch.
 * Hours and calendar days add wall-clock time (the jurisdiction's offset is fixed, so a day is 24
 * hours); working days follow the rule in the module comment.
 *
 * @since 0.1.0
 * @category deadlines
 */
export const deadline = (registeredAt: number, sla: Sla, calendar: WorkingCalendar): number => {
  if ("hours" in sla.within) return registeredAt + sla.within.hours * hourMillis
  if (!sla.workingDaysOnly) return registeredAt + sla.within.days * dayMillis
  const offsetMillis = calendar.utcOffsetMinutes * 60_000
  const day = Period.dayOfInstant(registeredAt, calendar.utcOffsetMinutes)
  const startOf = (n: number) => n * dayMillis - offsetMillis
  if (isWorkingDay(calendar, day)) {
    return startOf(workingDayAfter(calendar, day, sla.within.days)) + (registeredAt - startOf(day))
  }
  return startOf(workingDayAfter(calendar, day, sla.within.days + 1))
}

/**
 * Whether a problem with this deadline is overdue at `now`: from the deadline itself onwards.
 *
 * @since 0.1.0
 * @category deadlines
 */
export const isOverdue = (deadlineAt: number, now: number): boolean => now >= deadlineAt

/**
 * When a problem with this deadline is due to escalate: `days` calendar days after the deadline.
 *
 * @since 0.1.0
 * @category deadlines
 */
export const escalationAt = (deadlineAt: number, days: number): number => deadlineAt + days * dayMillis

/**
 * Whether a problem with this deadline has been overdue for `days` calendar days at `now`, and so
 * goes to the parent jurisdiction. Exact like {@link isOverdue}: due from {@link escalationAt} on.
 *
 * @since 0.1.0
 * @category deadlines
 */
export const escalationDue = (deadlineAt: number, now: number, days: number): boolean =>
  now >= escalationAt(deadlineAt, days)
