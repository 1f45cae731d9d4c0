/**
 * `sortgrid points earn | redeem | balance | statement`: the points ledger.
 *
 * - `earn --programme programme.json --file claims.json`: decides and posts claims through the
 *   earning service (`Earnings.earn`; needs `ledger.earn`). The claims file is an earning request,
 *   `{ "ledger", "claims": [{ id, code, residentReference, walletAccountId, at, sourceReference,
 *   occurredAt, … }] }`. One claim can be given as flags instead: `--id --code --resident --wallet
 *   --at --source [--household] [--site] [--occurred-at]` (`--ledger` may be left out when the
 *   programme file names one ledger). The programme (budget, rules, lock policy) is the host's
 *   configuration, not stored data, so the command reads it from `--programme`: one
 *   `Earnings.Programme` or an array of them. A refused claim (a cap, a duplicate) is an outcome
 *   printed with its reason, not a failure.
 * - `redeem hold --id R-1 --merchant m1 --wallet w-1 --line soap:2 [--timeout 900]` (or
 *   `--file redemption.json`): holds a basket at a merchant's counter; `redeem hand-over
 *   --redemption R-1 [--line soap:1]`: posts the holds (what a line does not name was not handed
 *   over); `redeem cancel --redemption R-1` voids them (`Redemptions`; needs `ledger.redeem`).
 * - `balance <account-id> [--as-of 2023-06-30T16:00:00Z]`: the balances now or at an instant
 *   (ISO date-time, or milliseconds since the epoch); needs `ledger.read`.
 * - `statement <account-id> [--cursor C] [--limit 100] [--lang zh|en]`: one page of the account's
 *   statement, oldest first, with the reasons in Chinese (the default) or English; the page's
 *   `next` cursor is printed for the page after it.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import type { FileSystem } from "@effect/platform"
import { type Actor, Errors } from "@sortgrid/core"
import { Account, Earnings, Ledger, Redemptions } from "@sortgrid/ledger"
import { Sortgrid } from "@sortgrid/sdk"
import { Effect, Option, Schema } from "effect"
import { UsageError } from "./Failure.js"
import { readJson } from "./internal/files.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

const stamp = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

const decodeProgrammes = (input: unknown) =>
  Effect.mapError(
    Schema.decodeUnknown(Schema.Union(Earnings.Programme, Schema.Array(Earnings.Programme)), {
      errors: "all",
      onExcessProperty: "error"
    })(input),
    (error) => Errors.Invalid.fromParseError(error, ["programme"])
  ).pipe(Effect.map((decoded) => (Array.isArray(decoded) ? decoded : [decoded])))

/**
 * Like {@link Settings.withSortgrid}, with the earning programmes a command was given in force.
 *
 * @since 0.1.0
 * @category settings
 */
export const withProgrammes = <A, E>(
  settings: Settings.Settings,
  programmes: ReadonlyArray<Earnings.Programme>,
  program: (actor: Actor.Actor) => Effect.Effect<A, E, Sortgrid.Services | FileSystem.FileSystem>
): Effect.Effect<
  A,
  E | Errors.Invalid | Errors.Forbidden | Errors.NotFound | Errors.StorageError | Errors.StoreUnavailable,
  FileSystem.FileSystem
> =>
  Effect.flatMap(Settings.actorOf(settings.as), program).pipe(
    Effect.provide(
      Sortgrid.layer({
        store: settings.store,
        earning: { programmes: new Map(programmes.map((programme) => [programme.ledger, programme])) }
      })
    )
  )

/** `soap:2` → a basket line; `allowZero` for a hand-over, where 0 means the line was not handed over. */
const parseLine = (text: string, index: number, allowZero: boolean) => {
  const match = /^([^:]+):(\d+)$/.exec(text.trim())
  const quantity = match === null ? Number.NaN : Number(match[2])
  return match === null || quantity < (allowZero ? 0 : 1)
    ? Effect.fail(
        Errors.Invalid.one(
          ["line", index],
          `"${text}" must be ITEM:QUANTITY, such as soap:2, with a quantity of at least ${allowZero ? 0 : 1}`
        )
      )
    : Effect.succeed({ itemCode: match[1]!, quantity })
}

const decision = (outcome: Earnings.ClaimOutcome): string =>
  outcome.decision._tag === "Granted"
    ? outcome.outcome === null || outcome.outcome.result === "Ok" || outcome.outcome.result === "Exists"
      ? `granted ${outcome.decision.amount} points${outcome.decision.capped ? " (capped)" : ""}${outcome.outcome?.result === "Exists" ? " (already granted)" : ""}`
      : `not posted: ${outcome.outcome.result}`
    : `refused: ${outcome.decision._tag}`

