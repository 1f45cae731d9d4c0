/**
 * Identifiers. Every id in sortgrid is a branded string: callers may choose their own (a client-chosen
 * id is the idempotency key of a create command), and ids the SDK mints are ULID-shaped — 26
 * Crockford base-32 characters whose first ten encode the millisecond, so they sort by creation time.
 * Minting reads Effect's `Clock` and `Random`, so tests with `TestClock` and a seeded `Random` get
 * the same ids on every run.
 *
 * @since 0.1.0
 */
import { type Brand, Clock, Effect, Random, Schema } from "effect"

/**
 * The shape every id shares: 1 to 128 characters, letters, digits and `.` `_` `:` `-`, starting with
 * a letter or digit. Wide enough for UUIDs, ULIDs and official division codes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdString = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
    message: () => "must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit"
  }),
  Schema.annotations({ identifier: "IdString" })
)

/**
 * A branded id schema: `const IssueId = Id.brand("IssueId")`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const brand = <const B extends string>(name: B) =>
  IdString.pipe(Schema.brand(name), Schema.annotations({ identifier: name }))

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const encode = (value: number, length: number): string => {
  let out = ""
  let rest = value
  for (let i = 0; i < length; i++) {
    out = alphabet[rest % 32]! + out
    rest = Math.floor(rest / 32)
  }
  return out
}

/**
 * A new time-ordered id: 10 characters of milliseconds, then 80 random bits. Ids minted in
 * different milliseconds sort by time; within one millisecond their order is random.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ulid: Effect.Effect<string> = Effect.gen(function* () {
  const millis = yield* Clock.currentTimeMillis
  let random = ""
  for (let i = 0; i < 4; i++) random += encode(yield* Random.nextIntBetween(0, 1 << 20), 4)
  return encode(millis, 10) + random
})

/**
 * Mints a new id of a branded id schema.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <B extends string | symbol>(schema: {
  readonly make: (value: string) => string & Brand.Brand<B>
}): Effect.Effect<string & Brand.Brand<B>> => Effect.map(ulid, (value) => schema.make(value))
