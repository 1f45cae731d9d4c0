import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import { Either, Option, Schema } from "effect"
import fc from "fast-check"
import * as Catalogue from "../src/Catalogue.js"
import { CategoryCode } from "../src/Category.js"
import * as Lifecycle from "../src/Lifecycle.js"
import * as Open311 from "../src/Open311.js"
import * as Problem from "../src/Problem.js"

const hour = 60 * 60 * 1000
const day = 24 * hour
// 2023-01-10 09:00 UTC is 17:00 in Beijing.
const t0 = Date.UTC(2023, 0, 10, 9)
const clerk = Actor.ActorId.make("clerk")
const worker = Actor.ActorId.make("worker")
const inspector = Actor.ActorId.make("inspector")
const compound = NodeId.make("compound-1")
const street = NodeId.make("street-1")
const district = NodeId.make("district-1")
const names: Record<string, string> = {
  "compound-1": "Yuqiao North Compound",
  "street-1": "Yuqiao Street",
  "district-1": "Tongzhou District"
}
const photo = (name: string) => Problem.EvidenceRef.make(`media-${name}`)

const context: Open311.Context = {
  catalogue: Catalogue.defaultCatalogue,
  offset: Open311.beijing,
  nodeName: (nodeId) => Option.fromNullable(names[nodeId]),
  mediaUrl: (evidence) => `https://media.example/${evidence}.jpg`,
  location: (problem) => (problem.nodeId === compound ? Option.some({ lat: 39.9042, long: 116.6564 }) : Option.none()),
  language: "en"
}

const ok = <A, E>(result: Either.Either<A, E>): A =>
  Either.match(result, { onLeft: (error) => expect.fail(`refused: ${String(error)}`), onRight: (value) => value })

const issuesOf = <A>(result: Either.Either<A, { readonly issues: ReadonlyArray<{ path: ReadonlyArray<unknown> }> }>) =>
  Either.match(result, {
    onLeft: (error) => error.issues.map((issue) => issue.path.map(String).join(".")),
    onRight: () => expect.fail("accepted")
  })

const register = (id: string, at: number, options: { readonly nodeId?: NodeId; readonly evidence?: boolean } = {}) =>
  ok(
    Lifecycle.register(
      Option.none(),
      Lifecycle.Register.make({
        id: Problem.ProblemId.make(id),
        categoryCode: CategoryCode.make("bin-missing"),
        nodeId: options.nodeId ?? compound,
        source: Problem.ManualReport.make({ reference: null }),
        deadlineAt: at + 7 * day,
        note: "kitchen bin missing",
        evidence: options.evidence === false ? [] : [photo("found")]
      }),
      clerk,
      at
    )
  )

/** A problem taken through its whole life, with every event. */
const life = () => {
  const first = register("p1", t0)
  const events: Array<Lifecycle.ProblemEvent> = [Option.getOrThrow(first.event)]
  let problem = first.problem
  const apply = (command: (version: number) => Lifecycle.Change, actor: Actor.ActorId, at: number) => {
    const next = ok(Lifecycle.transition(problem, command(problem.version), actor, at))
    problem = next.problem
    events.push(next.event)
  }
  const problemId = problem.id
  apply((v) => Lifecycle.Assign.make({ problemId, expectedVersion: v, unitId: street }), clerk, t0 + hour)
  apply((v) => Lifecycle.Rectify.make({ problemId, expectedVersion: v, evidence: [photo("fixed")] }), worker, t0 + day)
  apply(
    (v) => Lifecycle.Reinspect.make({ problemId, expectedVersion: v, outcome: "fail", note: "still no bin" }),
    inspector,
    t0 + 2 * day
  )
  apply(
    (v) => Lifecycle.Rectify.make({ problemId, expectedVersion: v, evidence: [photo("again")] }),
    worker,
    t0 + 3 * day
  )
  apply((v) => Lifecycle.Reinspect.make({ problemId, expectedVersion: v, outcome: "pass" }), inspector, t0 + 4 * day)
  return { problem, events }
}

// The field list of GeoReport v2 `GET requests`, in the spec's order.
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
const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/

