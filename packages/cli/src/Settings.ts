/**
 * The options every command takes, and how a command opens the store and picks its actor.
 *
 * - `--store <url>`: where the data is (`sqlite:./sortgrid.db` by default; `postgres://…`,
 *   `memory:`); or the `SORTGRID_STORE` environment variable.
 * - `--json`: print the result as JSON on stdout (errors as one JSON object on stderr), for scripts.
 * - `--as <actor>`: who acts; or the `SORTGRID_ACTOR` environment variable. One of
 *   - `operator` (the default): the built-in operator, actor id `operator` with the `system` role
 *     over the whole tree — whoever runs the command line on a store's file already holds the data,
 *     as a database administrator would;
 *   - a JSON actor, `{"id":"inspector-7","roles":["inspector"],"scope":["/110112/110112001/"]}`,
 *     or `@actor.json` to read one from a file;
 *   - a person id: the person registered in the store, with the roles and scope of their
 *     assignments in force today (`People.actorFor`).
 *
 * The options can be given after the command (`sortgrid issues list --store x`) or before it
 * (`sortgrid --store x issues list`); after wins. Every call goes through the SDK's services, so
 * their permission checks apply unchanged to whichever actor acts.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import type { FileSystem } from "@effect/platform"
import { Actor, Errors, Period } from "@sortgrid/core"
import { People, Person } from "@sortgrid/grid"
import { ProblemRegister } from "@sortgrid/issues"
import { Sortgrid, StoreUrl } from "@sortgrid/sdk"
import { Clock, Config, Effect, Option, Schema } from "effect"
import { parseJson, readText } from "./internal/files.js"

/**
 * The options every command takes.
 *
 * @since 0.1.0
 * @category options
 */
export const globalOptions = {
  store: Options.text("store").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(
      `The store: sqlite:PATH, postgres://HOST/DATABASE?schema=NAME or memory: (default ${StoreUrl.defaultUrl}; env SORTGRID_STORE)`
    ),
    Options.optional
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print the result as JSON, for scripts")),
  as: Options.text("as").pipe(
    Options.withPseudoName("ACTOR"),
    Options.withDescription(
      "Who acts: operator (default), a JSON actor {id, roles, scope}, @actor.json, or a person id (env SORTGRID_ACTOR)"
    ),
    Options.optional
  )
}

/**
 * The parsed global options of one command line.
 *
 * @since 0.1.0
 * @category models
 */
export interface GlobalConfig {
  readonly store: Option.Option<string>
  readonly json: boolean
  readonly as: Option.Option<string>
}

/**
 * The top command, before its subcommands are attached: subcommands read its options through it.
 *
 * @since 0.1.0
 * @category commands
 */
export const root = Command.make("sortgrid", globalOptions)

/**
 * What a command runs with: the store URL, the output format and the actor specification.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly store: string
  readonly json: boolean
  readonly as: string
}

/**
 * The built-in operator's actor id.
 *
 * @since 0.1.0
 * @category constants
 */
export const operatorId = "operator"

/**
 * The built-in operator: the `system` role over the whole tree.
 *
 * @since 0.1.0
 * @category constants
 */
export const operator: Actor.Actor = Actor.system(operatorId)

/**
 * Merges a command's own options with those given before it, then the environment, then defaults.
 *
 * @since 0.1.0
 * @category settings
 */
export const resolve = (own: GlobalConfig): Effect.Effect<Settings, never, Command.Command.Context<"sortgrid">> =>
  Effect.gen(function* () {
    const parent = yield* root
    const env = (name: string) => Effect.orElseSucceed(Config.option(Config.string(name)), () => Option.none<string>())
    const pick = (name: string, first: Option.Option<string>, second: Option.Option<string>) =>
      Option.match(
        Option.orElse(first, () => second),
        {
          onSome: (value) => Effect.succeed(Option.some(value)),
          onNone: () => env(name)
        }
      )
    const store = yield* pick("SORTGRID_STORE", own.store, parent.store)
    const as = yield* pick("SORTGRID_ACTOR", own.as, parent.as)
    return {
      store: Option.getOrElse(store, () => StoreUrl.defaultUrl),
      json: own.json || parent.json,
      as: Option.getOrElse(as, () => operatorId)
    }
  })

const decodeActor = (input: unknown) =>
  Effect.mapError(Schema.decodeUnknown(Actor.Actor, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, ["actor"])
  )

/**
 * Today in the register's calendar (Beijing by default), the day a person's assignments are read on.
 *
 * @since 0.1.0
 * @category settings
 */
export const today: Effect.Effect<Period.IsoDate> = Effect.map(Clock.currentTimeMillis, (now) =>
  Period.isoDateOfDay(Period.dayOfInstant(now, ProblemRegister.beijingCalendar.utcOffsetMinutes))
)

/**
 * The actor an `--as` value names (see the module's description).
 *
 * @since 0.1.0
 * @category settings
 */
export const actorOf = (
  spec: string
): Effect.Effect<
  Actor.Actor,
  Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.StorageError,
  People.People | FileSystem.FileSystem
> => {
  const trimmed = spec.trim()
  if (trimmed === operatorId) return Effect.succeed(operator)
  if (trimmed.startsWith("{")) return Effect.flatMap(parseJson(trimmed, "as"), decodeActor)
  if (trimmed.startsWith("@")) {
    return readText(trimmed.slice(1), "as").pipe(
      Effect.flatMap((text) => parseJson(text, "as")),
      Effect.flatMap(decodeActor)
    )
  }
  return Effect.gen(function* () {
    const personId = yield* Effect.mapError(Schema.decodeUnknown(Person.PersonId)(trimmed), () =>
      Errors.Invalid.one(
        "as",
        `"${trimmed}" is neither "operator", a JSON actor, @file.json, nor a person id (letters, digits, '.', '_', ':', '-')`
      )
    )
    const people = yield* People.People
    return yield* people.actorFor(personId, yield* today)
  })
}

/**
 * Runs a program with the SDK open on the store and the actor resolved; the store is closed when
 * the program ends.
 *
 * @since 0.1.0
 * @category settings
 */
export const withSortgrid = <A, E>(
  settings: Settings,
  program: (actor: Actor.Actor) => Effect.Effect<A, E, Sortgrid.Services | FileSystem.FileSystem>
): Effect.Effect<
  A,
  E | Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.StorageError | Errors.StoreUnavailable,
  FileSystem.FileSystem
> => Effect.flatMap(actorOf(settings.as), program).pipe(Effect.provide(Sortgrid.layer({ store: settings.store })))
