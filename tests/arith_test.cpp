// Arithmetic (formats/arith.hpp) against the exact oracle (reference/arith.hpp), case by case,
// and, where the host CPU has SSE and FMA, f32/f64 arithmetic against the CPU itself.
//
// Tiers:
//   default (ctest -L formats):
//     - every operand pair of e4m3fn, e5m2, e2m1fn and e8m0fnu for add, sub, mul, div under
//       rn/overflow none and rm/overflow finite;
//     - every small format (the <= 8-bit built-ins and P3109 binary8p1se, p3se, p4sf, p3ue)
//       in all 18 policies (rn rna rz rp rm ro sra srb src x overflow none/finite; N = 4 and
//       a pseudo-random R per case) on a strided subset of the pairs (every 17th pair);
//       sqrt of every code in every policy; fma on random triples;
//     - every pair of every small format under a pseudo-random policy of every dimension
//       (tininess, daz, ftz, propagate, nan_to_nanless, overflow rule, N);
//     - minimum, maximum, minimumNumber, maximumNumber and compare on every pair,
//       round_to_integral (both variants) on every code in all 18 policies;
//     - f16, bf16, f32, f64: boundary-biased operands per operation and rounding mode;
//     - f32 and f64 against the CPU in rn/rz/rp/rm;
//     - the fast paths of every operation against the general path (ArithFast): every pair
//       (every code for sqrt) of every small format in every mode, and 20000 random and
//       boundary-biased cases per format, operation and mode for f16, bf16, f32, f64 and tf32.
//   slow (ctest -L slow: --gtest_filter=*Slow* --gtest_also_run_disabled_tests, the DISABLED_
//     tests of suite ArithSlow and ArithCpu.DISABLED_Slow...): every pair of every small
//     format in all 18 policies for add, sub, mul, div; 10^6 fma triples per small format;
//     10^6 boundary-biased cases per wide format, operation and mode; 10^6 CPU cases per
//     format, operation and mode; 10^6 fast-path cases per wide format, operation and mode.
//
// Environment: NUMCONF_SEED=<n> changes the pseudo-random choices; NUMCONF_THREADS=<n> the
// worker threads (default 2); NUMCONF_SHOW_FAILURES=<n> how many mismatches are printed.
//
// CPU comparison notes (x86-64 SSE, MXCSR): tininess is detected after rounding, like the
// default policy; FE_INEXACT, FE_UNDERFLOW, FE_OVERFLOW, FE_DIVBYZERO and FE_INVALID map to
// the TestFloat flags 0x01, 0x02, 0x04, 0x08 and 0x10.  x86's default NaN (invalid operation
// on non-NaN operands) is negative (0xffc00000) where docs/arithmetic.md returns a positive
// one: for those results only NaN-ness is compared.  For fma the NaN propagated out of NaN
// operands follows the instruction's operand encoding order, so there too only NaN-ness is
// compared; add/sub/mul/div/sqrt NaN results from NaN operands are compared bit for bit.
// fma(0, Inf, qNaN) raises invalid under docs/arithmetic.md (as Berkeley SoftFloat does) but
// not on x86: that one flag difference is accepted as the x86 profile.
#include "formats/arith.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cfenv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "formats/registry.hpp"
#include "reference/arith.hpp"
#include "reference/oracle.hpp"
#include "test_support.hpp"

namespace numconf {
namespace {

using namespace test_support;

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

// ---- Formats ---------------------------------------------------------------------------------

NamedFmt builtin(std::string_view name) {
  for (const NamedFormat& named : kBuiltinFormats)
    if (named.name == name) return {std::string(named.name), named.format};
  std::abort();
}

// Every built-in float format of at most 8 bits and a few P3109 K=8 formats.
std::vector<NamedFmt> small_formats() {
  std::vector<NamedFmt> out;
  for (const NamedFormat& named : kBuiltinFormats)
    if (is_float(named.format) && storage_bits(named.format) <= 8)
      out.push_back({std::string(named.name), named.format});
  out.push_back(p3109(8, 1, true, true));
  out.push_back(p3109(8, 3, true, true));
  out.push_back(p3109(8, 4, true, false));
  out.push_back(p3109(8, 3, false, true));
  return out;
}

// ---- Operations ------------------------------------------------------------------------------

enum class Op : std::uint8_t { Add, Sub, Mul, Div, Fma, Sqrt };
constexpr Op kAllOps[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Fma, Op::Sqrt};
constexpr Op kBinaryOps[] = {Op::Add, Op::Sub, Op::Mul, Op::Div};

const char* op_name(Op op) {
  const char* names[] = {"add", "sub", "mul", "div", "fma", "sqrt"};
  return names[int(op)];
}

int arity(Op op) { return op == Op::Sqrt ? 1 : op == Op::Fma ? 3 : 2; }

Rounded model_op(Op op, const Format& f, std::uint64_t a, std::uint64_t b, std::uint64_t c,
                 const Policy& p, std::uint64_t r) {
  switch (op) {
    case Op::Add:
      return numconf::add(f, a, b, p, r);
    case Op::Sub:
      return numconf::sub(f, a, b, p, r);
    case Op::Mul:
      return numconf::mul(f, a, b, p, r);
    case Op::Div:
      return numconf::div(f, a, b, p, r);
    case Op::Fma:
      return numconf::fma(f, a, b, c, p, r);
    case Op::Sqrt:
      return numconf::sqrt(f, a, p, r);
  }
  return {};
}

Rounded oracle_op(Op op, const Format& f, const ref::Operand& a, const ref::Operand& b,
                  const ref::Operand& c, const Policy& p, std::uint64_t r) {
  switch (op) {
    case Op::Add:
      return ref::add(f, a, b, p, r);
    case Op::Sub:
      return ref::sub(f, a, b, p, r);
    case Op::Mul:
      return ref::mul(f, a, b, p, r);
    case Op::Div:
      return ref::div(f, a, b, p, r);
    case Op::Fma:
      return ref::fma(f, a, b, c, p, r);
    case Op::Sqrt:
      return ref::sqrt(f, a, p, r);
  }
  return {};
}

// ---- Comparison ------------------------------------------------------------------------------

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

std::string operands_string(int n, const std::uint64_t* codes) {
  std::string s;
  const char* names[] = {"a=", " b=", " c="};
  for (int i = 0; i < n; ++i) s += names[i] + hex(codes[i]);
  return s;
}

void note_failure(Stats& stats, const std::string& what, const std::string& policy,
                  const std::string& operands, const std::string& expected,
                  const std::string& actual) {
  ++stats.mismatches;
  if (stats.first_failures.size() < failures_shown())
    stats.first_failures.push_back(what + " [" + policy + "] " + operands + ": expected " +
                                   expected + ", actual " + actual);
}

std::string result_string(const char* who, const Rounded& r) {
  return std::string("(") + who + ") " + hex(r.bits) + " flags " + flags_string(r.flags);
}

// One arithmetic case, model against oracle, bit for bit and flag for flag.
inline void check_op(const NamedFmt& f, Op op, const ref::Operand* ops, const Policy& p,
                     std::uint64_t r, Stats& stats) {
  const Rounded expected = oracle_op(op, f.format, ops[0], ops[1], ops[2], p, r);
  const Rounded actual = model_op(op, f.format, ops[0].code, ops[1].code, ops[2].code, p, r);
  ++stats.cases;
  for (int i = 0; i < 5; ++i) stats.flag_counts[i] += (expected.flags >> i) & 1;
  if (expected == actual) return;
  const std::uint64_t codes[3] = {ops[0].code, ops[1].code, ops[2].code};
  note_failure(stats, f.name + " " + op_name(op), policy_string(p, r),
               operands_string(arity(op), codes), result_string("oracle", expected),
               result_string("model", actual));
}

template <class Tally = Stats>
Tally run_parallel(std::size_t n,
                   const std::function<void(std::size_t, std::type_identity_t<Tally>&)>& work) {
  const int workers = worker_count();
  std::vector<Tally> per_worker(static_cast<std::size_t>(workers));
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) work(i, per_worker[std::size_t(w)]);
    });
  }
  for (std::thread& t : threads) t.join();
  Tally total;
  for (const Tally& s : per_worker) total.merge(s);
  return total;
}

void report(const Stats& stats, double seconds, const std::string& what) {
  std::cout << "[ cases    ] " << what << ": " << stats.cases << " cases in " << std::fixed
            << std::setprecision(1) << seconds << " s (seed " << test_seed() << ", "
            << worker_count() << " threads); expected flags: inexact " << stats.flag_counts[0]
            << ", underflow " << stats.flag_counts[1] << ", overflow " << stats.flag_counts[2]
            << ", infinite " << stats.flag_counts[3] << ", invalid " << stats.flag_counts[4]
            << std::endl;
  ::testing::Test::RecordProperty("cases", std::to_string(stats.cases));
  ::testing::Test::RecordProperty("mismatches", std::to_string(stats.mismatches));
  std::string shown;
  for (const std::string& s : stats.first_failures) shown += "  " + s + "\n";
  EXPECT_EQ(stats.mismatches, 0u) << stats.mismatches << " of " << stats.cases
                                  << " cases differ (first ones below; NUMCONF_SEED=" << test_seed()
                                  << ")\n"
                                  << shown;
}

