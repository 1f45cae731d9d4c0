// Writes each package's src/index.ts: one namespace re-export per public module, as Effect does.
// `node scripts/codegen.mjs --check` fails when an index is out of date (run by `pnpm check`).
import fs from "node:fs"
import path from "node:path"

const check = process.argv.includes("--check")
const stale = []
for (const pkg of fs.readdirSync("packages")) {
  const src = path.join("packages", pkg, "src")
  if (!fs.existsSync(src)) continue
  const modules = fs
    .readdirSync(src)
    .filter((file) => file.endsWith(".ts") && file !== "index.ts")
    .sort()
  const lines = ["/**", ` * @sortgrid/${pkg}: every public module, as a namespace.`, " *", " * @since 0.1.0", " */", ""]
  for (const file of modules) {
    const name = file.slice(0, -3)
    lines.push("/**", ` * @since 0.1.0`, " */", `export * as ${name} from "./${name}.js"`, "")
  }
  const text = `${lines.join("\n").trimEnd()}\n`
  const target = path.join(src, "index.ts")
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : ""
  if (current === text) continue
  if (check) stale.push(target)
  else fs.writeFileSync(target, text)
}
if (stale.length > 0) {
  console.error(`out of date (run node scripts/codegen.mjs): ${stale.join(", ")}`)
  process.exit(1)
}
