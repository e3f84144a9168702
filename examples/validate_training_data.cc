// The seed article's data-quality check, in C++ with Strata:
//
//   dataset.expect_column_values_to_not_be_null("feature_id")
//   dataset.expect_column_values_to_be_between("normalized_value", 0, 1)
//   dataset.expect_column_values_to_be_unique("sample_id")
//   results = dataset.validate()
//   return results.success
//
// Usage: validate_training_data [EVENTS.csv] [--json]
// Without a file it generates 100,000 dirty events first (so the suite fails, with the
// counts of what is wrong). Exit code 0 when the data passes, 1 when it fails.
#include <cstdio>
#include <cstring>
#include <string>

#include "strata/events.h"
#include "strata/quality.h"

strata::Result<strata::quality::ValidationResult> ValidateTrainingData(const strata::Frame& df) {
  strata::quality::Suite suite("training_data");
  suite.expect_column_values_to_not_be_null("feature_id");
  suite.expect_column_values_to_be_between("normalized_value", 0, 1);
  suite.expect_column_values_to_be_unique("sample_id");
  // The whole suite is one scan over the data.
  return strata::quality::Validate(df, suite);
}

int main(int argc, char** argv) {
  std::string path;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0)
      json = true;
    else
      path = argv[i];
  }
  if (path.empty()) {
    path = "events-validate-example.csv";
    strata::Status st = strata::WriteEventsFile({100000, 42, /*dirty=*/true}, path);
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
  }
  auto results = ValidateTrainingData(strata::scan_csv(path));
  if (!results.ok()) {
    std::fprintf(stderr, "error: %s\n", results.status().ToString().c_str());
    return 2;
  }
  std::fputs(json ? results->ToJson().c_str() : results->ToText().c_str(), stdout);
  return results->success ? 0 : 1;
}
