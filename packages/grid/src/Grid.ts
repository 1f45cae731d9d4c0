/**
 * The grid service: edits and queries of the jurisdiction tree, with the permission check, the
 * effective-dated rules of {@link Tree}, the store, and the audit chain in one transaction.
 *
 * Permissions: `grid.edit` over every node a change touches (where it is and where it goes),
 * `grid.read` over every node a query returns. A subdistrict admin scoped to `/110112/110112001/`
 * edits and sees that subtree only.
 *
 * @since 0.1.0
 */
import { Actor, Audit, AuditLog, Errors, Json, type Period, Permission, Transactor } from "@sortgrid/core"
import { Context, Effect, Either, Layer, Option, Schema } from "effect"
import * as DivisionImport from "./DivisionImport.js"
import { GridStore, type VersionQuery } from "./GridStore.js"
import * as Group from "./Group.js"
import { GroupStore } from "./GroupStore.js"
import { Change, NodeId, type NodeVersion, OpenNode, pathIds } from "./Node.js"
import * as Profile from "./Profile.js"
import * as Rollup from "./Rollup.js"
import * as Tabular from "./Tabular.js"
import * as Tree from "./Tree.js"

/**
 * The profile the tree follows.
 *
 * @since 0.1.0
 * @category services
 */
export class GridProfile extends Context.Tag("@sortgrid/grid/GridProfile")<GridProfile, Profile.Profile>() {
  /** The programme's profile, {@link Profile.chinaDistrict}. */
  static readonly Default = Layer.succeed(GridProfile, Profile.chinaDistrict)
}

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error" })(input), (error) =>
    Errors.Invalid.fromParseError(error, [field])
  )

/**
 * What an edit can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type EditError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.NotFound | Errors.StorageError
/**
 * What a read can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = Errors.Forbidden | Errors.Invalid | Errors.NotFound | Errors.StorageError

/**
 * Edits and reads the tree.
 *
 * @since 0.1.0
 * @category services
 */
