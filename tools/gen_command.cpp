// numconf gen: writes a vector set (vectors/README.md) as text or as a .npy array, whole or one
// shard of it; numconf gen --suite DIR writes the committed level-1 suites.
#include <fmt/core.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "formats/registry.hpp"
#include "lookup_convert.hpp"
#include "npy.hpp"
#include "output.hpp"
#include "stream.hpp"
#include "text.hpp"
#include "vectors.hpp"

namespace numconf::cli {

namespace {

struct GenOptions {
  SetOptions set;
  std::string shard = "1/1", output, suite;
  int threads = 0;  // 0: every core
};

// Rows are computed and written in chunks of about this many bytes: small enough to stay in the
// cache between computing and writing, large enough that a write costs little per byte.
constexpr std::size_t kChunkBytes = 1 << 20;

struct Shard {
  std::uint64_t index = 1, count = 1;
};

Shard parse_shard(const std::string& text) {
  Shard s;
  char slash = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%lu%c%lu%n", &s.index, &slash, &s.count, &used) != 3 ||
      slash != '/' || std::size_t(used) != text.size() || s.count == 0 || s.index == 0 ||
      s.index > s.count)
    throw InputError("--shard must be K/N with 1 <= K <= N, got '" + text + "'");
  return s;
}

// Rows of one file: the fields of each case and how they are laid out.
class RowWriter {
 public:
  RowWriter(const Job& job, bool npy)
      : job_(job),
        npy_(npy),
        with_inputs_(npy_stores_inputs(job)),
        fields_(npy_fields(job)),
        result_bytes_(fields_[fields_.size() - 2].bytes) {  // the field "expected"
    if (npy && !with_inputs_ && job.info.op == Op::Convert &&
        LookupConverter::applies(job.operand, job.result, job.policy))
      table_ = std::make_unique<const LookupConverter>(job.operand, job.result, job.policy);
  }

  // Bytes of a .npy record (text lines are longer).
  std::size_t row_bytes() const {
    std::size_t bytes = 0;
    for (const NpyField& f : fields_) bytes += std::size_t(f.bytes);
    return bytes;
  }

  // The numpy header: one structured record per case.
  std::string npy_header(std::uint64_t rows) const {
    return cli::npy_header(npy_descr(fields_), fmt::format("({},)", rows));
  }

  // Appends rows [first, first + n) of `source` to `out`.
  void append(const CaseSource& source, std::uint64_t first, std::uint64_t n,
              std::string& out) const {
    if (table_) return append_lookup(first, n, out);
    std::vector<Case> cases(n);
    std::vector<Rounded> results(n);
    for (std::uint64_t i = 0; i < n; ++i) cases[i] = source.at(first + i);
    run_model(job_, cases, results);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!npy_) {
        append_case_line(out, job_, cases[i], results[i]);
        continue;
      }
      std::array<std::uint64_t, 6> values{};  // in the order of fields_
      std::size_t v = 0;
      if (with_inputs_) {
        for (int k = 0; k < job_.info.operands; ++k)
          values[v++] = cases[i].operands[std::size_t(k)];
        if (job_.stochastic) values[v++] = cases[i].random;
      }
      values[v++] = results[i].bits;
      values[v++] = results[i].flags;
      for (std::size_t f = 0; f < fields_.size(); ++f) append_le(out, values[f], fields_[f].bytes);
    }
  }

 private:
  static void append_le(std::string& out, std::uint64_t value, int bytes) {
    for (int b = 0; b < bytes; ++b) out += char((value >> (8 * b)) & 0xff);
  }

  // Exhaustive conversions: case i is code i; records straight from the table.
  void append_lookup(std::uint64_t first, std::uint64_t n, std::string& out) const {
    const std::size_t at = out.size();
    out.resize(at + n * std::size_t(result_bytes_ + 1));
    write_lookup_records(*table_, first, n, result_bytes_, out.data() + at);
  }

  const Job& job_;
  bool npy_, with_inputs_;
  std::vector<NpyField> fields_;
  int result_bytes_;
  std::unique_ptr<const LookupConverter> table_;  // exhaustive conversions to .npy, when exact
};

// Progress on stderr (rate, percent, ETA), only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::uint64_t total) : total_(total), shown_(isatty(2) != 0) {}
  void update(std::uint64_t done) {
    if (!shown_) return;
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - start_).count();
    if (seconds - last_ < 0.5 && done < total_) return;
    last_ = seconds;
    const double rate = double(done) / std::max(seconds, 1e-9);
    std::fprintf(stderr, "\r%llu/%llu cases (%.1f%%), %.1f M/s, ETA %.0f s   ",
                 (unsigned long long)done, (unsigned long long)total_,
                 100.0 * double(done) / double(std::max<std::uint64_t>(total_, 1)), rate / 1e6,
                 double(total_ - done) / std::max(rate, 1.0));
    if (done == total_) std::fputc('\n', stderr);
  }

 private:
  std::uint64_t total_;
  bool shown_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double last_ = -1;
};

