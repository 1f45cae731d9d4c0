/**
 * `sortgrid verify`: checks the audit chain — every entry's digest and hash, every link, the stored
 * head, and any anchors (heads recorded earlier, outside the store) — and exits with 1 when it is
 * broken. The actor needs `audit.verify` (auditors and administrators have it).
 *
 * The points ledger's reconciliation joins this command once the command line depends on the
 * ledger package (see `Cli` for the commands still to come).
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Audit, AuditLog, Errors } from "@sortgrid/core"
import { Effect, Option, Schema } from "effect"
import { ChainBroken } from "./Failure.js"
import { readJson } from "./internal/files.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

const decodeAnchors = (input: unknown) =>
  Effect.mapError(Schema.decodeUnknown(Schema.Array(Audit.AuditHead), { errors: "all" })(input), (error) =>
    Errors.Invalid.fromParseError(error, ["anchors"])
  )

/**
 * `sortgrid verify`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "verify",
  {
    ...Settings.globalOptions,
    anchors: Options.text("anchors").pipe(
      Options.withDescription('A JSON file of heads recorded earlier, [{"position": 120, "hash": "…"}], to check too'),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const verification = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const anchors = Option.isSome(config.anchors)
            ? yield* Effect.flatMap(readJson(config.anchors.value, "anchors"), decodeAnchors)
            : []
          const log = yield* AuditLog.AuditLog
          return yield* log.verify(actor, { anchors })
        })
      )
      yield* Output.emit(settings, {
        json: verification,
        human: () =>
          verification._tag === "Intact"
            ? [
                `intact: ${verification.entries} entries, head at position ${verification.head.position}`,
                `head hash ${verification.head.hash}`
              ]
            : [`broken at position ${verification.position}: ${verification.reason}: ${verification.detail}`]
      })
      if (verification._tag === "Broken") {
        return yield* new ChainBroken({
          position: verification.position,
          reason: verification.reason,
          detail: verification.detail
        })
      }
    })
).pipe(Command.withDescription("Verify the audit chain; exits with 1 when it is broken"))
