/**
 * The "hardware to zero" scenario on a store: Tongzhou's division list and the synthetic district,
 * then {@link HardwareCampaign.plan} walked day by day from January to June 2023 through the
 * problem register (registered in January, assigned, rectified, re-inspected — some failing first).
 * The stats API and the data-value provider must report what the plan registered and closed: for
 * the district, for every subdistrict and town, by month and for the half-year.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, DataValue, type Period } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import { ProblemRegister } from "@sortgrid/issues/ProblemRegister"
import type { ProblemStore } from "@sortgrid/issues/ProblemStore"
import * as ProblemValues from "@sortgrid/issues/ProblemValues"
import type { NodeStats } from "@sortgrid/issues/Stats"
import { Effect, Layer, TestClock } from "effect"
import { admin, base, type Store } from "./Fixtures.js"
import * as HardwareCampaign from "./HardwareCampaign.js"
import { grants } from "./ProblemSuite.js"
import * as Synthetic from "./Synthetic.js"
import * as Tongzhou from "./Tongzhou.js"

const rectifier = new Actor.Actor({
  id: Actor.ActorId.make("property-company"),
  roles: [Actor.Role.make("rectifier")],
  scope: [Actor.NodePath.make(`/${Tongzhou.districtCode}/`)]
})

const district = Actor.NodePath.make(`/${Tongzhou.districtCode}/`)

/** 10:00 in Beijing on an ISO date. */
const morningOf = (date: string) => Date.parse(`${date}T02:00:00Z`)

const month = (m: number): Period.Period => ({ _tag: "Month", year: 2023, month: m })

/** What the plan says of a set of problems over a span of dates. */
const tally = (problems: ReadonlyArray<HardwareCampaign.PlannedProblem>, from: string, to: string) => {
  const openAtEnd = problems.filter((p) => p.registeredOn <= to && (p.closedOn === null || p.closedOn > to))
  return {
    opened: problems.filter((p) => p.registeredOn >= from && p.registeredOn <= to).length,
    closedFixed: problems.filter((p) => p.closedOn !== null && p.closedOn >= from && p.closedOn <= to).length,
    openAtEnd: openAtEnd.length,
    compoundsWithOpen: new Set(openAtEnd.map((p) => p.compound.id)).size
  }
}

const counted = (stats: NodeStats | undefined) => ({
  opened: stats?.opened,
  closedFixed: stats?.closedFixed,
  openAtEnd: stats?.openAtEnd,
  compoundsWithOpen: stats?.compoundsWithOpen
})

