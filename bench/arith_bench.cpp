// Scalar arithmetic of formats/arith.hpp, ns per operation (see bench/RESULTS.md).
//
// Operands: 2^16 triples of codes of N(0, 1) samples rounded into the format (so exponents are
// mixed and the sums do cancel, as in real data), generated once and small enough to stay in
// cache: the numbers measure the model, not memory.  Each benchmark runs the whole array per
// iteration.  "const": the format is a compile-time constant the compiler may fold into the
// inlined code; "runtime": the same descriptor read from memory it cannot see through, as for a
// format given on the command line.  "hardware": the CPU's own f32 add and fma (SSE, and the
// fmaf library call, which uses the FMA instruction where the CPU has one) on the same operands.
// "softfloat": Berkeley SoftFloat 3 on the same operands, the usual software reference, where the
// build was given one (bench/CMakeLists.txt; there is no Debian package).
#include <benchmark/benchmark.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "formats/arith.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"

#ifdef NUMCONF_WITH_SOFTFLOAT
extern "C" {
#include <softfloat.h>
}
#endif

namespace {

using numconf::Format;
using numconf::Policy;

constexpr Policy kRn{};
constexpr std::size_t kOps = std::size_t{1} << 16;

struct Operands {
  std::vector<std::uint64_t> a, b, c;
};

Operands normal_operands(const Format& f) {
  std::mt19937_64 rng(20261123);
  std::normal_distribution<double> dist(0.0, 1.0);
  const auto sample = [&] {
    return numconf::convert(numconf::kF64, f, std::bit_cast<std::uint64_t>(dist(rng)), kRn).bits;
  };
  Operands o;
  for (std::size_t i = 0; i < kOps; ++i) {
    o.a.push_back(sample());
    o.b.push_back(sample());
    o.c.push_back(sample());
  }
  return o;
}

template <class Body>
void run(benchmark::State& state, Body body) {
  std::vector<std::uint64_t> out(kOps);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kOps; ++i) out[i] = body(i).bits;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  // Seconds per operation (printed with an SI prefix: 12n = 12 ns).
  state.counters["per_op"] = benchmark::Counter(
      double(kOps), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

template <const Format& F>
void register_format(const std::string& name) {
  static const Operands o = normal_operands(F);
  const auto both = [&name](const std::string& op, auto body) {
    benchmark::RegisterBenchmark((name + "/" + op + "/const").c_str(), [body](benchmark::State& s) {
      run(s, [&](std::size_t i) { return body(F, i); });
    });
    benchmark::RegisterBenchmark((name + "/" + op + "/runtime").c_str(),
                                 [body](benchmark::State& s) {
                                   Format f = F;
                                   benchmark::DoNotOptimize(f);
                                   run(s, [&](std::size_t i) { return body(f, i); });
                                 });
  };
  both("add", [](const Format& f, std::size_t i) { return numconf::add(f, o.a[i], o.b[i], kRn); });
  both("mul", [](const Format& f, std::size_t i) { return numconf::mul(f, o.a[i], o.b[i], kRn); });
  both("div", [](const Format& f, std::size_t i) { return numconf::div(f, o.a[i], o.b[i], kRn); });
  both("sqrt", [](const Format& f, std::size_t i) {  // of |a|
    return numconf::sqrt(f, o.a[i] & numconf::magnitude_mask(F), kRn);
  });
  both("fma",
       [](const Format& f, std::size_t i) { return numconf::fma(f, o.a[i], o.b[i], o.c[i], kRn); });
}

float as_float(std::uint64_t code) { return std::bit_cast<float>(std::uint32_t(code)); }

numconf::Rounded from_float(float x) { return {std::bit_cast<std::uint32_t>(x), 0}; }

void register_hardware() {
  static const Operands o = normal_operands(numconf::kF32);
  benchmark::RegisterBenchmark("f32/add/hardware", [](benchmark::State& s) {
    run(s, [](std::size_t i) { return from_float(as_float(o.a[i]) + as_float(o.b[i])); });
  });
  benchmark::RegisterBenchmark("f32/fma/hardware", [](benchmark::State& s) {
    run(s, [](std::size_t i) {
      return from_float(std::fmaf(as_float(o.a[i]), as_float(o.b[i]), as_float(o.c[i])));
    });
  });
}

#ifdef NUMCONF_WITH_SOFTFLOAT
// SoftFloat's f16 and f32 add, mul and fma, rounding to nearest even as the model does.  Each is
// registered only if it returns the model's code for every operand set, so that the two are timed
// doing the same work; otherwise the benchmark reports the first difference as its error.
template <const Format& F, class Code>
void register_softfloat(const std::string& name, auto add, auto mul, auto fma) {
  static const Operands o = normal_operands(F);
  const auto compare_and_register = [&name](const std::string& op, auto model, auto reference) {
    std::string mismatch;
    for (std::size_t i = 0; i < kOps && mismatch.empty(); ++i)
      if (model(i).bits != reference(i).bits)
        mismatch = "differs from the model at operand set " + std::to_string(i);
    benchmark::RegisterBenchmark((name + "/" + op + "/softfloat").c_str(),
                                 [=](benchmark::State& s) {
                                   if (!mismatch.empty()) return s.SkipWithError(mismatch.c_str());
                                   run(s, reference);
                                 });
  };
  const auto code = [](std::uint64_t c) { return Code{static_cast<decltype(Code::v)>(c)}; };
  const auto result = [](Code r) { return numconf::Rounded{r.v, 0}; };
  compare_and_register(
      "add", [](std::size_t i) { return numconf::add(F, o.a[i], o.b[i], kRn); },
      [=](std::size_t i) { return result(add(code(o.a[i]), code(o.b[i]))); });
  compare_and_register(
      "mul", [](std::size_t i) { return numconf::mul(F, o.a[i], o.b[i], kRn); },
      [=](std::size_t i) { return result(mul(code(o.a[i]), code(o.b[i]))); });
  compare_and_register(
      "fma", [](std::size_t i) { return numconf::fma(F, o.a[i], o.b[i], o.c[i], kRn); },
      [=](std::size_t i) { return result(fma(code(o.a[i]), code(o.b[i]), code(o.c[i]))); });
}

void register_softfloat() {
  softfloat_roundingMode = softfloat_round_near_even;
  softfloat_detectTininess = softfloat_tininess_afterRounding;
  register_softfloat<numconf::kF16, float16_t>("f16", f16_add, f16_mul, f16_mulAdd);
  register_softfloat<numconf::kF32, float32_t>("f32", f32_add, f32_mul, f32_mulAdd);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  register_format<numconf::kF16>("f16");
  register_format<numconf::kE4M3FN>("e4m3fn");
  register_format<numconf::kBF16>("bf16");
  register_format<numconf::kF32>("f32");
  register_format<numconf::kF64>("f64");
  register_hardware();
#ifdef NUMCONF_WITH_SOFTFLOAT
  register_softfloat();
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
