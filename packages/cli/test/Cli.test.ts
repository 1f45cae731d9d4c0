import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Period } from "@sortgrid/core"
import { Client } from "@sortgrid/sdk"
import { PostgresSchema, TempDirectory, Tongzhou } from "@sortgrid/testkit"
import Database from "better-sqlite3"
import { ConfigProvider, Effect, Redacted } from "effect"
import { json, sortgrid } from "./harness.js"

const volunteer = JSON.stringify({ id: "volunteer-1", roles: ["volunteer"], scope: ["/"] })
const inspector = JSON.stringify({ id: "inspector-li", roles: ["inspector"], scope: ["/110112/110112001/"] })

const admin = { id: "admin-1", roles: ["district-admin"], scope: ["/"] }

/** Today's month in Beijing, the period a visit recorded now counts in. */
const thisMonth = () => Period.format(Period.containing("Month", Period.dayOfInstant(Date.now(), 480)))

const definitions = {
  campaigns: [
    {
      id: "hardware",
      name: "硬件清零",
      from: "2020-01-01",
      to: "2099-12-31",
      categories: ["no-hand-washing", "bin-missing"]
    }
  ],
  templates: [
    {
      id: "compound",
      name: "小区硬件检查",
      siteKind: "compound",
      items: [
        { code: "hand-washing", text: "洗手设施齐全", categoryCode: "no-hand-washing" },
        { code: "kitchen-bin", text: "厨余垃圾桶齐全", categoryCode: "bin-missing" }
      ]
    }
  ]
}

/** A store with Tongzhou's divisions imported by the CLI, and a grid with one compound opened through the SDK. */
const seeded = (dir: string) =>
  Effect.gen(function* () {
    const store = `sqlite:${join(dir, "sortgrid.db")}`
    const csv = join(dir, "tongzhou.csv")
    writeFileSync(csv, Tongzhou.csv)
    const imported = yield* json("import", "divisions", csv, "--store", store, "--effective-on", "2023-01-01")
    expect(imported.ran.exitCode, imported.ran.stderr).toBe(0)
    const client = yield* Effect.promise(() => Client.open({ store }))
    const [community] = yield* Effect.promise(() => client.grid.children(admin, "110112001", "2023-01-01"))
    const communityId = community!.nodeId
    const compound = `${communityId}-g1-c1`
    yield* Effect.promise(async () => {
      await client.grid.open(admin, [
        { id: `${communityId}-g1`, kind: "grid", name: "网格", parentId: communityId, effectiveOn: "2023-01-01" },
        { id: compound, kind: "compound", name: "物业小区", parentId: `${communityId}-g1`, effectiveOn: "2023-01-01" }
      ])
      await client.inspections.define(admin, definitions)
      await client.close()
    })
    return { store, compound, community: communityId, imported: imported.value }
  })

