/**
 * Inspections: campaigns ("hardware to zero" 硬件清零, "morning duty" 早班值守), checklist templates
 * per kind of site, and visits that answer every item of a template. A failing item puts a problem on
 * the register — unless the same place already has an open problem of the same category.
 *
 * The rules here are pure: the service decodes a visit ({@link decodeVisit}), checks it against its
 * campaign, template and the node's kind ({@link validateVisit}), derives the registrations
 * ({@link problemsFromVisit}) and hands each to `Lifecycle.register`.
 *
 * Guarantees of {@link problemsFromVisit}:
 * - one registration per category that fails at the visit's node and has no open problem there;
 * - its problem id depends only on the visit id and the first failing item (in template order) of
 *   that category, so recording the same visit again gives the same commands, which
 *   `Lifecycle.register` replays instead of registering twice;
 * - the order of the visit's answers changes nothing.
 *
 * @since 0.1.0
 */
import { Actor, Errors, Id, Json, Period } from "@sortgrid/core"
import { GroupId } from "@sortgrid/grid/Group"
import { NodeId } from "@sortgrid/grid/Node"
import { NodeKind } from "@sortgrid/grid/Profile"
import { Array as Arr, Either, Option, type ParseResult, Schema } from "effect"
import { CategoryCode } from "./Category.js"
import { Reinspect } from "./Lifecycle.js"
import { EpochMillis, EvidenceRef, FromInspection, isOpen, Note, type Problem, ProblemId, VisitId } from "./Problem.js"

const Text = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))
const OptionalText = (max: number) =>
  Schema.optionalWith(Schema.NullOr(Text(max)), { default: () => null, exact: true })

const dayMillis = 86_400_000

// --- models ---------------------------------------------------------------------------------------

/**
 * A campaign's id.
 *
 * @since 0.1.0
 * @category ids
 */
export const CampaignId = Id.brand("CampaignId")

/**
 * @since 0.1.0
 * @category ids
 */
export type CampaignId = typeof CampaignId.Type

/**
 * A checklist template's id.
 *
 * @since 0.1.0
 * @category ids
 */
export const TemplateId = Id.brand("TemplateId")

/**
 * @since 0.1.0
 * @category ids
 */
export type TemplateId = typeof TemplateId.Type

/**
 * A checklist item's code: up to 64 letters, digits, `.`, `_` or `-`. No `:`, so a problem id
 * derived from a visit id and an item code ({@link problemIdFor}) names exactly one pair.
 *
 * @since 0.1.0
 * @category ids
 */
export const ItemCode = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: () => "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
  }),
  Schema.brand("ItemCode")
)

/**
 * @since 0.1.0
 * @category ids
 */
export type ItemCode = typeof ItemCode.Type

/**
 * A campaign: a named drive over a span of dates (both inclusive, in the jurisdiction's time zone)
 * that checks the categories it lists. A visit belongs to one campaign, falls within its dates, and
 * uses a template whose items are all in its categories.
 *
 * @since 0.1.0
 * @category models
 */
export class Campaign extends Schema.Class<Campaign>("@sortgrid/issues/Campaign")(
  Schema.Struct({
    id: CampaignId,
    name: Text(120),
    nameEn: OptionalText(120),
    from: Period.IsoDate,
    to: Period.IsoDate,
    /** The jurisdiction's offset east of UTC, to tell which date a visit fell on (Beijing: 480). */
    utcOffsetMinutes: Schema.optionalWith(Schema.Int.pipe(Schema.between(-720, 840)), {
      default: () => 480,
      exact: true
    }),
    categories: Schema.NonEmptyArray(CategoryCode)
  }).pipe(
    Schema.filter((campaign) => {
      const issues: Array<Schema.FilterIssue> = []
      if (campaign.to < campaign.from) issues.push({ path: ["to"], message: `must not be before ${campaign.from}` })
      campaign.categories.forEach((code, index) => {
        if (campaign.categories.indexOf(code) !== index) {
          issues.push({ path: ["categories", index], message: `repeats ${code}` })
        }
      })
      return issues
    })
  )
) {}

/**
 * When an answer to an item must carry evidence: never, when it fails, or always.
 *
 * @since 0.1.0
 * @category models
 */
export const EvidenceRule = Schema.Literal("optional", "on-fail", "always")

/**
 * @since 0.1.0
 * @category models
 */
export type EvidenceRule = typeof EvidenceRule.Type

/**
 * One question of a checklist, and the category a failure puts on the register.
 *
 * @since 0.1.0
 * @category models
 */
