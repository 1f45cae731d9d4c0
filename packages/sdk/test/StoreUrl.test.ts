import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import { StoreUrl } from "../src/index.js"

describe("StoreUrl", () => {
  it("parses the three kinds of store", () => {
    expect(Either.getOrThrow(StoreUrl.parse("sqlite:./sortgrid.db"))).toEqual(
      StoreUrl.StoreLocation.Sqlite({ filename: "./sortgrid.db" })
    )
    expect(Either.getOrThrow(StoreUrl.parse("memory:"))._tag).toBe("Memory")
    const pg = Either.getOrThrow(StoreUrl.parse("postgres://u:pw@db.local:5433/sortgrid?schema=district_110112"))
    expect(pg._tag === "Postgres" && [Redacted.value(pg.url), pg.schema]).toEqual([
      "postgres://u:pw@db.local:5433/sortgrid",
      "district_110112"
    ])
  })

  it("rejects anything else as Invalid on the store field, with the reason", () => {
    for (const [url, reason] of [
      ["mysql://localhost/db", 'store: unknown scheme "mysql:"'],
      ["./sortgrid.db", 'store: "./sortgrid.db" has no scheme'],
      ["sqlite:", "store: sqlite: needs a file path"],
      ["sqlite://x.db", "store: write sqlite:/absolute/path.db"],
      ["postgres://", "store: "]
    ] as const) {
      const result = StoreUrl.parse(url)
      expect(Either.isLeft(result), url).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("Invalid")
        expect(result.left.message.startsWith(reason), `${url}: ${result.left.message}`).toBe(true)
      }
    }
  })
})
