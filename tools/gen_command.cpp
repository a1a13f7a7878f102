// numconf gen: writes a vector set (vectors/README.md) as text or as a .npy array, whole or one
// shard of it; numconf gen --suite DIR writes the committed level-1 suites.
#include <fmt/core.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "formats/registry.hpp"
#include "lookup_convert.hpp"
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
  RowWriter(const Job& job, bool npy, bool with_inputs)
      : job_(job),
        npy_(npy),
        with_inputs_(with_inputs),
        operand_bytes_(bytes_for(storage_bits(job.operand))),
        result_bytes_(bytes_for(storage_bits(job.result))),
        lookup_(npy && !with_inputs && job.info.op == Op::Convert &&
                LookupConverter::applies(job.operand, job.result, job.policy)) {
    if (lookup_) table_.emplace(job.operand, job.result, job.policy);
  }

  std::size_t row_bytes() const {
    return (with_inputs_ ? job_.info.operands * operand_bytes_ + (job_.stochastic ? 4 : 0) : 0) +
           result_bytes_ + 1;
  }

  // The numpy header: one structured record per case.
  std::string npy_header(std::uint64_t rows) const {
    std::string descr = "[";
    const auto field = [&](std::string_view name, int bytes) {
      descr += fmt::format("('{}', '{}u{}'), ", name, bytes == 1 ? "|" : "<", bytes);
    };
    if (with_inputs_) {
      for (int k = 0; k < job_.info.operands; ++k)
        field(std::string(1, char('a' + k)), operand_bytes_);
      if (job_.stochastic) field("r", 4);
    }
    field("expected", result_bytes_);
    field("flags", 1);
    descr.resize(descr.size() - 2);
    descr += "]";
    std::string dict =
        fmt::format("{{'descr': {}, 'fortran_order': False, 'shape': ({},), }}", descr, rows);
    // Magic, version 1.0, header length; the header is padded with blanks to a multiple of
    // 64 bytes and ends in '\n' (the .npy format specification).
    const std::size_t total = (10 + dict.size() + 1 + 63) / 64 * 64;
    dict.append(total - 10 - dict.size() - 1, ' ');
    dict += '\n';
    std::string out = "\x93NUMPY\x01";
    out += '\0';
    out += char(dict.size() & 0xff);
    out += char(dict.size() >> 8);
    return out + dict;
  }

  // Appends rows [first, first + n) of `source` to `out`.
  void append(const CaseSource& source, std::uint64_t first, std::uint64_t n,
              std::string& out) const {
    if (lookup_) return append_lookup(first, n, out);
    std::vector<Case> cases(n);
    std::vector<Rounded> results(n);
    for (std::uint64_t i = 0; i < n; ++i) cases[i] = source.at(first + i);
    run_model(job_, cases, results);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!npy_) {
        append_case_line(out, job_, cases[i], results[i]);
        continue;
      }
      if (with_inputs_) {
        for (int k = 0; k < job_.info.operands; ++k)
          append_le(out, cases[i].operands[std::size_t(k)], operand_bytes_);
        if (job_.stochastic) append_le(out, cases[i].random, 4);
      }
      append_le(out, results[i].bits, result_bytes_);
      append_le(out, results[i].flags, 1);
    }
  }

 private:
  static int bytes_for(int bits) { return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8; }

  static void append_le(std::string& out, std::uint64_t value, int bytes) {
    for (int b = 0; b < bytes; ++b) out += char((value >> (8 * b)) & 0xff);
  }

  // Exhaustive conversions: case i is code i; one table lookup gives code and flags, stored
  // little-endian as the record (expected, flags).
  void append_lookup(std::uint64_t first, std::uint64_t n, std::string& out) const {
    const std::size_t at = out.size(), row = std::size_t(result_bytes_) + 1;
    out.resize(at + n * row);
    char* p = out.data() + at;
    const LookupConverter& t = *table_;
    if (result_bytes_ == 1) {
      for (std::uint64_t i = 0; i < n; ++i, p += 2) {
        const std::uint32_t r = t(first + i);
        const std::uint16_t record = std::uint16_t((r & 0xff) | (r >> 8 & 0xff00));
        std::memcpy(p, &record, 2);
      }
    } else {
      for (std::uint64_t i = 0; i < n; ++i, p += 3) {
        const std::uint32_t r = t(first + i);
        std::memcpy(p, &r, 3);  // little-endian: code, then flags
      }
    }
  }

  const Job& job_;
  bool npy_, with_inputs_;
  int operand_bytes_, result_bytes_;
  bool lookup_;
  std::optional<LookupConverter> table_;
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

