import { describe, expect, it } from "@effect/vitest"
import { Actor, Errors, Period } from "@sortgrid/core"
import { Either, Option, Schema } from "effect"
import fc from "fast-check"
import * as Geometry from "../src/Geometry.js"
import * as Node from "../src/Node.js"
import * as Profile from "../src/Profile.js"

const date = (text: string) => Period.IsoDate.make(text)

type Rectangle = readonly [west: number, south: number, east: number, north: number]

const rectangle = ([west, south, east, north]: Rectangle): Geometry.Polygon => ({
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

const kindAtDepth = ["district", "subdistrict", "community", "grid", "compound"] as const

const node = (id: string, path: string, options: { kind?: string; from?: string; to?: string } = {}) => {
  const ids = Node.pathIds(path)
  return new Node.NodeVersion({
    nodeId: Node.NodeId.make(id),
    version: 1,
    kind: Profile.NodeKind.make(options.kind ?? kindAtDepth[ids.length - 1] ?? "compound"),
    code: null,
    name: id,
    nameEn: null,
    parentId: ids.length > 1 ? ids[ids.length - 2]! : null,
    path: Actor.NodePath.make(path),
    depth: ids.length - 1,
    validFrom: date(options.from ?? "2023-01-01"),
    validTo: date(options.to ?? Period.endOfTime)
  })
}

const geometryOf = (
  id: string,
  geometry: Geometry.Geometry,
  options: { version?: number; from?: string; to?: string } = {}
) =>
  new Geometry.GeometryVersion({
    nodeId: Node.NodeId.make(id),
    version: options.version ?? 1,
    changeId: Geometry.GeometryChangeId.make(`${id}-${options.version ?? 1}`),
    digest: "-",
    geometry,
    bbox: Geometry.boundingBox(geometry),
    validFrom: date(options.from ?? "2023-01-01"),
    validTo: date(options.to ?? Period.endOfTime)
  })

const decodeGeometry = (input: unknown) =>
  Either.mapLeft(
    Schema.decodeUnknownEither(Geometry.Geometry, { errors: "all", onExcessProperty: "error" })(input),
    (error) => Errors.Invalid.fromParseError(error, ["geometry"]).message
  )

describe("Geometry schema", () => {
  it("accepts polygons, multipolygons and points", () => {
    expect(Either.isRight(decodeGeometry(rectangle([116, 39, 117, 40])))).toBe(true)
    expect(
      Either.isRight(decodeGeometry({ type: "MultiPolygon", coordinates: [rectangle([0, 0, 1, 1]).coordinates] }))
    ).toBe(true)
    expect(Either.isRight(decodeGeometry({ type: "Point", coordinates: [116.5, 39.9] }))).toBe(true)
  })

  it("names the path and the reason of every bad coordinate or ring", () => {
    const result = decodeGeometry({
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [190, 1],
          [0, 0]
        ],
        [
          [0, 0],
          [0, 95],
          [1, 1]
        ]
      ]
    })
    expect(result).toEqual(
      Either.left(
        "geometry.coordinates[0][3]: longitude 190 is not between -180 and 180; " +
          "geometry.coordinates[1][1]: latitude 95 is not between -90 and 90"
      )
    )
    expect(
      decodeGeometry({
        type: "Polygon",
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1]
          ]
        ]
      })
    ).toEqual(Either.left("geometry.coordinates[0]: a ring must be closed: its last position must equal its first"))
    expect(
      decodeGeometry({
        type: "MultiPolygon",
        coordinates: [
          [
            [
              [0, 0],
              [1, 1],
              [0, 0]
            ]
          ]
        ]
      })
    ).toEqual(Either.left("geometry.coordinates[0][0]: a ring needs at least 4 positions, found 3"))
    expect(decodeGeometry({ type: "Point", coordinates: [1, 2], bbox: [1, 2, 1, 2] })).toEqual(
      Either.left('geometry.bbox: is unexpected, expected: "type" | "coordinates"')
    )
    expect(Either.isLeft(decodeGeometry({ type: "LineString", coordinates: [] }))).toBe(true)
  })

  it("takes a point to locate as a position or a GeoJSON Point", () => {
    const decode = Schema.decodeUnknownSync(Geometry.LocatePoint)
    expect(decode([116.4, 39.9])).toEqual([116.4, 39.9])
    expect(decode({ type: "Point", coordinates: [116.4, 39.9] })).toEqual([116.4, 39.9])
  })
})

