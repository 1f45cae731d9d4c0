// An existing Node app that embeds sortgrid's assessment engine, with no Effect in sight: a plain
// `node:http` server calling the Promise facade (`Client`) for stored schemes, values and results,
// and the pure engine (`Engine.score`) for one-off scoring from JSON. The host keeps what it
// already has — its own routing, its own authentication — and maps its users to sortgrid actors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Engine } from "@sortgrid/assessment"
import type { Client } from "@sortgrid/sdk"

/** An actor as plain data: who acts, in which roles, over which parts of the tree. */
export type Actor = Client.ActorInput

export interface AppOptions {
  /** The open sortgrid the app works on; the app does not close it. */
  readonly sortgrid: Client.SortgridClient
  /**
   * Bearer token → actor. A real host looks its users up in its own session store; what it must
   * hand sortgrid is the actor, and sortgrid checks the permission on every call.
   */
  readonly tokens: Readonly<Record<string, Actor>>
  /** The largest request body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number
}

/** A failure that knows its HTTP status and carries a sortgrid-shaped body. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly tag: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {}
  ) {
    super(message)
  }
}

/**
 * sortgrid rejects with an `Error` whose `_tag` names the kind of failure. Each kind has one HTTP
 * status; anything else is a bug and answers 500 without details.
 */
const statusOf: Readonly<Record<string, number>> = {
  Invalid: 422,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  StoreUnavailable: 503,
  StorageError: 503
}

const tagOf = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return undefined
  return typeof error._tag === "string" ? error._tag : undefined
}

/** The body of an error answer: `{ error: { _tag, message, issues? } }`, `issues` with field paths. */
const errorBody = (error: unknown): { readonly status: number; readonly body: unknown } => {
  if (error instanceof HttpFailure) {
    return { status: error.status, body: { error: { _tag: error.tag, message: error.message, ...error.details } } }
  }
  const tag = tagOf(error)
  const status = tag === undefined ? undefined : statusOf[tag]
  if (tag === undefined || status === undefined || !(error instanceof Error)) {
    return { status: 500, body: { error: { _tag: "InternalError", message: "internal error" } } }
  }
  const issues = "issues" in error ? error.issues : undefined
  return { status, body: { error: { _tag: tag, message: error.message, ...(issues === undefined ? {} : { issues }) } } }
}

const send = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text)
  })
  response.end(text)
}

const readJson = async (request: IncomingMessage, limit: number): Promise<unknown> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += buffer.length
    if (size > limit) throw new HttpFailure(413, "PayloadTooLarge", `the body exceeds ${limit} bytes`)
    chunks.push(buffer)
  }
  const text = Buffer.concat(chunks).toString("utf8")
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpFailure(400, "BadRequest", "the body is not JSON")
  }
}

interface Request {
  readonly actor: Actor
  readonly body: unknown
  readonly params: ReadonlyArray<string>
  readonly query: URLSearchParams
}

interface Route {
  readonly method: "GET" | "POST"
  readonly path: RegExp
  /** Whether the route acts as someone (stored data); pure scoring needs no actor. */
  readonly authenticated: boolean
  readonly status: number
  readonly handle: (request: Request) => Promise<unknown>
}

const required = (query: URLSearchParams, name: string): string => {
  const value = query.get(name)
  if (value === null || value === "") throw new HttpFailure(400, "BadRequest", `the query needs ${name}`)
  return value
}

