// numconf verify: re-checks vector files (ours, with a header; or Berkeley TestFloat's
// testfloat_gen output, given the operation and formats) against an implementation, the model
// by default, or the exact oracle.  numconf verify-testfloat is the same command under its older
// name.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hw/backend.hpp"
#include "npy.hpp"
#include "oracle_results.hpp"
#include "output.hpp"
#include "stream.hpp"
#include "text.hpp"
#include "vectors.hpp"

namespace numconf::cli {

namespace {

struct VerifyOptions {
  std::vector<std::string> files;
  std::string op, from, to, format, backend = "model";
  PolicyOptions policy;
  bool check_nans = false;
};

// What checks a file's cases: the implementation, and whether its flags are compared (CUDA
// instructions raise none).
struct Checker {
  Implementation run;
  bool compares_flags = true;
};
using CheckerFor = std::function<Checker(const Job&)>;

std::optional<hw::OpKind> backend_op_kind(Op op) {
  switch (op) {
    case Op::Convert:
      return hw::OpKind::Convert;
    case Op::Add:
      return hw::OpKind::Add;
    case Op::Sub:
      return hw::OpKind::Sub;
    case Op::Mul:
      return hw::OpKind::Mul;
    case Op::Div:
      return hw::OpKind::Div;
    case Op::Fma:
      return hw::OpKind::Fma;
    case Op::Sqrt:
      return hw::OpKind::Sqrt;
    default:
      return std::nullopt;
  }
}

// The backend's instruction for a job: same operation, formats and claimed policy.
const hw::Operation& instruction_for(const hw::Backend& backend,
                                     const std::vector<hw::Operation>& ops, const Job& job) {
  const std::optional<hw::OpKind> kind = backend_op_kind(job.info.op);
  for (const hw::Operation& op : ops)
    if (kind && op.kind == *kind && op.operand == job.operand && op.result == job.result &&
        op.policy == job.policy)
      return op;
  throw InputError(
      fmt::format("backend '{}' has no instruction for {} {}{}{} under this file's policy (profile "
                  "included); `numconf check --backend {}` lists what it runs",
                  backend.name(), job.info.name, job.spec.from, job.spec.to.empty() ? "" : " -> ",
                  job.spec.to, backend.name()));
}

// Runs a job's cases through one backend instruction, in one batch.
void run_instruction(const hw::Backend& backend, const hw::Operation& op,
                     std::span<const Case> cases, std::span<Rounded> out) {
  std::array<std::vector<std::uint64_t>, 3> operands;
  for (auto& column : operands) column.resize(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i)
    for (std::size_t k = 0; k < 3; ++k) operands[k][i] = cases[i].operands[k];
  std::vector<std::uint64_t> results(cases.size());
  std::vector<std::uint8_t> raised(cases.size());
  backend.run(op, {operands[0], operands[1], operands[2], results, raised});
  for (std::size_t i = 0; i < cases.size(); ++i)
    out[i] = {results[i], op.reports_flags ? raised[i] : std::uint8_t{0}};
}

// The checker a backend name stands for: the model, the exact oracle (reference/), or a
// hardware backend (hw/backend.hpp) available on this machine.
CheckerFor checker_named(const std::string& name) {
  if (name == "model") return [](const Job&) { return Checker{run_model, true}; };
  if (name == "oracle") return [](const Job&) { return Checker{run_oracle, true}; };
  std::shared_ptr<hw::Backend> backend;
  std::string known = "model, oracle";
  for (std::unique_ptr<hw::Backend>& b : hw::all_backends()) {
    known += ", " + std::string(b->name());
    if (b->name() == name) backend = std::move(b);
  }
  if (!backend) throw InputError("unknown backend '" + name + "' (known: " + known + ")");
  if (const std::string why = backend->unavailable_reason(); !why.empty())
    throw InputError("backend '" + name + "' is unavailable here: " + why);
  auto ops = std::make_shared<const std::vector<hw::Operation>>(backend->operations());
  return [backend, ops](const Job& job) {
    const hw::Operation& op = instruction_for(*backend, *ops, job);
    return Checker{[backend, &op](const Job&, std::span<const Case> cases, std::span<Rounded> out) {
                     run_instruction(*backend, op, cases, out);
                   },
                   op.reports_flags};
  };
}

std::string flag_names(std::uint8_t f) {
  static constexpr std::array<std::pair<std::uint8_t, std::string_view>, 5> kNames = {
      {{flags::kInexact, "inexact"},
       {flags::kUnderflow, "underflow"},
       {flags::kOverflow, "overflow"},
       {flags::kInfinite, "infinite"},
       {flags::kInvalid, "invalid"}}};
  std::string out = fmt::format("{:02x}", f);
  std::string names;
  for (const auto& [bit, name] : kNames)
    if (f & bit) names += (names.empty() ? "" : "|") + std::string(name);
  return names.empty() ? out : out + " " + names;
}

// A code with its exact value: "3f800000 (1)"; long decimals are given as hex-floats.
std::string described(const Format& f, std::uint64_t code) {
  const Unpacked u = unpack(f, code);
  std::string value = exact_decimal(u);
  if (value.size() > 24) value = hex_float(u);
  return code_hex(code, f) + " (" + value + ")";
}

struct Expected {
  std::uint64_t at = 0;  // line of a text file, record of a .npy
  Rounded rounded;
};

class FileChecker {
 public:
  FileChecker(std::string path, const VerifyOptions& o, const CheckerFor& checker_for)
      : path_(std::move(path)), options_(o), checker_for_(checker_for), header_(path_) {}

