// The exhaustive f32 -> e4m3fn sweep of the cuda-host backend against the model
// (__nv_cvt_float_to_fp8(SATFINITE, E4M3)), and its parts per core:
//   BM_VendorPerCore   NVIDIA's host code alone (through Backend::run, one thread)
//   BM_SweepPerCore    NVIDIA's code + the model's typed batch path + the comparison, one thread
//   BM_SweepAll2p32    all 2^32 inputs on every core (hw::compare_range), wall time
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "hw/backend.hpp"
#include "hw/compare.hpp"

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
