// Worked examples of formats/arith.hpp.  Every expected code is taken from IEEE 754-2019, the OCP
// OFP8 spec or docs/arithmetic.md and worked out by hand (the derivation is in the comment next
// to it), never from the model.  The exhaustive comparison against the oracle is arith_test.
#include <gtest/gtest.h>

#include <cstdint>
#include <iomanip>
#include <sstream>
#include <string>

#include "formats/arith.hpp"
#include "formats/registry.hpp"

namespace numconf {
namespace {

constexpr Policy kRn{};
constexpr Policy kRm{.rounding = Rounding::TowardNegative};
constexpr Policy kRp{.rounding = Rounding::TowardPositive};
constexpr Policy kRna{.rounding = Rounding::NearestAway};

constexpr std::uint8_t kNone = 0;
constexpr std::uint8_t kNx = flags::kInexact;
constexpr std::uint8_t kUf = flags::kUnderflow;
constexpr std::uint8_t kOf = flags::kOverflow;
constexpr std::uint8_t kDz = flags::kInfinite;
constexpr std::uint8_t kNv = flags::kInvalid;

std::string hex(std::uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// Compares code and flags, naming both on failure.
void expect_result(const Rounded& got, std::uint64_t bits, std::uint8_t flag_bits) {
  EXPECT_EQ(got.bits, bits) << "expected " << hex(bits) << ", got " << hex(got.bits);
  EXPECT_EQ(got.flags, flag_bits) << "expected flags " << hex(flag_bits) << ", got "
                                  << hex(got.flags) << " (result " << hex(got.bits) << ")";
}

// f32 landmarks.
constexpr std::uint64_t kOne = 0x3f800000, kMinusOne = 0xbf800000, kTwo = 0x40000000;
constexpr std::uint64_t kHalf = 0x3f000000, kThree = 0x40400000;
constexpr std::uint64_t kPosZero = 0, kNegZero = 0x80000000;
constexpr std::uint64_t kInf = 0x7f800000, kNegInf = 0xff800000;
constexpr std::uint64_t kDefaultNan = 0x7fc00000;
constexpr std::uint64_t kSignalingNan = 0x7fa00000;  // payload 0x200000, quiet bit clear
constexpr std::uint64_t kQuietedNan = 0x7fe00000;    // the same with the quiet bit set

TEST(ArithSmoke, AddTieToEven) {
  // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23 (0x3f800001): even is 1.
  constexpr std::uint64_t kTiny = 0x33800000;  // 2^-24: biased exponent 103
  expect_result(add(kF32, kOne, kTiny, kRn), kOne, kNx);
  expect_result(add(kF32, kOne, kTiny, kRp), 0x3f800001, kNx);
  expect_result(add(kF32, kOne, kTiny, kRna), 0x3f800001, kNx);
  expect_result(add(kF32, kOne, kOne, kRn), kTwo, kNone);
}

TEST(ArithSmoke, AddOverflowF16) {
  // 65504 (0x7bff) + 16 (0x4c00) = 65520, the tie between 65504 and 2^16: even is 2^16, which
  // overflows to +Inf; toward zero it rounds to 65504, which is no overflow.
  expect_result(add(kF16, 0x7bff, 0x4c00, kRn), 0x7c00, kOf | kNx);
  expect_result(add(kF16, 0x7bff, 0x4c00, Policy{.rounding = Rounding::TowardZero}), 0x7bff, kNx);
}

TEST(ArithSmoke, E4M3FNOverflowToNan) {
  // OCP OFP8: 448 (0x7e) + 32 (0x60) = 480 needs the code 0x7f, which is NaN: an overflow.
  expect_result(add(kE4M3FN, 0x7e, 0x60, kRn), 0x7f, kOf | kNx);
  expect_result(add(kE4M3FN, 0x7e, 0x60, Policy{.overflow = Overflow::Finite}), 0x7e, kOf | kNx);
  // 448 + 16 = 464 rounds to 448 by ties-to-even: not an overflow.
  expect_result(add(kE4M3FN, 0x7e, 0x58, kRn), 0x7e, kNx);
}

TEST(ArithSmoke, ExactZeroSumSign) {
  // x - x is +0, except rounding toward negative (-0); zeros of one sign keep it.
  expect_result(sub(kF32, kThree, kThree, kRn), kPosZero, kNone);
  expect_result(sub(kF32, kThree, kThree, kRm), kNegZero, kNone);
  expect_result(add(kF32, kNegZero, kNegZero, kRn), kNegZero, kNone);
  expect_result(add(kF32, kNegZero, kPosZero, kRn), kPosZero, kNone);
  expect_result(add(kF32, kNegZero, kPosZero, kRm), kNegZero, kNone);
  // e4m3fnuz has no -0.
  expect_result(sub(kE4M3FNUZ, 0x40, 0x40, kRm), 0x00, kNone);
}

TEST(ArithSmoke, InvalidAndDivideByZero) {
  expect_result(mul(kF32, kPosZero, kInf, kRn), kDefaultNan, kNv);
  expect_result(sub(kF32, kInf, kInf, kRn), kDefaultNan, kNv);
  expect_result(div(kF32, kPosZero, kPosZero, kRn), kDefaultNan, kNv);
  expect_result(div(kF32, kInf, kNegInf, kRn), kDefaultNan, kNv);
  expect_result(div(kF32, kOne, kPosZero, kRn), kInf, kDz);
  expect_result(div(kF32, kOne, kNegZero, kRn), kNegInf, kDz);
  expect_result(div(kF32, kMinusOne, kPosZero, kRn), kNegInf, kDz);
  // e4m3fn has no Inf: x / 0 gives what an overflow escapes to, NaN, still flagged as x / 0.
  expect_result(div(kE4M3FN, 0x38, 0x00, kRn), 0x7f, kDz);
  expect_result(sqrt(kF32, kMinusOne, kRn), kDefaultNan, kNv);
  expect_result(sqrt(kF32, kNegZero, kRn), kNegZero, kNone);
  expect_result(sqrt(kF32, kInf, kRn), kInf, kNone);
}

TEST(ArithSmoke, NanOperands) {
  // The first NaN operand, quieted; invalid only for a signaling NaN.
  expect_result(add(kF32, kSignalingNan, kOne, kRn), kQuietedNan, kNv);
  expect_result(add(kF32, kOne, 0xffc00001, kRn), 0xffc00001, kNone);
  expect_result(mul(kF32, 0x7fc00001, 0xffc00002, kRn), 0x7fc00001, kNone);
  // fma(0, Inf, qNaN): invalid, and the NaN is c's.
  expect_result(fma(kF32, kPosZero, kInf, 0x7fc00003, kRn), 0x7fc00003, kNv);
}

TEST(ArithSmoke, KnownQuotientsAndRoots) {
  // sqrt(2) in binary32 is 0x3fb504f3 (1.41421353816986083984375), 1/3 is 0x3eaaaaab.
  expect_result(sqrt(kF32, kTwo, kRn), 0x3fb504f3, kNx);
  expect_result(div(kF32, kOne, kThree, kRn), 0x3eaaaaab, kNx);
  expect_result(div(kF32, kOne, kThree, Policy{.rounding = Rounding::TowardZero}), 0x3eaaaaaa,
                kNx);
  // sqrt(2.25) = 1.5 exactly.
  expect_result(sqrt(kF32, 0x40100000, kRn), 0x3fc00000, kNone);
  // f64: sqrt(2) = 0x3ff6a09e667f3bcd (correctly rounded, known constant).
  expect_result(sqrt(kF64, 0x4000000000000000, kRn), 0x3ff6a09e667f3bcd, kNx);
}

TEST(ArithSmoke, F64ProductNeeds106Bits) {
  // (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104: the 2^-104 is far below half an ulp (2^-53), so rn
  // gives 1 + 2^-51 and rp 1 + 2^-51 + 2^-52.
  constexpr std::uint64_t kOnePlusUlp = 0x3ff0000000000001;
  expect_result(mul(kF64, kOnePlusUlp, kOnePlusUlp, kRn), 0x3ff0000000000002, kNx);
  expect_result(mul(kF64, kOnePlusUlp, kOnePlusUlp, kRp), 0x3ff0000000000003, kNx);
}

TEST(ArithSmoke, F64FmaSingleRounding) {
  constexpr std::uint64_t kOnePlusUlp = 0x3ff0000000000001;      // 1 + 2^-52
  constexpr std::uint64_t kOneMinusHalfUlp = 0x3fefffffffffffff;  // 1 - 2^-53
  constexpr std::uint64_t kF64MinusOne = 0xbff0000000000000;
  // (1 + 2^-52)^2 - 1 = 2^-51 + 2^-104, exactly halfway between 2^-51 and its successor:
  // ties-to-even gives 2^-51 (biased exponent 972 = 0x3cc), ties-away the successor.
  expect_result(fma(kF64, kOnePlusUlp, kOnePlusUlp, kF64MinusOne, kRn), 0x3cc0000000000000, kNx);
  expect_result(fma(kF64, kOnePlusUlp, kOnePlusUlp, kF64MinusOne, kRna), 0x3cc0000000000001,
                kNx);
  // (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105 = 2^-54 (2 - 2^-51): exact in f64
  // (biased exponent 969 = 0x3c9, fraction 2^52 - 2), where a separate product would give 0.
  expect_result(fma(kF64, kOnePlusUlp, kOneMinusHalfUlp, kF64MinusOne, kRn), 0x3c9ffffffffffffe,
                kNone);
  // The same product plus +0 is 1 + 2^-53 - 2^-105: just below the midpoint, rounds to 1.
  expect_result(fma(kF64, kOnePlusUlp, kOneMinusHalfUlp, 0, kRn), 0x3ff0000000000000, kNx);
  // 0 * 5 + (-0): product +0 plus -0 is +0 (rn), -0 (rm).
  expect_result(fma(kF64, 0, 0x4014000000000000, 0x8000000000000000, kRn), 0, kNone);
  expect_result(fma(kF64, 0, 0x4014000000000000, 0x8000000000000000, kRm), 0x8000000000000000,
                kNone);
}

TEST(ArithSmoke, F64StochasticSeesBitsFarBelow) {
  // 1 + 2^-60 lies 2^-8 of an ulp above 1.  StochasticA with N = 8: up iff
  // floor(2^-8 * 2^8) + R >= 2^8, i.e. R = 255.  A 64-bit significand would keep only 11 bits
  // below the f64 result and lose this.
  const Policy sra{.rounding = Rounding::StochasticA, .random_bits = 8};
  constexpr std::uint64_t kSmall = 0x3c30000000000000;  // 2^-60: biased exponent 963
  expect_result(add(kF64, 0x3ff0000000000000, kSmall, sra, 255), 0x3ff0000000000001, kNx);
  expect_result(add(kF64, 0x3ff0000000000000, kSmall, sra, 254), 0x3ff0000000000000, kNx);
}

TEST(ArithSmoke, SubnormalResults) {
  // 2^-126 (1 + 2^-23) * 0.5 = a subnormal tie: even is 2^-127 (0x00400000), tiny and inexact.
  expect_result(mul(kF32, 0x00800001, kHalf, kRn), 0x00400000, kUf | kNx);
  // 2^-126 * 0.5 is exact: no underflow flag.
  expect_result(mul(kF32, 0x00800000, kHalf, kRn), 0x00400000, kNone);
  // ftz flushes the tiny result, daz reads the subnormal operand as zero.
  expect_result(mul(kF32, 0x00800000, kHalf, Policy{.flush_outputs = true}), 0, kUf | kNx);
  expect_result(add(kF32, 0x80000001, kPosZero, Policy{.flush_inputs = true}), kPosZero, kNone);
}

TEST(ArithSmoke, MinMax) {
  const Policy p{};
  // -0 < +0 for minimum/maximum.
  expect_result(minimum(kF32, kPosZero, kNegZero, p), kNegZero, kNone);
  expect_result(maximum(kF32, kNegZero, kPosZero, p), kPosZero, kNone);
  expect_result(minimum(kF32, kTwo, kMinusOne, p), kMinusOne, kNone);
  expect_result(maximum(kF32, kNegInf, kMinusOne, p), kMinusOne, kNone);
  // minimum/maximum propagate NaN; the *Number forms take the number.
  expect_result(minimum(kF32, kOne, 0x7fc00001, p), 0x7fc00001, kNone);
  expect_result(maximum(kF32, kSignalingNan, kOne, p), kQuietedNan, kNv);
  expect_result(minimum_number(kF32, 0x7fc00001, kOne, p), kOne, kNone);
  expect_result(maximum_number(kF32, kOne, kSignalingNan, p), kOne, kNv);
  expect_result(maximum_number(kF32, 0xffc00001, 0x7fc00002, p), 0xffc00001, kNone);
}

TEST(ArithSmoke, Compare) {
  const Policy p{};
  EXPECT_EQ(compare(kF32, kNegZero, kPosZero, p), (Compared{Ordering::Equal, kNone}));
  EXPECT_EQ(compare(kF32, kMinusOne, kNegZero, p), (Compared{Ordering::Less, kNone}));
  EXPECT_EQ(compare(kF32, kInf, kTwo, p), (Compared{Ordering::Greater, kNone}));
  EXPECT_EQ(compare(kF32, kThree, kTwo, p), (Compared{Ordering::Greater, kNone}));
  EXPECT_EQ(compare(kF32, 0xc0400000, kNegInf, p), (Compared{Ordering::Greater, kNone}));
  EXPECT_EQ(compare(kF32, kDefaultNan, kOne, p), (Compared{Ordering::Unordered, kNone}));
  EXPECT_EQ(compare(kF32, kOne, kSignalingNan, p), (Compared{Ordering::Unordered, kNv}));
}

TEST(ArithSmoke, RoundToIntegral) {
  // 2.5 -> 2 (ties to even), 3.5 -> 4; -0.5 -> -0; only the exact variant flags inexact.
  expect_result(round_to_integral(kF32, 0x40200000, kRn, false), kTwo, kNone);
  expect_result(round_to_integral(kF32, 0x40200000, kRn, true), kTwo, kNx);
  expect_result(round_to_integral(kF32, 0x40600000, kRn, true), 0x40800000, kNx);
  expect_result(round_to_integral(kF32, 0xbf000000, kRn, true), kNegZero, kNx);
  expect_result(round_to_integral(kF32, 0x40200000, kRp, true), kThree, kNx);
  expect_result(round_to_integral(kF32, kThree, kRn, true), kThree, kNone);
  expect_result(round_to_integral(kF32, 0x4b800001, kRn, true), 0x4b800001, kNone);  // 2^24 + 2
}

}  // namespace
}  // namespace numconf
