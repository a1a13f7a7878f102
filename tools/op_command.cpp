// numconf op (a streaming filter like convert) and numconf verify-testfloat (Berkeley TestFloat
// vectors checked against the model): the operations of formats/arith.hpp on the command line.
#include <fmt/core.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "formats/arith.hpp"
#include "output.hpp"
#include "policy_options.hpp"
#include "stream.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

enum class Op { Add, Sub, Mul, Div, Fma, Sqrt, Min, Max, MinNum, MaxNum };

struct OpInfo {
  std::string_view name;
  Op op;
  int operands;
};

constexpr std::array<OpInfo, 10> kOps = {{{"add", Op::Add, 2},
                                          {"sub", Op::Sub, 2},
                                          {"mul", Op::Mul, 2},
                                          {"div", Op::Div, 2},
                                          {"fma", Op::Fma, 3},
                                          {"sqrt", Op::Sqrt, 1},
                                          {"min", Op::Min, 2},
                                          {"max", Op::Max, 2},
                                          {"minnum", Op::MinNum, 2},
                                          {"maxnum", Op::MaxNum, 2}}};

const OpInfo& op_from_name(std::string_view name) {
  for (const OpInfo& info : kOps)
    if (info.name == name) return info;
  throw InputError("unknown operation '" + std::string(name) +
                   "' (add sub mul div fma sqrt min max minnum maxnum)");
}

Rounded apply(Op op, const Format& f, const std::array<std::uint64_t, 3>& x, const Policy& p,
              std::uint64_t random) {
  switch (op) {
    case Op::Add: return add(f, x[0], x[1], p, random);
    case Op::Sub: return sub(f, x[0], x[1], p, random);
    case Op::Mul: return mul(f, x[0], x[1], p, random);
    case Op::Div: return div(f, x[0], x[1], p, random);
    case Op::Fma: return fma(f, x[0], x[1], x[2], p, random);
    case Op::Sqrt: return sqrt(f, x[0], p, random);
    case Op::Min: return minimum(f, x[0], x[1], p);
    case Op::Max: return maximum(f, x[0], x[1], p);
    case Op::MinNum: return minimum_number(f, x[0], x[1], p);
    case Op::MaxNum: return maximum_number(f, x[0], x[1], p);
  }
  return {};
}

Format arithmetic_format(const std::string& name) {
  const Format f = format_from_name(name);
  if (!is_float(f))
    throw InputError("'" + name + "' is an integer format; arithmetic needs a float format");
  return f;
}

// Where a line came from, for error messages: "stdin line 3", "vectors.txt line 12".
struct LineSource {
  std::string name;
  long long line = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(name + " line " + std::to_string(line) + ": " + why);
  }

  // The next field of `text`, which must be a code of f; `what` names it in the error.
  std::uint64_t next_code(std::string_view text, std::size_t& pos, const Format& f,
                          std::string_view what) const {
    std::uint64_t code = 0;
    if (!next_hex(text, pos, code))
      fail("expected " + std::string(what) + " in '" + std::string(text) + "'");
    if (!is_valid_code(f, code))
      fail(std::string(what) + " in '" + std::string(text) + "' is not a code of the format");
    return code;
  }
};

struct OpOptions {
  std::string op, format, output;
  PolicyOptions policy;
  bool with_flags = false;
};

void run_op(const OpOptions& o) {
  const OpInfo& info = op_from_name(o.op);
  const Format f = arithmetic_format(o.format);
  const Policy p = o.policy.to_policy(o.format);
  const bool stochastic = is_stochastic(p.rounding);
  const int digits = (storage_bits(f) + 3) / 4;
  Output out(o.output);
  LineSource source{"stdin"};
  for_each_line(stdin, [&](std::string_view text) {
    ++source.line;
    std::size_t pos = 0;
    std::array<std::uint64_t, 3> operands{};
    for (int i = 0; i < info.operands; ++i)
      operands[i] = source.next_code(text, pos, f, "an operand");
    std::uint64_t random = 0;
    if (stochastic) {
      if (!next_hex(text, pos, random))
        source.fail("expected a hex random value after the operands");
      if (random >> p.random_bits)
        source.fail("random value wider than --rbits " + std::to_string(p.random_bits));
    }
    if (!at_end(text, pos)) source.fail("unexpected text after the operands");

    const Rounded r = apply(info.op, f, operands, p, random);
    std::string& buffer = out.buffer();
    append_hex(buffer, r.bits, digits);
    if (o.with_flags) {
      buffer += ' ';
      append_hex(buffer, r.flags, 2);
    }
    buffer += '\n';
    out.maybe_flush();
  });
  out.commit();
}

