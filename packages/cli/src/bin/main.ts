#!/usr/bin/env node
/**
 * The `sortgrid` executable: runs the command line on Node with `process.argv` and exits with the
 * command's exit code. Everything else lives in the library modules (see `Cli`), so this file has
 * the only side effects of the package.
 *
 * @since 0.1.0
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as Cli from "../Cli.js"
import * as Output from "../Output.js"

const progress = process.stderr.isTTY
  ? Layer.succeed(
      Output.Progress,
      Output.terminal((text) => process.stderr.write(text))
    )
  : Layer.empty

Cli.run(process.argv.slice(2)).pipe(
  Effect.flatMap((code) =>
    Effect.sync(() => {
      process.exitCode = code
    })
  ),
  Effect.provide(Layer.merge(NodeContext.layer, progress)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
