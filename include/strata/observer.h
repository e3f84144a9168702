// Observing what runs: a neutral record of each job run (a pipeline, one of its steps, a
// table write, a validation) and the data it read and wrote, handed to observers. The
// layers that do the work (pipeline, table commands, streams) emit these; the layers that
// watch (lineage turns them into OpenLineage events, metrics count them) implement
// RunObserver. So work never calls up into the watchers, and a test can plug in a
// recording observer.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

STRATA_API_BEGIN
namespace strata {

// One column a dataset has: its name and type (DuckDB's or Delta's spelling).
struct ObservedField {
  std::string name;
  std::string type;
};

// A quality assertion checked on a dataset (an expectation and its outcome).
struct ObservedAssertion {
  std::string assertion;  // expect_column_values_to_not_be_null
  std::string column;     // empty for table-level expectations
  bool success = false;
};

// A dataset a run read or wrote: a lake table (name, version) or a file (path).
struct ObservedDataset {
  std::string name_space;  // file://<absolute lake path> for tables; file://<host> for files
  std::string name;        // table name, or absolute file path
  std::string alias;     // the name the event's SQL uses for it; default: `name` after its last '/'
  int64_t version = -1;  // table version; -1 for files
  std::vector<ObservedField> schema;
  int64_t rows = -1, bytes = -1, files = -1;  // outputs, when known
  std::vector<ObservedAssertion> assertions;  // checked on this dataset by the run
};

enum class RunEventType { kStart, kComplete, kFail, kAbort };

struct RunEvent {
  RunEventType type = RunEventType::kStart;
  int64_t time_ms = 0;
  std::string run_id;
  std::string job_namespace;  // the lake's namespace
  std::string job_name;       // pipeline name, "pipeline.step", "table_write.<table>"
  std::string job_type;       // JOB (a pipeline), TASK (a step), or QUERY
  bool streaming = false;     // a long-running stream (OpenLineage's processingType STREAMING)
  std::string parent_run_id;  // a step's pipeline run
  std::string parent_job_name;
  std::string sql;  // the step's SQL, when it has one
  // The outputs' columns are the same-named columns of the single input (a read, a gate,
  // a write), so column lineage is the identity.
  bool identity_columns = false;
  std::string error;  // on kFail
  std::vector<ObservedDataset> inputs, outputs;
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Called in order for each run (START before COMPLETE or FAIL); possibly from several
  // threads for different runs. Must not throw; must not block for long.
  virtual void OnRunEvent(const RunEvent& event) = 0;
};

}  // namespace strata

STRATA_API_END
