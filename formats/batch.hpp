// Batch conversion: many codes of one format into another under one policy.
//
// The batch path returns codes only.  Flags are not computed: take them from the scalar
// `convert` (formats/convert.hpp), which stays the definition of every result.
//
//   Typed (formats and policy known at compile time; containers are the natural unsigned types):
//     convert_batch<kF32, kE4M3FN, kPolicy>(std::span<const std::uint32_t>,
//     std::span<std::uint8_t>)
//   Run time (a descriptor read from the command line goes through the same kernel):
//     const Converter c(from, to, policy);   // constants worked out once
//     c(in, out);                            // spans of any unsigned container types
//     convert_batch(from, to, policy, in, out);
// Both convert min(in.size(), out.size()) values: out must be at least as long as in.
//
// Fast path: an IEEE-encoded source (f64, f32, f16, bf16 or any custom IEEE shape without
// padding) narrowed into a float target with subnormals (so with a zero), at least 2 fewer
// mantissa bits, no more exponent bits and 0 <= target bias <= source bias; every
// deterministic rounding mode (rn, rna, rz, rp, rm, ro), every overflow mode and overflow rule,
// daz, ftz with either tininess rule, and both NaN-to-NaN-less choices.  Everything else
// (stochastic modes, integer formats, widening, e8m0fnu, padded sources) falls back to the
// scalar `convert` value by value, so no combination diverges from it.
//
// The fast kernel is branch-free integer code written so that compilers vectorize it
// (g++ -O3, or -O2 -ftree-vectorize; variable per-lane shifts need AVX2 on x86, so hosts that
// want speed compile the calling loop with AVX2, e.g. through target_clones, see bench/).
// With g++, the typed path runs f32 and f64 sources into 16- and 8-bit targets through an
// explicit vector loop instead (run_nearest_even_vectors), which narrows the results with
// fewer shuffles, prefetches large inputs, and lets f16-like targets skip the subnormal and NaN
// steps in blocks of 32 that hold no such value (one branch per block, predictable where such
// values are rare).
// The values that are single codes per sign (NaN, infinity, overflow, zero, a negative into an
// unsigned format) are taken from the scalar model's own helpers when the constants are made.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "convert.hpp"
#include "format.hpp"
#include "policy.hpp"

namespace numconf {

// The unsigned container type that holds `bits` bits.
template <int Bits>
using uint_for_bits = std::conditional_t<
    Bits <= 8, std::uint8_t,
    std::conditional_t<Bits <= 16, std::uint16_t,
                       std::conditional_t<Bits <= 32, std::uint32_t, std::uint64_t>>>;

// The container of a format's codes: e4m3fn and e2m1fn in std::uint8_t (one code per byte),
// f16 in std::uint16_t, f32 and tf32 in std::uint32_t, f64 in std::uint64_t.
template <Format F>
using container_t = uint_for_bits<storage_bits(F)>;

// Sources wider than 32 bits (f64) are first rounded to odd onto m + 3 trailing significand
// bits (shift right by c, OR the lost bits into the last one) whenever that fits 32 bits: any
// rounding to m bits (normal or subnormal, every mode, and the tininess thresholds) of a value
// rounded to odd with at least 2 more bits is the rounding of the value itself, and the rest of
// the kernel then runs in 32-bit lanes, which AVX2 handles well (it lacks 64-bit arithmetic
// shifts and unsigned compares).  0 when the source is used as it is.
// Where the source's top 32 bits keep m + 3 trailing significand bits (f64 into a target of up to
// 17 mantissa bits), the shift is exactly code bits - 32: the lane is then the top half of the
// code with the bottom half's OR in its last bit, which needs no 64-bit shifts at all.
NUMCONF_HD constexpr int narrowing_shift(const Format& from, const Format& to) {
  const int c = from.mantissa_bits - (to.mantissa_bits + 3);
  if (code_bits(from) > 32 && c >= code_bits(from) - 32) return code_bits(from) - 32;
  return code_bits(from) > 32 && c > 0 && code_bits(from) - c <= 32 ? c : 0;
}

// The source as the kernel sees it: its top bits after the narrowing shift.
NUMCONF_HD constexpr Format kernel_source(const Format& from, const Format& to) {
  Format f = from;
  f.mantissa_bits -= narrowing_shift(from, to);
  return f;
}

// The lane type the kernel computes in: 32-bit lanes for sources up to 32 bits (eight per AVX2
// register) and narrowed ones, 64-bit lanes otherwise.
NUMCONF_HD constexpr int lane_bits(const Format& from, const Format& to) {
  return code_bits(kernel_source(from, to)) <= 32 ? 32 : 64;
}
template <Format From, Format To>
using lane_t = std::conditional_t<lane_bits(From, To) == 32, std::uint32_t, std::uint64_t>;

// Whether the branch-free kernel implements convert(from, to, ., p); see the header comment.
// The bounds keep every intermediate of the kernel inside its lane (see BatchKernel).
NUMCONF_HD constexpr bool batch_fast_path(const Format& from, const Format& to, const Policy& p) {
  const bool ieee_source = is_float(from) && from.nan == NanEncoding::Ieee &&
                           from.inf == InfEncoding::Ieee && from.is_signed && from.has_subnormals &&
                           from.padding_bits == 0;
  return ieee_source && is_float(to) && to.has_subnormals && to.mantissa_bits >= 1 &&
         from.mantissa_bits - to.mantissa_bits >= 2 && to.exponent_bits <= from.exponent_bits &&
         to.bias >= 0 && to.bias <= from.bias && storage_bits(to) <= lane_bits(from, to) &&
         !is_stochastic(p.rounding) && (to.is_signed || p.profile != Profile::Cuda);
}

namespace detail {

// Per-(from, to, policy) constants and the branch-free conversion of one code.  U is the lane
// type.  The source magnitude `mag` (bits without the sign) orders like the value, which the
// rounding and the tininess test rely on.
//
// Rounding cuts the significand at a per-lane shift (d = S - m in the target's normal range,
// more below its emin) into the kept bits, the round bit and the sticky bit, and adds one to
// the kept bits when
//   rn: round & (sticky | last kept bit)   rna: round   away from zero: round | sticky
// (nearest_bit, rna_bit, mfull_* say which), while round to odd ORs round | sticky into the
// last kept bit (odd_bit).  The per-lane shifts are what needs AVX2 on x86.
template <class U>
struct BatchKernel {
  int sign_shift = 0;  // source code bits - 1
  int mant_bits = 0;   // S, the source's trailing significand bits
  int d = 0;           // S - m
  int pad = 0;         // target padding bits
  U mag_mask = 0, mant_mask = 0, inf_bits = 0;
  U daz_limit = 0;  // magnitudes below it read as zero (2^S under daz, else 0)
  U es_min = 0;     // source biased exponent of the target's 2^emin (>= 1)
  U max_shift = 0;  // S + 2: any larger shift rounds the same (round bit 0, all sticky)
  U nearest_bit = 0, rna_bit = 0, odd_bit = 0;
  U mfull_pos = 0, mfull_neg = 0;  // 1: this sign rounds away from zero (rp, rm)
  U tiny_pos = 0, tiny_neg = 0;    // ftz: magnitudes below this are tiny (0 without ftz)
  int m = 0;                       // target mantissa bits
  U max_finite = 0;                // larger magnitude codes overflow
  U sign_out = 0;                  // the target's sign bit in the container (0 if unsigned)
  U neg_unsigned = 0;              // a negative non-zero result in an unsigned target
  U unsigned_mask = 0;             // all ones for an unsigned target
  U payload_mask = 0;              // IEEE to IEEE NaNs keep their payload
  U zero_pos = 0, zero_neg = 0, inf_pos = 0, inf_neg = 0;
  U ovf_pos = 0, ovf_neg = 0, nan_pos = 0, nan_neg = 0;

