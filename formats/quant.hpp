// Block-scaled formats and quantizers (docs/quantization.md): a scheme is data (Scheme), and one
// engine quantizes a block of f32 values into a scale and element codes, and dequantizes them.
// Every value the engine produces (scale, element, intermediate f32 step of a reference
// quantizer, dequantized f32) is an exact integer result handed once to the one rounder,
// round_pack, or a model operation that ends there (convert, arith.hpp).  No float arithmetic.
//
// Inputs are f32 container codes.  Element codes are at most 8 bits wide (one byte each, the
// packing into sub-byte layouts is formats/pack.hpp); scales are container codes of the
// scheme's scale format.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "arith.hpp"
#include "convert.hpp"
#include "decode.hpp"
#include "format.hpp"
#include "policy.hpp"
#include "registry.hpp"
#include "round.hpp"
#include "wide.hpp"

namespace numconf::quant {

// How a block's scale is found and how elements are mapped to codes.
enum class Method : std::uint8_t {
  Mx,        // OCP MX v1.0: e8m0 power-of-two scale X by a ScaleRule; element = round(x / X)
  Nvfp4,     // e2m1 elements, ue4m3 block scale s, f32 tensor scale g: x ~ code * s * g
  Table,     // NF4: the nearest of 16 table values times the block's f32 absmax
  GgufQ8_0,  // llama.cpp's reference quantizers, step by step in f32 (docs/quantization.md)
  GgufQ4_0,
  GgufQ4_1,
  Linear,  // integer codes, scale amax / qmax (symmetric) or range / levels with a zero point
};

// The MX shared-exponent rules (docs/quantization.md, with emax the element's largest exponent):
enum class ScaleRule : std::uint8_t {
  Floor,  // OCP MX v1.0 6.3: 2^(floor(log2 amax) - emax)
  Ceil,   // 2^(ceil(log2 amax) - emax)
  Even,   // amax rounded to the element's precision (ties away) first, then Floor
  Rceil,  // NVIDIA: amax / max_elem rounded to f32, then up to a power of two (cvt.rp ue8m0)
};

// NVFP4 element step: x / (s * g) rounded once, or x times the f32 reciprocal of s * g.
enum class Division : std::uint8_t { Divide, Reciprocal };

// Symmetric signed range: [-2^(w-1), 2^(w-1) - 1] or [-(2^(w-1) - 1), 2^(w-1) - 1].
enum class IntRange : std::uint8_t { Full, Restricted };

// Linear asymmetric: where the zero point is added relative to the clamp into [qmin, qmax].
enum class ZeroPointOrder : std::uint8_t {
  AddThenClamp,  // clamp(round(x / s) + zp): ONNX QuantizeLinear, PyTorch, GPTQ, AWQ
  ClampThenAdd,  // clamp(clamp(round(x / s)) + zp): clamps before the shift, loses x < -zp * s
};

// Which values share one scale (Linear), over a tensor of rows x cols in row-major order.
// Block methods always use PerGroup along a row.
enum class Granularity : std::uint8_t { PerTensor, PerChannel, PerGroup };

struct Scheme {
  Method method = Method::Mx;
  Format element = kE4M3FN;  // code format (Table: u4, the table index)
  int element_exponent = 0;  // MXINT8: a code c stands for c * 2^-6
  Granularity granularity = Granularity::PerGroup;
  int block = 32;  // PerGroup: values per scale along a row
  int axis = 0;    // PerChannel: 0 = one scale per row, 1 = one per column
  ScaleRule rule = ScaleRule::Floor;
  Format scale = kE8M0FNU;
  Rounding scale_rounding = Rounding::NearestEven;      // Linear, Nvfp4: rounding of the scale
  Policy element_policy{.overflow = Overflow::Finite};  // spec default: rn, saturate
  Division division = Division::Divide;
  bool asymmetric = false;
  IntRange range = IntRange::Full;
  ZeroPointOrder order = ZeroPointOrder::AddThenClamp;
  bool fixed_scale = false;  // Linear: use scale_code instead of computing a scale
  std::uint64_t scale_code = 0;
};

// The per-block quantities stored next to the codes.
struct BlockScale {
  std::uint64_t scale = 0;       // container code of Scheme::scale
  std::uint64_t zero_point = 0;  // Linear: element-format code of zp; q4_1: f16 code of the min
};

enum class Status : std::uint8_t {
  Ok,
  NonFinite,  // NaN or Inf in a block of a scheme that has no defined result for it
};

// bitsandbytes' NF4 values (QLoRA, Dettmers et al. 2023, appendix E), as f32 codes, ascending.
inline constexpr std::uint32_t kNf4Table[16] = {
    0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f, 0xbdba7871, 0x00000000,
    0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3, 0x3f800000};
inline constexpr std::uint8_t kNf4ZeroIndex = 7;

// NVFP4 tensor scale g = amax / (448 * 6): the largest block scale times the largest element.
inline constexpr std::uint32_t kNvfp4TensorRange = 0x45280000;  // 2688.0f

// Width of an element code: 4 (e2m1fn, u4, NF4's index), 6 or 8.
NUMCONF_HD constexpr int element_bits(const Scheme& s) { return code_bits(s.element); }

namespace detail {

// The formats the engine works in, as values: device code cannot refer to the registry's
// host constants.  Pinned to them below.
NUMCONF_HD constexpr Format f32() {
  return Format{.exponent_bits = 8, .mantissa_bits = 23, .bias = 127};
}
NUMCONF_HD constexpr Format f16() {
  return Format{.exponent_bits = 5, .mantissa_bits = 10, .bias = 15};
}
NUMCONF_HD constexpr Format e8m0() {
  return Format{.exponent_bits = 8,
                .bias = 127,
                .is_signed = false,
                .has_subnormals = false,
                .inf = InfEncoding::None,
                .nan = NanEncoding::MaxPattern};
}
NUMCONF_HD constexpr Format integer(int bits, bool is_signed) {
  return Format{.kind = Kind::Int,
                .is_signed = is_signed,
                .inf = InfEncoding::None,
                .nan = NanEncoding::None,
                .int_bits = bits};
}
NUMCONF_HD constexpr Format i8() { return integer(8, true); }
NUMCONF_HD constexpr Format i32() { return integer(32, true); }
NUMCONF_HD constexpr Format u8() { return integer(8, false); }
static_assert(f32() == kF32 && f16() == kF16 && e8m0() == kE8M0FNU && i8() == kI8 &&
              i32() == kI32 && u8() == kU8);

// bitsandbytes' NF4 value i (kNf4Table), readable from device code.
NUMCONF_HD constexpr std::uint32_t nf4_value(int i) {
  constexpr std::uint32_t kTable[16] = {0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0,
                                        0xbe91a24d, 0xbe3d353f, 0xbdba7871, 0x00000000,
                                        0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a,
                                        0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3, 0x3f800000};
  return kTable[i & 15];
}
static_assert([] {
  for (int i = 0; i < 16; ++i)
    if (nf4_value(i) != kNf4Table[i]) return false;
  return true;
}());

inline constexpr std::uint32_t kF32Magnitude = 0x7fffffff;
inline constexpr std::uint32_t kF32Inf = 0x7f800000;
inline constexpr std::uint32_t kF32One = 0x3f800000;
inline constexpr std::uint32_t kF32Nan = 0x7fc00000;

// An exact value (-1)^negative * (significand + sticky * epsilon) * 2^exponent.
struct Exact {
  bool negative = false;
  int exponent = 0;
  Uint128 significand = 0;
  bool sticky = false;
};

NUMCONF_HD constexpr Exact exact(const Unpacked& u) {
  return {u.negative, u.exponent, u.significand, false};
}

NUMCONF_HD constexpr Exact exact_f32(std::uint32_t bits) { return exact(unpack(f32(), bits)); }

// num / den with 64 quotient bits beyond num's: far more than any target of 24 bits needs, the
// remainder (and num's own sticky bit) being the sticky bit.  den != 0; num's significand
// below 2^64.
NUMCONF_HD constexpr Exact quotient(const Exact& num, const Exact& den) {
  const Uint128 n = num.significand << 64;
  return {num.negative != den.negative, num.exponent - den.exponent - 64, n / den.significand,
          num.sticky || n % den.significand != 0};
}

NUMCONF_HD constexpr Exact product(const Exact& a, const Exact& b) {
  return {a.negative != b.negative, a.exponent + b.exponent, a.significand * b.significand, false};
}

NUMCONF_HD constexpr Rounded round_exact(const Format& f, const Exact& v, const Policy& p) {
  return round_pack(f, v.negative, v.exponent, v.significand, v.sticky, p);
}

NUMCONF_HD constexpr bool is_non_finite(std::uint32_t bits) {
  return (bits & kF32Magnitude) >= kF32Inf;
}

// floor(log2 |x|) of a finite non-zero f32, from its bits.
NUMCONF_HD constexpr int floor_log2_f32(std::uint32_t magnitude) {
  const int field = int(magnitude >> 23);
  return field != 0 ? field - 127 : int(std::bit_width(magnitude)) - 1 - 149;
}

// floor(log2) of the largest finite element value: the element's emax (e4m3fn 8, e2m1fn 2,
// MXINT8 0).
NUMCONF_HD constexpr int element_emax(const Scheme& s) {
  const Format& f = s.element;
  const std::uint64_t max_code = is_float(f) ? max_finite_magnitude(f) : low_mask(f.int_bits - 1);
  const Unpacked u = unpack(f, max_code);
  return u.exponent + int(std::bit_width(u.significand)) - 1 + s.element_exponent;
}

// Significant bits after the leading one: a float element's mantissa bits; an integer
// element's magnitude bits below its top one (MXINT8: 6).
NUMCONF_HD constexpr int element_fraction_bits(const Format& f) {
  return is_float(f) ? f.mantissa_bits : f.int_bits - 2;
}

// The largest element value as an exact term.
NUMCONF_HD constexpr Exact element_max(const Scheme& s) {
  const Format& f = s.element;
  const std::uint64_t max_code = is_float(f) ? max_finite_magnitude(f) : low_mask(f.int_bits - 1);
  Exact e = exact(unpack(f, max_code));
  e.exponent += s.element_exponent;
  return e;
}

// Largest magnitude (as f32 magnitude bits) over a strided block, and whether a NaN or Inf is
// in it.  For finite f32, magnitude order is integer order of the bits without the sign.
struct Amax {
  std::uint32_t magnitude = 0;
  bool non_finite = false;
};

NUMCONF_HD constexpr Amax block_amax(const std::uint32_t* x, std::size_t n, std::size_t stride) {
  Amax a;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t m = x[i * stride] & kF32Magnitude;
    a.non_finite = a.non_finite || m >= kF32Inf;
    a.magnitude = m > a.magnitude ? m : a.magnitude;
  }
  return a;
}

// ---- MX -----------------------------------------------------------------------------------

// Rceil's exponent: the descale factor amax / max_elem rounded to f32, then up into e8m0.
NUMCONF_HD constexpr int rceil_exponent(const Scheme& s, std::uint32_t amax) {
  const Rounded descale = round_exact(f32(), quotient(exact_f32(amax), element_max(s)), Policy{});
  const Policy up{.rounding = Rounding::TowardPositive, .overflow = Overflow::Finite};
  return int(convert(f32(), e8m0(), descale.bits, up).bits) - 127;
}

// The unbiased shared exponent k of X = 2^k (before clamping to e8m0's range), amax != 0.
NUMCONF_HD constexpr int mx_exponent(const Scheme& s, std::uint32_t amax) {
  const int emax = element_emax(s);
  const int floor_log2 = floor_log2_f32(amax);
  // amax's significand aligned so that its leading one is bit 23 (subnormals included).
  const std::uint32_t significand =
      (amax >> 23) != 0 ? (amax & 0x7fffff) | 0x800000 : amax << (24 - std::bit_width(amax));
  switch (s.rule) {
    case ScaleRule::Floor:
      return floor_log2 - emax;
    case ScaleRule::Ceil:
      return floor_log2 + int((significand & 0x7fffff) != 0) - emax;
    case ScaleRule::Even: {
      // Adding half a unit of the element's last place carries into the next binade exactly
      // when amax rounds (ties away) up to the next power of two at the element's precision.
      const std::uint32_t half = std::uint32_t{1} << (22 - element_fraction_bits(s.element));
      return floor_log2 + int(((significand + half) >> 24) != 0) - emax;
    }
    case ScaleRule::Rceil:
      return rceil_exponent(s, amax);
  }
  return floor_log2 - emax;
}

NUMCONF_HD constexpr std::uint64_t mx_scale_code(const Scheme& s, std::uint32_t amax) {
  if (amax == 0) return 0;  // an all-zero block: the smallest scale, 2^-127
  int k = mx_exponent(s, amax);
  k = k < -127 ? -127 : k > 127 ? 127 : k;
  return std::uint64_t(k + 127);
}

NUMCONF_HD constexpr Status quantize_mx(const Scheme& s, const std::uint32_t* x, std::size_t n,
                                        std::size_t stride, BlockScale& out, std::uint8_t* codes) {
  const Amax amax = block_amax(x, n, stride);
  if (amax.non_finite) {
    // X = NaN: every element dequantizes to NaN; the codes carry NaN where the element has one.
    out.scale = nan_code(e8m0(), false);
    const std::uint8_t fill = has_nan(s.element) ? std::uint8_t(nan_code(s.element, false)) : 0;
    for (std::size_t i = 0; i < n; ++i) codes[i * stride] = fill;
    return Status::Ok;
  }
  out.scale = mx_scale_code(s, amax.magnitude);
  const int shift = int(out.scale) - 127 + s.element_exponent;
  for (std::size_t i = 0; i < n; ++i) {
    const Unpacked u = unpack(f32(), x[i * stride]);
    codes[i * stride] = std::uint8_t(round_pack(s.element, u.negative, u.exponent - shift,
                                                u.significand, false, s.element_policy)
                                         .bits);
  }
  return Status::Ok;
}

// ---- NVFP4 ----------------------------------------------------------------------------------

// The block scale s = amax / (6 g), rounded once into ue4m3 (satfinite); 0 for a zero block.
NUMCONF_HD constexpr std::uint64_t nvfp4_block_scale(const Scheme& s, std::uint32_t amax_magnitude,
                                                     std::uint32_t tensor_scale) {
  if (amax_magnitude == 0) return 0;
  const Exact six_g =
      product(exact(unpack(s.element, max_finite_magnitude(s.element))), exact_f32(tensor_scale));
  const Policy scale_policy{.rounding = s.scale_rounding, .overflow = Overflow::Finite};
  return round_exact(s.scale, quotient(exact_f32(amax_magnitude), six_g), scale_policy).bits;
}

NUMCONF_HD constexpr Status quantize_nvfp4(const Scheme& s, const std::uint32_t* x, std::size_t n,
                                           std::size_t stride, std::uint32_t tensor_scale,
                                           BlockScale& out, std::uint8_t* codes) {
  const Amax amax = block_amax(x, n, stride);
  if (amax.non_finite) return Status::NonFinite;
  const Exact g = exact_f32(tensor_scale);
  out.scale = nvfp4_block_scale(s, amax.magnitude, tensor_scale);
  if (out.scale == 0) {  // zero block, or a block scale that underflowed: all elements +0
    for (std::size_t i = 0; i < n; ++i) codes[i * stride] = 0;
    return Status::Ok;
  }
  const Exact divisor = product(exact(unpack(s.scale, out.scale)), g);
  Exact reciprocal;
  if (s.division == Division::Reciprocal) {
    const Rounded r = round_exact(f32(), quotient(Exact{false, 0, 1, false}, divisor),
                                  Policy{.overflow = Overflow::Finite});
    reciprocal = exact_f32(std::uint32_t(r.bits));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Exact v = exact_f32(x[i * stride]);
    const Exact scaled =
        s.division == Division::Divide ? quotient(v, divisor) : product(v, reciprocal);
    codes[i * stride] = std::uint8_t(round_exact(s.element, scaled, s.element_policy).bits);
  }
  return Status::Ok;
}

// ---- NF4 ------------------------------------------------------------------------------------

// Sign of a - b for exact values without sticky bits (significands below 2^127).
NUMCONF_HD constexpr int compare(const Exact& a, const Exact& b) {
  const bool a_zero = a.significand == 0, b_zero = b.significand == 0;
  if (a_zero && b_zero) return 0;
  const int sa = a_zero ? 0 : a.negative ? -1 : 1;
  const int sb = b_zero ? 0 : b.negative ? -1 : 1;
  if (sa != sb) return sa < sb ? -1 : 1;
  const int top_a = a.exponent + bit_width(a.significand);
  const int top_b = b.exponent + bit_width(b.significand);
  int magnitude_order = 0;
  if (top_a != top_b) {
    magnitude_order = top_a < top_b ? -1 : 1;
  } else {  // same top bit: align the one with the larger exponent down to the other's
    const Uint128 ma =
        a.exponent >= b.exponent ? a.significand << (a.exponent - b.exponent) : a.significand;
    const Uint128 mb =
        b.exponent >= a.exponent ? b.significand << (b.exponent - a.exponent) : b.significand;
    magnitude_order = ma < mb ? -1 : ma > mb ? 1 : 0;
  }
  return sa * magnitude_order;
}

NUMCONF_HD constexpr Exact sum(const Exact& a, const Exact& b) {  // both below 2^60, close scales
  if (b.significand == 0) return a;                               // first: +0 + -0 is +0
  if (a.significand == 0) return b;
  const int e = a.exponent < b.exponent ? a.exponent : b.exponent;
  const Uint128 ma = a.significand << (a.exponent - e);
  const Uint128 mb = b.significand << (b.exponent - e);
  if (a.negative == b.negative) return {a.negative, e, ma + mb, false};
  if (ma == mb) return {};  // an exact zero sum is +0 (rn)
  return ma > mb ? Exact{a.negative, e, ma - mb, false} : Exact{b.negative, e, mb - ma, false};
}

// The table index nearest to x / absmax; an exact midpoint goes to the lower entry, as
// bitsandbytes' strict x > midpoint comparisons do.  x / a > (t_i + t_{i+1}) / 2 is compared as
// 2x > (t_i + t_{i+1}) * a, exactly.
NUMCONF_HD constexpr std::uint8_t nearest_table_index(std::uint32_t value, const Exact& absmax) {
  Exact twice = exact_f32(value);
  twice.exponent += 1;
  std::uint8_t index = 0;
  for (int i = 0; i < 15; ++i) {
    const Exact midpoint_sum = sum(exact_f32(nf4_value(i)), exact_f32(nf4_value(i + 1)));
    if (compare(twice, product(midpoint_sum, absmax)) > 0) index = std::uint8_t(i + 1);
  }
  return index;
}

NUMCONF_HD constexpr Status quantize_table(const std::uint32_t* x, std::size_t n,
                                           std::size_t stride, BlockScale& out,
                                           std::uint8_t* codes) {
  const Amax amax = block_amax(x, n, stride);
  if (amax.non_finite) return Status::NonFinite;
  out.scale = amax.magnitude;
  const Exact a = exact_f32(amax.magnitude);
  for (std::size_t i = 0; i < n; ++i)
    codes[i * stride] = amax.magnitude == 0 ? kNf4ZeroIndex : nearest_table_index(x[i * stride], a);
  return Status::Ok;
}

// ---- GGUF (llama.cpp's reference quantizers, each f32 operation rounded as f32) -------------

NUMCONF_HD constexpr std::uint32_t f32_div(std::uint32_t a, std::uint32_t b) {
  return std::uint32_t(div(f32(), a, b, Policy{}).bits);
}
NUMCONF_HD constexpr std::uint32_t f32_mul(std::uint32_t a, std::uint32_t b) {
  return std::uint32_t(mul(f32(), a, b, Policy{}).bits);
}
NUMCONF_HD constexpr std::uint32_t f32_add(std::uint32_t a, std::uint32_t b) {
  return std::uint32_t(add(f32(), a, b, Policy{}).bits);
}
NUMCONF_HD constexpr std::uint32_t f32_sub(std::uint32_t a, std::uint32_t b) {
  return std::uint32_t(sub(f32(), a, b, Policy{}).bits);
}
// id = d ? 1/d : 0, and 0 also where 1/d overflows f32 (d below 2^-128): then f16(d) is 0 and
// every code dequantizes to 0; x86 builds of llama.cpp give the same codes (their float-to-int
// conversion of +-Inf and NaN yields 0), which C leaves undefined.
NUMCONF_HD constexpr std::uint32_t f32_inverse_or_zero(std::uint32_t d) {
  if ((d & kF32Magnitude) == 0) return 0;
  const std::uint32_t id = f32_div(kF32One, d);
  return is_non_finite(id) ? 0 : id;
}
NUMCONF_HD constexpr std::uint64_t to_f16(std::uint32_t v) {
  return convert(f32(), f16(), v, Policy{}).bits;
}
// A non-negative f32 truncated to an integer (C's float-to-int cast), at most 255.
NUMCONF_HD constexpr std::uint8_t truncate_u8(std::uint32_t v) {
  return std::uint8_t(
      convert(f32(), u8(), v,
              Policy{.rounding = Rounding::TowardZero, .overflow = Overflow::Finite})
          .bits);
}

inline constexpr std::uint32_t kF32_127 = 0x42fe0000;
inline constexpr std::uint32_t kF32_15 = 0x41700000;
inline constexpr std::uint32_t kF32_MinusEight = 0xc1000000;
inline constexpr std::uint32_t kF32_EightAndHalf = 0x41080000;
inline constexpr std::uint32_t kF32_Half = 0x3f000000;

NUMCONF_HD constexpr Status quantize_q8_0(const std::uint32_t* x, std::size_t n, std::size_t stride,
                                          BlockScale& out, std::uint8_t* codes) {
  const Amax amax = block_amax(x, n, stride);
  if (amax.non_finite) return Status::NonFinite;
  const std::uint32_t d = f32_div(amax.magnitude, kF32_127);
  const std::uint32_t id = f32_inverse_or_zero(d);
  out.scale = to_f16(d);
  const Policy round_half_away{.rounding = Rounding::NearestAway, .overflow = Overflow::Finite};
  for (std::size_t i = 0; i < n; ++i)
    codes[i * stride] =
        std::uint8_t(convert(f32(), i8(), f32_mul(x[i * stride], id), round_half_away).bits);
  return Status::Ok;
}

NUMCONF_HD constexpr Status quantize_q4_0(const std::uint32_t* x, std::size_t n, std::size_t stride,
                                          BlockScale& out, std::uint8_t* codes) {
  // max: the first value of the largest magnitude, with its sign.
  std::uint32_t max = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = x[i * stride];
    if (is_non_finite(v)) return Status::NonFinite;
    if ((v & kF32Magnitude) > (max & kF32Magnitude)) max = v;
  }
  const std::uint32_t d = f32_div(max, kF32_MinusEight);
  const std::uint32_t id = f32_inverse_or_zero(d);
  out.scale = to_f16(d);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t q = truncate_u8(f32_add(f32_mul(x[i * stride], id), kF32_EightAndHalf));
    codes[i * stride] = q < 15 ? q : 15;
  }
  return Status::Ok;
}

