// Every host conversion entry point of the CUDA narrow-float headers (scalar, x2 lane by lane,
// integer <-> half/bfloat16; docs/profiles.md lists the few left out and why), with the policy
// NVIDIA's code follows stated in the model's terms under Profile::Cuda.  Sources
// of up to 32 bits are also offered as a typed sweep: NVIDIA's function and the model's typed
// batch path (formats/batch.hpp) on the same block of codes, so an exhaustive f32 sweep costs
// little more than NVIDIA's code itself.
#include "hw/cuda_host/cuda_host_backend.hpp"

#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>

#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "formats/batch.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"

namespace numconf::hw {

namespace {

constexpr Policy cuda(Rounding r, Overflow o = Overflow::None,
                      NanToNanless nan = NanToNanless::Zero) {
  Policy p;
  p.rounding = r;
  p.overflow = o;
  p.nan_to_nanless = nan;
  p.profile = Profile::Cuda;
  return p;
}

constexpr Policy model_nans(Policy p) {
  p.profile = Profile::Model;
  return p;
}

constexpr Rounding kRn = Rounding::NearestEven, kRz = Rounding::TowardZero,
                   kRu = Rounding::TowardPositive, kRd = Rounding::TowardNegative;

// Bits in and out of NVIDIA's types.
float f32(std::uint32_t x) { return std::bit_cast<float>(x); }
double f64(std::uint64_t x) { return std::bit_cast<double>(x); }
__half_raw half_raw(std::uint16_t x) {
  __half_raw r;
  r.x = x;
  return r;
}
__nv_bfloat16_raw bf16_raw(std::uint16_t x) {
  __nv_bfloat16_raw r;
  r.x = x;
  return r;
}
std::uint16_t bits(__half h) { return __half_raw(h).x; }
std::uint16_t bits(__nv_bfloat16 h) { return __nv_bfloat16_raw(h).x; }
std::uint32_t bits(float f) { return std::bit_cast<std::uint32_t>(f); }

// Two lanes in and out of NVIDIA's packed types: x is the low lane.
using LaneBits = std::pair<std::uint64_t, std::uint64_t>;
float2 f32x2(std::uint32_t x, std::uint32_t y) { return float2{f32(x), f32(y)}; }
double2 f64x2(std::uint64_t x, std::uint64_t y) { return double2{f64(x), f64(y)}; }
__half2_raw half2_raw(std::uint16_t x, std::uint16_t y) {
  __half2_raw r;
  r.x = x;
  r.y = y;
  return r;
}
__nv_bfloat162_raw bf162_raw(std::uint16_t x, std::uint16_t y) {
  __nv_bfloat162_raw r;
  r.x = x;
  r.y = y;
  return r;
}
LaneBits bytes(std::uint16_t v) { return {v & 0xffu, v >> 8}; }            // fp8x2, fp6x2, e8m0x2
LaneBits nibbles(std::uint8_t v) { return {v & 0xfu, unsigned(v) >> 4}; }  // fp4x2
LaneBits lanes(__half2_raw r) { return {r.x, r.y}; }
LaneBits lanes(__nv_bfloat162_raw r) { return {r.x, r.y}; }
LaneBits lanes(__half2 h) { return {bits(h.x), bits(h.y)}; }
LaneBits lanes(__nv_bfloat162 h) { return {bits(h.x), bits(h.y)}; }
LaneBits lanes(float2 f) { return {bits(f.x), bits(f.y)}; }

struct Entry {
  Operation op;
  void (*run)(const Batch&);
  // A dense sweep against the typed model, or nullptr for sources wider than 32 bits.
  SweepResult (*sweep)(std::uint64_t first, std::uint64_t count, std::size_t keep);
};

// How NVIDIA's function meets a block of codes.  Each: one code per call.  Pairs: an x2 entry
// point, checked lane by lane: codes i and i + 1 go into lanes x (low) and y (high) of one
// call and its two lanes come back as results i and i + 1 (an odd last code fills both lanes),
// so every code is compared with the model's scalar conversion in one lane, and a lane mix-up
// shows as a mismatch.  `Vendor2(x, y)` returns {lane x, lane y}.  flatten: NVIDIA's code is
// inlined whole into the loop, its format and saturation arguments folded as constants.
template <class Src, auto Vendor>
struct Each {
  template <class In, class Out>
  __attribute__((flatten)) static void run(std::span<const In> in, std::span<Out> out) {
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = Out(Vendor(Src(in[i])));
  }
};
template <class Src, auto Vendor2>
struct Pairs {
  template <class In, class Out>
  __attribute__((flatten)) static void run(std::span<const In> in, std::span<Out> out) {
    const std::size_t n = in.size();
    for (std::size_t i = 0; i + 1 < n; i += 2) {
      const auto [x, y] = Vendor2(Src(in[i]), Src(in[i + 1]));
      out[i] = Out(x);
      out[i + 1] = Out(y);
    }
    if (n % 2 == 1) out[n - 1] = Out(Vendor2(Src(in[n - 1]), Src(in[n - 1])).first);
  }
};

template <class Lanes>
void run_vendor(const Batch& b) {
  Lanes::run(b.a.first(b.result.size()), b.result);
}

// The model's typed batch path, compiled twice: with AVX2 (its per-lane shifts need it to
// vectorize) and for baseline x86-64, chosen by CPUID.
template <Format From, Format To, Policy P>
__attribute__((target("avx2"), flatten)) void model_avx2(std::span<const container_t<From>> in,
                                                         std::span<container_t<To>> out) {
  convert_batch<From, To, P>(in, out);
}
template <Format From, Format To, Policy P>
__attribute__((flatten)) void model_baseline(std::span<const container_t<From>> in,
                                             std::span<container_t<To>> out) {
  convert_batch<From, To, P>(in, out);
}

// NVIDIA's function and the model on the same block of codes, compared with memcmp; the model
// side is the typed batch kernel, so the sweep costs little more than NVIDIA's code.
template <Format From, Format To, Policy P, class Lanes>
SweepResult sweep_typed(std::uint64_t first, std::uint64_t count, std::size_t keep) {
  using In = container_t<From>;
  using Out = container_t<To>;
  constexpr std::size_t kBlock = 4096;  // in, want and got stay in L1
  std::array<In, kBlock> in;
  std::array<Out, kBlock> want, got;
  const auto model =
      __builtin_cpu_supports("avx2") ? &model_avx2<From, To, P> : &model_baseline<From, To, P>;
  SweepResult r;
  for (std::uint64_t done = 0; done < count; done += kBlock) {
    const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlock, count - done));
    for (std::size_t i = 0; i < n; ++i) in[i] = In(first + done + i);
    const std::span<const In> codes(in.data(), n);
    model(codes, std::span<Out>(want.data(), n));
    Lanes::run(codes, std::span<Out>(got.data(), n));
    r.cases += n;
    if (std::memcmp(want.data(), got.data(), n * sizeof(Out)) == 0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      if (want[i] == got[i]) continue;
      ++r.mismatches;
      if (r.first.size() < keep)
        r.first.push_back({{in[i], 0, 0}, convert(From, To, in[i], P), {got[i], 0}});
    }
  }
  return r;
}

