import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog } from "@sortgrid/core"
import { PostgresSchema, TempDirectory } from "@sortgrid/testkit"
import { Effect, Redacted } from "effect"
import { Client } from "../src/index.js"

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }
const auditor = { id: "auditor-1", roles: ["auditor"], scope: ["/"] }
const entry = (id: string) => ({
  id,
  actor: admin.id,
  action: "district.opened",
  subject: "node:110112",
  payload: { name: "通州区" }
})

/** Runs a Promise-based scenario against a client, closing it afterwards. */
const withClient = <A>(store: string, f: (client: Client.SortgridClient) => Promise<A>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => Client.open({ store })),
    (client) => Effect.promise(() => f(client)),
    (client) => Effect.promise(() => client.close())
  )

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (error: unknown) => error as Error & { readonly _tag: string }
  )

const roundTrip = (client: Client.SortgridClient) =>
  (async () => {
    const [first] = await client.audit.record(admin, [entry("e1"), entry("e2")])
    const again = await client.audit.record(admin, [entry("e1")])
    const verification = await client.audit.verify(auditor)
    const page = await client.audit.read(auditor, { limit: 1 })
    return { first, again, verification, page }
  })()

describe("Client (Promise facade)", () => {
  it.scoped("records, replays and verifies on SQLite, memory and PostgreSQL alike", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      const schema = yield* PostgresSchema.make
      for (const store of [
        `sqlite:${join(dir, "sortgrid.db")}`,
        "memory:",
        `${Redacted.value(PostgresSchema.testUrl)}?schema=${schema}`
      ]) {
        const { first, again, verification, page } = yield* withClient(store, roundTrip)
        expect(first?.position, store).toBe(1)
        expect(again[0]).toEqual(first)
        expect(verification).toMatchObject({ _tag: "Intact", entries: 2, head: { position: 2 } })
        expect(page.map((e) => e.id)).toEqual(["e1"])
      }
    })
  )

  it.scoped("keeps the chain in the SQLite file across opens", () =>
    Effect.gen(function* () {
      const store = `sqlite:${join(yield* TempDirectory.make(), "kept.db")}`
      yield* withClient(store, (client) => client.audit.record(admin, [entry("k1")]))
      const verification = yield* withClient(store, async (client) => {
        await client.audit.record(admin, [entry("k2")])
        return client.audit.verify(auditor)
      })
      expect(verification).toMatchObject({ _tag: "Intact", entries: 2 })
    })
  )

  it.effect("rejects a bad store URL with Invalid naming the field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.promise(() => rejection(Client.open({ store: "mysql://localhost/db" })))
      expect(error._tag).toBe("Invalid")
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toMatch(/^store: unknown scheme "mysql:"/)
    })
  )

  it.effect("rejects an unreachable PostgreSQL with StoreUnavailable, not a stack trace", () =>
    Effect.gen(function* () {
      const error = yield* Effect.promise(() =>
        rejection(Client.open({ store: "postgres://postgres:pw@127.0.0.1:1/test" }))
      )
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toBe(
        "cannot open store postgres://postgres:***@127.0.0.1:1/test: connect ECONNREFUSED 127.0.0.1:1"
      )
    })
  )

  it.effect("rejects an unwritable path with StoreUnavailable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.promise(() => rejection(Client.open({ store: "sqlite:/proc/sortgrid.db" })))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toBe("cannot open store sqlite:/proc/sortgrid.db: unable to open database file")
    })
  )

  it.scoped("applies the permission check and input decoding of the service", () =>
    withClient("memory:", async (client) => {
      const forbidden = await rejection(client.audit.record(auditor, [entry("x")]))
      expect(forbidden._tag).toBe("Forbidden")
      expect(forbidden.message).toBe("auditor-1 may not audit.append: none of the roles [auditor] grants it")

      const invalid = await rejection(client.audit.record(admin, [{ ...entry("y"), action: "Bad Action", extra: 1 }]))
      expect(invalid._tag).toBe("Invalid")
      expect(invalid.message).toContain("entries[0].action: must be dotted words such as issue.rectified")
      expect(invalid.message).toContain("entries[0].extra")

      const badActor = await rejection(client.audit.verify({ id: "", roles: [], scope: ["no-slash"] }))
      expect(badActor.message).toMatch(/^actor\.id: .*; actor\.scope\[0\]: must be node ids/)

      const impersonation = await rejection(client.audit.record(admin, [entry("w"), { ...entry("v"), actor: "other" }]))
      expect(impersonation.message).toBe(
        "entries[1].actor: must be the acting actor, admin-1: nobody records in another's name"
      )

      await client.audit.record(admin, [entry("z")])
      const conflict = await rejection(client.audit.record(admin, [{ ...entry("z"), subject: "node:other" }]))
      expect(conflict._tag).toBe("Conflict")
      expect((await client.audit.read(auditor)).map((e) => e.id)).toEqual(["z"])
    })
  )

  it.scoped("lets Promise users drop down to Effect with run", () =>
    withClient("memory:", async (client) => {
      const head = await client.run(Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(Actor.system("host-job"))))
      expect(head._tag).toBe("Intact")
    })
  )
})
