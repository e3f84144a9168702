// Streams: Kafka micro-batches into a lake table, exactly once.
//
// An Ingester is a Kafka consumer-group member (librdkafka) that gathers messages into
// micro-batches (closed on rows, bytes or time), decodes them (JSON or CSV) against a
// schema, runs a SQL transform over the batch and optional quality checks, and commits
// each batch as one table version. The batch's Kafka offsets go into that same commit as
// Delta `txn` actions (app id `strata-stream/<group>/<topic>/<partition>`, version = the
// last offset written), and on every partition assignment the consumer seeks to the
// offset after the one the table records, so no message is written twice or skipped,
// whatever Kafka's committed offsets say. Messages that do not decode go to a dead-letter
// table with their coordinates, raw bytes and the error.
//
// Thread-safety: an Ingester runs on the thread that calls Run (plus one writer thread it
// owns); Stop may be called from any thread or a signal handler.
#pragma once

#include "strata/export.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/observer.h"
#include "strata/quality.h"
#include "strata/status.h"

STRATA_API_BEGIN
namespace strata::stream {

struct KafkaSource {
  std::string bootstrap_servers;
  std::vector<std::string> topics;  // or topic_pattern
  std::string topic_pattern;        // a regular expression, as librdkafka's "^..." topics
  std::string group_id;
  // Any librdkafka property, passed through (security.protocol, sasl.*, ssl.*, ...).
  std::map<std::string, std::string> properties;
  // Where a partition the table has no offset for starts: "earliest" or "latest".
  std::string starting_offsets = "earliest";
};

enum class Format { kJson, kCsv };
enum class CheckPolicy { kFail, kWarn };

struct BatchLimits {
  int64_t max_rows = 100000;
  int64_t max_bytes = 64ll << 20;
  int64_t max_ms = 1000;
};

struct StreamSpec {
  std::string source;  // the file it was read from, for errors
  std::string dir;     // that file's folder: a relative suite path is read from there
  std::string name;    // default: the target table's name
  KafkaSource kafka;
  Format format = Format::kJson;
  // Column name and DuckDB type, in order. Empty: inferred from the first batch (or taken
  // from the target table when it exists), then enforced.
  std::vector<std::pair<std::string, std::string>> schema;
  std::string transform;  // SQL over the view `batch`; empty: SELECT * FROM batch
  std::string suite_file;
  std::optional<quality::Suite> suite;
  CheckPolicy policy = CheckPolicy::kFail;
  std::string target;
  std::string dead_letter;  // default: <target>_dead_letter
  BatchLimits batch;
  int64_t max_message_bytes = 1 << 20;  // larger messages are dead letters
  int compact_every = 100;              // batches between compactions; 0: never
  int64_t compact_target_bytes = 128ll << 20;
  int64_t startup_timeout_ms = 15000;  // to reach the cluster and see the topics
};

// Reads a stream file (YAML). InvalidArgument naming the file, line and column of what is
// wrong.
Result<StreamSpec> ParseStreamYaml(const std::string& text, const std::string& source);
Result<StreamSpec> LoadStreamFile(const std::string& path);

// The app id a partition's offsets are recorded under in the table.
std::string AppId(const std::string& group_id, const std::string& topic, int32_t partition);

// What one committed batch held.
struct BatchReport {
  int64_t batch = 0;           // 1, 2, ... within this run
  int64_t table_version = -1;  // the target's version holding it
  int64_t messages = 0, rows_written = 0, dead_letters = 0, bytes = 0;
  int64_t started_ms = 0, committed_ms = 0;
  std::map<std::string, int64_t> lag;  // per topic, after the batch (-1: unknown)
  std::string check_note;              // the quality checks' outcome, if any
};

struct RunOptions {
  // Process everything up to the high watermarks seen at start, then return (Spark's
  // Trigger.AvailableNow). Otherwise run until Stop().
  bool available_now = false;
  // Called on the writer thread after each committed batch.
  std::function<void(const BatchReport&)> on_batch;
  // Called (about once a second) with a problem that is being retried (an unreachable
  // broker), and with an empty string when it has cleared.
  std::function<void(const std::string&)> on_problem;
  // Told of the stream as one job run (processing type STREAMING): START when consuming
  // begins, with the topics as inputs (the transform's `batch`) and the target and
  // dead-letter tables as outputs; COMPLETE when it stops, with the versions written, or
  // FAIL with the error. For lineage (lineage::OpenLineageObserver).
  std::vector<std::shared_ptr<RunObserver>> observers;
};

struct RunStats {
  int64_t batches = 0, messages = 0, rows_written = 0, dead_letters = 0, bytes = 0;
  int64_t batches_dropped = 0;  // fenced out (another consumer wrote their partitions)
  double seconds = 0;
  // From the first message received to the end: the time spent consuming, without joining
  // the group and being assigned partitions.
  double consume_seconds = 0;
  // End-to-end latency, from a message's Kafka timestamp to the commit holding it, over a
  // sample of up to 100,000 messages.
  double latency_p50_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;
};

class Ingester {
 public:
  // Checks the spec against the lake before consuming anything: the lake opens, the
  // transform binds, and a target table that exists has a schema the stream's output
  // matches (else an error listing the columns).
  static Result<std::unique_ptr<Ingester>> Open(StreamSpec spec, const std::string& lake_root);
  ~Ingester();
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;

  // Consumes until Stop() (the open batch is dropped, uncommitted) or, with
  // available_now, until caught up. An error stops the run: what was committed stays.
  Result<RunStats> Run(const RunOptions& options = {});
  // Asks Run to return; async-signal-safe.
  void Stop();

 private:
  struct Impl;
  explicit Ingester(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One partition as `strata stream status` shows it.
struct PartitionStatus {
  std::string topic;
  int32_t partition = 0;
  int64_t table_offset = -1;    // the last offset the target table records; -1: none
  int64_t high_watermark = -1;  // Kafka's; -1 when the cluster could not be asked
  int64_t lag = -1;             // messages after table_offset up to the high watermark
  int64_t last_batch_ms = 0;    // when the last batch with this partition committed; 0: never
  int64_t last_batch_messages = 0;
};

// Per partition of the stream's topics: the offsets the table records against Kafka's high
// watermarks. Partitions Kafka cannot be asked about show what the table records.
Result<std::vector<PartitionStatus>> GetStatus(const StreamSpec& spec, const std::string& lake_root,
                                               std::string* kafka_error = nullptr);

}  // namespace strata::stream
STRATA_API_END
