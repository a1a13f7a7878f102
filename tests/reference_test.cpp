// Checks the oracle against published facts: OCP OFP8 / MX values, IEEE 754 binary16/32/64
// encodings and rounding examples, the P3109 Annex B tables and formulas (docs/p3109-notes.md),
// x86 integer conversion conventions, and independent conversions done by the hardware.
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <string>

#include "formats/registry.hpp"
#include "reference/oracle.hpp"

namespace numconf::ref {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

constexpr std::uint8_t kNone = 0;
constexpr std::uint8_t kInexact = flags::kInexact;
constexpr std::uint8_t kUnderflow = flags::kUnderflow;
constexpr std::uint8_t kOverflow = flags::kOverflow;
constexpr std::uint8_t kInvalid = flags::kInvalid;
constexpr std::uint8_t kUnderflowInexact = kUnderflow | kInexact;
constexpr std::uint8_t kOverflowInexact = kOverflow | kInexact;

const Format kBinary8p3se = p3109_format(8, 3, true, true);
const Format kBinary8p3sf = p3109_format(8, 3, true, false);
const Format kBinary8p3ue = p3109_format(8, 3, false, true);
const Format kU64 = int_format(64, false);

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string name_of(const Format& f) {
  for (const auto& named : kBuiltinFormats)
    if (named.format == f) return std::string(named.name);
  return "custom(e=" + std::to_string(f.exponent_bits) + ",m=" + std::to_string(f.mantissa_bits) +
         ",bias=" + std::to_string(f.bias) + ")";
}

std::string describe(const Policy& p) {
  return "rounding " + std::to_string(int(p.rounding)) + " overflow " +
         std::to_string(int(p.overflow)) + " tininess " + std::to_string(int(p.tininess)) +
         " daz " + std::to_string(p.flush_inputs) + " ftz " + std::to_string(p.flush_outputs) +
         " N " + std::to_string(p.random_bits);
}

Policy rounding(Rounding mode) {
  Policy p;
  p.rounding = mode;
  return p;
}

Policy overflow(Overflow rule) {
  Policy p;
  p.overflow = rule;
  return p;
}

Policy stochastic(Rounding mode, int random_bits) {
  Policy p = rounding(mode);
  p.random_bits = random_bits;
  return p;
}

cpp_rational pow2(int exponent) {
  return exponent >= 0 ? cpp_rational(cpp_int(1) << exponent)
                       : cpp_rational(cpp_int(1), cpp_int(1) << -exponent);
}

testing::AssertionResult converts(const Format& from, const Format& to, std::uint64_t code,
                                  const Policy& policy, std::uint64_t bits, std::uint8_t flags,
                                  std::uint64_t random = 0) {
  const Rounded got = convert(from, to, code, policy, random);
  if (got.bits == bits && got.flags == flags) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << name_of(from) << " " << hex(code) << " -> " << name_of(to) << " (" << describe(policy)
         << ", R " << hex(random) << "): expected " << hex(bits) << " flags " << hex(flags)
         << ", got " << hex(got.bits) << " flags " << hex(got.flags);
}

testing::AssertionResult converts(const Format& from, const Format& to, std::uint64_t code,
                                  std::uint64_t bits, std::uint8_t flags) {
  return converts(from, to, code, Policy{}, bits, flags);
}

testing::AssertionResult rounds(const Format& to, bool negative, const cpp_rational& magnitude,
                                const Policy& policy, std::uint64_t bits, std::uint8_t flags) {
  const Rounded got = round_value(to, negative, magnitude, policy);
  if (got.bits == bits && got.flags == flags) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << (negative ? "-" : "") << magnitude << " -> " << name_of(to) << " (" << describe(policy)
         << "): expected " << hex(bits) << " flags " << hex(flags) << ", got " << hex(got.bits)
         << " flags " << hex(got.flags);
}

testing::AssertionResult decodes_to(const Format& f, std::uint64_t code, ValueClass cls,
                                    bool negative, const cpp_rational& magnitude) {
  const ExactValue v = decode(f, code);
  if (v.cls == cls && v.negative == negative && v.magnitude == magnitude)
    return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << name_of(f) << " " << hex(code) << ": expected class " << int(cls)
         << (negative ? " -" : " +") << magnitude << ", got class " << int(v.cls)
         << (v.negative ? " -" : " +") << v.magnitude;
}

testing::AssertionResult decodes_to(const Format& f, std::uint64_t code,
                                    const cpp_rational& signed_value) {
  const bool negative = signed_value < 0;
  const cpp_rational magnitude = negative ? cpp_rational(-signed_value) : signed_value;
  const ExactValue v = decode(f, code);
  const bool finite_class =
      v.cls == ValueClass::Zero || v.cls == ValueClass::Subnormal || v.cls == ValueClass::Normal;
  if (finite_class && v.magnitude == magnitude && (magnitude == 0 || v.negative == negative))
    return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << name_of(f) << " " << hex(code) << ": expected " << signed_value << ", got class "
         << int(v.cls) << (v.negative ? " -" : " +") << v.magnitude;
}

std::uint32_t bits_of(float value) { return std::bit_cast<std::uint32_t>(value); }
std::uint64_t bits_of(double value) { return std::bit_cast<std::uint64_t>(value); }

// ---- Decoding -----------------------------------------------------------------------------

TEST(ReferenceDecode, OcpE4M3FnValues) {
  EXPECT_TRUE(decodes_to(kE4M3FN, 0x7e, 448));
  EXPECT_TRUE(decodes_to(kE4M3FN, 0xfe, -448));
  EXPECT_TRUE(decodes_to(kE4M3FN, 0x38, 1));
  EXPECT_TRUE(decodes_to(kE4M3FN, 0x08, pow2(-6)));
  EXPECT_TRUE(decodes_to(kE4M3FN, 0x01, ValueClass::Subnormal, false, pow2(-9)));
  EXPECT_TRUE(decodes_to(kE4M3FN, 0x80, ValueClass::Zero, true, 0));
  EXPECT_EQ(decode(kE4M3FN, 0x7f).cls, ValueClass::Nan);
  EXPECT_EQ(decode(kE4M3FN, 0xff).cls, ValueClass::Nan);
  EXPECT_TRUE(decode(kE4M3FN, 0xff).negative);
}

TEST(ReferenceDecode, OcpE5M2Values) {
  EXPECT_TRUE(decodes_to(kE5M2, 0x7b, 57344));
  EXPECT_TRUE(decodes_to(kE5M2, 0x7c, ValueClass::Infinite, false, 0));
  EXPECT_TRUE(decodes_to(kE5M2, 0xfc, ValueClass::Infinite, true, 0));
  EXPECT_TRUE(decodes_to(kE5M2, 0x04, ValueClass::Normal, false, pow2(-14)));
  EXPECT_TRUE(decodes_to(kE5M2, 0x01, ValueClass::Subnormal, false, pow2(-16)));
  EXPECT_TRUE(decode(kE5M2, 0x7d).signaling);
  EXPECT_EQ(decode(kE5M2, 0x7d).nan_payload, 1u);
  EXPECT_FALSE(decode(kE5M2, 0x7e).signaling);
}

TEST(ReferenceDecode, IeeeBinary16Values) {
  EXPECT_TRUE(decodes_to(kF16, 0x7bff, 65504));
  EXPECT_TRUE(decodes_to(kF16, 0x3c00, 1));
  EXPECT_TRUE(decodes_to(kF16, 0x3555, cpp_rational(1365, 4096)));
  EXPECT_TRUE(decodes_to(kF16, 0x0400, ValueClass::Normal, false, pow2(-14)));
  EXPECT_TRUE(decodes_to(kF16, 0x0001, ValueClass::Subnormal, false, pow2(-24)));
  EXPECT_TRUE(decodes_to(kF16, 0xfc00, ValueClass::Infinite, true, 0));
}

TEST(ReferenceDecode, IeeeNanFields) {
  const ExactValue quiet = decode(kF32, 0x7fc12345);
  EXPECT_EQ(quiet.cls, ValueClass::Nan);
  EXPECT_FALSE(quiet.signaling);
  EXPECT_EQ(quiet.nan_payload, 0x412345u);
  const ExactValue signaling = decode(kF32, 0xff800001);
  EXPECT_TRUE(signaling.signaling);
  EXPECT_TRUE(signaling.negative);
  EXPECT_EQ(signaling.nan_payload, 1u);
}

TEST(ReferenceDecode, OcpFp4AndFp6Values) {
  const int e2m1[] = {0, 1, 2, 3, 4, 6, 8, 12};  // halves: 0, 0.5, 1, 1.5, 2, 3, 4, 6
  for (std::uint64_t code = 0; code < 8; ++code) {
    EXPECT_TRUE(decodes_to(kE2M1FN, code, cpp_rational(e2m1[code], 2)));
    EXPECT_TRUE(decodes_to(kE2M1FN, code | 8, -cpp_rational(e2m1[code], 2)));
  }
  EXPECT_TRUE(decodes_to(kE2M3FN, 0x1f, cpp_rational(15, 2)));
  EXPECT_TRUE(decodes_to(kE2M3FN, 0x01, cpp_rational(1, 8)));
  EXPECT_TRUE(decodes_to(kE3M2FN, 0x1f, 28));
  EXPECT_TRUE(decodes_to(kE3M2FN, 0x01, cpp_rational(1, 16)));
}

TEST(ReferenceDecode, OcpE8M0FnuScale) {
  EXPECT_TRUE(decodes_to(kE8M0FNU, 0x7f, 1));
  EXPECT_TRUE(decodes_to(kE8M0FNU, 0x80, 2));
  EXPECT_TRUE(decodes_to(kE8M0FNU, 0x00, ValueClass::Normal, false, pow2(-127)));
  EXPECT_TRUE(decodes_to(kE8M0FNU, 0xfe, pow2(127)));
  EXPECT_EQ(decode(kE8M0FNU, 0xff).cls, ValueClass::Nan);
}

TEST(ReferenceDecode, FnuzFormats) {
  EXPECT_EQ(decode(kE4M3FNUZ, 0x80).cls, ValueClass::Nan);
  EXPECT_FALSE(decode(kE4M3FNUZ, 0x80).negative);
  EXPECT_TRUE(decodes_to(kE4M3FNUZ, 0x7f, 240));
  EXPECT_TRUE(decodes_to(kE4M3FNUZ, 0x08, pow2(-7)));
  EXPECT_TRUE(decodes_to(kE5M2FNUZ, 0x7f, 57344));
  EXPECT_TRUE(decodes_to(kE4M3B11FNUZ, 0x7f, 30));
}

TEST(ReferenceDecode, Tf32InItsContainer) {
  EXPECT_TRUE(decodes_to(kTF32, 0x3f800000, 1));
  EXPECT_TRUE(decodes_to(kTF32, 0x7f7fe000, (2 - pow2(-10)) * pow2(127)));
  EXPECT_TRUE(decodes_to(kTF32, 0x00002000, ValueClass::Subnormal, false, pow2(-136)));
}

// D1 Annex B Tables 4 and 6.
TEST(ReferenceDecode, P3109AnnexBTables) {
  const Format binary4p1se = p3109_format(4, 1, true, true);
  const cpp_rational p1se[] = {0, pow2(-3), pow2(-2), pow2(-1), 1, 2, 4};
  for (std::uint64_t code = 0; code < 7; ++code)
    EXPECT_TRUE(decodes_to(binary4p1se, code, p1se[code]));
  EXPECT_EQ(decode(binary4p1se, 7).cls, ValueClass::Infinite);
  EXPECT_EQ(decode(binary4p1se, 8).cls, ValueClass::Nan);
  EXPECT_TRUE(decodes_to(binary4p1se, 0xe, -4));

  const Format binary4p4ue = p3109_format(4, 4, false, true);
  for (std::uint64_t code = 0; code < 14; ++code)
    EXPECT_TRUE(decodes_to(binary4p4ue, code, cpp_rational(cpp_int(code), 8)));
  EXPECT_EQ(decode(binary4p4ue, 14).cls, ValueClass::Infinite);
  EXPECT_EQ(decode(binary4p4ue, 15).cls, ValueClass::Nan);
}

// MaxFinite values checked in docs/p3109-notes.md §1, and where 1.0 sits.
TEST(ReferenceDecode, P3109MaxFiniteAndOne) {
  EXPECT_TRUE(decodes_to(kBinary8p3se, 0x7e, 49152));
  EXPECT_EQ(decode(kBinary8p3se, 0x7f).cls, ValueClass::Infinite);
  EXPECT_TRUE(decodes_to(kBinary8p3se, 0xff, ValueClass::Infinite, true, 0));
  EXPECT_EQ(decode(kBinary8p3se, 0x80).cls, ValueClass::Nan);
  EXPECT_TRUE(decodes_to(kBinary8p3se, 0x40, 1));
  EXPECT_TRUE(decodes_to(kBinary8p3se, 0xc0, -1));
  EXPECT_TRUE(decodes_to(kBinary8p3se, 0x01, pow2(-17)));
  EXPECT_TRUE(decodes_to(p3109_format(8, 4, true, true), 0x7e, 224));
  EXPECT_TRUE(decodes_to(p3109_format(8, 4, true, false), 0x7f, 240));
  EXPECT_TRUE(decodes_to(p3109_format(4, 2, true, false), 0x7, 3));
  EXPECT_TRUE(decodes_to(p3109_format(4, 3, false, true), 13, cpp_rational(5, 2)));
  EXPECT_TRUE(decodes_to(p3109_format(4, 2, false, true), 13, 6));
  EXPECT_TRUE(decodes_to(kBinary8p3ue, 0x80, 1));
}

TEST(ReferenceDecode, TwosComplementIntegers) {
  EXPECT_TRUE(decodes_to(kI8, 0x80, -128));
  EXPECT_TRUE(decodes_to(kI8, 0xff, -1));
  EXPECT_TRUE(decodes_to(kI8, 0x7f, 127));
  EXPECT_TRUE(decodes_to(kU8, 0xff, 255));
  EXPECT_TRUE(decodes_to(kI4, 0x8, -8));
  EXPECT_TRUE(decodes_to(kI64, 0x8000000000000000, -pow2(63)));
  EXPECT_TRUE(decodes_to(kU64, ~std::uint64_t{0}, pow2(64) - 1));
}

// ---- Float targets: OCP OFP8 ----------------------------------------------------------------

TEST(ReferenceConvert, OcpE4M3FnRoundsBeforeOverflow) {
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(448.0f), 0x7e, kNone));
  // 464 is the tie between 448 and 512: it rounds to even 448 and is not an overflow.
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(464.0f), 0x7e, kInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(464.0f) + 1, 0x7f, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(-464.0f) + 1, 0xff, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(464.0f) + 1, overflow(Overflow::Finite), 0x7e,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(480.0f), 0x7f, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(-480.0f), overflow(Overflow::Propagate), 0xfe,
                       kOverflowInexact));
}

