// The engine: Strata's only door to DuckDB. These RAII wrappers over DuckDB's C API own
// each handle and turn every DuckDB error into a Status whose message keeps DuckDB's
// words and adds what Strata was doing.
//
// Threads: one Database per lake (or per process, for ad-hoc queries); it is
// thread-safe. A Connection, and everything made from it, belongs to one thread at a
// time: open a Connection per thread. Objects made from a Connection borrow it and must
// not outlive it; a Connection must not outlive its Database.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/dataframe.h"
#include "strata/status.h"

STRATA_API_BEGIN
namespace strata::engine {

// Query progress as DuckDB estimates it.
struct Progress {
  double percentage = -1;  // 0..100, or -1 when DuckDB cannot estimate it
  uint64_t rows_processed = 0;
  uint64_t total_rows = 0;
};

using ProgressCallback = std::function<void(const Progress&)>;

struct DatabaseOptions {
  // DuckDB database file; empty means an in-memory database.
  std::string path;
  // Worker threads; 0 lets DuckDB use every core.
  int threads = 0;
  // For example "4GB"; empty keeps DuckDB's default (80% of RAM).
  std::string memory_limit;
  // Where DuckDB spills what does not fit in memory; empty keeps DuckDB's default.
  std::string temp_directory;
  // Have DuckDB estimate progress, for Execute()'s progress callback.
  bool track_progress = false;
  // When set (implies track_progress): called about every 100 ms, from a thread of its
  // own, while any statement of any connection of this database runs, with that
  // statement's progress; never after the statement returns. For a command's progress
  // line when it runs its queries through library calls (a table write, a validation).
  // A statement given a progress callback of its own reports there instead. With a
  // locked configuration (below) DuckDB cannot estimate a percentage (its per-connection
  // setting is refused): the callback still comes, with percentage -1.
  ProgressCallback progress;
  // When set, the database reads and writes files only under these folders (and the
  // files named in allowed_files): DuckDB's enable_external_access is turned off with
  // them as its allowed_directories / allowed_paths, and the configuration is locked, so
  // no query can undo it. For databases that run text a user does not fully control
  // (suites, served requests). Empty folder names are ignored.
  std::optional<std::vector<std::string>> allowed_directories;
  std::vector<std::string> allowed_files;
  // With allowed_directories: lock the configuration so no query can widen the lists (for
  // text a user does not control). Unlocked, connections can still change their own
  // settings (progress tracking needs that), and a query could change the lists: a guard
  // against mistakes (a pipeline step reading an undeclared file), not a wall.
  bool lock_configuration = true;
  // The session time zone (an IANA name such as "Europe/Paris"): where a timestamp
  // without a zone is placed when it meets one with a zone (a cast, a Delta `timestamp`
  // partition value written without an offset). UTC unless $STRATA_TIME_ZONE names
  // another; not the machine's zone, so the same data reads the same everywhere.
  std::string time_zone = DefaultTimeZone();

  // $STRATA_TIME_ZONE when set and not empty, else "UTC".
  static std::string DefaultTimeZone();
};

// Options for a database that reads and writes only `paths`, for good: a folder whole, a
// file alone, a glob's folder. What a command running user SQL over given data uses (the
// data and the lake).
DatabaseOptions SandboxedTo(const std::vector<std::string>& paths);

struct ColumnSchema {
  std::string name;
  std::string sql_type;  // DuckDB's spelling, such as "BIGINT" or "TIMESTAMP"
};

class Connection;

// A scalar SQL function written in C++, for what DuckDB lacks (encryption, masking, ...).
// Arguments and the result are BOOLEAN, BIGINT, DOUBLE or VARCHAR (ValueKind kBool,
// kInt64, kFloat64, kString).
struct ScalarFunction {
  std::string name;
  std::vector<ValueKind> arguments;
  ValueKind result = ValueKind::kString;
  // Computes one chunk of rows (up to 2048): `args[i]` holds argument i (nulls
  // included: the function decides what a null gives). Appends exactly `rows` values or
  // nulls to `out`, a column of the result kind. May run on several threads at once. An
  // error fails the query with its message.
  std::function<Status(const std::vector<Column>& args, size_t rows, Column* out)> compute;
  // Same arguments, same result: DuckDB may fold constant calls and reuse results.
  bool deterministic = true;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<std::unique_ptr<Connection>> Connect();

