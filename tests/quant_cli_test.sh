#!/usr/bin/env bash
# End-to-end tests of numconf quantize / dequantize: the worked examples of
# docs/quantization.md, the text round trip, .npy input, packed output, and bad input mapped to
# one line on stderr and exit code 2 with no output file left behind.
# Usage: quant_cli_test.sh path/to/numconf
set -u
numconf=$1
source "$(dirname "$0")/expect.sh"

q() { printf "$1" | "$numconf" quantize "${@:2}"; }

# OCP MX v1.0 6.3: an e4m3 block with amax 960 has X = 2 under the floor rule, 960 / 2 = 480
# saturates to 448 and dequantizes to 896; rceil takes X = 4 and keeps 960.
expect mx-960-floor $'44600000\n00000000' q '44700000\n0\n' --scheme mxfp8_e4m3 --block 2 --roundtrip
expect mx-960-rceil $'44700000\n00000000' q '44700000\n0\n' --scheme mxfp8_e4m3 --block 2 --scale-rule rceil --roundtrip
expect mx-960-codes $'shape 1 2\nscale 80\n7e\n00' q '44700000\n0\n' --scheme mxfp8_e4m3 --block 2
# MXFP4: amax 7 -> X = 1, 7 saturates to 6; amax 3.5 -> X = 0.5, 7 * 0.5 saturates to 3.
expect mxfp4-7 $'40c00000' q '40e00000\n' --scheme mxfp4 --block 1 --roundtrip
expect mxfp4-3.5 $'40400000' q '40600000\n' --scheme mxfp4 --block 1 --roundtrip
# NVFP4 with g = 1: s = 18 / 6 = 3; 7.5 / 3 = 2.5 ties to 2 (code 4), 7.5 * f32(1/3) -> 3 (5).
expect nvfp4-divide $'shape 1 2\ntensor_scale 3f800000\nscale 44\n7\n4' \
  q '41900000\n40f00000\n' --scheme nvfp4 --block 2 --tensor-scale 3f800000
expect nvfp4-reciprocal $'shape 1 2\ntensor_scale 3f800000\nscale 44\n7\n5' \
  q '41900000\n40f00000\n' --scheme nvfp4 --block 2 --tensor-scale 3f800000 --division reciprocal
# INT8 symmetric, scale 0.5: [0.25, 0.75, 1.25, 1.75] -> [0, 2, 2, 4] in rn, [1, 2, 3, 4] in rna.
x4='3e800000\n3f400000\n3fa00000\n3fe00000\n'
expect int8-rn $'shape 1 4\nscale 3f000000\n00\n02\n02\n04' q "$x4" --scheme int8 --scale 3f000000
expect int8-rna $'shape 1 4\nscale 3f000000\n01\n02\n03\n04' q "$x4" --scheme int8 --scale 3f000000 --round rna
# Text round trip: dequantize of quantize's output equals --roundtrip.
printf '3f800000\nbf000000\n40400000\nc0e00000\n3e000000\n00000000\n42c80000\nc2480000\n' >"$tmp/x.hex"
cat "$tmp/x.hex" "$tmp/x.hex" "$tmp/x.hex" "$tmp/x.hex" >"$tmp/x32.hex"
for scheme in "mxfp6_e3m2 --block 4" "nf4 --block 8" "q4_1" "q4_0" "q8_0" "uint4 --asymmetric --group 4" \
              "int8 --axis 1 --shape 4,8" "nvfp4 --block 4" "mxint8 --block 32 --scale-rule even"; do
  "$numconf" quantize --scheme $scheme <"$tmp/x32.hex" --roundtrip >"$tmp/a" 2>&1
  "$numconf" quantize --scheme $scheme <"$tmp/x32.hex" | "$numconf" dequantize --scheme $scheme >"$tmp/b" 2>&1
  expect "roundtrip-${scheme%% *}" "$(cat "$tmp/a")" cat "$tmp/b"
done
# .npy input: a 2 x 4 float32 array (values as above), per-row int8 scales.
{
  printf '\223NUMPY\001\000\166\000'
  printf "%-117s\n" "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }"
  printf '\000\000\200\077\000\000\000\277\000\000\100\100\000\000\340\300'
  printf '\000\000\000\076\000\000\000\000\000\000\310\102\000\000\110\302'
} >"$tmp/x.npy"
expect npy-matches-hex "$("$numconf" quantize --scheme int8 --axis 0 --shape 2,4 <"$tmp/x.hex")" \
  "$numconf" quantize --scheme int8 --axis 0 -i "$tmp/x.npy"
