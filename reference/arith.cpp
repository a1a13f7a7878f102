// The arithmetic oracle (see arith.hpp).  Every finite result is an exact signed rational
// handed to ref::round_value; infinite results go through ref::round_infinity, NaN results
// are the first NaN operand converted into its own format by ref::convert (which quiets it
// and keeps sign and payload), or ref::default_nan.
#include "reference/arith.hpp"

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdlib>
#include <initializer_list>

namespace numconf::ref {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

// An operand as the operation reads it: with daz a subnormal is a zero of the same sign (the
// zero's sign only matters in formats that have -0, where round_value keeps it).
struct Read {
  ValueClass cls;
  bool negative;
  const cpp_rational* magnitude;
  bool signaling;
  std::uint64_t code;

  bool is_nan() const { return cls == ValueClass::Nan; }
  bool is_inf() const { return cls == ValueClass::Infinite; }
  bool is_zero() const { return cls == ValueClass::Zero; }
  bool is_finite() const { return !is_nan() && !is_inf(); }
  // The signed exact value of a finite operand.
  cpp_rational value() const {
    if (is_zero()) return 0;
    return negative ? cpp_rational(-*magnitude) : *magnitude;
  }
};

Read read(const Operand& op, const Policy& policy) {
  const ExactValue& v = op.value;
  ValueClass cls = v.cls;
  if (policy.flush_inputs && cls == ValueClass::Subnormal) cls = ValueClass::Zero;
  return {cls, v.negative, &v.magnitude, v.signaling, op.code};
}

// NaN operands: the result is the first NaN operand quieted (sign and payload kept); a
// signaling NaN anywhere raises invalid, and so does `also_invalid` (fma(0, Inf, qNaN)).
bool nan_result(const Format& f, std::initializer_list<const Read*> operands, const Policy& policy,
                bool also_invalid, Rounded& out) {
  const Read* first = nullptr;
  bool signaling = false;
  for (const Read* r : operands) {
    if (!r->is_nan()) continue;
    if (first == nullptr) first = r;
    signaling = signaling || r->signaling;
  }
  if (first == nullptr) return false;
  out.bits = convert(f, f, first->code, policy).bits;
  out.flags = (signaling || also_invalid) ? flags::kInvalid : 0;
  return true;
}

Rounded invalid(const Format& f, const Policy& policy) {
  return {default_nan(f, policy), flags::kInvalid};
}

Rounded infinite(const Format& f, bool negative, const Policy& policy) {
  return round_infinity(f, negative, policy);
}

Rounded zero(const Format& f, bool negative, const Policy& policy) {
  return round_value(f, negative, cpp_rational(0), policy);
}

Rounded finite(const Format& f, const cpp_rational& value, const Policy& policy,
               std::uint64_t random) {
  return round_value(f, value < 0, abs(value), policy, random);
}

// x + y for finite x, y given as exact values with the signs of the zero terms: an exact zero
// sum keeps the sign of two like-signed zeros; otherwise it is +0, or -0 when rounding down.
Rounded finite_sum(const Format& f, const cpp_rational& x, bool x_zero, bool x_negative,
                   const cpp_rational& y, bool y_zero, bool y_negative, const Policy& policy,
                   std::uint64_t random) {
  const cpp_rational sum = x + y;
  if (sum != 0) return finite(f, sum, policy, random);
  if (x_zero && y_zero && x_negative == y_negative) return zero(f, x_negative, policy);
  return zero(f, policy.rounding == Rounding::TowardNegative, policy);
}

// a + (negate_b ? -b : b).
Rounded sum(const Format& f, const Operand& a_op, const Operand& b_op, bool negate_b,
            const Policy& policy, std::uint64_t random) {
  const Read a = read(a_op, policy);
  Read b = read(b_op, policy);
  Rounded out;
  if (nan_result(f, {&a, &b}, policy, false, out)) return out;
  if (negate_b) b.negative = !b.negative;
  if (a.is_inf() && b.is_inf() && a.negative != b.negative) return invalid(f, policy);
  if (a.is_inf()) return infinite(f, a.negative, policy);
  if (b.is_inf()) return infinite(f, b.negative, policy);
  return finite_sum(f, a.value(), a.is_zero(), a.negative, b.value(), b.is_zero(), b.negative,
                    policy, random);
}

// The largest power of two 2^e with 2^e <= x for a positive rational x, give or take one:
// the result is floor(log2 x) or one less.
int log2_lower_bound(const cpp_rational& x) {
  const cpp_int& num = numerator(x);
  const cpp_int& den = denominator(x);
  return static_cast<int>(msb(num)) - static_cast<int>(msb(den)) - 1;
}

cpp_rational power_of_two(int e) {
  if (e >= 0) return cpp_rational(cpp_int(1) << e);
  return cpp_rational(cpp_int(1), cpp_int(1) << -e);
}

// A rational that the rounder treats exactly as it would treat sqrt(x) for a positive x.
//
// The rounder's decisions for a value v of binade b = floor(log2 v) compare v with multiples
// of 2^(b - p + 1) (grid points and midpoints, for the result and for tininess after rounding;
// the result's grid is never finer) and, for stochastic modes, of that quantum times
// 2^-(N+1) with N <= 64.  With Q = 2^(b - p - 70) every decision point is a multiple of Q.
// The integer s with (s*Q)^2 <= x < ((s+1)*Q)^2 brackets sqrt(x) between two adjacent
// multiples of Q; the root is s*Q when its square is x, and otherwise lies strictly inside
// the open interval, where (s + 1/2) * Q decides alike.
cpp_rational sqrt_stand_in(const cpp_rational& x, int precision) {
  const int binade_bound = log2_lower_bound(x) / 2 - 1;  // <= floor(log2 sqrt(x))
  const int q = binade_bound - precision - 70;
  // x / Q^2 = num * 2^-2q / den as scaled_num / scaled_den, both integers.
  cpp_int scaled_num = numerator(x), scaled_den = denominator(x);
  if (q <= 0)
    scaled_num <<= -2 * q;
  else
    scaled_den <<= 2 * q;
  // t = floor(x / Q^2) and s = isqrt(t) = floor(sqrt(x) / Q).
  const cpp_int t = scaled_num / scaled_den;
  const cpp_int s = boost::multiprecision::sqrt(t);
  // The bracket (s*Q)^2 <= x < ((s+1)*Q)^2, checked by squaring (a failure is an oracle bug).
  const cpp_int low_square = s * s * scaled_den;
  const cpp_int high_square = (s + 1) * (s + 1) * scaled_den;
  if (!(low_square <= scaled_num && scaled_num < high_square)) std::abort();
  // sqrt(x) = s*Q when the square is exact, else (s + 1/2) * Q stands in for it.
  if (low_square == scaled_num) return cpp_rational(s) * power_of_two(q);
  return cpp_rational(2 * s + 1) * power_of_two(q - 1);
}

bool is_integral(const cpp_rational& x) { return denominator(x) == 1; }

// Orders non-NaN operands, -0 below +0: -1, 0 or 1.
int total_order(const Read& a, const Read& b) {
  const auto rank = [](const Read& r) { return r.is_inf() ? (r.negative ? -1 : 1) : 0; };
  if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
  if (a.is_inf()) return 0;
  const cpp_rational x = a.value(), y = b.value();
  if (x != y) return x < y ? -1 : 1;
  if (a.is_zero() && b.is_zero() && a.negative != b.negative) return a.negative ? -1 : 1;
  return 0;
}

// The code of a non-NaN operand returned as a min/max result: its own code, or with daz the
// zero a subnormal reads as.
Rounded operand_result(const Format& f, const Read& r, const Policy& policy) {
  if (r.is_zero() && r.code != zero(f, r.negative, policy).bits)
    return {zero(f, r.negative, policy).bits, 0};  // a subnormal flushed by daz
  return {r.code, 0};
}

enum class Pick { Min, Max };

Rounded min_max(const Format& f, const Operand& a_op, const Operand& b_op, const Policy& policy,
                Pick pick, bool number) {
  const Read a = read(a_op, policy);
  const Read b = read(b_op, policy);
  Rounded out;
  if (number && (a.is_nan() != b.is_nan())) {
    // minimumNumber / maximumNumber ignore a single NaN, signaling or not (invalid for sNaN).
    const Read& kept = a.is_nan() ? b : a;
    const Read& nan = a.is_nan() ? a : b;
    out = operand_result(f, kept, policy);
    out.flags = nan.signaling ? flags::kInvalid : 0;
    return out;
  }
  if (nan_result(f, {&a, &b}, policy, false, out)) return out;
  const int order = total_order(a, b);
  const bool take_b = pick == Pick::Min ? order > 0 : order < 0;
  return operand_result(f, take_b ? b : a, policy);
}

}  // namespace

