// The seed article's dataset versioning, in C++ with Strata:
//
//   def version_dataset(data_path: str, metadata: dict):
//       dvc.api.add(data_path)
//       with open(f"{data_path}.meta", "w") as f:
//           json.dump({"version_date": datetime.now().isoformat(),
//                      "features": metadata["features"],
//                      "quality_metrics": metadata["metrics"]}, f)
//
// With Strata the data and its metadata are one atomic version of a Delta table: the
// metadata lives in the version's commit, any version can be read again, and Spark,
// DuckDB or delta-rs read the same folder.
//
// Usage: version_dataset [LAKE_DIR]   (default: ./example-lake)
#include <cstdio>
#include <map>
#include <string>

#include "strata/events.h"
#include "strata/quality.h"
#include "strata/table.h"

strata::Result<int64_t> VersionDataset(strata::Lake* lake, const std::string& table_name,
                                       const strata::Frame& data,
                                       const std::map<std::string, std::string>& metadata) {
  STRATA_ASSIGN_OR_RETURN(auto table, lake->OpenTable(table_name));
  strata::WriteOptions options;
  options.metadata = metadata;  // features, quality metrics; the commit carries the date
  return table->Write(data, options);
}

int main(int argc, char** argv) {
  std::string lake_dir = argc > 1 ? argv[1] : "example-lake";
  auto lake = strata::Lake::Open(lake_dir, /*create=*/true);
  if (!lake.ok()) {
    std::fprintf(stderr, "error: %s\n", lake.status().ToString().c_str());
    return 1;
  }
  strata::Status st = strata::WriteEventsFile({50000, 42, false}, lake_dir + "/events.csv");
  if (!st.ok()) return 1;
  strata::Frame data = (*lake)->session()->scan_csv({lake_dir + "/events.csv"});

  // Quality metrics of this data, measured in one scan.
  strata::quality::Suite suite("training_data");
  suite.expect_column_values_to_not_be_null("feature_id")
      .expect_column_values_to_be_between("normalized_value", 0, 1)
      .expect_column_values_to_be_unique("sample_id");
  auto checked = strata::quality::Validate(data, suite);
  if (!checked.ok()) return 1;

  auto version =
      VersionDataset(lake->get(), "training_events", data,
                     {{"features", "value,quality_score,normalized_value"},
                      {"quality.success", checked->success ? "true" : "false"},
                      {"quality.expectations_met", std::to_string(checked->successful) + "/" +
                                                       std::to_string(checked->evaluated)}});
  if (!version.ok()) {
    std::fprintf(stderr, "error: %s\n", version.status().ToString().c_str());
    return 1;
  }
  std::printf("wrote version %lld\n", static_cast<long long>(*version));

  // Every version keeps its metadata; any version can be read back.
  auto table = (*lake)->OpenTable("training_events");
  auto history = (*table)->History();
  if (!history.ok()) return 1;
  for (const auto& v : *history) {
    std::printf("version %lld  %s  +%lld rows ", static_cast<long long>(v.version),
                v.operation.c_str(), static_cast<long long>(v.rows_added));
    for (const auto& [k, val] : v.user_metadata) std::printf(" %s=%s", k.c_str(), val.c_str());
    std::printf("\n");
  }
  auto first = (*table)->AtVersion(0);
  if (!first.ok() || (*first)->num_records() != 50000) return 1;
  return history->back().user_metadata.count("features") == 1 ? 0 : 1;
}
