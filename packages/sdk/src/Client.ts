/**
 * The Promise facade, for apps that do not use Effect. Every method decodes its input, runs the
 * same service (with the same permission checks) an Effect user would, and resolves with the result
 * or rejects with the service's typed error — an `Error` whose `_tag` says which
 * (`Invalid`, `Forbidden`, `Conflict`, `NotFound`, `StoreUnavailable`, `StorageError`) and whose
 * `message` says why.
 *
 * ```ts
 * const sortgrid = await Client.open({ store: "sqlite:./sortgrid.db" })
 * try {
 *   const report = await sortgrid.audit.verify(actor)
 * } finally {
 *   await sortgrid.close()
 * }
 * ```
 *
 * @since 0.1.0
 */
import { type AssessmentStore, Assessments, type Consequence, type Scheme } from "@sortgrid/assessment"
import { Actor, Audit, AuditLog, Errors, Period } from "@sortgrid/core"
import {
  type Assignment,
  type DivisionImport,
  type Duty,
  DutyRoster,
  Geography,
  type Geometry,
  Grid,
  Group,
  Node,
  type Outreach,
  OutreachEvents,
  People,
  Person,
  Profile,
  type Rollup,
  type RosterImport,
  type Site,
  Sites,
  type Tabular,
  type Tree
} from "@sortgrid/grid"
import { Inspection, Inspections, type Lifecycle, Problem, ProblemRegister, type Stats } from "@sortgrid/issues"
import {
  Account,
  CertifiedTask,
  Earnings,
  type Household,
  Households,
  Ledger,
  type Posting,
  Redemption,
  Redemptions,
  Tasks
} from "@sortgrid/ledger"
import { Cause, type Context, Effect, Exit, ManagedRuntime, Option, Schema } from "effect"
import type * as GeoJSON from "geojson"
import * as Consequences from "./Consequences.js"
import * as Sortgrid from "./Sortgrid.js"

/**
 * An actor as plain data: `{ id, roles, scope }`.
 *
 * @since 0.1.0
 * @category models
 */
export type ActorInput = typeof Actor.Actor.Encoded

/**
 * An open sortgrid, as Promises.
 *
 * @since 0.1.0
 * @category models
 */
