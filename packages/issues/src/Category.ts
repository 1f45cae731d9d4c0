/**
 * Problem categories, in the shape of Open311 GeoReport v2 service definitions: a code, names, a
 * group, a severity, an SLA, and typed extra attributes a reporter or inspector fills in (which
 * stream a bin serves, when the station was seen unstaffed, a photo reference).
 *
 * Submitted attribute values are checked against the category by {@link validateAttributes}, which
 * also normalises them so equal submissions store equally. {@link toService} and
 * {@link toServiceDefinition} give the documents an Open311 endpoint serves, with the spec's field
 * names.
 *
 * @since 0.1.0
 */
import { Errors, Id, Period } from "@sortgrid/core"
import { Either, Predicate, Schema } from "effect"
import { Sla } from "./Sla.js"

/**
 * A category's code: its Open311 `service_code`.
 *
 * @since 0.1.0
 * @category ids
 */
export const CategoryCode = Id.brand("CategoryCode")

/**
 * @since 0.1.0
 * @category ids
 */
export type CategoryCode = typeof CategoryCode.Type

/**
 * The code of a group of categories (`hardware`, `duty`…): Open311's `group`.
 *
 * @since 0.1.0
 * @category ids
 */
export const GroupCode = Id.brand("GroupCode")

/**
 * @since 0.1.0
 * @category ids
 */
export type GroupCode = typeof GroupCode.Type

/**
 * An attribute's code: a letter, then letters, digits or `_` (up to 64), so error paths read
 * `attributes.bin_colour`.
 *
 * @since 0.1.0
 * @category ids
 */
export const AttributeCode = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, {
    message: () => "must be a letter followed by up to 63 letters, digits or '_'"
  }),
  Schema.brand("AttributeCode")
)

/**
 * @since 0.1.0
 * @category ids
 */
export type AttributeCode = typeof AttributeCode.Type

/**
 * How serious a problem of the category is.
 *
 * @since 0.1.0
 * @category models
 */
export const Severity = Schema.Literal("low", "medium", "high")

/**
 * @since 0.1.0
 * @category models
 */
export type Severity = typeof Severity.Type

/**
 * Open311's attribute datatypes: `string` is a short line, `text` a longer note, `datetime` an ISO
 * 8601 instant, and the two lists pick one or several of the attribute's values by key.
 *
 * @since 0.1.0
 * @category models
 */
export const Datatype = Schema.Literal("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")

/**
 * @since 0.1.0
 * @category models
 */
export type Datatype = typeof Datatype.Type

/**
 * The languages names and descriptions come in: Chinese always, English when given (falling back to
 * Chinese when not).
 *
 * @since 0.1.0
 * @category models
 */
export type Language = "zh" | "en"

const Text = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))
const OptionalText = (max: number) =>
  Schema.optionalWith(Schema.NullOr(Text(max)), { default: () => null, exact: true })

const isList = (datatype: Datatype): boolean => datatype === "singlevaluelist" || datatype === "multivaluelist"

/**
 * One choice of a list attribute: its key (what is submitted and stored) and its names.
 *
 * @since 0.1.0
 * @category models
 */
export class AttributeValue extends Schema.Class<AttributeValue>("@sortgrid/issues/AttributeValue")({
  key: Id.IdString,
  name: Text(120),
  nameEn: OptionalText(120)
}) {}

/**
 * An extra field of a category. `description` is the question put to the reporter;
 * `datatypeDescription` hints at the format. A list attribute has at least one value and no other
 * attribute has any. An attribute that is not `variable` is information shown to the reporter and
 * takes no value, so it cannot be required.
 *
 * @since 0.1.0
 * @category models
 */
