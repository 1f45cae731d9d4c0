/**
 * `sortgrid report health --unit <node id> --period <2023-06|2023-Q2|…>`: a unit's health check for
 * a period, as Markdown (the default) or HTML (`--format html`), on stdout or into `--output FILE`.
 * With `--json`, the figures themselves.
 *
 * The problem-register part is built now (see {@link HealthReport}); the assessment part comes with
 * the assessment engine. The figures come from `ProblemRegister.stats` on the tree as of the
 * period's last day, so the actor needs `grid.read` and `issues.read` at the unit.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Assessments } from "@sortgrid/assessment"
import { Errors, Period } from "@sortgrid/core"
import { Grid, Node } from "@sortgrid/grid"
import { ProblemRegister } from "@sortgrid/issues"
import { Console, Effect, Option, Schema } from "effect"
import { UsageError } from "./Failure.js"
import * as HealthReport from "./HealthReport.js"
import { writeText } from "./internal/files.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

const health = Command.make(
  "health",
  {
    ...Settings.globalOptions,
    unit: Options.text("unit").pipe(
      Options.withDescription("The unit's node id (a district, subdistrict, community…)")
    ),
    period: Options.text("period").pipe(
      Options.withDescription("The period: 2023-06 (month), 2023-Q2, 2023-H1, 2023, 2023-W05 or a day")
    ),
    format: Options.choice("format", ["markdown", "html"]).pipe(
      Options.withDescription("Markdown or HTML"),
      Options.withDefault("markdown" as const)
    ),
    scheme: Options.text("scheme").pipe(
      Options.withDescription(
        "Add the assessment engine's health check under this scheme (strengths, weaknesses, trend)"
      ),
      Options.optional
    ),
    output: Options.text("output").pipe(
      Options.withDescription("Write the report to this file instead of stdout"),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const result = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const [unitId, period] = yield* Effect.all(
            [
              Effect.mapError(Schema.decodeUnknown(Node.NodeId)(config.unit), (error) =>
                Errors.Invalid.fromParseError(error, ["unit"])
              ),
              Effect.mapError(Schema.decodeUnknown(Period.PeriodFromString)(config.period), (error) =>
                Errors.Invalid.fromParseError(error, ["period"])
              )
            ],
            { mode: "validate" }
          ).pipe(
            Effect.mapError((errors) => {
              const issues = errors.flatMap((error) => Option.toArray(error).flatMap((invalid) => invalid.issues))
              const [first, ...rest] = issues
              return first === undefined
                ? Errors.Invalid.one("(input)", "is not valid")
                : new Errors.Invalid({ issues: [first, ...rest] })
            })
          )
          const asOf = Period.isoDateOfDay(Period.endDay(period))
          const grid = yield* Grid.Grid
          const register = yield* ProblemRegister.ProblemRegister
          const unit = yield* grid.node(actor, unitId, asOf)
          const children = yield* grid.children(actor, unitId, asOf)
          const stats = yield* register.stats(actor, { under: unit.path, period })
          const figures = (node: Node.NodeVersion) =>
            Option.map(Option.fromNullable(stats.nodes.get(node.nodeId)), (found) => ({
              id: node.nodeId,
              name: node.name,
              kind: node.kind,
              stats: found
            }))
          const unitFigures = figures(unit)
          if (Option.isNone(unitFigures)) {
            return yield* new Errors.NotFound({ entity: "Node", id: unitId })
          }
          const assessment = Option.isSome(config.scheme)
            ? yield* (yield* Assessments.Assessments).healthCheck(actor, {
                schemeId: config.scheme.value,
                period: Period.format(period),
                unit: unitId
              })
            : null
          return {
            report: {
              unit: unitFigures.value,
              period: Period.format(period),
              children: children.flatMap((child) => Option.toArray(figures(child)))
            } satisfies HealthReport.HealthInput,
            assessment
          }
        })
      )
      const { assessment, report: input } = result
      if (settings.json) {
        if (Option.isSome(config.output)) {
          return yield* new UsageError({ message: "--json prints the figures on stdout: leave out --output" })
        }
        return yield* Output.emit(settings, {
          json: assessment === null ? input : { ...input, assessment: assessment.check },
          human: () => []
        })
      }
      const problems = config.format === "html" ? HealthReport.html(input) : HealthReport.markdown(input)
      // The assessment part is the engine's own Markdown; in HTML it stands as preformatted text.
      const text =
        assessment === null
          ? problems
          : config.format === "html"
            ? problems.replace(
                "</body>",
                `<section><h2>Assessment</h2><pre>${escapeHtml(assessment.markdown)}</pre></section></body>`
              )
            : `${problems.trimEnd()}\n\n${assessment.markdown}`
      yield* Option.match(config.output, {
        onNone: () => Console.log(text.trimEnd()),
        onSome: (path) =>
          Effect.zipRight(writeText(path, text), Console.error(`wrote the ${config.format} report to ${path}`))
      })
    })
).pipe(
  Command.withDescription(
    "A unit's health check for a period (problems; with --scheme, the assessment too), as Markdown or HTML"
  )
)

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/**
 * `sortgrid report`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("report").pipe(
  Command.withHandler(() =>
    Effect.fail(new UsageError({ message: "choose a report: health (see sortgrid report --help)" }))
  ),
  Command.withSubcommands([health]),
  Command.withDescription("Reports: a unit's health check")
)
