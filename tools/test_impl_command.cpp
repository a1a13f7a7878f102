// numconf test-impl: checks an external implementation through a pipe, like TestFloat's
// testfloat_ver.  numconf writes each case's inputs to the program's stdin (the lines convert
// and op read) and reads one result per line from its stdout (the lines they write), comparing
// each with the model and sorting the cases into classes (ties, subnormals, overflow, NaN).
#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "formats/convert.hpp"
#include "output.hpp"
#include "stream.hpp"
#include "text.hpp"
#include "vectors.hpp"

namespace numconf::cli {

namespace {

enum class CaseClass { Nan, Overflow, Tie, Subnormal, Other };
constexpr std::array<std::string_view, 5> kClassNames = {"NaN", "overflow", "ties", "subnormals",
                                                         "other"};

// Sorts cases into classes.  A tie is a case whose exact result lies halfway between two
// neighbours of the result format: it is exact in a format with one more significand bit
// (and one more exponent bit, the same emin) but not in the result format.
class Classifier {
 public:
  explicit Classifier(const Job& job) : job_(job) {
    const Format& r = job.result;
    if (!is_float(r) || !r.has_subnormals || r.exponent_bits + 1 > 16 || r.mantissa_bits + 1 > 52)
      return;
    Format finer = float_format(r.exponent_bits + 1, r.mantissa_bits + 1, r.bias, InfEncoding::Ieee,
                                NanEncoding::Ieee);
    if (invalid_reason(finer) != nullptr) return;
    finer_ = finer;
  }

  CaseClass operator()(const Case& c, const Rounded& expected) const {
    const Job& job = job_;
    bool nan = unpack(job.result, expected.bits).cls == ValueClass::Nan ||
               (expected.flags & flags::kInvalid);
    bool overflow = (expected.flags & flags::kOverflow) != 0;
    bool subnormal = unpack(job.result, expected.bits).cls == ValueClass::Subnormal ||
                     (expected.flags & flags::kUnderflow);
    for (int k = 0; k < job.info.operands; ++k) {
      const ValueClass cls = unpack(job.operand, c.operands[std::size_t(k)]).cls;
      nan = nan || cls == ValueClass::Nan;
      overflow = overflow || cls == ValueClass::Infinite;
      subnormal = subnormal || cls == ValueClass::Subnormal;
    }
    if (nan) return CaseClass::Nan;
    if (overflow) return CaseClass::Overflow;
    if (is_tie(c)) return CaseClass::Tie;
    return subnormal ? CaseClass::Subnormal : CaseClass::Other;
  }

 private:
  bool is_tie(const Case& c) const {
    if (!finer_) return false;
    Job finer = job_;
    finer.policy = Policy{};
    finer.stochastic = false;
    finer.result = *finer_;
    Case widened = c;
    if (job_.info.op != Op::Convert) {
      finer.operand = *finer_;
      for (int k = 0; k < job_.info.operands; ++k)
        widened.operands[std::size_t(k)] =
            convert(job_.operand, *finer_, c.operands[std::size_t(k)], Policy{}).bits;
    }
    const Rounded exact = model_result(finer, widened);
    if (exact.flags & flags::kInexact) return false;
    return (convert(*finer_, job_.result, exact.bits, Policy{}).flags & flags::kInexact) != 0;
  }

