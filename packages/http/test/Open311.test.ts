/**
 * The Open311 GeoReport v2 spec's example requests, replayed against the server with this
 * jurisdiction's codes (JSON, as `.json` asks), checking the fields the spec's example responses
 * show. Then the extensions: paging and update history.
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import { Geography } from "@sortgrid/grid"
import { Effect, TestClock } from "effect"
import { ids, raw, seed, serverLayer, tokenOf } from "./support.js"

/** The fields of every service request in the spec's `GET requests` example. */
const requestFields = [
  "service_request_id",
  "status",
  "status_notes",
  "service_name",
  "service_code",
  "description",
  "agency_responsible",
  "service_notice",
  "requested_datetime",
  "updated_datetime",
  "expected_datetime",
  "address",
  "address_id",
  "zipcode",
  "lat",
  "long",
  "media_url"
]

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/

/** A square around a point of the compound in the own subdistrict. */
const mapCompound = Effect.flatMap(Geography.Geography, (geography) =>
  geography.setGeometries(Actor.system("seed"), [
    {
      changeId: "geo-1",
      nodeId: ids.compound1,
      effectiveOn: "2023-01-01",
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [116.65, 39.9],
            [116.67, 39.9],
            [116.67, 39.92],
            [116.65, 39.92],
            [116.65, 39.9]
          ]
        ]
      }
    }
  ])
)

const token = tokenOf("inspector")

