import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { chunksOf, maxParameters } from "./errors.js"

/**
 * Multi-row INSERTs for hot write paths. `sql.insert` compiles every statement afresh (a placeholder
 * per value); here the statement text for a given table and row count is built once and reused, and
 * the values are flattened in one loop. Rows are split to stay under the dialect's bind limit.
 */
export const makeInserter = <Row>(
  sql: SqlClient.SqlClient,
  table: string,
  columns: ReadonlyArray<keyof Row & string>
) => {
  const numbered = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const rowsPerStatement = Math.floor(maxParameters(sql) / columns.length)
  const texts = new Map<number, string>()
  const textFor = (rows: number): string => {
    let text = texts.get(rows)
    if (text === undefined) {
      const tuples: Array<string> = []
      for (let row = 0; row < rows; row++) {
        const base = row * columns.length
        tuples.push(`(${columns.map((_, column) => (numbered ? `$${base + column + 1}` : "?")).join(",")})`)
      }
      text = `INSERT INTO ${table} (${columns.join(",")}) VALUES ${tuples.join(",")}`
      texts.set(rows, text)
    }
    return text
  }
  return (rows: ReadonlyArray<Row>) =>
    Effect.forEach(
      chunksOf(rows, rowsPerStatement),
      (chunk) => {
        const values: Array<unknown> = []
        for (const row of chunk) for (const column of columns) values.push(row[column])
        return sql.unsafe(textFor(chunk.length), values)
      },
      { discard: true }
    )
}
