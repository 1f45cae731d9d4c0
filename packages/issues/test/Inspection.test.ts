import { describe, expect, it } from "@effect/vitest"
import { Actor, Errors, Period } from "@sortgrid/core"
import { GroupId } from "@sortgrid/grid/Group"
import { NodeId } from "@sortgrid/grid/Node"
import { NodeKind } from "@sortgrid/grid/Profile"
import { Either, Option } from "effect"
import fc from "fast-check"
import { CategoryCode } from "../src/Category.js"
import * as Inspection from "../src/Inspection.js"
import * as Lifecycle from "../src/Lifecycle.js"
import * as Problem from "../src/Problem.js"

const hour = 60 * 60 * 1000
const day = 24 * hour
const t0 = Date.UTC(2023, 0, 10, 1) // 09:00 in Beijing
const inspector = Actor.ActorId.make("inspector")
const compound = NodeId.make("compound-1")
const binMissing = CategoryCode.make("bin-missing")
const binDamaged = CategoryCode.make("bin-damaged")
const signage = CategoryCode.make("signage-missing")
const dirty = CategoryCode.make("station-dirty")
const photo = (name: string) => Problem.EvidenceRef.make(`https://media.example/${name}.jpg`)

const campaign = Inspection.Campaign.make({
  id: Inspection.CampaignId.make("hardware-to-zero"),
  name: "硬件清零",
  nameEn: "hardware to zero",
  from: Period.IsoDate.make("2023-01-01"),
  to: Period.IsoDate.make("2023-06-30"),
  utcOffsetMinutes: 480,
  categories: [binMissing, binDamaged, signage, dirty]
})

const item = (code: string, categoryCode: CategoryCode, evidence: Inspection.EvidenceRule = "on-fail") =>
  Inspection.ChecklistItem.make({
    code: Inspection.ItemCode.make(code),
    text: `check ${code}`,
    textEn: null,
    categoryCode,
    evidence
  })

const template = Inspection.ChecklistTemplate.make({
  id: Inspection.TemplateId.make("compound-hardware"),
  name: "小区硬件检查",
  siteKind: NodeKind.make("compound"),
  items: [
    item("kitchen-bin", binMissing),
    item("other-bin", binMissing),
    item("bins-intact", binDamaged),
    item("signage", signage, "optional"),
    item("clean", dirty, "always")
  ]
})

const answer = (
  code: string,
  result: Inspection.Result,
  evidence: ReadonlyArray<string> = result === "fail" ? [code] : []
) =>
  Inspection.ItemResult.make({
    itemCode: Inspection.ItemCode.make(code),
    result,
    note: null,
    evidence: evidence.map(photo)
  })

const visit = (items: ReadonlyArray<Inspection.ItemResult>, id = "visit-1", at = t0) =>
  Inspection.Visit.make({
    id: Problem.VisitId.make(id),
    campaignId: campaign.id,
    templateId: template.id,
    nodeId: compound,
    inspector,
    at,
    items
  })

const allPass = [
  answer("kitchen-bin", "pass"),
  answer("other-bin", "pass"),
  answer("bins-intact", "pass"),
  answer("signage", "pass"),
  answer("clean", "pass", ["clean"])
]

const paths = (error: Errors.Invalid) => error.issues.map((issue) => issue.path.join("."))
const invalid = <A>(result: Either.Either<A, Errors.Invalid>): Errors.Invalid =>
  Either.match(result, { onLeft: (error) => error, onRight: () => expect.fail("accepted") })
const ok = <A>(result: Either.Either<A, Errors.Invalid>): A =>
  Either.match(result, { onLeft: (error) => expect.fail(`refused: ${error.message}`), onRight: (value) => value })