  // Prints each mismatch and a summary; returns the number of mismatches.
  std::uint64_t run(Output& out) {
    if (path_.ends_with(".npy")) {
      check_npy();
    } else {
      check_text();
    }
    finish(out);
    if (stated_cases_ && *stated_cases_ != cases_)
      throw InputError(fmt::format("{}: the header states {} cases, the file holds {} (truncated?)",
                                   path_, *stated_cases_, cases_));
    out.write(fmt::format("{}: {} cases, {} mismatched\n", path_, cases_, mismatches_));
    return mismatches_;
  }

 private:
  [[noreturn]] void fail(std::uint64_t at, const std::string& why) const {
    throw InputError(fmt::format("{} {} {}: {}", path_, unit_, at, why));
  }

  void check_text() {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path_.c_str(), "rb"),
                                                             &std::fclose);
    if (!in) throw InputError("cannot read '" + path_ + "'");
    long long number = 0;
    for_each_line(in.get(), [&](std::string_view text) {
      ++number;
      if (text.starts_with("# npy-rows "))
        throw InputError(path_ + " is the header of a .npy vector file: verify the .npy");
      if (!job_ && text.starts_with("#")) return header_.line(text, number);
      if (!job_) start(std::uint64_t(number));
      check_line(text, std::uint64_t(number));
    });
    if (!job_) start(std::uint64_t(number + 1));
  }

  // Which cases of the set a .npy's records are: case FIRST + i is record i.
  struct NpyRows {
    std::uint64_t first = 0, count = 0;
  };

