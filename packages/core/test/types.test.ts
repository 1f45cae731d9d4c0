import { describe, expectTypeOf, it } from "@effect/vitest"
import { type Effect, Either } from "effect"
import { Audit, type AuditStore, type Errors, Id, type Transactor } from "../src/index.js"

const WidgetId = Id.brand("WidgetId")
type WidgetId = typeof WidgetId.Type

describe("public generic signatures", () => {
  it("Id.make returns the brand of the schema it is given", () => {
    expectTypeOf(Id.make(WidgetId)).toEqualTypeOf<Effect.Effect<WidgetId>>()
    expectTypeOf(Id.make(Audit.AuditEntryId)).toEqualTypeOf<Effect.Effect<Audit.AuditEntryId>>()
  })

  it("Transactor.withTransaction keeps the effect's types and adds StorageError", () => {
    type WithTransaction = Transactor.Transactor["Type"]["withTransaction"]
    type Result = ReturnType<typeof check>
    const check = (withTransaction: WithTransaction, effect: Effect.Effect<number, "boom", "Requirement">) =>
      withTransaction(effect)
    expectTypeOf<Result>().toEqualTypeOf<Effect.Effect<number, "boom" | Errors.StorageError, "Requirement">>()
  })

  it("AuditStore.append carries the rule's own error type through", () => {
    type Append = AuditStore.AuditStore["Type"]["append"]
    type Result = ReturnType<typeof check>
    const check = (append: Append) => append([], () => Either.left("Rejected" as const))
    expectTypeOf<Result>().toEqualTypeOf<
      Effect.Effect<ReadonlyArray<Audit.AuditEntry>, "Rejected" | Errors.StorageError>
    >()
  })
})