describe("Open311: times", () => {
  it("formats instants in the jurisdiction's offset, to the second", () => {
    expect(Open311.formatDateTime(t0, Open311.beijing)).toBe("2023-01-10T17:00:00+08:00")
    expect(Open311.formatDateTime(t0 + 999, Open311.beijing)).toBe("2023-01-10T17:00:00+08:00")
    expect(Open311.formatDateTime(t0, -480)).toBe("2023-01-10T01:00:00-08:00")
    expect(Open311.formatDateTime(t0, 0)).toBe("2023-01-10T09:00:00+00:00")
    expect(Open311.formatDateTime(t0, 330)).toBe("2023-01-10T14:30:00+05:30")
    // Crosses midnight into the next local day.
    expect(Open311.formatDateTime(Date.UTC(2023, 11, 31, 16, 0, 5), Open311.beijing)).toBe("2024-01-01T00:00:05+08:00")
  })

  it("names the same instant as Date.parse reads it back", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: -720, max: 840 }), (ms, offset) => {
        expect(Date.parse(Open311.formatDateTime(ms, offset))).toBe(Math.floor(ms / 1000) * 1000)
      })
    )
  })
})

describe("Open311: problems as service requests", () => {
  it("maps a closed problem field by field, as the spec's example lists them", () => {
    const { problem, events } = life()
    const request = Open311.toServiceRequest(problem, context, events)
    expect(request).toStrictEqual({
      service_request_id: "p1",
      status: "closed",
      status_notes: "fixed: re-inspection passed",
      service_name: "Bin missing",
      service_code: "bin-missing",
      description: "kitchen bin missing",
      agency_responsible: "Yuqiao Street",
      service_notice: null,
      requested_datetime: "2023-01-10T17:00:00+08:00",
      updated_datetime: "2023-01-14T17:00:00+08:00",
      expected_datetime: "2023-01-17T17:00:00+08:00",
      address: "Yuqiao North Compound",
      address_id: "compound-1",
      zipcode: null,
      lat: 39.9042,
      long: 116.6564,
      media_url: "https://media.example/media-found.jpg"
    })
    expect(Object.keys(request)).toEqual(requestFields)
    expect(Schema.is(Open311.ServiceRequest)(request)).toBe(true)
  })

  it("gives every field its spec type, and null for what is not known", () => {
    const { problem } = register("p2", t0, { nodeId: NodeId.make("unnamed"), evidence: false })
    const request = Open311.toServiceRequest(problem, { ...context, language: "zh" })
    const json = JSON.parse(JSON.stringify([request]))
    expect(json[0]).toStrictEqual({
      service_request_id: "p2",
      status: "open",
      status_notes: "已登记，待派单",
      service_name: "垃圾桶缺失",
      service_code: "bin-missing",
      description: "kitchen bin missing",
      agency_responsible: null,
      service_notice: null,
      requested_datetime: "2023-01-10T17:00:00+08:00",
      updated_datetime: "2023-01-10T17:00:00+08:00",
      expected_datetime: "2023-01-17T17:00:00+08:00",
      address: null,
      address_id: "unnamed",
      zipcode: null,
      lat: null,
      long: null,
      media_url: null
    })
    for (const field of ["requested_datetime", "updated_datetime", "expected_datetime"]) {
      expect(json[0][field]).toMatch(isoWithOffset)
    }
  })

  it("says how an open problem stands, escalations included, and uses the rectification's photo", () => {
    const { problem } = register("p3", t0, { evidence: false })
    const assigned = ok(
      Lifecycle.transition(
        problem,
        Lifecycle.Assign.make({ problemId: problem.id, expectedVersion: 1, unitId: street }),
        clerk,
        t0 + hour
      )
    ).problem
    expect(Open311.toServiceRequest(assigned, context)).toMatchObject({
      status: "open",
      status_notes: "assigned to Yuqiao Street",
      agency_responsible: "Yuqiao Street",
      media_url: null
    })
    const escalated = ok(
      Lifecycle.transition(
        assigned,
        Lifecycle.Escalate.make({ problemId: problem.id, expectedVersion: 2, to: district }),
        clerk,
        t0 + 10 * day
      )
    ).problem
    expect(Open311.toServiceRequest(escalated, context)).toMatchObject({
      service_notice: "escalated to Tongzhou District",
      updated_datetime: "2023-01-20T17:00:00+08:00"
    })
    const rectified = ok(
      Lifecycle.transition(
        escalated,
        Lifecycle.Rectify.make({ problemId: problem.id, expectedVersion: 3, evidence: [photo("fixed")] }),
        worker,
        t0 + 11 * day
      )
    ).problem
    expect(Open311.toServiceRequest(rectified, context)).toMatchObject({
      status_notes: "rectified, awaiting re-inspection",
      media_url: "https://media.example/media-fixed.jpg"
    })
  })

  it("reports a closing without a fix as closed, with the reason", () => {
    const { problem } = register("p4", t0)
    const closed = ok(
      Lifecycle.transition(
        problem,
        Lifecycle.CloseOther.make({
          problemId: problem.id,
          expectedVersion: 1,
          reason: "duplicate",
          duplicateOf: Problem.ProblemId.make("p1")
        }),
        clerk,
        t0 + hour
      )
    ).problem
    expect(Open311.toServiceRequest(closed, context)).toMatchObject({
      status: "closed",
      status_notes: "closed: duplicate of p1",
      updated_datetime: "2023-01-10T18:00:00+08:00"
    })
  })
})

