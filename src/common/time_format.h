// Times as people and JSON read them: ISO 8601 in UTC.
#pragma once

#include <cstdint>
#include <string>

namespace strata {

// Milliseconds since the epoch, now (the wall clock: for records and event times).
int64_t NowMs();

// "2026-12-01T21:30:00.123Z" for milliseconds since the epoch; empty for 0.
std::string IsoTimeMs(int64_t epoch_ms);

}  // namespace strata
