#!/usr/bin/env bash
# The Hono adapter and the Web entry under Bun and Deno (the `bun` and `deno` npm packages ship their binaries), from
# the built package: .ci/run runs this after the package step, whose `npm pack` built dist/ (prepack).
set -euo pipefail
cd "$(dirname "$0")/.."
for file in dist/hono.js dist/web.js dist/testing.js; do
  [[ -f $file ]] || { echo "smoke-runtimes: $file is missing: build first (npm run build)" >&2; exit 1; }
done
npx --no-install bun scripts/smoke-hono.ts
# --no-lock: nothing is written into the checkout.
npx --no-install deno run -A --no-lock scripts/smoke-hono.ts