describe("Open311: update history", () => {
  it("lists every lifecycle event of the request, in version order", () => {
    const { events } = life()
    const other = Option.getOrThrow(register("p9", t0).event)
    const shuffled = [events[3]!, other, ...events.slice(0, 3), ...events.slice(4)]
    const history = Open311.updates(Problem.ProblemId.make("p1"), shuffled, context)
    expect(history).toStrictEqual([
      {
        update_id: "p1:1",
        service_request_id: "p1",
        updated_datetime: "2023-01-10T17:00:00+08:00",
        status: "open",
        status_notes: "registered: kitchen bin missing",
        actor: "clerk",
        media_url: "https://media.example/media-found.jpg"
      },
      {
        update_id: "p1:2",
        service_request_id: "p1",
        updated_datetime: "2023-01-10T18:00:00+08:00",
        status: "open",
        status_notes: "assigned to Yuqiao Street",
        actor: "clerk",
        media_url: null
      },
      {
        update_id: "p1:3",
        service_request_id: "p1",
        updated_datetime: "2023-01-11T17:00:00+08:00",
        status: "open",
        status_notes: "rectified",
        actor: "worker",
        media_url: "https://media.example/media-fixed.jpg"
      },
      {
        update_id: "p1:4",
        service_request_id: "p1",
        updated_datetime: "2023-01-12T17:00:00+08:00",
        status: "open",
        status_notes: "re-inspection failed: rectifying again: still no bin",
        actor: "inspector",
        media_url: null
      },
      {
        update_id: "p1:5",
        service_request_id: "p1",
        updated_datetime: "2023-01-13T17:00:00+08:00",
        status: "open",
        status_notes: "rectified",
        actor: "worker",
        media_url: "https://media.example/media-again.jpg"
      },
      {
        update_id: "p1:6",
        service_request_id: "p1",
        updated_datetime: "2023-01-14T17:00:00+08:00",
        status: "closed",
        status_notes: "re-inspection passed: fixed",
        actor: "inspector",
        media_url: null
      }
    ])
    for (const update of history) expect(Schema.is(Open311.ServiceRequestUpdate)(update)).toBe(true)
  })
})

