/**
 * How the command line fails: every error a command can end with, the message a person reads, and
 * the exit code a script tests. The SDK's typed errors keep their tag in front of the message
 * (`Invalid: visit.items[2].evidence: must not be empty`), one line per issue, on stderr.
 *
 * | exit | meaning |
 * |---|---|
 * | 0 | done |
 * | 1 | `verify` found the audit chain broken, or an unexpected internal error |
 * | 2 | bad usage or bad input (`Invalid`, an unknown flag, a missing argument) |
 * | 3 | `Forbidden`: the acting actor may not do this there |
 * | 4 | `NotFound` |
 * | 5 | `Conflict`: an id reused with other content, or a stale version |
 * | 6 | `StoreUnavailable` or `StorageError`: the store could not be opened or failed |
 *
 * @since 0.1.0
 */
import { ValidationError } from "@effect/cli"
import { Errors } from "@sortgrid/core"
import { Cause, Data, Option, Predicate } from "effect"

/**
 * The exit codes, by name.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode = {
  ok: 0,
  broken: 1,
  internal: 1,
  usage: 2,
  forbidden: 3,
  notFound: 4,
  conflict: 5,
  store: 6
} as const

/**
 * The command line was used wrongly in a way the argument parser cannot see (a command group with
 * no subcommand, flags that exclude each other).
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * `verify` found the audit chain broken. The report is printed before the command fails with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChainBroken extends Data.TaggedError("ChainBroken")<{
  readonly position: number
  readonly reason: string
  readonly detail: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `the audit chain is broken at position ${this.position} (${this.reason}): ${this.detail}`
  }
}

/**
 * The points ledger's stored balances differ from the balances its transfers add up to: `verify`
 * ends with this (exit 1, like a broken chain).
 *
 * @since 0.1.0
 * @category errors
 */
export class LedgerDrifted extends Data.TaggedError("LedgerDrifted")<{
  readonly accounts: ReadonlyArray<string>
}> {
  /** @since 0.1.0 */
  override get message(): string {
    const shown = this.accounts.slice(0, 10).join(", ")
    return `${this.accounts.length} accounts' balances differ from their transfers: ${shown}${this.accounts.length > 10 ? ", …" : ""}`
  }
}

/**
 * Every error a command ends with.
 *
 * @since 0.1.0
 * @category errors
 */
export type CliFailure =
  | Errors.Invalid
  | Errors.Forbidden
  | Errors.NotFound
  | Errors.Conflict
  | Errors.StoreUnavailable
  | Errors.StorageError
  | UsageError
  | ChainBroken
  | LedgerDrifted
  | ValidationError.ValidationError

/**
 * What to print for a failure, and the exit code.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rendered {
  readonly exitCode: number
  /** Lines for stderr; empty when the argument parser printed its own message already. */
  readonly lines: ReadonlyArray<string>
  /** The failure as data, for `--json`. */
  readonly json: { readonly _tag: string; readonly message: string; readonly [key: string]: unknown }
}

const describePath = (path: ReadonlyArray<string | number>): string =>
  path.length === 0
    ? "(input)"
    : path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("")

/**
 * The message and exit code of a failure.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (failure: CliFailure): Rendered => {
  if (ValidationError.isValidationError(failure)) {
    // @effect/cli has printed the usage error (or the help) itself.
    return { exitCode: ExitCode.usage, lines: [], json: { _tag: "UsageError", message: failure._tag } }
  }
  switch (failure._tag) {
    case "Invalid":
      return {
        exitCode: ExitCode.usage,
        lines: failure.issues.map((issue) => `Invalid: ${describePath(issue.path)}: ${issue.reason}`),
        json: {
          _tag: "Invalid",
          message: failure.message,
          issues: failure.issues.map((issue) => ({ path: [...issue.path], reason: issue.reason }))
        }
      }
    case "UsageError":
      return {
        exitCode: ExitCode.usage,
        lines: [`Usage: ${failure.message}`],
        json: { _tag: "UsageError", message: failure.message }
      }
    case "ChainBroken":
      return {
        exitCode: ExitCode.broken,
        lines: [`Broken: ${failure.message}`],
        json: {
          _tag: "ChainBroken",
          message: failure.message,
          position: failure.position,
          reason: failure.reason,
          detail: failure.detail
        }
      }
    case "LedgerDrifted":
      return {
        exitCode: ExitCode.broken,
        lines: [`Drifted: ${failure.message}`],
        json: { _tag: "LedgerDrifted", message: failure.message, accounts: [...failure.accounts] }
      }
    case "Forbidden":
      return tagged(failure, ExitCode.forbidden)
    case "NotFound":
      return tagged(failure, ExitCode.notFound)
    case "Conflict":
      return tagged(failure, ExitCode.conflict)
    case "StoreUnavailable":
    case "StorageError":
      return tagged(failure, ExitCode.store)
  }
}

const tagged = (failure: { readonly _tag: string; readonly message: string }, exitCode: number): Rendered => ({
  exitCode,
  lines: [`${failure._tag}: ${failure.message}`],
  json: { _tag: failure._tag, message: failure.message }
})

const isCliFailure = (error: unknown): error is CliFailure =>
  ValidationError.isValidationError(error) ||
  error instanceof Errors.Invalid ||
  error instanceof Errors.Forbidden ||
  error instanceof Errors.NotFound ||
  error instanceof Errors.Conflict ||
  error instanceof Errors.StoreUnavailable ||
  error instanceof Errors.StorageError ||
  error instanceof UsageError ||
  error instanceof ChainBroken ||
  error instanceof LedgerDrifted

/**
 * What to print for any cause a command ended with: its first typed failure, or — for a defect or
 * an interruption — an internal error with the cause's first line.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderCause = (cause: Cause.Cause<unknown>): Rendered => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && isCliFailure(failure.value)) return render(failure.value)
  const squashed = Cause.squash(cause)
  const message = Predicate.hasProperty(squashed, "message") ? String(squashed.message) : String(squashed)
  return {
    exitCode: ExitCode.internal,
    lines: [`Error: ${message.split("\n")[0] ?? ""}`],
    json: { _tag: "InternalError", message }
  }
}
