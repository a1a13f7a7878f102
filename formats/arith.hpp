// Arithmetic in any float format (docs/arithmetic.md).  Every value-producing operation forms
// its exact result (or enough leading bits of it plus a sticky bit that lies below every
// rounding point) in integers and rounds it once, in round_pack.  Operands and results are
// container codes of one float format f; integer formats are not arithmetic formats.
#pragma once

#include <bit>
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
NUMCONF_HD NUMCONF_INLINE constexpr Unpacked read(const Format& f, std::uint64_t code,
                                                  const Policy& p) {
  Unpacked u = unpack(f, code);
  if (p.flush_inputs && u.cls == ValueClass::Subnormal) {
    u.cls = ValueClass::Zero;
    u.significand = 0;
  }
  return u;
}

// The quiet NaN made from the first NaN operand (a, then b, then c): its sign, and for ieee
// formats its payload.  Invalid when any operand is a signaling NaN.
// Under Profile::Cuda every NaN result is NVIDIA's canonical NaN instead.
NUMCONF_HD constexpr Rounded nan_operand_result(const Format& f, const Policy& p, const Unpacked& a,
                                                const Unpacked& b = {}, const Unpacked& c = {}) {
  const Unpacked& first = is_nan(a) ? a : is_nan(b) ? b : c;
  const std::uint64_t payload = f.nan == NanEncoding::Ieee ? first.significand : 0;
  const std::uint8_t raised = a.signaling || b.signaling || c.signaling ? flags::kInvalid : 0;
  if (p.profile == Profile::Cuda) return make(f, cuda_canonical_nan(f), raised);
  return make(f, nan_code(f, first.negative && f.is_signed) | payload, raised);
}

