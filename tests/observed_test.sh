#!/usr/bin/env bash
# The committed GPU recordings (vectors/observed/<device>-<driver>-<cuda>/*.txt, written by
# scripts/gpu.sh): `numconf verify` checks the model against what the GPU did, every file.
# Passes with a message saying so while none has been committed.
# Usage: observed_test.sh path/to/numconf path/to/vectors
set -u
numconf=$1 observed=$2/observed
mapfile -d '' files < <(find "$observed" -name '*.txt' -type f -print0 2>/dev/null | LC_ALL=C sort -z)
if ((${#files[@]} == 0)); then
  echo "no GPU recordings under $observed yet (scripts/gpu.sh writes them): nothing to check"
  exit 0
fi
echo "checking ${#files[@]} recordings under $observed against the model"
"$numconf" verify "${files[@]}"
