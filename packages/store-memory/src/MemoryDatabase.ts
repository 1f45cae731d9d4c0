/**
 * The in-memory database behind every memory port: tables are `Ref`s of immutable values, and one
 * lock serialises transactions. A transaction snapshots every table when it starts and restores them
 * all if it fails, so memory has the same all-or-nothing behaviour as SQL. Nested transactions join
 * the enclosing one.
 *
 * @since 0.1.0
 */
import { Effect, FiberRef, Ref } from "effect"

/**
 * A memory database: create tables with `table`, run atomic work with `transaction`.
 *
 * @since 0.1.0
 * @category services
 */
export class MemoryDatabase extends Effect.Service<MemoryDatabase>()("@sortgrid/store-memory/MemoryDatabase", {
  effect: Effect.gen(function* () {
    const lock = yield* Effect.makeSemaphore(1)
    const inTransaction = FiberRef.unsafeMake(false)
    const tables: Array<Ref.Ref<unknown>> = []

    /** Runs an effect atomically: all tables commit together, or are all restored on failure. */
    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.flatMap(FiberRef.get(inTransaction), (nested) =>
        nested
          ? effect
          : lock.withPermits(1)(
              Effect.uninterruptibleMask((restore) =>
                Effect.gen(function* () {
                  const snapshot = yield* Effect.forEach(tables, Ref.get)
                  return yield* restore(Effect.locally(effect, inTransaction, true)).pipe(
                    Effect.onExit((exit) =>
                      exit._tag === "Success"
                        ? Effect.void
                        : Effect.forEach(tables, (table, i) => Ref.set(table, snapshot[i]), { discard: true })
                    )
                  )
                })
              )
            )
      )

    /** A new table holding `initial`; it takes part in every transaction. */
    const table = <S>(initial: S): Effect.Effect<Ref.Ref<S>> =>
      Effect.tap(Ref.make(initial), (ref) => Effect.sync(() => tables.push(ref as Ref.Ref<unknown>)))

    return { transaction, table } as const
  })
}) {}