TEST(ReferenceConvert, OcpE4M3FnSpecials) {
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0x7f800000, 0x7f, kInvalid));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0xff800000, 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0x7f800000, overflow(Overflow::Finite), 0x7e, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0xff800000, overflow(Overflow::Finite), 0xfe, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0x7f800000, overflow(Overflow::Propagate), 0x7e, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0x7fc00000, 0x7f, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0xffc00000, 0xff, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0x80000000, 0x80, kNone));
  EXPECT_TRUE(converts(kE4M3FN, kF32, 0xff, 0xffc00000, kNone));
}

TEST(ReferenceConvert, OcpE5M2OverflowsToInfinity) {
  EXPECT_TRUE(converts(kF32, kE5M2, bits_of(57344.0f), 0x7b, kNone));
  EXPECT_TRUE(converts(kF32, kE5M2, bits_of(61439.0f), 0x7b, kInexact));
  EXPECT_TRUE(converts(kF32, kE5M2, bits_of(61440.0f), 0x7c, kOverflowInexact));
  EXPECT_TRUE(
      converts(kF32, kE5M2, bits_of(61440.0f), overflow(Overflow::Finite), 0x7b, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE5M2, 0x7f800000, 0x7c, kNone));
  EXPECT_TRUE(converts(kF32, kE5M2, 0xff800000, overflow(Overflow::Propagate), 0xfc, kNone));
  EXPECT_TRUE(converts(kF16, kE5M2, 0x7e00, 0x7e, kNone));
  EXPECT_TRUE(converts(kF16, kE5M2, 0x7c01, 0x7e, kInvalid));
}

