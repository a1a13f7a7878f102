// RapidCheck properties of the model's conversions, over built-in formats, P3109 formats and
// randomly generated custom formats (exponent width 1..8, mantissa width 0..10, any bias near
// the IEEE one, signed or not, with or without subnormals, every valid Inf/NaN encoding).
// Distances and orderings are measured with the oracle's exact values (reference/), never with
// the model's own decoder.
//
// Reproducing a failure: RapidCheck prints "Using configuration: seed=<n>" when the binary
// starts and, on failure, the shrunk counterexample (format, policy, inputs) and a
// reproduce string.  Re-run with, for example,
//   RC_PARAMS="seed=<n>" ./property_test --gtest_filter=Property.Monotonic
//   RC_PARAMS="reproduce=<string>" ./property_test --gtest_filter=Property.Monotonic
// and RC_PARAMS="max_success=2000" (default 100 formats per property, each with a batch of
// inputs) or "max_size=..." for a longer search.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "formats/convert.hpp"
#include "formats/decode.hpp"
#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "formats/registry.hpp"
#include "reference/oracle.hpp"

namespace numconf {

// ---- Printing, found by RapidCheck through ADL ----------------------------------------------

const char* inf_name(InfEncoding e) {
  return e == InfEncoding::Ieee ? "ieee" : e == InfEncoding::TopCode ? "top" : "none";
}
const char* nan_name(NanEncoding e) {
  switch (e) {
    case NanEncoding::Ieee: return "ieee";
    case NanEncoding::MaxPattern: return "max";
    case NanEncoding::NegZero: return "negzero";
    case NanEncoding::None: return "none";
  }
  return "?";
}

// The format as a spec string the CLI accepts.
std::string spec_string(const Format& f) {
  std::ostringstream s;
  if (!is_float(f)) {
    s << "int:bits=" << f.int_bits << ",signed=" << (f.is_signed ? "yes" : "no");
    return s.str();
  }
  s << "float:e=" << f.exponent_bits << ",m=" << f.mantissa_bits << ",bias=" << f.bias
    << ",inf=" << inf_name(f.inf) << ",nan=" << nan_name(f.nan)
    << ",signed=" << (f.is_signed ? "yes" : "no") << ",sub=" << (f.has_subnormals ? "yes" : "no");
  if (f.padding_bits != 0) s << ",pad=" << f.padding_bits;
  return s.str();
}

void showValue(const Format& f, std::ostream& os) { os << spec_string(f); }

void showValue(const Policy& p, std::ostream& os) {
  const char* modes[] = {"rn", "rna", "rz", "rp", "rm", "ro", "sra", "srb", "src"};
  const char* overflows[] = {"none", "finite", "propagate"};
  const char* rules[] = {"ieee", "p3109", "p3109-v3"};
  os << modes[int(p.rounding)] << " overflow=" << overflows[int(p.overflow)]
     << " rule=" << rules[int(p.overflow_rule)]
     << " tininess=" << (p.tininess == Tininess::AfterRounding ? "after" : "before")
     << " daz=" << p.flush_inputs << " ftz=" << p.flush_outputs
     << " nan2nanless=" << (p.nan_to_nanless == NanToNanless::Zero ? "zero" : "max")
     << " N=" << p.random_bits;
}

namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

std::string hex(std::uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// ---- Generators -----------------------------------------------------------------------------

// The Inf/NaN pairs a descriptor may have; invalid_reason() filters the rest.
constexpr std::pair<InfEncoding, NanEncoding> kSpecials[] = {
    {InfEncoding::Ieee, NanEncoding::Ieee},          {InfEncoding::None, NanEncoding::MaxPattern},
    {InfEncoding::None, NanEncoding::NegZero},       {InfEncoding::None, NanEncoding::None},
    {InfEncoding::TopCode, NanEncoding::MaxPattern}, {InfEncoding::TopCode, NanEncoding::NegZero},
    {InfEncoding::TopCode, NanEncoding::None}};

rc::Gen<Format> custom_format() {
  return rc::gen::suchThat(
      rc::gen::exec([] {
        Format f;
        f.exponent_bits = *rc::gen::inRange(1, 9);
        f.mantissa_bits = *rc::gen::inRange(0, 11);
        f.bias = (1 << (f.exponent_bits - 1)) - 1 + *rc::gen::inRange(-3, 4);
        f.is_signed = *rc::gen::arbitrary<bool>();
        f.has_subnormals = *rc::gen::weightedElement<bool>({{4, true}, {1, false}});
        const auto special = kSpecials[*rc::gen::inRange<std::size_t>(0, std::size(kSpecials))];
        f.inf = special.first;
        f.nan = special.second;
        return f;
      }),
      [](const Format& f) {
        // Valid descriptors only, and not the degenerate ones whose only finite value is 0
        // (e=1, m=0 with a zero and a NaN): they have no grid to round onto.
        return invalid_reason(f) == nullptr && (max_finite_magnitude(f) > 0 || !f.has_subnormals);
      });
}

rc::Gen<Format> p3109_random_format() {
  return rc::gen::exec([] {
    const int k = *rc::gen::inRange(3, 13);
    const bool is_signed = *rc::gen::arbitrary<bool>();
    const int p = *rc::gen::inRange(1, is_signed ? k : k + 1);
    return p3109_format(k, p, is_signed, *rc::gen::arbitrary<bool>());
  });
}

rc::Gen<Format> builtin_float_format() {
  std::vector<Format> formats;
  for (const NamedFormat& named : kBuiltinFormats)
    if (is_float(named.format) && named.format.mantissa_bits <= 23) formats.push_back(named.format);
  return rc::gen::elementOf(formats);
}

// A float target: custom formats most of the time, P3109 and built-ins otherwise.
rc::Gen<Format> any_float_format() {
  return rc::gen::weightedOneOf<Format>(
      {{6, custom_format()}, {2, p3109_random_format()}, {2, builtin_float_format()}});
}

// Formats of at most 16 code bits and mantissa <= 10, whose values f64 holds exactly.
rc::Gen<Format> narrow_float_format() {
  return rc::gen::suchThat(any_float_format(), [](const Format& f) {
    return code_bits(f) <= 16 && f.mantissa_bits <= 10 && f.padding_bits == 0 &&
           std::abs(f.bias) < 900;
  });
}

// Every policy field at random; the caller overrides what its property needs.
rc::Gen<Policy> any_policy() {
  return rc::gen::exec([] {
    Policy p;
    p.rounding = static_cast<Rounding>(*rc::gen::inRange(0, 9));
    p.overflow = static_cast<Overflow>(*rc::gen::inRange(0, 3));
    p.overflow_rule = static_cast<OverflowRule>(*rc::gen::inRange(0, 3));
    p.tininess = *rc::gen::arbitrary<bool>() ? Tininess::BeforeRounding : Tininess::AfterRounding;
    p.flush_inputs = *rc::gen::arbitrary<bool>();
    p.flush_outputs = *rc::gen::weightedElement<bool>({{3, false}, {1, true}});
    p.nan_to_nanless = *rc::gen::arbitrary<bool>() ? NanToNanless::MaxFinite : NanToNanless::Zero;
    p.random_bits = is_stochastic(p.rounding) ? *rc::gen::inRange(0, 33) : 0;
    return p;
  });
}

// ---- Exact values (the oracle's) --------------------------------------------------------------

// A non-NaN value on the extended real line.
struct Value {
  int infinite = 0;  // -1, 0 or +1
  cpp_rational finite;
};

std::optional<Value> value_of(const Format& f, std::uint64_t code) {
  const ref::ExactValue v = ref::decode(f, code);
  if (v.cls == ref::ValueClass::Nan) return std::nullopt;
  if (v.cls == ref::ValueClass::Infinite) return Value{v.negative ? -1 : 1, 0};
  return Value{0, v.negative ? cpp_rational(-v.magnitude) : v.magnitude};
}

bool less_equal(const Value& a, const Value& b) {
  if (a.infinite != 0 || b.infinite != 0) {
    if (a.infinite == b.infinite) return true;
    return a.infinite == -1 || b.infinite == 1;
  }
  return a.finite <= b.finite;
}

std::string show(const std::optional<Value>& v) {
  if (!v) return "NaN";
  if (v->infinite != 0) return v->infinite > 0 ? "+Inf" : "-Inf";
  return v->finite.str();
}

int bit_length(std::uint64_t v) { return v == 0 ? 0 : 64 - std::countl_zero(v); }

// floor(log2 |x|) of a non-zero rational.
int floor_log2(const cpp_rational& x) {
  const cpp_rational a = abs(x);
  const cpp_int& n = numerator(a);
  const cpp_int& d = denominator(a);
  int guess = int(msb(n)) - int(msb(d));
  if (guess >= 0 ? n < (d << guess) : (n << -guess) < d) --guess;
  return guess;
}

cpp_rational pow2(int e) {
  return e >= 0 ? cpp_rational(cpp_int(1) << e) : cpp_rational(cpp_int(1), cpp_int(1) << -e);
}

// The f64 code of an exact dyadic rational, when f64 holds it.
std::optional<std::uint64_t> f64_code(const cpp_rational& x) {
  const bool negative = x < 0;
  const std::uint64_t sign = negative ? std::uint64_t{1} << 63 : 0;
  if (x == 0) return sign;
  const cpp_rational a = abs(x);
  const cpp_int& n = numerator(a);
  const cpp_int& d = denominator(a);
  if (lsb(d) != msb(d)) return std::nullopt;  // not dyadic
  const int tz = int(lsb(n));
  const cpp_int sig = n >> tz;
  if (msb(sig) >= 53) return std::nullopt;
  const auto s = sig.convert_to<std::uint64_t>();
  const int exponent = tz - int(msb(d));
  const int top = exponent + bit_length(s) - 1;
  if (top > 1023 || top < -1022) return std::nullopt;  // keep clear of f64 subnormals
  const std::uint64_t normalized = s << (52 - (bit_length(s) - 1));
  return sign | (std::uint64_t(top + 1023) << 52) | (normalized & ((std::uint64_t{1} << 52) - 1));
}

// ---- Inputs near a target's grid ----------------------------------------------------------

// Largest finite magnitude code and its exact value.
cpp_rational max_value(const Format& t) {
  return ref::decode(t, max_finite_magnitude(t) << t.padding_bits).magnitude;
}

// An f64 input aimed at target t: one of its values, a tie or a quarter between two of them,
// a random point of its range (or a little beyond), a few f64 ulps off such a point.
rc::Gen<std::uint64_t> input_near(const Format& t) {
  return rc::gen::exec([t] {
    const std::uint64_t max_code = max_finite_magnitude(t);
    const int kind = *rc::gen::inRange(0, 10);
    std::optional<std::uint64_t> code;
    if (kind < 6) {
      // Between magnitude codes c and c + 1 (c + 1 may be past max: then the next binade step).
      const std::uint64_t c = *rc::gen::inRange<std::uint64_t>(0, max_code + 1);
      const cpp_rational lo = ref::decode(t, c << t.padding_bits).magnitude;
      cpp_rational hi;
      if (lo == 0 && c >= max_code) {
        hi = 0;
      } else if (c < max_code) {
        hi = ref::decode(t, (c + 1) << t.padding_bits).magnitude;
      } else {
        hi = lo + pow2(floor_log2(lo) - t.mantissa_bits);
      }
      const int quarters = *rc::gen::inRange(0, 4);  // 0: c itself, 2: the tie
      code = f64_code(lo + (hi - lo) * quarters / 4);
    } else if (kind < 8) {
      const cpp_rational top = max_value(t);
      const int emax = floor_log2(top);
      const int emin = min_normal_exponent(t) - t.mantissa_bits;
      const int e = *rc::gen::inRange(emin - 3, emax + 3);
      const std::uint64_t mantissa = *rc::gen::arbitrary<std::uint64_t>() >> 12;
      code = f64_code(pow2(e) * (cpp_rational(cpp_int(mantissa), cpp_int(1) << 52) + 1));
    } else {
      code = *rc::gen::element<std::uint64_t>(0, 0x7ff0000000000000ULL);  // zero, infinity
    }
    std::uint64_t c = code.value_or(0x3ff0000000000000ULL);
    if (*rc::gen::weightedElement<bool>({{3, false}, {1, true}}) && (c & 0x7fffffffffffffffULL) != 0 &&
        (c & 0x7ff0000000000000ULL) != 0x7ff0000000000000ULL)
      c += std::uint64_t(*rc::gen::inRange(-2, 3));  // a few ulps off
    if (*rc::gen::arbitrary<bool>()) c ^= std::uint64_t{1} << 63;
    return c;
  });
}

constexpr Format kF64Format = kF64;
constexpr int kBatch = 400;  // inputs per generated format

// A batch of inputs for one generated target.
rc::Gen<std::vector<std::uint64_t>> inputs_near(const Format& t) {
  return rc::gen::container<std::vector<std::uint64_t>>(kBatch, input_near(t));
}


}  // namespace

// ---- Properties -----------------------------------------------------------------------------

// x <= y implies convert(x) <= convert(y), by value, for every policy (stochastic modes with
// the same R for both).  Results that are NaN (an overflow escaping into a NaN-only format) or
// invalid (a negative into an unsigned format, which may give nan_to_nanless's max finite)
// have no order and are skipped.
RC_GTEST_PROP(Property, Monotonic, ()) {
  const Format t = *any_float_format();
  const Policy p = *any_policy();
  const std::uint64_t r = *rc::gen::arbitrary<std::uint64_t>() & low_mask(p.random_bits);
  const std::vector<std::uint64_t> inputs = *inputs_near(t);
  std::vector<std::pair<Value, std::uint64_t>> ordered;
  for (const std::uint64_t x : inputs)
    if (auto v = value_of(kF64Format, x)) ordered.push_back({*v, x});
  // Equal values in IEEE totalOrder: -0 before +0 (a format without zero keeps the zero's sign).
  const auto is_negative = [](std::uint64_t f64) { return (f64 >> 63) != 0; };
  std::sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    if (!less_equal(b.first, a.first)) return true;
    return less_equal(b.first, a.first) && less_equal(a.first, b.first) &&
           is_negative(a.second) && !is_negative(b.second);
  });
  std::optional<Value> previous;
  std::uint64_t previous_input = 0, previous_result = 0;
  int compared = 0;
  for (const auto& [x, code] : ordered) {
    const Rounded result = convert(kF64Format, t, code, p, r);
    const std::optional<Value> v = value_of(t, result.bits);
    // Invalid results stand for NaN even where the format has none (nan_to_nanless).
    if (!v || (result.flags & flags::kInvalid) != 0) continue;
    if (previous) {
      if (!less_equal(*previous, *v)) {
        std::ostringstream why;
        why<< spec_string(t) << ": f64 " << hex(previous_input) << " -> " << hex(previous_result)
          << " (" << show(previous) << ") but larger f64 " << hex(code) << " -> "
          << hex(result.bits) << " (" << show(v) << ")";
        RC_FAIL(why.str());
      }
      ++compared;
    }
    previous = v;
    previous_input = code;
    previous_result = result.bits;
  }
  RC_CLASSIFY(compared >= kBatch / 2, "mostly ordered results");
}

