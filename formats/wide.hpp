// 128-bit unsigned integers for exact intermediate results: an f64 product has 106 bits, and a
// quotient or root needs the target precision plus the random bits of stochastic rounding.
// g++, clang and nvcc (in host and device code) all provide unsigned __int128.
#pragma once

#include <bit>
#include <cstdint>

#include "config.hpp"

namespace numconf {

__extension__ typedef unsigned __int128 Uint128;  // __extension__: not ISO C++, on purpose

NUMCONF_HD NUMCONF_INLINE constexpr int bit_width(Uint128 x) {
  const auto high = static_cast<std::uint64_t>(x >> 64);
  const auto low = static_cast<std::uint64_t>(x);
  return high != 0 ? 128 - std::countl_zero(high) : 64 - std::countl_zero(low);
}

// The low `bits` bits of x (all of x for bits >= 128).
NUMCONF_HD NUMCONF_INLINE constexpr Uint128 low_bits(Uint128 x, int bits) {
  return bits >= 128 ? x : x & ((Uint128{1} << bits) - 1);
}

}  // namespace numconf
