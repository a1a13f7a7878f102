// The model (formats/) against the independent oracle (reference/), case by case.
//
// Tiers:
//   default (ctest -L formats): every code of every format of <= 16 bits decoded; every code of
//     every <= 8-bit format (built-ins, all P3109 K=8, a spread of other K) converted into every
//     built-in and those P3109 formats; every f16/bf16 code into every built-in under
//     rn/rz/rp/rm/rna/ro x overflow none/finite; >= 10^6 boundary-biased and random f32/f64
//     inputs per target.
//   slow (ctest -L slow, the DISABLED_ tests of suite ConformanceSlow): the same sweeps with
//     every rounding variant and every overflow mode x overflow rule.
//
// Policy dimensions a case cannot be affected by (docs/semantics.md) are not multiplied out:
// the overflow mode and rule matter only for values near or above the target's range, for
// infinities, NaNs and negatives into unsigned targets; daz only for subnormal inputs; ftz and
// tininess only for values near or below the target's smallest normal; nan_to_nanless only
// for NaNs and invalid results.  Where a dimension cannot matter, each case still takes a
// pseudo-random value of it (from the printed seed), so every value is exercised somewhere.
//
// Environment: NUMCONF_SEED=<n> changes the seed of the pseudo-random choices and inputs;
// NUMCONF_THREADS=<n> the number of worker threads (default: hardware concurrency, max 8);
// NUMCONF_SHOW_FAILURES=<n> how many mismatches each worker prints; NUMCONF_EXCLUDE_TARGETS=
// <name>,... leaves conversion targets out.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <atomic>
#include <boost/multiprecision/cpp_int.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "formats/convert.hpp"
#include "formats/decode.hpp"
#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "formats/registry.hpp"
#include "reference/oracle.hpp"
#include "test_support.hpp"

namespace numconf {
namespace {

using namespace test_support;

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

// ---- Formats under test ---------------------------------------------------------------------

std::vector<NamedFmt> builtin_formats() {
  std::vector<NamedFmt> out;
  for (const NamedFormat& named : kBuiltinFormats)
    out.push_back({std::string(named.name), named.format});
  return out;
}

// NUMCONF_EXCLUDE_TARGETS=<name>,<name>,...: leaves those formats out of the conversion
// targets (for example while one of them is being debugged); printed when used.
std::vector<NamedFmt> without_excluded(std::vector<NamedFmt> formats) {
  const char* env = std::getenv("NUMCONF_EXCLUDE_TARGETS");
  if (env == nullptr || *env == 0) return formats;
  const std::string list = "," + std::string(env) + ",";
  std::erase_if(formats, [&](const NamedFmt& f) {
    return list.find("," + f.name + ",") != std::string::npos;
  });
  std::cout << "[ note     ] NUMCONF_EXCLUDE_TARGETS=" << env << ": those targets are skipped\n";
  return formats;
}

std::vector<NamedFmt> small_builtin_formats() {
  std::vector<NamedFmt> out;
  for (const NamedFmt& f : builtin_formats())
    if (code_bits(f.format) <= 8) out.push_back(f);
  return out;
}

// Every P3109 format of width K.
std::vector<NamedFmt> p3109_all(int k) {
  std::vector<NamedFmt> out;
  for (const bool is_signed : {true, false})
    for (int p = 1; p <= (is_signed ? k - 1 : k); ++p)
      for (const bool extended : {true, false}) out.push_back(p3109(k, p, is_signed, extended));
  return out;
}

// Every K = 8 P3109 format, and a spread of others (every K = 3 shape, extremes of P).
std::vector<NamedFmt> p3109_cross_formats() {
  std::vector<NamedFmt> out = p3109_all(8);
  for (const NamedFmt& f : p3109_all(3)) out.push_back(f);
  out.push_back(p3109(4, 1, true, true));
  out.push_back(p3109(4, 2, true, false));
  out.push_back(p3109(4, 3, true, true));
  out.push_back(p3109(4, 4, false, true));
  out.push_back(p3109(4, 2, false, false));
  out.push_back(p3109(6, 3, true, true));
  out.push_back(p3109(6, 1, true, false));
  out.push_back(p3109(6, 5, false, false));
  out.push_back(p3109(6, 6, false, true));
  out.push_back(p3109(10, 4, true, true));
  out.push_back(p3109(10, 10, false, false));
  out.push_back(p3109(12, 6, true, false));
  return out;
}


// ---- Comparison of model and oracle ---------------------------------------------------------

// Per-worker tallies; merged after the workers finish.
struct Stats {
  std::uint64_t cases = 0;
  std::uint64_t mismatches = 0;
  std::uint64_t flag_counts[5] = {};
  std::vector<std::string> first_failures;

