// Helpers for the tests that run writers in other processes against one SQLite file.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { AuditLog, Permission } from "@sortgrid/core"
import { AuditLogSuite } from "@sortgrid/testkit"
import { Effect, Layer } from "effect"
import { SqliteStore } from "../src/index.js"

const here = fileURLToPath(new URL(".", import.meta.url))

/** The package folder: child processes run there, where `--import tsx` resolves. */
export const packageDir = join(here, "..")

/** Node arguments that run append-worker.ts with the given arguments. */
export const workerArgs = (args: ReadonlyArray<string>): Array<string> => [
  "--import",
  "tsx",
  "--conditions=sortgrid-source",
  join(here, "append-worker.ts"),
  ...args
]

/** Runs append-worker.ts to completion: `[filename, name, count, batch?]`. */
export const runWorker = (args: ReadonlyArray<string>) =>
  Effect.promise(() => promisify(execFile)(process.execPath, workerArgs(args), { cwd: packageDir }))

/** Verifies the chain in a SQLite file, as an auditor. */
export const verifyFile = (filename: string) =>
  Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(AuditLogSuite.auditor)).pipe(
    Effect.provide(
      AuditLog.AuditLog.Default.pipe(
        Layer.provide(SqliteStore.layer({ filename })),
        Layer.provide(Permission.layer({ auditor: ["*"] }))
      )
    )
  )