TEST(ReferenceConvert, OcpFp4Rounding) {
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(5.0f), 0x6, kInexact));            // tie: 4 is even
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(0.75f), 0x2, kUnderflowInexact));  // to 1.0
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(0.25f), 0x0, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(-0.25f), 0x8, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(6.5f), 0x7, kInexact));
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(7.0f), 0x7, kOverflowInexact));  // tie to 8
  EXPECT_TRUE(converts(kF32, kE2M1FN, bits_of(-7.0f), 0xf, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE2M1FN, 0x7f800000, 0x7, kInvalid));
  EXPECT_TRUE(converts(kF32, kE2M1FN, 0xff800000, 0xf, kInvalid));
}

TEST(ReferenceConvert, NanIntoNanlessFormats) {
  Policy keep_max;
  keep_max.nan_to_nanless = NanToNanless::MaxFinite;
  EXPECT_TRUE(converts(kF32, kE2M1FN, 0x7fc00000, 0x0, kInvalid));
  EXPECT_TRUE(converts(kF32, kE2M1FN, 0xffc00000, 0x0, kInvalid));
  EXPECT_TRUE(converts(kF32, kE2M1FN, 0xffc00000, keep_max, 0xf, kInvalid));
  EXPECT_TRUE(converts(kF32, kE3M2FN, 0x7fc00000, keep_max, 0x1f, kInvalid));
}

TEST(ReferenceConvert, OcpE8M0FnuScale) {
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(1.0f), 0x7f, kNone));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(0.0f), 0x00, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(-0.0f), 0x00, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(-1.0f), 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(-1.0f), overflow(Overflow::Finite), 0x00, kInvalid));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x00400000, 0x00, kNone));              // 2^-127
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x00200000, 0x00, kUnderflowInexact));  // 2^-128
  // Ties go to the even code, here the even biased exponent: 3 -> 2 (0x80), 6 -> 8 (0x82).
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(3.0f), 0x80, kInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(6.0f), 0x82, kInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(3.0f), rounding(Rounding::ToOdd), 0x81, kInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, bits_of(6.0f), rounding(Rounding::ToOdd), 0x81, kInexact));
  EXPECT_TRUE(
      converts(kF32, kE8M0FNU, bits_of(3.0f), rounding(Rounding::TowardZero), 0x80, kInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x7f000000, 0xfe, kNone));  // 2^127
  EXPECT_TRUE(converts(kF64, kE8M0FNU, bits_of(0x1p128), 0xff, kOverflowInexact));
  EXPECT_TRUE(converts(kF64, kE8M0FNU, bits_of(0x1p128), overflow(Overflow::Finite), 0xfe,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x7f800000, 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x7f800000, overflow(Overflow::Finite), 0xfe, kNone));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x7f800000, overflow(Overflow::Propagate), 0xfe, kNone));
  EXPECT_TRUE(converts(kF32, kE8M0FNU, 0x7fc00000, 0xff, kNone));
}

