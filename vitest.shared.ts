import { defaultServerConditions } from "vite"
import type { ViteUserConfig } from "vitest/config"

/** Resolve workspace packages to their TypeScript sources, so tests need no build. */
export const sourceConditions: ViteUserConfig = {
  resolve: { conditions: ["sortgrid-source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["sortgrid-source", ...defaultServerConditions] } }
}