# Packed codes, low nibble first by default: [0, 1, 2, 3] with X = 0.5 are codes 0, 4, 6, 7.
printf '0\n3f800000\n40000000\n40400000\n' | "$numconf" quantize --scheme mxfp4 --block 4 --packed "$tmp/p.bin" >/dev/null
expect packed-lsb "40 76" bash -c "od -An -tx1 '$tmp/p.bin' | xargs"
printf '0\n3f800000\n40000000\n40400000\n' | "$numconf" quantize --scheme mxfp4 --block 4 --packed "$tmp/p.bin" --pack msb >/dev/null
expect packed-msb "04 67" bash -c "od -An -tx1 '$tmp/p.bin' | xargs"

# Files: quantize -> .npy set or packed codes -> dequantize equals --roundtrip, for every scale
# dtype (e8m0 and ue4m3 u1, f16 <u2, f32 <u4), zero points (u1, q4_1's f16) and nvfp4's tensor
# scale, and every packing layout.
for scheme in "mxfp6_e3m2 --block 4" "nf4 --block 8" "q4_1" "q4_0" "q8_0" "uint4 --asymmetric --group 4" \
              "int8 --axis 1 --shape 4,8" "nvfp4 --block 4" "mxint8 --block 32 --scale-rule even" \
              "int4 --group 8 --scale-dtype bf16"; do
  name=${scheme%% *}
  "$numconf" quantize --scheme $scheme <"$tmp/x32.hex" --roundtrip >"$tmp/a" 2>&1
  "$numconf" quantize --scheme $scheme <"$tmp/x32.hex" --npy "$tmp/$name" 2>&1
  expect "npy-roundtrip-$name" "$(cat "$tmp/a")" "$numconf" dequantize --scheme $scheme --npy "$tmp/$name"
  for layout in lsb msb; do
    "$numconf" quantize --scheme $scheme <"$tmp/x32.hex" --packed "$tmp/$name.bin" --pack $layout >"$tmp/$name.txt"
    expect "packed-text-roundtrip-$name-$layout" "$(cat "$tmp/a")" \
      "$numconf" dequantize --scheme $scheme --packed "$tmp/$name.bin" --pack $layout -i "$tmp/$name.txt"
  done
done
for layout in gguf awq; do
  "$numconf" quantize --scheme q4_1 <"$tmp/x32.hex" --npy "$tmp/p" --packed "$tmp/p.bin" --pack $layout
  expect "packed-npy-roundtrip-q4_1-$layout" "$("$numconf" quantize --scheme q4_1 --roundtrip <"$tmp/x32.hex")" \
    "$numconf" dequantize --scheme q4_1 --npy "$tmp/p" --packed "$tmp/p.bin" --pack $layout --shape 32
done
[[ ! -e "$tmp/p.codes.npy" ]] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL p.codes.npy written beside the packed codes"; }
# The .npy headers name the dtype and shape numpy will read (codes 2-D for a 2-D tensor).
npy_header() { head -c 128 "$1" | tail -c 118 | tr -s ' '; }
expect npy-codes-header "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 8), } " npy_header "$tmp/int8.codes.npy"
expect npy-scales-header "{'descr': '<u4', 'fortran_order': False, 'shape': (8,), } " npy_header "$tmp/int8.scales.npy"
expect npy-q4_1-zero-header "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), } " npy_header "$tmp/q4_1.zero_points.npy"
expect npy-bf16-scales-header "{'descr': '<u2', 'fortran_order': False, 'shape': (4,), } " npy_header "$tmp/int4.scales.npy"
expect npy-tensor-scale-header "{'descr': '<u4', 'fortran_order': False, 'shape': (1,), } " npy_header "$tmp/nvfp4.tensor_scale.npy"
# q4_1 stores f16 d and m: the bytes of its one block (little-endian), read without numconf.
expect npy-q4_1-scale-bytes "$(sed -n 2p <("$numconf" quantize --scheme q4_1 <"$tmp/x32.hex") | awk '{print substr($2,3,2), substr($2,1,2)}')" \
  bash -c "od -An -tx1 -j128 '$tmp/q4_1.scales.npy' | xargs"
