import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { overlap, raceOnPostgres, switches } from "./problem-race.js"

describe("ProblemRegister on PostgreSQL under stress", () => {
  it.scopedLive(
    "1,000 close/reopen pairs from two pools, 16 pairs in flight: one winner each, the other a version conflict, nothing lost",
    () =>
      Effect.gen(function* () {
        const race = yield* raceOnPostgres({ pairs: 1000, pairsInFlight: 16, connectionsPerServer: 8 })
        const { violations, attempts, ...summary } = race
        console.info(
          `problem race on postgres: ${JSON.stringify({ ...summary, switches: switches(attempts), overlap: overlap(attempts) })}`
        )
        expect(violations).toEqual([])
        expect(attempts.length).toBe(2000)
        expect(race.wins.pass + race.wins.fail).toBe(1000)
        expect(race.events).toBe(4000)
        // A race in which one side won everything would not have raced: each side must win pairs.
        expect(race.wins.pass).toBeGreaterThan(0)
        expect(race.wins.fail).toBeGreaterThan(0)
      }),
    600_000
  )
})