const earn = Command.make(
  "earn",
  {
    ...Settings.globalOptions,
    programme: Options.text("programme").pipe(
      Options.withDescription("A JSON file holding the earning programme (or an array of them): ledger, budget, rules")
    ),
    file: Options.text("file").pipe(
      Options.withDescription('A JSON file holding the request, { "ledger": "…", "claims": [ … ] }'),
      Options.optional
    ),
    ledger: Options.text("ledger").pipe(
      Options.withDescription("The ledger (default: the programme's, when the file names one)"),
      Options.optional
    ),
    id: Options.text("id").pipe(Options.withDescription("The claim's id (its transfer id)"), Options.optional),
    code: Options.text("code").pipe(
      Options.withDescription("The rule's code, such as correct-sorting"),
      Options.optional
    ),
    resident: Options.text("resident").pipe(Options.withDescription("The resident's reference"), Options.optional),
    household: Options.text("household").pipe(Options.withDescription("The household's reference"), Options.optional),
    wallet: Options.text("wallet").pipe(Options.withDescription("The wallet account credited"), Options.optional),
    at: Options.text("at").pipe(
      Options.withDescription("Where it happened, a node path such as /110112/110112001/"),
      Options.optional
    ),
    site: Options.text("site").pipe(Options.withDescription("The site's reference (a bin station)"), Options.optional),
    source: Options.text("source").pipe(
      Options.withDescription("What records it: an inspection, a check-in, an event"),
      Options.optional
    ),
    occurredAt: Options.text("occurred-at").pipe(
      Options.withDescription("When it happened (ISO date-time or epoch milliseconds; default now)"),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const programmes = yield* Effect.flatMap(readJson(config.programme, "programme"), decodeProgrammes)
      const flagged = [
        config.ledger,
        config.id,
        config.code,
        config.resident,
        config.household,
        config.wallet,
        config.at,
        config.site,
        config.source,
        config.occurredAt
      ].some(Option.isSome)
      const request: unknown = yield* Option.match(config.file, {
        onSome: (file) =>
          flagged
            ? Effect.fail(new UsageError({ message: "give the claims either as --file or as flags, not both" }))
            : readJson(file, "file"),
        onNone: () => (flagged ? claimFromFlags(config, programmes) : Effect.fail(noClaims))
      })
      const outcomes = yield* withProgrammes(settings, programmes, (actor) =>
        Effect.flatMap(Earnings.Earnings, (earnings) => earnings.earn(actor, request))
      )
      yield* Output.emit(settings, {
        json: outcomes,
        human: () =>
          outcomes.length === 0 ? ["no claims"] : outcomes.map((outcome) => `${outcome.claimId}: ${decision(outcome)}`)
      })
    })
).pipe(Command.withDescription("Earn points: decide and post claims under a programme's rules"))

const noClaims = new UsageError({
  message: "give the claims as --file claims.json, or one claim as --id --code --resident --wallet --at --source"
})

const claimFromFlags = (
  config: {
    readonly ledger: Option.Option<string>
    readonly id: Option.Option<string>
    readonly code: Option.Option<string>
    readonly resident: Option.Option<string>
    readonly household: Option.Option<string>
    readonly wallet: Option.Option<string>
    readonly at: Option.Option<string>
    readonly site: Option.Option<string>
    readonly source: Option.Option<string>
    readonly occurredAt: Option.Option<string>
  },
  programmes: ReadonlyArray<Earnings.Programme>
) =>
  Effect.gen(function* () {
    const required = { id: config.id, code: config.code, resident: config.resident, wallet: config.wallet }
    const missing = [
      ...Object.entries(required).filter(([, value]) => Option.isNone(value)),
      ...(Option.isNone(config.at) ? [["at", config.at] as const] : []),
      ...(Option.isNone(config.source) ? [["source", config.source] as const] : [])
    ].map(([name]) => `--${name}`)
    if (missing.length > 0) {
      return yield* new UsageError({ message: `a claim given as flags needs ${missing.join(", ")} too` })
    }
    const ledger = Option.isSome(config.ledger)
      ? config.ledger.value
      : programmes.length === 1
        ? programmes[0]!.ledger
        : yield* new UsageError({ message: "the programme file names several ledgers: say which with --ledger" })
    const occurredAt = Option.isSome(config.occurredAt)
      ? yield* instant(config.occurredAt.value, "occurred-at")
      : Date.now()
    const given = (option: Option.Option<string>) => Option.getOrNull(option)
    return {
      ledger,
      claims: [
        {
          id: given(config.id),
          code: given(config.code),
          residentReference: given(config.resident),
          householdReference: given(config.household),
          walletAccountId: given(config.wallet),
          at: given(config.at),
          siteReference: given(config.site),
          sourceReference: given(config.source),
          occurredAt
        }
      ]
    }
  })