  // All-ones when c, else 0; a select by such a mask (xor form: two operations when a ^ b is
  // a constant); and comparisons as signed, which AVX2 has for 64-bit lanes too (every value
  // compared is below 2^(lane bits - 2)).  Selects are arithmetic rather than ?: on purpose:
  // g++ keeps some ?: chains as branches, which stops vectorization.
  using S = std::make_signed_t<U>;
  NUMCONF_HD static constexpr U mask(bool c) { return U(U(0) - U(c)); }
  NUMCONF_HD static constexpr U pick(U m, U a, U b) { return U(b ^ (m & (a ^ b))); }
  NUMCONF_HD static constexpr bool lt(U a, U b) { return S(a) < S(b); }
  NUMCONF_HD static constexpr U min(U a, U b) { return lt(a, b) ? a : b; }
  NUMCONF_HD static constexpr U max(U a, U b) { return lt(a, b) ? b : a; }

  NUMCONF_HD constexpr U operator()(U x) const {
    const U neg = mask(((x >> sign_shift) & 1) != 0);
    const U bits = x & mag_mask;
    const U mag = bits & ~mask(lt(bits, daz_limit));

    // One rounding for normal and subnormal results: the significand (implicit bit included)
    // is cut d bits lower, and further by how far the exponent lies below the target's emin;
    // the exponent above emin is added back after rounding, so a carry out of the significand
    // moves into the next binade (and from the largest subnormal to the smallest normal).
    const U es = mag >> mant_bits;
    const U es_eff = max(es, U(1));  // source subnormals share exponent 1
    const U sig = (mag & mant_mask) | (mask(es != 0) & (mant_mask + 1));
    const U shift = min(U(d + es_min - min(es_eff, es_min)), max_shift);
    const U above = U(max(es_eff, es_min) - es_min);
    // The kept bits, the round bit just below them and the sticky OR of the rest.  Only
    // variable shifts of data (g++ 12 cannot vectorize `1 << n` in 64-bit lanes).
    const U mfull = pick(neg, mfull_neg, mfull_pos);
    const U low = U(sig >> shift);
    const U round_bit = U((sig >> (shift - 1)) & 1);
    const U sticky = U((sig << (U(sizeof(U) * 8 + 1) - shift)) != 0);
    const U inexact = round_bit | sticky;
    const U up = (round_bit & (sticky | (low & 1) | rna_bit) & nearest_bit) | (inexact & mfull);
    const U kept = U((low + up) | (inexact & odd_bit));
    const U rounded = U(kept + (above << m));  // target magnitude code

    U out = (neg & sign_out) | U(rounded << pad);
    out = pick(mask(lt(max_finite, rounded)), pick(neg, ovf_neg, ovf_pos), out);
    out = pick(unsigned_mask & neg, neg_unsigned, out);
    const U zero = mask(rounded == 0) | mask(lt(mag, pick(neg, tiny_neg, tiny_pos)));
    out = pick(zero, pick(neg, zero_neg, zero_pos), out);
    out = pick(mask(mag == inf_bits), pick(neg, inf_neg, inf_pos), out);
    const U payload = U(((mag & payload_mask) >> d) << pad);
    out = pick(mask(lt(inf_bits, mag)), pick(neg, nan_neg, nan_pos) | payload, out);
    return out;
  }
};

// Works out the kernel's constants; meaningful only when batch_fast_path(from, to, p).
template <class U>
NUMCONF_HD constexpr BatchKernel<U> make_batch_kernel(const Format& from, const Format& to,
                                                      const Policy& p) {
  BatchKernel<U> k;
  const int s = from.mantissa_bits, m = to.mantissa_bits;
  k.sign_shift = code_bits(from) - 1;
  k.mant_bits = s;
  k.d = s - m;
  k.pad = to.padding_bits;
  k.mag_mask = U(magnitude_mask(from));
  k.mant_mask = U(low_mask(s));
  k.inf_bits = U(inf_magnitude(from));
  k.daz_limit = p.flush_inputs ? U(U(1) << s) : U(0);
  k.es_min = U(from.bias - to.bias + 1);
  k.max_shift = U(s + 2);

  const Rounding r = p.rounding;
  const bool nearest = r == Rounding::NearestEven || r == Rounding::NearestAway;
  k.nearest_bit = nearest ? U(1) : U(0);
  k.rna_bit = r == Rounding::NearestAway ? U(1) : U(0);
  k.odd_bit = r == Rounding::ToOdd ? U(1) : U(0);
  k.mfull_pos = r == Rounding::TowardPositive ? U(1) : U(0);
  k.mfull_neg = r == Rounding::TowardNegative ? U(1) : U(0);

  // Tininess for ftz: |x| below the smallest magnitude that is not tiny.  Before rounding that
  // is 2^emin.  After rounding it is where rounding at precision p (unbounded exponent) first
  // reaches 2^emin: the midpoint below it for the nearest modes (the tie goes up, the lower
  // neighbour ends in an odd mantissa), just above the lower neighbour when rounding away from
  // zero, and 2^emin itself for rz and ro.  `unit` is that lower neighbour's distance below
  // 2^emin in source codes (the source binade below 2^emin is subnormal when es_min == 1).
  const U min_normal = U(k.es_min << s);
  const U unit = U(U(1) << (k.es_min >= 2 ? k.d : k.d - 1));
  const auto tiny_limit = [&](bool negative) -> U {
    if (!p.flush_outputs) return 0;
    if (p.tininess == Tininess::BeforeRounding) return min_normal;
    if (nearest) return min_normal - unit / 2;
    const bool away = (negative ? k.mfull_neg : k.mfull_pos) != 0;
    return away ? min_normal - unit + 1 : min_normal;
  };
  k.tiny_pos = tiny_limit(false);
  k.tiny_neg = tiny_limit(true);

  k.m = m;
  k.max_finite = U(max_finite_magnitude(to));
  k.sign_out = U(sign_bit(to) << to.padding_bits);
  k.unsigned_mask = to.is_signed ? U(0) : ~U(0);
  k.neg_unsigned = U(negative_into_unsigned(to, p).bits);
  k.payload_mask = keeps_nan_payload(from, to, p) ? k.mant_mask : U(0);

  const auto nan_result = [&](bool negative) {
    Unpacked u;
    u.cls = ValueClass::Nan;
    u.negative = negative;
    return U(convert_nan(from, to, u, p).bits);  // payload 0: OR the input's payload in
  };
  k.zero_pos = U(zero_result(to, false, 0).bits);
  k.zero_neg = U(zero_result(to, true, 0).bits);
  k.inf_pos = U(convert_infinity(to, false, p).bits);
  k.inf_neg = U(convert_infinity(to, true, p).bits);
  k.ovf_pos = U(overflow_result(to, false, p).bits);
  k.ovf_neg = U(overflow_result(to, true, p).bits);
  k.nan_pos = nan_result(false);
  k.nan_neg = nan_result(true);
  return k;
}

// One source code as the kernel's lane: narrowed (see narrowing_shift) or as it is.
template <class U, class SrcT>
NUMCONF_HD constexpr U lane_input(SrcT x, int narrowing) {
  if (narrowing == 0) return static_cast<U>(x);
  if (sizeof(SrcT) == 8 && sizeof(U) == 4 && narrowing == 32)  // the halves as they are
    return U(std::uint64_t(x) >> 32) | std::min(U(x), U(1));
  const SrcT lost = x & SrcT((SrcT(1) << narrowing) - 1);
  return static_cast<U>((x >> narrowing) | SrcT(lost != 0));
}

// The kernel over a range; the kernel is copied into a local so that the compiler knows the
// output stores (possibly through unsigned char, which aliases everything) leave it unchanged.
template <class U, class SrcT, class DstT>
NUMCONF_HD inline void run_batch_kernel(BatchKernel<U> kernel, int narrowing, const SrcT* in,
                                        DstT* out, std::size_t n) {
  const BatchKernel<U> k = kernel;
  if (narrowing == 0) {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<DstT>(k(static_cast<U>(in[i])));
  } else if (narrowing == 32) {  // a constant shift: no per-value test in lane_input
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<DstT>(k(lane_input<U>(in[i], 32)));
  } else {
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<DstT>(k(lane_input<U>(in[i], narrowing)));
  }
}

// The typed path's kernel for the common case: round to nearest even, no daz or ftz, a signed
// target without padding, in 32-bit lanes, and results that are symmetric in the sign (every
// special code of a negative input is the positive one with the sign bit set).  The BatchKernel
// above handles everything; this one is the same function for these policies, with about half
// the operations per lane (bench/RESULTS.md):
//   - the magnitude is worked on, and the sign is ORed back in as a bit that the rounding
//     cannot reach, so no select depends on it;
//   - normal results round at the fixed position d (the exponent rebiased by one subtraction,
//     and the carry out of the significand moves into the exponent on its own), with
//     v + (2^(d-1) - 1 + last kept bit) >> d;
//   - only results below the target's normal range need a per-lane shift: the significand is
//     shifted right by k = es_min - es (at most m + 2: any larger shift leaves the round bit
//     0) with the lost bits ORed into the last bit, which rounds the same, and then goes
//     through the same rounding as the normal lanes (carry into the smallest normal included);
//   - overflow, infinity and NaN are one min and at most two selects, all made on v before the
//     one rounding (codes shifted up by d round to themselves), so that every lane stays in 32
//     bits until the result is narrowed once, by pack instructions.
// Source subnormals (es == 0) are read with a false implicit bit: with es_min >= m + 2 they
// lie below half the smallest target subnormal and round to zero either way; with es_min == 1
// the source and target subnormals share their scale and need no shift at all.
template <class U>
NUMCONF_HD constexpr bool nearest_even_kernel_applies(const BatchKernel<U>& k) {
  if (!std::is_same_v<U, std::uint32_t>) return false;
  const U sign = k.sign_out;
  const bool symmetric =
      (k.zero_pos | k.ovf_pos | k.inf_pos | k.nan_pos) < sign && k.zero_pos == 0 &&
      k.zero_neg == sign && k.ovf_neg == (k.ovf_pos | sign) && k.inf_neg == (k.inf_pos | sign) &&
      (k.nan_neg == (k.nan_pos | sign) || (k.nan_neg == k.nan_pos && k.payload_mask == 0));
  return k.nearest_bit == 1 && k.rna_bit == 0 && k.odd_bit == 0 && k.mfull_pos == 0 &&
         k.mfull_neg == 0 && k.daz_limit == 0 && k.tiny_pos == 0 && k.tiny_neg == 0 && k.pad == 0 &&
         k.unsigned_mask == 0 && sign != 0 && (sign & (sign - 1)) == 0 && symmetric && k.d >= 2 &&
         k.max_finite < sign && (k.ovf_pos == k.max_finite || k.ovf_pos == k.max_finite + 1) &&
         std::countr_zero(sign) + k.d <= 31 && (k.es_min == 1 || k.es_min >= U(k.m + 2)) &&
         k.m + 2 <= 31 && k.sign_shift <= 31;
}

// The lane operations nearest_even_lane needs, for one code (std::uint32_t: the scalar loops,
// which compilers vectorize themselves, and device code) and, with g++ on the host, for eight
// (`Lanes8`, GCC's vector extension: the explicit vector loop below).  Every value compared is
// below 2^31, so signed compares, which AVX2 has, order them.  Selects are masks
// (`(a & m) | (b & ~m)`, compiled to `vpblendvb`): with `?:` g++ 12 computed the later steps
// of both sides and blended afterwards.
NUMCONF_HD constexpr std::uint32_t below(std::uint32_t a, std::uint32_t b) {
  return std::uint32_t(0) - std::uint32_t(std::int32_t(a) < std::int32_t(b));
}
NUMCONF_HD constexpr std::uint32_t equal(std::uint32_t a, std::uint32_t b) {
  return std::uint32_t(0) - std::uint32_t(a == b);
}
NUMCONF_HD constexpr std::uint32_t lane_min(std::uint32_t a, std::uint32_t b) {
  return std::min(a, b);
}
NUMCONF_HD constexpr std::uint32_t signed_max(std::uint32_t a, std::uint32_t b) {
  return std::int32_t(a) < std::int32_t(b) ? b : a;
}
NUMCONF_HD constexpr std::uint32_t signed_min(std::uint32_t a, std::uint32_t b) {
  return std::int32_t(a) < std::int32_t(b) ? a : b;
}

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define NUMCONF_VECTOR_LOOP 1
// Every function that takes or returns Lanes8 is always inlined: no 32-byte vector crosses a
// call (whose ABI would differ between translation units built with and without AVX), so the
// note g++ gives about that ABI does not apply (the project builds with -Wno-psabi; a pragma
// cannot silence the note).
using Lanes8 = std::uint32_t __attribute__((vector_size(32)));
using SignedLanes8 = std::int32_t __attribute__((vector_size(32)));
NUMCONF_INLINE Lanes8 below(Lanes8 a, Lanes8 b) {
  return Lanes8(SignedLanes8(a) < SignedLanes8(b));
}
NUMCONF_INLINE Lanes8 equal(Lanes8 a, Lanes8 b) { return Lanes8(a == b); }
NUMCONF_INLINE Lanes8 lane_min(Lanes8 a, Lanes8 b) { return a < b ? a : b; }
NUMCONF_INLINE Lanes8 signed_max(Lanes8 a, Lanes8 b) {
  return Lanes8(SignedLanes8(a) < SignedLanes8(b) ? SignedLanes8(b) : SignedLanes8(a));
}
NUMCONF_INLINE Lanes8 signed_min(Lanes8 a, Lanes8 b) {
  return Lanes8(SignedLanes8(a) < SignedLanes8(b) ? SignedLanes8(a) : SignedLanes8(b));
}
// Written as a select on the mask's sign: the mask form gives vpxor, vpand, vpand, vpor here.
NUMCONF_INLINE Lanes8 pick(Lanes8 mask, Lanes8 a, Lanes8 b) {
  return SignedLanes8(mask) < 0 ? a : b;
}
#endif

NUMCONF_HD constexpr std::uint32_t pick(std::uint32_t mask, std::uint32_t a, std::uint32_t b) {
  return (a & mask) | (b & ~mask);
}

// The values nearest_even_lane works with, worked out from the kernel once, one per lane of L.
// They reach the loop through memory on purpose (see run_fixed_kernel): g++ 12 rebuilds every
// broadcast constant inside a vectorized loop (three instructions each) when it sees its value,
// and reads it as a memory operand for free when it does not.
template <class L>
struct NearestEvenConstants {
  L mag_mask, rebias, es_min, max_sub_shift, mant_mask, implicit_bit, sticky_mask, one, zero,
      lane_bits, min_normal, overflow, inf, inf_code, payload, nan_code, sign, half_minus_one;
  // Lanes::NormalRange leaves out the lanes with rare_key(x) < rare_below (see there).
  L rare_offset, nan_offset, rare_below;
};

template <auto K>
NUMCONF_HD constexpr NearestEvenConstants<std::uint32_t> nearest_even_constants() {
  using U = std::uint32_t;
  constexpr int S = K.mant_bits, d = K.d, m = K.m;
  constexpr U E = K.es_min, low_d = (U(1) << d) - 1;
  // The rare lanes (see rare_key): the source binades from that of half the smallest target
  // subnormal (below it every magnitude rounds to zero) up to the smallest normal, none where
  // the source's subnormals are the target's (es_min 1); and NaN.  Each range is moved to start
  // at INT32_MIN (below it, values wrap to the top), and one threshold takes both, at least the
  // NaN range's 2^S (taking more only sends a few tiny magnitudes to the full lane).
  constexpr U rare_from = E == 1 ? E << S : E > U(m + 1) ? (E - U(m + 1)) << S : 0;
  constexpr U rare_span = std::max(U((E << S) - rare_from), U(U(1) << S));
  return {.mag_mask = K.mag_mask,
          .rebias = U((E - 1) << S),
          .es_min = E,
          .max_sub_shift = U(m + 2),
          .mant_mask = K.mant_mask,
          .implicit_bit = U(K.mant_mask + 1),
          .sticky_mask = U((U(1) << (m + 2)) - 1),
          .one = 1,
          .zero = 0,
          .lane_bits = 32,
          .min_normal = U(E << S),
          .overflow = U(U(K.ovf_pos) << d),
          .inf = K.inf_bits,
          .inf_code = U(U(K.inf_pos) << d),
          .payload = U(K.payload_mask & ~low_d),
          .nan_code = U(U(K.nan_pos) << d),
          .sign = U(K.sign_out << d),
          .half_minus_one = U(low_d >> 1),
          .rare_offset = U(0x80000000u - rare_from),
          .nan_offset = U(0x80000000u - (K.inf_bits + 1)),
          .rare_below = U(0x80000000u + rare_span)};
}

// Which lanes a call of nearest_even_lane computes.  Every: all of them, the definition.
// NormalRange: all but the rare ones (rare_key), for loops that send a block holding any rare
// lane to Every instead: the subnormal shift and the NaN selects are left out.
enum class Lanes { Every, NormalRange };

// K decides the shape of the computation (which steps exist); c holds the values.
template <auto K, Lanes Which = Lanes::Every, class L>
NUMCONF_HD NUMCONF_INLINE constexpr L nearest_even_lane(L x, const NearestEvenConstants<L>& c) {
  constexpr int S = K.mant_bits, d = K.d, m = K.m;
  constexpr bool every = Which == Lanes::Every;
  const L mag = x & c.mag_mask;

  L v = mag - c.rebias;  // normal range: the target's code with d more bits
  if constexpr (K.es_min > 1 && every) {
    const L es = mag >> S;
    const L k = lane_min(c.es_min - es, c.max_sub_shift);  // >= 1 where used
    const L sig = (mag & c.mant_mask) | c.implicit_bit;
    // The lost bits: where 2m + 3 <= S every bit below bit m + 2 of the significand ends in
    // the sticky region (below the round bit, bit d - 1) whether it is shifted out or not, so
    // ORing those bits (m + 1 and below) in as they are leaves the sticky region non-zero
    // exactly when the shifted-out bits would have: no second shift.  Otherwise the bits
    // shifted out are found by shifting the other way, and their OR goes into bit 0.
    L lost;
    if constexpr (2 * m + 3 <= S)
      lost = mag & c.sticky_mask;
    else
      lost = lane_min(sig << (c.lane_bits - k), c.one);
    v = pick(below(mag, c.min_normal), (sig >> k) | lost, v);
  } else if constexpr (K.es_min > 1) {
    v = signed_max(v, c.zero);  // below the subnormal range: rounds to zero
  }
  // Everything below happens before the rounding, on codes with d more bits: a value whose d
  // low bits are 0 rounds to itself shifted, and selecting before rounding keeps every lane in
  // 32 bits until the single narrowing of the result.  Overflow: every value at or above
  // max_finite << d rounds to max_finite or above, so clamping there (or at ovf_pos << d when
  // ovf_pos is the next code, an infinity) gives ovf_pos.
  v = lane_min(v, c.overflow);
  // Infinity rounds above max_finite, so it already reads ovf_pos when that is its code.
  if constexpr (K.inf_pos != K.ovf_pos) v = pick(equal(mag, c.inf), c.inf_code, v);
  constexpr bool nan_signed = K.nan_neg != K.nan_pos;  // else one NaN result for both signs
  if constexpr (nan_signed && every) {
    L nan = c.nan_code;
    // Only where a payload is kept: g++ cannot see that the opaque mask is 0 otherwise.
    if constexpr (K.payload_mask != 0) nan |= mag & c.payload;
    v = pick(below(c.inf, mag), nan, v);
  }
  // The sign, d bits above the target's sign bit: the rounding below never carries into it.
  constexpr int sign_pos = std::countr_zero(K.sign_out) + d;
  if constexpr (K.sign_shift >= sign_pos)
    v |= (x >> (K.sign_shift - sign_pos)) & c.sign;
  else
    v |= (x << (sign_pos - K.sign_shift)) & c.sign;
  if constexpr (!nan_signed && every) v = pick(below(c.inf, mag), c.nan_code, v);
  return (v + c.half_minus_one + ((v >> d) & c.one)) >> d;
}

// The lanes Lanes::NormalRange leaves out have rare_key(x) < c.rare_below, as signed values:
// results in the target's subnormal range, and NaN.  One key per lane, so that a block's test
// is a min over its lanes and one compare.
template <class L>
NUMCONF_HD NUMCONF_INLINE constexpr L rare_key(L x, const NearestEvenConstants<L>& c) {
  const L mag = x & c.mag_mask;
  return signed_min(mag + c.rare_offset, mag + c.nan_offset);
}

// Keeps the compiler from treating `value` as known from here on, so that it is read from
// memory (see NearestEvenConstants).  Device code has no such problem.
template <class T>
NUMCONF_HD inline void opaque(T& value) {
#if defined(__GNUC__) && !defined(__CUDA_ARCH__)
  asm volatile("" : : "r"(&value) : "memory");
#else
  (void)value;
#endif
}

// nearest_even_lane over a range, one code at a time (compilers vectorize the loop).
template <auto K, int Narrowing, class SrcT, class DstT>
NUMCONF_HD inline void run_nearest_even_lanes(const SrcT* in, DstT* out, std::size_t n,
                                              const NearestEvenConstants<std::uint32_t>& c) {
  for (std::size_t i = 0; i < n; ++i)
    out[i] =
        static_cast<DstT>(nearest_even_lane<K>(lane_input<std::uint32_t>(in[i], Narrowing), c));
}

// Whether the vector loop tests each block for rare lanes (rare_key) first, so that blocks
// without any run Lanes::NormalRange.  Worth it where such lanes are rare in real data: targets
// with 5 or more exponent bits, whose subnormals lie 14 binades or more below 1 (f16, e5m2),
// and only where the source has normal values below the target's normal range (es_min > 1;
// else only the NaN select would be left out, which costs less than the test).  For narrower
// targets (e4m3fn's subnormals start at 2^-6) a block of N(0, 1) samples often holds one, and
// the test would cost a mispredicted branch.
template <class Kernel>
NUMCONF_HD constexpr bool tests_rare_lanes(const Format& to, const Kernel& k) {
  return to.exponent_bits >= 5 && k.es_min > 1;
}

#if NUMCONF_VECTOR_LOOP
// The explicit vector loop: blocks of 32 codes in four Lanes8.  It exists for what g++'s own
// vectorization of run_nearest_even_lanes cannot do: narrow f64 codes to their 32-bit halves
// with two shuffles, narrow the results with one shuffle across the 128-bit halves per 32 codes,
// skip the subnormal and NaN steps for blocks that hold no such lane, and ask for the input
// ahead of time.
// Vector extensions compile for the ISA of the function they are inlined into (AVX2 in a
// target_clones clone), like the scalar loop.

// The constants in every lane of L.
template <class L>
NUMCONF_INLINE NearestEvenConstants<L> broadcast(const NearestEvenConstants<std::uint32_t>& c) {
  constexpr std::size_t count = sizeof(c) / sizeof(std::uint32_t);  // every member a uint32_t
  const auto values = std::bit_cast<std::array<std::uint32_t, count>>(c);
  std::array<L, count> lanes;
  for (std::size_t i = 0; i < count; ++i) lanes[i] = L{} + values[i];
  return std::bit_cast<NearestEvenConstants<L>>(lanes);
}

// Eight source codes as lanes: 32-bit codes as they are; f64 codes as their halves (see
// lane_input).  The high and the low words of four codes are gathered within each 128-bit
// half by one `vshufps` each, which leaves the codes in the order 0 1 4 5 2 3 6 7; store_codes
// restores it.  g++ 12 emits `vshufps` for float vectors only (the bits are only
// moved); on integer vectors, or in code order, it emits four `vpermd` and two blends.
template <class SrcT>
NUMCONF_INLINE Lanes8 load_lanes(const SrcT* in) {
  static_assert(sizeof(SrcT) == 4 || sizeof(SrcT) == 8);
  // typedef: an alias-declaration would keep the vector's 32-byte alignment.
  typedef std::uint32_t Load __attribute__((vector_size(32), aligned(alignof(SrcT)), may_alias));
  const Lanes8 a = *reinterpret_cast<const Load*>(in);
  if constexpr (sizeof(SrcT) == 4) {
    return a;
  } else {
    using Words = float __attribute__((vector_size(32)));
    const Lanes8 b = *reinterpret_cast<const Load*>(in + 4);
    const auto high =
        Lanes8(__builtin_shufflevector(Words(a), Words(b), 1, 3, 9, 11, 5, 7, 13, 15));
    const auto low = Lanes8(__builtin_shufflevector(Words(a), Words(b), 0, 2, 8, 10, 4, 6, 12, 14));
    return high | lane_min(low, Lanes8{} + 1);  // codes 0 1 4 5 | 2 3 6 7
  }
}

// The order of the codes in the lanes: as in memory, or as load_lanes leaves f64 codes (0 1 4
// 5 | 2 3 6 7 of each eight), which store_codes restores on the narrowed results, where it
// costs one in-lane shuffle per 32 codes instead of a vpermq per 8.
enum class LaneOrder { Codes, Vshufps };
template <class SrcT>
inline constexpr LaneOrder kLaneOrder = sizeof(SrcT) == 8 ? LaneOrder::Vshufps : LaneOrder::Codes;

// The narrowing steps as AVX2 has them, within each 128-bit half: the low halves of the lanes of
// a and b (a0-3 b0-3 | a4-7 b4-7), and the low bytes of the halves of two such.
using Halves = std::uint16_t __attribute__((vector_size(32)));
using Bytes = std::uint8_t __attribute__((vector_size(32)));
NUMCONF_INLINE Halves pack_halves(Lanes8 a, Lanes8 b) {
  return __builtin_shufflevector(Halves(a), Halves(b), 0, 2, 4, 6, 16, 18, 20, 22, 8, 10, 12, 14,
                                 24, 26, 28, 30);
}
NUMCONF_INLINE Bytes pack_bytes(Halves a, Halves b) {
  return __builtin_shufflevector(Bytes(a), Bytes(b), 0, 2, 4, 6, 8, 10, 12, 14, 32, 34, 36, 38, 40,
                                 42, 44, 46, 16, 18, 20, 22, 24, 26, 28, 30, 48, 50, 52, 54, 56, 58,
                                 60, 62);
}

// Four vectors of codes (each below 2^16, or 2^8 for byte targets) into 32 outputs, in order.
// Written as steps that g++ 12 lowers to one or two AVX2 instructions each: in-lane gathers
// (vpshufb and vpblendd for bytes), then one vpermd across the halves, which leaves the shuffle
// unit less busy than a vpermq after every pack (f64 -> e4m3fn in cache: 0.47 -> 0.39 ns per
// value).  Asked for the whole order in one shuffle, it emits far more.
template <LaneOrder Order, class DstT>
NUMCONF_INLINE void store_codes(DstT* out, const std::array<Lanes8, 4>& r) {
  if constexpr (sizeof(DstT) == 2) {
    typedef std::uint16_t Store __attribute__((vector_size(32), aligned(2), may_alias));
    for (int k = 0; k < 2; ++k) {
      const Lanes8 a = r[2 * k], b = r[2 * k + 1];
      Halves ordered;
      if constexpr (Order == LaneOrder::Codes) {
        ordered = __builtin_shufflevector(Halves(a), Halves(b), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                          20, 22, 24, 26, 28, 30);
      } else {  // 32-bit words of codes 01 45 of a, of b | 23 67 of a, of b
        const Lanes8 w = Lanes8(pack_halves(a, b));
        ordered = Halves(__builtin_shufflevector(w, w, 0, 4, 1, 5, 2, 6, 3, 7));
      }
      *reinterpret_cast<Store*>(out + 16 * k) = ordered;
    }
  } else {
    typedef std::uint8_t Store __attribute__((vector_size(32), aligned(1), may_alias));
    // 32-bit words of codes: lanes 0-3 of r0, r1, r2, r3 | lanes 4-7 of each.
    const Lanes8 w = Lanes8(pack_bytes(pack_halves(r[0], r[1]), pack_halves(r[2], r[3])));
    Bytes ordered = Bytes(__builtin_shufflevector(w, w, 0, 4, 1, 5, 2, 6, 3, 7));
    if constexpr (Order == LaneOrder::Vshufps)
      ordered = __builtin_shufflevector(ordered, ordered, 0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10,
                                        11, 14, 15, 16, 17, 20, 21, 18, 19, 22, 23, 24, 25, 28, 29,
                                        26, 27, 30, 31);
    *reinterpret_cast<Store*>(out) = ordered;
  }
}

// Whether any of the lanes is one that Lanes::NormalRange leaves out.
NUMCONF_INLINE bool holds_rare_lane(const std::array<Lanes8, 4>& x,
                                    const NearestEvenConstants<Lanes8>& c) {
  const Lanes8 key = signed_min(signed_min(rare_key(x[0], c), rare_key(x[1], c)),
                                signed_min(rare_key(x[2], c), rare_key(x[3], c)));
  using Quads = std::uint64_t __attribute__((vector_size(32)));
  const Quads rare = Quads(below(key, c.rare_below));
  return (rare[0] | rare[1] | rare[2] | rare[3]) != 0;
}

// Asks for the input 4 KiB ahead of this block, one cache line at a time (prefetchnta on x86).
// Streaming from DRAM, the hardware prefetchers alone left the loop waiting on misses: with this,
// f32 -> f16 from DRAM went from 0.38 to 0.29 ns per value and f64 -> e4m3fn from 0.65 to 0.52
// (convert_bench medians), and the other locality hints did no better (bench/RESULTS.md).  Only
// for inputs larger than an L2 cache (kPrefetchFrom): in cache the prefetches are only
// instructions, up to 5% of f64 -> e4m3fn's time.
// A prefetch never faults, so the lines past the end of the input cost nothing; the address is
// formed as an integer because a pointer that far past the array would be undefined.
inline constexpr std::size_t kPrefetchFrom = std::size_t{1} << 20;  // bytes of input
template <class SrcT>
NUMCONF_INLINE void prefetch_ahead(const SrcT* block, std::size_t block_codes) {
  constexpr std::uintptr_t kAhead = 4096, kLine = 64;
  const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(block) + kAhead;
  for (std::uintptr_t b = 0; b < block_codes * sizeof(SrcT); b += kLine)
    __builtin_prefetch(reinterpret_cast<const void*>(at + b), 0, 0);
}

template <auto K, Lanes Which, LaneOrder Order, class DstT>
NUMCONF_INLINE void convert_block(DstT* out, const std::array<Lanes8, 4>& x,
                                  const NearestEvenConstants<Lanes8>& c) {
  store_codes<Order>(out,
                     {nearest_even_lane<K, Which>(x[0], c), nearest_even_lane<K, Which>(x[1], c),
                      nearest_even_lane<K, Which>(x[2], c), nearest_even_lane<K, Which>(x[3], c)});
}

// Converts the whole blocks of 32 and returns how many codes that was.
template <auto K, bool TestRare, bool Prefetch, class SrcT, class DstT>
inline std::size_t run_nearest_even_vectors(const SrcT* in, DstT* out, std::size_t n,
                                            const NearestEvenConstants<std::uint32_t>& scalar) {
  NearestEvenConstants<Lanes8> c = broadcast<Lanes8>(scalar);
  opaque(c);
  constexpr std::size_t kBlock = 32;
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    if constexpr (Prefetch) prefetch_ahead(in + i, kBlock);
    const std::array<Lanes8, 4> x = {load_lanes(in + i), load_lanes(in + i + 8),
                                     load_lanes(in + i + 16), load_lanes(in + i + 24)};
    if (TestRare && !holds_rare_lane(x, c))
      convert_block<K, Lanes::NormalRange, kLaneOrder<SrcT>>(out + i, x, c);
    else
      convert_block<K, Lanes::Every, kLaneOrder<SrcT>>(out + i, x, c);
  }
  return i;
}
#endif

// The typed path's loop.  The kernel is a template argument: the compiler knows every constant
// and drops the terms that are zero for this format and policy.
template <auto Kernel, int Narrowing, Format To, class SrcT, class DstT>
NUMCONF_HD inline void run_fixed_kernel(const SrcT* in, DstT* out, std::size_t n) {
  using U = decltype(Kernel(0));
  if constexpr (nearest_even_kernel_applies(Kernel)) {
    NearestEvenConstants<std::uint32_t> c = nearest_even_constants<Kernel>();
    opaque(c);
    std::size_t done = 0;
#if NUMCONF_VECTOR_LOOP
    // It reads 32-bit codes and f64 codes narrowed to their halves, and stores 16- and 8-bit
    // codes; for those it measured faster than g++'s vectorization of the plain loop, or level
    // in cache (bench/RESULTS.md).
    constexpr bool test_rare = tests_rare_lanes(To, Kernel);
    constexpr bool f64_halves = sizeof(SrcT) == 8 && Narrowing == 32;
    constexpr bool f32_lanes = sizeof(SrcT) == 4 && Narrowing == 0;
    if constexpr (sizeof(DstT) <= 2 && (f64_halves || f32_lanes))
      done = n * sizeof(SrcT) >= kPrefetchFrom
                 ? run_nearest_even_vectors<Kernel, test_rare, true>(in, out, n, c)
                 : run_nearest_even_vectors<Kernel, test_rare, false>(in, out, n, c);
#endif
    run_nearest_even_lanes<Kernel, Narrowing>(in + done, out + done, n - done, c);
  } else {
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<DstT>(Kernel(lane_input<U>(in[i], Narrowing)));
  }
}

template <class SrcT, class DstT>
NUMCONF_HD inline void run_scalar(const Format& from, const Format& to, const Policy& p,
                                  const SrcT* in, DstT* out, std::size_t n,
                                  const std::uint64_t* random) {
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<DstT>(convert(from, to, in[i], p, random ? random[i] : 0).bits);
}

}  // namespace detail

