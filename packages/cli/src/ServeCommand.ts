/**
 * `sortgrid serve`: the HTTP API of `@sortgrid/http` (REST with OpenAPI at `/openapi.json`,
 * interactive docs at `/docs`, Open311 GeoReport v2) over the store, until interrupted (Ctrl-C).
 *
 * Callers authenticate with bearer tokens, mapped to actors either by a static table
 * (`--tokens tokens.json`: `{ "<token>": { "id", "roles", "scope" } }`, tokens of 8 characters or
 * more) or as HS256 JWTs signed with a shared secret (`--jwt-secret`, or `SORTGRID_JWT_SECRET`;
 * at least 32 bytes). `--as` plays no part: each request acts as its token's actor, and the SDK's
 * permission checks apply to it.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Actor, Errors } from "@sortgrid/core"
import { Server } from "@sortgrid/http"
import { Config, Console, Effect, Layer, Option, type Redacted, Schema } from "effect"
import { UsageError } from "./Failure.js"
import { readJson } from "./internal/files.js"
import * as Settings from "./Settings.js"

const TokenTable = Schema.Record({ key: Schema.String, value: Schema.encodedSchema(Actor.Actor) })

/**
 * `sortgrid serve`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "serve",
  {
    ...Settings.globalOptions,
    port: Options.integer("port").pipe(Options.withDescription("The port to listen on"), Options.withDefault(8080)),
    host: Options.text("host").pipe(
      Options.withDescription("The address to bind (every interface only when asked, with 0.0.0.0)"),
      Options.withDefault("127.0.0.1")
    ),
    tokens: Options.text("tokens").pipe(
      Options.withPseudoName("FILE"),
      Options.withDescription(
        'A JSON file of bearer tokens and their actors: { "<token>": { "id", "roles", "scope" } }'
      ),
      Options.optional
    ),
    jwtSecret: Options.redacted("jwt-secret").pipe(
      Options.withDescription("Accept HS256 JWTs signed with this secret (env SORTGRID_JWT_SECRET)"),
      Options.optional
    ),
    logRequests: Options.boolean("log-requests").pipe(Options.withDescription("Log every request")),
    dashboard: Options.text("dashboard").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("Serve a built dashboard (examples/dashboard/dist) under / beside the API"),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const envSecret = yield* Effect.orElseSucceed(Config.option(Config.redacted("SORTGRID_JWT_SECRET")), () =>
        Option.none<Redacted.Redacted<string>>()
      )
      const secret = Option.orElse(config.jwtSecret, () => envSecret)
      const authentication = yield* Option.match(config.tokens, {
        onSome: (file) =>
          Option.isSome(config.jwtSecret)
            ? Effect.fail(new UsageError({ message: "give either --tokens or --jwt-secret, not both" }))
            : readJson(file, "tokens").pipe(
                Effect.flatMap((input) =>
                  Effect.mapError(Schema.decodeUnknown(TokenTable)(input), (error) =>
                    Errors.Invalid.fromParseError(error, ["tokens"])
                  )
                ),
                Effect.map((tokens): Server.Authentication => ({ tokens }))
              ),
        onNone: () =>
          Option.match(secret, {
            onSome: (value): Effect.Effect<Server.Authentication, UsageError> =>
              Effect.succeed({ jwt: { secret: value } }),
            onNone: () =>
              Effect.fail(
                new UsageError({
                  message: "say how callers authenticate: --tokens tokens.json or --jwt-secret (or SORTGRID_JWT_SECRET)"
                })
              )
          })
      })
      const server = Server.layer({
        ...authentication,
        store: settings.store,
        port: config.port,
        host: config.host,
        logRequests: config.logRequests,
        dashboardDir: Option.getOrUndefined(config.dashboard)
      })
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* Layer.build(server)
          yield* Console.error(
            `serving ${settings.store} on http://${config.host}:${config.port} (OpenAPI at /openapi.json, docs at /docs); Ctrl-C stops`
          )
          return yield* Effect.never
        })
      )
    })
).pipe(Command.withDescription("Serve the HTTP API (REST, OpenAPI, Open311) over the store"))