describe("Open311: POST requests", () => {
  const catalogue = Catalogue.defaultCatalogue
  const locate = (point: Open311.Location) =>
    Math.abs(point.lat - 39.9042) < 0.001 && Math.abs(point.long - 116.6564) < 0.001
      ? Option.some(compound)
      : Option.none()
  const form = {
    service_code: "bin-wrong-colour-or-label",
    lat: "39.9042",
    long: "116.6564",
    address_string: "北苑小区 3 号桶站",
    description: "  the kitchen bin is blue  ",
    media_url: "https://media.example/bin.jpg",
    email: "resident@example.com",
    phone: "13800000000",
    first_name: "",
    "attribute[stream]": "kitchen",
    "attribute[defect]": "wrong_colour",
    "attribute[bin_colour]": "blue",
    "attribute[photo]": ""
  }

  it("decodes a form post into a Register command that registers and maps back", () => {
    const posted = ok(Open311.decodePost(form, { catalogue, locate }))
    expect(posted).toStrictEqual({
      categoryCode: "bin-wrong-colour-or-label",
      nodeId: "compound-1",
      location: Option.some({ lat: 39.9042, long: 116.6564 }),
      note: "the kitchen bin is blue",
      evidence: ["https://media.example/bin.jpg"],
      attributes: { stream: "kitchen", defect: "wrong_colour", bin_colour: "blue" }
    })
    const command = ok(Open311.toRegister(posted, { id: Problem.ProblemId.make("req-1"), deadlineAt: t0 + 7 * day }))
    expect(command).toBeInstanceOf(Lifecycle.Register)
    expect(command.source).toStrictEqual(Problem.ManualReport.make({ reference: null }))
    const { problem } = ok(Lifecycle.register(Option.none(), command, clerk, t0))
    const request = Open311.toServiceRequest(problem, {
      ...context,
      location: () => posted.location,
      mediaUrl: (evidence) => evidence
    })
    expect(request).toMatchObject({
      service_request_id: "req-1",
      service_code: form.service_code,
      description: "the kitchen bin is blue",
      address_id: "compound-1",
      lat: 39.9042,
      long: 116.6564,
      media_url: form.media_url,
      expected_datetime: "2023-01-17T17:00:00+08:00"
    })
  })

  it("takes address_id as the place, JSON numbers, and multi-value lists however a form sends them", () => {
    const base = { service_code: "bin-damaged", address_id: "compound-1", "attribute[stream]": "other" }
    const listed = ok(Open311.decodePost({ ...base, "attribute[damage][]": ["pedal", "lid"] }, { catalogue }))
    expect(listed).toMatchObject({ nodeId: "compound-1", location: Option.none(), note: null, evidence: [] })
    expect(listed.attributes).toStrictEqual({ stream: "other", damage: ["lid", "pedal"] })
    expect(ok(Open311.decodePost({ ...base, "attribute[damage][]": "lid" }, { catalogue })).attributes.damage).toEqual([
      "lid"
    ])
    expect(ok(Open311.decodePost({ ...base, "attribute[damage]": "lid" }, { catalogue })).attributes.damage).toEqual([
      "lid"
    ])
    const nested = ok(
      Open311.decodePost(
        { service_code: "bin-damaged", lat: 39.9042, long: 116.6564, attribute: { stream: "other", damage: ["body"] } },
        { catalogue, locate }
      )
    )
    expect(nested).toMatchObject({ nodeId: "compound-1", attributes: { stream: "other", damage: ["body"] } })
  })

  it("names the attribute field as posted in every attribute error", () => {
    const result = Open311.decodePost(
      {
        service_code: "bin-damaged",
        address_id: "compound-1",
        "attribute[stream]": "purple",
        "attribute[damage][]": ["lid", "roof", "lid"],
        "attribute[colour]": "blue"
      },
      { catalogue }
    )
    expect(issuesOf(result)).toEqual([
      "attribute[colour]",
      "attribute[stream]",
      "attribute[damage].1",
      "attribute[damage].2"
    ])
    const missing = Open311.decodePost(
      { ...form, "attribute[defect]": " ", "attribute[bin_colour]": "purple" },
      {
        catalogue,
        locate
      }
    )
    expect(Either.isLeft(missing) && missing.left.message).toBe(
      'attribute[defect]: is required; attribute[bin_colour]: "purple" is not one of: green, blue, red, grey, other'
    )
  })

  it("refuses an unknown service_code, unknown fields and bad values, naming each field", () => {
    expect(issuesOf(Open311.decodePost({ ...form, service_code: "potholes" }, { catalogue, locate }))).toEqual([
      "service_code"
    ])
    expect(issuesOf(Open311.decodePost({ address_id: "compound-1" }, { catalogue }))).toEqual(["service_code"])
    expect(
      issuesOf(
        Open311.decodePost(
          { ...form, colour: "blue", lat: "north", media_url: "ftp://x", attribute: "x", "attribute[]": "y" },
          { catalogue, locate }
        )
      ).sort()
    ).toEqual(["attribute", "attribute[]", "colour", "lat", "media_url"])
    expect(issuesOf(Open311.decodePost({ ...form, lat: "91" }, { catalogue, locate }))).toEqual(["lat"])
    expect(issuesOf(Open311.decodePost({ ...form, address_id: "no place!" }, { catalogue, locate }))).toEqual([
      "address_id"
    ])
    expect(issuesOf(Open311.decodePost("service_code=x", { catalogue }))).toEqual([""])
  })

  it("requires a place: address_id, or lat and long at a known site", () => {
    const { lat: _lat, long: _long, ...placeless } = form
    expect(issuesOf(Open311.decodePost(placeless, { catalogue, locate }))).toEqual(["address_id"])
    expect(issuesOf(Open311.decodePost({ ...placeless, lat: "39.9" }, { catalogue, locate }))).toEqual(["long"])
    expect(issuesOf(Open311.decodePost({ ...form, lat: "40.5" }, { catalogue, locate }))).toEqual(["lat"])
    expect(issuesOf(Open311.decodePost(form, { catalogue }))).toEqual(["lat"])
  })

  it("refuses a deadline a problem cannot have, naming it", () => {
    const posted = ok(Open311.decodePost(form, { catalogue, locate }))
    expect(issuesOf(Open311.toRegister(posted, { id: Problem.ProblemId.make("r"), deadlineAt: 1.5 }))).toEqual([
      "deadlineAt"
    ])
  })
})