export class ChecklistItem extends Schema.Class<ChecklistItem>("@sortgrid/issues/ChecklistItem")({
  code: ItemCode,
  text: Text(500),
  textEn: OptionalText(500),
  categoryCode: CategoryCode,
  evidence: Schema.optionalWith(EvidenceRule, { default: () => "on-fail", exact: true })
}) {}

/**
 * The checklist for one kind of site (a compound, a bin station, a school, a plaza…). Item codes
 * are unique.
 *
 * @since 0.1.0
 * @category models
 */
export class ChecklistTemplate extends Schema.Class<ChecklistTemplate>("@sortgrid/issues/ChecklistTemplate")(
  Schema.Struct({
    id: TemplateId,
    name: Text(120),
    siteKind: NodeKind,
    items: Schema.NonEmptyArray(ChecklistItem)
  }).pipe(
    Schema.filter((template) => {
      const issues: Array<Schema.FilterIssue> = []
      template.items.forEach((item, index) => {
        if (template.items.findIndex((other) => other.code === item.code) !== index) {
          issues.push({ path: ["items", index, "code"], message: `repeats ${item.code}` })
        }
      })
      return issues
    })
  )
) {}

/**
 * What an item was found to be.
 *
 * @since 0.1.0
 * @category models
 */
export const Result = Schema.Literal("pass", "fail")

/**
 * @since 0.1.0
 * @category models
 */
export type Result = typeof Result.Type

/**
 * The answer to one item of a checklist.
 *
 * @since 0.1.0
 * @category models
 */
export class ItemResult extends Schema.Class<ItemResult>("@sortgrid/issues/ItemResult")({
  itemCode: ItemCode,
  result: Result,
  note: Schema.optionalWith(Schema.NullOr(Note), { default: () => null, exact: true }),
  evidence: Schema.optionalWith(Schema.Array(EvidenceRef), { default: () => [], exact: true }),
  /**
   * For a failing item, the values of its category's extra attributes (which stream's bin is
   * missing…), checked against the category when the problem is registered.
   */
  attributes: Schema.optional(Schema.Unknown)
}) {}

/**
 * An inspection visit: who checked which node, when, for which campaign, with which template, and
 * the answer to each item. The id is client-chosen: the idempotency key of recording the visit.
 *
 * @since 0.1.0
 * @category models
 */
export class Visit extends Schema.Class<Visit>("@sortgrid/issues/Visit")({
  id: VisitId,
  campaignId: CampaignId,
  templateId: TemplateId,
  nodeId: NodeId,
  inspector: Actor.ActorId,
  at: EpochMillis,
  items: Schema.Array(ItemResult)
}) {}

/**
 * A recorded visit and what it did: the problems it registered, the failing items an open problem
 * already covered, the re-inspections it recorded, and the passes it could not count because the
 * inspector had rectified the problem. Recording the same visit again returns this record.
 *
 * @since 0.1.0
 * @category models
 */
export class VisitRecord extends Schema.Class<VisitRecord>("@sortgrid/issues/VisitRecord")({
  visit: Visit,
  registered: Schema.Array(ProblemId),
  covered: Schema.Array(
    Schema.Struct({
      itemCode: ItemCode,
      categoryCode: CategoryCode,
      problemId: ProblemId,
      by: Schema.Literal("open-problem", "same-visit")
    })
  ),
  reinspected: Schema.Array(Schema.Struct({ problemId: ProblemId, outcome: Result })),
  rectifiedByInspector: Schema.Array(ProblemId)
}) {}

const decodeVisitEither = Schema.decodeUnknownEither(Visit, { errors: "all", onExcessProperty: "error" })

