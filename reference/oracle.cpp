// The exact oracle (see oracle.hpp).  Rounding works on exact values: a finite magnitude is
// placed on the target's grid as k + rem/den quanta, and the mode picks k or k + 1 by exact
// integer comparisons of rem/den (with 1/2, or with the random threshold); the chosen grid
// point is then encoded field by field.  Every property of a format (largest finite code,
// zero, -0, infinity) is found by classifying codes with this file's own decoder.
#include "reference/oracle.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace numconf::ref {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

constexpr std::uint64_t ones(int bits) {
  return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

int bit_length(const cpp_int& value) { return value == 0 ? 0 : static_cast<int>(msb(value)) + 1; }

int bit_length(std::uint64_t value) { return static_cast<int>(std::bit_width(value)); }

// significand * 2^exponent.
struct Dyadic {
  std::uint64_t significand = 0;
  int exponent = 0;
};

// ---- Reading codes ------------------------------------------------------------------------

// A float code taken apart, padding removed.
struct FloatFields {
  bool negative = false;
  std::uint64_t exponent = 0;  // the biased exponent field
  std::uint64_t trailing = 0;  // the trailing significand field
};

int magnitude_bits(const Format& f) { return f.exponent_bits + f.mantissa_bits; }

FloatFields split_float(const Format& f, std::uint64_t container) {
  const std::uint64_t code = container >> f.padding_bits;
  return {.negative = f.is_signed && ((code >> magnitude_bits(f)) & 1) != 0,
          .exponent = (code >> f.mantissa_bits) & ones(f.exponent_bits),
          .trailing = code & ones(f.mantissa_bits)};
}

FloatFields positive_fields(const Format& f, std::uint64_t magnitude_code) {
  return {.exponent = magnitude_code >> f.mantissa_bits,
          .trailing = magnitude_code & ones(f.mantissa_bits)};
}

// inf=top: the largest magnitude code that a max-pattern NaN leaves free.
std::uint64_t top_code_infinity(const Format& f) {
  return ones(magnitude_bits(f)) - (f.nan == NanEncoding::MaxPattern ? 1 : 0);
}

ValueClass classify(const Format& f, const FloatFields& c) {
  const std::uint64_t magnitude = (c.exponent << f.mantissa_bits) | c.trailing;
  const bool exponent_all_ones = c.exponent == ones(f.exponent_bits);
  switch (f.nan) {
    case NanEncoding::Ieee:
      if (exponent_all_ones && c.trailing != 0) return ValueClass::Nan;
      break;
    case NanEncoding::MaxPattern:
      if (magnitude == ones(magnitude_bits(f))) return ValueClass::Nan;
      break;
    case NanEncoding::NegZero:
      if (c.negative && magnitude == 0) return ValueClass::Nan;
      break;
    case NanEncoding::None:
      break;
  }
  switch (f.inf) {
    case InfEncoding::Ieee:
      if (exponent_all_ones && c.trailing == 0) return ValueClass::Infinite;
      break;
    case InfEncoding::TopCode:
      if (magnitude == top_code_infinity(f)) return ValueClass::Infinite;
      break;
    case InfEncoding::None:
      break;
  }
  // Without subnormals the exponent field 0 is an ordinary binade (e8m0fnu has no zero).
  if (f.has_subnormals && c.exponent == 0)
    return c.trailing == 0 ? ValueClass::Zero : ValueClass::Subnormal;
  return ValueClass::Normal;
}

bool is_finite(ValueClass cls) { return cls != ValueClass::Nan && cls != ValueClass::Infinite; }

// The value of a finite code: the implicit bit joins the trailing significand above the
// lowest binade, and the lowest binade of a format with subnormals shares the next one's scale.
Dyadic float_value(const Format& f, const FloatFields& c, ValueClass cls) {
  const int scale = -f.bias - f.mantissa_bits;
  if (cls == ValueClass::Zero || cls == ValueClass::Subnormal) return {c.trailing, 1 + scale};
  return {(std::uint64_t{1} << f.mantissa_bits) | c.trailing, static_cast<int>(c.exponent) + scale};
}

bool has_negative_zero(const Format& f) {
  return f.kind == Kind::Float && f.is_signed &&
         classify(f, {.negative = true}) == ValueClass::Zero;
}

// A decoded code, with the finite value kept dyadic for speed.
struct Decoded {
  ValueClass cls = ValueClass::Zero;
  bool negative = false;
  Dyadic value;  // finite classes only
  bool signaling = false;
  std::uint64_t payload = 0;
};

Decoded decode_float(const Format& f, std::uint64_t container) {
  const FloatFields c = split_float(f, container);
  Decoded d;
  d.cls = classify(f, c);
  d.negative = c.negative;
  if (is_finite(d.cls)) {
    d.value = float_value(f, c, d.cls);
  } else if (d.cls == ValueClass::Nan) {
    // The negzero NaN is the sign bit alone; it has no sign of its own (P3109 §4.8.2).
    if (f.nan == NanEncoding::NegZero) d.negative = false;
    if (f.nan == NanEncoding::Ieee) {
      d.payload = c.trailing;
      d.signaling = ((c.trailing >> (f.mantissa_bits - 1)) & 1) == 0;
    }
  }
  return d;
}

Decoded decode_int(const Format& f, std::uint64_t container) {
  const std::uint64_t code = (container >> f.padding_bits) & ones(f.int_bits);
  const bool negative = f.is_signed && (code >> (f.int_bits - 1)) != 0;
  // A negative two's complement code c stands for c - 2^w, of magnitude 2^w - c.
  const std::uint64_t magnitude = negative ? (~code + 1) & ones(f.int_bits) : code;
  return {.cls = magnitude == 0 ? ValueClass::Zero : ValueClass::Normal,
          .negative = negative,
          .value = {magnitude, 0}};
}

Decoded decode_code(const Format& f, std::uint64_t container) {
  return f.kind == Kind::Int ? decode_int(f, container) : decode_float(f, container);
}

cpp_rational to_rational(const Dyadic& v) {
  if (v.exponent >= 0) return cpp_rational(cpp_int(v.significand) << v.exponent);
  return cpp_rational(cpp_int(v.significand), cpp_int(1) << -v.exponent);
}

// ---- Exact rounding onto a grid -----------------------------------------------------------

// A positive exact value num / den * 2^exp.  Decoded codes have den == 1, which keeps the
// common path on shifts; general rationals come from round_value.
struct Magnitude {
  cpp_int num;
  cpp_int den;
  int exp = 0;
};

// num < den * 2^shift, exactly.
bool below_scaled(const cpp_int& num, const cpp_int& den, int shift) {
  return shift >= 0 ? num < (den << shift) : (num << -shift) < den;
}

int floor_log2(const Magnitude& x) {
  // num/den lies in [2^(guess-1), 2^(guess+1)); one comparison settles which binade.
  int guess = bit_length(x.num) - bit_length(x.den);
  if (x.den != 1 && below_scaled(x.num, x.den, guess)) --guess;
  return guess + x.exp;
}

// |x| / 2^q as an integer part k and a fraction rem / den in [0, 1).
struct OnGrid {
  cpp_int k;
  cpp_int rem;
  cpp_int den;
};

// Every decision compares the fraction with 0, 1/2 or a multiple of 2^-(N+1) >= 2^-65, so all
// fractions in (0, 2^-kFarBelow) decide alike; a value that far below the quantum is replaced
// by the stand-in fraction 2^-(kFarBelow+1), which bounds the shifts for tiny inputs.
constexpr int kFarBelow = 128;

OnGrid place_on_grid(const Magnitude& x, int log2_x, int q) {
  if (log2_x < q - kFarBelow) return {0, 1, cpp_int(1) << (kFarBelow + 1)};
  const int shift = x.exp - q;
  OnGrid g;
  if (shift >= 0) {
    g.den = x.den;
    if (x.den == 1) {
      g.k = x.num << shift;
    } else {
      divide_qr(cpp_int(x.num << shift), x.den, g.k, g.rem);
    }
    return g;
  }
  g.den = x.den << -shift;
  if (x.den == 1) {
    g.k = x.num >> -shift;
    g.rem = x.num - (g.k << -shift);
  } else {
    divide_qr(x.num, g.den, g.k, g.rem);
  }
  return g;
}

int compare_with_half(const OnGrid& g) { return cpp_int(g.rem << 1).compare(g.den); }

// floor(fraction * 2^bits).
cpp_int scaled_fraction_floor(const OnGrid& g, int bits) { return (g.rem << bits) / g.den; }

// fraction * 2^bits rounded to the nearest integer, ties to even (P3109 RNITE).
cpp_int scaled_fraction_nearest_even(const OnGrid& g, int bits) {
  cpp_int quotient, remainder;
  divide_qr(cpp_int(g.rem << bits), g.den, quotient, remainder);
  const int half = cpp_int(remainder << 1).compare(g.den);
  if (half > 0 || (half == 0 && bit_test(quotient, 0))) ++quotient;
  return quotient;
}

// P3109 D1 §4.7.4 RoundAway for the stochastic modes, with R the low N random bits.
bool stochastic_rounds_up(Rounding mode, const OnGrid& g, int n, std::uint64_t random) {
  const cpp_int r = random & ones(n);
  const cpp_int one = cpp_int(1) << n;  // 2^N
  switch (mode) {
    case Rounding::StochasticA:
      return scaled_fraction_floor(g, n) + r >= one;
    case Rounding::StochasticB:
      return scaled_fraction_floor(g, n + 1) + 2 * r + 1 >= 2 * one;
    default:  // StochasticC
      return scaled_fraction_nearest_even(g, n) + r >= one;
  }
}

// Where a value is rounded: the multiples of 2^q, and how the parity of their codes is read.
struct Grid {
  int q = 0;
  // A one-bit significand (m = 0) leaves the biased exponent as the whole code of a non-zero
  // point, so its last bit is that of q + bias (P3109 CodeIsEven); otherwise the code ends in
  // the last bit of k, the significand counted in quanta.
  bool parity_from_exponent = false;
  int bias = 0;
};

// Whether the code of the lower neighbour k * 2^q ends in 1.  The upper neighbour's code then
// ends in 0 and the other way round, a carry into the next binade included.
bool lower_code_is_odd(const OnGrid& g, const Grid& grid) {
  if (grid.parity_from_exponent && g.k != 0) return ((grid.q + grid.bias) & 1) != 0;
  return bit_test(g.k, 0);
}

// Whether the mode takes the upper neighbour (k + 1) quanta rather than k.
bool rounds_up(const Policy& policy, bool negative, const OnGrid& g, const Grid& grid,
               std::uint64_t random) {
  if (g.rem == 0) return false;  // exact
  const bool lower_odd = lower_code_is_odd(g, grid);
  switch (policy.rounding) {
    case Rounding::NearestEven: {
      const int half = compare_with_half(g);
      return half > 0 || (half == 0 && lower_odd);
    }
    case Rounding::NearestAway:
      return compare_with_half(g) >= 0;
    case Rounding::TowardZero:
      return false;
    case Rounding::TowardPositive:
      return !negative;
    case Rounding::TowardNegative:
      return negative;
    case Rounding::ToOdd:
      return !lower_odd;
    case Rounding::StochasticA:
    case Rounding::StochasticB:
    case Rounding::StochasticC:
      return stochastic_rounds_up(policy.rounding, g, policy.random_bits, random);
  }
  return false;
}

// The grid point chosen for |x|: significand * 2^q.
struct Choice {
  cpp_int significand;
  int q = 0;
  bool inexact = false;
};

Choice round_on_grid(const Magnitude& x, int log2_x, const Grid& grid, bool negative,
                     const Policy& policy, std::uint64_t random) {
  OnGrid g = place_on_grid(x, log2_x, grid.q);
  if (rounds_up(policy, negative, g, grid, random)) ++g.k;
  return {std::move(g.k), grid.q, g.rem != 0};
}

bool below_power_of_two(const Choice& c, int exponent) {
  return c.significand == 0 || bit_length(c.significand) - 1 + c.q < exponent;
}

// Sign of a - b for a = significand * 2^q and a dyadic b.
int compare(const Choice& a, const Dyadic& b) {
  if (a.significand == 0 || b.significand == 0)
    return int(a.significand != 0) - int(b.significand != 0);
  const int top_a = bit_length(a.significand) + a.q;
  const int top_b = bit_length(b.significand) + b.exponent;
  if (top_a != top_b) return top_a < top_b ? -1 : 1;
  // Same binade: the exponents differ by less than the bit lengths, so the shift is short.
  const cpp_int other = b.significand;
  if (a.q >= b.exponent) return cpp_int(a.significand << (a.q - b.exponent)).compare(other);
  return a.significand.compare(cpp_int(other << (b.exponent - a.q)));
}

// ---- Float targets ------------------------------------------------------------------------

// What the oracle needs to know about a float target, found from its descriptor fields.
struct FloatTarget {
  const Format& format;
  int precision = 0;     // p, the implicit bit included
  int min_exponent = 0;  // 2^min_exponent is the smallest normal value
  bool has_zero = false;
  bool has_neg_zero = false;
  std::uint64_t max_code = 0;  // the largest finite magnitude code
  Dyadic max_value;
  std::uint64_t sign_bit = 0;
};

// Walks down from the all-ones magnitude past the codes that NaN and infinity took; a binade
// whose first code is special is special throughout (ieee), so it is skipped whole.
FloatFields largest_finite(const Format& f) {
  FloatFields c = positive_fields(f, ones(magnitude_bits(f)));
  while (!is_finite(classify(f, c))) {
    if (c.trailing != 0 && is_finite(classify(f, {.exponent = c.exponent}))) {
      --c.trailing;
    } else if (c.exponent > 0) {
      --c.exponent;
      c.trailing = ones(f.mantissa_bits);
    } else {
      break;  // no finite code at all: not a valid descriptor
    }
  }
  return c;
}

FloatTarget describe(const Format& f) {
  const FloatFields top = largest_finite(f);
  const std::uint64_t code = (top.exponent << f.mantissa_bits) | top.trailing;
  return {.format = f,
          .precision = f.mantissa_bits + 1,
          .min_exponent = (f.has_subnormals ? 1 : 0) - f.bias,
          .has_zero = classify(f, {}) == ValueClass::Zero,
          .has_neg_zero = has_negative_zero(f),
          .max_code = code,
          .max_value = float_value(f, top, classify(f, top)),
          .sign_bit = f.is_signed ? std::uint64_t{1} << magnitude_bits(f) : 0};
}

std::uint64_t in_container(const Format& f, std::uint64_t code) { return code << f.padding_bits; }

std::uint64_t signed_code(const FloatTarget& t, bool negative, std::uint64_t magnitude_code) {
  return in_container(t.format, (negative ? t.sign_bit : 0) | magnitude_code);
}

std::uint64_t zero_code(const FloatTarget& t, bool negative) {
  return signed_code(t, negative && t.has_neg_zero, 0);
}

std::uint64_t max_code(const FloatTarget& t, bool negative) {
  return signed_code(t, negative, t.max_code);
}

std::uint64_t infinity_code(const FloatTarget& t, bool negative) {
  const Format& f = t.format;
  const std::uint64_t magnitude =
      f.inf == InfEncoding::Ieee ? ones(f.exponent_bits) << f.mantissa_bits : top_code_infinity(f);
  return signed_code(t, negative, magnitude);
}

std::uint64_t ieee_nan_code(const FloatTarget& t, bool negative, std::uint64_t trailing) {
  const Format& f = t.format;
  const std::uint64_t quiet = std::uint64_t{1} << (f.mantissa_bits - 1);
  return signed_code(t, negative, (ones(f.exponent_bits) << f.mantissa_bits) | trailing | quiet);
}

// The canonical quiet NaN; the sign is kept where the encoding has one.
std::uint64_t nan_code(const FloatTarget& t, bool negative) {
  switch (t.format.nan) {
    case NanEncoding::Ieee:
      return ieee_nan_code(t, negative, 0);
    case NanEncoding::MaxPattern:
      return signed_code(t, negative, ones(magnitude_bits(t.format)));
    case NanEncoding::NegZero:
      return signed_code(t, true, 0);
    case NanEncoding::None:
      break;
  }
  return in_container(t.format, 0);
}

// Encodes significand * 2^q, a non-zero point of the target's grid within its range.
std::uint64_t encode_finite(const FloatTarget& t, bool negative, cpp_int significand, int q) {
  const int p = t.precision;
  if (bit_length(significand) > p) {  // the carry out of a binade, 2^p quanta
    significand >>= 1;
    ++q;
  }
  const auto s = significand.convert_to<std::uint64_t>();
  const std::uint64_t implicit_bit = std::uint64_t{1} << (p - 1);
  // Below the implicit bit, q is the subnormal quantum and the exponent field is 0.
  if (s < implicit_bit) return signed_code(t, negative, s);
  const auto field = static_cast<std::uint64_t>(q + p - 1 + t.format.bias);
  return signed_code(t, negative, (field << t.format.mantissa_bits) | (s - implicit_bit));
}

// The float grid of quantum 2^q.
Grid float_grid(const FloatTarget& t, int q) {
  return {.q = q, .parity_from_exponent = t.format.mantissa_bits == 0, .bias = t.format.bias};
}

// NVIDIA's one NaN (docs/profiles.md): the positive code with every magnitude bit set, or the
// sign bit alone for a negzero NaN.
std::uint64_t cuda_nan_code(const FloatTarget& t) {
  if (t.format.nan == NanEncoding::NegZero) return nan_code(t, false);
  return signed_code(t, false, ones(magnitude_bits(t.format)));
}

// What stands for a NaN: the canonical NaN, or in a format without NaN what nan_to_nanless
// asks for (+0, or max finite with the sign; NVIDIA drops the sign).
std::uint64_t nan_or_stand_in(const FloatTarget& t, bool negative, const Policy& policy) {
  const bool cuda = policy.profile == Profile::Cuda;
  if (t.format.nan != NanEncoding::None) return cuda ? cuda_nan_code(t) : nan_code(t, negative);
  if (policy.nan_to_nanless == NanToNanless::MaxFinite) return max_code(t, negative && !cuda);
  return in_container(t.format, 0);
}

// A negative non-zero result (or -Inf) lies below an unsigned format's range [0, max]
// (P3109/D1 4.7.5): 0 where the policy clamps, NaN otherwise; invalid either way.
Rounded below_unsigned_range(const FloatTarget& t, const Policy& policy) {
  const bool clamps =
      policy.overflow != Overflow::None || policy.rounding == Rounding::TowardZero ||
      policy.rounding == Rounding::TowardPositive || policy.overflow_rule == OverflowRule::P3109V3;
  return {clamps ? in_container(t.format, 0) : nan_or_stand_in(t, false, policy), flags::kInvalid};
}

// Whether an overflow of this sign gives max finite under Overflow::None: the modes that round
// it toward zero, round to odd only under the IEEE 754 rule; nearest and stochastic never.
bool clamps_under_none(const Policy& policy, bool negative) {
  switch (policy.rounding) {
    case Rounding::TowardZero:
      return true;
    case Rounding::TowardNegative:
      return !negative;
    case Rounding::TowardPositive:
      return negative;
    case Rounding::ToOdd:
      return policy.overflow_rule == OverflowRule::Ieee754;
    case Rounding::NearestEven:
    case Rounding::NearestAway:
    case Rounding::StochasticA:
    case Rounding::StochasticB:
    case Rounding::StochasticC:
      break;
  }
  return false;
}

// Where an overflow that does not clamp goes: Inf, else NaN (the P3109 v3.2 rule clamps
// instead), else max finite.
std::uint64_t escape_code(const FloatTarget& t, bool negative, const Policy& policy) {
  if (t.format.inf != InfEncoding::None) return infinity_code(t, negative);
  if (t.format.nan != NanEncoding::None && policy.overflow_rule != OverflowRule::P3109V3)
    return nan_code(t, negative);
  return max_code(t, negative);
}

Rounded overflow_result(const FloatTarget& t, bool negative, const Policy& policy) {
  const bool clamps = policy.overflow != Overflow::None || clamps_under_none(policy, negative);
  return {clamps ? max_code(t, negative) : escape_code(t, negative, policy),
          flags::kOverflow | flags::kInexact};
}

bool is_tiny(const FloatTarget& t, const Magnitude& x, int log2_x, bool negative,
             const Policy& policy, std::uint64_t random) {
  if (log2_x >= t.min_exponent) return false;
  if (policy.tininess == Tininess::BeforeRounding) return true;
  // After rounding: round to precision p as if the exponent range had no lower end.
  const Grid unbounded = float_grid(t, log2_x - t.precision + 1);
  return below_power_of_two(round_on_grid(x, log2_x, unbounded, negative, policy, random),
                            t.min_exponent);
}

Rounded finite_into_float(const FloatTarget& t, bool negative, const Magnitude& x,
                          const Policy& policy, std::uint64_t random) {
  const int log2_x = floor_log2(x);
  // Below 2^emin the subnormal quantum is the finest grid; without subnormals precision p
  // holds all the way down (the result is clamped to the smallest value afterwards).
  const int binade = t.format.has_subnormals ? std::max(log2_x, t.min_exponent) : log2_x;
  const Grid grid = float_grid(t, binade - t.precision + 1);
  const Choice c = round_on_grid(x, log2_x, grid, negative, policy, random);
  std::uint8_t raised = c.inexact ? flags::kInexact : 0;
  if (t.has_zero && is_tiny(t, x, log2_x, negative, policy, random)) {
    if (policy.flush_outputs) return {zero_code(t, negative), flags::kUnderflow | flags::kInexact};
    if (c.inexact) raised |= flags::kUnderflow;
  }
  if (c.significand == 0) return {zero_code(t, negative), raised};
  if (negative && !t.format.is_signed) return below_unsigned_range(t, policy);
  // Without a zero, code 0 is the smallest value, 2^emin.
  if (!t.has_zero && below_power_of_two(c, t.min_exponent))
    return {signed_code(t, negative, 0), flags::kUnderflow | flags::kInexact};
  if (compare(c, t.max_value) > 0) return overflow_result(t, negative, policy);
  return {encode_finite(t, negative, c.significand, c.q), raised};
}

Rounded zero_into_float(const FloatTarget& t, bool negative) {
  // A target without zero gives its smallest value, code 0 (choice).
  if (!t.has_zero) return {signed_code(t, negative, 0), flags::kUnderflow | flags::kInexact};
  return {zero_code(t, negative), 0};
}

Rounded infinity_into_float(const FloatTarget& t, bool negative, const Policy& policy) {
  if (negative && !t.format.is_signed) return below_unsigned_range(t, policy);
  // Saturating an infinite operand is policy, not a rounding event: no flag (choice).
  if (policy.overflow == Overflow::Finite) return {max_code(t, negative), 0};
  if (t.format.inf != InfEncoding::None) return {infinity_code(t, negative), 0};
  if (policy.overflow == Overflow::Propagate) return {max_code(t, negative), 0};
  return {escape_code(t, negative, policy), flags::kInvalid};
}

Rounded nan_into_float(const FloatTarget& t, const Format& from, const Decoded& v,
                       const Policy& policy) {
  const Format& to = t.format;
  if (to.nan == NanEncoding::None) return {nan_or_stand_in(t, v.negative, policy), flags::kInvalid};
  const std::uint8_t raised = v.signaling ? flags::kInvalid : 0;
  if (policy.profile == Profile::Cuda) {
    // bf16 to f32 is a 16-bit shift in NVIDIA's code: the NaN's bits survive as they are.
    const auto shape = [](const Format& f, int e, int m) {
      return f.kind == Kind::Float && f.nan == NanEncoding::Ieee && f.exponent_bits == e &&
             f.mantissa_bits == m && f.bias == (1 << (e - 1)) - 1 && f.padding_bits == 0;
    };
    if (!shape(from, 8, 7) || !shape(to, 8, 23)) return {cuda_nan_code(t), raised};
    const int widen = to.mantissa_bits - from.mantissa_bits;
    return {signed_code(t, v.negative, (ones(to.exponent_bits) << to.mantissa_bits) |
                                           (v.payload << widen)),
            raised};
  }
  if (to.nan != NanEncoding::Ieee || from.kind != Kind::Float || from.nan != NanEncoding::Ieee)
    return {nan_code(t, v.negative), raised};
  // ieee to ieee keeps the payload, aligned at the top of the trailing significand.
  const int widen = to.mantissa_bits - from.mantissa_bits;
  const std::uint64_t trailing = widen >= 0 ? v.payload << widen : v.payload >> -widen;
  return {ieee_nan_code(t, v.negative, trailing), raised};
}

// ---- Integer targets ----------------------------------------------------------------------

// The largest magnitude in range on the given side.
std::uint64_t int_limit(const Format& f, bool negative) {
  if (!f.is_signed) return negative ? 0 : ones(f.int_bits);
  return negative ? std::uint64_t{1} << (f.int_bits - 1) : ones(f.int_bits - 1);
}

// The two's complement code of the integer (negative ? -1 : 1) * magnitude, modulo 2^w.
std::uint64_t int_code(const Format& f, bool negative, const cpp_int& magnitude) {
  const auto low = cpp_int(magnitude & ones(f.int_bits)).convert_to<std::uint64_t>();
  return in_container(f, (negative ? ~low + 1 : low) & ones(f.int_bits));
}

// x86's "integer indefinite".
std::uint64_t int_indefinite(const Format& f) {
  return in_container(f, f.is_signed ? std::uint64_t{1} << (f.int_bits - 1) : ones(f.int_bits));
}

Rounded finite_into_int(const Format& f, bool negative, const Magnitude& x, const Policy& policy,
                        std::uint64_t random) {
  const Choice c = round_on_grid(x, floor_log2(x), Grid{}, negative, policy, random);
  const std::uint64_t limit = int_limit(f, negative);
  if (c.significand <= limit)
    return {int_code(f, negative, c.significand), c.inexact ? flags::kInexact : std::uint8_t{0}};
  // Out of range raises invalid only (IEEE 754); x86 answers with its integer indefinite.
  if (policy.overflow == Overflow::None && policy.profile == Profile::X86)
    return {int_indefinite(f), flags::kInvalid};
  if (policy.overflow == Overflow::None)
    return {int_code(f, negative, c.significand), flags::kInvalid};
  return {int_code(f, negative, limit), flags::kInvalid};
}

Rounded infinity_into_int(const Format& f, bool negative, const Policy& policy) {
  if (policy.overflow == Overflow::None) return {int_indefinite(f), flags::kInvalid};
  return {int_code(f, negative, int_limit(f, negative)), flags::kInvalid};
}

Rounded nan_into_int(const Format& f, const Policy& policy) {
  return {policy.overflow == Overflow::None ? int_indefinite(f) : in_container(f, 0),
          flags::kInvalid};
}

// ---- Dispatch -----------------------------------------------------------------------------

Rounded zero_into(const Format& to, bool negative) {
  if (to.kind == Kind::Int) return {in_container(to, 0), 0};
  return zero_into_float(describe(to), negative);
}

Rounded finite_into(const Format& to, bool negative, const Magnitude& x, const Policy& policy,
                    std::uint64_t random) {
  if (to.kind == Kind::Int) return finite_into_int(to, negative, x, policy, random);
  return finite_into_float(describe(to), negative, x, policy, random);
}

}  // namespace

