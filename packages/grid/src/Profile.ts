/**
 * Levels and kinds are configuration, not code. A profile names the kinds of node a jurisdiction
 * has and which kind may sit under which; every change to the tree is checked against it. Cities
 * name and nest their levels differently: give them their own profile.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A kind of node (`subdistrict`, `bin-station`): lower-case words joined by `-`.
 *
 * @since 0.1.0
 * @category models
 */
export const NodeKind = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9-]{0,39}$/, { message: () => "must be lower-case words joined by '-'" }),
  Schema.brand("NodeKind")
)

/**
 * @since 0.1.0
 * @category models
 */
export type NodeKind = typeof NodeKind.Type

/**
 * One kind of node in a profile: its id, its names, and the kinds it may be placed under (none:
 * it is a root).
 *
 * @since 0.1.0
 * @category models
 */
export class KindDefinition extends Schema.Class<KindDefinition>("@sortgrid/grid/KindDefinition")({
  kind: NodeKind,
  name: Schema.String,
  nameEn: Schema.String,
  parents: Schema.Array(NodeKind),
  /** A territorial kind covers ground (and may have a geometry); others are places or bodies. */
  territorial: Schema.Boolean
}) {}

/**
 * A profile: the kinds of node and the parent rules.
 *
 * @since 0.1.0
 * @category models
 */
export class Profile extends Schema.Class<Profile>("@sortgrid/grid/Profile")({
  id: Schema.String,
  name: Schema.String,
  kinds: Schema.Array(KindDefinition)
}) {}

/**
 * The definition of a kind, if the profile has it.
 *
 * @since 0.1.0
 * @category rules
 */
export const definition = (profile: Profile, kind: string): KindDefinition | undefined =>
  profile.kinds.find((definition) => definition.kind === kind)

/**
 * Why a node of `kind` may not sit under a node of `parentKind` (or at the root when there is no
 * parent), or `undefined` when it may.
 *
 * @since 0.1.0
 * @category rules
 */
export const placementError = (profile: Profile, kind: string, parentKind: string | undefined): string | undefined => {
  const child = definition(profile, kind)
  if (child === undefined) return `kind "${kind}" is not in profile ${profile.id}`
  if (parentKind === undefined) {
    return child.parents.length === 0 ? undefined : `a ${kind} must be placed under ${child.parents.join(" or ")}`
  }
  if (child.parents.includes(parentKind as NodeKind)) return undefined
  return child.parents.length === 0
    ? `a ${kind} is a root and cannot be placed under a ${parentKind}`
    : `a ${kind} must be placed under ${child.parents.join(" or ")}, not a ${parentKind}`
}

const kinds = (
  entries: ReadonlyArray<
    readonly [kind: string, name: string, nameEn: string, parents: ReadonlyArray<string>, territorial: boolean]
  >
) =>
  entries.map(
    ([kind, name, nameEn, parents, territorial]) =>
      new KindDefinition({
        kind: NodeKind.make(kind),
        name,
        nameEn,
        parents: parents.map((p) => NodeKind.make(p)),
        territorial
      })
  )

/**
 * The programme's profile: district → subdistrict | town → community | village → grid →
 * compound | school | enterprise site | plaza → bin station; and a government root whose
 * departments are nodes too, so one engine scores departments and territories alike.
 *
 * @since 0.1.0
 * @category profiles
 */
export const chinaDistrict: Profile = new Profile({
  id: "cn-district",
  name: "District waste-sorting programme (China)",
  kinds: kinds([
    ["district", "区", "district", [], true],
    ["subdistrict", "街道", "subdistrict", ["district"], true],
    ["town", "镇/乡", "town", ["district"], true],
    ["community", "社区", "community", ["subdistrict", "town"], true],
    ["village", "村", "village", ["town", "subdistrict"], true],
    ["grid", "网格", "grid", ["community", "village"], true],
    ["compound", "小区", "residential compound", ["grid"], true],
    ["school", "学校", "school", ["grid"], false],
    ["enterprise-site", "单位", "enterprise site", ["grid"], false],
    ["plaza", "广场", "plaza", ["grid"], false],
    ["bin-station", "桶站", "bin station", ["compound", "school", "enterprise-site", "plaza", "village"], false],
    ["government", "区政府", "district government", [], false],
    ["department", "委办局", "department", ["government"], false]
  ])
})

/**
 * A second profile, to show levels are configuration: a city of wards and neighbourhoods, three
 * territorial levels deep, with collection points directly under neighbourhoods.
 *
 * @since 0.1.0
 * @category profiles
 */
export const wardCity: Profile = new Profile({
  id: "ward-city",
  name: "City of wards",
  kinds: kinds([
    ["city", "市", "city", [], true],
    ["ward", "区", "ward", ["city"], true],
    ["neighbourhood", "街区", "neighbourhood", ["ward"], true],
    ["collection-point", "收集点", "collection point", ["neighbourhood"], false]
  ])
})