Operand operand(const Format& format, std::uint64_t code) { return {code, decode(format, code)}; }

Rounded add(const Format& f, const Operand& a, const Operand& b, const Policy& policy,
            std::uint64_t random) {
  return sum(f, a, b, false, policy, random);
}

Rounded sub(const Format& f, const Operand& a, const Operand& b, const Policy& policy,
            std::uint64_t random) {
  return sum(f, a, b, true, policy, random);
}

Rounded mul(const Format& f, const Operand& a_op, const Operand& b_op, const Policy& policy,
            std::uint64_t random) {
  const Read a = read(a_op, policy);
  const Read b = read(b_op, policy);
  Rounded out;
  if (nan_result(f, {&a, &b}, policy, false, out)) return out;
  const bool negative = a.negative != b.negative;
  if ((a.is_inf() && b.is_zero()) || (a.is_zero() && b.is_inf())) return invalid(f, policy);
  if (a.is_inf() || b.is_inf()) return infinite(f, negative, policy);
  if (a.is_zero() || b.is_zero()) return zero(f, negative, policy);
  return round_value(f, negative, *a.magnitude * *b.magnitude, policy, random);
}

Rounded div(const Format& f, const Operand& a_op, const Operand& b_op, const Policy& policy,
            std::uint64_t random) {
  const Read a = read(a_op, policy);
  const Read b = read(b_op, policy);
  Rounded out;
  if (nan_result(f, {&a, &b}, policy, false, out)) return out;
  const bool negative = a.negative != b.negative;
  if ((a.is_inf() && b.is_inf()) || (a.is_zero() && b.is_zero())) return invalid(f, policy);
  if (a.is_inf()) return infinite(f, negative, policy);  // Inf / finite, zero included
  if (b.is_inf() || a.is_zero()) return zero(f, negative, policy);
  if (b.is_zero()) {
    // Division by zero: the infinity as an exact infinite result would be, flag infinite only.
    out = infinite(f, negative, policy);
    out.flags = flags::kInfinite;
    return out;
  }
  return round_value(f, negative, *a.magnitude / *b.magnitude, policy, random);
}

