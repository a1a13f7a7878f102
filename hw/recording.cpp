#include "hw/recording.hpp"

#include <cctype>
#include <cstdio>

#include "formats/registry.hpp"

namespace numconf::hw {

namespace {

// The spellings of vectors/README.md; `numconf verify` reading a recording back is what keeps
// them in step with tools/ (hw_test Recording.*, cuda_backend_test CudaRecording.*).
const char* op_name(OpKind kind) {
  constexpr const char* kNames[] = {"convert", "add", "sub", "mul", "div", "fma", "sqrt", nullptr};
  return kNames[int(kind)];
}
const char* rounding_name(Rounding r) {
  constexpr const char* kNames[] = {"rn", "rna", "rz", "rp", "rm", "ro", "sra", "srb", "src"};
  return kNames[int(r)];
}
const char* overflow_name(Overflow o) {
  constexpr const char* kNames[] = {"none", "finite", "propagate"};
  return kNames[int(o)];
}
const char* overflow_rule_name(OverflowRule r) {
  constexpr const char* kNames[] = {"ieee", "p3109", "p3109-v3"};
  return kNames[int(r)];
}
const char* profile_name(Profile p) {
  constexpr const char* kNames[] = {"model", "cuda", "x86"};
  return kNames[int(p)];
}
const char* yes_no(bool b) { return b ? "yes" : "no"; }

std::string hex(std::uint64_t code, const Format& f) {
  char text[24];
  std::snprintf(text, sizeof text, "%0*llx", (storage_bits(f) + 3) / 4,
                static_cast<unsigned long long>(code));
  return text;
}

}  // namespace

std::string unrecordable_reason(const Operation& op) {
  if (op_name(op.kind) == nullptr) return "vector files have no reciprocal operation";
  if (op.reports_flags) return "it raises flags, and recordings have no flags column";
  if (is_stochastic(op.policy.rounding)) return "recordings carry no random values";
  return {};
}

std::string format_name(const Format& f) {
  for (const auto& named : kBuiltinFormats)
    if (named.format == f) return std::string(named.name);
  if (!is_float(f))
    return "int:bits=" + std::to_string(f.int_bits) + ",signed=" + yes_no(f.is_signed);
  constexpr const char* kInf[] = {"none", "ieee", "top"};
  constexpr const char* kNan[] = {"none", "ieee", "max", "negzero"};
  return "float:e=" + std::to_string(f.exponent_bits) + ",m=" + std::to_string(f.mantissa_bits) +
         ",bias=" + std::to_string(f.bias) + ",inf=" + kInf[int(f.inf)] +
         ",nan=" + kNan[int(f.nan)] + ",signed=" + yes_no(f.is_signed) +
         ",sub=" + yes_no(f.has_subnormals) + ",pad=" + std::to_string(f.padding_bits);
}

std::string file_slug(std::string_view name) {
  std::string out;
  for (const char ch : name) {
    const bool keep = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_';
    if (keep)
      out += char(std::tolower(static_cast<unsigned char>(ch)));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string recording_text(const Operation& op,
                           std::span<const std::vector<std::uint64_t>> operands,
                           std::span<const std::uint64_t> results, const Provenance& provenance) {
  const Policy& p = op.policy;
  std::string fields;
  for (std::size_t k = 0; k < operands.size(); ++k) (fields += char('a' + k)) += ' ';
  std::string text = "# numconf-vectors 1\n# generator " + provenance.recorder + "\n# op " +
                     op_name(op.kind) + "\n";
  if (op.kind == OpKind::Convert)
    text += "# from " + format_name(op.operand) + "\n# to " + format_name(op.result) + "\n";
  else
    text += "# format " + format_name(op.operand) + "\n";
  text += std::string("# round ") + rounding_name(p.rounding) + "\n# sat " +
          overflow_name(p.overflow) + "\n# overflow-rule " + overflow_rule_name(p.overflow_rule) +
          "\n# daz " + yes_no(p.flush_inputs) + "\n# ftz " + yes_no(p.flush_outputs) +
          "\n# tininess " + (p.tininess == Tininess::AfterRounding ? "after" : "before") +
          "\n# nan-to-nanless " + (p.nan_to_nanless == NanToNanless::Zero ? "zero" : "max") +
          "\n# rbits " + std::to_string(p.random_bits) + "\n# coverage recorded\n# seed 0\n" +
          "# cases " + std::to_string(results.size()) + "\n# fields " + fields + "result\n";
  if (p.profile != Profile::Model)
    text += std::string("# profile ") + profile_name(p.profile) + "\n";
  text += "# instruction " + op.name + "\n";
  for (const auto& [key, value] : {std::pair{"device", &provenance.device},
                                   {"driver", &provenance.driver},
                                   {"cuda", &provenance.cuda},
                                   {"date", &provenance.date}})
    if (!value->empty()) text += std::string("# ") + key + " " + *value + "\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    for (const std::vector<std::uint64_t>& column : operands)
      (text += hex(column[i], op.operand)) += ' ';
    (text += hex(results[i], op.result)) += '\n';
  }
  return text;
}

}  // namespace numconf::hw
