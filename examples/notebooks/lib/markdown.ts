// Small helpers to write the pages' Markdown: tables, numbers, escaping.

/** Escapes text for a Markdown table cell or inline HTML. */
export const escapeText = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|")

/** A column: its heading, how to read a row's cell, and whether it is numeric (right-aligned). */
export interface Column<Row> {
  readonly heading: string
  readonly cell: (row: Row) => string | number
  readonly numeric?: boolean
}

/** A Markdown table. */
export const table = <Row>(columns: ReadonlyArray<Column<Row>>, rows: ReadonlyArray<Row>): string => {
  const line = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  return [
    line(columns.map((c) => escapeText(c.heading))),
    line(columns.map((c) => (c.numeric === true ? "---:" : ":---"))),
    ...rows.map((row) =>
      line(
        columns.map((c) => {
          const value = c.cell(row)
          return typeof value === "number" ? integer(value) : escapeText(value)
        })
      )
    )
  ].join("\n")
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })

/** An integer with thousands separators: 4,104. */
export const integer = (value: number): string => grouped.format(value)

/** A number with a fixed number of decimals. */
export const fixed = (value: number, decimals = 2): string => value.toFixed(decimals)

/** A share as a percentage: 0.614 → "61.4%". */
export const percent = (value: number, decimals = 1): string => `${(value * 100).toFixed(decimals)}%`

/** A signed change: +3, −2, 0. */
export const signed = (value: number, decimals = 0): string =>
  value > 0 ? `+${value.toFixed(decimals)}` : value < 0 ? `−${Math.abs(value).toFixed(decimals)}` : "0"

/** The month's English name: "2023-06" → "June". */
export const monthName = (month: string): string =>
  new Date(`${month}-01T00:00:00Z`).toLocaleString("en-US", { month: "long", timeZone: "UTC" })