// ---- Policies --------------------------------------------------------------------------------

constexpr Rounding kAllModes[] = {
    Rounding::NearestEven,    Rounding::NearestAway,    Rounding::TowardZero,
    Rounding::TowardPositive, Rounding::TowardNegative, Rounding::ToOdd,
    Rounding::StochasticA,    Rounding::StochasticB,    Rounding::StochasticC};

Policy make_policy(Rounding mode, Overflow overflow, int n = 4) {
  Policy p;
  p.rounding = mode;
  p.overflow = overflow;
  p.random_bits = is_stochastic(mode) ? n : 0;
  return p;
}

// The 18 policies of the small-format sweeps: every mode x overflow none/finite, N = 4.
std::vector<Policy> all_mode_policies() {
  std::vector<Policy> out;
  for (const Rounding mode : kAllModes)
    for (const Overflow o : {Overflow::None, Overflow::Finite}) out.push_back(make_policy(mode, o));
  return out;
}

// A policy with every dimension pseudo-random.
Policy random_policy(Rng& rng, std::uint64_t& random) {
  Policy p;
  p.rounding = kAllModes[rng.below(9)];
  random = 0;
  if (is_stochastic(p.rounding)) {
    const int widths[] = {0, 1, 4, 8, 32};
    p.random_bits = widths[rng.below(5)];
    random = rng.next() & low_mask(p.random_bits);
  }
  p.overflow = static_cast<Overflow>(rng.below(3));
  p.overflow_rule = static_cast<OverflowRule>(rng.below(3));
  p.flush_inputs = rng.below(4) == 0;
  p.flush_outputs = rng.below(4) == 0;
  p.tininess = rng.coin() ? Tininess::BeforeRounding : Tininess::AfterRounding;
  p.nan_to_nanless = rng.coin() ? NanToNanless::MaxFinite : NanToNanless::Zero;
  return p;
}

// The random value R of a stochastic case, from its identity.
std::uint64_t random_for(const Policy& p, std::initializer_list<std::uint64_t> id) {
  return is_stochastic(p.rounding) ? hash_of(id) & low_mask(p.random_bits) : 0;
}

// ---- Small formats: every pair ---------------------------------------------------------------

// A small format with every code decoded once.
struct Prepared {
  NamedFmt f;
  std::vector<ref::Operand> operands;
};

Prepared prepare(const NamedFmt& f) {
  Prepared out{f, {}};
  const std::uint64_t count = std::uint64_t{1} << code_bits(f.format);
  for (std::uint64_t c = 0; c < count; ++c)
    out.operands.push_back(ref::operand(f.format, c << f.format.padding_bits));
  return out;
}

std::vector<Prepared> prepare_all(const std::vector<NamedFmt>& formats) {
  std::vector<Prepared> out;
  for (const NamedFmt& f : formats) out.push_back(prepare(f));
  return out;
}

// Every pair (a, b) with (a * count + b) % stride == 0, for each format, policy and binary op.
Stats pair_sweep(const std::vector<Prepared>& formats, const std::vector<Policy>& policies,
                 std::uint64_t stride) {
  struct Item {
    std::size_t format, policy;
    Op op;
    std::uint64_t a;
  };
  std::vector<Item> items;
  for (std::size_t f = 0; f < formats.size(); ++f)
    for (std::size_t p = 0; p < policies.size(); ++p)
      for (const Op op : kBinaryOps)
        for (std::uint64_t a = 0; a < formats[f].operands.size(); ++a)
          items.push_back({f, p, op, a});
  const std::uint64_t seed = test_seed();
  return run_parallel(items.size(), [&](std::size_t i, Stats& st) {
    const Item& it = items[i];
    const Prepared& pf = formats[it.format];
    const Policy& p = policies[it.policy];
    const std::uint64_t count = pf.operands.size();
    // The first b of this row on the stride, offset per format and policy.
    const std::uint64_t shift =
        hash_of({seed, it.format, it.policy, std::uint64_t(it.op)}) % stride;
    const std::uint64_t base = it.a * count;
    std::uint64_t b = (stride - (base + stride - shift) % stride) % stride;
    for (; b < count; b += stride) {
      const ref::Operand ops[3] = {pf.operands[it.a], pf.operands[b], pf.operands[0]};
      const std::uint64_t r = random_for(p, {seed, it.format, it.a, b, std::uint64_t(it.op)});
      check_op(pf.f, it.op, ops, p, r, st);
    }
  });
}

void expect_not_vacuous(const Stats& stats) {
  EXPECT_GT(double(stats.flag_counts[0]), 0.1 * double(stats.cases));  // rounding reached
  EXPECT_GT(stats.flag_counts[2], 0u);                                 // overflow reached
  EXPECT_GT(stats.flag_counts[4], 0u);                                 // invalid reached
}

TEST(ArithSmall, EveryPairOfFourFormatsInTwoPolicies) {
  const Timer timer;
  const auto formats =
      prepare_all({builtin("e4m3fn"), builtin("e5m2"), builtin("e2m1fn"), builtin("e8m0fnu")});
  const std::vector<Policy> policies = {make_policy(Rounding::NearestEven, Overflow::None),
                                        make_policy(Rounding::TowardNegative, Overflow::Finite)};
  const Stats stats = pair_sweep(formats, policies, 1);
  report(stats, timer.seconds(),
         "add/sub/mul/div, every pair of e4m3fn e5m2 e2m1fn e8m0fnu, rn/none and rm/finite");
  expect_not_vacuous(stats);
}

TEST(ArithSmall, StridedPairsOfEverySmallFormatInEveryMode) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  const Stats stats = pair_sweep(formats, all_mode_policies(), 17);
  report(stats, timer.seconds(),
         "add/sub/mul/div, every 17th pair of " + std::to_string(formats.size()) +
             " small formats x 18 policies");
  expect_not_vacuous(stats);
}

TEST(ArithSlow, DISABLED_EveryPairOfEverySmallFormatInEveryMode) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  const Stats stats = pair_sweep(formats, all_mode_policies(), 1);
  report(stats, timer.seconds(),
         "add/sub/mul/div, every pair of " + std::to_string(formats.size()) +
             " small formats x 18 policies");
  expect_not_vacuous(stats);
}

// Every pair of every small format for each binary op, sqrt of every code, each case under
// a pseudo-random policy in every dimension.
Stats random_policy_sweep(const std::vector<Prepared>& formats, std::uint64_t salt) {
  struct Item {
    std::size_t format;
    std::uint64_t a;
  };
  std::vector<Item> items;
  for (std::size_t f = 0; f < formats.size(); ++f)
    for (std::uint64_t a = 0; a < formats[f].operands.size(); ++a) items.push_back({f, a});
  const std::uint64_t seed = test_seed();
  return run_parallel(items.size(), [&](std::size_t i, Stats& st) {
    const Prepared& pf = formats[items[i].format];
    const std::uint64_t a = items[i].a;
    Rng rng{hash_of({seed, salt, items[i].format, a})};
    std::uint64_t r = 0;
    for (std::uint64_t b = 0; b < pf.operands.size(); ++b) {
      for (const Op op : kBinaryOps) {
        const Policy p = random_policy(rng, r);
        const ref::Operand ops[3] = {pf.operands[a], pf.operands[b], pf.operands[0]};
        check_op(pf.f, op, ops, p, r, st);
      }
    }
    const Policy p = random_policy(rng, r);
    const ref::Operand ops[3] = {pf.operands[a], pf.operands[0], pf.operands[0]};
    check_op(pf.f, Op::Sqrt, ops, p, r, st);
  });
}

TEST(ArithSmall, EveryPairUnderRandomPolicies) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  const Stats stats = random_policy_sweep(formats, 1);
  report(stats, timer.seconds(),
         "add/sub/mul/div/sqrt, every pair of every small format, random policy per case");
  expect_not_vacuous(stats);
  EXPECT_GT(stats.flag_counts[1], 0u);
}

TEST(ArithSmall, SqrtOfEveryCodeInEveryMode) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  const std::vector<Policy> policies = all_mode_policies();
  const std::uint64_t seed = test_seed();
  const Stats stats = run_parallel(formats.size() * policies.size(), [&](std::size_t i, Stats& st) {
    const Prepared& pf = formats[i / policies.size()];
    const Policy& p = policies[i % policies.size()];
    for (std::uint64_t a = 0; a < pf.operands.size(); ++a) {
      const ref::Operand ops[3] = {pf.operands[a], pf.operands[0], pf.operands[0]};
      check_op(pf.f, Op::Sqrt, ops, p, random_for(p, {seed, i, a}), st);
    }
  });
  report(stats, timer.seconds(), "sqrt, every code of every small format x 18 policies");
  EXPECT_GT(stats.flag_counts[0], 0u);
  EXPECT_GT(stats.flag_counts[4], 0u);
}