TEST(ReferenceConvert, FnuzNan) {
  EXPECT_TRUE(converts(kF32, kE4M3FNUZ, 0x7fc00000, 0x80, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FNUZ, 0xffc00000, 0x80, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FNUZ, 0x80000000, 0x00, kNone));  // no -0
  EXPECT_TRUE(converts(kF32, kE4M3FNUZ, 0x7f800000, 0x80, kInvalid));
  EXPECT_TRUE(converts(kE4M3FNUZ, kF32, 0x80, 0x7fc00000, kNone));  // the NaN has no sign
  EXPECT_TRUE(converts(kF32, kE4M3FNUZ, bits_of(-240.0f), 0xff, kNone));
}

// ---- Float targets: IEEE 754 --------------------------------------------------------------

TEST(ReferenceConvert, IeeeBinary16Overflow) {
  EXPECT_TRUE(converts(kF32, kF16, bits_of(65504.0f), 0x7bff, kNone));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(65519.0f), 0x7bff, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(65520.0f), 0x7c00, kOverflowInexact));
  // Overflow is judged on the result rounded in the mode: 65520 by rz is 65504, no overflow.
  EXPECT_TRUE(
      converts(kF32, kF16, bits_of(65520.0f), rounding(Rounding::TowardZero), 0x7bff, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(1e5f), rounding(Rounding::TowardZero), 0x7bff,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(1e5f), rounding(Rounding::TowardNegative), 0x7bff,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(1e5f), rounding(Rounding::TowardPositive), 0x7c00,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(-1e5f), rounding(Rounding::TowardNegative), 0xfc00,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(-1e5f), rounding(Rounding::TowardPositive), 0xfbff,
                       kOverflowInexact));
  EXPECT_TRUE(
      converts(kF32, kF16, bits_of(1e5f), rounding(Rounding::ToOdd), 0x7bff, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(1e5f), rounding(Rounding::NearestAway), 0x7c00,
                       kOverflowInexact));
  EXPECT_TRUE(
      converts(kF32, kF16, bits_of(1e5f), overflow(Overflow::Propagate), 0x7bff, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0x7f800000, overflow(Overflow::Propagate), 0x7c00, kNone));
  EXPECT_TRUE(converts(kF32, kF16, 0x7f800000, overflow(Overflow::Finite), 0x7bff, kNone));
}

TEST(ReferenceConvert, IeeeBinary16Underflow) {
  EXPECT_TRUE(converts(kF32, kF16, 0x33000000, 0x0000, kUnderflowInexact));  // 2^-25 tie to 0
  EXPECT_TRUE(converts(kF32, kF16, 0xb3000000, 0x8000, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0x33000001, 0x0001, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0x33800000, 0x0001, kNone));              // 2^-24 exactly
  EXPECT_TRUE(converts(kF32, kF16, 0x33c00000, 0x0002, kUnderflowInexact));  // 1.5 quanta
  EXPECT_TRUE(converts(kF32, kF16, 0x00000001, rounding(Rounding::TowardPositive), 0x0001,
                       kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0x80000001, rounding(Rounding::TowardPositive), 0x8000,
                       kUnderflowInexact));
}

// 2^-14 - 2^-26 rounds to the smallest normal, 2^-14; it is tiny only before rounding.
TEST(ReferenceConvert, IeeeTininessBeforeAndAfterRounding) {
  Policy before;
  before.tininess = Tininess::BeforeRounding;
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, 0x0400, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, before, 0x0400, kUnderflowInexact));
  EXPECT_TRUE(
      converts(kF32, kF16, 0x387ff000, rounding(Rounding::TowardZero), 0x03ff, kUnderflowInexact));
  Policy ftz;
  ftz.flush_outputs = true;
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, ftz, 0x0400, kInexact));
  ftz.tininess = Tininess::BeforeRounding;
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, ftz, 0x0000, kUnderflowInexact));
}

TEST(ReferenceConvert, FlushToZeroAndDenormalsAreZero) {
  Policy ftz;
  ftz.flush_outputs = true;
  EXPECT_TRUE(converts(kF32, kF16, 0x33800000, ftz, 0x0000, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0xb3800000, ftz, 0x8000, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, 0x38800000, ftz, 0x0400, kNone));
  Policy daz;
  daz.flush_inputs = true;
  EXPECT_TRUE(converts(kF16, kF32, 0x0001, daz, 0x00000000, kNone));
  EXPECT_TRUE(converts(kF16, kF32, 0x8001, daz, 0x80000000, kNone));
  EXPECT_TRUE(converts(kF16, kF32, 0x0400, daz, 0x38800000, kNone));
  EXPECT_TRUE(converts(kF16, kF32, 0x0001, 0x33800000, kNone));
}

TEST(ReferenceConvert, IeeeDirectedRoundings) {
  const std::uint32_t tie = 0x3f801000;  // 1 + 2^-11, halfway between two binary16 values
  EXPECT_TRUE(converts(kF32, kF16, tie, rounding(Rounding::NearestEven), 0x3c00, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, tie, rounding(Rounding::NearestAway), 0x3c01, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, tie, rounding(Rounding::TowardZero), 0x3c00, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, tie, rounding(Rounding::TowardPositive), 0x3c01, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, tie, rounding(Rounding::TowardNegative), 0x3c00, kInexact));
  const std::uint32_t negative = tie | 0x80000000;
  EXPECT_TRUE(converts(kF32, kF16, negative, rounding(Rounding::NearestAway), 0xbc01, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, negative, rounding(Rounding::TowardPositive), 0xbc00, kInexact));
  EXPECT_TRUE(converts(kF32, kF16, negative, rounding(Rounding::TowardNegative), 0xbc01, kInexact));
}

TEST(ReferenceConvert, BFloat16TiesToEven) {
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f808000, 0x3f80, kInexact));
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f818000, 0x3f82, kInexact));
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f808001, 0x3f81, kInexact));
  EXPECT_TRUE(converts(kF32, kBF16, 0x7f7fffff, 0x7f80, kOverflowInexact));
  EXPECT_TRUE(converts(kBF16, kF32, 0x3f81, 0x3f810000, kNone));
}

TEST(ReferenceConvert, RoundToOdd) {
  const Policy odd = rounding(Rounding::ToOdd);
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f808000, odd, 0x3f81, kInexact));
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f818000, odd, 0x3f81, kInexact));
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f810000, odd, 0x3f81, kNone));
  EXPECT_TRUE(converts(kF32, kBF16, 0x3f820001, odd, 0x3f83, kInexact));
  EXPECT_TRUE(converts(kF64, kF32, bits_of(1 + 0x1p-24), odd, 0x3f800001, kInexact));
}

