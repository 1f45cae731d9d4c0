import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { TempDirectory } from "@sortgrid/testkit"
import { Effect } from "effect"
import { Client } from "../src/index.js"

const operator = { id: "operator", roles: ["programme-operator"], scope: ["/"] }
const cashier = { id: "cashier", roles: ["merchant-cashier"], scope: ["/"] }
const ledger = "tongzhou"

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (error: unknown) => error as Error & { readonly _tag: string }
  )

/** A shop with soap (5 points, 3 on the shelf) and five wallets of 20 points each. */
const open = async (client: Client.SortgridClient) => {
  await client.ledger.createAccounts(operator, [
    { id: "reserve", ledger, code: "reserve" },
    { id: "m1", ledger, code: "merchant" },
    ...[0, 1, 2, 3, 4].map((i) => ({ id: `w${i}`, ledger, code: "resident-wallet" }))
  ])
  await client.ledger.createTransfers(
    operator,
    [0, 1, 2, 3, 4].map((i) => ({
      id: `fund-w${i}`,
      debitAccountId: "reserve",
      creditAccountId: `w${i}`,
      amount: 20,
      ledger,
      code: "adjustment"
    }))
  )
  await client.points.defineMerchants(operator, [
    { id: "shop", ledger, accountId: "m1", kind: "merchant", name: { zh: "小卖部", en: "Corner shop" } }
  ])
  await client.points.defineItems(operator, [
    { merchantId: "shop", code: "soap", name: { zh: "肥皂", en: "Soap" }, pointCost: 5, stock: 3 }
  ])
}

const basket = (id: string, wallet: string, quantity = 1) => ({
  id,
  merchantId: "shop",
  walletAccountId: wallet,
  lines: [{ itemCode: "soap", quantity }]
})

describe("Client (Promise facade): redemptions in batches", () => {
  it.scoped("holds, hands over and cancels baskets in one call each, as the same steps one at a time would", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      const client = yield* Effect.acquireRelease(
        Effect.promise(() => Client.open({ store: `sqlite:${join(dir, "sortgrid.db")}` })),
        (opened) => Effect.promise(() => opened.close())
      )
      yield* Effect.promise(async () => {
        await open(client)
        const held = await client.points.redeemMany(cashier, [
          basket("b1", "w0", 2),
          basket("b2", "w1", 2), // two of three units are reserved by b1
          basket("b3", "w2"),
          basket("b4", "w3") // the last unit went to b3
        ])
        expect(held.map((r) => [r.redemptionId, r.result])).toEqual([
          ["b1", "Ok"],
          ["b2", "ExceedsStock"],
          ["b3", "Ok"],
          ["b4", "ExceedsStock"]
        ])
        const handed = await client.points.handOverMany(cashier, [{ redemptionId: "b1" }, { redemptionId: "b9" }])
        expect(handed.map((r) => r.result)).toEqual(["Ok", "RedemptionNotFound"])
        const cancelled = await client.points.cancelMany(cashier, ["b3", "b1"])
        expect(cancelled.map((r) => r.result)).toEqual(["Ok", "RedemptionAlreadyHandedOver"])
        // The cancelled unit is back on offer; the two handed over left the shelf.
        const catalogue = await client.points.catalogue(operator, "shop")
        expect(catalogue.items.map((item) => [item.code, item.stock])).toEqual([["soap", 1]])
        expect((await client.points.redeemMany(cashier, [basket("b4", "w3")]))[0]?.result).toBe("Ok")
        expect(await client.ledger.balance(operator, "w0")).toMatchObject({ debitsPosted: 10, available: 10 })
        expect(await client.ledger.balance(operator, "m1")).toMatchObject({ creditsPosted: 10, creditsPending: 5 })
        // A retry answers Exists and changes nothing.
        expect((await client.points.handOverMany(cashier, [{ redemptionId: "b1" }])).map((r) => r.result)).toEqual([
          "Exists"
        ])
        expect(await client.ledger.balance(operator, "m1")).toMatchObject({ creditsPosted: 10, creditsPending: 5 })
      })
    })
  )

  it.scoped("refuses a batch with bad input whole, naming the item and field, and checks the permission", () =>
    Effect.gen(function* () {
      const client = yield* Effect.acquireRelease(
        Effect.promise(() => Client.open({ store: "memory:" })),
        (opened) => Effect.promise(() => opened.close())
      )
      yield* Effect.promise(async () => {
        await open(client)
        const invalid = await rejection(
          client.points.redeemMany(cashier, [basket("b1", "w0"), { ...basket("b2", "w1"), walletAccountId: "" }])
        )
        expect(invalid._tag).toBe("Invalid")
        expect(invalid.message).toMatch(/^\[1\]\.walletAccountId: /)
        // Nothing of the batch was written: b1 holds nothing.
        expect((await client.points.cancelMany(cashier, ["b1"]))[0]?.result).toBe("RedemptionNotFound")
        const teacher = { id: "teacher", roles: ["school-teacher"], scope: ["/"] }
        const forbidden = await rejection(client.points.redeemMany(teacher, [basket("b1", "w0")]))
        expect(forbidden._tag).toBe("Forbidden")
        expect(await client.points.handOverMany(cashier, [])).toEqual([])
      })
    })
  )
})
