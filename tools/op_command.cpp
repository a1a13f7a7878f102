// numconf op: a streaming filter like convert, the operations of formats/arith.hpp on the
// command line.
#include <cstdio>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "output.hpp"
#include "policy_options.hpp"
#include "stream.hpp"
#include "text.hpp"
#include "vectors.hpp"

namespace numconf::cli {

namespace {

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
  VectorSpec spec;
  spec.op = o.op;
  spec.from = o.format;
  spec.policy = o.policy;
  if (op_from_name(o.op).op == Op::Convert) throw InputError("conversions: use numconf convert");
  const Job job = make_job(spec);
  const Format& f = job.operand;
  const bool stochastic = job.stochastic;
  const Policy& p = job.policy;
  const int digits = job.result_digits();
  Output out(o.output);
  LineSource source{"stdin"};
  for_each_line(stdin, [&](std::string_view text) {
    ++source.line;
    std::size_t pos = 0;
    Case c;
    for (int i = 0; i < job.info.operands; ++i)
      c.operands[std::size_t(i)] = source.next_code(text, pos, f, "an operand");
    std::uint64_t& random = c.random;
    if (stochastic) {
      if (!next_hex(text, pos, random))
        source.fail("expected a hex random value after the operands");
      if (random >> p.random_bits)
        source.fail("random value wider than --rbits " + std::to_string(p.random_bits));
    }
    if (!at_end(text, pos)) source.fail("unexpected text after the operands");

    const Rounded r = model_result(job, c);
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

}  // namespace numconf::cli
