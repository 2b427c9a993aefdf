#!/usr/bin/env bash
# npm test — everything CI runs: types, lint, unit, integration (real PostgreSQL), e2e (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
npx svelte-kit sync
npx paraglide-js compile --project ./project.inlang --outdir ./src/lib/paraglide >/dev/null
echo "== types (svelte-check)"; npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output human
echo "== lint"
npx prettier --check . >/dev/null
npx eslint .
echo "== controls (docs/security.md names tests that exist)"; npx tsx scripts/check-controls.ts
echo "== unit"; npx vitest run --project unit
echo "== integration"; npx vitest run --project integration
echo "== build"; npx vite build --logLevel warn
echo "== faults (reduced: kill -9 the app, restart either zone's PostgreSQL; fails if a submission is lost)"
npx tsx scripts/faults.ts --quick
echo "== faults (the app in two processes: kill -9 one; the other serves, the app replaces it)"
npx tsx scripts/faults.ts --only kill9-worker --quick
echo "== faults (the two zones: two portal nodes behind nginx, a back office pulling through it; kill -9 each portal node in turn)"
npx tsx scripts/faults.ts --only kill9-portal-node --quick
echo "== faults (the portal zone's PostgreSQL with a synchronous standby: kill -9 the primary, promote the standby, move the address)"
npx tsx scripts/faults.ts --only zone-failover --quick
echo "== faults (npm start killed with -9: its embedded PostgreSQL lives on; db:psql attaches, npm start starts again)"
npx tsx scripts/faults.ts --only kill9-embedded
echo "== fuzz (every form action and JSON endpoint: 4xx, never 5xx; uploads scanned by a real clamd)"; npx tsx tests/support/with-clamd.ts scripts/fuzz.ts --runs 10
echo "== e2e"; npx playwright test
