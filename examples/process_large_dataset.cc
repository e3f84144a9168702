// The seed article's Polars job, in C++ with Strata:
//
//   df = pl.scan_csv(file_path)
//   processed = (df.with_columns([pl.col("timestamp").cast(pl.Datetime),
//                                 pl.col("value").fill_null(0)])
//                  .filter(pl.col("quality_score") > 0.8)
//                  .group_by("category")
//                  .agg([pl.col("value").mean().alias("avg_value"),
//                        pl.col("value").std().alias("std_value")]))
//   return processed.collect()
//
// Usage: process_large_dataset [EVENTS.csv] [--csv-out FILE]
// Without a file it generates 100,000 events first. --csv-out writes the result sorted
// by category (used by the cross-check against Polars and DuckDB).
#include <cstdio>
#include <cstring>
#include <string>

#include "strata/events.h"
#include "strata/frame.h"

using strata::col;
using strata::DataType;

// Lazy: nothing is read until collect() or a sink, and the whole chain runs as one query.
strata::Frame ProcessLargeDataset(const std::string& file_path) {
  return strata::scan_csv(file_path)
      .with_columns({col("timestamp").cast(DataType::kDatetime), col("value").fill_null(0)})
      .filter(col("quality_score") > 0.8)
      .group_by({"category"})
      .agg({col("value").mean().alias("avg_value"), col("value").std().alias("std_value")});
}

int main(int argc, char** argv) {
  std::string path, csv_out;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--csv-out") == 0 && i + 1 < argc) {
      csv_out = argv[++i];
    } else {
      path = argv[i];
    }
  }
  if (path.empty()) {
    path = "events-example.csv";
    strata::Status st = strata::WriteEventsFile({100000, 42, true}, path);
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  strata::Frame job = ProcessLargeDataset(path);
  auto result = job.collect();
  if (!result.ok()) {
    std::fprintf(stderr, "error: %s\n", result.status().ToString().c_str());
    return 1;
  }
  if (result->num_rows() == 0) {
    std::fprintf(stderr, "error: the job returned no groups\n");
    return 1;
  }
  std::printf("%s", result->ToString().c_str());
  if (!csv_out.empty()) {
    // The same job, sorted, streamed to CSV with full precision.
    strata::Status st = job.sort({"category"}).sink_csv(csv_out);
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
