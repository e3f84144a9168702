// strata demo: generates the events data set and runs the seed article's Polars job
// (scan_csv -> cast timestamp, fill nulls -> filter -> group_by -> mean, std) on it.
// strata generate events: writes the data set.
#include <sys/stat.h>

#include <chrono>

#include "cli/commands.h"
#include "cli/output.h"
#include "strata/events.h"
#include "strata/frame.h"

namespace strata::cli {
namespace {

struct DemoArgs {
  int64_t rows = 1000000;
  std::string dir = "demo-data";
  bool dirty = true;
};

int RunDemo(const DemoArgs& args) {
  ::mkdir(args.dir.c_str(), 0755);
  std::string path =
      args.dir + "/events-" + std::to_string(args.rows) + (args.dirty ? "-dirty" : "") + ".csv";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    std::printf("Generating %lld events into %s ...\n", static_cast<long long>(args.rows),
                path.c_str());
    Status s = WriteEventsFile({args.rows, 42, args.dirty}, path);
    if (!s.ok()) return ReportError(s);
  } else {
    std::printf("Using %s\n", path.c_str());
  }
  std::printf(
      "\nThe seed's Polars job, in C++:\n"
      "  scan_csv(\"%s\")\n"
      "    .with_columns({col(\"timestamp\").cast(DataType::kDatetime), "
      "col(\"value\").fill_null(0)})\n"
      "    .filter(col(\"quality_score\") > 0.8)\n"
      "    .group_by({\"category\"})\n"
      "    .agg({col(\"value\").mean().alias(\"avg_value\"), "
      "col(\"value\").std().alias(\"std_value\")})\n\n",
      path.c_str());
  auto start = std::chrono::steady_clock::now();
  Frame job =
      scan_csv(path)
          .with_columns({col("timestamp").cast(DataType::kDatetime), col("value").fill_null(0)})
          .filter(col("quality_score") > 0.8)
          .group_by({"category"})
          .agg({col("value").mean().alias("avg_value"), col("value").std().alias("std_value")})
          .sort({"category"});
  ProgressLine progress;
  auto result = job.collect(progress.Callback());
  progress.Done();
  if (!result.ok()) return ReportError(result.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s", result->ToString(10).c_str());
  std::printf("%zu groups from %lld rows in %.2f s\n", result->num_rows(),
              static_cast<long long>(args.rows), secs);
  return 0;
}

struct GenerateArgs {
  int64_t rows = 0;
  uint64_t seed = 42;
  bool dirty = false;
  std::string out;
};

int RunGenerate(const GenerateArgs& args) {
  if (args.out.empty()) {
    Status s = WriteEvents({args.rows, args.seed, args.dirty}, stdout);
    return s.ok() ? 0 : ReportError(s);
  }
  Status s = WriteEventsFile({args.rows, args.seed, args.dirty}, args.out);
  return s.ok() ? 0 : ReportError(s);
}

}  // namespace

void RegisterDemo(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Generate sample events and run the seed's processing job on them");
  cmd->add_option("--rows", args->rows, "Rows of events to generate")->capture_default_str();
  cmd->add_option("--dir", args->dir, "Where the generated CSV goes")->capture_default_str();
  cmd->callback([args, exit_code] { *exit_code = RunDemo(*args); });
}

void RegisterGenerate(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* gen = app.add_subcommand("generate", "Write sample data sets");
  gen->require_subcommand(1);
  CLI::App* cmd = gen->add_subcommand(
      "events", "The canonical events CSV (same bytes as shared/bench/gen_events.c)");
  cmd->add_option("rows", args->rows, "Number of rows")->required()->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_flag("--dirty", args->dirty, "Add nulls, out-of-range values and duplicate ids");
  cmd->add_option("--out,-o", args->out, "Output file (default: standard output)");
  cmd->callback([args, exit_code] { *exit_code = RunGenerate(*args); });
}

}  // namespace strata::cli
