// Printing for the CLI: query results as a table, CSV or JSON, the progress line, and
// one-line errors.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "strata/engine.h"
#include "strata/status.h"

namespace strata::cli {

enum class OutputFormat { kTable, kCsv, kJson };

// Prints "strata: error: <message>" on one line to stderr and returns `exit_code`.
int ReportError(const Status& status, int exit_code = 1);

// `status`, naming the input file `path` when its message does not already.
Status NamingInput(const Status& status, const std::string& path);

// Streams `result` to `out`. Table output shows at most `max_rows` rows.
Status PrintResult(engine::QueryResult* result, OutputFormat format, size_t max_rows,
                   std::FILE* out);

// Shows DuckDB's progress on stderr once a query has run for a second, when stderr is a
// terminal; erases the line when destroyed.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();
  void Update(const engine::Progress& p);
  // Erases the line, if shown; later updates are ignored. Call before printing results.
  void Done();
  engine::ProgressCallback Callback() {
    return [this](const engine::Progress& p) { Update(p); };
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace strata::cli
