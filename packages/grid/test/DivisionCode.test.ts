import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { DivisionCode } from "../src/index.js"

describe("DivisionCode", () => {
  it("reads kind, setting and parent from the statistical code", () => {
    const read = (code: string) => Either.getOrThrow(DivisionCode.meaning(code))
    expect(read("110112")).toEqual({ kind: "district", setting: "urban", parentCode: null })
    expect(read("110112001")).toEqual({ kind: "subdistrict", setting: "urban", parentCode: "110112" })
    expect(read("110112104")).toEqual({ kind: "town", setting: "rural", parentCode: "110112" })
    expect(read("110112209")).toEqual({ kind: "town", setting: "rural", parentCode: "110112" })
    expect(read("110112001001")).toEqual({ kind: "community", setting: "urban", parentCode: "110112001" })
    expect(read("110112001403")).toEqual({ kind: "community", setting: "urban", parentCode: "110112001" })
    expect(read("110112104001")).toEqual({ kind: "community", setting: "rural", parentCode: "110112104" })
    expect(read("110112104201")).toEqual({ kind: "village", setting: "rural", parentCode: "110112104" })
  })

  it("says why a code is not one", () => {
    expect(DivisionCode.meaning("1101")).toEqual(Either.left("must be 6, 9 or 12 digits"))
    expect(DivisionCode.meaning("110112000")).toEqual(
      Either.left("township-level number 000 is not assigned (001-599)")
    )
    expect(DivisionCode.meaning("110112001900")).toEqual(
      Either.left("village-level number 900 is not assigned (001-799)")
    )
  })
})
