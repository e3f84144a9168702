// Compiled with only include/ on the path and no third-party include directory: it
// fails to build if a public header includes duckdb.h or another dependency's header.
// Every public header is here (CTest checks that none is missing), and each is used.
#include "strata/catalog.h"
#include "strata/clock.h"
#include "strata/dataframe.h"
#include "strata/engine.h"
#include "strata/events.h"
#include "strata/export.h"
#include "strata/filesystem.h"
#include "strata/frame.h"
#include "strata/lineage.h"
#include "strata/log.h"
#include "strata/metrics.h"
#include "strata/observer.h"
#include "strata/pipeline.h"
#include "strata/quality.h"
#include "strata/status.h"
#include "strata/stream.h"
#include "strata/table.h"
#include "strata/version.h"

int main() {
  strata::Frame f = strata::sql("SELECT 1 AS one");
  auto df = f.collect();
  if (!df.ok() || df->column(0).GetInt64(0) != 1) return 1;
  strata::quality::Suite suite("headers");
  suite.expect_column_values_to_not_be_null("one");
  auto result = strata::quality::Validate(f, suite);
  if (!result.ok() || !result->success) return 2;
  auto ref = strata::TableRef::Parse("events@3");
  if (!ref.ok() || *ref->version != 3) return 3;
  strata::pipeline::Pipeline p("headers");
  p.sql("one", {}, "SELECT 1 AS one");
  if (!strata::pipeline::CheckPipeline(p.spec()).ok()) return 5;
  if (strata::catalog::ToString(strata::catalog::RunStatus::kSucceeded) != "succeeded") return 6;
  if (strata::lineage::RunUuid("r").size() != 36) return 7;
  strata::ManualClock clock(5);
  clock.Advance(2);
  if (clock.NowMs() != 7 || strata::Clock::System()->NowMs() <= 0) return 8;
  strata::SetLogger(nullptr);
  strata::Log(strata::LogLevel::kError, "headers", "silenced");
  return std::string(strata::kVersion).empty() ? 4 : 0;
}
