/**
 * The unit-of-work port: runs an effect so that every write it makes through any port commits
 * together or not at all. Services wrap "save the change and append its audit entry" in it; a
 * nested call joins the enclosing transaction.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { StorageError } from "./Errors.js"

/**
 * Runs effects atomically. Write transactions are serialised by the store (SQLite: `BEGIN
 * IMMEDIATE`; PostgreSQL: row locks taken by the ports; memory: one lock).
 *
 * @since 0.1.0
 * @category ports
 */
export class Transactor extends Context.Tag("@sortgrid/core/Transactor")<
  Transactor,
  {
    /** Runs the effect in one transaction: commits if it succeeds, rolls back if it fails. */
    readonly withTransaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StorageError, R>
  }
>() {}
