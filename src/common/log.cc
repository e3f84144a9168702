// The process's logger behind strata/log.h, and the stderr logger.
#include "strata/log.h"

#include <cstdio>
#include <mutex>
#include <string>

namespace strata {

namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

class StderrLogger : public Logger {
 public:
  explicit StderrLogger(LogLevel min_level) : min_level_(min_level) {}
  void Log(LogLevel level, std::string_view component, std::string_view message) override {
    if (level < min_level_) return;
    // One write per line, so lines from several threads do not interleave.
    std::string line = std::string("strata: ") + LevelName(level) + ": [" + std::string(component) +
                       "] " + std::string(message) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  LogLevel min_level_;
};

struct Global {
  std::mutex mu;
  std::shared_ptr<Logger> logger = NewStderrLogger();
};

Global& TheGlobal() {
  static Global* global = new Global();  // never destroyed: usable during exit
  return *global;
}

}  // namespace

std::shared_ptr<Logger> NewStderrLogger(LogLevel min_level) {
  return std::make_shared<StderrLogger>(min_level);
}

std::shared_ptr<Logger> GetLogger() {
  Global& g = TheGlobal();
  std::lock_guard lock(g.mu);
  return g.logger;
}

void SetLogger(std::shared_ptr<Logger> logger) {
  Global& g = TheGlobal();
  std::lock_guard lock(g.mu);
  g.logger = std::move(logger);
}

void Log(LogLevel level, std::string_view component, std::string_view message) {
  if (auto logger = GetLogger()) logger->Log(level, component, message);
}

}  // namespace strata