// Random fma triples per small format, each under one of the 18 policies (every 16th case
// under a random policy of every dimension).
Stats fma_sweep(const std::vector<Prepared>& formats, std::uint64_t per_format) {
  const std::vector<Policy> policies = all_mode_policies();
  constexpr std::uint64_t kBlock = 4096;
  const std::uint64_t blocks = (per_format + kBlock - 1) / kBlock;
  const std::uint64_t seed = test_seed();
  return run_parallel(formats.size() * blocks, [&](std::size_t i, Stats& st) {
    const Prepared& pf = formats[i / blocks];
    Rng rng{hash_of({seed, 0xf3a, i})};
    const std::uint64_t count = pf.operands.size();
    const std::uint64_t first = (i % blocks) * kBlock;
    for (std::uint64_t k = first; k < std::min(per_format, first + kBlock); ++k) {
      std::uint64_t r = 0;
      Policy p;
      if (k % 16 == 15) {
        p = random_policy(rng, r);
      } else {
        p = policies[rng.below(policies.size())];
        r = rng.next() & low_mask(p.random_bits);
      }
      const ref::Operand ops[3] = {pf.operands[rng.below(count)], pf.operands[rng.below(count)],
                                   pf.operands[rng.below(count)]};
      check_op(pf.f, Op::Fma, ops, p, r, st);
    }
  });
}

TEST(ArithSmall, FmaOnRandomTriples) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  const Stats stats = fma_sweep(formats, 50000);
  report(stats, timer.seconds(), "fma, 5*10^4 random triples per small format");
  expect_not_vacuous(stats);
}

TEST(ArithSlow, DISABLED_FmaOnAMillionTriplesPerFormat) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  const Stats stats = fma_sweep(formats, 1000000);
  report(stats, timer.seconds(), "fma, 10^6 random triples per small format");
  expect_not_vacuous(stats);
}

// ---- Small formats: min/max, compare, round_to_integral --------------------------------------

const char* ordering_name(ref::Ordering o) {
  const char* names[] = {"less", "equal", "greater", "unordered"};
  return names[int(o)];
}

ref::Ordering as_ref(Ordering o) {
  switch (o) {
    case Ordering::Less:
      return ref::Ordering::Less;
    case Ordering::Equal:
      return ref::Ordering::Equal;
    case Ordering::Greater:
      return ref::Ordering::Greater;
    case Ordering::Unordered:
      break;
  }
  return ref::Ordering::Unordered;
}

TEST(ArithSmall, MinMaxAndCompareOnEveryPair) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  struct Item {
    std::size_t format;
    std::uint64_t a;
  };
  std::vector<Item> items;
  for (std::size_t f = 0; f < formats.size(); ++f)
    for (std::uint64_t a = 0; a < formats[f].operands.size(); ++a) items.push_back({f, a});
  const std::uint64_t seed = test_seed();
  using MinMax = Rounded (*)(const Format&, std::uint64_t, std::uint64_t, const Policy&);
  using RefMinMax =
      Rounded (*)(const Format&, const ref::Operand&, const ref::Operand&, const Policy&);
  struct Named {
    const char* name;
    MinMax model;
    RefMinMax oracle;
  };
  const Named ops[] = {{"minimum", &numconf::minimum, &ref::minimum},
                       {"maximum", &numconf::maximum, &ref::maximum},
                       {"minimum_number", &numconf::minimum_number, &ref::minimum_number},
                       {"maximum_number", &numconf::maximum_number, &ref::maximum_number}};
  const Stats stats = run_parallel(items.size(), [&](std::size_t i, Stats& st) {
    const Prepared& pf = formats[items[i].format];
    const ref::Operand& a = pf.operands[items[i].a];
    Rng rng{hash_of({seed, 0x313, i})};
    for (const ref::Operand& b : pf.operands) {
      std::uint64_t r = 0;
      const Policy p = random_policy(rng, r);
      const std::uint64_t codes[2] = {a.code, b.code};
      for (const Named& op : ops) {
        const Rounded expected = op.oracle(pf.f.format, a, b, p);
        const Rounded actual = op.model(pf.f.format, a.code, b.code, p);
        ++st.cases;
        for (int k = 0; k < 5; ++k) st.flag_counts[k] += (expected.flags >> k) & 1;
        if (expected != actual)
          note_failure(st, pf.f.name + " " + op.name, policy_string(p, 0),
                       operands_string(2, codes), result_string("oracle", expected),
                       result_string("model", actual));
      }
      const ref::Comparison expected = ref::compare(pf.f.format, a, b, p);
      const Compared actual = numconf::compare(pf.f.format, a.code, b.code, p);
      ++st.cases;
      if (expected.order != as_ref(actual.order) || expected.flags != actual.flags)
        note_failure(st, pf.f.name + " compare", policy_string(p, 0), operands_string(2, codes),
                     std::string("(oracle) ") + ordering_name(expected.order) + " flags " +
                         flags_string(expected.flags),
                     std::string("(model) ") + ordering_name(as_ref(actual.order)) + " flags " +
                         flags_string(actual.flags));
    }
  });
  report(stats, timer.seconds(),
         "minimum/maximum/minimumNumber/maximumNumber/compare, every pair of every small format, "
         "random policy per pair");
  EXPECT_GT(stats.flag_counts[4], 0u);
}

TEST(ArithSmall, RoundToIntegralOfEveryCodeInEveryMode) {
  const Timer timer;
  const auto formats = prepare_all(small_formats());
  std::vector<Policy> policies = all_mode_policies();
  for (const Rounding mode : {Rounding::NearestEven, Rounding::TowardPositive}) {
    Policy p = make_policy(mode, Overflow::Propagate);
    p.flush_inputs = true;
    policies.push_back(p);
  }
  const std::uint64_t seed = test_seed();
  const Stats stats = run_parallel(formats.size() * policies.size(), [&](std::size_t i, Stats& st) {
    const Prepared& pf = formats[i / policies.size()];
    const Policy& p = policies[i % policies.size()];
    for (const ref::Operand& a : pf.operands) {
      for (const bool exact : {false, true}) {
        const std::uint64_t r = random_for(p, {seed, 0x717, i, a.code});
        const Rounded expected = ref::round_to_integral(pf.f.format, a, p, r, exact);
        const Rounded actual = numconf::round_to_integral(pf.f.format, a.code, p, exact, r);
        ++st.cases;
        for (int k = 0; k < 5; ++k) st.flag_counts[k] += (expected.flags >> k) & 1;
        if (expected != actual)
          note_failure(st, pf.f.name + (exact ? " round_to_integral_exact" : " round_to_integral"),
                       policy_string(p, r), "a=" + hex(a.code), result_string("oracle", expected),
                       result_string("model", actual));
      }
    }
  });
  report(stats, timer.seconds(),
         "round_to_integral (plain and exact), every code of every small format x 20 policies");
  EXPECT_GT(stats.flag_counts[0], 0u);
}

// ---- Wide formats: boundary-biased operands --------------------------------------------------

// Shape of an IEEE format (f16, bf16, f32, f64: subnormals, ieee Inf and NaN).
struct Ieee {
  Format f;
  int m = 0, p = 0;
  std::uint64_t top_field = 0;  // the largest finite exponent field
  std::uint64_t sign = 0;

  explicit Ieee(const Format& format)
      : f(format),
        m(format.mantissa_bits),
        p(format.mantissa_bits + 1),
        top_field(max_exponent_field(format) - 1),
        sign(sign_bit(format)) {}

  std::uint64_t code(bool negative, std::uint64_t field, std::uint64_t trailing) const {
    return (negative ? sign : 0) | (field << m) | (trailing & low_mask(m));
  }
  std::uint64_t field_of(std::uint64_t c) const { return (c >> m) & max_exponent_field(f); }
  std::uint64_t max_code() const { return max_finite_magnitude(f); }
  std::uint64_t inf_code() const { return inf_magnitude(f); }
};

// A trailing significand with a pattern that reaches the rounding decisions: zeros, ones,
// a lone low or high bit, runs, random bits.
std::uint64_t trailing_pattern(const Ieee& t, Rng& rng) {
  const std::uint64_t all = low_mask(t.m);
  switch (rng.below(10)) {
    case 0:
      return 0;
    case 1:
      return all;
    case 2:
      return 1;
    case 3:
      return all - rng.below(4);
    case 4:
      return std::uint64_t{1} << rng.below(std::uint64_t(t.m));
    case 5:
      return all & ~low_mask(int(rng.below(std::uint64_t(t.m))));  // high run
    case 6:
      return low_mask(int(rng.below(std::uint64_t(t.m))));  // low run
    case 7:
      return (std::uint64_t{1} << (t.m - 1)) | rng.below(4);
    default:
      return rng.next() & all;
  }
}

std::uint64_t nan_code_random(const Ieee& t, Rng& rng) {
  const std::uint64_t quiet = quiet_bit(t.f);
  std::uint64_t trailing = rng.next() & low_mask(t.m);
  if (rng.coin())
    trailing |= quiet;
  else
    trailing &= ~quiet;
  if (trailing == 0) trailing = 1;
  return t.code(rng.coin(), max_exponent_field(t.f), trailing);
}

// A finite code with exponent field in [lo, hi] (clamped to the finite range).
std::uint64_t finite_code(const Ieee& t, Rng& rng, std::int64_t lo, std::int64_t hi,
                          std::optional<bool> negative = std::nullopt) {
  lo = std::clamp<std::int64_t>(lo, 0, std::int64_t(t.top_field));
  hi = std::clamp<std::int64_t>(hi, lo, std::int64_t(t.top_field));
  const auto field = std::uint64_t(lo + std::int64_t(rng.below(std::uint64_t(hi - lo + 1))));
  std::uint64_t trailing = trailing_pattern(t, rng);
  if (field == 0 && trailing == 0 && rng.coin()) trailing = 1;
  return t.code(negative ? *negative : rng.coin(), field, trailing);
}

