// The policy options shared by every subcommand that rounds (--round, --sat, ...).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "formats/policy.hpp"

namespace numconf::cli {

struct PolicyOptions {
  std::string round = "rn";
  std::string sat = "none";
  std::string tininess = "after";
  std::string overflow_rule;  // empty: the target's default (P3109 names follow P3109)
  std::string nan_to_nanless = "zero";
  bool daz = false;
  bool ftz = false;
  int random_bits = 0;
  std::string profile = "model";  // vendor conventions: model, cuda, x86 (docs/profiles.md)

  // Registers the options on a subcommand; `with_flush` adds --daz/--ftz/--tininess.
  void add_to(CLI::App& command, bool with_flush);
  // Builds the policy, validating every name; `target_name` picks the default overflow rule.
  Policy to_policy(const std::string& target_name) const;
};

}  // namespace numconf::cli
