/**
 * Paying a fund split out through the points ledger: a {@link Assessments.Payout} (a split over a
 * stored result version) as the transfers a host posts — one per unit with a part, from the fund's
 * account to the unit's, in integer fen. Pure: the host resolves each unit's account, posts the
 * transfers (`ledger.createTransfers`) and owns the accounts; this module depends on no ledger.
 *
 * **Idempotent.** A transfer's id is built from the scheme, the period, the result version and the
 * unit (`payout:urban-2023:2023-Q1:v1:t01`), so posting the same payout again replays rather than
 * pays twice, and paying out a new result version (an appeal) makes new transfers. An id that would
 * pass the 128-character limit of an id is shortened to its digest, still deterministic.
 *
 * **Exact.** The amounts are the parts' fen, so they add up to the fund less what was withheld;
 * parts of 0 fen make no transfer (the ledger moves positive amounts only).
 *
 * @since 0.1.0
 */
import { Errors, Id, Json } from "@sortgrid/core"
import { Array as Arr, Either, Schema } from "effect"
import type * as Assessments from "./Assessments.js"

/**
 * A ledger transfer request for one unit's part: the fields `ledger.createTransfers` takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface PayoutTransfer {
  readonly id: string
  readonly debitAccountId: string
  readonly creditAccountId: string
  readonly amount: number
  readonly ledger: string
  readonly code: string
  /** The result version paid out: `assessment:<scheme>:<period>:v<version>`. */
  readonly sourceReference: string
}

/**
 * Where the money comes from and goes to: the ledger, the fund's account, each unit's account
 * (`undefined`: the unit has none), and the transfer code (`fund-allocation` unless given).
 *
 * @since 0.1.0
 * @category models
 */
export interface Accounts {
  readonly ledger: string
  readonly fundAccountId: string
  readonly accountOf: (unit: string) => string | undefined
  readonly code?: string | undefined
}

const isId = Schema.is(Id.IdString)
const code = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/

/** A valid id from its parts: as written when it fits, else its digest. */
const idOf = (parts: ReadonlyArray<string>): string => {
  const text = ["payout", ...parts].join(":")
  return isId(text) ? text : `payout:${Json.digest(parts).slice(0, 64)}`
}

/**
 * The transfers that pay a payout out, in the split's unit order. Fails with `Invalid` listing
 * every problem: a unit with a part but no account (or an account id that is not an id), a bad
 * ledger or fund account id, a bad code.
 *
 * @since 0.1.0
 * @category payout
 */
export const transfers = (
  payout: Assessments.Payout,
  accounts: Accounts
): Either.Either<ReadonlyArray<PayoutTransfer>, Errors.Invalid> => {
  const issues: Array<Errors.Issue> = []
  const transferCode = accounts.code ?? "fund-allocation"
  if (!isId(accounts.ledger)) issues.push(new Errors.Issue({ path: ["ledger"], reason: "is not an id" }))
  if (!isId(accounts.fundAccountId)) {
    issues.push(new Errors.Issue({ path: ["fundAccountId"], reason: "is not an id" }))
  }
  if (!code.test(transferCode) || transferCode.length > 64) {
    issues.push(new Errors.Issue({ path: ["code"], reason: "must be lower-case words joined by '-'" }))
  }
  const version = `v${payout.resultVersion}`
  const sourceReference = ["assessment", payout.schemeId, payout.period, version].join(":")
  const out: Array<PayoutTransfer> = []
  payout.split.parts.forEach((part, index) => {
    if (part.fen <= 0) return
    const account = accounts.accountOf(part.unit)
    if (account === undefined || !isId(account)) {
      issues.push(
        new Errors.Issue({
          path: ["split", "parts", index, "unit"],
          reason: account === undefined ? `${part.unit} has no account` : `${part.unit}'s account is not an id`
        })
      )
      return
    }
    out.push({
      id: idOf([payout.schemeId, payout.period, version, part.unit]),
      debitAccountId: accounts.fundAccountId,
      creditAccountId: account,
      amount: part.fen,
      ledger: accounts.ledger,
      code: transferCode,
      sourceReference
    })
  })
  return Arr.isNonEmptyReadonlyArray(issues) ? Either.left(new Errors.Invalid({ issues })) : Either.right(out)
}
