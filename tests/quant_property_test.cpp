// RapidCheck properties of the quantizers (formats/quant.hpp) on generated and adversarial
// blocks (tests/quant_blocks.hpp): the error bounds of docs/quantization.md, idempotence, sign
// symmetry, power-of-two scale invariance, monotonicity and zero -> zero, each for the schemes
// that promise it.  Values are compared as exact rationals from the oracle's decoder.
//
// Reproducing a failure: RC_PARAMS="seed=<n>" or RC_PARAMS="reproduce=<string>" as printed,
// RC_PARAMS="max_success=2000" for a longer search.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "formats/quant.hpp"
#include "reference/oracle.hpp"
#include "tests/quant_blocks.hpp"

namespace numconf {
namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;
using quant::Method;
using quant::Scheme;

const std::vector<quant_test::NamedScheme>& schemes() {
  static const auto all = quant_test::schemes_under_test();
  return all;
}

cpp_rational value(const Format& f, std::uint64_t code) {
  const ref::ExactValue v = ref::decode(f, code);
  return v.negative ? cpp_rational(-v.magnitude) : v.magnitude;
}
cpp_rational f32(std::uint32_t bits) { return value(kF32, bits); }
cpp_rational magnitude(const cpp_rational& q) { return q < 0 ? cpp_rational(-q) : q; }
cpp_rational pow2(int k) {
  return k >= 0 ? cpp_rational(cpp_int(1) << k) : cpp_rational(cpp_int(1), cpp_int(1) << -k);
}
int floor_log2(const cpp_rational& q) {  // q > 0
  int k = int(msb(numerator(q))) - int(msb(denominator(q)));
  while (pow2(k) > q) --k;
  while (pow2(k + 1) <= q) ++k;
  return k;
}
// Half a unit in the last place of f32 at |v| (subnormal spacing below 2^-126): the rounding of
// a dequantized value to f32.
cpp_rational half_ulp_f32(const cpp_rational& v) {
  if (v == 0) return pow2(-150);
  return pow2(std::max(floor_log2(magnitude(v)), -126) - 24);
}

struct Case {
  quant_test::NamedScheme named;
  std::vector<std::uint32_t> x;
  std::uint32_t tensor_scale = 0;
  quant::BlockScale scale;
  std::vector<std::uint8_t> codes;
  std::vector<std::uint32_t> values;
};

Case quantized(const quant_test::NamedScheme& named, std::vector<std::uint32_t> x,
               std::uint32_t tensor_scale) {
  Case c{named, std::move(x), tensor_scale, {}, {}, {}};
  c.codes.resize(c.x.size());
  const auto st = quant::quantize_block(named.scheme, c.x.data(), c.x.size(), 1, tensor_scale,
                                        c.scale, c.codes.data());
  RC_ASSERT(st == quant::Status::Ok);
  for (const auto code : c.codes)
    c.values.push_back(quant::dequantize_value(named.scheme, c.scale, tensor_scale, code));
  return c;
}

// A scheme and a block drawn by the shared generator from a RapidCheck seed.
Case any_case() {
  const auto& named = schemes()[*rc::gen::inRange<std::size_t>(0, schemes().size())];
  test_support::Rng rng{*rc::gen::arbitrary<std::uint64_t>()};
  auto x = quant_test::generate_block(rng, quant_test::block_size(named.scheme));
  const std::uint32_t g = quant::nvfp4_tensor_scale(x.data(), x.size());
  return quantized(named, std::move(x), g);
}

std::string describe(const Case& c, std::size_t i) {
  std::ostringstream s;
  s << c.named.name << " element " << i << ": x " << test_support::hex(c.x[i]) << " code "
    << test_support::hex(c.codes[i]) << " value " << test_support::hex(c.values[i]) << " scale "
    << test_support::hex(c.scale.scale) << " zero point " << test_support::hex(c.scale.zero_point)
    << " tensor scale " << test_support::hex(c.tensor_scale);
  return s.str();
}

// ---- Error bounds (docs/quantization.md, "Error bounds") ------------------------------------

// Float grid of an element: |v| rounded to nearest has error <= half its spacing at v, and
// beyond max the saturated error |v| - max.
cpp_rational element_error_bound(const Scheme& s, const cpp_rational& v_abs) {
  const Format& f = s.element;
  cpp_rational max = 0;
  for (std::uint64_t code = 0; code < (std::uint64_t{1} << code_bits(f)); ++code) {
    const ref::ExactValue e = ref::decode(f, code);
    if (e.cls != ref::ValueClass::Nan && e.cls != ref::ValueClass::Infinite && !e.negative)
      max = std::max(max, e.magnitude);
  }
  max *= pow2(s.element_exponent);
  if (v_abs > max) return v_abs - max;
  if (!is_float(f)) return pow2(s.element_exponent - 1);
  const int emin = 1 - f.bias;
  const int e = v_abs == 0 ? emin : std::max(floor_log2(v_abs), emin);
  return pow2(e - f.mantissa_bits - 1);
}

// The bound on |x - dequantized| for element i.
cpp_rational error_bound(const Case& c, std::size_t i) {
  const Scheme& s = c.named.scheme;
  const cpp_rational x = f32(c.x[i]);
  const cpp_rational x_abs = magnitude(x);
  const cpp_rational dequant_rounding = half_ulp_f32(f32(c.values[i]));
  cpp_rational amax = 0;
  for (const auto v : c.x) amax = std::max(amax, magnitude(f32(v)));
  switch (s.method) {
    case Method::Mx: {
      const cpp_rational unit = pow2(int(c.scale.scale) - 127);
      return unit * element_error_bound(s, x_abs / unit) + dequant_rounding;
    }
    case Method::Nvfp4: {
      const cpp_rational d = value(s.scale, c.scale.scale) * f32(c.tensor_scale);
      if (d == 0) return 6 * f32(c.tensor_scale) * pow2(-10) + dequant_rounding;  // s underflowed
      if (s.division == quant::Division::Divide)
        return d * element_error_bound(s, x_abs / d) + dequant_rounding;
      // x * r with r = f32(1/d) (the oracle's rounding): the element error at x*r plus the
      // reciprocal's own error.
      const cpp_rational r = value(kF32, ref::round_value(kF32, false, 1 / d, Policy{}).bits);
      return d * element_error_bound(s, x_abs * r) + x_abs * magnitude(1 - r * d) +
             dequant_rounding;
    }
    case Method::Table: {
      if (amax == 0) return dequant_rounding;
      const cpp_rational v = x / amax;
      cpp_rational gap = 0;
      for (int t = 0; t < 15; ++t)
        if (f32(quant::kNf4Table[t]) <= v && v <= f32(quant::kNf4Table[t + 1]))
          gap = std::max(gap, f32(quant::kNf4Table[t + 1]) - f32(quant::kNf4Table[t]));
      return amax * gap / 2 + dequant_rounding;
    }
    case Method::GgufQ8_0: {
      const cpp_rational d = amax / 127, d16 = value(kF16, c.scale.scale);
      return d * (cpp_rational(1, 2) + pow2(-14)) + 127 * magnitude(d - d16) + dequant_rounding;
    }
    case Method::GgufQ4_0: {
      const cpp_rational d = amax / 8, d16 = magnitude(value(kF16, c.scale.scale));
      const cpp_rational beyond = std::max(cpp_rational(1, 2), cpp_rational(x_abs / d - 7));
      return d * (beyond + pow2(-14)) + 8 * magnitude(d - d16) + dequant_rounding;
    }
    case Method::GgufQ4_1: {
      cpp_rational lo = f32(c.x[0]), hi = lo;
      for (const auto v : c.x) lo = std::min(lo, f32(v)), hi = std::max(hi, f32(v));
      const cpp_rational d = (hi - lo) / 15, d16 = value(kF16, c.scale.scale);
      return d * (cpp_rational(1, 2) + pow2(-14)) + 15 * magnitude(d - d16) +
             magnitude(lo - value(kF16, c.scale.zero_point)) + dequant_rounding;
    }
    case Method::Linear: {
      const cpp_rational step = value(s.scale, c.scale.scale);
      const auto q = quant::detail::int_limits(s);
      const long long zp = s.asymmetric ? quant::detail::int_value(s.element, c.scale.zero_point)
                                        : quant::detail::symmetric_offset(s);
      // The representable levels: codes minus the zero point (clamp-then-add also clamps the
      // level itself into [qmin, qmax] first).
      long long lo = q.min - zp, hi = q.max - zp;
      if (s.order == quant::ZeroPointOrder::ClampThenAdd)
        lo = std::max(lo, q.min), hi = std::min(hi, q.max);
      const cpp_rational below = lo * step - x;
      const cpp_rational above = x - hi * step;
      const cpp_rational outside = std::max({cpp_rational(0), below, above});
      return std::max(cpp_rational(step / 2), outside) + dequant_rounding;
    }
  }
  return 0;
}

RC_GTEST_PROP(QuantProperty, ErrorWithinTheStatedBound, ()) {
  const Case c = any_case();
  for (std::size_t i = 0; i < c.x.size(); ++i) {
    const cpp_rational error = magnitude(f32(c.x[i]) - f32(c.values[i]));
    const cpp_rational bound = error_bound(c, i);
    if (error > bound)
      RC_FAIL(describe(c, i) + ": error " + error.str() + " above bound " + bound.str());
  }
}

// Values away from the ends of f32 (no subnormal dequantized values, no f32 overflow in a
// reference quantizer's steps), where idempotence, symmetry and invariance are promised.
bool in_safe_range(const std::vector<std::uint32_t>& x) {
  for (const auto v : x) {
    const int field = int(v >> 23 & 0xff);
    if ((v & 0x7fffffff) != 0 && (field <= 40 || field >= 200)) return false;
  }
  return true;
}

// A linear scale saturated at its format's largest value leaves values beyond qmax * scale, and
// a subnormal one (f16, bf16) has too few bits to keep amax / scale near qmax.
bool scale_saturated(const Case& c) {
  const Scheme& s = c.named.scheme;
  if (s.method != Method::Linear || s.fixed_scale) return false;
  const bool subnormal = (c.scale.scale >> s.scale.mantissa_bits) == 0;
  return subnormal || c.scale.scale == max_finite_magnitude(s.scale);
}

// ---- Idempotence: dequantized values are a fixed point -------------------------------------

bool promises_idempotence(const Scheme& s) {
  if (s.method == Method::GgufQ4_1) return false;
  if (s.method == Method::Mx) return is_float(s.element);  // MXINT8: -1.99 X rounds to -2 X
  if (s.method == Method::Linear) return !s.asymmetric && s.scale_rounding == Rounding::NearestEven;
  return true;
}

RC_GTEST_PROP(QuantProperty, RequantizingDequantizedValuesKeepsThem, ()) {
  const Case c = any_case();
  RC_PRE(promises_idempotence(c.named.scheme) && in_safe_range(c.x) && !scale_saturated(c));
  const Case again = quantized(c.named, c.values, c.tensor_scale);
  for (std::size_t i = 0; i < c.x.size(); ++i)
    if (f32(again.values[i]) != f32(c.values[i]))
      RC_FAIL(describe(c, i) + " requantizes to " + describe(again, i));
  // The MX floor rule keeps the codes themselves.
  if (c.named.scheme.method == Method::Mx && c.named.scheme.rule == quant::ScaleRule::Floor)
    RC_ASSERT(again.codes == c.codes && again.scale.scale == c.scale.scale);
}

// ---- Sign symmetry --------------------------------------------------------------------------

bool promises_sign_symmetry(const Scheme& s) {
  switch (s.method) {
    case Method::Mx:
      return is_float(s.element);  // MXINT8 reaches -2 (0x80) but not +2
    case Method::Nvfp4:
    case Method::GgufQ8_0:
      return true;
    case Method::Linear:
      return !s.asymmetric && !s.fixed_scale;  // a given scale can saturate
    default:
      return false;  // NF4's table, q4_0's max/-8 and q4_1's minimum are one-sided
  }
}

RC_GTEST_PROP(QuantProperty, NegatedBlockDequantizesNegated, ()) {
  const Case c = any_case();
  RC_PRE(promises_sign_symmetry(c.named.scheme) && !scale_saturated(c));
  std::vector<std::uint32_t> negated = c.x;
  for (auto& v : negated) v ^= 0x80000000u;
  const Case n = quantized(c.named, negated, c.tensor_scale);
  for (std::size_t i = 0; i < c.x.size(); ++i)
    if (f32(n.values[i]) != -f32(c.values[i]))
      RC_FAIL(describe(c, i) + " negated: " + describe(n, i));
}

// ---- Power-of-two scale invariance ------------------------------------------------------------

bool promises_scale_invariance(const Scheme& s) {
  return s.method == Method::Mx || s.method == Method::Nvfp4 || s.method == Method::Table ||
         (s.method == Method::Linear && s.scale == kF32 && !s.fixed_scale);
}

RC_GTEST_PROP(QuantProperty, PowerOfTwoScalingScalesTheResult, ()) {
  const Case c = any_case();
  RC_PRE(promises_scale_invariance(c.named.scheme));
  RC_PRE(in_safe_range(c.x));
  const int k = *rc::gen::inRange(-8, 9);
  std::vector<std::uint32_t> scaled = c.x;
  for (auto& v : scaled)
    if ((v & 0x7fffffff) != 0) v = std::uint32_t(std::int64_t(v) + (std::int64_t(k) << 23));
  const Case s =
      quantized(c.named, scaled, quant::nvfp4_tensor_scale(scaled.data(), scaled.size()));
  for (std::size_t i = 0; i < c.x.size(); ++i)
    if (f32(s.values[i]) != f32(c.values[i]) * pow2(k))
      RC_FAIL(describe(c, i) + " scaled by 2^" + std::to_string(k) + ": " + describe(s, i));
  RC_ASSERT(s.codes == c.codes);
}

// ---- Monotonicity and zero ------------------------------------------------------------------

RC_GTEST_PROP(QuantProperty, MonotoneWithinABlock, ()) {
  const Case c = any_case();
  for (std::size_t i = 0; i < c.x.size(); ++i)
    for (std::size_t j = 0; j < c.x.size(); ++j)
      if (f32(c.x[i]) < f32(c.x[j]) && f32(c.values[i]) > f32(c.values[j]))
        RC_FAIL(describe(c, i) + " above " + describe(c, j));
}

RC_GTEST_PROP(QuantProperty, ZeroDequantizesToZero, ()) {
  const Case c = any_case();
  RC_PRE(c.named.scheme.method != Method::GgufQ4_1);  // q4_1's grid starts at the minimum
  for (std::size_t i = 0; i < c.x.size(); ++i)
    if (f32(c.x[i]) == 0 && f32(c.values[i]) != 0) RC_FAIL(describe(c, i));
}

}  // namespace
}  // namespace numconf
