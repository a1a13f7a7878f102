#!/usr/bin/env bash
# The committed level-1 suites (vectors/level1, manifest vectors/level1.sha256).
#   regen:  numconf gen --suite writes every file again, byte for byte, and no other file.
#   verify: every committed file matches its manifest hash and re-checks against the model.
#   oracle: every committed file re-checks against the exact oracle (reference/), which shares
#           no code with the model that wrote them.
# Usage: vectors_suite_test.sh regen|verify|oracle path/to/numconf path/to/vectors
set -u
mode=$1 numconf=$2 vectors=$3
manifest() { (cd "$1" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum); }
# verify_all [VERIFY OPTIONS]: numconf verify on every committed file; prints the files with
# mismatches (and the mismatches, 40 lines at most) and the files and cases checked.
verify_all() {
  local out=${TMPDIR:-/tmp}/vectors_verify.$$
  (cd "$vectors/level1" && find . -type f -name '*.txt' -print0 | LC_ALL=C sort -z |
    xargs -0 "$numconf" verify "$@") >"$out"
  local status=$?
  grep -v ' 0 mismatched$' "$out" | head -n 40
  awk '/ cases, / { files++; cases += $2 } END { print files " files, " cases " cases verified" }' "$out"
  rm -f "$out"
  return $status
}
case $mode in
  regen)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$numconf" gen --suite "$tmp/level1" || exit 1
    if ! manifest "$tmp/level1" | diff -u "$vectors/level1.sha256" - >"$tmp/diff"; then
      echo "FAIL: the regenerated suite differs from vectors/level1.sha256:"
      head -n 40 "$tmp/diff"
      exit 1
    fi
    diff -r "$tmp/level1" "$vectors/level1" >/dev/null || { echo "FAIL: files differ from vectors/level1"; exit 1; }
    echo "regenerated $(wc -l <"$vectors/level1.sha256") files, all identical" ;;
  verify)
    (cd "$vectors/level1" && sha256sum --quiet -c "../level1.sha256") || { echo "FAIL: manifest"; exit 1; }
    manifest "$vectors/level1" | diff -q "$vectors/level1.sha256" - >/dev/null ||
      { echo "FAIL: files not in the manifest"; exit 1; }
    verify_all ;;
  oracle)
    verify_all --backend oracle ;;
  *) echo "usage: $0 regen|verify|oracle numconf vectors"; exit 2 ;;
esac
