// numconf: the command-line face of the model.  Every subcommand parses its arguments, hands
// the work to the model, and maps bad input to one line on stderr and exit code 2.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "text.hpp"

int main(int argc, char** argv) {
  using namespace numconf::cli;
  CLI::App app{"numconf: bit-exact numeric formats, conversions and conformance checks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(NUMCONF_VERSION));
  int exit_code = 0;
  add_commands(app, exit_code);
  try {
    app.parse(argc, argv);  // runs the chosen subcommand's callback
    return exit_code;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::Success&) {
    return 0;  // --version
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "numconf: %s\n", e.what());
    return 2;
  } catch (const InputError& e) {
    std::fprintf(stderr, "numconf: %s\n", e.what());
    return 2;
  }
}
