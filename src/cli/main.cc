// strata: the command-line entry point. Parses arguments and dispatches; each
// subcommand lives in its own file.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "strata/version.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"Strata: a data foundation for AI teams, on embedded DuckDB.", "strata"};
  app.set_version_flag("--version", std::string("strata ") + strata::kVersion + " (DuckDB 1.4.4)");
  app.require_subcommand(1);
  // --lake may come after the subcommand too (`strata run p.yaml --lake DIR`).
  app.fallthrough();
  app.footer("Run 'strata COMMAND --help' for a command's options.");
  strata::cli::GlobalOptions global;
  if (const char* env = std::getenv("STRATA_LAKE"); env != nullptr && *env != '\0')
    global.lake = env;
  app.add_option("--lake", global.lake, "Lake folder (default: $STRATA_LAKE, else ./lake)");
  int exit_code = 0;
  strata::cli::RegisterInit(app, &global, &exit_code);
  strata::cli::RegisterTable(app, &global, &exit_code);
  strata::cli::RegisterQuery(app, &global, &exit_code);
  strata::cli::RegisterValidate(app, &global, &exit_code);
  strata::cli::RegisterRun(app, &global, &exit_code);
  strata::cli::RegisterTest(app, &exit_code);
  strata::cli::RegisterLineage(app, &global, &exit_code);
  strata::cli::RegisterStream(app, &global, &exit_code);
  strata::cli::RegisterDemo(app, &exit_code);
  strata::cli::RegisterGenerate(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "strata: error: %s\n", e.what());
    std::fprintf(stderr, "Run 'strata --help' for usage.\n");
    return 2;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // Every expected failure is a Status; reaching here is a bug, reported as one rather
    // than ending the process with a signal. Tests fail on this message.
    std::fprintf(stderr, "strata: internal error (a bug; please report it): %s\n", e.what());
    return 2;
  } catch (...) {
    std::fprintf(stderr, "strata: internal error (a bug; please report it)\n");
    return 2;
  }
}
