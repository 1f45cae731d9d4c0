/**
 * The priority-residents service: registers records, and reads them — one at a time or as a
 * listing — only inside the actor's scope, for a stated purpose, with every read in the audit
 * chain. The rules are in {@link PriorityResident}; this module adds the keys, the clock, the
 * stores and the audit log.
 *
 * Permissions: `priorityResidents.write` to register, `priorityResidents.read` to read, each over
 * the path of the record's node.
 *
 * **Scope follows today's tree.** Records name their node, not its path, and the path is read from
 * `GridStore.versions` as of today (in the jurisdiction's time, {@link UtcOffset}) whenever a
 * record is read. A stored path would go stale when the tree changes — a community moved to
 * another subdistrict would stay readable by the old subdistrict and hidden from the new one — and
 * a caller-chosen date would let anyone pick a day when a node lay in their scope. A listing's
 * `asOf` therefore selects which nodes lay under the path and which records were registered by
 * then, but each record is shown only if its node lies in the actor's scope today. A record whose
 * node has closed keeps the node's last path.
 *
 * **Every read is audited, refusals included.** A read decides inside one transaction, appends its
 * outcome (`granted`, `forbidden`, `not-found`, `invalid`, `undecryptable`) and commits; only then
 * does a refused read fail. The entry names the record, the purpose and the outcome, never a
 * value. Run reads outside any enclosing `Transactor.withTransaction`: a failing enclosing
 * transaction would roll the entry of a refused read back with it.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { Actor, Audit, AuditLog, type Errors, Id, Json, Period, Permission, Transactor } from "@sortgrid/core"
import {
  Clock,
  Config,
  type ConfigError,
  Context,
  Effect,
  Either,
  Layer,
  Option,
  type ParseResult,
  Redacted,
  Schema
} from "effect"
import { GridStore } from "./GridStore.js"
import type { NodeId } from "./Node.js"
import * as PriorityResident from "./PriorityResident.js"
import { PriorityResidentStore } from "./PriorityResidentStore.js"

/**
 * The register's keys, which the host supplies and keeps: losing the encryption key loses the
 * sealed fields; changing the pseudonym key changes every pseudonym.
 *
 * @since 0.1.0
 * @category services
 */
export class ResidentKeys extends Context.Tag("@sortgrid/grid/ResidentKeys")<ResidentKeys, PriorityResident.Keys>() {
  /**
   * The keys from key material (each 32 bytes, base64). A bad key is `Invalid` naming which.
   *
   * @since 0.1.0
   */
  static layer(material: PriorityResident.KeyMaterial): Layer.Layer<ResidentKeys, Errors.Invalid> {
    return Layer.effect(ResidentKeys, PriorityResident.decodeKeys(material))
  }

  /**
   * The keys from configuration, by default the environment variables
   * `SORTGRID_RESIDENT_PSEUDONYM_KEY` and `SORTGRID_RESIDENT_ENCRYPTION_KEY`.
   *
   * @since 0.1.0
   */
  static layerConfig(
    names: { readonly pseudonymKey: string; readonly encryptionKey: string } = {
      pseudonymKey: "SORTGRID_RESIDENT_PSEUDONYM_KEY",
      encryptionKey: "SORTGRID_RESIDENT_ENCRYPTION_KEY"
    }
  ): Layer.Layer<ResidentKeys, Errors.Invalid | ConfigError.ConfigError> {
    return Layer.effect(
      ResidentKeys,
      Effect.flatMap(
        Config.all({
          pseudonymKey: Config.redacted(names.pseudonymKey),
          encryptionKey: Config.redacted(names.encryptionKey)
        }),
        PriorityResident.decodeKeys
      )
    )
  }
}

/**
 * A new random key (32 bytes, base64), for hosts setting up a register and for tests.
 *
 * @since 0.1.0
 * @category keys
 */
export const generateKey: Effect.Effect<Redacted.Redacted<string>> = Effect.sync(() =>
  Redacted.make(randomBytes(32).toString("base64"))
)

