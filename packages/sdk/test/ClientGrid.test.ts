import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
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

describe("Client (Promise facade): sites and geography", () => {
  it.scoped("sets a district boundary and a bin station, then locates a point and reads the station", () =>
    Effect.acquireUseRelease(
      Effect.promise(() => Client.open({ store: "memory:" })),
      (sortgrid) =>
        Effect.promise(async () => {
          await sortgrid.grid.importDivisions(admin, Tongzhou.csv, {
            effectiveOn: "2023-01-01",
            mode: "all-or-nothing"
          })
          const [community] = await sortgrid.grid.children(admin, "110112001", "2023-01-01")
          await sortgrid.grid.open(admin, [
            { id: "g1", kind: "grid", name: "网格", parentId: community!.nodeId, effectiveOn: "2023-01-01" },
            { id: "g1-c1", kind: "compound", name: "小区", parentId: "g1", effectiveOn: "2023-01-01" },
            { id: "g1-c1-b1", kind: "bin-station", name: "桶站", parentId: "g1-c1", effectiveOn: "2023-01-01" }
          ])
          const square = [
            [116.5, 39.7],
            [116.9, 39.7],
            [116.9, 40.0],
            [116.5, 40.0],
            [116.5, 39.7]
          ]
          await sortgrid.geography.set(admin, [
            {
              changeId: "boundary-1",
              nodeId: "110112",
              effectiveOn: "2023-01-01",
              geometry: { type: "Polygon", coordinates: [square] }
            }
          ])
          await sortgrid.sites.set(admin, [
            {
              nodeId: "g1-c1-b1",
              effectiveOn: "2023-01-01",
              details: { _tag: "BinStation", qrId: "QR-1", streams: ["kitchen", "other"], dropOff: [], collection: [] }
            }
          ])
          const found = await sortgrid.geography.locate(admin, [116.7, 39.9], "2023-06-30")
          const outside = await sortgrid.geography.locate(admin, [100, 30], "2023-06-30")
          const stations = await sortgrid.sites.list(admin, { under: "/110112/", asOf: "2023-06-30" })
          expect(found?.node.nodeId).toBe("110112")
          expect(outside).toBeUndefined()
          expect(stations.map((s) => s.nodeId)).toEqual(["g1-c1-b1"])
        }),
      (sortgrid) => Effect.promise(() => sortgrid.close())
    )
  )
})

describe("Client (Promise facade): the problem register", () => {
  it.scoped("registers a problem on a compound in a SQLite store, moves it along, and counts it", () =>
    Effect.gen(function* () {
      const store = `sqlite:${join(yield* TempDirectory.make(), "problems.db")}`
      yield* Effect.acquireUseRelease(
        Effect.promise(() => Client.open({ store })),
        (sortgrid) =>
          Effect.promise(async () => {
            await sortgrid.grid.importDivisions(admin, Tongzhou.csv, {
              effectiveOn: "2023-01-01",
              mode: "all-or-nothing"
            })
            const [community] = await sortgrid.grid.children(admin, "110112001", "2023-01-01")
            await sortgrid.grid.open(admin, [
              { id: "g1", kind: "grid", name: "网格", parentId: community!.nodeId, effectiveOn: "2023-01-01" },
              { id: "g1-c1", kind: "compound", name: "小区", parentId: "g1", effectiveOn: "2023-01-01" }
            ])
            const [registration] = await sortgrid.problems.register(admin, [
              { id: "p-1", categoryCode: "bin-missing", nodeId: "g1-c1", attributes: { stream: "kitchen" } }
            ])
            const moved = await sortgrid.problems.transition(admin, {
              _tag: "Assign",
              problemId: "p-1",
              expectedVersion: 1,
              unitId: community!.nodeId
            })
            const history = await sortgrid.problems.history(admin, "p-1")
            const unknown = await sortgrid.problems
              .register(admin, [{ id: "p-2", categoryCode: "bin-on-fire", nodeId: "g1-c1" }])
              .then(
                () => undefined,
                (error: Error) => error
              )
            // The month the problem was registered in, in Beijing time, as the stats count it.
            const month = Period.format(Period.containing("Month", Period.dayOfInstant(history[0]!.at, 480)))
            const stats = await sortgrid.problems.stats(admin, { under: "/110112/", period: month })
            expect(registration).toBeDefined()
            expect(moved.problem.version).toBe(2)
            expect(history.map((event) => event.kind)).toEqual(["registered", "assigned"])
            expect(unknown?.message).toContain("categoryCode")
            expect(stats.nodes.get("110112")).toMatchObject({ opened: 1, openAtEnd: 1 })
          }),
        (sortgrid) => Effect.promise(() => sortgrid.close())
      )
    })
  )
})
