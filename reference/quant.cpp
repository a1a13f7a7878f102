// The quantization oracle (see quant.hpp).
#include "reference/quant.hpp"

#include <array>
#include <boost/multiprecision/cpp_int.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "reference/oracle.hpp"

namespace numconf::ref {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;
using quant::BlockScale;
using quant::Method;
using quant::Scheme;
using quant::Status;

// ---- Exact values -------------------------------------------------------------------------

// The signed exact value of a finite code.
cpp_rational value(const Format& f, std::uint64_t code) {
  const ExactValue v = decode(f, code);
  return v.negative ? cpp_rational(-v.magnitude) : v.magnitude;
}

cpp_rational f32_value(std::uint32_t bits) { return value(kF32, bits); }

cpp_rational magnitude(const cpp_rational& q) { return q < 0 ? cpp_rational(-q) : q; }

cpp_rational power_of_two(int k) {
  return k >= 0 ? cpp_rational(cpp_int(1) << k) : cpp_rational(cpp_int(1), cpp_int(1) << -k);
}

// The largest k with 2^k <= q, for q > 0.
int floor_log2(const cpp_rational& q) {
  int k = int(msb(numerator(q))) - int(msb(denominator(q)));
  while (power_of_two(k) > q) --k;
  while (power_of_two(k + 1) <= q) ++k;
  return k;
}

// The smallest k with 2^k >= q, for q > 0.
int ceil_log2(const cpp_rational& q) {
  const int k = floor_log2(q);
  return power_of_two(k) == q ? k : k + 1;
}

Rounded round_to(const Format& f, const cpp_rational& q, const Policy& p) {
  return round_value(f, q < 0, q < 0 ? cpp_rational(-q) : q, p);
}

// q rounded to f32 (rn) and read back: one f32 operation of a reference quantizer.
cpp_rational f32_op(const cpp_rational& q, Overflow overflow = Overflow::None) {
  return f32_value(std::uint32_t(round_to(kF32, q, Policy{.overflow = overflow}).bits));
}

long long integer(const cpp_rational& q) {  // q integral
  return static_cast<long long>(numerator(q));
}

long long clamp(long long v, long long lo, long long hi) { return v < lo ? lo : v > hi ? hi : v; }

// The exact values of a block, each decoded once; nullopt when one is NaN or Inf.
std::optional<std::vector<cpp_rational>> finite_values(const std::uint32_t* x, std::size_t n,
                                                       std::size_t stride) {
  std::vector<cpp_rational> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const ExactValue e = decode(kF32, x[i * stride]);
    if (e.cls == ValueClass::Nan || e.cls == ValueClass::Infinite) return std::nullopt;
    v[i] = e.negative ? cpp_rational(-e.magnitude) : e.magnitude;
  }
  return v;
}

cpp_rational largest_magnitude(const std::vector<cpp_rational>& v) {
  cpp_rational amax = 0;
  for (const auto& e : v) amax = std::max(amax, magnitude(e));
  return amax;
}

// The largest finite value of a format, by scanning every code.
cpp_rational scan_largest_value(const Format& f) {
  cpp_rational best = 0;
  const int width = is_float(f) ? int(f.is_signed) + f.exponent_bits + f.mantissa_bits : f.int_bits;
  for (std::uint64_t code = 0; code < (std::uint64_t{1} << width); ++code) {
    const ExactValue v = decode(f, code);
    if (v.cls == ValueClass::Nan || v.cls == ValueClass::Infinite || v.negative) continue;
    best = std::max(best, v.magnitude);
  }
  return best;
}

// scan_largest_value, remembered per format: the scan decodes every code of the element, which
// would otherwise cost more than quantizing the block.
cpp_rational largest_value(const Format& f) {
  static std::mutex guard;
  static std::vector<std::pair<Format, cpp_rational>> known;
  const std::lock_guard lock(guard);
  for (const auto& [format, largest] : known)
    if (format == f) return largest;
  known.emplace_back(f, scan_largest_value(f));
  return known.back().second;
}