// Every non-NaN code of a format survives a round trip through f64 under every policy: the
// conversion back is exact (no flags).  With ftz a subnormal comes back as zero (underflow and
// inexact), and overflow=finite turns an infinity into max finite.
RC_GTEST_PROP(Property, ExactOnRepresentableValues, ()) {
  const Format t = *narrow_float_format();
  const Policy p = *any_policy();
  const std::uint64_t r = *rc::gen::arbitrary<std::uint64_t>() & low_mask(p.random_bits);
  const auto codes = *rc::gen::container<std::vector<std::uint64_t>>(
      kBatch, rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << code_bits(t)));
  for (std::uint64_t c : codes) {
    c <<= t.padding_bits;
    const Unpacked u = unpack(t, c);
    if (u.cls == ValueClass::Nan) continue;
    const Rounded wide = convert(t, kF64Format, c, Policy{});
    RC_ASSERT(wide.flags == 0);
    const Rounded back = convert(kF64Format, t, wide.bits, p, r);
    Rounded expected{c, 0};
    if (u.cls == ValueClass::Subnormal && p.flush_outputs)
      expected = {u.negative && has_neg_zero(t) ? sign_bit(t) : 0,
                  std::uint8_t(flags::kUnderflow | flags::kInexact)};
    if (u.cls == ValueClass::Infinite && p.overflow == Overflow::Finite)
      expected = {(u.negative ? sign_bit(t) : 0) | max_finite_magnitude(t), 0};
    if (back != expected) {
      RC_FAIL(spec_string(t) + " code " + hex(c) + " -> f64 " + hex(wide.bits) + " -> " +
              hex(back.bits) + " flags " + hex(back.flags) + ", expected " + hex(expected.bits) +
              " flags " + hex(expected.flags));
    }
  }
}

