#!/usr/bin/env bash
# Installs what PDME needs on a fresh Debian/Ubuntu machine with Node 20+: BIND 9, dig/nsupdate,
# nginx, Redis, Java 17 and Maven (for the Kafka broker), pnpm, and the workspace's packages.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
need=()
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || need+=(bind9)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
# Headless browser for the status page test (services/gateway/test/statusPage.int.test.ts).
[ -x /usr/bin/chromium ] || need+=(chromium)
# Packet capture for the secure-profile test (test/e2e/secure.secure.test.ts): no plaintext on the wire.
command -v tshark >/dev/null 2>&1 || need+=(tshark)
# Ingest benchmarks: BIND under load (bench/ingest/dnsperf.ts) and the broker reference (bench/ingest/run.sh).
command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
command -v kcat >/dev/null 2>&1 || need+=(kcat)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need root to install ${need[*]} (apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  $sudo apt-get update -qq
  # tshark's package asks whether non-root users may capture; answer "no" so the install never prompts.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | $sudo debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts its own named and nginx on install; PDME runs its own instances on other ports.
  pkill -f '^/usr/sbin/named -u bind' 2>/dev/null || true
  pkill -f 'nginx: master process /usr/sbin/nginx -g daemon on' 2>/dev/null || true
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is needed (found $(node --version))" >&2
  exit 1
fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
pnpm install --frozen-lockfile