export class Attribute extends Schema.Class<Attribute>("@sortgrid/issues/Attribute")(
  Schema.Struct({
    code: AttributeCode,
    datatype: Datatype,
    required: Schema.Boolean,
    /** Where the field sits on a form, lowest first; ties go by code. */
    order: Schema.Int.pipe(Schema.between(0, 10_000)),
    description: Text(500),
    descriptionEn: OptionalText(500),
    datatypeDescription: OptionalText(200),
    variable: Schema.optionalWith(Schema.Boolean, { default: () => true, exact: true }),
    values: Schema.optionalWith(Schema.Array(AttributeValue), { default: () => [], exact: true })
  }).pipe(
    Schema.filter((attribute) => {
      const issues: Array<Schema.FilterIssue> = []
      if (isList(attribute.datatype) && attribute.values.length === 0) {
        issues.push({ path: ["values"], message: `a ${attribute.datatype} needs at least one value` })
      }
      if (!isList(attribute.datatype) && attribute.values.length > 0) {
        issues.push({ path: ["values"], message: `a ${attribute.datatype} attribute takes no list of values` })
      }
      const keys = new Set<string>()
      for (const [index, value] of attribute.values.entries()) {
        if (keys.has(value.key)) issues.push({ path: ["values", index, "key"], message: `repeats ${value.key}` })
        keys.add(value.key)
      }
      if (!attribute.variable && attribute.required) {
        issues.push({ path: ["required"], message: "an attribute that is not variable takes no value" })
      }
      return issues
    })
  )
) {}

/**
 * A category of problem. Its attribute codes are unique; `keywords` hold no commas (Open311 joins
 * them with commas).
 *
 * @since 0.1.0
 * @category models
 */
export class Category extends Schema.Class<Category>("@sortgrid/issues/Category")(
  Schema.Struct({
    code: CategoryCode,
    name: Text(120),
    nameEn: OptionalText(120),
    group: GroupCode,
    description: Text(1000),
    descriptionEn: OptionalText(1000),
    severity: Severity,
    keywords: Schema.optionalWith(
      Schema.Array(Text(60).pipe(Schema.pattern(/^[^,]*$/, { message: () => "must not contain a comma" }))),
      { default: () => [], exact: true }
    ),
    attributes: Schema.optionalWith(Schema.Array(Attribute), { default: () => [], exact: true }),
    sla: Sla
  }).pipe(
    Schema.filter((category) => {
      const codes = new Set<string>()
      const issues: Array<Schema.FilterIssue> = []
      for (const [index, attribute] of category.attributes.entries()) {
        if (codes.has(attribute.code)) {
          issues.push({ path: ["attributes", index, "code"], message: `repeats ${attribute.code}` })
        }
        codes.add(attribute.code)
      }
      return issues
    })
  )
) {}

/**
 * Decodes a category; every issue names its field under `path` (`["category"]` unless given).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (
  input: unknown,
  path: ReadonlyArray<string | number> = ["category"]
): Either.Either<Category, Errors.Invalid> =>
  Either.mapLeft(Schema.decodeUnknownEither(Category, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, path)
  )

/**
 * A category's attributes in form order: by `order`, then by code.
 *
 * @since 0.1.0
 * @category models
 */
export const orderedAttributes = (category: Category): ReadonlyArray<Attribute> =>
  [...category.attributes].sort((a, b) => a.order - b.order || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))

// --- attribute values ---------------------------------------------------------------------------

/**
 * Checked attribute values, by attribute code: a string (`string`, `text`, `datetime` as a UTC ISO
 * instant, `singlevaluelist` key), a number, or the keys of a `multivaluelist`.
 *
 * @since 0.1.0
 * @category attributes
 */
export const AttributeValues = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Number, Schema.Array(Schema.String))
})

/**
 * @since 0.1.0
 * @category attributes
 */
export type AttributeValues = typeof AttributeValues.Type

type Value = AttributeValues[string]

const stringMax = 255
const textMax = 4_000
const decimal = /^[+-]?\d+(?:\.\d+)?$/
const dateTime =
  /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/
const isIsoDate = Schema.is(Period.IsoDate)

// Open311 clients post forms, where an unfilled field arrives as an empty string.
const isBlank = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (typeof value === "string" && value.trim() === "") ||
  (Array.isArray(value) && value.length === 0)

type ValueIssue = { readonly path: ReadonlyArray<number>; readonly reason: string }

const keysOf = (attribute: Attribute): string => attribute.values.map((value) => value.key).join(", ")

