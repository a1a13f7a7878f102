#include "policy_options.hpp"

#include "text.hpp"

namespace numconf::cli {

void PolicyOptions::add_to(CLI::App& command, bool with_flush) {
  command.add_option("--round", round, "rounding: rn rna rz rp rm ro sra srb src")
      ->capture_default_str();
  command.add_option("--sat", sat, "overflow: none finite propagate")->capture_default_str();
  command.add_option("--overflow-rule", overflow_rule,
                     "rule of --sat none: ieee, p3109 (P3109/D1 SatNone), p3109-v3 (OvfInf); "
                     "default p3109 for binaryKpP targets, else ieee");
  command.add_option("--nan-to-nanless", nan_to_nanless,
                     "NaN into a format without NaN: zero or max")
      ->capture_default_str();
  command.add_option("--rbits", random_bits, "N, the random bits of stochastic rounding (0..32)")
      ->capture_default_str();
  command.add_option("--profile", profile,
                     "vendor conventions for NaN results and the like: model, cuda (NVIDIA), "
                     "x86 (Intel/AMD); see docs/profiles.md")
      ->capture_default_str();
  if (!with_flush) return;
  command.add_flag("--daz", daz, "read subnormal inputs as zero");
  command.add_flag("--ftz", ftz, "flush tiny results to zero");
  command.add_option("--tininess", tininess, "underflow detection: before or after rounding")
      ->capture_default_str();
}

Policy PolicyOptions::to_policy(const std::string& target_name) const {
  Policy p;
  p.rounding = rounding_from_name(round);
  p.overflow = overflow_from_name(sat);
  p.overflow_rule = overflow_rule.empty() ? default_overflow_rule(target_name)
                                          : overflow_rule_from_name(overflow_rule);
  if (tininess == "after") p.tininess = Tininess::AfterRounding;
  else if (tininess == "before") p.tininess = Tininess::BeforeRounding;
  else throw InputError("unknown tininess '" + tininess + "' (before or after)");
  if (nan_to_nanless == "zero") p.nan_to_nanless = NanToNanless::Zero;
  else if (nan_to_nanless == "max") p.nan_to_nanless = NanToNanless::MaxFinite;
  else throw InputError("unknown --nan-to-nanless '" + nan_to_nanless + "' (zero or max)");
  if (random_bits < 0 || random_bits > 32)
    throw InputError("--rbits must be 0..32, got " + std::to_string(random_bits));
  p.random_bits = random_bits;
  if (profile == "model") p.profile = Profile::Model;
  else if (profile == "cuda") p.profile = Profile::Cuda;
  else if (profile == "x86") p.profile = Profile::X86;
  else throw InputError("unknown --profile '" + profile + "' (model, cuda or x86)");
  p.flush_inputs = daz;
  p.flush_outputs = ftz;
  return p;
}

}  // namespace numconf::cli