// Whether f32 a < b, for finite values (-0 == +0 does not matter: only the value is used).
NUMCONF_HD constexpr bool f32_less(std::uint32_t a, std::uint32_t b) {
  return compare(exact_f32(a), exact_f32(b)) < 0;
}

NUMCONF_HD constexpr Status quantize_q4_1(const std::uint32_t* x, std::size_t n, std::size_t stride,
                                          BlockScale& out, std::uint8_t* codes) {
  std::uint32_t min = x[0], max = x[0];
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = x[i * stride];
    if (is_non_finite(v)) return Status::NonFinite;
    if (f32_less(v, min)) min = v;
    if (f32_less(max, v)) max = v;
  }
  const std::uint32_t range = f32_sub(max, min);
  if (is_non_finite(range)) return Status::NonFinite;  // max - min overflows f32
  const std::uint32_t d = f32_div(range, kF32_15);
  const std::uint32_t id = f32_inverse_or_zero(d);
  out.scale = to_f16(d);
  out.zero_point = to_f16(min);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t t = f32_add(f32_mul(f32_sub(x[i * stride], min), id), kF32_Half);
    const std::uint8_t q = truncate_u8(t);
    codes[i * stride] = q < 15 ? q : 15;
  }
  return Status::Ok;
}

// ---- Linear integer -------------------------------------------------------------------------

