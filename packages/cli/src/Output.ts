/**
 * What commands print: a result on stdout — lines for a person, or JSON with `--json` — and
 * progress on stderr, so a script piping stdout never sees a progress line.
 *
 * @since 0.1.0
 */
import { Console, Context, Effect } from "effect"

/**
 * JSON text of a result: maps become objects, sets arrays, bigints strings; two-space indent.
 *
 * @since 0.1.0
 * @category printing
 */
export const toJson = (value: unknown): string =>
  JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (item instanceof Map) return Object.fromEntries(item)
      if (item instanceof Set) return [...item]
      if (typeof item === "bigint") return item.toString()
      return item
    },
    2
  )

/**
 * Prints a result: `json` when `--json` was given, the human lines otherwise.
 *
 * @since 0.1.0
 * @category printing
 */
export const emit = (
  settings: { readonly json: boolean },
  result: { readonly json: unknown; readonly human: () => ReadonlyArray<string> }
): Effect.Effect<void> => (settings.json ? Console.log(toJson(result.json)) : Console.log(result.human().join("\n")))

/**
 * Reports how far a long run has got.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reporter {
  /** `done` of `total` units of `label` are finished. */
  readonly update: (label: string, done: number, total: number) => Effect.Effect<void>
  /** A step with no count (reading a file, waiting for the store). */
  readonly step: (message: string) => Effect.Effect<void>
  /** The run is over: a terminal reporter ends its line. */
  readonly finish: Effect.Effect<void>
}

const bar = (done: number, total: number) => {
  const width = 24
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`
}

/**
 * Progress as plain lines on stderr (logs, pipes, tests): one line per update.
 *
 * @since 0.1.0
 * @category reporters
 */
export const lines: Reporter = {
  update: (label, done, total) => Console.error(`${label} ${bar(done, total)}`),
  step: (message) => Console.error(message),
  finish: Effect.void
}

/**
 * Progress as one line redrawn in place, for a terminal.
 *
 * @since 0.1.0
 * @category reporters
 */
export const terminal = (write: (text: string) => void): Reporter => ({
  update: (label, done, total) => Effect.sync(() => write(`\r\x1b[2K${label} ${bar(done, total)}`)),
  step: (message) => Effect.sync(() => write(`\r\x1b[2K${message}`)),
  finish: Effect.sync(() => write("\r\x1b[2K"))
})

/**
 * The reporter in force: {@link lines} unless the entry point provides {@link terminal}.
 *
 * @since 0.1.0
 * @category reporters
 */
export class Progress extends Context.Reference<Progress>()("@sortgrid/cli/Progress", {
  defaultValue: (): Reporter => lines
}) {}