  void merge(const Stats& other) {
    cases += other.cases;
    mismatches += other.mismatches;
    for (int i = 0; i < 5; ++i) flag_counts[i] += other.flag_counts[i];
    for (const std::string& s : other.first_failures)
      if (first_failures.size() < 2 * failures_shown()) first_failures.push_back(s);
  }
};


// One conversion, compared bit for bit and flag for flag.
inline void check_convert(const NamedFmt& from, const NamedFmt& to, std::uint64_t code,
                          const Policy& p, std::uint64_t random, Stats& stats) {
  const Rounded expected = ref::convert(from.format, to.format, code, p, random);
  const Rounded actual = convert(from.format, to.format, code, p, random);
  ++stats.cases;
  for (int i = 0; i < 5; ++i) stats.flag_counts[i] += (expected.flags >> i) & 1;
  if (expected == actual) return;
  ++stats.mismatches;
  if (stats.first_failures.size() < failures_shown()) {
    stats.first_failures.push_back(from.name + " -> " + to.name + " [" + policy_string(p, random) +
                                   "] input " + hex(code) + ": expected (oracle) " +
                                   hex(expected.bits) + " flags " + flags_string(expected.flags) +
                                   ", actual (model) " + hex(actual.bits) + " flags " +
                                   flags_string(actual.flags));
  }
}

// Runs work(i, stats) for i in [0, n) on the worker threads, then reports.
Stats run_parallel(std::size_t n, const std::function<void(std::size_t, Stats&)>& work) {
  const int workers = worker_count();
  std::vector<Stats> per_worker(static_cast<std::size_t>(workers));
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) work(i, per_worker[std::size_t(w)]);
    });
  }
  for (std::thread& t : threads) t.join();
  Stats total;
  for (const Stats& s : per_worker) total.merge(s);
  return total;
}

void report(const Stats& stats, double seconds, const std::string& what) {
  std::cout << "[ cases    ] " << what << ": " << stats.cases << " conversions in " << std::fixed
            << std::setprecision(1) << seconds << " s (seed " << test_seed() << ", "
            << worker_count() << " threads); oracle flags raised: inexact "
            << stats.flag_counts[0] << ", underflow " << stats.flag_counts[1] << ", overflow "
            << stats.flag_counts[2] << ", invalid " << stats.flag_counts[4] << "\n";
  ::testing::Test::RecordProperty("cases", std::to_string(stats.cases));
  ::testing::Test::RecordProperty("mismatches", std::to_string(stats.mismatches));
  ::testing::Test::RecordProperty("seed", std::to_string(test_seed()));
  std::string shown;
  for (const std::string& s : stats.first_failures) shown += "  " + s + "\n";
  EXPECT_EQ(stats.mismatches, 0u) << stats.mismatches << " of " << stats.cases
                                  << " conversions differ (first ones below; NUMCONF_SEED="
                                  << test_seed() << ")\n"
                                  << shown;
}

// ---- Decode ---------------------------------------------------------------------------------

std::string class_name(ValueClass c) {
  const char* names[] = {"zero", "subnormal", "normal", "infinite", "nan"};
  return names[int(c)];
}

std::string class_name(ref::ValueClass c) {
  const char* names[] = {"zero", "subnormal", "normal", "infinite", "nan"};
  return names[int(c)];
}

bool same_class(ValueClass model, ref::ValueClass oracle) {
  switch (model) {
    case ValueClass::Zero: return oracle == ref::ValueClass::Zero;
    case ValueClass::Subnormal: return oracle == ref::ValueClass::Subnormal;
    case ValueClass::Normal: return oracle == ref::ValueClass::Normal;
    case ValueClass::Infinite: return oracle == ref::ValueClass::Infinite;
    case ValueClass::Nan: return oracle == ref::ValueClass::Nan;
  }
  return false;
}

int bit_length(std::uint64_t v) { return v == 0 ? 0 : 64 - std::countl_zero(v); }

cpp_rational dyadic(std::uint64_t significand, int exponent) {
  if (exponent >= 0) return cpp_rational(cpp_int(significand) << exponent);
  return cpp_rational(cpp_int(significand), cpp_int(1) << -exponent);
}

// significand * 2^exponent == value, without building 2^exponent (P3109 formats with P = 1
// reach 2^+-16384).
bool equals(std::uint64_t significand, int exponent, const cpp_rational& value) {
  if (significand == 0) return value == 0;
  const int tz = std::countr_zero(significand);
  significand >>= tz;
  exponent += tz;
  const cpp_int& num = numerator(value);
  const cpp_int& den = denominator(value);
  if (exponent >= 0) {
    return den == 1 && int(msb(num)) == exponent + bit_length(significand) - 1 &&
           (num >> exponent) == significand && int(lsb(num)) == exponent;
  }
  return num == significand && int(lsb(den)) == -exponent && int(msb(den)) == -exponent;
}

