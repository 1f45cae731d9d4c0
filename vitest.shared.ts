import { defaultServerConditions } from "vite"
import type { ViteUserConfig } from "vitest/config"

/** Resolve workspace packages to their TypeScript sources, so tests need no build. */
export const sourceConditions: ViteUserConfig = {
  resolve: { conditions: ["sortgrid-source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["sortgrid-source", ...defaultServerConditions] } }
}

/**
 * Under CI, also write a JSON report (read by scripts/test-summary.mjs for the closing line); so CI
 * runs exactly the README's commands, with no extra flags.
 */
export const reporters = (report: string): Array<string | [string, { outputFile: string }]> =>
  process.env.CI ? ["default", ["json", { outputFile: `.tmp/${report}.json` }]] : ["default"]
