#include "hw/cuda/level1.hpp"

#include <algorithm>
#include <set>

#include "formats/format.hpp"

namespace numconf::hw::cuda {
namespace {

std::uint64_t float_code(const Format& f, bool negative, std::uint64_t exponent_field,
                         std::uint64_t trailing) {
  return ((negative ? sign_bit(f) : 0) | exponent_field << f.mantissa_bits |
          (trailing & low_mask(f.mantissa_bits)))
         << f.padding_bits;
}

// Zeros, the ends of the subnormal and normal ranges, Inf and NaNs of both signs.
void add_specials(const Format& f, std::set<std::uint64_t>& out) {
  const std::uint64_t top = max_exponent_field(f);
  const std::uint64_t mask = low_mask(f.mantissa_bits);
  for (const bool negative : {false, true}) {
    out.insert(float_code(f, negative, 0, 0));
    out.insert(float_code(f, negative, 0, 1));
    out.insert(float_code(f, negative, 0, mask));
    out.insert(float_code(f, negative, 1, 0));
    out.insert(float_code(f, negative, top - 1, mask));      // max finite
    out.insert(float_code(f, negative, top, 0));             // Inf
    out.insert(float_code(f, negative, top, quiet_bit(f)));  // quiet NaN
    out.insert(float_code(f, negative, top, 1));             // signaling NaN
    out.insert(float_code(f, negative, top, mask));          // NaN, full payload
  }
}

// Largest finite exponent of a float format, unbiased.
int max_exponent(const Format& f) {
  return int(max_finite_magnitude(f) >> f.mantissa_bits) - f.bias;
}

// Codes of an IEEE float source `s` aimed at the rounding of `t`: in the binades where the result
// is subnormal, at the bottom of its normal range, around 1 and at its top (and a little beyond),
// and in every 8th binade between, trailing significands around the rounding point (exact, just
// above, just below a tie, the tie, just above it, just below the next) on even and odd kept parts
// and on the largest kept part (the overflow tie).
void add_rounding_cases(const Format& s, const Format& t, std::set<std::uint64_t>& out) {
  int low, high, normal;
  if (is_float(t)) {
    normal = min_normal_exponent(t);
    low = normal - t.mantissa_bits - 2;
    high = max_exponent(t) + 1;
  } else {
    low = -2;
    normal = 2;
    high = t.int_bits + 1;
  }
  low = std::max(low, min_normal_exponent(s));
  high = std::min(high, max_exponent(s));
  const int m = s.mantissa_bits;
  for (int e = low; e <= high; ++e) {
    const bool sampled =
        e <= normal + 2 || e >= high - 3 || (e >= -1 && e <= 1) || (e - normal) % 8 == 0;
    if (!sampled) continue;
    int cut = is_float(t) ? m - t.mantissa_bits + std::max(0, min_normal_exponent(t) - e) : m - e;
    cut = std::clamp(cut, 1, m);
    const std::uint64_t unit = std::uint64_t{1} << cut, half = unit >> 1;
    const std::uint64_t offsets[] = {0, 1, half - 1, half, half + 1, unit - 1};
    for (const bool negative : {false, true})
      for (const std::uint64_t base : {std::uint64_t{0}, unit, low_mask(m) & ~(unit - 1)})
        for (const std::uint64_t offset : offsets)
          out.insert(float_code(s, negative, std::uint64_t(e + s.bias), base + offset));
  }
}

// Integers around the edges of an integer target's range (two's complement codes of `s`).
void add_integer_cases(const Format& s, const Format& t, std::set<std::uint64_t>& out) {
  const std::uint64_t mask = low_mask(s.int_bits);
  const std::int64_t t_max =
      t.is_signed ? std::int64_t(low_mask(t.int_bits - 1)) : std::int64_t(low_mask(t.int_bits));
  const std::int64_t t_min = t.is_signed ? -t_max - 1 : 0;
  const std::int64_t s_max = std::int64_t(low_mask(s.int_bits - 1));
  for (const std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{2}, t_max, t_min,
                               s_max, -s_max - 1, std::int64_t{1} << 20})
    for (const std::int64_t d : {-2, -1, 0, 1, 2}) {
      out.insert(std::uint64_t(v + d) & mask);
      out.insert(std::uint64_t(-(v + d)) & mask);
    }
}

std::vector<std::uint64_t> unary_operands(const Format& s, const Format& t) {
  if (storage_bits(s) <= 8) {
    std::vector<std::uint64_t> all(std::size_t{1} << storage_bits(s));
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
  }
  std::set<std::uint64_t> codes;
  if (is_float(s)) {
    add_specials(s, codes);
    add_rounding_cases(s, t, codes);
  } else {
    add_integer_cases(s, t, codes);
  }
  return {codes.begin(), codes.end()};
}

// A spread of values of an arithmetic format: specials, and in a few binades (the lowest normal,
// around 1, the top) significands 0, 1 and all ones.
std::vector<std::uint64_t> arithmetic_values(const Format& f) {
  std::set<std::uint64_t> codes;
  add_specials(f, codes);
  const std::uint64_t top = max_exponent_field(f);
  const std::uint64_t mask = low_mask(f.mantissa_bits);
  const std::uint64_t one = std::uint64_t(f.bias);
  for (const std::uint64_t field : {std::uint64_t{1}, one - 1, one, one + 1, top - 1})
    for (const std::uint64_t t : {std::uint64_t{0}, std::uint64_t{1}, mask})
      for (const bool negative : {false, true}) codes.insert(float_code(f, negative, field, t));
  return {codes.begin(), codes.end()};
}

}  // namespace

OperandLists level1_operands(const Operation& op) {
  OperandLists lists;
  switch (op.kind) {
    case OpKind::Convert:
      lists.a = unary_operands(op.operand, op.result);
      break;
    case OpKind::Sqrt:
    case OpKind::Reciprocal:
      lists.a = arithmetic_values(op.operand);
      break;
    case OpKind::Fma: {
      // Every third value keeps the triples to a few thousand.
      const std::vector<std::uint64_t> all = arithmetic_values(op.operand);
      std::vector<std::uint64_t> v;
      for (std::size_t i = 0; i < all.size(); i += 3) v.push_back(all[i]);
      for (const std::uint64_t x : v)
        for (const std::uint64_t y : v)
          for (const std::uint64_t z : v) {
            lists.a.push_back(x);
            lists.b.push_back(y);
            lists.c.push_back(z);
          }
      break;
    }
    default: {
      const std::vector<std::uint64_t> v = arithmetic_values(op.operand);
      for (const std::uint64_t x : v)
        for (const std::uint64_t y : v) {
          lists.a.push_back(x);
          lists.b.push_back(y);
        }
    }
  }
  return lists;
}

}  // namespace numconf::hw::cuda
