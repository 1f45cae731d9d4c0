/**
 * A seeded, deterministic generator of everything below the community level, calibrated to the
 * district's figures (domain.md): about 2,600 grids over 656 communities and villages; residential
 * compounds (708, so that January's 4,104 hardware problems are 5.8 per compound); 75 primary and
 * secondary schools; enterprise sites of the five non-residential enforcement kinds (restaurants,
 * hotels, supermarkets, markets, offices); public plazas for outreach; and bin stations in every
 * compound, school, enterprise site, plaza and village. The same seed always gives the same district.
 *
 * @since 0.1.0
 */

/**
 * A small, fast, seedable pseudo-random generator (mulberry32): good enough for synthetic data,
 * and the same on every platform.
 *
 * @since 0.1.0
 * @category random
 */
export const random = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The figures the generator is calibrated to.
 *
 * @since 0.1.0
 * @category figures
 */
export const figures = {
  grids: 2_600,
  gridWorkers: 7_300,
  volunteers: 16_000,
  welfarePostWorkers: 2_000,
  /** Share of communities with their own resident volunteer team. */
  volunteerTeamShare: 0.7,
  compounds: 708,
  schools: 75,
  enterpriseSites: 420,
  plazas: 60,
  binStationsPerCompound: [2, 6] as const,
  binStationsPerVillage: [1, 3] as const
} as const

/**
 * A node to open, as plain data (the encoded form of `OpenNode`).
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeInput {
  readonly id: string
  readonly kind: string
  readonly name: string
  readonly parentId: string
  readonly effectiveOn: string
}

/**
 * A community or village to fill.
 *
 * @since 0.1.0
 * @category models
 */
export interface Community {
  readonly id: string
  readonly kind: "community" | "village"
  readonly setting: "urban" | "rural"
}

const enterpriseKinds = ["restaurant", "hotel", "supermarket", "market", "office"] as const

/**
 * Generates the grids and everything under them for the given communities and villages. Urban
 * communities get more grids and most compounds; villages get bin stations of their own.
 * Returns nodes parents-first.
 *
 * @since 0.1.0
 * @category generating
 */
export const district = (options: {
  readonly seed: number
  readonly communities: ReadonlyArray<Community>
  readonly effectiveOn: string
}): ReadonlyArray<NodeInput> => {
  const next = random(options.seed)
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1))
  const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(next() * items.length)]!
  const nodes: Array<NodeInput> = []
  const add = (id: string, kind: string, name: string, parentId: string) =>
    nodes.push({ id, kind, name, parentId, effectiveOn: options.effectiveOn })

  // Grids: spread so the total is the calibrated figure, urban communities weighing double.
  const weights = options.communities.map((c) => (c.kind === "community" ? 2 : 1))
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  const gridsOf = new Map<string, Array<string>>()
  let placed = 0
  options.communities.forEach((community, index) => {
    const share =
      index === options.communities.length - 1
        ? figures.grids - placed
        : Math.max(1, Math.round((figures.grids * weights[index]!) / totalWeight))
    const count = Math.max(1, share)
    placed += count
    const grids: Array<string> = []
    for (let g = 1; g <= count; g++) {
      const id = `${community.id}-g${String(g).padStart(2, "0")}`
      add(id, "grid", `第${g}网格`, community.id)
      grids.push(id)
    }
    gridsOf.set(community.id, grids)
  })

  const urban = options.communities.filter((c) => c.kind === "community")
  const gridIn = (pool: ReadonlyArray<Community>) => pick(gridsOf.get(pick(pool).id)!)
  const stations = (parentId: string, [low, high]: readonly [number, number]) => {
    for (let s = 1, n = between(low, high); s <= n; s++) add(`${parentId}-b${s}`, "bin-station", `桶站${s}`, parentId)
  }

  for (let c = 1; c <= figures.compounds; c++) {
    // Four in five compounds are in urban communities.
    const grid = gridIn(next() < 0.8 && urban.length > 0 ? urban : options.communities)
    const id = `${grid}-c${c}`
    add(id, "compound", `小区${c}`, grid)
    stations(id, figures.binStationsPerCompound)
  }
  for (let s = 1; s <= figures.schools; s++) {
    const id = `${gridIn(options.communities)}-school${s}`
    add(id, "school", `学校${s}`, id.slice(0, id.lastIndexOf("-")))
    stations(id, [1, 2])
  }
  for (let e = 1; e <= figures.enterpriseSites; e++) {
    const kind = pick(enterpriseKinds)
    const id = `${gridIn(urban.length > 0 ? urban : options.communities)}-${kind}${e}`
    add(id, "enterprise-site", `${kind} ${e}`, id.slice(0, id.lastIndexOf("-")))
    stations(id, [1, 1])
  }
  for (let p = 1; p <= figures.plazas; p++) {
    const id = `${gridIn(options.communities)}-plaza${p}`
    add(id, "plaza", `广场${p}`, id.slice(0, id.lastIndexOf("-")))
    stations(id, [1, 2])
  }
  for (const village of options.communities.filter((c) => c.kind === "village")) {
    stations(village.id, figures.binStationsPerVillage)
  }
  return nodes
}

const surnames =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
const givenNames = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建华红梅志强飞鹏宇浩然欣怡子涵梓萱一诺"

/**
 * A person to register and the assignment that places them (plain data for `People.registerPeople`
 * and `People.assign`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Worker {
  readonly person: { readonly id: string; readonly name: string }
  readonly assignment: {
    readonly id: string
    readonly personId: string
    readonly role: "grid-worker" | "volunteer" | "welfare-post-worker"
    readonly nodeId: string
    readonly validFrom: string
  }
}

/**
 * The standing workforce, calibrated to the domain's figures: 7,300 grid workers spread over the
 * grids (two or three each), 16,000 volunteers in the 70% of communities and villages that have a
 * resident volunteer team, and 2,000 public-welfare post workers in communities. Names are
 * synthetic. The same seed always gives the same people.
 *
 * @since 0.1.0
 * @category generating
 */
export const workforce = (options: {
  readonly seed: number
  readonly grids: ReadonlyArray<string>
  readonly communities: ReadonlyArray<string>
  readonly effectiveOn: string
}): ReadonlyArray<Worker> => {
  const next = random(options.seed)
  const name = () =>
    surnames[Math.floor(next() * surnames.length)]! +
    givenNames[Math.floor(next() * givenNames.length)]! +
    (next() < 0.6 ? givenNames[Math.floor(next() * givenNames.length)]! : "")
  const workers: Array<Worker> = []
  const add = (role: Worker["assignment"]["role"], nodeId: string) => {
    const id = `p${String(workers.length + 1).padStart(6, "0")}`
    workers.push({
      person: { id, name: name() },
      assignment: { id: `a-${id}`, personId: id, role, nodeId, validFrom: options.effectiveOn }
    })
  }
  options.grids.forEach((grid, index) => {
    // Spread the total evenly: the first grids take the remainder.
    const base = Math.floor(figures.gridWorkers / options.grids.length)
    const extra = index < figures.gridWorkers % options.grids.length ? 1 : 0
    for (let k = 0; k < base + extra; k++) add("grid-worker", grid)
  })
  const teams = options.communities.filter(() => next() < figures.volunteerTeamShare)
  for (let v = 0; v < figures.volunteers; v++) add("volunteer", teams[v % teams.length]!)
  for (let w = 0; w < figures.welfarePostWorkers; w++) {
    add("welfare-post-worker", options.communities[Math.floor(next() * options.communities.length)]!)
  }
  return workers
}
