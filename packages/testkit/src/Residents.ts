/**
 * The district's points programme as a seeded fixture: 200,000 registered residents (domain.md:
 * "200,000+ registered residents") placed in the communities and villages of the division list, the
 * programme's earning rules and lot policy, its merchants and swap markets with their catalogues,
 * and the monthly activity the demo posts through the public API — sorting rewards, volunteering,
 * event attendance, and baskets redeemed at the counter.
 *
 * Scale: every registered resident has a wallet, but each claim is one resident's month of
 * confirmed correct sorting (30 points, roughly a point per confirmed drop-off day), and only the
 * residents active that month claim. The active shares below are lower than a real programme's;
 * they are what one half-year run through the earning service affords on two cores (the demo
 * reports its throughput), and they climb over the half-year as the campaign takes hold, with a
 * slip in February (the Spring Festival) and rural villages behind.
 *
 * Everything is plain data or the ledger's own config classes, the same for the same seed.
 *
 * @since 0.1.0
 */
import * as Account from "@sortgrid/ledger/Account"
import * as Earning from "@sortgrid/ledger/Earning"
import { Programme } from "@sortgrid/ledger/Earnings"
import * as Lots from "@sortgrid/ledger/Lots"
import * as Transfer from "@sortgrid/ledger/Transfer"
import { random } from "./Synthetic.js"

/**
 * The figures the fixture is calibrated to.
 *
 * @since 0.1.0
 * @category figures
 */
export const figures = {
  registered: 200_000,
  /** Points for a month of confirmed correct sorting. */
  sortingPoints: 30,
  /** Points for a week of bin-side duty done. */
  dutyPoints: 10,
  /** Points for attending an outreach event. */
  eventPoints: 5,
  /** Points for a certified home-school task. */
  schoolTaskPoints: 20,
  /** Points expire this many days after they are earned. */
  lifetimeDays: 90,
  /** Share of registered residents claiming a sorting reward, by month, urban and rural. */
  activeShare: {
    "2023-01": { urban: 0.04, rural: 0.025 },
    "2023-02": { urban: 0.035, rural: 0.02 },
    "2023-03": { urban: 0.05, rural: 0.03 },
    "2023-04": { urban: 0.06, rural: 0.04 },
    "2023-05": { urban: 0.065, rural: 0.045 },
    "2023-06": { urban: 0.07, rural: 0.05 }
  } as Readonly<Record<string, { readonly urban: number; readonly rural: number }>>,
  /** Baskets redeemed at the counter per month (a sample: each is two write transactions). */
  basketsPerMonth: 40
} as const

/**
 * The programme's ledger and its fixed accounts.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const ledgerId = Account.LedgerId.make("tongzhou-points")

/**
 * @since 0.1.0
 * @category fixtures
 */
export const accountIds = {
  reserve: Account.AccountId.make("points-reserve"),
  budget: Account.AccountId.make("points-budget"),
  expired: Account.AccountId.make("points-expired")
} as const

/**
 * The lot policy: points expire {@link figures.lifetimeDays} days after they are earned.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const lotPolicy: Lots.Policy = Lots.Policy.make({
  lifetimeDays: figures.lifetimeDays,
  expiredAccountId: accountIds.expired
})

/**
 * The earning rules: a month of correct sorting once per resident and month; a week of bin-side
 * duty at most once a week; event attendance at most 15 points a month; certified school tasks
 * are credited by the task service, not by claims.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const programme: Programme = Programme.make({
  ledger: ledgerId,
  budgetAccountId: accountIds.budget,
  rules: [
    Earning.Rule.make({
      code: Transfer.codes.correctSorting,
      amount: figures.sortingPoints,
      dedupe: Earning.Dedupe.make({ per: "resident", period: "Month", perSite: false })
    }),
    Earning.Rule.make({
      code: Transfer.codes.dutyVolunteering,
      amount: figures.dutyPoints,
      dedupe: Earning.Dedupe.make({ per: "resident", period: "Week", perSite: false })
    }),
    Earning.Rule.make({
      code: Transfer.codes.event,
      amount: figures.eventPoints,
      caps: [Earning.Cap.make({ per: "resident", period: "Month", pointsMax: 15 })]
    })
  ]
})

/**
 * The SDK options that set the programme up (`Client.open({ ledger, earning })`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const sdkOptions = {
  ledger: { policies: new Map([[ledgerId as string, lotPolicy]]) },
  earning: { programmes: new Map([[ledgerId as string, programme]]) }
}

/**
 * A registered resident: their wallet and where they live.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resident {
  readonly id: string
  readonly walletId: string
  readonly communityId: string
  readonly path: string
  readonly setting: "urban" | "rural"
}

/**
 * A community or village to place residents in, with its path on the tree.
 *
 * @since 0.1.0
 * @category models
 */
export interface Place {
  readonly id: string
  readonly path: string
  readonly setting: "urban" | "rural"
}

/**
 * The registered residents, spread over the communities (an urban community weighs three villages).
 *
 * @since 0.1.0
 * @category generating
 */
export const population = (options: {
  readonly seed: number
  readonly places: ReadonlyArray<Place>
  readonly count?: number
}): ReadonlyArray<Resident> => {
  const next = random(options.seed ^ 0x5eed)
  const count = options.count ?? figures.registered
  const weights = options.places.map((place) => (place.setting === "urban" ? 3 : 1))
  const cumulative: Array<number> = []
  let total = 0
  for (const weight of weights) {
    total += weight
    cumulative.push(total)
  }
  const residents: Array<Resident> = []
  for (let i = 1; i <= count; i++) {
    const target = next() * total
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >> 1
      if (cumulative[middle]! > target) high = middle
      else low = middle + 1
    }
    const place = options.places[low]!
    const id = `r${String(i).padStart(6, "0")}`
    residents.push({ id, walletId: `w-${id}`, communityId: place.id, path: place.path, setting: place.setting })
  }
  return residents
}

