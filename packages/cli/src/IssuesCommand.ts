/**
 * `sortgrid issues list | show | transition`: the problem register.
 *
 * - `list --under /110112/110112001/ --state registered --state assigned [--category C] [--overdue]`:
 *   problems on nodes on or under a path (the whole tree by default), oldest first; needs
 *   `issues.read` there.
 * - `show <problem-id>`: the problem as it stands and its history, oldest event first
 *   (`ProblemRegister.history`; needs `issues.read` at the problem's node).
 * - `transition --file command.json` (or `--command '<json>'`): one lifecycle command
 *   (`{ "_tag": "Assign" | "Rectify" | "Reinspect" | "CloseOther" | "Escalate", "problemId",
 *   "expectedVersion", … }`), or an array of them applied all-or-nothing
 *   (`ProblemRegister.transition` / `transitionMany`; needs `issues.transition`). Problems with
 *   the command name its fields under `command` (`Invalid: command.evidence: …`).
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { Actor, Errors } from "@sortgrid/core"
import { Problem, ProblemRegister, ProblemStore } from "@sortgrid/issues"
import { Effect, Option, Schema } from "effect"
import { UsageError } from "./Failure.js"
import { parseJson, readJson } from "./internal/files.js"
import * as Output from "./Output.js"
import * as Settings from "./Settings.js"

const stamp = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * A problem in one line: id, state, category, node, deadline.
 *
 * @since 0.1.0
 * @category rendering
 */
export const line = (problem: Problem.Problem, now: number): string =>
  [
    problem.id,
    problem.state,
    problem.categoryCode,
    `at ${problem.nodeId}`,
    `registered ${stamp(problem.registeredAt)}`,
    `deadline ${stamp(problem.deadlineAt)}${Problem.isOverdue(problem, now) ? " (overdue)" : ""}`
  ].join("  ")

const decodeUnder = (text: string) =>
  Effect.mapError(Schema.decodeUnknown(Actor.NodePath)(text), () =>
    Errors.Invalid.one("under", `"${text}" must be node ids separated and ended by '/', such as /110112/110112001/`)
  )

const list = Command.make(
  "list",
  {
    ...Settings.globalOptions,
    under: Options.text("under").pipe(
      Options.withDescription("Only problems on or under this node path, such as /110112/110112001/ (default /)"),
      Options.withDefault("/")
    ),
    states: Options.choice("state", Problem.states).pipe(
      Options.withDescription("Only problems in this state (repeat for several)"),
      Options.repeated
    ),
    category: Options.text("category").pipe(
      Options.withDescription("Only problems of this category"),
      Options.optional
    ),
    overdue: Options.boolean("overdue").pipe(Options.withDescription("Only open problems past their deadline"))
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const problems = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const under = yield* decodeUnder(config.under)
          const register = yield* ProblemRegister.ProblemRegister
          const found: Array<Problem.Problem> = []
          let cursor: string | null | undefined
          do {
            const page = yield* register.list(actor, {
              under,
              ...(config.states.length === 0 ? {} : { states: config.states }),
              ...(Option.isSome(config.category) ? { categoryCodes: [config.category.value] } : {}),
              overdue: config.overdue,
              ...(cursor === undefined || cursor === null ? {} : { cursor }),
              limit: 1_000
            })
            found.push(...page.problems)
            cursor = page.next
          } while (cursor !== null)
          return found
        })
      )
      const now = Date.now()
      yield* Output.emit(settings, {
        json: problems,
        human: () =>
          problems.length === 0
            ? ["no problems"]
            : [...problems.map((problem) => line(problem, now)), `${problems.length} problems`]
      })
    })
).pipe(Command.withDescription("List problems under a path, optionally in some states"))