/**
 * Registers the scenario under `name`; the layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store | ProblemStore, E>): void => {
  const fresh = Layer.mergeAll(ProblemRegister.Default, Grid.Grid.Default, ProblemValues.layer).pipe(
    Layer.provideMerge(base(layer, grants)),
    Layer.provideMerge(layer)
  )

  /** The district, and the plan over its 708 compounds. */
  const seeded = Effect.gen(function* () {
    yield* TestClock.setTime(morningOf("2023-01-01"))
    const grid = yield* Grid.Grid
    const report = yield* grid.importDivisions(admin, Tongzhou.csv, {
      effectiveOn: Tongzhou.openedOn,
      mode: "all-or-nothing"
    })
    const communities = report.imported.flatMap((d) => {
      const kind =
        d.node.kind === "community" ? ("community" as const) : d.node.kind === "village" ? ("village" as const) : null
      return kind === null ? [] : [{ id: d.node.id, kind, setting: d.setting, townId: d.node.parentId ?? "" }]
    })
    const nodes = Synthetic.district({ seed: 2023, communities, effectiveOn: Tongzhou.openedOn })
    yield* grid.open(admin, nodes)
    const byId = new Map(nodes.map((node) => [node.id, node]))
    const byCommunity = new Map<string, (typeof communities)[number]>(
      communities.map((community) => [community.id, community])
    )
    const compounds = nodes.flatMap((node): Array<HardwareCampaign.Compound> => {
      const community = byCommunity.get(byId.get(node.parentId)?.parentId ?? "")
      return node.kind === "compound" && community !== undefined
        ? [{ id: node.id, townId: community.townId, communityId: community.id, setting: community.setting }]
        : []
    })
    return { compounds, plan: HardwareCampaign.plan({ seed: 2023, compounds }) }
  })

  /** Walks the plan's schedule through the register, one batch per kind of step and day. */
  const walk = (plan: ReadonlyArray<HardwareCampaign.PlannedProblem>) =>
    Effect.gen(function* () {
      const register = yield* ProblemRegister
      const versions = new Map<string, number>()
      const bump = (id: string) => {
        const version = versions.get(id)!
        versions.set(id, version + 1)
        return version
      }
      for (const [day, steps] of HardwareCampaign.schedule(plan)) {
        yield* TestClock.setTime(morningOf(day))
        const of = <K extends HardwareCampaign.Step["kind"]>(kind: K) =>
          steps.filter((step): step is Extract<HardwareCampaign.Step, { kind: K }> => step.kind === kind)
        const registering = of("register").map(({ problem }) => ({
          id: problem.id,
          categoryCode: problem.categoryCode,
          nodeId: problem.compound.id,
          source: { _tag: "ManualReport", reference: "hardware-to-zero" },
          attributes: problem.attributes
        }))
        if (registering.length > 0) {
          const registered = yield* register.registerMany(admin, registering)
          for (const { outcome, problem } of registered) {
            expect(outcome).toBe("registered")
            versions.set(problem.id, problem.version)
          }
        }
        const assigning = of("assign").map(({ problem }) => ({
          _tag: "Assign",
          problemId: problem.id,
          expectedVersion: bump(problem.id),
          unitId: problem.compound.communityId
        }))
        if (assigning.length > 0) yield* register.transitionMany(admin, assigning)
        const rectifying = of("rectify").map(({ problem }) => ({
          _tag: "Rectify",
          problemId: problem.id,
          expectedVersion: bump(problem.id),
          evidence: [`photo:${problem.id}:${day}`]
        }))
        if (rectifying.length > 0) yield* register.transitionMany(rectifier, rectifying)
        const reinspecting = of("reinspect").map(({ outcome, problem }) => ({
          _tag: "Reinspect",
          problemId: problem.id,
          expectedVersion: bump(problem.id),
          outcome
        }))
        if (reinspecting.length > 0) yield* register.transitionMany(admin, reinspecting)
      }
    })

  describe(`${name}: the hardware-to-zero campaign, January to June 2023`, () => {
    it.effect(
      "the stats report what the campaign registered and closed, for the district, each town and each month",
      () =>
        Effect.gen(function* () {
          const { compounds, plan } = yield* seeded
          // The plan itself is calibrated to the domain's figures.
          expect(compounds.length).toBe(Synthetic.figures.compounds)
          expect(plan.length).toBe(HardwareCampaign.figures.registeredInJanuary)
          expect(tally(plan, "2023-06-01", "2023-06-30")).toMatchObject({
            openAtEnd: HardwareCampaign.figures.openAtEndOfJune,
            compoundsWithOpen: HardwareCampaign.figures.compoundsWithOpenAtEndOfJune
          })
          yield* walk(plan)
          const register = yield* ProblemRegister
          const stats = (period: Period.Period) => register.stats(admin, { under: district, period })

          const january = yield* stats(month(1))
          const root = (s: typeof january) => s.nodes.get(Tongzhou.districtCode)!
          expect(counted(root(january))).toEqual(tally(plan, "2023-01-01", "2023-01-31"))
          expect(root(january).compounds).toBe(708)
          expect(root(january).perCompound.value).toBeCloseTo(5.8, 1)
          expect(root(january).burnDown.at(-1)).toBe(4_104)

          const june = yield* stats(month(6))
          expect(counted(root(june))).toEqual(tally(plan, "2023-06-01", "2023-06-30"))
          expect(root(june).openAtEnd).toBe(1_025)
          expect(root(june).perAffectedCompound.value).toBeCloseTo(2.6, 1)
          expect(root(june).overdueAtEnd).toBe(1_025)

          const half = yield* stats({ _tag: "HalfYear", year: 2023, half: 1 })
          expect([root(half).opened, root(half).closedFixed, root(half).closedOther]).toEqual([4_104, 3_079, 0])

          for (const m of [2, 3, 4, 5]) {
            const from = `2023-0${m}-01`
            const to = HardwareCampaign.addDays(`2023-0${m + 1}-01`, -1)
            expect(counted(root(yield* stats(month(m))))).toEqual(tally(plan, from, to))
          }

          // Every town, January and June, against the plan's own tallies; rural towns lag.
          const towns = [...new Set(compounds.map((c) => c.townId))].sort()
          const byTown = (townId: string) => plan.filter((p) => p.compound.townId === townId)
          for (const townId of towns) {
            expect(counted(january.nodes.get(townId))).toEqual(tally(byTown(townId), "2023-01-01", "2023-01-31"))
            expect(counted(june.nodes.get(townId))).toEqual(tally(byTown(townId), "2023-06-01", "2023-06-30"))
          }
          const openShare = (setting: "urban" | "rural") => {
            const inSetting = plan.filter((p) => p.compound.setting === setting)
            return inSetting.filter((p) => p.closedOn === null).length / inSetting.length
          }
          expect(openShare("rural")).toBeGreaterThan(openShare("urban"))

          // The same figures as data values for the assessment engine, with the records behind them.
          const provider = yield* DataValue.DataValueProvider
          const values = yield* provider.values(
            new DataValue.ValuesRequest({
              elements: [
                DataValue.DataElementId.make("issues.openAtEnd"),
                DataValue.DataElementId.make("issues.openPerAffectedCompound")
              ],
              nodes: [DataValue.NodeRef.make(Tongzhou.districtCode), ...towns.map((t) => DataValue.NodeRef.make(t))],
              period: DataValue.PeriodId.make("2023-06")
            })
          )
          const districtOpen = values.find((v) => v.node === Tongzhou.districtCode && v.element === "issues.openAtEnd")
          expect([districtOpen?.value, districtOpen?.provenance.records?.total]).toEqual([1_025, 1_025])
          expect(
            values.filter((v) => v.element === "issues.openAtEnd" && v.node !== Tongzhou.districtCode).length
          ).toBe(towns.length)
        }).pipe(Effect.provide(fresh)),
      300_000
    )
  })
}