describe("Open311: paging", () => {
  const problems = (n: number, at = t0) =>
    Array.from({ length: n }, (_, i) => register(`p${String(i).padStart(3, "0")}`, at + Math.floor(i / 2)).problem)
  const request = (query: unknown) => ok(Open311.decodePageRequest(query, { defaultPageSize: 10, maxPageSize: 50 }))

  it("decodes page, page_size and cursor from a query, naming bad parameters", () => {
    expect(request({})).toStrictEqual({ pageSize: 10, start: { page: 1 } })
    expect(request({ page: "3", page_size: "50" })).toStrictEqual({ pageSize: 50, start: { page: 3 } })
    expect(request({ cursor: `${t0}~p001` })).toStrictEqual({
      pageSize: 10,
      start: { after: { registeredAt: t0, id: "p001" } }
    })
    const bad = (query: unknown) => issuesOf(Open311.decodePageRequest(query, { maxPageSize: 50 }))
    expect(bad({ page_size: "51" })).toEqual(["page_size"])
    expect(bad({ page_size: "0" })).toEqual(["page_size"])
    expect(bad({ page: "0" })).toEqual(["page"])
    expect(bad({ page: "1.5" })).toEqual(["page"])
    expect(bad({ page: "-1", page_size: "x" })).toEqual(["page", "page_size"])
    expect(bad({ cursor: "p1" })).toEqual(["cursor"])
    expect(bad({ page: "2", cursor: `${t0}~p1` })).toEqual(["cursor"])
  })

  it("has no next page after a page that ends the list exactly", () => {
    const full = Open311.paginate(problems(10), { pageSize: 10, start: { page: 1 } })
    expect(full.items).toHaveLength(10)
    expect(full).toMatchObject({ page: 1, next_page: null, next_cursor: null })
    const more = Open311.paginate(problems(11), { pageSize: 10, start: { page: 1 } })
    expect(more).toMatchObject({ next_page: 2, next_cursor: `${t0 + 4}~p009` })
    const last = Open311.paginate(problems(11), { pageSize: 10, start: { page: 2 } })
    expect(last.items.map((problem) => problem.id)).toEqual(["p010"])
    expect(last).toMatchObject({ next_page: null, next_cursor: null })
    expect(Open311.paginate(problems(11), { pageSize: 10, start: { page: 3 } })).toMatchObject({
      items: [],
      next_page: null
    })
    expect(Open311.paginate([], { pageSize: 10, start: { page: 1 } })).toMatchObject({ items: [], next_page: null })
  })

  it("walks every problem exactly once, in order, by page or by cursor, whatever order they come in", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (n, size, seed) => {
        const all = problems(n)
        const shuffled = [...all].sort((a, b) => ((a.id.charCodeAt(3) * seed) % 7) - ((b.id.charCodeAt(3) * seed) % 7))
        const byPage: Array<string> = []
        let page: Open311.Page<Problem.Problem> = Open311.paginate(shuffled, { pageSize: size, start: { page: 1 } })
        byPage.push(...page.items.map((problem) => problem.id))
        while (page.next_page !== null) {
          page = Open311.paginate(shuffled, { pageSize: size, start: { page: page.next_page } })
          byPage.push(...page.items.map((problem) => problem.id))
        }
        const byCursor: Array<string> = []
        let cursorPage = Open311.paginate(shuffled, { pageSize: size, start: { page: 1 } })
        byCursor.push(...cursorPage.items.map((problem) => problem.id))
        while (cursorPage.next_cursor !== null) {
          const next = ok(Open311.decodePageRequest({ cursor: cursorPage.next_cursor, page_size: size }))
          cursorPage = Open311.paginate(shuffled, next)
          byCursor.push(...cursorPage.items.map((problem) => problem.id))
        }
        const expected = all.map((problem) => problem.id)
        expect(byPage).toEqual(expected)
        expect(byCursor).toEqual(expected)
      })
    )
  })

  it("keeps earlier pages as problems are registered later", () => {
    const before = problems(25)
    const later = problems(5, t0 + day).map((problem) => ({ ...problem, id: Problem.ProblemId.make(`n${problem.id}`) }))
    const after = [...later, ...before].map((problem) => new Problem.Problem(problem))
    for (const page of [1, 2]) {
      const ids = (list: ReadonlyArray<Problem.Problem>) =>
        Open311.paginate(list, { pageSize: 10, start: { page } }).items.map((problem) => problem.id)
      expect(ids(after)).toEqual(ids(before))
    }
  })
})
