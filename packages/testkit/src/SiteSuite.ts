/**
 * The sites conformance suite: dated details of bin stations, compounds, schools, enterprise sites
 * and plazas through the `Sites` service over a store.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, type AuditStore, Period, Permission, type Transactor } from "@sortgrid/core"
import { Grid, Node, Sites } from "@sortgrid/grid"
import type { Ports } from "@sortgrid/grid/Ports"
import { Effect, Layer } from "effect"
import { admin, zhongcangAdmin } from "./Fixtures.js"
import { grants } from "./GridSuite.js"
import * as Tongzhou from "./Tongzhou.js"

const date = (text: string) => Period.IsoDate.make(text)

const station = (dropOff: ReadonlyArray<{ from: string; to: string }>) => ({
  _tag: "BinStation",
  qrId: "QR-110112001001-c1-b1",
  location: [116.66, 39.9],
  streams: ["kitchen", "recyclable", "hazardous", "other"],
  dropOff,
  collection: [{ stream: "kitchen", weekdays: [1, 2, 3, 4, 5, 6, 7], at: "21:00" }]
})

/**
 * Registers the suite under `name`; the layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<Ports | AuditStore.AuditStore | Transactor.Transactor, E>
): void => {
  const fresh = Layer.mergeAll(Grid.Grid.Default, Sites.Sites.Default).pipe(
    Layer.provideMerge(AuditLog.AuditLog.Default),
    Layer.provideMerge(layer),
    Layer.provide(Grid.GridProfile.Default),
    Layer.provide(Permission.layer(grants))
  )
  const test = (title: string, body: () => Effect.Effect<void, unknown, Grid.Grid | Sites.Sites>) =>
    it.effect(title, () => Effect.provide(body(), fresh))

  /** Tongzhou, plus one grid, compound and bin station in the first community of 中仓街道. */
  const seeded = Effect.gen(function* () {
    const grid = yield* Grid.Grid
    yield* grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
    const [community] = yield* grid.children(admin, Node.NodeId.make("110112001"), date("2023-01-01"))
    const g = `${community!.nodeId}-g1`
    yield* grid.open(admin, [
      { id: g, kind: "grid", name: "网格", parentId: community!.nodeId, effectiveOn: "2023-01-01" },
      { id: `${g}-c1`, kind: "compound", name: "小区", parentId: g, effectiveOn: "2023-01-01" },
      { id: `${g}-c1-b1`, kind: "bin-station", name: "桶站", parentId: `${g}-c1`, effectiveOn: "2023-01-01" }
    ])
    return { compound: `${g}-c1`, station: `${g}-c1-b1`, under: Actor.NodePath.make("/110112/") }
  })

  describe(`${name}: sites conformance`, () => {
    test("details are dated: new drop-off hours from a date leave earlier dates as they were", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const sites = yield* Sites.Sites
        yield* sites.set(admin, [
          { nodeId: ids.station, effectiveOn: "2023-01-01", details: station([{ from: "07:00", to: "09:00" }]) },
          {
            nodeId: ids.compound,
            effectiveOn: "2023-01-01",
            details: { _tag: "Compound", propertyManaged: true, households: 820 }
          }
        ])
        yield* sites.set(admin, [
          {
            nodeId: ids.station,
            effectiveOn: "2023-04-01",
            details: station([
              { from: "07:00", to: "09:00" },
              { from: "18:30", to: "20:30" }
            ])
          }
        ])
        const at = (day: string) => sites.sites(admin, { under: ids.under, asOf: date(day), kinds: ["BinStation"] })
        const march = yield* at("2023-03-31")
        const april = yield* at("2023-04-01")
        expect(march.map((s) => s.details._tag === "BinStation" && s.details.dropOff.length)).toEqual([1])
        expect(april.map((s) => s.details._tag === "BinStation" && s.details.dropOff.length)).toEqual([2])
        const all = yield* sites.sites(admin, { under: ids.under, asOf: date("2023-06-01") })
        expect(all.map((s) => s.details._tag).sort()).toEqual(["BinStation", "Compound"])
        const again = yield* sites.set(admin, [
          {
            nodeId: ids.station,
            effectiveOn: "2023-05-01",
            details: station([
              { from: "07:00", to: "09:00" },
              { from: "18:30", to: "20:30" }
            ])
          }
        ])
        expect(again.start).toEqual([])
      }))

    test("details must fit the node, the node must stand, and changes apply in date order", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const sites = yield* Sites.Sites
        const wrongKind = yield* Effect.flip(
          sites.set(admin, [{ nodeId: ids.compound, effectiveOn: "2023-02-01", details: station([]) }])
        )
        expect(wrongKind.message).toBe("sites[0].details: BinStation details describe a bin-station, not a compound")
        const early = yield* Effect.flip(
          sites.set(admin, [{ nodeId: ids.station, effectiveOn: "2022-12-01", details: station([]) }])
        )
        expect(early.message).toBe(`sites[0].nodeId: node ${ids.station} does not exist on 2022-12-01`)
        const badHours = yield* Effect.flip(
          sites.set(admin, [
            { nodeId: ids.station, effectiveOn: "2023-02-01", details: station([{ from: "09:00", to: "07:00" }]) }
          ])
        )
        expect(badHours.message).toContain("sites[0].details.dropOff[0]")
        yield* sites.set(admin, [{ nodeId: ids.station, effectiveOn: "2023-03-01", details: station([]) }])
        const outOfOrder = yield* Effect.flip(
          sites.set(admin, [
            { nodeId: ids.station, effectiveOn: "2023-02-01", details: station([{ from: "07:00", to: "08:00" }]) }
          ])
        )
        expect(outOfOrder._tag).toBe("Conflict")
      }))

    test("only an actor whose scope holds the site may set or read it", () =>
      Effect.gen(function* () {
        const ids = yield* seeded
        const sites = yield* Sites.Sites
        yield* sites.set(zhongcangAdmin, [{ nodeId: ids.station, effectiveOn: "2023-02-01", details: station([]) }])
        const elsewhere = new Actor.Actor({
          id: Actor.ActorId.make("xinhua-admin"),
          roles: [Actor.Role.make("subdistrict-admin")],
          scope: [Actor.NodePath.make("/110112/110112002/")]
        })
        const refused = yield* Effect.flip(
          sites.set(elsewhere, [{ nodeId: ids.station, effectiveOn: "2023-03-01", details: station([]) }])
        )
        expect(refused._tag).toBe("Forbidden")
        const unreadable = yield* Effect.flip(sites.sites(elsewhere, { under: ids.under, asOf: date("2023-03-01") }))
        expect(unreadable._tag).toBe("Forbidden")
      }))
  })
}
