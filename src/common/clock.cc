// The system clock behind strata::Clock.
#include "strata/clock.h"

#include "common/time_format.h"

namespace strata {

namespace {
class SystemClock : public Clock {
 public:
  int64_t NowMs() const override { return ::strata::NowMs(); }
};
}  // namespace

std::shared_ptr<Clock> Clock::System() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace strata