struct IntLimits {
  long long min = 0, max = 0;
};

// The code range of an integer element (restricted: without the lowest code).  Symmetric
// schemes over unsigned codes store the signed code plus 2^(w-1), their zero point.
NUMCONF_HD constexpr IntLimits int_limits(const Scheme& s) {
  const int w = s.element.int_bits;
  const long long restricted = s.range == IntRange::Restricted ? 1 : 0;
  if (s.element.is_signed) return {-(1LL << (w - 1)) + restricted, (1LL << (w - 1)) - 1};
  return {restricted, (1LL << w) - 1};
}

NUMCONF_HD constexpr long long symmetric_offset(const Scheme& s) {
  return !s.asymmetric && !s.element.is_signed ? 1LL << (s.element.int_bits - 1) : 0;
}

NUMCONF_HD constexpr long long int_value(const Format& f, std::uint64_t code) {
  const Unpacked u = unpack(f, code);
  const auto magnitude = static_cast<long long>(u.significand);
  return u.negative ? -magnitude : magnitude;
}

NUMCONF_HD constexpr std::uint64_t int_code(const Format& f, long long value) {
  return static_cast<std::uint64_t>(value) & low_mask(f.int_bits);
}

NUMCONF_HD constexpr long long clamp(long long v, long long lo, long long hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

// round(v) as an integer by the element policy's mode (saturating far outside i32).
NUMCONF_HD constexpr long long round_to_integer(const Exact& v, const Policy& element_policy) {
  Policy p = element_policy;
  p.overflow = Overflow::Finite;
  return int_value(i32(), round_exact(i32(), v, p).bits);
}

NUMCONF_HD constexpr Exact exact_int(long long v) {
  return {v < 0, 0, Uint128(v < 0 ? -v : v), false};
}

// Smallest and largest value of a block, as f32 codes (finite).
struct Extremes {
  std::uint32_t min = 0, max = 0;
};

NUMCONF_HD constexpr Extremes extremes(const std::uint32_t* x, std::size_t n, std::size_t stride) {
  Extremes e{x[0], x[0]};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = x[i * stride];
    if (f32_less(v, e.min)) e.min = v;
    if (f32_less(e.max, v)) e.max = v;
  }
  return e;
}

