// The strata command line: one file per subcommand. Each Register* adds its
// subcommand to the app; the callback it installs sets the process exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace strata::cli {

void RegisterQuery(CLI::App& app, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
void RegisterGenerate(CLI::App& app, int* exit_code);

}  // namespace strata::cli
