// Conversion between any two formats in a single rounding (docs/semantics.md).
#pragma once

#include <cstdint>

#include "decode.hpp"
#include "format.hpp"
#include "policy.hpp"
#include "round.hpp"

namespace numconf {

namespace detail {

// x86's "integer indefinite": what NaN and Inf become in an integer without saturation.
NUMCONF_HD constexpr std::uint64_t integer_indefinite(const Format& to) {
  return to.is_signed ? sign_bit(to) : low_mask(to.int_bits);
}

// Whether a NaN converted from `from` to `to` keeps its payload: IEEE to IEEE, except under
// NVIDIA's profile, whose every NaN result is the one canonical NaN.
NUMCONF_HD constexpr bool keeps_nan_payload(const Format& from, const Format& to, const Policy& p) {
  return from.nan == NanEncoding::Ieee && to.nan == NanEncoding::Ieee && p.profile != Profile::Cuda;
}

// bf16 to f32, which NVIDIA's __bfloat162float does by a 16-bit shift, NaNs included (its
// fp8-to-half conversions, the same shape, give the canonical NaN instead).
NUMCONF_HD constexpr bool widens_by_shift(const Format& from, const Format& to) {
  return from.nan == NanEncoding::Ieee && to.nan == NanEncoding::Ieee && from.is_signed &&
         to.is_signed && from.exponent_bits == 8 && from.mantissa_bits == 7 && from.bias == 127 &&
         to.exponent_bits == 8 && to.mantissa_bits == 23 && to.bias == 127;
}

// A NaN input: quiet NaN with the input's sign (and, IEEE to IEEE, its payload aligned at the
// top of the trailing significand).
NUMCONF_HD constexpr Rounded convert_nan(const Format& from, const Format& to, const Unpacked& u,
                                         const Policy& p) {
  const std::uint8_t raised = u.signaling ? flags::kInvalid : 0;
  if (!is_float(to)) {
    return make(to, p.overflow == Overflow::None ? integer_indefinite(to) : 0, flags::kInvalid);
  }
  if (!has_nan(to)) return invalid_result(to, u.negative, p);
  if (p.profile == Profile::Cuda) {
    // bf16 to f32: the NaN, signaling or not, keeps its bits.
    if (widens_by_shift(from, to)) {
      const std::uint64_t code = with_sign(from, u.negative, inf_magnitude(from) | u.significand);
      return make(to, code << (to.mantissa_bits - from.mantissa_bits), raised);
    }
    return make(to, cuda_canonical_nan(to), raised);
  }
  const bool negative = u.negative && to.is_signed;
  if (!keeps_nan_payload(from, to, p)) return make(to, nan_code(to, negative), raised);
  const int shift = to.mantissa_bits - from.mantissa_bits;
  const std::uint64_t payload = shift >= 0 ? u.significand << shift : u.significand >> -shift;
  return make(to, nan_code(to, negative) | payload, raised);
}

NUMCONF_HD constexpr Rounded convert_infinity(const Format& to, bool negative, const Policy& p) {
  if (!is_float(to)) {
    if (p.overflow == Overflow::None) return make(to, integer_indefinite(to), flags::kInvalid);
    const std::uint64_t bound = negative ? sign_bit(to)
                                         : low_mask(to.is_signed ? to.int_bits - 1 : to.int_bits);
    return make(to, bound, flags::kInvalid);
  }
  if (negative && !to.is_signed) return negative_into_unsigned(to, p);
  const std::uint64_t max = with_sign(to, negative, max_finite_magnitude(to));
  if (p.overflow == Overflow::Finite) return make(to, max, 0);
  if (has_inf(to)) return make(to, with_sign(to, negative, inf_magnitude(to)), 0);
  if (p.overflow == Overflow::Propagate) return make(to, max, 0);
  return escaped(to, negative, p, flags::kInvalid);
}

}  // namespace detail

// Converts the container value `bits` of format `from` into format `to`.
NUMCONF_HD constexpr Rounded convert(const Format& from, const Format& to, std::uint64_t bits,
                                     const Policy& p, std::uint64_t random = 0) {
  Unpacked u = unpack(from, bits);
  if (p.flush_inputs && u.cls == ValueClass::Subnormal) {
    u.cls = ValueClass::Zero;
    u.negative = u.negative && has_neg_zero(from);  // a source without -0 flushes to +0
  }
  // NVIDIA's conversions into an unsigned format (e8m0) read the magnitude of the input.
  if (p.profile == Profile::Cuda && is_float(to) && !to.is_signed) u.negative = false;
  switch (u.cls) {
    case ValueClass::Nan: return detail::convert_nan(from, to, u, p);
    case ValueClass::Infinite: return detail::convert_infinity(to, u.negative, p);
    case ValueClass::Zero: return round_pack(to, u.negative, 0, 0, false, p, random);
    default: return round_pack(to, u.negative, u.exponent, u.significand, false, p, random);
  }
}

}  // namespace numconf