// The asymmetric range [min(x, 0), max(x, 0)] always holds zero, so that zero is exactly
// representable (as the zero point).
NUMCONF_HD constexpr Exact range_low(const std::uint32_t* x, std::size_t n, std::size_t stride) {
  const std::uint32_t min = extremes(x, n, stride).min;
  return (min & 0x80000000) != 0 ? exact_f32(min) : Exact{};
}
NUMCONF_HD constexpr Exact range_high(const std::uint32_t* x, std::size_t n, std::size_t stride) {
  const std::uint32_t max = extremes(x, n, stride).max;
  return (max & 0x80000000) == 0 ? exact_f32(max) : Exact{};
}

// a + b for two non-negative f32 values, with a sticky bit where b is too far below a: the
// significand stays below 2^61, as quotient() needs.
NUMCONF_HD constexpr Exact add_magnitudes(const Exact& a, const Exact& b) {
  if (b.significand == 0) return a;
  if (a.significand == 0) return b;
  const Exact& big =
      a.exponent + bit_width(a.significand) >= b.exponent + bit_width(b.significand) ? a : b;
  const Exact& small = &big == &a ? b : a;
  constexpr int kRoom = 36;  // 24-bit significands: 24 + 36 < 61
  const int distance = big.exponent - small.exponent;
  if (distance <= kRoom)
    return {false, small.exponent, (big.significand << distance) + small.significand, false};
  const int cut = distance - kRoom;  // small's bits below big's last bit - 36 are only sticky
  const Uint128 kept = cut >= 128 ? 0 : small.significand >> cut;
  return {false, big.exponent - kRoom, (big.significand << kRoom) + kept,
          cut >= 128 || low_bits(small.significand, cut) != 0};
}

