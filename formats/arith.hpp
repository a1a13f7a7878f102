// Arithmetic in any float format (docs/arithmetic.md).  Every value-producing operation forms
// its exact result (or enough leading bits of it plus a sticky bit that lies below every
// rounding point) in integers and rounds it once, in round_pack.  Operands and results are
// container codes of one float format f; integer formats are not arithmetic formats.
#pragma once

#include <cstdint>

#include "convert.hpp"
#include "decode.hpp"
#include "format.hpp"
#include "policy.hpp"
#include "round.hpp"
#include "wide.hpp"

namespace numconf {

enum class Ordering : std::uint8_t { Less, Equal, Greater, Unordered };

struct Compared {
  Ordering order = Ordering::Unordered;
  std::uint8_t flags = 0;

  friend constexpr bool operator==(const Compared&, const Compared&) = default;
};

namespace detail {

NUMCONF_HD constexpr bool is_nan(const Unpacked& u) { return u.cls == ValueClass::Nan; }
NUMCONF_HD constexpr bool is_inf(const Unpacked& u) { return u.cls == ValueClass::Infinite; }
NUMCONF_HD constexpr bool is_zero(const Unpacked& u) { return u.cls == ValueClass::Zero; }

// An operand as the operation sees it: with daz, a subnormal reads as a zero of its sign.
NUMCONF_HD constexpr Unpacked read(const Format& f, std::uint64_t code, const Policy& p) {
  Unpacked u = unpack(f, code);
  if (p.flush_inputs && u.cls == ValueClass::Subnormal) {
    u.cls = ValueClass::Zero;
    u.significand = 0;
  }
  return u;
}

// The quiet NaN made from the first NaN operand (a, then b, then c): its sign, and for ieee
// formats its payload.  Invalid when any operand is a signaling NaN.
NUMCONF_HD constexpr Rounded nan_operand_result(const Format& f, const Unpacked& a,
                                                const Unpacked& b = {}, const Unpacked& c = {}) {
  const Unpacked& first = is_nan(a) ? a : is_nan(b) ? b : c;
  const std::uint64_t payload = f.nan == NanEncoding::Ieee ? first.significand : 0;
  const bool signaling = a.signaling || b.signaling || c.signaling;
  return make(f, nan_code(f, first.negative && f.is_signed) | payload,
              signaling ? flags::kInvalid : 0);
}

// Invalid operation on numbers: the default NaN (positive), or nan_to_nanless's stand-in.
NUMCONF_HD constexpr Rounded default_nan(const Format& f, const Policy& p) {
  return invalid_result(f, false, p);
}

// An exact infinite result meets the policy as an infinite input to a conversion does.
NUMCONF_HD constexpr Rounded infinite_result(const Format& f, bool negative, const Policy& p) {
  return convert_infinity(f, negative, p);
}

// A finite exact term (-1)^negative * significand * 2^exponent; significand 0 is a signed zero.
struct Term {
  bool negative = false;
  int exponent = 0;
  Uint128 significand = 0;
};

NUMCONF_HD constexpr Term term(const Unpacked& u) {
  return {u.negative, u.exponent, u.significand};
}

// The same value with the significand's top bit at bit 125 (significand != 0).
NUMCONF_HD constexpr Term at_bit_125(const Term& t) {
  const int up = 126 - bit_width(t.significand);
  return {t.negative, t.exponent - up, t.significand << up};
}

// Rounds x + y, for terms of at most 106 significant bits (an f64 product).  Both are shifted
// up to bit 125, so the sum cannot carry out of 128 bits.  Then the term with the larger
// exponent is the larger in magnitude, and the smaller loses bits only when shifted right by
// more than 20 places (its lowest set bit is at 20 or above); its sum or difference is then
// above 2^124, so the lost bits, kept as a sticky bit, lie 70+ bits below any rounding point.
NUMCONF_HD constexpr Rounded round_sum(const Format& f, Term x, Term y, const Policy& p,
                                       std::uint64_t random) {
  // An exact zero from opposite signs is +0, or -0 when rounding toward negative.
  const bool zero_negative =
      x.negative == y.negative ? x.negative : p.rounding == Rounding::TowardNegative;
  if (x.significand == 0 && y.significand == 0)
    return round_pack(f, zero_negative, 0, 0, false, p, random);
  if (x.significand == 0)
    return round_pack(f, y.negative, y.exponent, y.significand, false, p, random);
  if (y.significand == 0)
    return round_pack(f, x.negative, x.exponent, x.significand, false, p, random);

  x = at_bit_125(x);
  y = at_bit_125(y);
  if (x.exponent < y.exponent || (x.exponent == y.exponent && x.significand < y.significand)) {
    const Term larger = y;
    y = x;
    x = larger;
  }
  const int shift = x.exponent - y.exponent;
  const Uint128 aligned = shift >= 128 ? 0 : y.significand >> shift;
  const bool sticky = low_bits(y.significand, shift) != 0;
  if (x.negative == y.negative)
    return round_pack(f, x.negative, x.exponent, x.significand + aligned, sticky, p, random);
  // x - (aligned + a fraction in (0, 1) when sticky) = (x - aligned - 1) + that fraction's rest.
  const Uint128 difference = x.significand - aligned - Uint128(sticky);
  if (difference == 0 && !sticky) return round_pack(f, zero_negative, 0, 0, false, p, random);
  return round_pack(f, x.negative, x.exponent, difference, sticky, p, random);
}

NUMCONF_HD constexpr Rounded add_or_sub(const Format& f, std::uint64_t a, std::uint64_t b,
                                        bool subtract, const Policy& p, std::uint64_t random) {
  const Unpacked x = read(f, a, p);
  Unpacked y = read(f, b, p);
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, x, y);  // NaN signs are not negated
  y.negative = y.negative != subtract;
  if (is_inf(x) && is_inf(y) && x.negative != y.negative) return default_nan(f, p);
  if (is_inf(x)) return infinite_result(f, x.negative, p);
  if (is_inf(y)) return infinite_result(f, y.negative, p);
  return round_sum(f, term(x), term(y), p, random);
}

// Numbers compared by value, -0 == +0.  Magnitudes: the top bit's position first, then the
// significands aligned at the top (they have at most 53 bits).
NUMCONF_HD constexpr Ordering order_of(const Unpacked& x, const Unpacked& y) {
  const int x_sign = is_zero(x) ? 0 : x.negative ? -1 : 1;
  const int y_sign = is_zero(y) ? 0 : y.negative ? -1 : 1;
  if (x_sign != y_sign) return x_sign < y_sign ? Ordering::Less : Ordering::Greater;
  if (x_sign == 0) return Ordering::Equal;
  int magnitude = 0;  // sign of |x| - |y|
  if (is_inf(x) || is_inf(y)) {
    magnitude = int(is_inf(x)) - int(is_inf(y));
  } else {
    const int x_top = x.exponent + bit_width(Uint128{x.significand});
    const int y_top = y.exponent + bit_width(Uint128{y.significand});
    const std::uint64_t x_aligned = x.significand << (64 - bit_width(Uint128{x.significand}));
    const std::uint64_t y_aligned = y.significand << (64 - bit_width(Uint128{y.significand}));
    if (x_top != y_top) magnitude = x_top < y_top ? -1 : 1;
    else if (x_aligned != y_aligned) magnitude = x_aligned < y_aligned ? -1 : 1;
  }
  if (x_sign < 0) magnitude = -magnitude;
  return magnitude < 0 ? Ordering::Less : magnitude > 0 ? Ordering::Greater : Ordering::Equal;
}

// An operand returned as the result: its own code, or with daz the zero it read as.
NUMCONF_HD constexpr Rounded operand_result(const Format& f, std::uint64_t code,
                                            const Unpacked& read_as, std::uint8_t flag_bits) {
  if (is_zero(read_as)) return zero_result(f, read_as.negative, flag_bits);
  return {code, flag_bits};
}

enum class Extreme : std::uint8_t { Min, Max };
enum class NanOperand : std::uint8_t { Propagates, Ignored };  // minimum vs minimumNumber

// IEEE 754-2019 9.6 minimum/maximum(Number): -0 < +0; no rounding.
NUMCONF_HD constexpr Rounded min_max(const Format& f, std::uint64_t a, std::uint64_t b,
                                     const Policy& p, Extreme extreme, NanOperand nans) {
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  if (nans == NanOperand::Ignored && is_nan(x) != is_nan(y)) {
    const std::uint8_t raised = x.signaling || y.signaling ? flags::kInvalid : 0;
    return is_nan(x) ? operand_result(f, b, y, raised) : operand_result(f, a, x, raised);
  }
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, x, y);
  Ordering order = order_of(x, y);
  if (order == Ordering::Equal && x.negative != y.negative)  // only zeros: -0 < +0
    order = x.negative ? Ordering::Less : Ordering::Greater;
  const bool take_x = order == Ordering::Equal ||
                      (order == Ordering::Less) == (extreme == Extreme::Min);
  return take_x ? operand_result(f, a, x, 0) : operand_result(f, b, y, 0);
}

}  // namespace detail

