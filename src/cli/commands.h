// The strata command line: one file per subcommand. Each Register* adds its
// subcommand to the app; the callback it installs sets the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "strata/frame.h"
#include "strata/lineage.h"
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
// strata table log | show | list | diff, in text or JSON (table_view_command.cc).
void RegisterTableViews(CLI::App* table, const GlobalOptions* global, int* exit_code);
// strata table update | merge (table_change_command.cc).
void RegisterTableChanges(CLI::App* table, const GlobalOptions* global, int* exit_code);
void RegisterValidate(CLI::App& app, const GlobalOptions* global, int* exit_code);
void RegisterRun(CLI::App& app, const GlobalOptions* global, int* exit_code);
void RegisterTest(CLI::App& app, int* exit_code);
void RegisterLineage(CLI::App& app, const GlobalOptions* global, int* exit_code);
void RegisterStream(CLI::App& app, const GlobalOptions* global, int* exit_code);

// A repeatable option that takes one value each time (`--meta a=1 --meta b=2`; with
// `delimiter(',')` also `--partition-by a,b`), never the words after it: CLI11's vector
// options are greedy, so `--partition-by p t` would swallow the table name t.
inline CLI::Option* OneValueEach(CLI::Option* option) {
  return option->expected(1)->allow_extra_args(false)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

// How a command reads CSV files: the same options for every command that reads one.
struct CsvArgs {
  std::string delimiter;  // empty: detected from the header line
  bool no_header = false;
  std::vector<std::string> nulls;
  std::string date_format, timestamp_format;
  CsvOptions ToOptions() const;
};
// Adds --delimiter, --no-header, --null, --date-format, --timestamp-format to `cmd`.
void AddCsvOptions(CLI::App* cmd, CsvArgs* args);

// The lineage observer every command that writes uses: events into the lake's lineage
// folder and, when `url` (else $OPENLINEAGE_URL) names a collector, to it too, with
// $OPENLINEAGE_API_KEY as its key. A malformed URL is an error before anything runs.
Result<std::shared_ptr<lineage::OpenLineageObserver>> OpenLineageFor(const GlobalOptions& g,
                                                                     const std::string& url);
// After the work: waits (bounded) for the collector and warns of events it did not get.
void FinishLineage(const GlobalOptions& g, lineage::OpenLineageObserver* observer);

}  // namespace strata::cli
