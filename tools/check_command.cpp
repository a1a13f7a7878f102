// numconf check: the conformance sweep of the model against the exact oracle over the whole
// catalogue of formats, rounding modes and overflow modes.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"
#include "reference/oracle.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

struct NamedPolicy {
  Policy policy;
  std::uint64_t random = 0;
};

struct Mismatch {
  Policy policy;
  std::uint64_t input = 0, random = 0;
  Rounded model, oracle;
};

// One row of the report: every input of one source converted to one target under a set of
// policies.
struct Job {
  std::string from_name, to_name;
  Format from, to;
  const std::vector<std::uint64_t>* inputs = nullptr;
  const std::vector<NamedPolicy>* policies = nullptr;
  std::string modes;
  std::uint64_t cases = 0;
  std::vector<Mismatch> mismatches{};  // the first few
  std::uint64_t mismatch_count = 0;
  double seconds = 0;
};

std::vector<NamedPolicy> policies_for(const std::vector<Rounding>& modes,
                                      const std::vector<Overflow>& overflows) {
  std::vector<NamedPolicy> out;
  for (const Rounding r : modes)
    for (const Overflow o : overflows) {
      Policy p;
      p.rounding = r;
      p.overflow = o;
      out.push_back({p, 0});
    }
  return out;
}

// The policy switches other than mode and overflow: flushing, tininess before rounding, and the
// P3109 overflow rules, each in every deterministic mode.
std::vector<NamedPolicy> variant_policies(const std::vector<Rounding>& modes) {
  std::vector<NamedPolicy> out;
  for (const Rounding r : modes)
    for (int variant = 0; variant < 5; ++variant) {
      Policy p;
      p.rounding = r;
      p.flush_inputs = variant == 0;
      p.flush_outputs = variant == 1;
      if (variant == 2) p.tininess = Tininess::BeforeRounding;
      if (variant == 3) p.overflow_rule = OverflowRule::P3109;
      if (variant == 4) p.overflow_rule = OverflowRule::P3109V3;
      out.push_back({p, 0});
    }
  return out;
}

// Stochastic rounding with N = 4 and a spread of random values.
std::vector<NamedPolicy> stochastic_policies() {
  std::vector<NamedPolicy> out;
  for (const Rounding r : {Rounding::StochasticA, Rounding::StochasticB, Rounding::StochasticC})
    for (const std::uint64_t random : {0u, 5u, 15u}) {
      Policy p;
      p.rounding = r;
      p.random_bits = 4;
      out.push_back({p, random});
    }
  return out;
}

std::vector<std::uint64_t> all_codes(const Format& f) {
  std::vector<std::uint64_t> codes(std::size_t{1} << code_bits(f));
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = std::uint64_t(i) << f.padding_bits;
  return codes;
}

// Wide-source inputs aimed at one target: for every source exponent, the target's rounding
// boundaries (exact ties, their neighbours) under random upper bits, plus the specials.
std::vector<std::uint64_t> boundary_inputs(const Format& from, const Format& to,
                                           std::mt19937_64& rng) {
  std::vector<std::uint64_t> out;
  const int m = from.mantissa_bits;
  const std::uint64_t mantissa_mask = low_mask(m);
  const int target_m = is_float(to) ? to.mantissa_bits : 0;
  const int target_emin = is_float(to) ? min_normal_exponent(to) : 0;
  for (std::uint64_t field = 0; field <= max_exponent_field(from); ++field) {
    const int binade = int(field == 0 ? 1 : field) - from.bias;
    const int quantum = is_float(to) ? std::max(binade - target_m, target_emin - target_m) : 0;
    const int shift = quantum - (binade - m);  // discarded source mantissa bits
    std::vector<std::uint64_t> mantissas{0, 1, mantissa_mask};
    if (shift >= 1 && shift <= m) {
      const std::uint64_t tie = std::uint64_t{1} << (shift - 1);
      for (int i = 0; i < 2; ++i) {
        const std::uint64_t upper = (rng() << shift) & mantissa_mask;
        for (const std::uint64_t t : {tie, tie - 1, tie + 1, low_mask(shift)})
          mantissas.push_back((upper | t) & mantissa_mask);
      }
    }
    for (int i = 0; i < 4; ++i) mantissas.push_back(rng() & mantissa_mask);
    for (const std::uint64_t mantissa : mantissas)
      for (const std::uint64_t sign : {std::uint64_t{0}, sign_bit(from)})
        out.push_back(sign | field << m | mantissa);
  }
  return out;
}

void run_job(Job& job) {
  const auto start = std::chrono::steady_clock::now();
  for (const NamedPolicy& np : *job.policies)
    for (const std::uint64_t input : *job.inputs) {
      const Rounded model = convert(job.from, job.to, input, np.policy, np.random);
      const Rounded oracle = ref::convert(job.from, job.to, input, np.policy, np.random);
      ++job.cases;
      if (model == oracle) continue;
      if (job.mismatches.size() < 3) job.mismatches.push_back({np.policy, input, np.random, model, oracle});
      ++job.mismatch_count;
    }
  job.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run_all(std::vector<Job>& jobs) {
  std::atomic<std::size_t> next{0};
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i; (i = next++) < jobs.size();) run_job(jobs[i]);
    });
  for (auto& thread : pool) thread.join();
}

