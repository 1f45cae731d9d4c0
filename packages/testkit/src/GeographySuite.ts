/**
 * The geography conformance suite: geometries through the `Geography` service over a store —
 * effective-dated boundaries, locating the deepest node, permission scoping, validation, idempotent
 * retries, the GeoJSON export and the audit trail. Every adapter of `GeometryStore` runs it:
 *
 * ```ts
 * GeographySuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built. The suite seeds its tree through
 * `GridStore` directly, so it needs no more of the grid than the geography service does.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period, type Permission } from "@sortgrid/core"
import { GridStore, Node, Profile, Tree } from "@sortgrid/grid"
import { Geography } from "@sortgrid/grid/Geography"
import { GeometryStore } from "@sortgrid/grid/GeometryStore"
import { Effect, Layer, Option, Schema } from "effect"
import fc from "fast-check"
import { admin, base, type Store } from "./Fixtures.js"

const date = (text: string) => Period.IsoDate.make(text)
const path = (text: string) => Actor.NodePath.make(text)

/**
 * The administrator of subdistrict `s1` of the suite's district.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const s1Admin = new Actor.Actor({
  id: Actor.ActorId.make("s1-admin"),
  roles: [Actor.Role.make("subdistrict-admin")],
  scope: [path("/d/s1/")]
})

/**
 * Someone with no grid permission at all.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const resident = new Actor.Actor({
  id: Actor.ActorId.make("resident"),
  roles: [Actor.Role.make("resident")],
  scope: [Actor.root]
})

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "subdistrict-admin": ["grid.read", "grid.edit"],
  resident: []
}

/**
 * The geography service over a store layer, with the audit log, the default profile and the
 * suite's grants.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Geography.Default.pipe(Layer.provideMerge(base(store, grants)))

type Box = readonly [west: number, south: number, east: number, north: number]

const polygon = ([west, south, east, north]: Box) => ({
  type: "Polygon",
  coordinates: [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south]
    ]
  ]
})

/** Opens nodes through the grid port: a fixture, not the subject of the suite. */
const seed = (nodes: ReadonlyArray<Record<string, string>>) =>
  Effect.gen(function* () {
    const store = yield* GridStore.GridStore
    const decoded = yield* Schema.decodeUnknown(Schema.Array(Node.OpenNode))(nodes)
    yield* store.change({ scope: Tree.openScope(decoded) }, (state) =>
      Tree.planOpen(Profile.chinaDistrict, state, decoded)
    )
  })

const opened = "2023-01-01"

