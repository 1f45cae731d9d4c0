import base from "../../scripts/tsup.base.js"

// The library modules, and the `sortgrid` executable under src/bin/.
export default { ...base, entry: ["src/*.ts", "src/bin/main.ts"] }
