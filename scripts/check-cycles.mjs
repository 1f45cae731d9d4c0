// Fails when any import cycle exists: within a package (module → module) or between packages
// (package.json dependencies). Run by `pnpm check`.
import fs from "node:fs"
import path from "node:path"
import { parseCircular, parseDependencyTree, prettyCircular } from "dpdm"

const packages = fs.readdirSync("packages").filter((name) => fs.existsSync(path.join("packages", name, "package.json")))
const manifests = Object.fromEntries(
  packages.map((name) => [
    `@sortgrid/${name}`,
    JSON.parse(fs.readFileSync(path.join("packages", name, "package.json"), "utf8"))
  ])
)

let failed = false

// Between packages: follow runtime dependencies (dev-only edges, such as a store's tests using testkit, are fine).
const visit = (name, trail) => {
  if (trail.includes(name)) {
    console.error(`package cycle: ${[...trail.slice(trail.indexOf(name)), name].join(" -> ")}`)
    failed = true
    return
  }
  const manifest = manifests[name]
  if (manifest === undefined) return
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (dependency in manifests) visit(dependency, [...trail, name])
  }
}
for (const name of Object.keys(manifests)) visit(name, [])

// Within packages: every module reachable from src/, relative imports only.
const entries = packages.flatMap((name) => {
  const src = path.join("packages", name, "src")
  return fs
    .readdirSync(src)
    .filter((file) => file.endsWith(".ts"))
    .map((file) => path.join(src, file))
})
const tree = await parseDependencyTree(entries, {
  context: process.cwd(),
  transform: true,
  skipDynamicImports: false,
  include: /packages\/[^/]+\/src\/.*\.ts$/
})
const cycles = parseCircular(tree)
if (cycles.length > 0) {
  console.error(`module cycles:\n${prettyCircular(cycles)}`)
  failed = true
}
if (failed) process.exit(1)
console.log(`no import cycles (${packages.length} packages, ${Object.keys(tree).length} modules)`)
