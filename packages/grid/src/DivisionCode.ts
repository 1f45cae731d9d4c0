/**
 * China's statistical division codes (统计用区划代码), as the National Bureau of Statistics assigns
 * them: 6 digits for a county-level district, 9 for a township-level unit, 12 for a village-level
 * committee. Digits 7–9 say what a township-level unit is (001–099 a subdistrict, 100–199 a town,
 * 200–399 a township, 400–599 another township-level unit such as a farm or a development zone);
 * digits 10–12 say what a village-level unit is (001–199 a residents' committee, 200–399 a
 * villagers' committee, 400–599 a unit like a residents' committee — Tongzhou's business-apartment
 * "workstation" communities — and 600–799 one like a villagers' committee). Subdistricts and their communities are urban; towns, townships and
 * villages are rural. Imports derive kind and urban/rural from the code; both can be overridden.
 *
 * @since 0.1.0
 */
import { Either } from "effect"

/**
 * What a code says about its unit.
 *
 * @since 0.1.0
 * @category models
 */
export interface CodeMeaning {
  readonly kind: "district" | "subdistrict" | "town" | "community" | "village"
  readonly setting: "urban" | "rural"
  /** The code of the unit above, or `null` for a district. */
  readonly parentCode: string | null
}

/**
 * Reads a division code, or says why it is not one.
 *
 * @since 0.1.0
 * @category rules
 */
export const meaning = (code: string): Either.Either<CodeMeaning, string> => {
  if (!/^\d{6}(\d{3}(\d{3})?)?$/.test(code)) return Either.left("must be 6, 9 or 12 digits")
  if (code.length === 6) return Either.right({ kind: "district", setting: "urban", parentCode: null })
  const township = Number(code.slice(6, 9))
  if (code.length === 9) {
    if (township >= 1 && township <= 99) {
      return Either.right({ kind: "subdistrict", setting: "urban", parentCode: code.slice(0, 6) })
    }
    if (township >= 100 && township <= 599) {
      return Either.right({ kind: "town", setting: "rural", parentCode: code.slice(0, 6) })
    }
    return Either.left(`township-level number ${code.slice(6, 9)} is not assigned (001-599)`)
  }
  const village = Number(code.slice(9, 12))
  const parentCode = code.slice(0, 9)
  if ((village >= 1 && village <= 199) || (village >= 400 && village <= 599)) {
    return Either.right({ kind: "community", setting: township <= 99 ? "urban" : "rural", parentCode })
  }
  if ((village >= 200 && village <= 399) || (village >= 600 && village <= 799)) {
    return Either.right({ kind: "village", setting: "rural", parentCode })
  }
  return Either.left(`village-level number ${code.slice(9, 12)} is not assigned (001-799)`)
}