/**
 * The suite's district: nested rectangles around Tongzhou. `d` holds subdistricts `s1` (west) and
 * `s2` (east); `s1` holds communities `c1` (south) and `c2` (north), `s2` holds `c3` (south); `c1`
 * holds grids `g1` (west) and `g2` (east); a school `k1` stands in `g1`. Grid `g2` shrinks to its
 * southern half on 2023-06-01.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const district = {
  nodes: [
    { id: "d", kind: "district", name: "区", effectiveOn: opened },
    { id: "s1", kind: "subdistrict", name: "一街道", parentId: "d", effectiveOn: opened },
    { id: "s2", kind: "subdistrict", name: "二街道", parentId: "d", effectiveOn: opened },
    { id: "c1", kind: "community", name: "一社区", parentId: "s1", effectiveOn: opened },
    { id: "c2", kind: "community", name: "二社区", parentId: "s1", effectiveOn: opened },
    { id: "c3", kind: "community", name: "三社区", parentId: "s2", effectiveOn: opened },
    { id: "g1", kind: "grid", name: "一网格", parentId: "c1", effectiveOn: opened },
    { id: "g2", kind: "grid", name: "二网格", parentId: "c1", effectiveOn: opened },
    { id: "k1", kind: "school", name: "一小学", parentId: "g1", effectiveOn: opened }
  ],
  geometries: [
    { changeId: "geo-d", nodeId: "d", geometry: polygon([116, 39, 117, 40]), effectiveOn: opened },
    { changeId: "geo-s1", nodeId: "s1", geometry: polygon([116, 39, 116.5, 40]), effectiveOn: opened },
    { changeId: "geo-s2", nodeId: "s2", geometry: polygon([116.5, 39, 117, 40]), effectiveOn: opened },
    { changeId: "geo-c1", nodeId: "c1", geometry: polygon([116, 39, 116.5, 39.5]), effectiveOn: opened },
    { changeId: "geo-c2", nodeId: "c2", geometry: polygon([116, 39.5, 116.5, 40]), effectiveOn: opened },
    { changeId: "geo-c3", nodeId: "c3", geometry: polygon([116.5, 39, 117, 39.5]), effectiveOn: opened },
    { changeId: "geo-g1", nodeId: "g1", geometry: polygon([116, 39, 116.25, 39.5]), effectiveOn: opened },
    { changeId: "geo-g2", nodeId: "g2", geometry: polygon([116.25, 39, 116.5, 39.5]), effectiveOn: opened },
    { changeId: "geo-k1", nodeId: "k1", geometry: { type: "Point", coordinates: [116.1, 39.1] }, effectiveOn: opened }
  ],
  shrinkG2: {
    changeId: "geo-g2-shrink",
    nodeId: "g2",
    geometry: polygon([116.25, 39, 116.5, 39.25]),
    effectiveOn: "2023-06-01"
  }
} as const

const setUpDistrict = Effect.gen(function* () {
  yield* seed(district.nodes)
  const geography = yield* Geography
  yield* geography.setGeometries(admin, district.geometries)
  yield* geography.setGeometries(admin, [district.shrinkG2])
})

const located = (actor: Actor.Actor, point: unknown, asOf: string) =>
  Effect.map(
    Effect.flatMap(Geography, (geography) => geography.locate(actor, point, date(asOf))),
    Option.map((found) => found.node.nodeId as string)
  )

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (
    title: string,
    body: Effect.Effect<void, unknown, Geography | AuditLog.AuditLog | GridStore.GridStore | GeometryStore>
  ) => it.effect(title, () => Effect.provide(body, fresh))

  describe(`${name}: geography conformance`, () => {
    test(
      "locate answers with the deepest node whose polygon contains the point; a site is never a container",
      Effect.gen(function* () {
        yield* setUpDistrict
        const geography = yield* Geography
        const found = yield* geography.locate(admin, [116.1, 39.2], date("2023-03-01"))
        expect(Option.map(found, ({ node }) => [node.nodeId, node.kind, node.depth, node.path])).toEqual(
          Option.some(["g1", "grid", 3, "/d/s1/c1/g1/"])
        )
        expect(Option.map(found, ({ geometry }) => [geometry.version, geometry.bbox])).toEqual(
          Option.some([1, [116, 39, 116.25, 39.5]])
        )
        expect(yield* located(admin, { type: "Point", coordinates: [116.1, 39.1] }, "2023-03-01")).toEqual(
          Option.some("g1")
        )
        expect(yield* located(admin, [116.3, 39.7], "2023-03-01")).toEqual(Option.some("c2"))
        expect(yield* located(admin, [116.7, 39.2], "2023-03-01")).toEqual(Option.some("c3"))
        expect(yield* located(admin, [116.7, 39.7], "2023-03-01")).toEqual(Option.some("s2"))
      })
    )

    test(
      "a point on no polygon, or a date before any geometry, locates none",
      Effect.gen(function* () {
        yield* setUpDistrict
        expect(yield* located(admin, [120, 30], "2023-03-01")).toEqual(Option.none())
        expect(yield* located(admin, [116.1, 39.2], "2022-12-31")).toEqual(Option.none())
      })
    )

    test(
      "a boundary change takes effect on its date; a change dated before the latest is a Conflict",
      Effect.gen(function* () {
        yield* setUpDistrict
        expect(yield* located(admin, [116.4, 39.4], "2023-05-31")).toEqual(Option.some("g2"))
        expect(yield* located(admin, [116.4, 39.4], "2023-06-01")).toEqual(Option.some("c1"))
        expect(yield* located(admin, [116.4, 39.1], "2023-06-01")).toEqual(Option.some("g2"))
        const store = yield* GeometryStore
        const g2 = (asOf: string) =>
          Effect.map(store.inForce({ asOf: date(asOf), ids: [Node.NodeId.make("g2")] }), (found) =>
            found.map((version) => [version.version, version.validFrom, version.validTo])
          )
        expect(yield* g2("2023-05-31")).toEqual([[1, "2023-01-01", "2023-06-01"]])
        expect(yield* g2("2023-06-01")).toEqual([[2, "2023-06-01", Period.endOfTime]])
        const boxed = yield* store.inForce({ asOf: date("2023-06-01"), containing: [116.4, 39.4] })
        expect(boxed.map((version) => version.nodeId).sort()).toEqual(["c1", "d", "s1"])
        const geography = yield* Geography
        const late = yield* Effect.flip(
          geography.setGeometries(admin, [
            {
              changeId: "geo-g2-late",
              nodeId: "g2",
              geometry: polygon([116.3, 39, 116.5, 39.5]),
              effectiveOn: "2023-03-01"
            }
          ])
        )
        expect(late._tag).toBe("Conflict")
        expect(late.message).toBe(
          "Geometry g2: it has a geometry effective 2023-06-01, after 2023-03-01: changes apply in date order"
        )
      })
    )

    test(
      "only nodes the actor may read are candidates; edits and exports need the node in scope",
      Effect.gen(function* () {
        yield* setUpDistrict
        const geography = yield* Geography
        expect(yield* located(s1Admin, [116.1, 39.2], "2023-03-01")).toEqual(Option.some("g1"))
        expect(yield* located(s1Admin, [116.7, 39.2], "2023-03-01")).toEqual(Option.none())
        const locateForbidden = yield* Effect.flip(geography.locate(resident, [116.1, 39.2], date("2023-03-01")))
        expect(locateForbidden._tag).toBe("Forbidden")
        const outside = yield* Effect.flip(
          geography.setGeometries(s1Admin, [
            {
              changeId: "geo-c3-2",
              nodeId: "c3",
              geometry: polygon([116.5, 39, 116.9, 39.5]),
              effectiveOn: "2023-07-01"
            }
          ])
        )
        expect(outside._tag).toBe("Forbidden")
        const inside = yield* geography.setGeometries(s1Admin, [
          { changeId: "geo-g1-2", nodeId: "g1", geometry: polygon([116, 39, 116.2, 39.5]), effectiveOn: "2023-07-01" }
        ])
        expect(inside.map((version) => [version.nodeId, version.version])).toEqual([["g1", 2]])
        const exportForbidden = yield* Effect.flip(geography.exportSubtree(s1Admin, path("/d/"), date("2023-03-01")))
        expect(exportForbidden._tag).toBe("Forbidden")
      })
    )

    test(
      "invalid geometries are refused naming the path and reason, and a refused batch writes nothing",
      Effect.gen(function* () {
        yield* seed(district.nodes)
        const geography = yield* Geography
        const invalid = yield* Effect.flip(
          geography.setGeometries(admin, [
            {
              changeId: "bad-1",
              nodeId: "g1",
              geometry: {
                type: "Polygon",
                coordinates: [
                  [
                    [116, 39],
                    [116.2, 39],
                    [116.2, 39.2],
                    [116, 39.2]
                  ]
                ]
              },
              effectiveOn: opened
            },
            { changeId: "bad-2", nodeId: "g2", geometry: polygon([116.25, 39, 190, 39.5]), effectiveOn: opened }
          ])
        )
        expect(invalid._tag).toBe("Invalid")
        expect(invalid.message).toBe(
          "geometries[0].geometry.coordinates[0]: a ring must be closed: its last position must equal its first; " +
            "geometries[1].geometry.coordinates[0][1]: longitude 190 is not between -180 and 180; " +
            "geometries[1].geometry.coordinates[0][2]: longitude 190 is not between -180 and 180"
        )
        const wrongType = yield* Effect.flip(
          geography.setGeometries(admin, [
            {
              changeId: "bad-3",
              nodeId: "c1",
              geometry: { type: "Point", coordinates: [116.1, 39.1] },
              effectiveOn: opened
            }
          ])
        )
        expect(wrongType.message).toBe(
          "geometries[0].geometry.type: a community covers ground: its geometry must be a Polygon or MultiPolygon"
        )
        const halfBad = yield* Effect.flip(
          geography.setGeometries(admin, [
            district.geometries[6],
            { changeId: "bad-4", nodeId: "g2", geometry: polygon([116.25, 39, 116.5, 39.5]), effectiveOn: "2022-06-01" }
          ])
        )
        expect(halfBad.message).toBe("geometries[1].nodeId: node g2 is not in force on 2022-06-01")
        expect(yield* located(admin, [116.1, 39.2], "2023-03-01")).toEqual(Option.none())
      })
    )

    test(
      "a retried batch replays its first result and appends nothing; a reused change id is a Conflict",
      Effect.gen(function* () {
        yield* seed(district.nodes)
        const geography = yield* Geography
        const log = yield* AuditLog.AuditLog
        const first = yield* geography.setGeometries(admin, district.geometries)
        const entries = (yield* log.read(admin)).length
        const again = yield* geography.setGeometries(admin, district.geometries)
        expect(again).toEqual(first)
        expect((yield* log.read(admin)).length).toBe(entries)
        const reused = yield* Effect.flip(
          geography.setGeometries(admin, [{ ...district.geometries[6], geometry: polygon([116, 39, 116.2, 39.5]) }])
        )
        expect(reused._tag).toBe("Conflict")
        expect(reused.message).toBe("GeometryChange geo-g1: the id was already used with different content")
      })
    )

    test(
      "a subtree exports as a GeoJSON FeatureCollection, by path, with the node's properties",
      Effect.gen(function* () {
        yield* setUpDistrict
        const geography = yield* Geography
        const collection = yield* geography.exportSubtree(admin, path("/d/s1/c1/"), date("2023-06-01"))
        expect(collection.type).toBe("FeatureCollection")
        expect(collection.features.map((feature) => [feature.id, feature.geometry.type])).toEqual([
          ["c1", "Polygon"],
          ["g1", "Polygon"],
          ["k1", "Point"],
          ["g2", "Polygon"]
        ])
        expect(collection.features[3]).toEqual({
          type: "Feature",
          id: "g2",
          bbox: [116.25, 39, 116.5, 39.25],
          geometry: polygon([116.25, 39, 116.5, 39.25]),
          properties: { id: "g2", kind: "grid", name: "二网格", code: null, depth: 3, parentId: "c1" }
        })
        expect(JSON.parse(JSON.stringify(collection))).toEqual(collection)
        const before = yield* geography.exportSubtree(admin, path("/d/s1/c1/g2/"), date("2023-05-31"))
        expect(before.features.map((feature) => feature.bbox)).toEqual([[116.25, 39, 116.5, 39.5]])
        const empty = yield* geography.exportSubtree(admin, path("/d/"), date("2022-12-31"))
        expect(empty).toEqual({ type: "FeatureCollection", features: [] })
      })
    )

    test(
      "a geometry follows its node when the tree moves it",
      Effect.gen(function* () {
        yield* setUpDistrict
        const store = yield* GridStore.GridStore
        const move = Node.MoveNode.make({
          changeId: Node.ChangeId.make("move-c3"),
          nodeId: Node.NodeId.make("c3"),
          parentId: Node.NodeId.make("s1"),
          effectiveOn: date("2023-09-01")
        })
        yield* store.change({ scope: Tree.changeScope(move), changeId: move.changeId }, (state) =>
          Tree.planChange(Profile.chinaDistrict, state, move, { move: "c3" })
        )
        expect(yield* located(s1Admin, [116.7, 39.2], "2023-08-31")).toEqual(Option.none())
        expect(yield* located(s1Admin, [116.7, 39.2], "2023-09-01")).toEqual(Option.some("c3"))
        const geography = yield* Geography
        const moved = yield* geography.exportSubtree(s1Admin, path("/d/s1/c3/"), date("2023-09-01"))
        expect(moved.features.map((feature) => feature.properties)).toEqual([
          { id: "c3", kind: "community", name: "三社区", code: null, depth: 2, parentId: "s1" }
        ])
      })
    )

    test(
      "every geometry change is in the audit chain, and the chain verifies",
      Effect.gen(function* () {
        yield* setUpDistrict
        const log = yield* AuditLog.AuditLog
        const entries = yield* log.read(admin)
        expect(entries.map((entry) => entry.action)).toEqual(Array(10).fill("grid.geometrySet"))
        expect(entries.at(-1)).toMatchObject({
          id: "grid.geometry.geo-g2-shrink",
          subject: "node:g2",
          payload: { changeId: "geo-g2-shrink", nodeId: "g2", version: 2, effectiveOn: "2023-06-01", type: "Polygon" }
        })
        expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact", entries: 10 })
      })
    )

    test(
      "on random nested rectangles, locate agrees with brute-force containment",
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(layoutWithPoints, ({ layout, points }) =>
            Effect.runPromise(
              Effect.gen(function* () {
                yield* seed(layout.map((r) => r.open))
                const geography = yield* Geography
                yield* geography.setGeometries(
                  admin,
                  layout.map((r) => ({
                    changeId: `geo-${r.open.id}`,
                    nodeId: r.open.id,
                    geometry: polygon(toLonLat(r.box)),
                    effectiveOn: opened
                  }))
                )
                for (const point of points) {
                  const [x, y] = point
                  const found = yield* located(admin, [116 + x / 64, 39 + y / 64], "2023-02-01")
                  expect(found).toEqual(bruteForce(layout, point))
                }
              }).pipe(Effect.provide(fresh))
            )
          ),
          { numRuns: 6 }
        )
      ).pipe(Effect.asVoid)
    )
  })
}

// --- random nested rectangles ---------------------------------------------------------------------

interface Placed {
  readonly open: Record<string, string> & { readonly id: string }
  readonly depth: number
  readonly box: Box
}

const kindAtDepth = ["district", "subdistrict", "community", "grid", "compound"]

/**
 * Up to 16 rectangles on a 64×64 integer grid, each inside its parent (siblings may overlap), as
 * deep as the default profile's territorial kinds go.
 */