const checkValue = (attribute: Attribute, value: unknown): Either.Either<Value, ReadonlyArray<ValueIssue>> => {
  const fail = (reason: string, path: ReadonlyArray<number> = []) => Either.left([{ path, reason }])
  switch (attribute.datatype) {
    case "string":
    case "text": {
      if (typeof value !== "string") return fail("must be a string")
      const max = attribute.datatype === "string" ? stringMax : textMax
      const text = value.trim()
      return text.length <= max ? Either.right(text) : fail(`must be at most ${max} characters`)
    }
    case "number": {
      if (typeof value === "number" && Number.isFinite(value)) return Either.right(value)
      return typeof value === "string" && decimal.test(value.trim())
        ? Either.right(Number(value.trim()))
        : fail("must be a number")
    }
    case "datetime": {
      const match = typeof value === "string" ? dateTime.exec(value.trim()) : null
      const at = match === null || !isIsoDate(match[1]) ? Number.NaN : Date.parse(match[0])
      return Number.isNaN(at)
        ? fail("must be a date and time with an offset, e.g. 2023-10-07T08:30:00+08:00")
        : Either.right(new Date(at).toISOString())
    }
    case "singlevaluelist": {
      if (typeof value !== "string") return fail(`must be one of: ${keysOf(attribute)}`)
      return attribute.values.some((allowed) => allowed.key === value)
        ? Either.right(value)
        : fail(`"${value}" is not one of: ${keysOf(attribute)}`)
    }
    case "multivaluelist": {
      if (!Array.isArray(value)) return fail(`must be a list of: ${keysOf(attribute)}`)
      const issues: Array<ValueIssue> = []
      const seen = new Set<unknown>()
      for (const [index, item] of value.entries()) {
        if (seen.has(item)) issues.push({ path: [index], reason: "repeats an earlier value" })
        else if (!attribute.values.some((allowed) => allowed.key === item)) {
          issues.push({ path: [index], reason: `${JSON.stringify(item)} is not one of: ${keysOf(attribute)}` })
        }
        seen.add(item)
      }
      // Stored in the attribute's own order, so the same choices always store the same list.
      return issues.length > 0
        ? Either.left(issues)
        : Either.right(attribute.values.map((allowed) => allowed.key).filter((key) => seen.has(key)))
    }
  }
}

/**
 * A category's attributes by code, and those that take values in form order: computed once per
 * category (categories are immutable), as a batch checks the same few categories many times.
 */
const lookups = new WeakMap<
  Category,
  { readonly byCode: ReadonlyMap<string, Attribute>; readonly variable: ReadonlyArray<Attribute> }
>()

const lookupsOf = (category: Category) => {
  let found = lookups.get(category)
  if (found === undefined) {
    found = {
      byCode: new Map(category.attributes.map((attribute) => [attribute.code, attribute])),
      variable: orderedAttributes(category).filter((attribute) => attribute.variable)
    }
    lookups.set(category, found)
  }
  return found
}

/**
 * Checks attribute values submitted for a category: an object of attribute codes to values, where a
 * blank value (absent, `null`, an empty or all-space string, an empty list) counts as not given.
 * Required attributes must be given; no code may be unknown or name an attribute that is not
 * variable; values must have the attribute's type — `number` accepts a number or a decimal string
 * (form posts carry strings), `datetime` an ISO 8601 date and time with `Z` or an offset, the lists
 * keys of their values (a list for `multivaluelist`, without repeats).
 *
 * On success, the values normalised: strings trimmed, numbers as numbers, instants as UTC ISO
 * strings, a multi-value list in the attribute's order; blank values are left out. On failure, an
 * `Invalid` listing every problem at once, each at `path` plus the attribute code (and the item's
 * index in a list): `attributes.bin_colour`, `attributes.condition[2]`.
 *
 * @since 0.1.0
 * @category attributes
 */