export interface SortgridClient {
  readonly audit: {
    /** Appends entries (`{ id, actor, action, subject, payload }`) as the actor; needs `audit.append`. */
    readonly record: (actor: ActorInput, entries: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Audit.AuditEntry>>
    /** Reads entries in position order; needs `audit.read`. */
    readonly read: (
      actor: ActorInput,
      options?: { readonly fromPosition?: number; readonly limit?: number }
    ) => Promise<ReadonlyArray<Audit.AuditEntry>>
    /** Verifies the whole chain against the stored head and any anchors; needs `audit.verify`. */
    readonly verify: (
      actor: ActorInput,
      options?: { readonly anchors?: ReadonlyArray<typeof Audit.AuditHead.Encoded> }
    ) => Promise<Audit.Verification>
  }
  readonly grid: {
    /** Imports a division list (CSV `code,name,parentCode`); needs `grid.edit` where rows land. */
    readonly importDivisions: (
      actor: ActorInput,
      csv: string,
      options: { readonly effectiveOn: string; readonly mode: Tabular.ImportMode }
    ) => Promise<Tabular.ImportReport<DivisionImport.PlannedDivision>>
    /** Opens nodes (`{ id, kind, name, parentId?, code?, nameEn?, effectiveOn }`); needs `grid.edit`. */
    readonly open: (actor: ActorInput, nodes: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Node.NodeVersion>>
    /** Applies a change (`{ _tag: "MoveNode" | "RenameNode" | "CloseNode" | "MergeNodes" | "SplitNode", … }`). */
    readonly change: (actor: ActorInput, change: unknown) => Promise<Tree.TreePlan>
    /** One node as of a date. */
    readonly node: (actor: ActorInput, id: string, asOf: string) => Promise<Node.NodeVersion>
    /** A node's children as of a date. */
    readonly children: (actor: ActorInput, id: string, asOf: string) => Promise<ReadonlyArray<Node.NodeVersion>>
    /** A node and its ancestors as of a date, root first. */
    readonly ancestors: (actor: ActorInput, id: string, asOf: string) => Promise<ReadonlyArray<Node.NodeVersion>>
    /** The subtree under a path as of a date, optionally of some kinds. */
    readonly subtree: (
      actor: ActorInput,
      query: { readonly under: string; readonly asOf: string; readonly kinds?: ReadonlyArray<string> }
    ) => Promise<ReadonlyArray<Node.NodeVersion>>
    /** How many nodes of each kind lie under a path on a date. */
    readonly countByKind: (
      actor: ActorInput,
      query: { readonly under: string; readonly asOf: string }
    ) => Promise<ReadonlyArray<{ readonly kind: string; readonly count: number }>>
    /** Group memberships in force on a date under a path (urban/rural, property management…). */
    readonly memberships: (
      actor: ActorInput,
      query: { readonly under: string; readonly asOf: string; readonly groupId?: string }
    ) => Promise<ReadonlyArray<Group.Membership>>
    /** Assigns nodes to groups or takes them out (`{ _tag: "Assign" | "Unassign", nodeId, groupId, effectiveOn }`). */
    readonly changeMemberships: (actor: ActorInput, commands: ReadonlyArray<unknown>) => Promise<Group.MembershipPlan>
    /** The division list under a path on a date, as CSV (`code,name,parentCode,kind,setting`). */
    readonly exportDivisions: (
      actor: ActorInput,
      query: { readonly under: string; readonly asOf: string }
    ) => Promise<string>
    /** Rolls values (node id → number) up the subtree under a path as it stood on a date. */
    readonly rollup: (
      actor: ActorInput,
      query: {
        readonly under: string
        readonly asOf: string
        readonly values: Readonly<Record<string, number>>
        readonly aggregation: Rollup.Aggregation
      }
    ) => Promise<Readonly<Record<string, Rollup.Rolled>>>
  }
  readonly sites: {
    /** Sets site details from dates (`{ nodeId, effectiveOn, details: { _tag: "BinStation", … } }`). */
    readonly set: (actor: ActorInput, sites: ReadonlyArray<unknown>) => Promise<Site.SitePlan>
    /** The details in force on a date of every site under a path. */
    readonly list: (
      actor: ActorInput,
      query: { readonly under: string; readonly asOf: string }
    ) => Promise<ReadonlyArray<Site.SiteVersion>>
  }
  readonly geography: {
    /** Sets node geometries from dates (GeoJSON Polygon/MultiPolygon for territories, Point for sites). */
    readonly set: (
      actor: ActorInput,
      geometries: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Geometry.GeometryVersion>>
    /** The deepest node containing a `[lon, lat]` point on a date, or `undefined`. */
    readonly locate: (actor: ActorInput, point: unknown, asOf: string) => Promise<Geometry.NodeGeometry | undefined>
    /** The subtree under a path on a date as a GeoJSON FeatureCollection. */
    readonly export: (actor: ActorInput, under: string, asOf: string) => Promise<GeoJSON.FeatureCollection>
  }
  readonly people: {
    /** Registers people (`{ id, name, phone? }`); needs `people.edit`. */
    readonly register: (actor: ActorInput, people: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Person.Person>>
    /** Assigns people to nodes in roles from dates (`{ id, personId, role, nodeId, validFrom, validTo? }`). */
    readonly assign: (
      actor: ActorInput,
      assignments: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Assignment.Assignment>>
    /** Ends assignments on dates (`{ assignmentId, effectiveOn }`). */
    readonly endAssignments: (
      actor: ActorInput,
      ends: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Assignment.Assignment>>
    /** Assignments in force on a date, of a person, a node, or the nodes under a path. */
    readonly assignments: (
      actor: ActorInput,
      query: People.AssignmentQuery
    ) => Promise<ReadonlyArray<Assignment.Assignment>>
    /** The actor a person is on a date: their roles, and the paths of the nodes they are assigned to. */
    readonly actorFor: (personId: string, asOf: string) => Promise<Actor.Actor>
    /** Imports a roster from CSV or XLSX, row by row. */
    readonly importRoster: (
      actor: ActorInput,
      file: People.RosterFile
    ) => Promise<Tabular.ImportReport<RosterImport.RosterEntry>>
  }
  readonly duty: {
    /** Defines shift templates at bin stations. */
    readonly defineTemplates: (actor: ActorInput, templates: ReadonlyArray<unknown>) => Promise<unknown>
    /** Posts a duty project calling for volunteers. */
    readonly postProject: (actor: ActorInput, project: unknown) => Promise<Duty.DutyProject>
    /** Signs volunteers up to a project. */
    readonly signUp: (actor: ActorInput, signUps: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Duty.SignUp>>
    /** Records check-ins at bin stations; needs `duty.checkin` over the station. */
    readonly checkIn: (
      actor: ActorInput,
      checkIns: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Duty.CheckInRecord>>
    /** Expected shifts under a path in a period (`2023-06`, `2023-Q2`…) that nobody checked in for. */
    readonly noShows: (actor: ActorInput, query: PeriodQueryInput) => Promise<Duty.NoShowReport>
    /** Presence rate under a path in a period, with numerators and denominators. */
    readonly presence: (actor: ActorInput, query: PeriodQueryInput) => Promise<Duty.PresenceReport>
  }
  readonly outreach: {
    /** Records outreach events (the five campaign kinds). */
    readonly record: (actor: ActorInput, events: ReadonlyArray<unknown>) => Promise<unknown>
    /** Sets a month's theme. */
    readonly setTheme: (actor: ActorInput, theme: unknown) => Promise<unknown>
    /** Events, participants and households reached under a path in a period. */
    readonly stats: (actor: ActorInput, query: PeriodQueryInput) => Promise<Outreach.OutreachStats>
  }
  readonly problems: {
    /** Registers problems (`{ id, categoryCode, nodeId, note?, evidence?, attributes? }`); the deadline comes from the SLA. */
    readonly register: (
      actor: ActorInput,
      problems: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<ProblemRegister.Registration>>
    /** Moves a problem through its lifecycle (`{ _tag: "Assign" | "Rectify" | "Reinspect" | …, problemId, expectedVersion, … }`). */
    readonly transition: (actor: ActorInput, change: unknown) => Promise<Lifecycle.Transition>
    /** Moves several problems at once: every change is stored, or none. */
    readonly transitionMany: (
      actor: ActorInput,
      changes: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Lifecycle.Transition>>
    /** The escalation run: escalates every problem under the path overdue by the configured days. */
    readonly escalateOverdue: (
      actor: ActorInput,
      query: { readonly under: string }
    ) => Promise<ReadonlyArray<Lifecycle.Transition>>
    /** Every event of a problem, oldest first. */
    readonly history: (actor: ActorInput, id: string) => Promise<ReadonlyArray<Lifecycle.ProblemEvent>>
    /** Problem stats per node under a path in a period (`2023-01`, `2023-Q2`…). */
    readonly stats: (
      actor: ActorInput,
      query: { readonly under: string; readonly period: string }
    ) => Promise<Stats.Stats>
  }
  readonly inspections: {
    /** Defines campaigns and checklist templates (`{ campaigns?, templates? }`), once per id. */
    readonly define: (actor: ActorInput, definitions: unknown) => Promise<Inspections.DefineInput>
    /** Records a visit (`{ id, campaignId, templateId, nodeId, items }`): failing items register problems. */
    readonly recordVisit: (actor: ActorInput, visit: unknown) => Promise<Inspections.Recorded>
    /** Visits under a path, optionally of one campaign. */
    readonly visits: (
      actor: ActorInput,
      query: { readonly under: string; readonly campaignId?: string }
    ) => Promise<ReadonlyArray<Inspection.VisitRecord>>
    /** Open problems under a path due for re-inspection now (`frequency`: `{ defaultDays, byGroup }`). */
    readonly reinspectionsDue: (
      actor: ActorInput,
      query: { readonly under: string; readonly frequency: unknown }
    ) => Promise<ReadonlyArray<Inspections.Due>>
  }
  readonly ledger: {
    /** Creates accounts (`{ id, ledger, code, ownerReference?, flags? }`), once per id; needs `ledger.accounts`. */
    readonly createAccounts: (
      actor: ActorInput,
      accounts: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Account.CreateAccountOutcome>>
    /**
     * Creates a batch of transfers (`{ id, debitAccountId, creditAccountId, amount, ledger, code, … }`) in one
     * transaction: one outcome per transfer, `Ok`, `Exists` (a retry) or why it was refused; needs `ledger.post`.
     */
    readonly createTransfers: (
      actor: ActorInput,
      transfers: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Posting.TransferOutcome>>
    /** An account's balances now, or as of an instant (`asOf`, milliseconds since the epoch); needs `ledger.read`. */
    readonly balance: (
      actor: ActorInput,
      accountId: string,
      options?: { readonly asOf?: number }
    ) => Promise<Ledger.BalanceView>
    /** A page of an account's statement, oldest first; pass the page's `next` as `after` for the next one. */
    readonly statement: (
      actor: ActorInput,
      query: {
        readonly accountId: string
        readonly after?: string
        readonly limit?: number
        readonly language?: "zh" | "en"
      }
    ) => Promise<Ledger.Statement>
    /** Voids the timed-out holds and expires the lots due in a ledger; needs `ledger.expire`. */
    readonly expire: (actor: ActorInput, ledger: string) => Promise<Ledger.ExpiryRun>
    /** Recomputes every balance from the transfers and reports the accounts that drifted; needs `ledger.reconcile`. */
    readonly reconcile: (actor: ActorInput) => Promise<Ledger.Reconciliation>
  }
  /** The points programme: earning, redemption at merchants (balances and statements are in `ledger`). */
  readonly points: {
    /** Decides and posts claims (`{ ledger, claims: [{ id, code, residentReference, walletAccountId, … }] }`); needs `ledger.earn`. */
    readonly earn: (actor: ActorInput, request: unknown) => Promise<ReadonlyArray<Earnings.ClaimOutcome>>
    /** Posts the lock holds of a ledger whose lock period has ended; needs `ledger.expire`. */
    readonly releaseLocks: (actor: ActorInput, ledger: string) => Promise<Earnings.ReleaseRun>
    /** Defines merchants (`{ id, ledger, accountId, kind, name: { zh, en }, closed? }`); needs `ledger.catalogue`. */
    readonly defineMerchants: (
      actor: ActorInput,
      merchants: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Redemption.Merchant>>
    /** Defines catalogue items (`{ merchantId, code, name, pointCost, stock?, offered? }`); needs `ledger.catalogue`. */
    readonly defineItems: (actor: ActorInput, items: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Redemption.Item>>
    /** Restocks or writes off units (`{ id, merchantId, itemCode, delta }`), once per id; needs `ledger.catalogue`. */
    readonly adjustStock: (actor: ActorInput, adjustment: unknown) => Promise<Redemption.Item>
    /** A merchant and its items; needs `ledger.read`. */
    readonly catalogue: (actor: ActorInput, merchantId: string) => Promise<Redemptions.Catalogue>
    /** Holds a basket at the counter (`{ id, merchantId, walletAccountId, lines, timeoutSeconds? }`); needs `ledger.redeem`. */
    readonly redeem: (actor: ActorInput, redemption: unknown) => Promise<Redemptions.StepResult>
    /**
     * Holds baskets in one transaction, each decided after the ones before it (`[{ id, merchantId,
     * walletAccountId, lines, timeoutSeconds? }]`, at most 8,000): one result per basket, in order;
     * needs `ledger.redeem`.
     */
    readonly redeemMany: (
      actor: ActorInput,
      redemptions: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Redemptions.StepResult>>
    /** Hands a redemption over (`{ redemptionId, lines? }`): posts its holds, takes stock; needs `ledger.redeem`. */
    readonly handOver: (actor: ActorInput, handOver: unknown) => Promise<Redemptions.StepResult>
    /** Hands redemptions over in one transaction (`[{ redemptionId, lines? }]`): one result each, in order; needs `ledger.redeem`. */
    readonly handOverMany: (
      actor: ActorInput,
      handOvers: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Redemptions.StepResult>>
    /** Cancels a redemption: voids its holds; needs `ledger.redeem`. */
    readonly cancel: (actor: ActorInput, redemptionId: string) => Promise<Redemptions.StepResult>
    /** Cancels redemptions in one transaction (`[redemptionId]`): one result each, in order; needs `ledger.redeem`. */
    readonly cancelMany: (
      actor: ActorInput,
      redemptionIds: ReadonlyArray<string>
    ) => Promise<ReadonlyArray<Redemptions.StepResult>>
    /** A merchant's settlement report for a period (`{ merchantId, period: "2023-06" }`); needs `ledger.settlement`. */
    readonly settlement: (
      actor: ActorInput,
      query: { readonly merchantId: string; readonly period: string }
    ) => Promise<Redemption.Settlement>
  }
  /** Household wallets: households, residents joining, moving out with a share of the points. */
  readonly households: {
    /** Creates households (`{ reference, ledger, walletAccountId }`); needs `ledger.households`. */
    readonly create: (
      actor: ActorInput,
      households: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<Household.Household>>
    /** A resident joins a household from now (`{ householdReference, residentReference }`); needs `ledger.households`. */
    readonly join: (actor: ActorInput, join: unknown) => Promise<Household.Membership>
    /** Moves a resident out (`{ id, householdReference, residentReference, toAccountId, policy? }`); needs `ledger.households`. */
    readonly moveOut: (actor: ActorInput, move: unknown) => Promise<Households.MoveResult>
    /** A household and its members now; needs `ledger.read`. */
    readonly get: (
      actor: ActorInput,
      reference: string
    ) => Promise<{ readonly household: Household.Household; readonly members: ReadonlyArray<Household.Membership> }>
  }
  /** Certified tasks: credited once, on certification by someone other than who did them. */
  readonly tasks: {
    /** Assigns a task (`{ id, ledger, points, budgetAccountId, walletAccountId, assigneeReference, code? }`). */
    readonly assign: (actor: ActorInput, task: unknown) => Promise<Tasks.TaskResult>
    /** Records a task done (`{ taskId, expectedVersion? }`); needs `ledger.tasks.complete`. */
    readonly complete: (actor: ActorInput, step: unknown) => Promise<Tasks.TaskResult>
    /** Certifies a done task and credits it once (`{ taskId, expectedVersion? }`); needs `ledger.tasks.certify`. */
    readonly certify: (actor: ActorInput, step: unknown) => Promise<Tasks.TaskResult>
    /** Sends a done task back (`{ taskId, reason, expectedVersion? }`); needs `ledger.tasks.certify`. */
    readonly reject: (actor: ActorInput, step: unknown) => Promise<Tasks.TaskResult>
    /** Cancels a task not yet certified (`{ taskId, expectedVersion? }`); needs `ledger.tasks.assign`. */
    readonly cancel: (actor: ActorInput, step: unknown) => Promise<Tasks.TaskResult>
    /** A task by id; needs `ledger.read`. */
    readonly get: (actor: ActorInput, id: string) => Promise<CertifiedTask.CertifiedTask>
    /** The tasks of an assignee; needs `ledger.read`. */
    readonly of: (actor: ActorInput, assigneeReference: string) => Promise<ReadonlyArray<CertifiedTask.CertifiedTask>>
  }
  readonly assessment: {
    /** Defines a scheme version (its JSON document); version n + 1 of a scheme, with the diff against n. */
    readonly defineScheme: (actor: ActorInput, scheme: unknown) => Promise<Assessments.Defined>
    /** Every version of a scheme, oldest first. */
    readonly schemeVersions: (actor: ActorInput, id: string) => Promise<ReadonlyArray<AssessmentStore.StoredScheme>>
    /** The changes between two versions of a scheme. */
    readonly schemeDiff: (
      actor: ActorInput,
      query: { readonly id: string; readonly from: number; readonly to: number }
    ) => Promise<ReadonlyArray<Scheme.Change>>
    /** Enters or imports data values (`[{ element, node, period, value, provenance? }]`) in one transaction. */
    readonly enterValues: (
      actor: ActorInput,
      values: ReadonlyArray<unknown>
    ) => Promise<ReadonlyArray<AssessmentStore.StoredValue>>
    /** Scores a scheme for a period (`{ schemeId, period, units? }`) into a stored result version. */
    readonly evaluate: (actor: ActorInput, input: unknown) => Promise<Assessments.Scored>
    /** Scores an approved period again under a scheme version (`{ schemeId, period, schemeVersion? }`). */
    readonly rescore: (actor: ActorInput, input: unknown) => Promise<Assessments.Scored>
    /** Every stored version of a result, oldest first. */
    readonly results: (
      actor: ActorInput,
      query: { readonly schemeId: string; readonly period: string }
    ) => Promise<ReadonlyArray<AssessmentStore.StoredResult>>
    /** Approves units (`{ schemeId, period, units }`), bottom-up. */
    readonly approve: (actor: ActorInput, input: unknown) => Promise<ReadonlyArray<AssessmentStore.UnitApproval>>
    /** Unapproves units (`{ schemeId, period, units, reason? }`), top-down, audited. */
    readonly unapprove: (actor: ActorInput, input: unknown) => Promise<ReadonlyArray<AssessmentStore.UnitApproval>>
    /** Decides an appeal with corrected data (`{ id, schemeId, period, unit, reason, corrections }`). */
    readonly appeal: (actor: ActorInput, input: unknown) => Promise<Assessments.Scored>
    /** The actions consequence rules emit over the latest result. */
    readonly consequences: (
      actor: ActorInput,
      query: { readonly schemeId: string; readonly period: string; readonly rules: unknown }
    ) => Promise<ReadonlyArray<Consequence.Action>>
    /** Puts consequence actions on the problem register, in the categories `categoryOf` maps them to. */
    readonly registerConsequences: (
      actor: ActorInput,
      actions: ReadonlyArray<Consequence.Action>,
      mapping: Consequences.Mapping
    ) => Promise<ReadonlyArray<ProblemRegister.Registration>>
    /** Splits a fund over the latest result (`{ schemeId, period, fund, rule, capFen?, floorFen?, penalties? }`). */
    readonly allocate: (actor: ActorInput, input: unknown) => Promise<Assessments.Payout>
    /** A unit's health check, as data and Markdown. */
    readonly healthCheck: (
      actor: ActorInput,
      query: {
        readonly schemeId: string
        readonly period: string
        readonly unit: string
        readonly periods?: number
        readonly weakest?: number
      }
    ) => Promise<Assessments.Health>
  }
  /** Runs any Effect program against this client's services: the way down from Promises to Effect. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Sortgrid.Services>) => Promise<A>
  /** Closes the store. The client must not be used afterwards. */
  readonly close: () => Promise<void>
}

const decodeActor = (input: ActorInput) =>
  Effect.mapError(Schema.decodeUnknown(Actor.Actor, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, ["actor"])
  )

/**
 * A path and a period on the wire: `{ under: "/110112/", period: "2023-06", asOf?: "2023-06-30" }`.
 *
 * @since 0.1.0
 * @category models
 */
export type PeriodQueryInput = typeof PeriodQuery.Encoded

const PeriodQuery = Schema.Struct({
  under: Actor.NodePath,
  period: Period.PeriodFromString,
  asOf: Schema.optional(Period.IsoDate)
})

/** Decodes a plain argument with a schema; a failure is `Invalid` at the argument's name. */
const UnderQuery = Schema.Struct({ under: Actor.NodePath })
const VisitsQuery = Schema.Struct({ under: Actor.NodePath, campaignId: Schema.optional(Inspection.CampaignId) })
const DueQuery = Schema.Struct({ under: Actor.NodePath, frequency: Inspection.ReinspectionFrequency })

const decodeInput = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, { errors: "all" })(input), (error) =>
    Errors.Invalid.fromParseError(error, [field])
  )

const SubtreeQuery = Schema.Struct({
  under: Actor.NodePath,
  asOf: Period.IsoDate,
  kinds: Schema.optional(Schema.Array(Profile.NodeKind))
})

const MembershipQuery = Schema.Struct({
  under: Actor.NodePath,
  asOf: Period.IsoDate,
  groupId: Schema.optional(Group.GroupId)
})

const RollupQuery = Schema.Struct({
  under: Actor.NodePath,
  asOf: Period.IsoDate,
  values: Schema.Record({ key: Schema.String, value: Schema.Number.pipe(Schema.finite()) }),
  aggregation: Schema.Literal("sum", "average", "count", "min", "max")
})

const BalanceOptions = Schema.Struct({ asOf: Schema.optional(Account.EpochMillis) })
const StatementQuery = Schema.Struct({
  accountId: Account.AccountId,
  after: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.Int),
  language: Schema.optional(Schema.Literal("zh", "en"))
})

const decodeAnchors = (input: ReadonlyArray<unknown> | undefined) =>
  Effect.mapError(Schema.decodeUnknown(Schema.Array(Audit.AuditHead), { errors: "all" })(input ?? []), (error) =>
    Errors.Invalid.fromParseError(error, ["anchors"])
  )

/**
 * Opens a store and starts the services. Rejects with `Invalid` for a bad URL and
 * `StoreUnavailable` when the store cannot be opened, reached or migrated.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = async (options: Sortgrid.SortgridOptions = {}): Promise<SortgridClient> => {
  const runtime = ManagedRuntime.make(Sortgrid.layer(options))
  const run = async <A, E>(effect: Effect.Effect<A, E, Sortgrid.Services>): Promise<A> => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }
  try {
    await run(Effect.void)
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  const withLog = <A, E>(f: (log: AuditLog.AuditLog) => Effect.Effect<A, E>) =>
    run(Effect.flatMap(AuditLog.AuditLog, f))
  /** Runs a call of a service with the actor decoded. */
  const withService = <S, I extends Sortgrid.Services, A, E>(
    tag: Context.Tag<I, S>,
    actor: ActorInput,
    f: (service: S, actor: Actor.Actor) => Effect.Effect<A, E>
  ) => run(Effect.flatMap(Effect.zip(tag, decodeActor(actor)), ([service, decoded]) => f(service, decoded)))
  const withGrid = <A, E>(actor: ActorInput, f: (grid: Grid.Grid, actor: Actor.Actor) => Effect.Effect<A, E>) =>
    withService(Grid.Grid, actor, f)
  const withAssessments = <A, E>(
    actor: ActorInput,
    f: (service: Assessments.Assessments, actor: Actor.Actor) => Effect.Effect<A, E>
  ) => withService(Assessments.Assessments, actor, f)
  const nodeAt = (id: string, asOf: string) =>
    Effect.all([decodeInput(Node.NodeId, id, "id"), decodeInput(Period.IsoDate, asOf, "asOf")])
  return {
    audit: {
      record: (actor, entries) =>
        withLog((log) => Effect.flatMap(decodeActor(actor), (decoded) => log.record(decoded, entries))),
      read: (actor, readOptions) =>
        withLog((log) => Effect.flatMap(decodeActor(actor), (decoded) => log.read(decoded, readOptions))),
      verify: (actor, verifyOptions) =>
        withLog((log) =>
          Effect.flatMap(
            Effect.all([decodeActor(actor), decodeAnchors(verifyOptions?.anchors)]),
            ([decoded, anchors]) => log.verify(decoded, { anchors })
          )
        )
    },
    grid: {
      importDivisions: (actor, csv, importOptions) =>
        withGrid(actor, (grid, decoded) =>
          Effect.flatMap(decodeInput(Period.IsoDate, importOptions.effectiveOn, "effectiveOn"), (effectiveOn) =>
            grid.importDivisions(decoded, csv, { effectiveOn, mode: importOptions.mode })
          )
        ),
      open: (actor, nodes) => withGrid(actor, (grid, decoded) => grid.open(decoded, nodes)),
      change: (actor, change) => withGrid(actor, (grid, decoded) => grid.change(decoded, change)),
      node: (actor, id, asOf) =>
        withGrid(actor, (grid, decoded) => Effect.flatMap(nodeAt(id, asOf), ([i, d]) => grid.node(decoded, i, d))),
      children: (actor, id, asOf) =>
        withGrid(actor, (grid, decoded) => Effect.flatMap(nodeAt(id, asOf), ([i, d]) => grid.children(decoded, i, d))),
      ancestors: (actor, id, asOf) =>
        withGrid(actor, (grid, decoded) => Effect.flatMap(nodeAt(id, asOf), ([i, d]) => grid.ancestors(decoded, i, d))),
      subtree: (actor, query) =>
        withGrid(actor, (grid, decoded) =>
          Effect.flatMap(decodeInput(SubtreeQuery, query, "query"), (q) => grid.subtree(decoded, q))
        ),
      countByKind: (actor, query) =>
        withGrid(actor, (grid, decoded) =>
          Effect.flatMap(decodeInput(SubtreeQuery, query, "query"), (q) => grid.countByKind(decoded, q))
        ),
      memberships: (actor, query) =>
        withGrid(actor, (grid, decoded) =>
          Effect.flatMap(decodeInput(MembershipQuery, query, "query"), (q) => grid.memberships(decoded, q))
        ),
      changeMemberships: (actor, commands) =>
        withGrid(actor, (grid, decoded) => grid.changeMemberships(decoded, commands)),
      exportDivisions: (actor, query) =>
        withGrid(actor, (grid, decoded) =>
          Effect.flatMap(decodeInput(SubtreeQuery, query, "query"), ({ under, asOf }) =>
            grid.exportDivisions(decoded, { under, asOf })
          )
        ),
      rollup: (actor, query) =>
        withGrid(actor, (grid, decoded) =>
          Effect.flatMap(decodeInput(RollupQuery, query, "query"), (q) =>
            Effect.map(grid.rollup(decoded, { ...q, values: new Map(Object.entries(q.values)) }), (rolled) =>
              Object.fromEntries(rolled)
            )
          )
        )
    },
    sites: {
      set: (actor, sites) => withService(Sites.Sites, actor, (service, decoded) => service.set(decoded, sites)),
      list: (actor, query) =>
        withService(Sites.Sites, actor, (service, decoded) =>
          Effect.flatMap(decodeInput(SubtreeQuery, query, "query"), ({ under, asOf }) =>
            service.sites(decoded, { under, asOf })
          )
        )
    },
    geography: {
      set: (actor, geometries) =>
        withService(Geography.Geography, actor, (service, decoded) => service.setGeometries(decoded, geometries)),
      locate: (actor, point, asOf) =>
        withService(Geography.Geography, actor, (service, decoded) =>
          Effect.flatMap(decodeInput(Period.IsoDate, asOf, "asOf"), (day) =>
            Effect.map(service.locate(decoded, point, day), Option.getOrUndefined)
          )
        ),
      export: (actor, under, asOf) =>
        withService(Geography.Geography, actor, (service, decoded) =>
          Effect.flatMap(
            Effect.all([decodeInput(Actor.NodePath, under, "under"), decodeInput(Period.IsoDate, asOf, "asOf")]),
            ([path, day]) => service.exportSubtree(decoded, path, day)
          )
        )
    },
    people: {
      register: (actor, input) => withService(People.People, actor, (service, a) => service.registerPeople(a, input)),
      assign: (actor, input) => withService(People.People, actor, (service, a) => service.assign(a, input)),
      endAssignments: (actor, input) =>
        withService(People.People, actor, (service, a) => service.endAssignments(a, input)),
      assignments: (actor, query) => withService(People.People, actor, (service, a) => service.assignments(a, query)),
      actorFor: (personId, asOf) =>
        run(
          Effect.flatMap(
            Effect.all([
              People.People,
              decodeInput(Person.PersonId, personId, "personId"),
              decodeInput(Period.IsoDate, asOf, "asOf")
            ]),
            ([service, id, day]) => service.actorFor(id, day)
          )
        ),
      importRoster: (actor, file) => withService(People.People, actor, (service, a) => service.importRoster(a, file))
    },
    duty: {
      defineTemplates: (actor, input) =>
        withService(DutyRoster.DutyRoster, actor, (service, a) => service.defineTemplates(a, input)),
      postProject: (actor, input) =>
        withService(DutyRoster.DutyRoster, actor, (service, a) => service.postProject(a, input)),
      signUp: (actor, input) => withService(DutyRoster.DutyRoster, actor, (service, a) => service.signUp(a, input)),
      checkIn: (actor, input) => withService(DutyRoster.DutyRoster, actor, (service, a) => service.checkIn(a, input)),
      noShows: (actor, query) =>
        withService(DutyRoster.DutyRoster, actor, (service, a) =>
          Effect.flatMap(decodeInput(PeriodQuery, query, "query"), (q) => service.noShows(a, q))
        ),
      presence: (actor, query) =>
        withService(DutyRoster.DutyRoster, actor, (service, a) =>
          Effect.flatMap(decodeInput(PeriodQuery, query, "query"), (q) => service.presence(a, q))
        )
    },
    outreach: {
      record: (actor, input) =>
        withService(OutreachEvents.OutreachEvents, actor, (service, a) => service.record(a, input)),
      setTheme: (actor, input) =>
        withService(OutreachEvents.OutreachEvents, actor, (service, a) => service.setTheme(a, input)),
      stats: (actor, query) =>
        withService(OutreachEvents.OutreachEvents, actor, (service, a) =>
          Effect.flatMap(decodeInput(PeriodQuery, query, "query"), (q) => service.stats(a, q))
        )
    },
    problems: {
      register: (actor, input) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) => service.registerMany(a, input)),
      transition: (actor, change) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) => service.transition(a, change)),
      transitionMany: (actor, changes) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) => service.transitionMany(a, changes)),
      escalateOverdue: (actor, query) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) =>
          Effect.flatMap(decodeInput(UnderQuery, query, "query"), (q) => service.escalateOverdue(a, q))
        ),
      history: (actor, id) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) =>
          Effect.flatMap(decodeInput(Problem.ProblemId, id, "id"), (problemId) => service.history(a, problemId))
        ),
      stats: (actor, query) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) =>
          Effect.flatMap(decodeInput(PeriodQuery, query, "query"), ({ under, period }) =>
            service.stats(a, { under, period })
          )
        )
    },
    inspections: {
      define: (actor, definitions) =>
        withService(Inspections.Inspections, actor, (service, a) => service.define(a, definitions)),
      recordVisit: (actor, visit) =>
        withService(Inspections.Inspections, actor, (service, a) => service.recordVisit(a, visit)),
      visits: (actor, query) =>
        withService(Inspections.Inspections, actor, (service, a) =>
          Effect.flatMap(decodeInput(VisitsQuery, query, "query"), (q) => service.visits(a, q))
        ),
      reinspectionsDue: (actor, query) =>
        withService(Inspections.Inspections, actor, (service, a) =>
          Effect.flatMap(decodeInput(DueQuery, query, "query"), (q) => service.reinspectionsDue(a, q))
        )
    },
    ledger: {
      createAccounts: (actor, input) =>
        withService(Ledger.Ledger, actor, (service, a) => service.createAccounts(a, input)),
      createTransfers: (actor, input) =>
        withService(Ledger.Ledger, actor, (service, a) => service.createTransfers(a, input)),
      balance: (actor, accountId, balanceOptions) =>
        withService(Ledger.Ledger, actor, (service, a) =>
          Effect.flatMap(
            Effect.all([
              decodeInput(Account.AccountId, accountId, "accountId"),
              decodeInput(BalanceOptions, balanceOptions ?? {}, "options")
            ]),
            ([id, o]) => service.balance(a, id, o)
          )
        ),
      statement: (actor, query) =>
        withService(Ledger.Ledger, actor, (service, a) =>
          Effect.flatMap(decodeInput(StatementQuery, query, "query"), (q) => service.statement(a, q))
        ),
      expire: (actor, ledger) =>
        withService(Ledger.Ledger, actor, (service, a) =>
          Effect.flatMap(decodeInput(Account.LedgerId, ledger, "ledger"), (id) => service.expire(a, id))
        ),
      reconcile: (actor) => withService(Ledger.Ledger, actor, (service, a) => service.reconcile(a))
    },
    points: {
      earn: (actor, request) => withService(Earnings.Earnings, actor, (service, a) => service.earn(a, request)),
      releaseLocks: (actor, ledger) =>
        withService(Earnings.Earnings, actor, (service, a) =>
          Effect.flatMap(decodeInput(Account.LedgerId, ledger, "ledger"), (id) => service.releaseLocks(a, id))
        ),
      defineMerchants: (actor, merchants) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.defineMerchants(a, merchants)),
      defineItems: (actor, items) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.defineItems(a, items)),
      adjustStock: (actor, adjustment) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.adjustStock(a, adjustment)),
      catalogue: (actor, merchantId) =>
        withService(Redemptions.Redemptions, actor, (service, a) =>
          Effect.flatMap(decodeInput(Redemption.MerchantId, merchantId, "merchantId"), (id) => service.catalogue(a, id))
        ),
      redeem: (actor, redemption) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.redeem(a, redemption)),
      redeemMany: (actor, redemptions) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.redeemMany(a, redemptions)),
      handOver: (actor, handOver) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.handOver(a, handOver)),
      handOverMany: (actor, handOvers) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.handOverMany(a, handOvers)),
      cancel: (actor, redemptionId) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.cancel(a, { redemptionId })),
      cancelMany: (actor, redemptionIds) =>
        withService(Redemptions.Redemptions, actor, (service, a) =>
          service.cancelMany(
            a,
            redemptionIds.map((redemptionId) => ({ redemptionId }))
          )
        ),
      settlement: (actor, query) =>
        withService(Redemptions.Redemptions, actor, (service, a) => service.settlement(a, query))
    },
    households: {
      create: (actor, households) =>
        withService(Households.Households, actor, (service, a) => service.createHouseholds(a, households)),
      join: (actor, join) => withService(Households.Households, actor, (service, a) => service.join(a, join)),
      moveOut: (actor, move) => withService(Households.Households, actor, (service, a) => service.moveOut(a, move)),
      get: (actor, reference) =>
        withService(Households.Households, actor, (service, a) => service.household(a, reference))
    },
    tasks: {
      assign: (actor, task) => withService(Tasks.Tasks, actor, (service, a) => service.assign(a, task)),
      complete: (actor, step) => withService(Tasks.Tasks, actor, (service, a) => service.complete(a, step)),
      certify: (actor, step) => withService(Tasks.Tasks, actor, (service, a) => service.certify(a, step)),
      reject: (actor, step) => withService(Tasks.Tasks, actor, (service, a) => service.reject(a, step)),
      cancel: (actor, step) => withService(Tasks.Tasks, actor, (service, a) => service.cancel(a, step)),
      get: (actor, id) =>
        withService(Tasks.Tasks, actor, (service, a) =>
          Effect.flatMap(decodeInput(CertifiedTask.TaskId, id, "id"), (taskId) => service.task(a, taskId))
        ),
      of: (actor, assigneeReference) =>
        withService(Tasks.Tasks, actor, (service, a) => service.tasksOf(a, assigneeReference))
    },
    assessment: {
      defineScheme: (actor, scheme) => withAssessments(actor, (service, a) => service.defineScheme(a, scheme)),
      schemeVersions: (actor, id) => withAssessments(actor, (service, a) => service.schemeVersions(a, id)),
      schemeDiff: (actor, query) => withAssessments(actor, (service, a) => service.schemeDiff(a, query)),
      enterValues: (actor, values) => withAssessments(actor, (service, a) => service.enterValues(a, values)),
      evaluate: (actor, input) => withAssessments(actor, (service, a) => service.evaluate(a, input)),
      rescore: (actor, input) => withAssessments(actor, (service, a) => service.rescore(a, input)),
      results: (actor, query) => withAssessments(actor, (service, a) => service.results(a, query)),
      approve: (actor, input) => withAssessments(actor, (service, a) => service.approve(a, input)),
      unapprove: (actor, input) => withAssessments(actor, (service, a) => service.unapprove(a, input)),
      appeal: (actor, input) => withAssessments(actor, (service, a) => service.appeal(a, input)),
      consequences: (actor, query) => withAssessments(actor, (service, a) => service.consequences(a, query)),
      registerConsequences: (actor, actions, mapping) =>
        withService(ProblemRegister.ProblemRegister, actor, (service, a) =>
          Consequences.register(a, actions, mapping).pipe(
            Effect.provideService(ProblemRegister.ProblemRegister, service)
          )
        ),
      allocate: (actor, input) => withAssessments(actor, (service, a) => service.allocate(a, input)),
      healthCheck: (actor, query) => withAssessments(actor, (service, a) => service.healthCheck(a, query))
    },
    run,
    close: () => runtime.dispose()
  }
}
