// The exhaustive f32 -> e4m3fn sweep of the cuda-host backend against the model
// (__nv_cvt_float_to_fp8(SATFINITE, E4M3)), and its parts per core:
//   BM_VendorAlone     NVIDIA's function in a loop of its own (the floor of the sweep), on one
//                      and on two threads
//   BM_ModelAlone      the model's typed batch path (AVX2), the other part of the sweep
//   BM_VendorPerCore   NVIDIA's host code through Backend::run, one thread
//   BM_SweepPerCore    NVIDIA's code + the model's typed batch path + the comparison, one thread
//   BM_SweepAll2p32    all 2^32 inputs on every core (hw::compare_range), wall time
#include <benchmark/benchmark.h>

#include <bit>
#include <span>
#include <string>
#include <vector>

#include "formats/batch.hpp"
#include "formats/registry.hpp"
#include "hw/backend.hpp"
#include "hw/compare.hpp"
#ifdef NUMCONF_WITH_CUDA_HOST_BACKEND
#include <cuda_fp8.h>
#endif

namespace {

using namespace numconf::hw;

const std::string kOp = "__nv_cvt_float_to_fp8(SATFINITE, E4M3)";

struct Target {
  std::unique_ptr<Backend> backend;
  Operation op;
};

const Target* cuda_host() {
  static const Target target = [] {
    for (auto& b : all_backends()) {
      if (b->name() != "cuda-host" || !b->unavailable_reason().empty()) continue;
      for (const Operation& op : b->operations())
        if (op.name == kOp) return Target{std::move(b), op};
    }
    return Target{};
  }();
  return target.backend ? &target : nullptr;
}

constexpr std::size_t kBlock = 4096;  // as the sweep's

#ifdef NUMCONF_WITH_CUDA_HOST_BACKEND
__attribute__((noinline)) void vendor_block(std::uint32_t first, std::uint8_t* out) {
  for (std::size_t i = 0; i < kBlock; ++i)
    out[i] = __nv_cvt_float_to_fp8(std::bit_cast<float>(std::uint32_t(first + i)), __NV_SATFINITE,
                                   __NV_E4M3);
}

void BM_VendorAlone(benchmark::State& state) {
  std::vector<std::uint8_t> out(kBlock);
  std::uint32_t first = 0;
  for (auto _ : state) {
    vendor_block(first, out.data());
    first += kBlock * 977;  // spread over every exponent
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kBlock));
}
// Two threads: whether the two cores slow each other down (shared physical core or clock).
BENCHMARK(BM_VendorAlone)->Threads(1)->Threads(2);
#endif

constexpr numconf::Policy kSatFinite = [] {
  numconf::Policy p;
  p.overflow = numconf::Overflow::Finite;
  p.profile = numconf::Profile::Cuda;
  return p;
}();

__attribute__((target("avx2"), flatten, noinline)) void model_block(
    std::span<const std::uint32_t> in, std::span<std::uint8_t> out) {
  numconf::convert_batch<numconf::kF32, numconf::kE4M3FN, kSatFinite>(in, out);
}

void BM_ModelAlone(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) return state.SkipWithError("no AVX2");
  std::vector<std::uint32_t> in(kBlock);
  std::vector<std::uint8_t> out(kBlock);
  std::uint32_t first = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBlock; ++i) in[i] = std::uint32_t(first + i);
    model_block(in, out);
    first += kBlock * 977;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kBlock));
}
BENCHMARK(BM_ModelAlone);

void BM_VendorPerCore(benchmark::State& state) {
  const Target* t = cuda_host();
  if (t == nullptr) return state.SkipWithError("cuda-host backend not built");
  std::vector<std::uint64_t> in(1 << 16), out(in.size());
  std::uint64_t first = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = (first + i) & 0xffffffffu;
    t->backend->run(t->op, Batch{in, {}, {}, out, {}});
    first += in.size() * 977;  // spread over every exponent
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(in.size()));
}
BENCHMARK(BM_VendorPerCore);

void BM_SweepPerCore(benchmark::State& state) {
  const Target* t = cuda_host();
  if (t == nullptr) return state.SkipWithError("cuda-host backend not built");
  constexpr std::uint64_t kCount = 1 << 20;
  std::uint64_t first = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t->backend->sweep(t->op, first, kCount, 3));
    first = (first + kCount * 977) & 0xffffffffu & ~(kCount - 1);
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kCount));
}
BENCHMARK(BM_SweepPerCore);

void BM_SweepAll2p32(benchmark::State& state) {
  const Target* t = cuda_host();
  if (t == nullptr) return state.SkipWithError("cuda-host backend not built");
  for (auto _ : state) {
    const SweepResult r = compare_range(*t->backend, t->op, 0, std::uint64_t{1} << 32, 3);
    if (r.mismatches != 0) state.SkipWithError("mismatches");
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) << 32);
}
BENCHMARK(BM_SweepAll2p32)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