/**
 * Decodes a visit; every issue names its field under `visit` (`visit.items[2].result`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeVisit = (input: unknown): Either.Either<Visit, Errors.Invalid> =>
  Either.mapLeft(decodeVisitEither(input), (error: ParseResult.ParseError) =>
    Errors.Invalid.fromParseError(error, ["visit"])
  )

// --- validation -----------------------------------------------------------------------------------

type Path = ReadonlyArray<string | number>

const toInvalid = <A>(value: A, issues: ReadonlyArray<Errors.Issue>): Either.Either<A, Errors.Invalid> =>
  Arr.isNonEmptyReadonlyArray(issues) ? Either.left(new Errors.Invalid({ issues })) : Either.right(value)

const issue = (path: Path, reason: string) => new Errors.Issue({ path, reason })

const answerIssues = (visit: Visit, template: ChecklistTemplate): Array<Errors.Issue> => {
  const issues: Array<Errors.Issue> = []
  const items = new Map(template.items.map((item) => [item.code, item]))
  const firstAnswer = new Map<string, number>()
  visit.items.forEach((answer, index) => {
    const path = ["visit", "items", index]
    const item = items.get(answer.itemCode)
    if (item === undefined) {
      issues.push(issue([...path, "itemCode"], `${answer.itemCode} is not an item of template ${template.id}`))
      return
    }
    const first = firstAnswer.get(answer.itemCode)
    if (first !== undefined) {
      issues.push(issue([...path, "itemCode"], `answers ${answer.itemCode} again (first at items[${first}])`))
      return
    }
    firstAnswer.set(answer.itemCode, index)
    const needed = item.evidence === "always" || (item.evidence === "on-fail" && answer.result === "fail")
    if (needed && answer.evidence.length === 0) {
      const when = item.evidence === "always" ? "always" : "when it fails"
      issues.push(issue([...path, "evidence"], `item ${item.code} requires evidence ${when}`))
    }
  })
  for (const item of template.items) {
    if (!firstAnswer.has(item.code)) issues.push(issue(["visit", "items"], `no answer for item ${item.code}`))
  }
  return issues
}

/**
 * Checks a visit's answers against its template: every item answered exactly once, no item the
 * template does not have, and evidence wherever the item requires it. Every issue is reported, each
 * naming its answer (`visit.items[2].evidence`).
 *
 * @since 0.1.0
 * @category validation
 */
export const checkAnswers = (visit: Visit, template: ChecklistTemplate): Either.Either<Visit, Errors.Invalid> =>
  toInvalid(visit, answerIssues(visit, template))

/**
 * Checks a visit against everything it names: the campaign (same id, the visit's date within its
 * dates, the template's categories all in its scope), the template (same id, for the kind of the
 * visited node — `nodeKind`, read from the tree as of the visit), and the answers
 * ({@link checkAnswers}). Every issue is reported.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateVisit = (
  visit: Visit,
  context: { readonly campaign: Campaign; readonly template: ChecklistTemplate; readonly nodeKind: NodeKind }
): Either.Either<Visit, Errors.Invalid> => {
  const { campaign, nodeKind, template } = context
  const issues: Array<Errors.Issue> = []
  if (visit.campaignId !== campaign.id) {
    issues.push(issue(["visit", "campaignId"], `expected campaign ${campaign.id}, got ${visit.campaignId}`))
  }
  if (visit.templateId !== template.id) {
    issues.push(issue(["visit", "templateId"], `expected template ${template.id}, got ${visit.templateId}`))
  }
  const outOfScope = template.items.filter((item) => !campaign.categories.includes(item.categoryCode))
  if (outOfScope.length > 0) {
    const codes = outOfScope.map((item) => `${item.code} (${item.categoryCode})`).join(", ")
    issues.push(
      issue(["visit", "templateId"], `template ${template.id} checks outside campaign ${campaign.id}: ${codes}`)
    )
  }
  if (template.siteKind !== nodeKind) {
    issues.push(
      issue(
        ["visit", "nodeId"],
        `node ${visit.nodeId} is a ${nodeKind}, template ${template.id} is for a ${template.siteKind}`
      )
    )
  }
  const date = Period.isoDateOfDay(Period.dayOfInstant(visit.at, campaign.utcOffsetMinutes))
  if (date < campaign.from || date > campaign.to) {
    issues.push(
      issue(["visit", "at"], `falls on ${date}, outside campaign ${campaign.id} (${campaign.from} to ${campaign.to})`)
    )
  }
  return toInvalid(visit, [...issues, ...answerIssues(visit, template)])
}

// --- problems -------------------------------------------------------------------------------------

/**
 * The id of the problem a failing item registers: `<visit id>:<item code>` when that fits an id
 * (128 characters), otherwise `visit.` and the SHA-256 of the pair. The readable form always holds a
 * `:` and the hashed one never does, and item codes hold no `:`, so different pairs get different ids.
 *
 * @since 0.1.0
 * @category problems
 */
export const problemIdFor = (visitId: VisitId, itemCode: ItemCode): ProblemId => {
  const readable = `${visitId}:${itemCode}`
  return ProblemId.make(readable.length <= 128 ? readable : `visit.${Json.digest([visitId, itemCode])}`)
}

/**
 * A failing item that registers nothing, and the problem that already covers it: an open problem
 * of the same node and category (`open-problem`), or the one an earlier failing item of the same
 * category registers in this visit (`same-visit`).
 *
 * @since 0.1.0
 * @category problems
 */
