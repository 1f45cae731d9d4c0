import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as DataValue from "../src/DataValue.js"
import * as Period from "../src/Period.js"

const wire = {
  element: "issues.openAtEnd",
  node: "110112001",
  period: "2023-01",
  value: 12,
  provenance: {
    kind: "derived",
    source: "issues.stats",
    records: { entity: "Problem", ids: ["p1", "p2"], total: 12 }
  }
}

const leftOf = <A, E>(result: Either.Either<A, E>): E => {
  if (Either.isRight(result)) expect.fail(`expected a failure, got ${JSON.stringify(result.right)}`)
  return result.left
}

describe("DataValue", () => {
  it("round-trips a value through its schema", () => {
    const decoded = Either.getOrThrow(DataValue.decodeValue(wire))
    expect(decoded.period).toBe("2023-01")
    expect(decoded.provenance.records?.total).toBe(12)
    expect(Schema.encodeSync(DataValue.DataValue)(decoded)).toEqual(wire)
  })

  it("defaults missing records to null", () => {
    const decoded = Either.getOrThrow(
      DataValue.decodeValue({ ...wire, provenance: { kind: "entered", source: "district report" } })
    )
    expect(decoded.provenance.records).toBeNull()
  })

  it("refuses a bad period with an Invalid naming the field", () => {
    const error = leftOf(DataValue.decodeValue({ ...wire, period: "2023-13" }))
    expect(error._tag).toBe("Invalid")
    expect(error.issues.map((issue) => issue.path)).toEqual([["value", "period"]])
    expect(error.message).toContain("month 13")
  })

  it("refuses a bad request period, and every bad field at once", () => {
    const error = leftOf(
      DataValue.decodeRequest({ elements: ["issues.opened"], nodes: ["/d1/", "c1"], period: "2023-02-30" })
    )
    expect(error.issues.map((issue) => issue.path)).toEqual([["request", "period"]])
    const several = leftOf(DataValue.decodeRequest({ elements: [""], nodes: ["c1"], period: "2023-W54", extra: true }))
    expect(several.issues.map((issue) => issue.path.join("."))).toEqual(
      expect.arrayContaining(["request.elements.0", "request.period", "request.extra"])
    )
  })

  it("accepts node ids and node paths in a request", () => {
    const request = Either.getOrThrow(
      DataValue.decodeRequest({ elements: ["issues.opened"], nodes: ["/d1/s1/", "c1"], period: "2023-Q1" })
    )
    expect(request.nodes).toEqual(["/d1/s1/", "c1"])
  })

  it("refuses records listing more ids than their total", () => {
    const error = leftOf(
      DataValue.decodeValue({
        ...wire,
        provenance: { ...wire.provenance, records: { entity: "Problem", ids: ["p1", "p2"], total: 1 } }
      })
    )
    expect(error.issues[0].path).toEqual(["value", "provenance", "records"])
  })

  it("makes the id of a period", () => {
    expect(DataValue.periodId(Either.getOrThrow(Period.parse("2023-W05")))).toBe("2023-W05")
  })
})
