/**
 * Open311 GeoReport v2 over the problem register, JSON only, under `/open311/v2`:
 *
 * - `GET services.json` and `GET services/{service_code}.json` — the category catalogue as services
 *   and service definitions; public, as the spec intends;
 * - `POST requests.json` — a service request becomes a problem on the register (form-encoded or
 *   JSON body, fields as the spec names them: `service_code`, `address_id` or `lat`/`long`,
 *   `description`, `media_url`, `attribute[code]`); the answer is `[{ service_request_id,
 *   service_notice, account_id }]`. It needs a bearer token (the spec's `api_key` in the body is
 *   not accepted: a key in a form body is logged and cached too easily) and `issues.register` at
 *   the place. An `Idempotency-Key` header is honoured when sent; Open311 clients do not send one,
 *   so it is optional here;
 * - `GET requests.json` and `GET requests/{service_request_id}.json` — problems as service requests,
 *   only those inside the caller's scope (`issues.read`); a request outside it is a 404, as a
 *   missing one is.
 *
 * `jurisdiction_id` is accepted on every endpoint and must name this server's jurisdiction when
 * given. Extensions: `locale=en` answers in English; paging with `page` and `page_size` (up to
 * {@link maxPageSize}) or `cursor`, the next page announced in `Link: <…>; rel="next"`,
 * `X-Next-Page` and `X-Next-Cursor` headers while the body stays the spec's array; `extensions=true`
 * adds each request's update history as `updates` (without the acting staff member's id).
 *
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Category, Open311 } from "@sortgrid/issues"
import { Schema } from "effect"
import { Authentication } from "./Auth.js"
import { IdempotencyKey } from "./IdempotencyStore.js"

/**
 * The largest `page_size` of `GET requests.json`.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxPageSize = 200

const Jurisdiction = { jurisdiction_id: Schema.optional(Schema.String) }
const Locale = { locale: Schema.optional(Schema.Literal("zh", "en")) }
const Extensions = { extensions: Schema.optional(Schema.Literal("true", "false")) }

/**
 * One entry of a request's update history, as `extensions=true` lists it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Update = Open311.ServiceRequestUpdate.pipe(Schema.omit("actor"))

/**
 * A service request, with its update history when `extensions=true` asked for it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServiceRequest = Schema.Struct({
  ...Open311.ServiceRequest.fields,
  updates: Schema.optionalWith(Schema.Array(Update), { exact: true })
}).annotations({ identifier: "ServiceRequest" })

/**
 * The answer to `POST requests.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Created = Schema.Struct({
  service_request_id: Schema.String,
  service_notice: Schema.NullOr(Schema.String),
  account_id: Schema.NullOr(Schema.String)
})

/**
 * The body of `POST requests.json`: the spec's fields, form-encoded or JSON. Checked by
 * `Open311.decodePost`, which names each bad field as posted (`attribute[stream]`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PostBody = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "ServiceRequestPost",
  description:
    "service_code (required); address_id, or lat and long; description; media_url; attribute[code] per " +
    "attribute (attribute[code][] for lists); email, phone, first_name, last_name, device_id, account_id, " +
    "address_string, jurisdiction_id and api_key are accepted and not kept; any other field is refused"
})

/**
 * The query of `GET requests.json`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RequestsQuery = Schema.Struct({
  ...Jurisdiction,
  ...Locale,
  ...Extensions,
  service_request_id: Schema.optional(Schema.String),
  service_code: Schema.optional(Schema.String),
  start_date: Schema.optional(Schema.String),
  end_date: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  page: Schema.optional(Schema.String),
  page_size: Schema.optional(Schema.String),
  cursor: Schema.optional(Schema.String)
})

/**
 * The Open311 endpoints.
 *
 * @since 0.1.0
 * @category groups
 */
export const group = HttpApiGroup.make("open311")
  .add(
    HttpApiEndpoint.get("services", "/services.json")
      .setUrlParams(Schema.Struct({ ...Jurisdiction, ...Locale }))
      .addSuccess(Schema.Array(Category.Open311Service))
      .annotate(OpenApi.Summary, "Service list: the problem categories")
  )
  .add(
    HttpApiEndpoint.get("service", "/services/:service_code.json")
      .setPath(Schema.Struct({ service_code: Schema.String }))
      .setUrlParams(Schema.Struct({ ...Jurisdiction, ...Locale }))
      .addSuccess(Category.Open311ServiceDefinition)
      .annotate(OpenApi.Summary, "Service definition: a category's attributes")
  )
  .add(
    HttpApiEndpoint.post("postRequest", "/requests.json")
      .setHeaders(Schema.Struct({ "idempotency-key": Schema.optional(IdempotencyKey) }))
      .setPayload(PostBody)
      .addSuccess(Schema.Array(Created), { status: 201 })
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Create a service request: put a problem on the register")
  )
  .add(
    HttpApiEndpoint.get("requests", "/requests.json")
      .setUrlParams(RequestsQuery)
      .addSuccess(Schema.Array(ServiceRequest))
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Service requests in the caller's scope, oldest first (paged)")
  )
  .add(
    HttpApiEndpoint.get("request", "/requests/:service_request_id.json")
      .setPath(Schema.Struct({ service_request_id: Schema.String }))
      .setUrlParams(Schema.Struct({ ...Jurisdiction, ...Locale, ...Extensions }))
      .addSuccess(Schema.Array(ServiceRequest))
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "One service request, as a list of one")
  )
  .prefix("/open311/v2")
  .annotate(OpenApi.Description, "Open311 GeoReport v2 (JSON), with paging and update-history extensions")