Rounded fma(const Format& f, const Operand& a_op, const Operand& b_op, const Operand& c_op,
            const Policy& policy, std::uint64_t random) {
  const Read a = read(a_op, policy);
  const Read b = read(b_op, policy);
  const Read c = read(c_op, policy);
  const bool zero_times_inf = (a.is_inf() && b.is_zero()) || (a.is_zero() && b.is_inf());
  Rounded out;
  // fma(0, Inf, qNaN) raises invalid too (SoftFloat); the NaN result is still c's.
  // x86's FMA raises nothing there (docs/profiles.md).
  const bool x86 = policy.profile == Profile::X86;
  if (nan_result(f, {&a, &b, &c}, policy, zero_times_inf && !a.is_nan() && !b.is_nan() && !x86,
                 out))
    return out;
  if (zero_times_inf) return invalid(f, policy);
  const bool product_negative = a.negative != b.negative;
  if (a.is_inf() || b.is_inf()) {
    if (c.is_inf() && c.negative != product_negative) return invalid(f, policy);
    return infinite(f, product_negative, policy);
  }
  if (c.is_inf()) return infinite(f, c.negative, policy);
  const bool product_zero = a.is_zero() || b.is_zero();
  cpp_rational product = product_zero ? cpp_rational(0) : *a.magnitude * *b.magnitude;
  if (product_negative) product = -product;
  return finite_sum(f, product, product_zero, product_negative, c.value(), c.is_zero(), c.negative,
                    policy, random);
}