const openProblem = (id: string, categoryCode: CategoryCode, nodeId = compound) =>
  ok(
    Either.mapLeft(
      Lifecycle.register(
        Option.none(),
        Lifecycle.Register.make({
          id: Problem.ProblemId.make(id),
          categoryCode,
          nodeId,
          source: Problem.ManualReport.make({ reference: null }),
          deadlineAt: t0 + day
        }),
        inspector,
        t0 - hour
      ),
      (refusal) => Errors.Invalid.one([], refusal.message)
    )
  ).problem

const closeProblem = (problem: Problem.Problem) =>
  ok(
    Either.mapLeft(
      Lifecycle.transition(
        problem,
        Lifecycle.CloseOther.make({ problemId: problem.id, expectedVersion: problem.version, reason: "withdrawn" }),
        inspector,
        t0
      ),
      (refusal) => Errors.Invalid.one([], refusal.message)
    )
  ).problem

describe("Inspection", () => {
  describe("validation", () => {
    it("accepts a visit answering every item once", () => {
      const recorded = visit(allPass)
      expect(ok(Inspection.validateVisit(recorded, { campaign, template, nodeKind: template.siteKind }))).toBe(recorded)
    })

    it("refuses unknown, repeated and missing items, and missing evidence, naming each answer", () => {
      const error = invalid(
        Inspection.checkAnswers(
          visit([
            answer("kitchen-bin", "pass"),
            answer("bins-intact", "fail", []),
            answer("kitchen-bin", "fail"),
            answer("ladder", "pass"),
            answer("signage", "fail", []),
            answer("clean", "pass", [])
          ]),
          template
        )
      )
      expect(paths(error)).toEqual([
        "visit.items.1.evidence",
        "visit.items.2.itemCode",
        "visit.items.3.itemCode",
        "visit.items.5.evidence",
        "visit.items"
      ])
      expect(error.message).toContain("visit.items[1].evidence: item bins-intact requires evidence when it fails")
      expect(error.message).toContain("visit.items[2].itemCode: answers kitchen-bin again (first at items[0])")
      expect(error.message).toContain("visit.items[3].itemCode: ladder is not an item of template compound-hardware")
      expect(error.message).toContain("visit.items[5].evidence: item clean requires evidence always")
      expect(error.message).toContain("visit.items: no answer for item other-bin")
    })

    it("refuses a visit outside its campaign, template or node kind", () => {
      const late = Inspection.Visit.make({
        ...visit(allPass, "visit-late", Date.UTC(2023, 5, 30, 16)), // 00:00 on 1 July in Beijing
        campaignId: Inspection.CampaignId.make("morning-duty"),
        templateId: Inspection.TemplateId.make("school")
      })
      const narrow = Inspection.Campaign.make({ ...campaign, categories: [binMissing, binDamaged, dirty] })
      const error = invalid(
        Inspection.validateVisit(late, { campaign: narrow, template, nodeKind: NodeKind.make("bin-station") })
      )
      expect(paths(error)).toEqual([
        "visit.campaignId",
        "visit.templateId",
        "visit.templateId",
        "visit.nodeId",
        "visit.at"
      ])
      expect(error.message).toContain("checks outside campaign hardware-to-zero: signage (signage-missing)")
      expect(error.message).toContain("falls on 2023-07-01, outside campaign hardware-to-zero")
      expect(
        Either.isRight(
          Inspection.validateVisit(visit(allPass, "v", Date.UTC(2023, 5, 30, 15, 59)), {
            campaign,
            template,
            nodeKind: template.siteKind
          })
        )
      ).toBe(true)
    })

    it("decodes a visit with field paths", () => {
      const error = invalid(
        Inspection.decodeVisit({
          id: "v1",
          campaignId: "c",
          templateId: "t",
          nodeId: "n",
          inspector: "i",
          at: 1,
          items: [{ itemCode: "a", result: "broken" }],
          extra: true
        })
      )
      expect(paths(error)).toContain("visit.items.0.result")
      expect(paths(error)).toContain("visit.extra")
    })

    it("refuses templates with repeated item codes", () => {
      expect(() =>
        Inspection.ChecklistTemplate.make({ ...template, items: [item("a", binMissing), item("a", dirty)] })
      ).toThrow(/repeats a/)
    })
  })

  describe("problemsFromVisit", () => {
    const failing = visit([
      answer("clean", "fail", ["dirty-1", "dirty-2"]),
      answer("signage", "fail", []),
      answer("bins-intact", "pass"),
      answer("other-bin", "fail", ["other"]),
      answer("kitchen-bin", "fail", ["kitchen"])
    ])

    it("registers one problem per failing category, in template order, with derived ids and no deadline", () => {
      const derived = ok(Inspection.problemsFromVisit(failing, template, []))
      expect(derived.register.map((finding) => [finding.id, finding.categoryCode, finding.nodeId])).toEqual([
        ["visit-1:kitchen-bin", binMissing, compound],
        ["visit-1:signage", signage, compound],
        ["visit-1:clean", dirty, compound]
      ])
      // The register computes the deadline from the category's SLA when it registers a finding.
      expect(derived.register.every((finding) => !("deadlineAt" in finding))).toBe(true)
      expect(derived.register[0]!.evidence).toEqual([photo("kitchen"), photo("other")])
      expect(derived.register[0]!.note).toBe("check kitchen-bin")
      expect(derived.register[0]!.source).toEqual(
        Problem.FromInspection.make({ visitId: failing.id, itemCode: "kitchen-bin" })
      )
      expect(derived.covered).toEqual([
        { itemCode: "other-bin", categoryCode: binMissing, problemId: "visit-1:kitchen-bin", by: "same-visit" }
      ])
    })

    it("skips categories with an open problem at the same node, not closed ones or other nodes'", () => {
      const open = openProblem("p-open", dirty)
      const elsewhere = openProblem("p-elsewhere", binMissing, NodeId.make("compound-2"))
      const closed = closeProblem(openProblem("p-closed", signage))
      const derived = ok(Inspection.problemsFromVisit(failing, template, [open, elsewhere, closed]))
      expect(derived.register.map((command) => command.categoryCode)).toEqual([binMissing, signage])
      expect(derived.covered).toContainEqual({
        itemCode: "clean",
        categoryCode: dirty,
        problemId: "p-open",
        by: "open-problem"
      })
    })

    it("is idempotent: recording the visit again replays the same registrations", () => {
      const first = ok(Inspection.problemsFromVisit(failing, template, []))
      const again = ok(Inspection.problemsFromVisit(visit([...failing.items].reverse()), template, []))
      expect(again).toEqual(first)
      for (const finding of first.register) {
        const command = { ...finding, deadlineAt: t0 + 3 * day, attributes: {} }
        const stored = ok(
          Either.mapLeft(Lifecycle.register(Option.none(), command, inspector, t0), (e) =>
            Errors.Invalid.one([], e.message)
          )
        ).problem
        const replay = Lifecycle.register(Option.some(stored), command, inspector, t0 + hour)
        expect(Either.map(replay, (registered) => Option.isNone(registered.event))).toEqual(Either.right(true))
      }
    })

    it("refuses an invalid visit", () => {
      expect(paths(invalid(Inspection.problemsFromVisit(visit(allPass.slice(1)), template, [])))).toEqual([
        "visit.items"
      ])
    })

    it("hashes ids that would be too long, keeping them distinct", () => {
      const longVisit = Problem.VisitId.make("v".repeat(120))
      const a = Inspection.problemIdFor(longVisit, Inspection.ItemCode.make("kitchen-bin"))
      const b = Inspection.problemIdFor(longVisit, Inspection.ItemCode.make("other-bin"))
      expect(a).toMatch(/^visit\.[0-9a-f]{64}$/)
      expect(a).not.toBe(b)
      expect(Inspection.problemIdFor(longVisit, Inspection.ItemCode.make("kitchen-bin"))).toBe(a)
    })

    it("property: registers exactly the failing categories without an open problem, with stable ids", () => {
      const categories = [binMissing, binDamaged, signage, dirty]
      const nodes = [compound, NodeId.make("compound-2")]
      const arbitrary = fc.record({
        items: fc.uniqueArray(fc.record({ code: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), category: fc.nat(3) }), {
          minLength: 1,
          maxLength: 8,
          selector: (entry) => entry.code
        }),
        results: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        open: fc.array(fc.record({ category: fc.nat(3), node: fc.nat(1), closed: fc.boolean() }), { maxLength: 6 }),
        visitId: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        seed: fc.nat()
      })
      fc.assert(
        fc.property(arbitrary, ({ items, open, results, seed, visitId }) => {
          const [first, ...rest] = items.map((entry) => item(entry.code, categories[entry.category]!, "optional"))
          const checklist = Inspection.ChecklistTemplate.make({
            ...template,
            items: [first!, ...rest]
          })
          const answers = checklist.items.map((entry, index) => answer(entry.code, results[index] ? "pass" : "fail"))
          const shuffled = [...answers].sort(
            (a, b) => ((a.itemCode.length * 31 + seed) % 7) - ((b.itemCode.length * 31 + seed) % 7)
          )
          const problems = open.map((entry, index) => {
            const problem = openProblem(`p${index}`, categories[entry.category]!, nodes[entry.node]!)
            return entry.closed ? closeProblem(problem) : problem
          })
          const recorded = (order: ReadonlyArray<Inspection.ItemResult>) =>
            ok(Inspection.problemsFromVisit(visit(order, visitId), checklist, problems))
          const derived = recorded(answers)

          const blocked = new Set(
            open.filter((entry) => !entry.closed && entry.node === 0).map((entry) => categories[entry.category])
          )
          const failingItems = checklist.items.filter((_, index) => !results[index])
          const expected = new Map<string, string>()
          for (const failed of failingItems) {
            if (!blocked.has(failed.categoryCode) && !expected.has(failed.categoryCode)) {
              expected.set(failed.categoryCode, `${visitId}:${failed.code}`)
            }
          }
          expect(derived.register.map((command) => [command.categoryCode, command.id])).toEqual([...expected])
          expect(derived.register.length + derived.covered.length).toBe(failingItems.length)
          expect(recorded(shuffled)).toEqual(derived)
        })
      )
    })
  })

  describe("re-inspection", () => {
    const propertyManaged = GroupId.make("property-managed")
    const frequency = Inspection.ReinspectionFrequency.make({
      defaultDays: 7,
      byGroup: [
        { groupId: propertyManaged, days: 3 },
        { groupId: GroupId.make("old-town"), days: 5 }
      ]
    })
    const problem = openProblem("p1", binMissing)

    it("uses the most frequent listed group, or the default", () => {
      expect(Inspection.reinspectionDays(frequency, [])).toBe(7)
      expect(Inspection.reinspectionDays(frequency, [GroupId.make("rural")])).toBe(7)
      expect(Inspection.reinspectionDays(frequency, [GroupId.make("old-town"), propertyManaged])).toBe(3)
    })

    it("is due exactly the frequency's days after the last visit, or registration", () => {
      const lastVisit = problem.registeredAt + day
      expect(
        Inspection.reinspectionDue(problem, lastVisit, lastVisit + 3 * day - 1, frequency, [propertyManaged])
      ).toBe(false)
      expect(Inspection.reinspectionDue(problem, lastVisit, lastVisit + 3 * day, frequency, [propertyManaged])).toBe(
        true
      )
      expect(Inspection.reinspectionDue(problem, lastVisit, lastVisit + 3 * day, frequency, [])).toBe(false)
      expect(Inspection.nextReinspectionAt(problem, null, frequency, [])).toEqual(
        Option.some(problem.registeredAt + 7 * day)
      )
    })

    it("is never due for a closed problem", () => {
      const closed = closeProblem(problem)
      expect(Inspection.reinspectionDue(closed, null, problem.registeredAt + 100 * day, frequency, [])).toBe(false)
    })
  })
})
