import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { raceOnSqlite } from "./problem-race.js"

// The stress test's race, small enough for every run (ProblemRace.stress.test.ts races 1,000 pairs).
describe("ProblemRegister on SQLite, two processes", () => {
  it.scopedLive(
    "50 close/reopen pairs: one winner each, the other a version conflict, nothing lost",
    () =>
      Effect.gen(function* () {
        const race = yield* raceOnSqlite({ pairs: 50 })
        expect(race.violations).toEqual([])
        expect(race.attempts.length).toBe(100)
        expect(race.wins.pass + race.wins.fail).toBe(50)
        expect(race.events).toBe(200)
      }),
    60_000
  )
})
