/**
 * The `sortgrid` command line, as a library: {@link command} is the whole tree of commands and
 * {@link run} runs one command line in-process and answers its exit code, so tests (and hosts that
 * embed the command line) need not spawn a process. The executable (`bin/main.ts`) only calls
 * {@link run} with `process.argv` on Node.
 *
 * ```
 * sortgrid init                                        create or migrate ./sortgrid.db
 * sortgrid import divisions tongzhou.csv --effective-on 2023-01-01
 * sortgrid import roster roster.xlsx --mode valid-rows
 * sortgrid import geojson grids.geojson --effective-on 2023-01-01
 * sortgrid inspect --file visit.json --as @inspector.json
 * sortgrid issues list --under /110112/ --state registered --json
 * sortgrid issues show P-1
 * sortgrid issues transition --file assign.json
 * sortgrid points earn --programme programme.json --file claims.json
 * sortgrid points redeem hold --id R-1 --merchant m1 --wallet w-1 --line soap:2
 * sortgrid points balance w-1 --as-of 2023-06-30T16:00:00Z
 * sortgrid points statement w-1 --lang en --limit 50
 * sortgrid assess run --scheme urban-2023 --period 2023-06
 * sortgrid report health --unit 110112001 --period 2023-06 --scheme urban-2023 --format html --output health.html
 * sortgrid verify
 * sortgrid serve --tokens tokens.json --port 8080
 * ```
 *
 * `report health --scheme` adds the assessment engine's health check to the problem figures, and
 * `verify` reconciles the points ledger as well as the audit chain. A new command is one more command
 * module added to {@link subcommands}.
 *
 * Exit codes and error messages: see {@link Failure}.
 *
 * @since 0.1.0
 */
import { type CliApp, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import * as AssessCommand from "./AssessCommand.js"
import * as Failure from "./Failure.js"
import * as ImportCommand from "./ImportCommand.js"
import * as InitCommand from "./InitCommand.js"
import * as InspectCommand from "./InspectCommand.js"
import * as IssuesCommand from "./IssuesCommand.js"
import * as Output from "./Output.js"
import * as PointsCommand from "./PointsCommand.js"
import * as ReportCommand from "./ReportCommand.js"
import * as ServeCommand from "./ServeCommand.js"
import * as Settings from "./Settings.js"
import * as VerifyCommand from "./VerifyCommand.js"

/**
 * The command line's version, printed by `--version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The commands under `sortgrid`.
 *
 * @since 0.1.0
 * @category commands
 */
export const subcommands = [
  InitCommand.command,
  ImportCommand.command,
  InspectCommand.command,
  IssuesCommand.command,
  PointsCommand.command,
  AssessCommand.command,
  ReportCommand.command,
  VerifyCommand.command,
  ServeCommand.command
] as const

/**
 * The whole command tree.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Settings.root.pipe(
  Command.withHandler(() =>
    Effect.fail(
      new Failure.UsageError({
        message:
          "choose a command: init, import, inspect, issues, points, assess, report, verify or serve (sortgrid --help says more)"
      })
    )
  ),
  Command.withSubcommands(subcommands),
  Command.withDescription(
    "Run a waste-sorting programme's store from the shell: set it up, import the grid, record inspections, work the problem register, run the points ledger and assessments, report and verify"
  )
)

const cli = Command.run(command, { name: "sortgrid", version, executable: "sortgrid" })

/**
 * Runs one command line (the arguments after the program name) and answers its exit code. A
 * failure is printed on stderr — as JSON when `--json` was given — and never escapes.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (args: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  cli(["node", "sortgrid", ...args]).pipe(
    Effect.matchCauseEffect({
      onSuccess: () => Effect.succeed(Failure.ExitCode.ok),
      onFailure: (cause) => {
        const rendered = Failure.renderCause(cause)
        const json = args.includes("--json")
        const print =
          rendered.lines.length === 0
            ? Effect.void
            : json
              ? Console.error(Output.toJson({ error: rendered.json }))
              : Console.error(rendered.lines.join("\n"))
        // A terminal progress line is ended first, so the message starts on a line of its own.
        return Effect.flatMap(Output.Progress, (progress) => progress.finish).pipe(
          Effect.zipRight(print),
          Effect.as(rendered.exitCode)
        )
      }
    })
  )