// Any code, biased toward the boundaries.
std::uint64_t boundary_code(const Ieee& t, Rng& rng) {
  const std::uint64_t choice = rng.below(100);
  const bool neg = rng.coin();
  if (choice < 3) return t.code(neg, 0, 0);
  if (choice < 5) return t.code(neg, max_exponent_field(t.f), 0);
  if (choice < 7) return nan_code_random(t, rng);
  if (choice < 10) {
    const std::uint64_t specials[] = {t.max_code(), 1, std::uint64_t{1} << t.m, low_mask(t.m),
                                      std::uint64_t(t.f.bias) << t.m};
    return specials[rng.below(5)] | (neg ? t.sign : 0);
  }
  if (choice < 25) return finite_code(t, rng, 0, 0);  // subnormal
  if (choice < 35) return finite_code(t, rng, 1, 3);
  if (choice < 45)
    return finite_code(t, rng, std::int64_t(t.top_field) - 3, std::int64_t(t.top_field));
  if (choice < 75) {
    const std::int64_t centre = t.f.bias;
    return finite_code(t, rng, centre - t.p - 2, centre + t.p + 2);
  }
  return finite_code(t, rng, 0, std::int64_t(t.top_field));
}

// The code of an exactly representable finite value, if it is one.
std::optional<std::uint64_t> encode(const Format& f, bool negative, const cpp_rational& magnitude) {
  const Rounded r = ref::round_value(f, negative, magnitude, Policy{});
  if (r.flags != 0) return std::nullopt;
  return r.bits;
}

cpp_rational pow2(int e) {
  return e >= 0 ? cpp_rational(cpp_int(1) << e) : cpp_rational(cpp_int(1), cpp_int(1) << -e);
}

// Unbiased exponent of a finite non-zero code's binade (subnormals: emin).
int exponent_of(const Ieee& t, std::uint64_t c) {
  const auto field = std::int64_t(t.field_of(c));
  return int(std::max<std::int64_t>(field, 1)) - t.f.bias;
}

// An odd integer with at most `bits` bits times 2^e, as a code (if representable).
std::optional<std::uint64_t> short_value(const Ieee& t, Rng& rng, int bits, int e, bool negative) {
  const std::uint64_t odd = (rng.next() & low_mask(std::max(bits - 1, 0))) << 1 | 1;
  return encode(t.f, negative, cpp_rational(odd) * pow2(e));
}

std::uint64_t step(const Ieee& t, std::uint64_t c, int delta) {
  const std::uint64_t sign = c & t.sign;
  std::uint64_t mag = c & magnitude_mask(t.f);
  if (delta < 0 && mag < std::uint64_t(-delta)) return c;
  mag = std::uint64_t(std::int64_t(mag) + delta);
  if (mag > t.max_code()) mag = t.max_code();
  return sign | mag;
}

struct Triple {
  std::uint64_t a = 0, b = 0, c = 0;
};

// One case for op in format t, drawn from a mix of strategies aimed at the op's boundaries.
Triple wide_case(const Ieee& t, Op op, Rng& rng) {
  const int emin = 1 - t.f.bias;
  const int emax = int(t.top_field) - t.f.bias;
  const auto field = [&](int e) { return std::int64_t(e) + t.f.bias; };
  Triple out{boundary_code(t, rng), boundary_code(t, rng), boundary_code(t, rng)};
  const std::uint64_t kind = rng.below(8);
  if (kind == 0) return out;  // boundary-biased codes
  switch (op) {
    case Op::Add:
    case Op::Sub: {
      const bool subtract = op == Op::Sub;
      out.a = finite_code(t, rng, 0, std::int64_t(t.top_field));
      switch (kind) {
        case 1: {  // exact cancellation, zeros of both signs included
          if (rng.below(4) == 0) out.a = t.code(rng.coin(), 0, 0);
          out.b = subtract ? out.a : out.a ^ t.sign;
          if (rng.below(4) == 0) out.b = t.code(rng.coin(), 0, 0), out.a = t.code(rng.coin(), 0, 0);
          break;
        }
        case 2: {  // near cancellation
          const std::uint64_t same = subtract ? out.a : out.a ^ t.sign;
          out.b = step(t, same, int(rng.below(9)) - 4);
          break;
        }
        case 3: {  // the overflow threshold: max (or near) plus about half an ulp of max
          out.a = step(t, t.max_code(), -int(rng.below(3))) | (rng.coin() ? t.sign : 0);
          const bool grow = rng.below(4) != 0;  // same direction as a
          const bool a_neg = (out.a & t.sign) != 0;
          const bool b_neg = subtract ? (a_neg != grow) : (a_neg == grow);
          out.b = finite_code(t, rng, field(emax - t.p - 1), field(emax - t.p + 1), b_neg);
          break;
        }
        case 4:  // subnormal and smallest normal operands
          out.a = finite_code(t, rng, 0, 2);
          out.b = finite_code(t, rng, 0, 2);
          break;
        default: {  // exponent gaps around the precision: sticky bits, ties
          const int ea = exponent_of(t, out.a);
          const int d = int(rng.below(std::uint64_t(t.p + 4)));
          out.b = finite_code(t, rng, field(ea - d), field(ea - d));
          break;
        }
      }
      break;
    }
    case Op::Mul: {
      switch (kind) {
        case 1:
        case 2: {  // the product near the overflow threshold
          out.a = finite_code(t, rng, 1, std::int64_t(t.top_field));
          const int target = emax + int(rng.below(3)) - 1;
          const int eb = target - exponent_of(t, out.a);
          out.b = finite_code(t, rng, field(eb), field(eb));
          if (kind == 2) out.a = t.max_code() | (out.a & t.sign);
          break;
        }
        case 3:
        case 4: {  // the product near and below the smallest normal: subnormal results
          out.a = finite_code(t, rng, 0, std::int64_t(t.top_field));
          const int target = emin - int(rng.below(std::uint64_t(t.p + 3)));
          const int eb = target - exponent_of(t, out.a) + int(rng.below(2));
          out.b = finite_code(t, rng, field(eb), field(eb));
          break;
        }
        case 5: {  // products just below 2^emin: tininess before and after rounding differ
          // a = (2 - k ulp) * 2^(emin+2), b = (1 + j ulp) / 8: a*b just below 2^emin.
          out.a = t.code(rng.coin(), std::uint64_t(field(emin + 2)), low_mask(t.m) - rng.below(3));
          const cpp_rational j(int(rng.below(3)));
          out.b = encode(t.f, rng.coin(), pow2(-3) * (1 + j * pow2(-t.m))).value_or(out.b);
          break;
        }
        default: {  // exact products of short significands
          const int ea = rng.between(emin, emax), eb = rng.between(emin - ea - 4, emax - ea);
          out.a = short_value(t, rng, t.p / 2, ea, rng.coin()).value_or(out.a);
          out.b = short_value(t, rng, t.p / 2, eb, rng.coin()).value_or(out.b);
          break;
        }
      }
      break;
    }
    case Op::Div: {
      switch (kind) {
        case 1:
        case 2: {  // quotient near the overflow threshold
          out.a = finite_code(t, rng, std::int64_t(t.top_field) - t.p, std::int64_t(t.top_field));
          const int eb = exponent_of(t, out.a) - emax + int(rng.below(3)) - 1;
          out.b = finite_code(t, rng, field(eb), field(eb));
          break;
        }
        case 3:
        case 4: {  // quotient near and below the smallest normal
          out.b = finite_code(t, rng, 1, std::int64_t(t.top_field));
          const int target = emin - int(rng.below(std::uint64_t(t.p + 3)));
          const int ea = target + exponent_of(t, out.b) + int(rng.below(2));
          out.a = finite_code(t, rng, field(ea), field(ea));
          break;
        }
        case 5: {  // zeros, infinities
          const std::uint64_t picks[] = {t.code(rng.coin(), 0, 0),
                                         t.code(rng.coin(), max_exponent_field(t.f), 0)};
          if (rng.coin())
            out.b = picks[rng.below(2)];
          else
            out.a = picks[rng.below(2)];
          break;
        }
        default: {  // exact quotients: a = q * b with short q and b
          const int eb = rng.between(emin / 2, emax / 2), eq = rng.between(emin / 2, emax / 2);
          const auto b = short_value(t, rng, t.p / 2, eb, rng.coin());
          const auto q = short_value(t, rng, t.p / 2, eq, rng.coin());
          if (b && q) {
            const ref::ExactValue vb = ref::decode(t.f, *b), vq = ref::decode(t.f, *q);
            if (const auto a =
                    encode(t.f, vb.negative != vq.negative, vb.magnitude * vq.magnitude)) {
              out.a = *a;
              out.b = *b;
            }
          }
          break;
        }
      }
      break;
    }
    case Op::Fma: {
      switch (kind) {
        case 1: {  // exact cancellation: c = -(a*b) (and a neighbour of it)
          const int ea = rng.between(emin / 2, emax / 2), eb = rng.between(emin / 2, emax / 2);
          const auto a = short_value(t, rng, t.p / 2, ea, rng.coin());
          const auto b = short_value(t, rng, t.p / 2, eb, rng.coin());
          if (!a || !b) break;
          const ref::ExactValue va = ref::decode(t.f, *a), vb = ref::decode(t.f, *b);
          const auto c = encode(t.f, va.negative == vb.negative, va.magnitude * vb.magnitude);
          if (!c) break;
          out = {*a, *b, step(t, *c, rng.below(3) == 0 ? int(rng.below(5)) - 2 : 0)};
          if (rng.below(8) == 0) out.a = t.code(rng.coin(), 0, 0);  // zero product + zero c
          if (rng.below(8) == 0) out.c = t.code(rng.coin(), 0, 0);
          break;
        }
        case 2:
        case 3: {  // halfway: a*b an odd multiple of half an ulp of c, exactly or nearly
          const std::uint64_t c = finite_code(t, rng, 1, std::int64_t(t.top_field));
          const int half_ulp = exponent_of(t, c) - t.m - 1;
          const int ea =
              rng.between(std::max(emin, half_ulp - emax + 2), std::min(emax, half_ulp - emin - 2));
          // a = odd * 2^ea and b = 2^(half_ulp - ea): a*b = odd * 2^half_ulp.
          const auto a = short_value(t, rng, std::min(6, t.p), ea, rng.coin());
          if (!a) break;
          auto b = encode(t.f, rng.coin(), pow2(half_ulp - ea));
          if (!b) break;
          if (kind == 3) b = step(t, *b, rng.coin() ? 1 : -1);  // near halfway
          out = {*a, *b, c};
          break;
        }
        case 4: {  // c = +-half an ulp of an exact product, the product near max or min
          const int ea = rng.between(emin / 2, emax / 2);
          const int eb = (rng.coin() ? emax : emin + t.p) - ea - int(rng.below(3));
          const auto a = short_value(t, rng, t.p / 2, ea, rng.coin());
          const auto b = short_value(t, rng, t.p / 2, eb, rng.coin());
          if (!a || !b) break;
          const ref::ExactValue va = ref::decode(t.f, *a), vb = ref::decode(t.f, *b);
          const cpp_rational prod = va.magnitude * vb.magnitude;
          const int ep = int(msb(numerator(prod))) - int(msb(denominator(prod)));
          const auto c =
              encode(t.f, rng.coin(), pow2(std::max(ep, emin) - t.m - 1 + int(rng.below(2))));
          if (!c) break;
          out = {*a, *b, *c};
          break;
        }
        case 5: {  // tiny products with tiny c
          out.a = finite_code(t, rng, 0, std::int64_t(t.top_field));
          const int eb = emin - exponent_of(t, out.a) - int(rng.below(std::uint64_t(t.p)));
          out.b = finite_code(t, rng, field(eb), field(eb));
          out.c = finite_code(t, rng, 0, 2);
          break;
        }
        case 6: {  // 0 * Inf with every kind of c; Inf * x - Inf
          const std::uint64_t zero = t.code(rng.coin(), 0, 0);
          const std::uint64_t inf = t.code(rng.coin(), max_exponent_field(t.f), 0);
          if (rng.coin())
            out.a = zero, out.b = inf;
          else
            out.a = inf,
            out.b = rng.coin() ? zero : finite_code(t, rng, 0, std::int64_t(t.top_field));
          const std::uint64_t cs[] = {nan_code_random(t, rng), inf, zero, out.c};
          out.c = cs[rng.below(4)];
          break;
        }
        default: {  // operands of similar size: cancellation with sticky bits
          out.a = finite_code(t, rng, t.f.bias - t.p, t.f.bias + t.p);
          out.b = finite_code(t, rng, t.f.bias - t.p, t.f.bias + t.p);
          const int ep = exponent_of(t, out.a) + exponent_of(t, out.b) -
                         int(rng.below(std::uint64_t(t.p + 2)));
          out.c = finite_code(t, rng, field(ep), field(ep + 1));
          break;
        }
      }
      break;
    }
    case Op::Sqrt: {
      switch (kind) {
        case 1:
        case 2:
        case 3: {  // exact squares, and squares +- 1 ulp
          const int ey = rng.between((emin - t.m) / 2, emax / 2);
          const auto y = short_value(t, rng, (t.p + 1) / 2, ey, false);
          if (!y) break;
          const ref::ExactValue vy = ref::decode(t.f, *y);
          const auto x = encode(t.f, false, vy.magnitude * vy.magnitude);
          if (!x) break;
          out.a = kind == 1 ? *x : step(t, *x, kind == 2 ? 1 : -1);
          break;
        }
        case 4:
        case 5: {  // squares of midpoints, rounded into the format (and neighbours)
          const std::uint64_t y = finite_code(t, rng, 1, std::int64_t(t.top_field), false);
          const cpp_rational mid =
              ref::decode(t.f, y).magnitude + pow2(exponent_of(t, y) - t.m - 1);
          const Rounded x = ref::round_value(t.f, false, mid * mid, Policy{});
          if (x.flags & flags::kOverflow) break;
          out.a = step(t, x.bits, int(rng.below(5)) - 2);
          break;
        }
        case 6:  // subnormal operands
          out.a = finite_code(t, rng, 0, 0, rng.below(8) == 0);
          break;
        default:  // positive codes over the whole range
          out.a = finite_code(t, rng, 0, std::int64_t(t.top_field), rng.below(16) == 0);
          break;
      }
      break;
    }
  }
  return out;
}

