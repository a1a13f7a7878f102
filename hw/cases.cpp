#include "hw/cases.hpp"

#include <algorithm>
#include <random>

namespace numconf::hw {

bool sweeps_every_code(const Operation& op, Level level) {
  if (arity(op.kind) != 1) return false;
  const int bits = code_bits(op.operand);
  // 32-bit sources only for conversions: an f32 sqrt over all 2^32 codes in each of the 16
  // MXCSR variants would cost hours of model time on two cores, and it is sampled instead.
  return bits <= 16 || (bits <= 32 && level == Level::Exhaustive && op.kind == OpKind::Convert);
}

namespace {

// Zeros, the smallest and largest subnormals and normals, one, infinities and NaNs (quiet and
// signaling, with payloads), both signs.
std::vector<std::uint64_t> specials(const Format& f) {
  const int m = f.mantissa_bits;
  const std::uint64_t mant = low_mask(m);
  const std::uint64_t one = std::uint64_t(f.bias) << m;
  std::vector<std::uint64_t> mags{0,
                                  1,
                                  mant,
                                  mant + 1,
                                  one,
                                  one + 1,
                                  one - 1,
                                  max_finite_magnitude(f),
                                  max_finite_magnitude(f) - 1};
  if (has_inf(f)) mags.push_back(inf_magnitude(f));
  if (f.nan == NanEncoding::Ieee) {
    mags.push_back(inf_magnitude(f) | quiet_bit(f));      // default quiet NaN
    mags.push_back(inf_magnitude(f) | quiet_bit(f) | 1);  // quiet with payload
    mags.push_back(inf_magnitude(f) | 1);                 // signaling
    mags.push_back(inf_magnitude(f) | mant);
  }
  std::vector<std::uint64_t> out;
  for (const std::uint64_t mag : mags)
    for (const std::uint64_t sign : {std::uint64_t{0}, sign_bit(f)}) out.push_back(sign | mag);
  return out;
}

std::uint64_t random_code(const Format& f, std::mt19937_64& rng) {
  return rng() & low_mask(code_bits(f));
}

// A code whose exponent lies within a few binades of `near`'s: where additions cancel and
// products and quotients stay in range.
std::uint64_t nearby_code(const Format& f, std::uint64_t near, std::mt19937_64& rng) {
  const int m = f.mantissa_bits;
  const auto field =
      std::int64_t((near >> m) & max_exponent_field(f)) + std::int64_t(rng() % 9) - 4;
  const std::uint64_t e =
      std::uint64_t(std::clamp<std::int64_t>(field, 0, std::int64_t(max_exponent_field(f))));
  return (rng() & sign_bit(f)) | e << m | (rng() & low_mask(m));
}

void conversion_boundaries(const Operation& op, std::mt19937_64& rng, Cases& out) {
  const Format& from = op.operand;
  const int m = from.mantissa_bits;
  const std::uint64_t mask = low_mask(m);
  for (std::uint64_t field = 0; field <= max_exponent_field(from); ++field) {
    std::vector<std::uint64_t> mantissas{0, 1, mask};
    // Every cut position: a target's rounding point lies at one of them for this exponent.
    for (int shift = 1; shift <= m; ++shift) {
      const std::uint64_t tie = std::uint64_t{1} << (shift - 1);
      const std::uint64_t upper = (rng() << shift) & mask;
      for (const std::uint64_t t : {tie, tie - 1, tie + 1}) mantissas.push_back((upper | t) & mask);
    }
    for (const std::uint64_t mantissa : mantissas)
      for (const std::uint64_t sign : {std::uint64_t{0}, sign_bit(from)})
        out.a.push_back(sign | field << m | mantissa);
  }
}

// An integer source: the ends of its range and, for every position of the leading one bit,
// values whose bits below each cut are a tie, one less or one more (random bits between the
// cut and the leading one), of both signs: where a float result rounds and overflows.
void integer_boundaries(const Format& from, std::mt19937_64& rng, Cases& out) {
  const std::uint64_t mask = low_mask(from.int_bits);
  const int magnitude_bits = from.is_signed ? from.int_bits - 1 : from.int_bits;
  const auto add = [&](std::uint64_t v) {
    out.a.push_back(v);
    if (from.is_signed) out.a.push_back((0 - v) & mask);
  };
  for (const std::uint64_t v :
       {std::uint64_t{0}, std::uint64_t{1}, low_mask(magnitude_bits), low_mask(magnitude_bits) - 1})
    add(v);
  if (from.is_signed) out.a.push_back(std::uint64_t{1} << magnitude_bits);  // the minimum
  for (int lead = 1; lead < magnitude_bits; ++lead)
    for (int shift = 1; shift <= lead; ++shift) {
      const std::uint64_t tie = std::uint64_t{1} << (shift - 1);
      const std::uint64_t upper = (rng() << shift) & low_mask(lead);
      for (const std::uint64_t t : {tie, tie - 1, tie + 1})
        add((std::uint64_t{1} << lead | upper | t) & low_mask(lead + 1));
    }
}

}  // namespace

Cases make_cases(const Operation& op, Level level) {
  std::mt19937_64 rng(20261123);
  const Format& f = op.operand;
  const int n = arity(op.kind);
  Cases out;
  if (!is_float(f)) {
    integer_boundaries(f, rng, out);  // integer operands come only as conversion sources
  } else if (n == 1) {
    out.a = specials(f);
    if (op.kind == OpKind::Convert)
      conversion_boundaries(op, rng, out);
    else
      for (int i = 0; i < 1 << 16; ++i) out.a.push_back(random_code(f, rng));
  } else {
    const std::vector<std::uint64_t> sp = specials(f);
    for (const std::uint64_t x : sp)
      for (const std::uint64_t y : sp) {
        if (n == 2) {
          out.a.push_back(x);
          out.b.push_back(y);
          continue;
        }
        for (const std::uint64_t z : {sp[0], sp[4], sp[sp.size() - 1], sp[8]}) {
          out.a.push_back(x);
          out.b.push_back(y);
          out.c.push_back(z);
        }
      }
    for (int i = 0; i < 1 << 16; ++i) {
      const std::uint64_t x = random_code(f, rng);
      out.a.push_back(x);
      out.b.push_back(nearby_code(f, x, rng));
      if (n == 3) out.c.push_back(nearby_code(f, x, rng));
    }
  }
  const std::size_t extra = level == Level::Quick ? 0 : level == Level::Broad ? 1u << 22 : 1u << 24;
  for (std::size_t i = 0; i < extra; ++i) {
    const std::uint64_t x = random_code(f, rng);
    out.a.push_back(x);
    if (n >= 2) out.b.push_back(i % 2 ? random_code(f, rng) : nearby_code(f, x, rng));
    if (n >= 3) out.c.push_back(nearby_code(f, x, rng));
  }
  return out;
}

}  // namespace numconf::hw
