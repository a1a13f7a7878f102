// The subcommands of numconf.  Each sets the exit code (0 ok, 1 mismatch found) and throws
// InputError for bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace numconf::cli {

void add_commands(CLI::App& app, int& exit_code);

// Registered by add_commands; each lives in its own source file.
void add_convert_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_op_command(CLI::App& app, int& exit_code);
void add_verify_testfloat_command(CLI::App& app, int& exit_code);
void add_gen_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_test_impl_command(CLI::App& app, int& exit_code);
void add_quantize_commands(CLI::App& app, int& exit_code);

}  // namespace numconf::cli