// A policy for the wide sweeps: the mode fixed, the other dimensions pseudo-random (mostly
// the IEEE defaults).
Policy wide_policy(Rounding mode, Rng& rng, std::uint64_t& random) {
  Policy p;
  p.rounding = mode;
  const std::uint64_t o = rng.below(10);
  p.overflow = o < 6 ? Overflow::None : o < 8 ? Overflow::Finite : Overflow::Propagate;
  p.overflow_rule =
      rng.below(4) == 0 ? static_cast<OverflowRule>(rng.below(3)) : OverflowRule::Ieee754;
  p.tininess = rng.coin() ? Tininess::BeforeRounding : Tininess::AfterRounding;
  p.flush_inputs = rng.below(10) == 0;
  p.flush_outputs = rng.below(10) == 0;
  p.nan_to_nanless = NanToNanless::Zero;
  random = 0;
  if (is_stochastic(mode)) {
    const int widths[] = {4, 4, 4, 0, 1, 16, 32};
    p.random_bits = widths[rng.below(7)];
    random = rng.next() & low_mask(p.random_bits);
  }
  return p;
}

std::vector<NamedFmt> wide_formats() {
  return {builtin("f16"), builtin("bf16"), builtin("f32"), builtin("f64")};
}

void wide_sweep(std::uint64_t per_op_and_mode) {
  const std::vector<NamedFmt> formats = wide_formats();
  const std::uint64_t seed = test_seed();
  constexpr std::uint64_t kBlock = 2048;
  const std::uint64_t blocks = (per_op_and_mode + kBlock - 1) / kBlock;
  Stats total;
  const Timer all;
  for (std::size_t fi = 0; fi < formats.size(); ++fi) {
    const NamedFmt& f = formats[fi];
    const Ieee t(f.format);
    for (const Op op : kAllOps) {
      const Timer timer;
      const std::size_t n_items = std::size(kAllModes) * blocks;
      const Stats stats = run_parallel(n_items, [&](std::size_t i, Stats& st) {
        const Rounding mode = kAllModes[i / blocks];
        Rng rng{hash_of({seed, 0x51de, fi, std::uint64_t(op), i})};
        const std::uint64_t first = (i % blocks) * kBlock;
        for (std::uint64_t k = first; k < std::min(per_op_and_mode, first + kBlock); ++k) {
          const Triple tr = wide_case(t, op, rng);
          std::uint64_t r = 0;
          const Policy p = wide_policy(mode, rng, r);
          const ref::Operand ops[3] = {ref::operand(f.format, tr.a), ref::operand(f.format, tr.b),
                                       ref::operand(f.format, tr.c)};
          check_op(f, op, ops, p, r, st);
        }
      });
      report(stats, timer.seconds(),
             f.name + " " + op_name(op) + ", boundary-biased, " + std::to_string(per_op_and_mode) +
                 " per mode x 9 modes");
      EXPECT_GT(stats.flag_counts[0], 0u) << f.name << " " << op_name(op);
      total.merge(stats);
    }
  }
  std::cout << "[ cases    ] wide formats in all: " << total.cases << " cases in " << std::fixed
            << std::setprecision(1) << all.seconds() << " s" << std::endl;
}

TEST(ArithWide, BoundaryBiasedOperands) { wide_sweep(20000); }

TEST(ArithSlow, DISABLED_WideBoundaryBiasedOperandsMillion) { wide_sweep(1000000); }

