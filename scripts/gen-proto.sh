#!/usr/bin/env bash
# Generates TypeScript from proto/ with ts-proto (through buf, which ships protoc-compatible parsing).
# --check regenerates into a temporary folder and fails when the committed code has drifted.
set -euo pipefail
cd "$(dirname "$0")/.."
out=packages/common/src/proto/generated
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  sed "s#out: $out#out: $tmp/gen#" buf.gen.yaml >"$tmp/buf.gen.yaml"
  PATH="$PWD/node_modules/.bin:$PATH" buf generate --template "$tmp/buf.gen.yaml"
  if ! diff -r "$out" "$tmp/gen"; then
    echo "proto drift: generated code differs from proto/; run 'pnpm gen:proto' and commit" >&2
    exit 1
  fi
  echo "proto: generated code is up to date"
  exit 0
fi
rm -rf "$out"
PATH="$PWD/node_modules/.bin:$PATH" buf generate
echo "proto: generated into $out"
