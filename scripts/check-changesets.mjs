// Fails when a changeset's front matter is not what `changeset version` reads: `---`, one
// `"@sortgrid/<package>": major|minor|patch` line per package (an existing workspace package), `---`.
import fs from "node:fs"

const packages = new Set(
  fs
    .readdirSync("packages")
    .filter((dir) => fs.existsSync(`packages/${dir}/package.json`))
    .map((dir) => JSON.parse(fs.readFileSync(`packages/${dir}/package.json`, "utf8")).name)
)
const problems = []
for (const file of fs.readdirSync(".changeset").filter((f) => f.endsWith(".md") && f !== "README.md")) {
  const text = fs.readFileSync(`.changeset/${file}`, "utf8")
  const match = /^---\n((?:"[^"\n]+": (?:major|minor|patch)\n)+)---\n\n\S/.exec(text)
  if (match === null) {
    problems.push(`${file}: front matter must be ---, "package": bump lines, ---, a blank line, then the summary`)
    continue
  }
  for (const line of match[1].trim().split("\n")) {
    const name = line.slice(1, line.indexOf('"', 1))
    if (!packages.has(name)) problems.push(`${file}: ${name} is not a package of this workspace`)
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  process.exit(1)
}
console.log("changesets well-formed")
