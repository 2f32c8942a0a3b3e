#!/bin/sh
# Replays a workload (one query name a line) against BIND from this container's address, then waits
# until BIND's answer for the first name is a CNAME: PDME forecast the crowd, warmed a cache and
# moved the name. Usage: replay.sh WORKLOAD DNS_SERVER
set -eu
workload=$1
server=$2
first=$(head -n 1 "$workload")
sent=0
while IFS= read -r name; do
  [ -n "$name" ] || continue
  nslookup -type=A "$name" "$server" >/dev/null 2>&1 || true
  sent=$((sent + 1))
done <"$workload"
echo "demo: replayed $sent queries from $workload"
i=0
while [ "$i" -lt 90 ]; do
  answer=$(nslookup -type=A "$first" "$server" 2>/dev/null || true)
  if echo "$answer" | grep -q 'canonical name'; then
    echo "demo: after ${i}s BIND answers:"
    echo "$answer" | grep 'canonical name'
    exit 0
  fi
  i=$((i + 1))
  sleep 1
done
echo "demo: no CNAME for $first after 90 s; see docker compose logs forecaster decision dns-updater" >&2
exit 1
