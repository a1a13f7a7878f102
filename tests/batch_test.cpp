// The batch paths (formats/batch.hpp) against the scalar model, bit for bit.  The batch path
// is an optimisation of `convert`, so here (unlike the conformance tests) the scalar model is
// the expected value: every code the batch path returns must be convert(...).bits.
//
// Default run: for f32 sources a strided sweep plus every pattern near an exponent boundary
// (first and last mantissas of each exponent, both signs), into every built-in float target, in
// every deterministic rounding mode and overflow mode, run-time path; more policy options (daz,
// ftz with both tininess rules, NaN to max, overflow rules) on a coarser sweep; f16 and bf16
// sources exhaustively; for f64 sources a million random plus boundary inputs; the typed
// instantiations on the sweep.  Slow tier (BatchExhaustive, DISABLED_ unless asked for): the
// full sweep (every 256th pattern, 4096 mantissas at each edge) for every target, mode and
// overflow mode, and all 2^32 f32 inputs through each typed instantiation the benchmarks time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "formats/batch.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"

namespace numconf {
namespace {

constexpr Rounding kModes[] = {Rounding::NearestEven,    Rounding::NearestAway,
                               Rounding::TowardZero,     Rounding::TowardPositive,
                               Rounding::TowardNegative, Rounding::ToOdd};
constexpr Overflow kOverflows[] = {Overflow::None, Overflow::Finite, Overflow::Propagate};

std::string describe(const Policy& p) {
  static constexpr const char* kModeNames[] = {"rn", "rna", "rz", "rp", "rm", "ro",
                                               "sra", "srb", "src"};
  static constexpr const char* kOverflowNames[] = {"none", "finite", "propagate"};
  static constexpr const char* kRuleNames[] = {"ieee", "p3109", "p3109-v3"};
  std::ostringstream out;
  out << kModeNames[int(p.rounding)] << " overflow=" << kOverflowNames[int(p.overflow)]
      << " rule=" << kRuleNames[int(p.overflow_rule)]
      << " tininess=" << (p.tininess == Tininess::AfterRounding ? "after" : "before")
      << (p.flush_inputs ? " daz" : "") << (p.flush_outputs ? " ftz" : "")
      << (p.nan_to_nanless == NanToNanless::MaxFinite ? " nan-to-max" : "");
  return out.str();
}

std::vector<NamedFormat> float_targets() {
  std::vector<NamedFormat> targets;
  for (const auto& named : kBuiltinFormats)
    if (is_float(named.format)) targets.push_back(named);
  return targets;
}

// Every `stride`-th f32 pattern, and for each sign and exponent the first and last `edge`
// mantissas (rounding boundaries, subnormals, the largest finite values, Inf, NaN payloads).
std::vector<std::uint32_t> f32_inputs(std::uint64_t stride, std::uint32_t edge) {
  std::vector<std::uint32_t> in;
  for (std::uint64_t x = 0; x < (std::uint64_t{1} << 32); x += stride)
    in.push_back(std::uint32_t(x));
  for (std::uint32_t sign = 0; sign < 2; ++sign)
    for (std::uint32_t e = 0; e < 256; ++e)
      for (std::uint32_t t = 0; t < edge; ++t) {
        const std::uint32_t base = sign << 31 | e << 23;
        in.push_back(base | t);
        in.push_back(base | ((std::uint32_t{1} << 23) - 1 - t));
      }
  return in;
}

// Random f64 patterns (uniform exponent near the narrow formats' range, and fully random), and
// boundary patterns: for each exponent, the extreme mantissas and the tie points (+-1) of every
// target precision 1..23.
std::vector<std::uint64_t> f64_inputs(std::uint64_t seed) {
  std::cout << "f64 inputs: seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> in;
  std::uniform_int_distribution<std::uint64_t> near(1023 - 170, 1023 + 140);
  for (int i = 0; i < 1'000'000; ++i) {
    const std::uint64_t bits = rng();
    in.push_back(i % 4 == 0 ? bits : (bits & 0x800fffffffffffff) | near(rng) << 52);
  }
  for (std::uint64_t sign = 0; sign < 2; ++sign)
    for (std::uint64_t e = 0; e < 2048; ++e) {
      const std::uint64_t base = sign << 63 | e << 52;
      for (std::uint64_t t = 0; t < 4; ++t) {
        in.push_back(base | t);
        in.push_back(base | (low_mask(52) - t));
      }
      for (int m = 1; m <= 23; ++m) {
        const std::uint64_t tie = (rng() & low_mask(52) & ~low_mask(52 - m)) | 1ull << (51 - m);
        for (std::uint64_t delta : {tie - 1, tie, tie + 1}) in.push_back(base | delta);
      }
    }
  return in;
}

struct Case {
  Format from;
  NamedFormat to;
  Policy policy;
};

// Runs the run-time batch path on every case (two threads) and compares with convert; returns
// the number of values checked and reports mismatches (first few per case) as failures.
template <class SrcT>
std::uint64_t check_cases(const char* from_name, const std::vector<Case>& cases,
                          const std::vector<SrcT>& in) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> checked{0};
  std::vector<std::string> failures(cases.size());
  const auto worker = [&] {
    std::vector<std::uint64_t> out(in.size());
    for (std::size_t c; (c = next++) < cases.size();) {
      const Case& k = cases[c];
      const Converter converter(k.from, k.to.format, k.policy);
      converter(std::span<const SrcT>(in), std::span<std::uint64_t>(out));
      std::ostringstream report;
      int shown = 0;
      for (std::size_t i = 0; i < in.size(); ++i) {
        const std::uint64_t expected = convert(k.from, k.to.format, in[i], k.policy).bits;
        if (out[i] != expected && shown++ < 5)
          report << from_name << " -> " << k.to.name << " [" << describe(k.policy)
                 << (converter.fast() ? ", fast" : ", scalar") << "] input 0x" << std::hex
                 << std::uint64_t(in[i]) << " expected 0x" << expected << " actual 0x" << out[i]
                 << std::dec << "\n";
      }
      failures[c] = report.str();
      checked += in.size();
    }
  };
  std::thread helper(worker);
  worker();
  helper.join();
  for (const auto& f : failures) EXPECT_TRUE(f.empty()) << f;
  return checked;
}

std::vector<Case> mode_overflow_cases(const Format& from) {
  std::vector<Case> cases;
  for (const auto& to : float_targets())
    for (Rounding r : kModes)
      for (Overflow o : kOverflows) cases.push_back({from, to, Policy{.rounding = r, .overflow = o}});
  return cases;
}

// The options besides mode and overflow, each alone, over every mode.
std::vector<Case> option_cases(const Format& from) {
  std::vector<Policy> variants;
  for (Rounding r : kModes) {
    const Policy base{.rounding = r};
    Policy p = base;
    p.flush_outputs = true;
    variants.push_back(p);
    p.tininess = Tininess::BeforeRounding;
    variants.push_back(p);
    p = base;
    p.flush_inputs = true;
    variants.push_back(p);
    p = base;
    p.nan_to_nanless = NanToNanless::MaxFinite;
    variants.push_back(p);
    p = base;
    p.overflow_rule = OverflowRule::P3109;
    variants.push_back(p);
    p.overflow_rule = OverflowRule::P3109V3;
    variants.push_back(p);
  }
  std::vector<Case> cases;
  for (const auto& to : float_targets())
    for (const Policy& p : variants) cases.push_back({from, to, p});
  return cases;
}

// The scalar model costs 15-30 ns a value, so the default tier takes every 8192nd pattern and
// 256 mantissas at each exponent edge (0.79M inputs, 0.24G cases); the slow tier below has the
// full sweep (every 256th pattern and 4096 at each edge: 21M inputs, 6.4G cases).
TEST(BatchRuntime, F32EveryTargetModeAndOverflow) {
  const auto in = f32_inputs(8192, 256);
  const std::uint64_t n = check_cases("f32", mode_overflow_cases(kF32), in);
  std::cout << "f32 sweep: " << in.size() << " inputs, " << n << " cases checked\n";
}

TEST(BatchRuntime, F32PolicyOptions) {
  const auto in = f32_inputs(1 << 15, 64);
  const std::uint64_t n = check_cases("f32", option_cases(kF32), in);
  std::cout << "f32 options: " << in.size() << " inputs, " << n << " cases checked\n";
}

TEST(BatchRuntime, F64EveryTargetModeAndOverflow) {
  const auto in = f64_inputs(20261123);
  std::uint64_t n = check_cases("f64", mode_overflow_cases(kF64), in);
  std::vector<std::uint64_t> every_16th;  // the options grid is twice as large
  for (std::size_t i = 0; i < in.size(); i += 16) every_16th.push_back(in[i]);
  n += check_cases("f64", option_cases(kF64), every_16th);
  std::cout << "f64: " << in.size() << " inputs, " << n << " cases checked\n";
}

// Narrower IEEE sources (f16, bf16) go through the same kernel in 32-bit lanes: exhaustive.
TEST(BatchRuntime, F16AndBF16SourcesExhaustive) {
  std::vector<std::uint32_t> in(1 << 16);
  for (std::uint32_t i = 0; i < in.size(); ++i) in[i] = i;
  std::uint64_t n = 0;
  for (const NamedFormat& from : {kBuiltinFormats[2], kBuiltinFormats[3]}) {
    n += check_cases(from.name.data(), mode_overflow_cases(from.format), in);
    n += check_cases(from.name.data(), option_cases(from.format), in);
  }
  std::cout << "f16/bf16 sources: " << n << " cases checked\n";
}

TEST(BatchRuntime, ContainerTypesAndFallback) {
  // Natural containers on the run-time path, and a stochastic policy (scalar fallback) with
  // per-value random bits.
  const std::vector<std::uint32_t> in = {0x3f800000, 0x43e80000, 0x43e80001, 0x7fc00000,
                                         0xff800000, 0x00000001, 0x80000000, 0x3e000001};
  std::vector<std::uint8_t> out(in.size());
  convert_batch(kF32, kE4M3FN, Policy{}, std::span<const std::uint32_t>(in),
                std::span<std::uint8_t>(out));
  for (std::size_t i = 0; i < in.size(); ++i)
    EXPECT_EQ(out[i], convert(kF32, kE4M3FN, in[i], Policy{}).bits) << std::hex << in[i];
  const Policy sr{.rounding = Rounding::StochasticA, .random_bits = 8};
  const std::vector<std::uint64_t> random = {0, 255, 17, 128, 3, 200, 99, 1};
  const Converter c(kF32, kE4M3FN, sr);
  EXPECT_FALSE(c.fast());
  c(std::span<const std::uint32_t>(in), std::span<std::uint8_t>(out),
    std::span<const std::uint64_t>(random));
  for (std::size_t i = 0; i < in.size(); ++i)
    EXPECT_EQ(out[i], convert(kF32, kE4M3FN, in[i], sr, random[i]).bits) << std::hex << in[i];
  EXPECT_TRUE(batch_fast_path(kF32, kE4M3FN, Policy{}));
  EXPECT_FALSE(batch_fast_path(kF32, kE8M0FNU, Policy{}));  // no zero: scalar
  EXPECT_FALSE(batch_fast_path(kF16, kF32, Policy{}));       // widening: scalar
}

// ---- Typed path ------------------------------------------------------------------------------

constexpr Policy kRnFinite{.overflow = Overflow::Finite};

// The typed path compiled for the baseline ISA, and for AVX2 as the benchmarks and hosts that
// want speed compile it (the vector loops come out differently).
template <Format From, Format To, Policy P>
__attribute__((flatten)) void typed_baseline(std::span<const container_t<From>> in,
                                             std::span<container_t<To>> out) {
  convert_batch<From, To, P>(in, out);
}
template <Format From, Format To, Policy P>
__attribute__((target("avx2"), flatten)) void typed_avx2(std::span<const container_t<From>> in,
                                                         std::span<container_t<To>> out) {
  convert_batch<From, To, P>(in, out);
}

template <Format From, Format To, Policy P, class SrcT>
std::string check_typed(const char* name, const std::vector<SrcT>& in) {
  std::ostringstream report;
  const auto check = [&](const char* isa, auto typed) {
    std::vector<container_t<To>> out(in.size());
    // In pieces of two sizes, one below and one above the input size from which the vector loop
    // prefetches (kPrefetchFrom), so that both of its versions run, each piece ending in a tail.
    constexpr std::size_t kSmall = 1000, kLarge = (std::size_t{1} << 19) + 8;
#if NUMCONF_VECTOR_LOOP
    static_assert(kSmall * 8 < detail::kPrefetchFrom && kLarge * 4 >= detail::kPrefetchFrom);
#endif
    bool small = true;
    for (std::size_t at = 0; at < in.size(); small = !small) {
      const std::size_t length = std::min(in.size() - at, small ? kSmall : kLarge);
      typed(std::span<const container_t<From>>(in).subspan(at, length),
            std::span<container_t<To>>(out).subspan(at, length));
      at += length;
    }
    int shown = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      const std::uint64_t expected = convert(From, To, in[i], P).bits;
      if (out[i] != expected && shown++ < 5)
        report << name << " (" << isa << ") [" << describe(P) << "] input 0x" << std::hex
               << std::uint64_t(in[i]) << " expected 0x" << expected << " actual 0x"
               << std::uint64_t(out[i]) << std::dec << "\n";
    }
  };
  check("baseline", typed_baseline<From, To, P>);
  if (__builtin_cpu_supports("avx2")) check("avx2", typed_avx2<From, To, P>);
  return report.str();
}