TEST(ReferenceConvert, Tf32KeepsItsPadding) {
  EXPECT_TRUE(converts(kF32, kTF32, 0x3f801000, 0x3f800000, kInexact));
  EXPECT_TRUE(converts(kF32, kTF32, 0x3f803000, 0x3f804000, kInexact));
  EXPECT_TRUE(converts(kF32, kTF32, 0x7fc12345, 0x7fc12000, kNone));
  EXPECT_TRUE(converts(kTF32, kF16, 0x3f804000, 0x3c02, kNone));
}

TEST(ReferenceConvert, IeeeNanPayloads) {
  // Trailing significand 0x412345 keeps its top ten bits, 0x209, in binary16.
  EXPECT_TRUE(converts(kF32, kF16, 0x7fc12345, 0x7e09, kNone));
  EXPECT_TRUE(converts(kF32, kF16, 0xff812345, 0xfe09, kInvalid));  // quieted
  EXPECT_TRUE(converts(kF32, kF16, 0x7f800001, 0x7e00, kInvalid));  // payload truncated away
  EXPECT_TRUE(converts(kF16, kF32, 0x7d55, 0x7feaa000, kInvalid));
  EXPECT_TRUE(converts(kF16, kF64, 0xfe00, 0xfff8000000000000, kNone));
  EXPECT_TRUE(converts(kF32, kBF16, 0x7fc12345, 0x7fc1, kNone));
}

// A negative value is rounded first; a non-zero result lies below [0, max] (P3109/D1 4.7.5 and
// the SatNone table of docs/p3109-notes.md §3).
TEST(ReferenceConvert, NegativesIntoUnsignedTargets) {
  const std::uint32_t minus_one = bits_of(-1.0f);
  EXPECT_TRUE(converts(kF32, kUE4M3, bits_of(448.0f), 0x7e, kNone));
  EXPECT_TRUE(converts(kF32, kUE4M3, minus_one, 0x7f, kInvalid));
  EXPECT_TRUE(
      converts(kF32, kUE4M3, minus_one, rounding(Rounding::TowardNegative), 0x7f, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, minus_one, rounding(Rounding::TowardZero), 0x00, kInvalid));
  EXPECT_TRUE(
      converts(kF32, kUE4M3, minus_one, rounding(Rounding::TowardPositive), 0x00, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, minus_one, overflow(Overflow::Finite), 0x00, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, minus_one, overflow(Overflow::Propagate), 0x00, kInvalid));
  Policy v3;
  v3.overflow_rule = OverflowRule::P3109V3;
  EXPECT_TRUE(converts(kF32, kUE4M3, minus_one, v3, 0x00, kInvalid));
  EXPECT_TRUE(converts(kF32, kBinary8p3ue, minus_one, 0xff, kInvalid));
  // A tiny negative rounds to +0 with the usual flags, unless rm keeps it non-zero.
  EXPECT_TRUE(converts(kF32, kUE4M3, 0x80000001, 0x00, kUnderflowInexact));
  EXPECT_TRUE(
      converts(kF32, kUE4M3, 0x80000001, rounding(Rounding::TowardNegative), 0x7f, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, 0x80000000, 0x00, kNone));
  EXPECT_TRUE(converts(kF32, kUE4M3, 0xff800000, 0x7f, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, 0xff800000, overflow(Overflow::Finite), 0x00, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, 0xff800000, rounding(Rounding::TowardZero), 0x00, kInvalid));
  EXPECT_TRUE(converts(kF32, kUE4M3, 0xffc00000, 0x7f, kNone));
  // Without NaN, nan_to_nanless stands in for it.
  const Format unsigned_e2m1 =
      *parse_format("float:e=2,m=1,bias=1,inf=none,nan=none,signed=no").format;
  Policy keep_max;
  keep_max.nan_to_nanless = NanToNanless::MaxFinite;
  EXPECT_TRUE(converts(kF32, unsigned_e2m1, minus_one, 0x0, kInvalid));
  EXPECT_TRUE(converts(kF32, unsigned_e2m1, minus_one, keep_max, 0x7, kInvalid));
}

// Overflow::None under the three overflow rules of docs/semantics.md.
TEST(ReferenceConvert, OverflowRules) {
  Policy p3109 = rounding(Rounding::ToOdd);
  p3109.overflow_rule = OverflowRule::P3109;
  Policy v3 = rounding(Rounding::ToOdd);
  v3.overflow_rule = OverflowRule::P3109V3;
  EXPECT_TRUE(
      converts(kF32, kF16, bits_of(1e5f), rounding(Rounding::ToOdd), 0x7bff, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(1e5f), p3109, 0x7c00, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kF16, bits_of(1e5f), v3, 0x7c00, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(480.0f), p3109, 0x7f, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(480.0f), v3, 0x7e, kOverflowInexact));
  v3.rounding = Rounding::NearestEven;
  EXPECT_TRUE(converts(kF32, kBinary8p3sf, bits_of(61440.0f), v3, 0x7f, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kBinary8p3sf, 0xff800000, v3, 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kBinary8p3se, 0xff800000, v3, 0xff, kNone));
  EXPECT_TRUE(converts(kF32, kE4M3FN, 0x7f800000, v3, 0x7e, kInvalid));
}

// ---- Float targets: P3109 -----------------------------------------------------------------

TEST(ReferenceConvert, P3109Binary8p3se) {
  const Format& to = kBinary8p3se;
  EXPECT_TRUE(converts(kF32, to, bits_of(49152.0f), 0x7e, kNone));
  // MaxFinite + ulp/2: the trailing significand of MaxFinite is even, so the tie stays.
  EXPECT_TRUE(converts(kF32, to, bits_of(53248.0f), 0x7e, kInexact));
  EXPECT_TRUE(converts(kF32, to, bits_of(57344.0f), 0x7f, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, to, bits_of(-57344.0f), 0xff, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, to, bits_of(57344.0f), rounding(Rounding::TowardZero), 0x7e,
                       kOverflowInexact));
  EXPECT_TRUE(converts(kF32, to, bits_of(1.0f), 0x40, kNone));
  EXPECT_TRUE(converts(kF32, to, bits_of(-1.0f), 0xc0, kNone));
  EXPECT_TRUE(converts(kF32, to, 0x7f800000, 0x7f, kNone));
  EXPECT_TRUE(converts(kF32, to, 0xff800000, 0xff, kNone));
  EXPECT_TRUE(converts(kF32, to, 0x7fc00000, 0x80, kNone));
  EXPECT_TRUE(converts(kF32, to, 0xffc00000, 0x80, kNone));
  EXPECT_TRUE(converts(kF32, to, 0x80000000, 0x00, kNone));
  EXPECT_TRUE(converts(kF32, to, bits_of(0x1p-17f), 0x01, kNone));
  EXPECT_TRUE(converts(kF32, to, bits_of(-0x1p-18f), 0x00, kUnderflowInexact));
  EXPECT_TRUE(converts(to, kF32, 0x80, 0x7fc00000, kNone));  // §4.8.2: sign bit 0
}

