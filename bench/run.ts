// `pnpm bench <name>`: runs bench/<name>.ts, prints its figures and writes bench/results/<name>.json.
import { readdirSync } from "node:fs"
import { type Result, report } from "./harness.js"

const available = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith(".ts") && !["run.ts", "harness.ts"].includes(file))
  .map((file) => file.slice(0, -3))

const names = process.argv.slice(2)
if (names.length === 0 || names.some((name) => !available.includes(name))) {
  console.error(`usage: pnpm bench <${available.join("|")}> [...]`)
  process.exit(2)
}
for (const name of names) {
  const module = (await import(`./${name}.ts`)) as { run: () => Promise<ReadonlyArray<Result>> }
  console.log(`bench ${name}`)
  report(name, await module.run())
}