TEST(BatchTyped, F32SweepAndF64) {
  const auto in = f32_inputs(256, 4096);
  EXPECT_EQ((check_typed<kF32, kF16, kRnFinite>("f32->f16", in)), "");
  EXPECT_EQ((check_typed<kF32, kBF16, kRnFinite>("f32->bf16", in)), "");
  EXPECT_EQ((check_typed<kF32, kE4M3FN, kRnFinite>("f32->e4m3fn", in)), "");
  EXPECT_EQ((check_typed<kF32, kE2M1FN, kRnFinite>("f32->e2m1fn", in)), "");
  constexpr Policy kRoFtz{.rounding = Rounding::ToOdd, .flush_outputs = true};
  EXPECT_EQ((check_typed<kF32, kE5M2FNUZ, kRoFtz>("f32->e5m2fnuz", in)), "");
  EXPECT_EQ((check_typed<kF32, kE8M0FNU, kRnFinite>("f32->e8m0fnu (scalar)", in)), "");
  const auto in64 = f64_inputs(7);
  EXPECT_EQ((check_typed<kF64, kE4M3FN, kRnFinite>("f64->e4m3fn", in64)), "");
  // f64 codes reach the vector loop's lanes out of order (see load_lanes): into each width.
  EXPECT_EQ((check_typed<kF64, kF16, kRnFinite>("f64->f16", in64)), "");
  EXPECT_EQ((check_typed<kF64, kBF16, kRnFinite>("f64->bf16", in64)), "");
  EXPECT_EQ((check_typed<kF64, kE5M2, kRnFinite>("f64->e5m2", in64)), "");
  // f16 and e5m2 blocks of 32 without a NaN or a subnormal result skip those steps: with a NaN
  // in every block, every input goes through the full lane.
  std::vector<std::uint32_t> with_nans = in;
  for (std::size_t i = 0; i < with_nans.size(); i += 32) with_nans[i] = 0x7fc00000;
  EXPECT_EQ((check_typed<kF32, kF16, kRnFinite>("f32->f16 (a NaN per block)", with_nans)), "");
  EXPECT_EQ((check_typed<kF32, kE5M2, kRnFinite>("f32->e5m2 (a NaN per block)", with_nans)), "");
  std::cout << "typed: " << 8 * in.size() + 4 * in64.size() << " cases checked, "
            << (__builtin_cpu_supports("avx2") ? "baseline and AVX2 builds"
                                               : "baseline build only: this CPU has no AVX2")
            << "\n";
}

