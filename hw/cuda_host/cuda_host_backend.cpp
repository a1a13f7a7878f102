// Every host conversion entry point of the CUDA narrow-float headers, with the policy NVIDIA's
// code follows stated in the model's terms under Profile::Cuda (docs/profiles.md).  Sources
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

struct Entry {
  Operation op;
  void (*run)(const Batch&);
  // A dense sweep against the typed model, or nullptr for sources wider than 32 bits.
  SweepResult (*sweep)(std::uint64_t first, std::uint64_t count, std::size_t keep);
};

template <class Src, auto Vendor>
void run_vendor(const Batch& b) {
  for (std::size_t i = 0; i < b.result.size(); ++i) b.result[i] = Vendor(Src(b.a[i]));
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

template <Format From, Format To, Policy P, auto Vendor>
SweepResult sweep_typed(std::uint64_t first, std::uint64_t count, std::size_t keep) {
  using In = container_t<From>;
  using Out = container_t<To>;
  constexpr std::size_t kBlock = 4096;
  std::array<In, kBlock> in;
  std::array<Out, kBlock> want, got;
  const auto model =
      __builtin_cpu_supports("avx2") ? &model_avx2<From, To, P> : &model_baseline<From, To, P>;
  SweepResult r;
  for (std::uint64_t done = 0; done < count; done += kBlock) {
    const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlock, count - done));
    for (std::size_t i = 0; i < n; ++i) in[i] = In(first + done + i);
    model(std::span<const In>(in.data(), n), std::span<Out>(want.data(), n));
    for (std::size_t i = 0; i < n; ++i) got[i] = Out(Vendor(in[i]));
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

template <Format From, Format To, Policy P, auto Vendor>
Entry entry(std::string name) {
  using Src = uint_for_bits<storage_bits(From)>;
  Entry e{Operation{.name = std::move(name),
                    .kind = OpKind::Convert,
                    .operand = From,
                    .result = To,
                    .policy = P},
          &run_vendor<Src, Vendor>, nullptr};
  if constexpr (storage_bits(From) <= 32) e.sweep = &sweep_typed<From, To, P, Vendor>;
  return e;
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
  out.push_back(entry<kE4M3FN, kF16, kNone, [](std::uint8_t x) {
    return __nv_cvt_fp8_to_halfraw(x, __NV_E4M3).x;
  }>("__nv_cvt_fp8_to_halfraw(E4M3)"));
  out.push_back(entry<kE5M2, kF16, kNone, [](std::uint8_t x) {
    return __nv_cvt_fp8_to_halfraw(x, __NV_E5M2).x;
  }>("__nv_cvt_fp8_to_halfraw(E5M2)"));
  add_e8m0<__NV_NOSAT, cudaRoundZero>(out);
  add_e8m0<__NV_NOSAT, cudaRoundPosInf>(out);
  add_e8m0<__NV_SATFINITE, cudaRoundZero>(out);
  add_e8m0<__NV_SATFINITE, cudaRoundPosInf>(out);
  out.push_back(
      entry<kE8M0FNU, kBF16, kNone, [](std::uint8_t x) { return __nv_cvt_e8m0_to_bf16raw(x).x; }>(
          "__nv_cvt_e8m0_to_bf16raw"));
  // cuda_fp6.h
  add_fp6<__NV_E2M3, cudaRoundNearest>(out);
  add_fp6<__NV_E2M3, cudaRoundZero>(out);
  add_fp6<__NV_E3M2, cudaRoundNearest>(out);
  add_fp6<__NV_E3M2, cudaRoundZero>(out);
  out.push_back(entry<kE2M3FN, kF16, kNone, [](std::uint8_t x) {
    return __nv_cvt_fp6_to_halfraw(x, __NV_E2M3).x;
  }>("__nv_cvt_fp6_to_halfraw(E2M3)"));
  out.push_back(entry<kE3M2FN, kF16, kNone, [](std::uint8_t x) {
    return __nv_cvt_fp6_to_halfraw(x, __NV_E3M2).x;
  }>("__nv_cvt_fp6_to_halfraw(E3M2)"));
  // cuda_fp4.h
  add_fp4<cudaRoundNearest>(out);
  add_fp4<cudaRoundZero>(out);
  out.push_back(entry<kE2M1FN, kF16, kNone, [](std::uint8_t x) {
    return __nv_cvt_fp4_to_halfraw(x, __NV_E2M1).x;
  }>("__nv_cvt_fp4_to_halfraw(E2M1)"));
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
