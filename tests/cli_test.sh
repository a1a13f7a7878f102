#!/usr/bin/env bash
# End-to-end tests of the numconf CLI: outputs of worked examples from the specifications, and
# bad input mapped to one line on stderr and exit code 2.  Usage: cli_test.sh path/to/numconf
set -u
numconf=$1
source "$(dirname "$0")/expect.sh"

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

# ---- Arithmetic: numconf op and numconf verify-testfloat ------------------------------------
expect_exit() {  # expect_exit NAME STATUS COMMAND...: the exit status alone
  local name=$1 status=$2
  shift 2
  "$@" >/dev/null 2>&1
  local got=$?
  if [[ $got -eq $status ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: status %s (want %s)\n  command: %s\n' "$name" "$got" "$status" "$*"
  fi
}
op() { printf "$1" | "$numconf" op "${@:2}"; }

# IEEE 754 binary32: 1 + 2^-24 is the tie between 1 and 1 + 2^-23 (even: 1); 1 / 0 = +Inf with
# divide-by-zero; 0 * Inf and sqrt(-1) are invalid (default NaN); sqrt(2) = 0x3fb504f3.
expect op-add-tie "$(printf '3f800000 01\n40400000 00')" op '3f800000 33800000\n3F800000 0x40000000\n' add --format f32 --flags
expect op-div-zero "7f800000 08" op '3f800000 00000000\n' div --format f32 --flags
expect op-invalid "$(printf '7fc00000 10\n7fc00000 10')" bash -c \
  "printf '00000000 7f800000\n' | '$numconf' op mul --format f32 --flags;
   printf 'bf800000\n' | '$numconf' op sqrt --format f32 --flags"
expect op-sqrt2 "3fb504f3 01" op '40000000\n' sqrt --format f32 --flags
# f16: 65504 + 16 = 65520 rounds to 2^16 and overflows to Inf; OCP e4m3fn: 448 + 32 = 480 is NaN.
expect op-f16-overflow "7c00 05" op '7bff 4c00\n' add --format f16 --flags
expect op-e4m3fn-overflow "$(printf '7f 05\n7e 05')" bash -c \
  "printf '7e 60\n' | '$numconf' op add --format e4m3fn --flags;
   printf '7e 60\n' | '$numconf' op add --format e4m3fn --flags --sat finite"
# x - x is +0, -0 when rounding toward negative; minimum(+0, -0) = -0, maximumNumber ignores NaN.
expect op-zero-sign "$(printf '00000000\n80000000')" bash -c \
  "printf '40400000 40400000\n' | '$numconf' op sub --format f32;
   printf '40400000 40400000\n' | '$numconf' op sub --format f32 --round rm"
expect op-min "80000000" op '00000000 80000000\n' min --format f32
expect op-maxnum "3f800000" op '7fc00000 3f800000\n' maxnum --format f32
# f64 fma, one rounding: (1 + 2^-52)^2 - 1 = 2^-51 + 2^-104, a tie (even: 2^-51).
expect op-fma "3cc0000000000000 01" op '3ff0000000000001 3ff0000000000001 bff0000000000000\n' fma --format f64 --flags
# StochasticA, N = 8: 1 + 2^-60 is 2^-8 ulp above 1, so it rounds up only for R = 255.
expect op-sra "$(printf '3ff0000000000001\n3ff0000000000000')" op \
  '3ff0000000000000 3c30000000000000 ff\n3ff0000000000000 3c30000000000000 fe\n' add --format f64 --round sra --rbits 8
expect_status op-short-line 2 "stdin line 2: expected an operand" \
  bash -c "printf '3f800000 3f800000\n3f800000\n' | '$numconf' op add --format f32"
expect_status op-extra-field 2 "stdin line 1: unexpected text after the operands" \
  bash -c "printf '3f800000 3f800000 3f800000\n' | '$numconf' op add --format f32"
expect_status op-int-format 2 "integer format" bash -c "'$numconf' op add --format i8 </dev/null"
expect_status op-unknown 2 "unknown operation 'pow'" bash -c "'$numconf' op pow --format f32 </dev/null"

# A testfloat_gen f32_add file written by hand (operands, result, flags): 1 + 1; the tie
# 1 + 2^-24; max + max overflows; Inf - Inf is invalid (SoftFloat's x86 default NaN ffc00000);
# -0 + +0 = +0; 1 - 1 = +0; the last line is deliberately wrong (1 + 1 is not 0x40000001).
printf '%s\n' '3F800000 3F800000 40000000 00' '3F800000 33800000 3F800000 01' \
  '7F7FFFFF 7F7FFFFF 7F800000 05' '7F800000 FF800000 FFC00000 10' '80000000 00000000 00000000 00' \
  '3F800000 BF800000 00000000 00' '3F800000 3F800000 40000001 00' >"$tmp/f32_add.tf"
expect tf-report "$(printf '%s line 7: add 3f800000 (1) 3f800000 (1) -> expected 40000001 (2.0000002384185791015625) flags 00, got 40000000 (2) flags 00\n%s: 7 cases, 1 mismatched' "$tmp/f32_add.tf" "$tmp/f32_add.tf")" \
  "$numconf" verify-testfloat "$tmp/f32_add.tf" --op add --format f32 --round rn
expect_exit tf-mismatch-exit 1 "$numconf" verify-testfloat "$tmp/f32_add.tf" --op add --format f32 --round rn
head -6 "$tmp/f32_add.tf" >"$tmp/f32_add_ok.tf"
expect_exit tf-clean-exit 0 "$numconf" verify-testfloat "$tmp/f32_add_ok.tf" --op add --format f32 --round rn
# --check-nans: the NaN of line 4 must match bit for bit, and the model's default NaN is positive.
expect tf-check-nans "$tmp/f32_add_ok.tf line 4: add 7f800000 (inf) ff800000 (-inf) -> expected ffc00000 (-nan) flags 10 invalid, got 7fc00000 (nan) flags 10 invalid" \
  bash -c "'$numconf' verify-testfloat '$tmp/f32_add_ok.tf' --op add --format f32 --round rn --check-nans | head -1"
printf '3F800000 3F800000 40000000 00\n3F800000 3F800000 4000000\n' >"$tmp/short.tf"
expect_status tf-malformed 2 "short.tf line 2: field 3 has 7 hex digits, 8 expected" \
  "$numconf" verify-testfloat "$tmp/short.tf" --op add --format f32 --round rn
expect_status tf-missing 2 "cannot read" \
  "$numconf" verify-testfloat "$tmp/none.tf" --op add --format f32 --round rn

# --profile (docs/profiles.md).  Expected codes are what NVIDIA's cuda_fp8.h/cuda_fp4.h host code
# and this x86 CPU return: a negative NaN into e5m2 is NVIDIA's canonical 0x7f, e8m0 of -1 is
# 2^0 (the sign is dropped), NaN into e2m1 is +6 (0x7); x86's invalid result is 0xffc00000, and
# an out-of-range cvtss2si gives the integer indefinite 0x80000000.
expect profile-cuda-e5m2 "7f" convert 'ffc00001\n' --from f32 --to e5m2 --profile cuda
expect profile-cuda-e8m0 "7f" convert 'bf800000\n' --from f32 --to e8m0fnu --round rz --profile cuda
expect profile-cuda-e2m1 "7" convert 'ffc00001\n' --from f32 --to e2m1fn --sat finite \
  --nan-to-nanless max --profile cuda
expect profile-x86-invalid "ffc00000 10" op '00000000 7f800000\n' mul --format f32 --flags --profile x86
expect profile-x86-indefinite "80000000 10" convert '4f800000\n' --from f32 --to i32 --flags --profile x86
expect_exit tf-check-nans-x86 0 "$numconf" verify-testfloat "$tmp/f32_add_ok.tf" --op add --format f32 \
  --round rn --check-nans --profile x86
expect_status profile-unknown 2 "unknown --profile 'arm'" "$numconf" convert --from f32 --to f16 --profile arm

# numconf check with backends: bad options exit 2; a passing run exits 0 and writes its JSON
# report, which appears only when complete.
expect_status check-level 2 "unknown --level '3'" "$numconf" check --backend cpu --level 3
expect_status check-backend 2 "unknown --backend 'tpu'" "$numconf" check --backend tpu
expect_exit check-cpu-pass 0 "$numconf" check --backend cpu --instruction cvttss2si --report "$tmp/check.json"
expect check-report-row '"passed": true' grep -o '"passed": true' "$tmp/check.json"
expect_status check-report-path 2 "cannot write" \
  "$numconf" check --backend cpu --instruction none --report "$tmp/no/such/dir/r.json"

# numconf verify --backend: a vector file through the CPU's own instruction (vcvtps2ph claims
# the x86 profile); a planted wrong result is found; a policy no instruction claims, exit 2.
"$numconf" gen --op convert --from f32 --to f16 --round rz --profile x86 --level 1 \
  -o "$tmp/f16_x86.txt"
expect_exit verify-cpu-pass 0 "$numconf" verify "$tmp/f16_x86.txt" --backend cpu
sed '/^3f800000 /s/ 3c00 / 3c01 /' "$tmp/f16_x86.txt" >"$tmp/f16_x86_bad.txt"
expect_exit verify-cpu-planted 1 "$numconf" verify "$tmp/f16_x86_bad.txt" --backend cpu
"$numconf" gen --op convert --from f32 --to f16 --round rz --level 1 -o "$tmp/f16_model.txt"
expect_status verify-cpu-no-instruction 2 "has no instruction for convert f32 -> f16" \
  "$numconf" verify "$tmp/f16_model.txt" --backend cpu
expect_status verify-unknown-backend 2 "unknown backend 'tpu'" \
  "$numconf" verify "$tmp/f16_model.txt" --backend tpu

summary
