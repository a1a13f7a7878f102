// Packing sub-byte element codes into bytes, in named layouts (docs/quantization.md).
#pragma once

#include <cstddef>
#include <cstdint>

#include "config.hpp"

namespace numconf::quant {

enum class PackLayout : std::uint8_t {
  LsbFirst,    // a little-endian bit stream: code i in bits [i*w, (i+1)*w); 4-bit: low nibble first
  MsbFirst,    // a big-endian bit stream; 4-bit: high nibble first (bitsandbytes NF4)
  GgufHalves,  // 4-bit, blocks of 32: byte j holds code j (low nibble) and code j + 16 (high)
  Awq,         // 4-bit, groups of 8 in a little-endian u32, nibble k holding code kAwqOrder[k]
};

// AutoAWQ's GEMM packing order.
inline constexpr int kAwqOrder[8] = {0, 2, 4, 6, 1, 3, 5, 7};

// Whether n codes of `bits` bits can be packed in the layout (whole blocks or groups).
NUMCONF_HD constexpr bool packable(PackLayout layout, int bits, std::size_t n) {
  switch (layout) {
    case PackLayout::LsbFirst:
    case PackLayout::MsbFirst:
      return bits >= 1 && bits <= 8;
    case PackLayout::GgufHalves:
      return bits == 4 && n % 32 == 0;
    case PackLayout::Awq:
      return bits == 4 && n % 8 == 0;
  }
  return false;
}

NUMCONF_HD constexpr std::size_t packed_bytes(int bits, std::size_t n) {
  return (n * std::size_t(bits) + 7) / 8;
}

namespace detail {

// Where code i lives: its position in the layout's little-endian (or big-endian) bit stream.
NUMCONF_HD constexpr std::size_t code_slot(PackLayout layout, std::size_t i) {
  switch (layout) {
    case PackLayout::GgufHalves: {
      const std::size_t block = i / 32, j = i % 32;
      return block * 32 + (j < 16 ? 2 * j : 2 * (j - 16) + 1);
    }
    case PackLayout::Awq: {
      const std::size_t group = i / 8, j = i % 8;
      std::size_t nibble = 0;
      while (std::size_t(kAwqOrder[nibble]) != j) ++nibble;
      return group * 8 + nibble;
    }
    default:
      return i;
  }
}

}  // namespace detail

// Packs n codes (low `bits` bits of each byte) into packed_bytes(bits, n) bytes; a last byte
// that is not filled has zero padding bits.  packable() must hold.
NUMCONF_HD constexpr void pack_codes(PackLayout layout, int bits, const std::uint8_t* codes,
                                     std::size_t n, std::uint8_t* out) {
  for (std::size_t b = 0; b < packed_bytes(bits, n); ++b) out[b] = 0;
  const std::uint32_t mask = (1u << bits) - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t bit = detail::code_slot(layout, i) * std::size_t(bits);
    for (int k = 0; k < bits; ++k) {
      if (((codes[i] & mask) >> k & 1u) == 0) continue;
      // Bit k of the code (k = 0 its least significant) in stream order.
      const std::size_t stream_bit =
          layout == PackLayout::MsbFirst ? bit + std::size_t(bits - 1 - k) : bit + std::size_t(k);
      const auto shift = layout == PackLayout::MsbFirst ? 7 - stream_bit % 8 : stream_bit % 8;
      out[stream_bit / 8] = std::uint8_t(out[stream_bit / 8] | (1u << shift));
    }
  }
}

NUMCONF_HD constexpr void unpack_codes(PackLayout layout, int bits, const std::uint8_t* packed,
                                       std::size_t n, std::uint8_t* codes) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t bit = detail::code_slot(layout, i) * std::size_t(bits);
    std::uint32_t code = 0;
    for (int k = 0; k < bits; ++k) {
      const std::size_t stream_bit =
          layout == PackLayout::MsbFirst ? bit + std::size_t(bits - 1 - k) : bit + std::size_t(k);
      const auto shift = layout == PackLayout::MsbFirst ? 7 - stream_bit % 8 : stream_bit % 8;
      code |= std::uint32_t((packed[stream_bit / 8] >> shift) & 1u) << k;
    }
    codes[i] = std::uint8_t(code);
  }
}

}  // namespace numconf::quant
