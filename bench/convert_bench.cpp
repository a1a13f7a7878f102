// Batch conversion throughput, ns per value, on one core (see bench/RESULTS.md).
//
// Paths: "typed" (convert_batch<From, To, Policy>), "runtime" (a Converter built from
// descriptors), "scalar" (numconf::convert in a loop, for scale), and two reference points:
// "f16c" (the x86 hardware instruction, for f32->f16 only) and "bytes-only" (the top bits of
// each code, no conversion: what moving the bytes alone costs).  Streams: "sweep", every 256th f32
// bit pattern in order (all classes, long runs of one exponent), and "normal", 2^24 values drawn
// from N(0, 1) (mixed exponents and signs, where branchy code mispredicts).  Each benchmark
// converts the whole 2^24-value stream per iteration: 64 MiB (f32) or 128 MiB (f64) of input
// from DRAM.  The "-16k" streams (sweep-16k, normal-16k) are every 1024th value of the same
// streams, 2^14 values (64 KiB of f32 input, in L2) converted over and over: the kernel's own
// cost without the memory bandwidth.
//
// The kernels are plain C++; the wrappers below are compiled twice by target_clones (AVX2 and
// the x86-64 baseline) and picked at load time, so the binary runs on any x86-64 and uses the
// per-lane variable shifts of AVX2 where the CPU has them.
#include <benchmark/benchmark.h>

#include <bit>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "formats/batch.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NUMCONF_BENCH_CLONES __attribute__((target_clones("avx2", "default"), flatten))
#define NUMCONF_HAVE_F16C_REFERENCE 1
#else
#define NUMCONF_BENCH_CLONES
#endif

namespace {

using numconf::Converter;
using numconf::Format;
using numconf::Policy;

constexpr Policy kRnFinite{.overflow = numconf::Overflow::Finite};
constexpr std::size_t kValues = std::size_t{1} << 24;

// ---- Inputs (built once) -------------------------------------------------------------------

const std::vector<std::uint32_t>& f32_stream(bool normal) {
  static const auto make = [](bool gaussian) {
    std::vector<std::uint32_t> v(kValues);
    std::mt19937 rng(20261123);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (std::size_t i = 0; i < kValues; ++i)
      v[i] = gaussian ? std::bit_cast<std::uint32_t>(dist(rng)) : std::uint32_t(i << 8);
    return v;
  };
  static const std::vector<std::uint32_t> sweep = make(false), gaussian = make(true);
  return normal ? gaussian : sweep;
}

const std::vector<std::uint64_t>& f64_stream(bool normal) {
  static const auto make = [](bool gaussian) {
    std::vector<std::uint64_t> v(kValues);
    std::mt19937_64 rng(20261123);
    std::normal_distribution<double> dist(0.0, 1.0);
    for (std::size_t i = 0; i < kValues; ++i)  // the sweep: every 2^40-th pattern
      v[i] = gaussian ? std::bit_cast<std::uint64_t>(dist(rng)) : std::uint64_t(i) << 40;
    return v;
  };
  static const std::vector<std::uint64_t> sweep = make(false), gaussian = make(true);
  return normal ? gaussian : sweep;
}

// Every 1024th value of a stream: 2^14 values that stay in cache (L2).
template <class T>
std::vector<T> every_1024th(const std::vector<T>& stream) {
  std::vector<T> v;
  for (std::size_t i = 0; i < stream.size(); i += 1024) v.push_back(stream[i]);
  return v;
}
const std::vector<std::uint32_t>& f32_small(bool normal) {
  static const std::vector<std::uint32_t> sweep = every_1024th(f32_stream(false)),
                                          gaussian = every_1024th(f32_stream(true));
  return normal ? gaussian : sweep;
}
const std::vector<std::uint64_t>& f64_small(bool normal) {
  static const std::vector<std::uint64_t> sweep = every_1024th(f64_stream(false)),
                                          gaussian = every_1024th(f64_stream(true));
  return normal ? gaussian : sweep;
}

// ---- Kernels, one clone set per instantiation ----------------------------------------------

template <Format From, Format To>
using Typed = void (*)(const numconf::container_t<From>*, numconf::container_t<To>*, std::size_t);

#define NUMCONF_TYPED(NAME, FROM, TO)                                                     \
  NUMCONF_BENCH_CLONES void NAME(const numconf::container_t<FROM>* in,                   \
                                 numconf::container_t<TO>* out, std::size_t n) {         \
    numconf::convert_batch<FROM, TO, kRnFinite>({in, n}, {out, n});                      \
  }
NUMCONF_TYPED(typed_f32_f16, numconf::kF32, numconf::kF16)
NUMCONF_TYPED(typed_f32_bf16, numconf::kF32, numconf::kBF16)
NUMCONF_TYPED(typed_f32_e4m3fn, numconf::kF32, numconf::kE4M3FN)
NUMCONF_TYPED(typed_f32_e2m1fn, numconf::kF32, numconf::kE2M1FN)
NUMCONF_TYPED(typed_f64_e4m3fn, numconf::kF64, numconf::kE4M3FN)
#undef NUMCONF_TYPED

template <class SrcT, class DstT>
NUMCONF_BENCH_CLONES void runtime_batch(const Converter& c, const SrcT* in, DstT* out,
                                        std::size_t n) {
  c(std::span<const SrcT>(in, n), std::span<DstT>(out, n));
}

template <class SrcT, class DstT>
void scalar_loop(const Format& from, const Format& to, const SrcT* in, DstT* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<DstT>(numconf::convert(from, to, in[i], kRnFinite).bits);
}

#ifdef NUMCONF_HAVE_F16C_REFERENCE
// Hardware reference: vcvtps2ph, round to nearest even (f16 has Inf, so Finite does not apply
// to it: only a reference for speed, not for semantics).
__attribute__((target("avx2,f16c"))) void f16c_f32_f16(const std::uint32_t* in,
                                                       std::uint16_t* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_castsi256_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) out[i] = _cvtss_sh(std::bit_cast<float>(in[i]), _MM_FROUND_TO_NEAREST_INT);
}
#endif