// ---- Fast paths against the general path -----------------------------------------------------
//
// add, sub, mul, div, fma and sqrt first try a fast path (formats/arith.hpp, round_normal in
// round.hpp) that must give the general path's result, flags included, wherever it answers.
// Each case runs the fast path alone and the general path alone; every 64th pair, every sqrt
// and every 16th wide case also goes to the oracle (the tests above check the public
// operations, fast path included, against the oracle everywhere).  Every policy dimension other
// than the mode is pseudo-random per case: inside the fast path's domain daz, ftz, tininess,
// overflow, NaN conventions and profile must not matter.

constexpr Op kFastOps[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Fma, Op::Sqrt};

// The fast path's answer, if it gives one.
std::optional<Rounded> fast_op(Op op, const Format& f, std::uint64_t a, std::uint64_t b,
                               std::uint64_t c, const Policy& p) {
  Rounded r;
  bool taken = false;
  switch (op) {
    case Op::Add:
      taken = detail::fast_add_or_sub(f, a, b, false, p, r);
      break;
    case Op::Sub:
      taken = detail::fast_add_or_sub(f, a, b, true, p, r);
      break;
    case Op::Mul:
      taken = detail::fast_mul(f, a, b, p, r);
      break;
    case Op::Div:
      taken = detail::fast_div(f, a, b, p, r);
      break;
    case Op::Sqrt:
      taken = detail::fast_sqrt(f, a, p, r);
      break;
    case Op::Fma:
      taken = detail::fast_fma(f, a, b, c, p, r);
      break;
  }
  return taken ? std::optional<Rounded>(r) : std::nullopt;
}

Rounded general_op(Op op, const Format& f, std::uint64_t a, std::uint64_t b, std::uint64_t c,
                   const Policy& p, std::uint64_t r) {
  switch (op) {
    case Op::Add:
      return detail::add_or_sub(f, a, b, false, p, r);
    case Op::Sub:
      return detail::add_or_sub(f, a, b, true, p, r);
    case Op::Mul:
      return detail::mul_general(f, a, b, p, r);
    case Op::Div:
      return detail::div_general(f, a, b, p, r);
    case Op::Fma:
      return detail::fma_general(f, a, b, c, p, r);
    case Op::Sqrt:
      return detail::sqrt_general(f, a, p, r);
  }
  return {};
}

// Tallies of one sweep: how many cases the fast path took, and how many of those were inexact
// (rounding happened) and rounded away from truncation, so that the comparison is not vacuous.
struct FastStats {
  Stats stats;
  std::uint64_t taken = 0, taken_inexact = 0;

  void merge(const FastStats& other) {
    stats.merge(other.stats);
    taken += other.taken;
    taken_inexact += other.taken_inexact;
  }
};

// A policy in `mode` with every other dimension pseudo-random, and its R.
Policy policy_in_mode(Rounding mode, Rng& rng, std::uint64_t& random) {
  Policy p = random_policy(rng, random);
  p.rounding = mode;
  p.random_bits = is_stochastic(mode) ? int(rng.below(33)) : 0;
  random = rng.next() & low_mask(p.random_bits);
  p.profile = static_cast<Profile>(rng.below(3));
  return p;
}

// One case: fast against general (and, when `with_oracle`, the public operation against the
// oracle).  Both results are printed on a mismatch.
void check_fast(const NamedFmt& f, Op op, const std::uint64_t* codes, const Policy& p,
                std::uint64_t r, bool with_oracle, FastStats& st) {
  const std::optional<Rounded> fast = fast_op(op, f.format, codes[0], codes[1], codes[2], p);
  ++st.stats.cases;
  if (fast) {
    ++st.taken;
    st.taken_inexact += fast->flags & flags::kInexact;
    const Rounded general = general_op(op, f.format, codes[0], codes[1], codes[2], p, r);
    if (*fast != general)
      note_failure(st.stats, f.name + " " + op_name(op) + " fast path", policy_string(p, r),
                   operands_string(arity(op), codes), result_string("general", general),
                   result_string("fast", *fast));
  }
  if (!with_oracle) return;
  const ref::Operand ops[3] = {ref::operand(f.format, codes[0]), ref::operand(f.format, codes[1]),
                               ref::operand(f.format, codes[2])};
  const Rounded expected = oracle_op(op, f.format, ops[0], ops[1], ops[2], p, r);
  const Rounded actual = model_op(op, f.format, codes[0], codes[1], codes[2], p, r);
  for (int i = 0; i < 5; ++i) st.stats.flag_counts[i] += (expected.flags >> i) & 1;
  if (expected != actual)
    note_failure(st.stats, f.name + " " + op_name(op), policy_string(p, r),
                 operands_string(arity(op), codes), result_string("oracle", expected),
                 result_string("model", actual));
}

void report_fast(const FastStats& st, double seconds, const std::string& what,
                 double min_taken_share) {
  report(st.stats, seconds, what);
  std::cout << "[ cases    ] " << what << ": fast path took " << st.taken << " ("
            << st.taken_inexact << " inexact)" << std::endl;
  EXPECT_GE(double(st.taken), min_taken_share * double(st.stats.cases)) << what;
  if (min_taken_share > 0) {
    EXPECT_GT(st.taken_inexact, 0u) << what;
  }
}

// Every operand pair of every small format (and unsigned binary8p1e), for add, sub, mul, div and
// fma (c pseudo-random per pair), and every code for sqrt, in every mode.
TEST(ArithFast, EveryPairOfEverySmallFormatInEveryMode) {
  std::vector<NamedFmt> formats = small_formats();
  // Unsigned binary8p1e: m = 0 with Inf in exponent field max - 1 (0xfe), the one kind of
  // format whose field max - 1 is not all normal numbers (is_normal_code's edge).
  formats.push_back(p3109(8, 1, false, true));
  const std::uint64_t seed = test_seed();
  for (const Op op : kFastOps) {
    const Timer timer;
    FastStats total;
    for (std::size_t fi = 0; fi < formats.size(); ++fi) {
      const NamedFmt& f = formats[fi];
      const std::uint64_t count = std::uint64_t{1} << code_bits(f.format);
      for (const Rounding mode : kAllModes) {
        const FastStats mode_total = run_parallel<FastStats>(count, [&](std::size_t a,
                                                                        FastStats& st) {
          Rng rng{hash_of({seed, 0xfa57, fi, std::uint64_t(op), std::uint64_t(mode), a})};
          for (std::uint64_t b = 0; b < (arity(op) == 1 ? 1 : count); ++b) {
            std::uint64_t r = 0;
            const Policy p = policy_in_mode(mode, rng, r);
            const std::uint64_t codes[3] = {a << f.format.padding_bits, b << f.format.padding_bits,
                                            rng.below(count) << f.format.padding_bits};
            check_fast(f, op, codes, p, r, arity(op) == 1 || (a * count + b) % 64 == 0, st);
          }
        });
        // Stochastic rounding is left to the general path.  (Some formats give the fast path
        // nothing to do: e2m1fn has one binade of normal codes that are not near max.)
        if (is_stochastic(mode)) {
          EXPECT_EQ(mode_total.taken, 0u) << f.name << " " << op_name(op);
        }
        total.merge(mode_total);
      }
    }
    report_fast(total, timer.seconds(),
                std::string(op_name(op)) + (arity(op) == 1 ? ", every code" : ", every pair") +
                    " of every small format x 9 modes",
                0.2);
  }
}

// Boundary-biased operands (wide_case) and uniformly random codes, half and half, per op and
// mode for f16, bf16, f32 and f64; tf32 (a code padded in a 32-bit container) gets uniformly
// random codes only.
void wide_fast_sweep(std::uint64_t per_op_and_mode) {
  std::vector<NamedFmt> formats = wide_formats();
  formats.push_back(builtin("tf32"));
  const std::uint64_t seed = test_seed();
  constexpr std::uint64_t kBlock = 4096;
  const std::uint64_t blocks = (per_op_and_mode + kBlock - 1) / kBlock;
  for (std::size_t fi = 0; fi < formats.size(); ++fi) {
    const NamedFmt& f = formats[fi];
    const bool padded = f.format.padding_bits != 0;
    const Ieee t(f.format);
    for (const Op op : kFastOps) {
      // An f64 root needs more than 64 bits: sqrt has no fast path for it.
      const bool f64_sqrt = op == Op::Sqrt && f.name == "f64";
      const Timer timer;
      const FastStats stats =
          run_parallel<FastStats>(std::size(kAllModes) * blocks, [&](std::size_t i, FastStats& st) {
            const Rounding mode = kAllModes[i / blocks];
            Rng rng{hash_of({seed, 0xfa57, 0x1de, fi, std::uint64_t(op), i})};
            const std::uint64_t first = (i % blocks) * kBlock;
            for (std::uint64_t k = first; k < std::min(per_op_and_mode, first + kBlock); ++k) {
              std::uint64_t codes[3];
              if (padded || rng.coin()) {
                for (std::uint64_t& c : codes)
                  c = (rng.next() & low_mask(code_bits(f.format))) << f.format.padding_bits;
              } else {
                const Triple tr = wide_case(t, op, rng);
                codes[0] = tr.a, codes[1] = tr.b, codes[2] = tr.c;
              }
              std::uint64_t r = 0;
              const Policy p = policy_in_mode(mode, rng, r);
              check_fast(f, op, codes, p, r, k % 16 == 0, st);
            }
          });
      report_fast(stats, timer.seconds(),
                  f.name + " " + op_name(op) + ", " + std::to_string(per_op_and_mode) +
                      " per mode x 9 modes",
                  f64_sqrt ? 0.0 : 0.1);
    }
  }
}