// Every format whose codes have at most 16 bits: the built-ins and every P3109 shape.
std::vector<NamedFmt> decode_formats() {
  std::vector<NamedFmt> out;
  for (const NamedFmt& f : builtin_formats())
    if (storage_bits(f.format) <= 16) out.push_back(f);
  for (int k = 3; k <= 16; ++k)
    for (const NamedFmt& f : p3109_all(k)) out.push_back(f);
  return out;
}

void check_decode(const NamedFmt& f, std::uint64_t code, Stats& stats) {
  const Unpacked u = unpack(f.format, code);
  const ref::ExactValue v = ref::decode(f.format, code);
  ++stats.cases;
  std::string why;
  if (!same_class(u.cls, v.cls)) {
    why = "class " + class_name(u.cls) + " vs oracle " + class_name(v.cls);
  } else if (u.cls == ValueClass::Nan) {
    // The negzero NaN is the sign bit alone and has no sign of its own: not compared.
    if (f.format.nan != NanEncoding::NegZero && u.negative != v.negative) why = "NaN sign";
    else if (u.signaling != v.signaling) why = "signaling";
    else if (f.format.nan == NanEncoding::Ieee && u.significand != v.nan_payload) why = "payload";
  } else if (u.negative != v.negative) {
    why = "sign";
  } else if (u.cls != ValueClass::Infinite && !equals(u.significand, u.exponent, v.magnitude)) {
    why = "value " + hex(u.significand) + "*2^" + std::to_string(u.exponent) + " vs oracle " +
          v.magnitude.str();
  }
  if (why.empty()) return;
  ++stats.mismatches;
  if (stats.first_failures.size() < failures_shown())
    stats.first_failures.push_back("decode " + f.name + " input " + hex(code) + ": " + why);
}

TEST(ConformanceDecode, EveryCodeOfEveryFormatUpTo16Bits) {
  const Timer timer;
  const std::vector<NamedFmt> formats = decode_formats();
  // Work items: formats split into chunks of 4096 codes.
  struct Item {
    std::size_t format;
    std::uint64_t first, last;
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < formats.size(); ++i) {
    const std::uint64_t count = std::uint64_t{1} << code_bits(formats[i].format);
    for (std::uint64_t c = 0; c < count; c += 4096)
      items.push_back({i, c, std::min(count, c + 4096)});
  }
  const Stats stats = run_parallel(items.size(), [&](std::size_t i, Stats& s) {
    const NamedFmt& f = formats[items[i].format];
    for (std::uint64_t c = items[i].first; c < items[i].last; ++c)
      check_decode(f, c << f.format.padding_bits, s);
  });
  std::cout << "[ cases    ] " << formats.size() << " formats, " << stats.cases
            << " codes decoded in " << std::fixed << std::setprecision(1) << timer.seconds()
            << " s\n";
  ::testing::Test::RecordProperty("cases", std::to_string(stats.cases));
  std::string shown;
  for (const std::string& s : stats.first_failures) shown += "  " + s + "\n";
  EXPECT_EQ(stats.mismatches, 0u) << shown;
}

// ---- Policies -------------------------------------------------------------------------------

struct RoundingVariant {
  Rounding mode;
  int n = 0;              // random_bits
  std::uint64_t r = 0;    // R
};

constexpr Rounding kDeterministic[] = {Rounding::NearestEven,    Rounding::NearestAway,
                                       Rounding::TowardZero,     Rounding::TowardPositive,
                                       Rounding::TowardNegative, Rounding::ToOdd};
constexpr Rounding kStochastic[] = {Rounding::StochasticA, Rounding::StochasticB,
                                    Rounding::StochasticC};

// (N, R) pairs of the full stochastic sweep: N in {0, 1, 3, 8}, R at both ends and inside.
constexpr std::pair<int, std::uint64_t> kStochasticSweep[] = {
    {0, 0}, {1, 0}, {1, 1}, {3, 0}, {3, 3}, {3, 4}, {3, 7}, {8, 0}, {8, 1}, {8, 128}, {8, 255}};

// slow: the 6 deterministic modes and 3 x 11 stochastic variants.  default: the deterministic
// modes and, per stochastic mode, N in {0, 1, 3, 8} with a pseudo-random R chosen per case.
std::vector<RoundingVariant> rounding_variants(bool full, std::uint64_t h) {
  std::vector<RoundingVariant> out;
  for (const Rounding r : kDeterministic) out.push_back({r});
  for (const Rounding r : kStochastic) {
    if (full) {
      for (const auto& [n, value] : kStochasticSweep) out.push_back({r, n, value});
    } else {
      for (const int n : {0, 1, 3, 8}) {
        h = splitmix(h);
        out.push_back({r, n, h & low_mask(n)});
      }
    }
  }
  return out;
}

struct OverflowCombo {
  Overflow overflow;
  OverflowRule rule;
};

