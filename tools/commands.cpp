// numconf formats | decode | encode | table.
#include "commands.hpp"

#include <fmt/core.h>

#include <string>
#include <vector>

#include "formats/decode.hpp"
#include "formats/registry.hpp"
#include "output.hpp"
#include "policy_options.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

// A value for the format listing: exact decimal while short, else the exact hex-float.
std::string value_of(const Format& f, std::uint64_t code) {
  const Unpacked u = unpack(f, code << f.padding_bits);
  std::string decimal = exact_decimal(u);
  return decimal.size() <= 24 ? decimal : hex_float(u);
}

std::string json_string(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string_view encoding_name(NanEncoding e) {
  switch (e) {
    case NanEncoding::None: return "none";
    case NanEncoding::Ieee: return "ieee";
    case NanEncoding::MaxPattern: return "max";
    case NanEncoding::NegZero: return "negzero";
  }
  return "?";
}

std::string_view encoding_name(InfEncoding e) {
  switch (e) {
    case InfEncoding::None: return "none";
    case InfEncoding::Ieee: return "ieee";
    case InfEncoding::TopCode: return "top";
  }
  return "?";
}

// One row of `numconf formats`: name and parameters, as ordered key/value pairs.
std::vector<std::pair<std::string, std::string>> describe(const NamedFormat& named) {
  const Format& f = named.format;
  std::vector<std::pair<std::string, std::string>> row{
      {"name", std::string(named.name)},
      {"alias", std::string(named.alias)},
      {"bits", std::to_string(storage_bits(f))},
      {"signed", f.is_signed ? "yes" : "no"}};
  if (!is_float(f)) {
    const std::uint64_t max_code = low_mask(f.is_signed ? f.int_bits - 1 : f.int_bits);
    row.push_back({"kind", "int"});
    row.push_back({"min", exact_decimal(unpack(f, f.is_signed ? max_code + 1 : 0))});
    row.push_back({"max", exact_decimal(unpack(f, max_code))});
    return row;
  }
  const auto hex = [&](std::uint64_t code) { return code_hex(code << f.padding_bits, f); };
  row.push_back({"kind", "float"});
  row.push_back({"exponent_bits", std::to_string(f.exponent_bits)});
  row.push_back({"mantissa_bits", std::to_string(f.mantissa_bits)});
  row.push_back({"bias", std::to_string(f.bias)});
  row.push_back({"max_finite", value_of(f, max_finite_magnitude(f))});
  row.push_back({"max_finite_code", hex(max_finite_magnitude(f))});
  const std::uint64_t min_normal = f.has_subnormals ? std::uint64_t{1} << f.mantissa_bits : 0;
  row.push_back({"min_normal", value_of(f, min_normal)});
  const bool has_subnormal_values = f.has_subnormals && f.mantissa_bits > 0;
  row.push_back({"min_subnormal", has_subnormal_values ? value_of(f, 1) : "-"});
  row.push_back({"inf", std::string(encoding_name(f.inf))});
  row.push_back({"inf_codes", has_inf(f) ? hex(inf_magnitude(f)) +
                                               (f.is_signed ? " " + hex(sign_bit(f) | inf_magnitude(f)) : "")
                                         : "-"});
  row.push_back({"nan", std::string(encoding_name(f.nan))});
  row.push_back({"nan_code", has_nan(f) ? hex(nan_code(f, false)) : "-"});
  row.push_back({"subnormals", f.has_subnormals ? "yes" : "no"});
  row.push_back({"negative_zero", has_neg_zero(f) ? "yes" : "no"});
  return row;
}

int run_formats(bool json) {
  Output out("");
  if (json) out.write("[\n");
  for (std::size_t i = 0; i < kBuiltinFormats.size(); ++i) {
    const auto row = describe(kBuiltinFormats[i]);
    if (json) {
      out.write("  {");
      for (std::size_t k = 0; k < row.size(); ++k)
        out.write(fmt::format("{}{}: {}", k ? ", " : "", json_string(row[k].first),
                              json_string(row[k].second)));
      out.write(i + 1 < kBuiltinFormats.size() ? "},\n" : "}\n");
    } else {
      std::string line;
      for (const auto& [key, value] : row)
        line += key == "name" ? fmt::format("{:<12}", value) : " " + key + "=" + value;
      out.write(line + "\n");
    }
  }
  if (json) out.write("]\n");
  out.write(
      "P3109: binary<K>p<P><s|u><e|f>, 3 <= K <= 16, 1 <= P < K (s) or <= K (u)\n"
      "custom: float:e=E,m=M,bias=B[,inf=ieee|top|none][,nan=ieee|max|negzero|none]"
      "[,signed=yes|no][,sub=yes|no][,pad=N]  int:bits=W[,signed=yes|no]\n");
  out.commit();
  return 0;
}

int run_decode(const std::string& format_name, const std::vector<std::string>& codes) {
  const Format f = format_from_name(format_name);
  Output out("");
  for (const auto& text : codes) {
    const std::uint64_t code = parse_code(text, f);
    const Unpacked u = unpack(f, code);
    out.write(fmt::format("{}  {:<9}  {}  {}\n", code_hex(code, f), class_name(u.cls),
                          exact_decimal(u), hex_float(u)));
  }
  out.commit();
  return 0;
}

int run_encode(const std::string& format_name, const std::vector<std::string>& values,
               const PolicyOptions& options, bool with_flags) {
  const Format f = format_from_name(format_name);
  const Policy p = options.to_policy(format_name);
  if (is_stochastic(p.rounding)) throw InputError("encode takes no random bits: use convert");
  Output out("");
  for (const auto& text : values) {
    const Rounded r = encode_text(text, f, p);
    out.write(code_hex(r.bits, f) + (with_flags ? fmt::format(" {:02x}", r.flags) : "") + "\n");
  }
  out.commit();
  return 0;
}

int run_table(const std::string& format_name, bool csv, bool json) {
  const Format f = format_from_name(format_name);
  if (storage_bits(f) - f.padding_bits > 16)
    throw InputError("table needs a format of at most 16 bits; " + format_name + " has " +
                     std::to_string(code_bits(f)));
  Output out("");
  const std::uint64_t count = std::uint64_t{1} << code_bits(f);
  if (csv) out.write("code,class,value,hex_float\n");
  if (json) out.write("[\n");
  for (std::uint64_t code = 0; code < count; ++code) {
    const std::uint64_t container = code << f.padding_bits;
    const Unpacked u = unpack(f, container);
    const std::string hex = code_hex(container, f);
    if (csv)
      out.write(fmt::format("{},{},{},{}\n", hex, class_name(u.cls), exact_decimal(u), hex_float(u)));
    else if (json)
      out.write(fmt::format("  {{\"code\": \"{}\", \"class\": \"{}\", \"value\": \"{}\", "
                            "\"hex_float\": \"{}\"}}{}\n",
                            hex, class_name(u.cls), exact_decimal(u), hex_float(u),
                            code + 1 < count ? "," : ""));
    else
      out.write(fmt::format("{}  {:<9}  {:<24}  {}\n", hex, class_name(u.cls), exact_decimal(u),
                            hex_float(u)));
  }
  if (json) out.write("]\n");
  out.commit();
  return 0;
}

}  // namespace