TEST(ArithFast, WideFormatsRandomAndBoundaryBiased) { wide_fast_sweep(20000); }

// f32 fma around the end of the fast fma's exact shift (formats/arith.hpp, add_at_bit60): a
// product 13 binades below c is shifted exactly, one 14 or more below is jammed.  Its last bit
// only matters when every other product bit below the rounding point is zero, so the product
// here is P = sa * sb = 1 + t 2^37 with t odd: shifted 14 binades down it is exactly a tie
// but for its last bit.  Random operands essentially never come this close.
TEST(ArithFast, FmaProductAtTheEndOfTheExactShift) {
  const NamedFmt f = builtin("f32");
  constexpr std::uint64_t kLeading = std::uint64_t{1} << 23;
  std::uint64_t sa = kLeading + 1, sb = 0;
  for (;; sa += 2) {
    std::uint64_t inverse = sa;  // Newton's iteration for 1 / sa modulo 2^64
    for (int i = 0; i < 6; ++i) inverse *= 2 - sa * inverse;
    sb = inverse & low_mask(37);  // sa * sb = 1 modulo 2^37
    const std::uint64_t product = sa * sb;
    if (sb >= kLeading && sb < 2 * kLeading && product >> 47 != 0 && ((product >> 37) & 1) != 0)
      break;
  }
  // a and b in [1, 2): the product is in [2, 4), exponent field 128.
  const std::uint64_t a = (127 << 23) | (sa - kLeading), b = (127 << 23) | (sb - kLeading);
  const std::uint64_t seed = test_seed();
  FastStats st;
  for (const Rounding mode : kAllModes)
    for (int gap = 12; gap <= 15; ++gap)
      for (const int c_field : {128 + gap, 128 - gap})
        for (const std::uint64_t c_trailing : {0, 1, 0x7fffff})
          for (const std::uint64_t c_sign : {0, 1}) {
            Rng rng{hash_of({seed, 0xe9d, std::uint64_t(mode), std::uint64_t(gap),
                             std::uint64_t(c_field), c_trailing, c_sign})};
            std::uint64_t r = 0;
            const Policy p = policy_in_mode(mode, rng, r);
            const std::uint64_t codes[3] = {a, b,
                                            c_sign << 31 | std::uint64_t(c_field) << 23 | c_trailing};
            check_fast(f, Op::Fma, codes, p, r, true, st);
          }
  report_fast(st, 0, "f32 fma, product 12 to 15 binades from c", 0.5);
}

TEST(ArithSlow, DISABLED_FastWideFormatsMillion) { wide_fast_sweep(1000000); }

// Hand-picked cases with known answers (IEEE 754 and docs/arithmetic.md), model and oracle.
TEST(ArithKnown, SpecExamples) {
  const Format f32 = kF32, e4m3fn = kE4M3FN, e5m2 = kE5M2;
  const Policy rn = make_policy(Rounding::NearestEven, Overflow::None);
  const Policy rm = make_policy(Rounding::TowardNegative, Overflow::None);
  const Policy fin = make_policy(Rounding::NearestEven, Overflow::Finite);
  struct Known {
    const char* what;
    Format f;
    Op op;
    std::uint64_t a, b, c;
    Policy p;
    Rounded want;
  };
  const Known known[] = {
      {"1 + 1 = 2", f32, Op::Add, 0x3f800000, 0x3f800000, 0, rn, {0x40000000, 0}},
      {"x - x = +0 (rn)", f32, Op::Sub, 0x3fc00000, 0x3fc00000, 0, rn, {0x00000000, 0}},
      {"x - x = -0 (rm)", f32, Op::Sub, 0x3fc00000, 0x3fc00000, 0, rm, {0x80000000, 0}},
      {"-0 + -0 = -0", f32, Op::Add, 0x80000000, 0x80000000, 0, rn, {0x80000000, 0}},
      {"Inf - Inf invalid, +default NaN",
       f32,
       Op::Sub,
       0x7f800000,
       0x7f800000,
       0,
       rn,
       {0x7fc00000, flags::kInvalid}},
      {"0 * Inf invalid",
       f32,
       Op::Mul,
       0x00000000,
       0xff800000,
       0,
       rn,
       {0x7fc00000, flags::kInvalid}},
      {"1 / 0 = Inf, infinite",
       f32,
       Op::Div,
       0x3f800000,
       0x00000000,
       0,
       rn,
       {0x7f800000, flags::kInfinite}},
      {"-1 / +0 = -Inf",
       f32,
       Op::Div,
       0xbf800000,
       0x00000000,
       0,
       rn,
       {0xff800000, flags::kInfinite}},
      {"0 / 0 invalid", f32, Op::Div, 0, 0x80000000, 0, rn, {0x7fc00000, flags::kInvalid}},
      {"sqrt(-0) = -0", f32, Op::Sqrt, 0x80000000, 0, 0, rn, {0x80000000, 0}},
      {"sqrt(-1) invalid", f32, Op::Sqrt, 0xbf800000, 0, 0, rn, {0x7fc00000, flags::kInvalid}},
      {"sqrt(2) rn", f32, Op::Sqrt, 0x40000000, 0, 0, rn, {0x3fb504f3, flags::kInexact}},
      {"sqrt(4) = 2 exact", f32, Op::Sqrt, 0x40800000, 0, 0, rn, {0x40000000, 0}},
      {"first NaN operand wins (qNaN b, sNaN a quieted)",
       f32,
       Op::Add,
       0xff800001,
       0x7fc12345,
       0,
       rn,
       {0xffc00001, flags::kInvalid}},
      {"fma(0, Inf, qNaN) invalid, c's NaN",
       f32,
       Op::Fma,
       0,
       0x7f800000,
       0x7fc00042,
       rn,
       {0x7fc00042, flags::kInvalid}},
      {"fma(2, 3, -6) = +0", f32, Op::Fma, 0x40000000, 0x40400000, 0xc0c00000, rn, {0, 0}},
      {"fma(2, 3, -6) = -0 (rm)",
       f32,
       Op::Fma,
       0x40000000,
       0x40400000,
       0xc0c00000,
       rm,
       {0x80000000, 0}},
      {"max f32 + half ulp overflows (rn)",
       f32,
       Op::Add,
       0x7f7fffff,
       0x73000000,
       0,
       rn,
       {0x7f800000, flags::kOverflow | flags::kInexact}},
      {"max f32 + just under half ulp stays (rn)",
       f32,
       Op::Add,
       0x7f7fffff,
       0x72ffffff,
       0,
       rn,
       {0x7f7fffff, flags::kInexact}},
      {"e4m3fn 448 + 16 = 464 -> 448 (tie to even), no overflow",
       e4m3fn,
       Op::Add,
       0x7e,
       0x58,
       0,
       rn,
       {0x7e, flags::kInexact}},
      {"e4m3fn 448 + 32 overflows to NaN (none)",
       e4m3fn,
       Op::Add,
       0x7e,
       0x60,
       0,
       rn,
       {0x7f, flags::kOverflow | flags::kInexact}},
      {"e4m3fn 448 + 32 saturates (finite)",
       e4m3fn,
       Op::Add,
       0x7e,
       0x60,
       0,
       fin,
       {0x7e, flags::kOverflow | flags::kInexact}},
      {"e4m3fn 1 / 0 = NaN (none), infinite",
       e4m3fn,
       Op::Div,
       0x38,
       0x00,
       0,
       rn,
       {0x7f, flags::kInfinite}},
      {"e4m3fn 1 / 0 = max (finite), infinite",
       e4m3fn,
       Op::Div,
       0x38,
       0x00,
       0,
       fin,
       {0x7e, flags::kInfinite}},
      {"e5m2 Inf + 1 = max (finite), no flag", e5m2, Op::Add, 0x7c, 0x3c, 0, fin, {0x7b, 0}},
  };
  for (const Known& k : known) {
    const ref::Operand ops[3] = {ref::operand(k.f, k.a), ref::operand(k.f, k.b),
                                 ref::operand(k.f, k.c)};
    const Rounded oracle = oracle_op(k.op, k.f, ops[0], ops[1], ops[2], k.p, 0);
    const Rounded model = model_op(k.op, k.f, k.a, k.b, k.c, k.p, 0);
    EXPECT_EQ(oracle, k.want) << k.what << ": oracle " << hex(oracle.bits) << " "
                              << flags_string(oracle.flags) << ", want " << hex(k.want.bits) << " "
                              << flags_string(k.want.flags);
    EXPECT_EQ(model, k.want) << k.what << ": model " << hex(model.bits) << " "
                             << flags_string(model.flags) << ", want " << hex(k.want.bits) << " "
                             << flags_string(k.want.flags);
  }
}

// ---- f32 and f64 against the CPU -------------------------------------------------------------

#if defined(__x86_64__)
#define NUMCONF_X86_64 1