/**
 * The wallets to create, as plain account inputs.
 *
 * @since 0.1.0
 * @category generating
 */
export const wallets = (residents: ReadonlyArray<Resident>) =>
  residents.map((resident) => ({
    id: resident.walletId,
    ledger: ledgerId,
    code: "resident-wallet",
    ownerReference: resident.id
  }))

/**
 * The residents claiming a sorting reward in a month (`2023-03`), seeded per month.
 *
 * @since 0.1.0
 * @category generating
 */
export const activeIn = (options: {
  readonly seed: number
  readonly month: string
  readonly residents: ReadonlyArray<Resident>
}): ReadonlyArray<Resident> => {
  const share = figures.activeShare[options.month] ?? { urban: 0, rural: 0 }
  const next = random(options.seed ^ Number(options.month.replace("-", "")))
  return options.residents.filter((resident) => next() < share[resident.setting])
}

/**
 * A merchant or swap market and its catalogue.
 *
 * @since 0.1.0
 * @category models
 */
export interface Merchant {
  readonly id: string
  readonly accountId: string
  readonly kind: "merchant" | "swap-market"
  readonly name: { readonly zh: string; readonly en: string }
  readonly items: ReadonlyArray<{
    readonly code: string
    readonly name: { readonly zh: string; readonly en: string }
    readonly pointCost: number
    readonly stock: number
  }>
}

const goods = [
  { code: "soap", name: { zh: "洗衣皂", en: "Laundry soap" }, pointCost: 20, stock: 400 },
  { code: "tissues", name: { zh: "抽纸", en: "Tissues" }, pointCost: 15, stock: 600 },
  { code: "eggs", name: { zh: "鸡蛋一盒", en: "A box of eggs" }, pointCost: 40, stock: 200 },
  { code: "voucher-10", name: { zh: "十元代金券", en: "¥10 voucher" }, pointCost: 60, stock: 150 }
] as const

const swaps = [
  { code: "bags", name: { zh: "分类垃圾袋", en: "Sorting bags" }, pointCost: 10, stock: 1_000 },
  { code: "kitchen-caddy", name: { zh: "厨余小桶", en: "Kitchen caddy" }, pointCost: 30, stock: 300 },
  { code: "plant", name: { zh: "绿植", en: "Potted plant" }, pointCost: 25, stock: 200 }
] as const

/**
 * The points exchange: 24 local merchants and 6 swap markets run by the programme.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const merchants: ReadonlyArray<Merchant> = [
  ...Array.from({ length: 24 }, (_, i): Merchant => {
    const n = String(i + 1).padStart(2, "0")
    return {
      id: `shop-${n}`,
      accountId: `merchant-shop-${n}`,
      kind: "merchant",
      name: { zh: `便民超市${n}`, en: `Corner shop ${n}` },
      items: goods
    }
  }),
  ...Array.from({ length: 6 }, (_, i): Merchant => {
    const n = String(i + 1).padStart(2, "0")
    return {
      id: `swap-${n}`,
      accountId: `merchant-swap-${n}`,
      kind: "swap-market",
      name: { zh: `跳蚤市场${n}`, en: `Swap market ${n}` },
      items: swaps
    }
  })
]

/**
 * A basket to redeem at a counter: who, where, what.
 *
 * @since 0.1.0
 * @category models
 */
export interface Basket {
  readonly id: string
  readonly walletId: string
  readonly merchantId: string
  readonly lines: ReadonlyArray<{ readonly itemCode: string; readonly quantity: number }>
  readonly points: number
}

/**
 * A month's baskets: residents who earned this month spend up to what they earned on one or two
 * items of a merchant or swap market; one in ten baskets is cancelled at the counter.
 *
 * @since 0.1.0
 * @category generating
 */
export const baskets = (options: {
  readonly seed: number
  readonly month: string
  readonly earners: ReadonlyArray<Resident>
  readonly budgetPerResident: number
}): ReadonlyArray<Basket & { readonly cancelled: boolean }> => {
  const next = random(options.seed ^ (Number(options.month.replace("-", "")) * 7))
  const out: Array<Basket & { readonly cancelled: boolean }> = []
  if (options.earners.length === 0) return out
  for (let b = 1; b <= figures.basketsPerMonth; b++) {
    const resident = options.earners[Math.floor(next() * options.earners.length)]!
    if (out.some((basket) => basket.walletId === resident.walletId)) continue
    const merchant = merchants[Math.floor(next() * merchants.length)]!
    const affordable = merchant.items.filter((item) => item.pointCost <= options.budgetPerResident)
    if (affordable.length === 0) continue
    const item = affordable[Math.floor(next() * affordable.length)]!
    const quantity = Math.max(1, Math.min(2, Math.floor(options.budgetPerResident / item.pointCost)))
    out.push({
      id: `basket-${options.month}-${String(b).padStart(3, "0")}`,
      walletId: resident.walletId,
      merchantId: merchant.id,
      lines: [{ itemCode: item.code, quantity }],
      points: item.pointCost * quantity,
      cancelled: next() < 0.1
    })
  }
  return out
}
