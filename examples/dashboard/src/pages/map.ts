/// <reference lib="dom" />
// The grids coloured by open problems at a month's end. The store holds no geometry for the grids
// (the demo sets none, and the API serves none yet), so this is a schematic map: a treemap of the
// units below the chosen one → their communities and villages → their grids, one equal tile per
// grid, each tile linking to that grid's health check.
import * as Api from "../api.js"
import { colorOfOpen, openClasses, type Rect, squarify, svg, tooltip } from "../charts.js"
import { count, h, href, table } from "../dom.js"
import type { Context } from "../main.js"

/** The levels of the district's tree the map draws (the profile's kinds). */
const middleKinds = ["community", "village"]
const gridKind = "grid"

interface Block {
  readonly node: { readonly name: string; readonly path: string }
  readonly grids: ReadonlyArray<Api.Tile>
}

/** Fetches a few at a time: the server has two cores and every call computes stats. */
const inTurn = async <A, B>(items: ReadonlyArray<A>, f: (item: A) => Promise<B>, width = 4): Promise<Array<B>> => {
  const out: Array<B> = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return out
}

/** The grids below a unit, grouped under the community or village they lie in. */
const blocksOf = (unit: { readonly name: string; readonly path: string }, tiles: ReadonlyArray<Api.Tile>) => {
  const middles = tiles.filter((t) => middleKinds.includes(t.kind))
  const blocks = new Map<string, { node: Block["node"]; grids: Array<Api.Tile> }>()
  for (const grid of tiles.filter((t) => t.kind === gridKind)) {
    const owner = middles.find((m) => grid.path.startsWith(m.path)) ?? unit
    const block = blocks.get(owner.path) ?? { node: owner, grids: [] }
    block.grids.push(grid)
    blocks.set(owner.path, block)
  }
  return [...blocks.values()]
}

const inset = (r: Rect, by: number, top = by): Rect => ({
  x: r.x + by,
  y: r.y + top,
  width: Math.max(0, r.width - 2 * by),
  height: Math.max(0, r.height - by - top)
})

export const render = async (params: URLSearchParams, context: Context): Promise<HTMLElement> => {
  const under = params.get("unit") ?? context.start
  const month = params.get("month") ?? context.months.at(-1) ?? "2023-06"
  const data = await Api.units(under, month)
  const unit = data.unit
  if (unit === null) return h("p", {}, "Choose a unit: the root of the tree has no map.")
  // A community, village or grid is drawn whole; anything above is one region per unit below it.
  const whole = middleKinds.includes(unit.kind) || unit.kind === gridKind || data.children.items.length === 0
  const areas = whole ? [unit] : data.children.items
  const regions = await inTurn(areas, async (area) => ({
    area,
    blocks: blocksOf(area, await Api.tiles(area.path, month, [...middleKinds, gridKind]))
  }))
  const drawn = regions.filter((r) => r.blocks.length > 0)
  const grids = drawn.flatMap((r) => r.blocks.flatMap((b) => b.grids))

  const width = 960
  const height = 600
  const map = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    class: "treemap",
    role: "img",
    "aria-label": `Grids of ${unit.name} coloured by open problems at the end of ${month}`
  })
  const regionRects = squarify(
    drawn.map((r) => r.blocks.reduce((a, b) => a + b.grids.length, 0)),
    { x: 0, y: 0, width, height }
  )
  drawn.forEach((region, ri) => {
    const rect = regionRects[ri]!
    const inner = inset(rect, 2, 16)
    const blockRects = squarify(
      region.blocks.map((b) => b.grids.length),
      inner
    )
    const open = region.blocks.reduce((a, b) => a + b.grids.reduce((s, g) => s + g.openAtEnd, 0), 0)
    region.blocks.forEach((block, bi) => {
      const blockRect = inset(blockRects[bi]!, 0.5)
      const gridRects = squarify(
        block.grids.map(() => 1),
        blockRect
      )
      block.grids.forEach((grid, gi) => {
        const r = gridRects[gi]!
        map.append(
          svg(
            "a",
            { href: href("health", { unit: grid.path, period: month }), "data-grid": grid.nodeId },
            svg("rect", {
              x: r.x,
              y: r.y,
              width: Math.max(0, r.width - 0.4),
              height: Math.max(0, r.height - 0.4),
              fill: colorOfOpen(grid.openAtEnd),
              "data-open": grid.openAtEnd
            }),
            tooltip(`${grid.name}, ${block.node.name}: ${grid.openAtEnd} open (${grid.compounds} compounds)`)
          )
        )
      })
      map.append(
        svg(
          "rect",
          { ...blockRect, fill: "none", class: "block-outline" },
          tooltip(`${block.node.name}: ${block.grids.length} grids`)
        )
      )
    })
    map.append(
      svg("rect", { ...rect, fill: "none", class: "region-outline" }),
      svg(
        "a",
        { href: href("map", { unit: region.area.path, month }), "data-region": region.area.path },
        svg(
          "text",
          { x: rect.x + 4, y: rect.y + 12, class: "region-label" },
          rect.width > 60 ? `${region.area.name} ${open}` : String(open)
        ),
        tooltip(`${region.area.name}: ${count(open)} open problems; open its map`)
      )
    )
  })

  const where = new Map(
    drawn.flatMap((r) =>
      r.blocks.flatMap((b) =>
        b.grids.map(
          (g) => [g.path, b.node.path === r.area.path ? r.area.name : `${b.node.name}, ${r.area.name}`] as const
        )
      )
    )
  )
  const withOpen = grids.filter((g) => g.openAtEnd > 0)
  const totalOpen = grids.reduce((a, g) => a + g.openAtEnd, 0)
  const worst = [...withOpen].sort((a, b) => b.openAtEnd - a.openAtEnd || (a.path < b.path ? -1 : 1)).slice(0, 10)
  const monthLinks = context.months.map((m) =>
    h("a", { href: href("map", { unit: under, month: m }), class: m === month ? "current" : "" }, m)
  )

  return h(
    "section",
    {},
    h("h1", { "data-testid": "page-title" }, `Grids by open problems: ${unit.name}, end of ${month}`),
    h(
      "p",
      { class: "lede", "data-testid": "schematic-note" },
      "Schematic map: the grids have no geometry in this store, so each grid is one equal tile, grouped by community or village inside each unit below. Click a unit's name for its own map, a grid for its health check."
    ),
    h("nav", { class: "periods" }, ...monthLinks),
    h(
      "p",
      { "data-testid": "map-summary" },
      `${count(grids.length)} grids, ${count(withOpen.length)} with open problems; ${count(totalOpen)} problems open at the end of ${month}.`
    ),
    h("figure", { "data-testid": "map" }, map),
    h(
      "div",
      { class: "legend-row" },
      ...openClasses.map((c) =>
        h("span", { class: "legend-item" }, h("span", { class: "swatch", style: `background:${c.color}` }), c.label)
      ),
      " open problems per grid"
    ),
    h("h2", {}, "Grids with the most open problems"),
    table(
      "map-worst",
      ["Grid", "Where", "Open", "Compounds"],
      worst.map((g) => [
        h("a", { href: href("health", { unit: g.path, period: month }) }, g.name),
        where.get(g.path) ?? "",
        count(g.openAtEnd),
        count(g.compounds)
      ])
    )
  )
}