/** An instant given as epoch milliseconds or an ISO date-time (a bare date is midnight UTC). */
const instant = (text: string, field: string): Effect.Effect<number, Errors.Invalid> => {
  const trimmed = text.trim()
  const millis = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed)
  return Number.isSafeInteger(millis) && millis >= 0
    ? Effect.succeed(millis)
    : Effect.fail(
        Errors.Invalid.one(field, `"${text}" must be an ISO date-time (2023-06-30T16:00:00Z) or epoch milliseconds`)
      )
}

const stepLine = (step: Redemptions.StepResult): string =>
  `${step.redemptionId}: ${step.result}${step.itemCode === null ? "" : ` (item ${step.itemCode})`}` +
  (step.outcomes.length === 0
    ? ""
    : ` — ${step.outcomes.map((outcome) => `${outcome.id} ${outcome.result}`).join(", ")}`)

const emitStep = (settings: Settings.Settings, step: Redemptions.StepResult) =>
  Output.emit(settings, { json: step, human: () => [stepLine(step)] })

const hold = Command.make(
  "hold",
  {
    ...Settings.globalOptions,
    file: Options.text("file").pipe(
      Options.withDescription("A JSON file holding the redemption { id, merchantId, walletAccountId, lines }"),
      Options.optional
    ),
    id: Options.text("id").pipe(Options.withDescription("The redemption's id"), Options.optional),
    merchant: Options.text("merchant").pipe(Options.withDescription("The merchant's id"), Options.optional),
    wallet: Options.text("wallet").pipe(Options.withDescription("The wallet that pays"), Options.optional),
    lines: Options.text("line").pipe(
      Options.withDescription("A basket line ITEM:QUANTITY, such as soap:2 (repeat for several)"),
      Options.repeated
    ),
    timeout: Options.integer("timeout").pipe(
      Options.withDescription("Seconds the counter holds the basket (default 900)"),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const flagged =
        [config.id, config.merchant, config.wallet].some(Option.isSome) ||
        config.lines.length > 0 ||
        Option.isSome(config.timeout)
      const redemption: unknown = yield* Option.match(config.file, {
        onSome: (file) =>
          flagged
            ? Effect.fail(new UsageError({ message: "give the redemption either as --file or as flags, not both" }))
            : readJson(file, "file"),
        onNone: () =>
          Effect.gen(function* () {
            const missing = [
              Option.isNone(config.id) ? "--id" : null,
              Option.isNone(config.merchant) ? "--merchant" : null,
              Option.isNone(config.wallet) ? "--wallet" : null,
              config.lines.length === 0 ? "--line" : null
            ].filter((name) => name !== null)
            if (missing.length > 0) {
              return yield* new UsageError({
                message: `give the redemption as --file redemption.json, or as flags: ${missing.join(", ")} missing`
              })
            }
            return {
              id: Option.getOrNull(config.id),
              merchantId: Option.getOrNull(config.merchant),
              walletAccountId: Option.getOrNull(config.wallet),
              lines: yield* Effect.forEach(config.lines, (line, index) => parseLine(line, index, false)),
              ...(Option.isSome(config.timeout) ? { timeoutSeconds: config.timeout.value } : {})
            }
          })
      })
      const step = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.flatMap(Redemptions.Redemptions, (redemptions) => redemptions.redeem(actor, redemption))
      )
      yield* emitStep(settings, step)
    })
).pipe(Command.withDescription("Hold a basket at a merchant's counter, paid from a wallet"))

const redemptionOption = Options.text("redemption").pipe(Options.withDescription("The redemption's id"))

const handOver = Command.make(
  "hand-over",
  {
    ...Settings.globalOptions,
    redemption: redemptionOption,
    lines: Options.text("line").pipe(
      Options.withDescription("What a line handed over, ITEM:QUANTITY (default: everything held; repeat)"),
      Options.repeated
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const lines = yield* Effect.forEach(config.lines, (line, index) => parseLine(line, index, true))
      const step = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.flatMap(Redemptions.Redemptions, (redemptions) =>
          redemptions.handOver(actor, {
            redemptionId: config.redemption,
            ...(lines.length === 0 ? {} : { lines })
          })
        )
      )
      yield* emitStep(settings, step)
    })
).pipe(Command.withDescription("Hand a held redemption over: post its holds and take the stock"))