// The symmetric scale amax / qmax, rounded once into the scale format (saturating).
NUMCONF_HD constexpr std::uint64_t symmetric_scale(const Scheme& s, std::uint32_t amax_magnitude) {
  const Exact levels = exact_int(int_limits(s).max - symmetric_offset(s));
  const Policy scale_policy{.rounding = s.scale_rounding, .overflow = Overflow::Finite};
  return round_exact(s.scale, quotient(exact_f32(amax_magnitude), levels), scale_policy).bits;
}

NUMCONF_HD constexpr Status quantize_linear(const Scheme& s, const std::uint32_t* x, std::size_t n,
                                            std::size_t stride, BlockScale& out,
                                            std::uint8_t* codes) {
  const Amax amax = block_amax(x, n, stride);
  if (amax.non_finite) return Status::NonFinite;
  const IntLimits q = int_limits(s);
  const Policy scale_policy{.rounding = s.scale_rounding, .overflow = Overflow::Finite};
  long long zero_point = symmetric_offset(s);
  if (s.fixed_scale) {
    out.scale = s.scale_code;
  } else if (!s.asymmetric) {
    out.scale = symmetric_scale(s, amax.magnitude);
  } else {
    Exact low = range_low(x, n, stride);
    low.negative = false;
    const Exact width = add_magnitudes(range_high(x, n, stride), low);
    out.scale = round_exact(s.scale, quotient(width, exact_int(q.max - q.min)), scale_policy).bits;
  }
  const Exact scale = exact(unpack(s.scale, out.scale));
  if (s.asymmetric && scale.significand != 0) {
    const Exact lo = range_low(x, n, stride);
    const long long shift =
        lo.significand == 0 ? 0 : round_to_integer(quotient(lo, scale), s.element_policy);
    zero_point = clamp(q.min - shift, q.min, q.max);
  } else if (s.asymmetric) {
    zero_point = clamp(0, q.min, q.max);
  }
  out.zero_point = int_code(s.element, zero_point);
  for (std::size_t i = 0; i < n; ++i) {
    const Exact v = exact_f32(x[i * stride]);
    const long long r = scale.significand == 0 || v.significand == 0
                            ? 0
                            : round_to_integer(quotient(v, scale), s.element_policy);
    const long long code = s.order == ZeroPointOrder::AddThenClamp
                               ? clamp(r + zero_point, q.min, q.max)
                               : clamp(clamp(r, q.min, q.max) + zero_point, q.min, q.max);
    codes[i * stride] = std::uint8_t(int_code(s.element, code));
  }
  return Status::Ok;
}