// f64 into a format of up to 17 mantissa bits is worked on in 32-bit lanes; when its container
// is 32 bits wide (here 24 bits of code), the results must not go through the vector loop's
// 16- and 8-bit stores.
TEST(BatchTyped, F64IntoA32BitContainer) {
  constexpr Format kE8M15 = float_format(8, 15, 127, InfEncoding::Ieee, NanEncoding::Ieee);
  static_assert(std::is_same_v<container_t<kE8M15>, std::uint32_t>);
  static_assert(narrowing_shift(kF64, kE8M15) == 32);
  EXPECT_EQ((check_typed<kF64, kE8M15, kRnFinite>("f64->e8m15", f64_inputs(7))), "");
}

// 16-bit sources take the plain loop: every code, into the targets whose f32 and f64 sources
// take the vector loop.
TEST(BatchTyped, SixteenBitSourcesExhaustive) {
  std::vector<std::uint16_t> in(1 << 16);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::uint16_t(i);
  EXPECT_EQ((check_typed<kBF16, kE5M2, kRnFinite>("bf16->e5m2", in)), "");
  EXPECT_EQ((check_typed<kBF16, kE5M2, Policy{}>("bf16->e5m2", in)), "");
  EXPECT_EQ((check_typed<kF16, kE4M3FN, kRnFinite>("f16->e4m3fn", in)), "");
  EXPECT_EQ((check_typed<kBF16, kE4M3FN, kRnFinite>("bf16->e4m3fn", in)), "");
}