describe("sortgrid (in-process)", () => {
  it.scopedLive("init creates a SQLite store, prints the migration report, and is safe to run again", () =>
    Effect.gen(function* () {
      const store = `sqlite:${join(yield* TempDirectory.make(), "fresh.db")}`
      const first = yield* json("init", "--store", store)
      expect(first.ran.exitCode).toBe(0)
      expect(first.value).toMatchObject({ store, kind: "sqlite", created: true })
      const report = first.value as { migrations: ReadonlyArray<{ id: number; name: string; appliedNow: boolean }> }
      expect(report.migrations.length).toBeGreaterThan(0)
      expect(report.migrations.every((migration) => migration.appliedNow)).toBe(true)
      expect(report.migrations[0]).toEqual({ id: 1, name: "audit_log", appliedNow: true })

      const again = yield* sortgrid("init", "--store", store)
      expect(again.exitCode).toBe(0)
      expect(again.stdout).toContain(`${store}: opened, schema at migration ${report.migrations.at(-1)!.id}`)
      expect(again.stdout).toContain("up to date: no migration applied")
      expect(again.stdout).not.toContain("(applied now)")
    })
  )

  it.scopedLive("takes the global options before the subcommand too, or from the environment", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      const store = `sqlite:${join(dir, "before.db")}`
      const ran = yield* sortgrid("--store", store, "--json", "init")
      expect(ran.exitCode).toBe(0)
      expect(JSON.parse(ran.stdout)).toMatchObject({ store, created: true })

      const fromEnv = `sqlite:${join(dir, "env.db")}`
      const environment = ConfigProvider.fromMap(
        new Map([
          ["SORTGRID_STORE", fromEnv],
          ["SORTGRID_ACTOR", volunteer]
        ])
      )
      const created = yield* Effect.withConfigProvider(json("init"), environment)
      expect(created.value).toMatchObject({ store: fromEnv, created: true })
      const refused = yield* Effect.withConfigProvider(sortgrid("verify"), environment)
      expect(refused.exitCode).toBe(3)
      const flagWins = yield* Effect.withConfigProvider(json("verify", "--as", "operator"), environment)
      expect(flagWins.value).toMatchObject({ _tag: "Intact" })
    })
  )

  it.live("works against memory:, where nothing outlives the command", () =>
    Effect.gen(function* () {
      const init = yield* sortgrid("init", "--store", "memory:")
      expect(init.exitCode).toBe(0)
      expect(init.stdout).toBe("memory: is an in-memory store, kept only while the process runs; nothing to migrate")

      const verified = yield* json("verify", "--store", "memory:")
      expect(verified.ran.exitCode).toBe(0)
      expect(verified.value).toMatchObject({ _tag: "Intact", entries: 0 })

      const listed = yield* json("issues", "list", "--store", "memory:")
      expect(listed.ran.exitCode).toBe(0)
      expect(listed.value).toEqual([])

      const report = yield* sortgrid(
        "report",
        "health",
        "--store",
        "memory:",
        "--unit",
        "110112",
        "--period",
        "2023-06"
      )
      expect(report.exitCode).toBe(4)
      expect(report.stderr).toBe("NotFound: Node 110112 was not found")
    })
  )

  it.live("rejects bad input with the field, the reason and exit code 2", () =>
    Effect.gen(function* () {
      const badStore = yield* sortgrid("verify", "--store", "mysql://localhost/db")
      expect(badStore.exitCode).toBe(2)
      expect(badStore.stderr).toMatch(/^Invalid: store: unknown scheme "mysql:"/)

      const badActor = yield* sortgrid("verify", "--store", "memory:", "--as", '{"id":"","roles":[],"scope":["x"]}')
      expect(badActor.exitCode).toBe(2)
      expect(badActor.stderr.split("\n")).toEqual([
        expect.stringMatching(/^Invalid: actor\.id: /),
        expect.stringMatching(/^Invalid: actor\.scope\[0\]: must be node ids/)
      ])

      const notJson = yield* sortgrid("verify", "--store", "memory:", "--as", "{nope")
      expect(notJson.stderr).toMatch(/^Invalid: as: is not valid JSON/)

      const asJson = yield* sortgrid("verify", "--store", "mysql://x", "--json")
      expect(asJson.exitCode).toBe(2)
      expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { _tag: "Invalid", issues: [{ path: ["store"] }] } })

      const unknownFlag = yield* sortgrid("issues", "list", "--bogus")
      expect(unknownFlag.exitCode).toBe(2)
      expect(unknownFlag.stderr).toContain("--bogus")

      const noSubcommand = yield* sortgrid("issues")
      expect(noSubcommand.exitCode).toBe(2)
      expect(noSubcommand.stderr).toBe("Usage: choose list, show or transition (see sortgrid issues --help)")

      const badPeriod = yield* sortgrid(
        "report",
        "health",
        "--store",
        "memory:",
        "--unit",
        "110112",
        "--period",
        "2023-13"
      )
      expect(badPeriod.exitCode).toBe(2)
      expect(badPeriod.stderr).toMatch(/^Invalid: period: /)

      const missingFile = yield* sortgrid("import", "divisions", "/nonexistent/list.csv", "--store", "memory:")
      expect(missingFile.exitCode).toBe(2)
      expect(missingFile.stderr).toMatch(/^Invalid: file: cannot read \/nonexistent\/list\.csv/)
    })
  )

  it.live("applies the SDK's permission checks to the acting actor", () =>
    Effect.gen(function* () {
      const forbidden = yield* sortgrid("verify", "--store", "memory:", "--as", volunteer)
      expect(forbidden.exitCode).toBe(3)
      expect(forbidden.stderr).toBe(
        "Forbidden: volunteer-1 may not audit.verify: none of the roles [volunteer] grants it"
      )

      const outside = yield* sortgrid("issues", "list", "--store", "memory:", "--as", inspector, "--under", "/110112/")
      expect(outside.exitCode).toBe(3)
      expect(outside.stderr).toContain("/110112/ is outside the actor's scope [/110112/110112001/]")

      const person = yield* sortgrid("verify", "--store", "memory:", "--as", "nobody-42")
      expect(person.exitCode).toBe(4)
      expect(person.stderr).toBe("NotFound: Person nobody-42 was not found")
    })
  )

  it.live("prints help for every command", () =>
    Effect.gen(function* () {
      const top = yield* sortgrid("--help")
      expect(top.exitCode).toBe(0)
      for (const name of ["init", "import divisions", "inspect", "issues transition", "report health", "verify"]) {
        expect(top.stdout).toContain(`- ${name}`)
      }
      const leaf = yield* sortgrid("import", "roster", "--help")
      expect(leaf.exitCode).toBe(0)
      expect(leaf.stdout).toContain("--mode all-or-nothing | valid-rows")
      expect(leaf.stdout).toContain("--store URL")
    })
  )

  it.scopedLive("imports, inspects, works the register, reports and verifies a SQLite store", () =>
    Effect.gen(function* () {
      const dir = yield* TempDirectory.make()
      const { store, compound, community, imported } = yield* seeded(dir)
      expect(imported).toMatchObject({ rows: 679, effectiveOn: "2023-01-01", rejected: [] })
      expect((imported as { imported: ReadonlyArray<unknown> }).imported).toHaveLength(679)

      // A bad division list: nothing written, every problem named.
      const bad = join(dir, "bad.csv")
      writeFileSync(bad, "code,name,parentCode\n110113,顺义区,\n110113001,胜利街道,999\n")
      const rejected = yield* sortgrid("import", "divisions", bad, "--store", store)
      expect(rejected.exitCode).toBe(2)
      expect(rejected.stderr).toMatch(/^Invalid: rows\[3\]\.parentCode: code 110113001 belongs under 110113, not 999$/m)

      // GeoJSON: the compound's area; importing the same file again replays.
      const geojson = join(dir, "areas.geojson")
      const square = [
        [
          [116.6, 39.9],
          [116.61, 39.9],
          [116.61, 39.91],
          [116.6, 39.91],
          [116.6, 39.9]
        ]
      ]
      writeFileSync(
        geojson,
        JSON.stringify({
          type: "FeatureCollection",
          features: [
            { type: "Feature", id: compound, properties: {}, geometry: { type: "Polygon", coordinates: square } }
          ]
        })
      )
      const areas = yield* json("import", "geojson", geojson, "--store", store, "--effective-on", "2023-01-01")
      expect(areas.ran.exitCode, areas.ran.stderr).toBe(0)
      expect(areas.value).toMatchObject({ features: 1, versions: [{ nodeId: compound, version: 1 }] })
      expect(areas.ran.stderr).toContain("geometries [########################] 1/1")
      const replayed = yield* json("import", "geojson", geojson, "--store", store, "--effective-on", "2023-01-01")
      expect(replayed.value).toEqual(areas.value)
      const badGeo = join(dir, "bad.geojson")
      writeFileSync(
        badGeo,
        JSON.stringify({
          type: "FeatureCollection",
          features: [{ type: "Feature", id: compound, properties: {}, geometry: { type: "Polygon", coordinates: [] } }]
        })
      )
      const refused = yield* sortgrid("import", "geojson", badGeo, "--store", store)
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toMatch(/^Invalid: features\[0\]\.geometry/)

      // A visit from flags: the failing item registers a problem.
      const visit = yield* json(
        "inspect",
        "--store",
        store,
        "--as",
        inspector,
        "--id",
        "V-1",
        "--campaign",
        "hardware",
        "--template",
        "compound",
        "--node",
        compound,
        "--item",
        "hand-washing=fail",
        "--evidence",
        "hand-washing=photo:1",
        "--item",
        "kitchen-bin=pass"
      )
      expect(visit.ran.exitCode, visit.ran.stderr).toBe(0)
      const recorded = visit.value as { outcome: string; record: { registered: ReadonlyArray<string> } }
      expect(recorded.outcome).toBe("recorded")
      expect(recorded.record.registered).toHaveLength(1)
      const problemId = recorded.record.registered[0]!

      // A visit from a file with a failing item and no evidence: the field is named.
      const visitFile = join(dir, "visit.json")
      writeFileSync(
        visitFile,
        JSON.stringify({
          id: "V-2",
          campaignId: "hardware",
          templateId: "compound",
          nodeId: compound,
          items: [
            { itemCode: "kitchen-bin", result: "pass" },
            { itemCode: "hand-washing", result: "fail", evidence: [] }
          ]
        })
      )
      const noEvidence = yield* sortgrid("inspect", "--store", store, "--as", inspector, "--file", visitFile)
      expect(noEvidence.exitCode).toBe(2)
      expect(noEvidence.stderr).toMatch(/^Invalid: visit\.items\[1\]\.evidence: /)
      const both = yield* sortgrid("inspect", "--store", store, "--file", visitFile, "--id", "V-3")
      expect(both.exitCode).toBe(2)
      expect(both.stderr).toBe("Usage: give the visit either as --file or as flags, not both")

      // The register: list, show, transition.
      const listed = yield* json("issues", "list", "--store", store, "--under", "/110112/110112001/")
      expect(listed.ran.exitCode).toBe(0)
      expect(listed.value).toMatchObject([{ id: problemId, state: "registered", nodeId: compound, version: 1 }])
      const closed = yield* json("issues", "list", "--store", store, "--state", "closed")
      expect(closed.value).toEqual([])
      const human = yield* sortgrid("issues", "list", "--store", store)
      expect(human.stdout).toContain(`${problemId}  registered  no-hand-washing  at ${compound}`)

      const shown = yield* json("issues", "show", problemId, "--store", store)
      expect(shown.value).toMatchObject({
        problem: { id: problemId, state: "registered" },
        history: [{ version: 1, kind: "registered", actor: "inspector-li", toState: "registered" }]
      })
      const missing = yield* sortgrid("issues", "show", "P-none", "--store", store)
      expect(missing.exitCode).toBe(4)

      const assign = JSON.stringify({ _tag: "Assign", problemId, expectedVersion: 1, unitId: community })
      const assigned = yield* json("issues", "transition", "--store", store, "--command", assign)
      expect(assigned.ran.exitCode, assigned.ran.stderr).toBe(0)
      expect(assigned.value).toMatchObject({ problem: { state: "assigned", version: 2 }, event: { kind: "assigned" } })
      const stale = yield* sortgrid("issues", "transition", "--store", store, "--command", assign)
      expect(stale.exitCode).toBe(5)
      expect(stale.stderr).toBe(`Conflict: Problem ${problemId}: version conflict: expected 1, current 2`)
      const commandFile = join(dir, "rectify.json")
      writeFileSync(commandFile, JSON.stringify({ _tag: "Rectify", problemId, expectedVersion: 2, evidence: [] }))
      const badCommand = yield* sortgrid("issues", "transition", "--store", store, "--file", commandFile)
      expect(badCommand.exitCode).toBe(2)
      expect(badCommand.stderr).toMatch(/^Invalid: command\.evidence/)

      // The health report, Markdown on stdout and HTML into a file.
      const period = thisMonth()
      const markdown = yield* sortgrid("report", "health", "--store", store, "--unit", "110112001", "--period", period)
      expect(markdown.exitCode, markdown.stderr).toBe(0)
      expect(markdown.stdout).toContain(`# Health check: 中仓街道 (110112001), ${period}`)
      expect(markdown.stdout).toContain("| Registered in the period | 1 |")
      expect(markdown.stdout).toContain("| Open at the end | 1 |")
      expect(markdown.stdout).toContain("assessment engine")
      const htmlFile = join(dir, "health.html")
      const html = yield* sortgrid(
        "report",
        "health",
        "--store",
        store,
        "--unit",
        "110112001",
        "--period",
        period,
        "--format",
        "html",
        "--output",
        htmlFile
      )
      expect(html.exitCode).toBe(0)
      const page = yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.readFile(htmlFile, "utf8")))
      expect(page).toMatch(/^<!doctype html>/)
      expect(page).toContain("<svg")
      const figures = yield* json("report", "health", "--store", store, "--unit", "110112001", "--period", period)
      expect(figures.value).toMatchObject({ unit: { id: "110112001", stats: { opened: 1, openAtEnd: 1 } } })

      // The audit chain: intact, then broken by an edit behind the SDK's back.
      const intact = yield* json("verify", "--store", store)
      expect(intact.ran.exitCode).toBe(0)
      const entries = (intact.value as { entries: number }).entries
      expect(entries).toBeGreaterThan(2)
      const db = new Database(join(dir, "sortgrid.db"))
      db.prepare("UPDATE audit_entry SET actor = 'someone-else' WHERE position = 2").run()
      db.close()
      const broken = yield* sortgrid("verify", "--store", store)
      expect(broken.exitCode).toBe(1)
      expect(broken.stdout).toMatch(/^broken at position 2: EntryAltered/)
      expect(broken.stderr).toMatch(/^Broken: the audit chain is broken at position 2 \(EntryAltered\)/)
    })
  )

  it.scopedLive("works against PostgreSQL", () =>
    Effect.gen(function* () {
      const schema = yield* PostgresSchema.make
      const store = `${Redacted.value(PostgresSchema.testUrl)}?schema=${schema}`
      const init = yield* json("init", "--store", store)
      expect(init.ran.exitCode, init.ran.stderr).toBe(0)
      expect(init.value).toMatchObject({ kind: "postgres", created: false })
      expect((init.value as { migrations: ReadonlyArray<unknown> }).migrations[0]).toEqual({
        id: 1,
        name: "audit_log",
        appliedNow: true
      })
      const csv = join(yield* TempDirectory.make(), "tongzhou.csv")
      writeFileSync(csv, Tongzhou.csv)
      const imported = yield* json("import", "divisions", csv, "--store", store, "--effective-on", "2023-01-01")
      expect(imported.value).toMatchObject({ rows: 679, rejected: [] })
      const verified = yield* json("verify", "--store", store)
      expect(verified.value).toMatchObject({ _tag: "Intact" })
    })
  )
})
