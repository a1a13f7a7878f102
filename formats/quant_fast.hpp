// Typed fast paths (formats/quant.hpp).  MX: element format, scale rule and policy fixed at
// compile time, one pass per block (amax, shared exponent, exact rescale by 2^-k in the f32
// exponent field, then the batch kernel of formats/batch.hpp); blocks it does not cover (NaN,
// Inf or f32 subnormal inputs, results below f32's normal range) go to the general engine.
// NVFP4 and symmetric INT4 groups: the block scale (NVFP4: by searching the ue4m3 midpoints;
// INT4: from the general engine), then each element by exact comparisons with the block's
// rounding midpoints instead of a division; dequantized values from a table per scale.  All of them
// give the results of quant::quantize_block / dequantize_value bit for bit (tests/quant_test.cpp,
// QuantFast.*).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "batch.hpp"
#include "convert.hpp"
#include "quant.hpp"

namespace numconf::quant {

namespace detail {

// Whether the batch kernel covers f32 -> element under P, and every exact value below f32's
// normal range rounds to +-0 in the element (its smallest subnormal is far above 2^-126).
constexpr bool mx_fast_path(const Format& element, const Policy& p) {
  return is_float(element) && batch_fast_path(kF32, element, p) &&
         min_normal_exponent(element) - element.mantissa_bits > -100;
}

// The f32 value of every element code (exact: element values are f32 normals, zeros or specials).
template <Format Element>
constexpr auto element_values() {
  std::array<std::uint32_t, std::size_t{1} << code_bits(Element)> table{};
  for (std::size_t c = 0; c < table.size(); ++c) {
    const Rounded r = convert(Element, kF32, c, Policy{});
    const bool nan = (r.bits & 0x7fffffff) > 0x7f800000;
    table[c] = nan ? kF32Nan : std::uint32_t(r.bits);  // dequantize_value's one NaN
  }
  return table;
}

}  // namespace detail

// Quantizes n values (n a multiple of `block`) into n / block e8m0 scales and n codes.
template <Format Element, ScaleRule Rule, Policy P = Policy{.overflow = Overflow::Finite}>
inline void quantize_mx(const std::uint32_t* x, std::size_t n, std::size_t block,
                        std::uint8_t* scales, std::uint8_t* codes) {
  static_assert(detail::mx_fast_path(Element, P));
  constexpr Scheme kScheme{
      .method = Method::Mx, .element = Element, .rule = Rule, .element_policy = P};
  constexpr std::size_t kChunk = 64;
  std::uint32_t scaled[kChunk];
  for (std::size_t start = 0; start < n; start += block) {
    const std::uint32_t* in = x + start;
    // amax, and whether any input is NaN/Inf or an f32 subnormal, branch-free.
    std::uint32_t amax = 0, special = 0;
    for (std::size_t i = 0; i < block; ++i) {
      const std::uint32_t m = in[i] & 0x7fffffff;
      amax = m > amax ? m : amax;
      special |= std::uint32_t(m >= 0x7f800000) | std::uint32_t(m != 0 && m < 0x00800000);
    }
    BlockScale b;
    if (special != 0 || block > kChunk) {
      quantize_block(kScheme, in, block, 1, 0, b, codes + start);
      scales[start / block] = std::uint8_t(b.scale);
      continue;
    }
    const std::uint64_t scale = detail::mx_scale_code(kScheme, amax);
    scales[start / block] = std::uint8_t(scale);
    // x * 2^-k exactly: subtract k from the exponent field; a result below 2^-126 becomes a zero
    // of its sign, which is what the element rounds it to anyway.
    const int k = int(scale) - 127;
    for (std::size_t i = 0; i < block; ++i) {
      const std::uint32_t v = in[i];
      const int field = int(v >> 23 & 0xff);
      const bool stays_normal = field - k >= 1;
      const std::uint32_t moved = std::uint32_t(std::int32_t(v) - (std::int32_t(k) << 23));
      scaled[i] = stays_normal && field != 0 ? moved : (v & 0x80000000u);
    }
    convert_batch<kF32, Element, P>(std::span<const std::uint32_t>(scaled, block),
                                    std::span<std::uint8_t>(codes + start, block));
  }
}

// Dequantizes n codes with n / block e8m0 scales into f32, as dequantize_value does.
template <Format Element>
inline void dequantize_mx(const std::uint8_t* codes, const std::uint8_t* scales, std::size_t n,
                          std::size_t block, std::uint32_t* out) {
  static constexpr auto kValues = detail::element_values<Element>();
  constexpr Scheme kScheme{.method = Method::Mx, .element = Element};
  // The smallest and largest exponent fields of the non-zero finite element values.
  constexpr auto kFields = [] {
    std::array<int, 2> range{255, 0};
    for (const std::uint32_t v : kValues) {
      const int field = int(v >> 23 & 0xff);
      if ((v & 0x7fffffff) == 0 || field == 255) continue;
      range[0] = field < range[0] ? field : range[0];
      range[1] = field > range[1] ? field : range[1];
    }
    return range;
  }();
  for (std::size_t start = 0; start < n; start += block) {
    const std::uint8_t scale = scales[start / block];
    const int k = int(scale) - 127;
    // A NaN scale, or results beyond f32's normal range: the general engine.
    if (scale == 0xff || kFields[0] + k < 1 || kFields[1] + k > 254) {
      for (std::size_t i = start; i < start + block; ++i)
        out[i] = dequantize_value(kScheme, BlockScale{scale, 0}, 0, codes[i]);
      continue;
    }
    for (std::size_t i = start; i < start + block; ++i) {
      const std::uint32_t v = kValues[codes[i] & (kValues.size() - 1)];
      const std::uint32_t m = v & 0x7fffffff;
      const bool finite_non_zero = m != 0 && m < 0x7f800000;
      out[i] = finite_non_zero ? std::uint32_t(std::int32_t(v) + (std::int32_t(k) << 23)) : v;
    }
  }
}

// ---- Rounding to a block's levels by comparison ---------------------------------------------

// A scheme of kSchemes by name, for the typed paths that implement exactly that scheme.
constexpr const Scheme& named_scheme(std::string_view name) {
  for (const auto& s : kSchemes)
    if (name == s.name) return s.scheme;
  return kSchemes[0].scheme;
}
inline constexpr Scheme kNvfp4 = named_scheme("nvfp4");
inline constexpr Scheme kInt4 = named_scheme("int4");
static_assert(kNvfp4.method == Method::Nvfp4 && kNvfp4.block == 16 &&
              kNvfp4.division == Division::Divide &&
              kNvfp4.element_policy.rounding == Rounding::NearestEven &&
              kNvfp4.element_policy.overflow == Overflow::Finite);
static_assert(kInt4.method == Method::Linear && kInt4.element == kI4 && !kInt4.asymmetric &&
              !kInt4.fixed_scale && kInt4.range == IntRange::Full && kInt4.scale == kF32 &&
              kInt4.element_policy.rounding == Rounding::NearestEven);

namespace detail {

// A non-negative value integer * 2^exponent.
struct Dyadic {
  std::uint64_t integer = 0;
  int exponent = 0;
};

constexpr Dyadic dyadic_f32(std::uint32_t magnitude) {
  const std::uint32_t field = magnitude >> 23, fraction = magnitude & 0x7fffff;
  return field == 0 ? Dyadic{fraction, -149} : Dyadic{fraction | 0x800000, int(field) - 150};
}

constexpr Dyadic dyadic(const Format& f, std::uint64_t code) {
  const Unpacked u = unpack(f, code);
  return {u.significand, u.exponent};
}

// Round-to-nearest-even of |x| / D onto the levels 0, 1, ..., N of one block without dividing:
// |x| is compared exactly with the N midpoints between neighbouring levels (midpoint j lies
// between level j and j + 1), each midpoint[j] * 2^exponent with midpoint[j] in
// [1, 2^MidpointBits).  On a tie the even level wins: level j when j is even, j + 1 when j is
// odd (e2m1 and e4m3 codes and integers alike are even where their last bit is 0).
template <std::size_t N, typename Word = std::uint64_t, int MidpointBits = 34>
struct LevelFinder {
  static_assert(MidpointBits + 24 < 8 * int(sizeof(Word)), "shifted operands must fit a Word");
  std::array<Word, N> midpoint{};
  int exponent = 0;

