// Decoding a code into its class and exact value, significand * 2^exponent.
#pragma once

#include <cstdint>

#include "format.hpp"

namespace numconf {

enum class ValueClass : std::uint8_t { Zero, Subnormal, Normal, Infinite, Nan };

// The exact value of a code: (-1)^negative * significand * 2^exponent for finite classes.
// A NaN keeps its trailing significand (payload) and whether it is signaling.
struct Unpacked {
  ValueClass cls = ValueClass::Zero;
  bool negative = false;
  int exponent = 0;
  std::uint64_t significand = 0;
  bool signaling = false;
};

// Whether a container value is a code of the format (right width, padding bits zero).
NUMCONF_HD constexpr bool is_valid_code(const Format& f, std::uint64_t container) {
  return (container & ~low_mask(storage_bits(f))) == 0 &&
         (container & low_mask(f.padding_bits)) == 0;
}

NUMCONF_HD constexpr Unpacked unpack_int(const Format& f, std::uint64_t code) {
  Unpacked u;
  const bool negative = f.is_signed && ((code >> (f.int_bits - 1)) & 1) != 0;
  // Two's complement: the magnitude of a negative code is 2^w - code (2^63 for INT64_MIN).
  u.significand = negative ? (~code + 1) & low_mask(f.int_bits) : code;
  u.negative = negative;
  u.cls = u.significand == 0 ? ValueClass::Zero : ValueClass::Normal;
  return u;
}

NUMCONF_HD constexpr Unpacked unpack_float(const Format& f, std::uint64_t code) {
  Unpacked u;
  const std::uint64_t magnitude = code & magnitude_mask(f);
  const std::uint64_t trailing = magnitude & low_mask(f.mantissa_bits);
  const std::uint64_t exponent_field = magnitude >> f.mantissa_bits;
  u.negative = (code & sign_bit(f)) != 0;

  const bool ieee_special = f.nan == NanEncoding::Ieee && exponent_field == max_exponent_field(f);
  const bool nan = (ieee_special && trailing != 0) ||
                   (f.nan == NanEncoding::MaxPattern && magnitude == magnitude_mask(f)) ||
                   (f.nan == NanEncoding::NegZero && u.negative && magnitude == 0);
  if (nan) {
    u.cls = ValueClass::Nan;
    u.negative = u.negative && f.nan != NanEncoding::NegZero;  // the sign bit is the NaN, no sign
    u.significand = trailing;
    u.signaling = f.nan == NanEncoding::Ieee && (trailing & quiet_bit(f)) == 0;
    return u;
  }
  if (has_inf(f) && magnitude == inf_magnitude(f)) {
    u.cls = ValueClass::Infinite;
    return u;
  }
  if (f.has_subnormals && exponent_field == 0) {
    u.cls = trailing == 0 ? ValueClass::Zero : ValueClass::Subnormal;
    u.exponent = 1 - f.bias - f.mantissa_bits;
    u.significand = trailing;
    return u;
  }
  u.cls = ValueClass::Normal;
  u.exponent = int(exponent_field) - f.bias - f.mantissa_bits;
  u.significand = trailing | (std::uint64_t{1} << f.mantissa_bits);
  return u;
}

// Decodes a container value (the code shifted by the format's padding).
NUMCONF_HD constexpr Unpacked unpack(const Format& f, std::uint64_t container) {
  const std::uint64_t code = container >> f.padding_bits;
  return is_float(f) ? unpack_float(f, code) : unpack_int(f, code);
}

}  // namespace numconf
