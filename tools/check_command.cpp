// numconf check: the model against the exact oracle over the whole catalogue of formats,
// rounding modes, overflow modes and profiles, and every hardware backend (hw/) against the
// model under the policy each of its instructions claims (docs/profiles.md).
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "commands.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"
#include "hw/backend.hpp"
#include "hw/cases.hpp"
#include "hw/compare.hpp"
#include "output.hpp"
#include "reference/oracle.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

constexpr std::size_t kShown = 3;  // mismatches decoded per row

// One line of the table and the report.
struct Row {
  std::string backend{}, instruction{}, profile{}, modes{};
  std::uint64_t cases = 0, mismatches = 0;
  double seconds = 0;
  std::vector<std::string> first{};  // the first mismatches, decoded
  std::string unavailable{};         // why the row did not run (never counted as passed)
};

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

// The policy switches other than mode and overflow: flushing, tininess before rounding, the
// P3109 overflow rules and the vendor profiles, each in every deterministic mode.
std::vector<NamedPolicy> variant_policies(const std::vector<Rounding>& modes) {
  std::vector<NamedPolicy> out;
  for (const Rounding r : modes)
    for (int variant = 0; variant < 7; ++variant) {
      Policy p;
      p.rounding = r;
      p.flush_inputs = variant == 0;
      p.flush_outputs = variant == 1;
      if (variant == 2) p.tininess = Tininess::BeforeRounding;
      if (variant == 3) p.overflow_rule = OverflowRule::P3109;
      if (variant == 4) p.overflow_rule = OverflowRule::P3109V3;
      if (variant == 5) {  // NVIDIA's conventions, with its NaN-to-max-finite for fp6/fp4
        p.profile = Profile::Cuda;
        p.nan_to_nanless = NanToNanless::MaxFinite;
      }
      if (variant == 6) p.profile = Profile::X86;
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
      if (job.mismatches.size() < kShown) job.mismatches.push_back({np.policy, input, np.random, model, oracle});
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

// The model against the exact oracle over the whole catalogue: one row per source format.
void model_vs_oracle(std::vector<Row>& rows) {
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
  const std::string every_name = "6 modes x 3 sat, sr, daz/ftz/rules/profiles";
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

  run_all(jobs);
  // One row per source format: its targets folded together.
  for (std::size_t i = 0; i < jobs.size();) {
    Row row{.backend = "model-vs-oracle", .instruction = jobs[i].from_name + " -> all",
            .profile = "model", .modes = jobs[i].modes};
    std::size_t j = i;
    for (; j < jobs.size() && jobs[j].from_name == jobs[i].from_name; ++j) {
      row.cases += jobs[j].cases;
      row.mismatches += jobs[j].mismatch_count;
      row.seconds += jobs[j].seconds;
      for (const Mismatch& m : jobs[j].mismatches)
        if (row.first.size() < kShown) row.first.push_back(describe(m, jobs[j]));
    }
    rows.push_back(std::move(row));
    i = j;
  }
}

// ---- Hardware backends --------------------------------------------------------------------

struct CheckOptions {
  std::vector<std::string> backends;
  std::string level = "1";
  std::string report;
  std::string instruction;  // only the backend operations whose name contains this
};

hw::Level level_from_name(const std::string& name) {
  if (name == "1") return hw::Level::Quick;
  if (name == "2") return hw::Level::Broad;
  if (name == "exhaustive") return hw::Level::Exhaustive;
  throw InputError("unknown --level '" + name + "' (1, 2 or exhaustive)");
}

std::string_view profile_name(Profile p) {
  switch (p) {
    case Profile::Model: return "model";
    case Profile::Cuda: return "cuda";
    case Profile::X86: return "x86";
  }
  return "?";
}

// A code with its value: exact decimal while short, else the exact hex-float.
std::string shown(const Format& f, std::uint64_t code) {
  const std::string hex = code_hex(code, f);
  if (!is_float(f)) return hex;
  const Unpacked u = unpack(f, code);
  std::string decimal = exact_decimal(u);
  return hex + " (" + (decimal.size() <= 24 ? decimal : hex_float(u)) + ")";
}

std::string describe(const hw::Operation& op, const hw::Mismatch& m) {
  std::string inputs;
  for (int i = 0; i < hw::arity(op.kind); ++i)
    inputs += (i ? ", " : "") + shown(op.operand, m.operands[std::size_t(i)]);
  const auto flags = [&](std::uint8_t f) {
    return op.reports_flags ? fmt::format(" flags {:02x}", f) : std::string();
  };
  return fmt::format("    {}: {} -> model {}{}, backend {}{}", op.name, inputs,
                     shown(op.result, m.expected.bits), flags(m.expected.flags),
                     shown(op.result, m.got.bits), flags(m.got.flags));
}

std::string policy_text(const Policy& p) {
  std::string s = fmt::format("{} sat={}", rounding_name(p.rounding), overflow_name(p.overflow));
  if (p.flush_inputs) s += " daz";
  if (p.flush_outputs) s += " ftz";
  if (p.nan_to_nanless == NanToNanless::MaxFinite) s += " nan->max";
  return s;
}

void check_backend(const hw::Backend& backend, hw::Level level, const std::string& only,
                   std::vector<Row>& rows) {
  if (const std::string why = backend.unavailable_reason(); !why.empty()) {
    rows.push_back({.backend = std::string(backend.name()), .instruction = "-", .profile = "-",
                    .unavailable = why});
    return;
  }
  for (const hw::Operation& op : backend.operations()) {
    if (op.name.find(only) == std::string::npos) continue;
    const auto start = std::chrono::steady_clock::now();
    hw::SweepResult r;
    std::string modes = policy_text(op.policy);
    if (hw::sweeps_every_code(op, level)) {
      r = hw::compare_range(backend, op, 0, std::uint64_t{1} << code_bits(op.operand), kShown);
      modes += ", every code";
    } else {
      r = hw::compare_cases(backend, op, hw::make_cases(op, level), kShown);
      modes += ", sampled";
    }
    Row row{.backend = std::string(backend.name()), .instruction = op.name,
            .profile = std::string(profile_name(op.policy.profile)), .modes = modes,
            .cases = r.cases, .mismatches = r.mismatches};
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const hw::Mismatch& m : r.first) row.first.push_back(describe(op, m));
    rows.push_back(std::move(row));
  }
}

std::string json_text(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", int(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void write_report(Output& out, const std::vector<hw::MachineFact>& machine,
                  const std::string& level, const std::vector<Row>& rows, bool passed) {
  std::string json = "{\n  \"numconf_version\": " + json_text(NUMCONF_VERSION) +
                     ",\n  \"level\": " + json_text(level) + ",\n  \"passed\": " +
                     (passed ? "true" : "false") + ",\n  \"machine\": {";
  for (std::size_t i = 0; i < machine.size(); ++i)
    json += (i ? ", " : "") + json_text(machine[i].key) + ": " + json_text(machine[i].value);
  json += "},\n  \"rows\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    json += fmt::format(
        "    {{\"backend\": {}, \"instruction\": {}, \"profile\": {}, \"modes\": {}, "
        "\"status\": {}, \"cases\": {}, \"mismatches\": {}, \"seconds\": {:.3f}",
        json_text(r.backend), json_text(r.instruction), json_text(r.profile), json_text(r.modes),
        json_text(r.unavailable.empty() ? (r.mismatches == 0 ? "pass" : "FAIL") : "unavailable"),
        r.cases, r.mismatches, r.seconds);
    if (!r.unavailable.empty()) json += ", \"reason\": " + json_text(r.unavailable);
    json += ", \"first_mismatches\": [";
    for (std::size_t k = 0; k < r.first.size(); ++k) json += (k ? ", " : "") + json_text(r.first[k]);
    json += i + 1 < rows.size() ? "]},\n" : "]}\n";
  }
  json += "  ]\n}\n";
  out.write(json);
  out.commit();
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

