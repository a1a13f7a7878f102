#!/usr/bin/env bash
# numconf gen, verify and test-impl end to end: determinism and shards, a planted error found,
# bad files rejected with their line, a wrong external converter caught and a right one passed.
# Usage: vectors_test.sh path/to/numconf path/to/impl_converter path/to/vectors
set -u
numconf=$1 converter=$2 vectors=$3
source "$(dirname "$0")/expect.sh"

gen() { "$numconf" gen "$@"; }

# ---- Determinism: the same command gives the same bytes; shards concatenate to the whole ----
for set in "--from f32 --to e4m3fn --level 2" "--op fma --format bf16 --round sra --rbits 5 --seed 9" \
           "--from f64 --to i8 --random 5000 --seed 3" "--op add --format e4m3fn --exhaustive"; do
  name=$(echo "$set" | tr ' ' '_')
  gen $set -o "$tmp/a.txt" && gen $set -o "$tmp/b.txt"
  check "same-bytes$name" cmp -s "$tmp/a.txt" "$tmp/b.txt"
  for k in 1 2 3; do gen $set --shard $k/3 -o "$tmp/part$k.txt"; done
  cat "$tmp/part1.txt" "$tmp/part2.txt" "$tmp/part3.txt" >"$tmp/joined.txt"
  check "shards-join$name" cmp -s "$tmp/a.txt" "$tmp/joined.txt"
  check "verify-own$name" "$numconf" verify "$tmp/a.txt" >/dev/null
done
gen --from f32 --to e4m3fn --level 2 -o "$tmp/x.npy" && gen --from f32 --to e4m3fn --level 2 -o "$tmp/y.npy"
check npy-same-bytes cmp -s "$tmp/x.npy" "$tmp/y.npy"
check npy-header bash -c "head -c 6 '$tmp/x.npy' | od -c | grep -q 'N   U   M   P   Y'"
check npy-sidecar grep -q "^# coverage level2$" "$tmp/x.npy.txt"

# The .npy records equal the text lines: a structured set with operands, and a shard of the
# exhaustive f32 -> e4m3fn sweep (table lookup, operands left out) against the model's text.
npy_matches_text() {  # npy_matches_text NPY TXT: expected and flags of every record and line
  python3 - "$1" "$2" <<'PY'
import re, struct, sys
data = open(sys.argv[1], "rb").read()
size = struct.unpack("<H", data[8:10])[0]
header = data[10:10 + size].decode()
fields = re.findall(r"\('(\w+)', '[<|]u(\d)'\)", header)
row = sum(int(b) for _, b in fields)
body = data[10 + size:]
lines = [l.split() for l in open(sys.argv[2]) if not l.startswith("#")]
assert len(body) == row * len(lines), (len(body), row, len(lines))
names = [n for n, _ in fields]
for i, line in enumerate(lines):
    at, values = i * row, {}
    for name, b in fields:
        values[name] = int.from_bytes(body[at:at + int(b)], "little")
        at += int(b)
    assert values["expected"] == int(line[-2], 16) and values["flags"] == int(line[-1], 16), (i, line, values)
    if "a" in names:
        assert values["a"] == int(line[0], 16), (i, line, values)
PY
}
gen --from f32 --to e4m3fn --level 2 -o "$tmp/l2.txt"
check npy-equals-text npy_matches_text "$tmp/x.npy" "$tmp/l2.txt"
gen --from f32 --to e4m3fn --sat finite --exhaustive --shard 16257/65536 -o "$tmp/ex.npy"
gen --from f32 --to e4m3fn --sat finite --exhaustive --shard 16257/65536 -o "$tmp/ex.txt"
check npy-lookup-equals-model npy_matches_text "$tmp/ex.npy" "$tmp/ex.txt"
check npy-rows grep -q "^# npy-rows 1065353216 65536$" "$tmp/ex.npy.txt"
# A shard that starts and ends inside runs of equal records and crosses a 2^19-code block
# (65537 cases from 0xbd47bd48, negative, across 0xbd480000), under a directed rounding.
gen --from f32 --to e4m3fn --round rp --exhaustive --shard 48456/65535 -o "$tmp/runs.npy"
gen --from f32 --to e4m3fn --round rp --exhaustive --shard 48456/65535 -o "$tmp/runs.txt"
check npy-runs-rows grep -q "^# npy-rows 3175595336 65537$" "$tmp/runs.npy.txt"
check npy-runs-equal-model npy_matches_text "$tmp/runs.npy" "$tmp/runs.txt"

