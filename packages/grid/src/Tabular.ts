/**
 * Tables from files (CSV today; spreadsheets through the same rows), checked row by row. Every
 * problem is reported with the row as a spreadsheet numbers it (the header is row 1), the column
 * and the reason, so whoever prepared the file can fix it.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import { parse } from "csv-parse/sync"
import { Array as Arr, Either, ParseResult, Schema } from "effect"

/**
 * One problem with one cell (or a whole row, when `column` is empty).
 *
 * @since 0.1.0
 * @category models
 */
export class RowIssue extends Schema.Class<RowIssue>("@sortgrid/grid/RowIssue")({
  row: Schema.Int,
  column: Schema.String,
  reason: Schema.String
}) {}

/**
 * A row of a table: its number and its cells by column name.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly row: number
  readonly cells: Readonly<Record<string, string>>
}

/**
 * What an import did: how many rows it read, which it wrote, and every problem found.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImportReport<A> {
  readonly rows: number
  readonly imported: ReadonlyArray<A>
  readonly rejected: ReadonlyArray<RowIssue>
}

/**
 * All-or-nothing writes nothing when any row is rejected; valid-rows writes the rows that pass.
 *
 * @since 0.1.0
 * @category models
 */
export type ImportMode = "all-or-nothing" | "valid-rows"

/**
 * Reads CSV text with a header row. A file that is not CSV at all (unbalanced quotes, a row with
 * the wrong number of cells) is rejected with the row and the reason.
 *
 * @since 0.1.0
 * @category reading
 */
export const readCsv = (
  text: string,
  required: ReadonlyArray<string>
): Either.Either<ReadonlyArray<Row>, ReadonlyArray<RowIssue>> => {
  let records: Array<Array<string>>
  try {
    records = parse(text.replace(/^\uFEFF/, ""), { relax_column_count: false, skip_empty_lines: true, trim: true })
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0
    return Either.left([new RowIssue({ row: line, column: "", reason: (error as Error).message })])
  }
  const [header, ...body] = records
  if (header === undefined) return Either.left([new RowIssue({ row: 1, column: "", reason: "the file is empty" })])
  const missing = required.filter((column) => !header.includes(column))
  if (missing.length > 0) {
    return Either.left(
      missing.map((column) => new RowIssue({ row: 1, column, reason: `the header has no column "${column}"` }))
    )
  }
  return Either.right(
    body.map((cells, index) => ({
      row: index + 2,
      cells: Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ""]))
    }))
  )
}

/**
 * Decodes a row with a schema; failures become issues naming the row and the column.
 *
 * @since 0.1.0
 * @category reading
 */
export const decodeRow = <A, I>(schema: Schema.Schema<A, I>, row: Row): Either.Either<A, ReadonlyArray<RowIssue>> =>
  Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "all" })(row.cells), (error) =>
    ParseResult.ArrayFormatter.formatErrorSync(error).map(
      (issue) => new RowIssue({ row: row.row, column: issue.path.map(String).join("."), reason: issue.message })
    )
  )

/**
 * The issues as an `Invalid` error, each at `rows[n].column`.
 *
 * @since 0.1.0
 * @category reading
 */
export const toInvalid = (issues: ReadonlyArray<RowIssue>): Errors.Invalid => {
  const mapped = issues.map(
    (issue) =>
      new Errors.Issue({
        path: issue.column === "" ? ["rows", issue.row] : ["rows", issue.row, issue.column],
        reason: issue.reason
      })
  )
  return new Errors.Invalid({
    issues: Arr.isNonEmptyReadonlyArray(mapped) ? mapped : [new Errors.Issue({ path: ["rows"], reason: "rejected" })]
  })
}