// Invalid operation on numbers: the default NaN (positive; x86's "QNaN floating-point
// indefinite" is negative), or nan_to_nanless's stand-in.
NUMCONF_HD constexpr Rounded default_nan(const Format& f, const Policy& p) {
  return invalid_result(f, p.profile == Profile::X86, p);
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

NUMCONF_HD NUMCONF_INLINE constexpr Term term(const Unpacked& u) {
  return {u.negative, u.exponent, u.significand};
}

// A code whose exponent field is in [1, max - 2] is a normal number in every encoding (NaN, Inf
// and zero take field 0, max, or with m = 0 also max - 1), with or without daz: the common
// case of the fast paths, decoded without classifying.  Float formats only; written without
// the general helpers' branches for integer formats and 64-bit widths (m <= 52, e <= 16).
NUMCONF_HD NUMCONF_INLINE constexpr std::uint64_t exponent_field(const Format& f,
                                                                 std::uint64_t container) {
  const std::uint64_t field_mask = (std::uint64_t{1} << f.exponent_bits) - 1;
  return (container >> (f.padding_bits + f.mantissa_bits)) & field_mask;
}

NUMCONF_HD NUMCONF_INLINE constexpr bool is_normal_code(const Format& f, std::uint64_t container) {
  const std::uint64_t field = exponent_field(f, container);
  return field != 0 && field + 2 <= (std::uint64_t{1} << f.exponent_bits) - 1;
}

// The value of such a code, as unpack gives it.
NUMCONF_HD NUMCONF_INLINE constexpr Term normal_term(const Format& f, std::uint64_t container) {
  const std::uint64_t code = container >> f.padding_bits;
  const int m = f.mantissa_bits;
  const std::uint64_t leading = std::uint64_t{1} << m;
  const bool negative = f.is_signed && ((code >> (f.exponent_bits + m)) & 1) != 0;
  return {negative, int(exponent_field(f, container)) - f.bias - m,
          (code & (leading - 1)) | leading};
}

// The sum of two non-zero terms in a Word of W = 64 or 128 bits.  Both significands are shifted
// up to bit W - 3, so the sum cannot carry out.  Then the term with the larger exponent is the
// larger in magnitude, and the smaller, of at most T bits, loses bits only when shifted right by
// more than W - 2 - T places; its sum or difference is then above 2^(W - 4), and the lost bits,
// kept as the sticky bit, lie below bit 0.  With T = 106 (an f64 product) in 128 bits that is 70+
// bits below any rounding point; round_sum says when 64 bits suffice.
template <class Word>
NUMCONF_HD NUMCONF_INLINE constexpr Term add_terms(const Term& x, const Term& y, bool& sticky) {
  constexpr int kWidth = int(sizeof(Word)) * 8;
  const int x_up = kWidth - 2 - bit_width(x.significand);
  const int y_up = kWidth - 2 - bit_width(y.significand);
  const int x_exponent = x.exponent - x_up;
  const int y_exponent = y.exponent - y_up;
  const Word x_significand = Word(x.significand) << x_up;
  const Word y_significand = Word(y.significand) << y_up;
  // Which term is larger, and whether the signs differ, are data that random operands make
  // unpredictable: they choose by masks (all ones or zero) and bitwise & and | on bools, not
  // by ?: and || (which g++ compiles into branches).
  const bool y_larger =
      (y_exponent > x_exponent) | ((y_exponent == x_exponent) & (y_significand > x_significand));
  const Word y_mask = Word(0) - Word(y_larger);
  const int y_int_mask = -int(y_larger);
  const Word larger = x_significand ^ ((x_significand ^ y_significand) & y_mask);
  const Word smaller = x_significand ^ y_significand ^ larger;
  const int exponent = x_exponent + ((y_exponent - x_exponent) & y_int_mask);
  const bool negative = x.negative ^ ((x.negative ^ y.negative) & y_larger);
  const int gap = exponent - (x_exponent + y_exponent - exponent);  // larger minus smaller
  // Past kWidth - 1 places the smaller term (top bit at W - 3) is gone entirely either way.
  const int shift = gap < kWidth - 1 ? gap : kWidth - 1;
  const Word aligned = smaller >> shift;
  sticky = aligned << shift != smaller;
  // Opposite signs: x - (aligned + a fraction in (0, 1) when sticky) = (x - aligned - 1) +
  // that fraction's rest, added as the two's complement (v ^ -1) - (-1) = -v.
  const Word opposite = Word(0) - Word(x.negative != y.negative);
  const Word subtrahend = aligned + (Word(sticky) & opposite);
  return {negative, exponent, larger + ((subtrahend ^ opposite) - opposite)};
}

// Rounds x + y, for terms of at most 106 significant bits (an f64 product).  Trailing
// significands of up to 26 bits make terms of at most 54 bits (a product), and a sum that lost
// bits in 64 bits is above 2^60, so its rounding point is at bit 34 or above: 34 exact bits, as
// many as stochastic rounding needs (N + 1 <= 33, and a sticky bit below them).
NUMCONF_HD NUMCONF_INLINE constexpr Rounded round_sum(const Format& f, const Term& x, const Term& y,
                                                      const Policy& p, std::uint64_t random) {
  // An exact zero from opposite signs is +0, or -0 when rounding toward negative.
  const bool zero_negative =
      x.negative == y.negative ? x.negative : p.rounding == Rounding::TowardNegative;
  // One call of the (inlined) rounder: the cases only choose its arguments.
  Term sum{zero_negative, 0, 0};
  bool sticky = false;
  if (x.significand == 0 || y.significand == 0) {
    if (x.significand != 0) sum = x;
    if (y.significand != 0) sum = y;
  } else {
    sum = f.mantissa_bits <= 26 ? add_terms<std::uint64_t>(x, y, sticky)
                                : add_terms<Uint128>(x, y, sticky);
    if (sum.significand == 0 && !sticky) sum = {zero_negative, 0, 0};
  }
  return round_pack(f, sum.negative, sum.exponent, sum.significand, sticky, p, random);
}

// The general path of add and sub: every operand class, every policy.
NUMCONF_HD NUMCONF_NOINLINE constexpr Rounded add_or_sub(const Format& f, std::uint64_t a,
                                                         std::uint64_t b, bool subtract,
                                                         const Policy& p, std::uint64_t random) {
  const Unpacked x = read(f, a, p);
  Unpacked y = read(f, b, p);
  // NaN signs are not negated.
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, p, x, y);
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
    if (x_top != y_top)
      magnitude = x_top < y_top ? -1 : 1;
    else if (x_aligned != y_aligned)
      magnitude = x_aligned < y_aligned ? -1 : 1;
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
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, p, x, y);
  Ordering order = order_of(x, y);
  if (order == Ordering::Equal && x.negative != y.negative)  // only zeros: -0 < +0
    order = x.negative ? Ordering::Less : Ordering::Greater;
  const bool take_x =
      order == Ordering::Equal || (order == Ordering::Less) == (extreme == Extreme::Min);
  return take_x ? operand_result(f, a, x, 0) : operand_result(f, b, y, 0);
}