# ---- verify reads .npy files through the header beside them -----------------------------------
check npy-verify-level "$numconf" verify "$tmp/x.npy" >/dev/null
check npy-verify-exhaustive "$numconf" verify "$tmp/ex.npy" >/dev/null
flip_byte() {  # flip_byte NPY RECORD_BYTE_OFFSET MASK OUT: one data byte XOR MASK
  python3 - "$@" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
at = 10 + struct.unpack("<H", data[8:10])[0] + int(sys.argv[2])
data[at] ^= int(sys.argv[3], 0)
open(sys.argv[4], "wb").write(data)
PY
  cp "$1.txt" "$4.txt"
}
# Record 0 of shard 16257/65536 is case 0x3f800000, f32 1.0 -> e4m3fn 0x38.
flip_byte "$tmp/ex.npy" 0 1 "$tmp/ex-flipped.npy"
out=$("$numconf" verify "$tmp/ex-flipped.npy")
check npy-planted-exit-1 test $? -eq 1
check npy-planted-reported bash -c "grep -q 'ex-flipped.npy record 0: convert 3f800000 (1) -> expected 39 (1.125) flags 00, got 38 (1) flags 00' <<<'$out'"
check npy-planted-count bash -c "grep -q ' 65536 cases, 1 mismatched' <<<'$out'"
flip_byte "$tmp/x.npy" $((6 * 100 + 5)) 1 "$tmp/x-flag.npy"  # record 100's flags (a, expected, flags: 6 bytes)
expect_status npy-planted-flag 1 "" "$numconf" verify "$tmp/x-flag.npy"
# Bad .npy files: one line, exit 2.
head -c -1 "$tmp/ex.npy" >"$tmp/short.npy" && cp "$tmp/ex.npy.txt" "$tmp/short.npy.txt"
expect_status npy-truncated 2 "short.npy: 131199 bytes, 65536 records of 2 bytes need 131200 (truncated?)" \
  "$numconf" verify "$tmp/short.npy"
{ cat "$tmp/ex.npy"; printf x; } >"$tmp/long.npy" && cp "$tmp/ex.npy.txt" "$tmp/long.npy.txt"
expect_status npy-too-long 2 "need 131200" "$numconf" verify "$tmp/long.npy"
{ printf 'X'; tail -c +2 "$tmp/ex.npy"; } >"$tmp/magic.npy" && cp "$tmp/ex.npy.txt" "$tmp/magic.npy.txt"
expect_status npy-corrupt-magic 2 "magic.npy: not a .npy file" "$numconf" verify "$tmp/magic.npy"
cp "$tmp/ex.npy" "$tmp/lone.npy"
expect_status npy-no-header-file 2 "cannot read '$tmp/lone.npy.txt', the header of" \
  "$numconf" verify "$tmp/lone.npy"
cp "$tmp/ex.npy" "$tmp/other.npy" && cp "$tmp/x.npy.txt" "$tmp/other.npy.txt"
expect_status npy-foreign-header 2 "other.npy: record type" "$numconf" verify "$tmp/other.npy"
sed '/^# npy-rows/d' "$tmp/ex.npy.txt" >"$tmp/rows.npy.txt" && cp "$tmp/ex.npy" "$tmp/rows.npy"
expect_status npy-header-file-given 2 "ex.npy.txt is the header of a .npy vector file" \
  "$numconf" verify "$tmp/ex.npy.txt"
expect_status npy-no-rows 2 "no '# npy-rows FIRST COUNT' line" "$numconf" verify "$tmp/rows.npy"