constexpr OverflowCombo kOverflowCombos[] = {
    {Overflow::None, OverflowRule::Ieee754},     {Overflow::None, OverflowRule::P3109},
    {Overflow::None, OverflowRule::P3109V3},     {Overflow::Finite, OverflowRule::Ieee754},
    {Overflow::Propagate, OverflowRule::Ieee754}, {Overflow::Finite, OverflowRule::P3109},
    {Overflow::Finite, OverflowRule::P3109V3},   {Overflow::Propagate, OverflowRule::P3109},
    {Overflow::Propagate, OverflowRule::P3109V3}};
constexpr std::size_t kOverflowCombosDefault = 5;  // the rule only matters under none
constexpr std::size_t kOverflowCombosFull = 9;

// What a target needs for deciding which policy dimensions can matter for a value.
struct TargetInfo {
  NamedFmt f;
  cpp_rational big;    // at or above: overflow mode and rule matter
  cpp_rational small;  // below: ftz and tininess matter
};

TargetInfo target_info(const NamedFmt& f) {
  TargetInfo t{f, 0, 0};
  if (is_float(f.format)) {
    const ref::ExactValue max =
        ref::decode(f.format, max_finite_magnitude(f.format) << f.format.padding_bits);
    t.big = max.magnitude / 4;
    if (has_zero(f.format)) t.small = dyadic(1, min_normal_exponent(f.format) + 2);
  } else {
    t.big = dyadic(1, f.format.int_bits - 2);
  }
  return t;
}

struct Relevance {
  bool overflow = false, daz = false, subnormal_out = false, nanless = false;
};

Relevance relevance(const ref::ExactValue& v, const TargetInfo& t) {
  Relevance r;
  const bool special = v.cls == ref::ValueClass::Nan || v.cls == ref::ValueClass::Infinite;
  const bool negative_unsigned = v.negative && !t.f.format.is_signed;
  r.overflow = special || negative_unsigned || v.magnitude >= t.big;
  r.daz = v.cls == ref::ValueClass::Subnormal;
  r.subnormal_out = is_float(t.f.format) && !special && v.cls != ref::ValueClass::Zero &&
                    v.magnitude < t.small;
  r.nanless = v.cls == ref::ValueClass::Nan || (r.overflow && !has_nan(t.f.format));
  return r;
}

// Every policy a case is checked under: the rounding variants times the dimensions that can
// matter for it; the others take a pseudo-random value from h.
template <typename F>
void for_each_policy(const Relevance& rel, bool full, std::uint64_t h, F&& f) {
  Rng rng{h};
  const std::vector<RoundingVariant> roundings = rounding_variants(full, rng.next());
  const std::size_t n_overflow = full ? kOverflowCombosFull : kOverflowCombosDefault;
  for (const RoundingVariant& rv : roundings) {
    for (std::size_t oi = 0; oi < (rel.overflow ? n_overflow : 1); ++oi) {
      const OverflowCombo oc = kOverflowCombos[rel.overflow ? oi : rng.below(n_overflow)];
      for (int daz = 0; daz < (rel.daz ? 2 : 1); ++daz) {
        for (int sub = 0; sub < (rel.subnormal_out ? 4 : 1); ++sub) {
          for (int nl = 0; nl < (rel.nanless ? 2 : 1); ++nl) {
            Policy p;
            p.rounding = rv.mode;
            p.random_bits = rv.n;
            p.overflow = oc.overflow;
            p.overflow_rule = oc.rule;
            p.flush_inputs = rel.daz ? daz != 0 : rng.coin();
            const int s = rel.subnormal_out ? sub : int(rng.below(4));
            p.flush_outputs = (s & 1) != 0;
            p.tininess = (s & 2) != 0 ? Tininess::BeforeRounding : Tininess::AfterRounding;
            p.nan_to_nanless = (rel.nanless ? nl != 0 : rng.coin()) ? NanToNanless::MaxFinite
                                                                     : NanToNanless::Zero;
            f(p, rv.r);
          }
        }
      }
    }
  }
}

// ---- Exhaustive conversions of small formats ------------------------------------------------

std::vector<NamedFmt> cross_sources() {
  std::vector<NamedFmt> out = small_builtin_formats();
  for (const NamedFmt& f : p3109_cross_formats()) out.push_back(f);
  return out;
}

std::vector<NamedFmt> cross_targets() {
  std::vector<NamedFmt> out = builtin_formats();
  for (const NamedFmt& f : p3109_cross_formats()) out.push_back(f);
  return without_excluded(out);
}

