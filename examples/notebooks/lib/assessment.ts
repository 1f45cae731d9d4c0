// Reading the stored monthly assessments: the latest result version of each scheme and month, and the
// scheme versions with their indicators' names and weights.
import type { Client } from "@sortgrid/sdk"
import { analyst, months, sequence } from "./store.js"

/** The territorial schemes the demo assesses every month, by group. */
export const schemes = [
  { id: "urban-2023", group: "urban" },
  { id: "rural-2023", group: "rural" }
] as const

/** A scheme's group. */
export type Group = (typeof schemes)[number]["group"]

/** The latest stored result of a scheme for each month of the half-year (a month not scored is an error). */
export const monthlyResults = (sortgrid: Client.SortgridClient, schemeId: string) =>
  sequence(months, async (month) => {
    const versions = await sortgrid.assessment.results(analyst, { schemeId, period: month })
    const latest = versions.at(-1)
    if (latest === undefined) throw new Error(`no stored result of ${schemeId} for ${month}: did the demo finish?`)
    return { month, stored: latest, result: latest.result }
  })

/** Every version of a scheme, oldest first, and the names of its indicators. */
export const schemeVersions = async (sortgrid: Client.SortgridClient, schemeId: string) => {
  const versions = await sortgrid.assessment.schemeVersions(analyst, schemeId)
  if (versions.length === 0) throw new Error(`no scheme ${schemeId} in the store: run \`pnpm demo\` first`)
  const names = new Map<string, string>()
  for (const version of versions)
    for (const indicator of version.scheme.indicators) names.set(indicator.id, indicator.name)
  return { versions, names }
}

/** The weight of each item of a scheme version, by indicator. */
export const weightsOf = (scheme: {
  readonly items: ReadonlyArray<{ readonly indicator: string; readonly rule: unknown }>
}) =>
  new Map(
    scheme.items.map((item) => {
      const rule = item.rule as { readonly weight?: number }
      return [item.indicator, rule.weight ?? 0] as const
    })
  )
