/**
 * The inspections service: campaigns and checklist templates are defined once (`issues.configure`);
 * an inspector records a visit (`issues.inspect` at the visited node), which in one transaction
 * stores the visit, registers a problem for each failing category that has no open problem at the
 * node, and re-inspects the rectified problems the checklist looks at again; the register's own
 * permissions (`issues.register`, `issues.transition`) apply to those writes. Re-inspection
 * scheduling lists the open problems due for a visit, more often in the compound groups the
 * configured frequency names.
 *
 * The inspector and the time of a visit are the service's — the authenticated actor and the `Clock`
 * — never the client's. The visit id is the idempotency key: recording it again with the same
 * content returns the first record; with other content it is a `Conflict`.
 *
 * @since 0.1.0
 */
import { type Actor, Audit, AuditLog, Errors, Json, Period, Permission, Transactor } from "@sortgrid/core"
import { GridStore } from "@sortgrid/grid/GridStore"
import { GroupStore } from "@sortgrid/grid/GroupStore"
import { NodeId } from "@sortgrid/grid/Node"
import { Clock, Effect, Either, Option, Schema } from "effect"
import * as Catalogue from "./Catalogue.js"
import * as Category from "./Category.js"
import * as Inspection from "./Inspection.js"
import { InspectionStore } from "./InspectionStore.js"
import { type Problem, VisitId } from "./Problem.js"
import { ProblemRegister, ProblemRegisterConfig } from "./ProblemRegister.js"
import { ProblemStore } from "./ProblemStore.js"

/**
 * Campaigns and templates to define; either list may be left out.
 *
 * @since 0.1.0
 * @category commands
 */
export class DefineInput extends Schema.Class<DefineInput>("@sortgrid/issues/DefineInput")({
  campaigns: Schema.optionalWith(Schema.Array(Inspection.Campaign), { default: () => [] }),
  templates: Schema.optionalWith(Schema.Array(Inspection.ChecklistTemplate), { default: () => [] })
}) {}

/**
 * A visit as an inspector submits it: everything but the inspector and the time.
 *
 * @since 0.1.0
 * @category commands
 */
export class VisitInput extends Schema.Class<VisitInput>("@sortgrid/issues/VisitInput")({
  id: VisitId,
  campaignId: Inspection.CampaignId,
  templateId: Inspection.TemplateId,
  nodeId: NodeId,
  items: Schema.Array(Inspection.ItemResult)
}) {}

/**
 * The answer for a recorded visit: its record, and whether it was recorded now or replayed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recorded {
  readonly record: Inspection.VisitRecord
  readonly outcome: "recorded" | "replayed"
}

/**
 * An open problem due for re-inspection, and since when.
 *
 * @since 0.1.0
 * @category models
 */
export interface Due {
  readonly problem: Problem
  readonly dueAt: number
  readonly lastVisitAt: number | null
}

/**
 * What the service's writes can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type InspectionError =
  | Errors.Invalid
  | Errors.Forbidden
  | Errors.Conflict
  | Errors.NotFound
  | Errors.StorageError

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

const encodedJson = <A, I>(schema: Schema.Schema<A, I>, value: A): Json.Json =>
  Schema.decodeUnknownSync(Json.Json)(Schema.encodeSync(schema)(value))

const sameContent = <A, I>(schema: Schema.Schema<A, I>, a: A, b: A): boolean =>
  Json.canonical(encodedJson(schema, a)) === Json.canonical(encodedJson(schema, b))

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, path: ReadonlyArray<string> = []) =>
  Effect.mapError(Schema.decodeUnknown(schema, decodeOptions)(input), (error) =>
    Errors.Invalid.fromParseError(error, path)
  )

const failIfAny = (issues: ReadonlyArray<Errors.Issue>): Effect.Effect<void, Errors.Invalid> => {
  const [first, ...rest] = issues
  return first === undefined ? Effect.void : Effect.fail(new Errors.Invalid({ issues: [first, ...rest] }))
}

/** Definitions of the same kind repeating an id within one call. */
const repeatedIds = (kind: string, ids: ReadonlyArray<string>): Array<Errors.Issue> =>
  ids.flatMap((id, index) =>
    ids.indexOf(id) === index ? [] : [new Errors.Issue({ path: [kind, index, "id"], reason: `repeats ${id}` })]
  )