// ---- Dequantization -------------------------------------------------------------------------

NUMCONF_HD constexpr std::uint32_t to_f32(const Exact& v) {
  return std::uint32_t(round_exact(f32(), v, Policy{}).bits);
}

}  // namespace detail

// The NVFP4 tensor scale of a whole tensor: g = amax / 2688 rounded to f32 (rn), 1 for an
// all-zero tensor, and the smallest f32 subnormal where the quotient rounds to zero.
NUMCONF_HD constexpr std::uint32_t nvfp4_tensor_scale(const std::uint32_t* x, std::size_t n) {
  using namespace detail;
  const Amax amax = block_amax(x, n, 1);
  if (amax.magnitude == 0 || amax.non_finite) return kF32One;
  const std::uint32_t g = f32_div(amax.magnitude, kNvfp4TensorRange);
  return g == 0 ? 1 : g;
}

// Quantizes the n values x[0], x[stride], ... of one block into `out` and codes[0],
// codes[stride], ...  `tensor_scale` is NVFP4's f32 g (ignored by other methods).
NUMCONF_HD constexpr Status quantize_block(const Scheme& s, const std::uint32_t* x, std::size_t n,
                                           std::size_t stride, std::uint32_t tensor_scale,
                                           BlockScale& out, std::uint8_t* codes) {
  using namespace detail;
  out = BlockScale{};
  switch (s.method) {
    case Method::Mx:
      return quantize_mx(s, x, n, stride, out, codes);
    case Method::Nvfp4:
      return quantize_nvfp4(s, x, n, stride, tensor_scale, out, codes);
    case Method::Table:
      return quantize_table(x, n, stride, out, codes);
    case Method::GgufQ8_0:
      return quantize_q8_0(x, n, stride, out, codes);
    case Method::GgufQ4_0:
      return quantize_q4_0(x, n, stride, out, codes);
    case Method::GgufQ4_1:
      return quantize_q4_1(x, n, stride, out, codes);
    case Method::Linear:
      return quantize_linear(s, x, n, stride, out, codes);
  }
  return Status::Ok;
}

