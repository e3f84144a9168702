// The seed article's Dagster job, in C++ with Strata:
//
//   @op def extract_data(context) -> pd.DataFrame: return pd.read_parquet("raw_data.parquet")
//   @op def transform_features(context, data): return process_features(data)
//   @op def validate_features(context, data): return validate_training_data(data)
//   @job def feature_engineering_pipeline():
//       validate_features(transform_features(extract_data()))
//
// Each op is a step; the job is a Pipeline; every run is recorded in the lake's catalog,
// and a second run with nothing changed skips every step.
//
// Usage: feature_engineering_pipeline [ROWS] [LAKE]
// Generates ROWS events (default 1,000,000) into events.csv, runs the pipeline twice on
// LAKE (default ./pipeline-lake), and checks that the second run reused everything.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "strata/events.h"
#include "strata/pipeline.h"

using strata::col;
using strata::DataType;
using strata::Frame;
namespace pipeline = strata::pipeline;

// process_features: the op's body, with Polars' verbs.
strata::Result<Frame> TransformFeatures(const pipeline::StepContext&,
                                        const std::vector<Frame>& in) {
  const Frame& data = in.front();
  return data.filter(col("quality_score") >= 0.2)
      .with_columns({
          col("timestamp").cast(DataType::kDatetime).alias("event_time"),
          col("timestamp").cast(DataType::kDatetime).dt().hour().alias("hour_of_day"),
          col("normalized_value").alias("feature_1"),
          ((col("value") - col("value").mean().over({"category"})) /
           col("value").std().over({"category"}))
              .alias("value_z"),
          col("label").alias("target"),
      })
      .select({"sample_id", "feature_id", "category", "event_time", "hour_of_day", "feature_1",
               "value_z", "normalized_value", "target"});
}

strata::quality::Suite FeatureSuite() {
  strata::quality::Suite suite("training_features");
  suite.expect_column_values_to_not_be_null("feature_id");
  suite.expect_column_values_to_be_between("normalized_value", 0, 1);
  suite.expect_column_values_to_be_unique("sample_id");
  suite.expect_column_values_to_be_between("target", 0, 1);
  return suite;
}

pipeline::Pipeline FeatureEngineeringPipeline(const std::string& input) {
  pipeline::Pipeline p("feature_engineering_cpp");
  p.read("extract_data", input)
      .op("transform_features", {"extract_data"}, TransformFeatures, "v1")
      .validate("validate_features", "transform_features", FeatureSuite())
      .write("publish_features", "validate_features", "features", strata::WriteMode::kOverwrite);
  return p;
}

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const std::string lake = argc > 2 ? argv[2] : "pipeline-lake";
  const std::string input = "events.csv";
  if (auto st = strata::WriteEventsFile({rows, 42, false}, input); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  std::filesystem::remove_all(lake);
  if (auto st = strata::Lake::Init(lake); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  const auto job = FeatureEngineeringPipeline(input);
  for (int round = 1; round <= 2; ++round) {
    auto outcome = pipeline::Run(lake, job.spec());
    if (!outcome.ok()) {
      std::fprintf(stderr, "error: %s\n", outcome.status().ToString().c_str());
      return 2;
    }
    std::printf("run %d: %s\n", round,
                std::string(strata::catalog::ToString(outcome->status)).c_str());
    for (const auto& s : outcome->steps) {
      std::printf("  %-20s %-9s %s\n", s.name.c_str(),
                  std::string(strata::catalog::ToString(s.status)).c_str(),
                  s.rows_out >= 0 ? (std::to_string(s.rows_out) + " rows").c_str() : "");
    }
    if (!outcome->succeeded()) {
      std::fprintf(stderr, "error: %s\n", outcome->error.c_str());
      return 1;
    }
    // The second run must find nothing changed.
    if (round == 2) {
      for (const auto& s : outcome->steps) {
        if (s.status != strata::catalog::StepStatus::kSkipped) {
          std::fprintf(stderr, "error: step %s ran again with nothing changed\n", s.name.c_str());
          return 1;
        }
      }
    }
  }
  return 0;
}
