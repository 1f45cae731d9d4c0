// The half-year beyond the hardware campaign, through the Promise facade only: bin-side duty with
// check-ins and no-shows, "morning duty" inspections, the points programme (200,000 wallets, monthly
// earning, counter redemptions, expiry, settlement), the five outreach campaigns, monthly
// assessments of the urban and rural groups and of the departments (the scheme revised on 1 April),
// supervision for the bottom-ranked towns, and the quarterly reward-fund split.
//
// Writes happen only on the first run (`firstRun`): every later run reads the same store and prints
// the same figures. Each write call is one transaction (about 10 ms of fsync on SQLite with
// synchronous=FULL), so the calls are batched wherever the API takes a batch.
import type { Client } from "@sortgrid/sdk"
import * as Residents from "@sortgrid/testkit/Residents"
import * as Schemes from "@sortgrid/testkit/Schemes"
import { random } from "@sortgrid/testkit/Synthetic"

type Actor = { readonly id: string; readonly roles: ReadonlyArray<string>; readonly scope: ReadonlyArray<string> }

export interface Context {
  readonly sortgrid: Client.SortgridClient
  readonly seed: number
  readonly firstRun: boolean
  readonly office: Actor
  readonly setTime: (millis: number) => void
  readonly step: (text: string) => void
  readonly districtPath: string
  readonly towns: ReadonlyArray<{ readonly id: string; readonly setting: "urban" | "rural" }>
  readonly places: ReadonlyArray<Residents.Place & { readonly townId: string }>
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly kind: string; readonly parentId: string }>
  readonly volunteers: ReadonlyArray<string>
  readonly departments: ReadonlyArray<string>
  /** The problem statistics of the district for a period, read once and shared with the campaign table. */
  readonly problemStats: (period: string) => ReturnType<Client.SortgridClient["problems"]["stats"]>
}

export const months = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"] as const
const day = 86_400_000
/** An instant from a Beijing wall-clock time. */
export const beijing = (date: string, time: string) => Date.parse(`${date}T${time}:00+08:00`)
const isoOf = (millis: number) => new Date(millis).toISOString().slice(0, 10)
const lastDayOf = (month: string) => {
  const [y, m] = month.split("-").map(Number)
  return isoOf(Date.UTC(y!, m!, 0))
}
const nextMonth = (month: string) => {
  const [y, m] = month.split("-").map(Number)
  return isoOf(Date.UTC(y!, m!, 1)).slice(0, 7)
}
const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

/** The 26 duty weeks, Monday 2 January to Sunday 2 July. */
const weeks = Array.from({ length: 26 }, (_, w) => {
  const monday = Date.UTC(2023, 0, 2) + w * 7 * day
  return { index: w + 1, firstDay: isoOf(monday), lastDay: isoOf(monday + 6 * day) }
})

/** Presence drops in the Spring Festival week and slips in May, when the pressure eases. */
const presenceChance = (setting: "urban" | "rural", date: string) =>
  (setting === "urban" ? 0.94 : 0.84) -
  (date >= "2023-01-21" && date <= "2023-01-27" ? 0.3 : 0) -
  (date.startsWith("2023-05") ? 0.06 : 0) +
  (date >= "2023-04-01" && setting === "rural" ? 0.04 : 0)

export interface Figures {
  readonly residents: number
  readonly wallets: number
  readonly duty: Record<string, { urban: string; rural: string; expected: number; covered: number; noShows: number }>
  readonly morningDuty: Record<string, { visits: number; absent: number }>
  readonly outreach: Record<string, Record<string, number>>
  readonly outreachTotals: { events: number; participants: number; households: number }
  readonly points: Record<string, Record<string, number>>
  readonly settlement: Record<string, Record<string, number>>
  readonly rankings: Record<string, Record<string, Record<string, string>>>
  readonly supervision: Record<string, string>
  readonly funds: Record<string, Record<string, string>>
  readonly extraProblems: Record<string, { registered: number; closed: number }>
  readonly schemeChanges: ReadonlyArray<string>
}

