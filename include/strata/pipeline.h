// Pipelines: a DAG of named steps, run with a record of every run in the lake's catalog.
//
//   strata::pipeline::Pipeline p("feature_engineering");
//   p.read("extract", "events.csv")
//    .sql("transform_features", {"extract"}, "SELECT ... FROM extract")
//    .validate("validate_features", "transform_features", suite, GatePolicy::kFail)
//    .write("publish", "validate_features", "features");
//   auto outcome = strata::pipeline::Run("lake", p.spec());
//
// Steps mirror Dagster's ops: `read` (a file, glob or table version), `sql` (DuckDB SQL
// over upstream steps by name), `validate` (a quality gate), `write` (a table version),
// `exec` (an external command handed its inputs as Parquet files) and `op` (a C++
// function from input Frames to a Frame). A step whose fingerprint (its definition,
// parameters, the fingerprints of its inputs, and the content hash of each file or the
// version of each table it reads) matches an earlier successful run is skipped and its
// recorded output reused.
//
// Thread-safety: Run may be called from several threads and processes on one lake; two
// runs writing one table serialize through the table's commit protocol.
#pragma once

#include "strata/export.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/catalog.h"
#include "strata/frame.h"
#include "strata/observer.h"
#include "strata/quality.h"
#include "strata/status.h"
#include "strata/table.h"

STRATA_API_BEGIN
namespace strata::pipeline {

enum class StepKind { kRead, kSql, kValidate, kWrite, kExec, kOp };
std::string_view ToString(StepKind kind);

// What a failed quality gate does: fail the run (nothing downstream runs), warn (record
// and go on), or quarantine (passing rows go on, failing rows are appended to a table).
enum class GatePolicy { kFail, kWarn, kQuarantine };

// How a sql, exec or op step keeps its output: a Parquet file in the lake's step cache
// (reused by later runs whose fingerprint matches), or a view recomputed by each reader.
enum class Materialize { kParquet, kView };

// What an op step's function sees.
struct StepContext {
  std::string run_id;
  std::string step;
  std::map<std::string, std::string> params;
  Session* session = nullptr;  // the run's DuckDB session; inputs are Frames on it
};
using OpFunction =
    std::function<Result<Frame>(const StepContext& context, const std::vector<Frame>& inputs)>;

struct StepSpec {
  std::string name;
  StepKind kind = StepKind::kSql;
  std::vector<std::string> inputs;  // upstream step names
  // read: a file or glob (CSV, Parquet, JSON lines by extension), or a table reference
  // (`name`, `name@VERSION`, `name@'TIME'`). write: the target table.
  std::string path;
  std::string table;
  std::string delimiter;  // read, CSV: empty detects it
  // sql: a query over the inputs by name, and over `params` (one row, one column each).
  std::string sql;
  Materialize materialize = Materialize::kParquet;
  // validate: the suite (inline, or loaded from suite_file), the policy, and the table
  // that quarantined rows go to (default: the target of the write step downstream, with
  // "_quarantine" appended).
  std::optional<quality::Suite> suite;
  std::string suite_file;
  GatePolicy policy = GatePolicy::kFail;
  std::string quarantine_table;
  // write
  WriteMode mode = WriteMode::kAppend;
  std::vector<std::string> merge_keys;  // mode merge: rows with these keys are replaced
  std::vector<std::string> partition_by;
  std::map<std::string, std::string> metadata;
  // exec: argv (one element runs through /bin/sh -c), extra environment, the file the
  // command writes (read back as the step's output), and files whose content is part of
  // the fingerprint (the script, say).
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::string output;
  std::vector<std::string> deps;
  // op
  OpFunction op;
  std::string op_version;  // part of the fingerprint: change it when the function changes
  // Every step.
  int retries = 0;
  double retry_delay_seconds = 1.0;  // doubled after each failed attempt
  double timeout_seconds = 0;        // 0: none
  std::string where;                 // "file line L, column C" for errors
};

struct PipelineSpec {
  std::string name;
  std::string source = "<c++>";               // the file it was read from
  std::map<std::string, std::string> params;  // defaults
  std::vector<StepSpec> steps;
};

// Reads a pipeline file. ParseError / InvalidArgument naming the file, line, column and
// step: unknown keys and kinds (with the closest known name), duplicate steps, unknown
// inputs, cycles (naming the steps on it).
Result<PipelineSpec> LoadPipelineFile(const std::string& path);
Result<PipelineSpec> ParsePipelineYaml(const std::string& text, const std::string& source);
// The checks LoadPipelineFile makes, for pipelines built in C++.
Status CheckPipeline(const PipelineSpec& spec);

// Builds a PipelineSpec in C++, as Dagster's @op and @job do in Python.
class Pipeline {
 public:
  explicit Pipeline(std::string name);
  Pipeline& param(const std::string& name, const std::string& default_value);
  Pipeline& read(const std::string& name, const std::string& path);
  Pipeline& read_table(const std::string& name, const std::string& table_ref);
  Pipeline& sql(const std::string& name, std::vector<std::string> inputs, std::string query);
  Pipeline& op(const std::string& name, std::vector<std::string> inputs, OpFunction function,
               std::string version = "1");
  Pipeline& validate(const std::string& name, const std::string& input, quality::Suite suite,
                     GatePolicy policy = GatePolicy::kFail);
  Pipeline& write(const std::string& name, const std::string& input, const std::string& table,
                  WriteMode mode = WriteMode::kAppend);
  Pipeline& exec(const std::string& name, std::vector<std::string> inputs,
                 std::vector<std::string> command, std::string output = "");
  // Any step, fully specified.
  Pipeline& step(StepSpec spec);
  // The last step added, to set its options (retries, timeout, ...).
  StepSpec& last();
  const PipelineSpec& spec() const { return spec_; }

