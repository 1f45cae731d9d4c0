/**
 * A catalogue of problem categories, in groups, and the default one the district starts from:
 * station hardware, bin-side duty, sorting behaviour and the hauler's collection.
 *
 * Guarantees: group codes and category codes are unique, and every category's group is listed.
 *
 * @since 0.1.0
 */
import { Errors } from "@sortgrid/core"
import { Either, Option, Schema } from "effect"
import {
  Attribute,
  AttributeCode,
  AttributeValue,
  Category,
  CategoryCode,
  type Datatype,
  GroupCode,
  type Language,
  type Open311Service,
  type Severity,
  toService
} from "./Category.js"
import { Sla } from "./Sla.js"

/**
 * A group of categories, with its display names.
 *
 * @since 0.1.0
 * @category models
 */
export class CategoryGroup extends Schema.Class<CategoryGroup>("@sortgrid/issues/CategoryGroup")({
  code: GroupCode,
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(120)),
  nameEn: Schema.optionalWith(Schema.NullOr(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(120))), {
    default: () => null,
    exact: true
  })
}) {}

/**
 * The categories a jurisdiction registers problems under, and their groups.
 *
 * @since 0.1.0
 * @category models
 */
export class Catalogue extends Schema.Class<Catalogue>("@sortgrid/issues/Catalogue")(
  Schema.Struct({
    groups: Schema.Array(CategoryGroup),
    categories: Schema.Array(Category)
  }).pipe(
    Schema.filter((catalogue) => {
      const issues: Array<Schema.FilterIssue> = []
      const groups = new Set<string>()
      for (const [index, group] of catalogue.groups.entries()) {
        if (groups.has(group.code)) issues.push({ path: ["groups", index, "code"], message: `repeats ${group.code}` })
        groups.add(group.code)
      }
      const codes = new Set<string>()
      for (const [index, category] of catalogue.categories.entries()) {
        if (codes.has(category.code)) {
          issues.push({ path: ["categories", index, "code"], message: `repeats ${category.code}` })
        }
        codes.add(category.code)
        if (!groups.has(category.group)) {
          issues.push({ path: ["categories", index, "group"], message: `${category.group} is not a group` })
        }
      }
      return issues
    })
  )
) {}

/**
 * Decodes a catalogue; every issue names its field under `path` (`["catalogue"]` unless given).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (
  input: unknown,
  path: ReadonlyArray<string | number> = ["catalogue"]
): Either.Either<Catalogue, Errors.Invalid> =>
  Either.mapLeft(Schema.decodeUnknownEither(Catalogue, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, path)
  )

/**
 * The category with a code, if the catalogue has one.
 *
 * @since 0.1.0
 * @category lookups
 */
export const find = (catalogue: Catalogue, code: string): Option.Option<Category> =>
  Option.fromNullable(catalogue.categories.find((category) => category.code === code))

/**
 * The catalogue as Open311's service list, in catalogue order, each entry's `group` the group's name
 * in the language (Chinese unless given).
 *
 * @since 0.1.0
 * @category open311
 */
export const services = (
  catalogue: Catalogue,
  options: { readonly language?: Language } = {}
): ReadonlyArray<Open311Service> => {
  const language = options.language ?? "zh"
  const groups = new Map(catalogue.groups.map((group) => [group.code, group]))
  return catalogue.categories.map((category) => {
    const group = groups.get(category.group)
    const groupName =
      group === undefined ? category.group : language === "en" ? (group.nameEn ?? group.name) : group.name
    return toService(category, { language, groupName })
  })
}

// --- the default catalogue ----------------------------------------------------------------------

type Names = readonly [zh: string, en: string]

const choice = ([key, name, nameEn]: readonly [string, string, string]) => new AttributeValue({ key, name, nameEn })

const attribute = (
  code: string,
  datatype: Datatype,
  options: {
    readonly required: boolean
    readonly order: number
    readonly description: Names
    readonly values?: ReadonlyArray<readonly [string, string, string]>
    readonly datatypeDescription?: string
    readonly variable?: boolean
  }
) =>
  new Attribute({
    code: AttributeCode.make(code),
    datatype,
    required: options.required,
    order: options.order,
    description: options.description[0],
    descriptionEn: options.description[1],
    datatypeDescription: options.datatypeDescription ?? null,
    variable: options.variable ?? true,
    values: (options.values ?? []).map(choice)
  })