// Converts in[i] (codes of From) into out[i] (codes of To) under P, for formats fixed at
// compile time: the constants fold into the instructions.
template <Format From, Format To, Policy P>
NUMCONF_HD inline void convert_batch(std::span<const container_t<From>> in,
                                     std::span<container_t<To>> out) {
  const std::size_t n = std::min(in.size(), out.size());
  if constexpr (batch_fast_path(From, To, P)) {
    using U = lane_t<From, To>;
    detail::run_fixed_kernel<detail::make_batch_kernel<U>(kernel_source(From, To), To, P),
                             narrowing_shift(From, To), To>(in.data(), out.data(), n);
  } else {
    detail::run_scalar(From, To, P, in.data(), out.data(), n, nullptr);
  }
}

// A conversion fixed at run time: the constants are worked out once here, so the inner loop
// makes no format or policy decisions.
class Converter {
 public:
  NUMCONF_HD constexpr Converter(const Format& from, const Format& to, const Policy& p)
      : from_(from), to_(to), policy_(p), fast_(batch_fast_path(from, to, p)) {
    if (!fast_) return;
    narrowing_ = narrowing_shift(from, to);
    const Format source = kernel_source(from, to);
    if (lane_bits(from, to) == 32)
      k32_ = detail::make_batch_kernel<std::uint32_t>(source, to, p);
    else
      k64_ = detail::make_batch_kernel<std::uint64_t>(source, to, p);
  }

