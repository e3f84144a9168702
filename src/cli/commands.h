// The strata command line: one file per subcommand. Each Register* adds its
// subcommand to the app; the callback it installs sets the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "strata/status.h"
#include "strata/table.h"

namespace strata::cli {

// Options every command sees.
struct GlobalOptions {
  std::string lake = "lake";  // --lake, else $STRATA_LAKE, else ./lake
};

void RegisterQuery(CLI::App& app, const GlobalOptions* global, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
void RegisterGenerate(CLI::App& app, int* exit_code);
void RegisterInit(CLI::App& app, const GlobalOptions* global, int* exit_code);
void RegisterTable(CLI::App& app, const GlobalOptions* global, int* exit_code);
void RegisterValidate(CLI::App& app, const GlobalOptions* global, int* exit_code);

// Makes the lake's tables queryable by name in `sql` on `session`: each table named in
// the query becomes a view, and `name@VERSION` or `name@'TIMESTAMP'` a view of that
// version. Returns the query with the time-travel references rewritten. A missing lake
// is not an error (the query may read only files).
Result<std::string> BindLakeTables(const std::string& lake_root,
                                   const std::shared_ptr<Session>& session, const std::string& sql);

}  // namespace strata::cli