  // A .npy vector file: its header sits beside it in NAME.npy.txt.
  void check_npy() {
    const NpyRows rows = read_npy_header_file(path_ + ".txt");
    unit_ = "record";
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path_.c_str(), "rb"),
                                                             &std::fclose);
    if (!in) throw InputError("cannot read '" + path_ + "'");
    const std::vector<NpyField> fields = npy_fields(*job_);
    const std::size_t record_bytes =
        check_npy_layout(read_npy_header(in.get(), path_), fields, rows.count);
    // Exhaustive sets store no inputs: those of record i are case FIRST + i's.
    std::optional<CaseSource> source;
    if (!npy_stores_inputs(*job_)) source.emplace(*job_);
    std::vector<char> block(kBatch * record_bytes);
    std::array<std::uint64_t, 6> values{};  // a case's fields in text order
    for (std::uint64_t done = 0; done < rows.count;) {
      const std::size_t n = std::size_t(std::min<std::uint64_t>(kBatch, rows.count - done));
      if (std::fread(block.data(), record_bytes, n, in.get()) != n)
        throw InputError(path_ + ": read failed");
      const char* p = block.data();
      for (std::size_t i = 0; i < n; ++i, ++done) {
        std::size_t v = 0;
        if (source) {
          const Case c = source->at(rows.first + done);
          for (int k = 0; k < job_->info.operands; ++k) values[v++] = c.operands[std::size_t(k)];
          if (job_->stochastic) values[v++] = c.random;
        }
        for (const NpyField& f : fields) {
          std::uint64_t value = 0;
          for (int b = 0; b < f.bytes; ++b)
            value |= std::uint64_t(static_cast<unsigned char>(*p++)) << (8 * b);
          values[v++] = value;
        }
        add_case(std::span(values.data(), v), done);
      }
    }
  }

  // Reads NAME.npy.txt: a text header and "# npy-rows FIRST COUNT", no cases.
  NpyRows read_npy_header_file(const std::string& header_path) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(header_path.c_str(), "rb"),
                                                             &std::fclose);
    if (!in) throw InputError("cannot read '" + header_path + "', the header of '" + path_ + "'");
    header_ = HeaderParser(header_path);
    std::optional<NpyRows> rows;
    long long number = 0;
    for_each_line(in.get(), [&](std::string_view text) {
      ++number;
      const auto bad = [&](const std::string& why) {
        return InputError(fmt::format("{} line {}: {}", header_path, number, why));
      };
      if (!text.starts_with("#"))
        throw bad("a .npy's header file holds no cases, got '" + std::string(text) + "'");
      if (!text.starts_with("# npy-rows ")) return header_.line(text, number);
      NpyRows r;
      std::size_t used = 0;
      if (std::sscanf(std::string(text).c_str(), "# npy-rows %lu %lu%zn", &r.first, &r.count,
                      &used) != 2 ||
          used != text.size() || rows)
        throw bad("expected one '# npy-rows FIRST COUNT', got '" + std::string(text) + "'");
      rows = r;
    });
    if (header_.empty() || !rows)
      throw InputError(header_path + ": not the header of a .npy vector file (no '# " +
                       "numconf-vectors' or no '# npy-rows FIRST COUNT' line)");
    start(std::uint64_t(number + 1));
    if (rows->first > *stated_cases_ || rows->count > *stated_cases_ - rows->first)
      throw InputError(fmt::format("{}: npy-rows {} {} lie beyond the set's {} cases", header_path,
                                   rows->first, rows->count, *stated_cases_));
    stated_cases_ = rows->count;
    return *rows;
  }

  // Checks that the array holds `count` records of the set's type and nothing else; returns
  // the bytes of a record.
  std::size_t check_npy_layout(const NpyHeader& header, const std::vector<NpyField>& fields,
                               std::uint64_t count) const {
    if (const std::string descr = npy_descr(fields); header.descr != descr)
      throw InputError(fmt::format("{}: record type {}, its header file's set has {}", path_,
                                   header.descr, descr));
    if (header.shape != std::vector<std::size_t>{count})
      throw InputError(fmt::format("{}: shape ({}), its header file states {} records", path_,
                                   fmt::join(header.shape, ", "), count));
    std::size_t record_bytes = 0;
    for (const NpyField& f : fields) record_bytes += std::size_t(f.bytes);
    const std::uintmax_t expected = header.data_offset + count * record_bytes;
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path_, error);
    if (error || size != expected)
      throw InputError(fmt::format("{}: {} bytes, {} records of {} bytes need {} (truncated?)",
                                   path_, size, count, record_bytes, expected));
    return record_bytes;
  }

  // Works out the job from the header, or from the options for a header-less file.
  void start(std::uint64_t number) {
    VectorSpec spec;
    if (!header_.empty()) {
      if (!options_.op.empty() || !options_.from.empty() || !options_.format.empty())
        fail(number, "the file has a header; --op and formats are for header-less files");
      std::uint64_t cases = 0;
      spec = header_.spec(cases);
      stated_cases_ = cases;
      exact_nans_ = true;
    } else {
      if (options_.op.empty())
        throw InputError(path_ + " has no header: give --op and its formats (a TestFloat file)");
      spec.op = options_.op;
      spec.from = options_.op == "convert" ? options_.from : options_.format;
      spec.to = options_.to;
      spec.policy = options_.policy;
      exact_nans_ = options_.check_nans;
    }
    job_ = make_job(spec);
    checker_ = checker_for_(*job_);
    if (header_.empty() && job_->stochastic)
      throw InputError("TestFloat vectors carry no random bits: use rn rna rz rp rm or ro");
    widths_.assign(std::size_t(job_->info.operands), job_->operand_digits());
    if (job_->stochastic) widths_.push_back(random_digits(*job_));
    widths_.push_back(job_->result_digits());
    if (job_->spec.flags_column) widths_.push_back(2);
  }

  void check_line(std::string_view text, std::uint64_t number) {
    std::vector<std::uint64_t> fields;
    std::size_t pos = 0;
    while (!at_end(text, pos)) {
      while (text[pos] == ' ' || text[pos] == '\t') ++pos;
      const std::size_t start = pos;
      std::uint64_t value = 0;
      if (!next_hex(text, pos, value))
        fail(number, fmt::format("field {} is not hex in '{}'", fields.size() + 1, text));
      const std::size_t width = pos - start;
      if (fields.size() < widths_.size() && width != std::size_t(widths_[fields.size()]))
        fail(number, fmt::format("field {} has {} hex digits, {} expected, in '{}'",
                                 fields.size() + 1, width, widths_[fields.size()], text));
      fields.push_back(value);
    }
    if (fields.size() != widths_.size())
      fail(number, fmt::format("expected {} fields ({}), got {} in '{}'", widths_.size(), shape(),
                               fields.size(), text));
    add_case(fields, number);
  }

  // Checks one case's fields (operands, R, result, flags) and queues it.
  void add_case(std::span<const std::uint64_t> fields, std::uint64_t at) {
    const Job& job = *job_;
    Case c;
    std::size_t k = 0;
    for (; k < std::size_t(job.info.operands); ++k) {
      if (!is_valid_code(job.operand, fields[k]))
        fail(at, fmt::format("operand {} is not a code of {}", k + 1, job.spec.from));
      c.operands[k] = fields[k];
    }
    if (job.stochastic) {
      c.random = fields[k++];
      if (c.random >> job.policy.random_bits)
        fail(at, fmt::format("R is wider than rbits {}", job.policy.random_bits));
    }
    const std::uint64_t result = fields[k];
    const std::uint64_t flag_bits = job.spec.flags_column ? fields[k + 1] : 0;
    if (!is_valid_code(job.result, result)) fail(at, "the result is not a code of the format");
    if (flag_bits > 0x1f) fail(at, "flags above 1f");
    cases_batch_.push_back(c);
    expected_.push_back({at, {result, std::uint8_t(flag_bits)}});
    ++cases_;
    if (cases_batch_.size() == kBatch) flush(pending_);
  }

  std::string shape() const {
    std::string s =
        fmt::format("{} operand{}", job_->info.operands, job_->info.operands > 1 ? "s" : "");
    if (job_->stochastic) s += ", R";
    return s + (job_->spec.flags_column ? ", result, flags" : ", result");
  }

  // Flags count where the file states them and the implementation reports them.
  bool compares_flags() const { return job_->spec.flags_column && checker_.compares_flags; }

  bool same(const Rounded& expected, const Rounded& got) const {
    if (compares_flags() && expected.flags != got.flags) return false;
    if (expected.bits == got.bits) return true;
    const Format& f = job_->result;
    return !exact_nans_ && unpack(f, expected.bits).cls == ValueClass::Nan &&
           unpack(f, got.bits).cls == ValueClass::Nan;
  }

  void finish(Output& out) {
    flush(pending_);
    out.write(pending_);
    pending_.clear();
  }

  void flush(std::string& out) {
    if (cases_batch_.empty()) return;
    std::vector<Rounded> got(cases_batch_.size());
    checker_.run(*job_, cases_batch_, got);
    const Job& job = *job_;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const Expected& e = expected_[i];
      if (same(e.rounded, got[i])) continue;
      ++mismatches_;
      std::string inputs;
      for (int k = 0; k < job.info.operands; ++k)
        inputs += described(job.operand, cases_batch_[i].operands[std::size_t(k)]) + " ";
      if (job.stochastic) inputs += fmt::format("R {:x} ", cases_batch_[i].random);
      out += fmt::format("{} {} {}: {} {}-> expected {} flags {}, got {} flags {}\n", path_, unit_,
                         e.at, job.info.name, inputs, described(job.result, e.rounded.bits),
                         job.spec.flags_column ? flag_names(e.rounded.flags) : "not recorded",
                         described(job.result, got[i].bits),
                         compares_flags() ? flag_names(got[i].flags) : "not compared");
    }
    cases_batch_.clear();
    expected_.clear();
  }

  static constexpr std::size_t kBatch = 4096;
  std::string path_;
  std::string_view unit_ = "line";  // where a case is: a text file's line, a .npy's record
  const VerifyOptions& options_;
  const CheckerFor& checker_for_;
  Checker checker_;
  HeaderParser header_;
  std::optional<Job> job_;
  std::optional<std::uint64_t> stated_cases_;
  bool exact_nans_ = true;
  std::vector<int> widths_;
  std::vector<Case> cases_batch_;
  std::vector<Expected> expected_;
  std::string pending_;
  std::uint64_t cases_ = 0, mismatches_ = 0;
};