void add_commands(CLI::App& app, int& exit_code) {
  {
    auto* cmd = app.add_subcommand("formats", "list the built-in formats and their parameters");
    static bool json = false;
    cmd->add_flag("--json", json, "JSON output");
    cmd->callback([&exit_code] { exit_code = run_formats(json); });
  }
  {
    auto* cmd = app.add_subcommand("decode", "class and exact value of codes");
    static std::string format;
    static std::vector<std::string> codes;
    cmd->add_option("format", format, "format name or spec")->required();
    cmd->add_option("codes", codes, "hex codes")->required();
    cmd->callback([&exit_code] { exit_code = run_decode(format, codes); });
  }
  {
    auto* cmd = app.add_subcommand("encode", "round numbers into a format");
    static std::string format;
    static std::vector<std::string> values;
    static PolicyOptions options;
    static bool with_flags = false;
    cmd->add_option("format", format, "format name or spec")->required();
    cmd->add_option("values", values, "decimal, hex-float (0x1.8p3), inf, -inf, nan")
        ->required();
    cmd->add_flag("--flags", with_flags, "also print the exception flags");
    options.add_to(*cmd, true);
    cmd->callback([&exit_code] { exit_code = run_encode(format, values, options, with_flags); });
  }
  {
    auto* cmd = app.add_subcommand("table", "every code of a format of at most 16 bits");
    static std::string format;
    static bool csv = false, json = false;
    cmd->add_option("format", format, "format name or spec")->required();
    auto* csv_flag = cmd->add_flag("--csv", csv, "CSV output");
    cmd->add_flag("--json", json, "JSON output")->excludes(csv_flag);
    cmd->callback([&exit_code] { exit_code = run_table(format, csv, json); });
  }
  add_convert_command(app, exit_code);
  add_check_command(app, exit_code);
  add_op_command(app, exit_code);
  add_verify_testfloat_command(app, exit_code);
  add_gen_command(app, exit_code);
  add_verify_command(app, exit_code);
  add_test_impl_command(app, exit_code);
  add_quantize_commands(app, exit_code);
}

}  // namespace numconf::cli
