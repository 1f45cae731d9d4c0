// Charts drawn at build time: Observable Plot renders into a jsdom document, and the SVG goes into the
// page as it is, so the built HTML shows every chart with no script and no network.
import * as Plot from "@observablehq/plot"
import { JSDOM } from "jsdom"

/** Plot's options, with the document it draws into supplied here. */
export type ChartOptions = Omit<Plot.PlotOptions, "document">

/**
 * A chart as an HTML figure: `<figure class="sortgrid-chart" data-chart="id">`, the SVG (and its legend
 * when it has one), and a caption saying what it shows. The figure is one line, so Markdown keeps it as
 * one HTML block.
 */
export const figure = (id: string, caption: string, options: ChartOptions): string => {
  const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>")
  // jsdom's document stands in for the browser's: the cast is the one place the two types meet.
  const withDocument = { ...options, document: dom.window.document } as unknown as Plot.PlotOptions
  const chart = Plot.plot(withDocument) as unknown as { readonly outerHTML: string }
  const markup = chart.outerHTML.replace(/\s*\n\s*/g, " ")
  dom.window.close()
  return `<figure class="sortgrid-chart" data-chart="${id}">${markup}<figcaption>${caption}</figcaption></figure>`
}

/** Plot itself, for the marks. */
export { Plot }
