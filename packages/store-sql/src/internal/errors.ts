import { type SqlClient, SqlError } from "@effect/sql"
import { Errors } from "@sortgrid/core"
import { Effect, Option, type ParseResult } from "effect"

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
 * Runs an effect in a write transaction (joining an enclosing one). SQL failures become
 * `StorageError`s — including a failed COMMIT, which @effect/sql raises as a defect.
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

/** Splits rows into chunks that keep a multi-row statement under the dialect's bind limit. */
export const chunksOf = <A>(rows: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size))
  return chunks
}

/** Most parameters one statement may bind: SQLite's default limit is 32,766, PostgreSQL's and MySQL's 65,535. */
export const maxParameters = (sql: SqlClient.SqlClient): number =>
  sql.onDialectOrElse({ pg: () => 65_535, mysql: () => 65_535, orElse: () => 32_766 })

/** MySQL/MariaDB's duplicate-key error (1062): an insert hit a row with the same key. */
export const isDuplicateKey = (error: SqlError.SqlError): boolean => {
  const cause: unknown = error.cause
  return typeof cause === "object" && cause !== null && "errno" in cause && cause.errno === 1062
}
