/**
 * The errors every sortgrid package shares. They cross boundaries (storage, HTTP, the Promise
 * facade), so each is a `Schema.TaggedError` with a message a person can act on.
 *
 * @since 0.1.0
 */
import { Array as Arr, ParseResult, Schema } from "effect"

/**
 * One problem with an input: where it is (`path`, e.g. `["entries", 3, "action"]`) and why.
 *
 * @since 0.1.0
 * @category models
 */
export class Issue extends Schema.Class<Issue>("@sortgrid/core/Issue")({
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  reason: Schema.String
}) {}

const describePath = (path: ReadonlyArray<string | number>): string =>
  path.length === 0
    ? "(input)"
    : path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("")

/**
 * Bad input: the request was decoded and rejected before anything was written. Every issue names
 * the field (as a path) and the reason.
 *
 * @since 0.1.0
 * @category errors
 */
export class Invalid extends Schema.TaggedError<Invalid>()("Invalid", {
  issues: Schema.NonEmptyArray(Issue)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return this.issues.map((issue) => `${describePath(issue.path)}: ${issue.reason}`).join("; ")
  }

  /**
   * An `Invalid` with a single issue.
   *
   * @since 0.1.0
   */
  static one(path: ReadonlyArray<string | number> | string, reason: string): Invalid {
    return new Invalid({ issues: [new Issue({ path: typeof path === "string" ? [path] : path, reason })] })
  }

  /**
   * Converts a Schema `ParseError` into an `Invalid` that lists every failing field, optionally
   * under a prefix path (e.g. the argument name).
   *
   * @since 0.1.0
   */
  static fromParseError(error: ParseResult.ParseError, prefix: ReadonlyArray<string | number> = []): Invalid {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map(
      (issue) =>
        new Issue({
          path: [...prefix, ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))],
          reason: issue.message
        })
    )
    return new Invalid({
      issues: Arr.isNonEmptyReadonlyArray(issues) ? issues : [new Issue({ path: prefix, reason: error.message })]
    })
  }
}

/**
 * The subject of a request does not exist (or is not visible to the actor).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  entity: Schema.String,
  id: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.entity} ${this.id} was not found`
  }
}

/**
 * The actor is not allowed to do this here. `reason` says which rule refused it.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  actor: Schema.String,
  permission: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.actor} may not ${this.permission}: ${this.reason}`
  }
}

/**
 * The request collides with what is stored: an id reused with different content, or a stale
 * version. Retrying the same request will not help; re-read and decide again.
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  entity: Schema.String,
  id: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.entity} ${this.id}: ${this.reason}`
  }
}

/**
 * The store could not be opened or reached: a bad location, an unwritable path, a server that does
 * not answer, or a database migrated by a newer sortgrid. `store` names it without secrets.
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  store: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `cannot open store ${this.store}: ${this.reason}`
  }
}

/**
 * A storage operation failed after the store was opened (I/O error, lost connection, a constraint
 * the adapter did not expect). The transaction it ran in was rolled back.
 *
 * @since 0.1.0
 * @category errors
 */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `storage failed during ${this.operation}: ${this.reason}`
  }
}