/**
 * The jurisdiction's offset from UTC in minutes, which decides what "today" is. Defaults to Beijing
 * time (480).
 *
 * @since 0.1.0
 * @category services
 */
export class UtcOffset extends Context.Reference<UtcOffset>()("@sortgrid/grid/UtcOffset", {
  defaultValue: () => 480
}) {}

const parseOptions = { errors: "all", onExcessProperty: "error" } as const

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown, field: string) =>
  Effect.mapError(Schema.decodeUnknown(schema, parseOptions)(input), (error: ParseResult.ParseError) =>
    PriorityResident.invalidWithoutValues(error, [field])
  )

const Registrations = Schema.Array(PriorityResident.RegisterPriorityResident)
const RequestedId = Schema.Struct({ id: PriorityResident.PriorityResidentId })
const RequestedPath = Schema.Struct({ under: Actor.NodePath })

/** Subjects are at most 256 characters; a path that long is named by its digest. */
const listSubject = (under: Actor.NodePath) =>
  under.length <= 200 ? `priorityResidents:${under}` : `priorityResidents:${Json.digest(under)}`

/**
 * What a registration can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type RegisterError = Errors.Forbidden | Errors.Invalid | Errors.Conflict | Errors.StorageError
/**
 * What a read can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError =
  | Errors.Forbidden
  | Errors.Invalid
  | Errors.NotFound
  | PriorityResident.Undecryptable
  | Errors.StorageError
/**
 * What a listing can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ListError = Errors.Forbidden | Errors.Invalid | PriorityResident.Undecryptable | Errors.StorageError

/**
 * Registers and reads priority residents.
 *
 * @since 0.1.0
 * @category services
 */
