// `pnpm demo`: the main job. At this stage of the SDK it opens the store (the SQLite file
// ./sortgrid.db unless --store says otherwise), opens the first half of 2023 for assessment — every
// month, quarter and the half-year, as the district office would — records each step in the audit
// chain, verifies the chain, and prints what it did. Later capabilities grow it into the whole
// Tongzhou District demo behind the same command.
//
// Running it again changes nothing: every entry has a fixed id, so a rerun replays the same entries.
import { Period } from "@sortgrid/core"
import { Client } from "@sortgrid/sdk"
import { Either } from "effect"

const args = process.argv.slice(2)
const option = (name: string) => {
  const index = args.indexOf(`--${name}`)
  return index === -1 ? undefined : args[index + 1]
}
const store = option("store") ?? "sqlite:./sortgrid.db"

const admin = { id: "district-office", roles: ["district-admin"], scope: ["/"] }
const half = Either.getOrThrow(Period.parse("2023-H1"))
const periods = [...Period.periodsIn("Month", half), ...Period.periodsIn("Quarter", half), half]

const main = async () => {
  const sortgrid = await Client.open({ store })
  try {
    const entries = await sortgrid.audit.record(
      admin,
      periods.map((period) => ({
        id: `assessment-period-${Period.format(period)}`,
        actor: admin.id,
        action: "assessment.periodOpened",
        subject: `period:${Period.format(period)}`,
        payload: {
          period: Period.format(period),
          firstDay: Period.dateOfDay(Period.startDay(period)),
          lastDay: Period.dateOfDay(Period.endDay(period))
        }
      }))
    )
    console.log(`store ${store}`)
    console.table(
      entries.map((entry) => ({
        position: entry.position,
        action: entry.action,
        subject: entry.subject,
        hash: `${entry.hash.slice(0, 16)}…`
      }))
    )
    const verification = await sortgrid.audit.verify(admin)
    if (verification._tag === "Broken") {
      console.error(
        `audit chain BROKEN at position ${verification.position}: ${verification.reason} (${verification.detail})`
      )
      process.exitCode = 1
    } else {
      console.log(
        `audit chain intact: ${verification.entries} entries; head ${verification.head.position} ${verification.head.hash}`
      )
      console.log("keep the head elsewhere as an anchor: a later verify against it exposes any truncation")
    }
  } finally {
    await sortgrid.close()
  }
}

main()
  .catch((error: unknown) => {
    // Typed errors carry a message a person can act on; anything else is a bug worth its stack.
    const tagged = error as { readonly _tag?: string; readonly message?: string }
    console.error(tagged._tag !== undefined ? `${tagged._tag}: ${tagged.message}` : error)
    process.exitCode = 1
  })
  .finally(() => {
    const seconds = process.uptime().toFixed(2)
    const peak = (process.resourceUsage().maxRSS / 1024).toFixed(0)
    console.log(`wall time ${seconds} s, peak memory ${peak} MiB`)
  })