// Binary4p1se (Annex B Table 4: 0, 1/8, 1/4, 1/2, 1, 2, 4): a one-bit significand, so a tie
// goes to the even code, i.e. the even biased exponent, or to zero.
TEST(ReferenceConvert, P3109OneBitSignificandTies) {
  const Format binary4p1se = p3109_format(4, 1, true, true);
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(0.0625f), 0x0, kUnderflowInexact));
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(0.1875f), 0x2, kInexact));
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(0.375f), 0x2, kInexact));
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(0.75f), 0x4, kInexact));
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(-1.5f), 0xc, kInexact));
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(3.0f), 0x6, kInexact));
  EXPECT_TRUE(
      converts(kF32, binary4p1se, bits_of(0.375f), rounding(Rounding::ToOdd), 0x3, kInexact));
  // Above MaxFinite 4 the next binade is 8, and 6 is the tie between them: 4's code 6 is even.
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(6.0f), 0x6, kInexact));
  EXPECT_TRUE(converts(kF32, binary4p1se, bits_of(6.5f), 0x7, kOverflowInexact));
}

TEST(ReferenceConvert, P3109FiniteAndUnsigned) {
  EXPECT_TRUE(converts(kF32, kBinary8p3sf, bits_of(57344.0f), 0x7f, kNone));
  // MaxFinite + ulp/2 with an all-ones trailing significand rounds up and overflows.
  EXPECT_TRUE(converts(kF32, kBinary8p3sf, bits_of(61440.0f), 0x80, kOverflowInexact));
  EXPECT_TRUE(converts(kF32, kBinary8p3sf, 0x7f800000, 0x80, kInvalid));
  EXPECT_TRUE(converts(kF32, kBinary8p3sf, 0x7f800000, overflow(Overflow::Finite), 0x7f, kNone));
  EXPECT_TRUE(converts(kF32, kBinary8p3ue, bits_of(-1.0f), 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kBinary8p3ue, 0x7f800000, 0xfe, kNone));
  EXPECT_TRUE(converts(kF32, kBinary8p3ue, bits_of(1.0f), 0x80, kNone));
}

// ---- Stochastic rounding (P3109 D1 §4.7.4, docs/p3109-notes.md §2) --------------------------

// f32 1 + 2^-8 + 2^-10 lies 0.625 of the way from bf16 0x3f80 to 0x3f81.
constexpr std::uint32_t kFiveEighths = 0x3f80a000;
// f32 1 + 2^-8 + 2^-9 + 2^-10: 0.875 of the way.
constexpr std::uint32_t kSevenEighths = 0x3f80e000;

TEST(ReferenceStochastic, ThresholdsWithEnoughRandomBits) {
  // nu * 2^3 = 5 is an integer: every variant rounds up exactly when R >= 8 - 5.
  for (Rounding mode : {Rounding::StochasticA, Rounding::StochasticB, Rounding::StochasticC}) {
    EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(mode, 3), 0x3f80, kInexact, 2));
    EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(mode, 3), 0x3f81, kInexact, 3));
    EXPECT_TRUE(converts(kF32, kBF16, 0x3f800000, stochastic(mode, 3), 0x3f80, kNone, 7));
  }
}

TEST(ReferenceStochastic, ThresholdsWithTooFewRandomBits) {
  // N = 2, nu = 0.625: A truncates nu*4 = 2.5 to 2, B adds a half (3), C ties to even (2).
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticA, 2), 0x3f80,
                       kInexact, 1));
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticA, 2), 0x3f81,
                       kInexact, 2));
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticB, 2), 0x3f80,
                       kInexact, 0));
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticB, 2), 0x3f81,
                       kInexact, 1));
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticC, 2), 0x3f80,
                       kInexact, 1));
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticC, 2), 0x3f81,
                       kInexact, 2));
  // nu = 0.875, nu*4 = 3.5: A gives 3, B and C give 4 (always up).
  EXPECT_TRUE(converts(kF32, kBF16, kSevenEighths, stochastic(Rounding::StochasticA, 2), 0x3f80,
                       kInexact, 0));
  EXPECT_TRUE(converts(kF32, kBF16, kSevenEighths, stochastic(Rounding::StochasticB, 2), 0x3f81,
                       kInexact, 0));
  EXPECT_TRUE(converts(kF32, kBF16, kSevenEighths, stochastic(Rounding::StochasticC, 2), 0x3f81,
                       kInexact, 0));
  // N = 0: A never rounds up, B rounds halves up, C rounds to nearest even.
  EXPECT_TRUE(
      converts(kF32, kBF16, kSevenEighths, stochastic(Rounding::StochasticA, 0), 0x3f80, kInexact));
  EXPECT_TRUE(
      converts(kF32, kBF16, 0x3f808000, stochastic(Rounding::StochasticB, 0), 0x3f81, kInexact));
  EXPECT_TRUE(
      converts(kF32, kBF16, 0x3f808000, stochastic(Rounding::StochasticC, 0), 0x3f80, kInexact));
  // Only the low N bits of the random value count.
  EXPECT_TRUE(converts(kF32, kBF16, kFiveEighths, stochastic(Rounding::StochasticA, 2), 0x3f80,
                       kInexact, 0xfffffffffffffff1));
}

// Whether f32 `code` just above 1.0 went to bf16 0x3f81 rather than 0x3f80.
std::uint32_t rounded_up(std::uint32_t code, Rounding mode, int bits, std::uint64_t random) {
  return convert(kF32, kBF16, code, stochastic(mode, bits), random).bits == 0x3f81 ? 1 : 0;
}