  // The level of a finite f32 magnitude (its bits without the sign).
  constexpr unsigned level(std::uint32_t magnitude) const {
    const Dyadic x = dyadic_f32(magnitude);
    const int shift = x.exponent - exponent;
    if (x.integer == 0 || shift <= -25) return 0;   // |x| < 2^exponent <= every midpoint
    if (shift >= MidpointBits) return unsigned(N);  // |x| >= 2^MidpointBits * 2^exponent
    const Word lhs = shift > 0 ? Word(x.integer) << shift : Word(x.integer);
    const int up = shift < 0 ? -shift : 0;
    // Whether |x| rounds above level j: true for every j below the result, false from it on.
    const auto passes = [&](std::size_t j) {
      const Word m = midpoint[j] << up;
      return lhs > m || (j % 2 == 1 && lhs == m);
    };
    if constexpr (N <= 8) {
      unsigned level = 0;
      for (std::size_t j = 0; j < N; ++j) level += unsigned(passes(j));
      return level;
    } else {
      std::size_t low = 0, high = N;  // the level lies in [low, high]
      while (low < high) {
        const std::size_t mid = (low + high) / 2;
        if (passes(mid))
          low = mid + 1;
        else
          high = mid;
      }
      return unsigned(low);
    }
  }
};

// The ue4m3 block scales of one tensor scale g: the block scale amax / (6 g), rounded to
// nearest-even and saturated at 448 as nvfp4_block_scale rounds it, is the number of midpoints
// 6 g (v_c + v_{c+1}) / 2 of consecutive ue4m3 values v_c that amax passes.
inline constexpr std::size_t kUe4m3Finite = 127;  // codes 0..0x7e; 0x7f is NaN
using Nvfp4ScaleFinder = LevelFinder<kUe4m3Finite - 1, Uint128, 46>;

inline Nvfp4ScaleFinder nvfp4_scale_finder(std::uint32_t tensor_scale) {
  // v_c = value[c] * 2^-9 (the subnormal step), midpoints (value[c] + value[c+1]) * 2^-10.
  constexpr auto kValues = [] {
    std::array<std::uint64_t, kUe4m3Finite> v{};
    for (std::size_t c = 0; c < v.size(); ++c) {
      const Unpacked u = unpack(kNvfp4.scale, c);
      v[c] = u.significand << (u.exponent + 9);
    }
    return v;
  }();
  constexpr Dyadic six = dyadic(kNvfp4.element, max_finite_magnitude(kNvfp4.element));
  static_assert(unpack(kNvfp4.scale, 1).exponent == -9 &&
                max_finite_magnitude(kNvfp4.scale) == kUe4m3Finite - 1);
  // Midpoints below 2^22 * 2^24 (g's significand): the finder's 46 bits.
  static_assert((kValues[kUe4m3Finite - 2] + kValues[kUe4m3Finite - 1]) * six.integer < (1u << 22));
  const Dyadic g = dyadic_f32(tensor_scale);
  Nvfp4ScaleFinder f{.exponent = -10 + six.exponent + g.exponent};
  for (std::size_t c = 0; c + 1 < kUe4m3Finite; ++c)
    f.midpoint[c] = Uint128(kValues[c] + kValues[c + 1]) * six.integer * g.integer;
  return f;
}

// Midpoints of the e2m1 values 0, 0.5, 1, 1.5, 2, 3, 4, 6 in quarters, times D = s * g.
inline LevelFinder<7> nvfp4_levels(std::uint64_t block_scale, std::uint32_t tensor_scale) {
  constexpr std::uint64_t kQuarterMidpoints[7] = {1, 3, 5, 7, 10, 14, 20};
  const Dyadic s = dyadic(kNvfp4.scale, block_scale), g = dyadic_f32(tensor_scale);
  LevelFinder<7> f{.exponent = s.exponent + g.exponent - 2};
  for (std::size_t j = 0; j < 7; ++j) f.midpoint[j] = kQuarterMidpoints[j] * s.integer * g.integer;
  return f;
}

// Midpoints j + 1/2 (j = 0..7) of the integers in halves, times the scale.
inline LevelFinder<8> int4_levels(std::uint32_t scale) {
  const Dyadic d = dyadic_f32(scale);
  LevelFinder<8> f{.exponent = d.exponent - 1};
  for (std::size_t j = 0; j < 8; ++j) f.midpoint[j] = (2 * j + 1) * d.integer;
  return f;
}

// Largest magnitude of a block and whether it holds NaN or Inf.
inline Amax amax_of(const std::uint32_t* x, std::size_t n) {
  std::uint32_t amax = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t m = x[i] & kF32Magnitude;
    amax = m > amax ? m : amax;
  }
  return {amax, amax >= kF32Inf};
}

}  // namespace detail