// The f16 and e5m2 loops test each block of 32 for rare lanes (subnormal results, NaN) and
// leave those steps out of blocks without any: each input alone among ordinary values (1.0) in
// its block, so that no neighbour sends the block to the full lane, checks that test at every
// edge of the ranges it tells apart.
TEST(BatchTyped, EachInputAloneInItsBlock) {
  const auto probes = f32_inputs(std::uint64_t{1} << 16, 64);
  std::vector<std::uint32_t> in(32 * probes.size(), 0x3f800000);
  for (std::size_t i = 0; i < probes.size(); ++i) in[32 * i + i % 32] = probes[i];
  EXPECT_EQ((check_typed<kF32, kF16, kRnFinite>("f32->f16", in)), "");
  EXPECT_EQ((check_typed<kF32, kBF16, kRnFinite>("f32->bf16", in)), "");
  constexpr Policy kRnNone{};
  EXPECT_EQ((check_typed<kF32, kF16, kRnNone>("f32->f16", in)), "");
  EXPECT_EQ((check_typed<kF32, kE5M2, kRnFinite>("f32->e5m2", in)), "");
  std::cout << "alone in a block: " << probes.size() << " inputs, 4 conversions\n";
}

// ---- Slow tier: every f32 input --------------------------------------------------------------