describe("Open311 GeoReport v2: the spec's examples", () => {
  it.effect("GET services.json?jurisdiction_id=…: the service list", () =>
    Effect.gen(function* () {
      yield* seed
      const answer = yield* raw({ method: "GET", url: "/open311/v2/services.json?jurisdiction_id=sortgrid" })
      expect(answer.status).toBe(200)
      const services = answer.json() as ReadonlyArray<Record<string, unknown>>
      expect(services.length).toBeGreaterThan(3)
      for (const service of services) {
        expect(Object.keys(service).sort()).toEqual(
          ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"].sort()
        )
        expect(service.type).toBe("realtime")
      }
      expect(services.find((s) => s.service_code === "bin-missing")).toMatchObject({
        metadata: true,
        group: "硬件设施"
      })
      const elsewhere = yield* raw({ method: "GET", url: "/open311/v2/services.json?jurisdiction_id=city.gov" })
      expect(elsewhere.status).toBe(404)
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("GET services/{service_code}.json: the service definition and its attributes", () =>
    Effect.gen(function* () {
      yield* seed
      const answer = yield* raw({
        method: "GET",
        url: "/open311/v2/services/bin-missing.json?jurisdiction_id=sortgrid&locale=en"
      })
      expect(answer.status).toBe(200)
      const definition = answer.json() as { service_code: string; attributes: ReadonlyArray<Record<string, unknown>> }
      expect(definition.service_code).toBe("bin-missing")
      const stream = definition.attributes.find((a) => a.code === "stream")
      expect(stream).toMatchObject({ variable: true, datatype: "singlevaluelist", required: true, order: 1 })
      expect(stream?.values).toEqual(expect.arrayContaining([{ key: "kitchen", name: expect.any(String) }]))
      expect((yield* raw({ method: "GET", url: "/open311/v2/services/033.json" })).status).toBe(404)
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect(
    "POST requests.json (form-encoded, lat/long, personal fields): [{ service_request_id, service_notice, account_id }]",
    () =>
      Effect.gen(function* () {
        yield* seed
        yield* mapCompound
        const answer = yield* raw({
          method: "POST",
          url: "/open311/v2/requests.json",
          token,
          form: {
            api_key: "xyz",
            jurisdiction_id: "sortgrid",
            service_code: "bin-missing",
            lat: "39.91",
            long: "116.66",
            address_string: "中仓街道物业小区3号桶站",
            email: "smith@example.org",
            device_id: "tt222111",
            account_id: "123456",
            first_name: "john",
            last_name: "smith",
            phone: "111111111",
            description: "厨余垃圾桶不见了",
            media_url: "http://www.example.org/media/bin.jpg",
            "attribute[stream]": "kitchen",
            "attribute[count]": "2"
          }
        })
        expect(answer.status).toBe(201)
        const [created] = answer.json() as ReadonlyArray<Record<string, unknown>>
        expect(Object.keys(created!).sort()).toEqual(["account_id", "service_notice", "service_request_id"])
        expect(created).toMatchObject({ account_id: null })
        expect(String(created!.service_notice)).toMatch(/^整改期限：/)
        const id = String(created!.service_request_id)
        // GET requests/{id}.json: the spec answers a list of one.
        const one = yield* raw({
          method: "GET",
          url: `/open311/v2/requests/${id}.json?jurisdiction_id=sortgrid`,
          token
        })
        expect(one.status).toBe(200)
        const [request] = one.json() as ReadonlyArray<Record<string, unknown>>
        expect(Object.keys(request!).sort()).toEqual([...requestFields].sort())
        expect(request).toMatchObject({
          service_request_id: id,
          status: "open",
          service_code: "bin-missing",
          service_name: "垃圾桶缺失",
          description: "厨余垃圾桶不见了",
          address: "物业小区",
          address_id: ids.compound1,
          agency_responsible: null,
          zipcode: null,
          media_url: "http://www.example.org/media/bin.jpg",
          requested_datetime: "2023-03-06T10:00:00+08:00"
        })
        expect(request!.expected_datetime).toMatch(iso)
        // Personal fields were accepted and dropped: nothing of them is served back.
        expect(one.text).not.toContain("smith")
        expect(one.text).not.toContain("111111111")
        // A point outside every mapped compound is refused, naming lat.
        const nowhere = yield* raw({
          method: "POST",
          url: "/open311/v2/requests.json",
          token,
          form: { service_code: "bin-missing", lat: "10", long: "10", "attribute[stream]": "kitchen" }
        })
        expect(nowhere.status).toBe(400)
        expect(nowhere.json()).toMatchObject({ issues: [{ field: "lat" }] })
      }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("GET requests.json?start_date=&end_date=&status=open: requests in the window, with every field", () =>
    Effect.gen(function* () {
      yield* seed
      yield* TestClock.adjust(86_400_000)
      const answer = yield* raw({
        method: "GET",
        url: "/open311/v2/requests.json?jurisdiction_id=sortgrid&start_date=2023-03-01T00:00:00Z&end_date=2023-03-31T00:00:00Z&status=open",
        token: tokenOf("admin")
      })
      expect(answer.status).toBe(200)
      const requests = answer.json() as ReadonlyArray<Record<string, unknown>>
      // The paging order: registration time, then id.
      expect(requests.map((r) => r.service_request_id)).toEqual([ids.problem2, ids.problem1])
      for (const request of requests) {
        expect(Object.keys(request).sort()).toEqual([...requestFields].sort())
        expect(request.requested_datetime).toBe("2023-03-06T10:00:00+08:00")
        expect(request.updated_datetime).toMatch(iso)
      }
      const before = yield* raw({
        method: "GET",
        url: "/open311/v2/requests.json?start_date=2023-01-01&end_date=2023-02-01",
        token: tokenOf("admin")
      })
      expect(before.json()).toEqual([])
      const closed = yield* raw({
        method: "GET",
        url: "/open311/v2/requests.json?status=closed",
        token: tokenOf("admin")
      })
      expect(closed.json()).toEqual([])
    }).pipe(Effect.provide(serverLayer("memory:")))
  )

  it.effect("extensions: paging (page/page_size, cursor, Link) and update history", () =>
    Effect.gen(function* () {
      yield* seed
      const admin = tokenOf("admin")
      const first = yield* raw({ method: "GET", url: "/open311/v2/requests.json?page_size=1", token: admin })
      expect((first.json() as ReadonlyArray<{ service_request_id: string }>).map((r) => r.service_request_id)).toEqual([
        ids.problem2
      ])
      expect(first.headers["x-next-page"]).toBe("2")
      expect(first.headers.link).toBe('</open311/v2/requests.json?page_size=1&page=2>; rel="next"')
      const second = yield* raw({ method: "GET", url: "/open311/v2/requests.json?page_size=1&page=2", token: admin })
      expect((second.json() as ReadonlyArray<{ service_request_id: string }>)[0]?.service_request_id).toBe(ids.problem1)
      expect(second.headers["x-next-page"]).toBeUndefined()
      const tooBig = yield* raw({ method: "GET", url: "/open311/v2/requests.json?page_size=5000", token: admin })
      expect(tooBig.status).toBe(400)
      expect(tooBig.json()).toMatchObject({ issues: [{ field: "page_size" }] })
      // Update history: assign the problem, then read it with extensions=true.
      const assigned = yield* raw({
        method: "POST",
        url: "/issues/transitions",
        token: admin,
        headers: { "idempotency-key": "assign-1" },
        body: {
          _tag: "Assign",
          problemId: ids.problem1,
          expectedVersion: 1,
          unitId: ids.community1,
          note: "请物业处理"
        }
      })
      expect(assigned.status).toBe(200)
      const withHistory = yield* raw({
        method: "GET",
        url: `/open311/v2/requests/${ids.problem1}.json?extensions=true&locale=en`,
        token: admin
      })
      const [request] = withHistory.json() as ReadonlyArray<{
        agency_responsible: string
        updates: ReadonlyArray<Record<string, unknown>>
      }>
      expect(request?.agency_responsible).toBe("中仓社区")
      expect(request?.updates.map((u) => u.status_notes)).toEqual(["registered", "assigned to 中仓社区: 请物业处理"])
      expect(request?.updates[1]).toMatchObject({ update_id: `${ids.problem1}:2`, status: "open" })
      expect(request?.updates.every((u) => !("actor" in u))).toBe(true)
    }).pipe(Effect.provide(serverLayer("memory:")))
  )
})