cpp_rational element_max(const Scheme& s) {
  return largest_value(s.element) * power_of_two(s.element_exponent);
}

// ---- MX -----------------------------------------------------------------------------------

int shared_exponent(const Scheme& s, const cpp_rational& amax) {
  const int emax = floor_log2(element_max(s));
  switch (s.rule) {
    case quant::ScaleRule::Floor:
      return floor_log2(amax) - emax;
    case quant::ScaleRule::Ceil:
      return ceil_log2(amax) - emax;
    case quant::ScaleRule::Even: {
      // amax to the element's significant bits, ties away, in a float format wide enough.
      const int fraction = is_float(s.element) ? s.element.mantissa_bits : s.element.int_bits - 2;
      const Format wide = float_format(10, fraction, 511, InfEncoding::Ieee, NanEncoding::Ieee);
      const Rounded r = round_to(wide, amax, Policy{.rounding = Rounding::NearestAway});
      return floor_log2(value(wide, r.bits)) - emax;
    }
    case quant::ScaleRule::Rceil:
      return ceil_log2(f32_op(amax / element_max(s)));
  }
  return 0;
}

Status quantize_mx(const Scheme& s, const std::uint32_t* x, std::size_t n, std::size_t stride,
                   BlockScale& out, std::uint8_t* codes) {
  const auto values = finite_values(x, n, stride);
  if (!values) {
    out.scale = 0xff;
    std::uint8_t fill = 0;
    const int width = int(s.element.is_signed) + s.element.exponent_bits + s.element.mantissa_bits;
    for (std::uint64_t code = 0; is_float(s.element) && code < (std::uint64_t{1} << width);
         ++code) {
      if (decode(s.element, code).cls == ValueClass::Nan) {
        fill = std::uint8_t(code);
        break;
      }
    }
    for (std::size_t i = 0; i < n; ++i) codes[i * stride] = fill;
    return Status::Ok;
  }
  const cpp_rational amax = largest_magnitude(*values);
  const int k = amax == 0 ? -127 : std::clamp(shared_exponent(s, amax), -127, 127);
  out.scale = std::uint64_t(k + 127);
  const cpp_rational unit = power_of_two(k + s.element_exponent);
  for (std::size_t i = 0; i < n; ++i) {
    const bool negative = (x[i * stride] >> 31) != 0;  // keeps -0 a negative zero
    codes[i * stride] = std::uint8_t(
        round_value(s.element, negative, magnitude((*values)[i]) / unit, s.element_policy).bits);
  }
  return Status::Ok;
}

// ---- NVFP4 --------------------------------------------------------------------------------

Status quantize_nvfp4(const Scheme& s, const std::uint32_t* x, std::size_t n, std::size_t stride,
                      std::uint32_t tensor_scale, BlockScale& out, std::uint8_t* codes) {
  const auto values = finite_values(x, n, stride);
  if (!values) return Status::NonFinite;
  const cpp_rational g = f32_value(tensor_scale);
  const cpp_rational amax = largest_magnitude(*values);
  const Policy scale_policy{.rounding = s.scale_rounding, .overflow = Overflow::Finite};
  out.scale = amax == 0 ? 0 : round_to(s.scale, amax / (element_max(s) * g), scale_policy).bits;
  const cpp_rational divisor = value(s.scale, out.scale) * g;
  cpp_rational reciprocal = 0;
  if (divisor != 0 && s.division == quant::Division::Reciprocal)
    reciprocal = f32_op(1 / divisor, Overflow::Finite);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t bits = x[i * stride];
    if (divisor == 0) {
      codes[i * stride] = 0;
      continue;
    }
    const cpp_rational& v = (*values)[i];
    const cpp_rational scaled = s.division == quant::Division::Divide
                                    ? cpp_rational(v / divisor)
                                    : cpp_rational(v * reciprocal);
    codes[i * stride] = std::uint8_t(
        round_value(s.element, (bits >> 31) != 0, magnitude(scaled), s.element_policy).bits);
  }
  return Status::Ok;
}

// ---- NF4 ----------------------------------------------------------------------------------