# ---- Output: stdout and special files are written directly, regular files appear whole -------
gen --from f32 --to e4m3fn -o "$tmp/whole.txt"
gen --from f32 --to e4m3fn -o - >"$tmp/dash.txt"
check stdout-dash cmp -s "$tmp/whole.txt" "$tmp/dash.txt"
gen --from f32 --to e4m3fn >"$tmp/default.txt"
check stdout-default cmp -s "$tmp/whole.txt" "$tmp/default.txt"
gen --from f32 --to e4m3fn -o /dev/stdout >"$tmp/dev-stdout.txt"
check dev-stdout-to-a-file cmp -s "$tmp/whole.txt" "$tmp/dev-stdout.txt"
check dev-stdout-still-a-link test -L /dev/stdout
check dev-null gen --from f32 --to e4m3fn --level 2 -o /dev/null
check dev-null-still-a-device test -c /dev/null
check dev-null-no-temp test ! -e /dev/null.tmp
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo.txt" &
gen --from f32 --to e4m3fn -o "$tmp/fifo"
wait $!
check fifo cmp -s "$tmp/whole.txt" "$tmp/from-fifo.txt"
# Past 64 MiB a regular file goes on with O_DIRECT (where the file system takes it) from the block
# boundary below the bytes written so far; the .npy header leaves that boundary inside a block
# and the last block partial.  The file holds the same bytes as a pipe given through stdio.
big="--from f32 --to e4m3fn --exhaustive --shard 1/64"
gen $big -o "$tmp/big.npy"
mkfifo "$tmp/big-fifo.npy"
gen $big -o "$tmp/big-fifo.npy" &
check direct-io-same-bytes cmp -s "$tmp/big-fifo.npy" "$tmp/big.npy"
wait $!
rm "$tmp/big.npy" "$tmp/big-fifo.npy"
expect_status dev-full 2 "write failed on '/dev/full'" gen --from f32 --to e4m3fn --level 2 -o /dev/full
# A write that fails (the file size limit, with SIGXFSZ ignored so that write returns EFBIG)
# leaves the old file as it was and no temporary file; a .npy leaves no header file either.
printf 'old\n' >"$tmp/limited.txt"
limited() { (ulimit -f 8; trap '' XFSZ; exec "$numconf" gen "$@"); }
expect_status limited-text 2 "write failed on '$tmp/limited.txt.tmp'" \
  limited --from f32 --to e4m3fn --level 2 -o "$tmp/limited.txt"
check limited-old-kept bash -c "[[ \$(cat '$tmp/limited.txt') == old ]]"
expect_status limited-npy 2 "write failed" limited --from f32 --to e4m3fn --exhaustive \
  --shard 1/1024 -o "$tmp/limited.npy"
expect_status limited-direct-io 2 "write failed" \
  bash -c "ulimit -f 100000; trap '' XFSZ; exec '$numconf' gen $big -o '$tmp/limited.npy'"
check limited-nothing-left bash -c "! ls '$tmp'/limited.txt.tmp '$tmp'/limited.npy* 2>/dev/null | grep -q ."
# A signal ends a long run without leaving its temporary files, and the old file stays as it was.
printf 'old\n' >"$tmp/signal.npy"
"$numconf" gen --from f32 --to e4m3fn --exhaustive -o "$tmp/signal.npy" &
for _ in $(seq 200); do [[ -s $tmp/signal.npy.tmp ]] && break; sleep 0.05; done
check signal-temp-was-written test -s "$tmp/signal.npy.tmp"
kill -TERM $!
wait $!
check signal-ends-it test $? -eq 143
check signal-no-temp-left bash -c "! ls '$tmp'/signal.npy*.tmp 2>/dev/null | grep -q ."
check signal-old-kept bash -c "[[ \$(cat '$tmp/signal.npy') == old ]]"

# ---- verify finds one flipped bit planted in a committed file, by the model and the oracle -----
file=$vectors/level1/convert/f32/e4m3fn/rn-none.txt
check committed-clean "$numconf" verify "$file"
line=$(grep -n '^3f800000 ' "$file" | cut -d: -f1)  # 1.0 -> e4m3fn 0x38
sed "${line}s/^3f800000 38 /3f800000 39 /" "$file" >"$tmp/flipped.txt"
check planted-differs bash -c "! cmp -s '$file' '$tmp/flipped.txt'"
# A flipped flag bit, and a flipped operand bit, are found too.
sed "${line}s/ 00\$/ 01/" "$file" >"$tmp/flag.txt"
sed "${line}s/^3f800000 /3f800001 /" "$file" >"$tmp/operand.txt"
for backend in model oracle; do
  out=$("$numconf" verify --backend $backend "$tmp/flipped.txt")
  status=$?
  check planted-exit-1-$backend test $status -eq 1
  check planted-reported-$backend bash -c "grep -q 'line $line: convert 3f800000 (1) -> expected 39 (1.125) flags 00, got 38 (1) flags 00' <<<'$out'"
  check planted-count-$backend bash -c "grep -q ' 1 mismatched' <<<'$out'"
  check planted-flag-$backend bash -c "'$numconf' verify --backend $backend '$tmp/flag.txt' | grep -q 'got 38 (1) flags 00'"
  expect_status planted-operand-$backend 1 "" "$numconf" verify --backend $backend "$tmp/operand.txt"