// ---- Value-producing operations: exact result, one rounding -------------------------------

NUMCONF_HD constexpr Rounded add(const Format& f, std::uint64_t a, std::uint64_t b,
                                 const Policy& p, std::uint64_t random = 0) {
  return detail::add_or_sub(f, a, b, false, p, random);
}

NUMCONF_HD constexpr Rounded sub(const Format& f, std::uint64_t a, std::uint64_t b,
                                 const Policy& p, std::uint64_t random = 0) {
  return detail::add_or_sub(f, a, b, true, p, random);
}

NUMCONF_HD constexpr Rounded mul(const Format& f, std::uint64_t a, std::uint64_t b,
                                 const Policy& p, std::uint64_t random = 0) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, x, y);
  const bool negative = x.negative != y.negative;
  if (is_inf(x) || is_inf(y)) {
    if (is_zero(x) || is_zero(y)) return default_nan(f, p);
    return infinite_result(f, negative, p);
  }
  // Exact: two significands of at most 53 bits.
  return round_pack(f, negative, x.exponent + y.exponent, Uint128{x.significand} * y.significand,
                    false, p, random);
}

// The quotient is formed to 127+ bits in two 128/64-bit divisions (one would give only 64 - 53
// bits below an f64 result); the last remainder is the sticky bit.
NUMCONF_HD constexpr Rounded div(const Format& f, std::uint64_t a, std::uint64_t b,
                                 const Policy& p, std::uint64_t random = 0) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, x, y);
  const bool negative = x.negative != y.negative;
  if (is_inf(x)) return is_inf(y) ? default_nan(f, p) : infinite_result(f, negative, p);
  if (is_zero(y)) {
    if (is_zero(x)) return default_nan(f, p);
    return {infinite_result(f, negative, p).bits, flags::kInfinite};
  }
  if (is_inf(y) || is_zero(x)) return round_pack(f, negative, 0, 0, false, p, random);

  // Both significands moved up to [2^63, 2^64), so the first quotient digit fits in 64 bits.
  const int x_up = 64 - bit_width(Uint128{x.significand});
  const int y_up = 64 - bit_width(Uint128{y.significand});
  const std::uint64_t dividend = x.significand << x_up;
  const std::uint64_t divisor = y.significand << y_up;
  const Uint128 numerator = Uint128{dividend} << 63;
  const Uint128 first = numerator / divisor;  // < 2^64
  const Uint128 rest = numerator % divisor;
  const Uint128 second = (rest << 64) / divisor;  // < 2^64 as rest < divisor
  const bool sticky = (rest << 64) % divisor != 0;
  const int exponent = (x.exponent - x_up) - (y.exponent - y_up) - 63 - 64;
  return round_pack(f, negative, exponent, first << 64 | second, sticky, p, random);
}

