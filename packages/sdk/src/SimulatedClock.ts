/**
 * A clock the host moves by hand, for simulations and for replaying a period that has passed: every
 * service reads the time from Effect's `Clock`, so a store opened with `clock: simulated.clock` sees
 * the instant last `set`, and records events at it. The demo walks January–June 2023 this way.
 *
 * The time stays the host's, never a client's: a caller of the services still cannot choose when
 * its commands happen. Sleeping on this clock is not supported (the services never sleep).
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"

/**
 * A clock and the hand that moves it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatedClock {
  /** The clock to give `Sortgrid.layer` / `Client.open` as `clock`. */
  readonly clock: Clock.Clock
  /** Moves the clock to an instant (epoch milliseconds). */
  readonly set: (millis: number) => void
  /** The instant the clock shows. */
  readonly now: () => number
}

/**
 * A clock standing at `start` (epoch milliseconds) until it is `set` elsewhere.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (start: number): SimulatedClock => {
  let current = start
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => current,
    currentTimeMillis: Effect.sync(() => current),
    unsafeCurrentTimeNanos: () => BigInt(current) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(current) * 1_000_000n),
    sleep: () => Effect.dieMessage("SimulatedClock does not sleep: set it instead")
  }
  return {
    clock,
    set: (millis) => {
      current = millis
    },
    now: () => current
  }
}