describe("Geometry measures", () => {
  const withHole: Geometry.Polygon = {
    type: "Polygon",
    coordinates: [rectangle([0, 0, 10, 10]).coordinates[0], rectangle([2, 2, 4, 4]).coordinates[0]]
  }

  it("computes boxes and areas, holes subtracted", () => {
    expect(Geometry.boundingBox(withHole)).toEqual([0, 0, 10, 10])
    expect(Geometry.area(withHole)).toBe(96)
    expect(Geometry.area({ type: "Point", coordinates: [1, 1] })).toBe(0)
  })

  it("contains the boundary, not the hole; a point contains nothing", () => {
    expect(Geometry.contains(withHole, [10, 5])).toBe(true)
    expect(Geometry.contains(withHole, [3, 3])).toBe(false)
    expect(Geometry.contains(withHole, [11, 5])).toBe(false)
    expect(Geometry.contains({ type: "Point", coordinates: [1, 1] }, [1, 1])).toBe(false)
  })
})

describe("Geometry.locate", () => {
  const nodes = [
    node("d", "/d/"),
    node("s1", "/d/s1/"),
    node("s2", "/d/s2/"),
    node("c1", "/d/s1/c1/"),
    node("g1", "/d/s1/c1/g1/"),
    node("k1", "/d/s1/c1/g1/k1/", { kind: "school" })
  ]
  const geometries = [
    geometryOf("d", rectangle([0, 0, 50, 50])),
    geometryOf("s1", rectangle([0, 0, 25, 50])),
    geometryOf("s2", rectangle([25, 0, 50, 50])),
    geometryOf("c1", rectangle([0, 0, 25, 25])),
    geometryOf("g1", rectangle([0, 0, 12.5, 25]), { to: "2023-06-01" }),
    geometryOf("g1", rectangle([0, 0, 5, 5]), { version: 2, from: "2023-06-01" }),
    geometryOf("k1", { type: "Point", coordinates: [2, 2] })
  ]
  const at = (asOf: string, position: Geometry.Position) =>
    Option.map(
      Geometry.locate(Geometry.makeIndex({ asOf: date(asOf), nodes, geometries }), position),
      (found) => found.node.nodeId
    )

  it("answers with the deepest containing node, as of the date", () => {
    expect(at("2023-03-01", [10, 10])).toEqual(Option.some("g1"))
    expect(at("2023-06-01", [10, 10])).toEqual(Option.some("c1"))
    expect(at("2023-06-01", [15, 35])).toEqual(Option.some("s1"))
    expect(at("2023-06-01", [35, 35])).toEqual(Option.some("s2"))
    expect(at("2022-12-31", [10, 10])).toEqual(Option.none())
  })

  it("finds none outside every area, and never a point", () => {
    expect(at("2023-03-01", [75, 10])).toEqual(Option.none())
    expect(at("2023-03-01", [2, 2])).toEqual(Option.some("g1"))
    expect(Geometry.makeIndex({ asOf: date("2023-03-01"), nodes, geometries }).items.map((i) => i.node.nodeId)).toEqual(
      ["d", "s1", "c1", "g1", "s2"]
    )
  })

  it("breaks ties between equally deep nodes by smaller area, then smaller id", () => {
    // (25, 35) lies on the edge s1 and s2 share.
    const smaller = [...geometries.filter((g) => g.nodeId !== "s2"), geometryOf("s2", rectangle([25, 0, 30, 50]))]
    const index = Geometry.makeIndex({ asOf: date("2023-07-01"), nodes, geometries: smaller })
    expect(Option.map(Geometry.locate(index, [25, 35]), (found) => found.node.nodeId)).toEqual(Option.some("s2"))
    const tied = Geometry.makeIndex({ asOf: date("2023-07-01"), nodes, geometries })
    expect(Option.map(Geometry.locate(tied, [25, 35]), (found) => found.node.nodeId)).toEqual(Option.some("s1"))
  })

  it("leaves out nodes or geometries not in force on the date", () => {
    const closed = [...nodes.filter((n) => n.nodeId !== "c1"), node("c1", "/d/s1/c1/", { to: "2023-03-01" })]
    const index = Geometry.makeIndex({ asOf: date("2023-03-01"), nodes: closed, geometries })
    expect(Option.map(Geometry.locate(index, [20, 20]), (found) => found.node.nodeId)).toEqual(Option.some("s1"))
    expect(Geometry.locate(Geometry.makeIndex({ asOf: date("2023-03-01"), nodes: [], geometries }), [1, 1])).toEqual(
      Option.none()
    )
  })

  it("agrees with brute-force containment on random nested rectangles", () => {
    fc.assert(
      fc.property(nestedRectangles, fc.array(halfGridPoint, { minLength: 1, maxLength: 30 }), (layout, points) => {
        const asOf = date("2023-01-01")
        const index = Geometry.makeIndex({
          asOf,
          nodes: layout.map((r) => node(r.id, r.path)),
          geometries: layout.map((r) => geometryOf(r.id, rectangle(r.box)))
        })
        for (const point of points) {
          const found = Option.map(Geometry.locate(index, point), (hit) => hit.node.nodeId as string)
          expect(found).toEqual(bruteForce(layout, point))
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe("Geometry.toFeatureCollection", () => {
  it("exports one feature per node with a geometry, by path, with the node's properties", () => {
    const joined = Geometry.join({
      asOf: date("2023-02-01"),
      nodes: [node("s1", "/d/s1/"), node("d", "/d/"), node("k1", "/d/s1/k1/", { kind: "school" })],
      geometries: [
        geometryOf("s1", rectangle([0, 0, 1, 1])),
        geometryOf("k1", { type: "Point", coordinates: [0.5, 0.5] })
      ]
    })
    const collection = Geometry.toFeatureCollection(joined)
    expect(collection).toEqual({
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          id: "s1",
          bbox: [0, 0, 1, 1],
          geometry: rectangle([0, 0, 1, 1]),
          properties: { id: "s1", kind: "subdistrict", name: "s1", code: null, depth: 1, parentId: "d" }
        },
        {
          type: "Feature",
          id: "k1",
          bbox: [0.5, 0.5, 0.5, 0.5],
          geometry: { type: "Point", coordinates: [0.5, 0.5] },
          properties: { id: "k1", kind: "school", name: "k1", code: null, depth: 2, parentId: "s1" }
        }
      ]
    })
  })
})

describe("Geometry.planSet", () => {
  const set = (changeId: string, nodeId: string, geometry: Geometry.Geometry, effectiveOn: string) =>
    Geometry.SetGeometry.make({
      changeId: Geometry.GeometryChangeId.make(changeId),
      nodeId: Node.NodeId.make(nodeId),
      geometry,
      effectiveOn: date(effectiveOn)
    })
  const nodes = [node("d", "/d/"), node("s1", "/d/s1/"), node("k1", "/d/s1/k1/", { kind: "school" })]
  const nothing: Geometry.StoredGeometries = { latest: new Map(), byChange: new Map() }
  const plan = (stored: Geometry.StoredGeometries, commands: ReadonlyArray<Geometry.SetGeometry>) =>
    Geometry.planSet(Profile.chinaDistrict, { nodes, stored }, commands)
  const message = (result: Either.Either<unknown, { readonly message: string }>) =>
    Either.isLeft(result) ? result.left.message : "accepted"

  it("starts a version from the date and ends the one before; a second set in the batch ends the first", () => {
    const first = Either.getOrThrow(plan(nothing, [set("a", "s1", rectangle([0, 0, 1, 1]), "2023-02-01")]))
    expect(first.end).toEqual([])
    expect(first.start.map((v) => [v.nodeId, v.version, v.validFrom, v.validTo, v.bbox])).toEqual([
      ["s1", 1, "2023-02-01", Period.endOfTime, [0, 0, 1, 1]]
    ])
    expect(first.paths).toEqual(["/d/s1/"])
    const stored = { latest: new Map([["s1", first.start[0]!]]), byChange: new Map() }
    const next = Either.getOrThrow(
      plan(stored, [
        set("b", "s1", rectangle([0, 0, 2, 2]), "2023-05-01"),
        set("c", "s1", rectangle([0, 0, 3, 3]), "2023-09-01")
      ])
    )
    expect(next.end).toEqual([{ nodeId: "s1", version: 1, validTo: "2023-05-01" }])
    expect(next.start.map((v) => [v.version, v.validFrom, v.validTo])).toEqual([
      [2, "2023-05-01", "2023-09-01"],
      [3, "2023-09-01", Period.endOfTime]
    ])
    expect(next.results.map((v) => [v.changeId, v.validTo])).toEqual([
      ["b", "2023-09-01"],
      ["c", Period.endOfTime]
    ])
  })

  it("replays a stored change id with the same content; other content or an earlier date is a Conflict", () => {
    const command = set("a", "s1", rectangle([0, 0, 1, 1]), "2023-02-01")
    const started = Either.getOrThrow(plan(nothing, [command])).start[0]!
    const stored = { latest: new Map([["s1", started]]), byChange: new Map([["a", started]]) }
    const replay = Either.getOrThrow(plan(stored, [command]))
    expect([replay.start, replay.end, replay.results]).toEqual([[], [], [started]])
    expect(message(plan(stored, [set("a", "s1", rectangle([0, 0, 2, 2]), "2023-02-01")]))).toBe(
      "GeometryChange a: the id was already used with different content"
    )
    expect(message(plan(stored, [set("b", "s1", rectangle([0, 0, 2, 2]), "2023-01-15")]))).toBe(
      "Geometry s1: it has a geometry effective 2023-02-01, after 2023-01-15: changes apply in date order"
    )
  })

  it("refuses, naming the field, a node not in force, a type that does not fit the kind, a reused id", () => {
    const point: Geometry.Point = { type: "Point", coordinates: [0, 0] }
    expect(message(plan(nothing, [set("a", "s1", rectangle([0, 0, 1, 1]), "2022-12-31")]))).toBe(
      "geometries[0].nodeId: node s1 is not in force on 2022-12-31"
    )
    expect(message(plan(nothing, [set("a", "s1", point, "2023-02-01")]))).toBe(
      "geometries[0].geometry.type: a subdistrict covers ground: its geometry must be a Polygon or MultiPolygon"
    )
    expect(message(plan(nothing, [set("a", "k1", rectangle([0, 0, 1, 1]), "2023-02-01")]))).toBe(
      "geometries[0].geometry.type: a school is a site: its geometry must be a Point"
    )
    expect(message(plan(nothing, [set("a", "k1", point, "2023-02-01"), set("a", "d", point, "2023-02-01")]))).toBe(
      "geometries[1].changeId: a appears twice in the batch"
    )
  })

  it("keeps one version per date whatever the order of dated sets applied one at a time", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 360 }), { minLength: 1, maxLength: 12 }), (days) => {
        let stored = nothing
        let history: Array<Geometry.GeometryVersion> = []
        const base = Period.dayOfIsoDate(date("2023-01-01"))
        for (const [i, day] of days.entries()) {
          const result = plan(stored, [set(`c${i}`, "s1", rectangle([0, 0, i + 1, 1]), Period.dateOfDay(base + day))])
          if (Either.isLeft(result)) {
            expect(result.left._tag).toBe("Conflict")
            continue
          }
          const ends = new Map(result.right.end.map((e) => [e.version, e.validTo]))
          history = history.map((v) => {
            const validTo = ends.get(v.version)
            return validTo === undefined ? v : new Geometry.GeometryVersion({ ...v, validTo })
          })
          history.push(...result.right.start)
          stored = { latest: new Map([["s1", history.at(-1)!]]), byChange: new Map() }
        }
        for (let day = 0; day <= 400; day += 7) {
          const on = Period.isoDateOfDay(base + day)
          expect(history.filter((v) => Geometry.holdsOn(v, on)).length).toBeLessThanOrEqual(1)
        }
        expect(history.filter((v) => v.validTo === Period.endOfTime).length).toBe(1)
      })
    )
  })
})

