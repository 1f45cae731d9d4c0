import { describe, expect, it } from "@effect/vitest"
import { AuditLog, Permission } from "@sortgrid/core"
import { AuditLogSuite, PostgresSchema } from "@sortgrid/testkit"
import { Effect, Layer } from "effect"
import { PostgresStore } from "../src/index.js"

describe("PostgresStore under stress", () => {
  it.scoped(
    "three pools of ten connections, 48 writers at once, lose nothing",
    () =>
      Effect.gen(function* () {
        const schema = yield* PostgresSchema.make
        const service = AuditLog.AuditLog.Default.pipe(
          Layer.provide(PostgresStore.layer({ url: PostgresSchema.testUrl, schema, maxConnections: 10 })),
          Layer.provide(Permission.layer({ auditor: ["*"] }))
        )
        // Three independent layers stand for three app servers sharing one database.
        const server = (name: string) =>
          Effect.flatMap(AuditLog.AuditLog, (log) =>
            Effect.forEach(
              Array.from({ length: 16 }, (_, writer) => writer),
              (writer) =>
                Effect.forEach(
                  Array.from({ length: 40 }, (_, i) => AuditLogSuite.draft(`${name}-${writer}-${i}`)),
                  (draft, i) => log.append(i % 5 === 0 ? [draft, AuditLogSuite.draft(`${draft.id}-b`)] : [draft]),
                  { discard: true }
                ),
              { concurrency: "unbounded", discard: true }
            )
          ).pipe(Effect.provide(service))
        yield* Effect.all([server("a"), server("b"), server("c")], { concurrency: "unbounded" })
        const result = yield* Effect.flatMap(AuditLog.AuditLog, (log) => log.verify(AuditLogSuite.auditor)).pipe(
          Effect.provide(service)
        )
        expect(result).toMatchObject({ _tag: "Intact", entries: 3 * 16 * 48 })
      }),
    600_000
  )
})
