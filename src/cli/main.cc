// strata: the command-line entry point. Parses arguments and dispatches; each
// subcommand lives in its own file.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/closest.h"
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
  // The first word that is not an option (or --lake's value) must name a command.
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--lake") {
      ++i;
      continue;
    }
    if (word.empty() || word[0] == '-') continue;
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), word) != names.end()) break;
    std::string hint;
    for (const std::string& near : strata::ClosestNames(word, names, 1)) {
      if (strata::EditDistance(word, near) <= std::max<size_t>(2, word.size() / 3))
        hint = " (did you mean '" + near + "'?)";
    }
    std::fprintf(stderr, "strata: error: unknown command '%s'%s; 'strata --help' lists them\n",
                 word.c_str(), hint.c_str());
    return 2;
  }
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
