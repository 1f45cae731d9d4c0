// Page 3: the points economy — points earned against points redeemed, expiry, and merchant settlement.
import { figure, Plot } from "../lib/chart.js"
import { escapeText, integer, monthName, percent, table } from "../lib/markdown.js"
import { analyst, months, page, sequence, withStore } from "../lib/store.js"

/** The demo's points programme: its ledger and the accounts points are issued from and expire into. */
const programme = { ledger: "tongzhou-points", budget: "points-budget", expired: "points-expired" } as const

/**
 * The month whose books a transfer belongs to, in Beijing time. The books close at 06:00 on the first of
 * the next month, after the programme's midnight expiry run, so that run counts in the month it closes.
 */
const booksMonth = (timestamp: number) => new Date(timestamp + 8 * 3_600_000 - 6 * 3_600_000).toISOString().slice(0, 7)

const reasons: Record<string, string> = {
  "correct-sorting": "correct sorting",
  "duty-volunteering": "bin-side duty",
  event: "outreach events",
  "school-task": "home-school tasks"
}

page(() =>
  withStore(async (sortgrid) => {
    // Every line of an account's statement, oldest first.
    const statement = async (accountId: string) => {
      const lines = []
      let after: string | undefined
      for (;;) {
        const pageOf = await sortgrid.ledger.statement(analyst, {
          accountId,
          limit: 5_000,
          ...(after ? { after } : {})
        })
        lines.push(...pageOf.lines)
        if (pageOf.next === null) return lines
        after = pageOf.next
      }
    }

    // The merchants: the audit log's "merchants.defined" entries list them; the catalogue names them.
    const merchantIds = new Map<string, string>()
    for (let from = 1; ; ) {
      const entries = await sortgrid.audit.read(analyst, { fromPosition: from, limit: 5_000 })
      if (entries.length === 0) break
      for (const entry of entries) {
        if (entry.action !== "merchants.defined" || entry.subject !== programme.ledger) continue
        const payload = entry.payload as {
          readonly merchants?: ReadonlyArray<{ readonly id: string; readonly accountId: string }>
        }
        for (const m of payload.merchants ?? []) merchantIds.set(m.id, m.accountId)
      }
      from = entries.at(-1)!.position + 1
    }
    if (merchantIds.size === 0)
      throw new Error(`no merchants defined on ledger ${programme.ledger}: run \`pnpm demo\` first`)
    const merchants = await sequence([...merchantIds], async ([id, accountId]) => {
      const { merchant } = await sortgrid.points.catalogue(analyst, id)
      const settled = await sequence(months, async (month) => ({
        month,
        ...(await sortgrid.points.settlement(analyst, { merchantId: id, period: month }))
      }))
      const balance = await sortgrid.ledger.balance(analyst, accountId)
      return { id, accountId, kind: merchant.kind, name: merchant.name.en, nameZh: merchant.name.zh, settled, balance }
    })

    // Earning: the budget account's debits, by reason and month; expiry: the expired account's credits.
    const budgetLines = (await statement(programme.budget)).filter((l) => l.side === "debit" && l.kind === "posted")
    const earnedIn = new Map<string, string>(budgetLines.map((l) => [l.transfer.id, booksMonth(l.transfer.timestamp)]))
    const expiredLines = (await statement(programme.expired)).filter((l) => l.side === "credit" && l.kind === "posted")

    const monthly = months.map((month) => {
      const earning = budgetLines.filter((l) => booksMonth(l.transfer.timestamp) === month)
      const byReason = Object.keys(reasons).map((code) => ({
        code,
        points: earning.filter((l) => l.transfer.code === code).reduce((s, l) => s + l.transfer.amount, 0)
      }))
      const settled = merchants.map((m) => m.settled.find((s) => s.month === month)?.totals)
      return {
        month,
        earners: new Set(
          earning.filter((l) => l.transfer.code === "correct-sorting").map((l) => l.transfer.creditAccountId)
        ).size,
        byReason,
        earned: earning.reduce((s, l) => s + l.transfer.amount, 0),
        redeemed: settled.reduce((s, t) => s + (t?.points ?? 0), 0),
        handedOver: settled.reduce((s, t) => s + (t?.handedOver ?? 0), 0),
        voids: settled.reduce((s, t) => s + (t?.voids ?? 0), 0),
        expired: expiredLines
          .filter((l) => booksMonth(l.transfer.timestamp) === month)
          .reduce((s, l) => s + l.transfer.amount, 0)
      }
    })
    let outstanding = 0
    const closes = monthly.map((m) => {
      outstanding += m.earned - m.redeemed - m.expired
      return { month: m.month, outstanding }
    })
    const totals = {
      earned: monthly.reduce((s, m) => s + m.earned, 0),
      redeemed: monthly.reduce((s, m) => s + m.redeemed, 0),
      expired: monthly.reduce((s, m) => s + m.expired, 0)
    }
    // Expiry by the month the expired points were earned in (the lot's source is the earning transfer).
    const expiryRows = expiredLines.map((l) => ({
      run: booksMonth(l.transfer.timestamp),
      earned: earnedIn.get((l.transfer.sourceReference ?? "").replace(/^lot:/, "")) ?? "unknown",
      points: l.transfer.amount
    }))
    const expiredByEarned = months.map((month) => ({
      month,
      points: expiryRows.filter((r) => r.earned === month).reduce((s, r) => s + r.points, 0),
      earned: monthly.find((m) => m.month === month)?.earned ?? 0
    }))
    // The expiry runs, by their Beijing date, and the months whose points each emptied.
    const runs = new Map<string, Set<string>>()
    for (const line of expiredLines) {
      const date = new Date(line.transfer.timestamp + 8 * 3_600_000).toISOString().slice(0, 10)
      const earned = earnedIn.get((line.transfer.sourceReference ?? "").replace(/^lot:/, ""))
      if (earned !== undefined) runs.set(date, (runs.get(date) ?? new Set()).add(earned))
    }
    const runText = [...runs]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([date, earned]) =>
          `the run of ${date} emptied lots earned in ${[...earned].sort().map(monthName).join(" and ")}`
      )
      .join("; ")
    const unknownExpiry = expiryRows.filter((r) => r.earned === "unknown").reduce((s, r) => s + r.points, 0)

    // Settlement ties out when the reports' handed-over points equal what the merchants' accounts hold.
    const merchantRows = merchants
      .map((m) => ({
        ...m,
        points: m.settled.reduce((s, x) => s + x.totals.points, 0),
        handedOver: m.settled.reduce((s, x) => s + x.totals.handedOver, 0),
        voids: m.settled.reduce((s, x) => s + x.totals.voids, 0),
        unmatched: m.settled.reduce((s, x) => s + x.unmatched, 0),
        posted: m.balance.creditsPosted
      }))
      .sort((a, b) => b.points - a.points || a.id.localeCompare(b.id))
    const settledTotal = merchantRows.reduce((s, m) => s + m.points, 0)
    const postedTotal = merchantRows.reduce((s, m) => s + m.posted, 0)
    const tiesOut = settledTotal === postedTotal && merchantRows.every((m) => m.unmatched === 0)

    const short = (month: string) => monthName(month).slice(0, 3)
    const flowRows = monthly.flatMap((m) => [
      ...m.byReason.map((r) => ({
        month: m.month,
        flow: "earned",
        part: `earned: ${reasons[r.code]}`,
        points: r.points
      })),
      { month: m.month, flow: "redeemed", part: "redeemed at merchants", points: m.redeemed },
      { month: m.month, flow: "expired", part: "expired", points: m.expired }
    ])
    const flows = figure("flows", "Points earned (by reason), redeemed at merchants and expired, month by month.", {
      width: 860,
      height: 340,
      marginLeft: 64,
      fx: { label: null, tickFormat: short },
      x: { axis: null, domain: ["earned", "redeemed", "expired"] },
      y: { label: "points", grid: true },
      color: {
        legend: true,
        domain: [...Object.values(reasons).map((r) => `earned: ${r}`), "redeemed at merchants", "expired"],
        range: ["#4269d0", "#6cc5b0", "#97bbf5", "#a463f2", "#efb118", "#ff725c"]
      },
      marks: [Plot.barY(flowRows, { fx: "month", x: "flow", y: "points", fill: "part" }), Plot.ruleY([0])]
    })
    const balance = figure(
      "outstanding",
      "Points outstanding in residents' wallets at each month's close: earned so far, less redeemed and expired.",
      {
        width: 860,
        height: 280,
        marginLeft: 64,
        x: { label: null, domain: [...months], tickFormat: short },
        y: { label: "points outstanding", grid: true },
        marks: [
          Plot.barY(closes, { x: "month", y: "outstanding", fill: "#4269d0" }),
          Plot.text(closes, {
            x: "month",
            y: "outstanding",
            text: (d: { outstanding: number }) => integer(d.outstanding),
            dy: -8
          }),
          Plot.ruleY([0])
        ]
      }
    )
    const expiry = figure(
      "expiry",
      "Points earned in each month and, of those, the points that had expired by the end of June (lots live 90 days).",
      {
        width: 860,
        height: 280,
        marginLeft: 64,
        fx: { label: null, tickFormat: short },
        x: { axis: null, domain: ["earned", "expired"] },
        y: { label: "points", grid: true },
        color: { legend: true, domain: ["earned", "expired"], range: ["#4269d0", "#ff725c"] },
        marks: [
          Plot.barY(
            expiredByEarned.flatMap((m) => [
              { month: m.month, kind: "earned", points: m.earned },
              { month: m.month, kind: "expired", points: m.points }
            ]),
            { fx: "month", x: "kind", y: "points", fill: "kind" }
          ),
          Plot.ruleY([0])
        ]
      }
    )
    const merchantChart = figure(
      "merchants",
      "Points settled to each merchant and swap market over the half-year (items handed over at the counter).",
      {
        width: 860,
        height: 60 + merchantRows.length * 18,
        marginLeft: 130,
        x: { label: "points settled", grid: true },
        y: { label: null, domain: merchantRows.map((m) => m.name) },
        color: { legend: true, domain: ["merchant", "swap-market"], range: ["#4269d0", "#efb118"] },
        marks: [Plot.barX(merchantRows, { y: "name", x: "points", fill: "kind" }), Plot.ruleX([0])]
      }
    )
    const last = monthly.at(-1)!
    const shops = merchantRows.filter((m) => m.kind === "merchant")
    const swaps = merchantRows.filter((m) => m.kind !== "merchant")

    return `---
title: The points economy
toc: true
---

# The points economy

Residents earn points for sorting correctly at the source, for bin-side duty, for outreach events and for
certified home-school tasks, and spend them at local merchants and the programme's swap markets. Points
expire 90 days after they are earned. This page follows the points from the programme's budget into
residents' wallets and out again — redeemed at a counter, or expired.

**In short.** Over the half-year residents earned ${integer(totals.earned)} points, redeemed
${integer(totals.redeemed)} (${percent(totals.redeemed / Math.max(1, totals.earned), 2)}) and lost
${integer(totals.expired)} (${percent(totals.expired / Math.max(1, totals.earned), 1)}) to expiry;
${integer(closes.at(-1)?.outstanding ?? 0)} were left in wallets at the end of ${monthName(last.month)}. In
${monthName(last.month)} ${integer(last.earners)} residents earned a sorting reward, against ${integer(monthly[0]?.earners ?? 0)} in
${monthName(months[0])}. The demo redeems a sample of baskets each month, so redemption here is a sliver of
earning; expiry, not spending, is what drains the wallets.

## Earned, redeemed, expired

${flows}

${table(
  [
    { heading: "month", cell: (m: (typeof monthly)[number]) => m.month },
    { heading: "sorting earners", cell: (m) => m.earners, numeric: true },
    { heading: "earned", cell: (m) => m.earned, numeric: true },
    ...Object.entries(reasons).map(([code, name]) => ({
      heading: `of which ${name}`,
      cell: (m: (typeof monthly)[number]) => m.byReason.find((r) => r.code === code)?.points ?? 0,
      numeric: true
    })),
    { heading: "redeemed", cell: (m) => m.redeemed, numeric: true },
    { heading: "items handed over", cell: (m) => m.handedOver, numeric: true },
    { heading: "baskets cancelled", cell: (m) => m.voids, numeric: true },
    { heading: "expired", cell: (m) => m.expired, numeric: true }
  ],
  monthly
)}

A month's books close at 06:00 on the first of the next month, after the programme's midnight expiry
run, so the run of 1 June counts in May's column. "Sorting earners" are the distinct wallets credited
a sorting reward in the month.

${balance}

## Expiry

${expiry}

Points live 90 days, and the programme's run at midnight on the first of each month empties the lots that
have reached their 90 days: ${runText || "no lot expired in the half-year"}. By the end of June ${percent((expiredByEarned[0]?.points ?? 0) / Math.max(1, expiredByEarned[0]?.earned ?? 0), 0)} of
${monthName(months[0])}'s points had expired, unspent. Each expiry transfer names the lot it empties, and the
lot names the transfer that earned it, so expired points are traced to the month they were earned in${
      unknownExpiry > 0 ? ` (${integer(unknownExpiry)} expired points could not be traced)` : ""
    }.

## Merchant settlement

${merchantChart}

${shops.length} merchants and ${swaps.length} swap markets took points. The settlement report of a merchant
for a month lists, per item, the units handed over, the points they posted to the merchant, and the
baskets cancelled or timed out.

${table(
  [
    { heading: "merchant", cell: (m: (typeof merchantRows)[number]) => `${m.name} · ${m.nameZh}` },
    { heading: "kind", cell: (m) => m.kind },
    ...months.map((month) => ({
      heading: monthName(month).slice(0, 3),
      cell: (m: (typeof merchantRows)[number]) => m.settled.find((s) => s.month === month)?.totals.points ?? 0,
      numeric: true
    })),
    { heading: "half-year points", cell: (m) => m.points, numeric: true },
    { heading: "items", cell: (m) => m.handedOver, numeric: true },
    { heading: "cancelled", cell: (m) => m.voids, numeric: true }
  ],
  merchantRows
)}

<p class="check" data-check="settlement-ties-out" data-ok="${tiesOut}">${
      tiesOut
        ? `Settlement ties out: the reports' ${integer(settledTotal)} points equal the ${integer(postedTotal)} points posted to the merchants' accounts, and no report has an unmatched hold.`
        : `Settlement does not tie out: the reports settle ${integer(settledTotal)} points, the merchants' accounts hold ${integer(postedTotal)}.`
    }</p>

## Where the numbers come from

- \`sortgrid.ledger.statement(actor, { accountId })\`, paged: every transfer out of the programme budget
  (\`${escapeText(programme.budget)}\`), with its reason code, and every transfer into the expired account
  (\`${escapeText(programme.expired)}\`), with the lot it emptied.
- \`sortgrid.audit.read\`: the \`merchants.defined\` entries of ledger \`${escapeText(programme.ledger)}\`, for the list of
  merchants; \`sortgrid.points.catalogue\` for their names and kinds.
- \`sortgrid.points.settlement(actor, { merchantId, period })\` for each merchant and month, and
  \`sortgrid.ledger.balance\` of each merchant's account to check the reports against the ledger.
`
  })
)
