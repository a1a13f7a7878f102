// The built-in formats, their names, and the parser for format names and custom spec strings.
// Host-only (it deals in strings); the descriptors themselves are plain constexpr data.
//
// Name suffixes (ml_dtypes / MLIR spelling): f = finite (no Inf), n = special NaN encoding,
// uz = unsigned zero (no -0; NaN is 0x80), u = unsigned (no sign bit), b11 = bias 11.
#pragma once

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "decode.hpp"
#include "format.hpp"

namespace numconf {

inline constexpr Format kF64 = float_format(11, 52, 1023, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kF32 = float_format(8, 23, 127, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kF16 = float_format(5, 10, 15, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kBF16 = float_format(8, 7, 127, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kTF32 = [] {
  Format f = float_format(8, 10, 127, InfEncoding::Ieee, NanEncoding::Ieee);
  f.padding_bits = 13;  // NVIDIA keeps tf32 in a 32-bit word, low 13 bits zero
  return f;
}();
inline constexpr Format kE5M2 = float_format(5, 2, 15, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kE4M3FN = float_format(4, 3, 7, InfEncoding::None, NanEncoding::MaxPattern);
inline constexpr Format kE4M3FNUZ = float_format(4, 3, 8, InfEncoding::None, NanEncoding::NegZero);
inline constexpr Format kE5M2FNUZ = float_format(5, 2, 16, InfEncoding::None, NanEncoding::NegZero);
inline constexpr Format kE4M3B11FNUZ =
    float_format(4, 3, 11, InfEncoding::None, NanEncoding::NegZero);
inline constexpr Format kE4M3 = float_format(4, 3, 7, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kE3M4 = float_format(3, 4, 3, InfEncoding::Ieee, NanEncoding::Ieee);
inline constexpr Format kE2M3FN = float_format(2, 3, 1, InfEncoding::None, NanEncoding::None);
inline constexpr Format kE3M2FN = float_format(3, 2, 3, InfEncoding::None, NanEncoding::None);
inline constexpr Format kE2M1FN = float_format(2, 1, 1, InfEncoding::None, NanEncoding::None);
inline constexpr Format kE8M0FNU = [] {
  Format f = float_format(8, 0, 127, InfEncoding::None, NanEncoding::MaxPattern);
  f.is_signed = false;
  f.has_subnormals = false;  // 0x00 is 2^-127: no zero
  return f;
}();
// NVFP4's block scale: e4m3fn without its sign bit (7-bit code, NaN 0x7f, max 448).
inline constexpr Format kUE4M3 = [] {
  Format f = kE4M3FN;
  f.is_signed = false;
  return f;
}();

inline constexpr Format kI64 = int_format(64, true);
inline constexpr Format kI32 = int_format(32, true);
inline constexpr Format kI16 = int_format(16, true);
inline constexpr Format kI8 = int_format(8, true);
inline constexpr Format kU8 = int_format(8, false);
inline constexpr Format kI4 = int_format(4, true);
inline constexpr Format kU4 = int_format(4, false);
inline constexpr Format kI2 = int_format(2, true);
inline constexpr Format kU2 = int_format(2, false);

// IEEE P3109 interim report v4.0: binaryKpP, signed (s) or unsigned (u), extended (e, with
// +-Inf) or finite (f).  One NaN (0x80 signed, all ones unsigned), one zero, subnormals;
// exponent width K-P (signed) or K-P+1 (unsigned); bias 2^(K-P-1) signed, 2^(K-P) unsigned.
constexpr Format p3109_format(int k, int p, bool is_signed, bool extended) {
  Format f;
  f.is_signed = is_signed;
  f.exponent_bits = is_signed ? k - p : k - p + 1;
  f.mantissa_bits = p - 1;
  f.bias = 1 << (is_signed ? k - p - 1 : k - p);
  f.nan = is_signed ? NanEncoding::NegZero : NanEncoding::MaxPattern;
  f.inf = extended ? InfEncoding::TopCode : InfEncoding::None;
  return f;
}

constexpr bool p3109_shape_valid(int k, int p, bool is_signed) {
  return k >= 3 && k <= 16 && p >= 1 && p <= (is_signed ? k - 1 : k);
}

// Spec constants (OCP OFP8 v1.0, OCP MX v1.0, P3109 interim report v4.0), pinned at compile time.
namespace detail {
// Whether a code's exact value is numerator / 2^scale.
constexpr bool has_value(const Format& f, std::uint64_t code, std::uint64_t numerator,
                         int scale = 0) {
  const Unpacked u = unpack(f, code);
  const int shift = u.exponent + scale;
  return shift >= 0 ? (u.significand << shift) == numerator
                    : u.significand == (numerator << -shift);
}
}  // namespace detail
static_assert(max_finite_magnitude(kE4M3FN) == 0x7e && detail::has_value(kE4M3FN, 0x7e, 448));
static_assert(nan_code(kE4M3FN, false) == 0x7f && nan_code(kE4M3FN, true) == 0xff);
static_assert(max_finite_magnitude(kE5M2) == 0x7b && detail::has_value(kE5M2, 0x7b, 57344));
static_assert(inf_magnitude(kE5M2) == 0x7c);
static_assert(max_finite_magnitude(kE2M1FN) == 0x7 && detail::has_value(kE2M1FN, 0x7, 6));
static_assert(max_finite_magnitude(kE3M2FN) == 0x1f && detail::has_value(kE3M2FN, 0x1f, 28));
static_assert(max_finite_magnitude(kE2M3FN) == 0x1f && detail::has_value(kE2M3FN, 0x1f, 15, 1));
static_assert(kE4M3FNUZ.bias == 8 && kE5M2FNUZ.bias == 16 && kE4M3B11FNUZ.bias == 11);
static_assert(nan_code(kE4M3FNUZ, false) == 0x80 && nan_code(kE5M2FNUZ, true) == 0x80);
static_assert(detail::has_value(kE4M3FNUZ, 0x7f, 240) && detail::has_value(kE5M2FNUZ, 0x7f, 57344));
static_assert(nan_code(kE8M0FNU, false) == 0xff && detail::has_value(kE8M0FNU, 0x7f, 1) &&
              detail::has_value(kE8M0FNU, 0x00, 1, 127));
static_assert(detail::has_value(kE4M3, 0x77, 240) && detail::has_value(kE3M4, 0x6f, 31, 1));
static_assert(max_finite_magnitude(kF16) == 0x7bff && detail::has_value(kF16, 0x7bff, 65504));
static_assert(detail::has_value(kTF32, 0x3f800000, 1));
// P3109 binary8p3se: bias 16, NaN 0x80, +Inf 0x7f, max 0x7e = 49152; binary8p4se max 224.
static_assert(p3109_format(8, 3, true, true).bias == 16);
static_assert(nan_code(p3109_format(8, 3, true, true), false) == 0x80);
static_assert(inf_magnitude(p3109_format(8, 3, true, true)) == 0x7f);
static_assert(detail::has_value(p3109_format(8, 3, true, true), 0x7e, 49152));
static_assert(detail::has_value(p3109_format(8, 4, true, true), 0x7e, 224));
static_assert(detail::has_value(p3109_format(8, 4, true, false), 0x7f, 240));
static_assert(nan_code(p3109_format(8, 3, false, true), false) == 0xff &&
              inf_magnitude(p3109_format(8, 3, false, true)) == 0xfe);

struct NamedFormat {
  std::string_view name;
  std::string_view alias;  // the ml_dtypes / numpy spelling, where there is one
  Format format;
};

inline constexpr std::array kBuiltinFormats = {
    NamedFormat{"f64", "float64", kF64},
    NamedFormat{"f32", "float32", kF32},
    NamedFormat{"f16", "float16", kF16},
    NamedFormat{"bf16", "bfloat16", kBF16},
    NamedFormat{"tf32", "", kTF32},
    NamedFormat{"e5m2", "float8_e5m2", kE5M2},
    NamedFormat{"e4m3fn", "float8_e4m3fn", kE4M3FN},
    NamedFormat{"e4m3fnuz", "float8_e4m3fnuz", kE4M3FNUZ},
    NamedFormat{"e5m2fnuz", "float8_e5m2fnuz", kE5M2FNUZ},
    NamedFormat{"e4m3b11fnuz", "float8_e4m3b11fnuz", kE4M3B11FNUZ},
    NamedFormat{"e4m3", "float8_e4m3", kE4M3},
    NamedFormat{"e3m4", "float8_e3m4", kE3M4},
    NamedFormat{"e2m3fn", "float6_e2m3fn", kE2M3FN},
    NamedFormat{"e3m2fn", "float6_e3m2fn", kE3M2FN},
    NamedFormat{"e2m1fn", "float4_e2m1fn", kE2M1FN},
    NamedFormat{"e8m0fnu", "float8_e8m0fnu", kE8M0FNU},
    NamedFormat{"ue4m3", "", kUE4M3},
    NamedFormat{"i64", "int64", kI64},
    NamedFormat{"i32", "int32", kI32},
    NamedFormat{"i16", "int16", kI16},
    NamedFormat{"i8", "int8", kI8},
    NamedFormat{"u8", "uint8", kU8},
    NamedFormat{"i4", "int4", kI4},
    NamedFormat{"u4", "uint4", kU4},
    NamedFormat{"i2", "int2", kI2},
    NamedFormat{"u2", "uint2", kU2},
};

// Every descriptor above is consistent; spec constants are pinned where they are defined.
static_assert([] {
  for (const auto& named : kBuiltinFormats)
    if (invalid_reason(named.format) != nullptr) return false;
  return true;
}());

// The result of parsing a format name or spec string.
struct ParsedFormat {
  std::optional<Format> format;
  std::string error;  // why parsing failed, when !format
};

namespace detail {

inline std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

inline std::optional<Format> parse_p3109(std::string_view name) {
  // binary<K>p<P><s|u><e|f>
  if (!name.starts_with("binary") || name.size() < 10) return std::nullopt;
  name.remove_prefix(6);
  const auto p_at = name.find('p');
  if (p_at == std::string_view::npos || name.size() < p_at + 4) return std::nullopt;
  const auto k = parse_int(name.substr(0, p_at));
  const auto p = parse_int(name.substr(p_at + 1, name.size() - p_at - 3));
  const char signedness = name[name.size() - 2];
  const char domain = name.back();
  if (!k || !p || (signedness != 's' && signedness != 'u') || (domain != 'e' && domain != 'f'))
    return std::nullopt;
  if (!p3109_shape_valid(*k, *p, signedness == 's')) return std::nullopt;
  return p3109_format(*k, *p, signedness == 's', domain == 'e');
}

inline ParsedFormat parse_spec(std::string_view spec) {
  const bool is_int = spec.starts_with("int:");
  spec.remove_prefix(is_int ? 4 : 6);
  Format f = is_int ? int_format(0, true) : Format{};
  bool has_e = false, has_m = false, has_bias = false;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const auto item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return {{}, "expected key=value, got '" + std::string(item) + "'"};
    const auto key = item.substr(0, eq), value = item.substr(eq + 1);
    const auto number = parse_int(value);
    const auto yes_no = [&](bool& out) {
      if (value != "yes" && value != "no") return false;
      out = value == "yes";
      return true;
    };
    bool ok = true;
    if (is_int && key == "bits") ok = number && (f.int_bits = *number, true);
    else if (key == "signed") ok = yes_no(f.is_signed);
    else if (is_int) ok = false;
    else if (key == "e") ok = number && (f.exponent_bits = *number, has_e = true);
    else if (key == "m") ok = number && (f.mantissa_bits = *number, has_m = true);
    else if (key == "bias") ok = number && (f.bias = *number, has_bias = true);
    else if (key == "pad") ok = number && (f.padding_bits = *number, true);
    else if (key == "sub") ok = yes_no(f.has_subnormals);
    else if (key == "inf") {
      if (value == "ieee") f.inf = InfEncoding::Ieee;
      else if (value == "top") f.inf = InfEncoding::TopCode;
      else if (value == "none") f.inf = InfEncoding::None;
      else ok = false;
    } else if (key == "nan") {
      if (value == "ieee") f.nan = NanEncoding::Ieee;
      else if (value == "max") f.nan = NanEncoding::MaxPattern;
      else if (value == "negzero") f.nan = NanEncoding::NegZero;
      else if (value == "none") f.nan = NanEncoding::None;
      else ok = false;
    } else {
      return {{}, "unknown key '" + std::string(key) + "'"};
    }
    if (!ok) return {{}, "bad value in '" + std::string(item) + "'"};
  }
  if (!is_int && !(has_e && has_m && has_bias)) return {{}, "float spec needs e=, m= and bias="};
  if (const char* why = invalid_reason(f)) return {{}, why};
  return {f, {}};
}

}  // namespace detail

// A built-in name, an alias, a P3109 name, or a spec string:
//   float:e=<exp bits>,m=<mantissa bits>,bias=<bias>[,inf=ieee|top|none][,nan=ieee|max|negzero|none]
//         [,signed=yes|no][,sub=yes|no][,pad=<low zero bits>]
//   int:bits=<width>[,signed=yes|no]
inline ParsedFormat parse_format(std::string_view name) {
  for (const auto& named : kBuiltinFormats)
    if (name == named.name || (!named.alias.empty() && name == named.alias)) return {named.format, {}};
  if (name.starts_with("float:") || name.starts_with("int:")) {
    ParsedFormat parsed = detail::parse_spec(name);
    if (!parsed.format) parsed.error = "bad format spec '" + std::string(name) + "': " + parsed.error;
    return parsed;
  }
  if (auto p3109 = detail::parse_p3109(name)) return {*p3109, {}};
  return {{}, "unknown format '" + std::string(name) + "'"};
}

}  // namespace numconf