// The exact values of the NF4 table's f32 entries, decoded once.
const std::array<cpp_rational, 16>& nf4_values() {
  static const std::array<cpp_rational, 16> values = [] {
    std::array<cpp_rational, 16> v;
    for (int t = 0; t < 16; ++t) v[t] = f32_value(quant::kNf4Table[t]);
    return v;
  }();
  return values;
}

Status quantize_table(const std::uint32_t* x, std::size_t n, std::size_t stride, BlockScale& out,
                      std::uint8_t* codes) {
  const auto values = finite_values(x, n, stride);
  if (!values) return Status::NonFinite;
  const cpp_rational amax = largest_magnitude(*values);
  out.scale = round_to(kF32, amax, Policy{}).bits;  // exact: amax is an input value
  // x and entry · amax are dyadic (denominators at most 2^149 · 2^27): compared as integers on a
  // grid of 2^-180, which avoids a gcd in every distance.
  constexpr int kGridBits = 180;
  const auto on_grid = [](const cpp_rational& q) {
    const cpp_rational scaled = q * power_of_two(kGridBits);
    if (denominator(scaled) != 1) throw std::logic_error("nf4 oracle: value finer than the grid");
    return cpp_int(numerator(scaled));
  };
  std::array<cpp_int, 16> scaled_table;
  for (int t = 0; t < 16; ++t) scaled_table[t] = on_grid(nf4_values()[t] * amax);
  for (std::size_t i = 0; i < n; ++i) {
    if (amax == 0) {
      codes[i * stride] = 7;  // the table's zero
      continue;
    }
    // Nearest entry to x / amax, compared as distances of x to entry · amax; on equal
    // distance the first (lower) one found is kept.
    const cpp_int v = on_grid((*values)[i]);
    int best = 0;
    cpp_int best_distance = abs(v - scaled_table[0]);
    for (int t = 1; t < 16; ++t) {
      cpp_int distance = abs(v - scaled_table[t]);
      if (distance < best_distance) {
        best = t;
        best_distance = std::move(distance);
      }
    }
    codes[i * stride] = std::uint8_t(best);
  }
  return Status::Ok;
}

// ---- GGUF ---------------------------------------------------------------------------------

std::uint64_t f16_code(const cpp_rational& q) { return round_to(kF16, q, Policy{}).bits; }

// d ? 1/d : 0, and 0 where 1/d rounds beyond f32's range (docs/quantization.md).
cpp_rational inverse_or_zero(const cpp_rational& d) {
  if (d == 0) return 0;
  const Rounded id = round_to(kF32, 1 / d, Policy{});
  return decode(kF32, id.bits).cls == ValueClass::Infinite ? cpp_rational(0)
                                                           : f32_value(std::uint32_t(id.bits));
}

// C's float-to-integer cast of a value known to lie in (-1, 256), clamped at 15 as the
// quantizers do.
std::uint8_t truncated_nibble(const cpp_rational& t) {
  const long long q =
      integer(value(kI32, round_to(kI32, t, Policy{.rounding = Rounding::TowardZero}).bits));
  return std::uint8_t(clamp(q, 0, 15));
}

