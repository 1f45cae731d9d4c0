/**
 * What happens to results after scoring, as pure rules: the diff between two result versions,
 * bottom-up approval, and the locks approval puts on results and data.
 *
 * **Approval** is per unit, scheme and period, and bottom-up: a unit may be approved only when
 * every unit below it in the tree scored for the same period (under any scheme — a subdistrict's
 * communities are scored under the community scheme) is approved; a unit may be unapproved only
 * while no unit above it is approved. Approving an approved unit changes nothing (a retry).
 *
 * **Locks.** An approved unit's result for the period may not be replaced by a new scoring run
 * (re-scoring under another scheme version and appeals make new versions, never overwrite); its
 * data values for any period inside an approved period may not be entered again.
 *
 * @since 0.1.0
 */
import { type Actor, type DataValue, Errors, Period } from "@sortgrid/core"
import { Either } from "effect"
import { type ResultDiff, UnitApproval, UnitChange, type ValueKey } from "./AssessmentStore.js"
import type * as Evaluation from "./Evaluation.js"
import type { SchemeId } from "./Scheme.js"

/**
 * The units whose figures differ between two results: total, rank, grade, or an item's value or
 * contribution. Units are compared by id; one only in `after` (or `before`) has `null` on the other
 * side. Sorted by unit id.
 *
 * @since 0.1.0
 * @category diff
 */
export const diffUnits = (before: Evaluation.Result, after: Evaluation.Result): ReadonlyArray<UnitChange> => {
  const old = new Map(before.units.map((unit) => [unit.unit, unit]))
  const now = new Map(after.units.map((unit) => [unit.unit, unit]))
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort()
  return ids.flatMap((id) => {
    const a = old.get(id)
    const b = now.get(id)
    const indicators = [...new Set([...(a?.items ?? []), ...(b?.items ?? [])].map((item) => item.indicator))]
    const items = indicators.flatMap((indicator) => {
      const x = a?.items.find((item) => item.indicator === indicator)
      const y = b?.items.find((item) => item.indicator === indicator)
      const same = x !== undefined && y !== undefined && x.value === y.value && x.contribution === y.contribution
      return same
        ? []
        : [
            {
              indicator,
              valueBefore: x?.value ?? null,
              valueAfter: y?.value ?? null,
              contributionBefore: x?.contribution ?? null,
              contributionAfter: y?.contribution ?? null
            }
          ]
    })
    const unchanged =
      a !== undefined &&
      b !== undefined &&
      items.length === 0 &&
      a.total === b.total &&
      a.rank === b.rank &&
      a.grade === b.grade
    return unchanged
      ? []
      : [
          new UnitChange({
            unit: id,
            totalBefore: a?.total ?? null,
            totalAfter: b?.total ?? null,
            rankBefore: a?.rank ?? null,
            rankAfter: b?.rank ?? null,
            gradeBefore: a?.grade ?? null,
            gradeAfter: b?.grade ?? null,
            items
          })
        ]
  })
}

/**
 * The diff between two stored versions' results.
 *
 * @since 0.1.0
 * @category diff
 */
export const diff = (
  before: { readonly version: number; readonly result: Evaluation.Result },
  after: { readonly version: number; readonly result: Evaluation.Result }
): ResultDiff => ({
  fromVersion: before.version,
  toVersion: after.version,
  schemeVersionBefore: before.result.scheme.version,
  schemeVersionAfter: after.result.scheme.version,
  units: diffUnits(before.result, after.result)
})

// --- approval -------------------------------------------------------------------------------------

const below = (ancestor: string, path: string) => path.length > ancestor.length && path.startsWith(ancestor)

/**
 * Approves units of a scheme for a period, bottom-up. `Invalid` naming `units[i]` when a unit has
 * no result for the period; `Conflict` when units below one are not all approved. Returns the rows
 * to write (units already approved are left out).
 *
 * @since 0.1.0
 * @category approval
 */
