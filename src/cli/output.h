// Printing for the CLI: query results as a table, CSV or JSON, the progress line, and
// one-line errors.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "strata/engine.h"
#include "strata/status.h"

namespace strata::cli {

enum class OutputFormat { kTable, kCsv, kJson };

// "2026-12-01T21:30:00Z" for milliseconds since the epoch.
std::string FormatTime(int64_t ms);
// "0.5" for hours as a person writes them.
std::string FormatHours(double hours);
// "1.5 MiB".
std::string HumanBytes(int64_t bytes);
class ProgressLine;
// The table `name` of the lake given by --lake; the lake is kept in `lake_out`. With
// `progress`, the lake's queries report to it (it must outlive the lake).
Result<std::unique_ptr<Table>> OpenTable(const GlobalOptions& g, const std::string& name,
                                         std::unique_ptr<Lake>* lake_out,
                                         ProgressLine* progress = nullptr);

// Prints "strata: error: <message>" on one line to stderr and returns `exit_code`. The
// rule for every command (docs/guide.md): 0 done and every check passed; 1 done, and a
// check the command was asked to make failed (validation, a pipeline, a quality gate,
// table check); 2 the command could not do its job (usage, input, SQL, I/O errors).
int ReportError(const Status& status, int exit_code = 2);

// KEY=VALUE words into `out`; InvalidArgument naming `what` and the word without a key.
Status ParseKeyValues(const std::vector<std::string>& words, const std::string& what,
                      std::map<std::string, std::string>* out);

// `status`, naming the input file `path` when its message does not already.
Status NamingInput(const Status& status, const std::string& path);

// `sql` with its list, struct and map columns turned into JSON text by DuckDB (to_json),
// so that --format json writes them as JSON values, not as DuckDB's text; their names go
// into `json_columns`.
std::string JsonSafeSql(const std::string& sql, const std::vector<engine::ColumnSchema>& columns,
                        std::set<std::string>* json_columns);

// Streams `result` to `out`. Table output shows at most `max_rows` rows; its shape line
// counts them all. JSON output writes non-finite doubles as null and the columns named in
// `json_columns` (JSON text) as JSON values.
Status PrintResult(engine::QueryResult* result, OutputFormat format, size_t max_rows,
                   std::FILE* out, const std::set<std::string>& json_columns = {});

// Shows DuckDB's progress on stderr once a command has run for a second, when stderr is
// a terminal: "LABEL [ 42.0%] 1.2 GiB read, 310.5 MiB written 3.4s". The bytes are what
// the process has read and written since the line began (/proc/self/io), shown because
// DuckDB's percentage is only an estimate (a join's stays low until its probe side runs)
// and its row counts are in units that differ by scan (CSV: buffers). Erases the line
// when destroyed. Updates may come from another thread (a database's progress watch).
class ProgressLine {
 public:
  explicit ProgressLine(std::string label = "");
  ~ProgressLine();
  void Update(const engine::Progress& p);
  // Erases the line, if shown; later updates are ignored. Call before printing results.
  void Done();
  // A callback to this line, or none when stderr is not a terminal (so that nothing
  // watches the queries).
  engine::ProgressCallback Callback() {
    if (!enabled_) return nullptr;
    return [this](const engine::Progress& p) { Update(p); };
  }

 private:
  std::mutex mu_;
  std::string label_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::milliseconds delay_;
  std::chrono::steady_clock::time_point start_;
  std::pair<int64_t, int64_t> io_start_;  // bytes read, written
};

}  // namespace strata::cli
