// `pnpm notebooks` (this package's `build` script): renders every notebook to static HTML.
//
//   node build.mjs [--output DIR]
//
// It checks that the store exists (the SQLite file `pnpm demo` writes, or SORTGRID_STORE), clears
// Framework's cache — Framework reuses a loader's output until the loader file changes, and does not
// notice a changed database — and runs `observable build` with telemetry off. The pages land in `dist/`
// (or DIR).
import { spawn } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const repositoryRoot = resolve(here, "../..")
const args = process.argv.slice(2)
const outputIndex = args.indexOf("--output")
const output = outputIndex === -1 ? undefined : args[outputIndex + 1]
if (outputIndex !== -1 && (output === undefined || output.startsWith("--"))) {
  console.error("notebooks: --output needs a directory")
  process.exit(2)
}

// A relative path in SORTGRID_STORE is taken from where the command was started (pnpm runs package
// scripts in the package's folder, and says where it was started in INIT_CWD).
const startedIn = process.env.INIT_CWD ?? process.cwd()
const given = process.env.SORTGRID_STORE ?? `sqlite:${join(repositoryRoot, "sortgrid.db")}`
const store =
  given.startsWith("sqlite:") && given !== "sqlite::memory:"
    ? `sqlite:${resolve(startedIn, given.slice("sqlite:".length))}`
    : given
if (store.startsWith("sqlite:") && !existsSync(store.slice("sqlite:".length))) {
  console.error(
    `notebooks: no store at ${store.slice("sqlite:".length)}.\n` +
      "Run `pnpm demo` first (it writes sortgrid.db at the repository root), or set SORTGRID_STORE to a store URL."
  )
  process.exit(1)
}

rmSync(join(here, "src", ".observablehq", "cache"), { recursive: true, force: true })

const require = createRequire(import.meta.url)
const observable = join(
  dirname(require.resolve("@observablehq/framework/package.json")),
  "dist",
  "bin",
  "observable.js"
)
const child = spawn(process.execPath, [observable, "build"], {
  cwd: here,
  stdio: "inherit",
  env: {
    ...process.env,
    OBSERVABLE_TELEMETRY_DISABLE: "true",
    SORTGRID_STORE: store,
    ...(output === undefined ? {} : { SORTGRID_NOTEBOOKS_OUTPUT: resolve(startedIn, output) })
  }
})
child.on("exit", (code, signal) => {
  if (code === 0)
    console.log(
      `notebooks: built from ${store} into ${output === undefined ? join(here, "dist") : resolve(startedIn, output)}`
    )
  else console.error(`notebooks: the build failed (${signal ?? `exit code ${code}`}); see the messages above`)
  process.exit(code ?? 1)
})