  const Job& job_;
  std::optional<Format> finer_;
};

struct TestImplOptions {
  SetOptions set;
  std::vector<std::string> program;
  bool with_flags = false;
  int show = 10;
};

// A child process with its stdin and stdout connected to us.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) throw InputError("cannot create a pipe");
    pid_ = fork();
    if (pid_ < 0) throw InputError("cannot start '" + argv[0] + "'");
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[0]), close(to_child[1]), close(from_child[0]), close(from_child[1]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      std::fprintf(stderr, "numconf: cannot run '%s'\n", args[0]);
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    in_ = fdopen(to_child[1], "wb");
    out_ = fdopen(from_child[0], "rb");
  }
  ~Child() {
    if (in_) std::fclose(in_);
    if (out_) std::fclose(out_);
    if (pid_ > 0 && !waited_) waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  std::FILE* input() { return in_; }
  std::FILE* output() { return out_; }
  void close_input() {
    std::fclose(in_);
    in_ = nullptr;
  }
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
  std::FILE* in_ = nullptr;
  std::FILE* out_ = nullptr;
};

struct Tally {
  std::uint64_t cases = 0, mismatches = 0;
};

int run_test_impl(const TestImplOptions& o) {
  const Job job = make_job(o.set.to_spec());
  const CaseSource source(job);
  const Classifier classify(job);
  signal(SIGPIPE, SIG_IGN);  // a program that stops reading is reported, not fatal
  Child child(o.program);

  std::thread writer([&] {
    std::string buffer;
    for (std::uint64_t i = 0; i < source.size(); ++i) {
      append_inputs(buffer, job, source.at(i));
      buffer += '\n';
      if (buffer.size() >= (1 << 16)) {
        if (std::fwrite(buffer.data(), 1, buffer.size(), child.input()) != buffer.size()) break;
        buffer.clear();
      }
    }
    std::fwrite(buffer.data(), 1, buffer.size(), child.input());
    child.close_input();
  });

  Output out("");
  std::array<Tally, kClassNames.size()> tallies{};
  std::uint64_t index = 0, mismatches = 0;
  std::string error;
  const auto hex = [](const Format& f, std::uint64_t code) { return code_hex(code, f); };
  for_each_line(child.output(), [&](std::string_view text) {
    if (!error.empty()) return;
    if (index >= source.size()) {
      error = fmt::format("the program wrote more than {} results", source.size());
      return;
    }
    std::size_t pos = 0;
    Rounded got;
    std::uint64_t flag_bits = 0;
    if (!next_hex(text, pos, got.bits) || (o.with_flags && !next_hex(text, pos, flag_bits)) ||
        !at_end(text, pos)) {
      error = fmt::format("program output line {}: expected {} in '{}'", index + 1,
                          o.with_flags ? "a hex result and hex flags" : "a hex result", text);
      return;
    }
    got.flags = std::uint8_t(flag_bits);
    const Case c = source.at(index);
    const Rounded expected = model_result(job, c);
    Tally& tally = tallies[std::size_t(classify(c, expected))];
    ++tally.cases;
    const bool same = got.bits == expected.bits && (!o.with_flags || got.flags == expected.flags);
    if (!same) {
      ++tally.mismatches;
      if (mismatches++ < std::uint64_t(o.show)) {
        std::string inputs;
        append_inputs(inputs, job, c);
        out.write(fmt::format("case {}: {} {} -> expected {}{}, got {}{}\n", index + 1,
                              job.info.name, inputs, hex(job.result, expected.bits),
                              o.with_flags ? fmt::format(" {:02x}", expected.flags) : "",
                              hex(job.result, got.bits),
                              o.with_flags ? fmt::format(" {:02x}", got.flags) : ""));
      }
    }
    ++index;
  });
  writer.join();
  const int status = child.wait();
  if (!error.empty()) throw InputError(error);
  if (index != source.size())
    throw InputError(fmt::format("the program wrote {} results for {} cases (exit status {})",
                                 index, source.size(), status));
  if (status != 0) throw InputError(fmt::format("the program exited with status {}", status));
  out.write(fmt::format("{} cases, {} mismatched\n", index, mismatches));
  for (std::size_t k = 0; k < tallies.size(); ++k)
    out.write(fmt::format("  {:<11} {:>10} cases, {:>8} mismatched\n", kClassNames[k],
                          tallies[k].cases, tallies[k].mismatches));
  out.commit();
  return mismatches == 0 ? 0 : 1;
}

}  // namespace

void add_test_impl_command(CLI::App& app, int& exit_code) {
  static TestImplOptions o;
  auto* cmd = app.add_subcommand(
      "test-impl",
      "check an external program: numconf writes each case's inputs (convert/op input lines) to "
      "its stdin and reads one result per line (convert/op output lines) from its stdout");
  o.set.add_to(*cmd);
  cmd->add_flag("--flags", o.with_flags, "the program writes flags after each result");
  cmd->add_option("--show", o.show, "how many mismatches to print")->capture_default_str();
  cmd->add_option("program", o.program, "-- program [arguments]")->required();
  cmd->callback([&exit_code] { exit_code = run_test_impl(o); });
}

}  // namespace numconf::cli
