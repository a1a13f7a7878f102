// The one rounding point of the model.  Every value-producing path (conversion, arithmetic,
// quantization) hands its exact result here as sign, exponent and significand with a sticky
// bit, and gets back the code and the exception flags.  See docs/semantics.md.
//
// The significand is 128 bits wide so that arithmetic can hand over exact products and enough
// quotient or root bits below an f64 result for stochastic rounding (N random bits need N + 1
// exact fraction bits); a conversion's 64-bit significand widens to the same values.
#pragma once

#include <bit>
#include <cstdint>

#include "format.hpp"
#include "policy.hpp"
#include "wide.hpp"

namespace numconf {

namespace detail {

// A magnitude cut at a quantum: the integer part `kept`, and the discarded part as a fraction
// of one quantum, its leading 64 bits in `fraction` and whether anything lies below them.
struct Cut {
  std::uint64_t kept = 0;
  std::uint64_t fraction = 0;
  bool sticky = false;

  NUMCONF_HD constexpr bool inexact() const { return (fraction != 0) | sticky; }
};

// Cuts (significand + sticky) * 2^exponent at quantum 2^quantum, keeping the integer part
// modulo 2^64 (the float rounder's always fits); exponent - quantum must be below 128.
NUMCONF_HD NUMCONF_INLINE constexpr Cut cut(Uint128 significand, bool sticky, int exponent,
                                            int quantum) {
  const int shift = quantum - exponent;
  if (shift <= 0) return {static_cast<std::uint64_t>(significand << -shift), 0, sticky};
  // The usual case, a significand of 64 bits or fewer cut inside it, in 64-bit shifts.
  const auto low = static_cast<std::uint64_t>(significand);
  if (low == significand && shift < 64) return {low >> shift, low << (64 - shift), sticky};
  if (shift < 128) {
    const Uint128 discarded = significand << (128 - shift);  // aligned at the top
    return {static_cast<std::uint64_t>(significand >> shift),
            static_cast<std::uint64_t>(discarded >> 64),
            sticky || static_cast<std::uint64_t>(discarded) != 0};
  }
  if (shift < 192) {
    const int below = shift - 64;
    return {0, static_cast<std::uint64_t>(significand >> below),
            sticky || low_bits(significand, below) != 0};
  }
  return {0, 0, sticky || significand != 0};
}

// Whether a stochastic mode rounds away from zero, P3109/D1 4.7.4 (docs/p3109-notes.md), with
// nu the discarded fraction and R < 2^N the caller's random value:
//   A: floor(nu 2^N) + R >= 2^N
//   B: floor(nu 2^(N+1)) + 2R + 1 >= 2^(N+1)
//   C: round-to-nearest-even(nu 2^N) + R >= 2^N
NUMCONF_HD constexpr bool stochastic_up(Rounding mode, const Cut& c, int n, std::uint64_t r) {
  constexpr std::uint64_t kHalf = std::uint64_t{1} << 63;
  const std::uint64_t limit = std::uint64_t{1} << n;  // n <= 32
  const std::uint64_t top = n == 0 ? 0 : c.fraction >> (64 - n);
  switch (mode) {
    case Rounding::StochasticA:
      return top + r >= limit;
    case Rounding::StochasticB:
      return (c.fraction >> (63 - n)) + 2 * r + 1 >= 2 * limit;
    default: {
      const std::uint64_t rest = n == 0 ? c.fraction : c.fraction << n;
      const bool half_up = rest > kHalf || (rest == kHalf && (c.sticky || (top & 1) != 0));
      return top + std::uint64_t(half_up) + r >= limit;
    }
  }
}

// Whether the mode moves the magnitude from the lower neighbour to the upper one.  `lo_even`:
// the lower neighbour's code ends in 0 (P3109's CodeIsEven; with a one-bit significand the
// code's last bit is the exponent's).
NUMCONF_HD NUMCONF_INLINE constexpr bool rounds_up(const Cut& c, bool lo_even, bool negative,
                                                   const Policy& p, std::uint64_t random) {
  constexpr std::uint64_t kHalf = std::uint64_t{1} << 63;
  switch (p.rounding) {
    // Bitwise & and | on bools: the operands are data, and g++ compiles && and || on them
    // into branches that random operands mispredict.
    case Rounding::NearestEven:
      return (c.fraction > kHalf) | ((c.fraction == kHalf) & (c.sticky | !lo_even));
    case Rounding::NearestAway:
      return c.fraction >= kHalf;
    case Rounding::TowardZero:
      return false;
    case Rounding::TowardPositive:
      return !negative & c.inexact();
    case Rounding::TowardNegative:
      return negative & c.inexact();
    case Rounding::ToOdd:
      return c.inexact() & lo_even;
    case Rounding::StochasticA:
    case Rounding::StochasticB:
    case Rounding::StochasticC:
      return stochastic_up(p.rounding, c, p.random_bits, random);
  }
  return false;
}

NUMCONF_HD constexpr std::uint64_t with_sign(const Format& f, bool negative, std::uint64_t mag) {
  return (negative ? sign_bit(f) : 0) | mag;
}

NUMCONF_HD constexpr Rounded make(const Format& f, std::uint64_t code, std::uint8_t flag_bits) {
  return {code << f.padding_bits, flag_bits};
}

// NVIDIA's canonical NaN (Profile::Cuda, docs/profiles.md): positive, every magnitude bit set
// (f32 0x7fffffff, f16 and bf16 0x7fff, e4m3fn and e5m2 0x7f); the fnuz NaN stays 0x80.
NUMCONF_HD constexpr std::uint64_t cuda_canonical_nan(const Format& f) {
  return f.nan == NanEncoding::NegZero ? nan_code(f, false) : magnitude_mask(f);
}

// The NaN a format produces for an invalid result, or what stands in for it without NaN.
// NVIDIA gives every NaN result one code and drops the sign of max finite standing in for it.
NUMCONF_HD constexpr Rounded invalid_result(const Format& f, bool negative, const Policy& p) {
  const bool cuda = p.profile == Profile::Cuda;
  if (cuda && has_nan(f)) return make(f, cuda_canonical_nan(f), flags::kInvalid);
  const bool keep_sign = negative && f.is_signed && !cuda;
  if (has_nan(f)) return make(f, nan_code(f, keep_sign), flags::kInvalid);
  if (p.nan_to_nanless == NanToNanless::MaxFinite)
    return make(f, with_sign(f, keep_sign, max_finite_magnitude(f)), flags::kInvalid);
  return make(f, 0, flags::kInvalid);
}

NUMCONF_HD constexpr Rounded zero_result(const Format& f, bool negative, std::uint8_t flag_bits) {
  return make(f, with_sign(f, negative && has_neg_zero(f), 0), flag_bits);
}

// Whether a finite overflow under Overflow::None leaves the finite range (for Inf, or NaN)
// rather than stopping at max finite: IEEE 754 7.4, or P3109's SatNone.
NUMCONF_HD constexpr bool overflow_escapes(const Policy& p, bool negative) {
  if (p.overflow != Overflow::None) return false;
  switch (p.rounding) {
    case Rounding::TowardZero:
      return false;
    case Rounding::TowardPositive:
      return !negative;
    case Rounding::TowardNegative:
      return negative;
    case Rounding::ToOdd:
      return p.overflow_rule != OverflowRule::Ieee754;
    default:
      return true;  // nearest and stochastic
  }
}

// Where an escaping overflow lands: infinity, else NaN (P3109 v3 clamps instead), else max.
NUMCONF_HD constexpr Rounded escaped(const Format& f, bool negative, const Policy& p,
                                     std::uint8_t flag_bits) {
  if (has_inf(f)) return make(f, with_sign(f, negative, inf_magnitude(f)), flag_bits);
  if (has_nan(f) && p.overflow_rule != OverflowRule::P3109V3)
    return make(f, nan_code(f, negative), flag_bits);
  return make(f, with_sign(f, negative, max_finite_magnitude(f)), flag_bits);
}

NUMCONF_HD constexpr Rounded overflow_result(const Format& f, bool negative, const Policy& p) {
  constexpr std::uint8_t kFlags = flags::kOverflow | flags::kInexact;
  if (overflow_escapes(p, negative)) return escaped(f, negative, p, kFlags);
  return make(f, with_sign(f, negative, max_finite_magnitude(f)), kFlags);
}

// A negative value for an unsigned format lies below its range [0, max]: the lower bound where
// saturation or a rounding direction toward 0 applies (and always under P3109 v3), else NaN.
// Code 0 is that bound: zero, or the smallest value of a format without zero (e8m0fnu).
NUMCONF_HD constexpr Rounded negative_into_unsigned(const Format& f, const Policy& p) {
  const bool clamps = p.overflow != Overflow::None || p.overflow_rule == OverflowRule::P3109V3 ||
                      p.rounding == Rounding::TowardZero || p.rounding == Rounding::TowardPositive;
  if (clamps) return make(f, 0, flags::kInvalid);
  return invalid_result(f, true, p);
}

NUMCONF_HD constexpr Rounded round_to_int(const Format& f, bool negative, int exponent,
                                          Uint128 significand, bool sticky, const Policy& p,
                                          std::uint64_t random) {
  const int width = f.int_bits;
  const int top_bit = exponent + bit_width(significand) - 1;  // significand != 0
  const bool huge = top_bit >= 64;                            // beyond every integer format
  // The integer part modulo 2^64 (cut keeps its low 64 bits; a multiple of 2^128 is 0).
  const Cut c = exponent >= 128 ? Cut{} : cut(significand, sticky, exponent, 0);
  const bool up = rounds_up(c, (c.kept & 1) == 0, negative, p, random);
  const std::uint64_t magnitude = c.kept + std::uint64_t(up);  // modulo 2^64 when huge

  const std::uint64_t max_positive = low_mask(f.is_signed ? width - 1 : width);
  const std::uint64_t max_negative = f.is_signed ? max_positive + 1 : 0;
  const bool in_range = !huge && (negative ? magnitude <= max_negative : magnitude <= max_positive);
  const std::uint64_t mask = low_mask(width);
  if (in_range) {
    const std::uint64_t code = (negative ? ~magnitude + 1 : magnitude) & mask;
    return make(f, code, c.inexact() ? flags::kInexact : 0);
  }
  if (p.overflow != Overflow::None) {
    const std::uint64_t bound = negative ? (~max_negative + 1) & mask : max_positive;
    return make(f, bound, flags::kInvalid);
  }
  // x86 (cvtss2si and kin) gives the "integer indefinite" code instead of wrapping.
  if (p.profile == Profile::X86) return make(f, f.is_signed ? sign_bit(f) : mask, flags::kInvalid);
  // Wrap modulo 2^width: the rounded integer's bits below 2^64 are in magnitude.
  return make(f, (negative ? ~magnitude + 1 : magnitude) & mask, flags::kInvalid);
}

// Parity of the code of kept * 2^quantum (kept < 2^(m+1)): the significand's last bit, or with a
// one-bit significand the biased exponent's.
NUMCONF_HD NUMCONF_INLINE constexpr bool lo_is_even(const Format& f, std::uint64_t kept,
                                                    int quantum) {
  if (f.mantissa_bits > 0 || kept == 0) return (kept & 1) == 0;
  return ((quantum + f.bias) & 1) == 0;
}

NUMCONF_HD NUMCONF_INLINE constexpr Rounded round_to_float(const Format& f, bool negative,
                                                           int exponent, Uint128 significand,
                                                           bool sticky, const Policy& p,
                                                           std::uint64_t random) {
  const int m = f.mantissa_bits;
  const int emin = min_normal_exponent(f);
  const int binade = exponent + bit_width(significand) - 1;  // significand != 0
  const int quantum = f.has_subnormals && binade < emin ? emin - m : binade - m;

  const Cut c = cut(significand, sticky, exponent, quantum);
  const bool up = rounds_up(c, lo_is_even(f, c.kept, quantum), negative, p, random);
  std::uint64_t kept = c.kept + std::uint64_t(up);
  int kept_quantum = quantum;
  if ((kept >> (m + 1)) != 0) {  // carried into the next binade: 2^(m+1) -> 2^m, exactly
    kept >>= 1;
    ++kept_quantum;
  }
  std::uint8_t raised = c.inexact() ? flags::kInexact : 0;

  if (has_zero(f) && binade < emin) {
    // Tiny before rounding; after rounding only if rounding with unbounded exponent range stays
    // below 2^emin, which can differ from the above only when the exact value is in the binade
    // just below emin.
    bool tiny = true;
    if (p.tininess == Tininess::AfterRounding && binade == emin - 1) {
      const Cut unbounded = cut(significand, sticky, exponent, binade - m);
      const bool unbounded_up =
          rounds_up(unbounded, lo_is_even(f, unbounded.kept, binade - m), negative, p, random);
      tiny = ((unbounded.kept + std::uint64_t(unbounded_up)) >> (m + 1)) == 0;
    }
    if (tiny && p.flush_outputs)
      return zero_result(f, negative, flags::kUnderflow | flags::kInexact);
    if (tiny && c.inexact()) raised |= flags::kUnderflow;
  }

  if (kept == 0) return zero_result(f, negative, raised);
  if (negative && !f.is_signed) return negative_into_unsigned(f, p);
  if ((kept >> m) == 0) return make(f, with_sign(f, negative, kept), raised);  // subnormal

  const long long biased = static_cast<long long>(kept_quantum) + m + f.bias;
  if (biased < 0)  // below the lowest binade of a format without zero
    return make(f, with_sign(f, negative, 0), flags::kUnderflow | flags::kInexact);
  if (biased > static_cast<long long>(max_exponent_field(f)))
    return overflow_result(f, negative, p);
  const std::uint64_t magnitude = (std::uint64_t(biased) << m) | (kept & low_mask(m));
  // Only the top two binades can hold codes above max finite (two special codes when m = 0).
  if (biased + 1 >= static_cast<long long>(max_exponent_field(f)) &&
      magnitude > max_finite_magnitude(f))
    return overflow_result(f, negative, p);
  return make(f, with_sign(f, negative, magnitude), raised);
}

}  // namespace detail

// Rounds the exact value (-1)^negative * (significand + sticky * epsilon) * 2^exponent into
// format f.  `sticky` says that non-zero bits lie below the significand's last bit (so the value
// is strictly between significand and significand + 1 units).  `random` is the stochastic
// modes' R, of policy.random_bits bits.
NUMCONF_HD NUMCONF_INLINE constexpr Rounded round_pack(const Format& f, bool negative, int exponent,
                                                       Uint128 significand, bool sticky,
                                                       const Policy& p, std::uint64_t random = 0) {
  if (significand == 0 && !sticky) {
    if (has_zero(f)) return detail::zero_result(f, negative, 0);
    return detail::make(f, detail::with_sign(f, negative, 0),
                        flags::kUnderflow | flags::kInexact);  // +-smallest
  }
  if (significand == 0) {  // only the sticky bit: a value far below the last significand bit
    significand = 1;
    exponent -= 64;
  }
  if (is_float(f)) {
    return detail::round_to_float(f, negative, exponent, significand, sticky, p, random);
  }
  return detail::round_to_int(f, negative, exponent, significand, sticky, p, random);
}

namespace detail {

// ---- The fast paths' rounder: a fixed point at bit 62 ---------------------------------------
//
// A magnitude held at a fixed point: `top` has its leading bit at bit 62 and is either the exact
// value (scaled) or, when bits were lost, lies with the exact value strictly between the same two
// neighbouring multiples of 2^(61 - m): bits lost below are "jammed" into a set bit that stands
// for them.  Rounding points (multiples of 2^(62 - m)) and midpoints are such multiples, so top
// and the exact value round alike in every mode that is not stochastic, and top is inexact
// exactly when the value is.  (Jamming x into an even F with x - F in (0, 1) gives F | 1: both
// lie strictly between the even neighbours of F | 1, and with m <= 52 every multiple of
// 2^(61 - m) is a multiple of 2^9.)

// What a mode that is not stochastic adds below the cut before truncating: the magnitude
// rounded at 2^shift is (top + increment) >> shift.  `lo_odd`: the truncated code ends in 1.
// Choices on data (the sign, the last bit) are masks, not branches.
NUMCONF_HD NUMCONF_INLINE constexpr std::uint64_t rounding_increment(Rounding mode, bool negative,
                                                                     bool lo_odd, int shift) {
  const std::uint64_t below = (std::uint64_t{1} << shift) - 1;  // up whenever inexact
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  switch (mode) {
    case Rounding::NearestEven:  // up above the midpoint, and at it when the code is odd
      return half - 1 + std::uint64_t(lo_odd);
    case Rounding::NearestAway:
      return half;
    case Rounding::TowardPositive:
      return below & (std::uint64_t(negative) - 1);
    case Rounding::TowardNegative:
      return below & (0 - std::uint64_t(negative));
    case Rounding::ToOdd:
      return below & (std::uint64_t(lo_odd) - 1);
    default:  // TowardZero; stochastic modes do not come here
      return 0;
  }
}

// round_pack's common case, for a fixed-point top (above) whose exact value lies in exponent
// field `field` (in [2^(field - bias), 2^(field - bias + 1))): the cut at bit 62 - m, the mode's
// increment, and the carry into the next field.  It takes a mode that is not stochastic and
// fields in [1, max - 3], which rounding carries at most to max - 2, where every code is a
// finite normal in every encoding (not tiny, so tininess and ftz do not matter; no overflow, no
// special codes), and returns false for anything else.  `sign` is the result's sign bit in
// place (0 or sign_bit(f)): the callers leave negative results of unsigned formats to the
// general path.
NUMCONF_HD NUMCONF_INLINE constexpr bool round_top(const Format& f, std::uint64_t sign, int field,
                                                   std::uint64_t top, const Policy& p,
                                                   Rounded& out) {
  if (is_stochastic(p.rounding) || field < 1 || field + 3 > int(max_exponent_field(f)))
    return false;
  const int m = f.mantissa_bits;
  const int shift = 62 - m;
  const std::uint64_t kept = top >> shift;  // m + 1 bits
  const bool lo_odd = !lo_is_even(f, kept, field - f.bias - m);
  // top + increment < 2^63: no carry is lost.  The rounded significand is kept or kept + 1.
  const std::uint64_t rounded =
      (top + rounding_increment(p.rounding, sign != 0, lo_odd, shift)) >> shift;
  // The leading bit adds 1 to field - 1, and a carry out of the significand
  // (rounded = 2^(m+1)) steps into the next field with trailing zeros, exactly.
  const std::uint64_t magnitude = (std::uint64_t(field - 1) << m) + rounded;
  const bool inexact = (top & low_mask(shift)) != 0;
  out = {(sign | magnitude) << f.padding_bits, inexact ? flags::kInexact : std::uint8_t{0}};
  return true;
}

// round_top for a non-zero 64-bit significand scaled by 2^exponent, with `sticky` standing for
// non-zero bits below its last bit (as for round_pack, below every rounding point): the
// significand is normalised to bit 62, the bit that leaves and the sticky bit jammed into bit 0.
// Anything outside round_top's domain, and a negative result for an unsigned format, returns
// false with `out` untouched, and the caller takes the general path.
NUMCONF_HD NUMCONF_INLINE constexpr bool round_normal(const Format& f, bool negative, int exponent,
                                                      std::uint64_t significand, bool sticky,
                                                      const Policy& p, Rounded& out) {
  if (significand == 0 || (negative && !f.is_signed)) return false;
  const int lead = std::countl_zero(significand);
  const std::uint64_t at_bit63 = significand << lead;
  const std::uint64_t top = (at_bit63 >> 1) | ((at_bit63 & 1) | std::uint64_t(sticky));
  const int binade = exponent + 63 - lead;
  // The sign by a mask: a ?: here became a branch on the (random) sign of products.
  const std::uint64_t sign = sign_bit(f) & (0 - std::uint64_t(negative));
  return round_top(f, sign, binade + f.bias, top, p, out);
}

// The same for a significand of up to 128 bits: the bits below its leading 64 join the sticky.
NUMCONF_HD NUMCONF_INLINE constexpr bool round_normal(const Format& f, bool negative, int exponent,
                                                      Uint128 significand, bool sticky,
                                                      const Policy& p, Rounded& out) {
  const int excess = bit_width(significand) > 64 ? bit_width(significand) - 64 : 0;
  return round_normal(f, negative, exponent + excess,
                      static_cast<std::uint64_t>(significand >> excess),
                      sticky || low_bits(significand, excess) != 0, p, out);
}

}  // namespace detail

}  // namespace numconf
