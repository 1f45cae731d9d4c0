import { describe, expect, it } from "@effect/vitest"
import * as Synthetic from "../src/Synthetic.js"

const communities = Array.from({ length: 656 }, (_, i) => ({
  id: `c${i}`,
  kind: (i < 186 ? "community" : "village") as "community" | "village",
  setting: (i < 186 ? "urban" : "rural") as "urban" | "rural"
}))

describe("Synthetic", () => {
  it("the district generator is calibrated and deterministic", () => {
    const nodes = Synthetic.district({ seed: 1, communities, effectiveOn: "2023-01-01" })
    const count = (kind: string) => nodes.filter((node) => node.kind === kind).length
    expect(count("grid")).toBe(Synthetic.figures.grids)
    expect(count("compound")).toBe(Synthetic.figures.compounds)
    expect(Synthetic.district({ seed: 1, communities, effectiveOn: "2023-01-01" })).toEqual(nodes)
    expect(Synthetic.district({ seed: 2, communities, effectiveOn: "2023-01-01" })).not.toEqual(nodes)
  })

  it("the workforce matches the domain's figures, one assignment per person", () => {
    const grids = Synthetic.district({ seed: 1, communities, effectiveOn: "2023-01-01" })
      .filter((node) => node.kind === "grid")
      .map((node) => node.id)
    const workers = Synthetic.workforce({
      seed: 1,
      grids,
      communities: communities.map((c) => c.id),
      effectiveOn: "2023-01-01"
    })
    const byRole = (role: string) => workers.filter((w) => w.assignment.role === role)
    expect(byRole("grid-worker").length).toBe(7_300)
    expect(byRole("volunteer").length).toBe(16_000)
    expect(byRole("welfare-post-worker").length).toBe(2_000)
    expect(new Set(workers.map((w) => w.person.id)).size).toBe(workers.length)
    const perGrid = new Map<string, number>()
    for (const w of byRole("grid-worker")) perGrid.set(w.assignment.nodeId, (perGrid.get(w.assignment.nodeId) ?? 0) + 1)
    expect(Math.min(...perGrid.values())).toBeGreaterThanOrEqual(2)
    expect(Math.max(...perGrid.values())).toBeLessThanOrEqual(3)
    const teams = new Set(byRole("volunteer").map((w) => w.assignment.nodeId)).size
    expect(teams / communities.length).toBeGreaterThan(0.6)
    expect(teams / communities.length).toBeLessThan(0.8)
  })
})