ExactValue decode(const Format& format, std::uint64_t code) {
  const Decoded d = decode_code(format, code);
  ExactValue v;
  v.cls = d.cls;
  v.negative = d.negative;
  v.signaling = d.signaling;
  v.nan_payload = d.payload;
  if (is_finite(d.cls)) v.magnitude = to_rational(d.value);
  return v;
}

Rounded convert(const Format& from, const Format& to, std::uint64_t code, const Policy& policy,
                std::uint64_t random) {
  Decoded v = decode_code(from, code);
  if (policy.flush_inputs && v.cls == ValueClass::Subnormal) {
    v.cls = ValueClass::Zero;  // daz: a zero of the same sign, +0 where the source has no -0
    v.negative = v.negative && has_negative_zero(from);
  }
  // NVIDIA's e8m0 conversions take the input's absolute value.
  if (policy.profile == Profile::Cuda && to.kind == Kind::Float && !to.is_signed)
    v.negative = false;
  switch (v.cls) {
    case ValueClass::Nan:
      if (to.kind == Kind::Int) return nan_into_int(to, policy);
      return nan_into_float(describe(to), from, v, policy);
    case ValueClass::Infinite:
      if (to.kind == Kind::Int) return infinity_into_int(to, v.negative, policy);
      return infinity_into_float(describe(to), v.negative, policy);
    case ValueClass::Zero:
      return zero_into(to, v.negative);
    case ValueClass::Subnormal:
    case ValueClass::Normal:
      break;
  }
  return finite_into(to, v.negative, {v.value.significand, 1, v.value.exponent}, policy, random);
}

Rounded round_value(const Format& to, bool negative, const cpp_rational& magnitude,
                    const Policy& policy, std::uint64_t random) {
  if (magnitude == 0) return zero_into(to, negative);
  return finite_into(to, negative, {numerator(magnitude), denominator(magnitude), 0}, policy,
                     random);
}

Rounded round_infinity(const Format& to, bool negative, const Policy& policy) {
  return infinity_into_float(describe(to), negative, policy);
}

std::uint64_t default_nan(const Format& to, const Policy& policy) {
  // x86's default NaN, the "QNaN floating-point indefinite", has its sign bit set.
  return nan_or_stand_in(describe(to), policy.profile == Profile::X86, policy);
}

}  // namespace numconf::ref