NUMCONF_HD constexpr Rounded fma(const Format& f, std::uint64_t a, std::uint64_t b,
                                 std::uint64_t c, const Policy& p, std::uint64_t random = 0) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  const Unpacked z = read(f, c, p);
  // 0 * Inf is invalid even when c is a quiet NaN (as SoftFloat does).
  const bool zero_times_inf = (is_zero(x) && is_inf(y)) || (is_inf(x) && is_zero(y));
  if (is_nan(x) || is_nan(y) || is_nan(z)) {
    Rounded r = nan_operand_result(f, x, y, z);
    if (zero_times_inf) r.flags |= flags::kInvalid;
    return r;
  }
  if (zero_times_inf) return default_nan(f, p);
  const bool product_negative = x.negative != y.negative;
  if (is_inf(x) || is_inf(y)) {
    if (is_inf(z) && z.negative != product_negative) return default_nan(f, p);
    return infinite_result(f, product_negative, p);
  }
  if (is_inf(z)) return infinite_result(f, z.negative, p);
  const Term product{product_negative, x.exponent + y.exponent,
                     Uint128{x.significand} * y.significand};
  return round_sum(f, product, term(z), p, random);
}

// The root is formed digit by digit (two radicand bits per root bit) to 95 bits, 42 of them
// below an f64 result; the remainder is the sticky bit.
NUMCONF_HD constexpr Rounded sqrt(const Format& f, std::uint64_t a, const Policy& p,
                                  std::uint64_t random = 0) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  if (is_nan(x)) return nan_operand_result(f, x);
  if (is_zero(x)) return round_pack(f, x.negative, 0, 0, false, p, random);  // sqrt(-0) = -0
  if (x.negative) return default_nan(f, p);
  if (is_inf(x)) return infinite_result(f, false, p);

  // radicand * 2^exponent with an even exponent and the radicand in [2^60, 2^62).
  int up = 62 - bit_width(Uint128{x.significand});
  if (((x.exponent - up) & 1) != 0) --up;
  const std::uint64_t radicand = x.significand << up;
  const int exponent = x.exponent - up;

  // root = floor(sqrt(radicand * 2^128)): the radicand's 31 digits, then 64 zero digits.
  Uint128 root = 0, remainder = 0;
  for (int digit = 0; digit < 31 + 64; ++digit) {
    const int shift = 60 - 2 * digit;
    remainder = remainder << 2 | (shift >= 0 ? (radicand >> shift) & 3 : 0);
    const Uint128 trial = root << 2 | 1;  // (2 root + 1)^2 - (2 root)^2, at this scale
    root <<= 1;
    if (remainder >= trial) {
      remainder -= trial;
      root |= 1;
    }
  }
  return round_pack(f, false, (exponent - 128) / 2, root, remainder != 0, p, random);
}

