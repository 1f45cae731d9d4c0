/**
 * `sortgrid verify`: checks the audit chain — every entry's digest and hash, every link, the stored
 * head, and any anchors (heads recorded earlier, outside the store) — and reconciles the points
 * ledger (every stored balance against the balances its transfers add up to), and exits with 1 when
 * either is wrong. The actor needs `audit.verify` and `ledger.reconcile` (auditors and administrators
 * have both).
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Audit, AuditLog, Errors } from "@sortgrid/core"
import { Ledger } from "@sortgrid/ledger"
import { Effect, Option, Schema } from "effect"
import { ChainBroken, LedgerDrifted } from "./Failure.js"
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
      const result = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const anchors = Option.isSome(config.anchors)
            ? yield* Effect.flatMap(readJson(config.anchors.value, "anchors"), decodeAnchors)
            : []
          const log = yield* AuditLog.AuditLog
          const ledger = yield* Ledger.Ledger
          return { chain: yield* log.verify(actor, { anchors }), ledger: yield* ledger.reconcile(actor) }
        })
      )
      const { chain: verification, ledger } = result
      const drifted = ledger.drifts.map((drift) => drift.accountId)
      yield* Output.emit(settings, {
        json: { ...verification, ledger: { accounts: ledger.accounts, transfers: ledger.transfers, drifts: drifted } },
        human: () => [
          ...(verification._tag === "Intact"
            ? [
                `intact: ${verification.entries} entries, head at position ${verification.head.position}`,
                `head hash ${verification.head.hash}`
              ]
            : [`broken at position ${verification.position}: ${verification.reason}: ${verification.detail}`]),
          drifted.length === 0
            ? `ledger reconciled: ${ledger.accounts} accounts, ${ledger.transfers} transfers, no drift`
            : `ledger drifted: ${drifted.length} accounts`
        ]
      })
      if (verification._tag === "Broken") {
        return yield* new ChainBroken({
          position: verification.position,
          reason: verification.reason,
          detail: verification.detail
        })
      }
      if (drifted.length > 0) return yield* new LedgerDrifted({ accounts: drifted })
    })
).pipe(
  Command.withDescription("Verify the audit chain and reconcile the points ledger; exits with 1 when either is wrong")
)