const nestedRectangles = fc
  .array(fc.record({ parent: fc.nat(), x: fc.nat(), y: fc.nat(), w: fc.nat(), h: fc.nat() }), { maxLength: 15 })
  .map((specs) => {
    const placed: Array<Placed> = [
      { open: { id: "r0", kind: "district", name: "r0", effectiveOn: opened }, depth: 0, box: [0, 0, 64, 64] }
    ]
    for (const [i, spec] of specs.entries()) {
      const open = placed.filter((p) => p.depth < kindAtDepth.length - 1)
      const parent = open[spec.parent % open.length]!
      const [west, south, east, north] = parent.box
      const x = west + (spec.x % (east - west))
      const y = south + (spec.y % (north - south))
      const id = `r${i + 1}`
      placed.push({
        open: { id, kind: kindAtDepth[parent.depth + 1]!, name: id, parentId: parent.open.id, effectiveOn: opened },
        depth: parent.depth + 1,
        box: [x, y, x + 1 + (spec.w % (east - x)), y + 1 + (spec.h % (north - y))]
      })
    }
    return placed
  })

/** Grid units map to 1/64 degree, which doubles hold exactly: edges stay edges. */
const toLonLat = ([west, south, east, north]: Box): Box => [
  116 + west / 64,
  39 + south / 64,
  116 + east / 64,
  39 + north / 64
]