// Where the format has -0: convert(-x) is convert(x) with the sign bit flipped, and the same
// flags, in the sign-symmetric modes rn, rna and rz.
RC_GTEST_PROP(Property, SignSymmetric, ()) {
  const Format t = *rc::gen::suchThat(any_float_format(), [](const Format& f) { return has_neg_zero(f); });
  Policy p = *any_policy();
  p.rounding = *rc::gen::element(Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero);
  p.random_bits = 0;
  for (const std::uint64_t x : *inputs_near(t)) {
    const std::uint64_t minus_x = x ^ (std::uint64_t{1} << 63);
    const Rounded a = convert(kF64Format, t, x, p);
    const Rounded b = convert(kF64Format, t, minus_x, p);
    if (b.bits != (a.bits ^ (sign_bit(t) << t.padding_bits)) || b.flags != a.flags) {
      RC_FAIL(spec_string(t) + ": f64 " + hex(x) + " -> " + hex(a.bits) + " flags " +
              hex(a.flags) + ", but f64 " + hex(minus_x) + " -> " + hex(b.bits) + " flags " +
              hex(b.flags));
    }
  }
}

// rm(x) <= x <= rp(x), both exact when x is representable, under overflow=none (ieee rule)
// without ftz.  Skipped: NaN or invalid results, and the cases where the semantics clamp on
// purpose: an overflow into a format without Inf (max finite, or NaN), and the no-zero
// formats' "smallest value" for tiny inputs.
RC_GTEST_PROP(Property, DirectedModesBracket, ()) {
  const Format t = *any_float_format();
  Policy p = *any_policy();
  p.overflow = Overflow::None;
  p.overflow_rule = OverflowRule::Ieee754;
  p.flush_outputs = false;
  p.random_bits = 0;
  for (const std::uint64_t x : *inputs_near(t)) {
    const std::optional<Value> exact = value_of(kF64Format, x);
    if (!exact) continue;
    p.rounding = Rounding::TowardNegative;
    const Rounded down = convert(kF64Format, t, x, p);
    p.rounding = Rounding::TowardPositive;
    const Rounded up = convert(kF64Format, t, x, p);
    const auto skip = [&](const Rounded& rd) {
      return (rd.flags & flags::kInvalid) != 0 ||
             ((rd.flags & flags::kOverflow) != 0 && !has_inf(t)) ||
             (!has_zero(t) && (rd.flags & flags::kUnderflow) != 0);
    };
    const std::optional<Value> lo = value_of(t, down.bits), hi = value_of(t, up.bits);
    if (!skip(down) && lo) {
      if (!less_equal(*lo, *exact)) {
        std::ostringstream why;
        why<< spec_string(t) << ": rm(" << hex(x) << " = " << show(exact) << ") = " << show(lo);
        RC_FAIL(why.str());
      }
    }
    if (!skip(up) && hi) {
      if (!less_equal(*exact, *hi)) {
        std::ostringstream why;
        why<< spec_string(t) << ": rp(" << hex(x) << " = " << show(exact) << ") = " << show(hi);
        RC_FAIL(why.str());
      }
    }
    if (!skip(down) && !skip(up) && lo && hi && (down.flags & flags::kInexact) == 0) {
      RC_ASSERT(up.bits == down.bits);  // exact: both modes give x itself
    }
  }
}

