// The canonical benchmark and demo data set ("events"), written deterministically.
// Byte for byte the output of the project's shared generator (shared/bench/gen_events.c):
// the same rows and seed give the same bytes on every machine.
//
// Columns: sample_id, feature_id, timestamp, category, value, quality_score,
// normalized_value, event_score, label. With `dirty`, about 0.1% of feature_id are empty,
// 0.1% of normalized_value fall outside [0, 1) and 0.01% of sample_id repeat.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include "strata/status.h"

STRATA_API_BEGIN
namespace strata {

struct EventsOptions {
  int64_t rows = 1000000;
  uint64_t seed = 42;
  bool dirty = false;
};

// Writes the CSV (with header) to `out`.
Status WriteEvents(const EventsOptions& options, std::FILE* out);
// Writes the CSV to `path` whole (a temporary file renamed into place).
Status WriteEventsFile(const EventsOptions& options, const std::string& path);

}  // namespace strata

STRATA_API_END
