import { describe, expect, it } from "@effect/vitest"
import { Conformance, PostgresSchema } from "@sortgrid/testkit"
import { Effect, Layer, Redacted } from "effect"
import { PostgresStore } from "../src/index.js"

const { testUrl } = PostgresSchema
const testSchema = PostgresSchema.make

const freshStore = Layer.unwrapScoped(Effect.map(testSchema, (schema) => PostgresStore.layer({ url: testUrl, schema })))

Conformance.sql("postgres", freshStore)

describe("PostgresStore", () => {
  it.scoped("an unreachable server fails with a typed error that hides the password", () =>
    Effect.gen(function* () {
      const url = Redacted.make("postgres://sortgrid:s3cret@127.0.0.1:1/test")
      const error = yield* Effect.flip(Layer.build(PostgresStore.layer({ url })))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toBe(
        "cannot open store postgres://sortgrid:***@127.0.0.1:1/test: connect ECONNREFUSED 127.0.0.1:1"
      )
      expect(error.message).not.toContain("s3cret")
    })
  )

  it.scoped("a missing database fails with a typed error naming it", () =>
    Effect.gen(function* () {
      const url = Redacted.make("postgres://postgres@127.0.0.1:5432/sortgrid_no_such_database")
      const error = yield* Effect.flip(Layer.build(PostgresStore.layer({ url })))
      expect(error._tag).toBe("StoreUnavailable")
      expect(error.message).toContain('database "sortgrid_no_such_database" does not exist')
    })
  )

  it.scoped("a bad schema name is Invalid, naming the field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(PostgresStore.layer({ url: testUrl, schema: "x; DROP TABLE y" })))
      expect(error._tag).toBe("Invalid")
      expect(error.message).toMatch(/^schema: must be/)
    })
  )

  it.scoped("two stores starting at once on one schema migrate it once", () =>
    Effect.gen(function* () {
      const schema = yield* testSchema
      const start = Layer.build(PostgresStore.layer({ url: testUrl, schema }))
      yield* Effect.all([start, start, start], { concurrency: "unbounded" })
    })
  )
})
