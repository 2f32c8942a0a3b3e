#!/usr/bin/env bash
# Ingest throughput on this machine, against the local stack's Kafka, in one run:
#   1. .fstrm (dnstap) file -> Kafka through ingest's parsers, anonymizer, batcher and producer
#   2. BIND query log      -> Kafka, same path
#   3. kcat -P producing the same number of pre-encoded QueryEvents (gzip, acks=all, idempotent)
# to a bench topic created here and deleted at the end (the live topics are never touched).
# Usage: bench/ingest/run.sh [events]   (default 200000). Needs kcat (apt-get install -y kcat).
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-200000}"
BROKER="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(".pdme/stack/stack.json","utf8")).kafka.bootstrap)')"
TOPIC="pdme-bench-ingest-$RANDOM$RANDOM"
DIR="$(mktemp -d /tmp/pdme-bench-ingest.XXXXXX)"
trap 'rm -rf "$DIR"; pnpm exec tsx bench/ingest/topic.ts delete "$TOPIC" >/dev/null 2>&1 || true' EXIT

echo "preparing $EVENTS events in $DIR ..."
pnpm exec tsx bench/ingest/run.ts prepare "$DIR" "$EVENTS"
pnpm exec tsx bench/ingest/topic.ts create "$TOPIC"

pnpm exec tsx bench/ingest/run.ts fstrm "$DIR" "$TOPIC" | tee "$DIR/fstrm.json"
pnpm exec tsx bench/ingest/run.ts bind "$DIR" "$TOPIC" | tee "$DIR/bind.json"

BEFORE="$(pnpm exec tsx bench/ingest/run.ts offsets "$DIR" "$TOPIC")"
/usr/bin/time -f '%e %U %S %M' -o "$DIR/kcat.time" \
  kcat -P -b "$BROKER" -t "$TOPIC" -K $'\t' -z gzip -X acks=all -X enable.idempotence=true \
  -X linger.ms=50 -X batch.num.messages=2000 -l "$DIR/kcat.txt"
AFTER="$(pnpm exec tsx bench/ingest/run.ts offsets "$DIR" "$TOPIC")"
read -r SECS USER SYS RSS < "$DIR/kcat.time"
node -e '
const [events, secs, user, sys, rss, landed] = process.argv.slice(1).map(Number);
console.log(JSON.stringify({ workload: "kcat -P (reference)", events, landed, seconds: secs,
  eventsPerSecond: Math.round(events / secs), cpuMicrosPerEvent: Math.round(((user + sys) * 1e6 / events) * 100) / 100,
  peakRssMiB: Math.round(rss / 1024 * 100) / 100 }));' "$EVENTS" "$SECS" "$USER" "$SYS" "$RSS" "$((AFTER - BEFORE))" | tee "$DIR/kcat.json"

echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
node -e '
const rows = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const kcat = rows.at(-1).eventsPerSecond;
console.log("workload".padEnd(28), "events/s".padStart(10), "µs CPU/event".padStart(13), "peak RSS MiB".padStart(13), "landed".padStart(9), "vs kcat".padStart(8));
for (const r of rows) console.log(r.workload.padEnd(28), String(r.eventsPerSecond).padStart(10), String(r.cpuMicrosPerEvent).padStart(13),
  String(r.peakRssMiB).padStart(13), String(r.landed).padStart(9), ((r.eventsPerSecond / kcat) * 100).toFixed(0).padStart(7) + "%");
' "$DIR/fstrm.json" "$DIR/bind.json" "$DIR/kcat.json"
