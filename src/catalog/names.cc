// Status names as the catalog stores them and `strata runs` prints them, and run ids.
#include <array>
#include <chrono>
#include <ctime>
#include <utility>

#include "common/random.h"
#include "strata/catalog.h"

namespace strata::catalog {

namespace {
constexpr std::array<std::pair<RunStatus, std::string_view>, 4> kRunNames{{
    {RunStatus::kRunning, "running"},
    {RunStatus::kSucceeded, "succeeded"},
    {RunStatus::kFailed, "failed"},
    {RunStatus::kCancelled, "cancelled"},
}};
constexpr std::array<std::pair<StepStatus, std::string_view>, 6> kStepNames{{
    {StepStatus::kRunning, "running"},
    {StepStatus::kSucceeded, "succeeded"},
    {StepStatus::kSkipped, "skipped"},
    {StepStatus::kFailed, "failed"},
    {StepStatus::kCancelled, "cancelled"},
    {StepStatus::kNotRun, "not_run"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
Result<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text,
                  const char* what) {
  std::string known;
  for (const auto& [v, name] : names) {
    if (name == text) return v;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " status '" + std::string(text) +
                                 "' (known: " + known + ")");
}
}  // namespace

std::string_view ToString(RunStatus status) { return NameOf(kRunNames, status); }
std::string_view ToString(StepStatus status) { return NameOf(kStepNames, status); }
Result<RunStatus> ParseRunStatus(std::string_view text) { return ValueOf(kRunNames, text, "run"); }
Result<StepStatus> ParseStepStatus(std::string_view text) {
  return ValueOf(kStepNames, text, "step");
}

std::string NewRunId() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf) + "-" + RandomHex().substr(0, 6);
}

}  // namespace strata::catalog
