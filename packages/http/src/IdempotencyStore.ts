/**
 * Where `Idempotency-Key` records live. Every POST may carry an `Idempotency-Key`; the first request
 * with a key is carried out and its response stored; a retry with the same key and the same body
 * gets the stored response back (nothing runs twice); the same key with another body is a 409. A
 * key is the caller's: keys are kept per bearer token, so two callers never share one.
 *
 * The rule is `Idempotency.decide` from `@sortgrid/core`; this port only keeps records. The sample
 * server keeps them in memory ({@link layerMemory}), which a restart forgets: a host that needs
 * retries to survive restarts, or runs several servers, provides its own store (a table keyed by
 * `key`, with a unique constraint making {@link IdempotencyStore} `begin` atomic).
 *
 * @since 0.1.0
 */
import { Idempotency } from "@sortgrid/core"
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"

/**
 * A response as stored: enough to send it again byte for byte.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredResponse {
  readonly status: number
  readonly contentType: string | undefined
  readonly body: Uint8Array
}

/**
 * What {@link IdempotencyStore} `begin` found.
 *
 * - `Started`: the key is new and now held by this request, which must `complete` or `abandon` it;
 * - `Replay`: a finished request with the same digest; send its response;
 * - `Mismatch`: the key was used with another body;
 * - `InFlight`: a request with this key has not finished yet.
 *
 * @since 0.1.0
 * @category models
 */
export type Begin =
  | { readonly _tag: "Started" }
  | { readonly _tag: "Replay"; readonly response: StoredResponse }
  | { readonly _tag: "Mismatch" }
  | { readonly _tag: "InFlight" }

/**
 * Idempotency records.
 *
 * @since 0.1.0
 * @category ports
 */
export class IdempotencyStore extends Context.Tag("@sortgrid/http/IdempotencyStore")<
  IdempotencyStore,
  {
    /** Atomically: looks the key up and, when it is free, holds it for this request. */
    readonly begin: (key: string, digest: string) => Effect.Effect<Begin>
    /** Stores the response of the request holding the key. */
    readonly complete: (key: string, digest: string, response: StoredResponse) => Effect.Effect<void>
    /** Frees a held key without storing anything (the request failed in a way a retry may fix). */
    readonly abandon: (key: string) => Effect.Effect<void>
  }
>() {}

/**
 * How long the memory store keeps a record: 24 hours, as is usual for idempotency keys.
 *
 * @since 0.1.0
 * @category constants
 */
export const retentionMillis = 24 * 60 * 60 * 1000

type Entry =
  | { readonly _tag: "Held"; readonly digest: string; readonly at: number }
  | { readonly _tag: "Done"; readonly digest: string; readonly at: number; readonly response: StoredResponse }

/**
 * Records in memory, for one process; each is forgotten {@link retentionMillis} after it was made.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<IdempotencyStore> = Layer.sync(IdempotencyStore, () => {
  // A plain map changed inside `Effect.sync` blocks: each block runs to completion on the one
  // JavaScript thread, so `begin`'s look-up-and-hold is atomic without copying the map.
  const entries = new Map<string, Entry>()
  let sweptAt = 0
  const sweep = (now: number) => {
    if (now - sweptAt < 60_000) return
    sweptAt = now
    for (const [key, entry] of entries) if (now - entry.at >= retentionMillis) entries.delete(key)
  }
  return {
    begin: (key, digest) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync((): Begin => {
          sweep(now)
          const found = entries.get(key)
          if (found === undefined || now - found.at >= retentionMillis) {
            entries.set(key, { _tag: "Held", digest, at: now })
            return { _tag: "Started" }
          }
          const decision = Idempotency.decide(Option.some({ digest: found.digest, result: found }), digest)
          if (decision._tag === "Conflict") return { _tag: "Mismatch" }
          return found._tag === "Held" ? { _tag: "InFlight" } : { _tag: "Replay", response: found.response }
        })
      ),
    complete: (key, digest, response) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          entries.set(key, { _tag: "Done", digest, at: now, response })
        })
      ),
    abandon: (key) =>
      Effect.sync(() => {
        entries.delete(key)
      })
  }
})

/**
 * An `Idempotency-Key` value: 1 to 255 visible ASCII characters (a UUID, say).
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdempotencyKey = Schema.String.pipe(
  Schema.pattern(/^[\x21-\x7e]{1,255}$/, { message: () => "must be 1 to 255 visible ASCII characters" })
).annotations({ description: "Chosen by the client; a retry with the same key and body gets the first response" })

/**
 * The headers of every sortgrid POST: a required `Idempotency-Key`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PostHeaders = Schema.Struct({ "idempotency-key": IdempotencyKey })
