#!/usr/bin/env bash
# Generates TypeScript from proto/ into libs/contracts/src/generated (never edit the output by hand).
# With --check, lints proto/ (buf lint), checks it against the last release's protocol (buf
# breaking, tools/proto-breaking.sh), generates into a temporary folder and fails if the committed
# output differs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=libs/contracts/src/generated
if [ "${1:-}" = "--check" ]; then
  npx buf lint
  bash tools/proto-breaking.sh
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  npx buf generate --template buf.gen.yaml -o "$tmp" >/dev/null
  if ! diff -r "$tmp/$out" "$out" >/dev/null; then
    echo "generated gRPC code is out of date: run npm run generate:proto" >&2
    diff -r "$tmp/$out" "$out" | head -20 >&2
    exit 1
  fi
  echo "generated gRPC code is up to date"
  exit 0
fi
rm -rf "$out"
npx buf lint
npx buf generate --template buf.gen.yaml
echo "generated $(find "$out" -name '*.ts' | wc -l) files in $out"
