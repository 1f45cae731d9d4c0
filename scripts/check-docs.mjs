// Fails when an exported declaration of a public module has no JSDoc, or no @since tag: every export
// of every package is documented. (TypeDoc then builds the reference; its own "not documented"
// check also flags members TypeScript infers inside Schema classes, which are not exports.)
import fs from "node:fs"
import path from "node:path"
import ts from "typescript"

const files = fs.readdirSync("packages").flatMap((pkg) => {
  const src = path.join("packages", pkg, "src")
  return fs.existsSync(src)
    ? fs
        .readdirSync(src)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(src, f))
    : []
})
const problems = []
/** The JSDoc block right before a statement, if any. */
const docOf = (source, node) => {
  const text = source.getFullText()
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []
  const last = ranges.at(-1)
  return last === undefined ? "" : text.slice(last.pos, last.end)
}
const documented = (source, node) => {
  const doc = docOf(source, node)
  return doc.startsWith("/**") && /@since\s/.test(doc)
}
for (const file of files) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
  const module = source.statements.find((s) => !ts.isImportDeclaration(s))
  if (module === undefined || !/@since/.test(source.getFullText().slice(0, module.getStart(source)))) {
    problems.push(`${file}: the module has no doc comment with @since`)
  }
  for (const [index, statement] of source.statements.entries()) {
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    if (!exported) continue
    // The implementation of an overloaded function is documented by its overloads.
    const before = source.statements[index - 1]
    const overloaded =
      ts.isFunctionDeclaration(statement) &&
      before !== undefined &&
      ts.isFunctionDeclaration(before) &&
      before.body === undefined &&
      before.name?.text === statement.name?.text
    if (overloaded) continue
    if (!documented(source, statement)) {
      const name = statement.name?.text ?? statement.declarationList?.declarations[0]?.name.getText(source) ?? "?"
      const { line } = source.getLineAndCharacterOfPosition(statement.getStart(source))
      problems.push(`${file}:${line + 1}: export ${name} has no doc comment with @since`)
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  process.exit(1)
}
console.log(`every export documented (${files.length} modules)`)
