#!/usr/bin/env bash
# Fails when proto/ breaks what a running peer relies on (buf breaking, rules in buf.yaml), compared
# with: the last commit, when proto/ has uncommitted changes; else the branch point with main, on
# a branch; else the commit before (a commit on main). Services roll one by one, so a deployed
# gateway still speaks the last release's protocol to a new service: a field, method or service
# goes through deprecation before it goes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --verify -q HEAD >/dev/null; then
  echo "buf breaking: not a git checkout, nothing to compare with"
  exit 0
fi
if ! git diff --quiet HEAD -- proto buf.yaml; then
  base=HEAD
elif [ "$(git rev-parse --abbrev-ref HEAD)" != main ] && git rev-parse --verify -q main >/dev/null; then
  base=$(git merge-base HEAD main)
elif git rev-parse --verify -q HEAD~1 >/dev/null; then
  base=HEAD~1
else
  echo "buf breaking: no earlier commit to compare with"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$base" proto buf.yaml | tar -x -C "$tmp"
npx buf breaking --against "$tmp"
echo "proto/ keeps the protocol of $(git rev-parse --short "$base")"