export const validateAttributes = (
  category: Category,
  submitted: unknown,
  path: ReadonlyArray<string | number> = ["attributes"]
): Either.Either<AttributeValues, Errors.Invalid> => {
  if (submitted === undefined || submitted === null) return validateAttributes(category, {}, path)
  if (!Predicate.isRecord(submitted)) return Either.left(Errors.Invalid.one(path, "must be an object of values"))
  const issues: Array<Errors.Issue> = []
  const report = (subpath: ReadonlyArray<string | number>, reason: string) =>
    issues.push(new Errors.Issue({ path: [...path, ...subpath], reason }))
  const { byCode, variable } = lookupsOf(category)
  for (const code of Object.keys(submitted)) {
    const attribute = byCode.get(code)
    if (attribute === undefined) report([code], `is not an attribute of ${category.code}`)
    else if (!attribute.variable && !isBlank(submitted[code])) report([code], "is for information only")
  }
  const values: Record<string, Value> = {}
  for (const attribute of variable) {
    const value = Object.hasOwn(submitted, attribute.code) ? submitted[attribute.code] : undefined
    if (isBlank(value)) {
      if (attribute.required) report([attribute.code], "is required")
      continue
    }
    Either.match(checkValue(attribute, value), {
      onLeft: (problems) => {
        for (const problem of problems) report([attribute.code, ...problem.path], problem.reason)
      },
      onRight: (checked) => {
        values[attribute.code] = checked
      }
    })
  }
  const [first, ...rest] = issues
  return first === undefined ? Either.right(values) : Either.left(new Errors.Invalid({ issues: [first, ...rest] }))
}

// --- Open311 ------------------------------------------------------------------------------------

/**
 * An entry of Open311's service list (`GET services.json`), with the spec's field names. `type` is
 * always `realtime`: registering a problem returns its id at once.
 *
 * @since 0.1.0
 * @category open311
 */
export const Open311Service = Schema.Struct({
  service_code: Schema.String,
  service_name: Schema.String,
  description: Schema.String,
  metadata: Schema.Boolean,
  type: Schema.Literal("realtime", "batch", "blackbox"),
  keywords: Schema.String,
  group: Schema.String
})

/**
 * @since 0.1.0
 * @category open311
 */
export type Open311Service = typeof Open311Service.Type

/**
 * One attribute of an Open311 service definition; `values` only for the two list datatypes.
 *
 * @since 0.1.0
 * @category open311
 */
export const Open311Attribute = Schema.Struct({
  variable: Schema.Boolean,
  code: Schema.String,
  datatype: Datatype,
  required: Schema.Boolean,
  datatype_description: Schema.NullOr(Schema.String),
  order: Schema.Number,
  description: Schema.String,
  values: Schema.optional(Schema.Array(Schema.Struct({ key: Schema.String, name: Schema.String })))
})

/**
 * @since 0.1.0
 * @category open311
 */
export type Open311Attribute = typeof Open311Attribute.Type

/**
 * An Open311 service definition (`GET services/{service_code}.json`).
 *
 * @since 0.1.0
 * @category open311
 */
export const Open311ServiceDefinition = Schema.Struct({
  service_code: Schema.String,
  attributes: Schema.Array(Open311Attribute)
})

/**
 * @since 0.1.0
 * @category open311
 */
export type Open311ServiceDefinition = typeof Open311ServiceDefinition.Type

const pick = (language: Language, zh: string, en: string | null): string => (language === "en" ? (en ?? zh) : zh)

/**
 * A category as an Open311 service-list entry, in a language (Chinese unless given). `group` is the
 * group's display name when given (see `Catalogue.services`), otherwise its code.
 *
 * @since 0.1.0
 * @category open311
 */
export const toService = (
  category: Category,
  options: { readonly language?: Language; readonly groupName?: string } = {}
): Open311Service => {
  const language = options.language ?? "zh"
  return {
    service_code: category.code,
    service_name: pick(language, category.name, category.nameEn),
    description: pick(language, category.description, category.descriptionEn),
    metadata: category.attributes.length > 0,
    type: "realtime",
    keywords: category.keywords.join(","),
    group: options.groupName ?? category.group
  }
}

/**
 * A category as an Open311 service definition, attributes in form order, in a language (Chinese
 * unless given).
 *
 * @since 0.1.0
 * @category open311
 */
export const toServiceDefinition = (
  category: Category,
  options: { readonly language?: Language } = {}
): Open311ServiceDefinition => {
  const language = options.language ?? "zh"
  return {
    service_code: category.code,
    attributes: orderedAttributes(category).map((attribute) => ({
      variable: attribute.variable,
      code: attribute.code,
      datatype: attribute.datatype,
      required: attribute.required,
      datatype_description: attribute.datatypeDescription,
      order: attribute.order,
      description: pick(language, attribute.description, attribute.descriptionEn),
      ...(isList(attribute.datatype)
        ? {
            values: attribute.values.map((value) => ({
              key: value.key,
              name: pick(language, value.name, value.nameEn)
            }))
          }
        : {})
    }))
  }
}
