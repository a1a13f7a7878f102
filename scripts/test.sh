#!/usr/bin/env bash
# Set up, build, and run the test suite through ctest.  The default tier leaves out the `slow`
# label; `scripts/test.sh -L slow` runs the long sweeps, `scripts/test.sh -L formats` one area.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if (($#)); then
  exec ctest --test-dir build --output-on-failure "$@"
fi
exec ctest --test-dir build --output-on-failure -LE slow -j "$(nproc)"