const cancel = Command.make("cancel", { ...Settings.globalOptions, redemption: redemptionOption }, (config) =>
  Effect.gen(function* () {
    const settings = yield* Settings.resolve(config)
    const step = yield* Settings.withSortgrid(settings, (actor) =>
      Effect.flatMap(Redemptions.Redemptions, (redemptions) =>
        redemptions.cancel(actor, { redemptionId: config.redemption })
      )
    )
    yield* emitStep(settings, step)
  })
).pipe(Command.withDescription("Cancel a held redemption: release its holds"))

const redeem = Command.make("redeem").pipe(
  Command.withHandler(() =>
    Effect.fail(new UsageError({ message: "choose hold, hand-over or cancel (see sortgrid points redeem --help)" }))
  ),
  Command.withSubcommands([hold, handOver, cancel]),
  Command.withDescription("Redeem points at a merchant: hold a basket, hand it over, or cancel it")
)

const decodeAccountId = (text: string) =>
  Effect.mapError(Schema.decodeUnknown(Account.AccountId)(text), (error) =>
    Errors.Invalid.fromParseError(error, ["account-id"])
  )

const accountArg = Args.text({ name: "account-id" }).pipe(Args.withDescription("The account's id"))

const balance = Command.make(
  "balance",
  {
    ...Settings.globalOptions,
    accountId: accountArg,
    asOf: Options.text("as-of").pipe(
      Options.withDescription("The balances at this instant (ISO date-time or epoch milliseconds; default now)"),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const asOf = Option.isSome(config.asOf) ? yield* instant(config.asOf.value, "as-of") : undefined
      const view = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const id = yield* decodeAccountId(config.accountId)
          const ledger = yield* Ledger.Ledger
          return yield* ledger.balance(actor, id, asOf === undefined ? {} : { asOf })
        })
      )
      yield* Output.emit(settings, {
        json: view,
        human: () => [
          `${view.accountId} at ${stamp(view.at)}: ${view.available} available`,
          `  credits posted ${view.creditsPosted}, pending ${view.creditsPending}`,
          `  debits posted ${view.debitsPosted}, pending ${view.debitsPending}`
        ]
      })
    })
).pipe(Command.withDescription("An account's balances, now or as of an instant"))

const statement = Command.make(
  "statement",
  {
    ...Settings.globalOptions,
    accountId: accountArg,
    cursor: Options.text("cursor").pipe(
      Options.withDescription("Start after this line (the `next` a previous page printed)"),
      Options.optional
    ),
    limit: Options.integer("limit").pipe(
      Options.withDescription("Lines per page (1 to 10000, default 100)"),
      Options.optional
    ),
    lang: Options.choice("lang", ["zh", "en"]).pipe(
      Options.withDescription("The language of the reasons (default zh)"),
      Options.withDefault("zh" as const)
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const page = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const accountId = yield* decodeAccountId(config.accountId)
          const ledger = yield* Ledger.Ledger
          return yield* ledger.statement(actor, {
            accountId,
            language: config.lang,
            ...(Option.isSome(config.cursor) ? { after: config.cursor.value } : {}),
            ...(Option.isSome(config.limit) ? { limit: config.limit.value } : {})
          })
        })
      )
      yield* Output.emit(settings, {
        json: page,
        human: () => [
          ...(page.lines.length === 0 ? ["no lines"] : []),
          ...page.lines.map(
            (line) =>
              `${stamp(line.transfer.timestamp)}  ${line.side === "credit" ? "+" : "-"}${line.transfer.amount}  ${line.reason}  ${line.kind}  ${line.transfer.id}`
          ),
          ...(page.next === null ? [] : [`next: --cursor ${page.next}`])
        ]
      })
    })
).pipe(Command.withDescription("A page of an account's statement, oldest first"))

/**
 * `sortgrid points`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("points").pipe(
  Command.withHandler(() =>
    Effect.fail(new UsageError({ message: "choose earn, redeem, balance or statement (see sortgrid points --help)" }))
  ),
  Command.withSubcommands([earn, redeem, balance, statement]),
  Command.withDescription("The points ledger: earn, redeem, balances and statements")
)
