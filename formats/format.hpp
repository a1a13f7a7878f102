// A number format is data: one constexpr aggregate describes its encoding, and every
// operation of the model is generic over it.
#pragma once

#include <cstdint>

#include "config.hpp"

namespace numconf {

enum class Kind : std::uint8_t { Float, Int };

// Where a format keeps its infinities.
enum class InfEncoding : std::uint8_t {
  None,    // no infinity
  Ieee,    // exponent field all ones, trailing significand zero (goes with NanEncoding::Ieee)
  TopCode  // the largest magnitude code not taken by NaN (P3109: 0x7f/0xff signed, 0xfe unsigned)
};

// Where a format keeps its NaNs.
enum class NanEncoding : std::uint8_t {
  None,        // no NaN (e2m1fn, e2m3fn, e3m2fn)
  Ieee,        // exponent field all ones, trailing significand non-zero; its top bit is the quiet bit
  MaxPattern,  // magnitude bits all ones, either sign (e4m3fn 0x7f/0xff, e8m0fnu 0xff)
  NegZero      // the negative-zero code, the only NaN (fnuz and P3109 signed: 0x80)
};

// A binary floating-point or two's complement integer format.
//
// Float value of a code: exponent field E, trailing significand T of mantissa_bits bits:
//   E >= 1, or any E when !has_subnormals:  (1 + T / 2^m) * 2^(E - bias)
//   E == 0 and has_subnormals:              (T / 2^m) * 2^(1 - bias)   (zero when T == 0)
// A format without subnormals has no zero either: its exponent field 0 is an ordinary
// binade (e8m0fnu).  The code sits in the high bits of a container whose lowest
// padding_bits bits are zero (tf32 in a 32-bit word).
struct Format {
  Kind kind = Kind::Float;
  int exponent_bits = 0;
  int mantissa_bits = 0;  // trailing significand, without the implicit bit
  int bias = 0;           // always explicit: it cannot be derived for fnuz, b11 or P3109
  bool is_signed = true;
  bool has_subnormals = true;
  InfEncoding inf = InfEncoding::Ieee;
  NanEncoding nan = NanEncoding::Ieee;
  int padding_bits = 0;
  int int_bits = 0;  // Kind::Int only: the width of the two's complement (or unsigned) code

