/**
 * The assessment conformance suite, through the `Assessments` service over a store:
 *
 * - the worked example ({@link WorkedExample}) as a golden fixture: scheme stored, values entered,
 *   imported and derived (through a `DataValueProvider`), scored, and read back with the hand-computed
 *   totals, contributions, ranks, grades and fund split, and the hash the pure engine gives;
 * - metamorphic: the same values entered in shuffled orders and the units listed in shuffled orders,
 *   each into a fresh store, give one result hash;
 * - versioning: after approval, a new scheme version leaves the stored result unchanged; scoring the
 *   approved period again is refused; re-scoring under the new version adds a result version with its
 *   diff, and the approved version reads back byte for byte;
 * - approval bottom-up, locks on approved data, unapproval audited; appeals with corrected data;
 * - bad input listed in full; consequences and health checks over stored results.
 *
 * @since 0.1.0
 */
import { describe, expect, it } from "@effect/vitest"
import { type AssessmentStore, Evaluation, Scheme } from "@sortgrid/assessment"
import { Assessments } from "@sortgrid/assessment/Assessments"
import * as Example from "@sortgrid/assessment/WorkedExample"
import { Actor, AuditLog, DataValue, Period, type Permission } from "@sortgrid/core"
import { Grid } from "@sortgrid/grid"
import { Effect, Either, Layer, Schema, TestClock } from "effect"
import { admin, base, type Store } from "./Fixtures.js"

/**
 * The grants the suite runs under: a subdistrict administrator enters and approves within scope;
 * an official reads.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const grants: Permission.Grants = {
  "district-admin": ["*"],
  "subdistrict-admin": ["assessment.enter", "assessment.approve", "assessment.read"],
  "department-official": ["assessment.read"]
}

const subAAdmin = new Actor.Actor({
  id: Actor.ActorId.make("sub-a-admin"),
  roles: [Actor.Role.make("subdistrict-admin")],
  scope: [Actor.NodePath.make("/d1/sub-a/")]
})
const official = new Actor.Actor({
  id: Actor.ActorId.make("official"),
  roles: [Actor.Role.make("department-official")],
  scope: [Actor.root]
})

const decodeValues = Schema.decodeUnknownSync(Schema.Array(DataValue.DataValue))
const exampleValues = decodeValues(Example.values)
const derived = exampleValues.filter((value) => value.provenance.kind === "derived")
const entered = Example.values.filter((value) => value.provenance.kind !== "derived")

/** A provider answering the example's derived values (`issues.*`), as the problem register would. */
const provider = Layer.succeed(
  DataValue.DataValueProvider,
  DataValue.DataValueProvider.of({
    elements: [
      new DataValue.DataElement({
        id: DataValue.DataElementId.make("issues.openAtEnd"),
        name: "Problems open at period end",
        description: "Problems on the register at the end of the period",
        unit: "count"
      })
    ],
    values: (request) =>
      Effect.succeed(
        derived.filter(
          (value) =>
            request.elements.includes(value.element) &&
            request.nodes.includes(value.node) &&
            value.period === request.period
        )
      )
  })
)

/** The example's units as subdistricts of d1; c1 and c2 are communities of sub-a. */
const tree = [
  { id: "d1", kind: "district", name: "District", parentId: null, effectiveOn: "2023-01-01" },
  ...Example.units.map((id) => ({ id, kind: "subdistrict", name: id, parentId: "d1", effectiveOn: "2023-01-01" })),
  { id: "c1", kind: "community", name: "c1", parentId: "sub-a", effectiveOn: "2023-01-01" },
  { id: "c2", kind: "community", name: "c2", parentId: "sub-a", effectiveOn: "2023-01-01" }
]

const communityScheme = {
  ...Example.scheme,
  id: "community-2023",
  name: "Communities, 2023",
  group: "community"
}

const ok = <A, E>(either: Either.Either<A, E>): A => Either.getOrElse(either, (error) => expect.fail(String(error)))

