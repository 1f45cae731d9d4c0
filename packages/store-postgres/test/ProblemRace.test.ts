import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { raceOnPostgres } from "./problem-race.js"

// The stress test's race, small enough for every run (ProblemRace.stress.test.ts races 1,000 pairs).
describe("ProblemRegister on PostgreSQL, two pools", () => {
  it.scopedLive(
    "50 close/reopen pairs, 8 in flight: one winner each, the other a version conflict, nothing lost",
    () =>
      Effect.gen(function* () {
        const race = yield* raceOnPostgres({ pairs: 50, pairsInFlight: 8, connectionsPerServer: 4 })
        expect(race.violations).toEqual([])
        expect(race.attempts.length).toBe(100)
        expect(race.wins.pass + race.wins.fail).toBe(50)
        expect(race.events).toBe(200)
      }),
    60_000
  )
})