// Keys are the grid's sorting streams (Site.Stream), so a problem's stream lines up with the station's bins.
const streams = [
  ["kitchen", "厨余垃圾", "Kitchen waste"],
  ["recyclable", "可回收物", "Recyclables"],
  ["hazardous", "有害垃圾", "Hazardous waste"],
  ["other", "其他垃圾", "Other waste"]
] as const

const stream = (order: number, required: boolean, description: Names) =>
  attribute("stream", "singlevaluelist", { required, order, description, values: streams })

const photo = attribute("photo", "string", {
  required: false,
  order: 90,
  description: ["现场照片（照片编号或链接）", "Photo of the problem (a media id or URL)"]
})

const observedAt = (order: number) =>
  attribute("observed_at", "datetime", {
    required: true,
    order,
    description: ["发现时间", "When it was seen"],
    datatypeDescription: "2023-10-07T07:30:00+08:00"
  })

const sla = (within: Sla["within"], workingDaysOnly: boolean, escalateWhenOverdueDays: number) =>
  new Sla({ within, workingDaysOnly, escalateWhenOverdueDays })

// Fixing hardware needs a purchase or a contractor: a working week and a half, then the district.
const hardwareSla = sla({ days: 7 }, true, 3)

const category = (fields: {
  readonly code: string
  readonly group: string
  readonly name: Names
  readonly description: Names
  readonly severity: Severity
  readonly sla: Sla
  readonly keywords: ReadonlyArray<string>
  readonly attributes: ReadonlyArray<Attribute>
}) =>
  new Category({
    code: CategoryCode.make(fields.code),
    group: GroupCode.make(fields.group),
    name: fields.name[0],
    nameEn: fields.name[1],
    description: fields.description[0],
    descriptionEn: fields.description[1],
    severity: fields.severity,
    sla: fields.sla,
    keywords: fields.keywords,
    attributes: fields.attributes
  })

