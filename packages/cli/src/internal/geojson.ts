import { Errors, Json, type Period } from "@sortgrid/core"
import { Geometry } from "@sortgrid/grid"
import { Effect, Schema } from "effect"

const Feature = Schema.Struct({
  type: Schema.Literal("Feature"),
  id: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
  properties: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  geometry: Json.Json
})

const Collection = Schema.Struct({
  type: Schema.Literal("FeatureCollection"),
  features: Schema.Array(Feature)
})

type Feature = typeof Feature.Type

/** The node a feature sets the geometry of: a property when one is named, else the feature's id, else `properties.id`. */
const nodeIdOf = (feature: Feature, idProperty: string | undefined): unknown => {
  if (idProperty !== undefined) return feature.properties?.[idProperty]
  return feature.id ?? feature.properties?.id
}

/**
 * The geometry commands a FeatureCollection asks for, checked before anything is written. Each
 * change id is derived from the node, the date and the geometry, so importing the same file again
 * replays instead of starting new versions. Problems name `features[i]…`.
 */
export const commandsOf = (
  input: unknown,
  options: { readonly effectiveOn: Period.IsoDate; readonly idProperty: string | undefined }
): Effect.Effect<ReadonlyArray<Geometry.SetGeometry>, Errors.Invalid> =>
  Effect.gen(function* () {
    const collection = yield* Effect.mapError(Schema.decodeUnknown(Collection, { errors: "all" })(input), (error) =>
      Errors.Invalid.fromParseError(error)
    )
    const raw = collection.features.map((feature) => {
      const nodeId = nodeIdOf(feature, options.idProperty)
      const id = typeof nodeId === "number" ? String(nodeId) : nodeId
      return {
        changeId:
          typeof id === "string"
            ? `geojson-${Json.digest([id, options.effectiveOn, feature.geometry]).slice(0, 40)}`
            : "geojson-unnamed",
        nodeId: id,
        geometry: feature.geometry,
        effectiveOn: options.effectiveOn
      }
    })
    const decoded = yield* Effect.mapError(
      Schema.decodeUnknown(Schema.Array(Geometry.SetGeometry), { errors: "all" })(raw),
      (error) => Errors.Invalid.fromParseError(error, ["features"])
    )
    return decoded
  })

/** Rewrites the service's `geometries[i]` paths of a batch starting at `offset` to the file's `features[offset + i]`. */
export const atFeatures = (error: Errors.Invalid, offset: number): Errors.Invalid => {
  const moved = error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path
    return head === "geometries" && typeof index === "number"
      ? new Errors.Issue({ path: ["features", offset + index, ...rest], reason: issue.reason })
      : issue
  })
  const [first, ...others] = moved
  return first === undefined ? error : new Errors.Invalid({ issues: [first, ...others] })
}
