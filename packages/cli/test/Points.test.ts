import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@sortgrid/sdk"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect } from "effect"
import { json, sortgrid } from "./harness.js"

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }
const at = "/110112/110112001/"

/** 2 points for correct sorting, at most 4 a day per resident. */
const programme = {
  ledger: "tongzhou",
  budgetAccountId: "budget",
  rules: [{ code: "correct-sorting", amount: 2, caps: [{ per: "resident", period: "Day", pointsMax: 4 }] }]
}

/**
 * A temp SQLite store with the programme's accounts (the budget funded with 1,000 points, two
 * wallets, w-rich holding 100), a merchant with soap at 10 points (3 in stock), and the programme file.
 */
const seeded = Effect.gen(function* () {
  const dir = yield* TempDirectory.make()
  const store = `sqlite:${join(dir, "points.db")}`
  const programmeFile = join(dir, "programme.json")
  writeFileSync(programmeFile, JSON.stringify(programme))
  const client = yield* Effect.promise(() => Client.open({ store }))
  yield* Effect.promise(async () => {
    const ledger = "tongzhou"
    await client.ledger.createAccounts(admin, [
      { id: "reserve", ledger, code: "reserve" },
      { id: "budget", ledger, code: "programme-budget" },
      { id: "shop-account", ledger, code: "merchant", ownerReference: "shop" },
      { id: "w-1", ledger, code: "resident-wallet", ownerReference: "resident-1" },
      { id: "w-rich", ledger, code: "resident-wallet", ownerReference: "resident-2" }
    ])
    await client.ledger.createTransfers(admin, [
      {
        id: "fund",
        debitAccountId: "reserve",
        creditAccountId: "budget",
        amount: 1_000,
        ledger,
        code: "fund-allocation"
      },
      { id: "gift", debitAccountId: "budget", creditAccountId: "w-rich", amount: 100, ledger, code: "adjustment" }
    ])
    await client.points.defineMerchants(admin, [
      { id: "shop", ledger, accountId: "shop-account", kind: "merchant", name: { zh: "便民超市", en: "Corner shop" } }
    ])
    await client.points.defineItems(admin, [
      { merchantId: "shop", code: "soap", name: { zh: "肥皂", en: "Soap" }, pointCost: 10, stock: 3 }
    ])
    await client.close()
  })
  return { dir, store, programmeFile }
})

const claim = (id: string) => ({
  id,
  code: "correct-sorting",
  residentReference: "resident-1",
  walletAccountId: "w-1",
  at,
  sourceReference: `check-in-${id}`,
  occurredAt: Date.now()
})