// Over all 2^N random values, the number that round up is floor(nu 2^N) for A,
// floor(nu 2^N + 1/2) for B and RNITE(nu 2^N) for C (docs/p3109-notes.md §2).
TEST(ReferenceStochastic, ProbabilityOfRoundingUp) {
  constexpr int kBits = 4;
  for (std::uint32_t fraction :
       {0x0001u, 0x0800u, 0x1000u, 0x1801u, 0x2800u, 0x7fffu, 0x8000u, 0x9800u, 0xa800u, 0xffffu}) {
    // nu = fraction / 2^16 of a bf16 quantum above 1.
    const std::uint32_t code = 0x3f800000 | fraction;
    const std::uint32_t scaled_floor = fraction >> (16 - kBits);
    const std::uint32_t rest = fraction & 0x0fff;
    const std::uint32_t expected_a = scaled_floor;
    const std::uint32_t expected_b = scaled_floor + (rest >= 0x800 ? 1 : 0);
    const bool tie_up = rest > 0x800 || (rest == 0x800 && (scaled_floor & 1) != 0);
    const std::uint32_t expected_c = scaled_floor + (tie_up ? 1 : 0);
    std::uint32_t ups_a = 0, ups_b = 0, ups_c = 0;
    for (std::uint64_t r = 0; r < (1u << kBits); ++r) {
      ups_a += rounded_up(code, Rounding::StochasticA, kBits, r);
      ups_b += rounded_up(code, Rounding::StochasticB, kBits, r);
      ups_c += rounded_up(code, Rounding::StochasticC, kBits, r);
    }
    EXPECT_EQ(ups_a, expected_a) << "f32 " << hex(code);
    EXPECT_EQ(ups_b, expected_b) << "f32 " << hex(code);
    EXPECT_EQ(ups_c, expected_c) << "f32 " << hex(code);
  }
}

TEST(ReferenceStochastic, OverflowAlwaysEscapes) {
  // 500 lies 0.625 of the way from 480 to 512, both above e4m3fn's 448.
  const Policy a = stochastic(Rounding::StochasticA, 3);
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(500.0f), a, 0x7f, kOverflowInexact, 2));
  EXPECT_TRUE(converts(kF32, kE4M3FN, bits_of(500.0f), a, 0x7f, kOverflowInexact, 3));
  EXPECT_TRUE(converts(kF32, kE5M2, bits_of(-1e6f), a, 0xfc, kOverflowInexact, 0));
}

TEST(ReferenceStochastic, TininessAfterRoundingUsesTheSameRandomBits) {
  // 2^-14 - 2^-26 is 0.75 of a subnormal quantum below 2^-14 and 0.5 of the unbounded one.
  const Policy a = stochastic(Rounding::StochasticA, 2);
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, a, 0x03ff, kUnderflowInexact, 0));
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, a, 0x0400, kUnderflowInexact, 1));
  EXPECT_TRUE(converts(kF32, kF16, 0x387ff000, a, 0x0400, kInexact, 2));
}

// ---- Integer targets and sources ----------------------------------------------------------

TEST(ReferenceInteger, RoundingToIntegers) {
  EXPECT_TRUE(converts(kF32, kI8, bits_of(2.5f), 0x02, kInexact));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(3.5f), 0x04, kInexact));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(-2.5f), 0xfe, kInexact));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(2.5f), rounding(Rounding::NearestAway), 0x03, kInexact));
  EXPECT_TRUE(
      converts(kF32, kI8, bits_of(-2.5f), rounding(Rounding::TowardNegative), 0xfd, kInexact));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(-2.5f), rounding(Rounding::TowardZero), 0xfe, kInexact));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(2.5f), rounding(Rounding::ToOdd), 0x03, kInexact));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(3.0f), rounding(Rounding::ToOdd), 0x03, kNone));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(-0.0f), 0x00, kNone));
  EXPECT_TRUE(converts(kF32, kU8, bits_of(-0.4f), 0x00, kInexact));  // rounds to 0: in range
}

TEST(ReferenceInteger, OutOfRangeSaturatesOrWraps) {
  const Policy wrap = overflow(Overflow::None);
  const Policy saturate = overflow(Overflow::Finite);
  EXPECT_TRUE(converts(kF32, kI8, bits_of(300.0f), wrap, 0x2c, kInvalid));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(300.0f), saturate, 0x7f, kInvalid));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(-300.0f), wrap, 0xd4, kInvalid));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(-300.0f), saturate, 0x80, kInvalid));
  EXPECT_TRUE(converts(kF32, kI8, bits_of(127.6f), saturate, 0x7f, kInvalid));  // invalid only
  EXPECT_TRUE(converts(kF32, kU8, bits_of(-1.0f), wrap, 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kU8, bits_of(-1.0f), saturate, 0x00, kInvalid));
  EXPECT_TRUE(converts(kF64, kI64, bits_of(0x1p63), wrap, 0x8000000000000000, kInvalid));
  EXPECT_TRUE(converts(kF64, kI64, bits_of(0x1p63), saturate, 0x7fffffffffffffff, kInvalid));
  EXPECT_TRUE(converts(kF64, kI64, bits_of(-0x1p63), saturate, 0x8000000000000000, kNone));
  EXPECT_TRUE(converts(kI4, kI2, 0x5, wrap, 0x1, kInvalid));
  EXPECT_TRUE(converts(kI4, kI2, 0x5, saturate, 0x1, kInvalid));
  EXPECT_TRUE(converts(kI8, kU8, 0xff, wrap, 0xff, kInvalid));
  EXPECT_TRUE(converts(kI8, kU8, 0xff, saturate, 0x00, kInvalid));
}

TEST(ReferenceInteger, NanAndInfinityGiveTheIndefiniteInteger) {
  const Policy saturate = overflow(Overflow::Finite);
  EXPECT_TRUE(converts(kF32, kI32, 0x7fc00000, 0x80000000, kInvalid));
  EXPECT_TRUE(converts(kF32, kI32, 0x7fc00000, saturate, 0x00000000, kInvalid));
  EXPECT_TRUE(converts(kF32, kU8, 0x7fc00000, 0xff, kInvalid));
  EXPECT_TRUE(converts(kF32, kI32, 0x7f800000, 0x80000000, kInvalid));
  EXPECT_TRUE(converts(kF32, kI32, 0x7f800000, saturate, 0x7fffffff, kInvalid));
  EXPECT_TRUE(converts(kF32, kI32, 0xff800000, saturate, 0x80000000, kInvalid));
  EXPECT_TRUE(converts(kF32, kU8, 0xff800000, overflow(Overflow::Propagate), 0x00, kInvalid));
}

TEST(ReferenceInteger, IntegerSources) {
  EXPECT_TRUE(converts(kI32, kF32, 16777217, 0x4b800000, kInexact));  // 2^24 + 1: tie to even
  EXPECT_TRUE(converts(kI32, kF32, 16777219, 0x4b800002, kInexact));
  EXPECT_TRUE(converts(kI8, kE4M3FN, 0x80, 0xf0, kNone));  // -128
  EXPECT_TRUE(converts(kI64, kF32, 0x8000000000000000, 0xdf000000, kNone));
  EXPECT_TRUE(converts(kU64, kF64, ~std::uint64_t{0}, 0x43f0000000000000, kInexact));
  EXPECT_TRUE(converts(kI32, kF16, 65520, 0x7c00, kOverflowInexact));
  EXPECT_TRUE(converts(kI16, kF16, 0x8000, 0xf800, kNone));
  EXPECT_TRUE(converts(kI32, kF32, 0, 0x00000000, kNone));
}