/** The pure engine's result for the example (no previous period): what every store must reproduce. */
const reference = (): Evaluation.Result =>
  ok(
    Evaluation.evaluate({
      scheme: ok(Scheme.load(Example.scheme)),
      period: ok(Period.parse(Example.period)),
      units: Example.units,
      values: exampleValues
    })
  )

/** A fixed permutation of a list (`seed` picks it), so a failure names its case. */
const shuffled = <A>(list: ReadonlyArray<A>, seed: number): ReadonlyArray<A> => {
  const out = [...list]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648
    const j = state % (i + 1)
    const a = out[i]
    const b = out[j]
    if (a !== undefined && b !== undefined) {
      out[i] = b
      out[j] = a
    }
  }
  return out
}

/**
 * Registers the suite under `name`; the layer must build a new, empty store each time.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite = <E>(name: string, layer: Layer.Layer<Store | AssessmentStore.AssessmentStore, E>): void => {
  const fresh = Layer.mergeAll(Assessments.Default, Grid.Grid.Default).pipe(
    Layer.provideMerge(provider),
    Layer.provideMerge(base(layer, grants)),
    Layer.provideMerge(layer)
  )
  type Services = Assessments | Grid.Grid | AuditLog.AuditLog | AssessmentStore.AssessmentStore
  const test = (title: string, body: () => Effect.Effect<void, unknown, Services>) =>
    it.effect(title, () => Effect.provide(body(), fresh))

  /** The tree and the scheme, on 1 July 2023; the example's values entered in `order`. */
  const seeded = (order: number = 0) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2023, 6, 1, 2))
      const grid = yield* Grid.Grid
      yield* grid.open(admin, tree)
      const assessments = yield* Assessments
      yield* assessments.defineScheme(admin, Example.scheme)
      yield* assessments.enterValues(admin, order === 0 ? entered : shuffled(entered, order))
      return assessments
    })

  const auditActions = Effect.gen(function* () {
    const log = yield* AuditLog.AuditLog
    expect(yield* log.verify(admin)).toMatchObject({ _tag: "Intact" })
    const entries = yield* log.read(admin, { limit: 10_000 })
    return entries.flatMap((entry) => (entry.action.startsWith("assessment.") ? [entry.action] : []))
  })

  describe(`${name}: assessment conformance`, () => {
    test("reproduces the worked example exactly, and reads it back byte for byte", () =>
      Effect.gen(function* () {
        const assessments = yield* seeded()
        const scored = yield* assessments.evaluate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: Example.units
        })
        expect(scored.outcome).toBe("stored")
        const { result } = scored.result
        expect(
          result.units.map((unit) => ({
            unit: unit.unit,
            total: unit.total,
            rank: unit.rank,
            grade: unit.grade,
            contributions: unit.items.map((item) => item.contribution)
          }))
        ).toStrictEqual(Example.expected.map(({ change: _, fen: __, ...rest }) => rest))
        expect(result.hash).toBe(reference().hash)
        expect(Evaluation.canonical(result)).toBe(Evaluation.canonical(reference()))
        const [stored] = yield* assessments.results(official, { schemeId: Example.scheme.id, period: Example.period })
        expect(stored?.version).toBe(1)
        expect(stored?.hash).toBe(result.hash)
        // The hash is the digest of what was read back (explanations are a function of it).
        const { hash, ...body } = stored!.result
        expect(Evaluation.digest(JSON.parse(JSON.stringify(body)))).toBe(hash)
        // The derived value came through the provider, with the records behind it.
        const numerator = stored?.result.units[0]?.explanation.children[0]?.children[0]?.children[0]
        expect(numerator?.children[0]?.source).toMatchObject({ kind: "derived", source: "issues.stats" })
        const payout = yield* assessments.allocate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          ...Example.allocation
        })
        const byUnit = new Map(payout.split.parts.map((part) => [part.unit, part.fen]))
        expect(Example.expected.map((unit) => byUnit.get(unit.unit))).toStrictEqual(
          Example.expected.map((unit) => unit.fen)
        )
        expect(payout.resultVersion).toBe(1)
        // Scoring again with nothing changed stores nothing.
        const again = yield* assessments.evaluate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: Example.units
        })
        expect(again.outcome).toBe("unchanged")
        expect(yield* auditActions).toEqual([
          "assessment.schemeDefined",
          "assessment.valuesEntered",
          "assessment.evaluated"
        ])
      }))

    it.effect("metamorphic: shuffled values and units give one result hash in every fresh store", () =>
      Effect.gen(function* () {
        const hashes: Array<string> = []
        for (const seed of [0, 7, 4242]) {
          const hash = yield* Effect.provide(
            Effect.gen(function* () {
              const assessments = yield* seeded(seed)
              const scored = yield* assessments.evaluate(admin, {
                schemeId: Example.scheme.id,
                period: Example.period,
                units: shuffled(Example.units, seed + 1)
              })
              return scored.result.hash
            }),
            fresh
          )
          hashes.push(hash)
        }
        expect(new Set(hashes)).toEqual(new Set([reference().hash]))
      })
    )

    test("versioning: a new scheme version leaves an approved result alone; re-scoring adds a version with a diff", () =>
      Effect.gen(function* () {
        const assessments = yield* seeded()
        const first = yield* assessments.evaluate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: Example.units
        })
        yield* assessments.approve(admin, { schemeId: Example.scheme.id, period: Example.period, units: Example.units })
        // Version 2 moves 5 points of weight from outreach to problems per compound.
        const items = Example.scheme.items.map((item) =>
          item.indicator === "problemsPerCompound"
            ? { ...item, rule: { ...item.rule, weight: 45 } }
            : item.indicator === "outreach"
              ? { ...item, rule: { ...item.rule, weight: 20 } }
              : item
        )
        const v2 = yield* assessments.defineScheme(admin, { ...Example.scheme, version: 2, items })
        expect(v2.changes.map((change) => change.path.join("."))).toEqual([
          "items.problemsPerCompound.rule.weight",
          "items.outreach.rule.weight",
          "version"
        ])
        const [before] = yield* assessments.results(admin, { schemeId: Example.scheme.id, period: Example.period })
        expect(before?.hash).toBe(first.result.hash)
        const refused = yield* Effect.flip(
          assessments.evaluate(admin, { schemeId: Example.scheme.id, period: Example.period, units: Example.units })
        )
        expect(refused._tag).toBe("Conflict")
        const rescored = yield* assessments.rescore(admin, { schemeId: Example.scheme.id, period: Example.period })
        expect(rescored.result).toMatchObject({ version: 2, schemeVersion: 2, reason: "rescored" })
        // sub-d: 45 + 35 + 0 = 80 (was 75); sub-a: 36 + 35 + 20 = 91.
        const subD = rescored.result.diff?.units.find((unit) => unit.unit === "sub-d")
        expect(subD).toMatchObject({ totalBefore: 75, totalAfter: 80 })
        const versions = yield* assessments.results(admin, { schemeId: Example.scheme.id, period: Example.period })
        expect(versions.map((entry) => entry.version)).toEqual([1, 2])
        expect(Evaluation.canonical(versions[0]!.result)).toBe(Evaluation.canonical(first.result.result))
        // Units whose figures moved need approving again; the diff says which.
        const approvals = yield* assessments.approvals(admin, Example.period)
        expect(approvals.every((row) => row.resultVersion === 2 && row.state === "pending")).toBe(true)
        const redefined = yield* Effect.flip(
          assessments.defineScheme(admin, { ...Example.scheme, version: 2, gradeBelow: "poor" })
        )
        expect(redefined._tag).toBe("Conflict")
        expect((yield* assessments.defineScheme(admin, { ...Example.scheme, version: 2, items })).outcome).toBe(
          "replayed"
        )
      }))

    test("approval is bottom-up, locks the data, and unapproval is audited", () =>
      Effect.gen(function* () {
        const assessments = yield* seeded()
        yield* assessments.defineScheme(admin, communityScheme)
        const communityValues = ["c1", "c2"].flatMap((node) =>
          entered.filter((value) => value.node === "sub-a").map((value) => ({ ...value, node }))
        )
        yield* assessments.enterValues(subAAdmin, communityValues)
        yield* assessments.evaluate(admin, { schemeId: "community-2023", period: Example.period, units: ["c1", "c2"] })
        yield* assessments.evaluate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: Example.units
        })
        const early = yield* Effect.flip(
          assessments.approve(admin, { schemeId: Example.scheme.id, period: Example.period, units: ["sub-a"] })
        )
        expect(early).toMatchObject({ _tag: "Conflict" })
        expect(early.message).toContain("c1, c2")
        const outside = yield* Effect.flip(
          assessments.approve(subAAdmin, { schemeId: Example.scheme.id, period: Example.period, units: ["sub-b"] })
        )
        expect(outside._tag).toBe("Forbidden")
        yield* assessments.approve(subAAdmin, {
          schemeId: "community-2023",
          period: Example.period,
          units: ["c1", "c2"]
        })
        yield* assessments.approve(admin, { schemeId: Example.scheme.id, period: Example.period, units: ["sub-a"] })
        const locked = yield* Effect.flip(assessments.enterValues(admin, [{ ...entered[0]!, value: 11 }]))
        expect(locked._tag).toBe("Conflict")
        const lockedCommunity = yield* Effect.flip(
          assessments.enterValues(subAAdmin, [{ ...communityValues[0]!, value: 11 }])
        )
        expect(lockedCommunity._tag).toBe("Conflict")
        const topDown = yield* Effect.flip(
          assessments.unapprove(subAAdmin, { schemeId: "community-2023", period: Example.period, units: ["c1"] })
        )
        expect(topDown._tag).toBe("Conflict")
        const [unapproved] = yield* assessments.unapprove(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: ["sub-a"],
          reason: "figures queried by the district"
        })
        expect(unapproved?.state).toBe("pending")
        yield* assessments.enterValues(admin, [{ ...entered[0]!, value: 11 }])
        const actions = yield* auditActions
        expect(actions.filter((action) => action === "assessment.approved")).toHaveLength(3)
        expect(actions.at(-2)).toBe("assessment.unapproved")
      }))

    test("an appeal with corrected data makes a new version with its diff, once per id", () =>
      Effect.gen(function* () {
        const assessments = yield* seeded()
        yield* assessments.evaluate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: Example.units
        })
        yield* assessments.approve(admin, { schemeId: Example.scheme.id, period: Example.period, units: Example.units })
        const appeal = {
          id: "appeal-sub-b-1",
          schemeId: Example.scheme.id,
          period: Example.period,
          unit: "sub-b",
          reason: "two outreach events were not imported",
          corrections: [
            {
              element: "outreach.events",
              node: "sub-b",
              period: Example.period,
              value: 4,
              provenance: { kind: "imported", source: "appeal-evidence.xlsx" }
            }
          ]
        }
        const decided = yield* assessments.appeal(admin, appeal)
        expect(decided.result).toMatchObject({ version: 2, reason: "appeal", appealId: "appeal-sub-b-1" })
        const subB = decided.result.diff?.units.find((unit) => unit.unit === "sub-b")
        expect(subB).toMatchObject({ totalBefore: 53.5, totalAfter: 66 })
        expect(subB?.items).toEqual([
          { indicator: "outreach", valueBefore: 2, valueAfter: 4, contributionBefore: 12.5, contributionAfter: 25 }
        ])
        const rows = yield* assessments.approvals(admin, Example.period)
        expect(rows.find((row) => row.unit === "sub-b")?.state).toBe("pending")
        expect(rows.find((row) => row.unit === "sub-a")?.state).toBe("approved")
        expect((yield* assessments.appeal(admin, appeal)).outcome).toBe("replayed")
        const reused = yield* Effect.flip(assessments.appeal(admin, { ...appeal, reason: "something else" }))
        expect(reused._tag).toBe("Conflict")
        expect(
          (yield* assessments.appeals(admin, { schemeId: Example.scheme.id, period: Example.period })).map(
            (a) => a.toVersion
          )
        ).toEqual([2])
        expect(
          (yield* assessments.results(admin, { schemeId: Example.scheme.id, period: Example.period })).map(
            (r) => r.reason
          )
        ).toEqual(["evaluated", "appeal"])
      }))

    test("bad input is refused with every problem listed, and nothing is written", () =>
      Effect.gen(function* () {
        const assessments = yield* seeded()
        const malformed = yield* Effect.flip(
          assessments.defineScheme(admin, {
            ...Example.scheme,
            id: "broken",
            totalWeight: 90,
            indicators: [
              ...Example.scheme.indicators,
              { _tag: "Formula", id: "loop", name: "Loop", formula: "loop + unknown.element" }
            ]
          })
        )
        expect(malformed._tag).toBe("Invalid")
        expect(malformed.message).toContain("unknown element or indicator 'unknown.element'")
        expect(malformed.message).toContain("refers to itself")
        expect(malformed.message).toContain("the weights add up to 100, but the scheme declares 90")
        const values = yield* Effect.flip(
          assessments.enterValues(admin, [
            { element: "issues.openAtEnd", node: "sub-a", period: Example.period, value: 2.5 },
            { element: "nothing.here", node: "sub-a", period: Example.period, value: 1 },
            { element: "grid.compounds", node: "sub-a", period: "2023-W05", value: 3 },
            { element: "grid.compounds", node: "nowhere", period: Example.period, value: 3 }
          ])
        )
        expect(values._tag).toBe("Invalid")
        expect(values._tag === "Invalid" && values.issues.map((issue) => issue.path)).toEqual([
          [0, "value"],
          [1, "element"],
          [2, "period"]
        ])
        const nowhere = yield* Effect.flip(
          assessments.enterValues(admin, [
            { element: "grid.compounds", node: "nowhere", period: Example.period, value: 3 }
          ])
        )
        expect(nowhere._tag === "Invalid" && nowhere.issues[0].path).toEqual([0, "node"])
        const derivedInput = yield* Effect.flip(
          assessments.enterValues(admin, [{ ...Example.values[0], provenance: { kind: "derived", source: "x" } }])
        )
        expect(derivedInput._tag).toBe("Invalid")
        const forbidden = yield* Effect.flip(assessments.enterValues(subAAdmin, [{ ...entered[5]!, value: 1 }]))
        expect(forbidden._tag).toBe("Forbidden")
        expect(yield* auditActions).toEqual(["assessment.schemeDefined", "assessment.valuesEntered"])
      }))

    test("consequences and health checks read the stored result", () =>
      Effect.gen(function* () {
        const assessments = yield* seeded()
        yield* assessments.evaluate(admin, {
          schemeId: Example.scheme.id,
          period: Example.period,
          units: Example.units
        })
        const actions = yield* assessments.consequences(official, {
          schemeId: Example.scheme.id,
          period: Example.period,
          rules: [
            { _tag: "BottomN", n: 1, action: "supervision-team", description: "Send a supervision-and-help team" },
            { _tag: "BelowThreshold", threshold: 80, action: "rectification", description: "Rectification notice" }
          ]
        })
        expect(actions.map((action) => [action.action, action.unit])).toEqual([
          ["supervision-team", "sub-b"],
          ["rectification", "sub-b"],
          ["rectification", "sub-d"]
        ])
        const health = yield* assessments.healthCheck(official, {
          schemeId: Example.scheme.id,
          period: Example.period,
          unit: "sub-b"
        })
        expect(health.check).toMatchObject({ total: 53.5, rank: 4, of: 4, grade: "fail" })
        expect(health.check.weaknesses[0]).toBe("problemsPerCompound")
        expect(health.check.behind[0]).toEqual({
          indicator: "problemsPerCompound",
          entity: "Problem",
          ids: ["sub-b-p1", "sub-b-p2"],
          total: 30
        })
        expect(health.markdown).toContain("## sub-b, 2023-06")
        expect(health.markdown).toContain("Problem sub-b-p1, sub-b-p2 (30 in all)")
        const denied = yield* Effect.flip(
          assessments.evaluate(official, { schemeId: Example.scheme.id, period: Example.period, units: Example.units })
        )
        expect(denied._tag).toBe("Forbidden")
      }))
  })
}