// Every code of every source into every target, under the policies for_each_policy picks.
void exhaustive_sweep(const std::vector<NamedFmt>& sources, const std::vector<NamedFmt>& targets,
                      bool full, const std::string& what) {
  const Timer timer;
  std::vector<TargetInfo> infos;
  for (const NamedFmt& t : targets) infos.push_back(target_info(t));
  // The oracle's exact value of every source code, for choosing the relevant dimensions.
  std::vector<std::vector<ref::ExactValue>> values(sources.size());
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const std::uint64_t count = std::uint64_t{1} << code_bits(sources[s].format);
    for (std::uint64_t c = 0; c < count; ++c)
      values[s].push_back(ref::decode(sources[s].format, c << sources[s].format.padding_bits));
  }
  // Work items: (source, target, block of 256 codes).
  struct Item {
    std::size_t source, target;
    std::uint64_t first, last;
  };
  std::vector<Item> items;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const std::uint64_t count = values[s].size();
    for (std::size_t t = 0; t < targets.size(); ++t)
      for (std::uint64_t c = 0; c < count; c += 256)
        items.push_back({s, t, c, std::min(count, c + 256)});
  }
  const std::uint64_t seed = test_seed();
  const Stats stats = run_parallel(items.size(), [&](std::size_t i, Stats& st) {
    const Item& item = items[i];
    const NamedFmt& from = sources[item.source];
    const TargetInfo& to = infos[item.target];
    for (std::uint64_t c = item.first; c < item.last; ++c) {
      const Relevance rel = relevance(values[item.source][c], to);
      const std::uint64_t code = c << from.format.padding_bits;
      for_each_policy(rel, full, hash_of({seed, item.source, item.target, c}),
                      [&](const Policy& p, std::uint64_t r) {
                        check_convert(from, to.f, code, p, r, st);
                      });
    }
  });
  report(stats, timer.seconds(),
         what + " (" + std::to_string(sources.size()) + " sources x " +
             std::to_string(targets.size()) + " targets)");
  // Not vacuous: a good share of the cases must have gone through rounding.
  EXPECT_GT(double(stats.flag_counts[0]), 0.2 * double(stats.cases));
  EXPECT_GT(stats.flag_counts[1], 0u);
  EXPECT_GT(stats.flag_counts[2], 0u);
}

TEST(ConformanceConvert, EverySmallFormatCodeIntoEveryFormat) {
  exhaustive_sweep(cross_sources(), cross_targets(), false, "<= 8-bit codes, default tier");
}

TEST(ConformanceSlow, DISABLED_EverySmallFormatCodeIntoEveryFormatAllPolicies) {
  exhaustive_sweep(cross_sources(), cross_targets(), true, "<= 8-bit codes, every policy");
}

// ---- f16 and bf16 sources -------------------------------------------------------------------

// Every f16 and bf16 code into every built-in format, in the six non-stochastic modes under
// overflow none and finite (rule, daz, ftz, tininess and nan_to_nanless pseudo-random).
TEST(ConformanceConvert, EveryF16AndBf16CodeIntoEveryBuiltin) {
  const Timer timer;
  const std::vector<NamedFmt> sources = {{"f16", kF16}, {"bf16", kBF16}};
  const std::vector<NamedFmt> targets = without_excluded(builtin_formats());
  const std::size_t blocks = 65536 / 1024;
  const std::uint64_t seed = test_seed();
  const Stats stats =
      run_parallel(sources.size() * targets.size() * blocks, [&](std::size_t i, Stats& st) {
        const NamedFmt& from = sources[i / (targets.size() * blocks)];
        const NamedFmt& to = targets[(i / blocks) % targets.size()];
        const std::uint64_t first = (i % blocks) * 1024;
        for (std::uint64_t c = first; c < first + 1024; ++c) {
          Rng rng{hash_of({seed, i, c})};
          for (const Rounding r : kDeterministic) {
            for (const Overflow o : {Overflow::None, Overflow::Finite}) {
              Policy p;
              p.rounding = r;
              p.overflow = o;
              p.overflow_rule = static_cast<OverflowRule>(rng.below(3));
              p.flush_inputs = rng.below(4) == 0;
              p.flush_outputs = rng.below(4) == 0;
              p.tininess = rng.coin() ? Tininess::BeforeRounding : Tininess::AfterRounding;
              p.nan_to_nanless = rng.coin() ? NanToNanless::MaxFinite : NanToNanless::Zero;
              check_convert(from, to, c, p, 0, st);
            }
          }
        }
      });
  report(stats, timer.seconds(), "f16/bf16 x built-ins x 6 modes x 2 overflow modes");
  EXPECT_GT(double(stats.flag_counts[0]), 0.2 * double(stats.cases));
}

// The full cross product: every rounding variant, and every relevant overflow / subnormal /
// NaN policy, for every f16 and bf16 code into every built-in format.
TEST(ConformanceSlow, DISABLED_EveryF16AndBf16CodeIntoEveryBuiltinAllPolicies) {
  exhaustive_sweep({{"f16", kF16}, {"bf16", kBF16}}, without_excluded(builtin_formats()), true,
                   "f16/bf16 codes, every policy");
}

// ---- Boundary-biased and random f32 / f64 inputs --------------------------------------------