// NVFP4 as the scheme "nvfp4" defines it (blocks of 16, ue4m3 scales, divide, rn, satfinite):
// n values (a multiple of 16) into n / 16 scales and n codes, under the tensor scale g.  Stops
// at the first block holding NaN or Inf, as quantize_tensor does.
inline TensorStatus quantize_nvfp4(const std::uint32_t* x, std::size_t n,
                                   std::uint32_t tensor_scale, std::uint8_t* scales,
                                   std::uint8_t* codes) {
  constexpr std::size_t kBlock = 16;
  const auto scale_finder = detail::nvfp4_scale_finder(tensor_scale);
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::uint32_t* in = x + start;
    const detail::Amax amax = detail::amax_of(in, kBlock);
    if (amax.non_finite) return {Status::NonFinite, start / kBlock};
    const unsigned scale = scale_finder.level(amax.magnitude);
    scales[start / kBlock] = std::uint8_t(scale);
    if (scale == 0) {  // as the general engine: every element +0
      for (std::size_t i = 0; i < kBlock; ++i) codes[start + i] = 0;
      continue;
    }
    const auto levels = detail::nvfp4_levels(scale, tensor_scale);
    for (std::size_t i = 0; i < kBlock; ++i) {
      const std::uint32_t sign = in[i] >> 31 << 3;  // e2m1's sign bit; -0 where |x| rounds to 0
      codes[start + i] = std::uint8_t(levels.level(in[i] & detail::kF32Magnitude) | sign);
    }
  }
  return {};
}