// The general path of mul.
NUMCONF_HD NUMCONF_NOINLINE constexpr Rounded mul_general(const Format& f, std::uint64_t a,
                                                          std::uint64_t b, const Policy& p,
                                                          std::uint64_t random) {
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, p, x, y);
  const bool negative = x.negative != y.negative;
  if (is_inf(x) || is_inf(y)) {
    if (is_zero(x) || is_zero(y)) return default_nan(f, p);
    return infinite_result(f, negative, p);
  }
  // Exact: two significands of at most 53 bits.
  return round_pack(f, negative, x.exponent + y.exponent, Uint128{x.significand} * y.significand,
                    false, p, random);
}

// The general path of fma.
NUMCONF_HD NUMCONF_NOINLINE constexpr Rounded fma_general(const Format& f, std::uint64_t a,
                                                          std::uint64_t b, std::uint64_t c,
                                                          const Policy& p, std::uint64_t random) {
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  const Unpacked z = read(f, c, p);
  // 0 * Inf is invalid even when c is a quiet NaN (as SoftFloat does; x86 FMA, measured on
  // this project's AMD EPYC, raises nothing: docs/profiles.md).
  const bool zero_times_inf = (is_zero(x) && is_inf(y)) || (is_inf(x) && is_zero(y));
  if (is_nan(x) || is_nan(y) || is_nan(z)) {
    Rounded r = nan_operand_result(f, p, x, y, z);
    if (zero_times_inf && p.profile != Profile::X86) r.flags |= flags::kInvalid;
    return r;
  }
  if (zero_times_inf) return default_nan(f, p);
  const bool product_negative = x.negative != y.negative;
  if (is_inf(x) || is_inf(y)) {
    if (is_inf(z) && z.negative != product_negative) return default_nan(f, p);
    return infinite_result(f, product_negative, p);
  }
  if (is_inf(z)) return infinite_result(f, z.negative, p);
  // Exact: two significands of at most 53 bits.
  const Term product{product_negative, x.exponent + y.exponent,
                     Uint128{x.significand} * y.significand};
  return round_sum(f, product, term(z), p, random);
}