// An exact dyadic significand * 2^exponent (significand < 2^64).
struct Dyadic {
  std::uint64_t significand;
  int exponent;
};

// The code of +-significand * 2^exponent in an IEEE-style source format (f32, f64), when it is
// exactly representable and finite.
std::optional<std::uint64_t> encode_exact(const Format& f, bool negative, Dyadic v) {
  const std::uint64_t sign = negative ? sign_bit(f) : 0;
  if (v.significand == 0) return sign;
  const int m = f.mantissa_bits;
  const int top = v.exponent + bit_length(v.significand) - 1;  // floor(log2)
  const int emin = 1 - f.bias;
  const int emax = int(max_exponent_field(f)) - 1 - f.bias;
  if (top > emax) return std::nullopt;
  const int quantum = std::max(top, emin) - m;
  std::uint64_t s = v.significand;
  if (quantum > v.exponent) {
    const int shift = quantum - v.exponent;
    if (shift >= 64 || (s & low_mask(shift)) != 0) return std::nullopt;
    s >>= shift;
  } else {
    s <<= (v.exponent - quantum);  // top - quantum <= m keeps this in range
  }
  if (top < emin) return sign | s;  // subnormal: exponent field 0
  const std::uint64_t field = std::uint64_t(top + f.bias);
  return sign | (field << m) | (s & low_mask(m));
}

// Values that sit on the target's decision points: powers of two at every binade, the ties
// just above and below them, odd and even ties, random ties inside the binade, the largest
// finite value and the overflow threshold (its tie with the next grid point), the subnormal
// grid and the ties around zero; for integers, the ties at +-k.5 and at the bounds.
std::vector<Dyadic> target_anchors(const Format& t, Rng& rng) {
  std::vector<Dyadic> out;
  if (!is_float(t)) {
    for (std::uint64_t k = 0; k < 10; ++k) {
      out.push_back({2 * k + 1, -1});  // k + 1/2
      out.push_back({k, 0});
    }
    for (int j = 1; j <= t.int_bits && j < 63; ++j) {
      const std::uint64_t two_j = std::uint64_t{1} << j;
      for (const std::uint64_t d : {0, 1, 2, 3})
        out.push_back({2 * two_j - d, -1}), out.push_back({2 * two_j + d, -1});
    }
    out.push_back({1, 63});
    out.push_back({1, 64});
    out.push_back({3, 62});
    return out;
  }
  const int m = t.mantissa_bits;
  const int emin = min_normal_exponent(t);
  const Unpacked max = unpack_float(t, max_finite_magnitude(t));
  const int emax = max.exponent + bit_length(max.significand) - 1;
  const int lowest = t.has_subnormals ? emin - m : emin;
  // Grid point k * 2^q; a tie is (2k + 1) * 2^(q - 1).
  for (int e = lowest; e <= emax + 1; ++e) {
    const int q = std::max(e, emin) - m;           // quantum in binade e
    const int q_below = std::max(e - 1, emin) - m;  // quantum in the binade below
    out.push_back({1, e});
    if (e - 1 >= lowest || !t.has_subnormals) out.push_back({(std::uint64_t{1} << (e - q_below + 1)) - 1, q_below - 1});
    if (e - q + 1 < 63) {
      const std::uint64_t k = std::uint64_t{1} << (e - q);  // 2^e = k quanta
      out.push_back({2 * k + 1, q - 1});                   // tie, lower neighbour even
      out.push_back({2 * k + 3, q - 1});                   // tie, lower neighbour odd
      out.push_back({k + 1, q});
      out.push_back({4 * k + 1, q - 2});                   // a quarter above
      out.push_back({4 * k + 3, q - 2});
      if (m > 1 && m < 62) {
        const std::uint64_t j = rng.below(k);
        out.push_back({2 * (k + j) + 1, q - 1});           // a random tie in the binade
        out.push_back({2 * (2 * k - 1) + 1, q - 1});       // the tie below 2^(e+1)
      }
    }
  }
  // The overflow threshold: max finite, its tie with the next grid point, and beyond.
  const int q_max = max.exponent;  // the significand is an integer times 2^exponent
  if (bit_length(max.significand) + 2 < 64) {
    out.push_back({max.significand, max.exponent});
    out.push_back({2 * max.significand + 1, q_max - 1});
    out.push_back({4 * max.significand + 1, q_max - 2});
    out.push_back({4 * max.significand + 3, q_max - 2});
    out.push_back({max.significand + 1, q_max});
    out.push_back({2 * max.significand - 1, q_max - 1});
  }
  // Around zero: the smallest value, half of it (a tie), a quarter and three quarters.
  const int tiniest = lowest;
  for (const Dyadic d : {Dyadic{1, tiniest}, Dyadic{1, tiniest - 1}, Dyadic{1, tiniest - 2},
                         Dyadic{3, tiniest - 2}, Dyadic{3, tiniest - 1}, Dyadic{1, tiniest - 10}})
    out.push_back(d);
  return out;
}

