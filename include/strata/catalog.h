// The catalog: a lake's metadata store. It records pipeline runs, their step runs, and
// the exact data each step read and wrote (table versions, file hashes), and caches file
// content hashes by path, size and mtime.
//
// The default implementation is SQLite in WAL mode at LAKE/_strata/catalog.db. Callers see
// only this interface, so a PostgreSQL implementation can take its place for lakes shared
// by several machines; the SQL behind it is written to run on both.
//
// Thread-safety: a Catalog may be used from several threads at once; several processes
// may open one catalog (writers wait for each other, they never fail with "locked").
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/status.h"

STRATA_API_BEGIN
namespace strata::catalog {

// running: started and not finished (a killed process leaves its run here).
enum class RunStatus { kRunning, kSucceeded, kFailed, kCancelled };
// not_run: never started because the run stopped first, or not selected.
enum class StepStatus { kRunning, kSucceeded, kSkipped, kFailed, kCancelled, kNotRun };

std::string_view ToString(RunStatus status);
std::string_view ToString(StepStatus status);
Result<RunStatus> ParseRunStatus(std::string_view text);
Result<StepStatus> ParseStepStatus(std::string_view text);

// Data a step read or wrote: a table version or a file with its content hash.
struct DataRef {
  enum class Kind { kTable, kFile };
  Kind kind = Kind::kTable;
  std::string name;      // table name, or file path
  int64_t version = -1;  // table version; -1 for files
  std::string hash;      // file content hash (xxh3-128, hex); empty for tables
  int64_t rows = -1;     // when known
  int64_t bytes = -1;    // when known
};

struct StepRun {
  std::string run_id;
  std::string step;
  std::string kind;  // read, sql, validate, write, exec, op
  StepStatus status = StepStatus::kRunning;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  int attempts = 0;
  int64_t rows_out = -1;  // when known
  int64_t bytes_out = -1;
  std::string error;
  std::string fingerprint;
  // Where the step's output is kept for reuse by later runs: "table:NAME@VERSION",
  // "parquet:PATH", or empty when it is not kept.
  std::string output;
  std::string log;  // the tail of an external command's stdout and stderr
  std::vector<DataRef> inputs;
  std::vector<DataRef> outputs;
};

struct RunRecord {
  std::string run_id;
  std::string pipeline;
  std::string pipeline_file;
  RunStatus status = RunStatus::kRunning;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string params_json = "{}";  // parameters as given (never environment values)
  std::string host;
  int64_t pid = 0;
  std::string error;
  // The original run this one completes (`strata run --resume`): the first of a chain of
  // resumptions, so writes stay exactly once across all of them. Empty if none.
  std::string resumed_from;
  std::vector<StepRun> steps;  // filled by GetRun, not by ListRuns
};

struct RunFilter {
  std::string pipeline;  // empty: all
  std::optional<RunStatus> status;
  int limit = 20;
};

// The last batch a stream committed from one Kafka partition.
struct StreamBatch {
  std::string stream;
  std::string topic;
  int32_t partition = 0;
  int64_t first_offset = -1, last_offset = -1;
  int64_t messages = 0;
  int64_t table_version = -1;
  int64_t committed_ms = 0;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Opens (creating it if missing) the SQLite catalog at `path` and applies its numbered
  // migrations.
  static Result<std::unique_ptr<Catalog>> OpenSqlite(const std::string& path);
  // The catalog of the lake at `lake_root` (LAKE/_strata/catalog.db).
  static Result<std::unique_ptr<Catalog>> OpenForLake(const std::string& lake_root);

  // The schema version after migrations.
  virtual int schema_version() const = 0;

  virtual Status CreateRun(const RunRecord& run) = 0;
  virtual Status FinishRun(const std::string& run_id, RunStatus status, int64_t ended_ms,
                           const std::string& error) = 0;
  // Inserts or replaces the step run (with its inputs and outputs).
  virtual Status RecordStep(const StepRun& step) = 0;
  // The newest succeeded or skipped run of `step` in `pipeline` with this fingerprint.
  virtual Result<std::optional<StepRun>> FindReusable(const std::string& pipeline,
                                                      const std::string& step,
                                                      const std::string& fingerprint) = 0;
  // Newest first, without steps.
  virtual Result<std::vector<RunRecord>> ListRuns(const RunFilter& filter) = 0;
  // The run with its steps (in the order they were recorded), or nullopt.
  virtual Result<std::optional<RunRecord>> GetRun(const std::string& run_id) = 0;

  // File content hashes, cached by path, size and modification time.
  virtual Result<std::optional<std::string>> CachedHash(const std::string& path, int64_t size,
                                                        int64_t mtime_ns) = 0;
  virtual Status StoreHash(const std::string& path, int64_t size, int64_t mtime_ns,
                           const std::string& hash) = 0;

  // Streams: the newest batch per partition (the table's txn actions stay the truth for
  // offsets; this is what status shows about when and how much).
  virtual Status RecordStreamBatches(const std::vector<StreamBatch>& batches) = 0;
  virtual Result<std::vector<StreamBatch>> StreamBatches(const std::string& stream) = 0;
};

// A new run id: the UTC start time and a random suffix ("20261201T205012Z-3f9a1c"), so
// ids sort by time.
std::string NewRunId();

}  // namespace strata::catalog

STRATA_API_END
