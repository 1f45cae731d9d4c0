// Checks every code sample of the guides (docs/*.md): each ```ts block becomes a module under
// .tmp/guides, the modules are type-checked together with the repo's compiler settings (workspace
// packages resolved to their sources, as in tests), and blocks marked ```ts run are then executed,
// each in a fresh working directory, and must exit with 0. A guide's samples are therefore
// complete modules: imports included, no "…" placeholders. Text that is not meant to compile goes in
// a ```text block.
//
//   node scripts/check-guides.mjs            check every guide
//   node scripts/check-guides.mjs docs/x.md  check some
//
// Errors are reported at the guide's line, not the generated file's.
import { execFileSync, spawnSync } from "node:child_process"
import fs from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"
import { pathToFileURL } from "node:url"

const root = process.cwd()
const out = path.join(root, ".tmp", "guides")
const require = createRequire(import.meta.url)

const guides =
  process.argv.length > 2
    ? process.argv.slice(2)
    : fs
        .readdirSync("docs")
        .filter((name) => name.endsWith(".md"))
        .sort()
        .map((name) => path.join("docs", name))

/** The ```ts blocks of a Markdown file, with the line (1-based) of their first code line. */
const blocksOf = (file) => {
  const lines = fs.readFileSync(file, "utf8").split("\n")
  const blocks = []
  let open = null
  lines.forEach((line, i) => {
    const fence = /^(\s*)(`{3,})\s*([^\s`]*)\s*(.*)$/.exec(line)
    if (open === null) {
      if (fence !== null) {
        open = {
          fence: fence[2],
          indent: fence[1].length,
          lang: fence[3],
          flags: fence[4].split(/\s+/),
          start: i + 2,
          body: []
        }
      }
      return
    }
    if (fence !== null && fence[2].length >= open.fence.length && fence[3] === "") {
      if (open.lang === "ts" || open.lang === "typescript") {
        blocks.push({ file, line: open.start, run: open.flags.includes("run"), code: open.body.join("\n") })
      }
      open = null
      return
    }
    open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)))
  })
  return blocks
}

fs.rmSync(out, { recursive: true, force: true })
fs.mkdirSync(path.join(out, "node_modules", "@sortgrid"), { recursive: true })
fs.writeFileSync(path.join(out, "package.json"), `${JSON.stringify({ private: true, type: "module" }, null, 2)}\n`)
// The samples import the packages by name, as a user would: link them like a workspace install does.
for (const dir of fs.readdirSync("packages").sort()) {
  const manifest = path.join("packages", dir, "package.json")
  if (!fs.existsSync(manifest)) continue
  const { name } = JSON.parse(fs.readFileSync(manifest, "utf8"))
  if (typeof name !== "string" || !name.startsWith("@sortgrid/")) continue
  fs.symlinkSync(path.join(root, "packages", dir), path.join(out, "node_modules", name), "dir")
}
fs.writeFileSync(
  path.join(out, "tsconfig.json"),
  `${JSON.stringify(
    {
      extends: path.relative(out, path.join(root, "tsconfig.base.json")),
      // Samples show one step each; an import or a result left unused is no fault in a guide.
      compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false },
      include: ["*.ts"]
    },
    null,
    2
  )}\n`
)

const modules = []
for (const guide of guides) {
  const slug = path.basename(guide, ".md")
  blocksOf(guide).forEach((block, i) => {
    const name = `${slug}-${String(i + 1).padStart(2, "0")}.ts`
    // `export {}` makes a sample without imports a module too, so top-level await type-checks.
    fs.writeFileSync(path.join(out, name), `${block.code}\nexport {}\n`)
    modules.push({ ...block, name })
  })
}
if (modules.length === 0) {
  console.log("no ts samples found")
  process.exit(0)
}

const byName = new Map(modules.map((module) => [module.name, module]))
/** Rewrites `.tmp/guides/x.ts(3,5)` and `x.ts:3:5` to the guide's file and line. */
const locate = (text) =>
  text.replace(
    /(?:[^\s(]*[/\\])?([\w-]+-\d{2}\.ts)(?:\((\d+),(\d+)\)|:(\d+):(\d+))/g,
    (whole, name, l1, c1, l2, c2) => {
      const module = byName.get(name)
      if (module === undefined) return whole
      const line = Number(l1 ?? l2)
      return `${module.file}:${module.line + line - 1}:${c1 ?? c2}`
    }
  )

const failures = []
const tsc = require.resolve("typescript/bin/tsc")
const checked = spawnSync(process.execPath, [tsc, "-p", path.join(out, "tsconfig.json"), "--pretty", "false"], {
  encoding: "utf8"
})
if (checked.status !== 0) {
  // Errors inside the packages themselves are the root type-check's to report (`pnpm check`); here
  // only the samples count. An error's continuation lines are indented and follow it.
  const errors = []
  let keep = false
  for (const line of `${checked.stdout}${checked.stderr}`.split("\n")) {
    if (line.trim() === "") continue
    if (!/^\s/.test(line)) {
      const file = /^(.*?)\(\d+,\d+\): /.exec(line)?.[1]
      keep = file === undefined || path.dirname(path.resolve(file)) === out
    }
    if (keep) errors.push(line)
  }
  if (errors.length > 0) failures.push(`type errors:\n${locate(errors.join("\n"))}`)
  else
    console.warn(
      "warning: the packages have type errors of their own (see tsc -p tsconfig.json); the samples have none"
    )
}

const tsx = pathToFileURL(require.resolve("tsx")).href
for (const module of failures.length === 0 ? modules.filter((m) => m.run) : []) {
  // A fresh directory per sample: `sqlite:./sortgrid.db` in one sample is not another's file.
  const cwd = path.join(out, "run", path.basename(module.name, ".ts"))
  fs.mkdirSync(cwd, { recursive: true })
  try {
    execFileSync(process.execPath, ["--import", tsx, "--conditions=sortgrid-source", path.join(out, module.name)], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000
    })
  } catch (error) {
    const output = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim()
    failures.push(
      `${module.file}:${module.line}: the sample failed when run (exit ${error.status}):\n${locate(output)}`
    )
  }
}

if (failures.length > 0) {
  console.error(failures.join("\n\n"))
  process.exit(1)
}
const ran = modules.filter((m) => m.run).length
console.log(`guides: ${modules.length} samples in ${guides.length} guides type-check; ${ran} ran`)
