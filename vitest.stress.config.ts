import { defineConfig, mergeConfig } from "vitest/config"
import { reporters, sourceConditions } from "./vitest.shared.js"

export default mergeConfig(
  sourceConditions,
  defineConfig({
    test: {
      reporters: reporters("stress"),
      include: ["packages/*/test/**/*.stress.test.ts", "examples/*/test/**/*.stress.test.ts"],
      testTimeout: 600_000,
      hookTimeout: 120_000,
      fileParallelism: false
    }
  })
)