// The f32 (rn) of one code's value: the exact product (and sum) of the code's value and the
// block's scales, rounded once.
NUMCONF_HD constexpr std::uint32_t dequantize_value(const Scheme& s, const BlockScale& b,
                                                    std::uint32_t tensor_scale, std::uint8_t code) {
  using namespace detail;
  switch (s.method) {
    case Method::Mx: {
      const Unpacked e = unpack(s.element, code);
      if (b.scale == nan_code(e8m0(), false) || e.cls == ValueClass::Nan) return kF32Nan;
      if (e.cls == ValueClass::Infinite) return kF32Inf | (e.negative ? 0x80000000u : 0);
      Exact v = exact(e);
      v.exponent += int(b.scale) - 127 + s.element_exponent;
      return to_f32(v);
    }
    case Method::Nvfp4:
      return to_f32(
          product(product(exact(unpack(s.element, code)), exact(unpack(s.scale, b.scale))),
                  exact_f32(tensor_scale)));
    case Method::Table:
      return to_f32(product(exact_f32(nf4_value(code)), exact_f32(std::uint32_t(b.scale))));
    case Method::GgufQ8_0:
      return to_f32(product(exact_int(int_value(i8(), code)), exact(unpack(f16(), b.scale))));
    case Method::GgufQ4_0:
      return to_f32(product(exact_int(code - 8LL), exact(unpack(f16(), b.scale))));
    case Method::GgufQ4_1:
      return to_f32(sum(product(exact_int(code), exact(unpack(f16(), b.scale))),
                        exact(unpack(f16(), b.zero_point))));
    case Method::Linear: {
      const long long zero_point =
          s.asymmetric ? int_value(s.element, b.zero_point) : symmetric_offset(s);
      return to_f32(product(exact_int(int_value(s.element, code) - zero_point),
                            exact(unpack(s.scale, b.scale))));
    }
  }
  return kF32Nan;
}