// --- random nested rectangles ---------------------------------------------------------------------

interface Placed {
  readonly id: string
  readonly path: string
  readonly depth: number
  readonly box: Rectangle
}

/** Up to 20 rectangles on an integer grid, each inside its parent (siblings may overlap), 5 levels deep. */
const nestedRectangles = fc
  .array(fc.record({ parent: fc.nat(), x: fc.nat(), y: fc.nat(), w: fc.nat(), h: fc.nat() }), { maxLength: 20 })
  .map((specs) => {
    const placed: Array<Placed> = [{ id: "n0", path: "/n0/", depth: 0, box: [0, 0, 64, 64] }]
    for (const [i, spec] of specs.entries()) {
      const open = placed.filter((p) => p.depth < 4)
      const parent = open[spec.parent % open.length]!
      const [west, south, east, north] = parent.box
      const x = west + (spec.x % (east - west))
      const y = south + (spec.y % (north - south))
      const id = `n${i + 1}`
      placed.push({
        id,
        path: `${parent.path}${id}/`,
        depth: parent.depth + 1,
        box: [x, y, x + 1 + (spec.w % (east - x)), y + 1 + (spec.h % (north - y))]
      })
    }
    return placed
  })

/** Points on a half-unit grid around the root, so many fall on edges and corners. */
const halfGridPoint = fc
  .tuple(fc.integer({ min: -4, max: 132 }), fc.integer({ min: -4, max: 132 }))
  .map(([x, y]): Geometry.Position => [x / 2, y / 2])

const bruteForce = (layout: ReadonlyArray<Placed>, [x, y]: Geometry.Position): Option.Option<string> => {
  const areaOf = ({ box: [w, s, e, n] }: Placed) => (e - w) * (n - s)
  const inside = layout.filter(({ box: [w, s, e, n] }) => w <= x && x <= e && s <= y && y <= n)
  inside.sort((a, b) => b.depth - a.depth || areaOf(a) - areaOf(b) || (a.id < b.id ? -1 : 1))
  return Option.fromNullable(inside[0]?.id)
}