// rn and rna land within half a quantum of x (the quantum at x's binade, or the subnormal
// quantum below 2^emin); rna breaks ties away from zero and rn toward an even code.
RC_GTEST_PROP(Property, NearestWithinHalfUlp, ()) {
  const Format t = *any_float_format();
  Policy p = *any_policy();
  p.rounding = *rc::gen::element(Rounding::NearestEven, Rounding::NearestAway);
  p.flush_outputs = false;
  p.random_bits = 0;
  const int m = t.mantissa_bits;
  const int emin = min_normal_exponent(t);
  int inexact = 0;
  for (const std::uint64_t x : *inputs_near(t)) {
    const std::optional<Value> exact = value_of(kF64Format, x);
    if (!exact || exact->infinite != 0 || exact->finite == 0) continue;
    if (!t.is_signed && exact->finite < 0) continue;
    const Rounded rd = convert(kF64Format, t, x, p);
    if ((rd.flags & (flags::kOverflow | flags::kInvalid)) != 0) continue;
    if (!has_zero(t) && (rd.flags & flags::kUnderflow) != 0) continue;
    const std::optional<Value> result = value_of(t, rd.bits);
    RC_ASSERT(result.has_value());
    RC_ASSERT(result->infinite == 0);
    inexact += (rd.flags & flags::kInexact) != 0;
    const int binade = floor_log2(exact->finite);
    const cpp_rational quantum = pow2((t.has_subnormals ? std::max(binade, emin) : binade) - m);
    const cpp_rational error = abs(result->finite - exact->finite);
    if (error * 2 > quantum) {
        std::ostringstream why;
        why<< spec_string(t) << ": " << hex(x) << " = " << show(exact) << " -> " << hex(rd.bits)
        << " = " << show(result) << ", error " << error.str() << " > quantum/2 "
        << cpp_rational(quantum / 2).str();
        RC_FAIL(why.str());
      }
    if (error * 2 == quantum) {  // a tie
      if (p.rounding == Rounding::NearestAway) {
        RC_ASSERT(abs(result->finite) > abs(exact->finite));
      } else if (m > 0 && result->finite != 0) {
        RC_ASSERT((((rd.bits >> t.padding_bits) & 1) == 0));
      }
    }
  }
  // Not vacuous: most batches must round (RapidCheck prints the share of each label).
  RC_CLASSIFY(inexact >= kBatch / 4, "a quarter or more of the batch rounded");
}

