/**
 * The sortgrid HTTP API, declared once: the server's handlers, the OpenAPI document and the typed
 * client (`HttpApiClient.make(Api.Api)`) all derive from {@link Api}.
 *
 * Groups: `grid`, `issues`, `ledger` (the points ledger and programme), `assessment`, `audit`,
 * `open311` and `dashboard` (read-only views for the browser dashboard). A new group is a module
 * declaring an `HttpApiGroup` (see `GridApi`), one `.add` here, and its handlers' layer in
 * `Server.handlers`.
 *
 * @since 0.1.0
 */
import { HttpApi, OpenApi } from "@effect/platform"
import {
  BadRequest,
  Conflict,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  Unauthorized,
  Unavailable,
  Unprocessable
} from "./ApiError.js"
import * as AssessmentApi from "./AssessmentApi.js"
import * as AuditApi from "./AuditApi.js"
import * as DashboardApi from "./DashboardApi.js"
import * as GridApi from "./GridApi.js"
import * as IssuesApi from "./IssuesApi.js"
import * as LedgerApi from "./LedgerApi.js"
import * as Open311Api from "./Open311Api.js"

/**
 * The API.
 *
 * @since 0.1.0
 * @category api
 */
export const Api = HttpApi.make("sortgrid")
  .add(GridApi.group)
  .add(IssuesApi.group)
  .add(LedgerApi.group)
  .add(AssessmentApi.group)
  .add(AuditApi.group)
  .add(Open311Api.group)
  .add(DashboardApi.group)
  .addError(BadRequest)
  .addError(Unauthorized)
  .addError(Forbidden)
  .addError(NotFound)
  .addError(Conflict)
  .addError(PayloadTooLarge)
  .addError(Unprocessable)
  .addError(Unavailable)
  .annotate(OpenApi.Title, "sortgrid")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "Household waste-sorting programmes: the jurisdiction tree, the problem register and inspections, the " +
      "points ledger and programme, the assessment engine, the audit log, and Open311 GeoReport v2. Bearer tokens name the actor; the SDK's permission checks apply. " +
      "Objects outside the caller's scope are answered 404, as missing ones are. Every sortgrid POST needs an " +
      "Idempotency-Key header. Errors are JSON problem bodies naming each field and reason."
  )
  .annotate(OpenApi.License, { name: "MIT" })

/**
 * The API's type.
 *
 * @since 0.1.0
 * @category api
 */
export type Api = typeof Api

/**
 * The OpenAPI 3.1 document of {@link Api}: what `/openapi.json` serves and the committed
 * `openapi.json` snapshot holds.
 *
 * @since 0.1.0
 * @category api
 */
export const openApi = (): OpenApi.OpenAPISpec => OpenApi.fromApi(Api)
