// Format descriptors and the registry: spec constants pinned at compile time, values of the
// landmark codes, and the parser for names, aliases, P3109 names and spec strings.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>

#include "formats/decode.hpp"
#include "formats/format.hpp"
#include "formats/registry.hpp"

namespace numconf {
namespace {

// ---- Spec constants (OCP OFP8 / MX v1.0, IEEE P3109 interim report v4.0) --------------------

// Largest finite magnitude codes.
static_assert(max_finite_magnitude(kE4M3FN) == 0x7e);
static_assert(max_finite_magnitude(kE5M2) == 0x7b);
static_assert(max_finite_magnitude(kE2M1FN) == 0x7);
static_assert(max_finite_magnitude(kE3M2FN) == 0x1f);
static_assert(max_finite_magnitude(kE2M3FN) == 0x1f);
static_assert(max_finite_magnitude(kE4M3FNUZ) == 0x7f);
static_assert(max_finite_magnitude(kE5M2FNUZ) == 0x7f);
static_assert(max_finite_magnitude(kE8M0FNU) == 0xfe);
static_assert(max_finite_magnitude(kUE4M3) == 0x7e);
static_assert(max_finite_magnitude(kF16) == 0x7bff);
static_assert(max_finite_magnitude(kBF16) == 0x7f7f);
static_assert(max_finite_magnitude(kF32) == 0x7f7fffff);

// The fnuz biases are one above the IEEE-style bias; b11 is 11.
static_assert(kE4M3FNUZ.bias == 8);
static_assert(kE5M2FNUZ.bias == 16);
static_assert(kE4M3B11FNUZ.bias == 11);
static_assert(kE4M3FN.bias == 7 && kE5M2.bias == 15 && kE8M0FNU.bias == 127);

// NaN codes.
static_assert(nan_code(kE4M3FN, false) == 0x7f && nan_code(kE4M3FN, true) == 0xff);
static_assert(nan_code(kE4M3FNUZ, false) == 0x80);
static_assert(nan_code(kE5M2FNUZ, false) == 0x80);
static_assert(nan_code(kE4M3B11FNUZ, false) == 0x80);
static_assert(nan_code(kE8M0FNU, false) == 0xff);
static_assert(nan_code(kE5M2, false) == 0x7e);
static_assert(nan_code(kF16, false) == 0x7e00);
static_assert(nan_code(kF32, false) == 0x7fc00000);

// Infinities.
static_assert(!has_inf(kE4M3FN) && !has_inf(kE4M3FNUZ) && !has_inf(kE2M1FN) && !has_inf(kE8M0FNU));
static_assert(has_inf(kE5M2) && inf_magnitude(kE5M2) == 0x7c);
static_assert(inf_magnitude(kF16) == 0x7c00);

// No NaN in the MX element formats; no zero in e8m0fnu; no -0 in fnuz.
static_assert(!has_nan(kE2M1FN) && !has_nan(kE3M2FN) && !has_nan(kE2M3FN));
static_assert(!has_zero(kE8M0FNU) && has_zero(kE4M3FN));
static_assert(!has_neg_zero(kE4M3FNUZ) && !has_neg_zero(kE5M2FNUZ) && has_neg_zero(kE4M3FN));
static_assert(!has_neg_zero(kE8M0FNU) && !has_neg_zero(kUE4M3));

// Code widths.
static_assert(code_bits(kE8M0FNU) == 8 && code_bits(kUE4M3) == 7 && code_bits(kE2M1FN) == 4);
static_assert(code_bits(kE3M2FN) == 6 && code_bits(kTF32) == 19 && storage_bits(kTF32) == 32);

// IEEE P3109 binary8p3se: NaN 0x80, +Inf 0x7f, -Inf 0xff, max finite 0x7e, bias 16.
inline constexpr Format kB8P3SE = p3109_format(8, 3, true, true);
static_assert(nan_code(kB8P3SE, false) == 0x80);
static_assert(has_inf(kB8P3SE) && inf_magnitude(kB8P3SE) == 0x7f);
static_assert(max_finite_magnitude(kB8P3SE) == 0x7e);
static_assert(kB8P3SE.bias == 16 && kB8P3SE.exponent_bits == 5 && kB8P3SE.mantissa_bits == 2);
static_assert(!has_neg_zero(kB8P3SE));
// binary8p3sf: no Inf, max finite 0x7f.
static_assert(max_finite_magnitude(p3109_format(8, 3, true, false)) == 0x7f);
// binary8p3ue: NaN 0xff, Inf 0xfe, max 0xfd, bias 32.
static_assert(nan_code(p3109_format(8, 3, false, true), false) == 0xff);
static_assert(inf_magnitude(p3109_format(8, 3, false, true)) == 0xfe);
static_assert(max_finite_magnitude(p3109_format(8, 3, false, true)) == 0xfd);
static_assert(p3109_format(8, 3, false, true).bias == 32);
static_assert(max_finite_magnitude(p3109_format(8, 3, false, false)) == 0xfe);

// ---- Values of landmark codes ---------------------------------------------------------------

double value_of(const Format& f, std::uint64_t code) {
  const Unpacked u = unpack(f, code);
  const double magnitude = std::ldexp(static_cast<double>(u.significand), u.exponent);
  return u.negative ? -magnitude : magnitude;
}

struct Landmark {
  std::string_view format;
  std::uint64_t code;
  double value;
};

TEST(FormatValues, LandmarkCodes) {
  const Landmark landmarks[] = {
      {"e4m3fn", 0x7e, 448.0},         {"e4m3fn", 0xfe, -448.0},
      {"e4m3fn", 0x01, 0x1p-9},        {"e4m3fn", 0x08, 0x1p-6},
      {"e5m2", 0x7b, 57344.0},         {"e5m2", 0x01, 0x1p-16},
      {"e2m1fn", 0x7, 6.0},            {"e2m1fn", 0x1, 0.5},
      {"e2m1fn", 0xf, -6.0},           {"e3m2fn", 0x1f, 28.0},
      {"e3m2fn", 0x01, 0.0625},        {"e2m3fn", 0x1f, 7.5},
      {"e2m3fn", 0x01, 0.125},         {"e8m0fnu", 0x7f, 1.0},
      {"e8m0fnu", 0x00, 0x1p-127},     {"e8m0fnu", 0xfe, 0x1p127},
      {"e4m3fnuz", 0x7f, 240.0},       {"e4m3fnuz", 0x01, 0x1p-10},
      {"e5m2fnuz", 0x7f, 57344.0},     {"e4m3b11fnuz", 0x7f, 30.0},
      {"ue4m3", 0x7e, 448.0},          {"e4m3", 0x77, 240.0},
      {"e3m4", 0x6f, 15.5},            {"f16", 0x7bff, 65504.0},
      {"bf16", 0x3f80, 1.0},           {"tf32", 0x3f800000, 1.0},
      {"tf32", 0x7f7fe000, 0x1.ffcp127}, {"i8", 0x80, -128.0},
      {"u8", 0xff, 255.0},             {"i4", 0x8, -8.0},
      {"i2", 0x3, -1.0},               {"binary8p3se", 0x7e, 49152.0},
      {"binary8p3se", 0x40, 1.0},      {"binary8p3ue", 0x80, 1.0},
      {"binary8p1se", 0x40, 1.0},      {"binary4p4ue", 0x8, 1.0},
  };
  int checked = 0;
  for (const Landmark& l : landmarks) {
    const ParsedFormat parsed = parse_format(l.format);
    ASSERT_TRUE(parsed.format) << l.format << ": " << parsed.error;
    EXPECT_EQ(value_of(*parsed.format, l.code), l.value)
        << "format " << l.format << " code 0x" << std::hex << l.code;
    ++checked;
  }
  std::cout << "[ cases    ] " << checked << " landmark codes\n";
}

TEST(FormatValues, SpecialCodes) {
  EXPECT_EQ(unpack(kE4M3FN, 0x7f).cls, ValueClass::Nan);
  EXPECT_EQ(unpack(kE4M3FN, 0xff).cls, ValueClass::Nan);
  EXPECT_EQ(unpack(kE4M3FN, 0x80).cls, ValueClass::Zero);
  EXPECT_EQ(unpack(kE4M3FNUZ, 0x80).cls, ValueClass::Nan);
  EXPECT_EQ(unpack(kE8M0FNU, 0xff).cls, ValueClass::Nan);
  EXPECT_EQ(unpack(kE8M0FNU, 0x00).cls, ValueClass::Normal);
  EXPECT_EQ(unpack(kE5M2, 0x7c).cls, ValueClass::Infinite);
  EXPECT_EQ(unpack(kE5M2, 0x7d).cls, ValueClass::Nan);
  EXPECT_TRUE(unpack(kE5M2, 0x7d).signaling);
  EXPECT_FALSE(unpack(kE5M2, 0x7e).signaling);
  EXPECT_EQ(unpack(kB8P3SE, 0x7f).cls, ValueClass::Infinite);
  EXPECT_EQ(unpack(kB8P3SE, 0xff).cls, ValueClass::Infinite);
  EXPECT_TRUE(unpack(kB8P3SE, 0xff).negative);
  EXPECT_EQ(unpack(kB8P3SE, 0x80).cls, ValueClass::Nan);
  EXPECT_EQ(unpack(kE2M1FN, 0x8).cls, ValueClass::Zero);
  EXPECT_TRUE(unpack(kE2M1FN, 0x8).negative);
  EXPECT_EQ(unpack(kTF32, 0x7f800000).cls, ValueClass::Infinite);
  EXPECT_EQ(unpack(kTF32, 0x7fc00000).cls, ValueClass::Nan);
  EXPECT_FALSE(is_valid_code(kTF32, 0x3f800001));
  EXPECT_TRUE(is_valid_code(kTF32, 0x3f802000));
  EXPECT_FALSE(is_valid_code(kE2M1FN, 0x10));
}

// The P3109 encoding table (interim report v4.0, Annex C; docs/p3109-notes.md section 1) for
// every K = 3..16, every P, signed and unsigned, extended and finite.
TEST(FormatP3109, EncodingTableForEveryShape) {
  int shapes = 0;
  for (int k = 3; k <= 16; ++k) {
    for (const bool is_signed : {true, false}) {
      for (int p = 1; p <= (is_signed ? k - 1 : k); ++p) {
        for (const bool extended : {true, false}) {
          SCOPED_TRACE("binary" + std::to_string(k) + "p" + std::to_string(p) +
                       (is_signed ? "s" : "u") + (extended ? "e" : "f"));
          ASSERT_TRUE(p3109_shape_valid(k, p, is_signed));
          const Format f = p3109_format(k, p, is_signed, extended);
          ASSERT_EQ(invalid_reason(f), nullptr);
          const std::uint64_t half = std::uint64_t{1} << (k - 1), all = (std::uint64_t{1} << k) - 1;
          EXPECT_EQ(code_bits(f), k);
          EXPECT_EQ(f.bias, 1 << (is_signed ? k - p - 1 : k - p));
          EXPECT_EQ(nan_code(f, false), is_signed ? half : all);
          EXPECT_EQ(unpack(f, is_signed ? half : all).cls, ValueClass::Nan);
          EXPECT_EQ(has_inf(f), extended);
          if (extended) {
            EXPECT_EQ(unpack(f, is_signed ? half - 1 : all - 1).cls, ValueClass::Infinite);
            if (is_signed) {
              EXPECT_EQ(unpack(f, all).cls, ValueClass::Infinite);
            }
          }
          const std::uint64_t max = is_signed ? (extended ? half - 2 : half - 1)
                                              : (extended ? all - 2 : all - 1);
          EXPECT_EQ(max_finite_magnitude(f), max);
          EXPECT_FALSE(has_neg_zero(f));
          EXPECT_EQ(value_of(f, is_signed ? std::uint64_t{1} << (k - 2) : half), 1.0);
          EXPECT_EQ(value_of(f, 0), 0.0);
          ++shapes;
        }
      }
    }
  }
  std::cout << "[ cases    ] " << shapes << " P3109 shapes\n";
}

// ---- Registry and parser --------------------------------------------------------------------

TEST(FormatRegistry, EveryNameAndAliasParses) {
  int names = 0;
  for (const NamedFormat& named : kBuiltinFormats) {
    const ParsedFormat by_name = parse_format(named.name);
    ASSERT_TRUE(by_name.format) << named.name << ": " << by_name.error;
    EXPECT_EQ(*by_name.format, named.format) << named.name;
    ++names;
    if (!named.alias.empty()) {
      const ParsedFormat by_alias = parse_format(named.alias);
      ASSERT_TRUE(by_alias.format) << named.alias << ": " << by_alias.error;
      EXPECT_EQ(*by_alias.format, named.format) << named.alias;
      ++names;
    }
    EXPECT_EQ(invalid_reason(named.format), nullptr) << named.name;
  }
  std::cout << "[ cases    ] " << names << " names and aliases\n";
}

TEST(FormatRegistry, AliasesMatchMlDtypes) {
  const std::pair<std::string_view, Format> aliases[] = {
      {"float8_e4m3fn", kE4M3FN},     {"float8_e5m2", kE5M2},
      {"float8_e4m3fnuz", kE4M3FNUZ}, {"float8_e5m2fnuz", kE5M2FNUZ},
      {"float8_e4m3b11fnuz", kE4M3B11FNUZ}, {"float8_e8m0fnu", kE8M0FNU},
      {"float4_e2m1fn", kE2M1FN},     {"float6_e2m3fn", kE2M3FN},
      {"float6_e3m2fn", kE3M2FN},     {"bfloat16", kBF16},
      {"float16", kF16},              {"float32", kF32},
      {"float64", kF64},              {"int8", kI8},
      {"uint8", kU8},                 {"int4", kI4},
  };
  for (const auto& [name, format] : aliases) {
    const ParsedFormat parsed = parse_format(name);
    ASSERT_TRUE(parsed.format) << name << ": " << parsed.error;
    EXPECT_EQ(*parsed.format, format) << name;
  }
}

TEST(FormatRegistry, P3109Names) {
  const std::pair<std::string_view, Format> valid[] = {
      {"binary8p3se", p3109_format(8, 3, true, true)},
      {"binary8p3sf", p3109_format(8, 3, true, false)},
      {"binary8p4ue", p3109_format(8, 4, false, true)},
      {"binary8p8ue", p3109_format(8, 8, false, true)},
      {"binary8p8uf", p3109_format(8, 8, false, false)},
      {"binary8p1se", p3109_format(8, 1, true, true)},
      {"binary8p7sf", p3109_format(8, 7, true, false)},
      {"binary3p1se", p3109_format(3, 1, true, true)},
      {"binary3p3uf", p3109_format(3, 3, false, false)},
      {"binary16p11se", p3109_format(16, 11, true, true)},
      {"binary16p16ue", p3109_format(16, 16, false, true)},
      {"binary12p5uf", p3109_format(12, 5, false, false)},
  };
  for (const auto& [name, format] : valid) {
    const ParsedFormat parsed = parse_format(name);
    ASSERT_TRUE(parsed.format) << name << ": " << parsed.error;
    EXPECT_EQ(*parsed.format, format) << name;
  }
  // Signed P must be below K, unsigned P at most K, K in 3..16, P >= 1, suffixes s|u then e|f.
  const std::string_view invalid[] = {
      "binary8p8se", "binary8p8sf",  "binary8p9ue", "binary8p0se",  "binary2p1se",
      "binary17p3se", "binary8p3xe", "binary8p3sx", "binary8p3s",   "binary8p3",
      "binary8pse",  "binaryp3se",   "binary8q3se", "binary-8p3se", "binary8p-3se",
      "binary8p3see", "Binary8p3se", "binary08p3se x", "binary",     "binary16p16se",
  };
  for (const std::string_view name : invalid) {
    const ParsedFormat parsed = parse_format(name);
    EXPECT_FALSE(parsed.format) << name << " should be rejected";
    EXPECT_FALSE(parsed.error.empty()) << name;
  }
}

TEST(FormatRegistry, SpecStrings) {
  const std::pair<std::string_view, Format> valid[] = {
      {"float:e=5,m=2,bias=15,inf=ieee,nan=ieee", kE5M2},
      {"float:e=5,m=2,bias=15", kE5M2},
      {"float:e=4,m=3,bias=7,inf=none,nan=max", kE4M3FN},
      {"float:e=4,m=3,bias=8,inf=none,nan=negzero", kE4M3FNUZ},
      {"float:e=8,m=0,bias=127,inf=none,nan=max,signed=no,sub=no", kE8M0FNU},
      {"float:e=2,m=1,bias=1,inf=none,nan=none", kE2M1FN},
      {"float:e=8,m=10,bias=127,pad=13", kTF32},
      {"float:e=4,m=3,bias=7,inf=none,nan=max,signed=no", kUE4M3},
      {"float:e=5,m=2,bias=16,inf=top,nan=negzero", p3109_format(8, 3, true, true)},
      {"int:bits=8", kI8},
      {"int:bits=8,signed=no", kU8},
      {"int:bits=64,signed=yes", kI64},
      {"int:bits=2,signed=no", kU2},
  };
  for (const auto& [spec, format] : valid) {
    const ParsedFormat parsed = parse_format(spec);
    ASSERT_TRUE(parsed.format) << spec << ": " << parsed.error;
    EXPECT_EQ(*parsed.format, format) << spec;
  }
  // Each bad spec, with a word its error message must contain.
  const std::pair<std::string_view, std::string_view> invalid[] = {
      {"float:e=5,m=2", "bias"},
      {"float:m=2,bias=15", "e="},
      {"float:e=5,m=2,bias=15,inf=ieee,nan=max", "together"},
      {"float:e=5,m=2,bias=15,inf=none,nan=ieee", "together"},
      {"float:e=5,m=2,bias=x", "bias=x"},
      {"float:e=5,m=2,bias=15,foo=1", "foo"},
      {"float:e=5,m=2,bias=15,inf=sometimes", "inf=sometimes"},
      {"float:e=5,m=2,bias=15,nan=maybe", "nan=maybe"},
      {"float:e=5,m=2,bias=15,signed=perhaps", "signed=perhaps"},
      {"float:e=5,m=2,bias", "key=value"},
      {"float:e=0,m=2,bias=1", "exponent"},
      {"float:e=17,m=2,bias=1", "exponent"},
      {"float:e=8,m=53,bias=127", "mantissa"},
      {"float:e=4,m=3,bias=7,inf=none,nan=negzero,signed=no", "sign"},
      {"float:e=4,m=3,bias=7,inf=none,nan=negzero,sub=no", "zero"},
      {"float:e=1,m=0,bias=0,inf=top,nan=max,signed=no", "no code"},
      {"float:e=8,m=23,bias=127,pad=40", "padding"},
      {"float:e=5,m=2,bias=1000000", "bias"},
      {"int:bits=1", "integer"},
      {"int:bits=65", "integer"},
      {"int:bits=8,e=3", "e=3"},
      {"int:bits=eight", "bits=eight"},
      {"float8", "unknown format"},
      {"", "unknown format"},
      {"e4m3FN", "unknown format"},
  };
  for (const auto& [spec, word] : invalid) {
    const ParsedFormat parsed = parse_format(spec);
    EXPECT_FALSE(parsed.format) << "'" << spec << "' should be rejected";
    EXPECT_NE(parsed.error.find(word), std::string::npos)
        << "'" << spec << "': error '" << parsed.error << "' lacks '" << word << "'";
  }
}

}  // namespace
}  // namespace numconf
