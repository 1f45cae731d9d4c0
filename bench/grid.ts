// `pnpm bench grid`: a national-scale synthetic tree (31 provinces, 341 cities, ~3,000 counties,
// ~41,000 towns, ~620,000 villages) imported through the SDK into a SQLite file; then a subtree
// count and a roll-up over the whole tree, timed against raw SQL doing the same on the same file in
// the same run. Import time and peak memory are printed too.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Actor, Period } from "@sortgrid/core"
import { Grid, Profile } from "@sortgrid/grid"
import { Sortgrid } from "@sortgrid/sdk"
import * as Synthetic from "@sortgrid/testkit/Synthetic"
import Database from "better-sqlite3"
import { Effect, type Layer, ManagedRuntime } from "effect"
import { medianMillis, type Result, rate } from "./harness.js"

const national = new Profile.Profile({
  id: "cn-national",
  name: "China, province to village",
  kinds: [
    ["nation", [], true],
    ["province", ["nation"], true],
    ["city", ["province"], true],
    ["county", ["city"], true],
    ["town", ["county"], true],
    ["village", ["town"], true]
  ].map(
    ([kind, parents, territorial]) =>
      new Profile.KindDefinition({
        kind: Profile.NodeKind.make(kind as string),
        name: kind as string,
        nameEn: kind as string,
        parents: (parents as ReadonlyArray<string>).map((p) => Profile.NodeKind.make(p)),
        territorial: territorial as boolean
      })
  )
})

interface Input {
  readonly id: string
  readonly kind: string
  readonly name: string
  readonly parentId?: string
  readonly effectiveOn: string
}

/** The tree, level by level (parents always in an earlier level). */
const nationalTree = (): ReadonlyArray<ReadonlyArray<Input>> => {
  const next = Synthetic.random(20230630)
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1))
  const node = (id: string, kind: string, parentId?: string): Input =>
    parentId === undefined
      ? { id, kind, name: id, effectiveOn: "2023-01-01" }
      : { id, kind, name: id, parentId, effectiveOn: "2023-01-01" }
  const levels: Array<Array<Input>> = [[node("cn", "nation")]]
  const below = (parents: ReadonlyArray<Input>, kind: string, low: number, high: number) =>
    parents.flatMap((parent) =>
      Array.from({ length: between(low, high) }, (_, i) =>
        node(`${parent.id}${String(i + 1).padStart(2, "0")}`, kind, parent.id)
      )
    )
  const provinces = Array.from({ length: 31 }, (_, i) => node(`p${String(i + 11)}`, "province", "cn"))
  levels.push(provinces)
  levels.push(below(provinces, "city", 10, 12))
  levels.push(below(levels[2]!, "county", 8, 10))
  levels.push(below(levels[3]!, "town", 11, 16))
  levels.push(below(levels[4]!, "village", 12, 18))
  return levels
}

const system = Actor.system("bench")
const asOf = Period.IsoDate.make("2023-06-30")

