import { describe, expect, it } from "@effect/vitest"
import { Site } from "@sortgrid/grid"
import { Either, Option, Schema } from "effect"
import * as Catalogue from "../src/Catalogue.js"
import * as Category from "../src/Category.js"

const catalogue = Catalogue.defaultCatalogue
const categoryOf = (code: string) => Option.getOrThrow(Catalogue.find(catalogue, code))
const issuesOf = <A>(
  result: Either.Either<A, { readonly issues: ReadonlyArray<{ path: ReadonlyArray<unknown>; reason: string }> }>
) =>
  Either.match(result, {
    onLeft: (error) => error.issues.map((issue) => [issue.path.join("."), issue.reason]),
    onRight: () => []
  })

const wrongColour = categoryOf("bin-wrong-colour-or-label")

describe("Catalogue: the default catalogue", () => {
  it("has the issue's eleven categories in four groups, and the assessment's supervision visit", () => {
    const byGroup: Record<string, Array<string>> = {}
    for (const category of catalogue.categories) {
      byGroup[category.group] = [...(byGroup[category.group] ?? []), category.code]
    }
    expect(byGroup).toEqual({
      hardware: [
        "bin-missing",
        "bin-damaged",
        "bin-wrong-colour-or-label",
        "signage-missing",
        "station-dirty",
        "no-hand-washing",
        "canopy-or-lighting-broken"
      ],
      duty: ["duty-absent"],
      behaviour: ["mixed-waste"],
      collection: ["mixed-collection", "collection-off-schedule"],
      supervision: ["supervision-visit"]
    })
    for (const category of catalogue.categories) expect(category.nameEn).not.toBeNull()
  })

  it("gives hardware 7 working days, duty 1 day and collection 2 days", () => {
    expect(categoryOf("bin-missing").sla).toMatchObject({ within: { days: 7 }, workingDaysOnly: true })
    expect(categoryOf("duty-absent").sla).toMatchObject({ within: { days: 1 }, workingDaysOnly: false })
    expect(categoryOf("mixed-collection").sla).toMatchObject({ within: { days: 2 }, workingDaysOnly: false })
    expect(categoryOf("station-dirty").sla.within).toEqual({ hours: 24 })
  })

  it("offers the grid's four sorting streams as stream values", () => {
    const stream = categoryOf("bin-missing").attributes.find((attribute) => attribute.code === "stream")
    expect(stream?.values.map((value) => value.key)).toEqual([...Site.Stream.literals])
  })

  it("round-trips through its encoded form", () => {
    const encoded = Schema.encodeSync(Catalogue.Catalogue)(catalogue)
    const decoded = Either.getOrThrow(Catalogue.decode(JSON.parse(JSON.stringify(encoded))))
    expect(decoded).toEqual(catalogue)
  })

  it("finds categories by code", () => {
    expect(Option.isSome(Catalogue.find(catalogue, "duty-absent"))).toBe(true)
    expect(Option.isNone(Catalogue.find(catalogue, "pothole"))).toBe(true)
  })
})

describe("Catalogue: decoding", () => {
  const encoded = Schema.encodeSync(Catalogue.Catalogue)(catalogue)

  it("rejects repeated codes and unknown groups, naming the field", () => {
    const [first, second] = encoded.categories
    const input = {
      groups: [...encoded.groups, encoded.groups[0]],
      categories: [first, { ...second, code: first?.code }, { ...second, code: "x", group: "roads" }]
    }
    expect(issuesOf(Catalogue.decode(input))).toEqual([
      ["catalogue.groups.5.code", "repeats hardware"],
      ["catalogue.categories.1.code", "repeats bin-missing"],
      ["catalogue.categories.2.group", "roads is not a group"]
    ])
  })
})

describe("Category: decoding", () => {
  const base = Schema.encodeSync(Category.Category)(wrongColour)

  it("names every bad field of a category", () => {
    const input = {
      ...base,
      severity: "urgent",
      sla: { within: { weeks: 1 } },
      attributes: [
        { code: "bin colour", datatype: "string", required: true, order: 1, description: "?" },
        { code: "stream", datatype: "singlevaluelist", required: true, order: 2, description: "?" },
        {
          code: "stream",
          datatype: "number",
          required: false,
          order: 3,
          description: "?",
          values: [{ key: "a", name: "A" }]
        },
        { code: "note", datatype: "text", required: true, order: 4, description: "?", variable: false }
      ]
    }
    const paths = new Set(issuesOf(Category.decode(input)).map(([path]) => path))
    expect([...paths]).toEqual([
      "category.severity",
      "category.attributes.0.code",
      "category.attributes.1.values",
      "category.attributes.2.values",
      "category.attributes.3.required",
      "category.sla.within.weeks",
      "category.sla.within.hours",
      "category.sla.within.days"
    ])
  })

  it("rejects repeated attribute codes and unknown fields", () => {
    const [first] = base.attributes ?? []
    expect(issuesOf(Category.decode({ ...base, attributes: [first, first] }))).toEqual([
      ["category.attributes.1.code", "repeats stream"]
    ])
    expect(issuesOf(Category.decode({ ...base, colour: "red" }))[0]?.[0]).toBe("category.colour")
  })
})

