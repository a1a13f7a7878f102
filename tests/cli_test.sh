#!/usr/bin/env bash
# End-to-end tests of the numconf CLI: outputs of worked examples from the specifications, and
# bad input mapped to one line on stderr and exit code 2.  Usage: cli_test.sh path/to/numconf
set -u
numconf=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

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

convert() { printf "$1" | "$numconf" convert "${@:2}"; }

# OCP OFP8 v1.0: e4m3fn max 448 = 0x7e; 464 rounds to 448 by ties-to-even; 480 overflows to NaN
# unsaturated and to 448 saturated; e5m2 max 57344 = 0x7b.
expect e4m3fn-max "7e  normal     448  0x1.cp+8" "$numconf" decode e4m3fn 7e
expect e4m3fn-464 "7e 01" "$numconf" encode e4m3fn 464 --flags
expect e4m3fn-480 "7f 05" "$numconf" encode e4m3fn 480 --flags
expect e4m3fn-480-sat "7e 05" "$numconf" encode e4m3fn 480 --sat finite --flags
expect e5m2-max "7b  normal     57344  0x1.cp+15" "$numconf" decode float8_e5m2 7b
# IEEE 754 binary16: 65504 is the largest, 65520 is the tie that rounds to infinity.
expect f16-65520 "7c00 05" "$numconf" encode f16 65520 --flags
expect f16-65520-rz "7bff 01" "$numconf" encode f16 65520 --round rz --flags
expect f16-65536-rz "7bff 05" "$numconf" encode f16 65536 --round rz --flags
expect f16-min-subnormal "0001" "$numconf" encode f16 0x1p-24
# f32 -> bf16 ties to even (0x3f808000 -> 0x3f80, 0x3f818000 -> 0x3f82), and to odd.
expect bf16-ties "$(printf '3f80 01\n3f82 01')" convert '3f808000\n0x3F818000\n' --from f32 --to bf16 --flags
expect bf16-odd "3f81" convert '3f808000\n' --from f32 --to bf16 --round ro
# OCP MX v1.0: e2m1fn holds 0, 0.5, 1, 1.5, 2, 3, 4, 6; e8m0fnu 0x7f is 1.0 and 0xff NaN.
expect e2m1fn-table "$(printf '0,0.5,1,1.5,2,3,4,6,-0,-0.5,-1,-1.5,-2,-3,-4,-6')" \
  bash -c "'$numconf' table e2m1fn --csv | tail -n +2 | cut -d, -f3 | paste -sd,"
expect e8m0 "$(printf '7f  normal     1  0x1p+0\nff  nan        nan  nan')" "$numconf" decode e8m0fnu 7f ff
# P3109 binary8p3se: NaN 0x80, +Inf 0x7f, 1.0 at 0x40.
expect p3109 "$(printf '40\n7f\n80')" "$numconf" encode binary8p3se 1 inf nan
# Integers: ties to even, saturation, wrap, integer indefinite for NaN.
expect int8 "$(printf 'fe 01\n7f 10\n2c 10\n80 10')" bash -c \
  "printf 'c0200000\n43960000\n' | '$numconf' convert --from f32 --to i8 --flags --sat finite | head -2;
   printf '43960000\n7fc00000\n' | '$numconf' convert --from f32 --to i8 --flags"
# P3109 StochasticA, N = 4: 1 + 2^-5 lies 0.25 of an e4m3fn ulp above 1, so it rounds up
# exactly when floor(0.25 * 16) + R >= 16, i.e. R >= 12.
expect sra "$(printf '38\n39')" convert '3c20 b\n3c20 c\n' --from f16 --to e4m3fn --round sra --rbits 4
expect custom "7e" "$numconf" encode float:e=4,m=3,bias=7,inf=none,nan=max 448

# Bad input: one line, exit 2, no partial output file.
expect_status unknown-format 2 "unknown format 'e9m9'" "$numconf" decode e9m9 00
expect_status unknown-mode 2 "unknown rounding mode 'up'" "$numconf" encode f16 1 --round up
expect_status malformed-hex 2 "malformed hex code '0xzz'" "$numconf" decode f16 0xzz
expect_status too-wide 2 "not a 8-bit code" "$numconf" decode e4m3fn 1ff
expect_status stream-line 2 "stdin line 3: malformed hex code" \
  bash -c "printf '3f800000\n40000000\nnope\n' | '$numconf' convert --from f32 --to f16"
expect_status stream-wide 2 "stdin line 1: code '100000000'" \
  bash -c "printf '100000000\n' | '$numconf' convert --from f32 --to f16"
expect_status bad-spec 2 "bad format spec" "$numconf" decode float:e=4,m=3 00
expect_status bad-rbits 2 "--rbits must be 0..32" "$numconf" encode f16 1 --rbits 40
printf '3f800000\nnope\n' | "$numconf" convert --from f32 --to f16 -o "$tmp/out.txt" 2>/dev/null
if [[ -e "$tmp/out.txt" || -e "$tmp/out.txt.tmp" ]]; then
  failed=$((failed + 1)); echo "FAIL partial output file left behind"
else
  passed=$((passed + 1))
fi
printf '3f800000\n' | "$numconf" convert --from f32 --to f16 -o "$tmp/out.txt"
expect output-file "3c00" cat "$tmp/out.txt"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