export const run = async (): Promise<ReadonlyArray<Result>> => {
  const levels = nationalTree()
  const all = levels.flat()
  const leaves = levels.at(-1)!
  console.log(
    `tree: ${all.length.toLocaleString("en-US")} nodes; ${levels[4]!.length.toLocaleString("en-US")} towns, ${leaves.length.toLocaleString("en-US")} villages`
  )
  const dir = mkdtempSync(join(tmpdir(), "sortgrid-bench-grid-"))
  const filename = join(dir, "national.db")
  const runtime = ManagedRuntime.make(
    Sortgrid.layer({ store: `sqlite:${filename}`, profile: national }) as Layer.Layer<Grid.Grid>
  )
  try {
    const batch = 20_000
    const importStart = performance.now()
    await runtime.runPromise(
      Effect.flatMap(Grid.Grid, (grid) =>
        Effect.forEach(
          levels.flatMap((level) =>
            Array.from({ length: Math.ceil(level.length / batch) }, (_, i) => level.slice(i * batch, (i + 1) * batch))
          ),
          (chunk) => grid.open(system, chunk),
          { discard: true }
        )
      )
    )
    const importSeconds = (performance.now() - importStart) / 1000
    console.log(
      `import through the SDK: ${importSeconds.toFixed(1)} s (${Math.round(all.length / importSeconds).toLocaleString("en-US")} nodes/s); peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`
    )

    // The same rows through raw better-sqlite3 into a copy of the schema: paths and depths computed
    // by hand, prepared inserts, one transaction per batch — no validation, no audit, no groups.
    const rawFile = join(dir, "raw.db")
    const rawImport = new Database(rawFile)
    rawImport.pragma("journal_mode = WAL")
    rawImport.pragma("synchronous = FULL")
    rawImport.exec(`CREATE TABLE grid_node_version (node_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL,
      code TEXT, name TEXT NOT NULL, name_en TEXT, parent_id TEXT, path TEXT NOT NULL, depth INTEGER NOT NULL,
      valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, PRIMARY KEY (node_id, version));
      CREATE INDEX grid_node_version_by_path ON grid_node_version (path);
      CREATE INDEX grid_node_version_by_parent ON grid_node_version (parent_id);
      CREATE INDEX grid_node_version_by_code ON grid_node_version (code);`)
    const rawStart = performance.now()
    const insertRow = rawImport.prepare(
      "INSERT INTO grid_node_version VALUES (?, 1, ?, NULL, ?, NULL, ?, ?, ?, ?, '9999-12-31')"
    )
    const paths = new Map<string, string>()
    const insertBatch = rawImport.transaction((rows: ReadonlyArray<Input>) => {
      for (const row of rows) {
        const parentPath = row.parentId === undefined ? "/" : paths.get(row.parentId)!
        const path = `${parentPath}${row.id}/`
        paths.set(row.id, path)
        insertRow.run(
          row.id,
          row.kind,
          row.name,
          row.parentId ?? null,
          path,
          path.split("/").length - 3,
          row.effectiveOn
        )
      }
    })
    for (const level of levels) for (let i = 0; i < level.length; i += batch) insertBatch(level.slice(i, i + batch))
    const rawImportSeconds = (performance.now() - rawStart) / 1000
    rawImport.close()
    console.log(`import through raw better-sqlite3: ${rawImportSeconds.toFixed(1)} s`)

    const raw = new Database(filename, { readonly: true })
    const province = Actor.NodePath.make("/cn/p11/")
    const countSql = raw.prepare(
      `SELECT kind, COUNT(*) AS count FROM grid_node_version
       WHERE path >= ? AND path < ? AND valid_from <= ? AND valid_to > ? GROUP BY kind ORDER BY kind`
    )
    const pathEnd = (path: string) => `${path.slice(0, -1)}0`
    const runs = 5

    const sdkCount = (under: Actor.NodePath) =>
      medianMillis(
        runs,
        () => undefined,
        () => runtime.runPromise(Effect.flatMap(Grid.Grid, (grid) => grid.countByKind(system, { under, asOf })))
      )
    const rawCount = (under: string) =>
      medianMillis(
        runs,
        () => undefined,
        () => {
          countSql.all(under, pathEnd(under), asOf, asOf)
        }
      )
    const provinceSize = (countSql.all(province, pathEnd(province), asOf, asOf) as Array<{ count: number }>).reduce(
      (sum, row) => sum + row.count,
      0
    )
    const provinceCount = rate(
      `subtree count by kind, one province (${provinceSize.toLocaleString("en-US")} nodes)`,
      "queries/s",
      1,
      await sdkCount(province),
      await rawCount(province)
    )
    const wholeCount = rate(
      `subtree count by kind, whole tree (${all.length.toLocaleString("en-US")} nodes)`,
      "queries/s",
      1,
      await sdkCount(Actor.NodePath.make("/cn/")),
      await rawCount("/cn/")
    )

    // Roll-up: one value per village (households), summed into every ancestor.
    const next = Synthetic.random(7)
    const values = new Map(leaves.map((leaf) => [leaf.id, 100 + Math.floor(next() * 900)]))
    const sdkRollup = await medianMillis(
      3,
      () => undefined,
      () =>
        runtime.runPromise(
          Effect.flatMap(Grid.Grid, (grid) =>
            grid.rollup(system, { under: Actor.NodePath.make("/"), asOf, values, aggregation: "sum" })
          )
        )
    )
    // Raw SQL doing the same: the values into a temporary table, then one pass per level, deepest
    // first, summing each level into its parents — set-based, as a SQL hand would write it.
    const memory = new Database(":memory:")
    memory.exec(`ATTACH DATABASE '${filename}' AS tree`)
    const rawRollup = await medianMillis(
      3,
      () => {
        memory.exec("DROP TABLE IF EXISTS v; DROP TABLE IF EXISTS t")
      },
      () => {
        memory.exec("CREATE TEMP TABLE v (node_id TEXT PRIMARY KEY, total REAL NOT NULL, n INTEGER NOT NULL)")
        const insert = memory.prepare("INSERT INTO v VALUES (?, ?, 1)")
        memory.transaction(() => {
          for (const [id, value] of values) insert.run(id, value)
        })()
        memory.exec(`CREATE TEMP TABLE t AS SELECT node_id, parent_id, depth FROM tree.grid_node_version
                     WHERE valid_from <= '${asOf}' AND valid_to > '${asOf}'`)
        memory.exec("CREATE INDEX t_by_depth ON t (depth)")
        const depth = (memory.prepare("SELECT MAX(depth) AS d FROM t").get() as { d: number }).d
        const up = memory.prepare(`INSERT INTO v (node_id, total, n)
          SELECT t.parent_id, SUM(v.total), SUM(v.n) FROM t JOIN v ON v.node_id = t.node_id
          WHERE t.depth = ? AND t.parent_id IS NOT NULL GROUP BY t.parent_id
          ON CONFLICT (node_id) DO UPDATE SET total = total + excluded.total, n = n + excluded.n`)
        for (let d = depth; d >= 1; d--) up.run(d)
      }
    )
    const rollup = rate(
      `roll-up (sum) of ${leaves.length.toLocaleString("en-US")} village values over the whole tree`,
      "roll-ups/s",
      1,
      sdkRollup,
      rawRollup
    )
    const check = await runtime.runPromise(
      Effect.flatMap(Grid.Grid, (grid) =>
        grid.rollup(system, { under: Actor.NodePath.make("/"), asOf, values, aggregation: "sum" })
      )
    )
    const rawTotal = (memory.prepare("SELECT total FROM v WHERE node_id = 'cn'").get() as { total: number }).total
    if (check.get("cn")?.value !== rawTotal)
      throw new Error(`roll-ups disagree: ${check.get("cn")?.value} vs ${rawTotal}`)
    raw.close()
    memory.close()
    return [
      provinceCount,
      wholeCount,
      rollup,
      rate(
        `import of ${all.length.toLocaleString("en-US")} nodes in batches of ${batch.toLocaleString("en-US")} (the SDK also validates and audits)`,
        "nodes/s",
        all.length,
        importSeconds * 1000,
        rawImportSeconds * 1000
      )
    ]
  } finally {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
