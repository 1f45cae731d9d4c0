/**
 * `sortgrid inspect`: records an inspection visit. Failing items put problems on the register (or
 * find the open problem that already records them); items of rectified problems that pass close
 * them. `Inspections.recordVisit` does it all in one transaction and checks `issues.inspect` at the
 * visited node; the inspector and the time are the actor's and now, never the file's.
 *
 * The visit comes from a JSON file (`--file visit.json`: `{ id, campaignId, templateId, nodeId,
 * items: [{ itemCode, result, note?, evidence?, attributes? }] }`) or from flags:
 *
 * ```
 * sortgrid inspect --id V-2023-06-01-7 --campaign hardware-2023 --template compound \
 *   --node 110112001001001 --item bins=pass --item signage=fail --evidence signage=photo:123
 * ```
 *
 * The visit id is the idempotency key: recording it again with the same content replays it.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Errors } from "@sortgrid/core"
import { Inspections } from "@sortgrid/issues"
import { Effect, Option } from "effect"
import { UsageError } from "./Failure.js"
import { readJson } from "./internal/files.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const repeated = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.repeated)

/**
 * A `KEY=VALUE` flag, split at the first `=`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const keyValue = (flag: string, text: string): Effect.Effect<readonly [string, string], Errors.Invalid> => {
  const at = text.indexOf("=")
  return at <= 0
    ? Effect.fail(Errors.Invalid.one(flag, `"${text}" must be ITEM=VALUE`))
    : Effect.succeed([text.slice(0, at), text.slice(at + 1)] as const)
}

/**
 * The visit the flags describe, as the service's input (decoded, with every other rule, by the
 * service).
 *
 * @since 0.1.0
 * @category parsing
 */
export const visitFromFlags = (flags: {
  readonly id: string
  readonly campaign: string
  readonly template: string
  readonly node: string
  readonly items: ReadonlyArray<string>
  readonly evidence: ReadonlyArray<string>
  readonly notes: ReadonlyArray<string>
}): Effect.Effect<unknown, Errors.Invalid> =>
  Effect.gen(function* () {
    const items = yield* Effect.forEach(flags.items, (item) => keyValue("item", item))
    const known = new Set(items.map(([code]) => code))
    const attach = (flag: string, values: ReadonlyArray<string>) =>
      Effect.forEach(values, (value) =>
        Effect.flatMap(keyValue(flag, value), ([code, detail]) =>
          known.has(code)
            ? Effect.succeed([code, detail] as const)
            : Effect.fail(Errors.Invalid.one(flag, `names item ${code}, which no --item gives`))
        )
      )
    const evidence = yield* attach("evidence", flags.evidence)
    const notes = yield* attach("note", flags.notes)
    return {
      id: flags.id,
      campaignId: flags.campaign,
      templateId: flags.template,
      nodeId: flags.node,
      items: items.map(([itemCode, result]) => {
        const note = notes.find(([code]) => code === itemCode)?.[1]
        return {
          itemCode,
          result,
          evidence: evidence.filter(([code]) => code === itemCode).map(([, ref]) => ref),
          ...(note === undefined ? {} : { note })
        }
      })
    }
  })

/**
 * `sortgrid inspect`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "inspect",
  {
    ...Settings.globalOptions,
    file: text("file", "The visit as JSON: { id, campaignId, templateId, nodeId, items }"),
    id: text("id", "The visit id (the idempotency key)"),
    campaign: text("campaign", "The campaign id"),
    template: text("template", "The checklist template id"),
    node: text("node", "The visited node's id"),
    items: repeated("item", "An item's result, ITEM=pass or ITEM=fail (repeat for each item)"),
    evidence: repeated("evidence", "Evidence for an item, ITEM=REF (repeatable)"),
    notes: repeated("note", "A note on an item, ITEM=TEXT")
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const flagged = [config.id, config.campaign, config.template, config.node].filter(Option.isSome).length
      const anyFlag = flagged > 0 || config.items.length + config.evidence.length + config.notes.length > 0
      const recorded = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const input = yield* Option.match(config.file, {
            onSome: (file) =>
              anyFlag
                ? Effect.fail(new UsageError({ message: "give the visit either as --file or as flags, not both" }))
                : readJson(file),
            onNone: () => {
              const required = {
                id: config.id,
                campaign: config.campaign,
                template: config.template,
                node: config.node
              }
              const missing = Object.entries(required).filter(([, value]) => Option.isNone(value))
              if (missing.length > 0 || config.items.length === 0) {
                return Effect.fail(
                  new UsageError({
                    message: `give the visit as --file visit.json, or with --id, --campaign, --template, --node and at least one --item (missing: ${[...missing.map(([name]) => `--${name}`), ...(config.items.length === 0 ? ["--item"] : [])].join(", ")})`
                  })
                )
              }
              return visitFromFlags({
                id: Option.getOrElse(config.id, () => ""),
                campaign: Option.getOrElse(config.campaign, () => ""),
                template: Option.getOrElse(config.template, () => ""),
                node: Option.getOrElse(config.node, () => ""),
                items: config.items,
                evidence: config.evidence,
                notes: config.notes
              })
            }
          })
          const inspections = yield* Inspections.Inspections
          return yield* inspections.recordVisit(actor, input)
        })
      )
      const { record, outcome } = recorded
      yield* Output.emit(settings, {
        json: recorded,
        human: () => [
          `${outcome === "recorded" ? "recorded" : "already recorded (replayed)"} visit ${record.visit.id} at ${record.visit.nodeId}`,
          `registered ${record.registered.length} problem${record.registered.length === 1 ? "" : "s"}${record.registered.length === 0 ? "" : `: ${record.registered.join(", ")}`}`,
          ...record.covered.map(
            (covered) => `item ${covered.itemCode}: already on the register as ${covered.problemId} (${covered.by})`
          ),
          ...record.reinspected.map((done) => `re-inspected ${done.problemId}: ${done.outcome}`)
        ]
      })
    })
).pipe(Command.withDescription("Record an inspection visit from a JSON file or flags; failing items register problems"))
