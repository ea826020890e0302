#!/usr/bin/env bash
# Every test suite of Quell, one after another, then one line of real totals: "N passed, N failed".
# Called by `./quell test` after the bootstrap; every runner writes a JSON report that
# scripts/test-summary.ts adds up (a suite that crashed before reporting counts as a failure).
set -uo pipefail
cd "$(dirname "$0")/.."
REPORTS=.quell/test-reports
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
status=0
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "typecheck"
{ pnpm exec turbo run typecheck --output-logs=errors-only && pnpm exec tsc -p tsconfig.json; } || { echo "typecheck failed" >"$REPORTS/typecheck.failed"; status=1; }

step "dependency rules"
pnpm exec tsx scripts/check-deps.ts >"$REPORTS/deps.txt" 2>&1 && cat "$REPORTS/deps.txt" || { cat "$REPORTS/deps.txt"; status=1; }

step "build the web app"
pnpm --filter @quell/web build >"$REPORTS/build.log" 2>&1 || { tail -40 "$REPORTS/build.log"; echo "web build failed" >"$REPORTS/build.failed"; status=1; }

for pkg in packages/contracts packages/das-client packages/test-kit apps/das-local apps/bff apps/web; do
  name=$(basename "$pkg")
  step "unit and integration tests: $pkg"
  (cd "$pkg" && pnpm exec vitest run --passWithNoTests --reporter=default --reporter=json --outputFile.json="../../$REPORTS/vitest-$name.json") || status=1
done

step "browser tests (Playwright, Debian Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/playwright.json" pnpm exec playwright test --reporter=list,json || status=1

step "summary"
pnpm exec tsx scripts/test-summary.ts "$REPORTS" || status=1
exit $status