/** New definitions; a stored one with the same id must have the same content. */
const newDefinitions = <A extends { readonly id: string }, I>(
  schema: Schema.Schema<A, I>,
  entity: string,
  wanted: ReadonlyArray<A>,
  stored: ReadonlyArray<A>
): Either.Either<ReadonlyArray<A>, Errors.Conflict> => {
  const byId = new Map(stored.map((definition) => [definition.id, definition]))
  const fresh: Array<A> = []
  for (const definition of wanted) {
    const existing = byId.get(definition.id)
    if (existing === undefined) fresh.push(definition)
    else if (!sameContent(schema, existing, definition)) {
      return Either.left(
        new Errors.Conflict({ entity, id: definition.id, reason: "is defined already with other content" })
      )
    }
  }
  return Either.right(fresh)
}

/**
 * Defines inspection campaigns and templates, records visits, and schedules re-inspections.
 *
 * @since 0.1.0
 * @category services
 */
export class Inspections extends Effect.Service<Inspections>()("@sortgrid/issues/Inspections", {
  effect: Effect.gen(function* () {
    const grid = yield* GridStore
    const groups = yield* GroupStore
    const store = yield* InspectionStore
    const problems = yield* ProblemStore
    const register = yield* ProblemRegister
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const config = yield* ProblemRegisterConfig
    const offset = config.calendar.utcOffsetMinutes

    const dateOf = (at: number) => Period.isoDateOfDay(Period.dayOfInstant(at, offset))

    /**
     * Defines campaigns and templates (`{ campaigns?, templates? }`). Every category they name must
     * be in the catalogue. Ids already defined with the same content are left as they are.
     */
    const define = (actor: Actor.Actor, input: unknown): Effect.Effect<DefineInput, InspectionError> =>
      Effect.gen(function* () {
        yield* Permission.decide(grants, actor, { permission: "issues.configure" })
        const wanted = yield* decode(DefineInput, input)
        const known = (code: string) => Option.isSome(Catalogue.find(config.catalogue, code))
        yield* failIfAny([
          ...repeatedIds(
            "campaigns",
            wanted.campaigns.map((campaign) => campaign.id)
          ),
          ...repeatedIds(
            "templates",
            wanted.templates.map((template) => template.id)
          ),
          ...wanted.campaigns.flatMap((campaign, index) =>
            campaign.categories.flatMap((code, position) =>
              known(code)
                ? []
                : [
                    new Errors.Issue({
                      path: ["campaigns", index, "categories", position],
                      reason: `${code} is not a category`
                    })
                  ]
            )
          ),
          ...wanted.templates.flatMap((template, index) =>
            template.items.flatMap((item, position) =>
              known(item.categoryCode)
                ? []
                : [
                    new Errors.Issue({
                      path: ["templates", index, "items", position, "categoryCode"],
                      reason: `${item.categoryCode} is not a category`
                    })
                  ]
            )
          )
        ])
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const written = yield* store.define(
              {
                campaignIds: wanted.campaigns.map((campaign) => campaign.id),
                templateIds: wanted.templates.map((template) => template.id)
              },
              (stored) =>
                Either.all({
                  campaigns: newDefinitions(Inspection.Campaign, "Campaign", wanted.campaigns, stored.campaigns),
                  templates: newDefinitions(
                    Inspection.ChecklistTemplate,
                    "ChecklistTemplate",
                    wanted.templates,
                    stored.templates
                  )
                })
            )
            const drafts = [
              ...written.campaigns.map((campaign) =>
                Audit.AuditDraft.make({
                  id: Audit.AuditEntryId.make(`campaign.${Json.digest([campaign.id])}`),
                  actor: actor.id,
                  action: "inspection.campaign.defined",
                  subject: `campaign:${campaign.id}`,
                  payload: encodedJson(Inspection.Campaign, campaign)
                })
              ),
              ...written.templates.map((template) =>
                Audit.AuditDraft.make({
                  id: Audit.AuditEntryId.make(`template.${Json.digest([template.id])}`),
                  actor: actor.id,
                  action: "inspection.template.defined",
                  subject: `template:${template.id}`,
                  payload: encodedJson(Inspection.ChecklistTemplate, template)
                })
              )
            ]
            yield* audit.append(drafts)
            return wanted
          })
        )
      })

    /** The campaign and template a visit names, or an `Invalid` naming the missing one. */
    const definitionsOf = (visit: VisitInput) =>
      Effect.gen(function* () {
        const { campaigns, templates } = yield* store.definitions({
          campaignIds: [visit.campaignId],
          templateIds: [visit.templateId]
        })
        const [campaign] = campaigns
        const [template] = templates
        if (campaign !== undefined && template !== undefined) return { campaign, template }
        return yield* failIfAny([
          ...(campaign === undefined
            ? [new Errors.Issue({ path: ["visit", "campaignId"], reason: `no campaign ${visit.campaignId}` })]
            : []),
          ...(template === undefined
            ? [new Errors.Issue({ path: ["visit", "templateId"], reason: `no template ${visit.templateId}` })]
            : [])
        ]).pipe(Effect.zipRight(Effect.die("unreachable: a missing definition is reported")))
      })

    /** The register inputs for a derivation, each with its failing item's code and attributes. */
    const registerInputs = (visit: Inspection.Visit, derivation: Inspection.Derivation) => {
      const answers = new Map<string, { answer: Inspection.ItemResult; index: number }>(
        visit.items.map((answer, index) => [answer.itemCode, { answer, index }])
      )
      const issues: Array<Errors.Issue> = []
      const inputs: Array<{ readonly itemCode: Inspection.ItemCode; readonly input: unknown }> = []
      for (const command of derivation.register) {
        const found = answers.get(command.source.itemCode)
        const category = Catalogue.find(config.catalogue, command.categoryCode)
        if (found === undefined || Option.isNone(category)) continue
        const checked = Category.validateAttributes(category.value, found.answer.attributes, [
          "visit",
          "items",
          found.index,
          "attributes"
        ])
        if (Either.isLeft(checked)) issues.push(...checked.left.issues)
        inputs.push({
          itemCode: found.answer.itemCode,
          input: {
            id: command.id,
            categoryCode: command.categoryCode,
            nodeId: command.nodeId,
            source: command.source,
            note: command.note,
            evidence: command.evidence,
            attributes: Either.getOrElse(checked, () => ({}))
          }
        })
      }
      return { inputs, issues }
    }

    /**
     * Records a visit (`{ id, campaignId, templateId, nodeId, items }`) as done by the actor now;
     * errors name the visit's fields (`visit.items[2].evidence`).
     */
    const recordVisit = (actor: Actor.Actor, input: unknown): Effect.Effect<Recorded, InspectionError> =>
      Effect.gen(function* () {
        const submitted = yield* decode(VisitInput, input, ["visit"])
        const at = yield* Clock.currentTimeMillis
        const visit = new Inspection.Visit({ ...submitted, inspector: actor.id, at }, { disableValidation: true })
        const [node] = yield* grid.versions({ asOf: dateOf(at), ids: [visit.nodeId] })
        if (node === undefined) {
          return yield* Effect.fail(
            Errors.Invalid.one(["visit", "nodeId"], `node ${visit.nodeId} does not exist on ${dateOf(at)}`)
          )
        }
        yield* Permission.decide(grants, actor, { permission: "issues.inspect", at: node.path })
        const { campaign, template } = yield* definitionsOf(submitted)
        yield* Inspection.validateVisit(visit, { campaign, template, nodeKind: node.kind })
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const stored = yield* store.visit(visit.id)
            if (stored !== null) {
              const same =
                stored.visit.inspector === visit.inspector &&
                sameContent(VisitInput, new VisitInput(stored.visit, { disableValidation: true }), submitted)
              return same
                ? { record: stored, outcome: "replayed" as const }
                : yield* Effect.fail(
                    new Errors.Conflict({ entity: "Visit", id: visit.id, reason: "was recorded with other content" })
                  )
            }
            const open = yield* problems.open({ nodeIds: [visit.nodeId] })
            const derivation = yield* Inspection.problemsFromVisit(visit, template, open)
            const { inputs, issues } = registerInputs(visit, derivation)
            yield* failIfAny(issues)
            const { reinspect, rectifiedByInspector } = Inspection.reinspectionsFromVisit(visit, template, open)
            const registered = yield* register.registerMany(
              actor,
              inputs.map(({ input }) => input)
            )
            const reinspected = yield* register.transitionMany(actor, reinspect)
            const record = new Inspection.VisitRecord(
              {
                visit,
                registered: registered.flatMap(({ outcome, problem }) =>
                  outcome === "registered" ? [problem.id] : []
                ),
                covered: [
                  ...derivation.covered,
                  ...registered.flatMap(({ outcome, problem }, index) =>
                    outcome === "deduplicated"
                      ? [
                          {
                            itemCode: inputs[index]!.itemCode,
                            categoryCode: problem.categoryCode,
                            problemId: problem.id,
                            by: "open-problem" as const
                          }
                        ]
                      : []
                  )
                ],
                reinspected: reinspected.map(({ event, problem }) => ({
                  problemId: problem.id,
                  outcome: event.closure === null ? ("fail" as const) : ("pass" as const)
                })),
                rectifiedByInspector
              },
              { disableValidation: true }
            )
            yield* store.save(record)
            yield* audit.append([
              Audit.AuditDraft.make({
                id: Audit.AuditEntryId.make(`visit.${Json.digest([visit.id])}`),
                actor: actor.id,
                action: "inspection.visit.recorded",
                subject: `node:${visit.nodeId}`,
                payload: encodedJson(Inspection.VisitRecord, record)
              })
            ])
            return { record, outcome: "recorded" as const }
          })
        )
      })

    /** Visits to nodes on or under a path (the tree as of today), optionally of one campaign and span. */
    const visits = (
      actor: Actor.Actor,
      query: {
        readonly under: Actor.NodePath
        readonly campaignId?: Inspection.CampaignId | undefined
        readonly during?: { readonly from: number; readonly to: number } | undefined
      }
    ): Effect.Effect<ReadonlyArray<Inspection.VisitRecord>, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* Permission.decide(grants, actor, { permission: "issues.read", at: query.under })
        const now = yield* Clock.currentTimeMillis
        const nodes = yield* grid.versions({ asOf: dateOf(now), under: query.under })
        return yield* store.visits({
          nodeIds: nodes.map((node) => node.nodeId),
          campaignId: query.campaignId,
          during: query.during
        })
      })

    /**
     * The open problems on or under a path due for re-inspection now, earliest due first: each is due
     * the frequency's days after its node's last visit (or its registration), fewer days for nodes in
     * the groups the frequency lists (property-managed compounds, say).
     */
    const reinspectionsDue = (
      actor: Actor.Actor,
      query: { readonly under: Actor.NodePath; readonly frequency: Inspection.ReinspectionFrequency }
    ): Effect.Effect<ReadonlyArray<Due>, Errors.Forbidden | Errors.StorageError> =>
      Effect.gen(function* () {
        yield* Permission.decide(grants, actor, { permission: "issues.read", at: query.under })
        const now = yield* Clock.currentTimeMillis
        const asOf = dateOf(now)
        const nodes = yield* grid.versions({ asOf, under: query.under })
        const open = yield* problems.open({ nodeIds: nodes.map((node) => node.nodeId) })
        const nodeIds = [...new Set(open.map((problem) => problem.nodeId))]
        const last = yield* store.lastVisits(nodeIds)
        const memberships = yield* groups.memberships({ asOf, nodeIds })
        const groupsOf = new Map<string, Array<(typeof memberships)[number]["groupId"]>>()
        for (const membership of memberships) {
          groupsOf.set(membership.nodeId, [...(groupsOf.get(membership.nodeId) ?? []), membership.groupId])
        }
        return open
          .flatMap((problem): Array<Due> => {
            const lastVisitAt = last.get(problem.nodeId) ?? null
            const dueAt = Inspection.nextReinspectionAt(
              problem,
              lastVisitAt,
              query.frequency,
              groupsOf.get(problem.nodeId) ?? []
            )
            return Option.isSome(dueAt) && now >= dueAt.value ? [{ problem, dueAt: dueAt.value, lastVisitAt }] : []
          })
          .sort((a, b) => a.dueAt - b.dueAt || (a.problem.id < b.problem.id ? -1 : 1))
      })

    return { define, recordVisit, visits, reinspectionsDue } as const
  })
}) {}