template <Format From, Format To, Policy P, class Lanes>
Entry lanes_entry(std::string name) {
  Entry e{Operation{.name = std::move(name),
                    .kind = OpKind::Convert,
                    .operand = From,
                    .result = To,
                    .policy = P},
          &run_vendor<Lanes>, nullptr};
  if constexpr (storage_bits(From) <= 32) e.sweep = &sweep_typed<From, To, P, Lanes>;
  return e;
}

// A scalar entry point: Vendor takes the source's bits.
template <Format From, Format To, Policy P, auto Vendor>
Entry entry(std::string name) {
  return lanes_entry<From, To, P, Each<uint_for_bits<storage_bits(From)>, Vendor>>(std::move(name));
}

// An x2 entry point: Vendor2 takes the bits of lanes x and y and returns the result's.
template <Format From, Format To, Policy P, auto Vendor2>
Entry pair_entry(std::string name) {
  return lanes_entry<From, To, P, Pairs<uint_for_bits<storage_bits(From)>, Vendor2>>(
      std::move(name));
}

// cuda_fp8.h spells the format and the overflow rule as arguments.
template <__nv_fp8_interpretation_t I>
constexpr Format kFp8 = I == __NV_E4M3 ? kE4M3FN : kE5M2;
template <__nv_saturation_t S>
constexpr Overflow kSat = S == __NV_SATFINITE ? Overflow::Finite : Overflow::None;
template <__nv_fp6_interpretation_t I>
constexpr Format kFp6 = I == __NV_E2M3 ? kE2M3FN : kE3M2FN;
template <cudaRoundMode R>
constexpr Rounding kMode = R == cudaRoundNearest ? kRn
                           : R == cudaRoundZero  ? kRz
                                                 : kRu;

