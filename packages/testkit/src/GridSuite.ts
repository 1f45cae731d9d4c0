/**
 * The grid conformance suite: the tree's behaviour through the `Grid` service over a store —
 * imports, effective-dated changes, queries as of any date, idempotency, permissions and the
 * audit trail. Every adapter of `GridStore` runs it:
 *
 * ```ts
 * GridSuite.suite("my-store", myStoreLayer)
 * ```
 *
 * The layer must build a new, empty store each time it is built.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, AuditLog, Period, type Permission } from "@sortgrid/core"
import { Grid, Node, Profile } from "@sortgrid/grid"
import { Effect, Layer } from "effect"
import fc from "fast-check"
import * as Departments from "./Departments.js"
import { admin, base, type Store, zhongcangAdmin } from "./Fixtures.js"
import * as Synthetic from "./Synthetic.js"
import * as Tongzhou from "./Tongzhou.js"

const date = (text: string) => Period.IsoDate.make(text)

/**
 * The grants the suite runs under.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "subdistrict-admin": ["grid.read", "grid.edit"]
}

/**
 * The grid service over a store layer, with the audit log, the default profile and the suite's
 * grants.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const services = <E>(store: Layer.Layer<Store, E>) =>
  Grid.Grid.Default.pipe(Layer.provideMerge(base(store, grants)))

const importTongzhou = Effect.flatMap(Grid.Grid, (grid) =>
  grid.importDivisions(admin, Tongzhou.csv, { effectiveOn: Tongzhou.openedOn, mode: "all-or-nothing" })
)

const nodeId = (id: string) => Node.NodeId.make(id)
const under = (path: string) => Actor.NodePath.make(path)

/**
 * Registers the suite under `name`.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store, E>): void => {
  const fresh = services(layer)
  const test = (title: string, body: Effect.Effect<void, unknown, Grid.Grid | AuditLog.AuditLog>) =>
    it.effect(title, () => Effect.provide(body, fresh))

  describe(`${name}: grid conformance`, () => {
    test(
      "imports Tongzhou 2023: 1 district, 22 subdistricts and towns (11 urban, 11 rural), 656 communities and villages",
      Effect.gen(function* () {
        const report = yield* importTongzhou
        expect(report).toMatchObject({ rows: 679, rejected: [] })
        expect(
          report.imported
            .filter((d) => d.node.kind === "subdistrict" || d.node.kind === "town")
            .map((d) => d.setting)
            .sort()
        ).toEqual([...Array(11).fill("rural"), ...Array(11).fill("urban")])
        const grid = yield* Grid.Grid
        const counts = yield* grid.countByKind(admin, { under: under("/110112/"), asOf: date("2023-06-30") })
        expect(counts).toEqual([
          { kind: "community", count: 186 },
          { kind: "district", count: 1 },
          { kind: "subdistrict", count: 11 },
          { kind: "town", count: 11 },
          { kind: "village", count: 470 }
        ])
        const before = yield* grid.countByKind(admin, { under: under("/110112/"), asOf: date("2022-12-31") })
        expect(before).toEqual([])
        const level = yield* grid.subtree(admin, { under: under("/110112/"), asOf: date("2023-06-30"), depths: [1] })
        expect(level.length).toBe(22)
        expect(new Set(level.map((v) => v.kind))).toEqual(new Set(["subdistrict", "town"]))
        const zhongcang = yield* grid.children(admin, nodeId("110112001"), date("2023-03-01"))
        expect(zhongcang.length).toBeGreaterThan(0)
        expect(
          zhongcang.every((child) => child.path === `/110112/110112001/${child.nodeId}/` && child.depth === 2)
        ).toBe(true)
        const path = yield* grid.ancestors(admin, zhongcang[0]!.nodeId, date("2023-03-01"))
        expect(path.map((version) => version.nodeId)).toEqual(["110112", "110112001", zhongcang[0]!.nodeId])
      })
    )

    test(
      "urban and rural groups come from the codes, and a reclassification leaves earlier dates as they were",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        const setting = (asOf: string) =>
          Effect.map(grid.memberships(admin, { under: under("/110112/"), asOf: date(asOf) }), (all) => {
            const groups = new Map(all.map((m) => [m.nodeId as string, m.groupId as string]))
            return { all, groups }
          })
        const june = yield* setting("2023-06-30")
        expect(june.all.length).toBe(679)
        const level = (code: string) => code.length === 9
        const townships = [...june.groups].filter(([id]) => level(id))
        expect(townships.filter(([, g]) => g === "urban").length).toBe(11)
        expect(townships.filter(([, g]) => g === "rural").length).toBe(11)
        expect(june.groups.get("110112001")).toBe("urban")
        expect(june.groups.get("110112104")).toBe("rural")
        yield* grid.changeMemberships(admin, [
          { _tag: "Assign", nodeId: "110112104", groupId: "urban", effectiveOn: "2023-07-01" }
        ])
        const july = yield* setting("2023-07-01")
        expect([july.groups.get("110112104"), (yield* setting("2023-06-30")).groups.get("110112104")]).toEqual([
          "urban",
          "rural"
        ])
        const again = yield* importTongzhou
        expect(again.rejected).toEqual([])
        const unknown = yield* Effect.flip(
          grid.changeMemberships(admin, [
            { _tag: "Assign", nodeId: "110112104", groupId: "suburban", effectiveOn: "2023-08-01" }
          ])
        )
        expect(unknown.message).toBe("memberships[0].groupId: group suburban is not defined")
        const early = yield* Effect.flip(
          grid.changeMemberships(admin, [
            { _tag: "Assign", nodeId: "110112104", groupId: "rural", effectiveOn: "2023-06-01" }
          ])
        )
        expect(early._tag).toBe("Conflict")
      })
    )

    test(
      "the seeded synthetic district fills Tongzhou to the domain's figures",
      Effect.gen(function* () {
        const report = yield* importTongzhou
        const grid = yield* Grid.Grid
        const communities = report.imported
          .filter((d) => d.node.kind === "community" || d.node.kind === "village")
          .map((d) => ({ id: d.node.id, kind: d.node.kind as "community" | "village", setting: d.setting }))
        const nodes = Synthetic.district({ seed: 2023, communities, effectiveOn: "2023-01-01" })
        expect(Synthetic.district({ seed: 2023, communities, effectiveOn: "2023-01-01" })).toEqual(nodes)
        yield* grid.open(admin, nodes)
        const counts = new Map(
          (yield* grid.countByKind(admin, { under: under("/110112/"), asOf: date("2023-03-01") })).map((c) => [
            c.kind as string,
            c.count
          ])
        )
        expect(counts.get("grid")).toBe(Synthetic.figures.grids)
        expect(counts.get("compound")).toBe(Synthetic.figures.compounds)
        expect(counts.get("school")).toBe(Synthetic.figures.schools)
        expect(counts.get("plaza")).toBe(Synthetic.figures.plazas)
        expect(counts.get("enterprise-site")).toBe(Synthetic.figures.enterpriseSites)
        expect(counts.get("bin-station")).toBeGreaterThan(3_000)
      })
    )

    test(
      "the 32 departments stand under a government root beside the territorial tree",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        yield* grid.open(admin, Departments.nodes("2023-01-01"))
        const government = yield* grid.countByKind(admin, {
          under: under(`/${Departments.governmentId}/`),
          asOf: date("2023-03-01")
        })
        expect(government).toEqual([
          { kind: "department", count: 32 },
          { kind: "government", count: 1 }
        ])
        const territory = yield* grid.countByKind(admin, { under: under("/110112/"), asOf: date("2023-03-01") })
        expect(territory.some((row) => row.kind === "department")).toBe(false)
      })
    )

    test(
      "an exported division list imports into an empty store as the same tree, with the same settings",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        yield* grid.changeMemberships(admin, [
          { _tag: "Assign", nodeId: "110112104", groupId: "urban", effectiveOn: "2023-01-01" }
        ])
        const csv = yield* grid.exportDivisions(admin, { under: under("/110112/"), asOf: date("2023-06-30") })
        const lines = csv.trim().split("\n")
        expect(lines.length).toBe(680)
        expect(lines[0]).toBe("code,name,parentCode,kind,setting")
        expect(lines[1]).toBe("110112,通州区,,district,urban")
        expect(lines.find((line) => line.startsWith("110112104,"))).toMatch(/,town,urban$/)
        return csv
      }).pipe(
        Effect.flatMap((csv) =>
          Effect.gen(function* () {
            const grid = yield* Grid.Grid
            const report = yield* grid.importDivisions(admin, csv, {
              effectiveOn: date("2023-01-01"),
              mode: "all-or-nothing"
            })
            expect(report.rejected).toEqual([])
            const memberships = yield* grid.memberships(admin, { under: under("/110112/"), asOf: date("2023-06-30") })
            expect(memberships.find((m) => m.nodeId === "110112104")?.groupId).toBe("urban")
            expect(memberships.length).toBe(679)
          }).pipe(Effect.provide(fresh))
        )
      )
    )

    test(
      "importing the same list again changes nothing",
      Effect.gen(function* () {
        yield* importTongzhou
        const again = yield* importTongzhou
        expect(again.imported.length).toBe(679)
        const grid = yield* Grid.Grid
        const all = yield* grid.subtree(admin, { under: under("/110112/"), asOf: date("2023-02-01") })
        expect(all.length).toBe(679)
        expect(all.every((version) => version.version === 1)).toBe(true)
      })
    )

    test(
      "a merge effective 2023-04-01: as of March both communities stand, as of May one, and roll-ups follow the tree of their date",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        const [a, b] = (yield* grid.children(admin, nodeId("110112001"), date("2023-03-01"))).map((v) => v.nodeId)
        yield* grid.open(admin, [
          { id: `${a}-g1`, kind: "grid", name: "网格一", parentId: a, effectiveOn: "2023-01-01" },
          { id: `${b}-g1`, kind: "grid", name: "网格一", parentId: b, effectiveOn: "2023-01-01" },
          { id: `${b}-g2`, kind: "grid", name: "网格二", parentId: b, effectiveOn: "2023-01-01" }
        ])
        yield* grid.change(admin, {
          _tag: "MergeNodes",
          changeId: "merge-2023-04",
          sources: [b],
          into: a,
          effectiveOn: "2023-04-01"
        })
        const march = yield* grid.children(admin, nodeId("110112001"), date("2023-03-31"))
        const may = yield* grid.children(admin, nodeId("110112001"), date("2023-05-01"))
        expect(march.map((v) => v.nodeId)).toContain(b)
        expect(may.map((v) => v.nodeId)).not.toContain(b)
        expect(may.length).toBe(march.length - 1)
        const gridsOfA = yield* grid.children(admin, a!, date("2023-05-01"))
        expect(gridsOfA.map((v) => [v.nodeId, v.path])).toEqual([
          [`${a}-g1`, `/110112/110112001/${a}/${a}-g1/`],
          [`${b}-g1`, `/110112/110112001/${a}/${b}-g1/`],
          [`${b}-g2`, `/110112/110112001/${a}/${b}-g2/`]
        ])
        const values = new Map([
          [`${a}-g1`, 3],
          [`${b}-g1`, 5],
          [`${b}-g2`, 7]
        ])
        const rolled = (asOf: string) =>
          grid.rollup(admin, { under: under("/110112/110112001/"), asOf: date(asOf), values, aggregation: "sum" })
        const inMarch = yield* rolled("2023-03-15")
        expect([inMarch.get(a!)?.value, inMarch.get(b!)?.value, inMarch.get("110112001")?.value]).toEqual([3, 12, 15])
        const inMay = yield* rolled("2023-05-15")
        expect([inMay.get(a!)?.value, inMay.get(b!)?.value, inMay.get("110112001")?.value]).toEqual([15, undefined, 15])
        const history = yield* grid.history(admin, nodeId(b!))
        expect(history.versions.map((v) => [v.validFrom, v.validTo])).toEqual([["2023-01-01", "2023-04-01"]])
        expect(history.changes.map((c) => [c.changeId, c.kind])).toEqual([["merge-2023-04", "MergeNodes"]])
      })
    )

    test(
      "a move carries the whole subtree, and a retried change is a no-op while a reused id is a Conflict",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        const [community] = (yield* grid.children(admin, nodeId("110112001"), date("2023-03-01"))).map((v) => v.nodeId)
        yield* grid.open(admin, [
          { id: "g-move", kind: "grid", name: "网格", parentId: community, effectiveOn: "2023-02-01" }
        ])
        yield* grid.open(admin, [
          { id: "c-move", kind: "compound", name: "小区", parentId: "g-move", effectiveOn: "2023-02-01" }
        ])
        const move = {
          _tag: "MoveNode",
          changeId: "move-1",
          nodeId: community,
          parentId: "110112002",
          effectiveOn: "2023-06-01"
        }
        const first = yield* grid.change(admin, move)
        expect(first.start.map((v) => v.path)).toEqual([
          `/110112/110112002/${community}/`,
          `/110112/110112002/${community}/g-move/`,
          `/110112/110112002/${community}/g-move/c-move/`
        ])
        const retry = yield* grid.change(admin, move)
        expect([retry.start.length, retry.end.length]).toEqual([0, 0])
        const reuse = yield* Effect.flip(grid.change(admin, { ...move, parentId: "110112003" }))
        expect(reuse._tag).toBe("Conflict")
        const compound = yield* grid.node(admin, nodeId("c-move"), date("2023-05-31"))
        expect(compound.path).toBe(`/110112/110112001/${community}/g-move/c-move/`)
        const moved = yield* grid.node(admin, nodeId("c-move"), date("2023-06-01"))
        expect([moved.path, moved.depth]).toEqual([`/110112/110112002/${community}/g-move/c-move/`, 4])
        const earlier = yield* Effect.flip(
          grid.change(admin, {
            _tag: "RenameNode",
            changeId: "late",
            nodeId: community,
            name: "改名",
            effectiveOn: "2023-05-01"
          })
        )
        expect(earlier.message).toContain("changes apply in date order")
      })
    )

    test(
      "a split opens the parts beside the node, shares out its children and closes it",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        const [community] = (yield* grid.children(admin, nodeId("110112001"), date("2023-03-01"))).map((v) => v.nodeId)
        yield* grid.open(admin, [
          { id: "s-g1", kind: "grid", name: "一", parentId: community, effectiveOn: "2023-01-01" },
          { id: "s-g2", kind: "grid", name: "二", parentId: community, effectiveOn: "2023-01-01" }
        ])
        const incomplete = yield* Effect.flip(
          grid.change(admin, {
            _tag: "SplitNode",
            changeId: "split-bad",
            nodeId: community,
            parts: [{ id: "part-a", name: "甲社区", children: ["s-g1"] }],
            effectiveOn: "2023-07-01"
          })
        )
        expect(incomplete.message).toContain("not placed: s-g2")
        yield* grid.change(admin, {
          _tag: "SplitNode",
          changeId: "split-1",
          nodeId: community,
          parts: [
            { id: "part-a", name: "甲社区", children: ["s-g1"] },
            { id: "part-b", name: "乙社区", children: ["s-g2"] }
          ],
          effectiveOn: "2023-07-01"
        })
        const after = yield* grid.children(admin, nodeId("110112001"), date("2023-07-01"))
        expect(after.map((v) => v.nodeId)).toEqual(expect.arrayContaining(["part-a", "part-b"]))
        expect(after.map((v) => v.nodeId)).not.toContain(community)
        expect((yield* grid.node(admin, nodeId("s-g2"), date("2023-07-02"))).parentId).toBe("part-b")
      })
    )

    test(
      "the profile's placement rules hold on open and on move",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        const wrong = yield* Effect.flip(
          grid.open(admin, [
            { id: "bad", kind: "compound", name: "x", parentId: "110112001", effectiveOn: "2023-02-01" }
          ])
        )
        expect(wrong.message).toBe("nodes[0].kind: a compound must be placed under grid, not a subdistrict")
        const cycle = yield* Effect.flip(
          grid.change(admin, {
            _tag: "MoveNode",
            changeId: "cycle",
            nodeId: "110112001",
            parentId: "110112001",
            effectiveOn: "2023-03-01"
          })
        )
        expect(cycle.message).toContain("cannot move under itself")
        const unknownParent = yield* Effect.flip(
          grid.open(admin, [{ id: "orphan", kind: "grid", name: "x", parentId: "nowhere", effectiveOn: "2023-02-01" }])
        )
        expect(unknownParent.message).toBe("nodes[0].parentId: parent nowhere does not exist")
      })
    )

    test(
      "a subdistrict admin sees and edits only their subtree",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        const asOf = date("2023-03-01")
        const own = yield* grid.subtree(zhongcangAdmin, { under: under("/110112/110112001/"), asOf })
        expect(own.length).toBeGreaterThan(1)
        const district = yield* Effect.flip(grid.subtree(zhongcangAdmin, { under: under("/110112/"), asOf }))
        expect(district._tag).toBe("Forbidden")
        const other = yield* Effect.flip(grid.node(zhongcangAdmin, nodeId("110112002"), asOf))
        expect(other._tag).toBe("Forbidden")
        const [community] = own.filter((v) => v.kind === "community" || v.kind === "village")
        yield* grid.open(zhongcangAdmin, [
          { id: "zc-g1", kind: "grid", name: "网格", parentId: community!.nodeId, effectiveOn: "2023-02-01" }
        ])
        const [elsewhere] = yield* grid.children(admin, nodeId("110112002"), asOf)
        const outside = yield* Effect.flip(
          grid.change(zhongcangAdmin, {
            _tag: "MoveNode",
            changeId: "steal",
            nodeId: "zc-g1",
            parentId: elsewhere!.nodeId,
            effectiveOn: "2023-03-01"
          })
        )
        expect(outside._tag).toBe("Forbidden")
      })
    )

    test(
      "a malformed division list is reported by row, column and reason; all-or-nothing writes nothing",
      Effect.gen(function* () {
        const grid = yield* Grid.Grid
        const csv = [
          "code,name,parentCode",
          "110112,通州区,",
          "110112001,中仓街道,110112",
          "110112001001,,110112001",
          "11011200100X,坏代码,110112001",
          "110112002001,错父级,110112001",
          "110112003,北苑街道,110112",
          "110112001002,重复,110112001",
          "110112001002,重复,110112001"
        ].join("\n")
        const invalid = yield* Effect.flip(
          grid.importDivisions(admin, csv, { effectiveOn: date("2023-01-01"), mode: "all-or-nothing" })
        )
        expect(invalid.message).toBe(
          [
            "rows[4].name: must not be empty",
            "rows[5].code: must be 6, 9 or 12 digits",
            "rows[6].parentCode: code 110112002001 belongs under 110112002, not 110112001",
            "rows[9].code: 110112001002 already appears in row 8"
          ].join("; ")
        )
        expect(yield* grid.countByKind(admin, { under: under("/"), asOf: date("2023-06-01") })).toEqual([])
        const report = yield* grid.importDivisions(admin, csv, { effectiveOn: date("2023-01-01"), mode: "valid-rows" })
        expect(report.imported.map((d) => d.node.id)).toEqual(["110112", "110112001", "110112003", "110112001002"])
        expect(report.rejected.map((issue) => [issue.row, issue.column])).toEqual([
          [4, "name"],
          [5, "code"],
          [6, "parentCode"],
          [9, "code"]
        ])
        const broken = yield* Effect.flip(
          grid.importDivisions(admin, 'code,name\n"110112,x', { effectiveOn: date("2023-01-01"), mode: "valid-rows" })
        )
        expect(broken._tag).toBe("Invalid")
      })
    )

    test(
      "every change is in the audit chain, and the chain verifies",
      Effect.gen(function* () {
        yield* importTongzhou
        const grid = yield* Grid.Grid
        yield* grid.change(admin, {
          _tag: "RenameNode",
          changeId: "rename-1",
          nodeId: "110112001",
          name: "中仓街道办事处",
          effectiveOn: "2023-03-01"
        })
        const log = yield* AuditLog.AuditLog
        const entries = yield* log.read(admin)
        expect(entries.map((entry) => entry.action)).toEqual([
          "grid.nodesOpened",
          "grid.groupSetsDefined",
          "grid.membershipsChanged",
          "grid.renameNode"
        ])
        expect(entries[0]!.payload).toMatchObject({ count: 679 })
        expect(entries[2]!.payload).toMatchObject({ started: 679 })
        expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact", entries: 4 })
      })
    )

    test(
      "random trees under random moves keep paths consistent, kinds placed by the profile, and no cycles, at every date",
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(randomHistory, async ({ opens, moves }) => {
            await Effect.runPromise(
              Effect.gen(function* () {
                const grid = yield* Grid.Grid
                yield* grid.open(admin, opens)
                for (const move of moves) yield* Effect.either(grid.change(admin, move))
                for (const day of ["2023-01-01", "2023-02-15", "2023-04-15", "2023-06-15", "2023-12-31"]) {
                  const tree = yield* grid.subtree(admin, { under: under("/"), asOf: date(day) })
                  const byId = new Map(tree.map((v) => [v.nodeId as string, v]))
                  for (const version of tree) {
                    const parent = version.parentId === null ? undefined : byId.get(version.parentId)
                    expect(version.path).toBe(Node.childPath(parent, version.nodeId))
                    expect(version.depth).toBe(parent === undefined ? 0 : parent.depth + 1)
                    expect(Profile.placementError(Profile.chinaDistrict, version.kind, parent?.kind)).toBeUndefined()
                    const ids = Node.pathIds(version.path)
                    expect(new Set(ids).size).toBe(ids.length)
                  }
                }
              }).pipe(Effect.provide(fresh))
            )
          }),
          { numRuns: 8 }
        )
      ).pipe(Effect.asVoid)
    )
  })
}

/** A random tree of communities, grids and compounds under two subdistricts, and random moves. */
const randomHistory = fc
  .record({
    communities: fc.integer({ min: 1, max: 4 }),
    grids: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    compounds: fc.array(fc.nat(), { maxLength: 10 }),
    moves: fc.array(fc.record({ node: fc.nat(), parent: fc.nat(), month: fc.integer({ min: 2, max: 11 }) }), {
      maxLength: 8
    })
  })
  .map(({ communities, grids, compounds, moves }) => {
    const opens: Array<Record<string, string>> = [
      { id: "d", kind: "district", name: "区", effectiveOn: "2023-01-01" },
      { id: "s1", kind: "subdistrict", name: "一", parentId: "d", effectiveOn: "2023-01-01" },
      { id: "s2", kind: "subdistrict", name: "二", parentId: "d", effectiveOn: "2023-01-01" }
    ]
    const ids: Array<string> = ["d", "s1", "s2"]
    for (let i = 0; i < communities; i++) {
      opens.push({
        id: `c${i}`,
        kind: "community",
        name: `c${i}`,
        parentId: i % 2 === 0 ? "s1" : "s2",
        effectiveOn: "2023-01-01"
      })
      ids.push(`c${i}`)
    }
    grids.forEach((pick, i) => {
      opens.push({
        id: `g${i}`,
        kind: "grid",
        name: `g${i}`,
        parentId: `c${pick % communities}`,
        effectiveOn: "2023-01-01"
      })
      ids.push(`g${i}`)
    })
    compounds.forEach((pick, i) => {
      opens.push({
        id: `k${i}`,
        kind: "compound",
        name: `k${i}`,
        parentId: `g${pick % grids.length}`,
        effectiveOn: "2023-01-01"
      })
      ids.push(`k${i}`)
    })
    const sorted = [...moves].sort((a, b) => a.month - b.month)
    return {
      opens,
      moves: sorted.map((move, i) => ({
        _tag: "MoveNode",
        changeId: `move-${i}`,
        nodeId: ids[move.node % ids.length],
        parentId: ids[move.parent % ids.length],
        effectiveOn: `2023-${String(move.month).padStart(2, "0")}-01`
      }))
    }
  })
