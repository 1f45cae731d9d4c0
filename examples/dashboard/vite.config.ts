// Builds the dashboard into dist/ (or the outDir a caller passes): plain TypeScript and DOM, no
// framework, nothing loaded from the network. `sortgrid serve --dashboard dist` serves it beside the API.
import { fileURLToPath } from "node:url"
import { defineConfig } from "vite"

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", target: "es2022" }
})