  NUMCONF_HD constexpr bool fast() const { return fast_; }

  // out[i] = convert(from, to, in[i], policy).bits.  `random` (stochastic modes only; empty
  // means R = 0) holds one R per value.  Container types: any unsigned integers wide enough.
  template <class SrcT, class DstT>
  NUMCONF_HD void operator()(std::span<const SrcT> in, std::span<DstT> out,
                             std::span<const std::uint64_t> random = {}) const {
    static_assert(std::is_unsigned_v<SrcT> && std::is_unsigned_v<DstT>);
    const std::size_t n = std::min(in.size(), out.size());
    if (!fast_) {
      const bool has_random = random.size() >= n;
      detail::run_scalar(from_, to_, policy_, in.data(), out.data(), n,
                         has_random ? random.data() : nullptr);
    } else if (lane_bits(from_, to_) == 32) {
      detail::run_batch_kernel(k32_, narrowing_, in.data(), out.data(), n);
    } else {
      detail::run_batch_kernel(k64_, narrowing_, in.data(), out.data(), n);
    }
  }

 private:
  Format from_, to_;
  Policy policy_;
  bool fast_ = false;
  int narrowing_ = 0;
  detail::BatchKernel<std::uint32_t> k32_{};
  detail::BatchKernel<std::uint64_t> k64_{};
};

// One-shot form of Converter.
template <class SrcT, class DstT>
NUMCONF_HD void convert_batch(const Format& from, const Format& to, const Policy& p,
                              std::span<const SrcT> in, std::span<DstT> out,
                              std::span<const std::uint64_t> random = {}) {
  Converter(from, to, p)(in, out, random);
}

}  // namespace numconf