// The general path of div.  The quotient is formed to 127+ bits in two 128/64-bit divisions (one
// would give only 64 - 53 bits below an f64 result); the last remainder is the sticky bit.
NUMCONF_HD NUMCONF_NOINLINE constexpr Rounded div_general(const Format& f, std::uint64_t a,
                                                          std::uint64_t b, const Policy& p,
                                                          std::uint64_t random) {
  const Unpacked x = read(f, a, p);
  const Unpacked y = read(f, b, p);
  if (is_nan(x) || is_nan(y)) return nan_operand_result(f, p, x, y);
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

// The general path of sqrt.  The root is formed digit by digit (two radicand bits per root bit) to
// 95 bits, 42 of them below an f64 result; the remainder is the sticky bit.
NUMCONF_HD NUMCONF_NOINLINE constexpr Rounded sqrt_general(const Format& f, std::uint64_t a,
                                                           const Policy& p, std::uint64_t random) {
  const Unpacked x = read(f, a, p);
  if (is_nan(x)) return nan_operand_result(f, p, x);
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

// ---- Fast paths: the general path's common case ---------------------------------------------
//
// Operands that are normal codes (is_normal_code) and a result in round_top's domain (not
// tiny, three binades or more below overflow, a mode that is not stochastic; add and fma also
// give an exact zero sum).  The exact result is formed in 64-bit words where it fits, and
// rounded by round_top, round_pack's common case (through round_normal for a significand not
// yet at round_top's fixed point).  Each returns false, with
// `out` untouched, for anything else, and the operation then runs its general path from the
// start; daz, ftz, tininess and the overflow policy only act outside this domain.
// tests/arith_test.cpp (ArithFast) compares fast and general paths bit for bit, flags included.

// ---- Fast add and fma: sums at a fixed point, bit 60 ----------------------------------------
//
// Both terms' significands are placed with their leading bit at bit 60 (so an effective
// addition lands at bit 60 or 61, and only a cancelling difference moves further), ordered by
// magnitude, the smaller shifted `gap` binades down, and added or subtracted: the result is
// below 2^62, and is rounded from bit 62 (round_top).  A difference that cancels (gap <= 1) is
// exact.  Data-dependent choices are masks, conditional moves and bitwise operations: random
// operands' signs and order would mispredict branches.

// The significand of a normal magnitude code (exponent field >= 1), implicit bit included.
NUMCONF_HD NUMCONF_INLINE constexpr std::uint64_t normal_significand(const Format& f,
                                                                     std::uint64_t magnitude) {
  const int m = f.mantissa_bits;
  return (magnitude & low_mask(m)) | (std::uint64_t{1} << m);
}

// The same with its leading bit at bit 60: 8 or more zero bits below its last bit (m <= 52).
NUMCONF_HD NUMCONF_INLINE constexpr std::uint64_t significand_at_bit60(const Format& f,
                                                                       std::uint64_t magnitude) {
  // Shifted up until only the exponent field's last bit is left, at bit 63, then down to bit 60,
  // where the leading bit replaces it: two shifts by constants (a mask at bit 60 would be a
  // 64-bit constant held in a register).
  return ((magnitude << (63 - f.mantissa_bits)) >> 3) | (std::uint64_t{1} << 60);
}

// smaller >> shift (smaller < 2^61 with bit 0 clear, shift past its 7 or more trailing zero bits)
// with the bits shifted out jammed into bit 0: the exact shifted value lies within 1 of an odd
// result, strictly between its even neighbours, which is what round_top asks of its top (once
// shifted up by at most 3 places: the sum or difference it joins, of a larger term at or above
// 2^60, is above 2^59).
NUMCONF_HD NUMCONF_INLINE constexpr std::uint64_t shift_right_jam(std::uint64_t smaller,
                                                                  std::uint64_t shift) {
  const int places = int(shift < 63 ? shift : 63);  // smaller is gone entirely either way
  const std::uint64_t aligned = smaller >> places;
  return aligned | std::uint64_t((aligned << places) != smaller);
}

// larger + smaller, or larger - smaller when `opposite`, for significands at bit 60 with
// smaller `gap` binades below larger (so larger >= smaller when gap > 0): shifted exactly when
// gap <= exact_gap (smaller's zero bits at the bottom; the common case, a predictable branch),
// else jammed.
NUMCONF_HD NUMCONF_INLINE constexpr std::uint64_t add_at_bit60(std::uint64_t larger,
                                                               std::uint64_t smaller,
                                                               std::uint64_t gap,
                                                               std::uint64_t opposite,
                                                               int exact_gap) {
  const std::uint64_t aligned =
      gap <= std::uint64_t(exact_gap) ? smaller >> gap : shift_right_jam(smaller, gap);
  return larger + ((aligned ^ opposite) - opposite);  // two's complement when opposite
}

// Rounds a sum from add_at_bit60 whose larger term lies in exponent field `larger_field`;
// `sign` is the result's sign bit, as for round_top.
NUMCONF_HD NUMCONF_INLINE constexpr bool round_sum_at_bit60(const Format& f, std::uint64_t sign,
                                                            int larger_field, std::uint64_t sum,
                                                            const Policy& p, Rounded& out) {
  if (sum == 0) {  // x - x: +0, or -0 when rounding toward negative, as round_sum gives it
    if (!has_zero(f) || is_stochastic(p.rounding)) return false;
    out = zero_result(f, p.rounding == Rounding::TowardNegative, 0);
    return true;
  }
  const int top_bit = 63 ^ std::countl_zero(sum);  // 61 or below
  return round_top(f, sign, larger_field + top_bit - 60, sum << (62 - top_bit), p, out);
}

// Add and sub of two normal codes.  Normal magnitude codes order as their values, so the
// operands are ordered by their codes.
NUMCONF_HD NUMCONF_INLINE constexpr bool fast_add_or_sub(const Format& f, std::uint64_t a,
                                                         std::uint64_t b, bool subtract,
                                                         const Policy& p, Rounded& out) {
  const int m = f.mantissa_bits;
  const std::uint64_t sign = sign_bit(f);  // 0 for an unsigned format
  const std::uint64_t magnitude = magnitude_mask(f);
  const std::uint64_t x_code = a >> f.padding_bits;
  const std::uint64_t y_code = (b >> f.padding_bits) ^ (subtract ? sign : 0);
  const std::uint64_t x = x_code & magnitude;
  const std::uint64_t y = y_code & magnitude;
  // Selections of plain values on one compare: g++ 12 makes them conditional moves (checked in
  // arith_bench's disassembly), fewer instructions than masks.
  const bool y_larger = y > x;
  const std::uint64_t larger = y_larger ? y : x;
  const std::uint64_t smaller = y_larger ? x : y;
  const std::uint64_t larger_sign = (y_larger ? y_code : x_code) & sign;
  // Both normal codes (as is_normal_code): exponent fields in [1, max - 2].
  const std::uint64_t leading = std::uint64_t{1} << m;
  if (smaller < leading || larger >= (max_exponent_field(f) - 1) << m) return false;
  // An unsigned format's subtrahend is negative with no sign bit to say so.
  if (subtract && !f.is_signed && y_larger) return false;  // a negative result
  // All ones when the terms' signs differ: the sign bit of x ^ y (bit e + m of a signed float
  // format) spread by an arithmetic shift.
  const int sign_to_top = 63 - f.exponent_bits - m;
  const std::uint64_t opposite =
      f.is_signed ? std::uint64_t(std::int64_t((x_code ^ y_code) << sign_to_top) >> 63)
                  : 0 - std::uint64_t(subtract);
  const std::uint64_t larger_field = larger >> m;
  const std::uint64_t sum =
      add_at_bit60(significand_at_bit60(f, larger), significand_at_bit60(f, smaller),
                   larger_field - (smaller >> m), opposite, 60 - m);
  return round_sum_at_bit60(f, larger_sign, int(larger_field), sum, p, out);
}

NUMCONF_HD NUMCONF_INLINE constexpr bool fast_mul(const Format& f, std::uint64_t a, std::uint64_t b,
                                                  const Policy& p, Rounded& out) {
  if (!is_normal_code(f, a) || !is_normal_code(f, b)) return false;
  const Term x = normal_term(f, a);
  const Term y = normal_term(f, b);
  const bool negative = x.negative != y.negative;
  const int exponent = x.exponent + y.exponent;
  if (f.mantissa_bits <= 31)  // two significands of at most 32 bits: a 64-bit product
    return round_normal(f, negative, exponent,
                        std::uint64_t(x.significand) * std::uint64_t(y.significand), false, p, out);
  return round_normal(f, negative, exponent, x.significand * y.significand, false, p, out);
}

// fma of three normal codes for m <= 26, where the product of the significands fits in 64 bits
// (2m + 2 bits): the product is moved to bit 60 (by 59 - 2m or 60 - 2m places, 7 or more zero
// bits below) and ordered against c by exponent field alone.  With equal fields the difference
// may come out negative (two's complement, above -2^60): it is negated, and its sign flipped.
NUMCONF_HD NUMCONF_INLINE constexpr bool fast_fma_at_bit60(const Format& f, std::uint64_t a,
                                                           std::uint64_t b, std::uint64_t c,
                                                           const Policy& p, Rounded& out) {
  const int m = f.mantissa_bits;
  const std::uint64_t magnitude = magnitude_mask(f);
  const std::uint64_t a_magnitude = (a >> f.padding_bits) & magnitude;
  const std::uint64_t b_magnitude = (b >> f.padding_bits) & magnitude;
  const std::uint64_t c_magnitude = (c >> f.padding_bits) & magnitude;
  // Normal codes (as is_normal_code): exponent fields in [1, max - 2], so magnitudes in
  // [2^m, (max - 1) 2^m), a span that is empty with one exponent bit.
  if (f.exponent_bits < 2) return false;
  const std::uint64_t leading = std::uint64_t{1} << m;
  const std::uint64_t normal_span = (max_exponent_field(f) - 2) << m;
  if (a_magnitude - leading >= normal_span || b_magnitude - leading >= normal_span ||
      c_magnitude - leading >= normal_span)
    return false;
  const std::uint64_t product =
      normal_significand(f, a_magnitude) * normal_significand(f, b_magnitude);
  const int carry = int(product >> (2 * m + 1));  // the product is in [1, 4): 1 when >= 2
  const std::uint64_t product_at_bit60 = (product << (60 - 2 * m)) >> carry;
  // The product lies in [2^(field - bias), 2^(field - bias + 1)) with this field.
  const int product_field = int((a_magnitude >> m) + (b_magnitude >> m)) - f.bias + carry;
  const std::uint64_t c_at_bit60 = significand_at_bit60(f, c_magnitude);
  const int c_field = int(c_magnitude >> m);
  const std::uint64_t sign = sign_bit(f);
  const std::uint64_t product_sign = ((a ^ b) >> f.padding_bits) & sign;
  const std::uint64_t c_sign = (c >> f.padding_bits) & sign;
  // Selections by masks: the order is data, and g++ turns ?: here into branches.
  const int field_difference = c_field - product_field;
  const std::uint64_t c_mask = 0 - std::uint64_t(field_difference > 0);
  const std::uint64_t larger = product_at_bit60 ^ ((product_at_bit60 ^ c_at_bit60) & c_mask);
  const std::uint64_t smaller = product_at_bit60 ^ c_at_bit60 ^ larger;
  const int larger_field = product_field + (field_difference & int(c_mask));
  const int gap = field_difference < 0 ? -field_difference : field_difference;
  const std::uint64_t larger_sign = product_sign ^ ((product_sign ^ c_sign) & c_mask);
  const std::uint64_t difference =
      add_at_bit60(larger, smaller, std::uint64_t(gap),
                   0 - std::uint64_t(product_sign != c_sign), 59 - 2 * m);
  const std::uint64_t negative = 0 - (difference >> 63);  // all ones when below zero
  return round_sum_at_bit60(f, larger_sign ^ (negative & sign), larger_field,
                            (difference ^ negative) - negative, p, out);
}

NUMCONF_HD NUMCONF_INLINE constexpr bool fast_fma(const Format& f, std::uint64_t a, std::uint64_t b,
                                                  std::uint64_t c, const Policy& p, Rounded& out) {
  if (f.mantissa_bits <= 26) return fast_fma_at_bit60(f, a, b, c, p, out);
  if (!is_normal_code(f, a) || !is_normal_code(f, b) || !is_normal_code(f, c)) return false;
  // Wider formats: the exact sum in 128 bits, as in round_sum.
  const Term x = normal_term(f, a);
  const Term y = normal_term(f, b);
  const Term product{x.negative != y.negative, x.exponent + y.exponent,
                     x.significand * y.significand};
  bool sticky = false;
  const Term sum = add_terms<Uint128>(product, normal_term(f, c), sticky);
  return round_normal(f, sum.negative, sum.exponent, sum.significand, sticky, p, out);
}

// The quotient of the significands scaled by 2^k, floor and sticky remainder, as the general
// path forms it in 128 bits.  sx / sy is in (1/2, 2), so the quotient has k or k + 1 bits:
// with k = 63 - m (m <= 30) the dividend fits in 64 bits and the quotient keeps m + 2 or more
// bits, the last remainder below the rounding point; wider formats divide in 128 bits.
NUMCONF_HD NUMCONF_INLINE constexpr bool fast_div(const Format& f, std::uint64_t a, std::uint64_t b,
                                                  const Policy& p, Rounded& out) {
  if (!is_normal_code(f, a) || !is_normal_code(f, b)) return false;
  const Term x = normal_term(f, a);
  const Term y = normal_term(f, b);
  const bool negative = x.negative != y.negative;
  const int m = f.mantissa_bits;
  const auto divisor = std::uint64_t(y.significand);
  if (m <= 30) {
    const std::uint64_t dividend = std::uint64_t(x.significand) << (63 - m);
    const std::uint64_t quotient = dividend / divisor;
    return round_normal(f, negative, x.exponent - y.exponent - (63 - m), quotient,
                        dividend - quotient * divisor != 0, p, out);
  }
  const Uint128 dividend = x.significand << (126 - m);
  const Uint128 quotient = dividend / divisor;
  return round_normal(f, negative, x.exponent - y.exponent - (126 - m), quotient,
                      dividend - quotient * divisor != 0, p, out);
}

// The general path's digit-by-digit root without its 64 zero digits: the radicand's 31 digits
// give a 31-bit root, m + 2 or more bits for m <= 29, and the remainder (below the rounding
// point) is the sticky bit.  Each digit is chosen by a mask rather than a branch: digits are data.
NUMCONF_HD NUMCONF_INLINE constexpr bool fast_sqrt(const Format& f, std::uint64_t a,
                                                   const Policy& p, Rounded& out) {
  if (f.mantissa_bits > 29 || !is_normal_code(f, a)) return false;
  const Term x = normal_term(f, a);
  if (x.negative) return false;
  // radicand * 2^exponent with an even exponent and the radicand in [2^60, 2^62).
  int up = 61 - f.mantissa_bits;
  if (((x.exponent - up) & 1) != 0) --up;
  const std::uint64_t radicand = std::uint64_t(x.significand) << up;
  std::uint64_t root = 0, remainder = 0;
  for (int shift = 60; shift >= 0; shift -= 2) {
    remainder = remainder << 2 | ((radicand >> shift) & 3);
    const std::uint64_t trial = root << 2 | 1;  // (2 root + 1)^2 - (2 root)^2, at this scale
    const std::uint64_t fits = std::uint64_t(remainder >= trial);
    remainder -= trial & (0 - fits);
    root = root << 1 | fits;
  }
  return round_normal(f, false, (x.exponent - up) / 2, root, remainder != 0, p, out);
}

}  // namespace detail

// ---- Value-producing operations: exact result, one rounding -------------------------------
//
// add, sub, mul, div, fma and sqrt try their fast path first (above), then the general path.

NUMCONF_HD NUMCONF_INLINE constexpr Rounded add(const Format& f, std::uint64_t a, std::uint64_t b,
                                                const Policy& p, std::uint64_t random = 0) {
  Rounded r;
  if (detail::fast_add_or_sub(f, a, b, false, p, r)) return r;
  return detail::add_or_sub(f, a, b, false, p, random);
}

NUMCONF_HD NUMCONF_INLINE constexpr Rounded sub(const Format& f, std::uint64_t a, std::uint64_t b,
                                                const Policy& p, std::uint64_t random = 0) {
  Rounded r;
  if (detail::fast_add_or_sub(f, a, b, true, p, r)) return r;
  return detail::add_or_sub(f, a, b, true, p, random);
}

NUMCONF_HD NUMCONF_INLINE constexpr Rounded mul(const Format& f, std::uint64_t a, std::uint64_t b,
                                                const Policy& p, std::uint64_t random = 0) {
  Rounded r;
  if (detail::fast_mul(f, a, b, p, r)) return r;
  return detail::mul_general(f, a, b, p, random);
}

NUMCONF_HD NUMCONF_INLINE constexpr Rounded div(const Format& f, std::uint64_t a, std::uint64_t b,
                                                const Policy& p, std::uint64_t random = 0) {
  Rounded r;
  if (detail::fast_div(f, a, b, p, r)) return r;
  return detail::div_general(f, a, b, p, random);
}

NUMCONF_HD NUMCONF_INLINE constexpr Rounded fma(const Format& f, std::uint64_t a, std::uint64_t b,
                                                std::uint64_t c, const Policy& p,
                                                std::uint64_t random = 0) {
  Rounded r;
  if (detail::fast_fma(f, a, b, c, p, r)) return r;
  return detail::fma_general(f, a, b, c, p, random);
}

NUMCONF_HD NUMCONF_INLINE constexpr Rounded sqrt(const Format& f, std::uint64_t a, const Policy& p,
                                                 std::uint64_t random = 0) {
  Rounded r;
  if (detail::fast_sqrt(f, a, p, r)) return r;
  return detail::sqrt_general(f, a, p, random);
}

// Rounds to an integral value of f by the policy's mode: the integer is found by the rounder's
// integer path, then encoded exactly.  Inexact is raised only by the "exact" variant (IEEE 754
// roundToIntegralExact).
NUMCONF_HD constexpr Rounded round_to_integral(const Format& f, std::uint64_t a, const Policy& p,
                                               bool exact, std::uint64_t random = 0) {
  using namespace detail;
  const Unpacked x = read(f, a, p);
  if (is_nan(x)) return nan_operand_result(f, p, x);
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
