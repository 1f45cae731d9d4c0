import { describe, expect, it } from "@effect/vitest"
import { Actor } from "@sortgrid/core"
import { Either } from "effect"
import fc from "fast-check"
import * as Account from "../src/Account.js"
import * as CertifiedTask from "../src/CertifiedTask.js"
import * as Lock from "../src/Lock.js"
import * as Transfer from "../src/Transfer.js"
import { account, type Book, book, input, ledger, post, results } from "./Book.js"

const t0 = Date.UTC(2023, 5, 1, 2)
const actor = (id: string) => Actor.Actor.make({ id: Actor.ActorId.make(id), roles: [], scope: [Actor.root] })
const school = actor("school-7")
const parent = actor("parent-1")
const company = actor("property-co")

const command = CertifiedTask.Assign.make({
  id: CertifiedTask.TaskId.make("task-1"),
  ledger,
  points: 20,
  budgetAccountId: Account.AccountId.make("budget"),
  walletAccountId: Account.AccountId.make("h1"),
  assigneeReference: "student-1"
})

const ok = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) expect.fail(`refused: ${String(either.left)}`)
  return (either as Either.Right<E, A>).right
}
const tagOf = <A>(either: Either.Either<A, CertifiedTask.Refusal>) => (Either.isLeft(either) ? either.left._tag : "ok")

const funded = (): Book => {
  const current = book([
    account("reserve", "reserve"),
    account("budget", "programme-budget"),
    account("h1", "household-wallet")
  ])
  post(current, [input({ id: "fund", debit: "reserve", credit: "budget", amount: 1_000, code: "fund-allocation" })], t0)
  return current
}

