/**
 * Division lists: CSV files of `code,name,parentCode` (optionally `kind` and `setting` to override
 * what the code says), such as the statistics bureau publishes. Each row becomes a node whose id is
 * its code; kind and urban/rural setting come from the code ({@link DivisionCode}) unless overridden.
 *
 * @since 0.1.0
 */
import type { Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import * as DivisionCode from "./DivisionCode.js"
import { NodeId, OpenNode } from "./Node.js"
import { NodeKind } from "./Profile.js"
import { decodeRow, type Row, RowIssue } from "./Tabular.js"

/**
 * The columns a division list must have.
 *
 * @since 0.1.0
 * @category models
 */
export const requiredColumns = ["code", "name", "parentCode"] as const

const Code = Schema.String.pipe(
  Schema.filter((code) => Either.match(DivisionCode.meaning(code), { onLeft: (reason) => reason, onRight: () => true }))
)

/**
 * One row of a division list.
 *
 * @since 0.1.0
 * @category models
 */
export const DivisionRow = Schema.Struct({
  code: Code,
  name: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(120)),
  parentCode: Schema.String,
  kind: Schema.optional(Schema.Union(Schema.Literal(""), NodeKind)),
  setting: Schema.optional(Schema.Literal("", "urban", "rural"))
})

/**
 * A planned division: the node to open and its urban/rural setting.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlannedDivision {
  readonly row: number
  readonly node: OpenNode
  readonly setting: "urban" | "rural"
}

/**
 * Checks every row on its own and against the others: valid codes, parents as the codes say,
 * no code twice, and parents either in the file (and accepted) or among `existing`. Returns the
 * accepted divisions, parents before children, and every issue.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (
  rows: ReadonlyArray<Row>,
  options: { readonly effectiveOn: Period.IsoDate; readonly existing: ReadonlySet<string> }
): { readonly accepted: ReadonlyArray<PlannedDivision>; readonly rejected: ReadonlyArray<RowIssue> } => {
  const rejected: Array<RowIssue> = []
  const candidates = new Map<string, PlannedDivision & { readonly parentCode: string | null }>()
  const reject = (row: number, column: string, reason: string) => rejected.push(new RowIssue({ row, column, reason }))

  for (const row of rows) {
    const decoded = decodeRow(DivisionRow, row)
    if (Either.isLeft(decoded)) {
      rejected.push(...decoded.left)
      continue
    }
    const { code, name, parentCode, kind, setting } = decoded.right
    const meaning = Either.getOrThrow(DivisionCode.meaning(code))
    const parent = parentCode === "" ? null : parentCode
    if (parent !== meaning.parentCode) {
      reject(
        row.row,
        "parentCode",
        `code ${code} belongs under ${meaning.parentCode ?? "no parent"}, not ${parent ?? "no parent"}`
      )
      continue
    }
    if (candidates.has(code)) {
      reject(row.row, "code", `${code} already appears in row ${candidates.get(code)!.row}`)
      continue
    }
    candidates.set(code, {
      row: row.row,
      parentCode: parent,
      setting: setting === undefined || setting === "" ? meaning.setting : setting,
      node: OpenNode.make({
        id: NodeId.make(code),
        kind: NodeKind.make(kind === undefined || kind === "" ? meaning.kind : kind),
        code,
        name,
        nameEn: null,
        parentId: parent === null ? null : NodeId.make(parent),
        effectiveOn: options.effectiveOn
      })
    })
  }

  // A row stands only if its parent exists already or stands itself: resolve parents before children.
  const standing = new Map<string, boolean>()
  const stands = (code: string): boolean => {
    const known = standing.get(code)
    if (known !== undefined) return known
    const candidate = candidates.get(code)!
    let ok = true
    if (candidate.parentCode !== null && !options.existing.has(candidate.parentCode)) {
      if (!candidates.has(candidate.parentCode)) {
        reject(candidate.row, "parentCode", `parent ${candidate.parentCode} is neither in the file nor in the tree`)
        ok = false
      } else if (!stands(candidate.parentCode)) {
        reject(
          candidate.row,
          "parentCode",
          `parent ${candidate.parentCode} (row ${candidates.get(candidate.parentCode)!.row}) was rejected`
        )
        ok = false
      }
    }
    standing.set(code, ok)
    return ok
  }
  const accepted = [...candidates.keys()]
    .filter(stands)
    .map((code) => candidates.get(code)!)
    .sort((a, b) => a.node.id.length - b.node.id.length || a.row - b.row)
    .map(({ row, node, setting }) => ({ row, node, setting }))
  return { accepted, rejected: [...rejected].sort((a, b) => a.row - b.row) }
}
