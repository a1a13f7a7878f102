#!/usr/bin/env bash
# The main job: set up, build, and run `numconf check` (exit 0 only if nothing mismatches).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/tools/numconf check "$@"
