// The table lookup behind gen --exhaustive (tools/lookup_convert.hpp) against the scalar
// convert, code and flags, under every deterministic policy.
#include "tools/lookup_convert.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "formats/registry.hpp"
#include "test_support.hpp"

namespace numconf {
namespace {

using cli::LookupConverter;
using test_support::policy_string;

std::vector<Policy> every_deterministic_policy() {
  std::vector<Policy> out;
  for (const Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero,
                           Rounding::TowardPositive, Rounding::TowardNegative, Rounding::ToOdd})
    for (const Overflow o : {Overflow::None, Overflow::Finite, Overflow::Propagate})
      for (const int flush : {0, 1, 2, 3})
        for (const Tininess t : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
          Policy p;
          p.rounding = r;
          p.overflow = o;
          p.flush_inputs = flush & 1;
          p.flush_outputs = flush & 2;
          p.tininess = t;
          out.push_back(p);
        }
  return out;
}

// Compares the lookup with convert() on codes first, first + stride, ...; returns failures.
int compare(const Format& from, const Format& to, const Policy& p, std::uint64_t first,
            std::uint64_t count, std::uint64_t stride) {
  const LookupConverter lookup(from, to, p);
  int failures = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t code = first + i * stride;
    const Rounded want = convert(from, to, code, p);
    const std::uint32_t got = lookup(code);
    if (got == std::uint32_t(want.bits | std::uint64_t{want.flags} << 16)) continue;
    if (++failures <= 5)
      ADD_FAILURE() << policy_string(p, 0) << " input " << std::hex << code << ": expected "
                    << want.bits << " flags " << int(want.flags) << ", got " << (got & 0xffff)
                    << " flags " << (got >> 16);
  }
  return failures;
}

const std::vector<Format> kNarrowTargets = {
    kE5M2, kE4M3FN, kE4M3FNUZ, kE5M2FNUZ, kE4M3B11FNUZ, kE4M3,
    kE3M4, kE2M3FN, kE3M2FN,   kE2M1FN,   kUE4M3,       p3109_format(8, 3, true, true)};

TEST(LookupConvert, Every16BitSourceCodeUnderEveryPolicy) {
  int pairs = 0;
  for (const Format& from : {kF16, kBF16})
    for (const Format& to : kNarrowTargets)
      for (const Policy& p : every_deterministic_policy()) {
        if (!LookupConverter::applies(from, to, p)) continue;
        ++pairs;
        ASSERT_EQ(compare(from, to, p, 0, 1 << 16, 1), 0);
      }
  EXPECT_GT(pairs, 500);
}

TEST(LookupConvert, F32StrideUnderEveryPolicy) {
  // A prime stride visits every exponent and many low-bit patterns; the boundary codes the
  // table relies on are in the level-1 vectors, which verify checks against the model.
  for (const Format& to : {kE4M3FN, kE5M2, kE3M4, kE2M1FN, kE4M3FNUZ})
    for (const Policy& p : every_deterministic_policy()) {
      ASSERT_TRUE(LookupConverter::applies(kF32, to, p));
      ASSERT_EQ(compare(kF32, to, p, 12345, (std::uint64_t{1} << 32) / 65521, 65521), 0);
    }
}

// Every code of a run (LookupConverter::run_end) converts as its first does, by convert()
// itself: codes across several 2^cut blocks, starting off a block boundary.
TEST(LookupConvert, RunsConvertAlike) {
  for (const Format& to : {kE4M3FN, kE5M2, kE2M1FN})
    for (const Policy& p : every_deterministic_policy()) {
      const LookupConverter lookup(kF32, to, p);
      std::uint64_t runs = 0;
      for (std::uint64_t code = 0x3f7ffffd, end = code + (1 << 21) + 7; code < end; ++runs) {
        const std::uint64_t stop = std::min(end, lookup.run_end(code));
        ASSERT_GT(stop, code);
        const Rounded first = convert(kF32, to, code, p);
        for (std::uint64_t c = code + 1; c < stop; c += 997)  // a prime stride, and the last
          ASSERT_EQ(convert(kF32, to, c, p), first) << policy_string(p, 0) << std::hex << c;
        ASSERT_EQ(convert(kF32, to, stop - 1, p), first) << policy_string(p, 0) << std::hex << code;
        code = stop;
      }
      EXPECT_GE(runs, 5u);  // two block starts crossed, each a run of one code
    }
}

// gen's records from the table (write_lookup_records) against convert(), for a range that
// starts and ends inside runs and crosses block starts: an 8-bit result (2-byte records) and
// a 9-bit one, e4m4 (3-byte records: a 2-byte result, then the flags).
TEST(LookupConvert, RecordsEqualConvert) {
  const Format e4m4 = float_format(4, 4, 7, InfEncoding::Ieee, NanEncoding::Ieee);
  for (const Format& to : {kE4M3FN, e4m4})
    for (const Policy& p : every_deterministic_policy()) {
      ASSERT_TRUE(LookupConverter::applies(kF32, to, p));
      const LookupConverter lookup(kF32, to, p);
      const int result_bytes = storage_bits(to) <= 8 ? 1 : 2;
      const std::size_t row = std::size_t(result_bytes) + 1;
      const std::uint64_t first = 0xbf7fff00, n = (1 << 20) + 300;
      std::vector<unsigned char> records(n * row);
      cli::write_lookup_records(lookup, first, n, result_bytes,
                                reinterpret_cast<char*>(records.data()));
      for (std::uint64_t i = 0; i < n; ++i) {
        // The ends, every block start and its neighbour (those stand alone or end a run), and
        // a prime stride between.
        if (i >= 300 && n - i >= 300 && i % 101 != 0 && ((first + i) & 0xffff) > 1) continue;
        const Rounded want = convert(kF32, to, first + i, p);
        const unsigned char* r = &records[i * row];
        const std::uint64_t bits = result_bytes == 1 ? r[0] : r[0] | unsigned(r[1]) << 8;
        ASSERT_EQ(bits, want.bits) << policy_string(p, 0) << std::hex << " input " << first + i;
        ASSERT_EQ(r[row - 1], want.flags)
            << policy_string(p, 0) << std::hex << " input " << first + i;
      }
    }
}

TEST(LookupConvert, RefusesEqualLowestExponents) {
  // f32 -> bf16: the same emin, where source subnormals can round up to the smallest normal
  // at precision m + 1 below the table's lowest bit (so their tininess is not in the key).
  EXPECT_FALSE(LookupConverter::applies(kF32, kBF16, Policy{}));
  EXPECT_FALSE(LookupConverter::applies(kF32, kF32, Policy{}));
  Policy stochastic;
  stochastic.rounding = Rounding::StochasticA;
  EXPECT_FALSE(LookupConverter::applies(kF32, kE4M3FN, stochastic));
}

TEST(LookupConvertSlow, DISABLED_AllF32CodesIntoE4m3fn) {
  for (const Overflow o : {Overflow::None, Overflow::Finite}) {
    Policy p;
    p.overflow = o;
    EXPECT_EQ(compare(kF32, kE4M3FN, p, 0, std::uint64_t{1} << 32, 1), 0);
  }
}

}  // namespace
}  // namespace numconf
