// Clocks: where Strata reads the wall-clock time it records (commit timestamps, vacuum's
// retention cutoff). The system clock by default; a ManualClock makes time-dependent
// behaviour (time travel by timestamp, retention) testable without sleeping.
//
// Thread-safety: both clocks may be read and (ManualClock) set from several threads.
#pragma once

#include "strata/export.h"

#include <atomic>
#include <cstdint>
#include <memory>

STRATA_API_BEGIN
namespace strata {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;

  // The process's wall clock (std::chrono::system_clock).
  static std::shared_ptr<Clock> System();
};

// A clock that shows what it is set to, and moves only when told.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  void Set(int64_t now_ms) { now_ms_.store(now_ms); }
  void Advance(int64_t ms) { now_ms_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace strata
STRATA_API_END