  friend constexpr bool operator==(const Format&, const Format&) = default;
};

constexpr Format float_format(int exponent_bits, int mantissa_bits, int bias, InfEncoding inf,
                              NanEncoding nan) {
  return Format{.exponent_bits = exponent_bits, .mantissa_bits = mantissa_bits, .bias = bias,
                .inf = inf, .nan = nan};
}

constexpr Format int_format(int bits, bool is_signed) {
  return Format{.kind = Kind::Int, .is_signed = is_signed, .inf = InfEncoding::None,
                .nan = NanEncoding::None, .int_bits = bits};
}

// ---- Derived properties -------------------------------------------------------------------

NUMCONF_HD constexpr bool is_float(const Format& f) { return f.kind == Kind::Float; }

// Bits of the code itself, without container padding.
NUMCONF_HD constexpr int code_bits(const Format& f) {
  return is_float(f) ? int(f.is_signed) + f.exponent_bits + f.mantissa_bits : f.int_bits;
}

// Bits of the container the code is stored in.
NUMCONF_HD constexpr int storage_bits(const Format& f) { return code_bits(f) + f.padding_bits; }

NUMCONF_HD constexpr std::uint64_t low_mask(int bits) {
  return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

// The sign bit of a code (without padding), or 0 for unsigned formats.
NUMCONF_HD constexpr std::uint64_t sign_bit(const Format& f) {
  return f.is_signed ? std::uint64_t{1} << (code_bits(f) - 1) : 0;
}

NUMCONF_HD constexpr std::uint64_t magnitude_mask(const Format& f) {
  return low_mask(f.exponent_bits + f.mantissa_bits);
}

NUMCONF_HD constexpr std::uint64_t max_exponent_field(const Format& f) {
  return low_mask(f.exponent_bits);
}

NUMCONF_HD constexpr bool has_nan(const Format& f) { return f.nan != NanEncoding::None; }
NUMCONF_HD constexpr bool has_inf(const Format& f) { return f.inf != InfEncoding::None; }
NUMCONF_HD constexpr bool has_zero(const Format& f) { return !is_float(f) || f.has_subnormals; }
NUMCONF_HD constexpr bool has_neg_zero(const Format& f) {
  return is_float(f) && f.is_signed && f.has_subnormals && f.nan != NanEncoding::NegZero;
}

// Exponent of the lowest normal binade: 2^min_normal_exponent is the smallest normal value.
NUMCONF_HD constexpr int min_normal_exponent(const Format& f) {
  return f.has_subnormals ? 1 - f.bias : -f.bias;
}

// The largest finite magnitude code (code without sign and padding).
NUMCONF_HD constexpr std::uint64_t max_finite_magnitude(const Format& f) {
  if (f.nan == NanEncoding::Ieee) return magnitude_mask(f) - low_mask(f.mantissa_bits) - 1;
  std::uint64_t top = magnitude_mask(f);
  if (f.nan == NanEncoding::MaxPattern) --top;
  if (f.inf == InfEncoding::TopCode) --top;
  return top;
}

// Magnitude code of infinity (meaningful only when has_inf).
NUMCONF_HD constexpr std::uint64_t inf_magnitude(const Format& f) {
  return f.inf == InfEncoding::Ieee ? max_exponent_field(f) << f.mantissa_bits
                                    : max_finite_magnitude(f) + 1;
}

// Quiet bit of an IEEE NaN's trailing significand.
NUMCONF_HD constexpr std::uint64_t quiet_bit(const Format& f) {
  return std::uint64_t{1} << (f.mantissa_bits - 1);
}

// The canonical NaN of the given sign, as a code without padding (meaningful only when has_nan).
NUMCONF_HD constexpr std::uint64_t nan_code(const Format& f, bool negative) {
  const std::uint64_t sign = negative ? sign_bit(f) : 0;
  switch (f.nan) {
    case NanEncoding::Ieee: return sign | inf_magnitude(f) | quiet_bit(f);
    case NanEncoding::MaxPattern: return sign | magnitude_mask(f);
    case NanEncoding::NegZero: return sign_bit(f);
    case NanEncoding::None: break;
  }
  return 0;
}

// Why a hand-written descriptor cannot be used, or nullptr when it is consistent.
constexpr const char* invalid_reason(const Format& f) {
  if (f.kind == Kind::Int) {
    if (f.int_bits < 2 || f.int_bits > 64) return "integer width must be 2..64";
    return nullptr;
  }
  if (f.exponent_bits < 1 || f.exponent_bits > 16) return "exponent width must be 1..16";
  if (f.mantissa_bits < 0 || f.mantissa_bits > 52) return "mantissa width must be 0..52";
  if (code_bits(f) > 64) return "format wider than 64 bits";
  if (f.padding_bits < 0 || storage_bits(f) > 64) return "padding leaves no room in 64 bits";
  if ((f.inf == InfEncoding::Ieee) != (f.nan == NanEncoding::Ieee))
    return "inf=ieee and nan=ieee go together (both reserve the all-ones exponent)";
  if (f.nan == NanEncoding::Ieee && f.mantissa_bits < 1) return "nan=ieee needs mantissa bits";
  if (f.nan == NanEncoding::NegZero && !f.is_signed) return "nan=negzero needs a sign bit";
  if (!f.has_subnormals && f.nan == NanEncoding::NegZero) return "nan=negzero needs a zero";
  const int specials = (f.nan == NanEncoding::MaxPattern) + (f.inf == InfEncoding::TopCode);
  if (f.nan != NanEncoding::Ieee && magnitude_mask(f) < std::uint64_t(specials))
    return "no code left for finite values";
  if (f.nan == NanEncoding::Ieee && f.exponent_bits < 2) return "nan=ieee needs 2+ exponent bits";
  // Keeps every exponent the model handles well inside int range.
  if (f.bias < -(1 << 17) || f.bias > (1 << 17)) return "bias must be within +-2^17";
  return nullptr;
}

}  // namespace numconf