// Writes rows [first, first + n) of the set: `threads` workers compute chunks into a ring of
// reused buffers, and this thread writes them in order.  One writer, not one per worker: a
// write holds the file's inode lock (tmpfs, ext4), so parallel writers to one file take turns,
// and on an idle machine the waiting one spins on the lock for the whole of the other's copy
// (bench/RESULTS.md).  Chunks are small enough to stay in the cache between the worker that
// fills one and the kernel copy that reads it.
void write_rows(const RowWriter& rows, const CaseSource& source, std::uint64_t first,
                std::uint64_t n, int threads, Output& out) {
  const std::uint64_t per_chunk = std::max<std::size_t>(1, kChunkBytes / rows.row_bytes());
  const std::uint64_t chunks = (n + per_chunk - 1) / per_chunk;
  constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  const std::size_t slots = 2 * std::size_t(threads);
  std::vector<std::string> buffers(slots);
  std::vector<std::uint64_t> holds(slots, kEmpty);  // the chunk a buffer holds, ready to write
  std::uint64_t written = 0;                        // chunks written so far
  bool stop = false;
  std::mutex mutex;
  std::condition_variable changed;
  std::atomic<std::uint64_t> next{0};

  const auto work = [&] {
    for (std::uint64_t c; (c = next++) < chunks;) {
      const std::size_t slot = std::size_t(c % slots);
      {
        // The buffer is free once chunk c - slots, its previous tenant, is written.
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || written + slots > c; });
        if (stop) return;
      }
      std::string& buffer = buffers[slot];
      buffer.clear();
      const std::uint64_t begin = c * per_chunk;
      rows.append(source, first + begin, std::min(per_chunk, n - begin), buffer);
      {
        const std::lock_guard lock(mutex);
        holds[slot] = c;
      }
      changed.notify_all();
    }
  };
  const auto stop_workers = [&] {
    {
      const std::lock_guard lock(mutex);
      stop = true;
    }
    changed.notify_all();
  };

  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back(work);
  Progress progress(n);
  try {
    for (std::uint64_t c = 0; c < chunks; ++c) {
      const std::size_t slot = std::size_t(c % slots);
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return holds[slot] == c; });
      }
      out.write(buffers[slot]);
      {
        const std::lock_guard lock(mutex);
        ++written;
      }
      changed.notify_all();
      progress.update(std::min(n, (c + 1) * per_chunk));
    }
  } catch (...) {
    stop_workers();  // a failed write: the workers stop, and the jthreads join them
    throw;
  }
}

