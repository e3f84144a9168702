// The runner's own cost per step: pipelines of N trivial steps (`SELECT 1`-sized SQL),
// each reading the step before it or a step half its index (a tree, so there is
// parallelism), run in-process with --force so every step executes. Two materializations:
// view (no data written: the runner's and DuckDB's bind cost only) and parquet (the
// default: each step's output kept in the step cache). Also a second, all-skipped run.
// Prints steps per second and milliseconds per step, the median of ROUNDS rounds.
// With `lineage`, an OpenLineage observer records every step's events (and computes each
// SQL step's column lineage), so its cost per step shows against the same run without.
//   pipeline_overhead [STEPS=1000] [ROUNDS=3] [lineage]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "strata/lineage.h"
#include "strata/pipeline.h"

namespace pl = strata::pipeline;

pl::PipelineSpec Trivial(int steps, pl::Materialize m) {
  pl::Pipeline p("trivial_" + std::to_string(steps));
  p.sql("s0", {}, "SELECT 1 AS x");
  p.last().materialize = m;
  for (int i = 1; i < steps; ++i) {
    const std::string in = "s" + std::to_string(i % 2 == 0 ? i - 1 : i / 2);
    p.sql("s" + std::to_string(i), {in}, "SELECT x + 1 AS x FROM " + in);
    p.last().materialize = m;
  }
  return p.spec();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  const bool with_lineage = argc > 3 && std::string(argv[3]) == "lineage";
  const std::string lake =
      (std::filesystem::temp_directory_path() / "strata-pipeline-bench").string();
  std::printf("%d trivial steps, %d rounds, median%s\n", steps, rounds,
              with_lineage ? ", with OpenLineage events" : "");
  std::printf("  %-28s %10s %12s %12s\n", "run", "seconds", "steps/s", "ms/step");
  for (auto m : {pl::Materialize::kView, pl::Materialize::kParquet}) {
    const auto spec = Trivial(steps, m);
    std::vector<double> forced, skipped;
    for (int r = 0; r < rounds; ++r) {
      std::filesystem::remove_all(lake);
      if (!strata::Lake::Init(lake).ok()) return 2;
      pl::RunOptions force;
      force.force = true;
      if (with_lineage) {
        auto observer = strata::lineage::OpenLineageObserver::Open(lake, {});
        if (!observer.ok()) return 2;
        force.observers.push_back(*observer);
      }
      auto t0 = std::chrono::steady_clock::now();
      auto out = pl::Run(lake, spec, force);
      auto t1 = std::chrono::steady_clock::now();
      if (!out.ok() || !out->succeeded()) {
        std::fprintf(stderr, "run failed: %s\n",
                     out.ok() ? out->error.c_str() : out.status().ToString().c_str());
        return 1;
      }
      auto again = pl::Run(lake, spec);
      auto t2 = std::chrono::steady_clock::now();
      if (!again.ok() || !again->succeeded()) return 1;
      forced.push_back(std::chrono::duration<double>(t1 - t0).count());
      skipped.push_back(std::chrono::duration<double>(t2 - t1).count());
    }
    const char* name = m == pl::Materialize::kView ? "view" : "parquet";
    for (auto [what, v] :
         {std::pair{"run", Median(forced)}, std::pair{"all skipped", Median(skipped)}}) {
      std::printf("  %-28s %10.3f %12.0f %12.3f\n", (std::string(name) + ", " + what).c_str(), v,
                  steps / v, v * 1000 / steps);
    }
  }
  std::filesystem::remove_all(lake);
  return 0;
}