const char* name_of(__nv_fp8_interpretation_t i) { return i == __NV_E4M3 ? "E4M3" : "E5M2"; }
const char* name_of(__nv_fp6_interpretation_t i) { return i == __NV_E2M3 ? "E2M3" : "E3M2"; }
const char* name_of(__nv_saturation_t s) { return s == __NV_SATFINITE ? "SATFINITE" : "NOSAT"; }
const char* name_of(cudaRoundMode r) {
  return r == cudaRoundNearest ? "cudaRoundNearest"
         : r == cudaRoundZero  ? "cudaRoundZero"
                               : "cudaRoundPosInf";
}

// The double entry point keeps a NaN's sign and its top payload bit (e5m2 0x7e | bit 50): the
// model's own IEEE rule, so it claims Profile::Model; the float, half and bf16 ones first make
// every NaN 0x7fffffff (cuda_fp8.hpp), which is Profile::Cuda's canonical NaN.
template <__nv_fp8_interpretation_t I, __nv_saturation_t S>
void add_fp8(std::vector<Entry>& out) {
  constexpr Format To = kFp8<I>;
  constexpr Policy P = cuda(kRn, kSat<S>);
  constexpr Policy kDouble = model_nans(P);
  const std::string args = std::string("(") + name_of(S) + ", " + name_of(I) + ")";
  out.push_back(
      entry<kF32, To, P, [](std::uint32_t x) { return __nv_cvt_float_to_fp8(f32(x), S, I); }>(
          "__nv_cvt_float_to_fp8" + args));
  out.push_back(entry<kF64, To, kDouble, [](std::uint64_t x) {
    return __nv_cvt_double_to_fp8(f64(x), S, I);
  }>("__nv_cvt_double_to_fp8" + args));
  out.push_back(entry<kF16, To, P, [](std::uint16_t x) {
    return __nv_cvt_halfraw_to_fp8(half_raw(x), S, I);
  }>("__nv_cvt_halfraw_to_fp8" + args));
  out.push_back(entry<kBF16, To, P, [](std::uint16_t x) {
    return __nv_cvt_bfloat16raw_to_fp8(bf16_raw(x), S, I);
  }>("__nv_cvt_bfloat16raw_to_fp8" + args));
  out.push_back(pair_entry<kF32, To, P, [](std::uint32_t x, std::uint32_t y) {
    return bytes(__nv_cvt_float2_to_fp8x2(f32x2(x, y), S, I));
  }>("__nv_cvt_float2_to_fp8x2" + args));
  out.push_back(pair_entry<kF64, To, kDouble, [](std::uint64_t x, std::uint64_t y) {
    return bytes(__nv_cvt_double2_to_fp8x2(f64x2(x, y), S, I));
  }>("__nv_cvt_double2_to_fp8x2" + args));
  out.push_back(pair_entry<kF16, To, P, [](std::uint16_t x, std::uint16_t y) {
    return bytes(__nv_cvt_halfraw2_to_fp8x2(half2_raw(x, y), S, I));
  }>("__nv_cvt_halfraw2_to_fp8x2" + args));
  out.push_back(pair_entry<kBF16, To, P, [](std::uint16_t x, std::uint16_t y) {
    return bytes(__nv_cvt_bfloat16raw2_to_fp8x2(bf162_raw(x, y), S, I));
  }>("__nv_cvt_bfloat16raw2_to_fp8x2" + args));
}

template <__nv_fp8_interpretation_t I>
void add_fp8_widening(std::vector<Entry>& out) {
  constexpr Policy kNone = cuda(kRn);
  const std::string args = std::string("(") + name_of(I) + ")";
  out.push_back(
      entry<kFp8<I>, kF16, kNone, [](std::uint8_t x) { return __nv_cvt_fp8_to_halfraw(x, I).x; }>(
          "__nv_cvt_fp8_to_halfraw" + args));
  out.push_back(pair_entry<kFp8<I>, kF16, kNone, [](std::uint8_t x, std::uint8_t y) {
    return lanes(__nv_cvt_fp8x2_to_halfraw2(__nv_fp8x2_storage_t(x | y << 8), I));
  }>("__nv_cvt_fp8x2_to_halfraw2" + args));
}