// Round to odd at p + 2 bits, then to nearest at p bits, equals rounding to nearest at p bits
// directly.  The p + 2 bit format is the target with two more mantissa bits and the same
// exponent field, bias, subnormals and special encodings (so the same exponent range).
// Negative inputs into unsigned targets are left out: ro never rounds a non-zero value to 0,
// so the two paths see different signs of "zero" there (semantics rule 1).
RC_GTEST_PROP(Property, RoundToOddThenNearestEqualsNearest, ()) {
  const Format t = *rc::gen::suchThat(narrow_float_format(), [](const Format& f) {
    return f.mantissa_bits + 2 <= 52;
  });
  Format wide = t;
  wide.mantissa_bits += 2;
  RC_ASSERT(invalid_reason(wide) == nullptr);
  Policy direct = *any_policy();
  direct.rounding = Rounding::NearestEven;
  direct.flush_outputs = false;
  direct.flush_inputs = false;  // the p+2 bit intermediate may be subnormal: daz would eat it
  direct.random_bits = 0;
  Policy odd = direct;
  odd.rounding = Rounding::ToOdd;
  for (const std::uint64_t x : *inputs_near(t)) {
    if (!t.is_signed && (x >> 63) != 0) continue;
    const Rounded once = convert(kF64Format, t, x, direct);
    const Rounded first = convert(kF64Format, wide, x, odd);
    const Rounded twice = convert(wide, t, first.bits, direct);
    if (twice.bits != once.bits) {
      RC_FAIL(spec_string(t) + ": f64 " + hex(x) + " -> rn " + hex(once.bits) + ", but ro -> " +
              spec_string(wide) + " " + hex(first.bits) + " -> rn " + hex(twice.bits));
    }
    // Flags survive unless the intermediate is special (a NaN loses the inexact flag) or the
    // input is infinite (saturating Inf raises nothing; rounding the p+2 bit max does).
    const ValueClass mid = unpack(wide, first.bits).cls;
    const bool clamped_to_smallest = !has_zero(t) && (first.flags & flags::kUnderflow) != 0;
    if (mid != ValueClass::Nan && mid != ValueClass::Infinite && !clamped_to_smallest &&
        (x & 0x7ff0000000000000ULL) != 0x7ff0000000000000ULL) {
      RC_ASSERT((twice.flags & flags::kInexact) == (once.flags & flags::kInexact));
    }
  }
}

