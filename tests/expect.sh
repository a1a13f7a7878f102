# Shared by the shell tests (cli_test.sh, quant_cli_test.sh, vectors_test.sh): a scratch
# directory removed on exit, pass/fail counters, and the three kinds of check.  Source it, run
# checks, then call `summary` last: it prints the counts and fails the test if any check failed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() {  # check NAME CONDITION_COMMAND...
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}

expect() {  # expect NAME EXPECTED_OUTPUT COMMAND...
  local name=$1 expected=$2
  shift 2
  local actual
  actual=$("$@" 2>&1)
  if [[ "$actual" == "$expected" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n  command:  %s\n  expected: %q\n  actual:   %q\n' "$name" "$*" "$expected" "$actual"
  fi
}

expect_status() {  # expect_status NAME STATUS STDERR_PATTERN COMMAND...
  local name=$1 status=$2 pattern=$3
  shift 3
  local err
  err=$("$@" 2>&1 >/dev/null)
  local got=$?
  if [[ $got -eq $status && "$err" == *$pattern* && $(printf '%s\n' "$err" | wc -l) -eq 1 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: status %s (want %s), stderr %q (want one line with %q)\n' "$name" "$got" "$status" "$err" "$pattern"
  fi
}

summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
