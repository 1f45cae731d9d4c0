import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@sortgrid/sdk"
import { TempDirectory } from "@sortgrid/testkit"
import Database from "better-sqlite3"
import { Effect } from "effect"
import { json, sortgrid } from "./harness.js"

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }

describe("sortgrid verify reconciles the points ledger", () => {
  it.scopedLive("reports the ledger reconciled, then a balance edited behind the ledger's back as drift (exit 1)", () =>
    Effect.gen(function* () {
      const filename = join(yield* TempDirectory.make(), "verify.db")
      const store = `sqlite:${filename}`
      const client = yield* Effect.promise(() => Client.open({ store }))
      yield* Effect.promise(async () => {
        await client.ledger.createAccounts(admin, [
          { id: "reserve", ledger: "tongzhou", code: "reserve" },
          { id: "w-1", ledger: "tongzhou", code: "resident-wallet", ownerReference: "resident-1" }
        ])
        await client.ledger.createTransfers(admin, [
          {
            id: "t-1",
            debitAccountId: "reserve",
            creditAccountId: "w-1",
            amount: 30,
            ledger: "tongzhou",
            code: "adjustment"
          }
        ])
        await client.close()
      })
      const clean = yield* json("verify", "--store", store)
      expect(clean.ran.exitCode, clean.ran.stderr).toBe(0)
      expect(clean.value).toMatchObject({ _tag: "Intact", ledger: { accounts: 2, transfers: 1, drifts: [] } })

      const db = new Database(filename)
      db.prepare("UPDATE ledger_account SET credits_posted = credits_posted + 5 WHERE id = 'w-1'").run()
      db.close()
      const drifted = yield* sortgrid("verify", "--store", store)
      expect(drifted.exitCode).toBe(1)
      expect(drifted.stdout).toContain("ledger drifted: 1 accounts")
      expect(drifted.stderr).toMatch(/^Drifted: 1 accounts' balances differ from their transfers: w-1/)
    })
  )
})
