/**
 * `sortgrid import divisions | roster | geojson <file>`: loads the grid from files.
 *
 * - `divisions <file.csv>`: an official division list (`code,name,parentCode`), opened from
 *   `--effective-on` (default today). `Grid.importDivisions`; needs `grid.edit` where rows land.
 * - `roster <file.xlsx|file.csv>`: people and their assignments (`personId,name,phone,role,node,
 *   from,to`). `People.importRoster`; needs `people.edit`. The format follows the file's extension
 *   unless `--format` says otherwise.
 * - `geojson <file>`: a FeatureCollection of node areas (Polygon, MultiPolygon) and site points,
 *   each feature naming its node by `id` (or `properties.id`, or the property `--id-property`
 *   names), set from `--effective-on`. `Geography.setGeometries`; needs `grid.edit` at each node.
 *   The whole file is checked first; then it is written in batches, with progress. A batch refused
 *   by the service (an unknown node, a node outside the actor's scope) stops the import there, with
 *   the earlier batches written: each feature's change id is derived from its content, so running the
 *   fixed file again replays what was written and goes on.
 *
 * `--mode all-or-nothing` (the default) writes nothing when any row is bad and fails with every
 * problem (`Invalid: rows[7].parentCode: …`, exit 2); `--mode valid-rows` writes the rows that pass
 * and lists the others on stderr (exit 0).
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { Errors, Period } from "@sortgrid/core"
import { DivisionImport, Geography, Grid, People, Tabular } from "@sortgrid/grid"
import { Console, Effect, Either, Option, Schema } from "effect"
import { UsageError } from "./Failure.js"
import { readBytes, readJson, readText } from "./internal/files.js"
import { atFeatures, commandsOf } from "./internal/geojson.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

/**
 * How many geometries a batch of `import geojson` writes in one transaction.
 *
 * @since 0.1.0
 * @category constants
 */
export const geometryBatchSize = 200

const fileArg = (description: string) => Args.text({ name: "file" }).pipe(Args.withDescription(description))

const effectiveOn = Options.text("effective-on").pipe(
  Options.withDescription("The date the imported data holds from, YYYY-MM-DD (default today, Beijing time)"),
  Options.optional
)

const mode = Options.choice("mode", ["all-or-nothing", "valid-rows"]).pipe(
  Options.withDescription("all-or-nothing writes nothing when a row is bad; valid-rows writes the good rows"),
  Options.withDefault("all-or-nothing" as const)
)

const dateOf = (input: Option.Option<string>) =>
  Option.match(input, {
    onNone: () => Settings.today,
    onSome: (text) =>
      Effect.mapError(Schema.decodeUnknown(Period.IsoDate)(text), () =>
        Errors.Invalid.one("effective-on", `"${text}" is not a date YYYY-MM-DD`)
      )
  })

const rejectedLines = (rejected: ReadonlyArray<Tabular.RowIssue>) =>
  rejected.map(
    (issue) => `rejected: row ${issue.row}${issue.column === "" ? "" : `, ${issue.column}`}: ${issue.reason}`
  )

/** Prints the rows an import rejected in valid-rows mode on stderr, so stdout stays the result. */
const warnRejected = (rejected: ReadonlyArray<Tabular.RowIssue>) =>
  rejected.length === 0 ? Effect.void : Console.error(rejectedLines(rejected).join("\n"))

const divisions = Command.make(
  "divisions",
  { ...Settings.globalOptions, file: fileArg("The division list, CSV with code,name,parentCode"), effectiveOn, mode },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const progress = yield* Output.Progress
      const report = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const day = yield* dateOf(config.effectiveOn)
          const csv = yield* readText(config.file)
          const rows = Either.match(Tabular.readCsv(csv, DivisionImport.requiredColumns), {
            onLeft: () => 0,
            onRight: (read) => read.length
          })
          yield* progress.step(`importing ${rows} division rows from ${config.file} as of ${day}…`)
          const grid = yield* Grid.Grid
          const result = yield* grid.importDivisions(actor, csv, { effectiveOn: day, mode: config.mode })
          yield* progress.update("divisions", result.imported.length, result.rows)
          yield* progress.finish
          return { ...result, effectiveOn: day }
        })
      )
      yield* warnRejected(report.rejected)
      yield* Output.emit(settings, {
        json: {
          rows: report.rows,
          effectiveOn: report.effectiveOn,
          imported: report.imported.map(({ row, node, setting }) => ({
            row,
            id: node.id,
            kind: node.kind,
            name: node.name,
            parentId: node.parentId,
            setting
          })),
          rejected: report.rejected
        },
        human: () => [
          `imported ${report.imported.length} of ${report.rows} rows as of ${report.effectiveOn}` +
            (report.rejected.length === 0 ? "" : `; ${report.rejected.length} problems (listed on stderr)`)
        ]
      })
    })
).pipe(Command.withDescription("Import an official division list (CSV: code,name,parentCode)"))