// The dequantized values of n NVFP4 codes with their ue4m3 scales (codes of the format), as
// dequantize_value gives them: each scale's 16 values are computed once, when it first occurs.
inline void dequantize_nvfp4(const std::uint8_t* codes, const std::uint8_t* scales, std::size_t n,
                             std::uint32_t tensor_scale, std::uint32_t* out) {
  constexpr std::size_t kBlock = 16, kScales = 128, kCodes = 16;
  std::array<std::uint32_t, kScales * kCodes> values;
  std::array<bool, kScales> known{};
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t scale = scales[start / kBlock] & (kScales - 1);
    std::uint32_t* table = values.data() + scale * kCodes;
    if (!known[scale]) {
      for (std::size_t c = 0; c < kCodes; ++c)
        table[c] = dequantize_value(kNvfp4, BlockScale{scale, 0}, tensor_scale, std::uint8_t(c));
      known[scale] = true;
    }
    for (std::size_t i = start; i < start + kBlock; ++i) out[i] = table[codes[i] & (kCodes - 1)];
  }
}

// Symmetric INT4 in groups along a row, as the scheme "int4" with --group defines it (f32 scale
// amax / 7 in rn, codes round(x / scale) in rn clamped to [-8, 7]): n values (a multiple of
// `group`) into n / group f32 scales and n codes.
inline TensorStatus quantize_int4_groups(const std::uint32_t* x, std::size_t n, std::size_t group,
                                         std::uint32_t* scales, std::uint8_t* codes) {
  for (std::size_t start = 0; start < n; start += group) {
    const std::uint32_t* in = x + start;
    const detail::Amax amax = detail::amax_of(in, group);
    if (amax.non_finite) return {Status::NonFinite, start / group};
    const auto scale = std::uint32_t(detail::symmetric_scale(kInt4, amax.magnitude));
    scales[start / group] = scale;
    if (scale == 0) {
      for (std::size_t i = 0; i < group; ++i) codes[start + i] = 0;
      continue;
    }
    const auto levels = detail::int4_levels(scale);
    for (std::size_t i = 0; i < group; ++i) {
      const unsigned level = levels.level(in[i] & detail::kF32Magnitude);
      const bool negative = in[i] >> 31 != 0;
      // -8 is reachable below zero only; the level's two's complement in 4 bits.
      codes[start + i] = std::uint8_t(negative ? (16 - level) & 15 : (level > 7 ? 7 : level));
    }
  }
  return {};
}