Status quantize_gguf(const Scheme& s, const std::uint32_t* x, std::size_t n, std::size_t stride,
                     BlockScale& out, std::uint8_t* codes) {
  const auto values = finite_values(x, n, stride);
  if (!values) return Status::NonFinite;
  const std::vector<cpp_rational>& v = *values;
  if (s.method == Method::GgufQ8_0) {
    const cpp_rational d = f32_op(largest_magnitude(v) / 127);
    const cpp_rational id = inverse_or_zero(d);
    out.scale = f16_code(d);
    for (std::size_t i = 0; i < n; ++i)
      codes[i * stride] = std::uint8_t(
          round_to(kI8, f32_op(v[i] * id),
                   Policy{.rounding = Rounding::NearestAway, .overflow = Overflow::Finite})
              .bits);
    return Status::Ok;
  }
  if (s.method == Method::GgufQ4_0) {
    cpp_rational max = 0;  // the first value of the largest magnitude
    for (const auto& e : v)
      if (magnitude(e) > magnitude(max)) max = e;
    const cpp_rational d = f32_op(max / -8);
    const cpp_rational id = inverse_or_zero(d);
    out.scale = f16_code(d);
    for (std::size_t i = 0; i < n; ++i)
      codes[i * stride] = truncated_nibble(f32_op(f32_op(v[i] * id) + cpp_rational(17, 2)));
    return Status::Ok;
  }
  const cpp_rational min = *std::min_element(v.begin(), v.end());
  const cpp_rational max = *std::max_element(v.begin(), v.end());
  const Rounded range = round_to(kF32, max - min, Policy{});
  if (decode(kF32, range.bits).cls == ValueClass::Infinite) return Status::NonFinite;
  const cpp_rational d = f32_op(f32_value(std::uint32_t(range.bits)) / 15);
  const cpp_rational id = inverse_or_zero(d);
  out.scale = f16_code(d);
  out.zero_point = f16_code(min);
  for (std::size_t i = 0; i < n; ++i)
    codes[i * stride] =
        truncated_nibble(f32_op(f32_op(f32_op(v[i] - min) * id) + cpp_rational(1, 2)));
  return Status::Ok;
}

// ---- Linear -------------------------------------------------------------------------------

struct Limits {
  long long min = 0, max = 0, offset = 0;  // offset: symmetric unsigned codes' zero point
};

Limits limits(const Scheme& s) {
  const int w = s.element.int_bits;
  const long long half = 1LL << (w - 1);
  const long long restricted = s.range == quant::IntRange::Restricted ? 1 : 0;
  if (s.asymmetric && !s.element.is_signed) return {restricted, 2 * half - 1, 0};
  if (s.element.is_signed) return {-half + restricted, half - 1, 0};
  return {restricted, 2 * half - 1, half};  // symmetric over unsigned codes: shifted by 2^(w-1)
}

long long round_integer(const cpp_rational& q, const Policy& element_policy) {
  Policy p = element_policy;
  p.overflow = Overflow::Finite;
  return integer(value(kI32, round_to(kI32, q, p).bits));
}

std::uint64_t int_code(const Format& f, long long v) {
  return std::uint64_t(v) & ((std::uint64_t{1} << f.int_bits) - 1);
}

Status quantize_linear(const Scheme& s, const std::uint32_t* x, std::size_t n, std::size_t stride,
                       BlockScale& out, std::uint8_t* codes) {
  const auto values = finite_values(x, n, stride);
  if (!values) return Status::NonFinite;
  const std::vector<cpp_rational>& v = *values;
  const Limits q = limits(s);
  const cpp_rational lo = std::min(cpp_rational(0), *std::min_element(v.begin(), v.end()));
  const cpp_rational hi = std::max(cpp_rational(0), *std::max_element(v.begin(), v.end()));
  const Policy scale_policy{.rounding = s.scale_rounding, .overflow = Overflow::Finite};
  if (s.fixed_scale) {
    out.scale = s.scale_code;
  } else if (s.asymmetric) {
    out.scale = round_to(s.scale, (hi - lo) / (q.max - q.min), scale_policy).bits;
  } else {
    out.scale = round_to(s.scale, largest_magnitude(v) / (q.max - q.offset), scale_policy).bits;
  }
  const cpp_rational scale = value(s.scale, out.scale);
  long long zero_point = q.offset;
  if (s.asymmetric)
    zero_point = scale == 0
                     ? clamp(0, q.min, q.max)
                     : clamp(q.min - round_integer(lo / scale, s.element_policy), q.min, q.max);
  out.zero_point = int_code(s.element, zero_point);
  for (std::size_t i = 0; i < n; ++i) {
    const long long r = scale == 0 ? 0 : round_integer(v[i] / scale, s.element_policy);
    const long long code = s.order == quant::ZeroPointOrder::AddThenClamp
                               ? clamp(r + zero_point, q.min, q.max)
                               : clamp(clamp(r, q.min, q.max) + zero_point, q.min, q.max);
    codes[i * stride] = std::uint8_t(int_code(s.element, code));
  }
  return Status::Ok;
}

