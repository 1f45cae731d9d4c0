/**
 * JSON values, as a schema: what may go into an audit payload or any other stored document.
 * Numbers must be finite, so every value survives a round trip through text unchanged.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { canonicalJson, digest as digestOf } from "./internal/canonical.js"

/**
 * A JSON value.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * The schema of a JSON value (finite numbers only).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Json: Schema.Schema<Json> = Schema.Union(
  Schema.Null,
  Schema.Boolean,
  Schema.Number.pipe(Schema.finite()),
  Schema.String,
  Schema.Array(Schema.suspend(() => Json)),
  Schema.Record({ key: Schema.String, value: Schema.suspend(() => Json) })
).annotations({ identifier: "Json" })

/**
 * The canonical text of a JSON value: object keys sorted at every depth, no whitespace.
 *
 * @since 0.1.0
 * @category encoding
 */
export const canonical: (value: Json) => string = canonicalJson

/**
 * The SHA-256 (lower-case hex) of a value's canonical text: equal values, equal digests.
 *
 * @since 0.1.0
 * @category encoding
 */
export const digest: (value: Json) => string = digestOf
