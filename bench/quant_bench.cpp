// Quantize + dequantize throughput, values per second on one core (see bench/RESULTS.md).
//
// Each iteration quantizes 2^20 f32 values drawn from N(0, 1) (4 MiB) into scales and codes and
// dequantizes them back to f32.  Paths: "fast", the typed paths of formats/quant_fast.hpp (MX,
// NVFP4 with its tensor scale computed in the loop, INT4 in groups of 128 along the data);
// "general", the scheme-as-data engine (formats/quant.hpp, quantize_tensor/dequantize_tensor).
// The typed path's loops are compiled twice by target_clones (AVX2 and the x86-64 baseline).
#include <benchmark/benchmark.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "formats/quant.hpp"
#include "formats/quant_fast.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define NUMCONF_BENCH_CLONES __attribute__((target_clones("avx2", "default"), flatten))
#else
#define NUMCONF_BENCH_CLONES
#endif

namespace {

using namespace numconf;

constexpr std::size_t kValues = std::size_t{1} << 20;

const std::vector<std::uint32_t>& normal_values() {
  static const std::vector<std::uint32_t> values = [] {
    std::mt19937_64 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<std::uint32_t> v(kValues);
    for (auto& x : v) x = std::bit_cast<std::uint32_t>(normal(rng));
    return v;
  }();
  return values;
}

NUMCONF_BENCH_CLONES void mxfp8_fast(const std::uint32_t* x, std::uint8_t* scales,
                                     std::uint8_t* codes, std::uint32_t* out) {
  quant::quantize_mx<kE4M3FN, quant::ScaleRule::Floor>(x, kValues, 32, scales, codes);
  quant::dequantize_mx<kE4M3FN>(codes, scales, kValues, 32, out);
}

NUMCONF_BENCH_CLONES void mxfp4_fast(const std::uint32_t* x, std::uint8_t* scales,
                                     std::uint8_t* codes, std::uint32_t* out) {
  quant::quantize_mx<kE2M1FN, quant::ScaleRule::Floor>(x, kValues, 32, scales, codes);
  quant::dequantize_mx<kE2M1FN>(codes, scales, kValues, 32, out);
}

NUMCONF_BENCH_CLONES void nvfp4_fast(const std::uint32_t* x, std::uint8_t* scales,
                                     std::uint8_t* codes, std::uint32_t* out) {
  const std::uint32_t g = quant::nvfp4_tensor_scale(x, kValues);
  quant::quantize_nvfp4(x, kValues, g, scales, codes);
  quant::dequantize_nvfp4(codes, scales, kValues, g, out);
}

void BM_nvfp4_fast(benchmark::State& state) {
  const auto& x = normal_values();
  std::vector<std::uint8_t> scales(kValues / 16), codes(kValues);
  std::vector<std::uint32_t> out(kValues);
  for (auto _ : state) {
    nvfp4_fast(x.data(), scales.data(), codes.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}

NUMCONF_BENCH_CLONES void int4_g128_fast(const std::uint32_t* x, std::uint32_t* scales,
                                         std::uint8_t* codes, std::uint32_t* out) {
  quant::quantize_int4_groups(x, kValues, 128, scales, codes);
  quant::dequantize_int4_groups(codes, scales, kValues, 128, out);
}

void BM_int4_g128_fast(benchmark::State& state) {
  const auto& x = normal_values();
  std::vector<std::uint32_t> scales(kValues / 128);
  std::vector<std::uint8_t> codes(kValues);
  std::vector<std::uint32_t> out(kValues);
  for (auto _ : state) {
    int4_g128_fast(x.data(), scales.data(), codes.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}

template <auto Kernel>
void BM_fast(benchmark::State& state) {
  const auto& x = normal_values();
  std::vector<std::uint8_t> scales(kValues / 32), codes(kValues);
  std::vector<std::uint32_t> out(kValues);
  for (auto _ : state) {
    Kernel(x.data(), scales.data(), codes.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}

// The general engine: a named scheme, rows of 4096 values (so that INT4-g128 groups along a row).
void BM_general(benchmark::State& state, quant::Scheme s) {
  const auto& x = normal_values();
  constexpr std::size_t kCols = 4096, kRows = kValues / kCols;
  std::vector<quant::BlockScale> scales(quant::block_count(s, kRows, kCols));
  std::vector<std::uint8_t> codes(kValues);
  std::vector<std::uint32_t> out(kValues);
  for (auto _ : state) {
    const std::uint32_t g = quant::nvfp4_tensor_scale(x.data(), kValues);
    quant::quantize_tensor(s, x.data(), kRows, kCols, g, scales.data(), codes.data());
    quant::dequantize_tensor(s, scales.data(), codes.data(), kRows, kCols, g, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}

quant::Scheme named(const char* name) {
  for (const auto& s : quant::kSchemes)
    if (std::string_view(s.name) == name) return s.scheme;
  return {};
}

quant::Scheme int4_g128() {
  quant::Scheme s = named("int4");
  s.granularity = quant::Granularity::PerGroup;
  s.block = 128;
  return s;
}

BENCHMARK(BM_fast<mxfp8_fast>)->Name("mxfp8_e4m3/fast")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_fast<mxfp4_fast>)->Name("mxfp4/fast")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nvfp4_fast)->Name("nvfp4/fast")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_int4_g128_fast)->Name("int4_g128/fast")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_general, mxfp8_e4m3, named("mxfp8_e4m3"))
    ->Name("mxfp8_e4m3/general")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_general, mxfp4, named("mxfp4"))
    ->Name("mxfp4/general")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_general, nvfp4, named("nvfp4"))
    ->Name("nvfp4/general")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_general, int4_g128, int4_g128())
    ->Name("int4_g128/general")
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
