#!/usr/bin/env bash
# The committed level-1 suites (vectors/level1, manifest vectors/level1.sha256).
#   regen:  numconf gen --suite writes every file again, byte for byte, and no other file.
#   verify: every committed file matches its manifest hash and re-checks against the model.
# Usage: vectors_suite_test.sh regen|verify path/to/numconf path/to/vectors
set -u
mode=$1 numconf=$2 vectors=$3
manifest() { (cd "$1" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum); }
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
    (cd "$vectors/level1" && find . -type f -name '*.txt' -print0 | LC_ALL=C sort -z |
      xargs -0 "$numconf" verify) >"${TMPDIR:-/tmp}/vectors_verify.$$" 
    status=$?
    grep -v ' 0 mismatched$' "${TMPDIR:-/tmp}/vectors_verify.$$" | head -n 40
    echo "$(grep -c ' cases, ' "${TMPDIR:-/tmp}/vectors_verify.$$") files verified"
    rm -f "${TMPDIR:-/tmp}/vectors_verify.$$"
    exit $status ;;
  *) echo "usage: $0 regen|verify numconf vectors"; exit 2 ;;
esac
