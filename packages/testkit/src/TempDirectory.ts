/**
 * Scoped temporary directories, so tests that run concurrently never share a file.
 *
 * @since 0.1.0
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Scope } from "effect"

/**
 * A new empty directory, removed with everything in it when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (prefix = "sortgrid-"): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), prefix))),
    (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
  )