export const simulate = async (ctx: Context): Promise<Figures> => {
  const { sortgrid, office, seed, firstRun, step } = ctx
  const next = random(seed ^ 0xd0d0)
  const ledger = Residents.ledgerId
  const operator = office
  const townOf = new Map<string, string>()
  const byId = new Map(ctx.nodes.map((node) => [node.id, node]))
  const townSetting = new Map(ctx.towns.map((town) => [town.id, town.setting]))
  const climb = (id: string): string => {
    let current: string | undefined = id
    while (current !== undefined && current.length !== 9)
      current = byId.get(current)?.parentId ?? ctx.places.find((p) => p.id === current)?.townId
    return current ?? ""
  }
  const placeTown = new Map(ctx.places.map((place) => [place.id, place.townId]))
  const communityOf = (id: string): string => {
    let current: string | undefined = id
    while (current !== undefined && !placeTown.has(current)) current = byId.get(current)?.parentId
    return current ?? ""
  }
  for (const node of ctx.nodes)
    if (node.kind === "bin-station") townOf.set(node.id, placeTown.get(communityOf(node.id)) ?? climb(node.id))

  // --- residents and the points programme --------------------------------------------------------
  const residents = Residents.population({ seed, places: ctx.places })
  step(
    `opening the points programme: ${residents.length.toLocaleString("en-US")} resident wallets, ${Residents.merchants.length} merchants and swap markets`
  )
  ctx.setTime(beijing("2023-01-01", "09:00"))
  if (firstRun) {
    await sortgrid.ledger.createAccounts(operator, [
      { id: Residents.accountIds.reserve, ledger, code: "reserve" },
      { id: Residents.accountIds.budget, ledger, code: "programme-budget" },
      { id: Residents.accountIds.expired, ledger, code: "expired" },
      ...Residents.merchants.map((m) => ({ id: m.accountId, ledger, code: "merchant", ownerReference: m.id }))
    ])
    await sortgrid.ledger.createTransfers(operator, [
      {
        id: "budget-2023-h1",
        debitAccountId: Residents.accountIds.reserve,
        creditAccountId: Residents.accountIds.budget,
        amount: 20_000_000,
        ledger,
        code: "fund-allocation"
      }
    ])
    for (const batch of chunks(Residents.wallets(residents), 8_000))
      await sortgrid.ledger.createAccounts(operator, batch)
    await sortgrid.points.defineMerchants(
      operator,
      Residents.merchants.map((m) => ({ id: m.id, ledger, accountId: m.accountId, kind: m.kind, name: m.name }))
    )
    await sortgrid.points.defineItems(
      operator,
      Residents.merchants.flatMap((m) => m.items.map((item) => ({ merchantId: m.id, ...item })))
    )
  }

  // --- duty: templates, projects, sign-ups -------------------------------------------------------
  const stationsByTown = new Map<string, Array<string>>()
  for (const node of ctx.nodes) {
    if (node.kind !== "bin-station") continue
    const town = townOf.get(node.id) ?? ""
    const list = stationsByTown.get(town) ?? []
    list.push(node.id)
    stationsByTown.set(town, list)
  }
  const dutyStations = ctx.towns.flatMap((town) =>
    (stationsByTown.get(town.id) ?? []).filter((_, i) => i % 7 === 0).slice(0, 12)
  )
  const projects = dutyStations.map((station, index) => ({
    id: `duty-${station}`,
    station,
    town: townOf.get(station) ?? "",
    volunteerOf: (week: number) => ctx.volunteers[(index * 26 + week) % ctx.volunteers.length]!
  }))
  step(`posting ${projects.length} bin-side duty projects (morning and evening) and signing volunteers up week by week`)
  if (firstRun) {
    await sortgrid.duty.defineTemplates(
      office,
      dutyStations.flatMap((station) => [
        {
          id: `${station}-am`,
          nodeId: station,
          name: "早班",
          windowStart: "07:00",
          windowEnd: "09:00",
          validFrom: "2023-01-01"
        },
        {
          id: `${station}-pm`,
          nodeId: station,
          name: "晚班",
          windowStart: "18:30",
          windowEnd: "20:30",
          validFrom: "2023-01-01"
        }
      ])
    )
    for (const project of projects) {
      await sortgrid.duty.postProject(office, {
        id: project.id,
        title: `${project.station} 桶前值守`,
        nodeId: project.station,
        templateIds: [`${project.station}-am`, `${project.station}-pm`],
        firstDay: weeks[0]!.firstDay,
        lastDay: weeks.at(-1)!.lastDay,
        capacity: 1
      })
    }
    await sortgrid.duty.signUp(
      office,
      projects.flatMap((project) =>
        weeks.map((week) => ({
          id: `${project.id}-w${week.index}`,
          projectId: project.id,
          personId: project.volunteerOf(week.index),
          firstDay: week.firstDay,
          lastDay: week.lastDay
        }))
      )
    )
    await sortgrid.inspections.define(office, {
      campaigns: [
        {
          id: "morning-duty",
          name: "桶前值守早检",
          nameEn: "Morning duty",
          from: "2023-01-01",
          to: "2023-06-30",
          categories: ["duty-absent"]
        }
      ],
      templates: [
        {
          id: "station-duty",
          name: "桶前值守检查",
          siteKind: "bin-station",
          items: [{ code: "on-duty", text: "投放时段有人值守", categoryCode: "duty-absent" }]
        }
      ]
    })
  }

  // --- the half-year, week by week -----------------------------------------------------------------
  const covered = new Set<string>()
  const checkInsOf = (week: (typeof weeks)[number]) => {
    const out: Array<Record<string, unknown>> = []
    for (const project of projects) {
      const setting = townSetting.get(project.town) ?? "urban"
      const person = project.volunteerOf(week.index)
      for (let d = 0; d < 7; d++) {
        const date = isoOf(Date.parse(week.firstDay) + d * day)
        for (const [shift, time] of [
          ["am", "07:12"],
          ["pm", "18:41"]
        ] as const) {
          if (next() >= presenceChance(setting, date)) continue
          covered.add(`${project.station}|${date}|${shift}`)
          out.push({
            id: `ci-${project.station}-${date}-${shift}`,
            personId: person,
            nodeId: project.station,
            at: beijing(date, time)
          })
        }
      }
    }
    return out
  }
  const extraProblems: Record<string, { registered: number; closed: number }> = Object.fromEntries(
    months.map((m) => [m, { registered: 0, closed: 0 }])
  )
  const morningDuty: Record<string, { visits: number; absent: number }> = Object.fromEntries(
    months.map((m) => [m, { visits: 0, absent: 0 }])
  )
  const volunteerWallet = (personId: string) => `w-r${personId.slice(1)}`
  const volunteerClaims: Array<{ week: (typeof weeks)[number]; personId: string; at: string }> = []
  step("walking the half-year week by week: check-ins, morning-duty inspections, duty rewards")
  for (const week of weeks) {
    const records = checkInsOf(week)
    ctx.setTime(beijing(week.lastDay, "21:00"))
    if (firstRun) for (const batch of chunks(records, 5_000)) await sortgrid.duty.checkIn(office, batch)
    for (const project of projects) {
      const shifts = [...Array(7).keys()].flatMap((d) => {
        const date = isoOf(Date.parse(week.firstDay) + d * day)
        return ["am", "pm"].filter((s) => covered.has(`${project.station}|${date}|${s}`))
      }).length
      if (shifts >= 10) volunteerClaims.push({ week, personId: project.volunteerOf(week.index), at: project.station })
    }
    // Morning duty: an inspector visits eight duty stations on the Wednesday at 07:30.
    const wednesday = isoOf(Date.parse(week.firstDay) + 2 * day)
    const month = wednesday.slice(0, 7)
    if (wednesday > "2023-06-30") continue
    const visited = Array.from({ length: 8 }, () => projects[Math.floor(next() * projects.length)]!)
    const failing: Array<{ problemId: string; unitId: string }> = []
    for (const [index, project] of visited.entries()) {
      const present = covered.has(`${project.station}|${wednesday}|am`)
      morningDuty[month]!.visits += 1
      if (!present) morningDuty[month]!.absent += 1
      ctx.setTime(beijing(wednesday, "07:30") + index * 60_000)
      if (!firstRun) continue
      const recorded = await sortgrid.inspections.recordVisit(office, {
        id: `md-${wednesday}-${index}`,
        campaignId: "morning-duty",
        templateId: "station-duty",
        nodeId: project.station,
        items: [
          present
            ? { itemCode: "on-duty", result: "pass" }
            : {
                itemCode: "on-duty",
                result: "fail",
                evidence: [`photo:md-${wednesday}-${index}`],
                attributes: { window: "morning", observed_at: new Date(beijing(wednesday, "07:30")).toISOString() }
              }
        ]
      })
      for (const id of recorded.record.registered) failing.push({ problemId: id, unitId: communityOf(project.station) })
    }
    if (!present(failing)) continue
    extraProblems[month]!.registered += failing.length
    extraProblems[month]!.closed += failing.length
    ctx.setTime(beijing(isoOf(Date.parse(wednesday) + day), "10:00"))
    await sortgrid.problems.transitionMany(
      office,
      failing.map((f) => ({ _tag: "Assign", problemId: f.problemId, expectedVersion: 1, unitId: f.unitId }))
    )
    await sortgrid.problems.transitionMany(
      propertyActor,
      failing.map((f) => ({
        _tag: "Rectify",
        problemId: f.problemId,
        expectedVersion: 2,
        evidence: [`photo:${f.problemId}:on-duty`]
      }))
    )
    await sortgrid.problems.transitionMany(
      office,
      failing.map((f) => ({ _tag: "Reinspect", problemId: f.problemId, expectedVersion: 3, outcome: "pass" }))
    )
  }
  // Absences found on a rerun are counted from the plan; the problems were closed on the first run.
  for (const month of months)
    if (!firstRun) extraProblems[month] = { registered: morningDuty[month]!.absent, closed: morningDuty[month]!.absent }

  // --- outreach -------------------------------------------------------------------------------------
  const kindNodes = {
    school: ctx.nodes.filter((n) => n.kind === "school").map((n) => n.id),
    village: ctx.places.filter((p) => p.setting === "rural").map((p) => p.id),
    enterprise: ctx.nodes.filter((n) => n.kind === "enterprise-site").map((n) => n.id),
    community: ctx.places.filter((p) => p.setting === "urban").map((p) => p.id),
    plaza: ctx.nodes.filter((n) => n.kind === "plaza").map((n) => n.id)
  }
  const perMonth = { school: 36, village: 0, enterprise: 10, community: 30, plaza: 4 }
  const themes = [
    "垃圾分类新春行",
    "桶前值守我先行",
    "开学第一课：垃圾分类",
    "硬件清零攻坚月",
    "减量从我做起",
    "分类成效回头看"
  ]
  const eventsByDepartment = new Map<string, number>()
  const eventClaims: Array<{ id: string; resident: Residents.Resident; date: string }> = []
  step("recording the five outreach campaigns and the monthly themes")
  for (const [m, month] of months.entries()) {
    const events: Array<Record<string, unknown>> = []
    for (const kind of ["school", "village", "enterprise", "community", "plaza"] as const) {
      const count =
        perMonth[kind] + (kind === "school" && month === "2023-03" ? 56 : 0) + (kind === "village" && m >= 2 ? 1 : 0)
      for (let e = 1; e <= count; e++) {
        const pool = kindNodes[kind]
        const nodeId = pool[Math.floor(next() * pool.length)]!
        const date = `${month}-${String(1 + Math.floor(next() * 27)).padStart(2, "0")}`
        const department = ctx.departments[Math.floor(next() * ctx.departments.length)]!
        const organiserId = kind === "enterprise" || kind === "plaza" || kind === "village" ? department : nodeId
        if (organiserId === department)
          eventsByDepartment.set(`${department}|${month}`, (eventsByDepartment.get(`${department}|${month}`) ?? 0) + 1)
        const participants =
          kind === "school"
            ? 40 + Math.floor(next() * 40)
            : kind === "plaza"
              ? 300 + Math.floor(next() * 200)
              : 30 + Math.floor(next() * 60)
        const id = `ev-${month}-${kind}-${e}`
        events.push({
          id,
          kind,
          title: `${themes[m]} · ${kind}`,
          date,
          nodeId,
          organiserId,
          participants,
          households: Math.round(participants * (kind === "school" ? 0.9 : 0.7))
        })
        for (let k = 0; k < 12; k++)
          eventClaims.push({ id: `${id}-${k}`, resident: residents[Math.floor(next() * residents.length)]!, date })
      }
    }
    ctx.setTime(beijing(lastDayOf(month), "20:00"))
    if (firstRun) {
      await sortgrid.outreach.setTheme(office, { nodeId: "110112", month, title: themes[m] })
      await sortgrid.outreach.record(office, events)
    }
  }

  // --- points: monthly earning, counter redemptions, expiry ----------------------------------------
  step("earning, redeeming and expiring points month by month")
  let claimed = 0
  const earnersByMonth = new Map<string, ReadonlyArray<Residents.Resident>>()
  for (const month of months) {
    const earners = Residents.activeIn({ seed, month, residents })
    earnersByMonth.set(month, earners)
    const end = beijing(lastDayOf(month), "21:00")
    const claims = [
      ...earners.map((resident) => ({
        id: `sort-${month}-${resident.id}`,
        code: "correct-sorting",
        residentReference: resident.id,
        walletAccountId: resident.walletId,
        at: resident.path,
        sourceReference: `duty-confirmations:${month}`,
        occurredAt: end
      })),
      ...volunteerClaims
        .filter((c) => c.week.lastDay.slice(0, 7) === month)
        .map((c) => ({
          id: `duty-${c.week.index}-${c.personId}`,
          code: "duty-volunteering",
          residentReference: `r${c.personId.slice(1)}`,
          walletAccountId: volunteerWallet(c.personId),
          at: ctx.districtPath,
          siteReference: c.at,
          sourceReference: `duty-week:${c.week.index}`,
          occurredAt: beijing(c.week.lastDay, "21:00")
        })),
      ...eventClaims
        .filter((c) => c.date.startsWith(month))
        .map((c) => ({
          id: c.id,
          code: "event",
          residentReference: c.resident.id,
          walletAccountId: c.resident.walletId,
          at: c.resident.path,
          sourceReference: `event:${c.id.split("-").slice(0, -1).join("-")}`,
          occurredAt: beijing(c.date, "10:00")
        }))
    ]
    claimed += claims.length
    ctx.setTime(end)
    if (firstRun)
      for (const batch of chunks(claims, 8_000)) await sortgrid.points.earn(operator, { ledger, claims: batch })
    const baskets = Residents.baskets({ seed, month, earners, budgetPerResident: Residents.figures.sortingPoints })
    if (firstRun) {
      // The month's counter work in three transactions: the baskets held, then handed over or cancelled.
      ctx.setTime(end + 60_000)
      const held = await sortgrid.points.redeemMany(
        cashier,
        baskets.map((basket) => ({
          id: basket.id,
          merchantId: basket.merchantId,
          walletAccountId: basket.walletId,
          lines: basket.lines
        }))
      )
      const settled = baskets.filter((_, i) => held[i]?.result === "Ok")
      ctx.setTime(end + 120_000)
      await sortgrid.points.handOverMany(
        cashier,
        settled.filter((basket) => !basket.cancelled).map((basket) => ({ redemptionId: basket.id }))
      )
      await sortgrid.points.cancelMany(
        cashier,
        settled.filter((basket) => basket.cancelled).map((basket) => basket.id)
      )
      ctx.setTime(beijing(`${nextMonth(month)}-01`, "00:30"))
      await sortgrid.ledger.expire(operator, ledger)
    }
  }

  // Certified home-school tasks in May: the school assigns, the property company records, the school certifies.
  const schools = kindNodes.school.slice(0, 22)
  step(`certifying ${schools.length} home-school tasks`)
  if (firstRun) {
    for (const [i, school] of schools.entries()) {
      const resident = residents[(i * 9_091) % residents.length]!
      const id = `task-2023-05-${school}`
      ctx.setTime(beijing("2023-05-08", "09:00") + i * 60_000)
      await sortgrid.tasks.assign(teacher, {
        id,
        ledger,
        points: Residents.figures.schoolTaskPoints,
        budgetAccountId: Residents.accountIds.budget,
        walletAccountId: resident.walletId,
        assigneeReference: resident.id
      })
      ctx.setTime(beijing("2023-05-12", "18:00") + i * 60_000)
      await sortgrid.tasks.complete(propertyActor, { taskId: id })
      ctx.setTime(beijing("2023-05-15", "09:00") + i * 60_000)
      await sortgrid.tasks.certify(teacher, { taskId: id })
    }
  }

  // --- reading the half-year back ----------------------------------------------------------------
  // Each month's presence is read once: the figures and the assessment's values both come from it.
  const presenceByMonth = new Map<string, Awaited<ReturnType<typeof sortgrid.duty.presence>>>()
  const presenceIn = async (month: string) => {
    const found = presenceByMonth.get(month)
    if (found !== undefined) return found
    const presence = await sortgrid.duty.presence(office, { under: ctx.districtPath, period: month })
    presenceByMonth.set(month, presence)
    return presence
  }
  const duty: Figures["duty"] = {}
  for (const month of months) {
    const presence = await presenceIn(month)
    const noShows = await sortgrid.duty.noShows(office, { under: ctx.districtPath, period: month })
    const rateOf = (setting: "urban" | "rural") => {
      const parts = presence.byNode.filter((n) => townSetting.get(n.nodeId) === setting)
      const expected = parts.reduce((s, n) => s + n.expected, 0)
      const got = parts.reduce((s, n) => s + n.covered, 0)
      return `${((got / Math.max(1, expected)) * 100).toFixed(1)}%`
    }
    duty[month] = {
      urban: rateOf("urban"),
      rural: rateOf("rural"),
      expected: presence.expected,
      covered: presence.covered,
      noShows: noShows.noShows.length
    }
  }

  const outreach: Figures["outreach"] = {}
  const outreachByTown = new Map<string, number>()
  for (const month of months) {
    const stats = await sortgrid.outreach.stats(office, { under: ctx.districtPath, period: month })
    outreach[month] = Object.fromEntries([
      ...(["school", "village", "enterprise", "community", "plaza"] as const).map((k) => [k, stats.byKind[k].events]),
      ["participants", stats.participants],
      ["households", stats.households]
    ])
    for (const node of stats.byNode)
      if (node.nodeId.length === 9) outreachByTown.set(`${node.nodeId}|${month}`, node.events)
  }
  const half = await sortgrid.outreach.stats(office, { under: ctx.districtPath, period: "2023-H1" })
  const outreachTotals = { events: half.events, participants: half.participants, households: half.households }

  const points: Figures["points"] = {}
  const settlement: Figures["settlement"] = {}
  let previous = { issued: 0, expired: 0 }
  for (const month of months) {
    const at = beijing(`${nextMonth(month)}-01`, "06:00")
    const budget = await sortgrid.ledger.balance(operator, Residents.accountIds.budget, { asOf: at })
    const expired = await sortgrid.ledger.balance(operator, Residents.accountIds.expired, { asOf: at })
    let redeemed = 0
    let handed = 0
    let voids = 0
    for (const merchant of Residents.merchants) {
      const report = await sortgrid.points.settlement(operator, { merchantId: merchant.id, period: month })
      redeemed += report.totals.points
      handed += report.totals.handedOver
      voids += report.totals.voids
      if (report.totals.points > 0) {
        const row = settlement[merchant.id] ?? {}
        row[month] = report.totals.points
        settlement[merchant.id] = row
      }
    }
    points[month] = {
      earners: earnersByMonth.get(month)?.length ?? 0,
      "points earned": budget.debitsPosted - previous.issued,
      "points redeemed": redeemed,
      "items handed over": handed,
      "baskets cancelled": voids,
      "points expired": expired.creditsPosted - previous.expired
    }
    previous = { issued: budget.debitsPosted, expired: expired.creditsPosted }
  }

  // --- assessment ------------------------------------------------------------------------------------
  step("assessing the urban and rural groups and the departments every month (scheme revised 1 April)")
  const schemeChanges: Array<string> = []
  ctx.setTime(beijing("2023-01-01", "09:30"))
  for (const scheme of Schemes.schemes) {
    if (scheme.version === 2 && scheme.id !== "departments-2023") ctx.setTime(beijing("2023-03-20", "09:00"))
    await sortgrid.assessment.defineScheme(office, scheme)
  }
  // Read the revisions back (a rerun's definitions are replays, which carry no changes).
  for (const id of ["urban-2023", "rural-2023", "departments-2023"]) {
    const changes = await sortgrid.assessment.schemeDiff(office, { id, from: 1, to: 2 })
    schemeChanges.push(
      `${id} v2: ${changes
        .filter((c) => c.path.at(-1) === "weight")
        .map((c) => `${String(c.path[1])} ${String(c.before)}→${String(c.after)}`)
        .join(", ")}`
    )
  }
  const rankings: Figures["rankings"] = {}
  const supervision: Record<string, string> = {}
  const funds: Figures["funds"] = {}
  const noise = random(seed ^ 0xa55e)
  const urbanTowns = ctx.towns.filter((t) => t.setting === "urban").map((t) => t.id)
  const ruralTowns = ctx.towns.filter((t) => t.setting === "rural").map((t) => t.id)
  for (const [m, month] of months.entries()) {
    const stats = await ctx.problemStats(month)
    const presence = await presenceIn(month)
    const presenceOf = new Map<string, { readonly expected: number; readonly covered: number }>(
      presence.byNode.map((n) => [n.nodeId, n])
    )
    const values: Array<Record<string, unknown>> = []
    for (const town of ctx.towns) {
      const node = [...stats.nodes.values()].find((n) => n.nodeId === town.id)
      const rural = town.setting === "rural"
      const wobble = () => (noise() - 0.5) * 0.06
      const dip = month === "2023-02" ? 0.05 : month === "2023-05" ? 0.03 : 0
      const p = presenceOf.get(town.id)
      const add = (element: string, value: number) => values.push({ element, node: town.id, period: month, value })
      add(
        "facility.meetingStandard",
        node === undefined || node.compounds === 0 ? 0 : (node.compounds - node.compoundsWithOpen) / node.compounds
      )
      add("duty.presence", p === undefined || p.expected === 0 ? 0 : p.covered / p.expected)
      add("sorting.accuracy", Math.min(1, (rural ? 0.7 : 0.8) + m * 0.015 - dip + wobble()))
      add("collection.standard", Math.min(1, (rural ? 0.76 : 0.9) + (m >= 3 && rural ? 0.06 : 0) + wobble()))
      add("city.inspectionScore", Math.round((rural ? 74 : 82) + m + wobble() * 100))
      add("outreach.events", outreachByTown.get(`${town.id}|${month}`) ?? 0)
    }
    for (const department of ctx.departments) {
      const add = (element: string, value: number) => values.push({ element, node: department, period: month, value })
      add("dept.dutyPresence", Math.min(1, 0.6 + noise() * 0.38))
      add("dept.outreachEvents", eventsByDepartment.get(`${department}|${month}`) ?? 0)
      add("dept.onTime", Math.min(1, 0.65 + noise() * 0.34))
      add("dept.ruralVisits", Math.floor(noise() * (m >= 3 ? 7 : 4)))
    }
    ctx.setTime(beijing(`${nextMonth(month)}-03`, "09:00"))
    if (firstRun) await sortgrid.assessment.enterValues(office, values)
    const scored = await Promise.resolve()
      .then(() => sortgrid.assessment.evaluate(office, { schemeId: "urban-2023", period: month, units: urbanTowns }))
      .then(async (urban) => ({
        urban,
        rural: await sortgrid.assessment.evaluate(office, { schemeId: "rural-2023", period: month, units: ruralTowns }),
        departments: await sortgrid.assessment.evaluate(office, {
          schemeId: "departments-2023",
          period: month,
          units: [...ctx.departments]
        })
      }))
    rankings[month] = {}
    for (const [group, result] of Object.entries(scored)) {
      rankings[month]![group] = Object.fromEntries(
        [...result.result.result.units]
          .sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))
          .map((unit) => [
            unit.unit,
            `${unit.rank ?? "-"}:${unit.total ?? "-"}:${unit.grade ?? "-"}:v${result.result.result.scheme.version}`
          ])
      )
    }
    const actions = [
      ...(await sortgrid.assessment.consequences(office, {
        schemeId: "urban-2023",
        period: month,
        rules: Schemes.supervision
      })),
      ...(await sortgrid.assessment.consequences(office, {
        schemeId: "rural-2023",
        period: month,
        rules: Schemes.supervision
      }))
    ]
    supervision[month] = actions.map((a) => `${a.unit} (${a.schemeId.slice(0, 5)} #${a.rank}/${a.of})`).join(", ")
    // The visits go on the problem register through the SDK's consequences, dated in the next month, when
    // the team is sent; the campaign table leaves them out, as it does the morning-duty absences.
    const visitMonth = nextMonth(month)
    if (extraProblems[visitMonth] !== undefined) {
      extraProblems[visitMonth]!.registered += actions.length
      extraProblems[visitMonth]!.closed += actions.length
    }
    const visits = firstRun
      ? await sortgrid.assessment.registerConsequences(office, actions, {
          categoryOf: () => "supervision-visit",
          attributesOf: (action) => ({ reason: action.reason })
        })
      : []
    if (month.endsWith("-03") || month.endsWith("-06")) {
      const quarter = month.endsWith("-03") ? "2023-Q1" : "2023-Q2"
      for (const [schemeId, units] of [
        ["urban-2023", urbanTowns],
        ["rural-2023", ruralTowns]
      ] as const) {
        await sortgrid.assessment.evaluate(office, { schemeId, period: quarter, units })
        const payout = await sortgrid.assessment.allocate(office, {
          schemeId,
          period: quarter,
          ...Schemes.funds[schemeId]
        })
        for (const part of payout.split.parts) {
          const row = funds[part.unit] ?? {}
          row[quarter] = `¥${(part.fen / 100).toLocaleString("en-US", { minimumFractionDigits: 2 })}`
          funds[part.unit] = row
        }
      }
    }
    await superviseAndHelp(ctx, visitMonth, visits)
  }

  return {
    residents: residents.length,
    wallets: residents.length,
    duty,
    morningDuty,
    outreach,
    outreachTotals,
    points: Object.fromEntries(Object.entries(points).map(([k, v]) => [k, { ...v }])),
    settlement,
    rankings,
    supervision,
    funds,
    extraProblems,
    schemeChanges: [...schemeChanges, `claims posted: ${claimed}`]
  }
}