export interface Covered {
  readonly itemCode: ItemCode
  readonly categoryCode: CategoryCode
  readonly problemId: ProblemId
  readonly by: "open-problem" | "same-visit"
}

/**
 * A problem a visit found, to put on the register: a registration without its deadline, which the
 * register computes from the category's SLA when it registers the problem.
 *
 * @since 0.1.0
 * @category problems
 */
export interface Finding {
  readonly id: ProblemId
  readonly categoryCode: CategoryCode
  readonly nodeId: NodeId
  readonly source: FromInspection
  readonly note: string | null
  readonly evidence: ReadonlyArray<EvidenceRef>
}

/**
 * What a visit puts on the register: the findings to register, in template order, and the failing
 * items already covered.
 *
 * @since 0.1.0
 * @category problems
 */
export interface Derivation {
  readonly register: ReadonlyArray<Finding>
  readonly covered: ReadonlyArray<Covered>
}

/**
 * Derives the registrations of a visit's failing items. Items are taken in template order; the
 * first failing item of a category registers one problem for it (with the evidence of every failing
 * item of that category), unless `openProblems` holds an open problem of the visit's node and that
 * category (the earliest registered is named). `openProblems` may hold anything the service loaded:
 * closed problems and other nodes' problems are ignored.
 *
 * The visit's answers are checked first ({@link checkAnswers}). Deadlines are not derived here: the
 * register computes each from the category's SLA when it registers the finding.
 *
 * @since 0.1.0
 * @category problems
 */
export const problemsFromVisit = (
  visit: Visit,
  template: ChecklistTemplate,
  openProblems: ReadonlyArray<Problem>
): Either.Either<Derivation, Errors.Invalid> =>
  Either.flatMap(checkAnswers(visit, template), () => {
    const existing = new Map<string, Problem>()
    for (const problem of openProblems) {
      if (!isOpen(problem) || problem.nodeId !== visit.nodeId) continue
      const known = existing.get(problem.categoryCode)
      const earlier =
        known === undefined ||
        problem.registeredAt < known.registeredAt ||
        (problem.registeredAt === known.registeredAt && problem.id < known.id)
      if (earlier) existing.set(problem.categoryCode, problem)
    }
    const answers = new Map(visit.items.map((answer) => [answer.itemCode, answer]))
    const failing = template.items.flatMap((item) => {
      const answer = answers.get(item.code)
      return answer !== undefined && answer.result === "fail" ? [{ item, answer }] : []
    })
    const covered: Array<Covered> = []
    const register: Array<Finding> = []
    const registered = new Map<string, ProblemId>()
    for (const { answer, item } of failing) {
      const { categoryCode, code: itemCode } = item
      const open = existing.get(categoryCode)
      if (open !== undefined) {
        covered.push({ itemCode, categoryCode, problemId: open.id, by: "open-problem" })
        continue
      }
      const earlier = registered.get(categoryCode)
      if (earlier !== undefined) {
        covered.push({ itemCode, categoryCode, problemId: earlier, by: "same-visit" })
        continue
      }
      const id = problemIdFor(visit.id, itemCode)
      registered.set(categoryCode, id)
      const evidence = Arr.dedupe(
        failing.flatMap((other) => (other.item.categoryCode === categoryCode ? other.answer.evidence : []))
      )
      register.push({
        id,
        categoryCode,
        nodeId: visit.nodeId,
        source: FromInspection.make({ visitId: visit.id, itemCode }, { disableValidation: true }),
        note: answer.note ?? item.text,
        evidence
      })
    }
    return Either.right({ register, covered })
  })

/**
 * What a visit decides about the rectified problems it looks at again: a `Reinspect` command per
 * problem, and the passes that cannot close a problem because the inspector rectified it.
 *
 * @since 0.1.0
 * @category re-inspection
 */
export interface Reinspections {
  readonly reinspect: ReadonlyArray<Reinspect>
  readonly rectifiedByInspector: ReadonlyArray<ProblemId>
}

/**
 * Derives the re-inspections a visit performs. Every open problem at the visit's node that awaits
 * re-inspection (state `rectified`) and whose category the template checks is re-inspected: it
 * passes when every item of its category passed, and fails otherwise. A pass by the inspector who
 * rectified the problem would close it without a second pair of eyes, so it is left rectified and
 * named in `rectifiedByInspector`; a fail by them is recorded. Commands are in `openProblems`' order
 * and decided on each problem's version.
 *
 * @since 0.1.0
 * @category re-inspection
 */
