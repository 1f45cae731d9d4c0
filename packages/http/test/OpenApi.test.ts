/**
 * The OpenAPI document generated from the API declaration must equal the committed
 * `packages/http/openapi.json`. After a deliberate change to the API, regenerate the snapshot with
 * `UPDATE_OPENAPI=1 npx vitest run packages/http/test/OpenApi.test.ts` and review the diff.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { Api } from "../src/index.js"

const snapshot = new URL("../openapi.json", import.meta.url)

describe("OpenAPI document", () => {
  it("matches the committed openapi.json", () => {
    const generated = `${JSON.stringify(Api.openApi(), null, 2)}\n`
    if (process.env.UPDATE_OPENAPI === "1") writeFileSync(snapshot, generated)
    expect(generated).toBe(readFileSync(snapshot, "utf8"))
  })

  it("documents every endpoint, the bearer scheme and the Idempotency-Key header of each POST", () => {
    const spec = Api.openApi()
    const operations = Object.values(spec.paths).flatMap((item) =>
      Object.entries(item).filter(([method]) => method === "get" || method === "post")
    )
    expect(operations).toHaveLength(44)
    expect(Object.keys(spec.components.securitySchemes ?? {})).toContain("bearer")
    const posts = Object.entries(spec.paths).flatMap(([path, item]) =>
      item.post === undefined ? [] : [{ path, operation: item.post }]
    )
    for (const { path, operation } of posts) {
      const header = operation.parameters?.find((p) => p.in === "header" && p.name === "idempotency-key")
      expect(header, path).toBeDefined()
      expect(header?.required, path).toBe(!path.startsWith("/open311"))
    }
  })
})
