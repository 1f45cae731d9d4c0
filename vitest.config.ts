import { defineConfig, mergeConfig } from "vitest/config"
import { reporters, sourceConditions } from "./vitest.shared.js"

export default mergeConfig(
  sourceConditions,
  defineConfig({
    test: {
      reporters: reporters("tests"),
      include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "bench/test/**/*.test.ts"],
      exclude: ["**/node_modules/**", "**/*.stress.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000
    }
  })
)