Rounded sqrt(const Format& f, const Operand& a_op, const Policy& policy, std::uint64_t random) {
  const Read a = read(a_op, policy);
  Rounded out;
  if (nan_result(f, {&a}, policy, false, out)) return out;
  if (a.is_zero()) return zero(f, a.negative, policy);  // sqrt(+-0) = +-0
  if (a.negative) return invalid(f, policy);
  if (a.is_inf()) return infinite(f, false, policy);
  return round_value(f, false, sqrt_stand_in(*a.magnitude, f.mantissa_bits + 1), policy, random);
}

Rounded minimum(const Format& f, const Operand& a, const Operand& b, const Policy& policy) {
  return min_max(f, a, b, policy, Pick::Min, false);
}
Rounded maximum(const Format& f, const Operand& a, const Operand& b, const Policy& policy) {
  return min_max(f, a, b, policy, Pick::Max, false);
}
Rounded minimum_number(const Format& f, const Operand& a, const Operand& b, const Policy& policy) {
  return min_max(f, a, b, policy, Pick::Min, true);
}
Rounded maximum_number(const Format& f, const Operand& a, const Operand& b, const Policy& policy) {
  return min_max(f, a, b, policy, Pick::Max, true);
}

Comparison compare(const Format&, const Operand& a_op, const Operand& b_op, const Policy& policy) {
  const Read a = read(a_op, policy);
  const Read b = read(b_op, policy);
  if (a.is_nan() || b.is_nan())
    return {Ordering::Unordered, (a.signaling || b.signaling) ? flags::kInvalid : std::uint8_t{0}};
  // -0 = +0 here: compare values, infinities by sign.
  const auto rank = [](const Read& r) { return r.is_inf() ? (r.negative ? -1 : 1) : 0; };
  int order = 0;
  if (rank(a) != rank(b)) {
    order = rank(a) < rank(b) ? -1 : 1;
  } else if (!a.is_inf()) {
    const cpp_rational x = a.value(), y = b.value();
    order = x == y ? 0 : (x < y ? -1 : 1);
  }
  return {order < 0 ? Ordering::Less : order > 0 ? Ordering::Greater : Ordering::Equal, 0};
}

Rounded round_to_integral(const Format& f, const Operand& a_op, const Policy& policy,
                          std::uint64_t random, bool exact) {
  const Read a = read(a_op, policy);
  Rounded out;
  if (nan_result(f, {&a}, policy, false, out)) return out;
  if (a.is_inf()) return infinite(f, a.negative, policy);
  if (a.is_zero()) return zero(f, a.negative, policy);
  if (is_integral(*a.magnitude)) return {a_op.code, 0};
  // Not integral, so |a| < 2^52 (mantissa_bits <= 52): the integer rounding of the conversion
  // oracle into a 64-bit integer decides, then the integer (exact or out of range) is put
  // back into the format with the sign of a (zero results keep it).
  const Format i64 = int_format(64, true);
  const Rounded as_int = round_value(i64, a.negative, *a.magnitude, policy, random);
  const ExactValue n = decode(i64, as_int.bits);
  out = round_value(f, a.negative, n.magnitude, policy, random);
  if (exact) out.flags |= as_int.flags & flags::kInexact;
  return out;
}

}  // namespace numconf::ref
