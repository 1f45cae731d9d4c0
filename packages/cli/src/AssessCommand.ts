/**
 * `sortgrid assess run --scheme <id> --period <2023-06> [--unit <node id>]…`: scores a scheme for a
 * period through the assessment engine (`Assessments.evaluate`: the scheme version in force for the
 * period, over the scheme's group, or only the units given) and prints the league table — rank,
 * unit, total, grade, status — best first, with the stored result's version. With `--json`, the
 * table as data (each unit's items too). Needs `assessment.evaluate` at every unit scored.
 *
 * Scoring the same inputs again stores nothing new: the result is reported `unchanged`.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Assessments } from "@sortgrid/assessment"
import { Effect } from "effect"
import { UsageError } from "./Failure.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

/**
 * One row of a league table.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly rank: number | null
  readonly unit: string
  readonly total: number | null
  readonly grade: string | null
  readonly status: "scored" | "vetoed" | "incomplete"
  readonly vetoedBy: ReadonlyArray<string>
  readonly missing: ReadonlyArray<string>
  readonly items: ReadonlyArray<{
    readonly indicator: string
    readonly value: number | null
    readonly score: number | null
    readonly contribution: number
  }>
}

/**
 * What `assess run` answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface LeagueTable {
  readonly schemeId: string
  readonly schemeVersion: number
  readonly period: string
  readonly resultVersion: number
  readonly outcome: "stored" | "unchanged" | "replayed"
  readonly hash: string
  readonly rows: ReadonlyArray<Row>
}

/**
 * The league table of a scored result: ranked units first by rank, then the unranked (vetoed,
 * incomplete) by unit id, so the order is the same on every run.
 *
 * @since 0.1.0
 * @category rendering
 */
export const leagueTable = (scored: Assessments.Scored): LeagueTable => {
  const { result } = scored
  const rows = result.result.units
    .map(
      (unit): Row => ({
        rank: unit.rank,
        unit: unit.unit,
        total: unit.total,
        grade: unit.grade,
        status: unit.status,
        vetoedBy: unit.vetoedBy,
        missing: unit.missing,
        items: unit.items.map((item) => ({
          indicator: item.indicator,
          value: item.value,
          score: item.score,
          contribution: item.contribution
        }))
      })
    )
    .sort((a, b) =>
      a.rank !== null && b.rank !== null
        ? a.rank - b.rank || (a.unit < b.unit ? -1 : 1)
        : a.rank !== null
          ? -1
          : b.rank !== null
            ? 1
            : a.unit < b.unit
              ? -1
              : a.unit > b.unit
                ? 1
                : 0
    )
  return {
    schemeId: result.schemeId,
    schemeVersion: result.schemeVersion,
    period: result.period,
    resultVersion: result.version,
    outcome: scored.outcome,
    hash: result.hash,
    rows
  }
}

const figure = (value: number | null) => (value === null ? "-" : String(Math.round(value * 100) / 100))

const pad = (cells: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)))
  return cells.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd()
  )
}

/**
 * The league table as lines for a person: a header, one aligned row per unit, and the result line.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (table: LeagueTable): ReadonlyArray<string> => [
  `${table.schemeId} v${table.schemeVersion}, ${table.period}: result version ${table.resultVersion} (${table.outcome})`,
  ...pad([
    ["rank", "unit", "total", "grade", "status"],
    ...table.rows.map((row) => [
      row.rank === null ? "-" : String(row.rank),
      row.unit,
      figure(row.total),
      row.grade ?? "-",
      row.status === "vetoed"
        ? `vetoed by ${row.vetoedBy.join(", ")}`
        : row.status === "incomplete"
          ? `incomplete (missing ${row.missing.join(", ")})`
          : row.status
    ])
  ]),
  `${table.rows.length} units`
]

const run = Command.make(
  "run",
  {
    ...Settings.globalOptions,
    scheme: Options.text("scheme").pipe(Options.withDescription("The scheme's id")),
    period: Options.text("period").pipe(Options.withDescription("The period scored, such as 2023-06 or 2023-Q2")),
    units: Options.text("unit").pipe(
      Options.withDescription("Score only this unit (repeat for several; default the scheme's group)"),
      Options.repeated
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const scored = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.flatMap(Assessments.Assessments, (assessments) =>
          assessments.evaluate(actor, {
            schemeId: config.scheme,
            period: config.period,
            ...(config.units.length === 0 ? {} : { units: config.units })
          })
        )
      )
      const table = leagueTable(scored)
      yield* Output.emit(settings, { json: table, human: () => render(table) })
    })
).pipe(Command.withDescription("Score a scheme for a period and print the league table"))

/**
 * `sortgrid assess`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("assess").pipe(
  Command.withHandler(() => Effect.fail(new UsageError({ message: "choose run (see sortgrid assess --help)" }))),
  Command.withSubcommands([run]),
  Command.withDescription("The assessment engine: score a scheme for a period")
)