// One input code of a source format: boundary-biased or random.
std::uint64_t random_input(const Format& src, const std::vector<std::uint64_t>& anchor_codes,
                           const Format& target, Rng& rng) {
  const std::uint64_t all = low_mask(code_bits(src));
  const std::uint64_t choice = rng.below(100);
  if (choice < 45 && !anchor_codes.empty()) {
    // An anchor, or its neighbours up to 2 source ulps away, either sign.
    std::uint64_t c = anchor_codes[rng.below(anchor_codes.size())];
    const std::uint64_t sign = c & sign_bit(src);
    std::uint64_t mag = c & magnitude_mask(src);
    const int offset = int(rng.below(5)) - 2;
    if (offset < 0 && mag >= std::uint64_t(-offset)) mag -= std::uint64_t(-offset);
    if (offset > 0) mag += std::uint64_t(offset);
    c = sign | (mag & magnitude_mask(src));
    if (rng.coin()) c ^= sign_bit(src);
    return c;
  }
  if (choice < 80) {
    // Uniform significand, exponent within (and a little beyond) the target's range.
    int lo = -70, hi = 70;
    if (is_float(target)) {
      const Unpacked max = unpack_float(target, max_finite_magnitude(target));
      hi = max.exponent + bit_length(max.significand) + 1;
      lo = min_normal_exponent(target) - target.mantissa_bits - 3;
    } else {
      lo = -4;
      hi = target.int_bits + 2;
    }
    const int e = lo + int(rng.below(std::uint64_t(hi - lo + 1)));
    const int src_emin = 1 - src.bias, src_emax = int(max_exponent_field(src)) - 1 - src.bias;
    const int clamped = std::clamp(e, src_emin - src.mantissa_bits, src_emax);
    const Dyadic d{(std::uint64_t{1} << src.mantissa_bits) | (rng.next() & low_mask(src.mantissa_bits)),
                   clamped - src.mantissa_bits};
    if (const auto c = encode_exact(src, rng.coin(), d)) return *c;
    return rng.next() & all;
  }
  if (choice < 83) {  // specials: zeros, infinities, NaNs (quiet and signaling, with payloads)
    const std::uint64_t inf = inf_magnitude(src);
    const std::uint64_t specials[] = {0, inf, inf | 1, inf | quiet_bit(src),
                                      inf | quiet_bit(src) | (rng.next() & low_mask(src.mantissa_bits)),
                                      1, max_finite_magnitude(src), (std::uint64_t{1} << src.mantissa_bits)};
    return specials[rng.below(8)] | (rng.coin() ? sign_bit(src) : 0);
  }
  return rng.next() & all;  // uniform bits
}

Policy random_policy(Rng& rng, std::uint64_t& random) {
  Policy p;
  const std::uint64_t mode = rng.below(9);
  p.rounding = static_cast<Rounding>(mode);
  random = 0;
  if (is_stochastic(p.rounding)) {
    const std::uint64_t pick = rng.below(4);
    p.random_bits = pick == 0 ? 0 : pick == 1 ? int(rng.below(4)) : pick == 2 ? 8 : int(rng.below(33));
    random = rng.next() & low_mask(p.random_bits);
    if (rng.below(8) == 0) random = low_mask(p.random_bits);  // the extreme R
  }
  const OverflowCombo oc = kOverflowCombos[rng.below(kOverflowCombosFull)];
  p.overflow = oc.overflow;
  p.overflow_rule = oc.rule;
  p.flush_inputs = rng.below(4) == 0;
  p.flush_outputs = rng.below(4) == 0;
  p.tininess = rng.coin() ? Tininess::BeforeRounding : Tininess::AfterRounding;
  p.nan_to_nanless = rng.coin() ? NanToNanless::MaxFinite : NanToNanless::Zero;
  return p;
}

std::vector<NamedFmt> random_test_targets() {
  std::vector<NamedFmt> out = builtin_formats();
  out.push_back(p3109(8, 3, true, true));
  out.push_back(p3109(8, 4, true, false));
  out.push_back(p3109(8, 1, false, true));
  out.push_back(p3109(8, 8, false, false));
  out.push_back(p3109(16, 11, true, true));
  out.push_back(p3109(12, 12, false, true));
  return without_excluded(out);
}

constexpr std::uint64_t kRandomInputsPerTarget = 1'000'000;