int run_verify(const VerifyOptions& o) {
  const CheckerFor checker_for = checker_named(o.backend);
  Output out("");
  std::uint64_t mismatches = 0;
  for (const std::string& file : o.files) {
    mismatches += FileChecker(file, o, checker_for).run(out);
    out.maybe_flush();
  }
  out.commit();
  return mismatches == 0 ? 0 : 1;
}

void add_options(CLI::App& cmd, VerifyOptions& o) {
  cmd.add_option("--op", o.op, "header-less files: convert add sub mul div fma sqrt min max ...");
  cmd.add_option("--from", o.from, "header-less conversions: the source format");
  cmd.add_option("--to", o.to, "header-less conversions: the result format");
  cmd.add_option("--format", o.format, "header-less arithmetic: the format");
  cmd.add_flag("--check-nans", o.check_nans,
               "header-less files: NaN results must match bit for bit (default: any NaN matches "
               "any NaN; files with a header always compare every bit)");
  o.policy.add_to(cmd, true);
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  static VerifyOptions o;
  auto* cmd = app.add_subcommand(
      "verify",
      "re-check vector files against the model (or the exact oracle, or a hardware backend): "
      "each mismatch with decoded values; exit 0 all match, 1 mismatches, 2 unreadable file");
  cmd->add_option("files", o.files, "vector files (vectors/README.md) or TestFloat files")
      ->required();
  cmd->add_option("--backend", o.backend,
                  "the implementation checked: model; oracle (the exact Boost oracle of "
                  "reference/, independent of the model that wrote the files); or a backend of "
                  "numconf check (cpu, cuda-host, cuda) through its instruction with the file's "
                  "policy")
      ->capture_default_str();
  add_options(*cmd, o);
  cmd->callback([&exit_code] { exit_code = run_verify(o); });
}

void add_verify_testfloat_command(CLI::App& app, int& exit_code) {
  static VerifyOptions o;
  auto* cmd = app.add_subcommand(
      "verify-testfloat",
      "numconf verify for a Berkeley TestFloat file (testfloat_gen lines: operands, result, "
      "flags in hex), --round required");
  cmd->add_option("files", o.files, "testfloat_gen output")->required();
  add_options(*cmd, o);
  cmd->get_option("--op")->required();
  cmd->get_option("--round")->required();
  cmd->callback([&exit_code] { exit_code = run_verify(o); });
}

}  // namespace numconf::cli