/**
 * The default catalogue, from the district's two standing campaigns ("hardware to zero" and
 * "morning duty") and its sorting and collection checks. Hardware problems are due in 7 working
 * days (a dirty or overflowing station in 24 hours), nobody on duty in 1 day, mixed waste in 5
 * working days, collection problems in 2 days, a supervision visit in 10 working days; each escalates to the parent jurisdiction 1 to 5
 * days overdue.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultCatalogue: Catalogue = new Catalogue({
  groups: [
    new CategoryGroup({ code: GroupCode.make("hardware"), name: "硬件设施", nameEn: "Hardware" }),
    new CategoryGroup({ code: GroupCode.make("duty"), name: "桶前值守", nameEn: "Bin-side duty" }),
    new CategoryGroup({ code: GroupCode.make("behaviour"), name: "投放行为", nameEn: "Sorting behaviour" }),
    new CategoryGroup({ code: GroupCode.make("collection"), name: "收集运输", nameEn: "Collection" }),
    new CategoryGroup({ code: GroupCode.make("supervision"), name: "督导帮扶", nameEn: "Supervision" })
  ],
  categories: [
    category({
      code: "bin-missing",
      group: "hardware",
      name: ["垃圾桶缺失", "Bin missing"],
      description: ["桶站缺少分类垃圾桶", "A sorting bin is missing from the station"],
      severity: "high",
      sla: hardwareSla,
      keywords: ["垃圾桶", "缺桶", "bin"],
      attributes: [
        stream(1, true, ["缺少哪类垃圾桶？", "Which stream's bin is missing?"]),
        attribute("count", "number", {
          required: false,
          order: 2,
          description: ["缺少几个？", "How many are missing?"]
        }),
        photo
      ]
    }),
    category({
      code: "bin-damaged",
      group: "hardware",
      name: ["垃圾桶破损", "Bin damaged"],
      description: ["垃圾桶破损，无法正常使用", "A bin is damaged and cannot be used properly"],
      severity: "medium",
      sla: hardwareSla,
      keywords: ["垃圾桶", "破损", "bin"],
      attributes: [
        stream(1, true, ["哪类垃圾桶破损？", "Which stream's bin is damaged?"]),
        attribute("damage", "multivaluelist", {
          required: true,
          order: 2,
          description: ["哪里损坏？", "What is damaged?"],
          values: [
            ["lid", "桶盖", "Lid"],
            ["body", "桶身", "Body"],
            ["wheels", "轮子", "Wheels"],
            ["pedal", "脚踏", "Pedal"],
            ["other", "其他", "Other"]
          ]
        }),
        photo
      ]
    }),
    category({
      code: "bin-wrong-colour-or-label",
      group: "hardware",
      name: ["桶体颜色或标识错误", "Bin in the wrong colour or wrongly labelled"],
      description: [
        "垃圾桶颜色或分类标识与投放类别不符",
        "A bin's colour or label does not match the stream it is for"
      ],
      severity: "medium",
      sla: hardwareSla,
      keywords: ["颜色", "标识", "colour", "label"],
      attributes: [
        stream(1, true, ["该桶用于哪类垃圾？", "Which stream is the bin for?"]),
        attribute("defect", "singlevaluelist", {
          required: true,
          order: 2,
          description: ["什么问题？", "What is wrong?"],
          values: [
            ["wrong_colour", "颜色不符", "Wrong colour"],
            ["wrong_label", "标识错误", "Wrong label"],
            ["label_missing", "标识缺失", "Label missing"]
          ]
        }),
        attribute("bin_colour", "singlevaluelist", {
          required: false,
          order: 3,
          description: ["桶体实际颜色", "The bin's actual colour"],
          values: [
            ["green", "绿色", "Green"],
            ["blue", "蓝色", "Blue"],
            ["red", "红色", "Red"],
            ["grey", "灰色", "Grey"],
            ["other", "其他颜色", "Another colour"]
          ]
        }),
        photo
      ]
    }),
    category({
      code: "signage-missing",
      group: "hardware",
      name: ["标识牌缺失", "Signage missing"],
      description: ["桶站缺少公示牌或分类指引", "The station lacks its notice board or sorting guide"],
      severity: "low",
      sla: hardwareSla,
      keywords: ["标识牌", "公示牌", "signage"],
      attributes: [
        attribute("sign", "singlevaluelist", {
          required: true,
          order: 1,
          description: ["缺少哪块标识？", "Which sign is missing?"],
          values: [
            ["station_board", "桶站公示牌", "Station notice board"],
            ["sorting_guide", "分类指引", "Sorting guide"],
            ["drop_off_hours", "投放时间公示", "Drop-off hours"],
            ["other", "其他", "Other"]
          ]
        }),
        photo
      ]
    }),
    category({
      code: "station-dirty",
      group: "hardware",
      name: ["桶站脏乱或满溢", "Station dirty or overflowing"],
      description: ["桶站周边脏乱，或垃圾桶满溢", "The station is dirty or its bins are overflowing"],
      severity: "high",
      // A cleaning job, not a repair: the same day, weekends included.
      sla: sla({ hours: 24 }, false, 1),
      keywords: ["满溢", "脏乱", "overflowing", "dirty"],
      attributes: [
        attribute("condition", "multivaluelist", {
          required: true,
          order: 1,
          description: ["现场情况", "What is wrong?"],
          values: [
            ["overflowing", "垃圾满溢", "Overflowing"],
            ["litter", "地面散落垃圾", "Litter on the ground"],
            ["odour", "异味", "Odour"],
            ["leakage", "污水渗漏", "Leaking liquid"]
          ]
        }),
        photo
      ]
    }),
    category({
      code: "no-hand-washing",
      group: "hardware",
      name: ["缺少洗手设施", "No hand-washing point"],
      description: ["桶站未设置洗手设施", "The station has no hand-washing point"],
      severity: "low",
      sla: hardwareSla,
      keywords: ["洗手", "hand-washing"],
      attributes: [
        attribute("standard", "text", {
          required: false,
          order: 0,
          variable: false,
          description: [
            "按标准，桶站应设置洗手池或配备免洗洗手液。",
            "By the standard, a station has a wash basin or hand sanitiser."
          ]
        }),
        photo
      ]
    }),
    category({
      code: "canopy-or-lighting-broken",
      group: "hardware",
      name: ["雨棚或照明损坏", "Canopy or lighting broken"],
      description: ["桶站雨棚或照明设施损坏", "The station's canopy or lighting is broken"],
      severity: "medium",
      sla: hardwareSla,
      keywords: ["雨棚", "照明", "canopy", "lighting"],
      attributes: [
        attribute("part", "multivaluelist", {
          required: true,
          order: 1,
          description: ["哪部分损坏？", "What is broken?"],
          values: [
            ["canopy", "雨棚", "Canopy"],
            ["lighting", "照明", "Lighting"]
          ]
        }),
        photo
      ]
    }),
    category({
      code: "duty-absent",
      group: "duty",
      name: ["投放时段无人值守", "Nobody on duty at drop-off time"],
      description: ["投放时段桶站无人桶前值守", "Nobody was on bin-side duty during the drop-off window"],
      severity: "high",
      // Staffing is fixed by the next drop-off window, weekends included.
      sla: sla({ days: 1 }, false, 1),
      keywords: ["值守", "桶前值守", "duty"],
      attributes: [
        attribute("window", "singlevaluelist", {
          required: true,
          order: 1,
          description: ["哪个投放时段？", "Which drop-off window?"],
          values: [
            ["morning", "早间投放", "Morning"],
            ["evening", "晚间投放", "Evening"]
          ]
        }),
        observedAt(2),
        photo
      ]
    }),
    category({
      code: "mixed-waste",
      group: "behaviour",
      name: ["居民混投", "Mixed waste"],
      description: ["垃圾桶内混入其他类别垃圾", "A bin holds waste of another stream"],
      severity: "low",
      // Put right by talking to households, which takes visits on working days.
      sla: sla({ days: 5 }, true, 5),
      keywords: ["混投", "分类", "mixed"],
      attributes: [stream(1, false, ["哪类垃圾桶内混入了其他垃圾？", "Which stream's bin held other waste?"]), photo]
    }),
    category({
      code: "mixed-collection",
      group: "collection",
      name: ["混装混运", "Mixed collection by the hauler"],
      description: ["收运单位将已分类垃圾混装收运", "The hauler loaded sorted waste together"],
      severity: "high",
      sla: sla({ days: 2 }, false, 1),
      keywords: ["混装混运", "收运", "hauler"],
      attributes: [
        attribute("vehicle_plate", "string", {
          required: false,
          order: 1,
          description: ["收运车辆车牌号", "The collection vehicle's plate"]
        }),
        observedAt(2),
        photo
      ]
    }),
    category({
      code: "collection-off-schedule",
      group: "collection",
      name: ["未按时清运", "Collection off schedule"],
      description: ["收运单位未按约定时间清运", "The hauler did not collect at the agreed time"],
      severity: "medium",
      sla: sla({ days: 2 }, false, 2),
      keywords: ["清运", "收运", "collection"],
      attributes: [stream(1, true, ["哪类垃圾未按时清运？", "Which stream was not collected?"]), observedAt(2), photo]
    }),
    category({
      code: "supervision-visit",
      group: "supervision",
      name: ["督导帮扶", "Supervision and help visit"],
      description: [
        "考核排名靠后的单位需接受督导帮扶并完成整改",
        "A unit ranked at the bottom of its group receives a supervision-and-help team and puts its findings right"
      ],
      severity: "medium",
      // A team visits within two working weeks; the assessment engine's consequences register these.
      sla: sla({ days: 10 }, true, 5),
      keywords: ["督导", "帮扶", "supervision"],
      attributes: [
        attribute("reason", "text", {
          required: false,
          order: 1,
          description: ["为何督导（考核结果）", "Why (the assessment result behind it)"]
        })
      ]
    })
  ]
})
