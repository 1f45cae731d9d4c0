/**
 * Spreadsheets (XLSX) as the same rows {@link Tabular} reads from CSV: the first worksheet, its
 * first row the header, each later row numbered as the spreadsheet numbers it. Cells become text —
 * a date cell `YYYY-MM-DD`, a number its decimal digits, a formula its computed value — so the
 * importers decode a spreadsheet and a CSV file alike. Reading and writing go through `exceljs`.
 *
 * @since 0.1.0
 */
import { Readable } from "node:stream"
import { Array as Arr, Effect, Either } from "effect"
import ExcelJS from "exceljs"
import { type Row, RowIssue } from "./Tabular.js"

/**
 * A sheet read: the rows whose every cell could be read, and the problems with the others (a cell
 * holding an error value such as `#N/A`, an invalid date, a formula never computed).
 *
 * @since 0.1.0
 * @category models
 */
export interface Sheet {
  readonly rows: ReadonlyArray<Row>
  readonly rejected: ReadonlyArray<RowIssue>
}

/**
 * A value to write into a cell.
 *
 * @since 0.1.0
 * @category models
 */
export type CellValue = string | number | boolean | Date | null

const pad = (value: number) => String(value).padStart(2, "0")

/** Excel stores dates without a zone; exceljs reads them as UTC, so the UTC fields are the cell's. */
const dateText = (date: Date): Either.Either<string, string> => {
  if (Number.isNaN(date.getTime())) return Either.left("the cell holds an invalid date")
  const day = `${String(date.getUTCFullYear()).padStart(4, "0")}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return Either.right(time === "00:00:00" ? day : `${day}T${time}`)
}

const joinText = (parts: ReadonlyArray<ExcelJS.RichText>) =>
  parts
    .map((part) => part.text)
    .join("")
    .trim()

const cellText = (value: ExcelJS.CellValue): Either.Either<string, string> => {
  if (value === null || value === undefined) return Either.right("")
  if (typeof value === "string") return Either.right(value.trim())
  if (typeof value === "number") return Either.right(String(value))
  if (typeof value === "boolean") return Either.right(value ? "TRUE" : "FALSE")
  if (value instanceof Date) return dateText(value)
  if ("error" in value) return Either.left(`the cell holds the error ${value.error}`)
  if ("richText" in value) return Either.right(joinText(value.richText))
  if ("hyperlink" in value) return Either.right(String(value.text).trim())
  if (value.result === undefined) return Either.left("the cell holds a formula that was never computed")
  return cellText(value.result)
}

const extract = (workbook: ExcelJS.Workbook, required: ReadonlyArray<string>) => {
  const sheet = workbook.worksheets[0]
  if (sheet === undefined) {
    return Either.left([new RowIssue({ row: 0, column: "", reason: "the workbook has no worksheet" })])
  }
  const header = new Map<number, string>()
  sheet.getRow(1).eachCell((cell, column) => {
    const name = Either.getOrElse(cellText(cell.value), () => "")
    if (name !== "" && ![...header.values()].includes(name)) header.set(column, name)
  })
  if (header.size === 0) return Either.left([new RowIssue({ row: 1, column: "", reason: "the sheet is empty" })])
  const names = [...header.values()]
  const missing = required.filter((column) => !names.includes(column))
  if (Arr.isNonEmptyReadonlyArray(missing)) {
    return Either.left(
      missing.map((column) => new RowIssue({ row: 1, column, reason: `the header has no column "${column}"` }))
    )
  }
  const rows: Array<Row> = []
  const rejected: Array<RowIssue> = []
  sheet.eachRow((row, number) => {
    if (number === 1) return
    const cells: Record<string, string> = {}
    const issues: Array<RowIssue> = []
    for (const [column, name] of header) {
      Either.match(cellText(row.getCell(column).value), {
        onLeft: (reason) => issues.push(new RowIssue({ row: number, column: name, reason })),
        onRight: (text) => {
          cells[name] = text
        }
      })
    }
    if (issues.length > 0) rejected.push(...issues)
    else if (Object.values(cells).some((text) => text !== "")) rows.push({ row: number, cells })
  })
  return Either.right({ rows, rejected })
}

/**
 * Reads the first worksheet of an XLSX file. A file that is not a workbook, or whose header lacks
 * a required column, is rejected whole (row 0 stands for the file itself); a bad cell rejects its
 * row only. Blank rows are skipped.
 *
 * @since 0.1.0
 * @category reading
 */
export const readXlsx = (
  content: Uint8Array,
  required: ReadonlyArray<string>
): Effect.Effect<Sheet, ReadonlyArray<RowIssue>> =>
  Effect.tryPromise({
    // `read` takes a stream: exceljs types `load` against a `Buffer` no Uint8Array satisfies.
    try: () => new ExcelJS.Workbook().xlsx.read(Readable.from([content])),
    catch: (error) => [
      new RowIssue({
        row: 0,
        column: "",
        reason: `the file is not an XLSX workbook (${error instanceof Error ? error.message : String(error)})`
      })
    ]
  }).pipe(Effect.flatMap((workbook) => extract(workbook, required)))

/**
 * Writes a table as a workbook of one worksheet: the header in row 1, then the rows. For exports,
 * and for tests that need real files.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeXlsx = (table: {
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<CellValue>>
  readonly sheet?: string | undefined
}): Effect.Effect<Uint8Array> =>
  Effect.promise(async () => {
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet(table.sheet ?? "Sheet1")
    sheet.addRow([...table.header])
    for (const row of table.rows) sheet.addRow([...row])
    return new Uint8Array(await workbook.xlsx.writeBuffer())
  })
