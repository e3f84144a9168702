// Lineage: OpenLineage (spec 2-0-2) events for every observed run, column lineage computed
// from SQL with DuckDB's own parser, and the graph of jobs and datasets around a table.
//
//   auto observer = strata::lineage::OpenLineageObserver::Open("lake", {});
//   options.observers.push_back(*observer);   // pipeline::RunOptions
//
// Events are appended to LAKE/_strata/lineage/YYYY-MM-DD.jsonl (one JSON object per line,
// a file per UTC day), and the edges (job run -> dataset version) are recorded in the
// lake's catalog for `strata lineage` queries.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "strata/observer.h"
#include "strata/status.h"

STRATA_API_BEGIN
namespace strata::lineage {

// One input column an output column derives from.
struct InputField {
  std::string name_space;
  std::string name;             // dataset
  std::string field;            // column
  std::string type = "DIRECT";  // DIRECT (the value flows) or INDIRECT (filters, joins, groups)
  std::string subtype;  // IDENTITY, TRANSFORMATION, AGGREGATION; FILTER, JOIN, GROUP_BY, ...
};

struct ColumnLineage {
  // Output column -> the input columns it derives from. A column whose lineage cannot be
  // derived (a table function, an unknown relation) is left out rather than guessed.
  std::map<std::string, std::vector<InputField>> fields;
  // Input columns that affect every output row (WHERE, JOIN ... ON, GROUP BY, HAVING).
  std::vector<InputField> dataset;
};

// Column lineage of a query (DuckDB SQL) over `inputs`, each known to the SQL by the last
// part of its name after '/' (a pipeline step's output "p/step" is `step`; a table is its
// name), with its schema; `output_columns` are the query's output column names in order
// (from binding it). Parsed by DuckDB (json_serialize_sql), never by hand: SELECT lists,
// `*` and `* EXCLUDE`, aliases, CTEs, subqueries in FROM, joins, UNION, aggregates, CASE,
// window functions.
Result<ColumnLineage> ColumnLineageOf(const std::string& sql,
                                      const std::vector<ObservedDataset>& inputs,
                                      const std::vector<std::string>& output_columns);

// The OpenLineage RunEvent (JSON text, one line) for an observed event. Column lineage
// is computed from the event's SQL, or is the identity for steps that pass columns on.
std::string ToOpenLineage(const RunEvent& event);

// A deterministic OpenLineage run id (a UUID) for a Strata run id, so the same run is the
// same OpenLineage run in every event and `strata runs` ids map to it.
std::string RunUuid(const std::string& strata_run_id);

struct ObserverOptions {
  // Folder of the JSON-lines files; empty: LAKE/_strata/lineage.
  std::string directory;
  // A collector to POST each event to as well (Marquez's API: URL/api/v1/lineage when the
  // URL has no path), with an optional API key (sent as a Bearer token). A malformed URL is
  // an error from Open, before anything runs.
  std::string url;
  std::string api_key;
  double timeout_seconds = 2;  // per request, and for Finish() to wait
};

class HttpSender;

// Writes OpenLineage events for observed runs, and records lineage edges in the catalog.
class OpenLineageObserver : public RunObserver {
 public:
  static Result<std::shared_ptr<OpenLineageObserver>> Open(const std::string& lake_root,
                                                           const ObserverOptions& options);
  ~OpenLineageObserver() override;
  void OnRunEvent(const RunEvent& event) override;
  // The first error met writing events (they never fail a run), or OK.
  Status status() const;
  // Waits (at most the timeout) for the collector to take the queued events; returns how
  // many it did not get (they stay in the lineage files: `strata lineage send` re-sends
  // them) and, in `error`, why. 0 without a collector.
  int64_t Finish(std::string* error);

 private:
  OpenLineageObserver(std::string lake_root, std::string directory);
  std::string lake_root_;
  std::string directory_;
  double timeout_ = 2;
  std::unique_ptr<HttpSender> sender_;
  mutable std::mutex mu_;
  Status status_;
};

// Re-sends the events recorded since `since_day` (YYYY-MM-DD; empty: all) to a collector,
// in order. A collector takes a repeated event as the same run state, so sending twice is
// safe.
struct SendReport {
  int64_t sent = 0, failed = 0;
  std::vector<std::string> skipped;  // unreadable lines, as ReadEvents reports them
  std::string last_error;
};
Result<SendReport> SendEvents(const std::string& lake_root, const std::string& since_day,
                              const ObserverOptions& options);

// Events read back from a lineage folder, oldest first. A line that does not parse (a
// file cut short by a killed process) is skipped and reported as "FILE line N: why".
struct EventLog {
  std::vector<std::string> events;  // JSON text
  std::vector<std::string> skipped;
};
Result<EventLog> ReadEvents(const std::string& directory, const std::string& since_day = "");

// The graph around a dataset, as `strata lineage` shows it.
struct LineageNode {
  std::string kind;  // "dataset" or "job"
  std::string name_space, name;
  int64_t version = -1;  // a table's latest version seen on an edge
  std::string last_run;  // a job's last run (Strata run id)
  std::string last_event_time;
};
struct LineageEdge {
  size_t from = 0, to = 0;  // indexes into nodes: dataset -> job (read), job -> dataset (write)
  std::vector<std::pair<std::string, std::string>> columns;  // with --column: (from col, to col)
};
struct LineageGraph {
  std::vector<LineageNode> nodes;
  std::vector<LineageEdge> edges;
  std::string ToText() const;
  std::string ToJson() const;
  std::string ToDot() const;
};
struct GraphQuery {
  std::string dataset;  // a table name, a pipeline step dataset ("p/step"), or a file path
  bool upstream = true, downstream = true;
  int depth = 8;
  std::string column;  // follow one column through column lineage
};
// Built from the COMPLETE events in the lake's lineage folder.
Result<LineageGraph> QueryGraph(const std::string& lake_root, const GraphQuery& query);

}  // namespace strata::lineage

STRATA_API_END