std::string describe(const Mismatch& m, const Job& job) {
  const auto value = [](const Format& f, std::uint64_t code) {
    return exact_decimal(unpack(f, code));
  };
  return fmt::format(
      "    {} -> {} round={} sat={}{}: input {} ({}) model {} ({}) flags {:02x}, oracle {} ({}) "
      "flags {:02x}",
      job.from_name, job.to_name, rounding_name(m.policy.rounding),
      overflow_name(m.policy.overflow),
      is_stochastic(m.policy.rounding) ? fmt::format(" R={:x}/{}", m.random, m.policy.random_bits)
                                       : "",
      code_hex(m.input, job.from), value(job.from, m.input), code_hex(m.model.bits, job.to),
      value(job.to, m.model.bits), m.model.flags, code_hex(m.oracle.bits, job.to),
      value(job.to, m.oracle.bits), m.oracle.flags);
}

int run_check() {
  struct Source {
    std::string name;
    Format format;
  };
  std::vector<Source> narrow, wide, targets;
  for (const auto& named : kBuiltinFormats) {
    const Source s{std::string(named.name), named.format};
    targets.push_back(s);
    if (code_bits(named.format) <= 8) narrow.push_back(s);
    else if (code_bits(named.format) <= 16) wide.push_back(s);  // every code, fewer modes
  }
  for (const char* p3109 : {"binary8p1se", "binary8p3se", "binary8p4sf", "binary8p5ue",
                            "binary8p7uf", "binary4p2sf", "binary6p3se"}) {
    const Source s{p3109, format_from_name(p3109)};
    narrow.push_back(s);
    targets.push_back(s);
  }

  const std::vector<Rounding> deterministic{Rounding::NearestEven,    Rounding::NearestAway,
                                            Rounding::TowardZero,     Rounding::TowardPositive,
                                            Rounding::TowardNegative, Rounding::ToOdd};
  const std::vector<NamedPolicy> every_policy = [&] {
    auto all = policies_for(deterministic, {Overflow::None, Overflow::Finite, Overflow::Propagate});
    for (const auto& more : {stochastic_policies(), variant_policies(deterministic)})
      all.insert(all.end(), more.begin(), more.end());
    return all;
  }();
  const std::vector<NamedPolicy> main_policies = [&] {
    auto all = policies_for(deterministic, {Overflow::None, Overflow::Finite});
    const auto sr = stochastic_policies();
    all.insert(all.end(), sr.begin(), sr.end());
    return all;
  }();
  const std::string every_name = "6 modes x 3 sat, sr, daz/ftz/rules";
  const std::string main_name = "6 modes x 2 sat, sr";

  std::vector<std::vector<std::uint64_t>> input_sets;
  input_sets.reserve(narrow.size() + wide.size() + 2 * targets.size());
  std::vector<Job> jobs;
  const auto add_jobs = [&](const Source& from, const std::vector<NamedPolicy>& policies,
                            const std::string& modes) {
    const auto& inputs = input_sets.emplace_back(all_codes(from.format));
    for (const Source& to : targets)
      jobs.push_back(Job{.from_name = from.name, .to_name = to.name, .from = from.format,
                         .to = to.format, .inputs = &inputs, .policies = &policies, .modes = modes});
  };
  for (const Source& from : narrow) add_jobs(from, every_policy, every_name);
  for (const Source& from : wide) add_jobs(from, main_policies, main_name);
  std::mt19937_64 rng(20261123);
  for (const Format& from : {kF32, kF64}) {
    const std::string name = from == kF32 ? "f32" : "f64";
    for (const Source& to : targets) {
      const auto& inputs = input_sets.emplace_back(boundary_inputs(from, to.format, rng));
      jobs.push_back(Job{.from_name = name, .to_name = to.name, .from = from, .to = to.format,
                         .inputs = &inputs, .policies = &every_policy,
                         .modes = "boundaries; " + every_name});
    }
  }

  const auto start = std::chrono::steady_clock::now();
  run_all(jobs);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // One line per source format: its targets folded together, failures listed in full.
  std::uint64_t cases = 0, mismatches = 0;
  fmt::print("{:<16} {:<12} {:<44} {:>12} {:>9} {:>8}\n", "backend", "from", "modes", "cases",
             "mismatch", "time");
  for (std::size_t i = 0; i < jobs.size();) {
    std::size_t j = i;
    std::uint64_t row_cases = 0, row_mismatches = 0;
    double row_seconds = 0;
    for (; j < jobs.size() && jobs[j].from_name == jobs[i].from_name; ++j) {
      row_cases += jobs[j].cases;
      row_mismatches += jobs[j].mismatch_count;
      row_seconds += jobs[j].seconds;
    }
    fmt::print("{:<16} {:<12} {:<44} {:>12} {:>9} {:>7.2f}s\n", "model-vs-oracle",
               jobs[i].from_name, jobs[i].modes + " -> all", row_cases, row_mismatches,
               row_seconds);
    for (std::size_t k = i; k < j; ++k)
      for (const Mismatch& m : jobs[k].mismatches) fmt::print("{}\n", describe(m, jobs[k]));
    cases += row_cases;
    mismatches += row_mismatches;
    i = j;
  }
  fmt::print("{} cases over {} format pairs, {} mismatches, {:.1f}s wall\n", cases, jobs.size(),
             mismatches, total);
  return mismatches == 0 ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "check", "conformance sweep: the model against the exact oracle over the whole catalogue");
  cmd->callback([&exit_code] { exit_code = run_check(); });
}

}  // namespace numconf::cli
