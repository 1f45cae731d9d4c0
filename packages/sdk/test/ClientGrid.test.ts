import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { TempDirectory, Tongzhou } from "@sortgrid/testkit"
import { Effect } from "effect"
import { Client } from "../src/index.js"

const admin = { id: "district-office", roles: ["district-admin"], scope: ["/"] }
const zhongcang = { id: "zc", roles: ["subdistrict-admin"], scope: ["/110112/110112001/"] }

describe("Client (Promise facade): the grid", () => {
  it.scoped("imports Tongzhou into a SQLite file and answers queries as of a date", () =>
    Effect.gen(function* () {
      const store = `sqlite:${join(yield* TempDirectory.make(), "grid.db")}`
      const result = yield* Effect.acquireUseRelease(
        Effect.promise(() => Client.open({ store })),
        (sortgrid) =>
          Effect.promise(async () => {
            const report = await sortgrid.grid.importDivisions(admin, Tongzhou.csv, {
              effectiveOn: "2023-01-01",
              mode: "all-or-nothing"
            })
            const counts = await sortgrid.grid.countByKind(admin, { under: "/110112/", asOf: "2023-06-30" })
            const towns = await sortgrid.grid.subtree(admin, { under: "/110112/", asOf: "2023-06-30", kinds: ["town"] })
            const rolled = await sortgrid.grid.rollup(admin, {
              under: "/110112/",
              asOf: "2023-06-30",
              values: Object.fromEntries(towns.map((town) => [town.nodeId, 1])),
              aggregation: "sum"
            })
            const failure = (promise: Promise<unknown>) =>
              promise.then(
                () => undefined,
                (error: Error & { readonly _tag: string }) => error
              )
            const badDate = await failure(sortgrid.grid.node(admin, "110112", "2023-02-30"))
            const outside = await failure(sortgrid.grid.node(zhongcang, "110112002", "2023-06-30"))
            return { report, counts, rolled, badDate, outside }
          }),
        (sortgrid) => Effect.promise(() => sortgrid.close())
      )
      expect(result.report.imported.length).toBe(679)
      expect(result.counts.reduce((sum, { count }) => sum + count, 0)).toBe(679)
      expect(result.rolled["110112"]).toMatchObject({ value: 11, count: 11 })
      expect(result.badDate?.message).toBe("asOf: day 30 is not between 01 and 28 in 2023-02")
      expect(result.outside?._tag).toBe("Forbidden")
    })
  )
})
