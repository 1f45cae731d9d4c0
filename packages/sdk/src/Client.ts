/**
 * The Promise facade, for apps that do not use Effect. Every method decodes its input, runs the
 * same service (with the same permission checks) an Effect user would, and resolves with the result
 * or rejects with the service's typed error — an `Error` whose `_tag` says which
 * (`Invalid`, `Forbidden`, `Conflict`, `NotFound`, `StoreUnavailable`, `StorageError`) and whose
 * `message` says why.
 *
 * ```ts
 * const sortgrid = await Client.open({ store: "sqlite:./sortgrid.db" })
 * try {
 *   const report = await sortgrid.audit.verify(actor)
 * } finally {
 *   await sortgrid.close()
 * }
 * ```
 *
 * @since 0.1.0
 */
import { Actor, Audit, AuditLog, Errors } from "@sortgrid/core"
import { Cause, Effect, Exit, ManagedRuntime, Schema } from "effect"
import * as Sortgrid from "./Sortgrid.js"

/**
 * An actor as plain data: `{ id, roles, scope }`.
 *
 * @since 0.1.0
 * @category models
 */
export type ActorInput = typeof Actor.Actor.Encoded

/**
 * An open sortgrid, as Promises.
 *
 * @since 0.1.0
 * @category models
 */
export interface SortgridClient {
  readonly audit: {
    /** Appends entries (`{ id, actor, action, subject, payload }`) as the actor; needs `audit.append`. */
    readonly record: (actor: ActorInput, entries: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Audit.AuditEntry>>
    /** Reads entries in position order; needs `audit.read`. */
    readonly read: (
      actor: ActorInput,
      options?: { readonly fromPosition?: number; readonly limit?: number }
    ) => Promise<ReadonlyArray<Audit.AuditEntry>>
    /** Verifies the whole chain against the stored head and any anchors; needs `audit.verify`. */
    readonly verify: (
      actor: ActorInput,
      options?: { readonly anchors?: ReadonlyArray<typeof Audit.AuditHead.Encoded> }
    ) => Promise<Audit.Verification>
  }
  /** Runs any Effect program against this client's services: the way down from Promises to Effect. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Sortgrid.Services>) => Promise<A>
  /** Closes the store. The client must not be used afterwards. */
  readonly close: () => Promise<void>
}

const decodeActor = (input: ActorInput) =>
  Effect.mapError(Schema.decodeUnknown(Actor.Actor, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, ["actor"])
  )

const decodeAnchors = (input: ReadonlyArray<unknown> | undefined) =>
  Effect.mapError(Schema.decodeUnknown(Schema.Array(Audit.AuditHead), { errors: "all" })(input ?? []), (error) =>
    Errors.Invalid.fromParseError(error, ["anchors"])
  )

/**
 * Opens a store and starts the services. Rejects with `Invalid` for a bad URL and
 * `StoreUnavailable` when the store cannot be opened, reached or migrated.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = async (options: Sortgrid.SortgridOptions = {}): Promise<SortgridClient> => {
  const runtime = ManagedRuntime.make(Sortgrid.layer(options))
  const run = async <A, E>(effect: Effect.Effect<A, E, Sortgrid.Services>): Promise<A> => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }
  try {
    await run(Effect.void)
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  const withLog = <A, E>(f: (log: AuditLog.AuditLog) => Effect.Effect<A, E>) =>
    run(Effect.flatMap(AuditLog.AuditLog, f))
  return {
    audit: {
      record: (actor, entries) =>
        withLog((log) => Effect.flatMap(decodeActor(actor), (decoded) => log.record(decoded, entries))),
      read: (actor, readOptions) =>
        withLog((log) => Effect.flatMap(decodeActor(actor), (decoded) => log.read(decoded, readOptions))),
      verify: (actor, verifyOptions) =>
        withLog((log) =>
          Effect.flatMap(
            Effect.all([decodeActor(actor), decodeAnchors(verifyOptions?.anchors)]),
            ([decoded, anchors]) => log.verify(decoded, { anchors })
          )
        )
    },
    run,
    close: () => runtime.dispose()
  }
}
