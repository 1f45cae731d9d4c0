/**
 * The Open311 handlers: the pure mapping of `Open311` in `@sortgrid/issues` over the register. Reads
 * of one request go through `ProblemRegister.history`, which checks `issues.read` at the problem's
 * place; lists read the store and keep what the same policy lets the actor read.
 */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Id } from "@sortgrid/core"
import { Geography } from "@sortgrid/grid"
import { GridStore } from "@sortgrid/grid/GridStore"
import type { NodeId } from "@sortgrid/grid/Node"
import { Catalogue, Category, type Lifecycle, Open311, Problem, ProblemRegister, ProblemStore } from "@sortgrid/issues"
import { Clock, Effect, Either, Option, Schema } from "effect"
import { Api } from "../../Api.js"
import * as ApiError from "../../ApiError.js"
import { CurrentActor } from "../../Auth.js"
import { HttpConfig } from "../../HttpConfig.js"
import * as Open311Api from "../../Open311Api.js"
import { badQuery, call, granted, today, visibleNode, visibleProblem } from "../guard.js"

const day = 86_400_000

const checkJurisdiction = (given: string | undefined) =>
  Effect.flatMap(HttpConfig, (config) =>
    given === undefined || given === config.jurisdictionId
      ? Effect.void
      : Effect.fail(ApiError.notFound({ entity: "Jurisdiction", id: given }))
  )

const badParameter = (name: string, reason: string) =>
  new ApiError.BadRequest({ detail: `${name}: ${reason}`, issues: [ApiError.issue([name], reason)] })

const dateTime = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/