export class PriorityResidents extends Effect.Service<PriorityResidents>()("@sortgrid/grid/PriorityResidents", {
  effect: Effect.gen(function* () {
    const store = yield* PriorityResidentStore
    const grid = yield* GridStore
    const audit = yield* AuditLog.AuditLog
    const transactor = yield* Transactor.Transactor
    const grants = yield* Permission.Policy
    const keys = yield* ResidentKeys
    const offset = yield* UtcOffset

    const today = Effect.map(Clock.currentTimeMillis, (millis) =>
      Period.isoDateOfDay(Period.dayOfInstant(millis, offset))
    )

    // IVs come from the operating system's CSPRNG, never from Effect's seeded Random.
    const drawIvs = Effect.sync((): PriorityResident.Ivs => {
      const bytes = randomBytes(12 * PriorityResident.sensitiveFields.length)
      const iv = (index: number) => PriorityResident.Iv(bytes.subarray(index * 12, index * 12 + 12))
      return { name: iv(0), address: iv(1), phone: iv(2), needs: iv(3) }
    })

    /** Paths of the nodes in force on a date. */
    const pathsOn = (asOf: Period.IsoDate, ids: ReadonlyArray<NodeId>) =>
      Effect.map(
        ids.length === 0 ? Effect.succeed([]) : grid.versions({ asOf, ids: [...new Set(ids)] }),
        (versions) => new Map<string, Actor.NodePath>(versions.map((version) => [version.nodeId, version.path]))
      )

    /** Where nodes stand today; a node closed by now keeps the last path it had (one query each, rare). */
    const placements = (asOf: Period.IsoDate, ids: ReadonlyArray<NodeId>) =>
      Effect.gen(function* () {
        const paths = yield* pathsOn(asOf, ids)
        for (const id of new Set(ids)) {
          if (paths.has(id)) continue
          const last = (yield* grid.history(id)).at(-1)
          if (last !== undefined) paths.set(id, last.path)
        }
        return paths
      })

    // A node with no version at all (never opened through the grid) falls to the root: only actors
    // over the whole tree may read its records.
    const placeOf = (paths: ReadonlyMap<string, Actor.NodePath>, id: NodeId) => paths.get(id) ?? Actor.root

    const append = (actor: Actor.Actor, draft: { action: string; subject: string; payload: Json.Json }) =>
      Effect.flatMap(Id.ulid, (unique) =>
        audit
          .append([
            Audit.AuditDraft.make({
              id: Audit.AuditEntryId.make(`${draft.action}.${unique}`),
              actor: actor.id,
              ...draft
            })
          ])
          // A fresh ULID cannot collide with a stored entry.
          .pipe(Effect.catchTag("Conflict", Effect.die))
      )

    const recordRead = (
      actor: Actor.Actor,
      id: PriorityResident.PriorityResidentId,
      purpose: PriorityResident.Purpose | null,
      outcome: PriorityResident.ReadOutcome
    ) =>
      append(actor, {
        action: "priorityResident.read",
        subject: `priorityResident:${id}`,
        payload: { record: id, purpose, outcome }
      })

    const recordList = (
      actor: Actor.Actor,
      query: { readonly under: Actor.NodePath; readonly asOf: Period.IsoDate | null; readonly purpose: string | null },
      outcome: PriorityResident.ReadOutcome,
      records: ReadonlyArray<PriorityResident.PriorityResidentId>
    ) =>
      append(actor, {
        action: "priorityResident.listed",
        subject: listSubject(query.under),
        payload: { under: query.under, asOf: query.asOf, purpose: query.purpose, outcome, records: [...records] }
      })

    /**
     * Registers a batch, all-or-nothing. Retried records are replays; the summaries of every
     * record of the batch are returned, in order.
     */
    const register = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<ReadonlyArray<PriorityResident.PriorityResidentSummary>, RegisterError> =>
      Effect.gen(function* () {
        yield* Permission.decide(grants, actor, { permission: PriorityResident.writePermission })
        const commands = yield* decode(Registrations, input, "residents")
        if (commands.length === 0) return []
        const records = yield* Effect.forEach(commands, (command) =>
          Effect.map(drawIvs, (ivs) => PriorityResident.sealResident(keys, command, ivs))
        )
        return yield* transactor.withTransaction(
          Effect.gen(function* () {
            const asOf = yield* today
            const paths = yield* pathsOn(
              asOf,
              records.map((record) => record.nodeId)
            )
            yield* PriorityResident.authorizeRegister(grants, actor, { records, paths, asOf })
            const plan = yield* store.register(
              { ids: records.map((record) => record.id), pseudonyms: records.map((record) => record.pseudonym) },
              (state) => PriorityResident.planRegister(state, records)
            )
            if (plan.insert.length > 0) {
              const ids = plan.insert.map((record) => record.id)
              yield* audit
                .append([
                  Audit.AuditDraft.make({
                    id: Audit.AuditEntryId.make(`priorityResident.registered.${Json.digest(ids)}`),
                    actor: actor.id,
                    action: "priorityResident.registered",
                    subject: ids.length === 1 ? `priorityResident:${ids[0]}` : `priorityResidents:${ids.length}`,
                    payload: { count: ids.length, records: ids }
                  })
                ])
                .pipe(Effect.catchTag("Conflict", Effect.die))
            }
            return plan.results.map(PriorityResident.summaryOf)
          })
        )
      })

    /** Reads one record for a purpose. Every attempt that names a record is audited, then fails if refused. */
    const read = (actor: Actor.Actor, input: unknown): Effect.Effect<PriorityResident.PriorityResident, ReadError> =>
      Effect.gen(function* () {
        const request = Schema.decodeUnknownEither(PriorityResident.ReadPriorityResident, parseOptions)(input)
        if (Either.isLeft(request)) {
          const named = Schema.decodeUnknownOption(RequestedId)(input)
          if (Option.isSome(named)) {
            yield* transactor.withTransaction(recordRead(actor, named.value.id, null, "invalid"))
          }
          return yield* PriorityResident.invalidWithoutValues(request.left, ["request"])
        }
        const { id, purpose } = request.right
        const opened = yield* transactor.withTransaction(
          Effect.gen(function* () {
            const allowed = Permission.decide(grants, actor, { permission: PriorityResident.readPermission })
            const decided = Either.isLeft(allowed)
              ? Either.left(allowed.left)
              : yield* Effect.gen(function* () {
                  const [record] = yield* store.get([id])
                  if (record === undefined)
                    return PriorityResident.decideRead(grants, actor, { id, found: Option.none() })
                  const paths = yield* placements(yield* today, [record.nodeId])
                  return PriorityResident.decideRead(grants, actor, {
                    id,
                    found: Option.some({ record, path: placeOf(paths, record.nodeId) })
                  })
                })
            const result = Either.flatMap(decided, (record) => PriorityResident.openResident(keys, record))
            yield* recordRead(
              actor,
              id,
              purpose,
              Either.match(result, { onLeft: PriorityResident.outcomeOf, onRight: () => "granted" as const })
            )
            return result
          })
        )
        return yield* opened
      })

    /**
     * Lists the records at nodes on or under `under` as the tree stood on `asOf`, registered by
     * then, that lie in the actor's scope today, ordered by path and id: summaries, or opened
     * records when a purpose is given. Every listing is audited with the ids it showed.
     */
    const list = (
      actor: Actor.Actor,
      input: unknown
    ): Effect.Effect<
      ReadonlyArray<PriorityResident.PriorityResidentSummary | PriorityResident.PriorityResident>,
      ListError
    > =>
      Effect.gen(function* () {
        const request = Schema.decodeUnknownEither(PriorityResident.ListPriorityResidents, parseOptions)(input)
        if (Either.isLeft(request)) {
          const named = Schema.decodeUnknownOption(RequestedPath)(input)
          if (Option.isSome(named)) {
            yield* transactor.withTransaction(
              recordList(actor, { under: named.value.under, asOf: null, purpose: null }, "invalid", [])
            )
          }
          return yield* PriorityResident.invalidWithoutValues(request.left, ["query"])
        }
        const query = request.right
        const listed = yield* transactor.withTransaction(
          Effect.gen(function* () {
            const allowed = Permission.decide(grants, actor, {
              permission: PriorityResident.readPermission,
              at: query.under
            })
            if (Either.isLeft(allowed)) {
              yield* recordList(actor, query, "forbidden", [])
              return Either.left(allowed.left)
            }
            const nodes = yield* grid.versions({ asOf: query.asOf, under: query.under })
            const pathAsOf = new Map<string, Actor.NodePath>(nodes.map((version) => [version.nodeId, version.path]))
            const records =
              nodes.length === 0
                ? []
                : yield* store.list({
                    nodeIds: nodes.map((version) => version.nodeId),
                    registeredBy: query.asOf
                  })
            const now = yield* today
            const current =
              now === query.asOf
                ? pathAsOf
                : yield* placements(
                    now,
                    records.map((record) => record.nodeId)
                  )
            const visible = records
              .filter((record) =>
                Either.isRight(
                  Permission.decide(grants, actor, {
                    permission: PriorityResident.readPermission,
                    at: placeOf(current, record.nodeId)
                  })
                )
              )
              .map((record) => ({ record, path: placeOf(pathAsOf, record.nodeId) }))
              .sort((a, b) => compare(a.path, b.path) || compare(a.record.id, b.record.id))
              .map(({ record }) => record)
            const result: Either.Either<
              ReadonlyArray<PriorityResident.PriorityResidentSummary | PriorityResident.PriorityResident>,
              PriorityResident.Undecryptable
            > = query.purpose === null
              ? Either.right(visible.map(PriorityResident.summaryOf))
              : Either.all(visible.map((record) => PriorityResident.openResident(keys, record)))
            yield* recordList(
              actor,
              query,
              Either.match(result, { onLeft: PriorityResident.outcomeOf, onRight: () => "granted" as const }),
              visible.map((record) => record.id)
            )
            return result
          })
        )
        return yield* listed
      })

    return { register, read, list } as const
  })
}) {}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