 private:
  PipelineSpec spec_;
};

// Progress as steps change state.
// A step started (status running, percent -1), made progress (running, percent 0..100 as
// DuckDB estimates it), is retrying (running, the failed attempt's error in message), or
// ended (rows: its output rows, when known).
struct StepEvent {
  std::string step;
  catalog::StepStatus status = catalog::StepStatus::kRunning;
  int attempt = 1;
  std::string message;  // the error, or why a step was skipped
  int64_t rows = -1;
  double percent = -1;
};

struct RunOptions {
  std::map<std::string, std::string> params;  // override the pipeline's defaults
  int jobs = 0;                               // steps at once; 0: the number of cores
  bool force = false;                         // run every step, reusing nothing
  // dbt/Dagster selection: `name`, `+name` (and everything upstream), `name+` (and
  // everything downstream). Empty: every step.
  std::vector<std::string> select;
  std::string resume;  // a run id: run again what did not succeed, with its parameters
  std::string at;      // a run id: read exactly the table versions and files it read
  std::function<void(const StepEvent&)> on_event;  // called from worker threads, serialized
  const std::atomic<bool>* cancel = nullptr;       // set to stop the run (SIGINT)
  // Called with each step's output when it succeeds or is reused, from worker threads; the
  // Frame is valid during the call. Pipeline tests check expectations here.
  std::function<void(const std::string& step, const Frame& output)> on_output;
  // Told of the run and of each step that runs (START, then COMPLETE, FAIL or ABORT) with
  // the datasets read and written; lineage::OpenLineageObserver writes OpenLineage events.
  std::vector<std::shared_ptr<RunObserver>> observers;
  engine::DatabaseOptions database;  // the run's DuckDB
};

struct StepOutcome {
  std::string name;
  std::string kind;
  catalog::StepStatus status = catalog::StepStatus::kNotRun;
  int64_t started_ms = 0, ended_ms = 0;
  int attempts = 0;
  int64_t rows_out = -1;
  std::string error;
  std::string note;  // why it was skipped, the gate's summary
  std::vector<catalog::DataRef> inputs, outputs;
};

struct RunOutcome {
  std::string run_id;
  std::string pipeline;
  catalog::RunStatus status = catalog::RunStatus::kRunning;
  int64_t started_ms = 0, ended_ms = 0;
  std::string error;
  std::vector<StepOutcome> steps;  // in the pipeline's order
  bool succeeded() const { return status == catalog::RunStatus::kSucceeded; }
  // {"run_id", "pipeline", "status", "started", "ended", "error", "steps": [{"name",
  // "kind", "status", "started", "ended", "attempts", "rows_out", "error", "inputs",
  // "outputs": [{"table", "version"} or {"file", "hash"}]}]}; times in ISO 8601.
  std::string ToJson() const;
};

// Runs `spec` on the lake at `lake_root`, recording it in the lake's catalog. An error
// means the run could not start (a bad pipeline, an unknown parameter, an unreadable
// catalog); a failed step or gate is an outcome with status failed.
Result<RunOutcome> Run(const std::string& lake_root, const PipelineSpec& spec,
                       const RunOptions& options = {});

// Pipeline tests (`strata test`): cases that run a pipeline in a temporary lake on fixture
// inputs for its read steps, and check expectations on step outputs (the format is in
// docs/pipelines.md).
struct TestCaseResult {
  std::string name;
  bool passed = false;
  std::vector<std::string> failures;  // what did not hold, one line each
  std::string run_status;
};
struct TestReport {
  std::string file;
  std::vector<TestCaseResult> cases;
  int passed = 0, failed = 0;
};
// Reads and runs the cases of a test file. An error means the file itself is bad (it
// names the file, line and column); failing cases are in the report.
Result<TestReport> RunPipelineTests(const std::string& test_file);

// A run as the catalog recorded it, as RunOutcome::ToJson writes it.
std::string RunRecordToJson(const catalog::RunRecord& run);

}  // namespace strata::pipeline

STRATA_API_END
