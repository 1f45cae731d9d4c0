// Reads vitest JSON reports and prints the one closing line CI looks for:
// `tests: N passed, M failed`. Exits non-zero when any test failed or a report is missing.
import fs from "node:fs"

let passed = 0
let failed = 0
let missing = 0
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    console.error(`no test report at ${file}`)
    missing += 1
    continue
  }
  const report = JSON.parse(fs.readFileSync(file, "utf8"))
  passed += report.numPassedTests
  failed += report.numFailedTests
  // A file that failed to load counts as a failure even though it ran no test.
  failed += report.testResults.filter(
    (result) => result.status === "failed" && result.assertionResults.length === 0
  ).length
}
console.log(`tests: ${passed} passed, ${failed + missing} failed`)
process.exit(failed + missing > 0 || passed === 0 ? 1 : 0)
