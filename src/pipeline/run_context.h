// What the runner's files share while one run goes on: the run's DuckDB session and lake,
// the catalog, folders, and the handle that stops a running attempt.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "strata/catalog.h"
#include "strata/engine.h"
#include "strata/observer.h"
#include "strata/pipeline.h"
#include "strata/table.h"

namespace strata::pipeline {

struct RunContext {
  const PipelineSpec* spec = nullptr;
  const RunOptions* options = nullptr;
  std::string run_id;
  std::string idempotency_id;  // the run id writes are made exactly once under (resume keeps it)
  std::string lake_root;
  std::string spec_dir;  // the pipeline file's folder: suite files are found from it
  std::shared_ptr<Session> session;
  std::unique_ptr<Lake> lake;  // on `session`
  catalog::Catalog* catalog = nullptr;
  std::map<std::string, std::string> params;
  std::string cache_dir;  // LAKE/_strata/cache/<pipeline>/
  std::string tmp_dir;    // LAKE/_strata/tmp/<run id>/, removed at the end
  // --at: what each step of that run read.
  std::map<std::string, std::vector<catalog::DataRef>> pinned_inputs;
  // The table version each table-reading step resolved for its fingerprint, kept for the
  // step to scan (by step name), so the log is replayed once.
  std::mutex resolved_mu;
  std::map<std::string, std::pair<std::shared_ptr<Table>, std::shared_ptr<const Snapshot>>>
      resolved;
};

// Stops a running attempt from another thread: interrupts its DuckDB query, or kills its
// external command's process group.
class Interrupter {
 public:
  // Called with DuckDB's estimate of a running query's progress (0..100), about every
  // 100 ms.
  void SetProgress(std::function<void(double percent)> progress) {
    progress_ = std::move(progress);
  }
  const std::function<void(double percent)>& progress() const { return progress_; }
  void Attach(engine::Connection* connection);
  void AttachProcess(pid_t pid);
  void Detach();
  void Fire();
  bool fired() const { return fired_.load(); }
  void Reset() { fired_ = false; }

 private:
  std::mutex mu_;
  engine::Connection* connection_ = nullptr;
  pid_t pid_ = 0;
  std::atomic<bool> fired_{false};
  std::function<void(double percent)> progress_;
};

// One step's inputs as the step sees them.
struct StepInputs {
  std::vector<std::string> names;
  std::vector<Frame> frames;
};

// What one attempt of a step produced.
struct StepWork {
  std::optional<Frame> output;
  std::string output_ref;  // kept for reuse: "table:NAME@V", "parquet:PATH", or empty
  int64_t rows_out = -1;
  int64_t bytes_out = -1;
  std::vector<catalog::DataRef> outputs;
  std::string note;                           // a gate's summary
  std::vector<ObservedAssertion> assertions;  // a gate's expectations and outcomes
  std::string log;                            // an external command's output, its tail
};

// What an attempt leaves behind even when it fails: an external command's output (its
// tail), a gate's expectations and outcomes.
struct AttemptNotes {
  std::string log;
  std::vector<ObservedAssertion> assertions;
};

// The data a step reads from outside the pipeline (files with their hashes, table
// versions); part of its fingerprint.
Result<std::vector<catalog::DataRef>> StepSources(RunContext& ctx, const StepSpec& step);

// Runs one attempt of `step` (parameters already substituted). `gate_metadata` is what the
// gates upstream of a write step found, for the version's metadata.
Result<StepWork> ExecuteStep(RunContext& ctx, const StepSpec& step, const StepInputs& inputs,
                             const std::vector<catalog::DataRef>& sources,
                             const std::map<std::string, std::string>& gate_metadata,
                             const std::string& fingerprint, Interrupter* interrupter,
                             AttemptNotes* notes);

// An external command (exec step). `log` receives the tail of its output, also when it
// fails.
Result<StepWork> ExecuteCommand(RunContext& ctx, const StepSpec& step, const StepInputs& inputs,
                                const std::string& fingerprint, Interrupter* interrupter,
                                std::string* log);

// The output of an earlier step run (skipped or not selected now) as a Frame, or nullopt
// when what it recorded is gone (a removed cache file, a vacuumed table version). Read
// steps are not reused this way: reading their unchanged sources is defining a view.
Result<std::optional<Frame>> ReuseOutput(RunContext& ctx, const StepSpec& step,
                                         const catalog::StepRun& earlier, const StepInputs& inputs);

// Creates the view `name` over `select_sql` in the run's database and returns a Frame of it.
Result<Frame> PublishView(RunContext& ctx, const std::string& name, const std::string& select_sql);

// Keeps a sql, op or exec step's result as its materialization says (a cached Parquet
// file named by the fingerprint, or a view).
Result<StepWork> KeepOutput(RunContext& ctx, const StepSpec& step, const std::string& select_sql,
                            const std::string& fingerprint, Interrupter* interrupter);

// Writes `select_sql` to a Parquet file at `path` (whole or not at all) and returns its
// rows; interruptible.
Result<int64_t> WriteParquet(RunContext& ctx, const std::string& select_sql,
                             const std::string& path, Interrupter* interrupter);

// `sql` without trailing semicolons and blanks.
std::string TrimSql(std::string sql);

}  // namespace strata::pipeline
