/**
 * A runnable sample server over an in-memory store, with two static tokens:
 *
 *   npx tsx --conditions=sortgrid-source packages/http/test/serve.example.ts
 *   curl -H 'Authorization: Bearer sample-admin-token' 'http://127.0.0.1:8080/open311/v2/services.json'
 *   open http://127.0.0.1:8080/docs
 *
 * (Kept beside the tests so that the type-check covers it; move it under examples/ when wanted.)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import { Server } from "../src/index.js"

Server.layer({
  store: process.env.SORTGRID_STORE ?? "memory:",
  port: Number(process.env.PORT ?? 8080),
  logRequests: true,
  tokens: {
    "sample-admin-token": { id: "admin", roles: ["district-admin"], scope: ["/"] },
    "sample-inspector-token": { id: "inspector-li", roles: ["inspector"], scope: ["/110112/110112001/"] }
  }
}).pipe(Layer.launch, NodeRuntime.runMain)