// ---- Tensors: which values share a scale ----------------------------------------------------

// One block of a rows x cols row-major tensor: values first, first + stride, ... (count).
struct BlockSpan {
  std::size_t first = 0, count = 0, stride = 1;
};

// The number of blocks, with a short last group per row when cols is not a multiple of the
// block size (callers decide whether that is allowed).
NUMCONF_HD constexpr std::size_t block_count(const Scheme& s, std::size_t rows, std::size_t cols) {
  switch (s.granularity) {
    case Granularity::PerTensor:
      return 1;
    case Granularity::PerChannel:
      return s.axis == 0 ? rows : cols;
    case Granularity::PerGroup:
      break;
  }
  const auto g = static_cast<std::size_t>(s.block);
  return rows * ((cols + g - 1) / g);
}

NUMCONF_HD constexpr BlockSpan block_span(const Scheme& s, std::size_t rows, std::size_t cols,
                                          std::size_t index) {
  switch (s.granularity) {
    case Granularity::PerTensor:
      return {0, rows * cols, 1};
    case Granularity::PerChannel:
      return s.axis == 0 ? BlockSpan{index * cols, cols, 1} : BlockSpan{index, rows, cols};
    case Granularity::PerGroup:
      break;
  }
  const auto g = static_cast<std::size_t>(s.block);
  const std::size_t per_row = (cols + g - 1) / g;
  const std::size_t row = index / per_row, start = (index % per_row) * g;
  return {row * cols + start, cols - start < g ? cols - start : g, 1};
}

// Quantizes a tensor: scales[block_count] and codes[rows * cols].  Stops at the first block
// with a non-finite value and reports its index.
struct TensorStatus {
  Status status = Status::Ok;
  std::size_t block = 0;
};

NUMCONF_HD constexpr TensorStatus quantize_tensor(const Scheme& s, const std::uint32_t* x,
                                                  std::size_t rows, std::size_t cols,
                                                  std::uint32_t tensor_scale, BlockScale* scales,
                                                  std::uint8_t* codes) {
  const std::size_t blocks = block_count(s, rows, cols);
  for (std::size_t b = 0; b < blocks; ++b) {
    const BlockSpan span = block_span(s, rows, cols, b);
    const Status st = quantize_block(s, x + span.first, span.count, span.stride, tensor_scale,
                                     scales[b], codes + span.first);
    if (st != Status::Ok) return {st, b};
  }
  return {};
}

NUMCONF_HD constexpr void dequantize_tensor(const Scheme& s, const BlockScale* scales,
                                            const std::uint8_t* codes, std::size_t rows,
                                            std::size_t cols, std::uint32_t tensor_scale,
                                            std::uint32_t* out) {
  const std::size_t blocks = block_count(s, rows, cols);
  for (std::size_t b = 0; b < blocks; ++b) {
    const BlockSpan span = block_span(s, rows, cols, b);
    for (std::size_t i = 0; i < span.count; ++i) {
      const std::size_t at = span.first + i * span.stride;
      out[at] = dequantize_value(s, scales[b], tensor_scale, codes[at]);
    }
  }
}

}  // namespace numconf::quant

// ---- Named schemes (the CLI's --scheme names) -----------------------------------------------

namespace numconf::quant {

struct NamedScheme {
  const char* name;
  Scheme scheme;
};

inline constexpr Scheme mx_scheme(const Format& element, int element_exponent = 0) {
  return Scheme{.method = Method::Mx, .element = element, .element_exponent = element_exponent};
}

inline constexpr Scheme linear_scheme(const Format& element) {
  return Scheme{.method = Method::Linear,
                .element = element,
                .granularity = Granularity::PerTensor,
                .scale = kF32,
                .asymmetric = !element.is_signed};
}

inline constexpr NamedScheme kSchemes[] = {
    {"mxfp8_e4m3", mx_scheme(kE4M3FN)},
    {"mxfp8_e5m2", mx_scheme(kE5M2)},
    {"mxfp6_e2m3", mx_scheme(kE2M3FN)},
    {"mxfp6_e3m2", mx_scheme(kE3M2FN)},
    {"mxfp4", mx_scheme(kE2M1FN)},
    {"mxint8", mx_scheme(kI8, -6)},  // OCP MX v1.0: 8-bit two's complement, scale 2^-6
    {"nvfp4", Scheme{.method = Method::Nvfp4, .element = kE2M1FN, .block = 16, .scale = kUE4M3}},
    {"nf4", Scheme{.method = Method::Table, .element = kU4, .block = 64, .scale = kF32}},
    {"q8_0", Scheme{.method = Method::GgufQ8_0, .element = kI8, .scale = kF16}},
    {"q4_0", Scheme{.method = Method::GgufQ4_0, .element = kU4, .scale = kF16}},
    {"q4_1", Scheme{.method = Method::GgufQ4_1, .element = kU4, .scale = kF16}},
    {"int8", linear_scheme(kI8)},
    {"int4", linear_scheme(kI4)},
    {"uint8", linear_scheme(kU8)},
    {"uint4", linear_scheme(kU4)},
};

}  // namespace numconf::quant
