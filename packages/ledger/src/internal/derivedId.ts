/**
 * Transfer ids the pure cores derive from a client-chosen id, so that a retried command asks for
 * the same transfers and posting answers `Exists`. Same shape as `Transfer.timeoutVoidId`: readable
 * when it fits the id shape, a digest of its parts when not.
 */
import { Json } from "@sortgrid/core"
import * as Transfer from "../Transfer.js"

/** `prefix.part.part…`, or `prefix.<digest of the parts>` when that is longer than an id may be. */
export const derivedId = (prefix: string, parts: ReadonlyArray<string | number>): Transfer.TransferId => {
  const readable = `${prefix}.${parts.join(".")}`
  return Transfer.TransferId.make(readable.length <= 128 ? readable : `${prefix}.${Json.digest([...parts])}`)
}
