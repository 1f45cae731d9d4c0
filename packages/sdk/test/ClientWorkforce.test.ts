import { describe, expect, it } from "@effect/vitest"
import { Tongzhou } from "@sortgrid/testkit"
import { Effect } from "effect"
import { Client } from "../src/index.js"

const admin = { id: "district-office", roles: ["district-admin"], scope: ["/"] }
const beijing = (day: string, time: string) => Date.parse(`${day}T${time}+08:00`)

describe("Client (Promise facade): the workforce end to end", () => {
  it.scoped(
    "a grid worker, placed by an assignment, checks in at a station of their own grid and nowhere else; presence and outreach follow",
    () =>
      Effect.acquireUseRelease(
        Effect.promise(() => Client.open({ store: "memory:" })),
        (sortgrid) =>
          Effect.promise(async () => {
            await sortgrid.grid.importDivisions(admin, Tongzhou.csv, {
              effectiveOn: "2023-01-01",
              mode: "all-or-nothing"
            })
            const [a, b] = await sortgrid.grid.children(admin, "110112001", "2023-01-01")
            await sortgrid.grid.open(
              admin,
              [a!, b!].flatMap((community, i) => [
                { id: `g${i}`, kind: "grid", name: "网格", parentId: community.nodeId, effectiveOn: "2023-01-01" },
                { id: `g${i}-c`, kind: "compound", name: "小区", parentId: `g${i}`, effectiveOn: "2023-01-01" },
                { id: `g${i}-b`, kind: "bin-station", name: "桶站", parentId: `g${i}-c`, effectiveOn: "2023-01-01" }
              ])
            )
            await sortgrid.people.register(admin, [{ id: "p-zhao", name: "赵敏" }])
            await sortgrid.people.assign(admin, [
              { id: "as-zhao", personId: "p-zhao", role: "grid-worker", nodeId: "g0", validFrom: "2023-01-01" }
            ])
            const worker = await sortgrid.people.actorFor("p-zhao", "2023-06-05")
            await sortgrid.duty.defineTemplates(
              admin,
              ["g0-b", "g1-b"].map((station) => ({
                id: `${station}-morning`,
                nodeId: station,
                name: "早班",
                windowStart: "07:00",
                windowEnd: "09:00",
                validFrom: "2023-06-01"
              }))
            )
            await sortgrid.duty.postProject(admin, {
              id: "week23",
              title: "桶前值守",
              nodeId: "g0",
              templateIds: ["g0-b-morning"],
              firstDay: "2023-06-05",
              lastDay: "2023-06-06",
              capacity: 1
            })
            await sortgrid.duty.signUp(admin, [
              { id: "su-1", projectId: "week23", personId: "p-zhao", firstDay: "2023-06-05", lastDay: "2023-06-06" }
            ])
            const actorInput = { id: worker.id, roles: [...worker.roles], scope: [...worker.scope] }
            const [own] = await sortgrid.duty.checkIn(actorInput, [
              { id: "ci-1", personId: "p-zhao", nodeId: "g0-b", at: beijing("2023-06-05", "07:05:00") }
            ])
            const elsewhere = await sortgrid.duty
              .checkIn(actorInput, [
                { id: "ci-2", personId: "p-zhao", nodeId: "g1-b", at: beijing("2023-06-05", "07:06:00") }
              ])
              .then(
                () => undefined,
                (error: Error & { readonly _tag: string }) => error
              )
            const presence = await sortgrid.duty.presence(admin, { under: "/110112/110112001/", period: "2023-06" })
            await sortgrid.outreach.record(admin, [
              {
                id: "ev-1",
                kind: "community",
                date: "2023-06-10",
                nodeId: a!.nodeId,
                organiserId: a!.nodeId,
                title: "垃圾分类进社区",
                participants: 80,
                households: 35
              }
            ])
            const outreach = await sortgrid.outreach.stats(admin, { under: "/110112/", period: "2023-Q2" })
            expect(worker.roles).toEqual(["grid-worker"])
            expect(own?.templateId).toBe("g0-b-morning")
            expect(elsewhere?._tag).toBe("Forbidden")
            expect(presence).toMatchObject({ covered: 1, expected: 2 })
            expect(JSON.stringify(outreach)).toContain('"households":35')
          }),
        (sortgrid) => Effect.promise(() => sortgrid.close())
      )
  )
})