// ---- Exact rationals ----------------------------------------------------------------------

TEST(ReferenceRoundValue, KnownRoundedConstants) {
  const Policy rn;
  EXPECT_TRUE(rounds(kF16, false, cpp_rational(1, 3), rn, 0x3555, kInexact));
  EXPECT_TRUE(rounds(kF16, true, cpp_rational(1, 3), rn, 0xb555, kInexact));
  EXPECT_TRUE(rounds(kF16, false, cpp_rational(1, 3), rounding(Rounding::TowardPositive), 0x3556,
                     kInexact));
  EXPECT_TRUE(rounds(kF32, false, cpp_rational(1, 3), rn, 0x3eaaaaab, kInexact));
  EXPECT_TRUE(rounds(kBF16, false, cpp_rational(1, 3), rn, 0x3eab, kInexact));
  EXPECT_TRUE(rounds(kF64, false, cpp_rational(1, 3), rn, 0x3fd5555555555555, kInexact));
  EXPECT_TRUE(rounds(kF32, false, cpp_rational(1, 10), rn, 0x3dcccccd, kInexact));
  EXPECT_TRUE(rounds(kF64, false, cpp_rational(1, 10), rn, 0x3fb999999999999a, kInexact));
  EXPECT_TRUE(rounds(kF16, true, 0, rn, 0x8000, kNone));
  EXPECT_TRUE(rounds(kI8, false, cpp_rational(7, 2), rn, 0x04, kInexact));
  EXPECT_TRUE(rounds(kI8, false, cpp_rational(1, 3), rn, 0x00, kInexact));
  EXPECT_TRUE(rounds(kF64, false, pow2(-1075), rn, 0x0, kUnderflowInexact));
  EXPECT_TRUE(rounds(kF64, false, 3 * pow2(-1076), rn, 0x1, kUnderflowInexact));
  EXPECT_TRUE(
      rounds(kF64, false, pow2(-5000), rounding(Rounding::TowardPositive), 0x1, kUnderflowInexact));
  EXPECT_TRUE(rounds(kF64, false, pow2(5000), rn, 0x7ff0000000000000, kOverflowInexact));
}

// ---- Whole-format sweeps against IEEE facts and the hardware -------------------------------

// Widening is exact, and narrowing the result gives the code back.
TEST(ReferenceSweep, Binary16WidensExactly) {
  for (std::uint64_t code = 0; code < 0x10000; ++code) {
    const ExactValue v = decode(kF16, code);
    const Rounded wide = convert(kF16, kF32, code, Policy{});
    if (v.cls == ValueClass::Nan) {
      ASSERT_EQ(wide.flags, v.signaling ? kInvalid : kNone) << hex(code);
      continue;
    }
    ASSERT_EQ(wide.flags, kNone) << hex(code);
    const ExactValue w = decode(kF32, wide.bits);
    ASSERT_TRUE(w.cls == v.cls || v.cls == ValueClass::Subnormal) << hex(code);
    ASSERT_EQ(w.magnitude, v.magnitude) << hex(code);
    ASSERT_EQ(w.negative, v.negative) << hex(code);
    ASSERT_TRUE(converts(kF32, kF16, wide.bits, code, kNone));
  }
}

TEST(ReferenceSweep, EightBitFormatsWidenExactly) {
  for (const Format& f : {kE5M2, kE4M3FN, kE4M3FNUZ, kE5M2FNUZ, kE4M3B11FNUZ, kE4M3, kE3M4,
                          kE8M0FNU, kUE4M3, kBinary8p3se, kBinary8p3ue}) {
    const std::uint64_t codes = std::uint64_t{1}
                                << (f.exponent_bits + f.mantissa_bits + (f.is_signed ? 1 : 0));
    for (std::uint64_t code = 0; code < codes; ++code) {
      const ExactValue v = decode(f, code);
      if (v.cls == ValueClass::Nan || v.cls == ValueClass::Infinite) continue;
      const Rounded wide = convert(f, kF64, code, Policy{});
      ASSERT_EQ(wide.flags, kNone) << name_of(f) << " " << hex(code);
      ASSERT_EQ(decode(kF64, wide.bits).magnitude, v.magnitude) << name_of(f) << " " << hex(code);
      ASSERT_TRUE(converts(kF64, f, wide.bits, code, kNone));
    }
  }
}

// The hardware's double -> float conversion rounds to nearest even.
TEST(ReferenceSweep, Binary64ToBinary32MatchesHardware) {
  std::uint64_t state = 0x9e3779b97f4a7c15;
  for (int i = 0; i < 200000; ++i) {
    state = state * 6364136223846793005 + 1442695040888963407;
    // Keep exponents near binary32's range so that overflow and underflow are exercised.
    const std::uint64_t exponent = 1023 - 160 + ((state >> 52) % 320);
    const std::uint64_t code = (state & 0x800fffffffffffff) | (exponent << 52);
    double value;
    std::memcpy(&value, &code, sizeof value);
    const Rounded got = convert(kF64, kF32, code, Policy{});
    ASSERT_EQ(got.bits, bits_of(static_cast<float>(value))) << "f64 " << hex(code);
  }
}

// The well-known integer formula for float -> bfloat16 with ties to even.
TEST(ReferenceSweep, Binary32ToBFloat16MatchesBitFormula) {
  for (std::uint64_t code = 0; code < (std::uint64_t{1} << 32); code += 0x1003) {
    const auto x = static_cast<std::uint32_t>(code);
    if ((x & 0x7f800000) == 0x7f800000) continue;  // Inf and NaN
    const std::uint32_t expected = (x + 0x7fff + ((x >> 16) & 1)) >> 16;
    ASSERT_EQ(convert(kF32, kBF16, x, Policy{}).bits, expected) << "f32 " << hex(x);
  }
}

TEST(ReferenceSweep, Int32ToBinary32MatchesHardware) {
  for (std::int64_t value = -(std::int64_t{1} << 31); value < (std::int64_t{1} << 31);
       value += 0x10001) {
    const auto code = static_cast<std::uint32_t>(value);
    ASSERT_EQ(convert(kI32, kF32, code, Policy{}).bits, bits_of(static_cast<float>(value)))
        << "i32 " << hex(code);
  }
}

}  // namespace
}  // namespace numconf::ref
