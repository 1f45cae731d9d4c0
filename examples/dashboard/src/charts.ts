/// <reference lib="dom" />
// Small SVG charts drawn by hand: a line chart over days, a sparkline, and a squarified treemap.
// Everything is built as DOM nodes (no innerHTML), so names from the store are never markup.

const svgNs = "http://www.w3.org/2000/svg"

type Attributes = Readonly<Record<string, string | number>>

/** An SVG element with attributes and children. */
export const svg = <K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: ReadonlyArray<Node | string>
): SVGElementTagNameMap[K] => {
  const element = document.createElementNS(svgNs, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  element.append(...children)
  return element
}

/** An SVG `<title>`: the browser shows it as a tooltip. */
export const tooltip = (text: string) => svg("title", {}, text)

/** Round numbers for an axis from 0 to at least `max`. */
const ticks = (max: number, count = 5): ReadonlyArray<number> => {
  if (max <= 0) return [0]
  const raw = max / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw
  const out: Array<number> = []
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

export interface Series {
  readonly name: string
  readonly color: string
  readonly values: ReadonlyArray<number>
  readonly dashed?: boolean
}

const dayMillis = 86_400_000
const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** The ISO date `index` days after `firstDay`. */
export const dateAt = (firstDay: string, index: number) =>
  new Date(Date.parse(firstDay) + index * dayMillis).toISOString().slice(0, 10)

/**
 * Lines over the days from `firstDay`, one value a day, with month ticks, a y axis from 0, a legend
 * and a tooltip per point of the last day.
 */
export const lineChart = (options: {
  readonly firstDay: string
  readonly series: ReadonlyArray<Series>
  readonly title: string
  readonly format?: (value: number) => string
  readonly width?: number
  readonly height?: number
}): SVGSVGElement => {
  const { firstDay, series } = options
  const format = options.format ?? ((v: number) => v.toLocaleString("en-US"))
  const width = options.width ?? 720
  const height = options.height ?? 280
  const margin = { top: 16, right: 140, bottom: 28, left: 52 }
  const days = Math.max(1, ...series.map((s) => s.values.length))
  const yTicks = ticks(Math.max(0, ...series.flatMap((s) => s.values)))
  const yMax = yTicks.at(-1) ?? 1
  const x = (i: number) => margin.left + (days <= 1 ? 0 : (i / (days - 1)) * (width - margin.left - margin.right))
  const y = (v: number) =>
    height - margin.bottom - (yMax === 0 ? 0 : (v / yMax) * (height - margin.top - margin.bottom))
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    "aria-label": options.title,
    class: "chart"
  })
  chart.append(tooltip(options.title))
  for (const t of yTicks) {
    chart.append(
      svg("line", { x1: margin.left, x2: width - margin.right, y1: y(t), y2: y(t), class: "grid-line" }),
      svg("text", { x: margin.left - 6, y: y(t) + 4, "text-anchor": "end", class: "axis" }, format(t))
    )
  }
  for (let i = 0; i < days; i++) {
    const date = dateAt(firstDay, i)
    // Months on a long period; weeks on a short one.
    if (days > 40 ? !date.endsWith("-01") && i !== 0 : i % 7 !== 0) continue
    const month = monthNames[Number(date.slice(5, 7)) - 1] ?? date
    chart.append(
      svg("line", {
        x1: x(i),
        x2: x(i),
        y1: height - margin.bottom,
        y2: height - margin.bottom + 4,
        class: "axis-line"
      }),
      svg("text", { x: x(i) + 2, y: height - 8, class: "axis" }, days > 40 ? month : date.slice(5))
    )
  }
  chart.append(
    svg("line", {
      x1: margin.left,
      x2: width - margin.right,
      y1: height - margin.bottom,
      y2: height - margin.bottom,
      class: "axis-line"
    })
  )
  series.forEach((s, index) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")
    const last = s.values.at(-1) ?? 0
    chart.append(
      svg(
        "polyline",
        {
          points,
          fill: "none",
          stroke: s.color,
          "stroke-width": 2,
          ...(s.dashed === true ? { "stroke-dasharray": "5 3" } : {}),
          "data-series": s.name
        },
        tooltip(`${s.name}: ${format(last)} on ${dateAt(firstDay, s.values.length - 1)}`)
      ),
      svg("rect", { x: width - margin.right + 10, y: margin.top + index * 20, width: 12, height: 3, fill: s.color }),
      svg(
        "text",
        { x: width - margin.right + 28, y: margin.top + index * 20 + 5, class: "legend" },
        `${s.name} ${format(last)}`
      )
    )
  })
  return chart
}