done
# The oracle on arithmetic with stochastic rounding: the first inexact fma case of a committed
# file, its result's last bit flipped, is named by its line with its R.
arith=$vectors/level1/fma/bf16/sra-none.txt
check oracle-committed-fma-clean "$numconf" verify --backend oracle "$arith"
n=$(grep -n -m1 ' 01$' "$arith" | cut -d: -f1)
read -r _ _ _ r result _ < <(sed -n "${n}p" "$arith")
printf -v wrong '%04x' $((0x$result ^ 1))
sed "${n}s/ $result 01\$/ $wrong 01/" "$arith" >"$tmp/fma.txt"
out=$("$numconf" verify --backend oracle "$tmp/fma.txt")
check oracle-planted-fma-exit-1 test $? -eq 1
check oracle-planted-fma-line bash -c "grep -q '^$tmp/fma.txt line $n: fma .* R $r -> expected $wrong .*, got $result ' <<<'$out'"

# ---- The oracle reads every policy key of a header the committed files leave at its default:
# a file gen writes with the key set re-checks clean against it, and mismatches once the key is
# set back (the key reaches the oracle, and these cases depend on it).
oracle_reads_key() {  # oracle_reads_key SED_SCRIPT_THAT_RESETS_THE_KEY GEN_OPTIONS...
  local reset=$1 name
  shift
  name=$(echo "$*" | tr ' ' '_')
  gen "$@" --level 2 -o "$tmp/policy.txt"
  check "oracle-clean$name" "$numconf" verify --backend oracle "$tmp/policy.txt" >/dev/null
  sed "$reset" "$tmp/policy.txt" >"$tmp/policy-reset.txt"
  expect_status "oracle-reads$name" 1 "" "$numconf" verify --backend oracle "$tmp/policy-reset.txt"
}
oracle_reads_key 's/^# daz yes$/# daz no/' --op add --format f16 --daz
oracle_reads_key 's/^# ftz yes$/# ftz no/' --op mul --format f16 --ftz
oracle_reads_key 's/^# tininess before$/# tininess after/' --from f32 --to f16 --tininess before
oracle_reads_key 's/^# nan-to-nanless max$/# nan-to-nanless zero/' --from f32 --to e2m1fn \
  --nan-to-nanless max
oracle_reads_key 's/^# overflow-rule p3109$/# overflow-rule ieee/' --from f32 --to e4m3fn \
  --round ro --overflow-rule p3109
oracle_reads_key 's/^# overflow-rule p3109-v3$/# overflow-rule ieee/' --from f32 --to e4m3fn \
  --overflow-rule p3109-v3
oracle_reads_key '/^# profile cuda$/d' --from f32 --to e4m3fn --profile cuda
oracle_reads_key '/^# profile x86$/d' --op mul --format f32 --profile x86

# ---- Bad files: one line naming file and line, exit 2 ------------------------------------------
head -n 30 "$file" >"$tmp/truncated.txt"
expect_status truncated 2 "truncated.txt: the header states" "$numconf" verify "$tmp/truncated.txt"
sed "${line}s/^3f800000 38 /3f800000 038 /" "$file" >"$tmp/width.txt"
expect_status wrong-width 2 "width.txt line $line: field 2 has 3 hex digits, 2 expected" \
  "$numconf" verify "$tmp/width.txt"
