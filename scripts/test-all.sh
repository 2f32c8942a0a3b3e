#!/usr/bin/env bash
# Every test PDME has: static checks, unit tests, then integration tests against a real local stack
# (Kafka, Redis, BIND 9, nginx and the five services), which is stopped again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
results=.pdme/test-results
rm -rf "$results" && mkdir -p "$results"
reporters() { echo "--reporter=default --reporter=json --outputFile.json=$results/$1.json"; }

echo "== proto drift";   pnpm check:proto
echo "== typecheck";     pnpm typecheck
echo "== lint";          pnpm lint
echo "== unit tests";    pnpm test:unit $(reporters unit)

stop_stack() { pnpm pdme stack down || true; }
trap stop_stack EXIT
echo "== local stack";   pnpm pdme stack up
echo "== integration";   pnpm test:integration $(reporters integration)
# Faults on the running stack (short form); each test leaves the stack healthy again.
echo "== chaos";         pnpm test:chaos $(reporters chaos) --passWithNoTests
# The secure profile runs its own stack (TLS everywhere) next to the plain one.
echo "== secure";        pnpm test:secure $(reporters secure) --passWithNoTests

# One plain closing line for whoever reads the log: counts over every vitest run above.
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(`${process.argv[1]}/${f}`, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