// e8m0 reads |x| (NVIDIA's choice, docs/profiles.md) and rounds toward zero or up.
template <__nv_saturation_t S, cudaRoundMode R>
void add_e8m0(std::vector<Entry>& out) {
  constexpr Policy P = cuda(kMode<R>, kSat<S>);
  const std::string args = std::string("(") + name_of(S) + ", " + name_of(R) + ")";
  out.push_back(entry<kF32, kE8M0FNU, P, [](std::uint32_t x) {
    return __nv_cvt_float_to_e8m0(f32(x), S, R);
  }>("__nv_cvt_float_to_e8m0" + args));
  out.push_back(entry<kF64, kE8M0FNU, P, [](std::uint64_t x) {
    return __nv_cvt_double_to_e8m0(f64(x), S, R);
  }>("__nv_cvt_double_to_e8m0" + args));
  out.push_back(entry<kBF16, kE8M0FNU, P, [](std::uint16_t x) {
    return __nv_cvt_bfloat16raw_to_e8m0(bf16_raw(x), S, R);
  }>("__nv_cvt_bfloat16raw_to_e8m0" + args));
  out.push_back(pair_entry<kF32, kE8M0FNU, P, [](std::uint32_t x, std::uint32_t y) {
    return bytes(__nv_cvt_float2_to_e8m0x2(f32x2(x, y), S, R));
  }>("__nv_cvt_float2_to_e8m0x2" + args));
  out.push_back(pair_entry<kF64, kE8M0FNU, P, [](std::uint64_t x, std::uint64_t y) {
    return bytes(__nv_cvt_double2_to_e8m0x2(f64x2(x, y), S, R));
  }>("__nv_cvt_double2_to_e8m0x2" + args));
  out.push_back(pair_entry<kBF16, kE8M0FNU, P, [](std::uint16_t x, std::uint16_t y) {
    return bytes(__nv_cvt_bfloat162raw_to_e8m0x2(bf162_raw(x, y), S, R));
  }>("__nv_cvt_bfloat162raw_to_e8m0x2" + args));
}

// fp6 and fp4 always saturate (Inf too) and turn NaN into +max finite.
template <__nv_fp6_interpretation_t I, cudaRoundMode R>
void add_fp6(std::vector<Entry>& out) {
  constexpr Format To = kFp6<I>;
  constexpr Policy P = cuda(kMode<R>, Overflow::Finite, NanToNanless::MaxFinite);
  const std::string args = std::string("(") + name_of(I) + ", " + name_of(R) + ")";
  out.push_back(
      entry<kF32, To, P, [](std::uint32_t x) { return __nv_cvt_float_to_fp6(f32(x), I, R); }>(
          "__nv_cvt_float_to_fp6" + args));
  out.push_back(
      entry<kF64, To, P, [](std::uint64_t x) { return __nv_cvt_double_to_fp6(f64(x), I, R); }>(
          "__nv_cvt_double_to_fp6" + args));
  out.push_back(entry<kF16, To, P, [](std::uint16_t x) {
    return __nv_cvt_halfraw_to_fp6(half_raw(x), I, R);
  }>("__nv_cvt_halfraw_to_fp6" + args));
  out.push_back(entry<kBF16, To, P, [](std::uint16_t x) {
    return __nv_cvt_bfloat16raw_to_fp6(bf16_raw(x), I, R);
  }>("__nv_cvt_bfloat16raw_to_fp6" + args));
  out.push_back(pair_entry<kF32, To, P, [](std::uint32_t x, std::uint32_t y) {
    return bytes(__nv_cvt_float2_to_fp6x2(f32x2(x, y), I, R));
  }>("__nv_cvt_float2_to_fp6x2" + args));
  out.push_back(pair_entry<kF64, To, P, [](std::uint64_t x, std::uint64_t y) {
    return bytes(__nv_cvt_double2_to_fp6x2(f64x2(x, y), I, R));
  }>("__nv_cvt_double2_to_fp6x2" + args));
  out.push_back(pair_entry<kF16, To, P, [](std::uint16_t x, std::uint16_t y) {
    return bytes(__nv_cvt_halfraw2_to_fp6x2(half2_raw(x, y), I, R));
  }>("__nv_cvt_halfraw2_to_fp6x2" + args));
  out.push_back(pair_entry<kBF16, To, P, [](std::uint16_t x, std::uint16_t y) {
    return bytes(__nv_cvt_bfloat16raw2_to_fp6x2(bf162_raw(x, y), I, R));
  }>("__nv_cvt_bfloat16raw2_to_fp6x2" + args));
}

template <__nv_fp6_interpretation_t I>
void add_fp6_widening(std::vector<Entry>& out) {
  constexpr Policy kNone = cuda(kRn);
  const std::string args = std::string("(") + name_of(I) + ")";
  out.push_back(
      entry<kFp6<I>, kF16, kNone, [](std::uint8_t x) { return __nv_cvt_fp6_to_halfraw(x, I).x; }>(
          "__nv_cvt_fp6_to_halfraw" + args));
  out.push_back(pair_entry<kFp6<I>, kF16, kNone, [](std::uint8_t x, std::uint8_t y) {
    return lanes(__nv_cvt_fp6x2_to_halfraw2(__nv_fp6x2_storage_t(x | y << 8), I));
  }>("__nv_cvt_fp6x2_to_halfraw2" + args));
}