void random_sweep(std::uint64_t per_target, const std::string& what) {
  const Timer timer;
  const std::vector<NamedFmt> sources = {{"f32", kF32}, {"f64", kF64}};
  const std::vector<NamedFmt> targets = random_test_targets();
  const std::uint64_t seed = test_seed();
  // Each target's anchors, encoded in each source where exactly representable.
  std::vector<std::vector<std::vector<std::uint64_t>>> anchors(targets.size());
  std::size_t anchor_total = 0;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    Rng rng{hash_of({seed, t, 0xa1})};
    const std::vector<Dyadic> values = target_anchors(targets[t].format, rng);
    for (const NamedFmt& s : sources) {
      std::vector<std::uint64_t> codes;
      for (const Dyadic& d : values)
        if (const auto c = encode_exact(s.format, false, d)) codes.push_back(*c);
      anchor_total += codes.size();
      anchors[t].push_back(std::move(codes));
    }
  }
  constexpr std::uint64_t kBlock = 10'000;
  const std::uint64_t blocks = (per_target + kBlock - 1) / kBlock;
  const Stats stats = run_parallel(targets.size() * blocks, [&](std::size_t i, Stats& st) {
    const std::size_t t = i / blocks;
    Rng rng{hash_of({seed, i, 0xb2})};
    const std::uint64_t first = (i % blocks) * kBlock;
    for (std::uint64_t n = first; n < std::min(per_target, first + kBlock); ++n) {
      const std::size_t s = n & 1;  // alternate f32 and f64 inputs
      const std::uint64_t code =
          random_input(sources[s].format, anchors[t][s], targets[t].format, rng);
      std::uint64_t r = 0;
      const Policy p = random_policy(rng, r);
      check_convert(sources[s], targets[t], code, p, r, st);
    }
  });
  report(stats, timer.seconds(),
         what + " (" + std::to_string(targets.size()) + " targets, " + std::to_string(per_target) +
             " inputs each, " + std::to_string(anchor_total) + " anchor codes)");
  EXPECT_GT(double(stats.flag_counts[0]), 0.3 * double(stats.cases));
  EXPECT_GT(stats.flag_counts[1], 0u);
  EXPECT_GT(stats.flag_counts[2], 0u);
  EXPECT_GT(stats.flag_counts[4], 0u);
}

TEST(ConformanceConvert, BoundaryAndRandomF32F64Inputs) {
  random_sweep(kRandomInputsPerTarget, "f32/f64 boundary-biased and random inputs");
}

TEST(ConformanceSlow, DISABLED_BoundaryAndRandomF32F64InputsTenfold) {
  random_sweep(10 * kRandomInputsPerTarget, "f32/f64 boundary-biased and random inputs x10");
}

// ---- The rounding path is reached -----------------------------------------------------------

// Exact ties of each narrow target, fed from f32 under rn: every one of them must be inexact
// and the model and the oracle must agree on which neighbour wins.  A conversion test that only
// fed representable values would pass with any rounder; this one cannot.
TEST(ConformanceConvert, RoundingPathIsReached) {
  const NamedFmt src{"f32", kF32};
  std::uint64_t ties = 0, inexact = 0, cases = 0, mismatches = 0;
  std::string shown;
  for (const NamedFmt& t : random_test_targets()) {
    if (!is_float(t.format) || t.format.mantissa_bits >= 23) continue;
    const int m = t.format.mantissa_bits;
    const int emin = min_normal_exponent(t.format);
    const Unpacked max = unpack_float(t.format, max_finite_magnitude(t.format));
    const int emax = max.exponent + bit_length(max.significand) - 1;
    for (int e = std::max(emin, -120); e <= std::min(emax, 120); ++e) {
      // The tie between 2^e and its upper neighbour, and the tie just above it by one f32 ulp.
      for (const Dyadic d : {Dyadic{(std::uint64_t{1} << (m + 1)) + 1, e - m - 1},
                             Dyadic{(std::uint64_t{1} << (m + 1)) + 3, e - m - 1}}) {
        const auto code = encode_exact(kF32, false, d);
        if (!code) continue;
        for (const Rounding r : kDeterministic) {
          Policy p;
          p.rounding = r;
          const Rounded expected = ref::convert(kF32, t.format, *code, p);
          const Rounded actual = convert(kF32, t.format, *code, p);
          ++cases;
          ties += r == Rounding::NearestEven;
          inexact += (expected.flags & flags::kInexact) != 0;
          if (expected != actual && ++mismatches <= 20)
            shown += "  " + src.name + " -> " + t.name + " [" + policy_string(p, 0) + "] input " +
                     hex(*code) + ": expected " + hex(expected.bits) + " flags " +
                     flags_string(expected.flags) + ", actual " + hex(actual.bits) + " flags " +
                     flags_string(actual.flags) + "\n";
        }
      }
    }
  }
  std::cout << "[ cases    ] " << cases << " tie conversions, " << inexact << " inexact\n";
  ::testing::Test::RecordProperty("cases", std::to_string(cases));
  EXPECT_EQ(mismatches, 0u) << shown;
  EXPECT_GT(ties, 100u);
  EXPECT_EQ(inexact, cases) << "every tie must be inexact";
}

}  // namespace
}  // namespace numconf