// Writes rows [first, first + n) of the set in chunks computed by `threads` threads.  Two
// sets of buffers alternate: one group of chunks is written while the next is computed, and
// the buffers are reused (fresh large allocations would page-fault on every chunk).
void write_rows(const RowWriter& rows, const CaseSource& source, std::uint64_t first,
                std::uint64_t n, int threads, Output& out) {
  constexpr std::uint64_t kChunk = 1 << 22;
  Progress progress(n);
  std::array<std::vector<std::string>, 2> buffers;
  for (auto& set : buffers) set.resize(std::size_t(threads));
  std::future<void> writing;
  for (std::uint64_t done = 0, group = 0; done < n; ++group) {
    std::vector<std::string>& set = buffers[group % 2];
    std::vector<std::thread> workers;
    for (std::string& chunk : set) {
      chunk.clear();
      if (done == n) continue;
      const std::uint64_t begin = first + done, count = std::min(kChunk, n - done);
      done += count;
      workers.emplace_back(
          [&rows, &source, &chunk, begin, count] { rows.append(source, begin, count, chunk); });
    }
    for (auto& w : workers) w.join();
    if (writing.valid()) writing.get();
    writing = std::async(std::launch::async, [&out, &set] {
      for (const std::string& chunk : set) out.write(chunk);
    });
    progress.update(done);
  }
  if (writing.valid()) writing.get();
}

// Fixed-size records into a file: each thread writes its own chunks at their offsets, so the
// kernel's copying (most of the time of a large sweep) is spread over the cores too.
void write_records(const RowWriter& rows, const CaseSource& source, std::uint64_t first,
                   std::uint64_t n, int threads, int fd, long long offset) {
  constexpr std::uint64_t kChunk = 1 << 22;
  const std::uint64_t chunks = (n + kChunk - 1) / kChunk;
  std::atomic<std::uint64_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  Progress progress(n);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      std::string buffer;
      for (std::uint64_t c; !failed && (c = next++) < chunks;) {
        const std::uint64_t begin = c * kChunk, count = std::min(kChunk, n - begin);
        buffer.clear();
        rows.append(source, first + begin, count, buffer);
        const auto at = off_t(offset + (long long)(begin * rows.row_bytes()));
        if (pwrite(fd, buffer.data(), buffer.size(), at) != ssize_t(buffer.size())) failed = true;
        done += count;
      }
    });
  while (done < n && !failed) {
    progress.update(done);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& w : workers) w.join();
  if (failed) throw InputError("write failed");
  progress.update(n);
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
  const RowWriter rows(job, npy, !(npy && spec.coverage == Coverage::Exhaustive));
  Output out(output);
  if (npy) {
    out.write(rows.npy_header(n));
    // The header that states how to reproduce the array, beside it.
    Output header(output + ".txt");
    header.write(header_text(job, total));
    header.write(fmt::format("# npy-rows {} {}\n", first, n));
    header.commit();
  } else if (shard.index == 1) {
    out.write(header_text(job, total));  // shards after the first concatenate to the whole
  }
  long long offset = 0;
  const int fd = npy ? out.positional_fd(offset) : -1;
  if (fd >= 0) {
    write_records(rows, source, first, n, thread_count(threads), fd, offset);
  } else {
    write_rows(rows, source, first, n, thread_count(threads), out);
  }
  out.commit();
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
