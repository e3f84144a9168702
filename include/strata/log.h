// Logging: where the library reports what it cannot return as a Status because the
// operation succeeded anyway (a checkpoint that failed after its commit landed, a catalog
// record that could not be written, compaction postponed by an error). The default logger
// writes warnings and errors to stderr as "strata: warning: [component] message"; a
// program installs its own (a structured log, a test recorder) with SetLogger.
//
// Thread-safety: Log and SetLogger may be called from several threads at once; a Logger
// must accept calls from several threads.
#pragma once

#include "strata/export.h"

#include <memory>
#include <string_view>

STRATA_API_BEGIN
namespace strata {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  // `component`: the subsystem that reports ("table", "stream", ...).
  virtual void Log(LogLevel level, std::string_view component, std::string_view message) = 0;
};

// A logger writing one line per message at `min_level` and above to stderr.
std::shared_ptr<Logger> NewStderrLogger(LogLevel min_level = LogLevel::kWarning);

// The process's logger (initially NewStderrLogger()); null silences the library.
std::shared_ptr<Logger> GetLogger();
void SetLogger(std::shared_ptr<Logger> logger);

// Logs to the process's logger.
void Log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace strata
STRATA_API_END
