import { LedgerSuite, PostgresSchema } from "@sortgrid/testkit"
import { Effect, Layer } from "effect"
import { PostgresStore } from "../src/index.js"

// Each run gets a schema of its own; 1,000 runs is what the ledger's CI promises on every adapter.
const freshStore = Layer.unwrapScoped(
  Effect.map(PostgresSchema.make, (schema) => PostgresStore.layer({ url: PostgresSchema.testUrl, schema }))
)

LedgerSuite.model("postgres", freshStore, { runs: 1_000 })
