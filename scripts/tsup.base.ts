import { defineConfig } from "tsup"

/** One build for every package: each public module becomes an ESM entry with its declaration file. */
export default defineConfig({
  entry: ["src/*.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: "node20",
  tsconfig: "tsconfig.json"
})