sed '3a # colour blue' "$file" >"$tmp/key.txt"
expect_status unknown-key 2 "key.txt line 4: unknown header key 'colour'" "$numconf" verify "$tmp/key.txt"
sed "${line}s/^3f800000 /3f80z000 /" "$file" >"$tmp/corrupt.txt"
expect_status corrupt 2 "corrupt.txt line $line: field 1 is not hex" "$numconf" verify "$tmp/corrupt.txt"
sed '1s/1$/7/' "$file" >"$tmp/version.txt"
expect_status version 2 "version.txt line 1: vector format version '7'" "$numconf" verify "$tmp/version.txt"
sed 's/^# fields a result flags$/# fields a bogus/' "$file" >"$tmp/fields.txt"
expect_status bad-fields 2 "header key 'fields' must end in 'result flags' or 'result'" \
  "$numconf" verify "$tmp/fields.txt"
# A recording's shape (vectors/README.md): no flags column, so three fields are one too many.
sed 's/^# fields a result flags$/# fields a result/' "$file" >"$tmp/noflags.txt"
expect_status flags-column-absent 2 "noflags.txt line 18: expected 2 fields (1 operand, result), got 3" \
  "$numconf" verify "$tmp/noflags.txt"
sed -e 's/^# fields a result flags$/# fields a result/' -e 's/^# coverage level1$/# coverage recorded/' \
  -e '/^[0-9a-f]/s/ [0-9a-f][0-9a-f]$//' "$file" >"$tmp/recorded.txt"
check recorded-shape-passes "$numconf" verify "$tmp/recorded.txt"
expect_status missing 2 "cannot read" "$numconf" verify "$tmp/none.txt"
expect_status no-header 2 "has no header" "$numconf" verify <(tail -n 5 "$file")
expect_status unknown-backend 2 "unknown backend 'tpu'" "$numconf" verify "$file" --backend tpu
expect_status bad-shard 2 "--shard must be K/N" "$numconf" gen --from f32 --to e4m3fn --shard 4/3
expect_status too-many 2 "at most 2^32" "$numconf" gen --op add --format f32 --exhaustive
gen --from f32 --to e4m3fn --shard 2/2 -o "$tmp/out.txt" 2>"$tmp/stderr.txt"
check no-progress-off-terminal test ! -s "$tmp/stderr.txt"
# On a terminal (script(1) gives the command one) the last progress line says 100%.
script -qec "'$numconf' gen --from f32 --to e4m3fn --exhaustive --shard 1/256 -o '$tmp/p.npy'" \
  /dev/null >"$tmp/terminal.txt"
check progress-on-terminal grep -q '16777216/16777216 cases (100.0%)' "$tmp/terminal.txt"
check no-temp-left bash -c "! ls '$tmp'/*.tmp 2>/dev/null | grep -q ."
# A TestFloat file (no header) with the operation and formats given.
tail -n +18 "$file" >"$tmp/tf.txt"
check testfloat-clean "$numconf" verify "$tmp/tf.txt" --op convert --from f32 --to e4m3fn >/dev/null

# ---- test-impl: a right converter passes, wrong ones are caught in the right class -------------
impl() { "$numconf" test-impl --from f32 --to e4m3fn --round rn --sat finite --level 2 -- "$converter" "$@"; }
out=$(impl correct)
check impl-correct-passes test $? -eq 0
check impl-correct-summary bash -c "grep -q ' 0 mismatched' <<<'$out'"
out=$(impl ties-away)
check impl-ties-away-fails test $? -eq 1
check impl-ties-away-class bash -c "grep -E '^  ties +[0-9]+ cases, +[1-9][0-9]* mismatched' <<<'$out' >/dev/null"
check impl-ties-away-other-clean bash -c "grep -E '^  other +[0-9]+ cases, +0 mismatched' <<<'$out' >/dev/null"
out=$(impl via-f16)
check impl-via-f16-fails test $? -eq 1
check impl-via-f16-first bash -c "grep -q '^case [0-9]*: convert ' <<<'$out'"
# --flags: the program's flags are compared too (numconf convert stands in for the program).
check impl-flags-pass "$numconf" test-impl --from bf16 --to e2m1fn --round rp --flags -- \
  "$numconf" convert --from bf16 --to e2m1fn --round rp --flags >/dev/null
expect_status impl-flags-differ 1 "" "$numconf" test-impl --from bf16 --to e2m1fn --flags -- \
  "$numconf" convert --from bf16 --to e2m1fn --flags --ftz
expect_status impl-short 2 "the program wrote 0 results" \
  "$numconf" test-impl --from f32 --to e4m3fn -- true

summary