/** A small line without axes, for tables of units. */
export const sparkline = (values: ReadonlyArray<number>, max: number, color = "#b4442c"): SVGSVGElement => {
  const width = 120
  const height = 28
  const n = Math.max(2, values.length)
  const points = values
    .map(
      (v, i) =>
        `${((i / (n - 1)) * width).toFixed(1)},${(height - 2 - (max === 0 ? 0 : (v / max) * (height - 4))).toFixed(1)}`
    )
    .join(" ")
  return svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, width, height, class: "sparkline" },
    svg("polyline", { points, fill: "none", stroke: color, "stroke-width": 1.5 })
  )
}

export interface Rect {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/**
 * Squarified treemap layout (Bruls, Huizing and van Wijk): lays `weights` out in `rect`, rows along
 * the shorter side, adding to a row while that keeps its worst aspect ratio from getting worse.
 * Returns one rectangle per weight, in the order given.
 */
export const squarify = (weights: ReadonlyArray<number>, rect: Rect): ReadonlyArray<Rect> => {
  const total = weights.reduce((a, b) => a + b, 0)
  const out: Array<Rect> = weights.map(() => ({ x: rect.x, y: rect.y, width: 0, height: 0 }))
  if (total <= 0 || rect.width <= 0 || rect.height <= 0) return out
  const scale = (rect.width * rect.height) / total
  const order = weights.map((w, i) => ({ i, area: w * scale })).filter((item) => item.area > 0)
  order.sort((a, b) => b.area - a.area)
  let free = { ...rect }
  const worst = (row: ReadonlyArray<{ readonly area: number }>, side: number) => {
    const sum = row.reduce((a, r) => a + r.area, 0)
    const max = Math.max(...row.map((r) => r.area))
    const min = Math.min(...row.map((r) => r.area))
    return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min))
  }
  let start = 0
  while (start < order.length) {
    const side = Math.min(free.width, free.height)
    let end = start + 1
    while (end < order.length && worst(order.slice(start, end + 1), side) <= worst(order.slice(start, end), side)) end++
    const row = order.slice(start, end)
    const sum = row.reduce((a, r) => a + r.area, 0)
    if (free.width >= free.height) {
      // A column on the left, as wide as the row's area needs.
      const columnWidth = sum / free.height
      let y = free.y
      for (const r of row) {
        const h = r.area / columnWidth
        out[r.i] = { x: free.x, y, width: columnWidth, height: h }
        y += h
      }
      free = { x: free.x + columnWidth, y: free.y, width: free.width - columnWidth, height: free.height }
    } else {
      const rowHeight = sum / free.width
      let x = free.x
      for (const r of row) {
        const w = r.area / rowHeight
        out[r.i] = { x, y: free.y, width: w, height: rowHeight }
        x += w
      }
      free = { x: free.x, y: free.y + rowHeight, width: free.width, height: free.height - rowHeight }
    }
    start = end
  }
  return out
}

/** The colour classes of open problems on a map tile, and their legend labels. */
export const openClasses: ReadonlyArray<{ readonly upTo: number; readonly color: string; readonly label: string }> = [
  { upTo: 0, color: "#e8efe6", label: "0" },
  { upTo: 2, color: "#fde8a8", label: "1–2" },
  { upTo: 5, color: "#f7b267", label: "3–5" },
  { upTo: 10, color: "#e4572e", label: "6–10" },
  { upTo: Number.POSITIVE_INFINITY, color: "#8c1c13", label: "more than 10" }
]

export const colorOfOpen = (open: number) =>
  (openClasses.find((c) => open <= c.upTo) ?? openClasses[openClasses.length - 1]!).color