template <cudaRoundMode R>
void add_fp4(std::vector<Entry>& out) {
  constexpr Policy P = cuda(kMode<R>, Overflow::Finite, NanToNanless::MaxFinite);
  const std::string args = std::string("(E2M1, ") + name_of(R) + ")";
  out.push_back(entry<kF32, kE2M1FN, P, [](std::uint32_t x) {
    return __nv_cvt_float_to_fp4(f32(x), __NV_E2M1, R);
  }>("__nv_cvt_float_to_fp4" + args));
  out.push_back(entry<kF64, kE2M1FN, P, [](std::uint64_t x) {
    return __nv_cvt_double_to_fp4(f64(x), __NV_E2M1, R);
  }>("__nv_cvt_double_to_fp4" + args));
  out.push_back(entry<kF16, kE2M1FN, P, [](std::uint16_t x) {
    return __nv_cvt_halfraw_to_fp4(half_raw(x), __NV_E2M1, R);
  }>("__nv_cvt_halfraw_to_fp4" + args));
  out.push_back(entry<kBF16, kE2M1FN, P, [](std::uint16_t x) {
    return __nv_cvt_bfloat16raw_to_fp4(bf16_raw(x), __NV_E2M1, R);
  }>("__nv_cvt_bfloat16raw_to_fp4" + args));
  out.push_back(pair_entry<kF32, kE2M1FN, P, [](std::uint32_t x, std::uint32_t y) {
    return nibbles(__nv_cvt_float2_to_fp4x2(f32x2(x, y), __NV_E2M1, R));
  }>("__nv_cvt_float2_to_fp4x2" + args));
  out.push_back(pair_entry<kF64, kE2M1FN, P, [](std::uint64_t x, std::uint64_t y) {
    return nibbles(__nv_cvt_double2_to_fp4x2(f64x2(x, y), __NV_E2M1, R));
  }>("__nv_cvt_double2_to_fp4x2" + args));
  out.push_back(pair_entry<kF16, kE2M1FN, P, [](std::uint16_t x, std::uint16_t y) {
    return nibbles(__nv_cvt_halfraw2_to_fp4x2(half2_raw(x, y), __NV_E2M1, R));
  }>("__nv_cvt_halfraw2_to_fp4x2" + args));
  out.push_back(pair_entry<kBF16, kE2M1FN, P, [](std::uint16_t x, std::uint16_t y) {
    return nibbles(__nv_cvt_bfloat16raw2_to_fp4x2(bf162_raw(x, y), __NV_E2M1, R));
  }>("__nv_cvt_bfloat16raw2_to_fp4x2" + args));
}

// cuda_fp16.h and cuda_bf16.h pairs: float2 <-> half2/bfloat162, both lanes from two floats,
// one float into both lanes (each lane checked on its own call), and the lane extractors.
void add_half_pairs(std::vector<Entry>& out) {
  constexpr Policy kNone = cuda(kRn);
  out.push_back(pair_entry<kF32, kF16, kNone, [](std::uint32_t x, std::uint32_t y) {
    return lanes(__float22half2_rn(f32x2(x, y)));
  }>("__float22half2_rn"));
  out.push_back(pair_entry<kF32, kF16, kNone, [](std::uint32_t x, std::uint32_t y) {
    return lanes(__floats2half2_rn(f32(x), f32(y)));
  }>("__floats2half2_rn"));
  out.push_back(pair_entry<kF32, kF16, kNone, [](std::uint32_t x, std::uint32_t y) {
    return LaneBits{bits(__float2half2_rn(f32(x)).x), bits(__float2half2_rn(f32(y)).y)};
  }>("__float2half2_rn"));
  out.push_back(pair_entry<kF16, kF32, kNone, [](std::uint16_t x, std::uint16_t y) {
    return lanes(__half22float2(__half2(half2_raw(x, y))));
  }>("__half22float2"));
  out.push_back(pair_entry<kF16, kF32, kNone, [](std::uint16_t x, std::uint16_t y) {
    const __half2 h(half2_raw(x, y));
    return LaneBits{bits(__low2float(h)), bits(__high2float(h))};
  }>("__low2float, __high2float (half2)"));
}