// SSE/AVX instructions in inline asm, so the compiler neither folds nor reorders them nor
// swaps the operands of commutative operations (the NaN operand order matters).
float cpu_op(Op op, float a, float b, float c) {
  switch (op) {
    case Op::Add:
      asm volatile("addss %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Sub:
      asm volatile("subss %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Mul:
      asm volatile("mulss %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Div:
      asm volatile("divss %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Sqrt: {
      float r = 0;
      asm volatile("sqrtss %1, %0" : "+x"(r) : "x"(a));
      return r;
    }
    case Op::Fma:
      asm volatile("vfmadd231ss %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
      return c;
  }
  return 0;
}

double cpu_op(Op op, double a, double b, double c) {
  switch (op) {
    case Op::Add:
      asm volatile("addsd %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Sub:
      asm volatile("subsd %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Mul:
      asm volatile("mulsd %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Div:
      asm volatile("divsd %1, %0" : "+x"(a) : "x"(b));
      return a;
    case Op::Sqrt: {
      double r = 0;
      asm volatile("sqrtsd %1, %0" : "+x"(r) : "x"(a));
      return r;
    }
    case Op::Fma:
      asm volatile("vfmadd231sd %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
      return c;
  }
  return 0;
}
#endif

int fe_mode(Rounding r) {
  switch (r) {
    case Rounding::TowardZero:
      return FE_TOWARDZERO;
    case Rounding::TowardPositive:
      return FE_UPWARD;
    case Rounding::TowardNegative:
      return FE_DOWNWARD;
    default:
      return FE_TONEAREST;
  }
}

std::uint8_t flags_from_fenv(int raised) {
  std::uint8_t f = 0;
  if (raised & FE_INEXACT) f |= flags::kInexact;
  if (raised & FE_UNDERFLOW) f |= flags::kUnderflow;
  if (raised & FE_OVERFLOW) f |= flags::kOverflow;
  if (raised & FE_DIVBYZERO) f |= flags::kInfinite;
  if (raised & FE_INVALID) f |= flags::kInvalid;
  return f;
}

// Sets the CPU's rounding mode for a test and restores the caller's afterwards.
class ArithCpu : public ::testing::Test {
 protected:
  void SetUp() override {
#if !defined(NUMCONF_X86_64)
    GTEST_SKIP() << "the CPU comparison is written for x86-64 SSE/FMA; this host is not x86-64";
#else
    if (!__builtin_cpu_supports("fma")) GTEST_SKIP() << "this CPU has no FMA instructions";
    saved_ = std::fegetround();
#endif
  }
  void TearDown() override { std::fesetround(saved_); }

  // Runs `op` on the CPU in `mode` and returns the bits and the flags it raised.
  template <typename T, typename Bits>
  Rounded on_cpu(Op op, Rounding mode, Bits a, Bits b, Bits c) {
#if defined(NUMCONF_X86_64)
    std::fesetround(fe_mode(mode));
    std::feclearexcept(FE_ALL_EXCEPT);
    const T r = cpu_op(op, std::bit_cast<T>(a), std::bit_cast<T>(b), std::bit_cast<T>(c));
    const int raised = std::fetestexcept(FE_ALL_EXCEPT);
    std::fesetround(saved_);
    return {std::bit_cast<Bits>(r), flags_from_fenv(raised)};
#else
    (void)op, (void)mode, (void)a, (void)b, (void)c;
    return {};
#endif
  }

  void sweep(std::uint64_t per_op_and_mode, std::uint64_t oracle_every);

 private:
  int saved_ = FE_TONEAREST;
};

bool is_nan_code(const Format& f, std::uint64_t code) {
  return ((code >> f.mantissa_bits) & max_exponent_field(f)) == max_exponent_field(f) &&
         (code & low_mask(f.mantissa_bits)) != 0;
}

// Whether a CPU result and a model (or oracle) result agree, under the notes at the top.
bool agrees_with_cpu(const Format& f, Op op, const Triple& tr, const Rounded& cpu,
                     const Rounded& other) {
  if (cpu.flags != other.flags) {
    // fma(0, Inf, qNaN): docs/arithmetic.md raises invalid (SoftFloat), x86 does not.
    const auto magnitude = [&](std::uint64_t c) { return c & magnitude_mask(f); };
    const bool zero_times_inf = (magnitude(tr.a) == 0 && magnitude(tr.b) == inf_magnitude(f)) ||
                                (magnitude(tr.a) == inf_magnitude(f) && magnitude(tr.b) == 0);
    const bool quiet_c = is_nan_code(f, tr.c) && (tr.c & quiet_bit(f)) != 0;
    if (!(op == Op::Fma && zero_times_inf && quiet_c &&
          other.flags == (cpu.flags | flags::kInvalid)))
      return false;
  }
  if (cpu.bits == other.bits) return true;
  if (!is_nan_code(f, cpu.bits) || !is_nan_code(f, other.bits)) return false;
  const std::uint64_t in[3] = {tr.a, tr.b, tr.c};
  bool nan_operand = false;
  for (int i = 0; i < arity(op); ++i) nan_operand = nan_operand || is_nan_code(f, in[i]);
  // The default NaN's sign (x86: negative) and fma's NaN order are vendor profiles.
  return !nan_operand || op == Op::Fma;
}

void ArithCpu::sweep(std::uint64_t per_op_and_mode, std::uint64_t oracle_every) {
  const Rounding modes[] = {Rounding::NearestEven, Rounding::TowardZero, Rounding::TowardPositive,
                            Rounding::TowardNegative};
  const std::uint64_t seed = test_seed();
  Stats model_total, oracle_total;
  const Timer all;
  for (const NamedFmt& f : {builtin("f32"), builtin("f64")}) {
    const Ieee t(f.format);
    for (const Op op : kAllOps) {
      for (const Rounding mode : modes) {
        Rng rng{hash_of({seed, 0xc0, std::uint64_t(t.m), std::uint64_t(op), std::uint64_t(mode)})};
        std::vector<Triple> cases(per_op_and_mode);
        std::vector<Rounded> cpu(per_op_and_mode);
        for (std::uint64_t k = 0; k < per_op_and_mode; ++k) {
          cases[k] = wide_case(t, op, rng);
          const Triple& tr = cases[k];
          cpu[k] = f.format == kF32
                       ? on_cpu<float, std::uint32_t>(op, mode, std::uint32_t(tr.a),
                                                      std::uint32_t(tr.b), std::uint32_t(tr.c))
                       : on_cpu<double, std::uint64_t>(op, mode, tr.a, tr.b, tr.c);
        }
        Policy p;  // IEEE defaults: overflow none, tininess after rounding (as x86 detects it)
        p.rounding = mode;
        const std::string what = f.name + " " + op_name(op);
        constexpr std::uint64_t kBlock = 4096;
        std::vector<Stats> oracle_part((per_op_and_mode + kBlock - 1) / kBlock);
        const Stats model_stats = run_parallel(oracle_part.size(), [&](std::size_t i, Stats& st) {
          for (std::uint64_t k = i * kBlock; k < std::min(per_op_and_mode, (i + 1) * kBlock); ++k) {
            const Triple& tr = cases[k];
            const std::uint64_t codes[3] = {tr.a, tr.b, tr.c};
            const Rounded model = model_op(op, f.format, tr.a, tr.b, tr.c, p, 0);
            ++st.cases;
            for (int b = 0; b < 5; ++b) st.flag_counts[b] += (cpu[k].flags >> b) & 1;
            if (!agrees_with_cpu(f.format, op, tr, cpu[k], model))
              note_failure(st, what + " model vs CPU", policy_string(p, 0),
                           operands_string(arity(op), codes), result_string("cpu", cpu[k]),
                           result_string("model", model));
            if (k % oracle_every != 0) continue;
            const Rounded oracle =
                oracle_op(op, f.format, ref::operand(f.format, tr.a), ref::operand(f.format, tr.b),
                          ref::operand(f.format, tr.c), p, 0);
            ++oracle_part[i].cases;
            for (int b = 0; b < 5; ++b) oracle_part[i].flag_counts[b] += (cpu[k].flags >> b) & 1;
            if (!agrees_with_cpu(f.format, op, tr, cpu[k], oracle))
              note_failure(oracle_part[i], what + " oracle vs CPU", policy_string(p, 0),
                           operands_string(arity(op), codes), result_string("cpu", cpu[k]),
                           result_string("oracle", oracle));
          }
        });
        model_total.merge(model_stats);
        for (const Stats& s : oracle_part) oracle_total.merge(s);
      }
    }
  }
  std::cout << "[ cases    ] f32/f64 x 6 ops x rn/rz/rp/rm against the CPU: " << model_total.cases
            << " model cases, " << oracle_total.cases << " oracle cases in " << std::fixed
            << std::setprecision(1) << all.seconds() << " s\n";
  report(model_total, all.seconds(), "model vs CPU");
  report(oracle_total, all.seconds(), "oracle vs CPU");
  EXPECT_GT(model_total.flag_counts[1], 0u);
  EXPECT_GT(model_total.flag_counts[2], 0u);
  EXPECT_GT(model_total.flag_counts[3], 0u);
}

TEST_F(ArithCpu, F32AndF64InFourModesAgainstTheCpu) { sweep(20000, 4); }

TEST_F(ArithCpu, DISABLED_SlowF32AndF64InFourModesAgainstTheCpuMillion) { sweep(1000000, 16); }

}  // namespace
}  // namespace numconf
