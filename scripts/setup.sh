#!/usr/bin/env bash
# Set-up on a fresh machine: pnpm and every dependency, from the npm registry. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$want" ]; then
  # corepack cannot download here; npm can.
  npm install --global "pnpm@$want" --no-fund --no-audit
fi

# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded: build it
# against the headers of the installed Node rather than fetching them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

pnpm install --frozen-lockfile