// Moving the bytes alone, for the memory's share of the time: the top bits of each code, no
// conversion, in a plain loop (hardware prefetching only).
NUMCONF_BENCH_CLONES void bytes_only_f32_16bit(const std::uint32_t* in, std::uint16_t* out,
                                          std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = std::uint16_t(in[i] >> 16);
}
NUMCONF_BENCH_CLONES void bytes_only_f64_8bit(const std::uint64_t* in, std::uint8_t* out,
                                         std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = std::uint8_t(in[i] >> 56);
}

// ---- Benchmarks ---------------------------------------------------------------------------

void report(benchmark::State& state, std::size_t values) {
  // Seconds per value (printed with an SI prefix: 250p = 0.25 ns).
  state.counters["per_value"] = benchmark::Counter(
      double(values), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

template <class SrcT, class DstT, class Body>
void run(benchmark::State& state, const std::vector<SrcT>& in, Body body) {
  std::vector<DstT> out(in.size());
  for (auto _ : state) {
    body(in.data(), out.data(), in.size());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report(state, in.size());
}

std::string stream_name(bool normal, bool small) {
  return std::string(normal ? "normal" : "sweep") + (small ? "-16k" : "");
}

template <class SrcT, class DstT>
void register_conversion(const std::string& name, const Format& from, const Format& to,
                         void (*typed)(const SrcT*, DstT*, std::size_t)) {
  for (const int kind : {0, 1, 2, 3}) {
    const bool normal = kind % 2 != 0, small = kind >= 2;
    const std::string stream = stream_name(normal, small);
    const auto& in = [&]() -> const std::vector<SrcT>& {
      if constexpr (sizeof(SrcT) == 4) return small ? f32_small(normal) : f32_stream(normal);
      else return small ? f64_small(normal) : f64_stream(normal);
    }();
    benchmark::RegisterBenchmark((name + "/typed/" + stream).c_str(), [&in, typed](auto& s) {
      run<SrcT, DstT>(s, in, typed);
    });
    benchmark::RegisterBenchmark((name + "/runtime/" + stream).c_str(), [&in, from, to](auto& s) {
      const Converter c(from, to, kRnFinite);
      run<SrcT, DstT>(s, in, [&c](const SrcT* i, DstT* o, std::size_t n) {
        runtime_batch(c, i, o, n);
      });
    });
    benchmark::RegisterBenchmark((name + "/scalar/" + stream).c_str(), [&in, from, to](auto& s) {
      run<SrcT, DstT>(s, in, [&](const SrcT* i, DstT* o, std::size_t n) {
        scalar_loop(from, to, i, o, n);
      });
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace numconf;
  register_conversion<std::uint32_t, std::uint16_t>("f32->f16", kF32, kF16, typed_f32_f16);
  register_conversion<std::uint32_t, std::uint16_t>("f32->bf16", kF32, kBF16, typed_f32_bf16);
  register_conversion<std::uint32_t, std::uint8_t>("f32->e4m3fn", kF32, kE4M3FN, typed_f32_e4m3fn);
  register_conversion<std::uint32_t, std::uint8_t>("f32->e2m1fn", kF32, kE2M1FN, typed_f32_e2m1fn);
  register_conversion<std::uint64_t, std::uint8_t>("f64->e4m3fn", kF64, kE4M3FN, typed_f64_e4m3fn);
  // Reference points on the same streams.
#ifdef NUMCONF_HAVE_F16C_REFERENCE
  const bool has_f16c = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2");
#endif
  for (const int kind : {0, 1, 2, 3}) {
    const bool normal = kind % 2 != 0, small = kind >= 2;
    const std::string stream = stream_name(normal, small);
    const auto& in32 = small ? f32_small(normal) : f32_stream(normal);
    const auto& in64 = small ? f64_small(normal) : f64_stream(normal);
    benchmark::RegisterBenchmark(("f32->16-bit/bytes-only/" + stream).c_str(), [&in32](auto& s) {
      run<std::uint32_t, std::uint16_t>(s, in32, bytes_only_f32_16bit);
    });
    benchmark::RegisterBenchmark(("f64->8-bit/bytes-only/" + stream).c_str(), [&in64](auto& s) {
      run<std::uint64_t, std::uint8_t>(s, in64, bytes_only_f64_8bit);
    });
#ifdef NUMCONF_HAVE_F16C_REFERENCE
    if (has_f16c)
      benchmark::RegisterBenchmark(("f32->f16/f16c-hardware/" + stream).c_str(), [&in32](auto& s) {
        run<std::uint32_t, std::uint16_t>(s, in32, f16c_f32_f16);
      });
#endif
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
