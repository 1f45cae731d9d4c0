import type { SqlClient, SqlError } from "@effect/sql"
import type { Errors } from "@sortgrid/core"
import { Effect, type ParseResult, Schema } from "effect"
import { chunksOf, malformed, toStorageError } from "./errors.js"

/** An integer column: PostgreSQL returns BIGINT and COUNT(*) as strings, SQLite returns numbers. */
export const Int = Schema.Union(Schema.Int, Schema.NumberFromString.pipe(Schema.int()))

/**
 * Runs a statement and decodes its rows: `sql\`…\`.pipe(readRows(operation, decode))`. A failed
 * statement and a row that does not decode are both a `StorageError` naming the operation.
 */
export const readRows =
  <A>(operation: string, decode: (rows: ReadonlyArray<unknown>) => Effect.Effect<A, ParseResult.ParseError>) =>
  (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>): Effect.Effect<A, Errors.StorageError> =>
    statement.pipe(
      Effect.mapError(toStorageError(operation)),
      Effect.flatMap((rows) => Effect.mapError(decode(rows), malformed(operation)))
    )

/** Ids one statement binds when each id is its own parameter: well under either dialect's limit. */
export const idsPerQuery = 5_000

/** Runs `select` once per chunk of `ids`, so a long list stays under the bind limit; the rows, in order. */
export const inChunks = <A, E>(
  ids: ReadonlyArray<string>,
  select: (chunk: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<A>, E>
): Effect.Effect<Array<A>, E> =>
  Effect.map(Effect.forEach(chunksOf(ids, idsPerQuery), select), (chunks) => chunks.flat())

/**
 * For a client, `isAnyOf(column, ids)`: `column` is one of `ids`, bound as one parameter however many
 * ids there are (a JSON array read by `json_each` on SQLite, a `text[]` on PostgreSQL, a JSON array
 * read by `JSON_TABLE` on MySQL/MariaDB). On MySQL the ids' column names no collation: the table
 * column's binary collation then decides the comparison (a `_bin` collation wins over the default
 * `_ci` one of the same character set), so ids compare byte-wise and the column's index is used.
 */
export const anyOf = (sql: SqlClient.SqlClient) => (column: string, ids: ReadonlyArray<string>) =>
  sql.onDialectOrElse({
    pg: () => sql`${sql(column)} = ANY(${[...ids]}::text[])`,
    mysql: () =>
      sql`${sql(column)} IN (SELECT value FROM JSON_TABLE(${JSON.stringify(ids)}, '$[*]' COLUMNS (value VARCHAR(768) CHARACTER SET utf8mb4 PATH '$')) AS ids)`,
    orElse: () => sql`${sql(column)} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
  })

/** The first string after every path that starts with `path` ('0' is the character after '/'). */
export const pathEnd = (path: string): string => `${path.slice(0, -1)}0`
