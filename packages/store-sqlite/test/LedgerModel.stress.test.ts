import { join } from "node:path"
import { LedgerSuite, TempDirectory } from "@sortgrid/testkit"
import { Effect, Layer } from "effect"
import { SqliteStore } from "../src/index.js"

// Each run gets a new database file; 1,000 runs is what the ledger's CI promises on every adapter.
const freshStore = Layer.unwrapScoped(
  Effect.map(TempDirectory.make(), (dir) => SqliteStore.layer({ filename: join(dir, "store.db") }))
)

LedgerSuite.model("sqlite", freshStore, { runs: 1_000 })
