// `pnpm demo`: the main job. It opens the store (the SQLite file ./sortgrid.db unless --store says
// otherwise) and builds Tongzhou District as of 2023 through the public SDK:
//   1. the real 2023 division list — the district, its 22 subdistricts and towns, 656 communities and
//      villages — with urban/rural from the statistical codes;
//   2. the district government and its 32 departments;
//   3. the seeded synthetic grids, compounds, schools, enterprise sites, plazas and bin stations, and
//      the standing workforce (grid workers, volunteers, public-welfare posts);
//   4. opens the first half of 2023 for assessment;
//   5. walks the "hardware to zero" campaign day by day from January to June 2023: 4,104 hardware
//      problems registered across the 708 compounds, assigned, rectified and re-inspected until
//      1,025 are left at 394 compounds, rural towns lagging;
// then prints what stands and the campaign's figures, verifies the audit chain, and prints its own
// wall time, peak memory and CPU time. The store's clock is a simulated one, standing in 2023.
// Later capabilities grow it into the whole half-year simulation behind the same command.
//
// Running it again changes nothing: every record has a fixed id, so a rerun replays them.
import { Period } from "@sortgrid/core"
import { Client, SimulatedClock } from "@sortgrid/sdk"
import * as Departments from "@sortgrid/testkit/Departments"
import * as HardwareCampaign from "@sortgrid/testkit/HardwareCampaign"
import * as Residents from "@sortgrid/testkit/Residents"
import * as Synthetic from "@sortgrid/testkit/Synthetic"
import * as Tongzhou from "@sortgrid/testkit/Tongzhou"
import { Either } from "effect"
import * as HalfYear from "./src/halfYear.js"
import * as Report from "./src/report.js"

const args = process.argv.slice(2)
const option = (name: string) => {
  const index = args.indexOf(`--${name}`)
  return index === -1 ? undefined : args[index + 1]
}
const store = option("store") ?? "sqlite:./sortgrid.db"
const seed = Number(option("seed") ?? "2023")
const opened = "2023-01-01"
const office = { id: "district-office", roles: ["district-admin"], scope: ["/"] }
const propertyCompany = { id: "property-company", roles: ["grid-worker"], scope: ["/110112/"] }
const step = (text: string) => console.log(`· ${text}`)

/** 10:00 in Beijing on an ISO date: when the day's work is recorded. */
const morningOf = (date: string) => Date.parse(`${date}T02:00:00Z`)
const time = SimulatedClock.make(morningOf(opened))

/** The campaign's plan, walked through the public API one day at a time. */
const walkCampaign = async (sortgrid: Client.SortgridClient, plan: ReadonlyArray<HardwareCampaign.PlannedProblem>) => {
  const versions = new Map<string, number>()
  const next = (id: string) => {
    const version = versions.get(id) ?? 1
    versions.set(id, version + 1)
    return version
  }
  for (const [day, steps] of HardwareCampaign.schedule(plan)) {
    time.set(morningOf(day))
    const of = <K extends HardwareCampaign.Step["kind"]>(kind: K) =>
      steps.filter((s): s is Extract<HardwareCampaign.Step, { kind: K }> => s.kind === kind)
    const registering = of("register").map(({ problem }) => ({
      id: problem.id,
      categoryCode: problem.categoryCode,
      nodeId: problem.compound.id,
      source: { _tag: "ManualReport", reference: "hardware-to-zero" },
      attributes: problem.attributes
    }))
    if (registering.length > 0) await sortgrid.problems.register(office, registering)
    const changes = (kind: "assign" | "rectify" | "reinspect") =>
      of(kind).map((s) => {
        const base = { problemId: s.problem.id, expectedVersion: next(s.problem.id) }
        return s.kind === "assign"
          ? { _tag: "Assign", ...base, unitId: s.problem.compound.communityId }
          : s.kind === "rectify"
            ? { _tag: "Rectify", ...base, evidence: [`photo:${s.problem.id}:${day}`] }
            : { _tag: "Reinspect", ...base, outcome: s.outcome }
      })
    for (const [kind, actor] of [
      ["assign", office],
      ["rectify", propertyCompany],
      ["reinspect", office]
    ] as const) {
      const batch = changes(kind)
      if (batch.length > 0) await sortgrid.problems.transitionMany(actor, batch)
    }
  }
}

