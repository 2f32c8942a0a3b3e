#!/usr/bin/env bash
# Every test PDME has: static checks, unit tests, then integration tests against a real local stack
# (Kafka, Redis, BIND 9, nginx and the five services), which is stopped again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== proto drift";   pnpm check:proto
echo "== typecheck";     pnpm typecheck
echo "== lint";          pnpm lint
echo "== unit tests";    pnpm test:unit

stop_stack() { pnpm pdme stack down || true; }
trap stop_stack EXIT
echo "== local stack";   pnpm pdme stack up
echo "== integration";   pnpm test:integration