describe("sortgrid points", () => {
  it.scopedLive("earns from flags and from a file, under the programme's cap", () =>
    Effect.gen(function* () {
      const { dir, programmeFile, store } = yield* seeded
      const flags = yield* sortgrid(
        "points",
        "earn",
        "--store",
        store,
        "--programme",
        programmeFile,
        "--id",
        "c-1",
        "--code",
        "correct-sorting",
        "--resident",
        "resident-1",
        "--wallet",
        "w-1",
        "--at",
        at,
        "--source",
        "check-in-1"
      )
      expect(flags.exitCode, flags.stderr).toBe(0)
      expect(flags.stdout).toBe("c-1: granted 2 points")

      const claims = join(dir, "claims.json")
      writeFileSync(claims, JSON.stringify({ ledger: "tongzhou", claims: [claim("c-2"), claim("c-3")] }))
      const file = yield* json("points", "earn", "--store", store, "--programme", programmeFile, "--file", claims)
      expect(file.ran.exitCode, file.ran.stderr).toBe(0)
      expect(file.value).toMatchObject([
        { claimId: "c-2", decision: { _tag: "Granted", amount: 2 }, outcome: { result: "Ok" } },
        { claimId: "c-3", decision: { _tag: "CapReached" }, outcome: null }
      ])

      // A retried claim is answered as first granted and earns nothing more.
      const again = yield* sortgrid("points", "earn", "--store", store, "--programme", programmeFile, "--file", claims)
      expect(again.stdout).toBe("c-2: granted 2 points (already granted)\nc-3: refused: CapReached")

      const balance = yield* json("points", "balance", "w-1", "--store", store)
      expect(balance.value).toMatchObject({ accountId: "w-1", available: 4, creditsPosted: 4 })
      const before = yield* json("points", "balance", "w-1", "--store", store, "--as-of", "0")
      expect(before.value).toMatchObject({ accountId: "w-1", at: 0, available: 0 })
      const human = yield* sortgrid("points", "balance", "w-1", "--store", store)
      expect(human.stdout).toMatch(/^w-1 at \S+: 4 available\n {2}credits posted 4, pending 0\n {2}debits posted 0/)
    })
  )

  it.scopedLive("pages the statement with --cursor and --limit, in Chinese or English", () =>
    Effect.gen(function* () {
      const { dir, programmeFile, store } = yield* seeded
      const claims = join(dir, "claims.json")
      writeFileSync(claims, JSON.stringify({ ledger: "tongzhou", claims: [claim("c-1"), claim("c-2")] }))
      expect(
        (yield* sortgrid("points", "earn", "--store", store, "--programme", programmeFile, "--file", claims)).exitCode
      ).toBe(0)

      const first = yield* json("points", "statement", "w-1", "--store", store, "--limit", "1", "--lang", "en")
      const page = first.value as { lines: ReadonlyArray<{ reason: string; side: string }>; next: string | null }
      expect(page.lines).toHaveLength(1)
      expect(page.lines[0]).toMatchObject({ reason: "Correct sorting", side: "credit", kind: "posted" })
      expect(page.next).not.toBeNull()

      const second = yield* sortgrid("points", "statement", "w-1", "--store", store, "--cursor", page.next!)
      expect(second.exitCode, second.stderr).toBe(0)
      const lines = second.stdout.split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/\+2 {2}正确分类投放 {2}posted {2}c-2$/)

      const all = yield* sortgrid("points", "statement", "w-1", "--store", store, "--lang", "en", "--limit", "1")
      expect(all.stdout).toContain(`next: --cursor ${page.next}`)
    })
  )

  it.scopedLive("holds a basket and hands it over; a refusal is an outcome", () =>
    Effect.gen(function* () {
      const { store } = yield* seeded
      const hold = yield* json(
        "points",
        "redeem",
        "hold",
        "--store",
        store,
        "--id",
        "r-1",
        "--merchant",
        "shop",
        "--wallet",
        "w-rich",
        "--line",
        "soap:2"
      )
      expect(hold.ran.exitCode, hold.ran.stderr).toBe(0)
      expect(hold.value).toMatchObject({ redemptionId: "r-1", result: "Ok" })
      const held = yield* json("points", "balance", "w-rich", "--store", store)
      expect(held.value).toMatchObject({ available: 80, debitsPending: 20 })

      const handed = yield* sortgrid("points", "redeem", "hand-over", "--store", store, "--redemption", "r-1")
      expect(handed.exitCode, handed.stderr).toBe(0)
      expect(handed.stdout).toMatch(/^r-1: Ok/)
      const after = yield* json("points", "balance", "w-rich", "--store", store)
      expect(after.value).toMatchObject({ available: 80, debitsPosted: 20, debitsPending: 0 })

      // Only one soap is left on the shelf.
      const refused = yield* json(
        "points",
        "redeem",
        "hold",
        "--store",
        store,
        "--id",
        "r-2",
        "--merchant",
        "shop",
        "--wallet",
        "w-rich",
        "--line",
        "soap:2"
      )
      expect(refused.ran.exitCode).toBe(0)
      expect(refused.value).toMatchObject({ redemptionId: "r-2", itemCode: "soap" })
      expect((refused.value as { result: string }).result).not.toBe("Ok")
    })
  )

  it.scopedLive("rejects bad input with the field, the reason and a non-zero exit code", () =>
    Effect.gen(function* () {
      const { dir, programmeFile, store } = yield* seeded
      const limit = yield* sortgrid("points", "statement", "w-1", "--store", store, "--limit", "0")
      expect(limit.exitCode).toBe(2)
      expect(limit.stderr).toBe("Invalid: limit: must be an integer from 1 to 10000")

      const asOf = yield* json("points", "balance", "w-1", "--store", store, "--as-of", "yesterday")
      expect(asOf.ran.exitCode).toBe(2)
      expect(JSON.parse(asOf.ran.stderr)).toMatchObject({ error: { _tag: "Invalid", issues: [{ path: ["as-of"] }] } })

      const line = yield* sortgrid(
        "points",
        "redeem",
        "hold",
        "--store",
        store,
        "--id",
        "r-1",
        "--merchant",
        "shop",
        "--wallet",
        "w-1",
        "--line",
        "soap"
      )
      expect(line.exitCode).toBe(2)
      expect(line.stderr).toMatch(/^Invalid: line\[0\]: "soap" must be ITEM:QUANTITY/)

      const missing = yield* sortgrid("points", "earn", "--store", store, "--programme", programmeFile, "--id", "c-1")
      expect(missing.exitCode).toBe(2)
      expect(missing.stderr).toBe(
        "Usage: a claim given as flags needs --code, --resident, --wallet, --at, --source too"
      )

      const badProgramme = join(dir, "bad-programme.json")
      writeFileSync(badProgramme, JSON.stringify({ ...programme, budgetAccountId: "" }))
      const invalid = yield* json("points", "earn", "--store", store, "--programme", badProgramme, "--id", "c-1")
      expect(invalid.ran.exitCode).toBe(2)
      expect(invalid.ran.stderr).toContain('"programme"')

      const unreadable = yield* sortgrid(
        "points",
        "earn",
        "--store",
        store,
        "--programme",
        programmeFile,
        "--file",
        join(dir, "claims.json")
      )
      expect(unreadable.exitCode).toBe(2)
      expect(unreadable.stderr).toMatch(/^Invalid: file: /)

      writeFileSync(join(dir, "other.json"), JSON.stringify({ ledger: "elsewhere", claims: [claim("c-9")] }))
      const noProgramme = yield* sortgrid(
        "points",
        "earn",
        "--store",
        store,
        "--programme",
        programmeFile,
        "--file",
        join(dir, "other.json")
      )
      expect(noProgramme.exitCode).toBe(4)
      expect(noProgramme.stderr).toContain("NotFound")

      const account = yield* sortgrid("points", "balance", "nobody", "--store", store)
      expect(account.exitCode).toBe(4)

      const group = yield* sortgrid("points")
      expect(group.exitCode).toBe(2)
      expect(group.stderr).toContain("choose earn, redeem, balance or statement")
    })
  )
})