describe("CertifiedTask", () => {
  it("runs the home-school loop and credits once, on certification", () => {
    const assigned = ok(CertifiedTask.assign(command, { actor: school, at: t0, existing: undefined })).task
    expect(assigned).toMatchObject({ status: "assigned", version: 1, code: "school-task", assignedBy: "school-7" })
    const done = ok(CertifiedTask.complete(assigned, parent, t0 + 1)).task
    expect(done).toMatchObject({ status: "done", doneBy: "parent-1", version: 2 })
    const certified = ok(CertifiedTask.certify(done, company, t0 + 2))
    expect(certified.task).toMatchObject({ status: "certified", certifiedBy: "property-co", version: 3 })
    expect(certified.transfer).toMatchObject({
      id: "task.task-1",
      debitAccountId: "budget",
      creditAccountId: "h1",
      amount: 20,
      code: "school-task",
      sourceReference: "task:task-1"
    })
    const current = funded()
    const posted = post(current, [certified.transfer!], t0 + 2)
    const credited = ok(CertifiedTask.recordCredit(certified.task, posted.outcomes[0]!, t0 + 3))
    expect(credited.task).toMatchObject({ status: "credited", creditedAt: t0 + 3, version: 4 })
    // Certifying again gives the same transfer, which posting answers Exists: credited once.
    const again = ok(CertifiedTask.certify(credited.task, company, t0 + 4))
    expect(again.replayed).toBe(true)
    expect(results(post(current, [again.transfer!], t0 + 4))).toEqual(["Exists"])
    expect(current.accounts.get("h1")!.creditsPosted).toBe(20)
  })

  it("is certified only by someone other than who did it", () => {
    const assigned = ok(CertifiedTask.assign(command, { actor: school, at: t0, existing: undefined })).task
    const done = ok(CertifiedTask.complete(assigned, parent, t0)).task
    expect(tagOf(CertifiedTask.certify(done, parent, t0))).toBe("Forbidden")
    expect(tagOf(CertifiedTask.reject(done, parent, { at: t0, reason: "no" }))).toBe("Forbidden")
    const rejected = ok(CertifiedTask.reject(done, company, { at: t0, reason: "bins mixed" })).task
    expect(rejected).toMatchObject({ status: "assigned", doneBy: null, rejections: 1, rejectionReason: "bins mixed" })
    // The school may certify: it did not do the task.
    const redone = ok(CertifiedTask.complete(rejected, parent, t0)).task
    expect(ok(CertifiedTask.certify(redone, school, t0)).transfer).not.toBeNull()
  })

  it("refuses steps out of order, replays retries, and conflicts on a reused id", () => {
    const assigned = ok(CertifiedTask.assign(command, { actor: school, at: t0, existing: undefined })).task
    expect(ok(CertifiedTask.assign(command, { actor: school, at: t0 + 9, existing: assigned })).replayed).toBe(true)
    const changed = CertifiedTask.Assign.make({ ...command, points: 30 })
    expect(tagOf(CertifiedTask.assign(changed, { actor: school, at: t0, existing: assigned }))).toBe("Conflict")
    expect(tagOf(CertifiedTask.certify(assigned, company, t0))).toBe("Invalid")
    const done = ok(CertifiedTask.complete(assigned, parent, t0)).task
    expect(ok(CertifiedTask.complete(done, parent, t0 + 5)).replayed).toBe(true)
    expect(tagOf(CertifiedTask.complete(done, actor("someone"), t0))).toBe("Invalid")
    const certified = ok(CertifiedTask.certify(done, company, t0)).task
    expect(tagOf(CertifiedTask.cancel(certified, t0))).toBe("Invalid")
    const refused = { id: CertifiedTask.creditId(certified.id), result: "ExceedsCredits" as const, transfer: null }
    const stays = ok(CertifiedTask.recordCredit(certified, refused, t0))
    expect(stays.task.status).toBe("certified")
    const other = { id: Transfer.TransferId.make("other"), result: "Ok" as const, transfer: null }
    expect(tagOf(CertifiedTask.recordCredit(certified, other, t0))).toBe("Invalid")
    const cancelled = ok(CertifiedTask.cancel(done, t0)).task
    expect(ok(CertifiedTask.cancel(cancelled, t0)).replayed).toBe(true)
    expect(tagOf(CertifiedTask.complete(cancelled, parent, t0))).toBe("Invalid")
  })

  it("credits under the lock policy as a hold", () => {
    const lock = Lock.Policy.make({ lockDays: 7 })
    const assigned = ok(CertifiedTask.assign(command, { actor: school, at: t0, existing: undefined })).task
    const done = ok(CertifiedTask.complete(assigned, parent, t0)).task
    expect(ok(CertifiedTask.certify(done, company, t0, lock)).transfer!.flags.pending).toBe(true)
  })

  it("whatever the steps and actors, credits at most once, only after certification by another actor", () => {
    const step = fc.record({
      kind: fc.constantFrom("complete", "certify", "reject", "cancel", "post"),
      by: fc.constantFrom(school, parent, company)
    })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const current = funded()
        let task = ok(CertifiedTask.assign(command, { actor: school, at: t0, existing: undefined })).task
        const asked = new Set<string>()
        let version = task.version
        for (const [i, s] of steps.entries()) {
          const at = t0 + i
          const decided =
            s.kind === "complete"
              ? CertifiedTask.complete(task, s.by, at)
              : s.kind === "certify"
                ? CertifiedTask.certify(task, s.by, at)
                : s.kind === "reject"
                  ? CertifiedTask.reject(task, s.by, { at, reason: "again" })
                  : s.kind === "cancel"
                    ? CertifiedTask.cancel(task, at)
                    : Either.right({ task, transfer: null, replayed: true })
          if (Either.isLeft(decided)) continue
          const { transfer } = decided.right
          if (transfer !== null) {
            expect(decided.right.task.certifiedBy).not.toBe(decided.right.task.doneBy)
            asked.add(transfer.id)
            const posted = post(current, [transfer], at)
            task = ok(CertifiedTask.recordCredit(decided.right.task, posted.outcomes[0]!, at)).task
          } else {
            task = decided.right.task
          }
          // Versions only grow, by one per change.
          expect(task.version === version || task.version === version + 1 || task.version === version + 2).toBe(true)
          version = task.version
        }
        expect(asked.size).toBeLessThanOrEqual(1)
        const credited = current.accounts.get("h1")!.creditsPosted
        expect(credited).toBe(task.status === "credited" ? 20 : 0)
        expect(credited === 0 || task.certifiedBy !== task.doneBy).toBe(true)
      }),
      { numRuns: 300 }
    )
  })
})