// q rounded to f32; a zero result is -0 when `negative_zero` (a -0 element times a scale).
std::uint32_t to_f32(const cpp_rational& q, bool negative_zero = false) {
  if (q == 0) return negative_zero ? 0x80000000 : 0;
  return std::uint32_t(round_to(kF32, q, Policy{}).bits);
}

}  // namespace

std::uint32_t nvfp4_tensor_scale(const std::uint32_t* x, std::size_t n) {
  const auto values = finite_values(x, n, 1);
  if (!values) return 0x3f800000;
  const cpp_rational amax = largest_magnitude(*values);
  if (amax == 0) return 0x3f800000;
  const std::uint32_t g = to_f32(amax / 2688);
  return g == 0 ? 1 : g;
}

quant::Status quantize_block(const Scheme& s, const std::uint32_t* x, std::size_t n,
                             std::size_t stride, std::uint32_t tensor_scale, BlockScale& out,
                             std::uint8_t* codes) {
  out = BlockScale{};
  switch (s.method) {
    case Method::Mx:
      return quantize_mx(s, x, n, stride, out, codes);
    case Method::Nvfp4:
      return quantize_nvfp4(s, x, n, stride, tensor_scale, out, codes);
    case Method::Table:
      return quantize_table(x, n, stride, out, codes);
    case Method::GgufQ8_0:
    case Method::GgufQ4_0:
    case Method::GgufQ4_1:
      return quantize_gguf(s, x, n, stride, out, codes);
    case Method::Linear:
      return quantize_linear(s, x, n, stride, out, codes);
  }
  return Status::Ok;
}

std::uint32_t dequantize_value(const Scheme& s, const BlockScale& b, std::uint32_t tensor_scale,
                               std::uint8_t code) {
  // A zero product carries the XOR of its factors' signs, as in IEEE 754 multiplication.
  const auto is_negative = [](const Format& f, std::uint64_t c) { return decode(f, c).negative; };
  switch (s.method) {
    case Method::Mx: {
      const ExactValue e = decode(s.element, code);
      if (b.scale == 0xff || e.cls == ValueClass::Nan) return 0x7fc00000;
      if (e.cls == ValueClass::Infinite) return e.negative ? 0xff800000 : 0x7f800000;
      return to_f32(value(s.element, code) * power_of_two(int(b.scale) - 127 + s.element_exponent),
                    e.negative);
    }
    case Method::Nvfp4:
      return to_f32(value(s.element, code) * value(s.scale, b.scale) * f32_value(tensor_scale),
                    is_negative(s.element, code));
    case Method::Table: {
      const std::uint32_t entry = quant::kNf4Table[code & 15];
      return to_f32(nf4_values()[code & 15] * f32_value(std::uint32_t(b.scale)),
                    is_negative(kF32, entry) != is_negative(kF32, b.scale));
    }
    case Method::GgufQ8_0:
      return to_f32(value(kI8, code) * value(kF16, b.scale),
                    is_negative(kI8, code) != is_negative(kF16, b.scale));
    case Method::GgufQ4_0:
      return to_f32((code - 8) * value(kF16, b.scale), (code < 8) != is_negative(kF16, b.scale));
    case Method::GgufQ4_1: {
      // q * d + m: a zero sum is -0 only when both terms are zeros of negative sign.
      const cpp_rational product = code * value(kF16, b.scale);
      const bool product_negative_zero = product == 0 && is_negative(kF16, b.scale);
      const cpp_rational m = value(kF16, b.zero_point);
      return to_f32(product + m,
                    product_negative_zero && m == 0 && is_negative(kF16, b.zero_point));
    }
    case Method::Linear: {
      const long long zero_point =
          s.asymmetric ? integer(value(s.element, b.zero_point)) : limits(s).offset;
      const long long level = integer(value(s.element, code)) - zero_point;
      return to_f32(level * value(s.scale, b.scale), (level < 0) != is_negative(s.scale, b.scale));
    }
  }
  return 0x7fc00000;
}

}  // namespace numconf::ref
