// A Frame's plan: a tree of nodes, one per verb, over sources; compiled to one SQL query
// when the frame runs. Internal to libstrata's engine files.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strata/frame.h"

namespace strata::detail {

enum class PlanKind {
  kSource,
  kSelect,
  kWithColumns,
  kFilter,
  kAggregate,
  kSort,
  kLimit,
  kJoin,
  kUnique,
  kRename,
  kDrop,
};

struct PlanNode {
  PlanKind kind;
  std::shared_ptr<const PlanNode> input;
  std::shared_ptr<const PlanNode> right;  // join
  // kSource: a complete query, and the local files it reads (checked before binding).
  std::string source_sql;
  std::vector<std::string> source_files;
  std::string source_what;  // "CSV", "Parquet", "NDJSON", "SQL"
  // A single CSV file: sniffed once at compile time, then read with its dialect and
  // columns spelled out so that DuckDB does not sniff it again. `csv_dialect_args` are
  // the user's dialect options (given to the sniffer), `csv_read_args` the others.
  bool csv_sniff_once = false;
  std::string csv_dialect_args;
  std::string csv_read_args;
  std::vector<Expr> exprs;  // select, with_columns, filter (one), agg, sort keys
  std::vector<Expr> keys;   // group_by keys
  std::vector<bool> descending;
  bool nulls_last = false;
  int64_t limit = 0;
  JoinOptions join;
  std::vector<std::string> names;  // unique subset, drop
  UniqueKeep keep = UniqueKeep::kAny;
  std::vector<std::pair<std::string, std::string>> mapping;
  Status error;  // a problem found when the verb was called, reported at run time
};

// A compiled plan: its SQL and its output columns.
struct Compiled {
  std::string sql;
  std::vector<std::string> columns;
};

// Compiles a plan to SQL on `conn`, binding each source once to learn its columns.
Result<Compiled> CompilePlan(engine::Connection* conn, const PlanNode& plan);

// Local source files: whether a path is a glob; whether a file can be read (a clear error
// naming it if not: missing, a directory, empty, unreadable); what a path's extension says
// it holds ("Parquet", "JSON", "CSV").
bool HasGlob(const std::string& path);
Status CheckLocalFile(const std::string& path, const std::string& what);
bool IsJsonPath(const std::string& path);
std::string WhatFor(const std::string& path);

}  // namespace strata::detail