const formatOf = (file: string, given: Option.Option<"csv" | "xlsx">) =>
  Option.match(given, {
    onSome: Effect.succeed,
    onNone: () => {
      const lower = file.toLowerCase()
      if (lower.endsWith(".xlsx")) return Effect.succeed("xlsx" as const)
      if (lower.endsWith(".csv")) return Effect.succeed("csv" as const)
      return Effect.fail(Errors.Invalid.one("format", `cannot tell the format of ${file}: give --format csv or xlsx`))
    }
  })

const roster = Command.make(
  "roster",
  {
    ...Settings.globalOptions,
    file: fileArg("The roster, XLSX or CSV with personId,name,phone,role,node,from,to"),
    mode,
    format: Options.choice("format", ["csv", "xlsx"]).pipe(
      Options.withDescription("The file's format (default: from its extension)"),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const progress = yield* Output.Progress
      const report = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const format = yield* formatOf(config.file, config.format)
          const bytes = yield* readBytes(config.file)
          yield* progress.step(`importing the roster ${config.file}…`)
          const people = yield* People.People
          const content = format === "csv" ? new TextDecoder().decode(bytes) : bytes
          const result = yield* people.importRoster(actor, { format, content, mode: config.mode })
          yield* progress.update("roster rows", result.imported.length, result.rows)
          yield* progress.finish
          return result
        })
      )
      yield* warnRejected(report.rejected)
      yield* Output.emit(settings, {
        json: {
          rows: report.rows,
          imported: report.imported.map(({ row, person, assignment }) => ({
            row,
            personId: person.id,
            assignmentId: assignment.id,
            role: assignment.role,
            nodeId: assignment.nodeId,
            validFrom: assignment.validFrom,
            validTo: assignment.validTo
          })),
          rejected: report.rejected
        },
        human: () => [
          `imported ${report.imported.length} of ${report.rows} roster rows` +
            (report.rejected.length === 0 ? "" : `; ${report.rejected.length} problems (listed on stderr)`)
        ]
      })
    })
).pipe(Command.withDescription("Import a roster of people and their assignments (XLSX or CSV)"))

const geojson = Command.make(
  "geojson",
  {
    ...Settings.globalOptions,
    file: fileArg("A GeoJSON FeatureCollection of node areas and site points"),
    effectiveOn,
    idProperty: Options.text("id-property").pipe(
      Options.withDescription(
        "The feature property holding the node id (default: the feature's id, else properties.id)"
      ),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const progress = yield* Output.Progress
      const written = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const day = yield* dateOf(config.effectiveOn)
          const input = yield* readJson(config.file)
          const commands = yield* commandsOf(input, {
            effectiveOn: day,
            idProperty: Option.getOrUndefined(config.idProperty)
          })
          const geography = yield* Geography.Geography
          const versions: Array<{ readonly nodeId: string; readonly version: number; readonly changeId: string }> = []
          yield* progress.update("geometries", 0, commands.length)
          for (let start = 0; start < commands.length; start += geometryBatchSize) {
            const batch = commands.slice(start, start + geometryBatchSize)
            const done = yield* geography
              .setGeometries(actor, batch)
              .pipe(Effect.mapError((error) => (error._tag === "Invalid" ? atFeatures(error, start) : error)))
            versions.push(
              ...done.map((version) => ({
                nodeId: version.nodeId,
                version: version.version,
                changeId: version.changeId
              }))
            )
            yield* progress.update("geometries", versions.length, commands.length)
          }
          yield* progress.finish
          return { effectiveOn: day, features: commands.length, versions }
        })
      )
      yield* Output.emit(settings, {
        json: written,
        human: () => [`set ${written.versions.length} geometries as of ${written.effectiveOn}`]
      })
    })
).pipe(Command.withDescription("Import node areas and site points from a GeoJSON FeatureCollection"))

/**
 * `sortgrid import`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("import").pipe(
  Command.withHandler(() =>
    Effect.fail(
      new UsageError({ message: "choose what to import: divisions, roster or geojson (see sortgrid import --help)" })
    )
  ),
  Command.withSubcommands([divisions, roster, geojson]),
  Command.withDescription("Import division lists (CSV), rosters (XLSX or CSV) and geometries (GeoJSON)")
)