export class Grid extends Effect.Service<Grid>()("@sortgrid/grid/Grid", {
  effect: Effect.gen(function* () {
    const store = yield* GridStore
    const groups = yield* GroupStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const profile = yield* GridProfile

    const allowed = (actor: Actor.Actor, permission: string, paths: Iterable<Actor.NodePath>) =>
      Permission.decideAll(grants, actor, permission, paths)

    /** The plan, if the actor may edit every node it touches: where each node is, and where it goes. */
    const authorized =
      (actor: Actor.Actor, state: Tree.TreeState) =>
      (plan: Tree.TreePlan): Either.Either<Tree.TreePlan, Errors.Forbidden> => {
        const paths = [
          ...plan.start.map((version) => version.path),
          ...plan.end
            .flatMap((ended) => Option.toArray(Option.fromNullable(state.latest.get(ended.nodeId))))
            .map((v) => v.path)
        ]
        return Either.map(allowed(actor, "grid.edit", paths), () => plan)
      }

    const record = (actor: Actor.Actor, id: string, action: string, subject: string, payload: Json.Json) =>
      audit.append([
        Audit.AuditDraft.make({
          id: Audit.AuditEntryId.make(id),
          actor: actor.id,
          action,
          subject,
          payload
        })
      ])

    /** Opens decoded nodes, all-or-nothing, and records the batch in the audit chain. */
    const openNodes = (actor: Actor.Actor, nodes: ReadonlyArray<OpenNode>) =>
      transactor.withTransaction(
        Effect.gen(function* () {
          const plan = yield* store.change({ scope: Tree.openScope(nodes) }, (state) =>
            Either.flatMap(Tree.planOpen(profile, state, nodes), authorized(actor, state))
          )
          if (plan.start.length > 0) {
            const ids = plan.start.map((version) => version.nodeId)
            yield* record(
              actor,
              `grid.open.${Json.digest(ids)}`,
              "grid.nodesOpened",
              ids.length === 1 ? `node:${ids[0]}` : `nodes:${ids.length}`,
              { count: ids.length, nodes: ids.length <= 100 ? ids : [ids[0]!, ids.at(-1)!] }
            )
          }
          return plan.start
        })
      )

    /**
     * Opens a batch of nodes (parents in the batch or stored, in any order), all-or-nothing.
     * Retried nodes are skipped; the nodes opened are returned.
     */
    const open = (actor: Actor.Actor, input: unknown): Effect.Effect<ReadonlyArray<NodeVersion>, EditError> =>
      Effect.flatMap(decode(Schema.Array(OpenNode), input, "nodes"), (nodes) =>
        nodes.length === 0 ? Effect.succeed([]) : openNodes(actor, nodes)
      )

    /** Applies a change (move, rename, close, merge, split); a retry of the same change changes nothing. */
    const change = (actor: Actor.Actor, input: unknown): Effect.Effect<Tree.TreePlan, EditError> =>
      Effect.gen(function* () {
        const command = yield* decode(Change, input, "change")
        const payload = yield* Effect.orDie(
          Effect.flatMap(Schema.encode(Change)(command), Schema.decodeUnknown(Json.Json))
        )
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const plan = yield* store.change(
              { scope: Tree.changeScope(command), changeId: command.changeId },
              (state) => Either.flatMap(Tree.planChange(profile, state, command, payload), authorized(actor, state))
            )
            if (Option.isSome(plan.record)) {
              yield* record(
                actor,
                `grid.change.${command.changeId}`,
                `grid.${lowerFirst(command._tag)}`,
                `change:${command.changeId}`,
                payload
              )
            }
            return plan
          })
        )
      })

    const readable = (actor: Actor.Actor, versions: ReadonlyArray<NodeVersion>) =>
      Either.map(
        allowed(
          actor,
          "grid.read",
          versions.map((version) => version.path)
        ),
        () => versions
      )

    /** Versions in force on a date, on or under a path the actor may read. */
    const versions = (actor: Actor.Actor, query: VersionQuery): Effect.Effect<ReadonlyArray<NodeVersion>, ReadError> =>
      Effect.gen(function* () {
        if (query.under !== undefined) yield* allowed(actor, "grid.read", [query.under])
        return yield* Effect.flatMap(store.versions(query), (found) => readable(actor, found))
      })

    /** One node as of a date. */
    const node = (actor: Actor.Actor, id: NodeId, asOf: Period.IsoDate) =>
      Effect.flatMap(versions(actor, { asOf, ids: [id] }), (found) =>
        found[0] === undefined ? Effect.fail(new Errors.NotFound({ entity: "Node", id })) : Effect.succeed(found[0])
      )

    /** The node and its ancestors as of a date, root first. */
    const ancestors = (actor: Actor.Actor, id: NodeId, asOf: Period.IsoDate) =>
      Effect.flatMap(node(actor, id, asOf), (found) =>
        Effect.map(store.versions({ asOf, ids: pathIds(found.path) }), (path) =>
          [...path].sort((a, b) => a.depth - b.depth)
        )
      )

    /** The children of a node as of a date. */
    const children = (actor: Actor.Actor, id: NodeId, asOf: Period.IsoDate) =>
      Effect.flatMap(node(actor, id, asOf), () => versions(actor, { asOf, parentId: id }))

    /**
     * The subtree under a path (the node at the path included), optionally of some kinds or at some
     * depths (a level of the tree: the district is 0, its subdistricts and towns 1, …).
     */
    const subtree = (
      actor: Actor.Actor,
      query: {
        readonly under: Actor.NodePath
        readonly asOf: Period.IsoDate
        readonly kinds?: ReadonlyArray<Profile.NodeKind> | undefined
        readonly depths?: ReadonlyArray<number> | undefined
      }
    ) => versions(actor, query)

    /** How many nodes of each kind lie on or under a path on a date. */
    const countByKind = (
      actor: Actor.Actor,
      query: { readonly under: Actor.NodePath; readonly asOf: Period.IsoDate }
    ) => Effect.zipRight(allowed(actor, "grid.read", [query.under]), store.countByKind(query))

    /** Rolls values up the subtree under a path as it stood on a date. */
    const rollup = (
      actor: Actor.Actor,
      query: {
        readonly under: Actor.NodePath
        readonly asOf: Period.IsoDate
        readonly values: ReadonlyMap<string, number>
        readonly aggregation: Rollup.Aggregation
      }
    ) =>
      allowed(actor, "grid.read", [query.under]).pipe(
        Effect.zipRight(store.placements(query)),
        Effect.map((placements) => Rollup.rollup(placements, query.values, query.aggregation))
      )

    /** Every version of a node, oldest first, and the changes that named it. */
    const history = (actor: Actor.Actor, id: NodeId) =>
      Effect.gen(function* () {
        const versions = yield* store.history(id)
        if (versions.length === 0) return yield* new Errors.NotFound({ entity: "Node", id })
        yield* readable(actor, versions)
        return { versions, changes: yield* store.changes(id) }
      })

    /** Writes the sets not yet defined (a set defined differently is a Conflict) and audits them. */
    const ensureSets = (actor: Actor.Actor, sets: ReadonlyArray<Group.GroupSet>) =>
      transactor.withTransaction(
        Effect.gen(function* () {
          const fresh = yield* groups.defineSets((defined) => Group.planSets(defined, sets))
          if (fresh.length > 0) {
            const ids = fresh.map((set) => set.id)
            yield* record(
              actor,
              `grid.groupSets.${Json.digest(ids)}`,
              "grid.groupSetsDefined",
              `groupSets:${ids.join(",")}`,
              {
                sets: ids
              }
            )
          }
          return fresh
        })
      )

    /** Defines group sets (idempotent); needs `grid.edit` over the whole tree. */
    const defineGroupSets = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<Group.GroupSet>, EditError> =>
      Effect.gen(function* () {
        yield* allowed(actor, "grid.edit", [rootPath])
        return yield* ensureSets(actor, yield* decode(Schema.Array(Group.GroupSet), input, "sets"))
      })

    /** Assigns decoded memberships, defining the standard sets first if they are missing. */
    const assignNodes = (actor: Actor.Actor, commands: ReadonlyArray<Group.Assign | Group.Unassign>) =>
      transactor.withTransaction(
        Effect.gen(function* () {
          const defined = yield* groups.sets
          yield* ensureSets(
            actor,
            Group.standardSets.filter((set) => !defined.some((existing) => existing.id === set.id))
          )
          const nodeIds = [...new Set(commands.map((command) => command.nodeId))]
          // A node must stand on the date its membership changes; its path there decides the permission.
          const dates = [...new Set(commands.map((command) => command.effectiveOn))]
          const standing = yield* Effect.forEach(dates, (asOf) =>
            Effect.map(store.versions({ asOf, ids: nodeIds }), (versions) =>
              versions.map((version) => [`${asOf}|${version.nodeId}`, version.path] as const)
            )
          )
          const paths = new Map(standing.flat())
          for (const [index, command] of commands.entries()) {
            const path = paths.get(`${command.effectiveOn}|${command.nodeId}`)
            if (path === undefined) {
              return yield* Errors.Invalid.one(
                ["memberships", index, "nodeId"],
                `node ${command.nodeId} does not exist on ${command.effectiveOn}`
              )
            }
            yield* allowed(actor, "grid.edit", [path])
          }
          const plan = yield* groups.changeMemberships(nodeIds, (state) => Group.planMemberships(state, commands))
          if (plan.start.length > 0 || plan.end.length > 0) {
            const summary = {
              started: plan.start.length,
              ended: plan.end.length,
              nodes: nodeIds.length <= 100 ? nodeIds : [nodeIds[0]!, nodeIds.at(-1)!]
            }
            yield* record(
              actor,
              `grid.memberships.${Json.digest(commands.map((c) => Schema.encodeSync(MembershipCommand)(c)))}`,
              "grid.membershipsChanged",
              `nodes:${nodeIds.length}`,
              summary
            )
          }
          return plan
        })
      )

    /** Assigns nodes to groups or takes them out (`{ _tag: "Assign" | "Unassign", nodeId, groupId, effectiveOn }`). */
    const changeMemberships = (actor: Actor.Actor, input: unknown): Effect.Effect<Group.MembershipPlan, EditError> =>
      Effect.flatMap(decode(Schema.Array(MembershipCommand), input, "memberships"), (commands) =>
        assignNodes(actor, commands)
      )

    /** Memberships in force on a date, under a path the actor may read, optionally of one group. */
    const memberships = (
      actor: Actor.Actor,
      query: {
        readonly under: Actor.NodePath
        readonly asOf: Period.IsoDate
        readonly groupId?: Group.GroupId | undefined
      }
    ): Effect.Effect<ReadonlyArray<Group.Membership>, ReadError> =>
      Effect.zipRight(allowed(actor, "grid.read", [query.under]), groups.memberships(query))

    /**
     * Imports a division list (CSV: `code,name,parentCode`, optional `kind`, `setting`), opening every
     * row from `effectiveOn`. All-or-nothing fails with `Invalid` naming every bad row and writes
     * nothing; valid-rows opens the rows that pass and reports the rest.
     */
    const importDivisions = (
      actor: Actor.Actor,
      csv: string,
      options: { readonly effectiveOn: Period.IsoDate; readonly mode: Tabular.ImportMode }
    ): Effect.Effect<Tabular.ImportReport<DivisionImport.PlannedDivision>, EditError> =>
      Effect.gen(function* () {
        const rows = yield* Either.mapLeft(Tabular.readCsv(csv, DivisionImport.requiredColumns), Tabular.toInvalid)
        const parentCodes = [...new Set(rows.map((row) => row.cells.parentCode ?? "").filter((code) => code !== ""))]
        const existing = yield* store.versions({
          asOf: options.effectiveOn,
          ids: parentCodes.map((code) => NodeId.make(code, { disableValidation: true }))
        })
        const planned = DivisionImport.plan(rows, {
          effectiveOn: options.effectiveOn,
          existing: new Set(existing.map((version) => version.nodeId))
        })
        if (options.mode === "all-or-nothing" && planned.rejected.length > 0) {
          return yield* Tabular.toInvalid(planned.rejected)
        }
        if (planned.accepted.length > 0) {
          // The nodes and their urban/rural groups are written together, or not at all.
          // Only nodes this import opens get the setting the code implies: a retried import leaves
          // any later reclassification alone.
          const settings = new Map(planned.accepted.map(({ node, setting }) => [node.id as string, setting]))
          yield* transactor.withTransaction(
            Effect.flatMap(
              openNodes(
                actor,
                planned.accepted.map(({ node }) => node)
              ),
              (opened) =>
                opened.length === 0
                  ? Effect.void
                  : assignNodes(
                      actor,
                      opened.map(
                        (version) =>
                          new Group.Assign({
                            nodeId: version.nodeId,
                            groupId: Group.GroupId.make(settings.get(version.nodeId)!),
                            effectiveOn: version.validFrom
                          })
                      )
                    )
            )
          )
        }
        return { rows: rows.length, imported: planned.accepted, rejected: planned.rejected }
      })

    /**
     * The division list under a path as of a date, as CSV (`code,name,parentCode,kind,setting`): the
     * nodes that have an official code, parents first — the format `importDivisions` reads.
     */
    const exportDivisions = (
      actor: Actor.Actor,
      query: { readonly under: Actor.NodePath; readonly asOf: Period.IsoDate }
    ): Effect.Effect<string, ReadError> =>
      Effect.gen(function* () {
        const nodes = (yield* versions(actor, query)).filter((version) => version.code !== null)
        const settings = new Map(
          (yield* groups.memberships({ asOf: query.asOf, under: query.under, groupId: undefined }))
            .filter((membership) => membership.setId === "setting")
            .map((membership) => [membership.nodeId as string, membership.groupId as string])
        )
        const codeOf = new Map(nodes.map((version) => [version.nodeId as string, version.code!]))
        const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)
        const rows = [...nodes]
          .sort((a, b) => a.depth - b.depth || (a.code! < b.code! ? -1 : 1))
          .map((version) =>
            [
              version.code!,
              version.name,
              version.parentId === null ? "" : (codeOf.get(version.parentId) ?? ""),
              version.kind,
              settings.get(version.nodeId) ?? ""
            ]
              .map(cell)
              .join(",")
          )
        return `${["code,name,parentCode,kind,setting", ...rows].join("\n")}\n`
      })

    return {
      open,
      change,
      importDivisions,
      exportDivisions,
      defineGroupSets,
      changeMemberships,
      memberships,
      versions,
      node,
      ancestors,
      children,
      subtree,
      countByKind,
      rollup,
      history
    } as const
  })
}) {}

const rootPath = Actor.NodePath.make("/")

/** A membership command on the wire: `{ _tag: "Assign" | "Unassign", nodeId, groupId, effectiveOn }`. */
const MembershipCommand = Schema.Union(
  Schema.TaggedStruct("Assign", Group.Assign.fields).pipe(
    Schema.transform(Schema.instanceOf(Group.Assign), {
      strict: true,
      decode: ({ _tag, ...fields }) => new Group.Assign(fields),
      encode: (command) => ({ _tag: "Assign" as const, ...command })
    })
  ),
  Schema.TaggedStruct("Unassign", Group.Unassign.fields).pipe(
    Schema.transform(Schema.instanceOf(Group.Unassign), {
      strict: true,
      decode: ({ _tag, ...fields }) => new Group.Unassign(fields),
      encode: (command) => ({ _tag: "Unassign" as const, ...command })
    })
  )
)

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)