# f32 output as .npy (dequantize and --roundtrip): the data bytes are the hex lines, little-endian.
npy_f32_hex() {  # the '<f4' data of a version-1 .npy file as hex lines, parsed by Python
  python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); n=struct.unpack("<H",d[8:10])[0]; h=d[10:10+n].decode()
assert "<f4" in h; print("\n".join("%08x" % v for v in struct.unpack("<%dI" % ((len(d)-10-n)//4), d[10+n:])))' "$1"
}
"$numconf" dequantize --scheme nvfp4 --block 4 --npy "$tmp/nvfp4" -o "$tmp/y.npy"
expect npy-f32-dequantize "$("$numconf" quantize --scheme nvfp4 --block 4 --roundtrip <"$tmp/x32.hex")" npy_f32_hex "$tmp/y.npy"
"$numconf" quantize --scheme int8 --axis 1 --shape 4,8 --roundtrip -o "$tmp/r.npy" <"$tmp/x32.hex"
expect npy-f32-roundtrip "$("$numconf" quantize --scheme int8 --axis 1 --shape 4,8 --roundtrip <"$tmp/x32.hex")" npy_f32_hex "$tmp/r.npy"
expect npy-f32-2d-header "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), } " npy_header "$tmp/r.npy"

# Bad input: one line, exit 2, no output file.
expect_status unknown-scheme 2 "unknown scheme 'mxfp9'" q '0\n' --scheme mxfp9
expect_status bad-hex 2 "stdin line 2: malformed f32 hex 'zz'" q '0\nzz\n' --scheme int8
expect_status partial-block 2 "do not fill blocks of 32" q '0\n0\n' --scheme mxfp4
expect_status gguf-tail 2 "GGUF blocks are always full" q '0\n0\n' --scheme q4_0 --tail short
expect_status nan-block 2 "block 0 (from value 0) holds NaN or Inf" q '7fc00000\n0\n' --scheme nf4 --block 2
expect_status bad-shape 2 "--shape 3,3 holds 9 values, the input 2" q '0\n0\n' --scheme int8 --shape 3,3
expect_status rule-not-mx 2 "--scale-rule applies to MX schemes only" q '0\n' --scheme int8 --scale-rule floor
expect_status awq-count 2 "cannot pack 4 codes of 4 bits in layout awq" \
  q '0\n0\n0\n0\n' --scheme int4 --packed "$tmp/awq.bin" --pack awq
[[ ! -e "$tmp/awq.bin" && ! -e "$tmp/awq.bin.tmp" ]] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL awq.bin left behind"; }
expect_status nan-no-file 2 "holds NaN or Inf" q '7f800000\n' --scheme int8 -o "$tmp/out.txt"
[[ ! -e "$tmp/out.txt" && ! -e "$tmp/out.txt.tmp" ]] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL out.txt left behind"; }
printf 'not numpy' >"$tmp/bad.npy"
expect_status npy-magic 2 "bad.npy: not a .npy file" "$numconf" quantize --scheme int8 -i "$tmp/bad.npy"
head -c 140 "$tmp/x.npy" >"$tmp/short.npy"
expect_status npy-truncated 2 "short.npy: holds 12 data bytes, shape needs 32" "$numconf" quantize --scheme int8 -i "$tmp/short.npy"
expect_status dequantize-count 2 "stdin: 1 codes for shape 1x2" \
  bash -c "printf 'shape 1 2\nscale 7f\n00\n' | '$numconf' dequantize --scheme mxfp4"
expect_status dequantize-code 2 "stdin line 3: malformed code '1f' (4-bit codes)" \
  bash -c "printf 'shape 1 1\nscale 7f\n1f\n' | '$numconf' dequantize --scheme mxfp4"
# Bad files for dequantize: wrong dtype, wrong shape, counts that disagree, truncated packed
# codes, code lines beside --packed; and the output file is not left behind.
no_file() {  # no_file NAME PATH: PATH and PATH.tmp do not exist
  [[ ! -e "$2" && ! -e "$2.tmp" ]] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL $1: $2 left behind"; }
}
mkdir "$tmp/bad"
cp "$tmp/mxfp6_e3m2.codes.npy" "$tmp/bad/dtype.codes.npy"
cp "$tmp/int8.scales.npy" "$tmp/bad/dtype.scales.npy"
expect_status npy-wrong-dtype 2 "dtype.scales.npy: dtype '<u4', expected '|u1' (8-bit codes)" \
  "$numconf" dequantize --scheme mxfp6_e3m2 --block 4 --npy "$tmp/bad/dtype" -o "$tmp/bad/out.npy"
no_file npy-wrong-dtype "$tmp/bad/out.npy"
expect_status npy-count 2 "8 scales for the 4 blocks of the scheme and shape" \
  "$numconf" dequantize --scheme mxfp6_e3m2 --block 8 --npy "$tmp/mxfp6_e3m2" -o "$tmp/bad/out.hex"
no_file npy-count "$tmp/bad/out.hex"
cp "$tmp/int8.codes.npy" "$tmp/bad/shape.scales.npy"
cp "$tmp/int8.codes.npy" "$tmp/bad/shape.codes.npy"
expect_status npy-wrong-shape 2 "shape.scales.npy: a 2-D array, expected 1-D" \
  "$numconf" dequantize --scheme mxfp4 --block 4 --npy "$tmp/bad/shape"
printf 'not numpy' >"$tmp/bad/magic.codes.npy"
expect_status npy-bad-magic 2 "magic.codes.npy: not a .npy file" \
  "$numconf" dequantize --scheme mxfp4 --block 4 --npy "$tmp/bad/magic"
head -c 140 "$tmp/int8.codes.npy" >"$tmp/bad/short.codes.npy"
expect_status npy-truncated-codes 2 "short.codes.npy: holds 12 data bytes, shape needs 32" \
  "$numconf" dequantize --scheme int8 --axis 1 --npy "$tmp/bad/short"
expect_status npy-missing 2 "cannot read '$tmp/bad/none.codes.npy'" \
  "$numconf" dequantize --scheme int8 --npy "$tmp/bad/none"
expect_status npy-missing-zero-points 2 "cannot read '$tmp/bad/none2.zero_points.npy'" \
  bash -c "cp '$tmp/q4_1.codes.npy' '$tmp/bad/none2.codes.npy'; cp '$tmp/q4_1.scales.npy' '$tmp/bad/none2.scales.npy'; '$numconf' dequantize --scheme q4_1 --npy '$tmp/bad/none2'"
head -c 15 "$tmp/q4_0.bin" >"$tmp/bad/short.bin"
expect_status packed-truncated 2 "short.bin: 15 bytes, 32 codes of 4 bits need 16" \
  "$numconf" dequantize --scheme q4_0 --packed "$tmp/bad/short.bin" --pack msb -i "$tmp/q4_0.txt" -o "$tmp/bad/out.hex"
no_file packed-truncated "$tmp/bad/out.hex"
expect_status packed-with-code-lines 2 "line 3: a code line, but the codes come from --packed" \
  bash -c "'$numconf' quantize --scheme q4_0 <'$tmp/x32.hex' | '$numconf' dequantize --scheme q4_0 --packed '$tmp/q4_0.bin'"
expect_status packed-npy-no-shape 2 "--npy with --packed needs --shape" \
  "$numconf" dequantize --scheme q4_1 --npy "$tmp/p" --packed "$tmp/p.bin" --pack awq
expect_status shape-disagrees 2 "q4_0.txt: shape 1x32, --shape 2,16" \
  "$numconf" dequantize --scheme q4_0 -i "$tmp/q4_0.txt" --packed "$tmp/q4_0.bin" --pack msb --shape 2,16
expect_status npy-excludes-o 2 "--npy excludes -o and --roundtrip" \
  q '0\n' --scheme int8 --npy "$tmp/bad/x" -o "$tmp/bad/x.txt"
no_file npy-excludes-o "$tmp/bad/x.scales.npy"
expect_status npy-nan-no-files 2 "holds NaN or Inf" q '7f800000\n' --scheme int8 --npy "$tmp/bad/nan" --packed "$tmp/bad/nan.bin"
no_file npy-nan-no-files "$tmp/bad/nan.scales.npy"
no_file npy-nan-no-files "$tmp/bad/nan.codes.npy"
no_file npy-nan-no-files "$tmp/bad/nan.bin"

# The MX rule for NaN in a block: X = NaN, every value dequantizes to NaN.
expect mx-nan $'7fc00000\n7fc00000' q '7fc00000\n3f800000\n' --scheme mxfp8_e4m3 --block 2 --roundtrip

summary