/**
 * A layout and points to locate: anywhere on the integer grid around the root, or on an edge or a
 * corner of one of the rectangles, where containment is hardest to get right.
 */
const layoutWithPoints = nestedRectangles.chain((layout) =>
  fc
    .array(
      fc.oneof(
        fc.tuple(fc.integer({ min: -2, max: 66 }), fc.integer({ min: -2, max: 66 })),
        fc
          .tuple(fc.nat(), fc.boolean(), fc.boolean(), fc.nat())
          .map(([pick, vertical, far, along]): readonly [number, number] => {
            const [west, south, east, north] = layout[pick % layout.length]!.box
            const x = vertical ? (far ? east : west) : west + (along % (east - west + 1))
            const y = vertical ? south + (along % (north - south + 1)) : far ? north : south
            return [x, y]
          })
      ),
      { minLength: 1, maxLength: 16 }
    )
    .map((points) => ({ layout, points }))
)

const bruteForce = (layout: ReadonlyArray<Placed>, [x, y]: readonly [number, number]): Option.Option<string> => {
  const area = ({ box: [w, s, e, n] }: Placed) => (e - w) * (n - s)
  const inside = layout.filter(({ box: [w, s, e, n] }) => w <= x && x <= e && s <= y && y <= n)
  inside.sort((a, b) => b.depth - a.depth || area(a) - area(b) || (a.open.id < b.open.id ? -1 : 1))
  return Option.fromNullable(inside[0]?.open.id)
}