int run_check(const CheckOptions& options) {
  const hw::Level level = level_from_name(options.level);
  const auto backends = hw::all_backends();
  std::vector<std::string> wanted = options.backends;
  for (const std::string& name : wanted) {
    bool known = name == "model";
    for (const auto& b : backends) known = known || b->name() == name;
    if (!known) throw InputError("unknown --backend '" + name + "' (model, cpu, cuda-host, cuda)");
  }
  const auto selected = [&](std::string_view name) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };

  // Opened first, so that an unwritable path fails before the sweep rather than after it.
  std::optional<Output> report;
  if (!options.report.empty()) report.emplace(options.report);

  const auto start = std::chrono::steady_clock::now();
  std::vector<Row> rows;
  // What this machine is, from every backend (the CPU model whichever backends run).
  std::vector<hw::MachineFact> machine{{"host", host_name()}};
  for (const auto& backend : backends)
    for (const hw::MachineFact& fact : backend->machine()) machine.push_back(fact);
  if (selected("model")) model_vs_oracle(rows);
  for (const auto& backend : backends)
    if (selected(backend->name())) check_backend(*backend, level, options.instruction, rows);
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  fmt::print("{:<15} {:<52} {:<7} {:>12} {:>9} {:>9}\n", "backend", "instruction", "profile",
             "cases", "mismatch", "time");
  std::uint64_t cases = 0, mismatches = 0;
  bool requested_missing = false;
  for (const Row& r : rows) {
    if (!r.unavailable.empty()) {
      fmt::print("{:<15} unavailable: {}\n", r.backend, r.unavailable);
      requested_missing = requested_missing || !wanted.empty();
      continue;
    }
    fmt::print("{:<15} {:<52} {:<7} {:>12} {:>9} {:>8.2f}s\n", r.backend, r.instruction,
               r.profile, r.cases, r.mismatches, r.seconds);
    for (const std::string& line : r.first) fmt::print("{}\n", line);
    cases += r.cases;
    mismatches += r.mismatches;
  }
  for (const hw::MachineFact& fact : machine) fmt::print("{}: {}\n", fact.key, fact.value);
  fmt::print("{} cases, {} mismatches, {:.1f}s wall (level {})\n", cases, mismatches, total,
             options.level);
  const bool passed = mismatches == 0 && !requested_missing;
  if (report) write_report(*report, machine, options.level, rows, passed);
  if (requested_missing) return 2;  // a backend asked for by name cannot run here
  return passed ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "check",
      "conformance: the model against the exact oracle, and every hardware backend against the "
      "model under the policy each instruction claims");
  static CheckOptions options;
  cmd->add_option("--backend", options.backends,
                  "model (model vs oracle), cpu, cuda-host, cuda; repeatable; default all");
  cmd->add_option("--level", options.level, "1 (quick), 2 (broad) or exhaustive")
      ->capture_default_str();
  cmd->add_option("--report", options.report, "write a JSON report to this file");
  cmd->add_option("--instruction", options.instruction,
                  "run only the backend operations whose name contains this text");
  cmd->callback([&exit_code] { exit_code = run_check(options); });
}

}  // namespace numconf::cli