describe("Category: validating attribute values", () => {
  it("accepts and normalises good values", () => {
    expect(
      Category.validateAttributes(wrongColour, {
        stream: "kitchen",
        defect: "wrong_colour",
        bin_colour: "grey",
        photo: "  media:2023/10/07/0001.jpg "
      })
    ).toEqual(
      Either.right({
        stream: "kitchen",
        defect: "wrong_colour",
        bin_colour: "grey",
        photo: "media:2023/10/07/0001.jpg"
      })
    )
    expect(
      Category.validateAttributes(categoryOf("duty-absent"), {
        window: "morning",
        observed_at: "2023-10-07T07:30:00+08:00",
        photo: ""
      })
    ).toEqual(Either.right({ window: "morning", observed_at: "2023-10-06T23:30:00.000Z" }))
    expect(Category.validateAttributes(categoryOf("bin-missing"), { stream: "other", count: "2" })).toEqual(
      Either.right({ stream: "other", count: 2 })
    )
    expect(
      Category.validateAttributes(categoryOf("bin-damaged"), { stream: "other", damage: ["wheels", "lid"] })
    ).toEqual(Either.right({ stream: "other", damage: ["lid", "wheels"] }))
  })

  it("names every problem at once: missing, wrong type, not allowed, unknown", () => {
    expect(
      issuesOf(
        Category.validateAttributes(wrongColour, {
          stream: " ",
          defect: 3,
          bin_colour: "purple",
          size: "large"
        })
      )
    ).toEqual([
      ["attributes.size", "is not an attribute of bin-wrong-colour-or-label"],
      ["attributes.stream", "is required"],
      ["attributes.defect", "must be one of: wrong_colour, wrong_label, label_missing"],
      ["attributes.bin_colour", '"purple" is not one of: green, blue, red, grey, other']
    ])
  })

  it("checks numbers, instants, text lengths and multi-value lists", () => {
    const station = categoryOf("station-dirty")
    expect(issuesOf(Category.validateAttributes(station, { condition: ["litter", "smoke", "litter"] }))).toEqual([
      ["attributes.condition.1", '"smoke" is not one of: overflowing, litter, odour, leakage'],
      ["attributes.condition.2", "repeats an earlier value"]
    ])
    expect(issuesOf(Category.validateAttributes(station, { condition: "litter" }))).toEqual([
      ["attributes.condition", "must be a list of: overflowing, litter, odour, leakage"]
    ])
    expect(issuesOf(Category.validateAttributes(station, { condition: [] }))).toEqual([
      ["attributes.condition", "is required"]
    ])
    const missing = categoryOf("bin-missing")
    expect(issuesOf(Category.validateAttributes(missing, { stream: "other", count: "two" }))).toEqual([
      ["attributes.count", "must be a number"]
    ])
    expect(issuesOf(Category.validateAttributes(missing, { stream: "other", photo: "x".repeat(256) }))).toEqual([
      ["attributes.photo", "must be at most 255 characters"]
    ])
    const duty = categoryOf("duty-absent")
    for (const observedAt of ["2023-10-07T07:30:00", "2023-02-30T07:30:00Z", "yesterday", 1696635000000]) {
      expect(issuesOf(Category.validateAttributes(duty, { window: "evening", observed_at: observedAt }))).toEqual([
        ["attributes.observed_at", "must be a date and time with an offset, e.g. 2023-10-07T08:30:00+08:00"]
      ])
    }
  })

  it("takes no value for an informational attribute and no non-object", () => {
    const washing = categoryOf("no-hand-washing")
    expect(Category.validateAttributes(washing, undefined)).toEqual(Either.right({}))
    expect(issuesOf(Category.validateAttributes(washing, { standard: "fine" }))).toEqual([
      ["attributes.standard", "is for information only"]
    ])
    expect(issuesOf(Category.validateAttributes(washing, ["photo"]))).toEqual([
      ["attributes", "must be an object of values"]
    ])
    expect(issuesOf(Category.validateAttributes(washing, { photo: 5 }, ["request", "attributes"]))).toEqual([
      ["request.attributes.photo", "must be a string"]
    ])
  })
})

describe("Category: Open311", () => {
  it("maps a category to a service-list entry", () => {
    expect(Category.toService(wrongColour)).toEqual({
      service_code: "bin-wrong-colour-or-label",
      service_name: "桶体颜色或标识错误",
      description: "垃圾桶颜色或分类标识与投放类别不符",
      metadata: true,
      type: "realtime",
      keywords: "颜色,标识,colour,label",
      group: "hardware"
    })
    const [entry] = Catalogue.services(catalogue, { language: "en" })
    expect(entry).toMatchObject({ service_code: "bin-missing", service_name: "Bin missing", group: "Hardware" })
    expect(Catalogue.services(catalogue)[7]).toMatchObject({ service_code: "duty-absent", group: "桶前值守" })
    expect(Schema.is(Schema.Array(Category.Open311Service))(Catalogue.services(catalogue))).toBe(true)
  })

  it("maps a category to a service definition, attributes in order, values only for lists", () => {
    const definition = Category.toServiceDefinition(wrongColour, { language: "en" })
    expect(definition.service_code).toBe("bin-wrong-colour-or-label")
    expect(definition.attributes.map((attribute) => [attribute.order, attribute.code])).toEqual([
      [1, "stream"],
      [2, "defect"],
      [3, "bin_colour"],
      [90, "photo"]
    ])
    expect(definition.attributes[2]).toEqual({
      variable: true,
      code: "bin_colour",
      datatype: "singlevaluelist",
      required: false,
      datatype_description: null,
      order: 3,
      description: "The bin's actual colour",
      values: [
        { key: "green", name: "Green" },
        { key: "blue", name: "Blue" },
        { key: "red", name: "Red" },
        { key: "grey", name: "Grey" },
        { key: "other", name: "Another colour" }
      ]
    })
    expect(definition.attributes[3]).not.toHaveProperty("values")
    const washing = Category.toServiceDefinition(categoryOf("no-hand-washing"))
    expect(washing.attributes[0]).toMatchObject({ code: "standard", variable: false, required: false })
    expect(Schema.is(Category.Open311ServiceDefinition)(definition)).toBe(true)
  })
})