namespace detail {

// The f32 values c * scale of the 16 INT4 codes (c = -8..7), rounded to nearest-even, as
// dequantize_value gives them.  For a normal scale whose products stay normal (exponent field
// at most 250: |c| <= 8 adds at most 4) the 28-bit product of the significands is rounded to 24
// bits here; other scales go to dequantize_value.
inline std::array<std::uint32_t, 16> int4_values(std::uint32_t scale) {
  std::array<std::uint32_t, 16> table;
  const std::uint32_t field = scale >> 23 & 0xff;
  if (field == 0 || field > 250) {
    for (std::size_t c = 0; c < 16; ++c)
      table[c] = dequantize_value(kInt4, BlockScale{scale, 0}, 0, std::uint8_t(c));
    return table;
  }
  const std::uint64_t significand = (scale & 0x7fffff) | 0x800000;
  for (std::size_t c = 0; c < 16; ++c) {
    const bool negative_code = c >= 8;
    const std::uint64_t m = negative_code ? 16 - c : c;  // |code value|
    const std::uint32_t sign = (std::uint32_t(negative_code) ^ (scale >> 31)) << 31;
    if (m == 0) {
      table[c] = sign;  // a zero product keeps the XOR of the signs
      continue;
    }
    std::uint64_t q = m * significand;
    int shift = int(std::bit_width(q)) - 24;  // 0..4
    if (shift > 0) {
      const std::uint64_t rest = q & ((std::uint64_t{1} << shift) - 1),
                          half = std::uint64_t{1} << (shift - 1);
      q >>= shift;
      if (rest > half || (rest == half && (q & 1) != 0)) ++q;
      if (q == (std::uint64_t{1} << 24)) {  // rounded up to the next binade
        q >>= 1;
        ++shift;
      }
    }
    table[c] = sign | (field + std::uint32_t(shift)) << 23 | std::uint32_t(q & 0x7fffff);
  }
  return table;
}

}  // namespace detail

// The dequantized values of n INT4 codes in groups, as dequantize_value gives them, from a
// table of the 16 values of each group's scale.
inline void dequantize_int4_groups(const std::uint8_t* codes, const std::uint32_t* scales,
                                   std::size_t n, std::size_t group, std::uint32_t* out) {
  for (std::size_t start = 0; start < n; start += group) {
    const auto table = detail::int4_values(scales[start / group]);
    for (std::size_t i = start; i < start + group; ++i) out[i] = table[codes[i] & 15];
  }
}

}  // namespace numconf::quant
