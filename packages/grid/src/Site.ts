/**
 * Sites: what the programme needs to know about the places under the grids — bin stations (their QR
 * code, location, the four sorting streams, drop-off hours residents agreed in council, and the
 * hauler's collection schedule), residential compounds (property-managed or not, households),
 * schools, the five non-residential kinds of enforcement site, and plazas. Details are
 * effective-dated like the nodes they describe: new opening hours from a date leave the old ones
 * answering for earlier dates.
 *
 * @since 0.1.0
 */
import { Errors, Period } from "@sortgrid/core"
import { Either, Schema } from "effect"
import { NodeId } from "./Node.js"

/**
 * A local time of day, `HH:MM` (24-hour).
 *
 * @since 0.1.0
 * @category models
 */
export const TimeOfDay = Schema.String.pipe(
  Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$/, { message: () => "must be a time of day, HH:MM" })
)

/**
 * The four sorting streams: kitchen (food) waste, recyclables, hazardous waste, other waste.
 *
 * @since 0.1.0
 * @category models
 */
export const Stream = Schema.Literal("kitchen", "recyclable", "hazardous", "other")

/**
 * A drop-off window, e.g. the morning 07:00–09:00.
 *
 * @since 0.1.0
 * @category models
 */
export const Window = Schema.Struct({ from: TimeOfDay, to: TimeOfDay }).pipe(
  Schema.filter((window) => window.from < window.to || "must end after it starts")
)

const Weekdays = Schema.Array(Schema.Int.pipe(Schema.between(1, 7))).pipe(Schema.minItems(1))

/**
 * A bin station.
 *
 * @since 0.1.0
 * @category models
 */
export class BinStation extends Schema.TaggedClass<BinStation>()("BinStation", {
  qrId: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)),
  location: Schema.optionalWith(
    Schema.Tuple(Schema.Number.pipe(Schema.between(-180, 180)), Schema.Number.pipe(Schema.between(-90, 90))),
    { as: "Option" }
  ),
  streams: Schema.Array(Stream).pipe(Schema.minItems(1)),
  dropOff: Schema.Array(Window),
  collection: Schema.Array(Schema.Struct({ stream: Stream, weekdays: Weekdays, at: TimeOfDay }))
}) {}

/**
 * A residential compound: a residential enforcement site.
 *
 * @since 0.1.0
 * @category models
 */
export class Compound extends Schema.TaggedClass<Compound>()("Compound", {
  propertyManaged: Schema.Boolean,
  households: Schema.Int.pipe(Schema.nonNegative())
}) {}

/**
 * A primary or secondary school.
 *
 * @since 0.1.0
 * @category models
 */
export class School extends Schema.TaggedClass<School>()("School", {
  level: Schema.Literal("primary", "secondary", "nine-year"),
  students: Schema.Int.pipe(Schema.nonNegative())
}) {}

/**
 * An enforcement site other than a residential area.
 *
 * @since 0.1.0
 * @category models
 */
export class EnterpriseSite extends Schema.TaggedClass<EnterpriseSite>()("EnterpriseSite", {
  enforcementKind: Schema.Literal("restaurant", "hotel", "supermarket", "market", "office")
}) {}

/**
 * A public plaza used for outreach.
 *
 * @since 0.1.0
 * @category models
 */
export class Plaza extends Schema.TaggedClass<Plaza>()("Plaza", {
  areaSquareMetres: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { as: "Option" })
}) {}

/**
 * The details of any site.
 *
 * @since 0.1.0
 * @category models
 */
export const Details = Schema.Union(BinStation, Compound, School, EnterpriseSite, Plaza)

/**
 * @since 0.1.0
 * @category models
 */
export type Details = typeof Details.Type

/**
 * The node kind each kind of details belongs to.
 *
 * @since 0.1.0
 * @category rules
 */
export const kindOf: Record<Details["_tag"], string> = {
  BinStation: "bin-station",
  Compound: "compound",
  School: "school",
  EnterpriseSite: "enterprise-site",
  Plaza: "plaza"
}

/**
 * A site's details over `[validFrom, validTo)`.
 *
 * @since 0.1.0
 * @category models
 */
export class SiteVersion extends Schema.Class<SiteVersion>("@sortgrid/grid/SiteVersion")({
  nodeId: NodeId,
  validFrom: Period.IsoDate,
  validTo: Period.IsoDate,
  details: Details
}) {}

/**
 * Set a site's details from a date.
 *
 * @since 0.1.0
 * @category commands
 */
export class SetSite extends Schema.Class<SetSite>("@sortgrid/grid/SetSite")({
  nodeId: NodeId,
  effectiveOn: Period.IsoDate,
  details: Details
}) {}

/**
 * Versions to end and to start.
 *
 * @since 0.1.0
 * @category rules
 */
export interface SitePlan {
  readonly end: ReadonlyArray<{ readonly nodeId: NodeId; readonly validTo: Period.IsoDate }>
  readonly start: ReadonlyArray<SiteVersion>
}

/** Encoding builds fields in schema order, so equal details encode to the same text. */
const same = (a: Details, b: Details) =>
  JSON.stringify(Schema.encodeSync(Details)(a)) === JSON.stringify(Schema.encodeSync(Details)(b))

/**
 * Plans setting details. Each node must be of the kind its details describe (`kinds` gives the kind
 * of each node on the command's date); details equal to the current ones change nothing; a date
 * before the current details' start is a `Conflict`.
 *
 * @since 0.1.0
 * @category rules
 */
export const planSites = (
  current: ReadonlyMap<string, SiteVersion>,
  kinds: ReadonlyMap<string, string>,
  commands: ReadonlyArray<SetSite>
): Either.Either<SitePlan, Errors.Invalid | Errors.Conflict> => {
  const open = new Map(current)
  const end: Array<SitePlan["end"][number]> = []
  const start: Array<SiteVersion> = []
  for (const [index, command] of commands.entries()) {
    const kind = kinds.get(`${command.effectiveOn}|${command.nodeId}`)
    if (kind === undefined) {
      return Either.left(
        Errors.Invalid.one(
          ["sites", index, "nodeId"],
          `node ${command.nodeId} does not exist on ${command.effectiveOn}`
        )
      )
    }
    if (kindOf[command.details._tag] !== kind) {
      return Either.left(
        Errors.Invalid.one(
          ["sites", index, "details"],
          `${command.details._tag} details describe a ${kindOf[command.details._tag]}, not a ${kind}`
        )
      )
    }
    const previous = open.get(command.nodeId)
    if (previous !== undefined) {
      if (same(previous.details, command.details)) continue
      if (previous.validFrom > command.effectiveOn) {
        return Either.left(
          new Errors.Conflict({
            entity: "Site",
            id: command.nodeId,
            reason: `its details change on ${previous.validFrom}, after ${command.effectiveOn}: changes apply in date order`
          })
        )
      }
      const inBatch = start.indexOf(previous)
      if (inBatch < 0) end.push({ nodeId: command.nodeId, validTo: command.effectiveOn })
      else if (previous.validFrom === command.effectiveOn) start.splice(inBatch, 1)
      else start.splice(inBatch, 1, new SiteVersion({ ...previous, validTo: command.effectiveOn }))
    }
    const version = new SiteVersion({
      nodeId: command.nodeId,
      validFrom: command.effectiveOn,
      validTo: Period.endOfTime,
      details: command.details
    })
    open.set(command.nodeId, version)
    start.push(version)
  }
  return Either.right({ end, start })
}
