// Observable Framework configuration for the analyst notebooks. Everything here keeps the build offline:
// no web fonts (`globalStylesheets: []`), no footer link, no search index, and TypeScript loaders run by
// this Node with tsx and the workspace's `sortgrid-source` condition, so they import the SDK's sources.
import { mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const tsx = pathToFileURL(require.resolve("tsx")).href

// Framework's client bundle lazily imports recommended libraries (React, D3, Arquero…) and, when it
// bundles, asks the npm registry which version each is unless the version cache names one. These pages
// import none of them: naming a version here (an empty cache folder) keeps the build from going online.
// Plot is pinned to the version installed for the loaders.
const lazyImports = [
  "@observablehq/plot@0.6.17",
  "@observablehq/sample-datasets@1.0.1",
  "apache-arrow@21.2.0",
  "arquero@8.0.3",
  "d3@7.9.2",
  "d3-dsv@3.0.2",
  "echarts@6.1.0",
  "htl@1.0.0",
  "leaflet@1.9.4",
  "lodash@4.18.1",
  "mapbox-gl@3.32.0",
  "parquet-wasm@0.8.0",
  "react@19.3.1",
  "react-dom@19.3.1",
  "topojson-client@3.1.0"
]
for (const name of lazyImports)
  mkdirSync(join(here, "src", ".observablehq", "cache", "_npm", name), { recursive: true })

export default {
  root: "src",
  output: process.env.SORTGRID_NOTEBOOKS_OUTPUT ?? "dist",
  title: "sortgrid analyst notebooks",
  pages: [
    { name: "Problem burn-down, urban and rural", path: "/burndown" },
    { name: "League tables and movers", path: "/league" },
    { name: "The points economy", path: "/points" },
    { name: "What if the weights were different?", path: "/what-if" }
  ],
  globalStylesheets: [],
  theme: ["air", "near-midnight"],
  footer: "Built from the sortgrid demo's store by the notebooks' data loaders.",
  search: false,
  // Links name the .html files, so the built pages also browse straight from disk (file://).
  preserveExtension: true,
  interpreters: { ".ts": [process.execPath, "--import", tsx, "--conditions=sortgrid-source"] }
}
