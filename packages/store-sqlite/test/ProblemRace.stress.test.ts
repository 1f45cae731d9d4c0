import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { overlap, raceOnSqlite, switches } from "./problem-race.js"

describe("ProblemRegister on SQLite under stress", () => {
  it.scopedLive(
    "1,000 close/reopen pairs from two processes: one winner each, the other a version conflict, nothing lost",
    () =>
      Effect.gen(function* () {
        const race = yield* raceOnSqlite({ pairs: 1000 })
        const { violations, attempts, ...summary } = race
        console.info(
          `problem race on sqlite: ${JSON.stringify({ ...summary, switches: switches(attempts), overlap: overlap(attempts) })}`
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
