#!/usr/bin/env bash
# Rewrites the committed level-1 suites (vectors/level1) and their manifest from a built
# numconf.  Usage: scripts/vectors.sh path/to/numconf
set -eu
numconf=$1
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$root/vectors/level1.new"
"$numconf" gen --suite "$root/vectors/level1.new"
rm -rf "$root/vectors/level1"
mv "$root/vectors/level1.new" "$root/vectors/level1"
(cd "$root/vectors/level1" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum) \
  >"$root/vectors/level1.sha256"
echo "$(wc -l <"$root/vectors/level1.sha256") files, $(du -s --apparent-size --block-size=1K "$root/vectors/level1" | cut -f1) KiB"
