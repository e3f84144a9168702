// Pipelines: file checks, runs, reuse by fingerprint, gates, exec steps, retries,
// selection, and the catalog's record of each run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "strata/catalog.h"
#include "strata/events.h"
#include "strata/pipeline.h"
#include "test_util.h"

namespace strata::pipeline {
namespace {

using catalog::RunStatus;
using catalog::StepStatus;
using strata::testing::TempDir;
using strata::testing::WriteText;

const StepOutcome& StepOf(const RunOutcome& o, const std::string& name) {
  for (const auto& s : o.steps) {
    if (s.name == name) return s;
  }
  static StepOutcome none;
  ADD_FAILURE() << "no step " << name;
  return none;
}

Status ParseError(const std::string& yaml) { return ParsePipelineYaml(yaml, "p.yaml").status(); }

TEST(PipelineSpec, ErrorsNameTheFileLineAndStep) {
  Status st = ParseError(
      "name: x\nsteps:\n  - name: a\n    read: f.csv\n  - name: b\n    inputs: [a]\n    sqll: "
      "SELECT 1\n");
  EXPECT_NE(st.message().find("p.yaml line 7, column 5"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("step 'b'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("did you mean 'sql'"), std::string::npos) << st.message();

  st = ParseError(
      "name: x\nsteps:\n  - name: a\n    inputs: [b]\n    sql: SELECT 1\n  - name: b\n    inputs: "
      "[a]\n    sql: SELECT 2\n");
  EXPECT_NE(st.message().find("cycle"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("a -> b -> a"), std::string::npos) << st.message();

  st = ParseError(
      "name: x\nsteps:\n  - name: a\n    read: f.csv\n  - name: b\n    inputs: [aa]\n    sql: "
      "SELECT 1\n");
  EXPECT_NE(st.message().find("reads 'aa', which is not a step (did you mean 'a'?)"),
            std::string::npos)
      << st.message();

  st = ParseError("name: x\nsteps:\n  - name: a\n    read: f.csv\n  - name: a\n    read: g.csv\n");
  EXPECT_NE(st.message().find("defined twice"), std::string::npos) << st.message();

  st = ParseError("name: x\nsteps:\n  - name: a\n    reed: f.csv\n");
  EXPECT_NE(st.message().find("did you mean 'read'"), std::string::npos) << st.message();

  st = ParseError("name: x\nsteps:\n  - name: a\n    read: f.csv\n    sql: SELECT 1\n");
  EXPECT_NE(st.message().find("one step has one kind"), std::string::npos) << st.message();

  st = ParseError("name: x\nsteps: [\n");
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("p.yaml line"), std::string::npos) << st.message();

  st = ParseError(
      "name: x\nsteps:\n  - name: g\n    inputs: [a]\n    validate: {policy: maybe, expectations: "
      "[]}\n  - name: a\n    read: f.csv\n");
  EXPECT_NE(st.message().find("'policy' is fail, warn or quarantine"), std::string::npos)
      << st.message();
}

class PipelineRun : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_ / "lake";
    ASSERT_OK(Lake::Init(lake_));
    events_ = dir_ / "events.csv";
    ASSERT_OK(WriteEventsFile({20000, 42, false}, events_));
  }

  // extract -> transform -> validate -> publish, as the seed's job.
  PipelineSpec Seed(GatePolicy policy = GatePolicy::kFail) {
    quality::Suite suite("features");
    suite.expect_column_values_to_not_be_null("feature_id");
    suite.expect_column_values_to_be_between("normalized_value", 0, 1);
    Pipeline p("seed");
    p.param("input", events_)
        .read("extract", "${input}")
        .sql("transform", {"extract"},
             "SELECT sample_id, feature_id, normalized_value, label AS target FROM extract")
        .validate("gate", "transform", suite, policy)
        .write("publish", "gate", "features");
    return p.spec();
  }

  int64_t LatestVersion(const std::string& table) {
    auto lake = Lake::Open(lake_);
    auto t = (*lake)->OpenTable(table);
    auto snap = (*t)->Latest();
    return snap.ok() ? (*snap)->version : -1;
  }

  TempDir dir_;
  std::string lake_, events_;
};

TEST_F(PipelineRun, SecondRunSkipsEverythingAndTouchStillSkips) {
  ASSERT_OK_AND_ASSIGN(auto first, pipeline::Run(lake_, Seed()));
  ASSERT_TRUE(first.succeeded()) << first.error;
  for (const auto& s : first.steps) EXPECT_EQ(s.status, StepStatus::kSucceeded) << s.name;
  EXPECT_EQ(StepOf(first, "publish").outputs.at(0).version, 0);
  EXPECT_EQ(StepOf(first, "publish").rows_out, 20000);

  ASSERT_OK_AND_ASSIGN(auto second, pipeline::Run(lake_, Seed()));
  ASSERT_TRUE(second.succeeded());
  for (const auto& s : second.steps) EXPECT_EQ(s.status, StepStatus::kSkipped) << s.name;
  EXPECT_EQ(LatestVersion("features"), 0);  // no new version

  // A new mtime with the same bytes: hashed again, found equal, still skipped.
  std::filesystem::last_write_time(
      events_, std::filesystem::last_write_time(events_) + std::chrono::seconds(5));
  ASSERT_OK_AND_ASSIGN(auto third, pipeline::Run(lake_, Seed()));
  for (const auto& s : third.steps) EXPECT_EQ(s.status, StepStatus::kSkipped) << s.name;

  // One byte changed (a digit of a value): everything downstream of the file runs again.
  std::string text = strata::testing::ReadText(events_);
  size_t at = text.rfind(',') - 1;
  text[at] = text[at] == '1' ? '0' : '1';
  WriteText(events_, text);
  ASSERT_OK_AND_ASSIGN(auto fourth, pipeline::Run(lake_, Seed()));
  ASSERT_TRUE(fourth.succeeded()) << fourth.error;
  for (const auto& s : fourth.steps) EXPECT_EQ(s.status, StepStatus::kSucceeded) << s.name;
  EXPECT_EQ(LatestVersion("features"), 1);

  // --force runs everything again.
  RunOptions force;
  force.force = true;
  ASSERT_OK_AND_ASSIGN(auto fifth, pipeline::Run(lake_, Seed(), force));
  for (const auto& s : fifth.steps) EXPECT_EQ(s.status, StepStatus::kSucceeded) << s.name;
}

TEST_F(PipelineRun, ChangingOneStepRerunsItAndWhatIsDownstreamOnly) {
  PipelineSpec spec = Seed();
  ASSERT_OK_AND_ASSIGN(auto first, pipeline::Run(lake_, spec));
  ASSERT_TRUE(first.succeeded());
  spec.steps[1].sql += " WHERE sample_id > 10";
  ASSERT_OK_AND_ASSIGN(auto second, pipeline::Run(lake_, spec));
  EXPECT_EQ(StepOf(second, "extract").status, StepStatus::kSkipped);
  EXPECT_EQ(StepOf(second, "transform").status, StepStatus::kSucceeded);
  EXPECT_EQ(StepOf(second, "gate").status, StepStatus::kSucceeded);
  EXPECT_EQ(StepOf(second, "publish").status, StepStatus::kSucceeded);
  EXPECT_EQ(StepOf(second, "publish").rows_out, 19990);
}

TEST_F(PipelineRun, FailGateLeavesTheTableUnchanged) {
  ASSERT_OK_AND_ASSIGN(auto first, pipeline::Run(lake_, Seed()));
  ASSERT_TRUE(first.succeeded());
  ASSERT_OK(WriteEventsFile({20000, 7, /*dirty=*/true}, events_));
  ASSERT_OK_AND_ASSIGN(auto bad, pipeline::Run(lake_, Seed()));
  EXPECT_EQ(bad.status, RunStatus::kFailed);
  EXPECT_EQ(StepOf(bad, "gate").status, StepStatus::kFailed);
  EXPECT_NE(StepOf(bad, "gate").error.find("expect_column_values_to_not_be_null(feature_id)"),
            std::string::npos)
      << StepOf(bad, "gate").error;
  EXPECT_EQ(StepOf(bad, "publish").status, StepStatus::kNotRun);
  EXPECT_EQ(LatestVersion("features"), 0);
  ASSERT_OK_AND_ASSIGN(auto cat, catalog::Catalog::OpenForLake(lake_));
  ASSERT_OK_AND_ASSIGN(auto rec, cat->GetRun(bad.run_id));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->status, RunStatus::kFailed);
}

TEST_F(PipelineRun, QuarantinePublishesExactlyThePassingRows) {
  ASSERT_OK(WriteEventsFile({20000, 7, /*dirty=*/true}, events_));
  ASSERT_OK_AND_ASSIGN(auto out, pipeline::Run(lake_, Seed(GatePolicy::kQuarantine)));
  ASSERT_TRUE(out.succeeded()) << out.error;
  // The same split computed independently with DuckDB.
  auto session = Session::Default();
  const std::string csv = "read_csv('" + events_ + "')";
  ASSERT_OK_AND_ASSIGN(
      auto bad, session
                    ->sql("SELECT count(*) AS n FROM " + csv +
                          " WHERE feature_id IS NULL OR normalized_value NOT BETWEEN 0 AND 1")
                    .collect());
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(lake_));
  ASSERT_OK_AND_ASSIGN(
      auto q,
      lake->BindTables("SELECT count(*) AS n, min(_strata_run_id) AS r FROM features_quarantine"));
  ASSERT_OK_AND_ASSIGN(auto qc, lake->session()->sql(q->sql()).collect());
  ASSERT_OK_AND_ASSIGN(auto p, lake->BindTables("SELECT count(*) AS n FROM features"));
  ASSERT_OK_AND_ASSIGN(auto pc, lake->session()->sql(p->sql()).collect());
  const int64_t n_bad = bad.column(0).GetInt64(0);
  EXPECT_GT(n_bad, 0);
  EXPECT_EQ(qc.column(0).GetInt64(0), n_bad);
  EXPECT_EQ(qc.column(1).GetString(0), out.run_id);
  EXPECT_EQ(pc.column(0).GetInt64(0), 20000 - n_bad);
  // Run again: skipped, nothing quarantined twice.
  ASSERT_OK_AND_ASSIGN(auto again, pipeline::Run(lake_, Seed(GatePolicy::kQuarantine)));
  ASSERT_OK_AND_ASSIGN(auto qc2, lake->session()->sql(q->sql()).collect());
  EXPECT_EQ(qc2.column(0).GetInt64(0), n_bad);
}

TEST_F(PipelineRun, ExecStepGetsParquetInputsAndReportsFailures) {
  Pipeline p("exec");
  p.read("extract", events_).exec("count", {"extract"}, {"true"});
  // The command: reads STRATA_INPUT_EXTRACT (a Parquet file), writes a CSV output.
  StepSpec& s = p.last();
  s.command = {"sh", "-c",
               "test -s \"$STRATA_INPUT_EXTRACT\" && printf 'n\\n42\\n' > \"$STRATA_OUTPUT\""};
  s.output = dir_ / "out.csv";
  p.sql("use", {"count"}, "SELECT n + 1 AS m FROM count");
  ASSERT_OK_AND_ASSIGN(auto ok, pipeline::Run(lake_, p.spec()));
  ASSERT_TRUE(ok.succeeded()) << ok.error;
  EXPECT_EQ(StepOf(ok, "use").rows_out, 1);

  Pipeline bad("exec_fails");
  bad.exec("boom", {}, {"echo first line; echo 'something broke' >&2; exit 3"});
  ASSERT_OK_AND_ASSIGN(auto failed, pipeline::Run(lake_, bad.spec()));
  EXPECT_EQ(failed.status, RunStatus::kFailed);
  const auto& err = StepOf(failed, "boom").error;
  EXPECT_NE(err.find("exited with code 3"), std::string::npos) << err;
  EXPECT_NE(err.find("something broke"), std::string::npos) << err;
  ASSERT_OK_AND_ASSIGN(auto cat, catalog::Catalog::OpenForLake(lake_));
  ASSERT_OK_AND_ASSIGN(auto rec, cat->GetRun(failed.run_id));
  EXPECT_NE(rec->steps.at(0).log.find("something broke"), std::string::npos);
}

TEST_F(PipelineRun, RetriesWithBackoffAndTimeouts) {
  const std::string counter = dir_ / "attempts";
  Pipeline p("retry");
  p.exec("flaky", {},
         {"n=$(cat " + counter + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + counter +
          "; test $n -ge 3"});
  p.last().retries = 3;
  p.last().retry_delay_seconds = 0.01;
  ASSERT_OK_AND_ASSIGN(auto out, pipeline::Run(lake_, p.spec()));
  ASSERT_TRUE(out.succeeded()) << out.error;
  EXPECT_EQ(StepOf(out, "flaky").attempts, 3);

  Pipeline slow("timeout");
  slow.exec("sleepy", {}, {"sleep 30"});
  slow.last().timeout_seconds = 0.3;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto timed, pipeline::Run(lake_, slow.spec()));
  EXPECT_EQ(timed.status, RunStatus::kFailed);
  EXPECT_NE(StepOf(timed, "sleepy").error.find("timed out"), std::string::npos)
      << StepOf(timed, "sleepy").error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(PipelineRun, SelectRunsASubgraphAndReusesWhatIsUpstream) {
  ASSERT_OK_AND_ASSIGN(auto first, pipeline::Run(lake_, Seed()));
  ASSERT_TRUE(first.succeeded());
  RunOptions only;
  only.select = {"gate+"};
  only.force = true;
  ASSERT_OK_AND_ASSIGN(auto sel, pipeline::Run(lake_, Seed(), only));
  ASSERT_TRUE(sel.succeeded()) << sel.error;
  EXPECT_EQ(StepOf(sel, "extract").status, StepStatus::kSkipped);    // reused, not selected
  EXPECT_EQ(StepOf(sel, "transform").status, StepStatus::kSkipped);  // reused, not selected
  EXPECT_EQ(StepOf(sel, "gate").status, StepStatus::kSucceeded);
  EXPECT_EQ(StepOf(sel, "publish").status, StepStatus::kSucceeded);

  RunOptions up;
  up.select = {"+transform"};
  ASSERT_OK_AND_ASSIGN(auto u, pipeline::Run(lake_, Seed(), up));
  EXPECT_EQ(StepOf(u, "gate").status, StepStatus::kNotRun);
  EXPECT_EQ(StepOf(u, "publish").status, StepStatus::kNotRun);

  RunOptions unknown;
  unknown.select = {"nope"};
  EXPECT_EQ(pipeline::Run(lake_, Seed(), unknown).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PipelineRun, UnknownParameterNamesTheKnownOnes) {
  RunOptions o;
  o.params["inptu"] = "x";
  Status st = pipeline::Run(lake_, Seed(), o).status();
  EXPECT_NE(st.message().find("unknown parameter 'inptu'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("input"), std::string::npos) << st.message();

  Pipeline p("bad_ref");
  p.read("r", "${nope}");
  st = pipeline::Run(lake_, p.spec()).status();
  EXPECT_NE(st.message().find("unknown parameter 'nope'"), std::string::npos) << st.message();
}

TEST_F(PipelineRun, SqlErrorNamesTheStepAndMissingFileThePath) {
  Pipeline p("errors");
  p.read("r", dir_ / "missing.csv").sql("s", {"r"}, "SELECT nope FROM r");
  ASSERT_OK_AND_ASSIGN(auto out, pipeline::Run(lake_, p.spec()));
  EXPECT_EQ(out.status, RunStatus::kFailed);
  EXPECT_NE(out.error.find("step 'r'"), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("missing.csv"), std::string::npos) << out.error;

  Pipeline q("errors2");
  q.read("r", events_).sql("s", {"r"}, "SELECT nope FROM r");
  ASSERT_OK_AND_ASSIGN(auto out2, pipeline::Run(lake_, q.spec()));
  EXPECT_NE(out2.error.find("step 's'"), std::string::npos) << out2.error;
  EXPECT_NE(out2.error.find("nope"), std::string::npos) << out2.error;
}

TEST_F(PipelineRun, SqlReadingAnUndeclaredFileIsRefused) {
  Pipeline p("undeclared");
  p.sql("sneaky", {}, "SELECT count(*) AS n FROM '" + events_ + "'");
  ASSERT_OK_AND_ASSIGN(auto out, pipeline::Run(lake_, p.spec()));
  EXPECT_EQ(out.status, RunStatus::kFailed);
  EXPECT_NE(out.error.find("declare the file as a read step"), std::string::npos) << out.error;
  // Declared, it reads.
  Pipeline q("declared");
  q.read("events", events_).sql("n", {"events"}, "SELECT count(*) AS n FROM events");
  ASSERT_OK_AND_ASSIGN(auto ok, pipeline::Run(lake_, q.spec()));
  EXPECT_TRUE(ok.succeeded()) << ok.error;
}

TEST_F(PipelineRun, IndependentStepsRunInParallelAndFailureStopsOnlyDownstream) {
  Pipeline p("parallel");
  p.exec("a", {}, {"sleep 0.5"}).exec("b", {}, {"sleep 0.5"}).exec("c", {}, {"exit 1"});
  p.sql("after_c", {"c"}, "SELECT 1");
  RunOptions o;
  o.jobs = 3;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto out, pipeline::Run(lake_, p.spec(), o));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.status, RunStatus::kFailed);
  EXPECT_EQ(StepOf(out, "a").status, StepStatus::kSucceeded);
  EXPECT_EQ(StepOf(out, "b").status, StepStatus::kSucceeded);
  EXPECT_EQ(StepOf(out, "after_c").status, StepStatus::kNotRun);
  // a and b overlapped: one sleep, not two (a loose bound; it only fails if they ran in turn
  // on an idle machine).
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST_F(PipelineRun, CancelStopsRunningStepsAndRecordsTheRunCancelled) {
  Pipeline p("cancel");
  p.exec("long", {}, {"sleep 30"}, dir_ / "never.csv").sql("after", {"long"}, "SELECT 1");
  std::atomic<bool> cancel{false};
  RunOptions o;
  o.cancel = &cancel;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  ASSERT_OK_AND_ASSIGN(auto out, pipeline::Run(lake_, p.spec(), o));
  stopper.join();
  EXPECT_EQ(out.status, RunStatus::kCancelled);
  EXPECT_EQ(StepOf(out, "long").status, StepStatus::kCancelled);
  EXPECT_EQ(StepOf(out, "after").status, StepStatus::kNotRun);
}

TEST(Catalog, MigratesAndListsRuns) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto cat, catalog::Catalog::OpenSqlite(dir / "c.db"));
  EXPECT_EQ(cat->schema_version(), 2);  // 1: runs; 2: stream batches
  catalog::RunRecord r;
  r.run_id = "r1";
  r.pipeline = "p";
  r.pipeline_file = "p.yaml";
  r.started_ms = 1000;
  ASSERT_OK(cat->CreateRun(r));
  catalog::StepRun s;
  s.run_id = "r1";
  s.step = "a";
  s.kind = "sql";
  s.status = StepStatus::kSucceeded;
  s.fingerprint = "f";
  s.inputs.push_back({catalog::DataRef::Kind::kTable, "t", 3, "", 10, 100});
  ASSERT_OK(cat->RecordStep(s));
  ASSERT_OK(cat->FinishRun("r1", RunStatus::kSucceeded, 2000, ""));
  // Reopening applies no migration twice.
  cat.reset();
  ASSERT_OK_AND_ASSIGN(auto again, catalog::Catalog::OpenSqlite(dir / "c.db"));
  ASSERT_OK_AND_ASSIGN(auto runs, again->ListRuns({}));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::kSucceeded);
  ASSERT_OK_AND_ASSIGN(auto reuse, again->FindReusable("p", "a", "f"));
  ASSERT_TRUE(reuse.has_value());
  EXPECT_EQ(reuse->inputs.at(0).version, 3);
  ASSERT_OK_AND_ASSIGN(auto none, again->FindReusable("p", "a", "g"));
  EXPECT_FALSE(none.has_value());
  // Many writers from threads at once: all recorded.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto own = catalog::Catalog::OpenSqlite(dir / "c.db");
      ASSERT_OK(own);
      for (int i = 0; i < 20; ++i) {
        catalog::RunRecord rr = r;
        rr.run_id = "t" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_OK((*own)->CreateRun(rr));
      }
    });
  }
  for (auto& t : threads) t.join();
  catalog::RunFilter all;
  all.limit = 1000;
  ASSERT_OK_AND_ASSIGN(auto many, again->ListRuns(all));
  EXPECT_EQ(many.size(), 161u);
}

}  // namespace
}  // namespace strata::pipeline