  // Adds `function` to the database: every connection, present and future, can call it.
  // A name DuckDB or Strata already uses for these arguments is an error.
  Status RegisterScalarFunction(ScalarFunction function);

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class PreparedStatement;
class QueryResult;

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements and discards their results.
  Status Execute(const std::string& sql);
  // Runs a query and returns a streaming result.
  Result<std::unique_ptr<QueryResult>> Query(const std::string& sql);
  // Runs a query and collects its whole result.
  Result<DataFrame> Collect(const std::string& sql);
  // Parses and binds one statement.
  Result<std::unique_ptr<PreparedStatement>> Prepare(const std::string& sql);
  // The output columns of a query, found by binding it without running it.
  Result<std::vector<ColumnSchema>> Describe(const std::string& sql);
  // Asks a running query on this connection to stop (callable from another thread).
  void Interrupt();
  // Database::RegisterScalarFunction through this connection (for code that holds a
  // connection only). Registering a name twice is an error.
  Status RegisterScalarFunction(ScalarFunction function);

 private:
  friend class Database;
  friend class PreparedStatement;
  friend class Appender;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class PreparedStatement {
 public:
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // Parameters are numbered from 1, as in SQL's $1.
  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindString(int index, const std::string& value);
  Status BindBool(int index, bool value);
  Status BindNull(int index);
  size_t parameter_count() const;

  std::vector<ColumnSchema> columns() const;

  // Runs the statement. With `progress`, the call reports progress about every 100 ms
  // while DuckDB works; `streaming` returns before the whole result is computed.
  Result<std::unique_ptr<QueryResult>> Execute(bool streaming = true,
                                               const ProgressCallback& progress = nullptr);
  // Runs the statement and collects its whole result into a DataFrame.
  Result<DataFrame> Collect(const ProgressCallback& progress = nullptr);

 private:
  friend class Connection;
  struct Impl;
  explicit PreparedStatement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A query's result, read a chunk (up to 2048 rows) at a time.
class QueryResult {
 public:
  ~QueryResult();
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;

  const std::vector<ColumnSchema>& columns() const;
  // Empty columns of the kinds this result's columns are read as.
  std::vector<Column> NewColumns() const;
  // Appends the next chunk's rows to `out`'s columns (made by NewColumns()).
  // Returns the number of rows appended; 0 at the end of the result.
  Result<size_t> AppendNextChunk(std::vector<Column>* out);
  // Reads every remaining chunk into a DataFrame.
  Result<DataFrame> ToDataFrame();
  // Rows changed by an INSERT/UPDATE/DELETE or written by COPY.
  int64_t rows_changed() const;

 private:
  friend class PreparedStatement;
  friend class Connection;
  struct Impl;
  explicit QueryResult(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Fast row-wise loading into an existing table.
class Appender {
 public:
  static Result<std::unique_ptr<Appender>> Make(Connection* connection, const std::string& table);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  Status AppendInt64(int64_t value);
  Status AppendDouble(double value);
  Status AppendString(std::string_view value);
  Status AppendBool(bool value);
  Status AppendNull();
  Status EndRow();
  // Columns of equal length, appended a chunk at a time (much faster than value by value
  // for many rows). Column i fills the table's column i: `ints` for BIGINT, `texts` for
  // VARCHAR or BLOB (bytes as they are; VARCHAR text must be UTF-8); `nulls`, when not
  // empty, marks the rows that are NULL.
  struct ColumnData {
    std::vector<int64_t> ints;
    std::vector<std::string_view> texts;
    std::vector<bool> nulls;
  };
  Status AppendColumns(const std::vector<ColumnData>& columns);
  // Writes buffered rows; the appender remains usable.
  Status Flush();
  // Flushes and finalizes; later appends fail.
  Status Close();

 private:
  struct Impl;
  explicit Appender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses `expression` as exactly one SQL condition with DuckDB's parser, and returns
// DuckDB's own rendering of it (parenthesized), safe to paste into a larger query: it
// cannot end a clause, add a column or aggregate, or hold a subquery (so it cannot read a
// table or file) or a window. InvalidArgument, quoting the text and saying why, otherwise.
Result<std::string> ParseScalarExpression(Connection* conn, std::string_view expression);

// Parses `query` as exactly one SELECT statement (json_serialize_sql only accepts
// SELECT statements) and returns DuckDB's rendering of it, safe to paste into a larger
// query as a subquery: the text cannot close it and add to the query around it.
Result<std::string> ParseSelectQuery(Connection* conn, std::string_view query);

// SQL text helpers, used wherever Strata writes SQL.
// "name" with embedded quotes doubled: safe for any identifier.
std::string QuoteIdentifier(std::string_view name);
// 'text' with embedded quotes doubled. NUL bytes are rejected by the caller.
std::string QuoteString(std::string_view text);

}  // namespace strata::engine

STRATA_API_END