/** An ISO 8601 date or datetime; without an offset it is read in the jurisdiction's. */
const instantOf = (name: string, text: string, offset: number) => {
  if (!dateTime.test(text)) return Effect.fail(badParameter(name, "must be an ISO 8601 date or datetime"))
  const hasOffset = /(?:Z|[+-]\d{2}:\d{2})$/.test(text)
  const withTime = text.includes("T") ? text : `${text}T00:00:00`
  const sign = offset < 0 ? "-" : "+"
  const abs = Math.abs(offset)
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`
  const millis = Date.parse(hasOffset ? withTime : `${withTime}${zone}`)
  return Number.isNaN(millis) ? Effect.fail(badParameter(name, "is not a valid datetime")) : Effect.succeed(millis)
}

const split = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "")

export const layer = HttpApiBuilder.group(Api, "open311", (handlers) =>
  Effect.gen(function* () {
    const register = yield* ProblemRegister.ProblemRegister
    const geography = yield* Geography.Geography
    const problems = yield* ProblemStore.ProblemStore
    const grid = yield* GridStore
    const config = yield* ProblemRegister.ProblemRegisterConfig
    const offset = config.calendar.utcOffsetMinutes

    /** The mapping's context: names of the nodes the problems mention, as of today. */
    const contextFor = (found: ReadonlyArray<Problem.Problem>, language: Category.Language) =>
      Effect.gen(function* () {
        const ids = new Set<NodeId>()
        for (const problem of found) {
          ids.add(problem.nodeId)
          if (problem.assignee !== null) ids.add(problem.assignee.unitId)
          for (const escalation of problem.escalations) ids.add(escalation.to)
        }
        const names = new Map(
          (yield* call(grid.versions({ asOf: yield* today, ids: [...ids] }))).map((v) => [v.nodeId as string, v.name])
        )
        const context: Open311.Context = {
          catalogue: config.catalogue,
          offset,
          language,
          nodeName: (nodeId) => Option.fromNullable(names.get(nodeId)),
          mediaUrl: (evidence) => evidence
        }
        return context
      })

    const toRequests = (
      found: ReadonlyArray<Problem.Problem>,
      options: { readonly language: Category.Language; readonly extensions: boolean }
    ) =>
      Effect.gen(function* () {
        const context = yield* contextFor(found, options.language)
        // Every listed problem's events in one read, not a query per problem.
        const byProblem = new Map<string, Array<Lifecycle.ProblemEvent>>()
        for (const event of yield* call(problems.eventsOf(found.map((problem) => problem.id)))) {
          const events = byProblem.get(event.problemId)
          if (events === undefined) byProblem.set(event.problemId, [event])
          else events.push(event)
        }
        return found.map((problem) => {
          const events = byProblem.get(problem.id) ?? []
          const request = Open311.toServiceRequest(problem, context, events)
          if (!options.extensions) return request
          const updates = Open311.updates(problem.id, events, context).map(({ actor: _, ...update }) => update)
          return { ...request, updates }
        })
      })

    const encodeRequests = Schema.encode(Schema.Array(Open311Api.ServiceRequest))

    return handlers
      .handle("services", ({ urlParams }) =>
        Effect.as(
          checkJurisdiction(urlParams.jurisdiction_id),
          Catalogue.services(config.catalogue, { language: urlParams.locale ?? "zh" })
        )
      )
      .handle("service", ({ path, urlParams }) =>
        Effect.gen(function* () {
          yield* checkJurisdiction(urlParams.jurisdiction_id)
          const category = Catalogue.find(config.catalogue, path.service_code)
          if (Option.isNone(category)) {
            return yield* ApiError.notFound({ entity: "Service", id: path.service_code })
          }
          return Category.toServiceDefinition(category.value, { language: urlParams.locale ?? "zh" })
        })
      )
      .handle("postRequest", ({ payload }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.register")
          const jurisdiction = payload.jurisdiction_id
          yield* checkJurisdiction(typeof jurisdiction === "string" && jurisdiction !== "" ? jurisdiction : undefined)
          // A posted point is resolved to the deepest node the actor may read that contains it.
          const lat = Number(payload.lat)
          const long = Number(payload.long)
          const located =
            payload.address_id === undefined && Number.isFinite(lat) && Number.isFinite(long)
              ? yield* Effect.orElseSucceed(
                  Effect.map(yield* Effect.map(today, (asOf) => geography.locate(actor, [long, lat], asOf)), (found) =>
                    Option.map(found, (hit) => hit.node.nodeId)
                  ),
                  () => Option.none<NodeId>()
                )
              : Option.none<NodeId>()
          const posted = yield* Either.match(
            Open311.decodePost(payload, { catalogue: config.catalogue, locate: () => located }),
            {
              onLeft: (invalid) => Effect.fail(badQuery(invalid)),
              onRight: Effect.succeed
            }
          )
          yield* visibleNode(actor, posted.nodeId)
          const id = yield* Id.make(Problem.ProblemId)
          const device = payload.device_id
          const registration = yield* call(
            register.register(actor, {
              id,
              categoryCode: posted.categoryCode,
              nodeId: posted.nodeId,
              source: {
                _tag: "ManualReport",
                reference: typeof device === "string" && device !== "" ? `open311:${device.slice(0, 240)}` : "open311"
              },
              note: posted.note,
              evidence: posted.evidence,
              attributes: posted.attributes
            })
          )
          const language = payload.locale === "en" ? "en" : "zh"
          const expected = Open311.formatDateTime(registration.problem.deadlineAt, offset)
          return [
            {
              service_request_id: registration.problem.id,
              service_notice: language === "en" ? `to be fixed by ${expected}` : `整改期限：${expected}`,
              account_id: null
            }
          ]
        })
      )
      .handle("requests", ({ urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.read")
          yield* checkJurisdiction(urlParams.jurisdiction_id)
          const request = yield* Either.match(
            Open311.decodePageRequest(
              Object.fromEntries(
                (["page", "page_size", "cursor"] as const).flatMap((name) =>
                  urlParams[name] === undefined ? [] : [[name, urlParams[name]]]
                )
              ),
              { maxPageSize: Open311Api.maxPageSize, defaultPageSize: 50 }
            ),
            { onLeft: (invalid) => Effect.fail(badQuery(invalid)), onRight: Effect.succeed }
          )
          const ids = split(urlParams.service_request_id)
          let found: ReadonlyArray<Problem.Problem>
          if (ids !== undefined) {
            // The spec: with service_request_id, the other filters are ignored.
            const valid = ids.filter((id) => Schema.is(Problem.ProblemId)(id)).map((id) => Problem.ProblemId.make(id))
            found = yield* call(register.find(actor, valid))
          } else {
            const now = yield* Clock.currentTimeMillis
            const end =
              urlParams.end_date === undefined ? now : yield* instantOf("end_date", urlParams.end_date, offset)
            const start =
              urlParams.start_date === undefined
                ? end - 90 * day
                : yield* instantOf("start_date", urlParams.start_date, offset)
            if (start > end) return yield* badParameter("start_date", "must not be after end_date")
            const statuses = split(urlParams.status) ?? ["open", "closed"]
            const unknown = statuses.find((status) => status !== "open" && status !== "closed")
            if (unknown !== undefined) return yield* badParameter("status", "must be open, closed or both")
            const codes = split(urlParams.service_code)
            const states = Problem.states.filter((state) => statuses.includes(state === "closed" ? "closed" : "open"))
            // Every page of the register's own list over the actor's scope: the register decides what
            // the actor may read; Open311's page numbers are cut from the whole below.
            const all: Array<Problem.Problem> = []
            let cursor: string | null | undefined
            do {
              const page = yield* call(
                register.list(actor, {
                  states,
                  ...(codes === undefined ? {} : { categoryCodes: codes }),
                  registered: { from: start, to: end },
                  ...(cursor === undefined || cursor === null ? {} : { cursor }),
                  limit: 1_000
                })
              )
              all.push(...page.problems)
              cursor = page.next
            } while (cursor !== null)
            found = all
          }
          const page = Open311.paginate(found, request)
          const items = yield* toRequests(page.items, {
            language: urlParams.locale ?? "zh",
            extensions: urlParams.extensions === "true"
          })
          const headers: Record<string, string> = {}
          const next = new URLSearchParams()
          for (const [key, value] of Object.entries(urlParams)) {
            if (typeof value === "string" && key !== "page" && key !== "cursor") next.set(key, value)
          }
          if (page.next_page !== null) {
            headers["x-next-page"] = String(page.next_page)
            next.set("page", String(page.next_page))
          } else if (page.next_cursor !== null) {
            headers["x-next-cursor"] = page.next_cursor
            next.set("cursor", page.next_cursor)
          }
          if (page.next_page !== null || page.next_cursor !== null) {
            headers.link = `</open311/v2/requests.json?${next.toString()}>; rel="next"`
          }
          return yield* Effect.orDie(
            Effect.flatMap(encodeRequests(items), (body) => HttpServerResponse.json(body, { headers }))
          )
        })
      )
      .handle("request", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const actor = yield* CurrentActor
          yield* granted(actor, "issues.read")
          yield* checkJurisdiction(urlParams.jurisdiction_id)
          const subject = { entity: "ServiceRequest", id: path.service_request_id }
          if (!Schema.is(Problem.ProblemId)(path.service_request_id)) return yield* ApiError.notFound(subject)
          const id = Problem.ProblemId.make(path.service_request_id)
          yield* Effect.catchTag(visibleProblem(actor, id), "NotFound", () => Effect.fail(ApiError.notFound(subject)))
          yield* call(register.history(actor, id), subject)
          const found = yield* call(register.find(actor, [id]))
          if (found.length === 0) return yield* ApiError.notFound(subject)
          return yield* toRequests(found, {
            language: urlParams.locale ?? "zh",
            extensions: urlParams.extensions === "true"
          })
        })
      )
  })
)