/**
 * A supervision-and-help team visits each town on the register within two working weeks: the district
 * assigns the visit to the town, the town's office puts the findings right, and the district re-inspects.
 */
const superviseAndHelp = async (
  ctx: Context,
  month: string,
  visits: Awaited<ReturnType<Client.SortgridClient["assessment"]["registerConsequences"]>>
) => {
  const fresh = visits.filter((visit) => visit.outcome === "registered").map((visit) => visit.problem)
  if (fresh.length === 0) return
  const { sortgrid, office } = ctx
  ctx.setTime(beijing(`${month}-04`, "09:00"))
  await sortgrid.problems.transitionMany(
    office,
    fresh.map((p) => ({ _tag: "Assign", problemId: p.id, expectedVersion: 1, unitId: p.nodeId }))
  )
  ctx.setTime(beijing(`${month}-12`, "17:00"))
  for (const problem of fresh) {
    const townOffice = {
      id: `office-${problem.nodeId}`,
      roles: ["subdistrict-admin"],
      scope: [`${ctx.districtPath}${problem.nodeId}/`]
    }
    await sortgrid.problems.transitionMany(townOffice, [
      { _tag: "Rectify", problemId: problem.id, expectedVersion: 2, evidence: [`report:${problem.id}`] }
    ])
  }
  ctx.setTime(beijing(`${month}-14`, "10:00"))
  await sortgrid.problems.transitionMany(
    office,
    fresh.map((p) => ({ _tag: "Reinspect", problemId: p.id, expectedVersion: 3, outcome: "pass" }))
  )
}

const present = <A>(items: ReadonlyArray<A>) => items.length > 0
const cashier = { id: "cashier", roles: ["merchant-cashier"], scope: ["/"] }
const teacher = { id: "school-teacher", roles: ["school-teacher"], scope: ["/110112/"] }
const propertyActor = { id: "property-company", roles: ["grid-worker", "property-manager"], scope: ["/110112/"] }
