import { type SqlClient, SqlError } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import { Effect, Option, type ParseResult, Schema } from "effect"

/** Most parameters one MariaDB/MySQL statement may bind (the protocol counts them in 16 bits). */
export const maxParameters = (_sql?: SqlClient.SqlClient): number => 65_535

const describe = (error: SqlError.SqlError): string => {
  const cause = error.cause
  const detail = cause instanceof Error ? cause.message : cause === undefined ? "" : String(cause)
  return detail === "" || detail === error.message ? error.message : `${error.message}: ${detail}`
}

/** A `SqlError` as the `StorageError` ports promise, naming the operation. */
export const toStorageError = (operation: string) => (error: SqlError.SqlError) =>
  new Errors.StorageError({ operation, reason: describe(error) })

/** A stored row that does not decode: the database was edited outside sortgrid, or is corrupt. */
export const malformed = (operation: string) => (error: ParseResult.ParseError) =>
  new Errors.StorageError({ operation, reason: `stored data is malformed: ${error.message}` })

/**
 * Runs an effect in a write transaction, joining an enclosing one. The client's transactions begin
 * by locking the store's writer row (see `MariaDbStore`), so writers are serialised like SQLite's
 * `BEGIN IMMEDIATE`. SQL failures become `StorageError`s, a failed COMMIT (a defect in
 * `@effect/sql`) included.
 */
export const transaction =
  (sql: SqlClient.SqlClient, operation: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, SqlError.SqlError> | Errors.StorageError, R> =>
    sql.withTransaction(effect).pipe(
      Effect.catchIf(
        (error): error is SqlError.SqlError => error instanceof SqlError.SqlError,
        (error) => Effect.fail(toStorageError(operation)(error))
      ),
      Effect.catchSomeDefect((defect) =>
        defect instanceof SqlError.SqlError
          ? Option.some(Effect.fail(toStorageError(operation)(defect)))
          : Option.none()
      )
    ) as Effect.Effect<A, Exclude<E, SqlError.SqlError> | Errors.StorageError, R>

/** Splits rows into chunks that keep a multi-row statement under the bind limit. */
export const chunksOf = <A>(rows: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size))
  return chunks
}

/** An integer column: mysql2 returns BIGINT as a number, DECIMAL (SUM) as a string. */
export const Int = Schema.Union(Schema.Int, Schema.NumberFromString.pipe(Schema.int()))

/** Runs a statement and decodes its rows; a failed statement or a bad row is a `StorageError`. */
export const readRows =
  <A>(operation: string, decode: (rows: ReadonlyArray<unknown>) => Effect.Effect<A, ParseResult.ParseError>) =>
  (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>): Effect.Effect<A, Errors.StorageError> =>
    statement.pipe(
      Effect.mapError(toStorageError(operation)),
      Effect.flatMap((rows) => Effect.mapError(decode(rows), malformed(operation)))
    )

/** Text read from JSON compares as the tables' columns do: byte-wise. */
const binary = (type: string): string =>
  /^(VARCHAR|CHAR|TEXT|LONGTEXT|MEDIUMTEXT)\b/i.test(type)
    ? `${type} CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin`
    : type

/**
 * The rows of a JSON array of arrays as a derived table, one parameter however many rows:
 * `JSON_TABLE(?, '$[*]' COLUMNS (a VARCHAR(255) PATH '$[0]', …))`. `columns` maps names to types.
 */
export const jsonRows = (
  sql: SqlClient.SqlClient,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  columns: ReadonlyArray<readonly [name: string, type: string]>
) =>
  sql`JSON_TABLE(${JSON.stringify(rows)}, '$[*]' COLUMNS (${sql.literal(
    columns.map(([name, type], index) => `${name} ${binary(type)} PATH '$[${index}]'`).join(", ")
  )}))`

/** For a client, `isAnyOf(column, ids)`: `column` is one of `ids`, bound as one JSON parameter. */
export const anyOf = (sql: SqlClient.SqlClient) => (column: string, ids: ReadonlyArray<string>) =>
  sql`${sql(column)} IN (SELECT value FROM JSON_TABLE(${JSON.stringify(ids)}, '$[*]' COLUMNS (value ${sql.literal(binary("VARCHAR(768)"))} PATH '$')) AS ids)`

/**
 * Multi-row INSERTs: the statement text for a table and row count is built once and reused, and
 * rows are split to stay under the bind limit. `ignore` skips rows whose key exists.
 */
export const makeInserter = <Row>(
  sql: SqlClient.SqlClient,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
  options?: { readonly suffix?: string }
) => {
  const rowsPerStatement = Math.floor(maxParameters() / columns.length)
  const texts = new Map<number, string>()
  const tuple = `(${columns.map(() => "?").join(",")})`
  const textFor = (rows: number): string => {
    let text = texts.get(rows)
    if (text === undefined) {
      text = `INSERT INTO ${table} (${columns.map((c) => `\`${c}\``).join(",")}) VALUES ${Array.from({ length: rows }, () => tuple).join(",")}${options?.suffix === undefined ? "" : ` ${options.suffix}`}`
      texts.set(rows, text)
    }
    return text
  }
  return (rows: ReadonlyArray<Row>) =>
    Effect.forEach(
      chunksOf(rows, rowsPerStatement),
      (chunk) => {
        const values: Array<unknown> = []
        for (const row of chunk) for (const column of columns) values.push(row[column] ?? null)
        return sql.unsafe(textFor(chunk.length), values)
      },
      { discard: true }
    )
}

/** How many rows a write statement changed (MariaDB has no `RETURNING` on UPDATE). */
export const affectedRows = (statement: {
  readonly raw: Effect.Effect<unknown, SqlError.SqlError>
}): Effect.Effect<number, SqlError.SqlError> =>
  Effect.map(statement.raw, (result) =>
    typeof result === "object" && result !== null && "affectedRows" in result ? Number(result.affectedRows) : 0
  )