template <Format To, Policy P>
void exhaustive(const char* name) {
  std::atomic<std::uint32_t> next_chunk{0};
  std::atomic<bool> failed{false};
  std::string first_failure;
  constexpr std::uint32_t kChunkBits = 20;
  const auto worker = [&] {
    std::vector<std::uint32_t> in(1u << kChunkBits);
    for (std::uint32_t chunk; (chunk = next_chunk++) < (1u << (32 - kChunkBits)) && !failed;) {
      for (std::uint32_t i = 0; i < in.size(); ++i) in[i] = chunk << kChunkBits | i;
      const std::string report = check_typed<kF32, To, P>(name, in);
      if (!report.empty() && !failed.exchange(true)) first_failure = report;
    }
  };
  std::thread helper(worker);
  worker();
  helper.join();
  EXPECT_FALSE(failed) << first_failure;
  std::cout << name << ": 4294967296 cases checked\n";
}

TEST(BatchExhaustive, DISABLED_F32FullSweepEveryTargetModeAndOverflow) {
  const auto in = f32_inputs(256, 4096);
  const std::uint64_t n = check_cases("f32", mode_overflow_cases(kF32), in);
  std::cout << "f32 full sweep: " << in.size() << " inputs, " << n << " cases checked\n";
}

TEST(BatchExhaustive, DISABLED_F32ToF16) { exhaustive<kF16, kRnFinite>("f32->f16"); }
TEST(BatchExhaustive, DISABLED_F32ToBF16) { exhaustive<kBF16, kRnFinite>("f32->bf16"); }
TEST(BatchExhaustive, DISABLED_F32ToE4M3FN) { exhaustive<kE4M3FN, kRnFinite>("f32->e4m3fn"); }
TEST(BatchExhaustive, DISABLED_F32ToE2M1FN) { exhaustive<kE2M1FN, kRnFinite>("f32->e2m1fn"); }

}  // namespace
}  // namespace numconf