// The number of blank-separated fields of a line.
int field_count(std::string_view text) {
  int count = 0;
  bool in_field = false;
  for (const char c : text) {
    const bool blank = c == ' ' || c == '\t';
    if (!blank && !in_field) ++count;
    in_field = !blank;
  }
  return count;
}

struct VerifyOptions {
  std::string file, op, format;
  PolicyOptions policy;
  bool check_nans = false;
};

// Checks every line of a testfloat_gen file (operands, expected result, expected flags); returns
// the number of lines whose result or flags differ from the model's, each printed.
long long run_verify(const VerifyOptions& o) {
  const OpInfo& info = op_from_name(o.op);
  const Format f = arithmetic_format(o.format);
  const Policy p = o.policy.to_policy(o.format);
  if (is_stochastic(p.rounding))
    throw InputError("TestFloat vectors carry no random bits: use rn rna rz rp rm or ro");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(o.file.c_str(), "rb"),
                                                           &std::fclose);
  if (!in) throw InputError("cannot read '" + o.file + "'");

  const auto hex = [&](std::uint64_t code) { return code_hex(code, f); };
  Output out("");
  LineSource source{o.file};
  long long mismatches = 0;
  const std::string shape = fmt::format("{} operand{}, result, flags", info.operands,
                                        info.operands > 1 ? "s" : "");
  for_each_line(in.get(), [&](std::string_view text) {
    ++source.line;
    if (field_count(text) != info.operands + 2)
      source.fail("expected " + shape + " in '" + std::string(text) + "'");
    std::size_t pos = 0;
    std::array<std::uint64_t, 3> operands{};
    for (int i = 0; i < info.operands; ++i)
      operands[i] = source.next_code(text, pos, f, "an operand");
    const std::uint64_t expected = source.next_code(text, pos, f, "the expected result");
    std::uint64_t expected_flags = 0;
    if (!next_hex(text, pos, expected_flags) || expected_flags > 0x1f)
      source.fail("expected flags (hex, at most 1f) in '" + std::string(text) + "'");

    const Rounded got = apply(info.op, f, operands, p, 0);
    const bool both_nan = unpack(f, expected).cls == ValueClass::Nan &&
                          unpack(f, got.bits).cls == ValueClass::Nan;
    if ((got.bits == expected || (both_nan && !o.check_nans)) && got.flags == expected_flags)
      return;
    ++mismatches;
    std::string operand_text;
    for (int i = 0; i < info.operands; ++i) operand_text += hex(operands[i]) + " ";
    out.write(fmt::format("line {}: {} {}-> expected {} {:02x}, got {} {:02x}\n", source.line,
                          info.name, operand_text, hex(expected), expected_flags, hex(got.bits),
                          got.flags));
  });
  out.write(fmt::format("{} lines, {} mismatched\n", source.line, mismatches));
  out.commit();
  return mismatches;
}

}  // namespace

void add_op_command(CLI::App& app, int& exit_code) {
  static OpOptions options;
  auto* cmd = app.add_subcommand(
      "op",
      "stream arithmetic: the operands of one operation per stdin line in hex (with a "
      "stochastic --round, a last field holds the random value R); one result per stdout line");
  cmd->add_option("op", options.op, "add sub mul div fma sqrt min max minnum maxnum")->required();
  cmd->add_option("--format", options.format, "the float format of operands and result")
      ->required();
  cmd->add_flag("--flags", options.with_flags, "append the exception flags as two hex digits");
  cmd->add_option("-o,--output", options.output,
                  "write to this file (appears only when complete) instead of stdout");
  options.policy.add_to(*cmd, true);
  cmd->callback([&exit_code] {
    run_op(options);
    exit_code = 0;
  });
}

void add_verify_testfloat_command(CLI::App& app, int& exit_code) {
  static VerifyOptions options;
  auto* cmd = app.add_subcommand(
      "verify-testfloat",
      "check Berkeley TestFloat vectors (testfloat_gen lines: operands, result, flags in hex) "
      "against the model; prints each mismatch, exit 1 if any");
  cmd->add_option("file", options.file, "testfloat_gen output")->required();
  cmd->add_option("--op", options.op, "add sub mul div fma sqrt min max minnum maxnum")
      ->required();
  cmd->add_option("--format", options.format, "the float format")->required();
  cmd->add_flag("--check-nans", options.check_nans,
                "NaN results must match bit for bit (default: any NaN matches any NaN)");
  options.policy.add_to(*cmd, true);
  cmd->get_option("--round")->required();
  cmd->callback([&exit_code] { exit_code = run_verify(options) == 0 ? 0 : 1; });
}

}  // namespace numconf::cli