int thread_count(int requested) {
  if (requested > 0) return requested;
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

void generate(const VectorSpec& spec, const std::string& output, const Shard& shard, int threads) {
  const Job job = make_job(spec);
  const CaseSource source(job);
  const std::uint64_t total = source.size();
  const std::uint64_t first =
      total / shard.count * (shard.index - 1) + std::min(total % shard.count, shard.index - 1);
  const std::uint64_t n = total / shard.count + (shard.index <= total % shard.count ? 1 : 0);
  const bool npy = output.ends_with(".npy");
  const RowWriter rows(job, npy);
  Output out(output);
  // A .npy's header text (how to make the array again, and which cases it holds) goes beside
  // it, and appears with it: both files are renamed into place only once the array is whole.
  std::optional<Output> sidecar;
  if (npy) {
    out.write(rows.npy_header(n));
    sidecar.emplace(output + ".txt");
    sidecar->write(header_text(job, total));
    sidecar->write(fmt::format("# npy-rows {} {}\n", first, n));
  } else if (shard.index == 1) {
    out.write(header_text(job, total));  // shards after the first concatenate to the whole
  }
  write_rows(rows, source, first, n, thread_count(threads), out);
  out.commit();
  if (sidecar) sidecar->commit();
}

// ---- The committed suites ------------------------------------------------------------------

constexpr std::array<std::string_view, 9> kRoundings = {"rn", "rna", "rz",  "rp", "rm",
                                                        "ro", "sra", "srb", "src"};
constexpr std::array<std::string_view, 3> kOverflows = {"none", "finite", "propagate"};
// P3109 is a family (K = 3..16); the suites hold a representative set of 8-bit members:
// signed and unsigned, extended (with Inf) and finite, precisions 3 and 4.
constexpr std::array<std::string_view, 4> kP3109Members = {"binary8p3se", "binary8p4se",
                                                           "binary8p4sf", "binary8p3ue"};
constexpr std::array<std::string_view, 3> kP3109Partners = {"f32", "f16", "bf16"};
constexpr int kSuiteRandomBits = 4;  // N of the stochastic modes
constexpr std::uint64_t kSuiteSeed = 1;

VectorSpec suite_spec(VectorSpec spec, std::string_view round, std::string_view sat) {
  spec.policy.round = std::string(round);
  spec.policy.sat = std::string(sat);
  spec.policy.random_bits = is_stochastic(rounding_from_name(round)) ? kSuiteRandomBits : 0;
  spec.seed = kSuiteSeed;
  return spec;
}

std::vector<Rounded> results_of(const VectorSpec& spec) {
  const Job job = make_job(spec);
  const CaseSource source(job);
  std::vector<Case> cases(source.size());
  for (std::uint64_t i = 0; i < source.size(); ++i) cases[i] = source.at(i);
  std::vector<Rounded> results(cases.size());
  run_model(job, cases, results);
  return results;
}

// Writes <dir>/<round>-<sat>.txt for each policy, leaving out those whose every result and
// flags equal rn-none's (exact conversions, where rounding cannot matter; formats without
// overflow): they would repeat it.
void write_suite_files(const std::filesystem::path& dir, const VectorSpec& spec,
                       const std::vector<std::pair<std::string_view, std::string_view>>& policies) {
  std::filesystem::create_directories(dir);
  const std::vector<Rounded> baseline = results_of(suite_spec(spec, "rn", "none"));
  for (const auto& [round, sat] : policies) {
    const VectorSpec s = suite_spec(spec, round, sat);
    if ((round != "rn" || sat != "none") && results_of(s) == baseline) continue;
    generate(s, (dir / fmt::format("{}-{}.txt", round, sat)).string(), Shard{}, 1);
  }
}

void write_suite(const std::string& root) {
  const std::filesystem::path base(root);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& from : kBuiltinFormats)
    for (const auto& to : kBuiltinFormats)
      if (from.name != to.name) pairs.emplace_back(from.name, to.name);
  for (const auto member : kP3109Members)
    for (const auto partner : kP3109Partners) {
      pairs.emplace_back(partner, member);
      pairs.emplace_back(member, partner);
    }
  std::vector<std::pair<std::string_view, std::string_view>> every_policy, arithmetic_policies;
  for (const auto round : kRoundings)
    for (const auto sat : kOverflows) every_policy.emplace_back(round, sat);
  // Arithmetic: every rounding mode without saturation, and both saturating modes under rn.
  for (const auto round : kRoundings) arithmetic_policies.emplace_back(round, "none");
  arithmetic_policies.emplace_back("rn", "finite");
  arithmetic_policies.emplace_back("rn", "propagate");

  for (const auto& [from, to] : pairs) {
    VectorSpec spec;
    spec.from = from;
    spec.to = to;
    write_suite_files(base / "convert" / from / to, spec, every_policy);
  }
  std::vector<std::string> formats;
  for (const auto& named : kBuiltinFormats)
    if (is_float(named.format)) formats.emplace_back(named.name);
  for (const auto member : kP3109Members) formats.emplace_back(member);
  for (const auto& format : formats)
    for (const OpInfo& info :
         {op_info(Op::Add), op_info(Op::Sub), op_info(Op::Mul), op_info(Op::Div), op_info(Op::Fma),
          op_info(Op::Sqrt), op_info(Op::Min), op_info(Op::Max), op_info(Op::MinNum),
          op_info(Op::MaxNum)}) {
      VectorSpec spec;
      spec.op = std::string(info.name);
      spec.from = format;
      write_suite_files(base / info.name / format, spec, arithmetic_policies);
    }
}

}  // namespace

void add_gen_command(CLI::App& app, int& exit_code) {
  static GenOptions o;
  auto* cmd = app.add_subcommand(
      "gen", "write golden vectors (vectors/README.md): text, or a .npy array for -o X.npy");
  o.set.add_to(*cmd);
  cmd->add_option("--shard", o.shard, "K/N: the K-th of N disjoint parts")->capture_default_str();
  cmd->add_option("-o,--output", o.output,
                  "file (X.npy: a numpy array, with its header in X.npy.txt)");
  cmd->add_option("--threads", o.threads, "threads (default: every core)");
  cmd->add_option("--suite", o.suite, "write the committed level-1 suites under this directory");
  cmd->callback([&exit_code] {
    if (!o.suite.empty()) {
      write_suite(o.suite);
    } else {
      generate(o.set.to_spec(), o.output, parse_shard(o.shard), o.threads);
    }
    exit_code = 0;
  });
}

}  // namespace numconf::cli
