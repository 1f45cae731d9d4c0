/**
 * Problems as Open311 GeoReport v2 service requests, with the spec's field names: the documents a
 * `GET requests.json` serves, the decoding of a `POST requests.json` body into what registering a
 * problem needs, and the paging and update-history extensions. Categories as services and service
 * definitions are `Category.toService` / `Category.toServiceDefinition` (and `Catalogue.services`).
 *
 * Everything here is pure: names, coordinates and media URLs come from lookups the caller passes,
 * and times are formatted in the jurisdiction's UTC offset (`+08:00` in Beijing), to the second, as
 * the spec's examples show them.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import { NodeId } from "@sortgrid/grid/Node"
import { Either, Option, Order, ParseResult, Predicate, Schema } from "effect"
import * as Catalogue from "./Catalogue.js"
import { type AttributeValues, type Language, toService, validateAttributes } from "./Category.js"
import { type ProblemEvent, Register } from "./Lifecycle.js"
import { type EvidenceRef, EvidenceRef as EvidenceRefSchema, Note, type Problem, ProblemId } from "./Problem.js"

// --- times ----------------------------------------------------------------------------------------

/**
 * A UTC offset in minutes, east positive: `480` is Beijing's `+08:00`.
 *
 * @since 0.1.0
 * @category times
 */
export const UtcOffset = Schema.Int.pipe(Schema.between(-720, 840))

/**
 * @since 0.1.0
 * @category times
 */
export type UtcOffset = typeof UtcOffset.Type

/**
 * Beijing's offset, `+08:00` (China keeps no daylight saving time).
 *
 * @since 0.1.0
 * @category times
 */
export const beijing: UtcOffset = 480

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/**
 * An instant as ISO 8601 in a UTC offset, to the second: `2023-01-10T17:00:00+08:00`. Milliseconds
 * are dropped (rounded down), as in the spec's examples.
 *
 * @since 0.1.0
 * @category times
 */
export const formatDateTime = (millis: number, offset: UtcOffset): string => {
  // Shifting the instant and reading it as UTC gives the wall-clock time in the offset.
  const local = new Date(Math.floor(millis / 1000) * 1000 + offset * 60_000)
  const sign = offset < 0 ? "-" : "+"
  const abs = Math.abs(offset)
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  )
}

// --- service requests -----------------------------------------------------------------------------

/**
 * A point, in WGS 84 degrees.
 *
 * @since 0.1.0
 * @category models
 */
export interface Location {
  readonly lat: number
  readonly long: number
}

/**
 * A service request as `GET requests.json` lists it, with the spec's field names. Unknown values
 * are `null`, as in the spec's JSON example. `address` is the name of the problem's site or
 * compound and `address_id` its node id; `zipcode` is always `null` (nodes carry no postal code).
 *
 * @since 0.1.0
 * @category open311
 */