const routes = (sortgrid: Client.SortgridClient): ReadonlyArray<Route> => {
  const route = (
    method: Route["method"],
    path: RegExp,
    handle: Route["handle"],
    options: { readonly status?: number; readonly authenticated?: boolean } = {}
  ): Route => ({ method, path, handle, status: options.status ?? 200, authenticated: options.authenticated ?? true })
  return [
    route("GET", /^\/health$/, async () => ({ ok: true }), { authenticated: false }),
    // Pure scoring: scheme, values and options in; results (or every error, with its path) out.
    // Nothing is stored, so there is nobody to check a permission for.
    route(
      "POST",
      /^\/score$/,
      async ({ body }) => {
        const input = typeof body === "object" && body !== null ? body : {}
        const outcome = Engine.score(
          "scheme" in input ? input.scheme : undefined,
          "values" in input ? input.values : undefined,
          "options" in input ? input.options : undefined
        )
        // Every problem is listed at once, each with its path (`["scheme", "items", 2, …]`).
        if (!outcome.ok) throw new HttpFailure(422, "Invalid", "the input cannot be scored", { errors: outcome.errors })
        return { result: outcome.result, allocation: outcome.allocation }
      },
      { authenticated: false }
    ),
    // The stored workflow, through the Promise facade: every call runs as the request's actor.
    route("POST", /^\/nodes$/, ({ actor, body }) => sortgrid.grid.open(actor, asArray(body)), { status: 201 }),
    route("POST", /^\/schemes$/, ({ actor, body }) => sortgrid.assessment.defineScheme(actor, body), { status: 201 }),
    route("GET", /^\/schemes\/([^/]+)\/versions$/, ({ actor, params }) =>
      sortgrid.assessment.schemeVersions(actor, params[0] ?? "")
    ),
    route("GET", /^\/schemes\/([^/]+)\/diff$/, ({ actor, params, query }) =>
      sortgrid.assessment.schemeDiff(actor, {
        id: params[0] ?? "",
        from: Number(required(query, "from")),
        to: Number(required(query, "to"))
      })
    ),
    route("POST", /^\/values$/, ({ actor, body }) => sortgrid.assessment.enterValues(actor, asArray(body)), {
      status: 201
    }),
    route("POST", /^\/evaluations$/, ({ actor, body }) => sortgrid.assessment.evaluate(actor, body)),
    route("GET", /^\/results$/, async ({ actor, query }) => {
      const versions = await sortgrid.assessment.results(actor, {
        schemeId: required(query, "schemeId"),
        period: required(query, "period")
      })
      const latest = versions.at(-1)
      if (latest === undefined) throw new HttpFailure(404, "NotFound", "no result for this scheme and period")
      return latest
    }),
    route("POST", /^\/allocations$/, ({ actor, body }) => sortgrid.assessment.allocate(actor, body))
  ]
}

const asArray = (body: unknown): ReadonlyArray<unknown> => {
  if (!Array.isArray(body)) throw new HttpFailure(400, "BadRequest", "the body must be a JSON array")
  return body
}

/**
 * The app as a `node:http` server, not yet listening. Routes:
 *
 * - `POST /score` `{ scheme, values, options }`: `Engine.score`, nothing stored;
 * - `POST /nodes`, `POST /schemes`, `GET /schemes/:id/versions`, `GET /schemes/:id/diff?from&to`,
 *   `POST /values`, `POST /evaluations`, `GET /results?schemeId&period`, `POST /allocations`: the
 *   Promise facade, as the actor of the `Authorization: Bearer <token>` header.
 */
export const createApp = (options: AppOptions): Server => {
  const table = routes(options.sortgrid)
  const limit = options.maxBodyBytes ?? 1024 * 1024
  return createServer((request, response) => {
    const handle = async () => {
      const url = new URL(request.url ?? "/", "http://localhost")
      const candidates = table.filter((route) => route.path.test(url.pathname))
      const route = candidates.find((candidate) => candidate.method === request.method)
      if (route === undefined) {
        throw candidates.length > 0
          ? new HttpFailure(405, "MethodNotAllowed", `${request.method} is not allowed here`)
          : new HttpFailure(404, "NotFound", `no route ${url.pathname}`)
      }
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1]
      const actor = token === undefined ? undefined : options.tokens[token]
      if (route.authenticated && actor === undefined) {
        throw new HttpFailure(401, "Unauthenticated", "send Authorization: Bearer <token>")
      }
      const body = request.method === "POST" ? await readJson(request, limit) : undefined
      const params = route.path.exec(url.pathname)?.slice(1).map(decodeURIComponent) ?? []
      const result = await route.handle({
        // Routes that need no actor never read it; an empty one is allowed nothing anyway.
        actor: actor ?? { id: "anonymous", roles: [], scope: [] },
        body,
        params,
        query: url.searchParams
      })
      send(response, route.status, result)
    }
    handle().catch((error: unknown) => {
      const { status, body } = errorBody(error)
      if (status === 500) console.error(error)
      send(response, status, body)
    })
  })
}