void add_bfloat16_pairs(std::vector<Entry>& out) {
  constexpr Policy kNone = cuda(kRn);
  out.push_back(pair_entry<kF32, kBF16, kNone, [](std::uint32_t x, std::uint32_t y) {
    return lanes(__float22bfloat162_rn(f32x2(x, y)));
  }>("__float22bfloat162_rn"));
  out.push_back(pair_entry<kF32, kBF16, kNone, [](std::uint32_t x, std::uint32_t y) {
    return lanes(__floats2bfloat162_rn(f32(x), f32(y)));
  }>("__floats2bfloat162_rn"));
  out.push_back(pair_entry<kF32, kBF16, kNone, [](std::uint32_t x, std::uint32_t y) {
    return LaneBits{bits(__float2bfloat162_rn(f32(x)).x), bits(__float2bfloat162_rn(f32(y)).y)};
  }>("__float2bfloat162_rn"));
  out.push_back(pair_entry<kBF16, kF32, kNone, [](std::uint16_t x, std::uint16_t y) {
    return lanes(__bfloat1622float2(__nv_bfloat162(bf162_raw(x, y))));
  }>("__bfloat1622float2"));
  out.push_back(pair_entry<kBF16, kF32, kNone, [](std::uint16_t x, std::uint16_t y) {
    const __nv_bfloat162 h(bf162_raw(x, y));
    return LaneBits{bits(__low2float(h)), bits(__high2float(h))};
  }>("__low2float, __high2float (bfloat162)"));
}

constexpr Format kU16 = int_format(16, false);
constexpr Format kU32 = int_format(32, false);
constexpr Format kU64 = int_format(64, false);

// Integer to half in the four roundings and to bfloat16 (_rn only on the host); the
// integer's bits go in as its C++ type.
template <Format Int, auto Rn, auto Rz, auto Rd, auto Ru, auto Bf16Rn>
void add_int_to_half(std::vector<Entry>& out, const std::string& name) {
  using Bits = uint_for_bits<storage_bits(Int)>;
  out.push_back(
      entry<Int, kF16, cuda(kRn), [](Bits x) { return bits(Rn(x)); }>("__" + name + "2half_rn"));
  out.push_back(
      entry<Int, kF16, cuda(kRz), [](Bits x) { return bits(Rz(x)); }>("__" + name + "2half_rz"));
  out.push_back(
      entry<Int, kF16, cuda(kRd), [](Bits x) { return bits(Rd(x)); }>("__" + name + "2half_rd"));
  out.push_back(
      entry<Int, kF16, cuda(kRu), [](Bits x) { return bits(Ru(x)); }>("__" + name + "2half_ru"));
  out.push_back(entry<Int, kBF16, cuda(kRn), [](Bits x) { return bits(Bf16Rn(x)); }>(
      "__" + name + "2bfloat16_rn"));
}

// Half and bfloat16 to integer toward zero (the other roundings are device code only): the
// result clamps to the integer's range and NaN gives 0, as the GPU's cvt does (PTX ISA).
template <Format Int, auto FromHalf, auto FromBf16>
void add_half_to_int(std::vector<Entry>& out, const std::string& name) {
  using Bits = uint_for_bits<storage_bits(Int)>;
  constexpr Policy kClamp = cuda(kRz, Overflow::Finite);
  out.push_back(
      entry<kF16, Int, kClamp, [](std::uint16_t x) { return Bits(FromHalf(__half(half_raw(x)))); }>(
          "__half2" + name + "_rz"));
  out.push_back(entry<kBF16, Int, kClamp, [](std::uint16_t x) {
    return Bits(FromBf16(__nv_bfloat16(bf16_raw(x))));
  }>("__bfloat162" + name + "_rz"));
}