export const ServiceRequest = Schema.Struct({
  service_request_id: Schema.String,
  status: Schema.Literal("open", "closed"),
  status_notes: Schema.NullOr(Schema.String),
  service_name: Schema.String,
  service_code: Schema.String,
  description: Schema.NullOr(Schema.String),
  agency_responsible: Schema.NullOr(Schema.String),
  service_notice: Schema.NullOr(Schema.String),
  requested_datetime: Schema.String,
  updated_datetime: Schema.String,
  expected_datetime: Schema.String,
  address: Schema.NullOr(Schema.String),
  address_id: Schema.String,
  zipcode: Schema.NullOr(Schema.String),
  lat: Schema.NullOr(Schema.Number),
  long: Schema.NullOr(Schema.Number),
  media_url: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category open311
 */
export type ServiceRequest = typeof ServiceRequest.Type

/**
 * What mapping problems needs from outside: the catalogue (for service names), the jurisdiction's
 * offset, node names (for `address` and `agency_responsible`), where a problem is when known, and
 * how an evidence reference becomes a public URL.
 *
 * @since 0.1.0
 * @category open311
 */
export interface Context {
  readonly catalogue: Catalogue.Catalogue
  readonly offset: UtcOffset
  readonly nodeName: (nodeId: NodeId) => Option.Option<string>
  readonly mediaUrl: (evidence: EvidenceRef) => string
  readonly location?: (problem: Problem) => Option.Option<Location>
  /** Chinese unless given. */
  readonly language?: Language
}

const say = (language: Language, zh: string, en: string): string => (language === "en" ? en : zh)

const nameOf = (context: Context, nodeId: NodeId): string => Option.getOrElse(context.nodeName(nodeId), () => nodeId)

const statusNotes = (problem: Problem, context: Context): string => {
  const language = context.language ?? "zh"
  const closure = problem.closure
  if (closure !== null) {
    if (closure._tag === "ClosedFixed") return say(language, "复查通过，已销号", "fixed: re-inspection passed")
    switch (closure.reason) {
      case "not-our-responsibility":
        return say(language, "已关闭：非本单位职责", "closed: not our responsibility")
      case "duplicate":
        return say(language, `已关闭：与 ${closure.duplicateOf} 重复`, `closed: duplicate of ${closure.duplicateOf}`)
      case "withdrawn":
        return say(language, "已关闭：已撤回", "closed: withdrawn")
    }
  }
  const unit = problem.assignee === null ? "" : nameOf(context, problem.assignee.unitId)
  switch (problem.state) {
    case "registered":
      return say(language, "已登记，待派单", "registered, awaiting assignment")
    case "assigned":
      return say(language, `已派至${unit}`, `assigned to ${unit}`)
    case "rectified":
      return say(language, "已整改，待复查", "rectified, awaiting re-inspection")
    default:
      return say(
        language,
        `复查未通过，重新整改（第 ${problem.reopenCount} 次）`,
        `re-inspection failed, rectifying again (reopened ${problem.reopenCount} times)`
      )
  }
}

/**
 * The last instant a problem is known to have changed. A problem does not keep when it was
 * assigned, so pass its history to {@link toServiceRequest} when `updated_datetime` must be exact.
 */
const lastChange = (problem: Problem): number =>
  Math.max(
    problem.registeredAt,
    problem.rectification?.rectifiedAt ?? 0,
    problem.closure?.closedAt ?? 0,
    ...problem.escalations.map((escalation) => escalation.at)
  )

/**
 * A problem as an Open311 service request. `status` is `closed` for every closing, fixed or not
 * (`status_notes` says which); `expected_datetime` is the deadline; `agency_responsible` the name
 * of the assigned unit (`null` until assigned); `service_notice` names the jurisdictions the
 * problem was escalated to; `media_url` is the first evidence found on registering, else the
 * first of the rectification. `updated_datetime` is the latest event's time when `history` (the
 * problem's events) is given, otherwise the latest instant the problem itself records.
 *
 * @since 0.1.0
 * @category open311
 */
export const toServiceRequest = (
  problem: Problem,
  context: Context,
  history: ReadonlyArray<ProblemEvent> = []
): ServiceRequest => {
  const language = context.language ?? "zh"
  const service = Option.map(Catalogue.find(context.catalogue, problem.categoryCode), (category) =>
    toService(category, { language })
  )
  const location = context.location === undefined ? Option.none() : context.location(problem)
  const evidence = problem.evidence[0] ?? problem.rectification?.evidence[0]
  const events = history.filter((event) => event.problemId === problem.id)
  const updatedAt = events.length === 0 ? lastChange(problem) : Math.max(...events.map((event) => event.at))
  return {
    service_request_id: problem.id,
    status: problem.closure === null ? "open" : "closed",
    status_notes: statusNotes(problem, context),
    service_name: Option.match(service, { onNone: () => problem.categoryCode, onSome: (s) => s.service_name }),
    service_code: problem.categoryCode,
    description: problem.description,
    agency_responsible: problem.assignee === null ? null : nameOf(context, problem.assignee.unitId),
    service_notice:
      problem.escalations.length === 0
        ? null
        : say(language, "已上报至", "escalated to ") +
          problem.escalations.map((escalation) => nameOf(context, escalation.to)).join(", "),
    requested_datetime: formatDateTime(problem.registeredAt, context.offset),
    updated_datetime: formatDateTime(updatedAt, context.offset),
    expected_datetime: formatDateTime(problem.deadlineAt, context.offset),
    address: Option.getOrNull(context.nodeName(problem.nodeId)),
    address_id: problem.nodeId,
    zipcode: null,
    lat: Option.match(location, { onNone: () => null, onSome: (point) => point.lat }),
    long: Option.match(location, { onNone: () => null, onSome: (point) => point.long }),
    media_url: evidence === undefined ? null : context.mediaUrl(evidence)
  }
}

// --- update history -------------------------------------------------------------------------------

/**
 * One entry of a request's update history: each lifecycle event, in version order. `update_id` is
 * `<service_request_id>:<version>`, unique and stable; `status` is the request's status after the
 * event; `actor` is the acting actor's id (an HTTP endpoint that must not show it drops it).
 *
 * @since 0.1.0
 * @category open311
 */
export const ServiceRequestUpdate = Schema.Struct({
  update_id: Schema.String,
  service_request_id: Schema.String,
  updated_datetime: Schema.String,
  status: Schema.Literal("open", "closed"),
  status_notes: Schema.String,
  actor: Schema.String,
  media_url: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category open311
 */
export type ServiceRequestUpdate = typeof ServiceRequestUpdate.Type

const eventNotes = (event: ProblemEvent, context: Context): string => {
  const language = context.language ?? "zh"
  const what = ((): string => {
    switch (event.kind) {
      case "registered":
        return say(language, "已登记", "registered")
      case "assigned": {
        const unit = event.assignee === null ? "" : nameOf(context, event.assignee.unitId)
        return say(language, `已派至${unit}`, `assigned to ${unit}`)
      }
      case "rectified":
        return say(language, "已整改", "rectified")
      case "reinspectionPassed":
        return say(language, "复查通过，已销号", "re-inspection passed: fixed")
      case "reinspectionFailed":
        return say(language, "复查未通过，重新整改", "re-inspection failed: rectifying again")
      case "closedOther": {
        const closure = event.closure
        const reason =
          closure === null || closure._tag === "ClosedFixed"
            ? ""
            : closure.reason === "duplicate"
              ? say(language, `与 ${closure.duplicateOf} 重复`, `duplicate of ${closure.duplicateOf}`)
              : closure.reason === "withdrawn"
                ? say(language, "已撤回", "withdrawn")
                : say(language, "非本单位职责", "not our responsibility")
        return say(language, `已关闭：${reason}`, `closed: ${reason}`)
      }
      case "escalated": {
        const to = event.escalatedTo === null ? "" : nameOf(context, event.escalatedTo)
        return say(language, `已上报至${to}`, `escalated to ${to}`)
      }
    }
  })()
  return event.note === null ? what : `${what}: ${event.note}`
}

/**
 * A request's update history from its lifecycle events: the events of `problemId` only, in
 * version order, each as an update (`status_notes` says what happened, then the event's note).
 *
 * @since 0.1.0
 * @category open311
 */
export const updates = (
  problemId: ProblemId,
  events: ReadonlyArray<ProblemEvent>,
  context: Context
): ReadonlyArray<ServiceRequestUpdate> =>
  events
    .filter((event) => event.problemId === problemId)
    .sort((a, b) => a.version - b.version)
    .map((event) => ({
      update_id: `${event.problemId}:${event.version}`,
      service_request_id: event.problemId,
      updated_datetime: formatDateTime(event.at, context.offset),
      status: event.toState === "closed" ? "closed" : "open",
      status_notes: eventNotes(event, context),
      actor: event.actor,
      media_url: event.evidence[0] === undefined ? null : context.mediaUrl(event.evidence[0])
    }))

// --- POST requests --------------------------------------------------------------------------------

/**
 * A decoded `POST requests.json`: everything registering the problem needs except what the server
 * chooses (the id and the SLA deadline, see {@link toRegister}). `location` is the posted point,
 * when one was posted; `attributes` are checked and normalised by `Category.validateAttributes`.
 *
 * @since 0.1.0
 * @category post
 */
export interface PostedRequest {
  readonly categoryCode: Problem["categoryCode"]
  readonly nodeId: NodeId
  readonly location: Option.Option<Location>
  readonly note: string | null
  readonly evidence: ReadonlyArray<EvidenceRef>
  readonly attributes: AttributeValues
}

const decimal = /^[+-]?\d+(?:\.\d+)?$/
/** A number, or a string of one as a form posts it; one issue per bad value. */
const numeric = (pattern: RegExp, message: string) =>
  Schema.transformOrFail(Schema.Unknown, Schema.Number, {
    strict: true,
    decode: (input, _, ast) =>
      typeof input === "number"
        ? ParseResult.succeed(input)
        : typeof input === "string" && pattern.test(input)
          ? ParseResult.succeed(Number(input))
          : ParseResult.fail(new ParseResult.Type(ast, input, message)),
    encode: ParseResult.succeed
  })

const coordinate = (min: number, max: number) =>
  numeric(decimal, "must be a decimal number").pipe(
    Schema.filter((n) => (n >= min && n <= max) || `must be between ${min} and ${max}`)
  )

const FormValue = Schema.Union(Schema.String, Schema.Array(Schema.String))

/**
 * The fields of a POST body other than `attribute[…]`. Personal and client fields are accepted and
 * dropped: the register keeps no reporter's contact, and `jurisdiction_id` / `api_key` are the
 * HTTP layer's. `address_string` is dropped too: a place is named by `address_id` or `lat`/`long`.
 */
const PostFields = Schema.Struct({
  service_code: Schema.String,
  lat: Schema.optionalWith(coordinate(-90, 90), { exact: true }),
  long: Schema.optionalWith(coordinate(-180, 180), { exact: true }),
  address_id: Schema.optionalWith(NodeId, { exact: true }),
  description: Schema.optionalWith(Note, { exact: true }),
  media_url: Schema.optionalWith(
    EvidenceRefSchema.pipe(Schema.filter((url) => /^https?:\/\/\S+$/.test(url) || "must be an http or https URL")),
    { exact: true }
  ),
  address_string: Schema.optionalWith(FormValue, { exact: true }),
  jurisdiction_id: Schema.optionalWith(FormValue, { exact: true }),
  api_key: Schema.optionalWith(FormValue, { exact: true }),
  email: Schema.optionalWith(FormValue, { exact: true }),
  device_id: Schema.optionalWith(FormValue, { exact: true }),
  account_id: Schema.optionalWith(FormValue, { exact: true }),
  first_name: Schema.optionalWith(FormValue, { exact: true }),
  last_name: Schema.optionalWith(FormValue, { exact: true }),
  phone: Schema.optionalWith(FormValue, { exact: true })
})

const attributeKey = /^attribute\[([^\]]+)\](\[\])?$/

const issue = (path: ReadonlyArray<string | number>, reason: string) => new Errors.Issue({ path, reason })

/**
 * Decodes the body of `POST requests.json`, as form fields (a record of strings, a repeated field
 * as a list of strings) or JSON. Blank fields count as absent (forms send unfilled fields empty).
 *
 * - `service_code` must name a category of the catalogue;
 * - the place is `address_id` (a node id), else `lat` and `long` resolved to a node by `locate`;
 *   with both, `address_id` names the node and the point is kept as `location`;
 * - `description` (the note, up to 2000 characters) and `media_url` (an http(s) URL, kept as
 *   evidence) are optional;
 * - `attribute[code]` carries an attribute's value (`attribute[code][]` or a repeated field a
 *   multi-value list's keys; an object under `attribute` is accepted too), checked by
 *   `Category.validateAttributes`;
 * - `email`, `phone`, `first_name`, `last_name`, `device_id`, `account_id`, `address_string`,
 *   `jurisdiction_id` and `api_key` are accepted and dropped; any other field is refused.
 *
 * Every issue is reported at once, each naming its field as posted: `service_code`, `lat`,
 * `attribute[bin_colour]`, `attribute[damage][2]`.
 *
 * @since 0.1.0
 * @category post
 */
export const decodePost = (
  body: unknown,
  options: {
    readonly catalogue: Catalogue.Catalogue
    readonly locate?: (location: Location) => Option.Option<NodeId>
  }
): Either.Either<PostedRequest, Errors.Invalid> => {
  if (!Predicate.isRecord(body)) return Either.left(Errors.Invalid.one([], "must be an object of fields"))
  const issues: Array<Errors.Issue> = []
  const fields: Record<string, unknown> = {}
  const submitted: Record<string, unknown> = {}
  const givenAs = new Map<string, string>()
  const addAttribute = (key: string, code: string, value: unknown) => {
    if (givenAs.has(code)) issues.push(issue([key], `repeats ${givenAs.get(code)}`))
    else {
      givenAs.set(code, key)
      submitted[code] = value
    }
  }
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string" && value.trim() === "") continue
    const match = attributeKey.exec(key)
    if (match !== null) addAttribute(key, match[1]!, match[2] === undefined ? value : [value].flat())
    else if (key === "attribute" && Predicate.isRecord(value)) {
      for (const [code, item] of Object.entries(value)) addAttribute(`attribute[${code}]`, code, item)
    } else if (key.startsWith("attribute")) issues.push(issue([key], "must be of the form attribute[code]"))
    else fields[key] = typeof value === "string" ? value.trim() : value
  }
  const decoded = Either.mapLeft(
    Schema.decodeUnknownEither(PostFields, { errors: "all", onExcessProperty: "error" })(fields),
    (error) => Errors.Invalid.fromParseError(error).issues
  )
  if (Either.isLeft(decoded)) issues.push(...decoded.left)

  const serviceCode = fields.service_code
  const category = typeof serviceCode === "string" ? Catalogue.find(options.catalogue, serviceCode) : Option.none()
  if (typeof serviceCode === "string" && Option.isNone(category)) {
    issues.push(issue(["service_code"], `${serviceCode} is not a service of this jurisdiction`))
  }
  const attributes = Option.map(category, (found) => {
    // A form with one box ticked sends a multi-value list as a single field.
    for (const attribute of found.attributes) {
      const value = submitted[attribute.code]
      if (attribute.datatype === "multivaluelist" && typeof value === "string") submitted[attribute.code] = [value]
    }
    return Either.mapLeft(validateAttributes(found, submitted, []), (invalid) =>
      invalid.issues.map(({ path: [code, ...rest], reason }) => issue([`attribute[${String(code)}]`, ...rest], reason))
    )
  })
  if (Option.isSome(attributes) && Either.isLeft(attributes.value)) issues.push(...attributes.value.left)

  if (Either.isRight(decoded) && Option.isSome(category)) {
    const post = decoded.right
    const location: Option.Option<Location> =
      post.lat !== undefined && post.long !== undefined
        ? Option.some({ lat: post.lat, long: post.long })
        : Option.none()
    if (post.lat !== undefined && post.long === undefined) issues.push(issue(["long"], "is required with lat"))
    if (post.long !== undefined && post.lat === undefined) issues.push(issue(["lat"], "is required with long"))
    const nodeId =
      post.address_id !== undefined
        ? Option.some(post.address_id)
        : Option.flatMap(location, (point) => (options.locate === undefined ? Option.none() : options.locate(point)))
    if (Option.isNone(nodeId) && post.lat === undefined && post.long === undefined) {
      issues.push(issue(["address_id"], "is required unless lat and long are given"))
    } else if (Option.isNone(nodeId) && Option.isSome(location)) {
      issues.push(issue(["lat"], `no site or compound is known at ${location.value.lat}, ${location.value.long}`))
    }
    const [first, ...rest] = issues
    if (first === undefined && Option.isSome(nodeId)) {
      return Either.right({
        categoryCode: category.value.code,
        nodeId: nodeId.value,
        location,
        note: post.description ?? null,
        evidence: post.media_url === undefined ? [] : [post.media_url],
        attributes: Option.match(attributes, { onNone: () => ({}), onSome: Either.getOrElse(() => ({})) })
      })
    }
    if (first !== undefined) return Either.left(new Errors.Invalid({ issues: [first, ...rest] }))
  }
  const [first, ...rest] = issues
  return Either.left(
    new Errors.Invalid({ issues: first === undefined ? [issue([], "could not be decoded")] : [first, ...rest] })
  )
}

/**
 * The `Register` command for a decoded POST, with what the server chooses: the problem's id (the
 * `service_request_id` it answers with) and the deadline from the category's SLA (`Sla.deadline`).
 * The source is a manual report carrying `reference` when given (e.g. the client's `device_id`).
 * Fails, naming the field, only on an out-of-range deadline.
 *
 * @since 0.1.0
 * @category post
 */
export const toRegister = (
  posted: PostedRequest,
  server: { readonly id: ProblemId; readonly deadlineAt: number; readonly reference?: string }
): Either.Either<Register, Errors.Invalid> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(Register, { errors: "all" })({
      _tag: "Register",
      id: server.id,
      categoryCode: posted.categoryCode,
      nodeId: posted.nodeId,
      source: { _tag: "ManualReport", reference: server.reference ?? null },
      deadlineAt: server.deadlineAt,
      note: posted.note,
      evidence: posted.evidence,
      attributes: posted.attributes
    }),
    (error) => Errors.Invalid.fromParseError(error)
  )

// --- paging ---------------------------------------------------------------------------------------

/**
 * Where a page starts: a page number (from 1), or after a cursor (the key of the last request of
 * the previous page).
 *
 * @since 0.1.0
 * @category paging
 */
export interface PageRequest {
  readonly pageSize: number
  readonly start: { readonly page: number } | { readonly after: CursorKey }
}

/**
 * The paging order's key: requests are listed by registration time, then id. Problems are never
 * deleted and are registered at the clock's time, so a page keeps its content as new ones arrive.
 *
 * @since 0.1.0
 * @category paging
 */
export interface CursorKey {
  readonly registeredAt: number
  readonly id: ProblemId
}

/**
 * The paging order: registration time, then id.
 *
 * @since 0.1.0
 * @category paging
 */
export const order: Order.Order<Problem> = Order.combine(
  Order.mapInput(Order.number, (problem: Problem) => problem.registeredAt),
  Order.mapInput(Order.string, (problem: Problem) => problem.id)
)

const keyOf = (problem: Problem): CursorKey => ({ registeredAt: problem.registeredAt, id: problem.id })

/**
 * Whether a problem comes after a cursor in the paging order (what a store's keyset query selects).
 *
 * @since 0.1.0
 * @category paging
 */
export const isAfter = (problem: Problem, key: CursorKey): boolean =>
  problem.registeredAt > key.registeredAt || (problem.registeredAt === key.registeredAt && problem.id > key.id)

/**
 * A cursor as the opaque string clients send back: `<registeredAt>~<id>` (`~` is in no id).
 *
 * @since 0.1.0
 * @category paging
 */
export const encodeCursor = (key: CursorKey): string => `${key.registeredAt}~${key.id}`

const Count = (max: number) =>
  numeric(/^\d{1,15}$/, "must be a whole number").pipe(
    Schema.filter((n) => (Number.isInteger(n) && n >= 1 && n <= max) || `must be a whole number from 1 to ${max}`)
  )

const Cursor = Schema.String.pipe(
  Schema.pattern(/^\d{1,16}~[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: () => "is not a cursor of this list" })
)

/**
 * The paging extension's query: `page` (from 1), `page_size` (up to `maxPageSize`, default
 * `defaultPageSize`) and `cursor` (from a previous page's `next_cursor`, instead of `page`). Values
 * may be strings, as a query string gives them; every issue names its parameter.
 *
 * @since 0.1.0
 * @category paging
 */
export const decodePageRequest = (
  query: unknown,
  options: { readonly defaultPageSize?: number; readonly maxPageSize?: number } = {}
): Either.Either<PageRequest, Errors.Invalid> => {
  const maxPageSize = options.maxPageSize ?? 1000
  const Query = Schema.Struct({
    page: Schema.optionalWith(Count(Number.MAX_SAFE_INTEGER), { exact: true }),
    page_size: Schema.optionalWith(Count(maxPageSize), { exact: true }),
    cursor: Schema.optionalWith(Cursor, { exact: true })
  })
  return Either.flatMap(
    Either.mapLeft(Schema.decodeUnknownEither(Query, { errors: "all" })(query), (error) =>
      Errors.Invalid.fromParseError(error)
    ),
    ({ page, page_size, cursor }): Either.Either<PageRequest, Errors.Invalid> => {
      if (page !== undefined && cursor !== undefined) {
        return Either.left(Errors.Invalid.one(["cursor"], "cannot be given with page"))
      }
      const pageSize = page_size ?? Math.min(options.defaultPageSize ?? 100, maxPageSize)
      if (cursor === undefined) return Either.right({ pageSize, start: { page: page ?? 1 } })
      const at = cursor.indexOf("~")
      const registeredAt = Number(cursor.slice(0, at))
      return Either.right({ pageSize, start: { after: { registeredAt, id: ProblemId.make(cursor.slice(at + 1)) } } })
    }
  )
}

/**
 * One page of a list: its items, and where the next page starts (`null` on the last page, so a
 * list of exactly one full page has no next page).
 *
 * @since 0.1.0
 * @category paging
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly page_size: number
  /** The page number for page-number paging; `null` when the page started at a cursor. */
  readonly page: number | null
  readonly next_page: number | null
  readonly next_cursor: string | null
}

/**
 * Cuts one page out of problems (in any order: they are put in the paging order first). A page past
 * the end is empty and has no next page.
 *
 * @since 0.1.0
 * @category paging
 */
export const paginate = (problems: ReadonlyArray<Problem>, request: PageRequest): Page<Problem> => {
  const sorted = [...problems].sort(order)
  const { start, pageSize } = request
  const from =
    "page" in start
      ? (start.page - 1) * pageSize
      : (() => {
          const index = sorted.findIndex((problem) => isAfter(problem, start.after))
          return index === -1 ? sorted.length : index
        })()
  const items = sorted.slice(from, from + pageSize)
  const more = from + pageSize < sorted.length
  const last = items.at(-1)
  return {
    items,
    page_size: pageSize,
    page: "page" in start ? start.page : null,
    next_page: more && "page" in start ? start.page + 1 : null,
    next_cursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null
  }
}