// Rounds to an integral value of f by the policy's mode: the integer is found by the rounder's
// integer path, then encoded exactly.  Inexact is raised only by the "exact" variant (IEEE 754
// roundToIntegralExact).
NUMCONF_HD constexpr Rounded round_to_integral(const Format& f, std::uint64_t a, const Policy& p,
                                               bool exact, std::uint64_t random = 0) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  if (is_nan(x)) return nan_operand_result(f, x);
  if (is_inf(x)) return infinite_result(f, x.negative, p);
  if (x.exponent >= 0 || is_zero(x))  // already integral
    return round_pack(f, x.negative, x.exponent, x.significand, false, p, random);
  // |x| < 2^52 here, well inside a 64-bit integer.
  constexpr Format kInteger = int_format(64, true);
  const Rounded integer =
      round_pack(kInteger, x.negative, x.exponent, x.significand, false, p, random);
  const Rounded r =
      round_pack(f, x.negative, 0, unpack(kInteger, integer.bits).significand, false, p, random);
  const bool raise_inexact = exact && (integer.flags & flags::kInexact) != 0;
  return {r.bits, static_cast<std::uint8_t>(r.flags | (raise_inexact ? flags::kInexact : 0))};
}

// ---- Selections and comparison: operand values, no rounding ---------------------------------

NUMCONF_HD constexpr Rounded minimum(const Format& f, std::uint64_t a, std::uint64_t b,
                                     const Policy& p) {
  return detail::min_max(f, a, b, p, detail::Extreme::Min, detail::NanOperand::Propagates);
}

NUMCONF_HD constexpr Rounded maximum(const Format& f, std::uint64_t a, std::uint64_t b,
                                     const Policy& p) {
  return detail::min_max(f, a, b, p, detail::Extreme::Max, detail::NanOperand::Propagates);
}

NUMCONF_HD constexpr Rounded minimum_number(const Format& f, std::uint64_t a, std::uint64_t b,
                                            const Policy& p) {
  return detail::min_max(f, a, b, p, detail::Extreme::Min, detail::NanOperand::Ignored);
}

NUMCONF_HD constexpr Rounded maximum_number(const Format& f, std::uint64_t a, std::uint64_t b,
                                            const Policy& p) {
  return detail::min_max(f, a, b, p, detail::Extreme::Max, detail::NanOperand::Ignored);
}

// Quiet comparison: only a signaling NaN raises invalid; -0 == +0.
NUMCONF_HD constexpr Compared compare(const Format& f, std::uint64_t a, std::uint64_t b,
                                      const Policy& p) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  if (is_nan(x) || is_nan(y))
    return {Ordering::Unordered, x.signaling || y.signaling ? flags::kInvalid : std::uint8_t{0}};
  return {order_of(x, y), 0};
}

}  // namespace numconf
