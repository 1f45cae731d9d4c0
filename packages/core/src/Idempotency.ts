/**
 * Idempotent commands. Every create or post command carries a client-chosen id. The rule, applied
 * by every service to whatever it finds stored under that id:
 *
 * - nothing stored → `Fresh`: carry out the command;
 * - stored with the same content digest → `Replay`: return the first result, change nothing;
 * - stored with a different digest → `Conflict`: the id was reused for something else.
 *
 * @since 0.1.0
 */
import { Data, Option } from "effect"

/**
 * What a command's id maps to.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision<A> = Data.TaggedEnum<{
  Fresh: {}
  Replay: { readonly result: A }
  Conflict: { readonly storedDigest: string; readonly requestDigest: string }
}>

interface DecisionDefinition extends Data.TaggedEnum.WithGenerics<1> {
  readonly taggedEnum: Decision<this["A"]>
}

/**
 * Constructors and matchers for {@link Decision}.
 *
 * @since 0.1.0
 * @category models
 */
export const Decision = Data.taggedEnum<DecisionDefinition>()

/**
 * A stored command: the digest of its content and the result it had.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stored<A> {
  readonly digest: string
  readonly result: A
}

/**
 * The rule: compares what is stored under an id with the digest of the incoming command.
 *
 * @since 0.1.0
 * @category decisions
 */
export const decide = <A>(stored: Option.Option<Stored<A>>, requestDigest: string): Decision<A> =>
  Option.match(stored, {
    onNone: () => Decision.Fresh(),
    onSome: ({ digest, result }) =>
      digest === requestDigest
        ? Decision.Replay({ result })
        : Decision.Conflict({ storedDigest: digest, requestDigest })
  })
