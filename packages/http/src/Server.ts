/**
 * The HTTP server: the {@link Api} served over the SDK's services, with bearer-token authentication,
 * the request limits and `Idempotency-Key` replay, the OpenAPI document at `/openapi.json` and
 * interactive docs (Scalar, bundled: no CDN) at `/docs`.
 *
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * Server.layer({ store: "sqlite:./sortgrid.db", port: 8080, jwt: { secret: process.env.JWT_SECRET! } }).pipe(
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import { HttpApiBuilder, HttpApiScalar, HttpMiddleware, type HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { Errors, Permission } from "@sortgrid/core"
import { Sortgrid } from "@sortgrid/sdk"
import { Layer } from "effect"
import { Api } from "./Api.js"
import * as Auth from "./Auth.js"
import { HttpConfig, type Settings } from "./HttpConfig.js"
import * as IdempotencyStore from "./IdempotencyStore.js"
import * as AssessmentHandlers from "./internal/handlers/assessment.js"
import * as AuditHandlers from "./internal/handlers/audit.js"
import * as DashboardHandlers from "./internal/handlers/dashboard.js"
import * as GridHandlers from "./internal/handlers/grid.js"
import * as IssuesHandlers from "./internal/handlers/issues.js"
import * as LedgerHandlers from "./internal/handlers/ledger.js"
import * as Open311Handlers from "./internal/handlers/open311.js"
import { decodeErrors, middleware } from "./internal/requests.js"
import * as StaticFiles from "./internal/staticFiles.js"

/**
 * Every group's handlers. A new group's handlers layer is added here (and its group in `Api`).
 *
 * @since 0.1.0
 * @category layers
 */
export const handlers = Layer.mergeAll(
  GridHandlers.layer,
  IssuesHandlers.layer,
  LedgerHandlers.layer,
  AssessmentHandlers.layer,
  AuditHandlers.layer,
  Open311Handlers.layer,
  DashboardHandlers.layer
)

/**
 * The API over the services in the context, ready for `HttpApiBuilder.serve`: handlers,
 * authentication (over the `TokenVerifier` in the context) and the API's error mapping.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerApi = HttpApiBuilder.api(Api).pipe(
  Layer.provide(handlers),
  Layer.provide(Auth.layerAuthentication),
  Layer.provide(HttpApiBuilder.middleware(Api, decodeErrors))
)

/**
 * What to serve.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions {
  /** Where `/docs` is served; default `/docs`. */
  readonly docsPath?: `/${string}` | undefined
  /** Log each request (method, URL, status, time); default off. */
  readonly logRequests?: boolean | undefined
  /**
   * A directory of built web pages (the dashboard) to serve under `/`, beside the API: its
   * `index.html` at `/` and every other file at its own path. Default none.
   */
  readonly dashboardDir?: string | undefined
}

/**
 * Serves the API on the `HttpServer` in the context, with `/openapi.json` and `/docs`. Needs the
 * SDK's services, a `TokenVerifier` and an `IdempotencyStore`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServe = (options: ServeOptions = {}) =>
  HttpApiBuilder.serve((app) => {
    const served = middleware(app)
    return options.logRequests === true ? HttpMiddleware.logger(served) : served
  }).pipe(
    Layer.provide(HttpApiScalar.layer({ path: options.docsPath ?? "/docs", scalar: { withDefaultFonts: false } })),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(options.dashboardDir === undefined ? Layer.empty : StaticFiles.layer(options.dashboardDir)),
    Layer.provide(layerApi)
  )

/**
 * How callers authenticate: a static table of tokens, or HS256 JWTs signed with a secret.
 *
 * @since 0.1.0
 * @category models
 */
export type Authentication =
  | { readonly tokens: Auth.TokenTable; readonly jwt?: undefined }
  | { readonly jwt: Auth.JwtOptions; readonly tokens?: undefined }

/**
 * The options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Authentication &
  ServeOptions &
  Partial<Settings> & {
    /** A store URL; default `sqlite:./sortgrid.db`. */
    readonly store?: string | undefined
    /** The permission policy; default the SDK's. */
    readonly grants?: Permission.Grants | undefined
    /** The points ledger's lot policy per ledger id; default none (points never expire). */
    readonly ledger?: Sortgrid.SortgridOptions["ledger"]
    /** The earning programme per ledger id; default none (every earning is a 404). */
    readonly earning?: Sortgrid.SortgridOptions["earning"]
    /** Default 8080; 0 picks a free port. */
    readonly port?: number | undefined
    /** Default `127.0.0.1`: listening on every interface is a choice to make explicitly. */
    readonly host?: string | undefined
  }

/**
 * The server over the SDK's services in the context: authentication, the in-memory idempotency
 * records, the settings. Tests provide the services (to seed them too) and an `HttpServer` such as
 * `NodeHttpServer.layerTest`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOver = (
  options: Authentication & ServeOptions & Partial<Settings>
): Layer.Layer<
  never,
  Errors.Invalid,
  Sortgrid.Services | HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices
> =>
  layerServe(options).pipe(
    Layer.provide(options.jwt === undefined ? Auth.layerStaticTokens(options.tokens) : Auth.layerJwt(options.jwt)),
    Layer.provide(IdempotencyStore.layerMemory),
    Layer.provide(
      Layer.succeed(HttpConfig, {
        jurisdictionId: options.jurisdictionId ?? HttpConfig.defaultValue().jurisdictionId,
        maxBodyBytes: options.maxBodyBytes ?? HttpConfig.defaultValue().maxBodyBytes
      })
    )
  )

/**
 * Everything but the HTTP server itself: {@link layerOver} with the services over the store.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutServer = (
  options: Options
): Layer.Layer<
  never,
  Errors.Invalid | Errors.StoreUnavailable,
  HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices
> =>
  layerOver(options).pipe(
    Layer.provide(
      Sortgrid.layer({ store: options.store, grants: options.grants, ledger: options.ledger, earning: options.earning })
    )
  )

/**
 * A Node HTTP server on `host:port` serving the API over the store: the sample server. Launch it
 * with `Layer.launch`. Idempotency records are kept in memory (see `IdempotencyStore`). The layer
 * keeps the `HttpServer` in its output, so that a caller who asked for port 0 can read the port
 * picked from its `address`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options) =>
  layerWithoutServer(options).pipe(
    HttpServer.withLogAddress,
    Layer.provideMerge(
      NodeHttpServer.layer(createServer, { port: options.port ?? 8080, host: options.host ?? "127.0.0.1" })
    )
  )