// The model against the oracle on random custom formats, both ends: every policy, random
// codes of the source.  (The exhaustive comparisons on named formats are in conformance_test.)
RC_GTEST_PROP(Property, ModelMatchesOracleOnCustomFormats, ()) {
  const Format from = *rc::gen::weightedOneOf<Format>({{3, custom_format()}, {1, builtin_float_format()}});
  const Format to = *custom_format();
  const Policy p = *any_policy();
  const std::uint64_t r = *rc::gen::arbitrary<std::uint64_t>() & low_mask(p.random_bits);
  const auto codes = *rc::gen::container<std::vector<std::uint64_t>>(
      kBatch, rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << code_bits(from)));
  for (std::uint64_t c : codes) {
    c <<= from.padding_bits;
    const Rounded expected = ref::convert(from, to, c, p, r);
    const Rounded actual = convert(from, to, c, p, r);
    if (actual != expected) {
      RC_FAIL(spec_string(from) + " -> " + spec_string(to) + " input " + hex(c) +
              ": expected (oracle) " + hex(expected.bits) + " flags " + hex(expected.flags) +
              ", actual (model) " + hex(actual.bits) + " flags " + hex(actual.flags));
    }
  }
}

// The generators themselves: every generated descriptor is valid and its spec string parses.
RC_GTEST_PROP(Property, GeneratedFormatsAreValid, ()) {
  const Format f = *custom_format();
  RC_ASSERT(invalid_reason(f) == nullptr);
  const ParsedFormat parsed = parse_format(spec_string(f));
  RC_ASSERT(parsed.format.has_value());
  RC_ASSERT(*parsed.format == f);
}

}  // namespace numconf