void add_integers(std::vector<Entry>& out) {
  add_int_to_half<
      kI16, [](short i) { return __short2half_rn(i); }, [](short i) { return __short2half_rz(i); },
      [](short i) { return __short2half_rd(i); }, [](short i) { return __short2half_ru(i); },
      [](short i) { return __short2bfloat16_rn(i); }>(out, "short");
  add_int_to_half<kU16, [](unsigned short i) { return __ushort2half_rn(i); },
                  [](unsigned short i) { return __ushort2half_rz(i); },
                  [](unsigned short i) { return __ushort2half_rd(i); },
                  [](unsigned short i) { return __ushort2half_ru(i); },
                  [](unsigned short i) { return __ushort2bfloat16_rn(i); }>(out, "ushort");
  add_int_to_half<kI32, [](int i) { return __int2half_rn(i); },
                  [](int i) { return __int2half_rz(i); }, [](int i) { return __int2half_rd(i); },
                  [](int i) { return __int2half_ru(i); },
                  [](int i) { return __int2bfloat16_rn(i); }>(out, "int");
  add_int_to_half<kU32, [](unsigned i) { return __uint2half_rn(i); },
                  [](unsigned i) { return __uint2half_rz(i); },
                  [](unsigned i) { return __uint2half_rd(i); },
                  [](unsigned i) { return __uint2half_ru(i); },
                  [](unsigned i) { return __uint2bfloat16_rn(i); }>(out, "uint");
  add_int_to_half<
      kI64, [](long long i) { return __ll2half_rn(i); },
      [](long long i) { return __ll2half_rz(i); }, [](long long i) { return __ll2half_rd(i); },
      [](long long i) { return __ll2half_ru(i); }, [](long long i) { return __ll2bfloat16_rn(i); }>(
      out, "ll");
  add_int_to_half<kU64, [](unsigned long long i) { return __ull2half_rn(i); },
                  [](unsigned long long i) { return __ull2half_rz(i); },
                  [](unsigned long long i) { return __ull2half_rd(i); },
                  [](unsigned long long i) { return __ull2half_ru(i); },
                  [](unsigned long long i) { return __ull2bfloat16_rn(i); }>(out, "ull");
  add_half_to_int<kI8, [](__half h) { return __half2char_rz(h); },
                  [](__nv_bfloat16 h) { return __bfloat162char_rz(h); }>(out, "char");
  add_half_to_int<kU8, [](__half h) { return __half2uchar_rz(h); },
                  [](__nv_bfloat16 h) { return __bfloat162uchar_rz(h); }>(out, "uchar");
  add_half_to_int<kI16, [](__half h) { return __half2short_rz(h); },
                  [](__nv_bfloat16 h) { return __bfloat162short_rz(h); }>(out, "short");
  add_half_to_int<kU16, [](__half h) { return __half2ushort_rz(h); },
                  [](__nv_bfloat16 h) { return __bfloat162ushort_rz(h); }>(out, "ushort");
  add_half_to_int<kI32, [](__half h) { return __half2int_rz(h); },
                  [](__nv_bfloat16 h) { return __bfloat162int_rz(h); }>(out, "int");
  add_half_to_int<kU32, [](__half h) { return __half2uint_rz(h); },
                  [](__nv_bfloat16 h) { return __bfloat162uint_rz(h); }>(out, "uint");
  // __half2ll_rz, __half2ull_rz and their bfloat16 twins are left out: NVIDIA's host code
  // gives 0x8000000000000000 for NaN, which profile cuda does not state (docs/profiles.md).
}