const main = async () => {
  const sortgrid = await Client.open({ store, clock: time.clock, ...Residents.sdkOptions })
  try {
    console.log(`store ${store}, seed ${seed}`)
    step("importing the 2023 division list of Tongzhou District")
    const divisions = await sortgrid.grid.importDivisions(office, Tongzhou.csv, {
      effectiveOn: opened,
      mode: "all-or-nothing"
    })
    step("opening the district government and its 32 departments")
    await sortgrid.grid.open(office, Departments.nodes(opened))

    const communities = divisions.imported
      .filter((d) => d.node.kind === "community" || d.node.kind === "village")
      .map((d) => ({ id: d.node.id, kind: d.node.kind as "community" | "village", setting: d.setting }))
    const nodes = Synthetic.district({ seed, communities, effectiveOn: opened })
    step(`opening ${nodes.length.toLocaleString("en-US")} synthetic grids, compounds, schools, sites and bin stations`)
    await sortgrid.grid.open(office, nodes)

    const workers = Synthetic.workforce({
      seed,
      grids: nodes.filter((node) => node.kind === "grid").map((node) => node.id),
      communities: communities.map((c) => c.id),
      effectiveOn: opened
    })
    step(`registering and placing ${workers.length.toLocaleString("en-US")} people of the standing workforce`)
    for (let i = 0; i < workers.length; i += 5_000) {
      const batch = workers.slice(i, i + 5_000)
      await sortgrid.people.register(
        office,
        batch.map((w) => w.person)
      )
      await sortgrid.people.assign(
        office,
        batch.map((w) => w.assignment)
      )
    }

    const half = Either.getOrThrow(Period.parse("2023-H1"))
    const periods = [...Period.periodsIn("Month", half), ...Period.periodsIn("Quarter", half), half]
    step("opening January–June 2023 for assessment")
    await sortgrid.audit.record(
      office,
      periods.map((period) => ({
        id: `assessment-period-${Period.format(period)}`,
        actor: office.id,
        action: "assessment.periodOpened",
        subject: `period:${Period.format(period)}`,
        payload: {
          period: Period.format(period),
          firstDay: Period.dateOfDay(Period.startDay(period)),
          lastDay: Period.dateOfDay(Period.endDay(period))
        }
      }))
    )

    const byId = new Map(nodes.map((node) => [node.id, node]))
    const byCommunity = new Map<string, { readonly townId: string; readonly setting: "urban" | "rural" }>(
      divisions.imported.map((d) => [d.node.id, { townId: d.node.parentId ?? "", setting: d.setting }])
    )
    const compounds = nodes.flatMap((node): Array<HardwareCampaign.Compound> => {
      const communityId = byId.get(node.parentId)?.parentId ?? ""
      const community = byCommunity.get(communityId)
      return node.kind === "compound" && community !== undefined ? [{ id: node.id, communityId, ...community }] : []
    })
    const plan = HardwareCampaign.plan({ seed, compounds })
    step(`walking the hardware-to-zero campaign: ${plan.length.toLocaleString("en-US")} problems, January to June`)
    const district = `/${Tongzhou.districtCode}/`
    // Each month's statistics are read once, by the assessment, and printed again in the campaign table.
    const stats = new Map<string, ReturnType<typeof sortgrid.problems.stats>>()
    const statsOf = (period: string) => {
      const found = stats.get(period) ?? sortgrid.problems.stats(office, { under: district, period })
      stats.set(period, found)
      return found
    }
    // A rerun finds the campaign on the register already: the problems' ids are fixed.
    const firstRun = await sortgrid.problems.history(office, plan[0]!.id).then(
      (events) => events.length === 0,
      () => true
    )
    if (firstRun) await walkCampaign(sortgrid, plan)
    const figures = await HalfYear.simulate({
      sortgrid,
      seed,
      firstRun,
      office,
      setTime: time.set,
      step,
      districtPath: district,
      towns: divisions.imported
        .filter((d) => d.node.kind === "subdistrict" || d.node.kind === "town")
        .map((d) => ({ id: d.node.id, setting: d.setting })),
      places: communities.map((c) => ({
        id: c.id,
        townId: byCommunity.get(c.id)?.townId ?? "",
        path: `${district}${byCommunity.get(c.id)?.townId ?? ""}/${c.id}/`,
        setting: c.setting
      })),
      nodes,
      volunteers: workers.filter((w) => w.assignment.role === "volunteer").map((w) => w.person.id),
      departments: Departments.nodes(opened)
        .filter((n) => n.kind === "department")
        .map((n) => n.id ?? ""),
      problemStats: statsOf
    })

    const asOf = "2023-06-30"
    const counts = await sortgrid.grid.countByKind(office, { under: `/${Tongzhou.districtCode}/`, asOf })
    const government = await sortgrid.grid.countByKind(office, { under: `/${Departments.governmentId}/`, asOf })
    console.log(`\nTongzhou District as of ${asOf}`)
    console.table(Object.fromEntries([...counts, ...government].map(({ kind, count }) => [kind, { nodes: count }])))
    const memberships = await sortgrid.grid.memberships(office, { under: "/110112/", asOf })
    const townships = memberships.filter((m) => m.nodeId.length === 9)
    const setting = (group: string) => townships.filter((m) => m.groupId === group).length
    console.log(`subdistricts and towns: ${setting("urban")} urban, ${setting("rural")} rural`)
    const byRole = new Map<string, number>()
    for (const w of workers) byRole.set(w.assignment.role, (byRole.get(w.assignment.role) ?? 0) + 1)
    console.table(Object.fromEntries([...byRole].map(([role, people]) => [role, { people }])))

    console.log("\nthe hardware-to-zero campaign (problems on the register, all compounds)")
    const months = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    const rows: Record<string, Record<string, number | string>> = {}
    for (const month of months) {
      const stats = await statsOf(month)
      const root = stats.nodes.get(Tongzhou.districtCode)
      if (root === undefined) continue
      const settingOf = (setting: "urban" | "rural") =>
        [...stats.nodes.values()].filter(
          (node) => byCommunity.get(node.nodeId)?.setting === setting && node.nodeId.length === 12
        )
      const perCompound = (nodes: ReadonlyArray<{ readonly openAtEnd: number; readonly compounds: number }>) =>
        (
          nodes.reduce((sum, n) => sum + n.openAtEnd, 0) /
          Math.max(
            1,
            nodes.reduce((sum, n) => sum + n.compounds, 0)
          )
        ).toFixed(2)
      const extra = figures.extraProblems[month] ?? { registered: 0, closed: 0 }
      rows[month] = {
        registered: root.opened - extra.registered,
        "closed fixed": root.closedFixed - extra.closed,
        "open at end": root.openAtEnd,
        overdue: root.overdueAtEnd,
        "per compound": (root.perCompound.value ?? 0).toFixed(2),
        "per affected compound": (root.perAffectedCompound.value ?? 0).toFixed(2),
        "urban per compound": perCompound(settingOf("urban")),
        "rural per compound": perCompound(settingOf("rural")),
        "compounds clear": `${(((root.compounds - root.compoundsWithOpen) / root.compounds) * 100).toFixed(0)}%`
      }
    }
    console.table(rows)
    Report.print(figures)
    await Report.write({ figures, campaign: rows, directory: "out" })

    const verification = await sortgrid.audit.verify(office)
    if (verification._tag === "Broken") {
      console.error(
        `audit chain BROKEN at position ${verification.position}: ${verification.reason} (${verification.detail})`
      )
      process.exitCode = 1
    } else {
      console.log(
        `audit chain intact: ${verification.entries} entries; head ${verification.head.position} ${verification.head.hash}`
      )
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
    const usage = process.resourceUsage()
    const peak = (usage.maxRSS / 1024).toFixed(0)
    // CPU time too: on a shared machine the wall time says more about the neighbours than the demo.
    const cpu = ((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2)
    console.log(`wall time ${seconds} s, peak memory ${peak} MiB, CPU time ${cpu} s`)
  })
