// numconf convert: a streaming filter, one hex code per line in, one per line out.
#include <cstdio>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "formats/convert.hpp"
#include "output.hpp"
#include "policy_options.hpp"
#include "stream.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

struct ConvertOptions {
  std::string from, to, output;
  PolicyOptions policy;
  bool with_flags = false;
};

class Filter {
 public:
  Filter(const ConvertOptions& o)
      : from_(format_from_name(o.from)),
        to_(format_from_name(o.to)),
        policy_(o.policy.to_policy(o.to)),
        stochastic_(is_stochastic(policy_.rounding)),
        with_flags_(o.with_flags),
        digits_((storage_bits(to_) + 3) / 4),
        out_(o.output) {}

  void run(std::FILE* in) {
    for_each_line(in, [this](std::string_view text) { line(text); });
    out_.commit();
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError("stdin line " + std::to_string(line_number_) + ": " + why);
  }

  void line(std::string_view text) {
    ++line_number_;
    std::size_t pos = 0;
    std::uint64_t code = 0, random = 0;
    if (!next_hex(text, pos, code)) fail("malformed hex code '" + std::string(text) + "'");
    if (!is_valid_code(from_, code))
      fail("code '" + std::string(text) + "' is not a code of the source format");
    if (stochastic_) {
      if (!next_hex(text, pos, random)) fail("expected a hex random value after the code");
      if (random >> policy_.random_bits)
        fail("random value wider than --rbits " + std::to_string(policy_.random_bits));
    }
    if (!at_end(text, pos)) fail("unexpected text after the code");

    const Rounded r = convert(from_, to_, code, policy_, random);
    std::string& buffer = out_.buffer();
    append_hex(buffer, r.bits, digits_);
    if (with_flags_) {
      buffer += ' ';
      append_hex(buffer, r.flags, 2);
    }
    buffer += '\n';
    out_.maybe_flush();
  }

  Format from_, to_;
  Policy policy_;
  bool stochastic_, with_flags_;
  int digits_;
  Output out_;
  long long line_number_ = 0;
};

}  // namespace

void add_convert_command(CLI::App& app, int& exit_code) {
  static ConvertOptions options;
  auto* cmd = app.add_subcommand(
      "convert",
      "stream conversion: one hex code per stdin line (with a stochastic --round, a second hex "
      "field holds the random value R); one result per stdout line");
  cmd->add_option("--from", options.from, "source format")->required();
  cmd->add_option("--to", options.to, "target format")->required();
  cmd->add_flag("--flags", options.with_flags, "append the exception flags as two hex digits");
  cmd->add_option("-o,--output", options.output,
                  "write to this file (appears only when complete) instead of stdout");
  options.policy.add_to(*cmd, true);
  cmd->callback([&exit_code] {
    Filter(options).run(stdin);
    exit_code = 0;
  });
}

}  // namespace numconf::cli
