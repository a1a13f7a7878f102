// Generated and adversarial f32 blocks for the quantization tests (model vs oracle and the
// properties): each block is drawn in one of several styles that reach the corner cases of
// block scaling (docs/quantization.md).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/quant.hpp"
#include "tests/test_support.hpp"

namespace numconf::quant_test {

// The schemes under test with the names failures print: every named scheme, every MX scale
// rule, both NVFP4 element steps, and the linear variants (range, symmetry, rounding, zero
// point order, scale dtype, group size).
struct NamedScheme {
  std::string name;
  quant::Scheme scheme;
};

inline std::vector<NamedScheme> schemes_under_test() {
  using namespace quant;
  std::vector<NamedScheme> out;
  const char* rule_names[] = {"floor", "ceil", "even", "rceil"};
  for (const auto& named : kSchemes) {
    const Scheme& base = named.scheme;
    if (base.method == Method::Mx) {
      for (int r = 0; r < 4; ++r) {
        Scheme s = base;
        s.rule = ScaleRule(r);
        out.push_back({std::string(named.name) + " " + rule_names[r], s});
      }
      Scheme rna = base;
      rna.element_policy.rounding = Rounding::NearestAway;
      out.push_back({std::string(named.name) + " floor rna", rna});
    } else if (base.method == Method::Nvfp4) {
      out.push_back({"nvfp4 divide", base});
      Scheme r = base;
      r.division = Division::Reciprocal;
      out.push_back({"nvfp4 reciprocal", r});
    } else if (base.method == Method::Linear) {
      for (int variant = 0; variant < 4; ++variant) {
        Scheme s = base;
        s.granularity = Granularity::PerGroup;
        s.block = variant % 2 == 0 ? 32 : 128;
        std::string name = std::string(named.name) + (variant % 2 == 0 ? " g32" : " g128");
        if (variant == 1) {
          s.element_policy.rounding = Rounding::NearestAway;
          s.scale = kF16;
          name += " rna scale=f16";
        }
        if (variant == 2) {
          s.asymmetric = !s.asymmetric;
          s.range = IntRange::Restricted;
          name += s.asymmetric ? " asymmetric restricted" : " symmetric restricted";
        }
        if (variant == 3) {
          s.asymmetric = true;
          s.order = ZeroPointOrder::ClampThenAdd;
          s.scale = kBF16;
          s.scale_rounding = Rounding::TowardPositive;
          name += " asymmetric clamp-then-add scale=bf16 rp";
        }
        out.push_back({name, s});
      }
      Scheme fixed = base;  // a given scale (2^-3): most generated values saturate or vanish
      fixed.fixed_scale = true;
      fixed.scale_code = 0x3e000000;
      out.push_back({std::string(named.name) + " fixed scale 0.125", fixed});
    } else {
      out.push_back({named.name, base});
    }
  }
  return out;
}

inline std::size_t block_size(const quant::Scheme& s) {
  return s.granularity == quant::Granularity::PerGroup ? std::size_t(s.block) : 32;
}

// One block of n finite f32 values.
inline std::vector<std::uint32_t> generate_block(test_support::Rng& rng, std::size_t n) {
  std::vector<std::uint32_t> x(n);
  const int style = rng.between(0, 9);
  const int center = rng.between(-20, 20) + 127;  // biased exponent the block is drawn around
  auto value_near = [&](int spread, int mantissa_bits) {
    const int e = std::clamp(center + rng.between(-spread, spread), 1, 254);
    const std::uint32_t mantissa = std::uint32_t(rng.next() & ((1u << mantissa_bits) - 1))
                                   << (23 - mantissa_bits);
    return (rng.coin() ? 0x80000000u : 0u) | std::uint32_t(e) << 23 | mantissa;
  };
  for (auto& v : x) {
    switch (style) {
      case 0:
        v = value_near(6, 23);
        break;
      case 1:
        v = value_near(4, rng.between(0, 4));
        break;  // short significands: many ties
      case 2:
        v = x[0] == 0 ? value_near(3, 23) : x[0];
        break;
      case 3:
        v = value_near(2, 23);
        break;
      case 4:
        v = std::uint32_t(rng.next() & 0x807fffffu) >> (rng.between(0, 22));
        break;  // subnormal
      case 5:
        v = rng.below(3) == 0 ? (rng.coin() ? 0x80000000u : 0u) : value_near(5, 3);
        break;
      case 6:
        v = value_near(12, 23);
        break;
      default:
        v = std::uint32_t(rng.next()) & 0xff7fffffu;
        break;  // any finite value
    }
  }
  if (style == 2) x.assign(n, x[0]);
  if (style == 3) x[rng.below(n)] = value_near(0, 23) + (std::uint32_t(rng.between(3, 12)) << 23);
  if (style == 9) {
    // NF4 ties: amax a power of two, so x / amax is exactly a midpoint of two table values
    // wherever that midpoint is an f32 (6 of the 15 are).
    std::vector<float> midpoints;
    for (int i = 0; i + 1 < 16; ++i) {
      const double mid = (double(std::bit_cast<float>(quant::kNf4Table[i])) +
                          double(std::bit_cast<float>(quant::kNf4Table[i + 1]))) / 2;
      if (double(float(mid)) == mid) midpoints.push_back(float(mid));
    }
    const int k = std::clamp(center, 30, 220) - 127;
    for (auto& v : x) {
      const float m = midpoints[rng.below(midpoints.size())];
      v = std::bit_cast<std::uint32_t>(std::ldexp(rng.coin() ? m : -m, k));
    }
    x[rng.below(n)] = (rng.coin() ? 0x80000000u : 0u) | std::uint32_t(k + 127) << 23;
  }
  if (style == 7 || style == 8) {
    // amax exactly at, just below or just above a power of two.
    const std::uint32_t e = std::uint32_t(std::clamp(center, 2, 253)) << 23;
    const std::uint32_t pick[] = {e, e - 1, e + 1, e | 0x7fffff};
    x[rng.below(n)] = pick[rng.below(4)] | (rng.coin() ? 0x80000000u : 0u);
    for (auto& v : x)
      if ((v & 0x7fffffff) > (e | 0x7fffff)) v = (v & 0x80000000u) | (e - (1u << 23));
  }
  return x;
}

}  // namespace numconf::quant_test
