// Runs a command line in-process and captures what it prints, as a terminal would show it.
import { NodeContext } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { Cli } from "../src/index.js"

export interface Ran {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it removes
const ansi = /\x1b\[[0-9;]*m/g

const text = (args: ReadonlyArray<unknown>) =>
  args.map((arg) => (typeof arg === "string" ? arg : String(arg))).join(" ")

/** Runs `sortgrid …args` with stdout and stderr captured (ANSI colours removed). */
export const sortgrid = (...args: ReadonlyArray<string>): Effect.Effect<Ran> =>
  Effect.gen(function* () {
    const out: Array<string> = []
    const err: Array<string> = []
    const base = yield* Console.consoleWith(Effect.succeed)
    const capture: Console.Console = {
      ...base,
      log: (...items) => Effect.sync(() => out.push(text(items))),
      error: (...items) => Effect.sync(() => err.push(text(items))),
      unsafe: {
        ...base.unsafe,
        log: (...items) => out.push(text(items)),
        error: (...items) => err.push(text(items))
      }
    }
    const exitCode = yield* Cli.run(args).pipe(Effect.withConsole(capture), Effect.provide(NodeContext.layer))
    return {
      exitCode,
      stdout: out.join("\n").replace(ansi, ""),
      stderr: err.join("\n").replace(ansi, "")
    }
  })

/** Runs a command expected to succeed with `--json` and parses its stdout. */
export const json = (...args: ReadonlyArray<string>): Effect.Effect<{ readonly ran: Ran; readonly value: unknown }> =>
  Effect.map(sortgrid(...args, "--json"), (ran) => {
    let value: unknown
    try {
      value = JSON.parse(ran.stdout)
    } catch {
      value = undefined
    }
    return { ran, value }
  })
