/**
 * Store URLs: one string that says where sortgrid keeps its data.
 *
 * - `sqlite:./sortgrid.db` (the default), `sqlite:/abs/path.db`, `sqlite::memory:`
 * - `postgres://user:password@host:5432/database?schema=district_110112` (or `postgresql://`);
 *   `schema` picks the PostgreSQL schema, `public` by default
 * - `memory:` — nothing is kept after the process ends
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import { Data, Either, Redacted } from "effect"

/**
 * The default store: a SQLite file in the working directory.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultUrl = "sqlite:./sortgrid.db"

/**
 * A parsed store URL.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreLocation = Data.TaggedEnum<{
  Sqlite: { readonly filename: string }
  Postgres: { readonly url: Redacted.Redacted<string>; readonly schema: string | undefined }
  Memory: {}
}>

/**
 * Constructors and matchers for {@link StoreLocation}.
 *
 * @since 0.1.0
 * @category models
 */
export const StoreLocation = Data.taggedEnum<StoreLocation>()

const invalid = (reason: string) => Either.left(Errors.Invalid.one("store", reason))

/**
 * Parses a store URL. Anything else is `Invalid` on the `store` field, with the reason.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (url: string): Either.Either<StoreLocation, Errors.Invalid> => {
  if (url === "memory:") return Either.right(StoreLocation.Memory())
  if (url.startsWith("sqlite:")) {
    const filename = url.slice("sqlite:".length)
    if (filename === "") return invalid("sqlite: needs a file path, as in sqlite:./sortgrid.db")
    if (filename.startsWith("//"))
      return invalid("write sqlite:/absolute/path.db or sqlite:./relative.db, not sqlite://")
    return Either.right(StoreLocation.Sqlite({ filename }))
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return invalid("is not a valid postgres:// URL")
    }
    if (parsed.hostname === "") return invalid("a postgres:// URL needs a host")
    const schema = parsed.searchParams.get("schema") ?? undefined
    parsed.searchParams.delete("schema")
    return Either.right(StoreLocation.Postgres({ url: Redacted.make(parsed.toString()), schema }))
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]
  return invalid(
    `${scheme === undefined ? `"${url}" has no scheme` : `unknown scheme "${scheme}:"`}; use sqlite:PATH, postgres://HOST/DATABASE or memory:`
  )
}
