// The built `sortgrid` executable (packages/cli/dist/bin/main.js, as `pnpm build` leaves it and npm
// would install it), run as a separate process with plain Node — no source conditions, no tsx — against
// a temporary SQLite file and a PostgreSQL schema. CI builds before it tests; elsewhere, without a
// build, the test says so and skips.
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { PostgresSchema, TempDirectory, Tongzhou } from "@sortgrid/testkit"
import { Effect, Redacted } from "effect"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const binary = join(root, "packages/cli/dist/bin/main.js")
const built = existsSync(binary)
if (!built && process.env.CI) throw new Error(`${binary} is missing: CI runs \`pnpm build\` before the tests`)
if (!built) console.warn(`skipping the built-binary tests: run \`pnpm build\` to make ${binary}`)

const run = (args: ReadonlyArray<string>) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    execFile(process.execPath, [binary, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }))
    )
  })

/** init → import the division list → list problems → verify, on one store, each a process of its own. */
const session = (store: string, directory: string, created: boolean) =>
  Effect.gen(function* () {
    const csv = join(directory, "tongzhou-2023.csv")
    yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.writeFile(csv, Tongzhou.csv)))
    const init = yield* run(["init", "--store", store, "--json"])
    expect(init.code, init.stderr).toBe(0)
    expect(JSON.parse(init.stdout)).toMatchObject({ created })
    const imported = yield* run([
      "import",
      "divisions",
      csv,
      "--effective-on",
      "2023-01-01",
      "--store",
      store,
      "--json"
    ])
    expect(imported.code, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({ rejected: [] })
    const listed = yield* run(["issues", "list", "--under", "/110112/", "--store", store, "--json"])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([])
    const verified = yield* run(["verify", "--store", store, "--json"])
    expect(verified.code, verified.stderr).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ _tag: "Intact" })
    const refused = yield* run(["issues", "list", "--under", "not-a-path", "--store", store])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^Invalid: under: /)
  })

describe.skipIf(!built)("the built sortgrid binary", () => {
  it.scopedLive("runs init, import, issues list and verify on a SQLite file", () =>
    Effect.gen(function* () {
      const directory = yield* TempDirectory.make()
      yield* session(`sqlite:${join(directory, "cli.db")}`, directory, true)
    })
  )

  it.scopedLive("runs the same on PostgreSQL", () =>
    Effect.gen(function* () {
      const schema = yield* PostgresSchema.make
      // The schema exists already (the kit made it empty), so the store is migrated, not created.
      yield* session(`${Redacted.value(PostgresSchema.testUrl)}?schema=${schema}`, yield* TempDirectory.make(), false)
    })
  )
})