const show = Command.make(
  "show",
  {
    ...Settings.globalOptions,
    problemId: Args.text({ name: "problem-id" }).pipe(Args.withDescription("The problem's id"))
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const shown = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const id = yield* Effect.mapError(Schema.decodeUnknown(Problem.ProblemId)(config.problemId), (error) =>
            Errors.Invalid.fromParseError(error, ["problem-id"])
          )
          const register = yield* ProblemRegister.ProblemRegister
          // history checks issues.read at the problem's node (and NotFound); the current version is
          // then read from the same store.
          const history = yield* register.history(actor, id)
          const store = yield* ProblemStore.ProblemStore
          const [problem] = yield* store.get([id])
          if (problem === undefined) return yield* new Errors.NotFound({ entity: "Problem", id })
          return { problem, history }
        })
      )
      const now = Date.now()
      const { problem, history } = shown
      yield* Output.emit(settings, {
        json: shown,
        human: () => [
          line(problem, now),
          ...(problem.description === null ? [] : [`  ${problem.description}`]),
          ...(problem.assignee === null
            ? []
            : [
                `  assigned to ${problem.assignee.unitId}${problem.assignee.personId === null ? "" : ` (${problem.assignee.personId})`}`
              ]),
          `  version ${problem.version}, reopened ${problem.reopenCount} times`,
          "history:",
          ...history.map(
            (event) =>
              `  v${event.version} ${stamp(event.at)} ${event.kind} by ${event.actor}: ${event.fromState ?? "-"} → ${event.toState}` +
              (event.note === null ? "" : ` — ${event.note}`)
          )
        ]
      })
    })
).pipe(Command.withDescription("Show a problem and its history"))

/** The register names a command's fields from the command's root; the user wrote them in `command`. */
const underCommand = (error: Errors.Invalid): Errors.Invalid =>
  new Errors.Invalid({
    issues: [
      new Errors.Issue({ ...error.issues[0], path: ["command", ...error.issues[0].path] }),
      ...error.issues.slice(1).map((issue) => new Errors.Issue({ ...issue, path: ["command", ...issue.path] }))
    ]
  })

const transition = Command.make(
  "transition",
  {
    ...Settings.globalOptions,
    file: Options.text("file").pipe(
      Options.withDescription("A JSON file holding the command (or an array of commands)"),
      Options.optional
    ),
    command: Options.text("command").pipe(
      Options.withDescription(
        `The command as JSON, such as '{"_tag":"Assign","problemId":"P-1","expectedVersion":1,"unitId":"110112001"}'`
      ),
      Options.optional
    )
  },
  (config) =>
    Effect.gen(function* () {
      const settings = yield* Settings.resolve(config)
      const input = yield* Option.match(Option.all([config.file, config.command]), {
        onSome: () =>
          Effect.fail(new UsageError({ message: "give the command either as --file or as --command, not both" })),
        onNone: () =>
          Option.match(config.file, {
            onSome: (file) => readJson(file, "file"),
            onNone: () =>
              Option.match(config.command, {
                onSome: (text) => parseJson(text, "command"),
                onNone: () =>
                  Effect.fail(
                    new UsageError({ message: "give the command as --file command.json or --command '<json>'" })
                  )
              })
          })
      })
      const transitions = yield* Settings.withSortgrid(settings, (actor) =>
        Effect.gen(function* () {
          const register = yield* ProblemRegister.ProblemRegister
          return Array.isArray(input)
            ? yield* register.transitionMany(actor, input)
            : [yield* register.transition(actor, input)]
        }).pipe(Effect.mapError((error) => (error._tag === "Invalid" ? underCommand(error) : error)))
      )
      yield* Output.emit(settings, {
        json: Array.isArray(input) ? transitions : transitions[0],
        human: () =>
          transitions.map(
            ({ problem, event }) =>
              `${problem.id}: ${event.fromState ?? "-"} → ${event.toState} (${event.kind}, now version ${problem.version})`
          )
      })
    })
).pipe(Command.withDescription("Move a problem through its lifecycle with a JSON command"))

/**
 * `sortgrid issues`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("issues").pipe(
  Command.withHandler(() =>
    Effect.fail(new UsageError({ message: "choose list, show or transition (see sortgrid issues --help)" }))
  ),
  Command.withSubcommands([list, show, transition]),
  Command.withDescription("The problem register: list, show and transition problems")
)
