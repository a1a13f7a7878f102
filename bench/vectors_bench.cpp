// gen --exhaustive's kernel: f32 -> e4m3fn codes and flags for consecutive f32 codes, as
// (expected, flags) records, by table lookup (tools/lookup_convert.hpp) and, for comparison,
// by the scalar convert.  One thread; gen runs one such loop per core.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "formats/registry.hpp"
#include "tools/lookup_convert.hpp"

namespace {

using numconf::cli::LookupConverter;

constexpr std::uint64_t kBlock = 1 << 20;     // records per iteration: 2 MiB, in L2/L3
constexpr std::uint64_t kFirst = 0x3c000000;  // around 2^-7 .. 2: every kind of e4m3fn result

void BM_LookupRecords(benchmark::State& state) {
  const LookupConverter lookup(numconf::kF32, numconf::kE4M3FN, numconf::Policy{});
  std::vector<std::uint16_t> records(kBlock);
  std::uint64_t first = kFirst;
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kBlock; ++i) {
      const std::uint32_t r = lookup(first + i);
      records[i] = std::uint16_t((r & 0xff) | (r >> 8 & 0xff00));
    }
    benchmark::DoNotOptimize(records.data());
    first = (first + kBlock) & 0xffffffff;
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * kBlock));
}
BENCHMARK(BM_LookupRecords);

void BM_ScalarConvertRecords(benchmark::State& state) {
  const numconf::Format from = numconf::kF32, to = numconf::kE4M3FN;
  const numconf::Policy p;
  std::vector<std::uint16_t> records(kBlock);
  std::uint64_t first = kFirst;
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kBlock; ++i) {
      const numconf::Rounded r = numconf::convert(from, to, first + i, p);
      records[i] = std::uint16_t(r.bits | std::uint64_t{r.flags} << 8);
    }
    benchmark::DoNotOptimize(records.data());
    first = (first + kBlock) & 0xffffffff;
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * kBlock));
}
BENCHMARK(BM_ScalarConvertRecords);

}  // namespace

BENCHMARK_MAIN();