export const approve = (options: {
  readonly approvals: ReadonlyArray<UnitApproval>
  readonly schemeId: string
  readonly units: ReadonlyArray<string>
  readonly actor: Actor.ActorId
  readonly at: number
}): Either.Either<ReadonlyArray<UnitApproval>, Errors.Invalid | Errors.Conflict> => {
  const rows = new Map(
    options.approvals.filter((row) => row.schemeId === options.schemeId).map((row) => [row.unit as string, row])
  )
  const issues = options.units.flatMap((unit, i) =>
    rows.has(unit) ? [] : [new Errors.Issue({ path: ["units", i], reason: `${unit} has no result to approve` })]
  )
  const [first, ...rest] = issues
  if (first !== undefined) return Either.left(new Errors.Invalid({ issues: [first, ...rest] }))
  const approving = new Set(options.units)
  const out: Array<UnitApproval> = []
  for (const unit of [...approving].sort()) {
    const row = rows.get(unit)
    if (row === undefined || row.state === "approved") continue
    const pending = options.approvals
      .filter((other) => below(row.path, other.path) && other.state !== "approved")
      .filter((other) => !(other.schemeId === options.schemeId && approving.has(other.unit)))
      .map((other) => other.unit)
      .sort()
    if (pending.length > 0) {
      return Either.left(
        new Errors.Conflict({
          entity: "Approval",
          id: `${options.schemeId}/${row.period}/${unit}`,
          reason: `approval is bottom-up: first approve ${pending.slice(0, 5).join(", ")}${pending.length > 5 ? ` and ${pending.length - 5} more` : ""}`
        })
      )
    }
    out.push(new UnitApproval({ ...row, state: "approved", at: options.at, by: options.actor }))
  }
  return Either.right(out)
}

/**
 * Unapproves units, top-down: `Conflict` while a unit above one is approved; `Invalid` for a unit
 * with no result. Units not approved are left out of the rows to write.
 *
 * @since 0.1.0
 * @category approval
 */
export const unapprove = (options: {
  readonly approvals: ReadonlyArray<UnitApproval>
  readonly schemeId: string
  readonly units: ReadonlyArray<string>
  readonly actor: Actor.ActorId
  readonly at: number
}): Either.Either<ReadonlyArray<UnitApproval>, Errors.Invalid | Errors.Conflict> => {
  const rows = new Map(
    options.approvals.filter((row) => row.schemeId === options.schemeId).map((row) => [row.unit as string, row])
  )
  const issues = options.units.flatMap((unit, i) =>
    rows.has(unit) ? [] : [new Errors.Issue({ path: ["units", i], reason: `${unit} has no result` })]
  )
  const [first, ...rest] = issues
  if (first !== undefined) return Either.left(new Errors.Invalid({ issues: [first, ...rest] }))
  const out: Array<UnitApproval> = []
  for (const unit of [...new Set(options.units)].sort()) {
    const row = rows.get(unit)
    if (row === undefined || row.state !== "approved") continue
    const above = options.approvals.find((other) => below(other.path, row.path) && other.state === "approved")
    if (above !== undefined) {
      return Either.left(
        new Errors.Conflict({
          entity: "Approval",
          id: `${options.schemeId}/${row.period}/${unit}`,
          reason: `${above.unit} above it is approved: unapprove it first`
        })
      )
    }
    out.push(new UnitApproval({ ...row, state: "pending", at: options.at, by: options.actor }))
  }
  return Either.right(out)
}

/**
 * The approved row that locks a data value, if any: an approved unit equal to the value's node,
 * for a period that contains the value's period.
 *
 * @since 0.1.0
 * @category locks
 */
export const lockOf = (approvals: ReadonlyArray<UnitApproval>, key: ValueKey): UnitApproval | undefined => {
  const inner = Either.getOrUndefined(Period.parse(key.period))
  if (inner === undefined) return undefined
  return approvals.find((row) => {
    if (row.state !== "approved" || row.unit !== key.node) return false
    const outer = Either.getOrUndefined(Period.parse(row.period))
    return outer !== undefined && Period.contains(outer, inner)
  })
}

/**
 * The rows to write after a new result version: every unit scored gets a `pending` row pointing at
 * the version, except approved units whose figures did not change (they stay approved, now pointing
 * at the new version). `changed` lists the units whose figures moved.
 *
 * @since 0.1.0
 * @category approval
 */
export const afterScoring = (options: {
  readonly approvals: ReadonlyArray<UnitApproval>
  readonly schemeId: SchemeId
  readonly period: DataValue.PeriodId
  readonly units: ReadonlyArray<{ readonly unit: DataValue.NodeRef; readonly path: Actor.NodePath }>
  readonly changed: ReadonlySet<string>
  readonly version: number
  readonly actor: Actor.ActorId
  readonly at: number
}): ReadonlyArray<UnitApproval> => {
  const rows = new Map(
    options.approvals.filter((row) => row.schemeId === options.schemeId).map((row) => [row.unit as string, row])
  )
  return options.units.map(({ unit, path }) => {
    const row = rows.get(unit)
    const keep = row !== undefined && row.state === "approved" && !options.changed.has(unit)
    return new UnitApproval(
      {
        schemeId: options.schemeId,
        period: options.period,
        unit,
        path,
        resultVersion: options.version,
        state: keep ? "approved" : "pending",
        at: keep ? row.at : options.at,
        by: keep ? row.by : options.actor
      },
      { disableValidation: true }
    )
  })
}