std::vector<Entry> make_entries() {
  std::vector<Entry> out;
  // cuda_fp16.h
  constexpr Policy kNone = cuda(kRn);
  out.push_back(
      entry<kF32, kF16, kNone, [](std::uint32_t x) { return bits(__float2half(f32(x))); }>(
          "__float2half"));
  out.push_back(
      entry<kF32, kF16, kNone, [](std::uint32_t x) { return bits(__float2half_rn(f32(x))); }>(
          "__float2half_rn"));
  out.push_back(
      entry<kF32, kF16, cuda(kRz), [](std::uint32_t x) { return bits(__float2half_rz(f32(x))); }>(
          "__float2half_rz"));
  out.push_back(
      entry<kF32, kF16, cuda(kRd), [](std::uint32_t x) { return bits(__float2half_rd(f32(x))); }>(
          "__float2half_rd"));
  out.push_back(
      entry<kF32, kF16, cuda(kRu), [](std::uint32_t x) { return bits(__float2half_ru(f32(x))); }>(
          "__float2half_ru"));
  out.push_back(
      entry<kF64, kF16, kNone, [](std::uint64_t x) { return bits(__double2half(f64(x))); }>(
          "__double2half"));
  out.push_back(entry<kF16, kF32, kNone, [](std::uint16_t x) {
    return std::bit_cast<std::uint32_t>(__half2float(__half(half_raw(x))));
  }>("__half2float"));
  // cuda_bf16.h
  out.push_back(
      entry<kF32, kBF16, kNone, [](std::uint32_t x) { return bits(__float2bfloat16(f32(x))); }>(
          "__float2bfloat16"));
  out.push_back(
      entry<kF32, kBF16, kNone, [](std::uint32_t x) { return bits(__float2bfloat16_rn(f32(x))); }>(
          "__float2bfloat16_rn"));
  out.push_back(entry<kF32, kBF16, cuda(kRz), [](std::uint32_t x) {
    return bits(__float2bfloat16_rz(f32(x)));
  }>("__float2bfloat16_rz"));
  out.push_back(entry<kF32, kBF16, cuda(kRd), [](std::uint32_t x) {
    return bits(__float2bfloat16_rd(f32(x)));
  }>("__float2bfloat16_rd"));
  out.push_back(entry<kF32, kBF16, cuda(kRu), [](std::uint32_t x) {
    return bits(__float2bfloat16_ru(f32(x)));
  }>("__float2bfloat16_ru"));
  out.push_back(
      entry<kF64, kBF16, kNone, [](std::uint64_t x) { return bits(__double2bfloat16(f64(x))); }>(
          "__double2bfloat16"));
  out.push_back(entry<kBF16, kF32, kNone, [](std::uint16_t x) {
    return std::bit_cast<std::uint32_t>(__bfloat162float(__nv_bfloat16(bf16_raw(x))));
  }>("__bfloat162float"));
  // cuda_fp8.h
  add_fp8<__NV_E4M3, __NV_NOSAT>(out);
  add_fp8<__NV_E4M3, __NV_SATFINITE>(out);
  add_fp8<__NV_E5M2, __NV_NOSAT>(out);
  add_fp8<__NV_E5M2, __NV_SATFINITE>(out);
  add_fp8_widening<__NV_E4M3>(out);
  add_fp8_widening<__NV_E5M2>(out);
  add_e8m0<__NV_NOSAT, cudaRoundZero>(out);
  add_e8m0<__NV_NOSAT, cudaRoundPosInf>(out);
  add_e8m0<__NV_SATFINITE, cudaRoundZero>(out);
  add_e8m0<__NV_SATFINITE, cudaRoundPosInf>(out);
  out.push_back(
      entry<kE8M0FNU, kBF16, kNone, [](std::uint8_t x) { return __nv_cvt_e8m0_to_bf16raw(x).x; }>(
          "__nv_cvt_e8m0_to_bf16raw"));
  out.push_back(pair_entry<kE8M0FNU, kBF16, kNone, [](std::uint8_t x, std::uint8_t y) {
    return lanes(__nv_cvt_e8m0x2_to_bf162raw(__nv_fp8x2_storage_t(x | y << 8)));
  }>("__nv_cvt_e8m0x2_to_bf162raw"));
  // cuda_fp6.h
  add_fp6<__NV_E2M3, cudaRoundNearest>(out);
  add_fp6<__NV_E2M3, cudaRoundZero>(out);
  add_fp6<__NV_E3M2, cudaRoundNearest>(out);
  add_fp6<__NV_E3M2, cudaRoundZero>(out);
  add_fp6_widening<__NV_E2M3>(out);
  add_fp6_widening<__NV_E3M2>(out);
  // cuda_fp4.h
  add_fp4<cudaRoundNearest>(out);
  add_fp4<cudaRoundZero>(out);
  out.push_back(entry<kE2M1FN, kF16, kNone, [](std::uint8_t x) {
    return __nv_cvt_fp4_to_halfraw(x, __NV_E2M1).x;
  }>("__nv_cvt_fp4_to_halfraw(E2M1)"));
  out.push_back(pair_entry<kE2M1FN, kF16, kNone, [](std::uint8_t x, std::uint8_t y) {
    return lanes(__nv_cvt_fp4x2_to_halfraw2(__nv_fp4x2_storage_t(x | y << 4), __NV_E2M1));
  }>("__nv_cvt_fp4x2_to_halfraw2(E2M1)"));
  add_half_pairs(out);
  add_bfloat16_pairs(out);
  add_integers(out);
  return out;
}

class CudaHostBackend final : public Backend {
 public:
  CudaHostBackend() : entries_(make_entries()) {}

  std::string_view name() const override { return "cuda-host"; }
  std::string unavailable_reason() const override { return {}; }
  std::vector<MachineFact> machine() const override {
    return {{"cuda_headers",
             std::to_string(CUDA_VERSION / 1000) + "." + std::to_string(CUDA_VERSION % 1000 / 10)}};
  }
  std::vector<Operation> operations() const override {
    std::vector<Operation> ops;
    for (const Entry& e : entries_) ops.push_back(e.op);
    return ops;
  }
  void run(const Operation& op, const Batch& batch) const override { find(op).run(batch); }
  std::optional<SweepResult> sweep(const Operation& op, std::uint64_t first, std::uint64_t count,
                                   std::size_t keep) const override {
    const Entry& e = find(op);
    if (e.sweep == nullptr) return std::nullopt;
    return e.sweep(first, count, keep);
  }

 private:
  const Entry& find(const Operation& op) const {
    for (const Entry& e : entries_)
      if (e.op.name == op.name) return e;
    throw std::invalid_argument("cuda-host has no operation " + op.name);
  }
  std::vector<Entry> entries_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_host_backend() { return std::make_unique<CudaHostBackend>(); }

}  // namespace numconf::hw