export const reinspectionsFromVisit = (
  visit: Visit,
  template: ChecklistTemplate,
  openProblems: ReadonlyArray<Problem>
): Reinspections => {
  const failed = new Set<string>()
  const checked = new Set<string>()
  const answers = new Map(visit.items.map((answer) => [answer.itemCode, answer]))
  for (const item of template.items) {
    checked.add(item.categoryCode)
    if (answers.get(item.code)?.result === "fail") failed.add(item.categoryCode)
  }
  const reinspect: Array<Reinspect> = []
  const rectifiedByInspector: Array<ProblemId> = []
  for (const problem of openProblems) {
    if (problem.nodeId !== visit.nodeId || problem.state !== "rectified" || !checked.has(problem.categoryCode)) continue
    const outcome = failed.has(problem.categoryCode) ? "fail" : "pass"
    if (outcome === "pass" && problem.rectification?.rectifiedBy === visit.inspector) {
      rectifiedByInspector.push(problem.id)
      continue
    }
    const evidence = Arr.dedupe(
      template.items.flatMap((item) =>
        item.categoryCode === problem.categoryCode ? (answers.get(item.code)?.evidence ?? []) : []
      )
    )
    reinspect.push(
      Reinspect.make(
        {
          problemId: problem.id,
          expectedVersion: problem.version,
          outcome,
          note: `re-inspected by visit ${visit.id}`,
          evidence
        },
        { disableValidation: true }
      )
    )
  }
  return { reinspect, rectifiedByInspector }
}

// --- re-inspection --------------------------------------------------------------------------------

/**
 * How often open problems are re-inspected, in days, by compound group: property-managed compounds
 * can be visited every 3 days and others every 7. A compound in several listed groups takes the most
 * frequent; one in none takes `defaultDays`.
 *
 * @since 0.1.0
 * @category re-inspection
 */
export class ReinspectionFrequency extends Schema.Class<ReinspectionFrequency>(
  "@sortgrid/issues/ReinspectionFrequency"
)(
  Schema.Struct({
    defaultDays: Schema.Int.pipe(Schema.between(1, 366)),
    byGroup: Schema.Array(Schema.Struct({ groupId: GroupId, days: Schema.Int.pipe(Schema.between(1, 366)) }))
  }).pipe(
    Schema.filter((frequency) => {
      const issues: Array<Schema.FilterIssue> = []
      frequency.byGroup.forEach((entry, index) => {
        if (frequency.byGroup.findIndex((other) => other.groupId === entry.groupId) !== index) {
          issues.push({ path: ["byGroup", index, "groupId"], message: `repeats ${entry.groupId}` })
        }
      })
      return issues
    })
  )
) {}

/**
 * Days between re-inspections of a problem at a compound in `groups` (the compound's groups as of
 * now): the smallest listed for those groups, or the default.
 *
 * @since 0.1.0
 * @category re-inspection
 */
export const reinspectionDays = (frequency: ReinspectionFrequency, groups: ReadonlyArray<GroupId>): number => {
  const listed = frequency.byGroup.filter((entry) => groups.includes(entry.groupId)).map((entry) => entry.days)
  return listed.length === 0 ? frequency.defaultDays : Math.min(...listed)
}

/**
 * When an open problem is next due for re-inspection: the frequency's days (24-hour days) after its
 * last visit, or after it was registered when it has not been visited since (`lastVisitAt` null or
 * earlier). `None` once the problem is closed.
 *
 * @since 0.1.0
 * @category re-inspection
 */
export const nextReinspectionAt = (
  problem: Problem,
  lastVisitAt: number | null,
  frequency: ReinspectionFrequency,
  groups: ReadonlyArray<GroupId>
): Option.Option<number> =>
  isOpen(problem)
    ? Option.some(
        Math.max(problem.registeredAt, lastVisitAt ?? problem.registeredAt) +
          reinspectionDays(frequency, groups) * dayMillis
      )
    : Option.none()

/**
 * Whether an open problem is due for re-inspection at `now`: from {@link nextReinspectionAt} on,
 * exactly, like deadlines.
 *
 * @since 0.1.0
 * @category re-inspection
 */
export const reinspectionDue = (
  problem: Problem,
  lastVisitAt: number | null,
  now: number,
  frequency: ReinspectionFrequency,
  groups: ReadonlyArray<GroupId>
): boolean =>
  Option.match(nextReinspectionAt(problem, lastVisitAt, frequency, groups), {
    onNone: () => false,
    onSome: (due) => now >= due
  })
