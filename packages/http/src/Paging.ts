/**
 * Cursor pagination for long lists. A list endpoint takes `limit` (1 to {@link maxPageSize}, default
 * {@link defaultPageSize}; a larger one is a 400, not silently cut) and `cursor` (a previous page's
 * `nextCursor`), and answers `{ items, nextCursor }`; `nextCursor` is `null` on the last page.
 *
 * A cursor is opaque to clients: the base64url of the last item's key in the list's order (a node's
 * path, a due date and problem id). Lists are ordered by that key, so a page starts strictly after
 * the cursor's item and pages neither repeat nor skip items that were there when paging started.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { BadRequest, issue } from "./ApiError.js"

/**
 * The largest page any list endpoint serves.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxPageSize = 200

/**
 * The page size when none is asked for.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPageSize = 50

/**
 * A cursor on the wire: opaque base64url text.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Cursor = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,1024}$/, { message: () => "is not a cursor of this list" })
).annotations({ description: "A previous page's nextCursor" })

const badCursor = new BadRequest({
  detail: "cursor: is not a cursor of this list",
  issues: [issue(["cursor"], "is not a cursor of this list")]
})

/**
 * The key a cursor carries, or a 400 naming `cursor`.
 *
 * @since 0.1.0
 * @category paging
 */
export const keyOfCursor = (cursor: string | undefined): Effect.Effect<string | undefined, BadRequest> => {
  if (cursor === undefined) return Effect.succeed(undefined)
  const key = Buffer.from(cursor, "base64url").toString("utf8")
  return key !== "" && Buffer.from(key, "utf8").toString("base64url") === cursor
    ? Effect.succeed(key)
    : Effect.fail(badCursor)
}

/**
 * A page size in a query string: a whole number from 1 to {@link maxPageSize}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Limit = Schema.NumberFromString.pipe(
  Schema.int({ message: () => "must be a whole number" }),
  Schema.between(1, maxPageSize, { message: () => `must be a whole number from 1 to ${maxPageSize}` })
).annotations({ description: `Items per page, 1 to ${maxPageSize} (default ${defaultPageSize})` })

/**
 * The paging fields of a list endpoint's query, to spread into its `urlParams` struct.
 *
 * @since 0.1.0
 * @category schemas
 */
export const pageParams = {
  cursor: Schema.optional(Cursor),
  limit: Schema.optional(Limit)
}

/**
 * What a list endpoint was asked for.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageRequest {
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

/**
 * A page of items and where the next one starts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Page = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    items: Schema.Array(item),
    nextCursor: Schema.NullOr(Schema.String).annotations({
      description: "The cursor of the next page; null on the last"
    })
  })

/**
 * A page, as the handler builds it.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageOf<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

const encodeKey = (key: string) => Buffer.from(key, "utf8").toString("base64url")

/**
 * Cuts a page out of a whole list: orders it by key, starts after the cursor's key, takes `limit`.
 * A cursor that is not one of this API's is a 400.
 *
 * @since 0.1.0
 * @category paging
 */
export const paginate = <A>(
  items: ReadonlyArray<A>,
  keyOf: (item: A) => string,
  request: PageRequest
): Effect.Effect<PageOf<A>, BadRequest> =>
  Effect.map(keyOfCursor(request.cursor), (after) => {
    const limit = request.limit ?? defaultPageSize
    const keyed = items
      .map((item) => ({ item, key: keyOf(item) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    const from = after === undefined ? 0 : keyed.findIndex(({ key }) => key > after)
    const start = from === -1 ? keyed.length : from
    const page = keyed.slice(start, start + limit)
    const last = page.at(-1)
    return {
      items: page.map(({ item }) => item),
      nextCursor: start + limit < keyed.length && last !== undefined ? encodeKey(last.key) : null
    }
  })

/**
 * A key that sorts numbers as strings do: zero-padded to 16 digits.
 *
 * @since 0.1.0
 * @category paging
 */
export const numberKey = (value: number): string => String(value).padStart(16, "0")

/**
 * The cursor for a key, as {@link paginate} writes it (for lists paged by the store).
 *
 * @since 0.1.0
 * @category paging
 */
export const cursorOf = (key: string): string => encodeKey(key)
