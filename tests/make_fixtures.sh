#!/usr/bin/env bash
# Writes every generated test fixture into $1 (default build/fixtures). Each generator is
# independent of the C++ code under test: numpy reference checkpoints/outputs and js-tiktoken ids.
# Generators skip work whose output is newer than their own source.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/fixtures}
mkdir -p "$out"
for gen in "$root"/tests/fixtures.d/*; do
  [ -x "$gen" ] || continue
  echo "fixtures: $(basename "$gen")"
  "$gen" "$out"
done
