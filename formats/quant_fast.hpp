// Typed fast path for MX quantization (formats/quant.hpp): element format, scale rule and policy
// fixed at compile time, one pass per block (amax, shared exponent, exact rescale by 2^-k in the
// f32 exponent field, then the batch kernel of formats/batch.hpp).  Its results are those of
// quant::quantize_block / dequantize_value bit for bit (tests/quant_test.cpp, QuantFast.*);
// blocks it does not cover (NaN, Inf or f32 subnormal inputs, results below f32's normal range)
// go to the general engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

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

}  // namespace numconf::quant
