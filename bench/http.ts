// `pnpm bench http`: the HTTP server on loopback under load against the same calls made directly
// through the SDK in the same process, on one SQLite file (WAL, synchronous=FULL):
//   - balance reads: GET /ledger/accounts/:id/balance, against `Ledger.balance`;
//   - earn writes: POST /points/earnings (one claim each, with an Idempotency-Key), against
//     `Earnings.earn` with the same one-claim request.
// The load generator is a small keep-alive client with a fixed number of requests in flight (the
// role autocannon plays, with no dependency); the SDK side runs the same number of calls
// concurrently. Each figure reports requests per second and p50/p99 latency; ratio = HTTP rate / SDK
// rate (above 1 the server is faster, which it cannot be: it measures what HTTP costs).
import { mkdtempSync, rmSync } from "node:fs"
import { Agent, createServer, request } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Actor } from "@sortgrid/core"
import { Server } from "@sortgrid/http"
import { Account, Earning, Earnings, Ledger, Transfer } from "@sortgrid/ledger"
import { Sortgrid } from "@sortgrid/sdk"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { Result } from "./harness.js"

const inFlight = 16
const reads = 4_000
const writes = 2_000
const wallets = 1_000
const ledgerId = "bench"
const operator = new Actor.Actor({
  id: Actor.ActorId.make("bench-operator"),
  roles: [Actor.Role.make("district-admin")],
  scope: [Actor.root]
})
const token = "bench-token"

const programme = Earnings.Programme.make({
  ledger: Account.LedgerId.make(ledgerId),
  budgetAccountId: Account.AccountId.make("budget"),
  rules: [Earning.Rule.make({ code: Transfer.codes.correctSorting, amount: 2, caps: [] })]
})

const walletId = (i: number) => `w-${String(i % wallets).padStart(5, "0")}`
const claim = (id: string, i: number) => ({
  id,
  code: "correct-sorting",
  residentReference: `resident-${i % wallets}`,
  walletAccountId: walletId(i),
  at: "/",
  sourceReference: `checkin-${id}`,
  occurredAt: 1_700_000_000_000
})

/** Runs `count` calls, `inFlight` at a time; returns the rate and the latency percentiles. */
const load = async (count: number, call: (i: number) => Promise<void>) => {
  const latencies: Array<number> = new Array(count)
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++
        const at = performance.now()
        await call(i)
        latencies[i] = performance.now() - at
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  const sorted = latencies.sort((a, b) => a - b)
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { rate: count / seconds, p50: pick(0.5), p99: pick(0.99) }
}

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const dir = mkdtempSync(join(tmpdir(), "sortgrid-bench-http-"))
  const store = `sqlite:${join(dir, "http.db")}`
  // The server over the SDK's services, which stay in the context so the bench calls them directly too.
  const layer = Server.layerOver({ tokens: { [token]: operator } }).pipe(
    Layer.provideMerge(Sortgrid.layer({ store, earning: { programmes: new Map([[programme.ledger, programme]]) } })),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    Layer.orDie
  )
  const runtime = ManagedRuntime.make(layer)
  try {
    const port = await runtime.runPromise(
      Effect.map(HttpServer.HttpServer, (server) => (server.address as unknown as AddressInfo).port)
    )
    const ledger = await runtime.runPromise(Ledger.Ledger)
    const earnings = await runtime.runPromise(Earnings.Earnings)
    await runtime.runPromise(
      ledger.createAccounts(operator, [
        { id: "reserve", ledger: ledgerId, code: "reserve" },
        { id: "budget", ledger: ledgerId, code: "programme-budget" },
        ...Array.from({ length: wallets }, (_, i) => ({ id: walletId(i), ledger: ledgerId, code: "resident-wallet" }))
      ])
    )
    await runtime.runPromise(
      ledger.createTransfers(operator, [
        {
          id: "fund",
          debitAccountId: "reserve",
          creditAccountId: "budget",
          amount: 1_000_000_000,
          ledger: ledgerId,
          code: "fund-allocation"
        }
      ])
    )

    const agent = new Agent({ keepAlive: true, maxSockets: inFlight })
    const http = (method: "GET" | "POST", path: string, body?: unknown, key?: string) =>
      new Promise<void>((resolve, reject) => {
        const text = body === undefined ? undefined : JSON.stringify(body)
        const req = request(
          {
            host: "127.0.0.1",
            port,
            path,
            method,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              ...(text === undefined
                ? {}
                : { "content-type": "application/json", "content-length": Buffer.byteLength(text) }),
              ...(key === undefined ? {} : { "idempotency-key": key })
            }
          },
          (response) => {
            response.resume()
            response.on("end", () =>
              response.statusCode === 200 ? resolve() : reject(new Error(`${method} ${path}: ${response.statusCode}`))
            )
          }
        )
        req.on("error", reject)
        req.end(text)
      })

    const figures: Array<Result> = []
    const compare = async (
      name: string,
      count: number,
      viaHttp: (i: number) => Promise<void>,
      viaSdk: (i: number) => Promise<void>
    ) => {
      await load(Math.min(200, count), viaHttp) // warm-up: connections, prepared statements, JIT
      const sdk = await load(count, viaSdk)
      const overHttp = await load(count, viaHttp)
      console.log(
        `${name}: HTTP ${overHttp.rate.toFixed(0)} req/s (p50 ${overHttp.p50.toFixed(1)} ms, p99 ${overHttp.p99.toFixed(1)} ms); ` +
          `SDK ${sdk.rate.toFixed(0)} calls/s (p50 ${sdk.p50.toFixed(1)} ms, p99 ${sdk.p99.toFixed(1)} ms)`
      )
      figures.push(
        {
          name: `${name}: requests/s, HTTP vs SDK`,
          unit: "req/s",
          sdk: Math.round(overHttp.rate),
          baseline: Math.round(sdk.rate),
          ratio: Number((overHttp.rate / sdk.rate).toFixed(3))
        },
        {
          name: `${name}: p50 latency, HTTP vs SDK`,
          unit: "ms",
          sdk: Number(overHttp.p50.toFixed(2)),
          baseline: Number(sdk.p50.toFixed(2)),
          ratio: Number((sdk.p50 / overHttp.p50).toFixed(3))
        },
        {
          name: `${name}: p99 latency, HTTP vs SDK`,
          unit: "ms",
          sdk: Number(overHttp.p99.toFixed(2)),
          baseline: Number(sdk.p99.toFixed(2)),
          ratio: Number((sdk.p99 / overHttp.p99).toFixed(3))
        }
      )
    }

    await compare(
      `balance reads, ${inFlight} in flight`,
      reads,
      (i) => http("GET", `/ledger/accounts/${walletId(i)}/balance`),
      (i) => runtime.runPromise(Effect.asVoid(ledger.balance(operator, Account.AccountId.make(walletId(i)))))
    )
    // Every claim is new (a retry would be answered from the idempotency records, not the ledger).
    let sequence = 0
    await compare(
      `earn writes (one claim each), ${inFlight} in flight`,
      writes,
      (i) => {
        const id = `http-${sequence++}`
        return http("POST", "/ledger/points/earnings", { ledger: ledgerId, claims: [claim(id, i)] }, id)
      },
      (i) =>
        runtime.runPromise(
          Effect.asVoid(earnings.earn(operator, { ledger: ledgerId, claims: [claim(`sdk-${sequence++}`, i)] }))
        )
    )
    agent.destroy()
    return figures
  } finally {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
